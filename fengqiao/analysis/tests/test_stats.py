# ruff: noqa: F811  (the hand_made fixture imported from stats_fixtures is used as a parameter)
"""The statistics equal the database's on hand-made incidents (see stats_fixtures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from fengqiao.analysis import frame, hotmap, stats
from fengqiao.analysis.tests.stats_fixtures import at, hand_made  # noqa: F401 - fixture
from fengqiao.intake.models import Incident

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 10, 1)
END = dt.datetime(2026, 11, 1)


def october(station: Any, **filters: Any) -> pd.DataFrame:
    return frame.incident_frame([station.pk], at("2025-01-01T00:00"), at("2026-11-01T00:00"), **filters)


def test_frame_holds_the_stations_incidents_and_no_others(hand_made: dict[str, Any], station_a: Any) -> None:
    data = frame.incident_frame([station_a.pk], at("2026-10-01T00:00"), at("2026-11-01T00:00"))
    expected = set(Incident.objects.for_stations([station_a.pk])
                   .filter(received_at__gte=at("2026-10-01T00:00"), received_at__lt=at("2026-11-01T00:00"))
                   .exclude(state__in=["merged", "invalid"]).values_list("id", flat=True))
    assert set(data["id"]) == expected == {hand_made[k].pk for k in ("one", "two", "three", "four")}
    assert not set(data["id"]) & {i.pk for i in hand_made["others"]}
    assert list(data.columns) == frame.COLUMNS


def test_frame_local_time_timings_and_breaches(hand_made: dict[str, Any], station_a: Any) -> None:
    data = frame.incident_frame([station_a.pk], at("2026-10-01T00:00"), at("2026-11-01T00:00")).set_index("id")
    one = data.loc[hand_made["one"].pk]
    assert one["received_at"] == pd.Timestamp("2026-10-01 09:10")  # local, not UTC 01:10
    assert (one["hour"], one["weekday"]) == (9, 3)  # Thursday
    assert (one["t_dispatch"], one["t_acknowledge"], one["t_arrive"], one["t_feedback"], one["t_response"]) == (2, 3, 10, 30, 15)
    assert one["breached"] and one["breached_steps"] == "arrive"  # the warning does not count, the backup order neither
    three = data.loc[hand_made["three"].pk]
    assert np.isnan(three["lon"]) and np.isnan(three["t_dispatch"]) and three["beat_id"] == 0
    assert three["non_police"] and not one["non_police"] and not three["breached"]
    four = data.loc[hand_made["four"].pk]
    assert (four["hour"], four["weekday"]) == (23, 5)  # Saturday 23:59 local = Saturday 15:59 UTC


def test_figures_equal_the_database(hand_made: dict[str, Any], station_a: Any, beat_a: Any) -> None:
    figures = stats.figures(october(station_a), START, END)
    assert figures["total"] == 4
    assert {r["code"]: r["count"] for r in figures["by_category"]} == {
        "criminal.burglary": 2, "dispute.neighbour": 1, "non_police.noise": 1}
    assert {r["code"]: r["count"] for r in figures["by_family"]} == {"criminal": 2, "dispute": 1, "non_police": 1}
    assert {r["id"]: r["count"] for r in figures["by_beat"]} == {beat_a.pk: 3, 0: 1}
    hours = [0] * 24
    hours[9], hours[21], hours[23] = 2, 1, 1
    assert figures["by_hour"] == hours
    assert figures["by_weekday"] == [1, 0, 0, 2, 0, 1, 0]  # Mon 10-05; Thu 10-01 ×2; Sat 10-31
    change = figures["change"]
    assert (change["previous"], change["mom"]) == (2, 100.0)
    assert (change["last_year"], change["yoy"]) == (1, 300.0)
    assert change["previous_start"] == "2026-09-01T00:00:00"
    october_row = figures["monthly"][-1]
    assert october_row == {"month": "2026-10", "count": 4, "mom": 100.0, "yoy": 300.0}
    assert figures["monthly"][0]["month"] == "2025-11" and len(figures["monthly"]) == 12
    response = figures["response"]
    assert (response["dispatch"]["n"], response["dispatch"]["p50"]) == (2, 3.0)
    assert (response["acknowledge"]["p50"], response["arrive"]["p50"], response["feedback"]["n"]) == (4.5, 13.0, 1)
    assert response["response"]["histogram"][stats.BIN_EDGES.index(15)] == 1  # 15 min: [15, 20)
    assert response["response"]["histogram"][stats.BIN_EDGES.index(20)] == 1  # 26 min: [20, 30)
    assert figures["compliance"] == {"incidents": 4, "breached": 1, "compliant": 3, "rate": 75.0,
                                     "by_step": {**{s: 0 for s in stats.BREACH_STEPS}, "arrive": 1}}
    assert figures["non_police"] == {"count": 1, "share": 25.0}


def test_filters_by_category_family_and_beat(hand_made: dict[str, Any], station_a: Any, beat_a: Any) -> None:
    assert stats.figures(october(station_a, categories=["criminal.burglary"]), START, END)["total"] == 2
    assert stats.figures(october(station_a, categories=["criminal"]), START, END)["total"] == 2
    assert stats.figures(october(station_a, beats=[beat_a.pk]), START, END)["total"] == 3
    # the same filters applied by DuckDB on an unfiltered source
    whole = october(station_a)
    assert stats.figures(whole, START, END, categories=["dispute"])["total"] == 1
    assert stats.figures(whole, START, END, beats=[beat_a.pk])["change"]["previous"] == 2


def test_another_station_is_never_counted(hand_made: dict[str, Any], station_a: Any, station_b: Any) -> None:
    b = stats.figures(october(station_b), START, END)
    assert b["total"] == 3 and b["compliance"]["breached"] == 1 and b["change"]["previous"] == 0
    a = stats.figures(october(station_a), START, END)
    assert a["compliance"]["by_step"]["dispatch"] == 0


def test_empty_frame_gives_zero_figures() -> None:
    figures = stats.figures(frame.empty_frame(), START, END)
    assert figures["total"] == 0 and figures["change"]["mom"] is None and figures["compliance"]["rate"] is None
    assert figures["response"]["dispatch"] == {"n": 0, "p50": None, "p90": None, "mean": None,
                                               "edges": list(stats.BIN_EDGES), "histogram": [0] * len(stats.BIN_EDGES)}


def test_parquet_source_gives_the_same_figures(hand_made: dict[str, Any], station_a: Any, tmp_path: Any) -> None:
    data = october(station_a)
    path = tmp_path / "incidents.parquet"
    stats.write_parquet(data, str(path))
    assert stats.figures(str(path), START, END) == stats.figures(data, START, END)


@pytest.mark.parametrize(("start", "end", "previous"), [
    (dt.datetime(2026, 3, 1), dt.datetime(2026, 4, 1), (dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1))),
    (dt.datetime(2026, 1, 1), dt.datetime(2026, 4, 1), (dt.datetime(2025, 10, 1), dt.datetime(2026, 1, 1))),
    (dt.datetime(2026, 3, 10), dt.datetime(2026, 3, 17), (dt.datetime(2026, 3, 3), dt.datetime(2026, 3, 10))),
])
def test_previous_period(start: dt.datetime, end: dt.datetime, previous: tuple[dt.datetime, dt.datetime]) -> None:
    assert stats.previous_period(start, end) == previous


def test_shift_months_keeps_the_day_in_the_month() -> None:
    assert stats.shift_months(dt.datetime(2026, 3, 31), -1) == dt.datetime(2026, 2, 28)
    assert stats.shift_months(dt.datetime(2024, 2, 29), -12) == dt.datetime(2023, 2, 28)
    assert stats.change(3, 0) is None and stats.change(1, 4) == -75.0


def test_hot_spot_layers_place_the_incidents(hand_made: dict[str, Any], station_a: Any) -> None:
    lons, lats = frame.coordinates(frame.incident_frame([station_a.pk], at("2026-10-01T00:00"), at("2026-11-01T00:00")))
    counts = hotmap.layer(lons, lats, "counts", cell=150)
    assert sum(f["properties"]["value"] for f in counts["features"]) == 3 == counts["meta"]["incidents"]
    ring = counts["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    density = hotmap.layer(lons, lats, "kde", cell=150, bandwidth=300)
    assert density["features"] and all(f["properties"]["value"] > 0 for f in density["features"])
    gi = hotmap.layer(lons, lats, "gistar", cell=150)
    assert all(abs(f["properties"]["value"]) > hotmap.Z_95 for f in gi["features"])
    with pytest.raises(ValueError):
        hotmap.layer(lons, lats, "nonsense")


def test_gistar_layer_marks_a_cluster_hot() -> None:
    rng = np.random.default_rng(1)
    lons = np.concatenate([rng.uniform(106.50, 106.60, 300), np.full(60, 106.55)])
    lats = np.concatenate([rng.uniform(29.50, 29.60, 300), np.full(60, 29.55)])
    gi = hotmap.layer(lons, lats, "gistar", cell=500)
    hot = [f for f in gi["features"] if f["properties"]["hot"]]
    assert hot and max(f["properties"]["count"] for f in hot) >= 60


def test_no_change_against_a_period_the_records_do_not_cover() -> None:
    """Records that begin inside the comparison period give no year-on-year change (the
    demo's single year would read +3000 %), while the month before, covered, still does."""
    times = [dt.datetime(2026, 8, 20, 9), dt.datetime(2026, 9, 10, 9), dt.datetime(2026, 10, 5, 9), dt.datetime(2026, 10, 6, 9)]
    one = {"id": 1, "station_id": 1, "hour": 9, "weekday": 1, "category": "dispute.neighbour", "category_name": "邻里纠纷",
           "family": "dispute", "family_name": "纠纷", "route": "community", "priority": 3, "state": "closed", "beat_id": 0,
           "beat_name": "", "lon": float("nan"), "lat": float("nan"), "breached": False, "breached_steps": "",
           "non_police": False}
    source = pd.DataFrame([{**one, "id": i, "received_at": at} for i, at in enumerate(times, 1)])
    source = source.reindex(columns=frame.COLUMNS).astype({name: str(dtype) for name, dtype in frame.empty_frame().dtypes.items()})
    figures = stats.figures(source, START, END)
    change = figures["change"]
    assert (change["current"], change["previous"], change["mom"]) == (2, 1, 100.0)
    assert change["yoy"] is None and change["records_from"] == "2026-08-20T09:00:00"
    october_row = figures["monthly"][-1]
    assert (october_row["mom"], october_row["yoy"]) == (100.0, None)
    assert figures["monthly"][-3]["mom"] is None  # August 2026: July is before the records
