"""The community overview and the coverage map; helpers the other community pages share.

Pages are scoped like the records: the user's stations, an auxiliary's beat only. An
object outside that answers 404 (`visible_or_404`), written to the audit log when it
belongs to another station.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fengqiao.core.access import get_for_user_or_404
from fengqiao.organisation.models import Beat, Station
from fengqiao.organisation.selectors import stations_for
from fengqiao.organisation.services import beats_feature_collection
from fengqiao.records.selectors import work_beat_id

from . import coverage, selectors
from .models import Dispute


def station_of(request: HttpRequest) -> Station:
    """The station the page works for: the user's own, or the one chosen (?station=CODE)."""
    stations = list(stations_for(request.user))
    if not stations:
        raise PermissionDenied
    chosen = request.GET.get("station") or request.POST.get("station")
    return next((station for station in stations if station.code == chosen), stations[0])


def visible_or_404(queryset: Any, user: Any, pk: int, *, beat_field: str = "beat") -> Any:
    """The object with this pk among the user's stations and, for an auxiliary, beat; else 404."""
    beat_id = work_beat_id(user)
    if beat_id is not None:
        queryset = queryset.filter(**{f"{beat_field}_id": beat_id})
    return get_for_user_or_404(queryset, user, pk=pk)


def chosen_beat(request: HttpRequest, beats: list[Beat], *, default: int | None = None) -> Beat | None:
    """The beat picked with ?beat=ID among `beats`; `default` when none is picked; None for all."""
    raw = request.GET.get("beat")
    if raw is None:
        wanted = default
    elif raw.isdigit():
        wanted = int(raw)
    else:
        wanted = None
    found = next((beat for beat in beats if beat.pk == wanted), None)
    if found is None and work_beat_id(request.user) is not None and beats:
        return beats[0]  # an auxiliary always looks at their own beat
    return found


def label_of(model: type[Model], value: str, field: str) -> str:
    choices = dict(model._meta.get_field(field).choices or [])
    return str(choices.get(value, value))


@login_required
@permission_required("community.view_visit", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """The beat's (or the station's) community work at a glance."""
    station = station_of(request)
    beats = list(selectors.beats_for(request.user, station))
    beat = chosen_beat(request, beats, default=selectors.default_beat_id(request.user, beats))
    summary = selectors.overview(request.user, station, beat)
    return render(request, "community/home.html", {
        "station": station, "stations": list(stations_for(request.user)), "beats": beats, "beat": beat,
        "o": summary, "risks": [(value, label, summary.open_by_risk.get(value, 0))
                                for value, label in reversed(Dispute.Risk.choices)],
        "window": coverage.WINDOW_DAYS, "may_see_all": work_beat_id(request.user) is None,
    })


@login_required
@permission_required("community.view_visit", raise_exception=True)
def coverage_map(request: HttpRequest) -> HttpResponse:
    """The beat map of visit coverage: households coloured by the days since their last visit.

    The counts are drawn here; the map's points come from the coverage API, so the page
    stays small with thousands of households.
    """
    station = station_of(request)
    beats = list(selectors.beats_for(request.user, station))
    beat = chosen_beat(request, beats, default=selectors.default_beat_id(request.user, beats))
    report = selectors.coverage_report(request.user, station, beat.pk if beat else None)
    return render(request, "community/coverage.html", {
        "station": station, "beats": beats, "beat": beat, "report": report,
        "beats_geojson": beats_feature_collection([beat] if beat else beats),
        "window": coverage.WINDOW_DAYS, "recent": coverage.RECENT_DAYS,
        "may_see_all": work_beat_id(request.user) is None,
        "overdue": coverage.overdue(report.households, report.today, limit=30),
    })
