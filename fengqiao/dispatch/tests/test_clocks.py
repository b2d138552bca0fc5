"""The deadline table: the most specific row wins, shifts end on time, nothing is without a deadline."""

from __future__ import annotations

import datetime as dt

from fengqiao.dispatch import clocks
from fengqiao.dispatch.clocks import Policy

AT = dt.datetime(2026, 11, 30, 14, 10)


def test_the_default_table_has_the_published_targets() -> None:
    assert clocks.check_policies(clocks.DEFAULT_POLICIES) == []
    acknowledge = clocks.pick(clocks.DEFAULT_POLICIES, step="acknowledge", category="dispute.neighbour", priority=3, area="urban")
    assert acknowledge is not None and acknowledge.alert_minutes == 2
    urban = clocks.pick(clocks.DEFAULT_POLICIES, step="arrive", category="criminal.robbery", priority=1, area="urban")
    suburban = clocks.pick(clocks.DEFAULT_POLICIES, step="arrive", category="criminal.robbery", priority=1, area="suburban")
    assert (urban.alert_minutes, suburban.alert_minutes) == (5, 10)  # type: ignore[union-attr]


def test_the_most_specific_row_wins() -> None:
    rows = [
        Policy("arrive", 10, 15),
        Policy("arrive", 8, 12, category="dispute"),
        Policy("arrive", 3, 4, category="dispute.family"),
        Policy("arrive", 6, 9, category="dispute", priority=1),
    ]
    assert clocks.pick(rows, step="arrive", category="dispute.family", priority=1, area="urban").alert_minutes == 4  # type: ignore[union-attr]
    assert clocks.pick(rows, step="arrive", category="dispute.debt", priority=1, area="urban").alert_minutes == 9  # type: ignore[union-attr]
    assert clocks.pick(rows, step="arrive", category="dispute.debt", priority=3, area="urban").alert_minutes == 12  # type: ignore[union-attr]
    assert clocks.pick(rows, step="arrive", category="traffic.accident", priority=3, area="urban").alert_minutes == 15  # type: ignore[union-attr]
    assert clocks.pick(rows, step="feedback", category="traffic.accident", priority=3, area="urban") is None


def test_feedback_falls_due_at_the_end_of_the_shift() -> None:
    feedback = Policy("feedback", 30, 0, until_shift_end=True)
    due = clocks.due(feedback, AT, step="feedback")
    assert due.alert_at == AT.replace(hour=16, minute=0) and due.warn_at == AT.replace(hour=15, minute=30)
    night = clocks.due(feedback, AT.replace(hour=23, minute=40), step="feedback")
    assert night.alert_at == dt.datetime(2026, 12, 1, 9, 0)
    early = clocks.due(feedback, AT.replace(hour=2), step="feedback")
    assert early.alert_at == AT.replace(hour=9, minute=0)


def test_a_step_without_a_row_still_gets_a_deadline() -> None:
    due = clocks.due(None, AT, step="arrive", fallback_minutes=60)
    assert due.alert_at == AT + dt.timedelta(minutes=60) and due.warn_at < due.alert_at


def test_levels() -> None:
    warn, alert = AT + dt.timedelta(minutes=1), AT + dt.timedelta(minutes=2)
    assert clocks.level(AT, warn, alert) == clocks.OK
    assert clocks.level(warn, warn, alert) == clocks.WARNING
    assert clocks.level(alert, warn, alert) == clocks.ALERT


def test_a_table_with_gaps_or_nonsense_is_explained() -> None:
    problems = clocks.check_policies([Policy("arrive", 5, 3), Policy("lunch", 1, 2, priority=7, area="moon")])
    text = "\n".join(problems)
    assert "alert comes before the warning" in text and "unknown step 'lunch'" in text
    assert "priority must be 1–4" in text and "area must be" in text
    assert "step 'acknowledge': no row for priority 1" in text
