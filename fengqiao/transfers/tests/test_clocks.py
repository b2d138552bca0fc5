"""When the ticker warns of a transfer deadline, and how failed sends back off (no database)."""

from __future__ import annotations

import datetime as dt

from fengqiao.transfers import deadlines, delivery

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_a_two_hour_receipt_warns_after_80_percent() -> None:
    assert deadlines.warning_time(NOW, NOW + 2 * HOUR) == NOW + dt.timedelta(minutes=96)


def test_a_three_day_result_warns_two_hours_before() -> None:
    assert deadlines.warning_time(NOW, NOW + 72 * HOUR) == NOW + 70 * HOUR


def test_without_a_start_it_warns_two_hours_before() -> None:
    assert deadlines.warning_time(None, NOW) == NOW - 2 * HOUR


def test_failed_sends_back_off_1_2_4_minutes_up_to_an_hour() -> None:
    waits = [delivery.backoff(failures).total_seconds() / 60 for failures in range(1, 12)]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
