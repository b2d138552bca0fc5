# ruff: noqa: F811  (fixtures imported from the analysis tests are used as parameters)
"""In the browser: the chief opens the statistics page and this morning's briefing, then its
PDF and the archive; the community officer finds the briefing in the inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fengqiao.analysis import issuing
from fengqiao.analysis.models import Report
from fengqiao.analysis.tests.reports_fixtures import case_team_a, incident, morning  # noqa: F401  (fixtures)
from fengqiao.analysis.tests.test_nearrepeat import addresses_a, burglary, receive  # noqa: F401  (fixtures)

from .conftest import screenshot
from .test_phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chief_opens_the_statistics_page_and_the_morning_briefing(
        page: Page, morning: dict[str, Any], li_na: Any, liu_yang: Any, station_a: Any) -> None:
    # Two incidents in the hours before today's briefing time, so that it has something to chart.
    _start, end = issuing.latest_period(Report.Kind.BRIEFING, timezone.now())
    for hours in (1, 3):
        received = timezone.localtime(end - dt.timedelta(hours=hours)).replace(tzinfo=None)
        incident(station_a, received.isoformat(timespec="minutes"), "dispute.neighbour", beat=morning["b1"].beat)
    log_in(page, "lina")

    page.goto("/analysis/")
    expect(page.get_by_test_id("hotspots-link")).to_be_visible()
    screenshot(page, "analysis-statistics")

    page.goto("/analysis/briefing/")
    expect(page.get_by_test_id("report-title")).to_contain_text("南坪派出所")
    for section in ("briefing-incidents", "briefing-orders", "briefing-follow-ups", "briefing-loops",
                    "briefing-campaigns", "briefing-duty", "briefing-near-repeats"):
        expect(page.get_by_test_id(section)).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    screenshot(page, "analysis-briefing")

    report = Report.objects.for_stations([station_a.pk]).get(kind=Report.Kind.BRIEFING)
    pdf = page.request.get(f"/analysis/reports/{report.pk}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    page.goto("/analysis/reports/")
    expect(page.get_by_test_id("report-row")).to_have_count(1)
    screenshot(page, "analysis-reports")

    page.context.clear_cookies()
    log_in(page, "liuyang")
    page.goto("/analysis/inbox/")
    message = page.get_by_test_id("inbox-message")
    expect(message).to_have_count(1)
    expect(message).to_have_attribute("data-read", "0")
    message.get_by_test_id("mark-read").click()
    expect(page.get_by_test_id("inbox-message")).to_have_attribute("data-read", "1")
    screenshot(page, "analysis-inbox")


def test_a_burglary_puts_its_near_repeat_circle_on_the_board(page: Page, receive: Any, zhang_wei: Any,
                                                            station_a: Any) -> None:
    burglary(receive)
    log_in(page, "zhangwei")
    page.goto("/board/")
    expect(page.get_by_test_id("board-near-repeat")).to_have_count(1)
    expect(page.locator("path.near-repeat-circle")).to_have_count(1)
    # A second one, received while the board is open, comes with its circle live.
    burglary(receive, lat=29.5330, lon=106.5630, text="车窗被砸包被偷")
    expect(page.get_by_test_id("board-near-repeat")).to_have_count(2)
    expect(page.locator("path.near-repeat-circle")).to_have_count(2)
