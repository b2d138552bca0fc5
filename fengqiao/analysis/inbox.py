"""The teams' inboxes: which messages a user sees, which they have read, marking them read.

A message goes to a team; each member reads it for themselves (`InboxRead`). An officer
sees their own team's messages; sub-bureau staff and administrators, who belong to no
team, see the messages of every team of their stations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from fengqiao.organisation.selectors import officer_for

from .models import InboxMessage, InboxRead, Report


def messages_for(user: Any) -> QuerySet[InboxMessage]:
    """The messages `user` sees, newest first, each with `is_read` (for this user)."""
    rows = InboxMessage.objects.for_user(user)
    officer = officer_for(user)
    if officer is not None:
        rows = rows.filter(team_id=officer.team_id)
    read = InboxRead.objects.filter(message=OuterRef("pk"), user=user)
    return (rows.annotate(is_read=Exists(read)).select_related("team", "report", "station")
            .order_by("-created_at", "-pk"))


def unread_count(user: Any) -> int:
    return messages_for(user).filter(is_read=False).count()


def mark_read(user: Any, messages: Iterable[InboxMessage]) -> int:
    """Mark these messages read by `user` (those read already stay as they were); how many were new."""
    now = timezone.now()
    ids = [message.pk for message in messages]
    known = set(InboxRead.objects.filter(user=user, message_id__in=ids).values_list("message_id", flat=True))
    fresh = [InboxRead(message_id=pk, user=user, read_at=now) for pk in ids if pk not in known]
    InboxRead.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def mark_report_read(user: Any, report: Report) -> int:
    """Opening a report reads the user's messages that carried it."""
    return mark_read(user, messages_for(user).filter(report=report, is_read=False))
