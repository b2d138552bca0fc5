"""The life of a case (案件) and its legal time limits (pure, no Django).

Criminal cases (刑事):        accepted (受案) → filed (立案) → cleared (破案) → closed (结案)
                              accepted → not_filed (不予立案, with a reason)
                              filed → closed (撤案 / terminated, with a reason)
Administrative cases (行政):  accepted (受案) → cleared (查结, with how) → closed (结案)

Every open case has its lead officer as owner and one deadline: the limit of the stage it
is in, counted from the stage's start and moved only by an extension (which a leader
grants, with a reason, as often as the station's limits allow). `apply` is the one function
that moves a case; the services store what it returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

CRIMINAL = "criminal"
ADMINISTRATIVE = "administrative"
KINDS = (CRIMINAL, ADMINISTRATIVE)

ACCEPTED = "accepted"
FILED = "filed"
NOT_FILED = "not_filed"
CLEARED = "cleared"
CLOSED = "closed"

ALL = (ACCEPTED, FILED, NOT_FILED, CLEARED, CLOSED)
OPEN = frozenset({ACCEPTED, FILED, CLEARED})
FINISHED = frozenset({NOT_FILED, CLOSED})

SIMPLE = "simple"
ORDINARY = "ordinary"
COMPLEX = "complex"
COMPLEXITIES = (SIMPLE, ORDINARY, COMPLEX)

# The stage whose limit runs in each open state, by kind.
STAGE_FILING = "filing"            # criminal: decide whether to file (立案审查)
STAGE_INVESTIGATION = "investigation"  # criminal: from filing to clearing
STAGE_HANDLING = "handling"        # administrative: from acceptance to the decision
STAGE_CLOSING = "closing"          # both: from clearing to closing the file
STAGES = (STAGE_FILING, STAGE_INVESTIGATION, STAGE_HANDLING, STAGE_CLOSING)

_STAGE_OF: dict[tuple[str, str], str] = {
    (CRIMINAL, ACCEPTED): STAGE_FILING,
    (CRIMINAL, FILED): STAGE_INVESTIGATION,
    (CRIMINAL, CLEARED): STAGE_CLOSING,
    (ADMINISTRATIVE, ACCEPTED): STAGE_HANDLING,
    (ADMINISTRATIVE, CLEARED): STAGE_CLOSING,
}

# action → (kinds, states it may start from, state it leads to); None keeps the state.
ACTIONS: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "file": (frozenset({CRIMINAL}), frozenset({ACCEPTED}), FILED),
    "not_file": (frozenset({CRIMINAL}), frozenset({ACCEPTED}), NOT_FILED),
    "clear": (frozenset(KINDS), frozenset({FILED}), CLEARED),
    "decide": (frozenset({ADMINISTRATIVE}), frozenset({ACCEPTED}), CLEARED),
    "close": (frozenset(KINDS), frozenset({CLEARED}), CLOSED),
    "terminate": (frozenset({CRIMINAL}), frozenset({FILED}), CLOSED),
    "extend": (frozenset(KINDS), frozenset(OPEN), None),
    "reassign": (frozenset(KINDS), frozenset(OPEN), None),
}


class CaseError(ValueError):
    """A move the case's kind, state or limits do not allow; `code` names which."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limit:
    """One stage's time limit: `days` from its start, and how far extensions may take it."""

    days: int
    extension_days: int = 0
    max_extensions: int = 0


# Defaults a station may change (公安机关办理刑事案件程序规定: filing review 3 days, up to
# 7 or 30 with approval; 治安管理处罚法 art. 99: 30 days, once 30 more with approval).
DEFAULT_LIMITS: dict[tuple[str, str], Limit] = {
    (CRIMINAL, STAGE_FILING): Limit(days=3, extension_days=4, max_extensions=2),
    (CRIMINAL, STAGE_INVESTIGATION): Limit(days=60, extension_days=30, max_extensions=2),
    (CRIMINAL, STAGE_CLOSING): Limit(days=30, extension_days=15, max_extensions=1),
    (ADMINISTRATIVE, STAGE_HANDLING): Limit(days=30, extension_days=30, max_extensions=1),
    (ADMINISTRATIVE, STAGE_CLOSING): Limit(days=7, extension_days=7, max_extensions=1),
}


@dataclass(frozen=True)
class Item:
    """What the machine knows of one case."""

    kind: str
    state: str
    lead: int | None
    stage: str = ""
    stage_started_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    extensions: int = 0  # of the current stage

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


@dataclass(frozen=True)
class Limits:
    table: Mapping[tuple[str, str], Limit] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    def of(self, kind: str, stage: str) -> Limit:
        return self.table.get((kind, stage)) or DEFAULT_LIMITS[(kind, stage)]


def stage_of(kind: str, state: str) -> str:
    return _STAGE_OF.get((kind, state), "")


def accept(kind: str, lead: int, now: dt.datetime, *, limits: Limits = Limits()) -> Item:
    """A case accepted (受案) at `now` with `lead` as its lead officer."""
    if kind not in KINDS:
        raise CaseError(f"unknown kind {kind!r}", code="bad_kind")
    return _enter(Item(kind=kind, state=ACCEPTED, lead=lead), now, limits)


def allowed(item: Item, action: str) -> bool:
    if action not in ACTIONS:
        return False
    kinds, sources, _target = ACTIONS[action]
    return item.kind in kinds and item.state in sources


def apply(item: Item, action: str, *, now: dt.datetime, limits: Limits = Limits(), lead: int | None = None) -> Item:
    """The case after `action` at `now`; CaseError if its kind, state or limits forbid it.

    `reassign` needs the new `lead`; `extend` adds the stage's extension days to the
    deadline, up to the stage's number of extensions.
    """
    if action not in ACTIONS:
        raise CaseError(f"unknown action {action!r}", code="unknown_action")
    kinds, sources, target = ACTIONS[action]
    if item.kind not in kinds:
        raise CaseError(f"a {item.kind} case cannot be given {action!r}", code="wrong_kind")
    if item.state not in sources:
        raise CaseError(f"a case that is {item.state!r} cannot be given {action!r}", code="wrong_state")
    if action == "reassign":
        if lead is None:
            raise CaseError("name the new lead officer", code="no_lead")
        return dataclasses.replace(item, lead=lead)
    if action == "extend":
        limit = limits.of(item.kind, item.stage)
        if item.extensions >= limit.max_extensions or limit.extension_days <= 0:
            raise CaseError("this stage's time limit cannot be extended further", code="no_more_extensions")
        assert item.due_at is not None
        return dataclasses.replace(item, due_at=item.due_at + dt.timedelta(days=limit.extension_days),
                                   extensions=item.extensions + 1)
    assert target is not None
    return _enter(dataclasses.replace(item, state=target), now, limits)


def _enter(item: Item, now: dt.datetime, limits: Limits) -> Item:
    """Start the stage of the item's state: its clock starts now (none once finished)."""
    stage = stage_of(item.kind, item.state)
    if not stage:
        return dataclasses.replace(item, stage="", stage_started_at=None, due_at=None, extensions=0)
    limit = limits.of(item.kind, stage)
    return dataclasses.replace(item, stage=stage, stage_started_at=now, due_at=now + dt.timedelta(days=limit.days),
                               extensions=0)
