"""Community endpoints: visits, the coverage map, the dispute ledger, volunteer teams.

Everything is scoped like the pages: another station's record, or one outside an
auxiliary's beat, answers 404; a bad field 422 naming it; a step the dispute's state
does not allow 409. Phones are masked, free text has any number in it masked.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fengqiao.audit.services import record_personal_view
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_identifiers_in, mask_phone
from fengqiao.intake.api import field_error, require, station_for
from fengqiao.intake.models import Incident
from fengqiao.organisation.services import beats_feature_collection
from fengqiao.records.selectors import care_subjects_for

from . import coverage, selectors, services
from .models import Dispute, Visit, VolunteerTeam
from .views import visible_or_404

router = Router(tags=["community"])

MAX_LIMIT = 500


def _call(do: Any, *args: Any, **kwargs: Any) -> Any:
    """A service call with its refusals as HTTP answers."""
    try:
        return do(*args, **kwargs)
    except services.Refused as refused:
        raise HttpError(409, refused.message) from None
    except PermissionDenied:
        raise HttpError(403, "your role may not do this") from None
    except ValidationError as error:
        raise field_error(error) from None


# -- visits ----------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str


class VisitOut(Schema):
    id: int
    station: str
    visited_at: dt.datetime
    target: str
    purpose: str
    purpose_label: str
    address_id: int
    address: str
    beat_id: int | None
    house_id: int | None
    organisation_id: int | None
    care_subject_id: int | None
    dispute_id: int | None
    dispute_number: str | None
    officer_id: int
    officer: str
    companions: str
    people_met: list[PersonOut]
    findings: str
    follow_up_needed: bool
    follow_up_note: str
    created_at: dt.datetime


def _visit_rows() -> Any:
    return Visit.objects.select_related("station", "address", "officer", "dispute").prefetch_related("residents")


def visit_out(visit: Visit, *, sees_care: bool) -> dict[str, Any]:
    return {
        "id": visit.pk, "station": visit.station.code, "visited_at": visit.visited_at, "target": visit.target,
        "purpose": visit.purpose, "purpose_label": str(visit.get_purpose_display()),
        "address_id": visit.address_id, "address": visit.address.full_text, "beat_id": visit.beat_id,
        "house_id": visit.house_id, "organisation_id": visit.organisation_id,
        "care_subject_id": visit.care_subject_id if sees_care else None,
        "dispute_id": visit.dispute_id, "dispute_number": visit.dispute.number if visit.dispute else None,
        "officer_id": visit.officer_id, "officer": visit.officer.name, "companions": visit.companions,
        "people_met": [{"id": person.pk, "name": person.name} for person in visit.residents.all()],
        "findings": mask_identifiers_in(visit.findings), "follow_up_needed": visit.follow_up_needed,
        "follow_up_note": mask_identifiers_in(visit.follow_up_note), "created_at": visit.created_at,
    }


def _sees_care(request: HttpRequest, visits: list[Visit]) -> set[int]:
    ids = {visit.care_subject_id for visit in visits if visit.care_subject_id}
    if not ids:
        return set()
    return set(care_subjects_for(request.user).filter(pk__in=ids).values_list("pk", flat=True))


class VisitFilter(Schema):
    beat: int | None = None
    purpose: str | None = None
    address_id: int | None = None
    dispute_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    follow_up_needed: bool | None = None
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("/visits", response=list[VisitOut], summary="Visits, newest first")
def list_visits(request: HttpRequest, filters: Query[VisitFilter]) -> Any:
    require(request, "community.view_visit")
    rows = selectors.visits_for(request.user)
    if filters.beat is not None:
        rows = rows.filter(beat_id=filters.beat)
    if filters.purpose:
        rows = rows.filter(purpose=filters.purpose)
    if filters.address_id is not None:
        rows = rows.filter(address_id=filters.address_id)
    if filters.dispute_id is not None:
        rows = rows.filter(dispute_id=filters.dispute_id)
    rows = selectors.visited_between(rows, filters.since, filters.until)
    if filters.follow_up_needed is not None:
        rows = rows.filter(follow_up_needed=filters.follow_up_needed)
    visits = list(_visit_rows().filter(pk__in=rows.values("pk")).for_user(request.user)
                  .order_by("-visited_at", "-id")[filters.offset:filters.offset + filters.limit])
    care = _sees_care(request, visits)
    return [visit_out(visit, sees_care=visit.care_subject_id in care) for visit in visits]


@router.get("/visits/{visit_id}", response=VisitOut)
def get_visit(request: HttpRequest, visit_id: int) -> Any:
    require(request, "community.view_visit")
    visit = visible_or_404(_visit_rows(), request.user, visit_id)
    for person in visit.residents.all():
        record_personal_view(person, fields=["name"], user=request.user, reason="visit")
    return visit_out(visit, sees_care=bool(_sees_care(request, [visit])))


class VisitIn(Schema):
    purpose: str = Field(..., description="anti_fraud, dispute_screening, record_check, care_visit, follow_up, other")
    visited_at: dt.datetime | None = Field(None, description="default: now")
    target: str = Field("", description="household, shop, organisation (default: from what is visited)")
    address_id: int | None = None
    house_id: int | None = None
    organisation_id: int | None = None
    care_subject_id: int | None = None
    dispute_id: int | None = None
    resident_ids: list[int] = Field(default_factory=list, description="people met")
    findings: str = ""
    follow_up_needed: bool = False
    follow_up_note: str = ""
    companions: str = ""
    station: str = Field("", description="station code, when the user sees several")


@router.post("/visits", response={201: VisitOut}, summary="Record a visit")
def post_visit(request: HttpRequest, payload: VisitIn) -> Any:
    require(request, "community.add_visit")
    station = station_for(request, payload.station)
    data = services.VisitData(
        purpose=payload.purpose, visited_at=payload.visited_at, target=payload.target, address_id=payload.address_id,
        house_id=payload.house_id, organisation_id=payload.organisation_id, care_subject_id=payload.care_subject_id,
        dispute_id=payload.dispute_id, resident_ids=payload.resident_ids, findings=payload.findings,
        follow_up_needed=payload.follow_up_needed, follow_up_note=payload.follow_up_note, companions=payload.companions,
    )
    visit = _call(services.log_visit, station, data, user=request.user)
    fresh = _visit_rows().for_user(request.user).get(pk=visit.pk)
    return Status(201, visit_out(fresh, sees_care=True))


# -- coverage --------------------------------------------------------------------------------------


class BeatCoverageOut(Schema):
    beat_id: int | None
    code: str
    name: str
    households: int
    covered: int
    not_covered: int
    share_covered: float
    recent: int
    visited: int
    stale: int
    never: int


class CoverageOut(Schema):
    date: dt.date
    window_days: int
    recent_days: int
    beats: list[BeatCoverageOut]
    total: BeatCoverageOut
    boundaries: dict[str, Any] = Field(..., description="the beats as a GeoJSON FeatureCollection")
    households: dict[str, Any] = Field(..., description=(
        "GeoJSON points, one per position (a building): properties beat, place, and households as "
        "[address id, band (recent/visited/stale/never), days since the last visit or null, rest of the label]"))


def _beat_row(row: selectors.CoverageRow | None, counts: coverage.BeatCoverage) -> dict[str, Any]:
    beat = row.beat if row is not None else None
    return {**counts.as_dict(), "code": beat.code if beat else "", "name": beat.name if beat else ""}


@router.get("/coverage", response=CoverageOut, summary="Visit coverage of the beats: households not visited in 90 days")
def get_coverage(request: HttpRequest, beat: int | None = None, station: str = "") -> Any:
    require(request, "community.view_visit")
    chosen = station_for(request, station)
    beats = list(selectors.beats_for(request.user, chosen))
    if beat is not None and all(known.pk != beat for known in beats):
        raise HttpError(404, "beat: no such beat among yours")
    if beat is None and len(beats) == 1 and selectors.work_beat_id(request.user) is not None:
        beat = beats[0].pk
    report = selectors.coverage_report(request.user, chosen, beat)
    shown = [known for known in beats if beat is None or known.pk == beat]
    body = {
        "date": report.today.isoformat(), "window_days": coverage.WINDOW_DAYS, "recent_days": coverage.RECENT_DAYS,
        "beats": [_beat_row(row, row.counts) for row in report.rows],
        "total": _beat_row(None, report.overall),
        "boundaries": beats_feature_collection(shown),
        "households": coverage.feature_collection(report.households, report.today),
    }
    # Thousands of points: written out directly (the schema above documents it), in UTF-8.
    return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")), content_type="application/json")


# -- disputes ----------------------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    resident_id: int | None
    name: str
    phone: str = Field(..., description="masked")
    role: str


class StepOut(Schema):
    id: int
    at: dt.datetime
    method: str
    method_label: str
    officer: str
    mediator: str
    result: str
    next_follow_up_on: dt.date | None


class IncidentRef(Schema):
    id: int
    number: str


class DisputeSummaryOut(Schema):
    id: int
    number: str
    station: str
    kind: str
    kind_label: str
    risk: str
    summary: str
    address_id: int | None
    address: str
    beat_id: int | None
    officer_id: int | None
    officer: str
    mediator: str
    follow_up_on: dt.date | None
    outcome: str
    outcome_label: str
    outcome_note: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class DisputeOut(DisputeSummaryOut):
    parties: list[PartyOut]
    incidents: list[IncidentRef]
    steps: list[StepOut]


def _dispute_rows() -> Any:
    return Dispute.objects.select_related("station", "address", "officer")


def dispute_summary(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.pk, "number": dispute.number, "station": dispute.station.code, "kind": dispute.kind,
        "kind_label": str(dispute.get_kind_display()), "risk": dispute.risk, "summary": mask_identifiers_in(dispute.summary),
        "address_id": dispute.address_id, "address": dispute.address.full_text if dispute.address else "",
        "beat_id": dispute.beat_id, "officer_id": dispute.officer_id, "officer": dispute.officer.name if dispute.officer else "",
        "mediator": dispute.mediator, "follow_up_on": dispute.follow_up_on, "outcome": dispute.outcome,
        "outcome_label": str(dispute.get_outcome_display()), "outcome_note": mask_identifiers_in(dispute.outcome_note),
        "opened_at": dispute.opened_at, "closed_at": dispute.closed_at,
    }


def dispute_out(dispute: Dispute, *, user: Any) -> dict[str, Any]:
    parties = list(dispute.parties.select_related("resident"))
    for party in parties:
        if party.resident_id:
            record_personal_view(party.resident, fields=["name"], user=user, reason=f"dispute {dispute.number}")
    return {
        **dispute_summary(dispute),
        "parties": [{"id": party.pk, "resident_id": party.resident_id, "name": str(party), "phone": mask_phone(party.phone),
                     "role": party.role} for party in parties],
        "incidents": [{"id": incident.pk, "number": incident.number}
                      for incident in dispute.incidents.order_by("received_at").only("pk", "number")],
        "steps": [{"id": step.pk, "at": step.at, "method": step.method, "method_label": str(step.get_method_display()),
                   "officer": step.officer.name if step.officer else "", "mediator": step.mediator,
                   "result": mask_identifiers_in(step.result), "next_follow_up_on": step.next_follow_up_on}
                  for step in dispute.steps.select_related("officer").order_by("at", "id")],
    }


class DisputeFilter(Schema):
    outcome: str | None = Field(None, description="open, closed, or one outcome")
    risk: str | None = None
    kind: str | None = None
    beat: int | None = None
    due: bool = Field(False, description="only those whose follow-up day has come")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("/disputes", response=list[DisputeSummaryOut], summary="The dispute ledger, newest first")
def list_disputes(request: HttpRequest, filters: Query[DisputeFilter]) -> Any:
    require(request, "community.view_dispute")
    rows = selectors.disputes_for(request.user).select_related("station", "address", "officer")
    if filters.outcome == "open":
        rows = rows.filter(outcome=Dispute.Outcome.OPEN)
    elif filters.outcome == "closed":
        rows = rows.exclude(outcome=Dispute.Outcome.OPEN)
    elif filters.outcome:
        if filters.outcome not in Dispute.Outcome.values:
            raise HttpError(422, f"outcome: unknown outcome {filters.outcome!r}")
        rows = rows.filter(outcome=filters.outcome)
    if filters.risk:
        rows = rows.filter(risk=filters.risk)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.beat is not None:
        rows = rows.filter(beat_id=filters.beat)
    if filters.due:
        rows = selectors.follow_ups_due(rows)
    return [dispute_summary(dispute) for dispute in
            rows.order_by("-opened_at", "-id")[filters.offset:filters.offset + filters.limit]]


def _dispute(request: HttpRequest, dispute_id: int) -> Dispute:
    return visible_or_404(_dispute_rows(), request.user, dispute_id)


@router.get("/disputes/{dispute_id}", response=DisputeOut)
def get_dispute(request: HttpRequest, dispute_id: int) -> Any:
    require(request, "community.view_dispute")
    return dispute_out(_dispute(request, dispute_id), user=request.user)


class PartyIn(Schema):
    name: str = ""
    phone: str = ""
    role: str = ""
    resident_id: int | None = None


class DisputeIn(Schema):
    kind: str = Field(..., description="neighbour, family, debt, romance, property, labour, consumer, traffic, other")
    summary: str
    risk: str = "low"
    address_id: int | None = None
    beat_id: int | None = None
    officer_id: int | None = Field(None, description="default: the beat's responsible officer")
    mediator: str = ""
    follow_up_on: dt.date | None = None
    parties: list[PartyIn] = Field(default_factory=list)
    incident_ids: list[int] = Field(default_factory=list)
    station: str = Field("", description="station code, when the user sees several")


@router.post("/disputes", response={201: DisputeOut}, summary="Enter a dispute in the ledger")
def post_dispute(request: HttpRequest, payload: DisputeIn) -> Any:
    require(request, "community.add_dispute")
    station = station_for(request, payload.station)
    data = services.DisputeData(
        kind=payload.kind, summary=payload.summary, risk=payload.risk, address_id=payload.address_id,
        beat_id=payload.beat_id, officer_id=payload.officer_id, mediator=payload.mediator,
        follow_up_on=payload.follow_up_on, incident_ids=payload.incident_ids,
        parties=[services.PartyData(name=p.name, phone=p.phone, role=p.role, resident_id=p.resident_id) for p in payload.parties],
    )
    dispute = _call(services.open_dispute, station, data, user=request.user)
    return Status(201, dispute_out(_dispute_rows().for_user(request.user).get(pk=dispute.pk), user=request.user))


class StepIn(Schema):
    method: str = Field(..., description="on_site, phone, mediation_room, joint, home_visit")
    result: str
    at: dt.datetime | None = Field(None, description="default: now")
    officer_id: int | None = Field(None, description="default: the user's own officer record")
    mediator: str = ""
    next_follow_up_on: dt.date | None = None


@router.post("/disputes/{dispute_id}/steps", response={201: DisputeOut}, summary="Add a mediation step")
def post_step(request: HttpRequest, dispute_id: int, payload: StepIn) -> Any:
    require(request, "community.add_mediationstep")
    dispute = _dispute(request, dispute_id)
    data = services.StepData(method=payload.method, result=payload.result, at=payload.at, officer_id=payload.officer_id,
                             mediator=payload.mediator, next_follow_up_on=payload.next_follow_up_on)
    _call(services.add_step, dispute, data, user=request.user)
    return Status(201, dispute_out(_dispute(request, dispute_id), user=request.user))


class CloseIn(Schema):
    outcome: str = Field(..., description="resolved, agreement, court, department, case")
    note: str = Field("", description="required for court, department and case: where it went")
    follow_up_on: dt.date | None = Field(None, description="the return visit after the outcome")


@router.post("/disputes/{dispute_id}/close", response=DisputeOut, summary="Close a dispute with its outcome")
def close_dispute(request: HttpRequest, dispute_id: int, payload: CloseIn) -> Any:
    require(request, "community.change_dispute")
    dispute = _dispute(request, dispute_id)
    _call(services.close_dispute, dispute, outcome=payload.outcome, note=payload.note, follow_up_on=payload.follow_up_on,
          user=request.user)
    return dispute_out(_dispute(request, dispute_id), user=request.user)


class ReasonIn(Schema):
    reason: str


@router.post("/disputes/{dispute_id}/reopen", response=DisputeOut, summary="Reopen a closed dispute (leaders)")
def reopen_dispute(request: HttpRequest, dispute_id: int, payload: ReasonIn) -> Any:
    require(request, "community.change_dispute")
    dispute = _dispute(request, dispute_id)
    _call(services.reopen_dispute, dispute, reason=payload.reason, user=request.user)
    return dispute_out(_dispute(request, dispute_id), user=request.user)


@router.post("/incidents/{incident_id}/dispute", response={200: DisputeOut, 201: DisputeOut},
             summary="Open the incident's dispute in one step (201), or get the one already open (200)")
def post_incident_dispute(request: HttpRequest, incident_id: int) -> Any:
    require(request, "community.add_dispute")
    incident = get_for_user_or_404(Incident.objects.select_related("category", "station"), request.user, pk=incident_id)
    dispute, created = _call(services.open_dispute_from_incident, incident, user=request.user)
    fresh = _dispute_rows().for_user(request.user).get(pk=dispute.pk)
    return Status(201 if created else 200, dispute_out(fresh, user=request.user))


# -- volunteer teams ---------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    station: str
    name: str
    kind: str
    kind_label: str
    beat_id: int | None
    officer: str
    leader_name: str
    leader_phone: str = Field(..., description="masked")
    founded_on: dt.date | None
    active: bool
    members: int
    activities_30_days: int


@router.get("/volunteer-teams", response=list[TeamOut], summary="Volunteer teams (群防群治)")
def list_teams(request: HttpRequest, beat: int | None = None, active: bool | None = None) -> Any:
    require(request, "community.view_volunteerteam")
    since = timezone.now() - dt.timedelta(days=30)
    rows = selectors.teams_for(request.user).select_related("station", "officer").annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        recent=Count("activities", filter=Q(activities__started_at__gte=since), distinct=True))
    if beat is not None:
        rows = rows.filter(beat_id=beat)
    if active is not None:
        rows = rows.filter(active=active)
    teams: list[VolunteerTeam] = list(rows.order_by("station", "name"))
    return [{
        "id": team.pk, "station": team.station.code, "name": team.name, "kind": team.kind,
        "kind_label": str(team.get_kind_display()), "beat_id": team.beat_id, "officer": team.officer.name if team.officer else "",
        "leader_name": team.leader_name, "leader_phone": mask_phone(team.leader_phone), "founded_on": team.founded_on,
        "active": team.active, "members": team.member_count, "activities_30_days": team.recent,
    } for team in teams]
