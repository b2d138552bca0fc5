"""Which disputes are heading for violence: a risk score from how often and how recently
the same parties, or the same address, have called the police (pure: no Django).

The score reads the calls, never their wording. Each call that matches a dispute — a
party's phone number, a party's name, or the dispute's address — adds a weight that halves
every `half_life_days` (30 by default), so that five calls this month weigh far more than
five calls last year. A call that became an incident of a violent kind (assault, fight,
domestic violence, threats) weighs `violent_weight` times as much. When the last 30 days
saw calls at a higher rate than the 60 days before them, the score is raised by up to
`rising_boost` (half again by default): the dispute is heating up.

Every assessment carries its reasons as data (`Reason`: a code and the numbers), for the
page to put in words: "the same address called 5 times in the last 30 days", "the parties'
phones called twice in the last 7 days", "there was a fight before".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# The incident categories that count as violence (codes of the shipped taxonomy).
VIOLENT_CATEGORIES: frozenset[str] = frozenset({
    "criminal.assault", "criminal.threat", "public_order.fight", "public_order.domestic_violence",
})

# How a call matched a dispute.
BY_PHONE = "phone"
BY_NAME = "name"
BY_ADDRESS = "address"
MATCHES = (BY_ADDRESS, BY_PHONE, BY_NAME)

# Reason codes.
REASON_CALLS = "calls"        # {match} called {count} times in the last {days} days
REASON_VIOLENT = "violent"    # {count} earlier calls of a violent kind (categories)
REASON_RISING = "rising"      # {recent} calls in the last 30 days against {before} in the 60 days before

# The windows a count of calls is said over, shortest first.
WINDOWS_DAYS = (7, 30, 90, 365)
RECENT_DAYS = 30
BEFORE_DAYS = 60

LEVEL_HIGH = "high"
LEVEL_MEDIUM = "medium"
LEVEL_LOW = "low"


@dataclass(frozen=True)
class Params:
    """The knobs of the score (the defaults are the station's unless it says otherwise)."""

    half_life_days: float = 30.0
    violent_weight: float = 3.0
    rising_boost: float = 0.5
    high_at: float = 4.0
    medium_at: float = 2.0
    violent_categories: frozenset[str] = VIOLENT_CATEGORIES


@dataclass(frozen=True)
class PastCall:
    """One call to the police that matches a dispute, and how it matched."""

    call_id: int
    at: dt.datetime
    category: str = ""                      # the code of its incident's category, "" when none
    matched: frozenset[str] = frozenset()   # BY_PHONE, BY_NAME, BY_ADDRESS


@dataclass(frozen=True)
class DisputeCalls:
    """A dispute and the calls that match it."""

    dispute_id: int
    calls: Sequence[PastCall]


@dataclass(frozen=True)
class Reason:
    """Why a dispute ranks where it does, as data: `code` and the numbers that go with it."""

    code: str
    count: int = 0
    days: int = 0
    match: str = ""
    before: int = 0
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """A dispute's risk: the score, its level, the reasons, and the figures behind them."""

    dispute_id: int
    score: float
    level: str
    reasons: tuple[Reason, ...]
    calls: int
    last_call_at: dt.datetime | None
    recent: int = 0
    before: int = 0
    violent: int = 0
    decayed: float = 0.0
    rising: float = 0.0
    call_ids: tuple[int, ...] = field(default=(), repr=False)


def _age_days(at: dt.datetime, now: dt.datetime) -> float:
    return max(0.0, (now - at).total_seconds() / 86400.0)


def decay(age_days: float, half_life_days: float) -> float:
    """The weight left after `age_days`: 1 now, ½ after one half-life, ¼ after two."""
    return math.pow(0.5, age_days / half_life_days)


def rising(recent: int, before: int) -> float:
    """How much faster the last 30 days called than the 60 before, from 0 (not faster) to 1.

    Rates per day are compared as (r₃₀ − r₆₀) / (r₃₀ + r₆₀); a single recent call is not a
    trend, so fewer than two calls in the last 30 days give 0."""
    if recent < 2:
        return 0.0
    rate_recent = recent / RECENT_DAYS
    rate_before = before / BEFORE_DAYS
    if rate_recent <= rate_before:
        return 0.0
    return (rate_recent - rate_before) / (rate_recent + rate_before)


def level_of(score: float, params: Params) -> str:
    if score >= params.high_at:
        return LEVEL_HIGH
    if score >= params.medium_at:
        return LEVEL_MEDIUM
    return LEVEL_LOW


def _window_count(calls: Sequence[PastCall], now: dt.datetime) -> tuple[int, int]:
    """(count, days): the shortest window with at least two calls, else the shortest with one."""
    ages = [_age_days(call.at, now) for call in calls]
    for wanted in (2, 1):
        for days in WINDOWS_DAYS:
            count = sum(1 for age in ages if age <= days)
            if count >= wanted:
                return count, days
    return 0, 0


def _call_reasons(calls: Sequence[PastCall], now: dt.datetime) -> list[Reason]:
    reasons = []
    for match in MATCHES:
        matching = [call for call in calls if match in call.matched]
        count, days = _window_count(matching, now)
        if count:
            reasons.append(Reason(REASON_CALLS, count=count, days=days, match=match))
    return reasons


def _unique(calls: Iterable[PastCall], now: dt.datetime) -> list[PastCall]:
    """One entry per call (the matches merged), none after `now`, oldest first."""
    merged: dict[int, PastCall] = {}
    for call in calls:
        if call.at > now:
            continue
        earlier = merged.get(call.call_id)
        if earlier is not None:
            call = PastCall(call.call_id, call.at, call.category or earlier.category, earlier.matched | call.matched)
        merged[call.call_id] = call
    return sorted(merged.values(), key=lambda call: (call.at, call.call_id))


def assess(dispute: DisputeCalls, now: dt.datetime, params: Params | None = None) -> Assessment:
    """The risk of one dispute at `now` (aware or naive like the calls' times)."""
    params = params or Params()
    calls = _unique(dispute.calls, now)
    decayed = 0.0
    violent_categories: list[str] = []
    recent = before = 0
    for call in calls:
        age = _age_days(call.at, now)
        violent = call.category in params.violent_categories
        if violent:
            violent_categories.append(call.category)
        decayed += (params.violent_weight if violent else 1.0) * decay(age, params.half_life_days)
        if age <= RECENT_DAYS:
            recent += 1
        elif age <= RECENT_DAYS + BEFORE_DAYS:
            before += 1
    trend = rising(recent, before)
    score = decayed * (1.0 + params.rising_boost * trend)
    reasons = _call_reasons(calls, now)
    if violent_categories:
        kinds = tuple(sorted(set(violent_categories)))
        reasons.append(Reason(REASON_VIOLENT, count=len(violent_categories), categories=kinds))
    if trend > 0:
        reasons.append(Reason(REASON_RISING, count=recent, days=RECENT_DAYS, before=before))
    return Assessment(
        dispute_id=dispute.dispute_id, score=round(score, 4), level=level_of(score, params), reasons=tuple(reasons),
        calls=len(calls), last_call_at=calls[-1].at if calls else None, recent=recent, before=before,
        violent=len(violent_categories), decayed=round(decayed, 4), rising=round(trend, 4),
        call_ids=tuple(call.call_id for call in calls),
    )


def rank(disputes: Iterable[DisputeCalls], now: dt.datetime, params: Params | None = None,
         *, first: Iterable[int] = ()) -> list[Assessment]:
    """The disputes' assessments, highest risk first (ties: the latest call first, then the
    dispute's id). Disputes whose ids are in `first` (the reader's own beat) come before the
    others, each group ranked the same way."""
    params = params or Params()
    preferred = set(first)
    assessments = [assess(dispute, now, params) for dispute in disputes]

    def key(assessment: Assessment) -> tuple[int, float, float, int]:
        last = assessment.last_call_at
        last_age = _age_days(last, now) if last is not None else math.inf
        return (0 if assessment.dispute_id in preferred else 1, -assessment.score, last_age, assessment.dispute_id)

    return sorted(assessments, key=key)
