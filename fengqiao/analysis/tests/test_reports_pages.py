# ruff: noqa: F811  (fixtures imported from reports_fixtures are used as parameters)
"""The briefing page, the archive, a report's page and PDF, issuing by hand, the inbox, and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.analysis import issuing
from fengqiao.analysis.models import InboxMessage, Report
from fengqiao.organisation.models import Station

from .reports_fixtures import NOW, at, case_team_a, morning, october  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def monthly(october: dict[str, Any], station_a: Station, community_team_a: Any) -> Report:
    return issuing.issue(station_a, Report.Kind.MONTHLY, at("2026-10-01T00:00"), at("2026-11-01T00:00"), now=NOW)


def test_the_briefing_page_builds_todays_briefing_once(morning: dict[str, Any], li_na: Any, station_a: Station) -> None:
    client = client_of(li_na)
    first = client.get(reverse("analysis:briefing"))
    assert first.status_code == 200
    html = first.content.decode()
    assert 'data-testid="briefing-incidents"' in html and "南坪派出所" in html
    assert client.get(reverse("analysis:briefing")).status_code == 200
    briefings = Report.objects.for_stations([station_a.pk]).filter(kind=Report.Kind.BRIEFING)
    assert briefings.count() == 1 and briefings.get().created_by is None


def test_a_report_page_and_its_pdf(monthly: Report, zhang_wei: Any) -> None:
    client = client_of(zhang_wei)
    page = client.get(reverse("analysis:report", args=[monthly.pk]))
    assert page.status_code == 200 and 'data-testid="report-cleared"' in page.content.decode()
    pdf = client.get(reverse("analysis:report_pdf", args=[monthly.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    archive = client.get(reverse("analysis:reports"), {"kind": "monthly"}).content.decode()
    assert monthly.title in archive


def test_another_stations_report_answers_404(monthly: Report, wang_qiang: Any, zhao_min: Any) -> None:
    for user in (wang_qiang, zhao_min):
        client = client_of(user)
        assert client.get(reverse("analysis:report", args=[monthly.pk])).status_code == 404
        assert client.get(reverse("analysis:report_pdf", args=[monthly.pk])).status_code == 404
        assert monthly.title not in client.get(reverse("analysis:reports")).content.decode()
        assert client.get(f"/api/v1/analysis/reports/{monthly.pk}").status_code == 404
        assert client.get(f"/api/v1/analysis/reports/{monthly.pk}/pdf").status_code == 404


def test_the_command_room_issues_a_report_by_hand_and_a_community_officer_may_not(
        morning: dict[str, Any], zhang_wei: Any, liu_yang: Any, station_a: Station) -> None:
    response = client_of(zhang_wei).post(reverse("analysis:issue_report"), {"kind": "weekly"})
    report = Report.objects.for_stations([station_a.pk]).get(kind=Report.Kind.WEEKLY)
    assert response.status_code == 302 and response["Location"] == reverse("analysis:report", args=[report.pk])
    assert report.created_by == zhang_wei
    again = client_of(zhang_wei).post(reverse("analysis:issue_report"), {"kind": "weekly"})
    assert again["Location"] == response["Location"]
    assert client_of(liu_yang).post(reverse("analysis:issue_report"), {"kind": "weekly"}).status_code == 403


def test_the_community_officer_reads_the_cleared_cases_in_the_inbox(monthly: Report, liu_yang: Any) -> None:
    client = client_of(liu_yang)
    page = client.get(reverse("analysis:inbox"))
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="inbox-message"') == 1
    assert 'data-read="0"' in html and "入室盗窃 2" in html
    message = InboxMessage.objects.for_stations([monthly.station_id]).get(team=liu_yang.officer.team)
    assert client.post(reverse("analysis:inbox_read", args=[message.pk])).status_code == 302
    assert 'data-read="1"' in client.get(reverse("analysis:inbox")).content.decode()
    assert client.get("/api/v1/analysis/inbox").json()["unread"] == 0


def test_opening_a_report_reads_its_message(monthly: Report, zhang_wei: Any) -> None:
    client = client_of(zhang_wei)
    assert client.get("/api/v1/analysis/inbox").json()["unread"] == 1
    client.get(reverse("analysis:report", args=[monthly.pk]))
    assert client.get("/api/v1/analysis/inbox").json()["unread"] == 0


def test_another_teams_message_cannot_be_marked(monthly: Report, liu_yang: Any, zhang_wei: Any) -> None:
    theirs = InboxMessage.objects.for_stations([monthly.station_id]).get(team=zhang_wei.officer.team)
    assert client_of(liu_yang).post(reverse("analysis:inbox_read", args=[theirs.pk])).status_code == 404


def test_the_api_serves_the_briefing_the_archive_and_issues(morning: dict[str, Any], zhang_wei: Any,
                                                            chen_chen: Any) -> None:
    client = client_of(zhang_wei)
    briefing = client.get("/api/v1/analysis/briefing")
    assert briefing.status_code == 200 and briefing.json()["kind"] == "briefing"
    assert "incidents" in briefing.json()["figures"]
    made = client.post("/api/v1/analysis/reports", {"kind": "monthly"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["automatic"] is False
    same = client.post("/api/v1/analysis/reports", {"kind": "monthly"}, content_type="application/json")
    assert same.status_code == 200 and same.json()["id"] == made.json()["id"]
    listed = client.get("/api/v1/analysis/reports").json()
    assert {row["kind"] for row in listed} == {"briefing", "monthly"}
    assert client.get("/api/v1/analysis/reports", {"kind": "daily"}).status_code == 422
    assert client.get(f"/api/v1/analysis/reports/{made.json()['id']}/pdf").content.startswith(b"%PDF")
    assert client_of(chen_chen).get("/api/v1/analysis/reports").status_code == 403
