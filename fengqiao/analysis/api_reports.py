"""The briefing, the report archive and the inbox under /api/v1/analysis/.

- `GET /analysis/briefing?station=NP` → today's briefing (the latest whose briefing time has
  come; issued now if the station lacks it): id, title, period and its figures.
- `GET /analysis/reports?kind=&station=&limit=&offset=` → the archive, newest first.
- `GET /analysis/reports/{id}` → one report with its figures; `…/pdf` → the PDF.
- `POST /analysis/reports` `{"kind": "briefing|weekly|monthly", "station": "NP"}` (the
  `analysis.add_report` permission) → 201 with the report issued now (a briefing of the 24
  hours up to now, the latest complete week or month), or 200 with the one already issued.
- `GET /analysis/inbox` → the user's team's messages with `read`, and the unread count;
  `POST /analysis/inbox/{id}/read` marks one read.

Another station's report or message answers 404 like a missing one; no permission 403.
Reports hold counts and names of officers and places, nothing masked is ever in them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from fengqiao.core.access import get_for_user_or_404
from fengqiao.intake.api import require, station_for
from fengqiao.organisation.models import Station

from . import inbox, issuing
from .briefing import WINDOW
from .models import InboxMessage, Report
from .nearrepeat import settings_for
from .views_reports import todays_briefing

router = Router(tags=["analysis"])

VIEW = "analysis.view_report"
ISSUE = "analysis.add_report"
VIEW_INBOX = "analysis.view_inboxmessage"
MAX_LIMIT = 200


class ReportOut(Schema):
    id: int
    kind: str
    title: str
    station: str
    period_start: dt.datetime
    period_end: dt.datetime
    created_at: dt.datetime
    automatic: bool
    pdf_url: str


class ReportDetailOut(ReportOut):
    figures: dict[str, Any]


class IssueIn(Schema):
    kind: Literal["briefing", "weekly", "monthly"]
    station: str = ""


class MessageOut(Schema):
    id: int
    team: str
    title: str
    body: str
    created_at: dt.datetime
    report: int | None
    read: bool


class InboxOut(Schema):
    unread: int
    messages: list[MessageOut]


def _out(report: Report, station: Station | None = None) -> dict[str, Any]:
    return {
        "id": report.pk, "kind": report.kind, "title": report.title, "station": (station or report.station).code,
        "period_start": report.period_start, "period_end": report.period_end, "created_at": report.created_at,
        "automatic": report.created_by_id is None, "pdf_url": f"/api/v1/analysis/reports/{report.pk}/pdf",
    }


@router.get("/analysis/briefing", response=ReportDetailOut, url_name="analysis_briefing")
def get_briefing(request: HttpRequest, station: str = "") -> dict[str, Any]:
    """Today's briefing of the user's station (name it by code when you see several)."""
    require(request, VIEW)
    found = station_for(request, station)
    report = todays_briefing(found, timezone.now())
    return _out(report, found) | {"figures": report.figures}


@router.get("/analysis/reports", response=list[ReportOut], url_name="analysis_reports")
def list_reports(request: HttpRequest, kind: str = "", station: str = "", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    require(request, VIEW)
    if kind and kind not in Report.Kind.values:
        raise HttpError(422, f"kind: one of {', '.join(Report.Kind.values)}")
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise HttpError(422, f"limit: 1 to {MAX_LIMIT}; offset: 0 or more")
    rows = (Report.objects.for_user(request.user).select_related("station").defer("html", "pdf", "figures")
            .order_by("-period_end", "-created_at", "-pk"))
    if kind:
        rows = rows.filter(kind=kind)
    if station:
        rows = rows.filter(station=station_for(request, station))
    return [_out(report) for report in rows[offset:offset + limit]]


@router.get("/analysis/reports/{report_id}", response=ReportDetailOut, url_name="analysis_report")
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    require(request, VIEW)
    report: Report = get_for_user_or_404(Report.objects.select_related("station").defer("pdf", "html"), request.user,
                                          pk=report_id)
    return _out(report) | {"figures": report.figures}


@router.get("/analysis/reports/{report_id}/pdf", url_name="analysis_report_pdf")
def get_report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    require(request, VIEW)
    report: Report = get_for_user_or_404(Report.objects.all(), request.user, pk=report_id)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=f"{report.title}.pdf")
    return response


@router.post("/analysis/reports", response={200: ReportDetailOut, 201: ReportDetailOut}, url_name="analysis_issue")
def post_report(request: HttpRequest, payload: IssueIn) -> Status[dict[str, Any]]:
    """Issue a report now (or answer the one already issued for that period)."""
    require(request, ISSUE)
    station = station_for(request, payload.station)
    now = timezone.now()
    if payload.kind == Report.Kind.BRIEFING:
        end = now.replace(second=0, microsecond=0)
        start = end - WINDOW
    else:
        start, end = issuing.latest_period(payload.kind, now, settings_for(station.pk).briefing_time)
    found = issuing.existing(station, payload.kind, start, end)
    report = found or issuing.issue(station, payload.kind, start, end, user=request.user, now=now)
    return Status(200 if found else 201, _out(report, station) | {"figures": report.figures})


@router.get("/analysis/inbox", response=InboxOut, url_name="analysis_inbox")
def get_inbox(request: HttpRequest, limit: int = 50) -> dict[str, Any]:
    require(request, VIEW_INBOX)
    rows = inbox.messages_for(request.user)
    return {"unread": rows.filter(is_read=False).count(), "messages": [{
        "id": message.pk, "team": message.team.name, "title": message.title, "body": message.body,
        "created_at": message.created_at, "report": message.report_id, "read": message.is_read,
    } for message in rows[:max(1, min(limit, MAX_LIMIT))]]}


@router.post("/analysis/inbox/{message_id}/read", response={204: None}, url_name="analysis_inbox_read")
def read_message(request: HttpRequest, message_id: int) -> Status[None]:
    require(request, VIEW_INBOX)
    message: InboxMessage = get_for_user_or_404(InboxMessage.objects.all(), request.user, pk=message_id)
    visible = inbox.messages_for(request.user).filter(pk=message.pk)
    if not visible.exists():
        raise HttpError(404, "not your team's message")
    inbox.mark_read(request.user, visible)
    return Status(204, None)
