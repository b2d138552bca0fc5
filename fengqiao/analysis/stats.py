"""The statistics of a period, computed by DuckDB over a frame of incidents (pure: no Django).

The source is either a pandas DataFrame with the columns of `frame.incident_frame` or the
path of a Parquet file with (at least) the columns `received_at` (local time, naive),
`category`, `category_name`, `family`, `beat_id`, `beat_name`, `route`, the timings
`t_dispatch` … `t_response` (minutes), `breached`, `breached_steps` and `non_police`.

`figures(source, start, end)` answers, for incidents received in [start, end):

- the counts by category, family, beat, hour of day and weekday;
- the change against the previous period (环比: the previous calendar months when the
  period is whole months, otherwise the same length just before) and against the same
  period a year earlier (同比), and the monthly counts of the twelve months up to the
  period's end with each month's month-on-month and year-on-year change;
- the response time of each step (first order; minutes): count, median, 90th percentile,
  mean and a histogram on fixed bins;
- deadline compliance: incidents without a breached deadline among all, and the breaches
  by step;
- the non-police share: incidents routed to a department or of the non-police family.

The source must hold the incidents from `load_start(start, end)` on for the changes and
the monthly series to be complete.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd  # type: ignore[import-untyped]

STEPS = ("dispatch", "acknowledge", "arrive", "feedback", "response")
# Histogram bins of the response times, in minutes: [0, 1), [1, 2), … [120, ∞).
BIN_EDGES = (0, 1, 2, 5, 10, 15, 20, 30, 45, 60, 120)
MONTHS = 12
# The columns the period's figures read.
PERIOD_COLUMNS = ("received_at", "category", "category_name", "family", "family_name", "beat_id", "beat_name",
                  *(f"t_{step}" for step in STEPS), "breached", "breached_steps", "non_police")
# A Breach step of a deadline (dispatch.models.BreachStep) as counted here.
BREACH_STEPS = ("dispatch", "acknowledge", "arrive", "feedback", "follow_up", "case", "transfer", "support")


def shift_months(when: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` months later (earlier when negative), the day kept
    within the month (31 Mar − 1 month = 28/29 Feb)."""
    index = when.year * 12 + (when.month - 1) + months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def _is_month_start(when: dt.datetime) -> bool:
    return when.day == 1 and when.time() == dt.time(0)


def whole_months(start: dt.datetime, end: dt.datetime) -> int:
    """How many calendar months [start, end) spans, 0 when it is not whole months."""
    if not (_is_month_start(start) and _is_month_start(end)):
        return 0
    return (end.year - start.year) * 12 + end.month - start.month


def previous_period(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The period the change (环比) compares with."""
    months = whole_months(start, end)
    if months > 0:
        return shift_months(start, -months), start
    return start - (end - start), start


def year_before(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return shift_months(start, -12), shift_months(end, -12)


def month_of(when: dt.datetime) -> dt.datetime:
    return dt.datetime(when.year, when.month, 1)


def series_months(end: dt.datetime) -> list[dt.datetime]:
    """The first days of the twelve months up to the one `end` falls in (exclusive end)."""
    last = month_of(end - dt.timedelta(microseconds=1))
    return [shift_months(last, -offset) for offset in range(MONTHS - 1, -1, -1)]


def load_start(start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """From when the source must hold incidents for `figures(source, start, end)` to be complete."""
    earliest = min(previous_period(start, end)[0], year_before(start, end)[0], shift_months(series_months(end)[0], -12))
    return earliest


# How late after a comparison period's start the records may begin and still cover it.
COVERAGE_SLACK = dt.timedelta(days=1)


def change(current: int, before: int) -> float | None:
    """Percentage change, None when there was nothing before."""
    if before == 0:
        return None
    return round((current - before) / before * 100.0, 1)


def _connect(source: pd.DataFrame | str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    if isinstance(source, str):
        escaped = source.replace("'", "''")
        connection.execute(f"CREATE VIEW incidents AS SELECT * FROM read_parquet('{escaped}')")  # noqa: S608
    else:
        connection.register("incidents", source)
    return connection


def write_parquet(source: pd.DataFrame, path: str) -> None:
    """Write a frame to a Parquet file with DuckDB (no pyarrow needed)."""
    escaped = path.replace("'", "''")
    with duckdb.connect(":memory:") as connection:
        connection.register("frame_out", source)
        connection.execute(f"COPY frame_out TO '{escaped}' (FORMAT parquet)")


def _literal(when: dt.datetime) -> str:
    return f"TIMESTAMP '{when.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _where(categories: Sequence[str], beats: Sequence[int]) -> str:
    clauses: list[str] = []
    if categories:
        names = ", ".join(_string(str(code)) for code in categories)
        clauses.append(f"(category IN ({names}) OR family IN ({names}))")
    if beats:
        clauses.append(f"beat_id IN ({', '.join(str(int(beat)) for beat in beats)})")
    return " AND ".join(clauses) or "TRUE"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    return round(number, 1)


def figures(source: pd.DataFrame | str, start: dt.datetime, end: dt.datetime, *,
            categories: Sequence[str] = (), beats: Sequence[int] = ()) -> dict[str, Any]:
    """The figures of [start, end) (naive local datetimes), as plain JSON-able data."""
    if end <= start:
        raise ValueError("the period must end after it starts")
    with _connect(source) as connection:
        return _figures(connection, start, end, categories, beats)


def _figures(connection: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime,
             categories: Sequence[str], beats: Sequence[int]) -> dict[str, Any]:
    where = _where(categories, beats)
    # Two reads of the source, each of the columns it needs: the times over the whole span
    # the changes compare with, and the period's incidents. Every figure then reads these
    # tables in memory (a Parquet file is decoded twice, not once per figure).
    span = f"received_at >= {_literal(load_start(start, end))} AND received_at < {_literal(end)}"
    connection.execute(f"CREATE TEMP TABLE chosen AS SELECT received_at FROM incidents WHERE {where} AND {span}")  # noqa: S608
    columns = ", ".join(name for name in PERIOD_COLUMNS if name in _columns(connection))
    connection.execute(f"CREATE TEMP TABLE period AS SELECT {columns} FROM incidents "  # noqa: S608
                       f"WHERE {where} AND received_at >= {_literal(start)} AND received_at < {_literal(end)}")

    def rows(sql: str, values: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return connection.execute(sql, list(values)).fetchall()

    previous_start, previous_end = previous_period(start, end)
    year_start, year_end = year_before(start, end)

    def between(a: dt.datetime, b: dt.datetime) -> str:
        return f"received_at >= {_literal(a)} AND received_at < {_literal(b)}"

    total, breached, non_police = (int(value or 0) for value in rows(
        "SELECT count(*), count(*) FILTER (WHERE breached), count(*) FILTER (WHERE non_police) FROM period")[0])
    # A comparison needs data for its whole period: a station whose records begin within
    # it (a new system, the demo's single year) has no year-on-year change, rather than a
    # four-thousand-per-cent one. Records "begin" at the earliest incident of any kind.
    earliest = rows(f"SELECT min(received_at) FROM incidents WHERE received_at >= {_literal(load_start(start, end))}")[0][0]  # noqa: S608

    def covered(since: dt.datetime) -> bool:
        return earliest is not None and earliest <= since + COVERAGE_SLACK

    def compared(current: int, before: int, since: dt.datetime) -> float | None:
        return change(current, before) if covered(since) else None

    previous, last_year = (int(value or 0) for value in rows(
        f"SELECT count(*) FILTER (WHERE {between(previous_start, previous_end)}), "  # noqa: S608
        f"count(*) FILTER (WHERE {between(year_start, year_end)}) FROM chosen")[0])
    by_category = [
        {"code": code, "name": name, "family": family, "count": int(n)}
        for code, name, family, n in rows(
            "SELECT category, any_value(category_name), any_value(family), count(*) AS n FROM period "
            "GROUP BY category ORDER BY n DESC, category")
    ]
    by_family = [
        {"code": code, "name": name, "count": int(n)}
        for code, name, n in rows(
            "SELECT family, any_value(family_name), count(*) AS n FROM period GROUP BY family ORDER BY n DESC, family")
    ] if _has(connection, "family_name") else []
    by_beat = [
        {"id": int(beat), "name": name, "count": int(n)}
        for beat, name, n in rows(
            "SELECT beat_id, any_value(beat_name), count(*) AS n FROM period GROUP BY beat_id ORDER BY n DESC, beat_id")
    ]
    by_hour = [0] * 24
    for hour, n in rows("SELECT hour(received_at) AS h, count(*) FROM period GROUP BY h"):
        by_hour[int(hour)] = int(n)
    by_weekday = [0] * 7
    for weekday, n in rows("SELECT isodow(received_at) AS d, count(*) FROM period GROUP BY d"):
        by_weekday[int(weekday) - 1] = int(n)

    months = series_months(end)
    first = shift_months(months[0], -12)
    per_month = {
        (int(year), int(month)): int(n)
        for year, month, n in rows(
            "SELECT year(received_at) AS y, month(received_at) AS m, count(*) FROM chosen "
            "WHERE received_at >= ? AND received_at < ? GROUP BY y, m", [first, shift_months(months[-1], 1)])
    }

    def in_month(when: dt.datetime) -> int:
        return per_month.get((when.year, when.month), 0)

    monthly = [
        {"month": f"{when.year:04d}-{when.month:02d}", "count": in_month(when),
         "mom": compared(in_month(when), in_month(shift_months(when, -1)), shift_months(when, -1)),
         "yoy": compared(in_month(when), in_month(shift_months(when, -12)), shift_months(when, -12))}
        for when in months
    ]

    response = _steps(connection)

    by_step = {step: 0 for step in BREACH_STEPS}
    for step, n in rows("SELECT s, count(*) FROM (SELECT unnest(string_split(breached_steps, ',')) AS s "
                        "FROM period WHERE breached) GROUP BY s"):
        if step:
            by_step[str(step)] = by_step.get(str(step), 0) + int(n)

    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(),
                   "days": round((end - start).total_seconds() / 86400, 2)},
        "total": total,
        "by_category": by_category,
        "by_family": by_family,
        "by_beat": by_beat,
        "by_hour": by_hour,
        "by_weekday": by_weekday,
        "change": {
            "current": total,
            "previous": previous, "previous_start": previous_start.isoformat(), "previous_end": previous_end.isoformat(),
            "mom": compared(total, previous, previous_start),
            "last_year": last_year, "last_year_start": year_start.isoformat(), "last_year_end": year_end.isoformat(),
            "yoy": compared(total, last_year, year_start),
            "records_from": earliest.isoformat() if earliest is not None else None,
        },
        "monthly": monthly,
        "response": response,
        "compliance": {
            "incidents": total, "breached": breached, "compliant": total - breached,
            "rate": round((total - breached) / total * 100.0, 1) if total else None,
            "by_step": by_step,
        },
        "non_police": {"count": non_police, "share": round(non_police / total * 100.0, 1) if total else None},
    }


def _has(connection: duckdb.DuckDBPyConnection, column: str) -> bool:
    names = [row[0] for row in connection.execute("DESCRIBE period").fetchall()]
    return column in names


def _columns(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(row[0]) for row in connection.execute("DESCRIBE incidents").fetchall()}


def _steps(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Count, median, 90th percentile, mean and histogram of each step's times (two queries)."""
    valid = {step: f"t_{step} IS NOT NULL AND NOT isnan(t_{step})" for step in STEPS}
    summary = connection.execute("SELECT " + ", ".join(  # noqa: S608
        f"count(t_{step}) FILTER (WHERE {valid[step]}), "
        f"quantile_cont(t_{step}, 0.5) FILTER (WHERE {valid[step]}), "
        f"quantile_cont(t_{step}, 0.9) FILTER (WHERE {valid[step]}), avg(t_{step}) FILTER (WHERE {valid[step]})"
        for step in STEPS) + " FROM period").fetchall()[0]
    last = len(BIN_EDGES) - 1
    bins = " UNION ALL ".join(
        f"SELECT '{step}' AS s, CASE "  # noqa: S608
        + " ".join(f"WHEN t_{step} < {edge} THEN {index - 1}" for index, edge in enumerate(BIN_EDGES) if index)
        + f" ELSE {last} END AS b FROM period WHERE {valid[step]}"
        for step in STEPS)
    histograms = {step: [0] * len(BIN_EDGES) for step in STEPS}
    for step, index, n in connection.execute(f"SELECT s, b, count(*) FROM ({bins}) GROUP BY s, b").fetchall():  # noqa: S608
        histograms[str(step)][max(0, int(index))] = int(n)
    result: dict[str, Any] = {}
    for position, step in enumerate(STEPS):
        n, p50, p90, mean = summary[position * 4:position * 4 + 4]
        result[step] = {"n": int(n or 0), "p50": _number(p50), "p90": _number(p90), "mean": _number(mean),
                        "edges": list(BIN_EDGES), "histogram": histograms[step]}
    return result
