"""Fetching one station-owned object for a user: theirs, or 404 (and a note in the audit log)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record

from .scoping import StationScopedQuerySet

M = TypeVar("M", bound=models.Model)


def get_for_user_or_404(queryset: StationScopedQuerySet, user: Any, **lookup: Any) -> Any:
    """The object of `queryset` matching `lookup` among the user's stations.

    Another station's object is answered exactly like a missing one (404), so nobody can
    learn that it exists; the attempt is written to the audit log as refused.
    """
    found = queryset.for_user(user).filter(**lookup).first()
    if found is not None:
        return found
    elsewhere = queryset.unscoped("checking whether a refused lookup hit another station").filter(**lookup).first()
    if elsewhere is not None:
        record(AuditEntry.Action.ACCESS_REFUSED, obj=elsewhere, user=user, outcome=AuditEntry.Outcome.REFUSED,
               reason="object of another station")
    raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.")


def chosen_station(request: Any, stations: list[Any]) -> Any:
    """The station named in a form's `station` field (404 unless it is the user's), else the
    user's only station; None when the user has several and named none (the form asks)."""
    from fengqiao.organisation.models import Station

    value = request.POST.get("station", "").strip()
    if value:
        if not value.isdigit():
            raise Http404("no such station")
        return get_for_user_or_404(Station.objects.all(), request.user, pk=int(value))
    return stations[0] if len(stations) == 1 else None
