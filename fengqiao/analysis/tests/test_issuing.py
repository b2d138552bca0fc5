# ruff: noqa: F811  (fixtures imported from reports_fixtures are used as parameters)
"""Issuing: once per period, into the archive and the teams' inboxes, with a PDF whose text is Chinese."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from fengqiao.analysis import issuing
from fengqiao.analysis.models import AnalysisSettings, InboxMessage, Report
from fengqiao.audit.models import AuditEntry
from fengqiao.demo.reports_writer import write_reports
from fengqiao.dispatch import services as dispatch_services
from fengqiao.organisation.models import Station, Team

from .reports_fixtures import NOW, at, case_team_a, morning, october  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_periods_are_the_latest_whose_time_has_come() -> None:
    eight = dt.time(8, 30)
    assert issuing.latest_period(Report.Kind.BRIEFING, NOW, eight) == (at("2026-11-01T08:30"), at("2026-11-02T08:30"))
    assert issuing.latest_period(Report.Kind.BRIEFING, at("2026-11-02T08:29"), eight) == (
        at("2026-10-31T08:30"), at("2026-11-01T08:30"))
    # Monday 2 November: last week's report from the briefing time on, the week before until then.
    assert issuing.latest_period(Report.Kind.WEEKLY, NOW, eight) == (at("2026-10-26T00:00"), at("2026-11-02T00:00"))
    assert issuing.latest_period(Report.Kind.WEEKLY, at("2026-11-02T07:00"), eight) == (
        at("2026-10-19T00:00"), at("2026-10-26T00:00"))
    assert issuing.latest_period(Report.Kind.MONTHLY, NOW, eight) == (at("2026-10-01T00:00"), at("2026-11-01T00:00"))
    assert issuing.latest_period(Report.Kind.MONTHLY, at("2026-11-01T08:00"), eight) == (
        at("2026-09-01T00:00"), at("2026-10-01T00:00"))


def test_a_briefing_is_issued_once_to_every_team(morning: dict[str, Any], station_a: Station, li_na: Any) -> None:
    start, end = issuing.latest_period(Report.Kind.BRIEFING, NOW)
    report = issuing.issue(station_a, Report.Kind.BRIEFING, start, end, now=NOW)
    again = issuing.issue(station_a, Report.Kind.BRIEFING, start, end, user=li_na, now=NOW)
    assert again.pk == report.pk and report.created_by is None
    assert Report.objects.for_stations([station_a.pk]).count() == 1
    teams = set(Team.objects.for_stations([station_a.pk]).values_list("pk", flat=True))
    messages = InboxMessage.objects.for_stations([station_a.pk]).filter(report=report)
    assert set(messages.values_list("team_id", flat=True)) == teams and messages.count() == len(teams)
    assert report.figures["incidents"]["total"] == 4
    assert "南坪派出所" in report.title and "南坪派出所" in report.html
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, object_id=str(report.pk),
                                     object_repr=report.title).count() == 1


def test_the_pdf_text_layer_holds_the_chinese_title_and_figures(october: dict[str, Any], station_a: Station) -> None:
    report = issuing.issue(station_a, Report.Kind.MONTHLY, at("2026-10-01T00:00"), at("2026-11-01T00:00"), now=NOW)
    assert bytes(report.pdf).startswith(b"%PDF")
    text = pdf_text(bytes(report.pdf))
    squeezed = "".join(text.split())
    assert "南坪派出所" in squeezed  # the title
    assert "入室盗窃" in squeezed and "邻里纠纷" in squeezed  # the categories …
    assert "南坪西路警务区" in squeezed  # … the beats
    total = report.figures["incidents"]["total"]
    assert total == 6 and str(total) in text


def test_a_report_goes_to_the_case_team_and_the_command_room_and_the_cleared_cases_to_the_community_team(
        october: dict[str, Any], station_a: Station, case_team_a: Team, community_team_a: Team,
        command_room_a: Team, leadership_a: Team) -> None:
    report = issuing.issue(station_a, Report.Kind.MONTHLY, at("2026-10-01T00:00"), at("2026-11-01T00:00"), now=NOW)
    by_team = {message.team_id: message for message in InboxMessage.objects.for_stations([station_a.pk]).filter(report=report)}
    assert set(by_team) == {case_team_a.pk, command_room_a.pk, community_team_a.pk}
    assert by_team[case_team_a.pk].title == report.title
    summary = by_team[community_team_a.pk]
    assert summary.title != report.title and "3" in summary.title
    assert "入室盗窃 2" in summary.body and "邻里纠纷 1" in summary.body


def test_two_issuers_racing_for_one_period_get_one_report(morning: dict[str, Any], station_a: Station,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    start, end = issuing.latest_period(Report.Kind.BRIEFING, NOW)
    first = issuing.issue(station_a, Report.Kind.BRIEFING, start, end, now=NOW)
    real = issuing.existing
    calls = []

    def late_look(*args: Any) -> Report | None:  # the second issuer looked before the first had written
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(issuing, "existing", late_look)
    second = issuing.issue(station_a, Report.Kind.BRIEFING, start, end, now=NOW)
    assert second.pk == first.pk and len(calls) == 2
    assert Report.objects.for_stations([station_a.pk]).count() == 1


def test_the_tick_issues_the_briefing_and_the_weekly_and_monthly_reports_each_once(
        morning: dict[str, Any], station_a: Station, station_b: Station,
        django_capture_on_commit_callbacks: Any) -> None:
    before = at("2026-11-02T08:00")  # Monday, before the briefing time: yesterday's briefing, the week before
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_services.tick(before, station_ids=[station_a.pk])
    reports = Report.objects.for_stations([station_a.pk])
    assert sorted((r.kind, r.period_end) for r in reports) == [
        ("briefing", at("2026-11-01T08:30")), ("monthly", at("2026-11-01T00:00")), ("weekly", at("2026-10-26T00:00"))]
    for moment in (NOW, NOW + dt.timedelta(minutes=5)):  # the briefing time: today's briefing, last week's report
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_services.tick(moment, station_ids=[station_a.pk])
    assert sorted((r.kind, r.period_end) for r in reports.filter(created_at__gte=NOW)) == [
        ("briefing", at("2026-11-02T08:30")), ("weekly", at("2026-11-02T00:00"))]
    assert Report.objects.for_stations([station_a.pk]).count() == 5
    assert not Report.objects.for_stations([station_a.pk]).filter(created_by__isnull=False).exists()
    assert not Report.objects.for_stations([station_b.pk]).exists()  # ticking station A only


def test_the_briefing_follows_the_stations_briefing_time(morning: dict[str, Any], station_a: Station,
                                                        django_capture_on_commit_callbacks: Any) -> None:
    AnalysisSettings.objects.for_stations([station_a.pk]).update_or_create(
        station=station_a, defaults={"briefing_time": dt.time(7, 45)})
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_services.tick(at("2026-11-02T07:50"), station_ids=[station_a.pk])
    briefing = Report.objects.for_stations([station_a.pk]).get(kind=Report.Kind.BRIEFING)
    assert briefing.period_end == at("2026-11-02T07:45")


def test_the_tick_does_nothing_when_everything_is_issued(morning: dict[str, Any], station_a: Station,
                                                        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_services.tick(NOW, station_ids=[station_a.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch_services.tick(NOW + dt.timedelta(seconds=10), station_ids=[station_a.pk])
    assert not any(getattr(callback, "__qualname__", "").startswith("tick_task") for callback in callbacks)
    assert Report.objects.for_stations([station_a.pk]).count() == 3


def test_the_pdf_never_fetches_anything_from_outside() -> None:
    from weasyprint.urls import FatalURLFetchingError

    from fengqiao.analysis import pdf

    local = pdf.render_pdf('<link rel="stylesheet" href="fengqiao/reports.css"><p class="report">南坪</p>')
    assert local.startswith(b"%PDF")
    for address in ("http://example.com/x.css", "https://example.com/x.png", "file:///etc/passwd"):
        tag = f'<link rel="stylesheet" href="{address}">' if address.endswith(".css") or "passwd" in address \
            else f'<img src="{address}">'
        with pytest.raises(FatalURLFetchingError):
            pdf.render_pdf(f"{tag}<p>南坪</p>")


def test_the_demo_issues_todays_briefing_and_last_weeks_and_months_reports_once(
        morning: dict[str, Any], station_a: Any) -> None:
    made, found = write_reports(station_a, now=timezone.now())
    assert made["briefings and reports"] == 3 and not found
    kinds = set(Report.objects.for_stations([station_a.pk]).values_list("kind", flat=True))
    assert kinds == {Report.Kind.BRIEFING, Report.Kind.WEEKLY, Report.Kind.MONTHLY}
    assert made["inbox messages"] == InboxMessage.objects.for_stations([station_a.pk]).count() > 0
    again, found = write_reports(station_a, now=timezone.now())
    assert not again and found["briefings and reports"] == 3
