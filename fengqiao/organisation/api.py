"""Organisation endpoints: stations, beats (GeoJSON), teams, officers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import RevealRefused, record
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_phone

from . import services
from .models import Beat, Officer, Station, Team

router = Router(tags=["organisation"])


class StationOut(Schema):
    id: int
    name: str
    code: str
    population: int | None
    urban: bool


class TeamOut(Schema):
    id: int
    station_id: int
    kind: str
    name: str


class BeatOut(Schema):
    id: int
    station_id: int
    code: str
    name: str
    community: str
    responsible_officer_id: int | None


class OfficerOut(Schema):
    id: int
    station_id: int
    name: str
    badge_number: str
    rank: str
    team_id: int
    beat_id: int | None
    duty_status: str
    phone_masked: str


class RevealIn(Schema):
    reason: str


class RevealOut(Schema):
    phone: str


def _require(request: HttpRequest, permission: str) -> None:
    """403 unless the user's role may see this kind of record (DESIGN.md §5, minimum necessary)."""
    if not request.user.has_perm(permission):
        record(AuditEntry.Action.ACCESS_REFUSED, user=request.user, outcome=AuditEntry.Outcome.REFUSED,
               reason=f"missing permission {permission}", object_type="path", object_repr=request.path[:200])
        raise HttpError(403, "your role may not see these records")


def _officer_out(officer: Officer) -> dict[str, Any]:
    return {
        "id": officer.pk, "station_id": officer.station_id, "name": officer.name,
        "badge_number": officer.badge_number, "rank": officer.rank, "team_id": officer.team_id,
        "beat_id": officer.beat_id, "duty_status": officer.duty_status,
        "phone_masked": mask_phone(officer.phone),
    }


@router.get("/stations", response=list[StationOut])
def list_stations(request: HttpRequest) -> Any:
    _require(request, "organisation.view_station")
    return Station.objects.for_user(request.user)


@router.get("/stations/{station_id}", response=StationOut)
def get_station(request: HttpRequest, station_id: int) -> Any:
    _require(request, "organisation.view_station")
    return get_for_user_or_404(Station.objects.all(), request.user, pk=station_id)


@router.get("/teams/{team_id}", response=TeamOut)
def get_team(request: HttpRequest, team_id: int) -> Any:
    _require(request, "organisation.view_team")
    return get_for_user_or_404(Team.objects.all(), request.user, pk=team_id)


@router.get("/beats", response=list[BeatOut])
def list_beats(request: HttpRequest) -> Any:
    _require(request, "organisation.view_beat")
    return Beat.objects.for_user(request.user)


@router.get("/beats.geojson")
def beats_geojson(request: HttpRequest) -> dict[str, Any]:
    """The user's beats as a GeoJSON FeatureCollection, for maps."""
    _require(request, "organisation.view_beat")
    return services.beats_feature_collection(Beat.objects.for_user(request.user).select_related("responsible_officer"))


@router.get("/beats/{beat_id}", response=BeatOut)
def get_beat(request: HttpRequest, beat_id: int) -> Any:
    _require(request, "organisation.view_beat")
    return get_for_user_or_404(Beat.objects.all(), request.user, pk=beat_id)


@router.get("/officers", response=list[OfficerOut])
def list_officers(request: HttpRequest) -> Any:
    _require(request, "organisation.view_officer")
    return [_officer_out(o) for o in Officer.objects.for_user(request.user)]


@router.get("/officers/{officer_id}", response=OfficerOut)
def get_officer(request: HttpRequest, officer_id: int) -> Any:
    _require(request, "organisation.view_officer")
    officer = get_for_user_or_404(Officer.objects.all(), request.user, pk=officer_id)
    return _officer_out(officer)


@router.post("/officers/{officer_id}/reveal-phone", response=RevealOut)
def reveal_officer_phone(request: HttpRequest, officer_id: int, payload: RevealIn) -> Any:
    """The officer's full phone number. Needs the permission and a reason; audited."""
    officer = get_for_user_or_404(Officer.objects.all(), request.user, pk=officer_id)
    try:
        phone = services.reveal_officer_phone(officer, user=request.user, reason=payload.reason)
    except RevealRefused as exc:
        if str(exc) == "reason":
            raise HttpError(422, "reason: give the reason for revealing this number") from None
        raise HttpError(403, "you may not reveal officers' phone numbers") from None
    return {"phone": phone}
