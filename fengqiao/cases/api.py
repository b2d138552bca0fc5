"""Case endpoints: the list, one case with its log, accepting an incident as a case, and
every move of a case through one endpoint.

    GET  /cases?state=&kind=&lead=&mine=&overdue=     the station's cases (open ones by default)
    GET  /cases/{id}                                  one case, with its log and assignment reasons
    GET  /incidents/{id}/case/recommendation          who would lead a new case of this incident
    POST /incidents/{id}/case                         受案: accept the incident as a case
    POST /cases/{id}/actions                          a move: {"action": "file" | "not_file" | "clear" |
                                                      "decide" | "close" | "terminate" | "extend" |
                                                      "reassign", ...its fields}

Another station's case or incident answers 404; a move the case's state or the user's part
in it does not allow 409 with the reason; a bad field 422 naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_identifiers_in
from fengqiao.intake.api import field_error, require
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer

from . import machine, selectors, services, wording
from .models import Case

router = Router(tags=["cases"])

MAX_LIMIT = 500
Action = Literal["file", "not_file", "clear", "decide", "close", "terminate", "extend", "reassign"]


def _call(do: Any, *args: Any, **kwargs: Any) -> Any:
    """A service call with its refusals as HTTP answers."""
    try:
        return do(*args, **kwargs)
    except services.CaseRefused as refused:
        raise HttpError(409, refused.message) from None
    except ValidationError as error:
        raise field_error(error) from None


class OfficerOut(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    number: str
    station: str
    incident_id: int
    incident_number: str
    kind: str
    kind_label: str
    category: str
    title: str
    complexity: str
    state: str
    state_label: str
    lead: OfficerOut
    assistants: list[OfficerOut]
    accepted_at: dt.datetime
    accepted_by: str
    stage: str
    stage_label: str
    stage_started_at: dt.datetime | None
    due_at: dt.datetime | None
    overdue: bool
    time_left: str
    extensions: int
    filed_at: dt.datetime | None
    not_filed_reason: str
    cleared_at: dt.datetime | None
    cleared_how: str
    cleared_note: str
    closed_at: dt.datetime | None
    close_note: str


class LogOut(Schema):
    at: dt.datetime
    action: str
    text: str
    author: str
    automatic: bool


class CaseDetailOut(CaseOut):
    assignment_reasons: list[str]
    log: list[LogOut]


def case_out(case: Case, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    overdue = case.is_open and case.due_at is not None and case.due_at < now
    return {
        "id": case.pk, "number": case.number, "station": case.station.code, "incident_id": case.incident_id,
        "incident_number": case.incident.number, "kind": case.kind, "kind_label": str(case.get_kind_display()),
        "category": case.category.code, "title": mask_identifiers_in(case.title), "complexity": case.complexity,
        "state": case.state, "state_label": str(case.get_state_display()),
        "lead": {"id": case.lead_id, "name": case.lead.name},
        "assistants": [{"id": officer.pk, "name": officer.name} for officer in case.assistants.all()],
        "accepted_at": case.accepted_at, "accepted_by": case.accepted_by.display_name if case.accepted_by else "",
        "stage": case.stage, "stage_label": str(case.get_stage_display()) if case.stage else "",
        "stage_started_at": case.stage_started_at, "due_at": case.due_at, "overdue": overdue,
        "time_left": wording.time_left(case.due_at, now) if case.is_open else "", "extensions": case.extensions,
        "filed_at": case.filed_at, "not_filed_reason": mask_identifiers_in(case.not_filed_reason),
        "cleared_at": case.cleared_at, "cleared_how": case.cleared_how, "cleared_note": mask_identifiers_in(case.cleared_note),
        "closed_at": case.closed_at, "close_note": mask_identifiers_in(case.close_note),
    }


def case_detail_out(case: Case) -> dict[str, Any]:
    return {
        **case_out(case), "assignment_reasons": wording.assignment_lines(case.assignment),
        "log": [{"at": entry.at, "action": entry.action, "text": mask_identifiers_in(entry.text),
                 "author": entry.author.display_name if entry.author else "", "automatic": entry.automatic}
                for entry in selectors.log_of(case)],
    }


def _case(request: HttpRequest, case_id: int) -> Case:
    return get_for_user_or_404(selectors.case_rows().prefetch_related("assistants"), request.user, pk=case_id)


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    return get_for_user_or_404(Incident.objects.select_related("category", "category__family", "station", "address"),
                               request.user, pk=incident_id)


def _officer(station_id: int, officer_id: int | None, field: str) -> Officer | None:
    if officer_id is None:
        return None
    officer = selectors.police_officers(station_id).filter(pk=officer_id).first()
    if officer is None:
        raise HttpError(422, f"{field}: no police officer {officer_id} at this station")
    return officer


# -- reading -----------------------------------------------------------------------------------------


class CaseFilter(Schema):
    state: str = Field("open", description="open (default), finished, all, or one state: "
                                           + ", ".join(machine.ALL))
    kind: str = Field("", description="criminal or administrative")
    lead: int | None = Field(None, description="the lead officer's id")
    mine: bool = Field(False, description="only cases the user leads or assists")
    overdue: bool = Field(False, description="only open cases past their deadline")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("/cases", response=list[CaseOut], summary="Cases, open ones by deadline")
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    require(request, "cases.view_case")
    if filters.state not in (selectors.OPEN, selectors.FINISHED, selectors.ALL, *machine.ALL):
        raise HttpError(422, f"state: unknown state {filters.state!r}")
    if filters.kind and filters.kind not in machine.KINDS:
        raise HttpError(422, f"kind: unknown kind {filters.kind!r}")
    mine = getattr(request.user, "officer", None) if filters.mine else None
    if filters.mine and mine is None:
        return []
    rows = selectors.filter_cases(selectors.cases_for(request.user), state=filters.state, kind=filters.kind,
                                  lead=filters.lead, mine=mine, overdue=filters.overdue)
    cases = list(selectors.ordered(rows).prefetch_related("assistants")[filters.offset:filters.offset + filters.limit])
    now = timezone.now()
    return [case_out(case, now=now) for case in cases]


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case, with its log")
def get_case(request: HttpRequest, case_id: int) -> Any:
    require(request, "cases.view_case")
    return case_detail_out(_case(request, case_id))


class RecommendationOut(Schema):
    complexity: str
    lead: OfficerOut | None
    assistants: list[OfficerOut]
    reasons: list[str]


@router.get("/incidents/{incident_id}/case/recommendation", response=RecommendationOut,
            summary="Who would lead a new case of this incident, and why")
def get_recommendation(request: HttpRequest, incident_id: int, complexity: str = machine.ORDINARY) -> Any:
    require(request, "cases.add_case")
    incident = _incident(request, incident_id)
    if complexity not in machine.COMPLEXITIES:
        raise HttpError(422, f"complexity: one of {', '.join(machine.COMPLEXITIES)}")
    choice = selectors.recommend(incident.station_id, complexity)
    return {
        "complexity": complexity,
        "lead": {"id": choice.lead.id, "name": choice.lead.name} if choice.lead else None,
        "assistants": [{"id": officer.id, "name": officer.name} for officer in choice.assistants],
        "reasons": [reason.render(_) for reason in choice.reasons],
    }


# -- writing -----------------------------------------------------------------------------------------


class AcceptIn(Schema):
    kind: str = Field("", description="criminal or administrative (default: criminal for the criminal categories)")
    complexity: str = Field(machine.ORDINARY, description="simple, ordinary or complex")
    title: str = Field("", max_length=200, description="default: the category and the place")
    lead_id: int | None = Field(None, description="the lead officer (default: chosen by load and complexity)")


@router.post("/incidents/{incident_id}/case", response={201: CaseDetailOut}, summary="Accept the incident as a case (受案)")
def post_case(request: HttpRequest, incident_id: int, payload: AcceptIn) -> Any:
    require(request, "cases.add_case")
    incident = _incident(request, incident_id)
    lead = _officer(incident.station_id, payload.lead_id, "lead_id")
    case = _call(services.do_accept_case, incident, user=request.user, kind=payload.kind or services.default_kind(incident),
                 complexity=payload.complexity, title=payload.title, lead=lead)
    return Status(201, case_detail_out(_case(request, case.pk)))


class ActionIn(Schema):
    action: Action
    reason: str = Field("", max_length=300, description="not_file, terminate, extend, reassign: required")
    note: str = Field("", max_length=2000, description="file, clear, close: optional")
    how: str = Field("", description="clear: " + ", ".join(value for value in Case.ClearedHow.values
                                                            if value != Case.ClearedHow.DECISION))
    cleared_at: dt.date | None = Field(None, description="clear: the day it was cleared (default: today)")
    decision: str = Field("", max_length=2000, description="decide: the decision (administrative cases)")
    officer_id: int | None = Field(None, description="reassign: the new lead officer")


@router.post("/cases/{case_id}/actions", response=CaseDetailOut, summary="Move the case: file, clear, close …")
def post_action(request: HttpRequest, case_id: int, payload: ActionIn) -> Any:
    """One move of the case; the fields each action uses are named in the body's description.

    Filing, clearing, deciding and closing are for the lead officer, the assisting officers
    and the leaders; extending a time limit and handing the case to another officer for the
    leaders (409 otherwise)."""
    require(request, "cases.view_case")
    case = _case(request, case_id)
    officer = _officer(case.station_id, payload.officer_id, "officer_id")
    _call(services.do_action, case, payload.action, user=request.user, reason=payload.reason, note=payload.note,
          how=payload.how, decision=payload.decision, officer=officer, cleared_at=payload.cleared_at)
    return case_detail_out(_case(request, case_id))
