"""The pure rules of a campaign (plan.py): moving an item, sharing a list out, the burn-down, reminders."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengqiao.campaigns import plan

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
TEAM = ("刘洋", "社工周红", "吴医生")


def at(hours: float = 0, minutes: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours, minutes=minutes)


# -- record ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [plan.VERIFIED, plan.MOVED, plan.UNREACHABLE, plan.WRONG_DATA])
def test_a_call_outcome_finishes_the_item(outcome: str) -> None:
    item = plan.record(plan.Item(), outcome, at(1))
    assert (item.state, item.outcome, item.attempts, item.outcome_at) == (plan.DONE, outcome, 1, at(1))


def test_a_door_visit_needs_all_three_names() -> None:
    for team in (None, ("刘洋", "", "吴医生"), ("刘洋", "周红", "  ")):
        with pytest.raises(plan.CampaignError) as refused:
            plan.record(plan.Item(), plan.DOOR_VISIT, at(1), visit_team=team)
        assert refused.value.code == "team"
    item = plan.record(plan.Item(), plan.DOOR_VISIT, at(1), visit_team=(" 刘洋 ", "社工周红", "吴医生"))
    assert (item.state, item.visit_team, item.attempts) == (plan.VISIT, TEAM, 1)
    # The visit's outcome finishes it and keeps the team; a second visit may reuse it.
    done = plan.record(item, plan.VERIFIED, at(2))
    assert (done.state, done.visit_team, done.attempts) == (plan.DONE, TEAM, 2)
    again = plan.record(done, plan.DOOR_VISIT, at(3))
    assert again.state == plan.VISIT and again.visit_team == TEAM


def test_an_unknown_outcome_and_a_closed_campaign_are_refused() -> None:
    with pytest.raises(plan.CampaignError) as refused:
        plan.record(plan.Item(), "gone_fishing", at(1))
    assert refused.value.code == "outcome"
    with pytest.raises(plan.CampaignError) as refused:
        plan.record(plan.Item(), plan.VERIFIED, at(1), campaign_open=False)
    assert refused.value.code == "closed"


def test_late_at_the_deadline_unless_done() -> None:
    deadline = at(4)
    assert plan.late_at(plan.OPEN, deadline, deadline) is True
    assert plan.late_at(plan.VISIT, deadline, at(5)) is True
    assert plan.late_at(plan.OPEN, deadline, at(3, 59)) is False
    assert plan.late_at(plan.DONE, deadline, at(5)) is False


names = st.text(alphabet=st.sampled_from(["刘", "周", "吴", " "]), max_size=3)
steps = st.lists(st.tuples(
    st.sampled_from(list(plan.OUTCOMES) + ["", "bogus"]),
    st.none() | st.tuples(names, names, names),
    st.booleans(),
), max_size=25)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_no_sequence_of_outcomes_leaves_an_item_in_an_unknown_state(moves: list[tuple[str, tuple[str, str, str] | None, bool]]) -> None:
    item = plan.Item()
    recorded = 0
    for minute, (outcome, team, campaign_open) in enumerate(moves):
        before = item
        try:
            item = plan.record(item, outcome, at(minutes=minute), campaign_open=campaign_open, visit_team=team)
        except plan.CampaignError as refused:
            assert refused.code in {"closed", "outcome", "team"}
            assert item == before  # a refused move changes nothing
            continue
        recorded += 1
        assert item.attempts == before.attempts + 1 == recorded  # attempts count up, one per outcome
        assert item.outcome == outcome and item.outcome_at == at(minutes=minute)
        assert item.state == (plan.VISIT if outcome == plan.DOOR_VISIT else plan.DONE)
        assert item.state in plan.STATES and item.outcome in plan.OUTCOMES
        if item.state == plan.VISIT:  # a door visit always has its three names
            assert item.visit_team is not None and len(item.visit_team) == 3
            assert all(name and name == name.strip() for name in item.visit_team)
    assert item.state in plan.STATES


# -- assign ------------------------------------------------------------------------------------------------


def test_the_beat_officer_first_then_the_team_in_turn() -> None:
    result = plan.assign([10, None, 11, 12, None, None], {10: 100, 11: 101}, [1, 2], start=1)
    assert result == [
        plan.Assignment(100, plan.BY_BEAT), plan.Assignment(2, plan.ROUND_ROBIN), plan.Assignment(101, plan.BY_BEAT),
        plan.Assignment(1, plan.ROUND_ROBIN),  # beat 12 has no officer
        plan.Assignment(2, plan.ROUND_ROBIN), plan.Assignment(1, plan.ROUND_ROBIN),
    ]


def test_with_no_team_the_items_stay_unassigned() -> None:
    assert plan.assign([None, 12, 10], {10: 100}, []) == [
        plan.Assignment(None, plan.UNASSIGNED), plan.Assignment(None, plan.UNASSIGNED), plan.Assignment(100, plan.BY_BEAT)]


@given(st.lists(st.none() | st.integers(1, 5), max_size=60), st.lists(st.integers(100, 120), min_size=1, max_size=6, unique=True),
       st.integers(0, 50))
def test_round_robin_shares_evenly(beats: list[int | None], pool: list[int], start: int) -> None:
    beat_officer = {1: 901, 2: 902}
    result = plan.assign(beats, beat_officer, pool, start=start)
    assert len(result) == len(beats)
    for beat, assignment in zip(beats, result, strict=True):
        if beat in beat_officer:
            assert assignment == plan.Assignment(beat_officer[beat], plan.BY_BEAT)
        else:
            assert assignment.how == plan.ROUND_ROBIN and assignment.officer in pool
    shares = Counter(a.officer for a in result if a.how == plan.ROUND_ROBIN)
    counts = [shares.get(officer, 0) for officer in pool]
    assert max(counts) - min(counts) <= 1


# -- tally and burn-down -------------------------------------------------------------------------------------


ROWS = [
    plan.Row(1, plan.DONE, at(0, 20)),
    plan.Row(1, plan.DONE, at(1, 10)),
    plan.Row(2, plan.VISIT),
    plan.Row(None, plan.OPEN, late=True),
]


def test_tally_counts_per_key_most_open_first() -> None:
    total, groups = plan.tally(ROWS)
    assert (total.total, total.done, total.visit, total.late, total.open, total.percent) == (4, 2, 1, 1, 2, 50)
    assert [(g.key, g.total, g.done, g.open) for g in groups] == [(2, 1, 0, 1), (None, 1, 0, 1), (1, 2, 2, 0)]
    assert plan.Tally(None).percent == 100


def test_burn_down_on_a_hand_checked_case() -> None:
    result = plan.burn_down(ROWS, at(0), at(4), at(2), points=4)
    assert result.remaining == [(at(0), 4), (at(0, 30), 3), (at(1), 3), (at(1, 30), 2), (at(2), 2)]
    assert result.ideal == [(at(0), 4), (at(4), 0)]
    assert result.expected_done == 2 and result.behind is False
    assert result.projected_finish() == at(4)
    assert result.minutes_left == 120 and result.overdue is False

    later = plan.burn_down(ROWS, at(0), at(4), at(3), points=4)
    assert later.expected_done == 3 and later.behind is True
    assert later.projected_finish() == at(3) + dt.timedelta(hours=3)

    after = plan.burn_down(ROWS, at(0), at(4), at(5), points=4)
    assert after.overdue is True and after.minutes_left == -60 and after.expected_done == 4


def test_burn_down_with_nothing_done_has_no_projection_and_all_done_finishes_at_the_last() -> None:
    nothing = plan.burn_down([plan.Row(1, plan.OPEN)] * 4, at(0), at(4), at(1), points=2)
    assert nothing.projected_finish() is None and nothing.behind is True
    done = plan.burn_down([plan.Row(1, plan.DONE, at(0, 30))], at(0), at(4), at(1), points=2)
    assert done.remaining[-1] == (at(1), 0) and done.projected_finish() == at(1)


# -- reminders ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "last", "before", "expected"), [
    (at(2, 59), None, 60, ""),
    (at(3), None, 60, "soon"),
    (at(3, 30), at(3), 60, ""),
    (at(3, 45), at(3), 60, "final"),
    (at(3, 50), at(3, 45), 60, ""),
    (at(3, 50), None, 60, "final"),  # the tick came late: straight to the final reminder
    (at(4), None, 60, ""),  # at the deadline the late marking takes over
    (at(3, 50), None, 10, "soon"),  # a short warning: the final one at 5 minutes
    (at(3, 55), at(3, 50), 10, "final"),
])
def test_reminder_due(now: dt.datetime, last: dt.datetime | None, before: int, expected: str) -> None:
    assert plan.reminder_due(at(4), now, dt.timedelta(minutes=before), last) == expected
