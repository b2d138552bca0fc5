"""Weekly and monthly situation reports (研判报告): the figures of one period.

`build_report(station, kind, start, end)` gives, as plain JSON:

- the incidents of the period by category, family and beat, against the period before
  (the week or calendar month before) and the same period a year earlier, with the change;
- the incidents day by day and by hour of day (for the charts, `charts.py`);
- the command room's work: orders issued, deadline breaches, transfers, support requests,
  near-repeat alerts raised; response times per step, deadline compliance and the
  non-police share (`frame.incident_frame` and `stats.figures`, the statistics part's);
- the hot spots: the cells of the station's grid (`AnalysisSettings.cell_metres`) with the
  most incidents (`hotspots.grid_counts`) with their Getis-Ord Gi* z-scores;
- the forecast of next week's hot cells from the self-exciting model (`forecast.py`);
- the cases cleared in the period by category, by how they were cleared and by beat — the
  summary sent to the community team.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.dispatch.models import Dispatch, Violation
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Station
from fengqiao.support.models import SupportRequest
from fengqiao.transfers.models import Transfer

from . import forecast, frame, geo, hotmap, hotspots, stats
from .briefing import NO_BEAT, incident_counts, incidents_between, wall
from .models import NearRepeatAlert, Report
from .nearrepeat import settings_for

TOP_CATEGORIES = 10
TOP_CELLS = 5
TRAIN_DAYS = 84  # the forecast is fitted on the twelve weeks before the report's end


def previous_period(kind: str, start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The period the report compares with: the calendar month before a monthly report's
    month, else the same length just before."""
    if kind == Report.Kind.MONTHLY:
        local = timezone.localtime(start)
        month_before = (local.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        return timezone.make_aware(dt.datetime.combine(month_before, dt.time())), start
    return start - (end - start), start


def year_before(at: dt.datetime) -> dt.datetime:
    local = timezone.localtime(at)
    try:
        earlier = local.replace(year=local.year - 1)
    except ValueError:  # 29 February
        earlier = local.replace(year=local.year - 1, day=28)
    return timezone.make_aware(earlier.replace(tzinfo=None))


change = stats.change


def records_begin(station_ids: list[int]) -> dt.datetime | None:
    """When the stations' incident records begin (the earliest incident)."""
    return Incident.objects.for_stations(station_ids).order_by("received_at").values_list("received_at", flat=True).first()


def compared(now: int, before: int, since: dt.datetime, records_from: dt.datetime | None) -> float | None:
    """The change against a period starting at `since`, when the records cover it (as the
    statistics page does: no year-on-year change in a station's first year)."""
    if records_from is None or records_from > since + stats.COVERAGE_SLACK:
        return None
    return change(now, before)


def _by_day(ids: list[int], start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    tz = timezone.get_current_timezone()
    counts = dict(incidents_between(ids, start, end).annotate(day=TruncDate("received_at", tzinfo=tz))
                  .values_list("day").annotate(n=Count("pk")).values_list("day", "n"))
    days = []
    day = timezone.localtime(start).date()
    last = timezone.localtime(end - dt.timedelta(microseconds=1)).date()
    while day <= last:
        days.append({"day": day.isoformat(), "label": day.strftime("%m-%d"), "count": counts.get(day, 0)})
        day += dt.timedelta(days=1)
    return days


def _by_hour(ids: list[int], start: dt.datetime, end: dt.datetime) -> list[int]:
    tz = timezone.get_current_timezone()
    counts = dict(incidents_between(ids, start, end).annotate(hour=ExtractHour("received_at", tzinfo=tz))
                  .values_list("hour").annotate(n=Count("pk")).values_list("hour", "n"))
    return [counts.get(hour, 0) for hour in range(24)]


def _categories_with_change(now: dict[str, Any], before: dict[str, Any]) -> list[dict[str, Any]]:
    earlier = {row["code"]: row["count"] for row in before["by_category"]}
    return [row | {"previous": earlier.get(row["code"], 0), "change": change(row["count"], earlier.get(row["code"], 0))}
            for row in now["by_category"][:TOP_CATEGORIES]]


def _work(ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """The command room's work in the period, one count per kind of record."""
    breaches = Violation.objects.for_stations(ids).filter(recorded_at__gte=start, recorded_at__lt=end).aggregate(
        alerts=Count("pk", filter=Q(level=Violation.Level.ALERT)), warnings=Count("pk", filter=Q(level=Violation.Level.WARNING)))
    return {
        "orders": Dispatch.objects.for_stations(ids).filter(issued_at__gte=start, issued_at__lt=end).count(),
        "breaches": breaches["alerts"], "warnings": breaches["warnings"],
        "transfers": Transfer.objects.for_stations(ids).filter(pushed_at__gte=start, pushed_at__lt=end).count(),
        "support_requests": SupportRequest.objects.for_stations(ids).filter(requested_at__gte=start, requested_at__lt=end).count(),
        "near_repeat_alerts": NearRepeatAlert.objects.for_stations(ids).filter(starts_at__gte=start, starts_at__lt=end).count(),
    }


def response_and_compliance(ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Response times per step (first order, minutes: median and 90th percentile), deadline
    compliance and the non-police share, from the statistics part (`frame`, `stats`)."""
    incidents = frame.incident_frame(ids, start, end)
    local_start = timezone.localtime(start).replace(tzinfo=None)
    local_end = timezone.localtime(end).replace(tzinfo=None)
    found = stats.figures(incidents, local_start, local_end)
    return {"response": {step: {"n": row["n"], "p50": row["p50"], "p90": row["p90"]} for step, row in found["response"].items()},
            "compliance": {key: found["compliance"][key] for key in ("incidents", "breached", "compliant", "rate")},
            "non_police": found["non_police"]}


def cleared_cases(ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The cases cleared in [start, end): by category, by how they were cleared, by beat, and
    the category × how table (what the community team is told: what was solved, and how)."""
    how_labels = dict(Case.ClearedHow.choices)
    rows = (Case.objects.for_stations(ids).filter(cleared_at__gte=start, cleared_at__lt=end)
            .values("category__label_zh", "cleared_how", "incident__beat__name").annotate(n=Count("pk")))
    by_category: Counter[str] = Counter()
    by_how: Counter[str] = Counter()
    by_beat: Counter[str] = Counter()
    table: Counter[tuple[str, str]] = Counter()
    for row in rows:
        how = str(how_labels.get(row["cleared_how"], row["cleared_how"] or how_labels[Case.ClearedHow.OTHER]))
        by_category[row["category__label_zh"]] += row["n"]
        by_how[how] += row["n"]
        by_beat[row["incident__beat__name"] or NO_BEAT] += row["n"]
        table[(row["category__label_zh"], how)] += row["n"]

    def listed(counter: Counter[str]) -> list[dict[str, Any]]:
        return [{"label": label, "count": n} for label, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]

    return {
        "total": sum(by_category.values()), "by_category": listed(by_category), "by_how": listed(by_how),
        "by_beat": listed(by_beat),
        "table": [{"category": category, "how": how, "count": n}
                  for (category, how), n in sorted(table.items(), key=lambda item: (-item[1], item[0]))],
    }


def _positions(ids: list[int], start: dt.datetime, end: dt.datetime) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Longitudes, latitudes, times (days before `end`, negative) and beats of the located incidents."""
    rows = list(incidents_between(ids, start, end).filter(latitude__isnull=False, longitude__isnull=False)
                .values_list("longitude", "latitude", "received_at", "beat__name"))
    lons = np.array([row[0] for row in rows], dtype=np.float64)
    lats = np.array([row[1] for row in rows], dtype=np.float64)
    days = np.array([(row[2] - end).total_seconds() / 86_400.0 for row in rows], dtype=np.float64)
    return lons, lats, days, [row[3] or NO_BEAT for row in rows]


def _top_cells(grid: geo.Grid, values: np.ndarray, origin: geo.Origin, xs: np.ndarray, ys: np.ndarray,
               beats: list[str], *, limit: int = TOP_CELLS) -> list[dict[str, Any]]:
    """The `limit` cells with the highest values (ties in cell order), each with its centre and
    the beat most of the cell's incidents lie in."""
    flat = values.ravel()
    order = np.argsort(-flat, kind="stable")[:limit]
    rows, cols, _inside = grid.index(xs, ys)
    centres_x, centres_y = grid.centres()
    cells = []
    for index in order:
        if flat[index] <= 0:
            break
        row, col = divmod(int(index), grid.nx)
        lons, lats = geo.unproject(np.array([centres_x[row, col]]), np.array([centres_y[row, col]]), origin)
        in_cell = [beats[i] for i in np.flatnonzero((rows == row) & (cols == col))]
        cells.append({"row": row, "col": col, "value": float(flat[index]),
                      "beat": Counter(in_cell).most_common(1)[0][0] if in_cell else NO_BEAT,
                      "longitude": round(float(lons[0]), 6), "latitude": round(float(lats[0]), 6)})
    return cells


def hot_spots(ids: list[int], start: dt.datetime, end: dt.datetime, cell: float) -> dict[str, Any]:
    """The grid cells with the most incidents in the period, with their Gi* z-score and the beat
    most of their incidents lie in (`hotspots.grid_counts`, `hotspots.getis_ord`)."""
    lons, lats, _days, beats = _positions(ids, start, end)
    if lons.size == 0:
        return {"cell_metres": cell, "located": 0, "cells": []}
    origin = geo.origin_of(lons, lats)
    xs, ys = geo.project(lons, lats, origin)
    grid = hotmap.grid_around(xs, ys, cell, 1)  # larger cells if a stray position would make it huge
    counts = hotspots.grid_counts(grid, xs, ys)
    gi = hotspots.getis_ord(counts, radius_cells=1)
    cells = _top_cells(grid, counts, origin, xs, ys, beats)
    for found in cells:
        found["count"] = int(found.pop("value"))
        found["share"] = round(100.0 * found["count"] / lons.size, 1)
        found["z"] = round(float(gi.z[found["row"], found["col"]]), 2)
        found["p"] = float(f"{float(gi.p[found['row'], found['col']]):.3g}")
    return {"cell_metres": grid.cell, "located": int(lons.size), "cells": cells}


def next_week_forecast(ids: list[int], end: dt.datetime, cell: float, bandwidth: float) -> dict[str, Any]:
    """The cells with the most incidents expected in the week after `end`, from the
    self-exciting model of `forecast.py` fitted on the `TRAIN_DAYS` before."""
    lons, lats, days, beats = _positions(ids, end - dt.timedelta(days=TRAIN_DAYS), end)
    if lons.size == 0:
        return {"cell_metres": cell, "train_days": TRAIN_DAYS, "training": 0, "cells": [], "expected_total": 0.0}
    origin = geo.origin_of(lons, lats)
    xs, ys = geo.project(lons, lats, origin)
    grid = hotmap.grid_around(xs, ys, cell, 1)  # larger cells if a stray position would make it huge
    window = forecast.Window(-float(TRAIN_DAYS), 0.0, 0.0, 7.0)
    _fit, scores = forecast.forecast_scores(grid, xs, ys, days, window, forecast.Settings(kde_bandwidth=bandwidth))
    expected = np.asarray(scores["self_exciting"], dtype=np.float64).reshape(grid.shape)
    cells = _top_cells(grid, expected, origin, xs, ys, beats)
    for found in cells:
        found["expected"] = round(found.pop("value"), 2)
    return {"cell_metres": grid.cell, "train_days": TRAIN_DAYS, "training": int(lons.size), "cells": cells,
            "expected_total": round(float(expected.sum()), 1)}


def build_report(station: Station, kind: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The figures of a weekly or monthly situation report for [start, end)."""
    ids = [station.pk]
    settings = settings_for(station.pk)
    before_start, before_end = previous_period(kind, start, end)
    now_counts = incident_counts(ids, start, end)
    before_counts = incident_counts(ids, before_start, before_end)
    year_ago = incidents_between(ids, year_before(start), year_before(end)).count()
    records_from = records_begin(ids)
    return {
        "station": {"id": station.pk, "name": station.name, "code": station.code},
        "kind": kind,
        "period": {"start": start.isoformat(), "end": end.isoformat(), "start_local": wall(start),
                   "end_local": wall(end), "first_day": timezone.localtime(start).date().isoformat(),
                   "last_day": timezone.localtime(end - dt.timedelta(microseconds=1)).date().isoformat()},
        "previous": {"start_local": wall(before_start), "end_local": wall(before_end), "total": before_counts["total"]},
        "incidents": now_counts | {"by_category": _categories_with_change(now_counts, before_counts),
                                   "change": compared(now_counts["total"], before_counts["total"], before_start, records_from),
                                   "year_ago": year_ago,
                                   "change_year": compared(now_counts["total"], year_ago, year_before(start), records_from)},
        "by_day": _by_day(ids, start, end),
        "by_hour": _by_hour(ids, start, end),
        "work": _work(ids, start, end),
        "statistics": response_and_compliance(ids, start, end),
        "hot_spots": hot_spots(ids, start, end, float(settings.cell_metres)),
        "forecast": next_week_forecast(ids, end, float(settings.cell_metres), float(settings.bandwidth_metres)),
        "cleared_cases": cleared_cases(ids, start, end),
    }
