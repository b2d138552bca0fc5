"""The demo's loops after dispatch, drawn deterministically from a station's past (pure, no Django).

`plan_loops(seed, station, incidents, end=…)` decides, for one station, the cases, the
transfers to partner departments and the support requests that agree with the incidents
the demo's past already holds (`history.py`, as written to the database), as they stand at
`end` (midnight after the last day of the past):

- every **converted** incident became a case (受案) when the officer's feedback accepted it:
  criminal for the criminal family, administrative otherwise; mostly ordinary, some simple
  or complex; its lead officer the case officer with the lowest load then (`cases.assign`,
  the same choice the services make, officers on a three-day duty rotation); its life by
  its age — recent cases accepted or filed, older ones cleared and closed, a few not filed
  or terminated with a reason — moved only through `cases.machine`, so every deadline and
  extension is the machine's. A few open cases sat in the filing review past their
  deadline (overdue on the board) and a couple fall due today (when the past has cases of
  the right age);
- every incident the past **transferred** has its transfer (移交单) to the department its
  log names, moved through `transfers.machine`: most answered in time and confirmed with
  the caller when the incident was closed (the caller's answer mostly satisfied), some
  extended once or twice with a reason, a few redone when the caller was not satisfied;
  some sent to a department that returned them as "not ours" — the incident went back to
  the command room (transferred → triaged) and was transferred again, to the department
  the station's routing rule names, whose transfer then ran its course; the incidents
  still transferred at `end` have their transfer open (pushed, received, in progress, or
  the result waiting for the command room's call to the caller), and the ones whose
  department fell silent past its deadline were chased;
- a few per cent of the cases asked a specialised unit for help (video review, phone
  trace, scene examination, accident handling, armed back-up …), moved through
  `support.machine`: mostly completed, a few open today, one declined and re-routed to
  another unit, one overdue and chased.

Each loop writes what its services would: the log of the case, transfer or request, the
incident log entries of the moves that concern the incident (`IncidentEntry`, a sentence
key with its arguments, translated by the writer) and the breaches the ticker recorded when
it chased (`Breach`). Times are the station's local wall-clock time (naive datetimes), as
in `history.py`; database ids come in with the inputs and go out unchanged, and no choice
depends on them (PostgreSQL gives other ids to the same rows in another build).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import heapq
import itertools
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from fengqiao.cases import assign, numbering
from fengqiao.cases import machine as cases
from fengqiao.support import machine as support
from fengqiao.transfers import machine as transfers

from . import loops_texts as words
from .history import Draws

# Incident states (fengqiao.intake.states), as plain strings.
CONVERTED, TRANSFERRED, CLOSED, TRIAGED = "converted", "transferred", "closed", "triaged"

HOTLINE = "12345"
DEFAULT_NUMBER_TEMPLATE = "{station}{kind}{YYYY}{NNNN}"

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Route:
    """A routing rule: a non-police category (or "" for the rest) → a department and its result deadline."""

    category: str
    department: str
    result_hours: int


# The station's routing of non-police matters (transfers.RoutingRule), by plan.DEPARTMENTS code:
# noise, parking, rubbish → urban management; leaks and utilities → the utilities; shops and food
# → market regulation; building work → housing; smells → environment; the rest → the 12345 hotline.
ROUTES: tuple[Route, ...] = (
    Route("non_police.noise", "NA-CGJ", 96),
    Route("non_police.parking", "NA-CGJ", 96),
    Route("non_police.sanitation", "NA-CGJ", 96),
    Route("non_police.market", "NA-SCJGJ", 120),
    Route("non_police.leak", "NA-WATER", 96),
    Route("non_police.utilities", "NA-POWER", 96),
    Route("non_police.construction", "NA-ZJW", 120),
    Route("non_police.smell", "NA-STHJJ", 120),
    Route("non_police.animal", HOTLINE, 96),
    Route("", HOTLINE, 120),
)
# Departments that also own a category besides its rule's (history.DEPARTMENT_FOR sends some
# there): they work it. Any other department a transfer went to may send it back as not theirs.
ALSO_THEIRS: dict[str, frozenset[str]] = {
    "non_police.noise": frozenset({HOTLINE}),
    "non_police.parking": frozenset({HOTLINE}),
    "non_police.market": frozenset({"NA-CGJ"}),
    "non_police.utilities": frozenset({"NA-WATER", "NA-GAS"}),
    "non_police.construction": frozenset({"NA-CGJ"}),
}
RETURN_SHARE = 0.4  # of transfers sent to a department that does not own the matter

# -- shares and timings --------------------------------------------------------------------------

COMPLEXITY_WEIGHTS: dict[str, tuple[float, float, float]] = {  # simple, ordinary, complex
    "default": (0.2, 0.7, 0.1),
    "criminal.robbery": (0.0, 0.45, 0.55), "criminal.sexual": (0.0, 0.4, 0.6), "criminal.drugs": (0.0, 0.5, 0.5),
    "criminal.telecom_fraud": (0.05, 0.65, 0.3), "criminal.assault": (0.05, 0.65, 0.3),
    "public_order.drunk": (0.55, 0.42, 0.03), "public_order.gambling": (0.5, 0.45, 0.05),
    "public_order.harassment": (0.45, 0.5, 0.05), "public_order.property_damage": (0.45, 0.5, 0.05),
    "traffic.drunk_driving": (0.6, 0.38, 0.02),
}
NOT_FILED_SHARE: dict[str, float] = {"criminal.fraud": 0.18, "criminal.telecom_fraud": 0.12, "criminal.theft": 0.07}
NOT_FILED_DEFAULT = 0.05
CLEARED_SHARE: dict[str, float] = {
    "criminal.theft": 0.5, "criminal.pickpocketing": 0.55, "criminal.burglary": 0.45,
    "criminal.theft_from_vehicle": 0.45, "criminal.vehicle_theft": 0.5, "criminal.fraud": 0.5,
    "criminal.telecom_fraud": 0.3, "criminal.robbery": 0.85, "criminal.assault": 0.9, "criminal.threat": 0.85,
    "criminal.sexual": 0.85, "criminal.drugs": 0.95,
}
CLEARED_DEFAULT = 0.6
CLEARED_HOW: dict[str, dict[str, float]] = {
    "violent": {"on_scene": 35, "investigation": 30, "video": 25, "forensics": 5, "surrender": 5},
    "criminal.drugs": {"on_scene": 60, "informant": 30, "investigation": 10},
    "fraud": {"investigation": 80, "informant": 10, "surrender": 10},
    "default": {"video": 50, "investigation": 20, "forensics": 12, "informant": 10, "on_scene": 5, "surrender": 3},
}
VIOLENT = frozenset({"criminal.robbery", "criminal.assault", "criminal.threat", "criminal.sexual"})
FRAUD = frozenset({"criminal.fraud", "criminal.telecom_fraud"})
EXTENDED_FILING_SHARE = 0.1  # criminal cases whose filing review took an extension
LATE_HANDLING_SHARE = 0.06  # administrative cases decided after an extension
LATE_CLOSING_SHARE = 0.05
OVERDUE_CASES = 2  # open cases left in the filing review past their deadline
DUE_TODAY_CASES = 2  # open cases whose deadline falls on the day after `end` (when the past allows)
DUTY_ROTATION = 3  # case officers work one day in three (24-hour duty)

LATE_RECEIPT_SHARE = 0.03  # transfers the department signed for only after the ticker chased
VOLUNTARY_EXTENSION_SHARE = 0.05
TWICE_EXTENDED_SHARE = 0.25  # of transfers that needed more than a few hours more
REDO_SHARE = 0.03  # confirmed transfers the caller first found not done
OVERDUE_TRANSFERS = 2  # at least this many open transfers past their deadline, chased
CALLER_ANSWERS: tuple[tuple[float, str], ...] = (
    (0.80, "satisfied"), (0.93, "fairly"), (0.97, "dissatisfied"), (1.00, "no_result"),
)

SUPPORT_SHARE = 0.03  # of cases that ask a unit for help
MIN_SUPPORT = 6
# What a case of each category may ask for (SupportRequest.Need), and which unit gives it.
NEEDS: dict[str, tuple[str, ...]] = {
    "criminal.burglary": ("scene", "video"), "criminal.theft": ("video",), "criminal.pickpocketing": ("video",),
    "criminal.theft_from_vehicle": ("video", "scene"), "criminal.vehicle_theft": ("video",),
    "criminal.fraud": ("trace",), "criminal.telecom_fraud": ("trace",), "criminal.robbery": ("video", "scene", "armed"),
    "criminal.assault": ("scene", "video"), "criminal.threat": ("trace",), "criminal.sexual": ("scene", "interview"),
    "criminal.drugs": ("armed", "trace"), "public_order.fight": ("armed", "video"), "public_order.harassment": ("trace",),
    "traffic.hit_and_run": ("accident", "video"), "traffic.drunk_driving": ("accident",),
}
NEED_UNIT: dict[str, tuple[str, ...]] = {  # unit kinds, the first that exists
    "video": ("criminal_investigation",), "trace": ("cyber", "criminal_investigation"),
    "scene": ("forensics", "criminal_investigation"), "accident": ("traffic",), "armed": ("special",),
    "interview": ("criminal_investigation",),
}
REROUTE_TO: dict[str, str] = {
    "forensics": "criminal_investigation", "criminal_investigation": "cyber", "cyber": "criminal_investigation",
    "traffic": "criminal_investigation", "special": "criminal_investigation",
}
NEEDED_WITHIN: dict[str, tuple[float, float]] = {  # hours from the request to when the help is needed
    "video": (2, 20), "trace": (2, 12), "scene": (0.3, 1.5), "accident": (0.3, 1.0), "armed": (0.25, 1.0),
    "interview": (2, 10),
}
WORK_HOURS: dict[str, tuple[float, float]] = {
    "video": (2, 18), "trace": (3, 20), "scene": (1, 4), "accident": (1, 3), "armed": (0.5, 3), "interview": (1, 4),
}
PEOPLE: dict[str, tuple[int, int]] = {
    "video": (1, 2), "trace": (1, 1), "scene": (2, 3), "accident": (2, 2), "armed": (4, 6), "interview": (1, 2),
}
AT_THE_STATION = frozenset({"video", "trace", "interview"})
DEMO_MEMBER_SHARE = 0.4  # of a unit's requests that its first member (the demo account) accepts

# The incident log sentences the loops write (the writer translates them).
SENTENCE_CASE = "case"  # number, title, lead
SENTENCE_RESULT = "result"  # department, result
SENTENCE_RETURNED = "returned"  # department, reason
SENTENCE_TRANSFERRED = "transferred"  # department
SENTENCE_SUPPORT = "support"  # unit, details
SENTENCE_SUPPORT_DONE = "support_done"  # unit, report


# -- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """An officer or a unit member: their id, name and user account."""

    id: int
    name: str
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class DepartmentInfo:
    code: str
    name: str
    kind: str
    accounts: tuple[tuple[int, str], ...] = ()  # (user id, name) of its members with an account


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    kind: str
    name: str
    response_minutes: int
    members: tuple[Person, ...] = ()  # the first is the one who accepts most (the demo account)


@dataclass(frozen=True)
class StationInfo:
    """What the planner needs of one station besides its incidents."""

    code: str
    name: str
    case_officers: tuple[Person, ...]
    commanders: tuple[int, ...]  # user ids of the command-room operators
    leaders: tuple[int, ...]  # user ids of the station's leaders (they grant extensions)
    departments: tuple[DepartmentInfo, ...]
    units: tuple[UnitInfo, ...] = ()
    number_template: str = DEFAULT_NUMBER_TEMPLATE
    routes: tuple[Route, ...] = ROUTES
    limits: cases.Limits = field(default_factory=cases.Limits)
    clock: transfers.Clock = field(default_factory=transfers.Clock)


@dataclass(frozen=True, slots=True)
class LoopIncident:
    """An incident of the station's past that became a case or was transferred."""

    id: int
    number: str
    category: str
    category_label: str
    state: str  # now
    received_at: dt.datetime
    summary: str = ""
    address_text: str = ""
    place: str = ""  # road and number of its standard address ("" when unknown)
    community: str = ""
    latitude: float | None = None
    longitude: float | None = None
    caller_name: str = ""
    caller_phone: str = ""
    converted_at: dt.datetime | None = None  # when its log says it became a case
    transferred_at: dt.datetime | None = None  # when its log says it was (first) transferred
    transferred_to: str = ""  # the department code that log entry names
    closed_at: dt.datetime | None = None
    officer_user: int | None = None  # the user of the officer whose order it was

    @property
    def family(self) -> str:
        return self.category.split(".", 1)[0]


# -- outputs --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseEntry:
    at: dt.datetime
    action: str
    text: str
    author: int | None


@dataclass(frozen=True)
class CasePlan:
    incident_id: int
    number: str
    kind: str
    category: str
    title: str
    complexity: str
    lead: int
    assistants: tuple[int, ...]
    assignment: Mapping[str, Any]
    accepted_at: dt.datetime
    accepted_by: int | None
    state: str
    stage: str
    stage_started_at: dt.datetime | None
    due_at: dt.datetime | None
    extensions: int
    filed_at: dt.datetime | None = None
    not_filed_reason: str = ""
    cleared_at: dt.datetime | None = None
    cleared_how: str = ""
    cleared_note: str = ""
    closed_at: dt.datetime | None = None
    close_note: str = ""
    log: tuple[CaseEntry, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in cases.OPEN

    @property
    def finished_at(self) -> dt.datetime | None:
        return None if self.is_open else self.log[-1].at


@dataclass(frozen=True, slots=True)
class Breach:
    """A deadline of a transfer or request that the ticker raised (an alert) when it chased it."""

    step: str  # the item's due step then
    due_at: dt.datetime
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TransferUpdatePlan:
    at: dt.datetime
    action: str
    state_before: str
    state_after: str
    actor: str  # department, station or system
    notes: str = ""
    author: int | None = None
    author_name: str = ""
    via: str = "page"  # page, api or system
    new_deadline: dt.datetime | None = None


@dataclass(frozen=True)
class TransferPlan:
    incident_id: int
    number: str
    department: str  # code
    state: str
    category_label: str
    description: str
    address_text: str
    latitude: float | None
    longitude: float | None
    caller_name: str
    caller_phone: str
    pushed_at: dt.datetime
    pushed_by: int | None
    result_due: dt.datetime
    due_step: str
    due_at: dt.datetime | None
    extensions: int = 0
    chases: int = 0
    last_chased_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    received_by: str = ""
    started_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    result: str = ""
    returned_at: dt.datetime | None = None
    return_reason: str = ""
    confirmed_at: dt.datetime | None = None
    confirmed_by: int | None = None
    caller_answer: str = ""
    updates: tuple[TransferUpdatePlan, ...] = ()
    breaches: tuple[Breach, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in transfers.OPEN


@dataclass(frozen=True, slots=True)
class SupportUpdatePlan:
    at: dt.datetime
    action: str
    state_before: str
    state_after: str
    actor: str  # unit, station or system
    notes: str = ""
    author: int | None = None
    author_name: str = ""


@dataclass(frozen=True)
class SupportPlan:
    incident_id: int  # the case's incident
    number: str
    unit: int
    need: str
    details: str
    people: int
    needed_by: dt.datetime
    place: str
    contact: int  # the case's lead officer
    state: str
    requested_at: dt.datetime
    requested_by: int | None
    due_step: str
    due_at: dt.datetime | None
    chases: int = 0
    accepted_by: int | None = None  # unit member id
    accepted_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    report: str = ""
    declined_at: dt.datetime | None = None
    decline_reason: str = ""
    updates: tuple[SupportUpdatePlan, ...] = ()
    breaches: tuple[Breach, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in support.OPEN


@dataclass(frozen=True, slots=True)
class IncidentEntry:
    """An incident log entry of a loop's move: a sentence (SENTENCE_*) and its arguments; a
    change of the incident's state when `state_after` is set."""

    incident_id: int
    at: dt.datetime
    sentence: str
    args: tuple[tuple[str, str], ...]
    state_before: str = ""
    state_after: str = ""
    author: int | None = None


@dataclass(frozen=True)
class StationLoops:
    station_code: str
    cases: tuple[CasePlan, ...]
    transfers: tuple[TransferPlan, ...]
    support: tuple[SupportPlan, ...]
    entries: tuple[IncidentEntry, ...]


# -- helpers --------------------------------------------------------------------------------------


def route_for(routes: Iterable[Route], category: str) -> Route:
    """The rule for `category`: its own, else its family's, else the catch-all."""
    by_category = {route.category: route for route in routes}
    for key in (category, category.split(".", 1)[0], ""):
        if key in by_category:
            return by_category[key]
    return Route("", HOTLINE, 120)


def owns(route: Route, department: str, category: str) -> bool:
    """Whether `department` owns matters of `category` (and so does not send them back)."""
    return department in (route.department, HOTLINE) or department in ALSO_THEIRS.get(category, frozenset())


def kind_of(incident: LoopIncident) -> str:
    return cases.CRIMINAL if incident.family == "criminal" else cases.ADMINISTRATIVE


def transfer_number(at: dt.datetime, sequence: int) -> str:
    return f"移{at.year:04d}-{sequence:04d}"


def support_number(at: dt.datetime, sequence: int) -> str:
    return f"援{at.year:04d}-{sequence:04d}"


def on_duty(index: int, at: dt.datetime) -> bool:
    """Whether the case officer at `index` of the team is on their 24-hour duty at `at`."""
    return (at.date().toordinal() + index) % DUTY_ROTATION == 0


def _typical(rng: Draws, median: float, spread: float, low: float, high: float) -> float:
    """A lognormal draw around `median` (sigma of its logarithm `spread`), kept within [low, high]."""
    return min(high, max(low, median * math.exp(spread * rng.gauss(0.0, 1.0))))


def _pick(rng: Draws, texts: Sequence[str]) -> str:
    return rng.choice(texts)


def _weighted(rng: Draws, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    cumulative = list(itertools.accumulate(weights[key] for key in keys))
    return keys[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _ceil_hour(moment: dt.datetime) -> dt.datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


def _minutes(rng: Draws, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(minutes=rng.uniform(low, high))


def _hours(rng: Draws, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(hours=rng.uniform(low, high))


# -- the plan -------------------------------------------------------------------------------------


def plan_loops(
    seed: int | str, station: StationInfo, incidents: Sequence[LoopIncident], *, end: dt.datetime,
) -> StationLoops:
    """The station's cases, transfers and support requests, as they stand at `end`."""
    return _Planner(seed, station, end).plan(incidents)


class _Planner:
    def __init__(self, seed: int | str, station: StationInfo, end: dt.datetime) -> None:
        self.seed = seed
        self.station = station
        self.end = end
        self.departments = {department.code: department for department in station.departments}
        self.entries: list[IncidentEntry] = []
        self._staff = self._department_staff(seed)

    def plan(self, incidents: Sequence[LoopIncident]) -> StationLoops:
        planned_cases = self._cases(incidents)
        planned_transfers = self._transfers(incidents)
        planned_support = self._support(planned_cases, {incident.id: incident for incident in incidents})
        self.entries.sort(key=lambda entry: (entry.at, entry.incident_id, entry.sentence))
        return StationLoops(
            station_code=self.station.code, cases=tuple(planned_cases), transfers=tuple(planned_transfers),
            support=tuple(planned_support), entries=tuple(self.entries),
        )

    def _commander(self, incident: LoopIncident) -> int | None:
        """The command-room operator on duty for `incident` (by its number: database ids differ
        from one build to the next)."""
        commanders = self.station.commanders
        return commanders[zlib.crc32(incident.number.encode()) % len(commanders)] if commanders else None

    def _leader(self, incident: LoopIncident) -> int | None:
        leaders = self.station.leaders
        return leaders[zlib.crc32(incident.number.encode()) % len(leaders)] if leaders else None

    def _department_staff(self, seed: int | str) -> dict[str, list[tuple[int | None, str]]]:
        """Who works each department's items: its members with an account first, then a few
        people known by name only (the same for every station)."""
        faker = Faker("zh_CN")
        faker.seed_instance(f"{seed}:loops:departments")
        staff: dict[str, list[tuple[int | None, str]]] = {}
        for code in sorted(self.departments):
            department = self.departments[code]
            people: list[tuple[int | None, str]] = [(user, name) for user, name in department.accounts]
            people += [(None, str(faker.name())) for _ in range(3)]
            staff[code] = people
        return staff

    def _department_person(self, code: str, rng: Draws) -> tuple[int | None, str]:
        people = self._staff.get(code) or [(None, "")]
        if people[0][0] is not None and rng.random() < 0.6:
            return people[0]  # the department's demo account works most of its items
        return rng.choice(people)

    def _entry(self, incident_id: int, at: dt.datetime, sentence: str, *, author: int | None = None,
               before: str = "", after: str = "", **args: str) -> None:
        self.entries.append(IncidentEntry(incident_id=incident_id, at=at, sentence=sentence,
                                          args=tuple(sorted(args.items())), state_before=before,
                                          state_after=after, author=author))

    # -- cases ------------------------------------------------------------------------------------

    def _cases(self, incidents: Sequence[LoopIncident]) -> list[CasePlan]:
        rng = Draws(f"{self.seed}:loops:{self.station.code}:cases")
        converted = sorted((incident for incident in incidents if incident.state == CONVERTED),
                           key=lambda incident: (_accepted_at(incident), incident.id))
        stuck, due_today = self._held_cases(converted, rng)
        officers = self.station.case_officers
        if not officers:
            return []
        open_by: dict[int, Counter[str]] = {officer.id: Counter() for officer in officers}
        finishing: list[tuple[dt.datetime, int, int, str]] = []
        sequences: Counter[tuple[str, int]] = Counter()
        planned: list[CasePlan] = []
        for incident in converted:
            at = _accepted_at(incident)
            while finishing and finishing[0][0] <= at:
                _finished, _index, lead, complexity = heapq.heappop(finishing)
                open_by[lead][complexity] -= 1
            kind = kind_of(incident)
            complexity = _complexity(incident.category, rng)
            team = [
                assign.CaseOfficer(id=officer.id, name=officer.name, on_duty=on_duty(index, at),
                                   open_cases={key: count for key, count in open_by[officer.id].items() if count})
                for index, officer in enumerate(officers)
            ]
            choice = assign.choose(team, complexity)
            if choice.lead is None:  # nobody on duty in a tiny team: the lowest load of all
                choice = assign.choose([dataclasses.replace(officer, on_duty=True) for officer in team], complexity)
            assert choice.lead is not None
            sequences[(kind, at.year)] += 1
            number = numbering.format_number(self.station.number_template, station_code=self.station.code, kind=kind,
                                             year=at.year, sequence=sequences[(kind, at.year)])
            mode = "stuck" if incident.id in stuck else "due_today" if incident.id in due_today else ""
            case = self._case(incident, kind, complexity, choice, number, at, rng, mode, due_today.get(incident.id))
            planned.append(case)
            finished = case.finished_at or dt.datetime.max
            heapq.heappush(finishing, (finished, len(planned), choice.lead.id, complexity))
            open_by[choice.lead.id][complexity] += 1
        return planned

    def _held_cases(self, converted: Sequence[LoopIncident], rng: Draws) -> tuple[set[int], dict[int, dt.timedelta]]:
        """Cases still in their first stage at `end`: a few criminal ones past the filing
        deadline (stuck), and some whose first deadline — with none, one or more extensions —
        falls on the day after `end` (by how long after acceptance it falls)."""
        limits = self.station.limits
        filing = limits.of(cases.CRIMINAL, cases.STAGE_FILING)
        criminal = [incident for incident in converted if kind_of(incident) == cases.CRIMINAL]
        overdue = [incident.id for incident in criminal
                   if self.end - dt.timedelta(days=filing.days + 9) <= _accepted_at(incident)
                   <= self.end - dt.timedelta(days=filing.days, hours=12)]
        stuck = set(_sample(rng, overdue, OVERDUE_CASES))
        soon: list[tuple[int, dt.timedelta]] = []
        for incident in converted:
            kind = kind_of(incident)
            first = limits.of(kind, cases.STAGE_FILING if kind == cases.CRIMINAL else cases.STAGE_HANDLING)
            for extensions in range(first.max_extensions + 1):
                offset = dt.timedelta(days=first.days + first.extension_days * extensions)
                if incident.id not in stuck and self.end + 6 * HOUR <= _accepted_at(incident) + offset < self.end + DAY:
                    soon.append((incident.id, offset))
        return stuck, dict(_sample(rng, soon, DUE_TODAY_CASES))

    def _case(self, incident: LoopIncident, kind: str, complexity: str, choice: assign.Choice, number: str,
              at: dt.datetime, rng: Draws, mode: str, due: dt.timedelta | None) -> CasePlan:
        assert choice.lead is not None
        lead = choice.lead
        lead_user = next((officer.user_id for officer in self.station.case_officers if officer.id == lead.id), None)
        limits = self.station.limits
        accepted_by = incident.officer_user or lead_user
        item = cases.accept(kind, lead.id, at, limits=limits)
        log = [CaseEntry(at, "accept", _pick(rng, words.ACCEPT_TEXTS), accepted_by)]
        fields: dict[str, Any] = {}
        last = at
        for action, when, text, how in self._case_actions(incident, kind, at, rng, mode, due):
            while item.due_at is not None and item.due_at < when:
                # The lead asked in time and a leader granted more time.
                extended_at = min(max(item.due_at - _hours(rng, 6, 60), last + MINUTE), item.due_at - MINUTE)
                if extended_at > self.end:
                    break
                try:
                    item = cases.apply(item, "extend", now=extended_at, limits=limits)
                except cases.CaseError:
                    break
                log.append(CaseEntry(extended_at, "extend", _pick(rng, words.EXTEND_TEXTS[item.stage]),
                                     self._leader(incident)))
                last = extended_at
            if when > self.end:
                break
            item = cases.apply(item, action, now=when, limits=limits)
            log.append(CaseEntry(when, action, text, lead_user))
            last = when
            if action == "file":
                fields["filed_at"] = when
            elif action == "not_file":
                fields["not_filed_reason"] = text
            elif action in ("clear", "decide"):
                fields.update(cleared_at=when, cleared_how=how, cleared_note=text)
            elif action in ("close", "terminate"):
                fields.update(closed_at=when, close_note=text)
        title = f"{incident.place or incident.community}{_case_name(incident.category)}"
        self._entry(incident.id, at + MINUTE, SENTENCE_CASE, number=number, title=title, lead=lead.name)
        return CasePlan(
            incident_id=incident.id, number=number, kind=kind, category=incident.category, title=title,
            complexity=complexity, lead=lead.id, assistants=tuple(officer.id for officer in choice.assistants),
            assignment=choice.as_json(), accepted_at=at, accepted_by=accepted_by, state=item.state, stage=item.stage,
            stage_started_at=item.stage_started_at, due_at=item.due_at, extensions=item.extensions,
            log=tuple(log), **fields,
        )

    def _case_actions(self, incident: LoopIncident, kind: str, at: dt.datetime, rng: Draws,
                      mode: str, due: dt.timedelta | None = None) -> list[tuple[str, dt.datetime, str, str]]:
        """The moves the case would make, whenever they fall: (action, time, text, how cleared);
        a case `due_today` decides its first stage just before `due` after acceptance (after `end`)."""
        category = incident.category
        if mode == "due_today" and due is not None:
            decided = max(at + due - _hours(rng, 1, 5), self.end + MINUTE)
            if kind == cases.CRIMINAL:
                return [("file", decided, _pick(rng, words.FILE_TEXTS), "")]
            decisions = words.DECISIONS.get(category) or words.DECISIONS.get(incident.family) or words.DECISIONS["public_order"]
            return [("decide", decided, _pick(rng, decisions), "decision")]
        if kind == cases.CRIMINAL:
            filing = self.station.limits.of(kind, cases.STAGE_FILING)
            if mode == "stuck":
                return []
            if rng.random() < EXTENDED_FILING_SHARE:
                decided = at + dt.timedelta(days=rng.uniform(filing.days + 0.2, filing.days + filing.extension_days - 0.3))
            else:
                decided = at + dt.timedelta(hours=_typical(rng, 20, 0.8, 1, filing.days * 24 - 2))
            if rng.random() < NOT_FILED_SHARE.get(category, NOT_FILED_DEFAULT):
                return [("not_file", decided, _pick(rng, words.NOT_FILED_REASONS), "")]
            actions = [("file", decided, _pick(rng, words.FILE_TEXTS), "")]
            if rng.random() < CLEARED_SHARE.get(category, CLEARED_DEFAULT):
                cleared = decided + dt.timedelta(days=_typical(rng, 9, 1.1, 0.15, 115))
                how = _weighted(rng, CLEARED_HOW["violent" if category in VIOLENT else "fraud" if category in FRAUD
                                                 else category if category in CLEARED_HOW else "default"])
                actions.append(("clear", cleared, _pick(rng, words.CLEARED_NOTES[how]), how))
                closed = cleared + self._closing_days(kind, rng)
                actions.append(("close", closed, _pick(rng, words.CRIMINAL_CLOSE_NOTES), ""))
            else:
                actions.append(("terminate", decided + dt.timedelta(days=rng.uniform(45, 115)),
                                _pick(rng, words.TERMINATE_REASONS), ""))
            return actions
        handling = self.station.limits.of(kind, cases.STAGE_HANDLING)
        if rng.random() < LATE_HANDLING_SHARE:
            days = rng.uniform(handling.days + 0.5, handling.days + handling.extension_days * handling.max_extensions - 1)
        else:
            days = _typical(rng, 4, 0.9, 0.1, handling.days - 1)
        decided = at + dt.timedelta(days=days)
        decisions = words.DECISIONS.get(category) or words.DECISIONS.get(incident.family) or words.DECISIONS["public_order"]
        return [
            ("decide", decided, _pick(rng, decisions), "decision"),
            ("close", decided + self._closing_days(kind, rng), _pick(rng, words.ADMINISTRATIVE_CLOSE_NOTES), ""),
        ]

    def _closing_days(self, kind: str, rng: Draws) -> dt.timedelta:
        closing = self.station.limits.of(kind, cases.STAGE_CLOSING)
        if rng.random() < LATE_CLOSING_SHARE and closing.max_extensions:
            days = rng.uniform(closing.days + 0.5, closing.days + closing.extension_days * closing.max_extensions - 0.5)
        else:
            days = _typical(rng, closing.days / 3, 0.6, 0.3, closing.days - 0.5)
        return dt.timedelta(days=days)

    # -- transfers --------------------------------------------------------------------------------

    def _transfers(self, incidents: Sequence[LoopIncident]) -> list[TransferPlan]:
        rng = Draws(f"{self.seed}:loops:{self.station.code}:transfers")
        todo = sorted(
            (incident for incident in incidents if incident.transferred_at is not None and (
                incident.state == TRANSFERRED
                or (incident.state == CLOSED and incident.closed_at is not None
                    and incident.closed_at > incident.transferred_at + 2 * HOUR))),
            key=lambda incident: (incident.transferred_at, incident.id),
        )
        silent = self._silent(todo)
        stories: list[_TransferRun] = []
        for incident in todo:
            assert incident.transferred_at is not None
            route = route_for(self.station.routes, incident.category)
            first = incident.transferred_to if incident.transferred_to in self.departments else route.department
            pushed = incident.transferred_at
            confirm_at = incident.closed_at if incident.state == CLOSED else None
            window = (confirm_at or self.end) - pushed
            right = route.department if route.department in self.departments else first
            if (not owns(route, first, incident.category) and right != first and rng.random() < RETURN_SHARE
                    and window >= (30 * HOUR if confirm_at else 2 * HOUR)):
                returned = self._returned(incident, first, pushed, window, rng)
                stories.append(returned)
                pushed = returned.fields["returned_at"] + _minutes(rng, 8, min(40, (window / MINUTE) * 0.1))
                self._entry(incident.id, pushed, SENTENCE_TRANSFERRED, author=self._commander(incident),
                            before=TRIAGED, after=TRANSFERRED, department=self.departments[right].name)
                first = right
            stories.append(self._story(incident, first, pushed, confirm_at, rng, silent=incident.id in silent))
        stories.sort(key=lambda story: (story.item.pushed_at, story.incident.id))
        sequences: Counter[int] = Counter()
        planned = []
        for story in stories:
            year = story.item.pushed_at.year
            sequences[year] += 1
            planned.append(story.plan(transfer_number(story.item.pushed_at, sequences[year])))
        return planned

    def _silent(self, todo: Sequence[LoopIncident]) -> set[int]:
        """Open transfers whose department never answered: those long past their deadline, and
        at least a couple of the oldest (past the receipt deadline at least)."""
        waiting = [incident for incident in todo if incident.state == TRANSFERRED]
        silent = {
            incident.id for incident in waiting if incident.transferred_at is not None
            and self.end - incident.transferred_at > dt.timedelta(hours=route_for(self.station.routes, incident.category).result_hours + 24)
        }
        receipt = dt.timedelta(minutes=self.station.clock.receipt_minutes) + HOUR
        for incident in waiting:  # oldest first
            if len(silent) >= OVERDUE_TRANSFERS:
                break
            if incident.transferred_at is not None and self.end - incident.transferred_at > receipt:
                silent.add(incident.id)
        return silent

    def _returned(self, incident: LoopIncident, department: str, pushed: dt.datetime, window: dt.timedelta,
                  rng: Draws) -> _TransferRun:
        """A transfer to a department that sent it back as not theirs; the incident went back to
        the command room (its log says so)."""
        clock = self.station.clock
        route = route_for(self.station.routes, incident.category)
        run = _TransferRun(transfers.push(pushed, result_hours=route.result_hours, clock=clock), clock, incident,
                           department, self._commander(incident))
        run.push(_pick(rng, words.PUSH_NOTES))
        returned_at = pushed + min(_hours(rng, 1, 8), window * 0.4)
        received_at = pushed + min(_minutes(rng, 3, 60), (returned_at - pushed) / 2)
        user, name = self._department_person(department, rng)
        run.move("receive", received_at, transfers.DEPARTMENT, _pick(rng, words.RECEIVE_NOTES), author=user, name=name)
        run.fields.update(received_at=received_at, received_by=name)
        reason = _pick(rng, words.RETURN_REASONS.get(incident.category, words.RETURN_DEFAULT))
        run.move("return", returned_at, transfers.DEPARTMENT, reason, author=user, name=name)
        run.fields.update(returned_at=returned_at, return_reason=reason)
        self._entry(incident.id, returned_at, SENTENCE_RETURNED, before=TRANSFERRED, after=TRIAGED,
                    department=self.departments[department].name, reason=reason)
        return run

    def _story(self, incident: LoopIncident, department: str, pushed: dt.datetime, confirm_at: dt.datetime | None,
               rng: Draws, *, silent: bool) -> _TransferRun:
        """A transfer that its department works: confirmed at `confirm_at`, or as far as it got by `end`."""
        clock = self.station.clock
        route = route_for(self.station.routes, incident.category)
        commander = self._commander(incident)
        run = _TransferRun(transfers.push(pushed, result_hours=route.result_hours, clock=clock), clock, incident,
                           department, commander)
        run.push(_pick(rng, words.PUSH_NOTES))
        user, name = self._department_person(department, rng)
        api = department == HOTLINE  # the hotline's own system answers through the API
        receipt_due = run.item.due_at
        assert receipt_due is not None
        if rng.random() < LATE_RECEIPT_SHARE:
            received = receipt_due + _minutes(rng, 10, 180)
        else:
            received = pushed + dt.timedelta(minutes=_typical(rng, 25, 0.7, 2, clock.receipt_minutes - 10))
        started = received + dt.timedelta(minutes=_typical(rng, 120, 0.9, 10, 20 * 60))
        reported: dt.datetime | None
        if silent:
            reported = None
        elif confirm_at is not None:
            lag = min(22 * HOUR, (confirm_at - pushed) * 0.3)
            reported = confirm_at - max(30 * MINUTE, lag * rng.random())
        else:
            reported = started + dt.timedelta(hours=_typical(rng, 0.45 * route.result_hours, 0.6, 1, 1.8 * route.result_hours))
            if reported <= self.end - 22 * HOUR:
                reported = self.end - _hours(rng, 1, 20)  # else the command room would have called the caller
        if reported is not None:
            # Squeeze the department's steps in before its report when the matter was quick.
            span = reported - pushed
            received = min(received, pushed + span * 0.25)
            started = min(started, pushed + span * 0.5)
        redo_at: dt.datetime | None = None
        first_report: dt.datetime | None = None
        if (confirm_at is not None and reported is not None and rng.random() < REDO_SHARE
                and reported - started > 12 * HOUR):
            first_report = started + (reported - started) * rng.uniform(0.2, 0.4)
            redo_at = first_report + min(_hours(rng, 2, 10), (reported - first_report) / 3)
            if reported - redo_at > dt.timedelta(hours=clock.redo_hours - 2):
                first_report = redo_at = None
        events: list[tuple[dt.datetime, str]] = [(received, "receive"), (started, "start")]
        if silent and self.end - pushed < dt.timedelta(hours=route.result_hours) + HOUR:
            events = []  # never signed for: overdue since its receipt deadline
        elif received > receipt_due:
            events.append((receipt_due, "chase"))  # the ticker chases when the deadline comes
        if first_report is not None and redo_at is not None:
            events += [(first_report, "report"), (redo_at, "redo")]
        if reported is not None:
            events.append((reported, "report"))
        if confirm_at is not None:
            events.append((confirm_at, "confirm"))
        events.sort()
        for at, action in events:
            if at > self.end:
                break
            if action in ("report", "confirm"):
                self._extend_before(run, at, department, incident, rng, user, name, api)
            self._transfer_move(run, incident, department, action, at, rng, user, name, api, commander)
        if silent:
            self._chase_silent(run, incident, rng)
        elif reported is not None and reported > self.end and run.item.state in transfers.WITH_DEPARTMENT:
            self._extend_before(run, reported, department, incident, rng, user, name, api)
        return run

    def _extend_before(self, run: _TransferRun, at: dt.datetime, department: str, incident: LoopIncident,
                       rng: Draws, user: int | None, name: str, api: bool) -> None:
        """The department asks for more time before its result deadline when its result comes
        later (or now and then, to be safe); at most the station's number of extensions."""
        item = run.item
        if item.state not in (transfers.RECEIVED, transfers.IN_PROGRESS):
            return
        clock = run.clock
        voluntary = at <= item.result_due and rng.random() < VOLUNTARY_EXTENSION_SHARE
        # Some ask for a little more time first, then again when that runs out.
        halfway = item.result_due + (at - item.result_due) / 2 if at > item.result_due + 6 * HOUR else None
        if halfway is not None and (rng.random() >= TWICE_EXTENDED_SHARE or clock.max_extensions < 2):
            halfway = None
        while (item.result_due < at or voluntary) and item.extensions < clock.max_extensions:
            last = run.updates[-1].at
            if voluntary:  # part-way through the work, to be safe
                asked = last + (min(at, item.result_due) - last) * rng.uniform(0.3, 0.7)
            else:
                asked = min(max(item.result_due - _hours(rng, 2, 20), last + 5 * MINUTE), item.result_due - MINUTE,
                            at - MINUTE)
            if asked > self.end or asked <= last:
                return
            wanted = _ceil_hour(max(at, item.result_due) + _hours(rng, 1, 10) + (DAY if voluntary else dt.timedelta()))
            if halfway is not None:
                wanted, halfway = _ceil_hour(halfway), None
            new_deadline = min(wanted, item.result_due + dt.timedelta(days=clock.max_extension_days))
            reason = _pick(rng, words.EXTENSION_REASONS.get(incident.category, words.EXTENSION_DEFAULT))
            run.move("extend", asked, transfers.DEPARTMENT, reason, author=user, name=name,
                     via="api" if api else "page", new_deadline=new_deadline)
            item = run.item
            voluntary = False

    def _transfer_move(self, run: _TransferRun, incident: LoopIncident, department: str, action: str,
                       at: dt.datetime, rng: Draws, user: int | None, name: str, api: bool,
                       commander: int | None) -> None:
        via = "api" if api else "page"
        if action == "chase":
            self._chase(run, incident, at, automatic=True, rng=rng)
        elif action == "receive":
            run.move("receive", at, transfers.DEPARTMENT, _pick(rng, words.RECEIVE_NOTES), author=user, name=name, via=via)
            run.fields.update(received_at=at, received_by=name)
        elif action == "start":
            if run.item.state == transfers.RECEIVED:
                run.move("start", at, transfers.DEPARTMENT, _pick(rng, words.START_NOTES), author=user, name=name, via=via)
            run.fields["started_at"] = at
        elif action == "report":
            result = _pick(rng, words.RESULTS.get(incident.category, words.RESULT_DEFAULT))
            run.move("report", at, transfers.DEPARTMENT, result, author=user, name=name, via=via)
            run.fields.update(reported_at=at, result=result)
            self._entry(incident.id, at, SENTENCE_RESULT, department=self.departments[department].name, result=result)
        elif action == "redo":
            run.move("redo", at, transfers.STATION, _pick(rng, words.REDO_NOTES), author=commander)
        elif action == "confirm":
            answer = _answer(rng)
            run.move("confirm", at, transfers.STATION, _pick(rng, words.CONFIRM_NOTES[answer]), author=commander)
            run.fields.update(confirmed_at=at, confirmed_by=commander, caller_answer=answer)

    def _chase(self, run: _TransferRun, incident: LoopIncident, at: dt.datetime, *, automatic: bool, rng: Draws) -> None:
        item = run.item
        if automatic:
            assert item.due_at is not None
            run.move("chase", at, transfers.STATION, words.CHASE_AUTOMATIC, via="system",
                     breach=Breach(item.due_step, item.due_at, at))
        else:
            run.move("chase", at, transfers.STATION, _pick(rng, words.CHASE_BY_PHONE), author=self._commander(incident))
        run.fields.update(chases=run.item.chases, last_chased_at=at)

    def _chase_silent(self, run: _TransferRun, incident: LoopIncident, rng: Draws) -> None:
        """The department has not answered: the ticker chased at the deadline, the command room
        phoned a day later."""
        item = run.item
        if item.state not in transfers.WITH_DEPARTMENT or item.due_at is None or item.due_at >= self.end:
            return
        if run.fields.get("last_chased_at") is not None and run.fields["last_chased_at"] >= item.due_at:
            return
        self._chase(run, incident, max(item.due_at, run.updates[-1].at + MINUTE), automatic=True, rng=rng)
        by_phone = run.updates[-1].at + _hours(rng, 18, 30)
        if by_phone <= self.end:
            self._chase(run, incident, by_phone, automatic=False, rng=rng)

    # -- support requests -------------------------------------------------------------------------

    def _support(self, planned_cases: Sequence[CasePlan], incidents: Mapping[int, LoopIncident]) -> list[SupportPlan]:
        rng = Draws(f"{self.seed}:loops:{self.station.code}:support")
        units = {unit.kind: unit for unit in self.station.units if unit.members}
        candidates = [case for case in planned_cases
                      if any(self._unit_for(need, units) for need in NEEDS.get(case.category, ()))]
        if not candidates:
            return []
        wanted = min(len(candidates), max(MIN_SUPPORT, round(SUPPORT_SHARE * len(planned_cases))))
        used: set[int] = set()
        requests: list[SupportPlan] = []

        def take(pool: Sequence[CasePlan], prefer: str = "") -> CasePlan | None:
            free = [case for case in pool if case.incident_id not in used]
            preferred = [case for case in free if prefer in NEEDS.get(case.category, ())]
            chosen: list[CasePlan] = _sample(rng, preferred or free, 1)
            if not chosen:
                return None
            used.add(chosen[0].incident_id)
            return chosen[0]

        end = self.end
        open_cases = [case for case in candidates if case.is_open]
        # One overdue: requested a day and a half ago, worked, never reported done.
        overdue = take([case for case in open_cases if case.accepted_at <= end - 36 * HOUR], prefer="video")
        if overdue is not None:
            requests.append(self._request(overdue, incidents[overdue.incident_id], units, rng, story="overdue"))
        # A few open today.
        for story in ("accepted", "in_progress"):
            case = take([case for case in open_cases if case.accepted_at <= end - 3 * HOUR],
                        prefer="video" if story == "accepted" else "")
            if case is not None:
                requests.append(self._request(case, incidents[case.incident_id], units, rng, story=story))
        # One declined by the unit asked first and re-routed to another.
        reroutable = [case for case in candidates if case.accepted_at <= end - 3 * DAY and any(
            self._unit_for(need, units) and REROUTE_TO.get(self._unit_for(need, units)) in units
            for need in NEEDS[case.category])]
        declined = take(reroutable, prefer="scene")
        if declined is not None:
            requests.append(self._request(declined, incidents[declined.incident_id], units, rng, story="declined"))
        # The rest done and dusted.
        history = [case for case in candidates if case.accepted_at <= end - 2 * DAY - 2 * HOUR]
        while len(requests) < wanted:
            case = take(history)
            if case is None:
                break
            requests.append(self._request(case, incidents[case.incident_id], units, rng, story="completed"))
        return _numbered([request for request in requests if request is not None],
                         lambda request: request.requested_at, support_number)

    def _unit_for(self, need: str, units: Mapping[str, UnitInfo]) -> str:
        return next((kind for kind in NEED_UNIT[need] if kind in units), "")

    def _request(self, case: CasePlan, incident: LoopIncident, units: Mapping[str, UnitInfo], rng: Draws, *,
                 story: str) -> SupportPlan:
        needs = [need for need in NEEDS[case.category] if self._unit_for(need, units)]
        if story == "declined":
            needs = [need for need in needs if REROUTE_TO.get(self._unit_for(need, units)) in units] or needs
        need = "video" if story in ("overdue", "accepted") and "video" in needs else rng.choice(needs)
        unit = units[self._unit_for(need, units)]
        end = self.end
        lead_user = next((officer.user_id for officer in self.station.case_officers if officer.id == case.lead), None)
        if story == "overdue":
            requested = max(case.accepted_at + HOUR, end - _hours(rng, 28, 40))
            needed_by = requested + _hours(rng, 1, 3)
        elif story == "accepted":
            requested = max(case.accepted_at + 30 * MINUTE, end - _hours(rng, 1, 3))
            needed_by = _ceil_hour(end + _hours(rng, 8, 10))  # tomorrow morning
        elif story == "in_progress":
            requested = max(case.accepted_at + 30 * MINUTE, end - _hours(rng, 2, 3))
            needed_by = requested + _hours(rng, 0.5, 1.5)
        else:
            latest = min(case.finished_at or end, end - 2 * DAY) - 2 * HOUR
            requested = case.accepted_at + min(_hours(rng, 0.5, 48), max(dt.timedelta(), (latest - case.accepted_at) / 2))
            low, high = NEEDED_WITHIN[need]
            needed_by = requested + _hours(rng, low, high)
        place = (f"{self.station.name}办案区" if need in AT_THE_STATION
                 else incident.address_text or incident.place or self.station.name)
        details = _pick(rng, words.SUPPORT_DETAILS[need])
        low_people, high_people = PEOPLE[need]
        clock = support.Clock(response_minutes=unit.response_minutes)
        run = _SupportRun(support.request(requested, needed_by, clock=clock), clock)
        run.move_to(support.REQUESTED, "request", requested, support.STATION, details, author=lead_user)
        self._entry(incident.id, requested, SENTENCE_SUPPORT, author=lead_user, unit=unit.name, details=details)
        if story == "declined":
            declined_at = requested + _minutes(rng, 5, min(20, unit.response_minutes - 1))
            reason = _pick(rng, words.DECLINE_REASONS.get(unit.kind, ("无法支援。",)))
            member = unit.members[0]
            run.move("decline", declined_at, support.UNIT, reason, author=member.user_id, name=member.name)
            run.fields.update(declined_at=declined_at, decline_reason=reason)
            unit = units[REROUTE_TO[unit.kind]]
            rerouted = declined_at + _minutes(rng, 5, 25)
            needed_by = max(needed_by, rerouted + HOUR)
            run.clock = support.Clock(response_minutes=unit.response_minutes)
            run.move("reroute", rerouted, support.STATION, words.REROUTE_NOTE.format(unit=unit.name), author=lead_user,
                     needed_by=needed_by)
            requested_again = rerouted
        else:
            requested_again = requested
        member = self._member(unit, rng, demo=story == "accepted")
        accepted = requested_again + _minutes(rng, 2, max(3, unit.response_minutes * 0.8))
        run.move("accept", accepted, support.UNIT, _pick(rng, words.SUPPORT_ACCEPT_NOTES), author=member.user_id,
                 name=member.name, member=member.id)
        run.fields.update(accepted_by=member.id, accepted_at=accepted)
        if story != "accepted":
            started = max(accepted + 5 * MINUTE, needed_by - _minutes(rng, 0, 15))
            run.move("start", started, support.UNIT, _pick(rng, words.SUPPORT_START_NOTES[need]), author=member.user_id,
                     name=member.name)
            run.fields["started_at"] = started
            low, high = WORK_HOURS[need]
            if story == "overdue":
                noted = started + min(_hours(rng, low, high), (end - started) / 3)
                run.move("progress", noted, support.UNIT, _pick(rng, words.SUPPORT_PROGRESS[need]), author=member.user_id,
                         name=member.name)
                due = run.item.due_at
                assert due is not None
                chased = min(due, end)  # the ticker chases when the deadline comes
                run.move("chase", chased, support.STATION, words.SUPPORT_CHASE, breach=Breach(run.item.due_step, due, chased))
                run.fields["chases"] = run.item.chases
            elif story != "in_progress":
                completed = started + _hours(rng, low, high)
                report = _pick(rng, words.SUPPORT_REPORTS[need])
                run.move("complete", completed, support.UNIT, report, author=member.user_id, name=member.name)
                run.fields.update(completed_at=completed, report=report)
                self._entry(incident.id, completed, SENTENCE_SUPPORT_DONE, unit=unit.name, report=report)
        item = run.item
        return SupportPlan(
            incident_id=incident.id, number="", unit=unit.id, need=need, details=details,
            people=rng.randint(low_people, high_people), needed_by=item.needed_by, place=place, contact=case.lead,
            state=item.state, requested_at=requested, requested_by=lead_user, due_step=item.due_step, due_at=item.due_at,
            updates=tuple(run.updates), breaches=tuple(run.breaches), **run.fields,
        )

    def _member(self, unit: UnitInfo, rng: Draws, *, demo: bool = False) -> Person:
        if demo or rng.random() < DEMO_MEMBER_SHARE:
            return unit.members[0]
        return rng.choice(unit.members)


# -- the runs: each move through its machine ------------------------------------------------------


class _TransferRun:
    """One transfer moved through `transfers.machine`, its updates and fields kept as it goes."""

    def __init__(self, item: transfers.Item, clock: transfers.Clock, incident: LoopIncident, department: str,
                 pushed_by: int | None) -> None:
        self.item = item
        self.clock = clock
        self.incident = incident
        self.department = department
        self.pushed_by = pushed_by
        self.updates: list[TransferUpdatePlan] = []
        self.fields: dict[str, Any] = {}
        self.breaches: list[Breach] = []

    def push(self, notes: str) -> None:
        self.updates.append(TransferUpdatePlan(at=self.item.pushed_at, action="push", state_before="",
                                               state_after=transfers.PUSHED, actor=transfers.STATION, notes=notes,
                                               author=self.pushed_by))

    def move(self, action: str, at: dt.datetime, actor: str, notes: str, *, author: int | None = None,
             name: str = "", via: str = "page", new_deadline: dt.datetime | None = None, breach: Breach | None = None) -> None:
        before = self.item.state
        self.item = transfers.apply(self.item, action, actor=actor, now=at, clock=self.clock, new_deadline=new_deadline)
        self.updates.append(TransferUpdatePlan(
            at=at, action=action, state_before=before, state_after=self.item.state,
            actor="system" if via == "system" else actor, notes=notes, author=author, author_name=name, via=via,
            new_deadline=new_deadline,
        ))
        if breach is not None:
            self.breaches.append(breach)

    def plan(self, number: str) -> TransferPlan:
        item, incident = self.item, self.incident
        return TransferPlan(
            incident_id=incident.id, number=number, department=self.department, state=item.state,
            category_label=incident.category_label, description=incident.summary, address_text=incident.address_text,
            latitude=incident.latitude, longitude=incident.longitude, caller_name=incident.caller_name,
            caller_phone=incident.caller_phone, pushed_at=item.pushed_at, pushed_by=self.pushed_by,
            result_due=item.result_due,
            due_step=item.due_step, due_at=item.due_at, extensions=item.extensions, updates=tuple(self.updates),
            breaches=tuple(self.breaches), **self.fields,
        )


class _SupportRun:
    """One support request moved through `support.machine`."""

    def __init__(self, item: support.Item, clock: support.Clock) -> None:
        self.item = item
        self.clock = clock
        self.updates: list[SupportUpdatePlan] = []
        self.fields: dict[str, Any] = {}
        self.breaches: list[Breach] = []

    def move_to(self, state: str, action: str, at: dt.datetime, actor: str, notes: str, *, author: int | None) -> None:
        self.updates.append(SupportUpdatePlan(at=at, action=action, state_before="", state_after=state, actor=actor,
                                              notes=notes, author=author))

    def move(self, action: str, at: dt.datetime, actor: str, notes: str, *, author: int | None = None, name: str = "",
             member: int | None = None, needed_by: dt.datetime | None = None, breach: Breach | None = None) -> None:
        before = self.item.state
        self.item = support.apply(self.item, action, actor=actor, now=at, clock=self.clock, member=member,
                                  needed_by=needed_by)
        self.updates.append(SupportUpdatePlan(
            at=at, action=action, state_before=before, state_after=self.item.state,
            actor="system" if breach is not None else actor, notes=notes, author=author, author_name=name,
        ))
        if breach is not None:
            self.breaches.append(breach)


# -- small pieces ---------------------------------------------------------------------------------


def _accepted_at(incident: LoopIncident) -> dt.datetime:
    """When the case was accepted: when the incident became one (its feedback), else soon after the call."""
    return incident.converted_at or incident.received_at + 2 * HOUR


def _complexity(category: str, rng: Draws) -> str:
    simple, ordinary, _complex = COMPLEXITY_WEIGHTS.get(category, COMPLEXITY_WEIGHTS["default"])
    roll = rng.random()
    return cases.SIMPLE if roll < simple else cases.ORDINARY if roll < simple + ordinary else cases.COMPLEX


def _case_name(category: str) -> str:
    return words.CASE_NAMES.get(category) or words.CASE_NAMES.get(category.split(".", 1)[0], "案")


def _answer(rng: Draws) -> str:
    roll = rng.random()
    return next(answer for share, answer in CALLER_ANSWERS if roll < share)


def _sample(rng: Draws, items: Sequence[Any], count: int) -> list[Any]:
    """`count` of `items` (all when fewer), drawn without replacement, in their order."""
    if len(items) <= count:
        return list(items)
    chosen = sorted(rng.sample(range(len(items)), count))
    return [items[index] for index in chosen]


def _numbered(items: list[Any], when: Any, number: Any) -> list[Any]:
    """`items` in time order, numbered per year in that order (移2026-0001, 援2026-0001)."""
    ordered = sorted(items, key=lambda item: (when(item), item.incident_id))
    sequences: Counter[int] = Counter()
    numbered = []
    for item in ordered:
        at = when(item)
        sequences[at.year] += 1
        numbered.append(dataclasses.replace(item, number=number(at, sequences[at.year])))
    return numbered
