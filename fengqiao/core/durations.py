"""Time left before a deadline, or how far past it, in the user's language (pages and API)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _


def span(delta: dt.timedelta) -> str:
    """A duration in days and hours (hours and minutes under a day)."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest // 60}


def time_left(due_at: dt.datetime | None, now: dt.datetime) -> str:
    """"2 d 3 h left" or "1 d 4 h overdue"; empty without a deadline."""
    if due_at is None:
        return ""
    if due_at >= now:
        return _("%(span)s left") % {"span": span(due_at - now)}
    return _("%(span)s overdue") % {"span": span(now - due_at)}
