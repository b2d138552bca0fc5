"""The life of a support request, transition by transition, with no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengqiao.support import machine
from fengqiao.support.machine import Clock, Item, SupportError

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
NEEDED = T0 + dt.timedelta(hours=2)
CLOCK = Clock(response_minutes=30, complete_hours=24, decide_minutes=60)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def requested() -> Item:
    return machine.request(T0, NEEDED, clock=CLOCK)


def accepted() -> Item:
    return machine.apply(requested(), "accept", actor=machine.UNIT, now=at(10), clock=CLOCK, member=7)


def in_progress() -> Item:
    return machine.apply(accepted(), "start", actor=machine.UNIT, now=at(100), clock=CLOCK)


def declined() -> Item:
    return machine.apply(requested(), "decline", actor=machine.UNIT, now=at(5), clock=CLOCK)


def completed() -> Item:
    return machine.apply(in_progress(), "complete", actor=machine.UNIT, now=at(200), clock=CLOCK)


def cancelled() -> Item:
    return machine.apply(requested(), "cancel", actor=machine.STATION, now=at(5), clock=CLOCK)


ITEMS = {
    machine.REQUESTED: requested, machine.ACCEPTED: accepted, machine.IN_PROGRESS: in_progress,
    machine.DECLINED: declined, machine.COMPLETED: completed, machine.CANCELLED: cancelled,
}


# -- asking --------------------------------------------------------------------------------------


def test_a_new_request_waits_for_the_unit_to_accept_within_its_response_time() -> None:
    item = requested()
    assert item.state == machine.REQUESTED and item.owner == machine.UNIT
    assert item.due_step == machine.STEP_ACCEPT and item.due_at == at(30)


def test_acceptance_is_due_no_later_than_the_help_is_needed() -> None:
    item = machine.request(T0, at(10), clock=CLOCK)
    assert item.due_at == at(10)


def test_help_needed_in_the_past_is_refused() -> None:
    with pytest.raises(SupportError) as refused:
        machine.request(T0, T0, clock=CLOCK)
    assert refused.value.code == "bad_deadline"


# -- the unit's moves ------------------------------------------------------------------------------


def test_a_named_member_accepts_and_the_help_is_due_when_needed() -> None:
    item = accepted()
    assert item.state == machine.ACCEPTED and item.accepted_by == 7 and item.owner == machine.UNIT
    assert item.due_step == machine.STEP_ARRIVE and item.due_at == NEEDED


def test_accepting_late_makes_the_help_due_at_once() -> None:
    item = machine.apply(requested(), "accept", actor=machine.UNIT, now=NEEDED + dt.timedelta(minutes=5), clock=CLOCK, member=7)
    assert item.due_at == NEEDED + dt.timedelta(minutes=5)


def test_accepting_needs_a_named_member() -> None:
    with pytest.raises(SupportError) as refused:
        machine.apply(requested(), "accept", actor=machine.UNIT, now=at(1), clock=CLOCK)
    assert refused.value.code == "no_member"


def test_the_station_cannot_accept_for_the_unit() -> None:
    with pytest.raises(SupportError) as refused:
        machine.apply(requested(), "accept", actor=machine.STATION, now=at(1), clock=CLOCK, member=7)
    assert refused.value.code == "not_yours"


def test_a_declined_request_is_the_stations_with_an_hour_to_decide() -> None:
    item = declined()
    assert item.state == machine.DECLINED and item.owner == machine.STATION and item.is_open
    assert item.due_step == machine.STEP_DECIDE and item.due_at == at(65)


def test_starting_work_gives_a_day_after_the_help_was_needed_to_complete() -> None:
    item = in_progress()
    assert item.state == machine.IN_PROGRESS and item.accepted_by == 7
    assert item.due_step == machine.STEP_COMPLETE and item.due_at == NEEDED + dt.timedelta(hours=24)


def test_a_progress_note_keeps_the_state_and_the_deadline() -> None:
    for before in (accepted(), in_progress()):
        after = machine.apply(before, "progress", actor=machine.UNIT, now=at(50), clock=CLOCK)
        assert (after.state, after.due_step, after.due_at) == (before.state, before.due_step, before.due_at)


def test_completing_ends_the_request_with_no_owner_and_no_deadline() -> None:
    for before in (accepted(), in_progress()):
        after = machine.apply(before, "complete", actor=machine.UNIT, now=at(150), clock=CLOCK)
        assert after.state == machine.COMPLETED and not after.is_open
        assert after.owner == "" and after.due_step == "" and after.due_at is None


# -- the station's moves ----------------------------------------------------------------------------


def test_a_declined_request_is_rerouted_afresh() -> None:
    item = machine.apply(declined(), "reroute", actor=machine.STATION, now=at(20), clock=Clock(response_minutes=15))
    assert item.state == machine.REQUESTED and item.accepted_by is None and item.requested_at == at(20)
    assert item.needed_by == NEEDED and item.due_step == machine.STEP_ACCEPT and item.due_at == at(35)


def test_rerouting_may_move_the_time_the_help_is_needed() -> None:
    later = NEEDED + dt.timedelta(hours=3)
    item = machine.apply(declined(), "reroute", actor=machine.STATION, now=at(20), clock=CLOCK, needed_by=later)
    assert item.needed_by == later


def test_rerouting_to_a_time_already_past_is_refused() -> None:
    with pytest.raises(SupportError) as refused:
        machine.apply(declined(), "reroute", actor=machine.STATION, now=NEEDED + dt.timedelta(minutes=1), clock=CLOCK)
    assert refused.value.code == "bad_deadline"


def test_a_unit_cannot_reroute() -> None:
    with pytest.raises(SupportError) as refused:
        machine.apply(declined(), "reroute", actor=machine.UNIT, now=at(20), clock=CLOCK)
    assert refused.value.code == "not_yours"


@pytest.mark.parametrize("state", sorted(machine.OPEN))
def test_the_station_may_cancel_any_open_request(state: str) -> None:
    item = machine.apply(ITEMS[state](), "cancel", actor=machine.STATION, now=at(300), clock=CLOCK)
    assert item.state == machine.CANCELLED and item.due_at is None and item.owner == ""


@pytest.mark.parametrize("state", sorted(machine.WITH_UNIT))
def test_chasing_counts_and_keeps_the_deadline(state: str) -> None:
    before = ITEMS[state]()
    after = machine.apply(before, "chase", actor=machine.STATION, now=at(300), clock=CLOCK)
    again = machine.apply(after, "chase", actor=machine.STATION, now=at(301), clock=CLOCK)
    assert (again.state, again.due_at, again.chases) == (before.state, before.due_at, before.chases + 2)


# -- every move from every state ---------------------------------------------------------------------

ALLOWED = {
    (machine.REQUESTED, "accept"), (machine.REQUESTED, "decline"), (machine.REQUESTED, "cancel"), (machine.REQUESTED, "chase"),
    (machine.ACCEPTED, "start"), (machine.ACCEPTED, "progress"), (machine.ACCEPTED, "complete"), (machine.ACCEPTED, "cancel"),
    (machine.ACCEPTED, "chase"),
    (machine.IN_PROGRESS, "progress"), (machine.IN_PROGRESS, "complete"), (machine.IN_PROGRESS, "cancel"),
    (machine.IN_PROGRESS, "chase"),
    (machine.DECLINED, "reroute"), (machine.DECLINED, "cancel"),
}


@pytest.mark.parametrize("state", machine.ALL)
@pytest.mark.parametrize("action", sorted(machine.ACTIONS))
def test_each_move_is_allowed_only_from_its_states(state: str, action: str) -> None:
    item = ITEMS[state]()
    actor = machine.ACTIONS[action][2]
    if (state, action) in ALLOWED:
        assert machine.allowed(item, action, actor)
        machine.apply(item, action, actor=actor, now=at(90), clock=CLOCK, member=7)
    else:
        assert not machine.allowed(item, action, actor)
        with pytest.raises(SupportError) as refused:
            machine.apply(item, action, actor=actor, now=at(90), clock=CLOCK, member=7)
        assert refused.value.code == "wrong_state"


def test_an_unknown_move_is_refused() -> None:
    with pytest.raises(SupportError) as refused:
        machine.apply(requested(), "escalate", actor=machine.STATION, now=at(1), clock=CLOCK)
    assert refused.value.code == "unknown_action"
    assert not machine.allowed(requested(), "escalate", machine.STATION)


# -- no sequence of valid moves leaves an open request without an owner and a deadline -----------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(machine.ACTIONS)), st.integers(min_value=0, max_value=600)), max_size=12),
       st.integers(min_value=5, max_value=600), st.integers(min_value=1, max_value=120))
def test_no_sequence_of_valid_moves_leaves_an_open_request_without_owner_or_deadline(
    moves: list[tuple[str, int]], needed_in: int, response: int,
) -> None:
    clock = Clock(response_minutes=response)
    now = T0
    item = machine.request(now, now + dt.timedelta(minutes=needed_in), clock=clock)
    for action, wait in moves:
        now = now + dt.timedelta(minutes=wait)
        actor = machine.ACTIONS[action][2]
        if not machine.allowed(item, action, actor):
            continue
        try:
            item = machine.apply(item, action, actor=actor, now=now, clock=clock, member=3,
                                 needed_by=now + dt.timedelta(hours=1))
        except SupportError as refused:
            assert refused.code == "bad_deadline"
            continue
        if item.is_open:
            assert item.owner in (machine.UNIT, machine.STATION)
            assert item.due_at is not None and item.due_step
        else:
            assert item.owner == "" and item.due_at is None
        if item.state in (machine.ACCEPTED, machine.IN_PROGRESS):
            assert item.accepted_by == 3
