"""The life of a case, transition by transition, including every move that is not allowed (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengqiao.cases import machine
from fengqiao.cases.machine import ADMINISTRATIVE, CRIMINAL, CaseError, Limit, Limits

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SUN_LI, WU_MIN = 11, 12

# The allowed moves, written out by hand: (kind, state, action) → the state after.
ALLOWED = {
    (CRIMINAL, "accepted", "file"): "filed",
    (CRIMINAL, "accepted", "not_file"): "not_filed",
    (CRIMINAL, "accepted", "extend"): "accepted",
    (CRIMINAL, "accepted", "reassign"): "accepted",
    (CRIMINAL, "filed", "clear"): "cleared",
    (CRIMINAL, "filed", "terminate"): "closed",
    (CRIMINAL, "filed", "extend"): "filed",
    (CRIMINAL, "filed", "reassign"): "filed",
    (CRIMINAL, "cleared", "close"): "closed",
    (CRIMINAL, "cleared", "extend"): "cleared",
    (CRIMINAL, "cleared", "reassign"): "cleared",
    (ADMINISTRATIVE, "accepted", "decide"): "cleared",
    (ADMINISTRATIVE, "accepted", "extend"): "accepted",
    (ADMINISTRATIVE, "accepted", "reassign"): "accepted",
    (ADMINISTRATIVE, "cleared", "close"): "closed",
    (ADMINISTRATIVE, "cleared", "extend"): "cleared",
    (ADMINISTRATIVE, "cleared", "reassign"): "cleared",
}
# The states each kind of case can be in.
REACHABLE = {
    CRIMINAL: ("accepted", "filed", "not_filed", "cleared", "closed"),
    ADMINISTRATIVE: ("accepted", "cleared", "closed"),
}
ACTIONS = ("file", "not_file", "clear", "decide", "close", "terminate", "extend", "reassign")
# Actions only one kind of case knows.
KIND_OF_ACTION = {"file": CRIMINAL, "not_file": CRIMINAL, "terminate": CRIMINAL, "decide": ADMINISTRATIVE}


def _case_in(kind: str, state: str) -> machine.Item:
    """A case of `kind` brought into `state` the way the station would."""
    item = machine.accept(kind, SUN_LI, NOW)
    path = {
        (CRIMINAL, "accepted"): [], (CRIMINAL, "filed"): ["file"], (CRIMINAL, "not_filed"): ["not_file"],
        (CRIMINAL, "cleared"): ["file", "clear"], (CRIMINAL, "closed"): ["file", "clear", "close"],
        (ADMINISTRATIVE, "accepted"): [], (ADMINISTRATIVE, "cleared"): ["decide"],
        (ADMINISTRATIVE, "closed"): ["decide", "close"],
    }[(kind, state)]
    for action in path:
        item = machine.apply(item, action, now=NOW)
    assert item.state == state
    return item


MOVES = [(kind, state, action) for kind, states in REACHABLE.items() for state in states for action in ACTIONS]


@pytest.mark.parametrize(("kind", "state", "action"), [move for move in MOVES if move in ALLOWED])
def test_an_allowed_move_leads_to_its_state(kind: str, state: str, action: str) -> None:
    after = machine.apply(_case_in(kind, state), action, now=NOW + dt.timedelta(hours=1), lead=WU_MIN)
    assert after.state == ALLOWED[(kind, state, action)]
    assert machine.allowed(_case_in(kind, state), action)


@pytest.mark.parametrize(("kind", "state", "action"), [move for move in MOVES if move not in ALLOWED])
def test_a_move_not_allowed_is_refused_saying_why(kind: str, state: str, action: str) -> None:
    item = _case_in(kind, state)
    assert not machine.allowed(item, action)
    with pytest.raises(CaseError) as refused:
        machine.apply(item, action, now=NOW, lead=WU_MIN)
    wrong_kind = KIND_OF_ACTION.get(action, kind) != kind
    assert refused.value.code == ("wrong_kind" if wrong_kind else "wrong_state")


def test_an_unknown_action_or_kind_is_refused() -> None:
    with pytest.raises(CaseError) as refused:
        machine.apply(_case_in(CRIMINAL, "accepted"), "solve", now=NOW)
    assert refused.value.code == "unknown_action"
    assert not machine.allowed(_case_in(CRIMINAL, "accepted"), "solve")
    with pytest.raises(CaseError) as bad:
        machine.accept("civil", SUN_LI, NOW)
    assert bad.value.code == "bad_kind"


def test_a_criminal_case_runs_each_stage_against_its_own_limit() -> None:
    accepted = machine.accept(CRIMINAL, SUN_LI, NOW)
    assert (accepted.stage, accepted.due_at, accepted.lead) == ("filing", NOW + dt.timedelta(days=3), SUN_LI)
    filed = machine.apply(accepted, "file", now=NOW + dt.timedelta(days=1))
    assert (filed.stage, filed.stage_started_at) == ("investigation", NOW + dt.timedelta(days=1))
    assert filed.due_at == NOW + dt.timedelta(days=61)
    cleared = machine.apply(filed, "clear", now=NOW + dt.timedelta(days=20))
    assert (cleared.stage, cleared.due_at) == ("closing", NOW + dt.timedelta(days=50))
    closed = machine.apply(cleared, "close", now=NOW + dt.timedelta(days=25))
    assert (closed.state, closed.stage, closed.due_at, closed.stage_started_at) == ("closed", "", None, None)
    assert not closed.is_open and cleared.is_open


def test_an_administrative_case_is_decided_then_closed() -> None:
    accepted = machine.accept(ADMINISTRATIVE, SUN_LI, NOW)
    assert (accepted.stage, accepted.due_at) == ("handling", NOW + dt.timedelta(days=30))
    decided = machine.apply(accepted, "decide", now=NOW + dt.timedelta(days=2))
    assert (decided.state, decided.stage, decided.due_at) == ("cleared", "closing", NOW + dt.timedelta(days=9))


def test_a_case_not_filed_or_terminated_has_no_deadline_left() -> None:
    not_filed = machine.apply(machine.accept(CRIMINAL, SUN_LI, NOW), "not_file", now=NOW)
    assert (not_filed.state, not_filed.due_at) == ("not_filed", None)
    terminated = machine.apply(_case_in(CRIMINAL, "filed"), "terminate", now=NOW)
    assert (terminated.state, terminated.due_at) == ("closed", None)


def test_extensions_add_days_as_often_as_the_stage_allows_and_restart_with_the_next_stage() -> None:
    accepted = machine.accept(CRIMINAL, SUN_LI, NOW)
    once = machine.apply(accepted, "extend", now=NOW)
    twice = machine.apply(once, "extend", now=NOW)
    assert (once.due_at, once.extensions) == (NOW + dt.timedelta(days=7), 1)
    assert (twice.due_at, twice.extensions) == (NOW + dt.timedelta(days=11), 2)
    with pytest.raises(CaseError) as refused:
        machine.apply(twice, "extend", now=NOW)
    assert refused.value.code == "no_more_extensions"
    filed = machine.apply(twice, "file", now=NOW)
    assert filed.extensions == 0 and machine.apply(filed, "extend", now=NOW).extensions == 1


def test_a_stage_without_extensions_cannot_be_extended() -> None:
    limits = Limits(table={(CRIMINAL, "filing"): Limit(days=3)})
    with pytest.raises(CaseError) as refused:
        machine.apply(machine.accept(CRIMINAL, SUN_LI, NOW, limits=limits), "extend", now=NOW, limits=limits)
    assert refused.value.code == "no_more_extensions"


def test_a_station_limit_replaces_the_default_and_the_rest_stay() -> None:
    limits = Limits(table={(CRIMINAL, "filing"): Limit(days=7, extension_days=7, max_extensions=1)})
    accepted = machine.accept(CRIMINAL, SUN_LI, NOW, limits=limits)
    assert accepted.due_at == NOW + dt.timedelta(days=7)
    assert machine.apply(accepted, "file", now=NOW, limits=limits).due_at == NOW + dt.timedelta(days=60)


def test_reassigning_names_the_new_lead_and_keeps_the_clock() -> None:
    filed = _case_in(CRIMINAL, "filed")
    with pytest.raises(CaseError) as refused:
        machine.apply(filed, "reassign", now=NOW)
    assert refused.value.code == "no_lead"
    moved = machine.apply(filed, "reassign", now=NOW + dt.timedelta(days=3), lead=WU_MIN)
    assert moved.lead == WU_MIN and (moved.state, moved.due_at, moved.stage_started_at) == (
        filed.state, filed.due_at, filed.stage_started_at)


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(machine.KINDS),
       steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=90 * 24)), max_size=12))
def test_no_sequence_of_moves_leaves_an_open_case_without_a_lead_and_a_deadline(kind: str,
                                                                                steps: list[tuple[str, int]]) -> None:
    item = machine.accept(kind, SUN_LI, NOW)
    now = NOW
    for action, hours in steps:
        now += dt.timedelta(hours=hours)
        try:
            item = machine.apply(item, action, now=now, lead=WU_MIN)
        except CaseError:
            continue
        if item.is_open:
            assert item.lead is not None and item.due_at is not None and item.stage
            assert item.stage_started_at is not None and item.due_at > item.stage_started_at
        else:
            assert item.due_at is None and item.stage == ""
