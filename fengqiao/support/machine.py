"""The life of a support request (警种支援) and who owns it when (pure, no Django).

    requested → accepted (by a named member of the unit) → in_progress → completed
    requested → declined (by the unit, with a reason) → requested again (to another unit)
    cancelled by the station from any open state

"The station blows the whistle, the units report": while the unit has the request it owns
it, with a deadline to accept (the unit's response time, never later than the help is
needed), then to be there (needed by), then to report completion; a declined request is
the station's again, with a deadline to decide what now. `apply` is the one function
that moves a request; the services store what it returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

REQUESTED = "requested"
ACCEPTED = "accepted"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
DECLINED = "declined"
CANCELLED = "cancelled"

ALL = (REQUESTED, ACCEPTED, IN_PROGRESS, COMPLETED, DECLINED, CANCELLED)
WITH_UNIT = frozenset({REQUESTED, ACCEPTED, IN_PROGRESS})
OPEN = WITH_UNIT | {DECLINED}
FINISHED = frozenset({COMPLETED, CANCELLED})

UNIT = "unit"
STATION = "station"

ACTIONS: dict[str, tuple[frozenset[str], str | None, str]] = {
    "accept": (frozenset({REQUESTED}), ACCEPTED, UNIT),
    "decline": (frozenset({REQUESTED}), DECLINED, UNIT),
    "start": (frozenset({ACCEPTED}), IN_PROGRESS, UNIT),
    "progress": (frozenset({ACCEPTED, IN_PROGRESS}), None, UNIT),
    "complete": (frozenset({ACCEPTED, IN_PROGRESS}), COMPLETED, UNIT),
    "reroute": (frozenset({DECLINED}), REQUESTED, STATION),
    "cancel": (frozenset(OPEN), CANCELLED, STATION),
    "chase": (frozenset(WITH_UNIT), None, STATION),
}

STEP_ACCEPT = "accept"
STEP_ARRIVE = "arrive"
STEP_COMPLETE = "complete"
STEP_DECIDE = "decide"
DUE_STEP = {REQUESTED: STEP_ACCEPT, ACCEPTED: STEP_ARRIVE, IN_PROGRESS: STEP_COMPLETE, DECLINED: STEP_DECIDE}


class SupportError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Clock:
    response_minutes: int = 30     # the unit's time to accept (set per unit)
    complete_hours: int = 24       # after the help was needed, to report completion
    decide_minutes: int = 60       # the station's time to re-route or cancel a declined request


@dataclass(frozen=True)
class Item:
    state: str
    requested_at: dt.datetime
    needed_by: dt.datetime
    due_step: str = STEP_ACCEPT
    due_at: dt.datetime | None = None
    accepted_by: int | None = None
    chases: int = 0

    @property
    def owner(self) -> str:
        if self.state in WITH_UNIT:
            return UNIT
        if self.state == DECLINED:
            return STATION
        return ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


def request(now: dt.datetime, needed_by: dt.datetime, *, clock: Clock = Clock()) -> Item:
    if needed_by <= now:
        raise SupportError("the help must be needed at a later time", code="bad_deadline")
    return _with_due(Item(state=REQUESTED, requested_at=now, needed_by=needed_by), now, clock)


def allowed(item: Item, action: str, actor: str) -> bool:
    if action not in ACTIONS:
        return False
    sources, _target, who = ACTIONS[action]
    return item.state in sources and actor == who


def apply(item: Item, action: str, *, actor: str, now: dt.datetime, clock: Clock = Clock(),
          member: int | None = None, needed_by: dt.datetime | None = None) -> Item:
    """The request after `actor` takes `action` at `now`; SupportError if it may not.

    `accept` needs the accepting `member`; later unit actions must be that member's (or the
    unit's, when `member` is None); `reroute` may move `needed_by`.
    """
    if action not in ACTIONS:
        raise SupportError(f"unknown action {action!r}", code="unknown_action")
    sources, target, who = ACTIONS[action]
    if actor != who:
        raise SupportError(f"{action!r} is taken by the {who}, not the {actor}", code="not_yours")
    if item.state not in sources:
        raise SupportError(f"a request that is {item.state!r} cannot be given {action!r}", code="wrong_state")
    changes: dict[str, object] = {}
    if action == "accept":
        if member is None:
            raise SupportError("a named member of the unit accepts", code="no_member")
        changes["accepted_by"] = member
    elif action == "reroute":
        wanted = needed_by or item.needed_by
        if wanted <= now:
            raise SupportError("the help must be needed at a later time", code="bad_deadline")
        changes.update(needed_by=wanted, accepted_by=None, requested_at=now)
    elif action == "chase":
        changes["chases"] = item.chases + 1
    moved = dataclasses.replace(item, state=target or item.state, **changes)  # type: ignore[arg-type]
    if target is None:
        return moved  # the same deadline still runs
    return _with_due(moved, now, clock)


def _with_due(item: Item, now: dt.datetime, clock: Clock) -> Item:
    step = DUE_STEP.get(item.state, "")
    due: dt.datetime | None
    if step == STEP_ACCEPT:
        due = min(now + dt.timedelta(minutes=clock.response_minutes), item.needed_by)
    elif step == STEP_ARRIVE:
        due = max(item.needed_by, now)
    elif step == STEP_COMPLETE:
        due = max(item.needed_by, now) + dt.timedelta(hours=clock.complete_hours)
    elif step == STEP_DECIDE:
        due = now + dt.timedelta(minutes=clock.decide_minutes)
    else:
        due = None
    return dataclasses.replace(item, due_step=step, due_at=due)
