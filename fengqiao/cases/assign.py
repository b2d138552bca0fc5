"""Choosing the lead officer of a new case within the case team (pure, no Django).

A case officer's load is the weighted sum of the open cases they lead: a simple case
counts 1, an ordinary one 2, a complex one 3. The case's complexity decides who may lead
it and how many officers assist:

- simple: the lowest load among the case officers on duty; nobody assists;
- ordinary: the lowest load among those on duty, and the next lowest assists, since an
  investigation needs two officers;
- complex: the lowest load among all case officers, on duty or not, two assistants, and
  the station's leaders are told.

Ties go to the officer with fewer open cases, then by name and id, so the same team gives
the same answer every time. Every choice carries its reasons, and when nobody fits it says
why ("no case officer at this station"). Reasons are English source strings with named
arguments (`Message`), translated where they are shown; the figures of each officer
("3 open, weighted 5") come with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SIMPLE = "simple"
ORDINARY = "ordinary"
COMPLEX = "complex"
COMPLEXITIES = (SIMPLE, ORDINARY, COMPLEX)

WEIGHTS: dict[str, int] = {SIMPLE: 1, ORDINARY: 2, COMPLEX: 3}
ASSISTANTS: dict[str, int] = {SIMPLE: 0, ORDINARY: 1, COMPLEX: 2}
# An open case of a complexity the table does not know counts as an ordinary one.
DEFAULT_WEIGHT = WEIGHTS[ORDINARY]


def gettext_noop(text: str) -> str:
    """Marks `text` for translation (makemessages finds this name) and returns it as it is."""
    return text


# The sentences of this module, translated where they are shown.
FIGURES = gettext_noop("%(open)s open, weighted %(load)s")
LEAD_ON_DUTY = gettext_noop("%(name)s: lowest load of the case officers on duty (%(figures)s).")
LEAD_ALL = gettext_noop("%(name)s: lowest load of all case officers, on duty or not (%(figures)s).")
LEAD_CHOSEN = gettext_noop("%(name)s: chosen by the person who accepted the case (%(figures)s).")
LEAD_NOT_RECOMMENDED = gettext_noop("The recommendation was %(name)s (%(figures)s).")
ASSISTANT = gettext_noop("%(name)s assists: next lowest load (%(figures)s); an investigation needs two officers.")
LEADERS_TOLD = gettext_noop("A complex case: the station's leaders are notified.")
NO_CASE_OFFICER = gettext_noop("No case officer at this station.")
NONE_ON_DUTY = gettext_noop("No case officer is on duty.")
TOO_FEW_TO_ASSIST = gettext_noop("Assisting officers needed: %(wanted)s; available: %(found)s.")
NOT_ON_DUTY = gettext_noop("%(name)s is not on duty.")


@dataclass(frozen=True)
class Message:
    """A sentence to show: an English source text with named arguments."""

    text: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = str) -> str:
        """The sentence in the language `translate` gives (arguments that are messages too)."""
        args = {name: value.render(translate) if isinstance(value, Message) else value for name, value in self.args.items()}
        return translate(self.text) % args if args else translate(self.text)

    def as_json(self) -> dict[str, Any]:
        args = {name: value.as_json() if isinstance(value, Message) else value for name, value in self.args.items()}
        return {"text": self.text, "args": args}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        args = {name: cls.from_json(value) if isinstance(value, Mapping) and "text" in value else value
                for name, value in dict(data.get("args") or {}).items()}
        return cls(text=str(data.get("text", "")), args=args)


@dataclass(frozen=True)
class CaseOfficer:
    """A case officer as the choice sees them: on duty or not, and the open cases they lead."""

    id: int
    name: str
    on_duty: bool
    open_cases: Mapping[str, int] = field(default_factory=dict)  # complexity → number of open cases

    @property
    def open_count(self) -> int:
        return sum(self.open_cases.values())

    @property
    def load(self) -> int:
        return sum(WEIGHTS.get(complexity, DEFAULT_WEIGHT) * count for complexity, count in self.open_cases.items())

    @property
    def figures(self) -> Message:
        return Message(FIGURES, {"open": self.open_count, "load": self.load})


@dataclass(frozen=True)
class Choice:
    """Who leads and who assists, with the reasons; `lead` is None when nobody fits."""

    complexity: str
    lead: CaseOfficer | None
    assistants: tuple[CaseOfficer, ...] = ()
    reasons: tuple[Message, ...] = ()
    considered: tuple[CaseOfficer, ...] = ()

    @property
    def found(self) -> bool:
        return self.lead is not None

    def as_json(self) -> dict[str, Any]:
        """What a case keeps of its assignment (`Case.assignment`)."""
        return {
            "complexity": self.complexity,
            "lead": self.lead.id if self.lead else None,
            "assistants": [officer.id for officer in self.assistants],
            "reasons": [reason.as_json() for reason in self.reasons],
            "figures": {str(officer.id): {"name": officer.name, "open": officer.open_count, "load": officer.load,
                                          "on_duty": officer.on_duty}
                        for officer in self.considered},
        }


def ranked(officers: Iterable[CaseOfficer]) -> list[CaseOfficer]:
    """Lowest load first; then fewer open cases; then name and id (stable for equal teams)."""
    return sorted(officers, key=lambda officer: (officer.load, officer.open_count, officer.name, officer.id))


def choose(officers: Iterable[CaseOfficer], complexity: str, *, chosen: CaseOfficer | None = None) -> Choice:
    """The lead officer and assistants for a new case of `complexity` among `officers`.

    `chosen` is a lead the person accepting the case picked themselves (from the case team
    or not); the assistants are then picked around them the same way, and the reasons say
    whom the rules would have recommended.
    """
    if complexity not in WEIGHTS:
        raise ValueError(f"unknown complexity {complexity!r}")
    everyone = ranked(officers)
    wide = complexity == COMPLEX
    pool = everyone if wide else [officer for officer in everyone if officer.on_duty]
    recommended = pool[0] if pool else None
    considered = tuple(everyone)
    reasons: list[Message] = []

    if chosen is not None:
        lead = chosen
        if all(officer.id != chosen.id for officer in everyone):
            considered += (chosen,)
        reasons.append(Message(LEAD_CHOSEN, {"name": lead.name, "figures": lead.figures}))
        if not wide and not lead.on_duty:
            reasons.append(Message(NOT_ON_DUTY, {"name": lead.name}))
        if recommended is not None and recommended.id != lead.id:
            reasons.append(Message(LEAD_NOT_RECOMMENDED, {"name": recommended.name, "figures": recommended.figures}))
    elif recommended is None:
        why = NO_CASE_OFFICER if not everyone else NONE_ON_DUTY
        return Choice(complexity=complexity, lead=None, reasons=(Message(why),), considered=considered)
    else:
        lead = recommended
        reasons.append(Message(LEAD_ALL if wide else LEAD_ON_DUTY, {"name": lead.name, "figures": lead.figures}))

    wanted = ASSISTANTS[complexity]
    assistants = tuple(officer for officer in pool if officer.id != lead.id)[:wanted]
    for officer in assistants:
        reasons.append(Message(ASSISTANT, {"name": officer.name, "figures": officer.figures}))
    if len(assistants) < wanted:
        reasons.append(Message(TOO_FEW_TO_ASSIST, {"found": len(assistants), "wanted": wanted}))
    if wide:
        reasons.append(Message(LEADERS_TOLD))
    return Choice(complexity=complexity, lead=lead, assistants=assistants, reasons=tuple(reasons), considered=considered)


def reasons_from_json(assignment: Mapping[str, Any]) -> list[Message]:
    """The reasons a case kept (`Choice.as_json`), to be shown again."""
    return [Message.from_json(item) for item in assignment.get("reasons") or [] if isinstance(item, Mapping)]
