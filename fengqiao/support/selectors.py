"""Reads of support requests: whose they are, in what order, with what deadline showing.

A station's people see their stations' requests (`for_user`; the sub-bureau sees all its
stations'). A member of a specialised unit has no station: they see only the requests
addressed to their own unit, and anything else answers 404 like another station's record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.organisation.models import Officer, Station

from . import machine
from .models import SupportRequest, SupportUpdate, Unit, UnitMember

# The unit portal's tabs: what waits for the unit's answer, what it is working on, what is done.
WAITING, ACTIVE, DONE = "waiting", "active", "done"
TAB_STATES = {
    WAITING: (machine.REQUESTED,),
    ACTIVE: (machine.ACCEPTED, machine.IN_PROGRESS),
    DONE: (machine.COMPLETED, machine.DECLINED, machine.CANCELLED),
}
# The list's state filter: "open" (the default) or "all" besides each state.
OPEN, ALL = "open", "all"


def member_of(user: Any) -> UnitMember | None:
    """The user's membership of a specialised unit, if they work in one (and may use it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.has_perm("support.work_supportrequest"):
        return None
    return UnitMember.objects.select_related("unit").filter(user=user).first()


def request_rows() -> QuerySet[SupportRequest]:
    return SupportRequest.objects.select_related("station", "incident", "unit", "contact", "accepted_by", "case",
                                                 "requested_by")


def unit_requests(member: UnitMember) -> QuerySet[SupportRequest]:
    """Every request addressed to the member's unit, from any station."""
    return request_rows().unscoped("a unit sees what was asked of it").filter(unit_id=member.unit_id)


def unit_request_or_404(member: UnitMember, user: Any, pk: int) -> SupportRequest:
    """The request, if it was addressed to the member's unit; else 404 (audited if it exists)."""
    found = unit_requests(member).filter(pk=pk).first()
    if found is not None:
        return found
    elsewhere = SupportRequest.objects.unscoped("checking whether a refused lookup hit another unit").filter(pk=pk).first()
    if elsewhere is not None:
        record(AuditEntry.Action.ACCESS_REFUSED, obj=elsewhere, user=user, outcome=AuditEntry.Outcome.REFUSED,
               reason="support request of another unit")
    raise Http404("No support request matches the given query.")


def units_for(station: Station) -> QuerySet[Unit]:
    """The active units of the station's sub-bureau: whom the station may ask."""
    return Unit.objects.filter(bureau_id=station.bureau_id, active=True).order_by("kind", "name")


def units_of_bureaus(stations: list[Station]) -> QuerySet[Unit]:
    return Unit.objects.filter(bureau_id__in={station.bureau_id for station in stations}).order_by("kind", "name")


def contacts_for(station_id: int) -> QuerySet[Officer]:
    """Police officers of the station who can be named as the unit's contact."""
    return (Officer.objects.for_stations([station_id]).filter(rank=Officer.Rank.OFFICER)
            .select_related("team").order_by("team__kind", "name"))


def filter_requests(rows: QuerySet[SupportRequest], *, state: str = OPEN, unit: int | None = None,
                    overdue: bool = False, now: dt.datetime) -> QuerySet[SupportRequest]:
    if state == OPEN:
        rows = rows.filter(state__in=machine.OPEN)
    elif state and state != ALL:
        rows = rows.filter(state=state)
    if unit is not None:
        rows = rows.filter(unit_id=unit)
    if overdue:
        rows = rows.filter(state__in=machine.OPEN, due_at__lt=now)
    return rows


def ordered(rows: QuerySet[SupportRequest], now: dt.datetime) -> QuerySet[SupportRequest]:
    """Overdue open requests first, then open ones by deadline, then the rest, newest first."""
    return rows.annotate(
        rank=Case(
            When(state__in=machine.OPEN, due_at__lt=now, then=Value(0)),
            When(state__in=machine.OPEN, then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        ),
    ).order_by("rank", "due_at", "-requested_at", "-id")


def updates_of(request: SupportRequest) -> list[SupportUpdate]:
    return list(SupportUpdate.objects.for_stations([request.station_id]).filter(request=request)
                .select_related("author").order_by("at", "id"))


def requests_of_incident(incident: Any) -> list[SupportRequest]:
    return list(request_rows().for_stations([incident.station_id]).filter(incident=incident).order_by("-requested_at", "-id"))


def step_started(request: SupportRequest) -> dt.datetime | None:
    """When the step that is due now began (the machine counts each deadline from it)."""
    return {
        machine.REQUESTED: request.requested_at,
        machine.ACCEPTED: request.accepted_at,
        machine.IN_PROGRESS: request.started_at,
        machine.DECLINED: request.declined_at,
    }.get(request.state)


def decorate(request: SupportRequest, now: dt.datetime) -> SupportRequest:
    """Mark what the pages show: overdue, its warning time, who has it now."""
    from .deadlines import warning_time

    request.overdue = request.is_open and request.due_at is not None and request.due_at < now
    request.warn_at = (warning_time(step_started(request), request.due_at)
                       if request.is_open and request.due_at is not None else None)
    request.with_unit = request.state in machine.WITH_UNIT
    return request
