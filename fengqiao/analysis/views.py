"""Analysis pages (thin: the work is in the pure modules and selectors).

- `/analysis/` the statistics page: counts by category, beat, hour and weekday, the
  changes (同比/环比) and the monthly series, response times per step, deadline compliance
  and the non-police share, for a period, a category and a beat. The filter form is a GET
  form; with htmx only the figures are swapped (`analysis/_figures.html`).
- `/analysis/hotspots/` the hot-spot map: the beats as the base, one layer at a time
  (counts, kernel density, Gi*, next week's forecast when available) fetched as GeoJSON
  from the API, and the near-repeat alerts in force as circles.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fengqiao.core.htmx import is_htmx
from fengqiao.organisation.selectors import station_ids_for, stations_by_id

from . import hotmap, statistics

VIEW = "analysis.view_analysis"


def _labels() -> dict[str, Any]:
    """The charts' words, translated here so the script has none of its own."""
    return {
        "count": _("Incidents"), "share": _("Share"),
        "weekdays": [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")],
        "hour": _("Hour of day"), "month": _("Month"), "mom": _("Month on month (%)"), "yoy": _("Year on year (%)"),
        "minutes": _("Minutes"), "no_beat": _("No beat"),
        "steps": {"dispatch": _("Received → dispatched"), "acknowledge": _("Dispatched → acknowledged"),
                  "arrive": _("Acknowledged → on scene"), "feedback": _("On scene → feedback"),
                  "response": _("Received → on scene")},
        "compliant": _("Within the deadline"), "breached": _("Deadline breached"),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    try:
        query, form = statistics.parse(request.user, request.GET)
    except statistics.BadFilters as error:
        station = statistics.station_for(request.user, request.GET.get("station", ""))
        form = statistics.FilterForm(request.GET, station=station)
        form.is_valid()
        context = {"station": station, "form": form, "figures": None, "errors": error.errors,
                   "stations": stations_by_id(station_ids_for(request.user))}
        template = "analysis/_figures.html" if is_htmx(request) else "analysis/home.html"
        return render(request, template, context, status=422)
    figures = statistics.statistics(query)
    steps = _labels()["steps"]
    context = {
        "station": query.station, "form": form, "query": query, "figures": figures, "labels": _labels(),
        "stations": stations_by_id(station_ids_for(request.user)),
        "steps": [(step, steps[step], figures["response"][step]) for step in steps],
        "api_url": reverse("api:analysis_statistics"),
    }
    if is_htmx(request):
        return render(request, "analysis/_figures.html", context)
    return render(request, "analysis/home.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def hotspots(request: HttpRequest) -> HttpResponse:
    try:
        query, form = statistics.parse(request.user, request.GET)
        errors: dict[str, list[str]] = {}
    except statistics.BadFilters as error:
        query, form = statistics.parse(request.user, {"station": request.GET.get("station", "")})
        errors = error.errors
    method = request.GET.get("method", "counts")
    methods = [("counts", _("Counts per cell")), ("kde", _("Kernel density")), ("gistar", _("Gi* hot and cold spots"))]
    if hotmap.forecast_available():
        methods.append(("forecast", _("Next week's forecast")))
    if method not in dict(methods):
        method = "counts"
    options = statistics.settings_of(query.station)
    station = query.station
    context = {
        "station": station, "form": form, "query": query, "errors": errors, "method": method, "methods": methods,
        "stations": stations_by_id(station_ids_for(request.user)),
        "beats_geojson": statistics.beats_geojson(station),
        "alerts": statistics.near_repeat_circles(station),
        "centre": [station.latitude or 29.53, station.longitude or 106.565],
        "cell": options.cell_metres, "bandwidth": options.bandwidth_metres,
        "layer_url": reverse("api:analysis_hotspots") + "?" + urlencode({"station": station.code, **query.filters}),
        "map_words": {
            "incidents": _("incidents"), "density": _("incidents per km²"), "z": _("z-score"),
            "hot": _("hot spot"), "cold": _("cold spot"), "expected": _("expected next week"),
            "alert": _("Near-repeat alert"), "until": _("until"), "earlier": _("earlier nearby"),
            "empty": _("No incidents with a place in this period."), "loading": _("Loading…"),
            "cells": _("%(n)s cells shown"), "failed": _("The layer could not be loaded."),
        },
    }
    return render(request, "analysis/hotspots.html", context)
