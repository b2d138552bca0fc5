"""The lock-out rule, as a pure function over the login history of one user name.

Five failed attempts within fifteen minutes lock the account (both numbers are
settings): the next attempt is refused even with the right password. A successful
login or an administrator's release starts the count again. The lock lifts by itself
once the oldest of those failures is older than the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum


class LoginEvent(Enum):
    FAILED = "failed"
    SUCCEEDED = "succeeded"
    RELEASED = "released"


def recent_failures(
    events: Iterable[tuple[datetime, LoginEvent]], *, now: datetime, window: timedelta
) -> list[datetime]:
    """Failures inside the window since the last success or release, oldest first."""
    failures: list[datetime] = []
    for at, kind in sorted(events, key=lambda event: event[0]):
        if kind is LoginEvent.FAILED:
            failures.append(at)
        else:
            failures.clear()
    return [at for at in failures if now - at <= window]


def is_locked(
    events: Iterable[tuple[datetime, LoginEvent]], *, now: datetime, window: timedelta, attempts: int
) -> bool:
    """True when `attempts` or more failures fall in the window since the last reset."""
    return len(recent_failures(events, now=now, window=window)) >= attempts


def locked_until(
    events: Iterable[tuple[datetime, LoginEvent]], *, now: datetime, window: timedelta, attempts: int
) -> datetime | None:
    """When the lock lifts by itself, or None if the account is not locked."""
    failures = recent_failures(events, now=now, window=window)
    if len(failures) < attempts:
        return None
    # The lock lifts when enough failures have aged out of the window.
    return failures[len(failures) - attempts] + window
