"""Deadlines (时限): which policy applies, when a step falls due, how late it is (pure, no Django).

A station's policy table has rows per category × priority × step (and urban or suburban
area), each with a warning and an alert threshold in minutes from the moment the step
started. A row may leave category, priority or area blank to mean "any"; the most
specific row wins. Feedback is due by the end of the shift in which the officer arrived
(`until_shift_end`), with the warning a fixed number of minutes before it.

Steps:
    dispatch     an incident waiting for an order, from when it was received
    acknowledge  an issued order waiting to be signed for (签收), from issue
    arrive       on scene (到场), from issue
    feedback     the feedback report (反馈), from arrival
    follow_up    a follow-up visit (回访), from when it was scheduled
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STEPS = ("dispatch", "acknowledge", "arrive", "feedback", "follow_up")
OK, WARNING, ALERT = "ok", "warning", "alert"
URBAN, SUBURBAN = "urban", "suburban"

# Shifts of the reference station (DESIGN.md §4): day 09–16, evening 16–23, night 23–09.
DEFAULT_SHIFT_STARTS = (9, 16, 23)


@dataclass(frozen=True, slots=True)
class Policy:
    step: str
    warning_minutes: int
    alert_minutes: int
    category: str = ""  # a category code ("dispute.neighbour"), a family code ("dispute"), or "" for any
    priority: int | None = None
    area: str = ""  # URBAN, SUBURBAN or "" for either
    until_shift_end: bool = False

    def specificity(self, category: str) -> tuple[int, int, int]:
        kind = 2 if self.category == category else 1 if self.category else 0
        return (kind, self.priority is not None, bool(self.area))


@dataclass(frozen=True, slots=True)
class Due:
    step: str
    warn_at: dt.datetime
    alert_at: dt.datetime


# What a new station starts with; each station edits its own copy.
DEFAULT_POLICIES: tuple[Policy, ...] = (
    Policy("dispatch", 1, 2, priority=1),
    Policy("dispatch", 2, 3, priority=2),
    Policy("dispatch", 3, 5),
    Policy("acknowledge", 1, 2),
    Policy("arrive", 4, 5, priority=1, area=URBAN),
    Policy("arrive", 8, 10, priority=1, area=SUBURBAN),
    Policy("arrive", 10, 15, priority=2, area=URBAN),
    Policy("arrive", 15, 20, priority=2, area=SUBURBAN),
    Policy("arrive", 20, 30, priority=3),
    Policy("arrive", 45, 60, priority=4),
    Policy("feedback", 30, 0, until_shift_end=True),
    Policy("follow_up", 0, 24 * 60),
)


def family_of(category: str) -> str:
    return category.split(".", 1)[0]


def pick(policies: Iterable[Policy], *, step: str, category: str, priority: int, area: str) -> Policy | None:
    """The most specific policy row for this step, category, priority and area."""
    family = family_of(category)
    best: Policy | None = None
    best_rank: tuple[int, int, int] | None = None
    for policy in policies:
        if policy.step != step:
            continue
        if policy.category and policy.category not in (category, family):
            continue
        if policy.priority is not None and policy.priority != priority:
            continue
        if policy.area and policy.area != area:
            continue
        rank = policy.specificity(category)
        if best_rank is None or rank > best_rank:
            best, best_rank = policy, rank
    return best


def shift_end(at: dt.datetime, shift_starts: Sequence[int] = DEFAULT_SHIFT_STARTS) -> dt.datetime:
    """The end of the shift `at` falls in: the next shift start strictly after it (local time of `at`)."""
    starts = sorted(set(shift_starts)) or [0]
    day = at.replace(minute=0, second=0, microsecond=0)
    for hour in starts:
        candidate = day.replace(hour=hour)
        if candidate > at:
            return candidate
    return (day + dt.timedelta(days=1)).replace(hour=starts[0])


def due(
    policy: Policy | None, started_at: dt.datetime, *, step: str,
    shift_starts: Sequence[int] = DEFAULT_SHIFT_STARTS, fallback_minutes: int = 60,
) -> Due:
    """When the step that started at `started_at` warns and alerts.

    With no policy row the step still gets a deadline (`fallback_minutes`): nothing open
    is ever without one.
    """
    if policy is None:
        alert_at = started_at + dt.timedelta(minutes=fallback_minutes)
        return Due(step, alert_at - dt.timedelta(minutes=fallback_minutes // 4), alert_at)
    if policy.until_shift_end:
        alert_at = shift_end(started_at, shift_starts)
        warn_at = max(started_at, alert_at - dt.timedelta(minutes=policy.warning_minutes))
        return Due(step, warn_at, alert_at)
    return Due(
        step,
        started_at + dt.timedelta(minutes=policy.warning_minutes),
        started_at + dt.timedelta(minutes=max(policy.alert_minutes, policy.warning_minutes)),
    )


def level(now: dt.datetime, warn_at: dt.datetime | None, alert_at: dt.datetime | None) -> str:
    """OK, WARNING once the warning time has come, ALERT once the deadline has passed."""
    if alert_at is not None and now >= alert_at:
        return ALERT
    if warn_at is not None and now >= warn_at:
        return WARNING
    return OK


def check_policies(policies: Iterable[Policy]) -> list[str]:
    """Problems with a policy table, as sentences (empty when it is usable)."""
    problems = []
    rows = list(policies)
    for number, policy in enumerate(rows, start=1):
        if policy.step not in STEPS:
            problems.append(f"row {number}: unknown step {policy.step!r}")
        if policy.warning_minutes < 0 or policy.alert_minutes < 0:
            problems.append(f"row {number}: minutes cannot be negative")
        if not policy.until_shift_end and policy.alert_minutes < policy.warning_minutes:
            problems.append(f"row {number}: the alert comes before the warning")
        if policy.priority is not None and not 1 <= policy.priority <= 4:
            problems.append(f"row {number}: priority must be 1–4")
        if policy.area not in ("", URBAN, SUBURBAN):
            problems.append(f"row {number}: area must be urban, suburban or blank")
    for step in STEPS:
        for priority in (1, 2, 3, 4):
            for area in (URBAN, SUBURBAN):
                if pick(rows, step=step, category="", priority=priority, area=area) is None:
                    problems.append(f"step {step!r}: no row for priority {priority} in a {area} area "
                                    "(add one with the category left blank)")
    return problems
