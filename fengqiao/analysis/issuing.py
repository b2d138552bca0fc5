"""Issuing a briefing or a situation report: figures → page → PDF → archive → inboxes.

`issue(station, kind, period_start, period_end, user=None)` issues the report of one
period once: if the station already has it, that report is returned and nothing is
written. Otherwise the figures are computed (`briefing.build_briefing` or
`reports.build_report`), the page and the PDF are rendered in the station's language, and
in one transaction the `Report` row, one audit row and one `InboxMessage` per team are
written:

- a briefing goes to every team of the station;
- a weekly or monthly report goes to the case team(s) and the command room;
- the community team(s) get the summary of the cases cleared in the period, linked to the
  report (what was solved, and how — what they tell the neighbourhood).

Two issuers racing for the same period (the ticker and a commander, say) meet at the
unique constraint; the loser returns the winner's report.

Periods (station local time): a briefing covers the 24 hours up to the station's
`briefing_time`; a weekly report Monday 00:00 to Monday 00:00; a monthly report the
calendar month. The ticker (`tick_task`, registered in `AnalysisConfig.ready`) issues the
latest due period of each once its issue time has come: the briefing at `briefing_time`
each day, the weekly report on Mondays and the monthly report on the 1st, at the same
time of day. A missed period (the server was down) is caught up at the next tick. The
tick only decides; the work runs after the tick's transaction has committed, so a PDF
being laid out never holds the deadline ticker's transaction open.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.organisation.models import Station, Team

from . import charts, pdf
from .briefing import build_briefing
from .models import AnalysisSettings, InboxMessage, Report
from .reports import build_report

log = logging.getLogger(__name__)

KINDS = (Report.Kind.BRIEFING, Report.Kind.WEEKLY, Report.Kind.MONTHLY)
REPORT_TEAMS = (Team.Kind.CASE, Team.Kind.COMMAND)
SUMMARY_TEAMS = (Team.Kind.COMMUNITY,)
DEFAULT_BRIEFING_TIME = dt.time(8, 30)


# -- periods ---------------------------------------------------------------------------------------------


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def latest_period(kind: str, now: dt.datetime, briefing_time: dt.time | str = DEFAULT_BRIEFING_TIME) -> tuple[dt.datetime, dt.datetime]:
    """The latest period of `kind` whose issue time has come at `now`.

    Briefing: the 24 hours up to today's briefing time (yesterday's before it). Weekly: the
    week that ended last Monday 00:00, once Monday's briefing time has come. Monthly: the
    month that ended on the 1st 00:00, likewise."""
    if isinstance(briefing_time, str):  # a settings row made a moment ago still holds its default as text
        briefing_time = dt.time.fromisoformat(briefing_time)
    local = timezone.localtime(now)
    today = local.date()
    if kind == Report.Kind.BRIEFING:
        end = _at(today, briefing_time)
        if now < end:
            end = _at(today - dt.timedelta(days=1), briefing_time)
        return end - dt.timedelta(hours=24), end
    if kind == Report.Kind.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        if now < _at(monday, briefing_time):
            monday -= dt.timedelta(days=7)
        return _at(monday - dt.timedelta(days=7), dt.time()), _at(monday, dt.time())
    if kind == Report.Kind.MONTHLY:
        first = today.replace(day=1)
        if now < _at(first, briefing_time):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        return _at(previous, dt.time()), _at(first, dt.time())
    raise ValueError(f"unknown report kind {kind!r}")


def title_for(station: Station, kind: str, start: dt.datetime, end: dt.datetime) -> str:
    last = timezone.localtime(end - dt.timedelta(microseconds=1)).date()
    first = timezone.localtime(start).date()
    if kind == Report.Kind.BRIEFING:
        return _("%(station)s morning briefing, %(date)s") % {"station": station.name, "date": last.isoformat()}
    if kind == Report.Kind.WEEKLY:
        return _("%(station)s weekly situation report, %(first)s to %(last)s") % {
            "station": station.name, "first": first.isoformat(), "last": last.isoformat()}
    return _("%(station)s monthly situation report, %(month)s") % {"station": station.name, "month": first.strftime("%Y-%m")}


# -- rendering --------------------------------------------------------------------------------------------


def figures_for(station: Station, kind: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    if kind == Report.Kind.BRIEFING:
        return build_briefing(station, end)
    return build_report(station, kind, start, end)


def chart_svgs(kind: str, figures: dict[str, Any]) -> dict[str, str]:
    """The report's charts as inline SVG (the same in the page and the PDF)."""
    incidents = figures["incidents"]
    if kind == Report.Kind.BRIEFING:
        return {
            "categories": charts.hbars([(row["label"], row["count"]) for row in incidents["by_category"][:10]],
                                       title=_("Incidents by category")),
            "beats": charts.hbars([(row["label"], row["count"]) for row in incidents["by_beat"][:10]],
                                  title=_("Incidents by beat")),
        }
    by_category = incidents["by_category"]
    days = figures["by_day"]
    return {
        "categories": charts.hbars([(row["label"], row["count"]) for row in by_category],
                                   previous=[row["previous"] for row in by_category],
                                   title=_("Incidents by category, against the period before")),
        "beats": charts.hbars([(row["label"], row["count"]) for row in incidents["by_beat"][:10]],
                              title=_("Incidents by beat")),
        "days": charts.columns([row["count"] for row in days], labels=[row["label"] for row in days],
                               every=1 if len(days) <= 7 else 5, title=_("Incidents day by day")),
        "hours": charts.columns(figures["by_hour"], labels=[f"{hour}" for hour in range(24)], every=3,
                                title=_("Incidents by hour of day")),
    }


def render_body(kind: str, title: str, figures: dict[str, Any]) -> str:
    """The report's page as issued (an HTML fragment, in the station's language)."""
    template = "analysis/report_briefing.html" if kind == Report.Kind.BRIEFING else "analysis/report_situation.html"
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, {"title": title, "kind": kind, "f": figures, "charts": chart_svgs(kind, figures)})


def render_document(title: str, body: str) -> bytes:
    """The PDF of a report's page (the PDF template around the page as issued)."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("analysis/report_pdf.html", {"title": title, "body": body, "font": pdf.FONT_FAMILY})
    return pdf.render_pdf(html)


# -- messages ---------------------------------------------------------------------------------------------


def _summary(kind: str, figures: dict[str, Any]) -> str:
    incidents = figures["incidents"]
    if kind == Report.Kind.BRIEFING:
        return _("Last 24 hours: %(incidents)d incidents. Open orders: %(orders)d (%(late)d overdue). "
                 "Follow-ups due today: %(follow_ups)d. Overdue transfers: %(transfers)d, overdue support "
                 "requests: %(support)d.") % {
            "incidents": incidents["total"], "orders": figures["orders"]["open"], "late": figures["orders"]["overdue"],
            "follow_ups": figures["follow_ups"]["due_today"], "transfers": figures["transfers"]["overdue"],
            "support": figures["support"]["overdue"]}
    text = _("%(incidents)d incidents (%(before)d in the period before).") % {
        "incidents": incidents["total"], "before": figures["previous"]["total"]}
    top = ", ".join(f"{row['label']} {row['count']}" for row in incidents["by_category"][:3])
    return f"{text} {top}" if top else text


def _cleared_summary(figures: dict[str, Any]) -> tuple[str, str]:
    cleared = figures["cleared_cases"]
    period = f"{figures['period']['first_day']} – {figures['period']['last_day']}"
    title = ngettext("Cases cleared %(period)s: %(count)d case", "Cases cleared %(period)s: %(count)d cases",
                     cleared["total"]) % {"period": period, "count": cleared["total"]}
    if not cleared["total"]:
        return title, _("No case was cleared in this period.")
    lines = [_("By category: %(list)s.") % {"list": "、".join(f"{row['label']} {row['count']}" for row in cleared["by_category"])},
             _("How they were cleared: %(list)s.") % {"list": "、".join(f"{row['label']} {row['count']}" for row in cleared["by_how"])},
             _("By beat: %(list)s.") % {"list": "、".join(f"{row['label']} {row['count']}" for row in cleared["by_beat"])}]
    return title, "\n".join(lines)


def _messages(report: Report, figures: dict[str, Any]) -> list[InboxMessage]:
    teams = list(Team.objects.for_stations([report.station_id]).order_by("kind", "name"))
    messages: list[InboxMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        summary = _summary(report.kind, figures)
        for team in teams:
            if report.kind == Report.Kind.BRIEFING or team.kind in REPORT_TEAMS:
                messages.append(InboxMessage(station_id=report.station_id, team=team, report=report, title=report.title,
                                             body=summary, created_at=report.created_at))
            elif team.kind in SUMMARY_TEAMS:
                title, body = _cleared_summary(figures)
                messages.append(InboxMessage(station_id=report.station_id, team=team, report=report, title=title,
                                             body=body, created_at=report.created_at))
    return messages


# -- issuing ----------------------------------------------------------------------------------------------


def existing(station: Station, kind: str, start: dt.datetime, end: dt.datetime) -> Report | None:
    return Report.objects.for_stations([station.pk]).filter(kind=kind, period_start=start, period_end=end).first()


def issue(station: Station, kind: str, period_start: dt.datetime, period_end: dt.datetime, user: Any = None, *,
          now: dt.datetime | None = None) -> Report:
    """The station's report of `kind` for [period_start, period_end): issued now unless it
    already was (see the module's docstring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    found = existing(station, kind, period_start, period_end)
    if found is not None:
        return found
    now = now or timezone.now()
    title = title_for(station, kind, period_start, period_end)
    figures = figures_for(station, kind, period_start, period_end)
    body = render_body(kind, title, figures)
    document = render_document(title, body)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                station=station, kind=kind, period_start=period_start, period_end=period_end, title=title,
                figures=figures, html=body, pdf=document, created_at=now, created_by=user)
            InboxMessage.objects.bulk_create(_messages(report, figures))
            record(AuditEntry.Action.CREATED, obj=report, user=user,
                   reason="issued by hand" if user is not None else "issued automatically")
    except IntegrityError:
        found = existing(station, kind, period_start, period_end)
        if found is None:
            raise
        return found
    return report


def due(stations: list[Station], now: dt.datetime) -> list[tuple[Station, str, dt.datetime, dt.datetime]]:
    """The reports whose issue time has come and that the stations do not have yet (two queries)."""
    times = dict(AnalysisSettings.objects.for_stations([s.pk for s in stations]).values_list("station_id", "briefing_time"))
    wanted = [(station, kind, *latest_period(kind, now, times.get(station.pk, DEFAULT_BRIEFING_TIME)))
              for station in stations for kind in KINDS]
    if not wanted:
        return []
    have = set(Report.objects.for_stations([s.pk for s in stations])
               .filter(period_end__in={end for *_rest, end in wanted})
               .values_list("station_id", "kind", "period_start", "period_end"))
    return [(station, kind, start, end) for station, kind, start, end in wanted
            if (station.pk, kind, start, end) not in have]


def issue_due(now: dt.datetime, station_ids: list[int] | None = None) -> list[Report]:
    """Issue every report that is due at `now` (each once); a failure is logged and the
    others still go out."""
    stations = Station.objects.unscoped("the ticker issues every station's briefings and reports")
    if station_ids is not None:
        stations = stations.filter(pk__in=station_ids)
    issued = []
    for station, kind, start, end in due(list(stations.order_by("pk")), now):
        try:
            issued.append(issue(station, kind, start, end, now=now))
        except Exception:
            log.exception("the %s of %s for %s–%s could not be issued; trying again at the next tick", kind, station, start, end)
    return issued


def tick_task(now: dt.datetime, station_ids: list[int] | None = None) -> None:
    """The ticker's part: when a report is due, issue it once the tick's transaction commits."""
    stations = Station.objects.unscoped("the ticker issues every station's briefings and reports")
    if station_ids is not None:
        stations = stations.filter(pk__in=station_ids)
    if due(list(stations), now):
        transaction.on_commit(lambda: issue_due(now, station_ids), robust=True)
