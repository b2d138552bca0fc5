"""Dispatch endpoints: recommendations, orders and every step of them, follow-ups, the officer's status.

Each step is one POST that calls one service; a step the order's state does not allow
answers 409 with a sentence saying why, a bad field 422 naming it, an order or incident
of another station 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from fengqiao.core.access import get_for_user_or_404
from fengqiao.intake import api as intake_api
from fengqiao.intake.api import field_error, require
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer

from . import selectors, services, wording
from .models import Dispatch, FollowUp

router = Router(tags=["dispatch"])


def refused(error: services.DispatchRefused) -> HttpError:
    return HttpError(409, error.message)


# -- recommendations -------------------------------------------------------------------------


class CandidateOut(Schema):
    officer_id: int
    name: str
    team: str
    tier: str
    reasons: list[str]
    distance_m: float | None
    eta_minutes: float | None


class RecommendationOut(Schema):
    candidates: list[CandidateOut]
    shortfall: list[str]


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    return get_for_user_or_404(Incident.objects.select_related("category", "station", "beat"), request.user, pk=incident_id)


@router.get("/incidents/{incident_id}/recommendations", response=RecommendationOut,
            summary="Officers to send, best first, each with its reasons")
def get_recommendations(request: HttpRequest, incident_id: int) -> Any:
    require(request, "dispatch.add_dispatch")
    incident = _incident(request, incident_id)
    return wording.recommendation_out(selectors.recommendations(incident))


# -- orders ----------------------------------------------------------------------------------


class FeedbackOut(Schema):
    disposition: str
    disposition_label: str
    actions: str
    legal_basis: str
    people: list[dict[str, str]]
    reclassified_to: str | None
    resolves: bool
    created_at: dt.datetime


class OrderOut(Schema):
    id: int
    incident_id: int
    officer_id: int
    officer: str
    team: str
    backup: bool
    state: str
    state_label: str
    issued_at: dt.datetime
    issued_by: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    departed_at: dt.datetime | None
    arrived_at: dt.datetime | None
    reported_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_reason: str
    cancelled_at: dt.datetime | None
    cancel_reason: str
    due_step: str
    warn_at: dt.datetime | None
    alert_at: dt.datetime | None
    reasons: list[str]
    feedback: FeedbackOut | None = None


def order_out(order: Dispatch) -> dict[str, Any]:
    feedback = getattr(order, "feedback", None) if order.state == Dispatch.State.REPORTED else None
    return {
        "id": order.pk, "incident_id": order.incident_id, "officer_id": order.officer_id, "officer": order.officer.name,
        "team": order.team_kind, "backup": order.backup, "state": order.state, "state_label": str(order.get_state_display()),
        "issued_at": order.issued_at, "issued_by": order.issued_by.display_name if order.issued_by else "",
        "acknowledged_at": order.acknowledged_at,
        "acknowledged_by": order.acknowledged_by.display_name if order.acknowledged_by else "",
        "departed_at": order.departed_at, "arrived_at": order.arrived_at, "reported_at": order.reported_at,
        "returned_at": order.returned_at, "return_reason": order.return_reason,
        "cancelled_at": order.cancelled_at, "cancel_reason": order.cancel_reason,
        "due_step": order.due_step, "warn_at": order.warn_at, "alert_at": order.alert_at,
        "reasons": list(order.recommendation.get("reasons", [])),
        "feedback": None if feedback is None else {
            "disposition": feedback.disposition, "disposition_label": str(feedback.get_disposition_display()),
            "actions": feedback.actions, "legal_basis": feedback.legal_basis, "people": feedback.people,
            "reclassified_to": feedback.reclassified_to.code if feedback.reclassified_to else None,
            "resolves": feedback.resolves, "created_at": feedback.created_at,
        },
    }


class DispatchIn(Schema):
    officer_id: int
    backup: bool = Field(False, description="send in addition to the team's first order")


@router.post("/incidents/{incident_id}/dispatches", response={201: OrderOut}, summary="Dispatch an officer")
def post_dispatch(request: HttpRequest, incident_id: int, payload: DispatchIn) -> Any:
    require(request, "dispatch.add_dispatch")
    incident = _incident(request, incident_id)
    officer = Officer.objects.for_stations([incident.station_id]).select_related("team").filter(pk=payload.officer_id).first()
    if officer is None:
        raise HttpError(422, f"officer_id: no officer {payload.officer_id} at this incident's station")
    why = wording.why_for(selectors.recommendations(incident), officer.pk)
    try:
        order = services.do_dispatch(incident, officer, user=request.user, backup=payload.backup, recommendation=why)
    except services.DispatchRefused as error:
        raise refused(error) from None
    return Status(201, order_out(_order_rows().for_user(request.user).get(pk=order.pk)))


def _order_rows() -> Any:
    return Dispatch.objects.select_related("officer", "issued_by", "acknowledged_by", "feedback", "feedback__reclassified_to")


def _order(request: HttpRequest, dispatch_id: int) -> Dispatch:
    return get_for_user_or_404(_order_rows().select_related("incident__category"), request.user, pk=dispatch_id)


@router.get("/dispatches/{dispatch_id}", response=OrderOut)
def get_order(request: HttpRequest, dispatch_id: int) -> Any:
    require(request, "dispatch.view_dispatch")
    return order_out(_order(request, dispatch_id))


@router.get("/incidents/{incident_id}/dispatches", response=list[OrderOut])
def list_orders(request: HttpRequest, incident_id: int) -> Any:
    require(request, "dispatch.view_dispatch")
    return [order_out(order) for order in selectors.orders_of(_incident(request, incident_id))]


Action = Literal["acknowledge", "depart", "arrive"]


def _step(request: HttpRequest, dispatch_id: int, do: Any, **kwargs: Any) -> Any:
    require(request, "dispatch.view_dispatch")
    order = _order(request, dispatch_id)
    try:
        changed = do(order, user=request.user, **kwargs)
    except services.DispatchRefused as error:
        raise refused(error) from None
    except ValidationError as error:
        raise field_error(error) from None
    # The services hand back the order as written (a feedback step hands back its report).
    return order_out(changed if isinstance(changed, Dispatch) else changed.dispatch)


@router.post("/dispatches/{dispatch_id}/acknowledge", response=OrderOut, summary="签收: the officer has seen the order")
def acknowledge(request: HttpRequest, dispatch_id: int) -> Any:
    return _step(request, dispatch_id, services.do_acknowledge)


@router.post("/dispatches/{dispatch_id}/depart", response=OrderOut, summary="The officer is on the way")
def depart(request: HttpRequest, dispatch_id: int) -> Any:
    return _step(request, dispatch_id, services.do_depart)


@router.post("/dispatches/{dispatch_id}/arrive", response=OrderOut, summary="到场: the officer is on scene")
def arrive(request: HttpRequest, dispatch_id: int) -> Any:
    return _step(request, dispatch_id, services.do_arrive)


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    role: str = Field("", max_length=30, description="caller, party, witness, suspect …")


class FeedbackIn(Schema):
    disposition: str = Field(..., description="a disposition code, e.g. handled, mediated, warned, helped")
    actions: str = Field(..., min_length=1, max_length=4000, description="what was done")
    legal_basis: str = Field("", max_length=300)
    people: list[PersonIn] = []
    reclassify_to: str = Field("", description="a category code, when the incident was something else")
    resolves: bool = Field(True, description="the matter is dealt with (the last order's feedback resolves the incident)")


@router.post("/dispatches/{dispatch_id}/feedback", response=OrderOut, summary="反馈单: what was found and done")
def feedback(request: HttpRequest, dispatch_id: int, payload: FeedbackIn) -> Any:
    data = services.FeedbackData(
        disposition=payload.disposition, actions=payload.actions, legal_basis=payload.legal_basis,
        people=[person.dict() for person in payload.people], reclassify_to=payload.reclassify_to, resolves=payload.resolves,
    )
    return _step(request, dispatch_id, lambda order, user: services.do_feedback(order, data, user=user))


class ReasonIn(Schema):
    reason: str = Field(..., min_length=2, max_length=200)


@router.post("/dispatches/{dispatch_id}/return", response=OrderOut, summary="退单: the officer cannot take the order")
def return_order(request: HttpRequest, dispatch_id: int, payload: ReasonIn) -> Any:
    return _step(request, dispatch_id, services.do_return, reason=payload.reason)


@router.post("/dispatches/{dispatch_id}/cancel", response=OrderOut, summary="The command room calls the order off")
def cancel(request: HttpRequest, dispatch_id: int, payload: ReasonIn) -> Any:
    require(request, "dispatch.change_dispatch")
    return _step(request, dispatch_id, services.do_cancel, reason=payload.reason)


# -- the incident's end --------------------------------------------------------------------------


class ResolveIn(Schema):
    text: str = Field(..., min_length=2, max_length=2000, description="how the matter was resolved")


class StateOut(Schema):
    id: int
    number: str
    state: str
    deadline: dt.datetime | None


def _incident_step(request: HttpRequest, incident_id: int, do: Any, **kwargs: Any) -> Any:
    require(request, "dispatch.change_dispatch")
    incident = _incident(request, incident_id)
    try:
        changed = do(incident, user=request.user, **kwargs)
    except services.DispatchRefused as error:
        raise refused(error) from None
    except ValidationError as error:
        raise field_error(error) from None
    return {"id": changed.pk, "number": changed.number, "state": changed.state, "deadline": changed.deadline}


@router.post("/incidents/{incident_id}/resolve", response=StateOut)
def resolve(request: HttpRequest, incident_id: int, payload: ResolveIn) -> Any:
    return _incident_step(request, incident_id, services.do_resolve, text=payload.text)


@router.post("/incidents/{incident_id}/close", response=StateOut)
def close(request: HttpRequest, incident_id: int) -> Any:
    return _incident_step(request, incident_id, services.do_close)


@router.post("/incidents/{incident_id}/reopen", response=StateOut)
def reopen(request: HttpRequest, incident_id: int, payload: ReasonIn) -> Any:
    return _incident_step(request, incident_id, services.do_reopen, reason=payload.reason)


# -- follow-ups ------------------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    incident_id: int
    incident_number: str
    officer_id: int
    level: str
    state: str
    due_at: dt.datetime
    outcome: str
    notes: str
    done_at: dt.datetime | None


def follow_up_out(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "id": follow_up.pk, "incident_id": follow_up.incident_id, "incident_number": follow_up.incident.number,
        "officer_id": follow_up.officer_id, "level": follow_up.level, "state": follow_up.state, "due_at": follow_up.due_at,
        "outcome": follow_up.outcome, "notes": follow_up.notes, "done_at": follow_up.done_at,
    }


@router.get("/follow-ups", response=list[FollowUpOut], summary="Follow-up visits due (mine, or the station's for the command room)")
def list_follow_ups(request: HttpRequest, mine: bool = True) -> Any:
    require(request, "dispatch.view_followup")
    rows = FollowUp.objects.for_user(request.user).select_related("incident").filter(state=FollowUp.State.DUE)
    officer = getattr(request.user, "officer", None)
    if mine or not request.user.has_perm("dispatch.change_followup"):
        rows = rows.filter(officer=officer) if officer is not None else rows.none()
    return [follow_up_out(row) for row in rows.order_by("due_at")[:200]]


class FollowUpIn(Schema):
    outcome: Literal["satisfied", "fairly", "dissatisfied", "no_result"]
    notes: str = Field("", max_length=2000)
    level: Literal["", "on_the_spot", "call", "home_visit"] = ""


@router.post("/follow-ups/{follow_up_id}", response=FollowUpOut, summary="Record the answer of a follow-up visit")
def record_follow_up(request: HttpRequest, follow_up_id: int, payload: FollowUpIn) -> Any:
    require(request, "dispatch.view_followup")
    follow_up = get_for_user_or_404(FollowUp.objects.select_related("incident"), request.user, pk=follow_up_id)
    try:
        done = services.do_record_follow_up(follow_up, user=request.user, outcome=payload.outcome, notes=payload.notes,
                                            level=payload.level)
    except services.DispatchRefused as error:
        raise refused(error) from None
    except ValidationError as error:
        raise field_error(error) from None
    return follow_up_out(done)


# -- the officer ------------------------------------------------------------------------------------


class DutyIn(Schema):
    duty_status: Literal["off_duty", "on_duty", "standby", "on_leave"]


class PositionIn(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)


class MeOut(Schema):
    officer_id: int
    duty_status: str
    lat: float | None
    lon: float | None
    position_at: dt.datetime | None


def _me(request: HttpRequest) -> Officer:
    officer = getattr(request.user, "officer", None)
    if officer is None:
        raise HttpError(403, "your account is not an officer's")
    return Officer.objects.for_stations([officer.station_id]).get(pk=officer.pk)


def _me_out(officer: Officer) -> dict[str, Any]:
    return {"officer_id": officer.pk, "duty_status": officer.duty_status, "lat": officer.latitude,
            "lon": officer.longitude, "position_at": officer.position_at}


@router.post("/me/duty", response=MeOut, summary="Change my duty status")
def set_duty(request: HttpRequest, payload: DutyIn) -> Any:
    try:
        officer = services.do_set_duty(_me(request), payload.duty_status, user=request.user)
    except services.DispatchRefused as error:
        raise refused(error) from None
    return _me_out(officer)


@router.post("/me/position", response=MeOut, summary="Report my position")
def report_position(request: HttpRequest, payload: PositionIn) -> Any:
    officer = _me(request)
    services.do_report_position(officer, payload.lat, payload.lon)
    return _me_out(Officer.objects.for_stations([officer.station_id]).get(pk=officer.pk))


def _incident_detail(incident: Incident) -> dict[str, Any]:
    """`GET /incidents/{id}` shows the orders with their stamps, and the follow-ups."""
    follow_ups = FollowUp.objects.for_stations([incident.station_id]).filter(incident=incident).select_related("incident")
    return {"orders": [order_out(order) for order in selectors.orders_of(incident)],
            "follow_ups": [follow_up_out(row) for row in follow_ups.order_by("due_at")]}


intake_api.DETAIL_PARTS.append(_incident_detail)
