"""A year of calls for the demo stations, drawn deterministically from a seed (pure, no Django).

`plan_history(seed, stations, beats, addresses, categories, start, days)` decides every
call the demo's past holds — when it came, who called, what they said, where, what it
was, and where its incident stands at the end — as frozen dataclasses; `builder.py`
writes them. `CallGenerator` draws one call at a time and is what `fengqiao simulate`
uses for the live feed, so past and live calls sound alike.

The rhythms are the ones stations report:

- **volume** about 25–45 calls a day per station, Poisson around a mean that rises on
  Fridays and Saturdays and in summer;
- **hours** quiet from 03:00 to 07:00, busy 10:00–12:00 and busier 19:00–23:00, with
  Friday and Saturday nights later still; fights, drunks and noise at night, enquiries
  and lost children by day;
- **mix** by beat: in market and old-town beats (`BeatInfo.market`) more than half the
  calls are non-police (noise, parking, street trading, rubbish); elsewhere about a
  quarter (DESIGN.md §1);
- **repeats**: a few per cent of addresses draw many calls (a KTV, a market row, a
  troubled household); regular callers (the same phone) call again and again about
  their usual complaints; loud events draw several calls that become one incident;
- **disputes** recur: the same parties at the same address call every few weeks, and
  some chains end in a fight, an injury, threats or a mass incident (民转刑, the
  escalation the dispute ledger exists to prevent);
- **outcomes**: by the end of the window almost every incident is closed, transferred
  to its department, became a case or was invalid; the last day's are still open;
- **timings** of a dispatched incident are a well-run station's: the order goes out within
  a minute or two, is signed for within a minute, a priority-1 call in town is reached in
  3–5 minutes, and the feedback comes within the shift — each step with a tail that
  passes its deadline a few times in a hundred, more at night and in the busiest hours.

Times are the station's local wall-clock time (naive datetimes): the builder makes them
aware in the station's time zone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, TypeVar

from faker import Faker

from fengqiao.dispatch import clocks
from fengqiao.intake.sensors import DEFAULT_SENSOR_MAP
from fengqiao.intake.taxonomy import Category

from . import texts

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

DEFAULT_DAYS = 365

_T = TypeVar("_T")

# Call states and incident states (Call.State, fengqiao.intake.states), as plain strings.
INCIDENT, DUPLICATE, INVALID = "incident", "duplicate", "invalid"
TRIAGED, DISPATCHED, ACKNOWLEDGED, ON_SCENE = "triaged", "dispatched", "acknowledged", "on_scene"
RESOLVED, CLOSED, TRANSFERRED, CONVERTED = "resolved", "closed", "transferred", "converted"
OPEN_STATES = frozenset({TRIAGED, DISPATCHED, ACKNOWLEDGED, ON_SCENE})

# Tags the demo puts on incidents of dispute chains.
TAG_REPEAT_DISPUTE = "重复纠纷"
TAG_ESCALATED = "纠纷升级"

# Old-town and market communities of the demo stations: non-police calls dominate there.
MARKET_COMMUNITIES = frozenset({"后堡社区", "珊瑚村社区", "东路社区", "海棠溪社区"})


# -- inputs and outputs ---------------------------------------------------------------------


@dataclass(frozen=True)
class StationInfo:
    code: str
    calls_per_day: float  # the mean on an ordinary day
    urban: bool = True  # officers drive through town, not out to villages (clocks.URBAN)
    shift_starts: tuple[int, ...] = clocks.DEFAULT_SHIFT_STARTS  # feedback is due by the end of the shift


@dataclass(frozen=True)
class BeatInfo:
    station_code: str
    code: str
    community: str
    market: bool  # an old-town or market beat: more than half the calls are non-police


@dataclass(frozen=True)
class AddressInfo:
    """A standard address as the planner needs it: its id, its parts, its position."""

    id: int
    station_code: str
    beat_code: str
    road: str
    number: str  # 18号, or 22号附3号 for a street-front shop
    building: str
    unit: str
    room: str
    longitude: float
    latitude: float

    @property
    def shop(self) -> bool:
        return "附" in self.number

    @property
    def full(self) -> str:
        """Road to room, as a careful caller gives it: 南坪西路18号3栋2单元1502."""
        return f"{self.road}{self.number}{self.building}{self.unit}{self.room}"


@dataclass(frozen=True)
class Step:
    """A change of an incident's state after triage, at `at`; `note` is the outcome said
    in the station's words, or for a transfer the department's code."""

    state: str
    at: dt.datetime
    note: str = ""


# The station's triage of a call's words: (station code, gist, sensor kind) → (category code, priority).
Judge = Callable[[str, str, str], tuple[str, int]]


@dataclass(frozen=True)
class PlannedCall:
    """One call of the past, and — for the call that opened it — its incident's fate."""

    station_code: str
    received_at: dt.datetime  # local wall-clock time
    source: str
    sensor_kind: str
    external_id: str
    caller_name: str
    caller_phone: str
    text: str
    gist: str  # the text with place, money and opening made neutral (what triage reads alike)
    address_id: int
    address_text: str  # the address as the caller gave it
    precise: bool  # the address as given names exactly one standard address
    latitude: float
    longitude: float
    beat_code: str
    category: str  # what the commander decided it was
    priority: int
    route: str
    incident: int  # the incident's index at its station; calls about one event share it
    call_state: str  # incident, duplicate (joined an earlier call's incident) or invalid
    final_state: str  # the incident's state at the end of the window ("" for a duplicate)
    steps: tuple[Step, ...] = ()
    tags: tuple[str, ...] = ()
    chain: int | None = None  # the dispute chain the call belongs to

    @property
    def opens_incident(self) -> bool:
        return self.call_state != DUPLICATE


@dataclass(frozen=True)
class DrawnCall:
    """One call as a caller makes it: what `CallGenerator` draws, before any outcome."""

    source: str
    sensor_kind: str
    category: str
    text: str
    gist: str
    address: AddressInfo
    address_text: str
    precise: bool
    caller_name: str
    caller_phone: str


# -- rhythms ---------------------------------------------------------------------------------

# Relative call volume by hour of the day: quiet 03–07, peaks 10–12 and 19–23.
HOURLY: tuple[float, ...] = (
    3.2, 2.4, 1.8, 1.2, 0.9, 0.9, 1.3, 2.2, 3.5, 4.6, 5.7, 5.9,
    5.0, 4.4, 4.6, 4.8, 4.9, 5.0, 5.3, 5.9, 6.2, 6.2, 5.7, 4.5,
)
# Monday … Sunday.
WEEKDAY: tuple[float, ...] = (0.96, 0.94, 0.95, 0.97, 1.07, 1.12, 0.99)
# January … December: summer nights are long and loud.
MONTHLY: tuple[float, ...] = (0.92, 0.90, 0.95, 0.97, 1.00, 1.07, 1.13, 1.13, 1.02, 1.00, 0.97, 0.96)


def hour_weights(day: dt.date) -> list[float]:
    """The hourly profile of `day`: Friday and Saturday nights run later."""
    weights = list(HOURLY)
    weekday = day.weekday()
    for hour in range(24):
        if weekday in (4, 5) and hour >= 20:
            weights[hour] *= 1.35
        if weekday in (5, 6) and hour < 3:
            weights[hour] *= 1.5
    return weights


def expected_calls(station: StationInfo, day: dt.date) -> float:
    return station.calls_per_day * WEEKDAY[day.weekday()] * MONTHLY[day.month - 1]


def calls_per_day_for(population: int | None) -> float:
    """A station's ordinary daily volume from its population: ~32 for 100,000 residents."""
    people = population or 50_000
    return max(25.0, min(45.0, 18.0 + 14.0 * people / 100_000))


def poisson(mean: float, rng: random.Random) -> int:
    """A Poisson draw (Knuth's method for small means, normal approximation above 200)."""
    if mean <= 0:
        return 0
    if mean > 200:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# -- what the calls are about ---------------------------------------------------------------

# Calls per 1,000 in an ordinary residential beat (a quarter non-police).
BASE_MIX: dict[str, float] = {
    "criminal.theft": 30, "criminal.pickpocketing": 8, "criminal.burglary": 10,
    "criminal.theft_from_vehicle": 10, "criminal.vehicle_theft": 18, "criminal.fraud": 12,
    "criminal.telecom_fraud": 30, "criminal.robbery": 3, "criminal.assault": 6,
    "criminal.threat": 6, "criminal.sexual": 2, "criminal.drugs": 2,
    "public_order.fight": 28, "public_order.drunk": 18, "public_order.gambling": 5,
    "public_order.prostitution": 2, "public_order.disturbance": 10,
    "public_order.property_damage": 8, "public_order.domestic_violence": 10,
    "public_order.harassment": 10,
    "traffic.collision": 60, "traffic.drunk_driving": 4, "traffic.hit_and_run": 5,
    "traffic.obstruction": 10,
    "fire.fire": 7, "fire.gas_leak": 4, "fire.flood": 3, "fire.collapse": 1, "fire.trapped": 10,
    "dispute.neighbour": 45, "dispute.family": 35, "dispute.romance": 10, "dispute.debt": 15,
    "dispute.labour": 10, "dispute.property": 20, "dispute.consumer": 20, "dispute.other": 10,
    "assistance.missing_person": 12, "assistance.lost_child": 6, "assistance.lost_property": 30,
    "assistance.locked_out": 20, "assistance.person_in_need": 15, "assistance.suicide": 3,
    "assistance.other": 15,
    "non_police.noise": 90, "non_police.leak": 25, "non_police.smell": 10,
    "non_police.parking": 45, "non_police.utilities": 20, "non_police.market": 10,
    "non_police.animal": 10, "non_police.construction": 5, "non_police.sanitation": 15,
    "tipoff.clue": 8, "tipoff.suspicious": 10,
    "other.consultation": 45, "other.invalid": 45, "other.other": 12,
}

# Market and old-town beats: street trading, noise, parking and rubbish, pickpockets and
# shop quarrels; fewer household matters.
MARKET_FACTORS: dict[str, float] = {
    "non_police.noise": 4.5, "non_police.parking": 4.5, "non_police.market": 12.0,
    "non_police.sanitation": 5.0, "non_police.smell": 3.0, "non_police.animal": 1.5,
    "non_police.construction": 1.5, "non_police.leak": 1.2, "non_police.utilities": 1.2,
    "criminal.pickpocketing": 2.0, "criminal.theft": 1.3, "dispute.consumer": 1.8,
    "public_order.drunk": 1.3, "dispute.family": 0.6, "dispute.romance": 0.7,
    "criminal.burglary": 0.7, "assistance.missing_person": 0.7,
    "public_order.domestic_violence": 0.6,
}

_NIGHT = "night"  # 22:00–04:59
_MORNING = "morning"  # 05:00–07:59
_DAY = "day"  # 08:00–17:59
_EVENING = "evening"  # 18:00–21:59

HOUR_FACTORS: dict[str, dict[str, float]] = {
    _NIGHT: {
        "public_order.fight": 2.5, "public_order.drunk": 4.0, "non_police.noise": 1.8,
        "traffic.drunk_driving": 3.0, "public_order.disturbance": 1.5,
        "public_order.domestic_violence": 1.5, "criminal.robbery": 1.8, "other.invalid": 1.5,
        "other.consultation": 0.2, "assistance.lost_child": 0.1, "non_police.market": 0.1,
        "non_police.construction": 0.2, "assistance.lost_property": 0.5,
        "criminal.telecom_fraud": 0.3, "dispute.labour": 0.2, "dispute.consumer": 0.3,
        "non_police.utilities": 0.6,
    },
    _MORNING: {
        "criminal.vehicle_theft": 2.5, "criminal.burglary": 2.0, "criminal.theft_from_vehicle": 2.0,
        "assistance.missing_person": 1.5, "non_police.market": 1.5, "public_order.fight": 0.4,
        "public_order.drunk": 0.5, "other.consultation": 0.5,
    },
    _DAY: {
        "other.consultation": 1.6, "non_police.market": 1.5, "criminal.telecom_fraud": 1.4,
        "criminal.fraud": 1.3, "dispute.labour": 1.4, "dispute.consumer": 1.3,
        "assistance.lost_child": 1.4, "non_police.construction": 1.5,
        "public_order.drunk": 0.3, "public_order.fight": 0.6, "traffic.drunk_driving": 0.2,
    },
    _EVENING: {
        "public_order.fight": 1.4, "public_order.drunk": 1.5, "non_police.noise": 1.5,
        "dispute.family": 1.4, "dispute.neighbour": 1.3, "traffic.drunk_driving": 1.5,
    },
}

SEASON_FACTORS: dict[int, dict[str, float]] = {
    6: {"fire.flood": 4.0, "non_police.noise": 1.2, "public_order.fight": 1.2},
    7: {"fire.flood": 5.0, "non_police.noise": 1.3, "public_order.fight": 1.3, "assistance.suicide": 1.2},
    8: {"fire.flood": 3.0, "non_police.noise": 1.3, "public_order.fight": 1.2},
    12: {"dispute.labour": 2.0, "fire.gas_leak": 1.5, "fire.fire": 1.3},
    1: {"dispute.labour": 2.5, "fire.gas_leak": 1.6, "fire.fire": 1.4, "dispute.family": 1.3},
    2: {"dispute.family": 1.4, "fire.gas_leak": 1.3},
}


def _bucket(hour: int) -> str:
    if hour >= 22 or hour < 5:
        return _NIGHT
    if hour < 8:
        return _MORNING
    if hour < 18:
        return _DAY
    return _EVENING


# Which sources suit which calls.
_SOURCE_WEIGHTS: dict[str, float] = {
    "feed_110": 0.72, "phone": 0.10, "walk_in": 0.06, "chat_group": 0.05, "patrol": 0.04,
    "video_patrol": 0.03,
}
_WALK_IN = frozenset({
    "criminal.theft", "criminal.fraud", "criminal.telecom_fraud", "criminal.vehicle_theft",
    "assistance.lost_property", "other.consultation", "dispute.debt", "dispute.labour",
    "dispute.property", "dispute.consumer", "public_order.harassment", "tipoff.clue",
})
_CHAT_GROUP_FAMILIES = frozenset({"non_police", "tipoff"})
_VISIBLE = frozenset({
    "public_order.fight", "public_order.drunk", "public_order.disturbance", "non_police.market",
    "non_police.parking", "non_police.sanitation", "traffic.obstruction", "traffic.collision",
    "tipoff.suspicious", "fire.fire",
})

# Loud events that several people call about: the later calls join the first's incident.
ECHOING: dict[str, float] = {
    "public_order.fight": 0.30, "fire.fire": 0.45, "traffic.collision": 0.15,
    "fire.gas_leak": 0.25, "public_order.disturbance": 0.15, "criminal.robbery": 0.20,
    "non_police.noise": 0.10, "fire.flood": 0.25, "public_order.drunk": 0.10,
}

VAGUE_SHARE = 0.05
MISLEADING_SHARE = 0.10
DIALECT_SHARE = 0.15
HOT_SHARE = 0.13  # calls that go to the station's few hot addresses
HOT_FRACTION = 0.02  # of the station's addresses
REGULAR_SHARE = 0.07  # calls made by the station's regular callers
SENSOR_SHARE = 0.025  # sensor alarms per ordinary call
CHAINS_PER_YEAR_PER_DAILY_CALL = 2.0
ESCALATION_SHARE = 0.35

SENSOR_WEIGHTS: dict[str, float] = {
    "smoke": 0.5, "water_pressure": 0.2, "manhole_cover": 0.15, "electrical_arc": 0.15,
}

# What regular callers call about (category → weight).
REGULAR_PROFILES: tuple[dict[str, float], ...] = (
    {"non_police.noise": 5, "non_police.parking": 3, "non_police.sanitation": 2,
     "non_police.construction": 1, "non_police.smell": 1, "non_police.animal": 1},
    {"non_police.market": 3, "criminal.theft": 2, "dispute.consumer": 2,
     "public_order.disturbance": 1, "public_order.drunk": 1, "public_order.property_damage": 1},
    {"assistance.person_in_need": 3, "other.consultation": 3, "assistance.lost_property": 2,
     "criminal.fraud": 1, "assistance.locked_out": 1, "non_police.utilities": 2},
    {"dispute.neighbour": 3, "dispute.family": 2, "dispute.property": 1, "non_police.noise": 2,
     "non_police.leak": 1},
)

# Dispute chains: which kinds recur, and what each may turn into.
CHAIN_KINDS: dict[str, float] = {
    "dispute.neighbour": 35, "dispute.family": 25, "dispute.property": 12, "dispute.debt": 10,
    "dispute.romance": 10, "dispute.labour": 8,
}
ESCALATIONS: dict[str, tuple[str, ...]] = {
    "dispute.neighbour": ("public_order.fight", "criminal.assault"),
    "dispute.family": ("public_order.domestic_violence", "criminal.assault"),
    "dispute.romance": ("public_order.harassment", "criminal.threat"),
    "dispute.debt": ("criminal.threat",),
    "dispute.property": ("public_order.fight",),
    "dispute.labour": ("dispute.labour",),  # a mass incident: the command room coordinates
}

# -- fates ---------------------------------------------------------------------------------

# Share of incidents that become cases (受案/立案), by category or family.
CONVERSION: dict[str, float] = {
    "criminal": 0.55, "public_order": 0.35, "public_order.drunk": 0.15,
    "public_order.disturbance": 0.2, "traffic.drunk_driving": 0.85, "traffic.hit_and_run": 0.5,
    "tipoff": 0.2,
}
# Hours from resolved to closed: the feedback report is read and the incident closed.
FEEDBACK_HOURS = (0.5, 12.0)
TRANSFER_LOOPS_LEFT_OPEN = 0.015  # departments that have not answered: chased on the board …
SILENCE_DAYS = 6  # … for a few days at most: by then the chasing and the leaders got an answer
FOLLOW_UP_DAYS = 2  # every resolved dispute gets a follow-up visit (回访)

# -- timings of a dispatched incident ----------------------------------------------------------
#
# Each step takes a lognormal time around a typical one (median, and the spread as the sigma of
# its logarithm), so most stamps land where a well-run station's do and a few run long: the
# tails are the deadline breaches (dispatch.clocks.DEFAULT_POLICIES), a few per cent per step.

# Seconds from receipt to the dispatch order: usually 30 s – 2 min; beyond the three minutes
# intake gives (IntakeSettings.triage_minutes) about one time in twenty, more at night and in
# busy hours.
DISPATCH_SECONDS = (70.0, 0.55)
URGENT_DISPATCH = 0.75  # a priority-1 call goes out faster
# Seconds from the order to the officer signing for it (签收): mostly 15–90 s.
ACKNOWLEDGE_SECONDS = (40.0, 0.62)
# Minutes from signing for the order to arriving, by priority and urban/suburban area: a
# priority-1 call in town is reached 3–5 min after the order.
TRAVEL_MINUTES: dict[tuple[int, bool], tuple[float, float]] = {
    (1, True): (2.8, 0.17), (1, False): (5.5, 0.25),
    (2, True): (8.5, 0.35), (2, False): (11.0, 0.35),
    (3, True): (15.0, 0.42), (3, False): (16.0, 0.42),
    (4, True): (28.0, 0.45), (4, False): (28.0, 0.45),
}
# Minutes from arrival to the feedback report that ends the order, by category or family:
# disputes and requests for help 15 min – 2 h; criminal matters report within 30–120 min even
# though the case goes on.
REPORT_MINUTES: dict[str, tuple[float, float]] = {
    "criminal": (60.0, 0.35), "public_order": (45.0, 0.6), "traffic": (40.0, 0.55), "fire": (60.0, 0.6),
    "dispute": (45.0, 0.6), "assistance": (40.0, 0.6), "assistance.missing_person": (150.0, 0.7),
    "tipoff": (70.0, 0.55),
}
SLOW_SHARE = 0.08  # orders that take several times as long (waiting for a party, a report)
SLOW_FACTOR = (2.0, 4.0)
# A report that would run past the end of the shift is mostly written before the handover.
HANDOVER_SHARE = 0.75
# The command room and the officers are slower when the station is short (the small hours) or
# stretched (the busiest hours); roads are slow in the rush hours and empty at night.
SMALL_HOURS = frozenset(range(0, 6))
BUSY_HOURS = frozenset({10, 11, 19, 20, 21, 22})
RUSH_HOURS = frozenset({7, 8, 17, 18})
SHORT_FACTOR, STRETCHED_FACTOR = 1.25, 1.2
RUSH_FACTOR, EMPTY_ROADS_FACTOR = 1.15, 0.9

OUTCOMES: dict[str, tuple[str, ...]] = {
    "criminal": ("已开具报案回执，告知报警人后续处理", "经查证财物已找回，报警人不再追究", "报警人撤销报警"),
    "public_order": ("民警到场后已平息，当事人经批评教育后离开", "对违法行为人予以批评教育", "当事人已离开现场，已做登记"),
    "traffic": ("已通知交巡警处理，现场恢复通行", "双方协商解决", "已移交交巡警大队"),
    "fire": ("已通知消防到场处置，无人员伤亡", "现场核实为误报", "险情已排除"),
    "dispute": ("经民警调解，双方达成一致", "双方协商一致，已签订调解协议", "告知双方通过法律途径解决", "已移交社区人民调解委员会"),
    "assistance": ("已帮助报警人解决", "人已找到，已安全送回家中", "已联系家属接回", "已送医治疗"),
    "tipoff": ("线索已核查，已移交相关部门", "到场核查未发现异常"),
    "other": ("已电话答复报警人", "已告知办理流程"),
    "non_police": ("部门已处置完毕，报警人确认", "部门已回复处理结果，报警人基本满意"),
}
CASES: dict[str, str] = {
    "criminal": "已受理为刑事案件，移交案件办理队",
    "public_order": "已受理为行政案件",
    "traffic": "已移交交巡警立案处理",
    "tipoff": "线索属实，已立案侦查",
}
INVALID_REASONS: tuple[str, ...] = ("误拨", "无声电话，回拨无人接听", "恶作剧")

# The partner department (plan.DEPARTMENTS code) a non-police call is transferred to.
DEPARTMENT_FOR: dict[str, tuple[str, ...]] = {
    "non_police.noise": ("12345", "NA-CGJ", "NA-STHJJ"),
    "non_police.leak": ("NA-WATER", "NA-ZJW"),
    "non_police.smell": ("NA-STHJJ",),
    "non_police.parking": ("NA-CGJ", "12345"),
    "non_police.utilities": ("NA-POWER", "NA-WATER", "NA-GAS"),
    "non_police.market": ("NA-SCJGJ", "NA-CGJ"),
    "non_police.animal": ("12345",),
    "non_police.construction": ("NA-CGJ", "NA-ZJW"),
    "non_police.sanitation": ("NA-CGJ",),
}

NAME_POOL = 1500


class Draws(random.Random):
    """`random.Random` with the two draws the planner makes most, done the quick way
    (one `random()` each; the standard ones spend their time on exactness that a demo
    does not need). Deterministic for a seed, like its parent."""

    def choice(self, seq: SupportsLenAndGetItem[_T]) -> _T:
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


@dataclass
class _Caller:
    name: str
    phone: str
    profile: dict[str, float] = field(default_factory=dict)
    home: AddressInfo | None = None


def _weighted(rng: random.Random, items: Sequence[str], cumulative: Sequence[float]) -> str:
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _cumulate(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


_FLAT = _cumulate([1.0] * 24)  # sensors do not keep hours
# Disputes flare up after work.
_EVENINGS = _cumulate(weight * (1.5 if 17 <= hour <= 23 else 1.0) for hour, weight in enumerate(HOURLY))


class CallGenerator:
    """Draws calls for one station: who, what, where, in the station's rhythm and mix."""

    def __init__(
        self, seed: int | str, station: StationInfo, beats: Sequence[BeatInfo],
        addresses: Sequence[AddressInfo], categories: Sequence[Category],
    ) -> None:
        self.station = station
        self.rng = Draws(f"{seed}:history:{station.code}")
        faker = Faker("zh_CN")
        faker.seed_instance(f"{seed}:callers:{station.code}")
        self._names = [str(faker.name()) for _ in range(NAME_POOL)]
        self.categories = {category.code: category for category in categories}
        self.beats = {beat.code: beat for beat in beats if beat.station_code == station.code}
        self.by_beat: dict[str, list[AddressInfo]] = {}
        for address in addresses:
            if address.station_code == station.code and address.beat_code in self.beats:
                self.by_beat.setdefault(address.beat_code, []).append(address)
        if not self.by_beat:
            raise ValueError(f"station {station.code} has no addresses in its beats to place calls at")
        self.roads = sorted({address.road for found in self.by_beat.values() for address in found})
        self._other_roads = {road: [other for other in self.roads if other != road] or [road] for road in self.roads}
        self._sources: dict[str, tuple[list[str], list[float]]] = {}
        self._beat_codes = sorted(self.by_beat)
        self._beat_cumulative = _cumulate(
            len(self.by_beat[code]) * (1.6 if self.beats[code].market else 1.0) for code in self._beat_codes
        )
        self._mixes: dict[tuple[bool, str, int], tuple[list[str], list[float]]] = {}
        self._hot, self._hot_cumulative = self._hot_addresses()
        self.regulars = self._regular_callers()
        self._regular_cumulative = _cumulate(1.0 / (rank + 1) ** 0.6 for rank in range(len(self.regulars)))

    # -- places and people -----------------------------------------------------------------

    def _hot_addresses(self) -> tuple[list[AddressInfo], list[float]]:
        """A few per cent of the addresses, most of them shops and market-beat homes."""
        everything = [address for code in self._beat_codes for address in self.by_beat[code]]
        count = max(3, round(len(everything) * HOT_FRACTION))
        weights = [
            (3.0 if address.shop else 1.0) * (2.0 if self.beats[address.beat_code].market else 1.0)
            for address in everything
        ]
        chosen: list[AddressInfo] = []
        seen: set[int] = set()
        cumulative = _cumulate(weights)
        while len(chosen) < min(count, len(everything)):
            index = bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])
            if index not in seen:
                seen.add(index)
                chosen.append(everything[index])
        # Zipf-like: the first few are the notorious ones.
        return chosen, _cumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(chosen)))

    def _regular_callers(self) -> list[_Caller]:
        regulars = []
        for _ in range(round(self.station.calls_per_day * 1.5)):
            profile = {
                code: weight for code, weight in self.rng.choice(REGULAR_PROFILES).items()
                if code in self.categories
            }
            if not profile:
                continue
            caller = self.new_caller()
            caller.profile = profile
            wants_shop = "non_police.market" in profile
            caller.home = self.pick_address(shop=wants_shop)
            regulars.append(caller)
        return regulars

    def new_caller(self) -> _Caller:
        return _Caller(name=self.rng.choice(self._names), phone=self.phone())

    def phone(self) -> str:
        """A mainland mobile number: 1[3-9] and nine digits."""
        prefix = self.rng.choice(("13", "13", "15", "15", "18", "18", "17", "19", "16", "14"))
        return f"{prefix}{int(self.rng.random() * 10**9):09d}"

    def pick_address(self, *, beat: str | None = None, shop: bool | None = None) -> AddressInfo:
        code = beat or _weighted(self.rng, self._beat_codes, self._beat_cumulative)
        found = self.by_beat[code]
        if shop is not None:
            for _ in range(20):
                address = self.rng.choice(found)
                if address.shop == shop:
                    return address
        return self.rng.choice(found)

    def _place_in_text(self, address: AddressInfo) -> str:
        """The place as the caller says it inside the text: 南坪西路18号3栋."""
        if address.building and self.rng.random() < 0.5:
            return f"{address.road}{address.number}{address.building}"
        return f"{address.road}{address.number}"

    def _address_as_given(self, address: AddressInfo) -> tuple[str, bool]:
        """The address as the caller gives it, and whether it names one standard address."""
        roll = self.rng.random()
        if address.shop:
            if roll < 0.65:
                return address.full, True
            if roll < 0.85:
                return f"{address.full}门口", True
            if roll < 0.93:
                return f"{address.road}{address.number.split('附')[0]}", False
            return f"{address.road}附近", False
        if roll < 0.45:
            return address.full, True
        if roll < 0.7 and address.building:
            return f"{address.road}{address.number}{address.building}", False
        if roll < 0.88:
            return f"{address.road}{address.number}", not address.building
        if roll < 0.94:
            return f"{address.road}{address.number}小区门口", False
        return f"{address.road}附近", False

    # -- what and how ----------------------------------------------------------------------

    def _mix(self, market: bool, hour: int, month: int) -> tuple[list[str], list[float]]:
        bucket = _bucket(hour)
        key = (market, bucket, month)
        found = self._mixes.get(key)
        if found is None:
            codes = [code for code in BASE_MIX if code in self.categories]
            weights = []
            season = SEASON_FACTORS.get(month, {})
            for code in codes:
                weight = BASE_MIX[code] * HOUR_FACTORS[bucket].get(code, 1.0) * season.get(code, 1.0)
                if market:
                    weight *= MARKET_FACTORS.get(code, 1.0)
                weights.append(weight)
            found = (codes, _cumulate(weights))
            self._mixes[key] = found
        return found

    def _source(self, category: str) -> str:
        found = self._sources.get(category)
        if found is None:
            family = category.split(".", 1)[0]
            candidates = ["feed_110", "phone"]
            if category in _WALK_IN:
                candidates.append("walk_in")
            if family in _CHAT_GROUP_FAMILIES or category == "assistance.missing_person":
                candidates.append("chat_group")
            if category in _VISIBLE and texts.templates_for(category, observing=True):
                candidates += ["patrol", "video_patrol"]
            found = (candidates, _cumulate(_SOURCE_WEIGHTS[source] for source in candidates))
            self._sources[category] = found
        return _weighted(self.rng, *found)

    def _caller_for(self, source: str, caller: _Caller | None) -> tuple[str, str]:
        if source in texts.OBSERVING_SOURCES:
            return "", ""
        caller = caller or self.new_caller()
        name = caller.name if self.rng.random() < 0.88 else ""
        keeps_phone = source in ("feed_110", "phone") or self.rng.random() < 0.6
        return name, caller.phone if keeps_phone else ""

    def say(self, category: str, source: str, address: AddressInfo, *, template: str = "",
            party: str = "", plain: bool = False) -> texts.Said:
        """A text for `category` from `source` at `address` (a random template unless given)."""
        if not template:
            template = self._template(category, source, plain=plain)
        slots = texts.Slots(
            opening=self.rng.choice(texts.OPENINGS.get(source, texts.OPENINGS["feed_110"])),
            place=self._place_in_text(address), road=address.road,
            other_road=self.rng.choice(self._other_roads[address.road]), party=party,
            amount=texts.amount_for(category, self.rng) if "{n}" in template else "",
        )
        said = texts.say(template, slots, self.rng)
        if self.rng.random() < DIALECT_SHARE:
            said = texts.in_dialect(said, self.rng)
        return said

    def _template(self, category: str, source: str, *, plain: bool) -> str:
        observing = source in texts.OBSERVING_SOURCES
        if not plain and not observing and not category.startswith("other."):
            roll = self.rng.random()
            if roll < VAGUE_SHARE:
                return self.rng.choice(texts.VAGUE)
            if roll < VAGUE_SHARE + MISLEADING_SHARE and category in texts.MISLEADING:
                return self.rng.choice(texts.MISLEADING[category])
        return self.rng.choice(texts.templates_for(category, observing=observing))

    # -- calls -------------------------------------------------------------------------------

    def draw(self, at: dt.datetime) -> DrawnCall:
        """One ordinary call at local time `at`."""
        caller: _Caller | None = None
        if self.regulars and self.rng.random() < REGULAR_SHARE:
            caller = self.regulars[
                bisect.bisect_right(self._regular_cumulative, self.rng.random() * self._regular_cumulative[-1])
            ]
            codes = sorted(caller.profile)
            category = _weighted(self.rng, codes, _cumulate(caller.profile[code] for code in codes))
            home = caller.home
            assert home is not None
            address = home if self.rng.random() < 0.8 else self.pick_address(beat=home.beat_code)
        else:
            if self.rng.random() < HOT_SHARE:
                address = self._hot[
                    bisect.bisect_right(self._hot_cumulative, self.rng.random() * self._hot_cumulative[-1])
                ]
            else:
                address = self.pick_address()
            codes, cumulative = self._mix(self.beats[address.beat_code].market, at.hour, at.month)
            category = _weighted(self.rng, codes, cumulative)
        return self.call(category, address, caller=caller)

    def call(self, category: str, address: AddressInfo, *, caller: _Caller | None = None,
             source: str = "", template: str = "", party: str = "", plain: bool = False) -> DrawnCall:
        """A call about `category` at `address`, by `caller` (a stranger unless given)."""
        source = source or self._source(category)
        said = self.say(category, source, address, template=template, party=party, plain=plain)
        name, phone = self._caller_for(source, caller)
        address_text, precise = self._address_as_given(address)
        return DrawnCall(
            source=source, sensor_kind="", category=category, text=said.text, gist=said.gist,
            address=address, address_text=address_text, precise=precise,
            caller_name=name, caller_phone=phone,
        )

    def echo(self, first: DrawnCall) -> DrawnCall:
        """Somebody else calling about the same event."""
        return self.call(first.category, first.address, source="feed_110", plain=True)

    def sensor(self) -> DrawnCall | None:
        """A sensor alarm at a random address (None if the station lacks the category)."""
        kinds = sorted(SENSOR_WEIGHTS)
        kind = _weighted(self.rng, kinds, _cumulate(SENSOR_WEIGHTS[k] for k in kinds))
        category = str(DEFAULT_SENSOR_MAP[kind]["category"])
        if category not in self.categories:
            return None
        address = self.pick_address()
        text = texts.SENSOR_TEXTS[kind].format(p=address.full, r=address.road)
        return DrawnCall(
            source="sensor", sensor_kind=kind, category=category, text=text,
            gist=texts.SENSOR_TEXTS[kind].format(p=texts.NEUTRAL_PLACE, r=texts.NEUTRAL_ROAD),
            address=address, address_text=address.full, precise=True, caller_name="", caller_phone="",
        )

    def moment(self, day: dt.date, cumulative: Sequence[float] | None = None) -> dt.datetime:
        """A random time of `day`: the hour drawn from `cumulative` hourly weights (by
        default the station's rhythm of that day)."""
        if cumulative is None:
            cumulative = _cumulate(hour_weights(day))
        hour = bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])
        minute, second = int(self.rng.random() * 60), int(self.rng.random() * 60)
        return dt.datetime.combine(day, dt.time(hour, minute, second))


# -- the plan ------------------------------------------------------------------------------


@dataclass
class _Event:
    at: dt.datetime
    drawn: DrawnCall
    key: int  # the incident it belongs to
    opens: bool
    tags: tuple[str, ...] = ()
    chain: int | None = None
    route: str = ""
    priority: int = 0


def plan_history(
    seed: int | str,
    stations: Sequence[StationInfo],
    beats: Sequence[BeatInfo],
    addresses: Sequence[AddressInfo],
    categories: Sequence[Category],
    start: dt.date,
    days: int = DEFAULT_DAYS,
    *,
    judge: Judge | None = None,
) -> list[PlannedCall]:
    """Every call of `days` days from `start` at each station, in time order per station,
    with each incident's state at midnight after the last day.

    `judge` is the station's triage, when the caller has it: the priority it suggests for a
    call's words is the one intake keeps (when it names the category the commander chose),
    and the deadlines — so how fast the officers went — follow it."""
    planned: list[PlannedCall] = []
    if days <= 0:
        return planned
    end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time())
    for station in stations:
        generator = CallGenerator(seed, station, beats, addresses, categories)
        events = _ordinary_calls(generator, start, days, end)
        events += _dispute_chains(generator, start, days, end, first_key=len(events) + 10_000_000)
        planned += _settle(seed, station, generator, events, end, judge)
    return planned


def _ordinary_calls(generator: CallGenerator, start: dt.date, days: int, end: dt.datetime) -> list[_Event]:
    rng = generator.rng
    events: list[_Event] = []
    key = 0
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        cumulative = _cumulate(hour_weights(day))
        for _ in range(poisson(expected_calls(generator.station, day), rng)):
            at = generator.moment(day, cumulative)
            drawn = generator.draw(at)
            events.append(_Event(at, drawn, key, opens=True))
            if rng.random() < ECHOING.get(drawn.category, 0.0):
                later = at
                for _echo in range(rng.choice((1, 1, 2, 3))):
                    later += dt.timedelta(seconds=rng.randint(40, 900))
                    if later < end:
                        events.append(_Event(later, generator.echo(drawn), key, opens=False))
            key += 1
        for _ in range(poisson(generator.station.calls_per_day * SENSOR_SHARE, rng)):
            alarm = generator.sensor()
            if alarm is not None:
                events.append(_Event(generator.moment(day, _FLAT), alarm, key, opens=True))
                key += 1
    return events


def _dispute_chains(
    generator: CallGenerator, start: dt.date, days: int, end: dt.datetime, *, first_key: int
) -> list[_Event]:
    """The same parties at the same address, every few weeks; some chains escalate."""
    rng = generator.rng
    kinds = [kind for kind in sorted(CHAIN_KINDS) if kind in generator.categories]
    if not kinds:
        return []
    cumulative = _cumulate(CHAIN_KINDS[kind] for kind in kinds)
    count = round(generator.station.calls_per_day * CHAINS_PER_YEAR_PER_DAILY_CALL * days / 365)
    events: list[_Event] = []
    key = first_key
    for chain in range(count):
        kind = _weighted(rng, kinds, cumulative)
        party = rng.choice(texts.DISPUTE_PARTIES[kind])
        address = generator.pick_address(shop=kind == "dispute.labour")
        caller = generator.new_caller()
        other = generator.new_caller()
        targets = [code for code in ESCALATIONS[kind] if code in generator.categories]
        # Between spouses it is domestic violence; with others of the family, assault.
        spouses = party in ("丈夫", "妻子")
        targets = [code for code in targets if (code == "public_order.domestic_violence") == spouses] or targets
        escalates = bool(targets) and rng.random() < ESCALATION_SHARE
        calls = rng.randint(3, 7)
        if escalates:
            calls = rng.randint(3, calls)  # it turns on the third call or later, and ends there
        day = start + dt.timedelta(days=rng.randint(0, max(0, days - 21)))
        for index in range(calls):
            at = generator.moment(day, _EVENINGS)
            if at >= end:
                break
            last = index == calls - 1
            who = caller if rng.random() < 0.75 else other
            source = rng.choice(("feed_110", "feed_110", "feed_110", "phone"))
            if last and escalates:
                target = rng.choice(targets)
                template = rng.choice(texts.CHAIN_ESCALATION[(kind, target)])
                drawn = generator.call(target, address, caller=who, source=source, template=template, party=party)
                route, priority = ("command", 2) if target == kind else ("", 0)
                tags: tuple[str, ...] = (TAG_REPEAT_DISPUTE, TAG_ESCALATED)
            else:
                template = rng.choice(texts.CHAIN_REPEAT[kind] if index else texts.CHAIN_FIRST[kind])
                drawn = generator.call(kind, address, caller=who, source=source, template=template, party=party)
                route, priority = "", 0
                tags = (TAG_REPEAT_DISPUTE,) if index else ()
            events.append(_Event(at, drawn, key, opens=True, tags=tags, chain=chain, route=route, priority=priority))
            key += 1
            day += dt.timedelta(days=rng.randint(7, 35))
    return events


def _settle(
    seed: int | str, station: StationInfo, generator: CallGenerator, events: list[_Event], end: dt.datetime,
    judge: Judge | None = None,
) -> list[PlannedCall]:
    """Put the calls in time order, number the incidents, and decide each one's fate."""
    rng = Draws(f"{seed}:fates:{station.code}")
    pace = Draws(f"{seed}:pace:{station.code}")
    events.sort(key=lambda event: (event.at, not event.opens, event.key))
    incidents: dict[int, int] = {}
    feed_numbers: dict[dt.date, int] = {}
    planned: list[PlannedCall] = []
    for event in events:
        drawn = event.drawn
        if event.opens:
            incidents[event.key] = len(incidents)
        elif event.key not in incidents:
            continue  # its first call falls outside the window
        category = generator.categories[drawn.category]
        external_id = ""
        if drawn.source == "feed_110":
            day = event.at.date()
            feed_numbers[day] = feed_numbers.get(day, 0) + 1
            external_id = f"110{day:%Y%m%d}{station.code}{feed_numbers[day]:05d}"
        priority, route = event.priority or category.priority, event.route or category.route
        if event.opens:
            final_state, steps = fate(category, event.at, end, rng, urban=station.urban, shift_starts=station.shift_starts,
                                      priority=_kept_priority(station, drawn, category, priority, route, judge),
                                      pace=pace)
            call_state = INVALID if final_state == INVALID else INCIDENT
        else:
            final_state, steps, call_state = "", (), DUPLICATE
        planned.append(PlannedCall(
            station_code=station.code, received_at=event.at, source=drawn.source,
            sensor_kind=drawn.sensor_kind, external_id=external_id,
            caller_name=drawn.caller_name, caller_phone=drawn.caller_phone,
            text=drawn.text, gist=drawn.gist, address_id=drawn.address.id,
            address_text=drawn.address_text, precise=drawn.precise,
            latitude=drawn.address.latitude, longitude=drawn.address.longitude,
            beat_code=drawn.address.beat_code, category=category.code,
            priority=priority, route=route,
            incident=incidents[event.key], call_state=call_state, final_state=final_state,
            steps=steps, tags=event.tags, chain=event.chain,
        ))
    return planned


def _kept_priority(
    station: StationInfo, drawn: DrawnCall, category: Category, priority: int, route: str, judge: Judge | None
) -> int:
    """The priority intake keeps for the call: triage's suggestion when it names the category
    the commander chose (a transfer keeps its own), else the planned one (history_writer.decision)."""
    if judge is None or route == "transfer":
        return priority
    suggested_category, suggested_priority = judge(station.code, drawn.gist, drawn.sensor_kind)
    return suggested_priority if suggested_category == category.code else priority


def fate(
    category: Category, at: dt.datetime, until: dt.datetime, rng: random.Random, *,
    priority: int | None = None, urban: bool = True, shift_starts: Sequence[int] = clocks.DEFAULT_SHIFT_STARTS,
    pace: random.Random | None = None,
) -> tuple[str, tuple[Step, ...]]:
    """Where an incident received at `at` stands at `until`, and the steps that took it there.

    An incident that was dispatched lists each step it reached — dispatched, acknowledged,
    on scene, then resolved and closed, or converted — so its dispatch order can be
    stamped from them (`history_writer`): the order's feedback is the resolving or
    converting step. `priority` is the incident's as intake kept it (by default the
    category's); with `urban` and `shift_starts` it sets how fast the steps came.

    Each timing is one draw from `rng` where the planner always made one, so a change of
    pace leaves the incident's other draws (becoming a case, the outcome, the next
    incident's) as they were; the few extra draws come from `pace` (by default `rng`)."""
    family = category.family
    minutes = dt.timedelta(minutes=1)
    if category.code == "other.invalid":
        done = at + rng.randint(2, 6) * minutes
        if done > until:
            return TRIAGED, ()
        return INVALID, (Step(INVALID, done, rng.choice(INVALID_REASONS)),)
    if category.route == "transfer":
        return _transfer(category, at, until, rng)
    if family == "other":
        done = at + rng.randint(3, 20) * minutes
        if done > until:
            return TRIAGED, ()
        return CLOSED, (Step(CLOSED, done, rng.choice(OUTCOMES["other"])),)

    dispatched, acknowledged, on_scene = response(at, priority or category.priority, rng, urban=urban)
    # Every step the incident took, so the dispatch order can be stamped from them.
    reached = (Step(DISPATCHED, dispatched), Step(ACKNOWLEDGED, acknowledged), Step(ON_SCENE, on_scene))
    share = CONVERSION.get(category.code, CONVERSION.get(family, 0.0))
    if rng.random() < share:
        # The officer's report accepts the case (受案): the incident becomes a case then.
        reported = report(category, on_scene, rng, pace or rng, shift_starts=shift_starts, may_wait=False)
        if reported <= until:
            return CONVERTED, (*reached, Step(CONVERTED, reported, CASES.get(family, CASES["criminal"])))
    else:
        # The order's feedback resolves the incident.
        resolved = report(category, on_scene, rng, pace or rng, shift_starts=shift_starts)
        if family == "dispute":
            closed = resolved + dt.timedelta(days=FOLLOW_UP_DAYS, hours=rng.uniform(-3, 3))
        else:
            closed = resolved + dt.timedelta(hours=rng.uniform(*FEEDBACK_HOURS))
        outcome = rng.choice(OUTCOMES.get(family, OUTCOMES["other"]))
        if closed <= until:
            return CLOSED, (*reached, Step(RESOLVED, resolved, outcome), Step(CLOSED, closed, outcome))
        if resolved <= until:
            return RESOLVED, (*reached, Step(RESOLVED, resolved, outcome))
    if dispatched > until:
        return TRIAGED, ()
    if on_scene <= until:
        return ON_SCENE, reached
    if acknowledged <= until:
        return ACKNOWLEDGED, reached[:2]
    return DISPATCHED, reached[:1]


_NORMAL = NormalDist()
_WITHIN = 0.00135  # three sigmas: a demo has no use for a once-in-a-million wait


def _typical(rng: random.Random, median: float, spread: float) -> float:
    """A lognormal draw around `median` (`spread` is the sigma of its logarithm), from one
    `random()`: each timing takes one draw, so the draws after it stay where they were."""
    deviation = _NORMAL.inv_cdf(min(max(rng.random(), _WITHIN), 1.0 - _WITHIN))
    return median * math.exp(spread * deviation)


def response(
    at: dt.datetime, priority: int, rng: random.Random, *, urban: bool = True
) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """When the order went out, was signed for and the officer arrived, for a call received at `at`."""
    hour = at.hour
    load = SHORT_FACTOR if hour in SMALL_HOURS else STRETCHED_FACTOR if hour in BUSY_HOURS else 1.0
    median, spread = DISPATCH_SECONDS
    if priority == 1:
        median *= URGENT_DISPATCH
    dispatched = at + dt.timedelta(seconds=max(20.0, _typical(rng, median * load, spread)))
    median, spread = ACKNOWLEDGE_SECONDS
    acknowledged = dispatched + dt.timedelta(seconds=max(8.0, _typical(rng, median * load, spread)))
    median, spread = TRAVEL_MINUTES[(min(4, max(1, priority)), urban)]
    hour = acknowledged.hour
    roads = RUSH_FACTOR if hour in RUSH_HOURS else EMPTY_ROADS_FACTOR if hour in SMALL_HOURS else 1.0
    on_scene = acknowledged + dt.timedelta(minutes=max(1.0, _typical(rng, median * roads, spread)))
    return dispatched, acknowledged, on_scene


def report(
    category: Category, on_scene: dt.datetime, rng: random.Random, pace: random.Random, *,
    shift_starts: Sequence[int] = clocks.DEFAULT_SHIFT_STARTS, may_wait: bool = True,
) -> dt.datetime:
    """When the officer who arrived at `on_scene` reported back (反馈), ending the order; one
    that `may_wait` sometimes waits for a party or a report (SLOW_SHARE).

    Feedback is due by the end of the shift the officer arrived in: a report that would run
    past it is mostly written before the handover (drawn from `pace`), unless the officer
    arrived too late for that."""
    median, spread = REPORT_MINUTES.get(category.code, REPORT_MINUTES.get(category.family, (45.0, 0.6)))
    minutes = _typical(rng, median, spread)
    if may_wait and rng.random() < SLOW_SHARE:
        minutes *= rng.uniform(*SLOW_FACTOR)
    reported = on_scene + dt.timedelta(minutes=max(5.0, minutes))
    handover = clocks.shift_end(on_scene, shift_starts)
    if reported > handover and pace.random() < HANDOVER_SHARE:
        rushed = handover - dt.timedelta(minutes=pace.uniform(1, 10))
        if rushed >= on_scene + dt.timedelta(minutes=5):
            reported = rushed
    return reported


def _transfer(category: Category, at: dt.datetime, until: dt.datetime, rng: random.Random) -> tuple[str, tuple[Step, ...]]:
    """Non-police: transferred to its department, closed once the department reports back
    and the caller confirms (a few loops stay open)."""
    transferred = at + dt.timedelta(minutes=rng.randint(5, 30))
    if transferred > until:
        return TRIAGED, ()
    department = rng.choice(DEPARTMENT_FOR.get(category.code, ("12345",)))
    step = Step(TRANSFERRED, transferred, department)
    closed = transferred + dt.timedelta(hours=rng.uniform(20, 120))
    silent = rng.random() < TRANSFER_LOOPS_LEFT_OPEN and until - transferred < dt.timedelta(days=SILENCE_DAYS)
    if silent or closed > until:
        return TRANSFERRED, (step,)
    return CLOSED, (step, Step(CLOSED, closed, rng.choice(OUTCOMES["non_police"])))
