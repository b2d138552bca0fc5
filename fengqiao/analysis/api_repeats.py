"""Near repeats, repeats and escalation in the API (under /api/v1/analysis/).

- `GET /analysis/near-repeats?station=&active=true` — the near-repeat alerts (GeoJSON
  features: the map draws a circle of `radius_metres` around each point); `active=false`
  lists the last `days` days' alerts, ended ones too.
- `GET /analysis/repeats/addresses?station=&days=30&minimum=3` — repeat places.
- `GET /analysis/repeats/callers?station=&days=30&minimum=3` — repeat callers (phones masked).
- `GET /analysis/escalation?station=` — open disputes ranked by the risk of turning violent,
  with the reasons as data (`code`, numbers) and in words (`text`).

A user sees only their stations: another station's code answers 422 like an unknown one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fengqiao.intake.api import require, station_for

from . import nearrepeat, repeats, views_repeats
from .models import NearRepeatAlert

router = Router(tags=["analysis"])

VIEW = "analysis.view_analysis"
VIEW_ALERTS = "analysis.view_nearrepeatalert"


class AlertsQuery(Schema):
    station: str = ""
    active: bool = True
    days: int = Field(30, ge=1, le=366)


class RepeatsQuery(Schema):
    station: str = ""
    days: int = Field(30, ge=1, le=366)
    minimum: int = Field(repeats.DEFAULT_MINIMUM, ge=2, le=1000)
    limit: int = Field(100, ge=1, le=1000)


class StationQuery(Schema):
    station: str = ""


class IncidentRef(Schema):
    id: int
    number: str
    received_at: dt.datetime
    category: str
    category_name: str


class PlaceOut(Schema):
    key: str
    label: str
    address_id: int | None
    latitude: float | None
    longitude: float | None
    count: int
    incidents: list[IncidentRef]


class CallerOut(Schema):
    phone: str
    calls: int
    names: list[str]
    first_at: dt.datetime
    last_at: dt.datetime
    incidents: list[IncidentRef]


class ReasonOut(Schema):
    code: str
    match: str
    count: int
    days: int
    before: int
    categories: list[str]
    text: str


class RankedOut(Schema):
    dispute: int
    number: str
    kind: str
    beat: str
    own_beat: bool
    score: float
    level: str
    calls: int
    recent: int
    before: int
    violent: int
    last_call_at: dt.datetime | None
    reasons: list[ReasonOut]


def _incident_ref(incident: Any) -> dict[str, Any]:
    return {"id": incident.pk, "number": incident.number, "received_at": incident.received_at,
            "category": incident.category.code, "category_name": incident.category.label_zh}


@router.get("/analysis/near-repeats", response=dict[str, Any])
def near_repeats(request: HttpRequest, filters: Query[AlertsQuery]) -> dict[str, Any]:
    """Near-repeat alerts of one station as a GeoJSON FeatureCollection."""
    require(request, VIEW_ALERTS)
    station = station_for(request, filters.station)
    now = timezone.now()
    if filters.active:
        alerts = nearrepeat.active_alerts([station.pk], now)
    else:
        alerts = list(
            NearRepeatAlert.objects.for_stations([station.pk])
            .filter(starts_at__gte=now - dt.timedelta(days=filters.days))
            .select_related("incident", "category", "beat").order_by("-starts_at", "-pk")
        )
    return nearrepeat.alerts_geojson(alerts)


@router.get("/analysis/repeats/addresses", response=list[PlaceOut])
def repeat_addresses(request: HttpRequest, filters: Query[RepeatsQuery]) -> list[dict[str, Any]]:
    require(request, VIEW)
    station = station_for(request, filters.station)
    now = timezone.now()
    places = repeats.repeat_addresses([station.pk], now - dt.timedelta(days=filters.days), now, minimum=filters.minimum)
    return [
        {"key": p.key, "label": p.label, "address_id": p.address_id, "latitude": p.latitude, "longitude": p.longitude,
         "count": p.count, "incidents": [_incident_ref(i) for i in p.incidents]}
        for p in places[:filters.limit]
    ]


@router.get("/analysis/repeats/callers", response=list[CallerOut])
def repeat_callers(request: HttpRequest, filters: Query[RepeatsQuery]) -> list[dict[str, Any]]:
    require(request, VIEW)
    station = station_for(request, filters.station)
    now = timezone.now()
    callers = repeats.repeat_callers([station.pk], now - dt.timedelta(days=filters.days), now, minimum=filters.minimum)
    return [
        {"phone": c.phone_masked, "calls": c.calls, "names": c.names, "first_at": c.first_at, "last_at": c.last_at,
         "incidents": [_incident_ref(i) for i in c.incidents]}
        for c in callers[:filters.limit]
    ]


@router.get("/analysis/escalation", response=list[RankedOut])
def escalation_ranking(request: HttpRequest, filters: Query[StationQuery]) -> list[dict[str, Any]]:
    """Open disputes, highest risk of turning violent first (the caller's own beat first)."""
    require(request, VIEW)
    require(request, "community.view_dispute")
    station = station_for(request, filters.station)
    names = views_repeats.category_names(station.pk)
    out = []
    for row in repeats.ranked_disputes(station.pk, user=request.user):
        a = row.assessment
        out.append({
            "dispute": row.dispute.pk, "number": row.dispute.number, "kind": row.dispute.kind,
            "beat": row.dispute.beat.name if row.dispute.beat_id else "", "own_beat": row.own_beat,
            "score": a.score, "level": a.level, "calls": a.calls, "recent": a.recent, "before": a.before,
            "violent": a.violent, "last_call_at": a.last_call_at,
            "reasons": [
                {"code": r.code, "match": r.match, "count": r.count, "days": r.days, "before": r.before,
                 "categories": list(r.categories), "text": views_repeats.reason_text(r, names)}
                for r in a.reasons
            ],
        })
    return out
