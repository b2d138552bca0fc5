# ruff: noqa: F811  (fixtures imported from reports_fixtures are used as parameters)
"""The situation report's figures equal the database's (October 2026 at 南坪, reports_fixtures)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fengqiao.analysis import charts
from fengqiao.analysis.models import Report
from fengqiao.analysis.reports import build_report, previous_period
from fengqiao.cases.models import Case
from fengqiao.organisation.models import Station

from .reports_fixtures import at, case_team_a, morning, october  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

START, END = at("2026-10-01T00:00"), at("2026-11-01T00:00")


def test_a_monthly_report_compares_with_the_calendar_month_before() -> None:
    assert previous_period(Report.Kind.MONTHLY, START, END) == (at("2026-09-01T00:00"), START)
    assert previous_period(Report.Kind.WEEKLY, at("2026-10-26T00:00"), at("2026-11-02T00:00")) == (
        at("2026-10-19T00:00"), at("2026-10-26T00:00"))


def test_the_months_incidents_and_their_change(october: dict[str, Any], station_a: Station) -> None:
    figures = build_report(station_a, Report.Kind.MONTHLY, START, END)
    incidents = figures["incidents"]
    assert incidents["total"] == 6
    assert figures["previous"]["total"] == 1  # the one of 1 September (the records begin then: the month before is covered)
    assert incidents["change"] == 500.0
    assert incidents["change_year"] is None  # October 2025 is before the records: no year-on-year change
    assert {row["code"]: (row["count"], row["previous"]) for row in incidents["by_category"]} == {
        "criminal.burglary": (4, 1), "dispute.neighbour": (2, 0)}
    days = figures["by_day"]
    assert len(days) == 31 and days[0]["day"] == "2026-10-01" and days[-1]["day"] == "2026-10-31"
    assert {row["day"]: row["count"] for row in days if row["count"]} == {
        "2026-10-03": 2, "2026-10-10": 1, "2026-10-17": 1, "2026-10-24": 1, "2026-10-31": 1}
    assert sum(figures["by_hour"]) == 6 and figures["by_hour"][9] == 2 and figures["by_hour"][23] == 1


def test_cleared_cases_are_summarised_by_category_and_how(october: dict[str, Any], station_a: Station) -> None:
    cleared = build_report(station_a, Report.Kind.MONTHLY, START, END)["cleared_cases"]
    in_db = Case.objects.for_stations([station_a.pk]).filter(cleared_at__gte=START, cleared_at__lt=END)
    assert cleared["total"] == in_db.count() == 3
    assert {row["label"]: row["count"] for row in cleared["by_category"]} == {"入室盗窃": 2, "邻里纠纷": 1}
    assert sum(row["count"] for row in cleared["by_how"]) == 3
    assert len(cleared["table"]) == 3
    assert {row["label"] for row in cleared["by_beat"]} == {"南坪西路警务区"}


def test_hot_spots_and_the_forecast_name_cells_in_the_beat(october: dict[str, Any], station_a: Station) -> None:
    figures = build_report(station_a, Report.Kind.MONTHLY, START, END)
    hot = figures["hot_spots"]
    assert hot["located"] == 6
    assert hot["cells"][0]["count"] >= 2 and hot["cells"][0]["beat"] == "南坪西路警务区"
    assert sum(cell["count"] for cell in hot["cells"]) <= 6
    assert all("z" in cell for cell in hot["cells"])
    forecast = figures["forecast"]
    assert forecast["training"] >= 6 and forecast["cells"]
    assert forecast["cells"][0]["expected"] > 0
    assert json.loads(json.dumps(figures)) == figures


def test_the_work_of_the_period(october: dict[str, Any], station_a: Station) -> None:
    work = build_report(station_a, Report.Kind.MONTHLY, START, END)["work"]
    # The burglaries of 3, 17 and 31 October with a position raised alerts (the near-repeat part).
    assert work["near_repeat_alerts"] == 4
    assert work["orders"] == 0 and work["transfers"] == 0


def test_charts_are_svg_with_escaped_labels() -> None:
    svg = charts.hbars([("入室盗窃", 4), ("<b>", 1)], title="警情", previous=[1, 0])
    assert svg.startswith("<svg") and "入室盗窃" in svg and "&lt;b&gt;" in svg and "<b>" not in svg
    columns = charts.columns([0, 2, 1], labels=["1", "2", "3"], title="按日")
    assert columns.count("<rect") == 3
