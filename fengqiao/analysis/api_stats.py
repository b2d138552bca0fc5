"""The statistics and the hot-spot map's layers under /api/v1/analysis/.

- `GET /analysis/statistics?station=NP&period=30d|7d|this_month|last_month|this_year|last_year
  &start=YYYY-MM-DD&end=YYYY-MM-DD&category=CODE&beat=ID` → the same figures as the page
  (`stats.figures`): totals, by category/family/beat/hour/weekday, changes and the monthly
  series, response times per step, deadline compliance, non-police share.
- `GET /analysis/hotspots?method=counts|kde|gistar|forecast&…same filters` → a GeoJSON
  FeatureCollection of grid cells (see `hotmap.layer`).

Another station or another station's beat answers 404, like a missing one; bad filters 422
naming the field; no permission 403. Nothing personal is served (counts and cells only).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from fengqiao.intake.api import require

from . import hotmap, statistics

router = Router(tags=["analysis"])

VIEW = "analysis.view_analysis"


def _query(request: HttpRequest) -> statistics.Query:
    require(request, VIEW)
    try:
        query, _ = statistics.parse(request.user, request.GET)
    except statistics.BadFilters as error:
        raise HttpError(422, str(error)) from error
    return query


@router.get("/analysis/statistics", response=dict[str, Any], url_name="analysis_statistics")
def get_statistics(request: HttpRequest) -> dict[str, Any]:
    """The figures of a period for one station (filters: period or start/end, category, beat)."""
    return statistics.statistics(_query(request))


@router.get("/analysis/hotspots", response=dict[str, Any], url_name="analysis_hotspots")
def get_hotspots(request: HttpRequest, method: str = "counts") -> dict[str, Any]:
    """One hot-spot layer as GeoJSON grid cells: counts, kde, gistar (significant cells) or forecast."""
    query = _query(request)
    if method not in hotmap.METHODS:
        raise HttpError(422, f"method: one of {', '.join(hotmap.METHODS)}")
    if method == "forecast" and not hotmap.forecast_available():
        raise HttpError(422, "method: the forecast is not available")
    return statistics.hotspot_layer(query, method)
