"""The life of a transfer (非警务移交) and who owns it when (pure, no Django).

    pushed → received → in_progress → result → confirmed
             (extended: in_progress again, later deadline)
    side exits: returned ("not ours", by the department, with a reason: the incident goes
    back to the command room to be routed again), withdrawn (by the command room)
    result → in_progress again when the caller is dissatisfied (redo)

While the department has it (pushed, received, in progress) the department owns it and
one deadline runs: receipt while pushed, then the result; once the result is in, the
command room owns it until it has asked the caller. `apply` is the one function that
moves a transfer; the services store what it returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

PUSHED = "pushed"
RECEIVED = "received"
IN_PROGRESS = "in_progress"
RESULT = "result"
CONFIRMED = "confirmed"
RETURNED = "returned"
WITHDRAWN = "withdrawn"

ALL = (PUSHED, RECEIVED, IN_PROGRESS, RESULT, CONFIRMED, RETURNED, WITHDRAWN)
WITH_DEPARTMENT = frozenset({PUSHED, RECEIVED, IN_PROGRESS})
OPEN = WITH_DEPARTMENT | {RESULT}
FINISHED = frozenset({CONFIRMED, RETURNED, WITHDRAWN})

# Who may take each action: the department (portal or API) or the station's command room.
DEPARTMENT = "department"
STATION = "station"
COMMAND_ROOM = "command_room"  # the owner while the result waits for the caller

# action → (states it may start from, state it leads to, who takes it); None keeps the state.
ACTIONS: dict[str, tuple[frozenset[str], str | None, str]] = {
    "receive": (frozenset({PUSHED}), RECEIVED, DEPARTMENT),
    "start": (frozenset({RECEIVED}), IN_PROGRESS, DEPARTMENT),
    "extend": (frozenset({RECEIVED, IN_PROGRESS}), IN_PROGRESS, DEPARTMENT),
    "report": (frozenset({RECEIVED, IN_PROGRESS}), RESULT, DEPARTMENT),
    "return": (frozenset(WITH_DEPARTMENT), RETURNED, DEPARTMENT),
    "note": (frozenset(WITH_DEPARTMENT), None, DEPARTMENT),
    "chase": (frozenset(WITH_DEPARTMENT), None, STATION),
    "confirm": (frozenset({RESULT}), CONFIRMED, STATION),
    "redo": (frozenset({RESULT}), IN_PROGRESS, STATION),
    "withdraw": (frozenset(WITH_DEPARTMENT), WITHDRAWN, STATION),
}

# The deadline that runs in each open state.
STEP_RECEIPT = "receipt"
STEP_RESULT = "result"
STEP_CONFIRM = "confirm"
DUE_STEP = {PUSHED: STEP_RECEIPT, RECEIVED: STEP_RESULT, IN_PROGRESS: STEP_RESULT, RESULT: STEP_CONFIRM}


class TransferError(ValueError):
    """A move the transfer's state, the actor or the clock does not allow; `code` names which."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Clock:
    """A station's time limits for transfers (the result deadline comes from the routing rule)."""

    receipt_minutes: int = 120
    confirm_hours: int = 24
    max_extensions: int = 2
    max_extension_days: int = 7
    redo_hours: int = 72


@dataclass(frozen=True)
class Item:
    """What the machine knows of one transfer."""

    state: str
    pushed_at: dt.datetime
    result_due: dt.datetime
    due_step: str = STEP_RECEIPT
    due_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    extensions: int = 0
    chases: int = 0

    @property
    def owner(self) -> str:
        if self.state in WITH_DEPARTMENT:
            return DEPARTMENT
        if self.state == RESULT:
            return COMMAND_ROOM
        return ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


def push(now: dt.datetime, *, result_hours: int, clock: Clock = Clock()) -> Item:
    """A new transfer: the department must receive it soon and answer by `result_hours`."""
    if result_hours <= 0:
        raise TransferError("the result deadline must be in the future", code="bad_deadline")
    result_due = now + dt.timedelta(hours=result_hours)
    receipt_due = min(now + dt.timedelta(minutes=clock.receipt_minutes), result_due)
    return Item(state=PUSHED, pushed_at=now, result_due=result_due, due_step=STEP_RECEIPT, due_at=receipt_due)


def allowed(item: Item, action: str, actor: str) -> bool:
    if action not in ACTIONS:
        return False
    sources, _target, who = ACTIONS[action]
    return item.state in sources and actor == who


def apply(item: Item, action: str, *, actor: str, now: dt.datetime, clock: Clock = Clock(),
          new_deadline: dt.datetime | None = None) -> Item:
    """The transfer after `actor` takes `action` at `now`; TransferError if it may not.

    `extend` needs `new_deadline` (later than the current one, within the station's
    limits); `redo` may give one (default: `clock.redo_hours` from now).
    """
    if action not in ACTIONS:
        raise TransferError(f"unknown action {action!r}", code="unknown_action")
    sources, target, who = ACTIONS[action]
    if actor != who:
        raise TransferError(f"{action!r} is taken by the {who}, not the {actor}", code="not_yours")
    if item.state not in sources:
        raise TransferError(f"a transfer that is {item.state!r} cannot be given {action!r}", code="wrong_state")
    changes: dict[str, object] = {}
    if action == "extend":
        changes.update(_extension(item, now, clock, new_deadline))
    elif action == "redo":
        due = new_deadline or now + dt.timedelta(hours=clock.redo_hours)
        if due <= now:
            raise TransferError("the new deadline must be in the future", code="bad_deadline")
        changes.update(result_due=due, reported_at=None)
    elif action == "report":
        changes["reported_at"] = now
    elif action == "chase":
        changes["chases"] = item.chases + 1
    moved = dataclasses.replace(item, state=target or item.state, **changes)  # type: ignore[arg-type]
    return _with_due(moved, clock)


def _extension(item: Item, now: dt.datetime, clock: Clock, new_deadline: dt.datetime | None) -> dict[str, object]:
    if new_deadline is None:
        raise TransferError("an extension needs a new deadline", code="bad_deadline")
    if new_deadline <= max(item.result_due, now):
        raise TransferError("the new deadline must be later than the current one", code="bad_deadline")
    if item.extensions >= clock.max_extensions:
        raise TransferError(f"at most {clock.max_extensions} extensions; ask the command room", code="too_many_extensions")
    if new_deadline - item.result_due > dt.timedelta(days=clock.max_extension_days):
        raise TransferError(f"an extension may add at most {clock.max_extension_days} days", code="too_long")
    return {"result_due": new_deadline, "extensions": item.extensions + 1}


def _with_due(item: Item, clock: Clock) -> Item:
    """The deadline that runs in the item's (new) state."""
    step = DUE_STEP.get(item.state, "")
    if step == STEP_RECEIPT:
        due: dt.datetime | None = item.due_at
    elif step == STEP_RESULT:
        due = item.result_due
    elif step == STEP_CONFIRM:
        assert item.reported_at is not None
        due = item.reported_at + dt.timedelta(hours=clock.confirm_hours)
    else:
        due = None
    return dataclasses.replace(item, due_step=step, due_at=due)
