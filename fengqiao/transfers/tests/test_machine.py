"""The life of a transfer, transition by transition, including every move that is not allowed
(no database), and the property that an open transfer always has an owner and a deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengqiao.transfers import machine
from fengqiao.transfers.machine import (
    COMMAND_ROOM,
    DEPARTMENT,
    STATION,
    Clock,
    TransferError,
)

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DEFAULT_CLOCK = Clock()

# The allowed moves, written out by hand: (state, action) → the state after.
ALLOWED = {
    ("pushed", "receive"): "received",
    ("pushed", "return"): "returned",
    ("pushed", "note"): "pushed",
    ("pushed", "chase"): "pushed",
    ("pushed", "withdraw"): "withdrawn",
    ("received", "start"): "in_progress",
    ("received", "extend"): "in_progress",
    ("received", "report"): "result",
    ("received", "return"): "returned",
    ("received", "note"): "received",
    ("received", "chase"): "received",
    ("received", "withdraw"): "withdrawn",
    ("in_progress", "extend"): "in_progress",
    ("in_progress", "report"): "result",
    ("in_progress", "return"): "returned",
    ("in_progress", "note"): "in_progress",
    ("in_progress", "chase"): "in_progress",
    ("in_progress", "withdraw"): "withdrawn",
    ("result", "confirm"): "confirmed",
    ("result", "redo"): "in_progress",
}
ACTOR = {"receive": DEPARTMENT, "start": DEPARTMENT, "extend": DEPARTMENT, "report": DEPARTMENT, "return": DEPARTMENT,
         "note": DEPARTMENT, "chase": STATION, "confirm": STATION, "redo": STATION, "withdraw": STATION}
PATHS = {
    "pushed": [], "received": ["receive"], "in_progress": ["receive", "start"], "result": ["receive", "report"],
    "confirmed": ["receive", "report", "confirm"], "returned": ["return"], "withdrawn": ["withdraw"],
}


def _new(result_hours: int = 72, clock: Clock = DEFAULT_CLOCK) -> machine.Item:
    return machine.push(NOW, result_hours=result_hours, clock=clock)


def _take(item: machine.Item, action: str, *, at: dt.datetime = NOW, clock: Clock = DEFAULT_CLOCK,
          new_deadline: dt.datetime | None = None) -> machine.Item:
    if action == "extend" and new_deadline is None:
        new_deadline = item.result_due + dt.timedelta(days=1)
    return machine.apply(item, action, actor=ACTOR[action], now=at, clock=clock, new_deadline=new_deadline)


def _transfer_in(state: str) -> machine.Item:
    item = _new()
    for action in PATHS[state]:
        item = _take(item, action)
    assert item.state == state
    return item


def test_a_new_transfer_is_with_the_department_and_must_be_received_within_two_hours() -> None:
    item = _new(result_hours=24)
    assert item.state == "pushed" and item.owner == DEPARTMENT and item.is_open
    assert item.due_step == "receipt" and item.due_at == NOW + 2 * HOUR
    assert item.result_due == NOW + 24 * HOUR


def test_a_result_due_sooner_than_the_receipt_limit_bounds_the_receipt_too() -> None:
    item = _new(result_hours=1)
    assert item.due_at == NOW + HOUR


def test_a_transfer_without_time_for_the_result_cannot_be_pushed() -> None:
    with pytest.raises(TransferError) as refused:
        machine.push(NOW, result_hours=0)
    assert refused.value.code == "bad_deadline"


@pytest.mark.parametrize(("state", "action"), sorted(ALLOWED))
def test_each_allowed_move_leads_where_the_table_says(state: str, action: str) -> None:
    after = _take(_transfer_in(state), action, at=NOW + HOUR)
    assert after.state == ALLOWED[(state, action)]


@pytest.mark.parametrize(("state", "action"), sorted(
    (state, action) for state in machine.ALL for action in machine.ACTIONS if (state, action) not in ALLOWED))
def test_each_move_the_table_does_not_allow_is_refused_as_the_wrong_state(state: str, action: str) -> None:
    with pytest.raises(TransferError) as refused:
        _take(_transfer_in(state), action)
    assert refused.value.code == "wrong_state"


@pytest.mark.parametrize("action", sorted(machine.ACTIONS))
def test_the_other_side_may_not_take_a_move(action: str) -> None:
    other = STATION if ACTOR[action] == DEPARTMENT else DEPARTMENT
    state = next(state for (state, allowed_action) in ALLOWED if allowed_action == action)
    with pytest.raises(TransferError) as refused:
        machine.apply(_transfer_in(state), action, actor=other, now=NOW, new_deadline=NOW + 100 * HOUR)
    assert refused.value.code == "not_yours"


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(TransferError) as refused:
        machine.apply(_new(), "escalate", actor=STATION, now=NOW)
    assert refused.value.code == "unknown_action"
    assert not machine.allowed(_new(), "escalate", STATION)


def test_receiving_starts_the_result_deadline() -> None:
    item = _take(_new(result_hours=48), "receive", at=NOW + HOUR)
    assert (item.due_step, item.due_at) == ("result", NOW + 48 * HOUR)


def test_reporting_hands_it_to_the_command_room_with_a_day_to_ask_the_caller() -> None:
    item = _take(_transfer_in("in_progress"), "report", at=NOW + 5 * HOUR)
    assert item.owner == COMMAND_ROOM and item.reported_at == NOW + 5 * HOUR
    assert (item.due_step, item.due_at) == ("confirm", NOW + 29 * HOUR)


def test_an_extension_moves_the_result_deadline_and_is_counted() -> None:
    item = _transfer_in("received")
    later = item.result_due + dt.timedelta(days=2)
    extended = _take(item, "extend", new_deadline=later)
    assert extended.state == "in_progress" and extended.result_due == later and extended.due_at == later
    assert extended.extensions == 1


def test_an_extension_needs_a_later_deadline_within_the_limit() -> None:
    item = _transfer_in("in_progress")
    for deadline, code in ((None, "bad_deadline"), (item.result_due, "bad_deadline"),
                           (item.result_due + dt.timedelta(days=8), "too_long")):
        with pytest.raises(TransferError) as refused:
            machine.apply(item, "extend", actor=DEPARTMENT, now=NOW, new_deadline=deadline)
        assert refused.value.code == code


def test_a_third_extension_is_refused_by_the_default_clock() -> None:
    item = _transfer_in("in_progress")
    item = _take(item, "extend")
    item = _take(item, "extend")
    with pytest.raises(TransferError) as refused:
        _take(item, "extend")
    assert refused.value.code == "too_many_extensions"


def test_a_chase_is_counted_and_keeps_the_deadline() -> None:
    item = _transfer_in("received")
    chased = _take(_take(item, "chase"), "chase")
    assert chased.chases == 2 and chased.state == "received" and chased.due_at == item.due_at


def test_a_dissatisfied_caller_sends_it_back_with_the_redo_time_or_a_given_deadline() -> None:
    result = _transfer_in("result")
    redone = _take(result, "redo", at=NOW + HOUR)
    assert redone.state == "in_progress" and redone.owner == DEPARTMENT and redone.reported_at is None
    assert redone.result_due == NOW + HOUR + 72 * HOUR and redone.due_at == redone.result_due
    chosen = _take(result, "redo", at=NOW + HOUR, new_deadline=NOW + 10 * HOUR)
    assert chosen.result_due == NOW + 10 * HOUR
    with pytest.raises(TransferError):
        _take(result, "redo", at=NOW + HOUR, new_deadline=NOW)


@pytest.mark.parametrize("state", ["confirmed", "returned", "withdrawn"])
def test_a_finished_transfer_has_no_owner_and_no_deadline(state: str) -> None:
    item = _transfer_in(state)
    assert not item.is_open and item.owner == "" and item.due_at is None and item.due_step == ""


# -- the property ---------------------------------------------------------------------------------------


@st.composite
def _moves(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """A list of (action, minutes later, days for an extension or a redo)."""
    return draw(st.lists(st.tuples(st.sampled_from(sorted(machine.ACTIONS)), st.integers(0, 3 * 24 * 60),
                                   st.integers(0, 9)), max_size=25))


@settings(max_examples=600, deadline=None)
@given(result_hours=st.integers(1, 24 * 14), moves=_moves(),
       clock=st.builds(Clock, receipt_minutes=st.integers(1, 600), confirm_hours=st.integers(1, 96),
                       max_extensions=st.integers(0, 4), max_extension_days=st.integers(1, 10),
                       redo_hours=st.integers(1, 200)))
def test_no_sequence_of_valid_moves_leaves_an_open_transfer_without_an_owner_and_a_deadline(
        result_hours: int, moves: list[tuple[str, int, int]], clock: Clock) -> None:
    now = NOW
    item = machine.push(now, result_hours=result_hours, clock=clock)
    for action, minutes, days in moves:
        now += dt.timedelta(minutes=minutes)
        deadline = item.result_due + dt.timedelta(days=days) if action == "extend" else (
            now + dt.timedelta(days=days) if days else None)
        try:
            item = machine.apply(item, action, actor=ACTOR[action], now=now, clock=clock, new_deadline=deadline)
        except TransferError:
            continue
        assert item.state in machine.ALL
        if item.is_open:
            assert item.owner in (DEPARTMENT, COMMAND_ROOM)
            assert item.due_step == machine.DUE_STEP[item.state] and item.due_at is not None
        else:
            assert item.owner == "" and item.due_at is None
        assert item.extensions <= clock.max_extensions
