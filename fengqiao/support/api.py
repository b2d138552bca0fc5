"""Support-request endpoints: the station asks, re-routes, cancels and chases; the unit answers.

Scoped like the pages: a station's people see their stations' requests (the sub-bureau all
of its stations'), a unit's members only the requests sent to their unit; anything else
answers 404. A move that is not allowed answers 409 with `detail` (a sentence) and `code`
(`wrong_state`, `not_yours`, `other_unit` …); a bad field 422 naming it. Free text has any
phone or identity number in it masked; the contact officer's phone is masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fengqiao.cases.models import Case
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_identifiers_in, mask_phone
from fengqiao.intake.api import field_error, require
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer
from fengqiao.organisation.selectors import officer_for

from . import selectors, services
from .models import SupportRequest, SupportUpdate, Unit, UnitMember

router = Router(tags=["support"])

MAX_LIMIT = 500


class RefusedOut(Schema):
    detail: str
    code: str


class UpdateOut(Schema):
    at: dt.datetime
    action: str
    state_before: str
    state_after: str
    notes: str
    actor: str
    author: str


class RequestOut(Schema):
    id: int
    number: str
    station: str
    station_name: str
    incident_id: int
    incident_number: str
    case_id: int | None
    case_number: str | None
    unit_id: int
    unit: str
    need: str
    need_label: str
    details: str
    people: int
    needed_by: dt.datetime
    place: str
    contact_id: int
    contact: str
    contact_phone: str = Field(..., description="masked")
    state: str
    state_label: str
    requested_at: dt.datetime
    requested_by: str
    accepted_by: str
    accepted_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    report: str
    declined_at: dt.datetime | None
    decline_reason: str
    cancelled_at: dt.datetime | None
    cancel_reason: str
    due_step: str
    due_at: dt.datetime | None
    overdue: bool
    chases: int
    updates: list[UpdateOut] | None = None


def request_out(support: SupportRequest, *, now: dt.datetime | None = None,
                updates: list[SupportUpdate] | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "id": support.pk, "number": support.number, "station": support.station.code, "station_name": support.station.name,
        "incident_id": support.incident_id, "incident_number": support.incident.number,
        "case_id": support.case_id, "case_number": support.case.number if support.case else None,
        "unit_id": support.unit_id, "unit": support.unit.name, "need": support.need,
        "need_label": str(support.get_need_display()), "details": mask_identifiers_in(support.details),
        "people": support.people, "needed_by": support.needed_by, "place": mask_identifiers_in(support.place),
        "contact_id": support.contact_id, "contact": support.contact.name, "contact_phone": mask_phone(support.contact.phone),
        "state": support.state, "state_label": str(support.get_state_display()), "requested_at": support.requested_at,
        "requested_by": support.requested_by.display_name if support.requested_by else "",
        "accepted_by": support.accepted_by.name if support.accepted_by else "", "accepted_at": support.accepted_at,
        "started_at": support.started_at, "completed_at": support.completed_at,
        "report": mask_identifiers_in(support.report), "declined_at": support.declined_at,
        "decline_reason": mask_identifiers_in(support.decline_reason), "cancelled_at": support.cancelled_at,
        "cancel_reason": mask_identifiers_in(support.cancel_reason), "due_step": support.due_step,
        "due_at": support.due_at, "overdue": support.is_open and support.due_at is not None and support.due_at < now,
        "chases": support.chases,
        "updates": None if updates is None else [{
            "at": update.at, "action": update.action, "state_before": update.state_before,
            "state_after": update.state_after, "notes": mask_identifiers_in(update.notes), "actor": update.actor,
            "author": update.author_name,
        } for update in updates],
    }


def _refused(error: services.SupportRefused) -> Status[dict[str, Any]]:
    return Status(409, {"detail": error.message, "code": error.code})


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without a zone is the station's local time."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _member(request: HttpRequest) -> UnitMember | None:
    return selectors.member_of(request.user)


def _visible(request: HttpRequest) -> Any:
    """The requests the user may see: their unit's, or their stations'."""
    member = _member(request)
    if member is not None:
        return selectors.unit_requests(member)
    require(request, "support.view_supportrequest")
    return selectors.request_rows().for_user(request.user)


def _one(request: HttpRequest, request_id: int) -> SupportRequest:
    member = _member(request)
    if member is not None:
        return selectors.unit_request_or_404(member, request.user, request_id)
    require(request, "support.view_supportrequest")
    return get_for_user_or_404(selectors.request_rows(), request.user, pk=request_id)


def _fresh(request: HttpRequest, support: SupportRequest) -> dict[str, Any]:
    found = _one(request, support.pk)
    return request_out(found, updates=selectors.updates_of(found))


# -- reading ---------------------------------------------------------------------------------------------


class RequestFilters(Schema):
    state: str = Field("", description="a state, or 'open' / 'all' (default: all)")
    unit: int | None = Field(None, description="a unit's id")
    overdue: bool = Field(False, description="only open requests past their deadline")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


@router.get("/support-requests", response=list[RequestOut],
            summary="Support requests: a unit member's unit's, or the stations' of a station user (overdue first)")
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    now = timezone.now()
    state = filters.state or selectors.ALL
    if state not in (selectors.OPEN, selectors.ALL, *SupportRequest.State.values):
        raise HttpError(422, f"state: not a state: {filters.state!r}")
    rows = selectors.filter_requests(_visible(request), state=state, unit=filters.unit, overdue=filters.overdue, now=now)
    return [request_out(support, now=now) for support in selectors.ordered(rows, now)[:filters.limit]]


@router.get("/support-requests/{request_id}", response=RequestOut, summary="One support request with its updates")
def get_request(request: HttpRequest, request_id: int) -> Any:
    support = _one(request, request_id)
    return request_out(support, updates=selectors.updates_of(support))


# -- the station asks --------------------------------------------------------------------------------------


class RequestIn(Schema):
    unit_id: int
    need: str = Field(..., description="video, trace, scene, accident, armed, interview, other")
    details: str = Field(..., max_length=services.DETAILS_LENGTH)
    people: int = Field(1, ge=1, le=services.MAX_PEOPLE)
    needed_by: dt.datetime = Field(..., description="ISO time; without a zone it is the station's local time")
    place: str = Field("", max_length=services.PLACE_LENGTH, description="default: the incident's address")
    contact_id: int | None = Field(None, description="an officer of the station; default: the caller's own officer record")
    case_id: int | None = None


@router.post("/incidents/{incident_id}/support-requests", response={201: RequestOut, 409: RefusedOut},
             summary="Ask a specialised unit for help with an incident")
def post_request(request: HttpRequest, incident_id: int, payload: RequestIn) -> Any:
    require(request, "support.add_supportrequest")
    incident = get_for_user_or_404(Incident.objects.select_related("station"), request.user, pk=incident_id)
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise HttpError(422, f"unit_id: no unit {payload.unit_id}")
    if payload.contact_id is not None:
        contact = Officer.objects.for_stations([incident.station_id]).filter(pk=payload.contact_id).first()
        if contact is None:
            raise HttpError(422, f"contact_id: no officer {payload.contact_id} at this incident's station")
    else:
        contact = officer_for(request.user)
    case = None
    if payload.case_id is not None:
        case = Case.objects.for_stations([incident.station_id]).filter(pk=payload.case_id).first()
        if case is None:
            raise HttpError(422, f"case_id: no case {payload.case_id} at this incident's station")
    try:
        support = services.do_request_support(
            incident, user=request.user, unit=unit, need=payload.need, details=payload.details, people=payload.people,
            needed_by=_aware(payload.needed_by), place=payload.place or incident.address_text, contact=contact, case=case,
        )
    except services.SupportRefused as error:
        return _refused(error)
    except ValidationError as error:
        raise field_error(error) from None
    return Status(201, _fresh(request, support))


# -- the unit answers -------------------------------------------------------------------------------------------


class UpdateIn(Schema):
    action: Literal["accept", "decline", "start", "progress", "complete"]
    notes: str = Field("", max_length=services.NOTES_LENGTH,
                       description="the reason of a decline, the note of a progress, the report of a completion")


@router.post("/support-requests/{request_id}/updates", response={200: RequestOut, 409: RefusedOut},
             summary="The unit's answer: accept, decline, start, progress, complete (unit members only)")
def post_update(request: HttpRequest, request_id: int, payload: UpdateIn) -> Any:
    support = _one(request, request_id)
    if _member(request) is None:
        raise HttpError(403, "only a member of the unit the request was sent to may answer it")
    user, notes = request.user, payload.notes
    try:
        if payload.action == "accept":
            services.do_accept(support, user=user, notes=notes)
        elif payload.action == "decline":
            services.do_decline(support, user=user, reason=notes)
        elif payload.action == "start":
            services.do_start(support, user=user, notes=notes)
        elif payload.action == "progress":
            services.do_progress(support, user=user, notes=notes)
        else:
            services.do_complete(support, user=user, report=notes)
    except services.SupportRefused as error:
        return _refused(error)
    except ValidationError as error:
        if hasattr(error, "message_dict"):
            # The one text field of the request body carries the reason, the note or the report.
            error = ValidationError({"notes": [m for messages in error.message_dict.values() for m in messages]})
        raise field_error(error) from None
    return _fresh(request, support)


# -- the station's moves --------------------------------------------------------------------------------------------


def _station_move(request: HttpRequest, request_id: int, do: Any) -> Any:
    support = _one(request, request_id)
    require(request, "support.change_supportrequest")
    try:
        do(support)
    except services.SupportRefused as error:
        return _refused(error)
    except ValidationError as error:
        raise field_error(error) from None
    return _fresh(request, support)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=services.REASON_LENGTH)


@router.post("/support-requests/{request_id}/cancel", response={200: RequestOut, 409: RefusedOut},
             summary="The station no longer needs the help")
def cancel(request: HttpRequest, request_id: int, payload: ReasonIn) -> Any:
    return _station_move(request, request_id,
                         lambda support: services.do_cancel(support, user=request.user, reason=payload.reason))


class RerouteIn(Schema):
    unit_id: int
    needed_by: dt.datetime | None = Field(None, description="a new time the help is needed, if the old one no longer holds")


@router.post("/support-requests/{request_id}/reroute", response={200: RequestOut, 409: RefusedOut},
             summary="Send a declined request to another unit")
def reroute(request: HttpRequest, request_id: int, payload: RerouteIn) -> Any:
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        _one(request, request_id)  # 404 first for someone else's request
        raise HttpError(422, f"unit_id: no unit {payload.unit_id}")
    return _station_move(request, request_id, lambda support: services.do_reroute(
        support, user=request.user, unit=unit, needed_by=_aware(payload.needed_by)))


@router.post("/support-requests/{request_id}/chase", response={200: RequestOut, 409: RefusedOut},
             summary="催办: remind the unit")
def chase(request: HttpRequest, request_id: int) -> Any:
    return _station_move(request, request_id, lambda support: services.do_chase(support, user=request.user))
