"""Incidents as a pandas DataFrame: what the statistics and the hot-spot map compute on.

`incident_frame(station_ids, start, end, …)` reads the incidents of the given stations
received in [start, end) through Django (one `values_list` for the incidents, one for
their first orders, one for their breaches) into one row per incident:

| column | meaning |
|---|---|
| id, station_id | the incident |
| received_at | when received, station local time (Asia/Shanghai), naive |
| hour, weekday | 0–23; 0 = Monday … 6 = Sunday |
| category, category_name, family, family_name | codes and Chinese names |
| route, priority, state | as on the incident |
| beat_id, beat_name | 0 and "" when the incident has no beat |
| lon, lat | NaN when the place is unknown |
| t_dispatch | minutes from received to the first order issued |
| t_acknowledge | minutes from issued to acknowledged (first order) |
| t_arrive | minutes from acknowledged (or issued) to on scene (first order) |
| t_feedback | minutes from on scene to the feedback given (first order) |
| t_response | minutes from received to on scene (first order) |
| breached | a deadline of the incident was breached (alert level) |
| breached_steps | the steps breached, comma-separated ("" when none) |
| non_police | route transfer, or the family non_police |

Merged (duplicate) and invalid incidents are left out: they are not incidents the station
dealt with. The first order is the earliest order that is not an additional unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings

LEFT_OUT_STATES = ("merged", "invalid")
STEPS = ("dispatch", "acknowledge", "arrive", "feedback", "response")
NON_POLICE_FAMILY = "non_police"
TRANSFER_ROUTE = "transfer"

COLUMNS = [
    "id", "station_id", "received_at", "hour", "weekday", "category", "category_name", "family", "family_name",
    "route", "priority", "state", "beat_id", "beat_name", "lon", "lat",
    "t_dispatch", "t_acknowledge", "t_arrive", "t_feedback", "t_response", "breached", "breached_steps", "non_police",
]


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _minutes(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 60.0


def empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=_dtype(name)) for name in COLUMNS})
    return frame


def _dtype(name: str) -> str:
    if name in ("id", "station_id", "hour", "weekday", "priority", "beat_id"):
        return "int64"
    if name == "received_at":
        return "datetime64[us]"
    if name in ("lon", "lat") or name.startswith("t_"):
        return "float64"
    if name in ("breached", "non_police"):
        return "bool"
    return "object"


def incident_frame(station_ids: Iterable[int], start: dt.datetime, end: dt.datetime, *,
                   categories: Sequence[str] = (), beats: Sequence[int] = ()) -> pd.DataFrame:
    """The incidents of these stations received in [start, end) (aware datetimes), one row each.

    `categories`: category or family codes (an incident matches its category's code or its
    family's); `beats`: beat ids. Empty means no filter.
    """
    from django.db.models import Q

    from fengqiao.dispatch.models import Dispatch, Violation
    from fengqiao.intake.models import Incident

    ids = list(station_ids)
    query = (Incident.objects.for_stations(ids).filter(received_at__gte=start, received_at__lt=end)
             .exclude(state__in=LEFT_OUT_STATES))
    if categories:
        query = query.filter(Q(category__code__in=list(categories)) | Q(category__family__code__in=list(categories)))
    if beats:
        query = query.filter(beat_id__in=list(beats))
    rows = list(query.annotate(received_text=_text("received_at")).values_list(
        "id", "station_id", "received_text", "category__code", "category__label_zh", "category__family__code",
        "category__family__label_zh", "route", "priority", "state", "beat_id", "beat__name", "longitude", "latitude",
    ))
    if not rows:
        return empty_frame()
    frame = pd.DataFrame(rows, columns=[
        "id", "station_id", "received_at", "category", "category_name", "family", "family_name", "route", "priority",
        "state", "beat_id", "beat_name", "lon", "lat",
    ])
    received = _times(frame["received_at"])
    frame["received_utc"] = received
    frame["received_at"] = received.dt.tz_convert(local_zone()).dt.tz_localize(None).astype("datetime64[us]")
    frame["hour"] = frame["received_at"].dt.hour.astype("int64")
    frame["weekday"] = frame["received_at"].dt.day_of_week.astype("int64")
    frame["beat_id"] = frame["beat_id"].fillna(0).astype("int64")
    frame["beat_name"] = frame["beat_name"].fillna("")
    frame["lon"] = frame["lon"].astype("float64")
    frame["lat"] = frame["lat"].astype("float64")
    frame["priority"] = frame["priority"].astype("int64")
    frame["non_police"] = (frame["route"] == TRANSFER_ROUTE) | (frame["family"] == NON_POLICE_FAMILY)

    orders = _first_orders(Dispatch, ids, start, end)
    frame = frame.join(orders, on="id")
    utc_received = frame["received_utc"]
    issued = frame["issued_at"]
    acknowledged = frame["acknowledged_at"]
    arrived = frame["arrived_at"]
    frame["t_dispatch"] = _minutes(issued, utc_received)
    frame["t_acknowledge"] = _minutes(acknowledged, issued)
    frame["t_arrive"] = _minutes(arrived, acknowledged.fillna(issued))
    frame["t_feedback"] = _minutes(frame["reported_at"], arrived)
    frame["t_response"] = _minutes(arrived, utc_received)

    breaches = _breaches(Violation, ids, start, end)
    frame["breached_steps"] = [breaches.get(int(pk), "") for pk in frame["id"]]
    frame["breached"] = frame["breached_steps"] != ""
    return frame[COLUMNS].reset_index(drop=True)


def incident_times(station_ids: Iterable[int], start: dt.datetime, end: dt.datetime, *,
                   categories: Sequence[str] = (), beats: Sequence[int] = ()) -> pd.DataFrame:
    """Only when (local), which category and family, which beat and where, of the same
    incidents as `incident_frame`: enough for counts over time (the changes and the monthly
    series) and for the hot spots."""
    from django.db.models import Q

    from fengqiao.intake.models import Incident

    query = (Incident.objects.for_stations(list(station_ids)).filter(received_at__gte=start, received_at__lt=end)
             .exclude(state__in=LEFT_OUT_STATES))
    if categories:
        query = query.filter(Q(category__code__in=list(categories)) | Q(category__family__code__in=list(categories)))
    if beats:
        query = query.filter(beat_id__in=list(beats))
    rows = list(query.annotate(received_text=_text("received_at"))
                .values_list("id", "received_text", "category__code", "category__family__code", "beat_id",
                             "longitude", "latitude"))
    times = pd.DataFrame(rows, columns=["id", "received_at", "category", "family", "beat_id", "lon", "lat"])
    times["lon"] = times["lon"].astype("float64")
    times["lat"] = times["lat"].astype("float64")
    times["received_at"] = (_times(times["received_at"]).dt.tz_convert(local_zone()).dt.tz_localize(None)
                            .astype("datetime64[us]"))
    times["beat_id"] = times["beat_id"].fillna(0).astype("int64")
    return times


def _text(field: str) -> Any:
    """A datetime column read as text (ISO 8601, UTC): pandas parses a column of them far
    faster than Django converts each value (SQLite keeps datetimes as text anyway)."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    return Cast(field, output_field=CharField())


def _times(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601").astype("datetime64[us, UTC]")


def _first_orders(dispatch_model: Any, station_ids: list[int], start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """issued/acknowledged/arrived/reported (UTC) of the first order of each incident received
    in [start, end), indexed by incident (one query, joined on the incident's time)."""
    names = ["issued_at", "acknowledged_at", "arrived_at", "reported_at"]
    rows = list(dispatch_model.objects.for_stations(station_ids)
                .filter(backup=False, incident__received_at__gte=start, incident__received_at__lt=end)
                .annotate(**{f"{name}_text": _text(name) for name in names})
                .order_by("incident_id", "issued_at", "id")
                .values_list("incident_id", *(f"{name}_text" for name in names)))
    orders = pd.DataFrame(rows, columns=["incident_id", *names])
    orders = orders.drop_duplicates("incident_id", keep="first").set_index("incident_id")
    for name in names:
        orders[name] = _times(orders[name])
    return orders


def _breaches(violation_model: Any, station_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, str]:
    """Incident id → the steps whose deadline it breached (alert level), comma-separated."""
    steps: dict[int, set[str]] = {}
    for incident_id, step in (violation_model.objects.for_stations(station_ids)
                              .filter(level=violation_model.Level.ALERT, incident__received_at__gte=start,
                                      incident__received_at__lt=end)
                              .values_list("incident_id", "step")):
        steps.setdefault(incident_id, set()).add(step)
    return {key: ",".join(sorted(value)) for key, value in steps.items()}


def coordinates(frame: pd.DataFrame) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Longitudes and latitudes of the incidents with a known place."""
    known = frame["lon"].notna() & frame["lat"].notna()
    return frame.loc[known, "lon"].to_numpy(dtype=np.float64), frame.loc[known, "lat"].to_numpy(dtype=np.float64)
