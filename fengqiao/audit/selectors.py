"""Reading the audit log: leaders see their stations' rows, administrators everything."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from fengqiao.organisation.selectors import station_ids_for

from .models import AuditEntry


def audit_entries_for(user: Any) -> QuerySet[AuditEntry]:
    if user.is_superuser:
        return AuditEntry.objects.all()
    ids = station_ids_for(user)
    # Rows with no station of their own are found through the person: the acting user,
    # or, for a failed or locked login (no user yet), the user name that was tried.
    station_usernames = get_user_model().objects.filter(officer__station_id__in=ids).values("username")
    return AuditEntry.objects.filter(
        Q(station_id__in=ids)
        | Q(actor_station_id__in=ids)
        | Q(station__isnull=True, user__officer__station_id__in=ids)
        | Q(station__isnull=True, user__isnull=True, username__in=station_usernames)
    )


def search_audit(
    user: Any, *, text: str = "", action: str = "", outcome: str = "",
    start: date | None = None, end: date | None = None,
) -> QuerySet[AuditEntry]:
    rows = audit_entries_for(user).select_related("station")
    if text:
        rows = rows.filter(
            Q(username__icontains=text) | Q(object_repr__icontains=text) | Q(reason__icontains=text)
            | Q(object_type__icontains=text) | Q(ip_address__startswith=text)
        )
    if action:
        rows = rows.filter(action=action)
    if outcome:
        rows = rows.filter(outcome=outcome)
    zone = timezone.get_current_timezone()
    if start:
        rows = rows.filter(at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end:
        rows = rows.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone))
    return rows
