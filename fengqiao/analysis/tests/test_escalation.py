"""The escalation score (pure): frequency and recency of calls, violence weighs more, a rising rate."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.analysis import escalation
from fengqiao.analysis.escalation import (
    BY_ADDRESS,
    BY_NAME,
    BY_PHONE,
    DisputeCalls,
    PastCall,
    Reason,
)

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def call(pk: int, days_ago: float, *matched: str, category: str = "dispute.neighbour") -> PastCall:
    return PastCall(pk, NOW - dt.timedelta(days=days_ago), category, frozenset(matched or (BY_ADDRESS,)))


def test_a_call_counts_half_after_one_half_life() -> None:
    assert escalation.decay(0, 30) == 1.0
    assert escalation.decay(30, 30) == pytest.approx(0.5)
    assert escalation.decay(60, 30) == pytest.approx(0.25)


def test_the_score_is_the_decayed_count_with_violence_three_times() -> None:
    # 0 and 30 days ago (1 + 0.5), a fight 60 days ago (3 × 0.25): 2.25; the 30-day rate
    # (2 calls / 30 d) beats the 60 days before (1 call at exactly 60 d → before) → rising.
    dispute = DisputeCalls(1, [call(1, 0), call(2, 30), call(3, 60, category="public_order.fight")])
    found = escalation.assess(dispute, NOW)
    assert found.decayed == pytest.approx(2.25)
    assert (found.recent, found.before) == (2, 1)
    trend = (2 / 30 - 1 / 60) / (2 / 30 + 1 / 60)
    assert found.rising == pytest.approx(trend, abs=1e-4)
    assert found.score == pytest.approx(2.25 * (1 + 0.5 * trend), abs=1e-4)
    assert found.level == escalation.LEVEL_MEDIUM
    assert found.violent == 1


def test_recent_calls_weigh_more_than_the_same_number_long_ago() -> None:
    recent = escalation.assess(DisputeCalls(1, [call(i, i) for i in range(1, 6)]), NOW)
    old = escalation.assess(DisputeCalls(2, [call(i, 200 + i) for i in range(1, 6)]), NOW)
    assert recent.score > 4 * old.score
    assert recent.level == escalation.LEVEL_HIGH and old.level == escalation.LEVEL_LOW


def test_a_call_matched_twice_counts_once_and_future_calls_not_at_all() -> None:
    dispute = DisputeCalls(1, [call(1, 1, BY_PHONE), call(1, 1, BY_ADDRESS), call(2, -1, BY_PHONE)])
    found = escalation.assess(dispute, NOW)
    assert found.calls == 1
    assert found.call_ids == (1,)


def test_the_reasons_say_which_match_how_often_over_which_window() -> None:
    calls = [call(1, 2, BY_PHONE, BY_ADDRESS), call(2, 5, BY_PHONE), call(3, 12, BY_ADDRESS),
             call(4, 20, BY_ADDRESS), call(5, 25, BY_ADDRESS), call(6, 28, BY_ADDRESS),
             call(7, 100, BY_NAME, category="public_order.domestic_violence")]
    found = escalation.assess(DisputeCalls(1, calls), NOW)
    assert found.reasons[:3] == (
        Reason("calls", count=5, days=30, match=BY_ADDRESS),
        Reason("calls", count=2, days=7, match=BY_PHONE),
        Reason("calls", count=1, days=365, match=BY_NAME),
    )
    assert Reason("violent", count=1, categories=("public_order.domestic_violence",)) in found.reasons
    assert Reason("rising", count=6, days=30, before=0) in found.reasons


def test_no_rising_reason_when_the_rate_falls_or_one_call_only() -> None:
    falling = escalation.assess(DisputeCalls(1, [call(1, 5)] + [call(i, 40 + i) for i in range(2, 8)]), NOW)
    single = escalation.assess(DisputeCalls(2, [call(1, 5)]), NOW)
    assert falling.rising == 0 and single.rising == 0
    assert all(reason.code != "rising" for reason in falling.reasons + single.reasons)


def test_no_calls_means_no_risk_and_no_reasons() -> None:
    found = escalation.assess(DisputeCalls(9, []), NOW)
    assert (found.score, found.level, found.reasons, found.last_call_at) == (0.0, escalation.LEVEL_LOW, (), None)


def test_a_call_of_a_violent_kind_weighs_three_times() -> None:
    quiet = escalation.assess(DisputeCalls(1, [call(1, 3, category="dispute.neighbour")]), NOW)
    violent = escalation.assess(DisputeCalls(2, [call(1, 3, category="criminal.assault")]), NOW)
    assert violent.score == pytest.approx(3 * quiet.score, abs=1e-3)


def test_ranking_puts_the_riskiest_first_and_the_readers_beat_before_the_rest() -> None:
    low = DisputeCalls(1, [call(1, 50)])
    high = DisputeCalls(2, [call(2, 1), call(3, 2), call(4, 3, category="criminal.threat")])
    none = DisputeCalls(3, [])
    medium = DisputeCalls(4, [call(5, 1), call(6, 2)])
    assert [a.dispute_id for a in escalation.rank([low, high, none, medium], NOW)] == [2, 4, 1, 3]
    assert [a.dispute_id for a in escalation.rank([low, high, none, medium], NOW, first=[1, 3])] == [1, 3, 2, 4]


def test_the_params_change_the_half_life_and_the_weights() -> None:
    dispute = DisputeCalls(1, [call(1, 10, category="public_order.fight")])
    params = escalation.Params(half_life_days=10, violent_weight=2, high_at=0.9, medium_at=0.5)
    found = escalation.assess(dispute, NOW, params)
    assert found.score == pytest.approx(1.0)
    assert found.level == escalation.LEVEL_HIGH
