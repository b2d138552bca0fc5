"""The briefing, the report archive, one report (page and PDF), issuing by hand, the inbox.

- `/analysis/briefing/`: today's briefing of the user's station (`?station=` for sub-bureau
  staff): the latest whose briefing time has come, issued on the spot if it is missing.
- `/analysis/reports/`: the archive, newest first, filtered by kind and station.
- `/analysis/reports/<pk>/` and `…/pdf/`: the report as issued. Another station's report
  answers 404 (and the attempt is audited). Opening a report marks its inbox messages read.
- `/analysis/reports/issue/` (POST, `analysis.add_report`): a briefing of the 24 hours up to
  now, or the latest complete week's or month's report (the one already issued, if it was).
- `/analysis/inbox/`: the user's team's messages, unread first marked; mark one or all read.

Views are thin: `issuing` issues, `inbox` reads and marks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.core.access import get_for_user_or_404
from fengqiao.organisation.models import Station
from fengqiao.organisation.selectors import station_ids_for, stations_by_id

from . import inbox, issuing
from .briefing import WINDOW
from .models import InboxMessage, Report
from .nearrepeat import settings_for

PAGE_SIZE = 30
VIEW = "analysis.view_report"
ISSUE = "analysis.add_report"
VIEW_INBOX = "analysis.view_inboxmessage"


class ArchiveFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All"))] + list(Report.Kind.choices))
    station = forms.ChoiceField(label=gettext_lazy("Police station"), required=False)

    def __init__(self, data: Any, *, stations: list[Station]) -> None:
        super().__init__(data)
        self.fields["station"].choices = [("", _("All"))] + [(str(s.pk), s.name) for s in stations]


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Report.Kind.choices)
    station = forms.IntegerField(required=False)


def _stations(request: HttpRequest) -> list[Station]:
    return stations_by_id(station_ids_for(request.user))


def _station(request: HttpRequest, stations: list[Station], value: Any) -> Station:
    """The station named by `value` among the user's (404 otherwise), else their first."""
    if not stations:
        raise Http404("you belong to no station")
    if value in (None, ""):
        return stations[0]
    found = next((station for station in stations if str(station.pk) == str(value)), None)
    if found is None:
        get_for_user_or_404(Station.objects.all(), request.user, pk=int(value) if str(value).isdigit() else 0)
    return found  # type: ignore[return-value]


def todays_briefing(station: Station, now: dt.datetime) -> Report:
    """The latest briefing whose time has come, issued now if the station lacks it."""
    start, end = issuing.latest_period(Report.Kind.BRIEFING, now, settings_for(station.pk).briefing_time)
    return issuing.existing(station, Report.Kind.BRIEFING, start, end) or issuing.issue(
        station, Report.Kind.BRIEFING, start, end)


def _report_page(request: HttpRequest, report: Report, template: str, **extra: Any) -> HttpResponse:
    inbox.mark_report_read(request.user, report)
    return render(request, template, {
        "report": report, "may_issue": request.user.has_perm(ISSUE),
        "kinds": Report.Kind.choices, **extra,
    })


@login_required
@permission_required(VIEW, raise_exception=True)
def briefing(request: HttpRequest) -> HttpResponse:
    stations = _stations(request)
    station = _station(request, stations, request.GET.get("station"))
    report = todays_briefing(station, timezone.now())
    return _report_page(request, report, "analysis/briefing.html", stations=stations, station_choice=station)


@login_required
@permission_required(VIEW, raise_exception=True)
def report_list(request: HttpRequest) -> HttpResponse:
    stations = _stations(request)
    form = ArchiveFilterForm(request.GET, stations=stations)
    rows = (Report.objects.for_user(request.user).select_related("station", "created_by")
            .defer("html", "pdf", "figures").order_by("-period_end", "-created_at", "-pk"))
    if form.is_valid():
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["station"]:
            rows = rows.filter(station_id=int(form.cleaned_data["station"]))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "analysis/report_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "stations": stations,
        "may_issue": request.user.has_perm(ISSUE), "kinds": Report.Kind.choices,
        "show_station": len(stations) > 1,
    })


@login_required
@permission_required(VIEW, raise_exception=True)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_for_user_or_404(Report.objects.defer("pdf").select_related("station", "created_by"), request.user, pk=pk)
    return _report_page(request, report, "analysis/report_detail.html")


@login_required
@permission_required(VIEW, raise_exception=True)
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_for_user_or_404(Report.objects.all(), request.user, pk=pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=request.GET.get("download") == "1", filename=f"{report.title}.pdf")
    return response


@login_required
@permission_required(ISSUE, raise_exception=True)
@require_POST
def issue_now(request: HttpRequest) -> HttpResponse:
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of report to issue."))
        return redirect("analysis:reports")
    station = _station(request, _stations(request), form.cleaned_data["station"])
    kind = form.cleaned_data["kind"]
    now = timezone.now()
    if kind == Report.Kind.BRIEFING:
        end = now.replace(second=0, microsecond=0)
        start = end - WINDOW
    else:
        start, end = issuing.latest_period(kind, now, settings_for(station.pk).briefing_time)
    found = issuing.existing(station, kind, start, end)
    if found is not None:
        messages.info(request, _("This report was already issued; here it is."))
        return redirect("analysis:report", pk=found.pk)
    report = issuing.issue(station, kind, start, end, user=request.user, now=now)
    messages.success(request, _("Issued and sent to the teams' inboxes."))
    return redirect("analysis:report", pk=report.pk)


@login_required
@permission_required(VIEW_INBOX, raise_exception=True)
def inbox_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox.messages_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "analysis/inbox.html", {"page": page, "unread": inbox.unread_count(request.user)})


@login_required
@permission_required(VIEW_INBOX, raise_exception=True)
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    message: InboxMessage = get_for_user_or_404(InboxMessage.objects.all(), request.user, pk=pk)
    visible = inbox.messages_for(request.user).filter(pk=message.pk)
    if not visible.exists():
        raise Http404("not your team's message")
    inbox.mark_read(request.user, visible)
    return redirect("analysis:inbox")


@login_required
@permission_required(VIEW_INBOX, raise_exception=True)
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    marked = inbox.mark_read(request.user, inbox.messages_for(request.user).filter(is_read=False))
    if marked:
        messages.success(request, _("All messages marked read."))
    return redirect("analysis:inbox")
