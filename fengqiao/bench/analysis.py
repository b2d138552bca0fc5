"""`fengqiao bench analysis`: trends and hot spots over millions of incidents, the Knox test,
and a station-year's statistics, hot spots and morning briefing.

    fengqiao bench analysis                                 # 1 M and 10 M; SQLite station-year
    fengqiao bench analysis --sizes 1000000 --station-incidents 30000 --json
    FENGQIAO_DB=postgres DATABASE_URL=postgres://fengqiao:fengqiao@127.0.0.1:5432/fengqiao \\
        fengqiao bench analysis --sizes 1000000             # the station-year on PostgreSQL

1. City scale, for each of `--sizes`: synthetic incidents of a city (30 × 30 km around
   重庆南岸; 300 clustered hot areas and a uniform background; 30 categories with a skewed
   mix; 100 beats; three years of timestamps; response times, breaches) are written to a
   Parquet file by DuckDB (`COPY … TO 'x.parquet'`), in time order as an export of the
   incident table by date would be (so DuckDB skips the row groups outside a period), not
   timed. Timed: the trends of the
   last year — `stats.figures` over the Parquet file (counts by category, family, beat, hour
   and weekday, 同比 and 环比 with the monthly series, response-time distributions,
   compliance, non-police share) — and the hot spots of all the incidents: read the
   positions (DuckDB → numpy), project, grid counts, kernel density (quartic, `--bandwidth`)
   and Gi* on `--cell`-metre cells. Target: trends + hot spots < 10 s at 10 M.
2. Knox: `--knox-events` events (10 × 10 km, one year) with `--permutations` permutations,
   δ = 200 m, τ = 14 days (`fengqiao.analysis.knox.knox`). Target < 10 s at 45,000.
3. A station-year, in a throwaway database (a temporary data directory and, on PostgreSQL,
   a temporary database): a station with eight beats and `--station-incidents` incidents
   over the last year (first orders with their times, some breaches) written with
   bulk_create; timed: the statistics page's figures for the last 30 days and the whole year
   (read from the database into a frame, then DuckDB), the hot-spot layers of the year, and
   the morning briefing (`fengqiao.analysis.briefing.build_briefing(station, now)`) when
   that module exists. Target: the briefing < 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HELP = "analysis: trends + hot spots at 1 M/10 M incidents (Parquet, DuckDB), Knox, a station-year's briefing"

DEFAULT_SIZES = "1000000,10000000"
DEFAULT_SEED = 1
DEFAULT_CELL = 150.0
DEFAULT_BANDWIDTH = 300.0
DEFAULT_KNOX_EVENTS = 45_000
DEFAULT_PERMUTATIONS = 99
DEFAULT_STATION_INCIDENTS = 30_000
TARGET_TRENDS_HOTSPOTS = 10.0
TARGET_AT = 10_000_000
TARGET_KNOX = 10.0
TARGET_BRIEFING = 1.0
CITY_METRES = 30_000.0
CENTRE = (106.55, 29.55)
CLUSTERS = 300
YEARS = 3
FIRST_DAY = dt.datetime(2023, 1, 1)

# (code, Chinese name) — a city's mix; the first are the most frequent.
CATEGORIES = [
    ("dispute.neighbour", "邻里纠纷"), ("non_police.noise", "噪声扰民"), ("assistance.help", "求助"),
    ("traffic.collision", "交通事故"), ("criminal.theft", "盗窃"), ("dispute.family", "家庭纠纷"),
    ("public_order.drunk", "醉酒滋事"), ("non_police.parking", "违停占道"), ("criminal.telecom_fraud", "电信诈骗"),
    ("public_order.fight", "打架斗殴"), ("dispute.consumer", "消费纠纷"), ("criminal.theft_from_vehicle", "盗窃车内财物"),
    ("traffic.obstruction", "交通堵塞"), ("assistance.lost_property", "失物求助"), ("dispute.labour", "劳资纠纷"),
    ("non_police.leak", "漏水"), ("criminal.burglary", "入室盗窃"), ("public_order.disturbance", "扰乱秩序"),
    ("criminal.fraud", "诈骗"), ("other.consultation", "咨询"), ("fire.fire", "火灾"), ("criminal.assault", "伤害"),
    ("public_order.property_damage", "损毁财物"), ("non_police.sanitation", "环境卫生"), ("criminal.robbery", "抢劫"),
    ("assistance.lost_child", "走失"), ("traffic.drunk_driving", "酒驾"), ("criminal.vehicle_theft", "盗窃机动车"),
    ("fire.gas_leak", "燃气泄漏"), ("public_order.gambling", "赌博"),
]
FAMILIES = {"dispute": "纠纷", "non_police": "非警务", "assistance": "求助", "traffic": "交通", "criminal": "刑事",
            "public_order": "治安", "other": "其他", "fire": "消防"}


# --- 1. city scale ---------------------------------------------------------------------------------


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def write_city(path: Path, size: int, seed: int) -> float:
    """Write `size` synthetic incidents to a Parquet file; the seconds it took."""
    import duckdb

    from fengqiao.analysis.geo import EARTH_RADIUS_M

    k = math.pi / 180 * EARTH_RADIUS_M
    kx = k * math.cos(math.radians(CENTRE[1]))
    codes = [code for code, _ in CATEGORIES]
    names = [name for _, name in CATEGORIES]
    families = [code.split(".")[0] for code in codes]
    family_names = [FAMILIES[family] for family in families]
    span_us = int(YEARS * 365 * 86400 * 1e6)
    half = CITY_METRES / 2
    started = time.perf_counter()
    with duckdb.connect(":memory:") as connection:
        connection.execute(f"SELECT setseed({(seed % 1000) / 1000})")
        connection.execute(f"""
            COPY (
              WITH r AS (
                SELECT i, random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5,
                       random() AS u6, random() AS u7, random() AS u8, random() AS u9
                FROM range({size}) t(i)
              ), p AS (
                SELECT *, 1 + CAST(floor(pow(u2, 2.2) * {len(codes)}) AS INTEGER) AS k,
                       CAST(floor(pow(u3, 1.6) * {CLUSTERS}) AS INTEGER) AS c,
                       sqrt(-2 * ln(u4 + 1e-12)) * 250 AS rr
                FROM r
              ), q AS (
                SELECT *,
                  CASE WHEN u9 < 0.35 THEN u4 * {CITY_METRES} - {half}
                       ELSE ((c * 7919) % 1000) / 1000.0 * {CITY_METRES} - {half} + rr * cos(2 * pi() * u5) END AS x,
                  CASE WHEN u9 < 0.35 THEN u5 * {CITY_METRES} - {half}
                       ELSE ((c * 104729) % 997) / 997.0 * {CITY_METRES} - {half} + rr * sin(2 * pi() * u5) END AS y
                FROM p
              )
              SELECT i AS id, 1 AS station_id,
                CAST(TIMESTAMP '{FIRST_DAY:%Y-%m-%d %H:%M:%S}' + to_microseconds(CAST(floor(u1 * {span_us}) AS BIGINT))
                     AS TIMESTAMP) AS received_at,
                list_extract({_sql_list(codes)}, k) AS category,
                list_extract({_sql_list(names)}, k) AS category_name,
                list_extract({_sql_list(families)}, k) AS family,
                list_extract({_sql_list(family_names)}, k) AS family_name,
                CASE WHEN list_extract({_sql_list(families)}, k) = 'non_police' THEN 'transfer' ELSE 'community' END AS route,
                1 + CAST(floor(least(greatest(x + {half}, 0), {CITY_METRES - 1}) / 3000) AS INTEGER) * 10
                  + CAST(floor(least(greatest(y + {half}, 0), {CITY_METRES - 1}) / 3000) AS INTEGER) AS beat_id,
                '第' || CAST(i % 100 AS VARCHAR) || '警务区' AS beat_name,
                {CENTRE[0]} + x / {kx} AS lon, {CENTRE[1]} + y / {k} AS lat,
                CASE WHEN u6 < 0.8 THEN -ln(u7 + 1e-12) * 3 END AS t_dispatch,
                CASE WHEN u6 < 0.78 THEN -ln(u8 + 1e-12) * 2 END AS t_acknowledge,
                CASE WHEN u6 < 0.75 THEN 3 + -ln(u7 + 1e-12) * 9 END AS t_arrive,
                CASE WHEN u6 < 0.7 THEN 10 + -ln(u8 + 1e-12) * 40 END AS t_feedback,
                CASE WHEN u6 < 0.75 THEN 3 + -ln(u7 + 1e-12) * 12 END AS t_response,
                u8 < 0.04 AS breached,
                CASE WHEN u8 < 0.04 THEN (CASE WHEN u6 < 0.5 THEN 'arrive' ELSE 'feedback' END) ELSE '' END AS breached_steps,
                list_extract({_sql_list(families)}, k) = 'non_police' AS non_police
              FROM q
              ORDER BY received_at
            ) TO '{str(path).replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)
        """)  # noqa: S608
    return time.perf_counter() - started


def time_city(path: Path, size: int, *, cell: float, bandwidth: float) -> dict[str, Any]:
    """Trends of the last year and hot spots of all the incidents, timed."""
    import duckdb
    import numpy as np

    from fengqiao.analysis import geo, hotspots, stats

    end = dt.datetime(FIRST_DAY.year + YEARS, 1, 1)
    start = dt.datetime(end.year - 1, 1, 1)
    started = time.perf_counter()
    figures = stats.figures(str(path), start, end)
    trends = time.perf_counter() - started

    timings: dict[str, float] = {}
    began = time.perf_counter()
    started = time.perf_counter()
    with duckdb.connect(":memory:") as connection:
        columns = connection.execute(
            f"SELECT lon, lat FROM read_parquet('{str(path).replace(chr(39), chr(39) * 2)}')").fetchnumpy()  # noqa: S608
    lons = np.asarray(columns["lon"], dtype=np.float64)
    lats = np.asarray(columns["lat"], dtype=np.float64)
    timings["read_positions"] = time.perf_counter() - started
    started = time.perf_counter()
    origin = geo.Origin(*CENTRE)
    xs, ys = geo.project(lons, lats, origin)
    grid = geo.grid_for(xs, ys, cell, pad=max(1, math.ceil(bandwidth / cell)))
    timings["project"] = time.perf_counter() - started
    started = time.perf_counter()
    counts = hotspots.grid_counts(grid, xs, ys)
    timings["grid_counts"] = time.perf_counter() - started
    started = time.perf_counter()
    density = hotspots.kde(grid, xs, ys, bandwidth)
    timings["kde"] = time.perf_counter() - started
    started = time.perf_counter()
    gi = hotspots.getis_ord(counts, radius_cells=1)
    timings["gistar"] = time.perf_counter() - started
    hot_spots = time.perf_counter() - began
    return {
        "incidents": size, "period": [start.isoformat(), end.isoformat()],
        "trends_seconds": round(trends, 3), "hotspots_seconds": round(hot_spots, 3),
        "total_seconds": round(trends + hot_spots, 3),
        "hotspot_timings": {name: round(value, 3) for name, value in timings.items()},
        "grid": {"cell": cell, "rows": grid.ny, "cols": grid.nx, "cells": grid.cells,
                 "placed": int(counts.sum()), "max_density_per_km2": round(float(density.max()), 1),
                 "hot_cells": int(np.sum(gi.z > 1.96)), "cold_cells": int(np.sum(gi.z < -1.96))},
        "year_total": figures["total"], "yoy": figures["change"]["yoy"],
        "target_met": (trends + hot_spots) < TARGET_TRENDS_HOTSPOTS if size >= TARGET_AT else None,
    }


# --- 2. Knox ----------------------------------------------------------------------------------------


def time_knox(events: int, permutations: int, seed: int) -> dict[str, Any]:
    import numpy as np

    from fengqiao.analysis.knox import knox

    rng = np.random.default_rng(seed)
    xs = rng.uniform(0, 10_000, events)
    ys = rng.uniform(0, 10_000, events)
    ts = rng.uniform(0, 365, events)
    started = time.perf_counter()
    result = knox(xs, ys, ts, delta=200.0, tau=14.0, permutations=permutations, seed=seed)
    seconds = time.perf_counter() - started
    return {"events": events, "permutations": permutations, "delta_m": 200, "tau_days": 14,
            "seconds": round(seconds, 3), "pairs_in_space": result.pairs_in_space, "observed": result.observed,
            "expected": round(result.expected, 1), "p": result.p,
            "target_met": seconds < TARGET_KNOX if events >= DEFAULT_KNOX_EVENTS and permutations >= 99 else None}


# --- 3. a station-year ------------------------------------------------------------------------------


def build_station_year(incidents: int, seed: int, now: dt.datetime) -> Any:
    """A station with eight beats and `incidents` incidents over the year before `now`."""
    import random

    from fengqiao.accounts.models import User
    from fengqiao.dispatch.models import Dispatch, Violation
    from fengqiao.intake.models import Category, Incident
    from fengqiao.organisation.models import Beat, Bureau, Officer, Station, Team

    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:6].upper()
    bureau = Bureau.objects.create(name=f"基准分局 {tag}", code=f"BA{tag}")
    station = Station.objects.create(bureau=bureau, name=f"基准派出所 {tag}", code=f"A{tag}", address="南岸区南坪西路 18 号",
                                     latitude=29.53, longitude=106.56)
    beats = []
    for n in range(8):
        lon0, lat0 = 106.54 + (n % 4) * 0.01, 29.52 + (n // 4) * 0.01
        boundary = {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon0 + 0.01, lat0], [lon0 + 0.01, lat0 + 0.01],
                                                        [lon0, lat0 + 0.01], [lon0, lat0]]]}
        beats.append(Beat.objects.create(station=station, code=f"A{tag}-{n + 1}", name=f"第{n + 1}警务区", boundary=boundary))
    command = Team.objects.create(station=station, kind=Team.Kind.COMMAND, name="指挥室")
    user = User.objects.create(username=f"bench-a-{tag.lower()}")
    officer = Officer.objects.create(user=user, station=station, team=command, name="基准民警", badge_number=f"9{tag}")
    categories = list(Category.objects.for_stations([station.pk]).filter(active=True))
    weights = [1.0 / (index + 1) for index in range(len(categories))]
    hotspots = [(106.54 + rng.random() * 0.04, 29.52 + rng.random() * 0.02) for _ in range(25)]
    rows = []
    for n in range(incidents):
        received = now - dt.timedelta(seconds=rng.random() * 365 * 86400)
        category = rng.choices(categories, weights)[0]
        if rng.random() < 0.6:
            lon, lat = rng.choice(hotspots)
            lon, lat = lon + rng.gauss(0, 0.002), lat + rng.gauss(0, 0.002)
        else:
            lon, lat = 106.54 + rng.random() * 0.04, 29.52 + rng.random() * 0.02
        beat = beats[min(3, max(0, int((lon - 106.54) / 0.01))) + 4 * min(1, max(0, int((lat - 29.52) / 0.01)))]
        state = Incident.State.CLOSED if received < now - dt.timedelta(days=2) else rng.choice(
            [Incident.State.TRIAGED, Incident.State.DISPATCHED, Incident.State.ON_SCENE, Incident.State.RESOLVED])
        rows.append(Incident(station=station, number=f"A{tag}{n:07d}", received_at=received, category=category,
                             priority=category.priority, route=category.route, state=state, summary="基准警情",
                             beat=beat, longitude=lon, latitude=lat,
                             deadline=received + dt.timedelta(minutes=30) if state != Incident.State.CLOSED else None))
    Incident.objects.bulk_create(rows, batch_size=2000)
    made = list(Incident.objects.for_stations([station.pk]).values_list("id", "received_at", "state"))
    orders, breaches = [], []
    for pk, received, state in made:
        if rng.random() < 0.2 or state == Incident.State.TRIAGED:
            continue
        issued = received + dt.timedelta(minutes=rng.expovariate(1 / 3))
        acknowledged = issued + dt.timedelta(minutes=rng.expovariate(1 / 2))
        arrived = acknowledged + dt.timedelta(minutes=3 + rng.expovariate(1 / 9))
        closed = state in (Incident.State.CLOSED, Incident.State.RESOLVED)
        orders.append(Dispatch(station=station, incident_id=pk, officer=officer, team_kind="command",
                               state=Dispatch.State.REPORTED if closed else Dispatch.State.ON_SCENE,
                               issued_at=issued, acknowledged_at=acknowledged, arrived_at=arrived,
                               reported_at=arrived + dt.timedelta(minutes=10 + rng.expovariate(1 / 40)) if closed else None))
        if rng.random() < 0.04:
            breaches.append(Violation(station=station, incident_id=pk, step="arrive", level=Violation.Level.ALERT,
                                      due_at=received + dt.timedelta(minutes=12), recorded_at=received + dt.timedelta(minutes=12),
                                      subject=f"bench-{pk}"))
    Dispatch.objects.bulk_create(orders, batch_size=2000)
    Violation.objects.bulk_create(breaches, batch_size=2000)
    return station


def run_here(*, incidents: int, seed: int, migrate: bool = False) -> dict[str, Any]:
    """Build the station-year in this database and time what reads it."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from fengqiao.analysis import statistics
    from fengqiao.core.dbstats import refresh_statistics

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    started = time.perf_counter()
    station = build_station_year(incidents, seed, now)
    refresh_statistics(connection, vacuum=True)
    setup = time.perf_counter() - started
    today = timezone.localdate(now)
    figures: dict[str, Any] = {"database": connection.vendor, "incidents": incidents, "setup_seconds": round(setup, 2)}

    def timed(call: Any, runs: int = 3) -> tuple[float, Any]:
        best, result = math.inf, None
        for _ in range(runs):
            began = time.perf_counter()
            result = call()
            best = min(best, time.perf_counter() - began)
        return best, result

    for name, preset in (("statistics_30d", "30d"), ("statistics_year", "last_year"), ("statistics_this_year", "this_year")):
        query = statistics.Query(station, *statistics.preset_period(preset, today), preset=preset)
        seconds, result = timed(lambda query=query: statistics.statistics(query))
        figures[name] = {"seconds": round(seconds, 3), "total": result["total"]}
    tomorrow = statistics.preset_period("7d", today)[1]
    year = statistics.Query(station, tomorrow - dt.timedelta(days=365), tomorrow, preset="custom")
    seconds, result = timed(lambda: statistics.statistics(year))
    figures["statistics_365d"] = {"seconds": round(seconds, 3), "total": result["total"]}
    for method in ("counts", "kde", "gistar"):
        seconds, layer = timed(lambda method=method: statistics.hotspot_layer(year, method))
        figures[f"hotspots_{method}"] = {"seconds": round(seconds, 3), "cells": len(layer["features"])}
    try:
        from fengqiao.analysis import briefing
    except ImportError:
        briefing = None  # type: ignore[assignment]
    if briefing is not None and hasattr(briefing, "build_briefing"):
        seconds, _ = timed(lambda: briefing.build_briefing(station, now))
        figures["briefing"] = {"seconds": round(seconds, 3), "target_met": seconds < TARGET_BRIEFING}
    else:
        figures["briefing"] = {"seconds": None, "note": "fengqiao.analysis.briefing.build_briefing is not there yet"}
    return figures


def run_station_in_throwaway(*, incidents: int, seed: int, data_parent: str | None, keep: bool) -> dict[str, Any]:
    from fengqiao.bench.throwaway import run_in_throwaway

    return run_in_throwaway("analysis", ["--station-incidents", str(incidents), "--seed", str(seed)],
                            data_parent=data_parent, keep=keep)


# --- the command's side -----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"incidents of the city-scale runs (default {DEFAULT_SIZES})")
    parser.add_argument("--cell", type=float, default=DEFAULT_CELL, help=f"hot-spot cell in metres (default {DEFAULT_CELL:g})")
    parser.add_argument("--bandwidth", type=float, default=DEFAULT_BANDWIDTH,
                        help=f"kernel bandwidth in metres (default {DEFAULT_BANDWIDTH:g})")
    parser.add_argument("--knox-events", type=int, default=DEFAULT_KNOX_EVENTS,
                        help=f"events of the Knox run, 0 to skip (default {DEFAULT_KNOX_EVENTS:,})")
    parser.add_argument("--permutations", type=int, default=DEFAULT_PERMUTATIONS,
                        help=f"Knox permutations (default {DEFAULT_PERMUTATIONS})")
    parser.add_argument("--station-incidents", type=int, default=DEFAULT_STATION_INCIDENTS,
                        help=f"incidents of the station-year, 0 to skip (default {DEFAULT_STATION_INCIDENTS:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    parser.add_argument("--data-dir", default=None, help="where to make the throwaway files (default: the system's temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the Parquet files and the throwaway database")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # the station-year in this process's database
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise ValueError("--sizes: whole numbers separated by commas, e.g. 1000000,10000000") from error
    if any(size < 1 for size in sizes):
        raise ValueError("--sizes: each at least 1")
    return sizes


def run_from_options(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("here"):
        return run_here(incidents=options["station_incidents"], seed=options["seed"], migrate=options.get("migrate", False))
    from fengqiao.bench.intake import machine

    sizes = _sizes(options["sizes"])
    figures: dict[str, Any] = {"benchmark": "analysis", "machine": machine(), "city": []}
    folder = Path(tempfile.mkdtemp(prefix="fengqiao-bench-analysis-", dir=options.get("data_dir")))
    try:
        for size in sizes:
            path = folder / f"incidents-{size}.parquet"
            written = write_city(path, size, options["seed"])
            result = time_city(path, size, cell=options["cell"], bandwidth=options["bandwidth"])
            result.update(write_seconds=round(written, 2), parquet_megabytes=round(path.stat().st_size / 1e6, 1))
            figures["city"].append(result)
    finally:
        if not options.get("keep"):
            shutil.rmtree(folder, ignore_errors=True)
    if options["knox_events"] > 0:
        figures["knox"] = time_knox(options["knox_events"], options["permutations"], options["seed"])
    if options["station_incidents"] > 0:
        figures["station_year"] = run_station_in_throwaway(
            incidents=options["station_incidents"], seed=options["seed"], data_parent=options.get("data_dir"),
            keep=options.get("keep", False))
    figures["machine_after"] = machine()
    return figures


def _verdict(met: Any) -> str:
    return "not measured at that size" if met is None else "met" if met else "MISSED"


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    if "city" not in figures:  # the --here run
        return [(name, json.dumps(value, ensure_ascii=False)) for name, value in figures.items()]
    rows: list[tuple[str, str]] = []
    box = figures.get("machine") or {}
    if box:
        rows.append(("machine", f"{box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), load {box['load_average']}"))
    for city in figures["city"]:
        n = f"{city['incidents']:,}"
        parts = city["hotspot_timings"]
        rows += [
            (f"{n}: Parquet", f"{city['parquet_megabytes']} MB written in {city['write_seconds']} s (not timed below)"),
            (f"{n}: trends (a year, DuckDB)", f"{city['trends_seconds']} s ({city['year_total']:,} incidents in the year)"),
            (f"{n}: hot spots", f"{city['hotspots_seconds']} s (read {parts['read_positions']} s, project {parts['project']} s, "
                                f"counts {parts['grid_counts']} s, KDE {parts['kde']} s, Gi* {parts['gistar']} s; "
                                f"{city['grid']['cells']:,} cells of {city['grid']['cell']:g} m)"),
            (f"{n}: trends + hot spots", f"{city['total_seconds']} s — target < {TARGET_TRENDS_HOTSPOTS:g} s at 10 M: "
                                         f"{_verdict(city['target_met'])}"),
        ]
    if "knox" in figures:
        knox = figures["knox"]
        rows.append(("Knox", f"{knox['seconds']} s for {knox['events']:,} events, {knox['permutations']} permutations "
                             f"({knox['pairs_in_space']:,} pairs within 200 m) — target < {TARGET_KNOX:g} s: "
                             f"{_verdict(knox['target_met'])}"))
    if "station_year" in figures:
        year = figures["station_year"]
        rows.append(("station-year", f"{year['incidents']:,} incidents on {year['database']} (built in {year['setup_seconds']} s)"))
        for name in ("statistics_30d", "statistics_365d", "hotspots_counts", "hotspots_kde", "hotspots_gistar"):
            if name in year:
                rows.append((f"  {name}", f"{year[name]['seconds']} s (best of 3)"))
        brief = year["briefing"]
        rows.append(("  briefing", f"{brief['seconds']} s — target < {TARGET_BRIEFING:g} s: {_verdict(brief.get('target_met'))}"
                     if brief.get("seconds") is not None else brief.get("note", "not measured")))
    return rows
