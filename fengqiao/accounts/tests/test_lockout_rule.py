"""The lock-out rule alone: five failures in fifteen minutes lock; a success or release resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fengqiao.accounts.lockout import LoginEvent, is_locked, locked_until, recent_failures

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
FAILED, SUCCEEDED, RELEASED = LoginEvent.FAILED, LoginEvent.SUCCEEDED, LoginEvent.RELEASED


def minutes_ago(*minutes: float, kind: LoginEvent = FAILED) -> list[tuple[datetime, LoginEvent]]:
    return [(NOW - timedelta(minutes=m), kind) for m in minutes]


def locked(events: list[tuple[datetime, LoginEvent]], attempts: int = 5) -> bool:
    return is_locked(events, now=NOW, window=WINDOW, attempts=attempts)


def test_four_failures_do_not_lock() -> None:
    assert not locked(minutes_ago(4, 3, 2, 1))


def test_the_fifth_failure_in_the_window_locks() -> None:
    assert locked(minutes_ago(5, 4, 3, 2, 1))


def test_failures_older_than_the_window_do_not_count() -> None:
    assert not locked(minutes_ago(40, 30, 20, 2, 1))
    assert recent_failures(minutes_ago(40, 30, 20, 2, 1), now=NOW, window=WINDOW) == [
        NOW - timedelta(minutes=2), NOW - timedelta(minutes=1),
    ]


def test_a_failure_exactly_at_the_edge_of_the_window_still_counts() -> None:
    assert locked(minutes_ago(15, 4, 3, 2, 1))


def test_a_success_starts_the_count_again() -> None:
    events = minutes_ago(10, 9, 8, 7) + minutes_ago(6, kind=SUCCEEDED) + minutes_ago(2)
    assert not locked(events)
    assert len(recent_failures(events, now=NOW, window=WINDOW)) == 1


def test_a_release_by_an_administrator_starts_the_count_again() -> None:
    assert not locked(minutes_ago(10, 9, 8, 7, 6) + minutes_ago(1, kind=RELEASED))


def test_failures_after_a_release_lock_again() -> None:
    assert locked(minutes_ago(12, kind=RELEASED) + minutes_ago(5, 4, 3, 2, 1))


def test_the_order_of_the_history_does_not_matter() -> None:
    events = minutes_ago(1) + minutes_ago(3, kind=SUCCEEDED) + minutes_ago(5, 4)
    assert recent_failures(events, now=NOW, window=WINDOW) == [NOW - timedelta(minutes=1)]


def test_the_number_of_attempts_is_a_setting() -> None:
    assert locked(minutes_ago(3, 2, 1), attempts=3)
    assert not locked(minutes_ago(3, 2, 1), attempts=4)


def test_the_lock_lifts_when_enough_failures_have_aged_out() -> None:
    events = minutes_ago(14, 10, 3, 2, 1)
    assert locked_until(events, now=NOW, window=WINDOW, attempts=5) == NOW - timedelta(minutes=14) + WINDOW
    # Six failures: the lock lasts until the second oldest leaves the window.
    events = minutes_ago(14, 12, 10, 3, 2, 1)
    assert locked_until(events, now=NOW, window=WINDOW, attempts=5) == NOW - timedelta(minutes=12) + WINDOW


def test_an_account_that_is_not_locked_has_no_lift_time() -> None:
    assert locked_until(minutes_ago(2, 1), now=NOW, window=WINDOW, attempts=5) is None
