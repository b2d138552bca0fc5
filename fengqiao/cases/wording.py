"""How a case's figures read on the pages and in the API: the reasons for its lead officer
and the time left before its deadline, in the user's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from . import assign


def assignment_lines(assignment: Mapping[str, Any]) -> list[str]:
    """The reasons kept with the case (`assign.Choice.as_json`), translated."""
    return [reason.render(_) for reason in assign.reasons_from_json(assignment)]


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
