"""The load pages: a list from above becomes a campaign.

1. `new` (GET): the details (title, issuing body, deadline, reminder, instructions) and
   the file. POST: the details are checked, the file is kept on the server under
   `DATA_DIR/imports/campaigns/` with a random token only this session knows (never in
   the database, never as parsed rows in the page) and the browser goes on to the check.
2. `check`: the dry run of the kept file — rows, problems by row and column (masked),
   how many matched a resident or an address, how many go to whom and how — with the
   column of each read field as selects (POST changes them and checks again).
3. `confirm`: loads the kept file whole with the checked columns, or shows the report and
   keeps nothing; on success the campaign page.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fengqiao.core.access import chosen_station
from fengqiao.core.forms import LocalDateTimeInput, apply_errors
from fengqiao.core.tabular import UploadStore
from fengqiao.organisation.models import Station

from . import loading, plan
from .models import CampaignItem

PERMISSION = "campaigns.add_campaign"
PROBLEMS_SHOWN = 500
_MAP = re.compile(r"^map-(name|id_number|phone|address)$")
FIELD_TITLES = {
    "name": pgettext_lazy("campaign column", "Name"),
    "id_number": pgettext_lazy("campaign column", "Identity number"),
    "phone": pgettext_lazy("campaign column", "Phone"),
    "address": pgettext_lazy("campaign column", "Address"),
}


def _directory() -> Path:
    return Path(settings.DATA_DIR) / "imports" / "campaigns"


UPLOADS = UploadStore("campaigns_load_pending", _directory, seconds=3600, per_session=3)


class LoadForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("campaign", "Title"), max_length=loading.TITLE_LENGTH)
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=loading.ISSUER_LENGTH,
                             help_text=gettext_lazy("The body that sent the list, e.g. 分局治安大队."))
    deadline = forms.DateTimeField(label=gettext_lazy("Deadline"), widget=LocalDateTimeInput(),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    remind_before = forms.IntegerField(label=gettext_lazy("Remind officers (minutes before the deadline)"), initial=60,
                                       min_value=0, max_value=loading.MAX_REMIND_BEFORE)
    instructions = forms.CharField(label=gettext_lazy("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   max_length=loading.INSTRUCTIONS_LENGTH)
    file = forms.FileField(label=gettext_lazy("List (CSV or XLSX)"))

    def details(self) -> loading.CampaignDetails:
        data = self.cleaned_data
        return loading.CampaignDetails(title=data["title"], issuer=data["issuer"], deadline=data["deadline"],
                                       instructions=data.get("instructions") or "", remind_before=data["remind_before"])


def _stations(request: HttpRequest) -> list[Station]:
    stations = list(Station.objects.for_user(request.user).order_by("code"))
    if not stations:
        raise PermissionDenied("the user belongs to no station")
    return stations


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The details and the file (GET); keep the file and go on to its check (POST)."""
    stations = _stations(request)
    if request.method == "GET":
        deadline = (timezone.localtime() + dt.timedelta(hours=4)).replace(second=0, microsecond=0)
        return _new_page(request, stations, LoadForm(initial={"deadline": deadline, "remind_before": 60}))
    form = LoadForm(request.POST, request.FILES)
    station = chosen_station(request, stations)
    if station is None:
        form.add_error(None, _("Choose the station the list is for."))
    if not form.is_valid() or station is None:
        return _new_page(request, stations, form, station=station, status=400)
    details = form.details()
    try:
        details = details.cleaned(timezone.now())
    except ValidationError as error:
        apply_errors(form, error)
        return _new_page(request, stations, form, station=station, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > loading.MAX_BYTES:
        form.add_error("file", _("The file is larger than %(megabytes)s MB; split it into smaller files.") % {
            "megabytes": loading.MAX_BYTES // (1024 * 1024)})
        return _new_page(request, stations, form, station=station, status=400)
    token = UPLOADS.keep(request, upload.read(), {
        "name": Path(upload.name or "list").name[:100], "station": station.pk, "details": details.as_dict(), "mapping": None,
    })
    return redirect("campaigns:load_check", token=token)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, token: str) -> HttpResponse:
    """The dry run of a kept list with its columns; POST changes the columns."""
    pending = UPLOADS.peek_with_station(request, token)
    if pending is None:
        return _expired(request)
    data, meta, station = pending
    mapping = meta.get("mapping")
    if request.method == "POST":
        mapping = _posted_mapping(request) or mapping
    details = loading.CampaignDetails.from_dict(meta["details"])
    try:
        report = loading.load_campaign(station, data, meta["name"], user=request.user, details=details,
                                       mapping=mapping, dry_run=True)
    except ValidationError as error:
        return _report_page(request, None, token, meta, station, details_errors=_messages(error), status=422)
    if report.mapping != meta.get("mapping"):
        UPLOADS.update(request, token, mapping=report.mapping)  # what is shown is what `confirm` loads
    return _report_page(request, report, token, meta, station)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Load the kept list whole with the checked columns, or show why not."""
    pending = UPLOADS.peek_with_station(request, token)
    if pending is None:
        return _expired(request)
    data, meta, station = pending
    details = loading.CampaignDetails.from_dict(meta["details"])
    try:
        report = loading.load_campaign(station, data, meta["name"], user=request.user, details=details,
                                       mapping=meta.get("mapping"))
    except ValidationError as error:
        return _report_page(request, None, token, meta, station, details_errors=_messages(error), status=422)
    if report.campaign is None:
        return _report_page(request, report, token, meta, station, status=422)
    UPLOADS.discard(request, token)
    messages.success(request, _("%(number)s loaded: %(rows)s items, %(assigned)s assigned.") % {
        "number": report.campaign.number, "rows": report.rows, "assigned": report.assigned})
    try:
        return redirect(reverse("campaigns:detail", args=[report.campaign.pk]))
    except NoReverseMatch:  # the campaign page is built elsewhere
        return redirect(f"/campaigns/{report.campaign.pk}/")


# -- helpers ------------------------------------------------------------------------------------------




def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("This check has expired or the list was already loaded; upload the file again."))
    return redirect("campaigns:new")


def _posted_mapping(request: HttpRequest) -> dict[str, int | None] | None:
    chosen: dict[str, int | None] = {}
    for key, value in request.POST.items():
        found = _MAP.match(key)
        if found:
            value = value.strip()
            chosen[found.group(1)] = int(value) if value.isdigit() else None
    if not chosen:
        return None
    return {name: chosen.get(name) for name in loading.FIELDS}


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def _new_page(request: HttpRequest, stations: list[Station], form: LoadForm, *, status: int = 200,
              **context: Any) -> HttpResponse:
    context.setdefault("station", stations[0] if len(stations) == 1 else None)
    context.update({"form": form, "stations": stations, "max_rows": f"{loading.MAX_ROWS:,}",
                    "max_megabytes": loading.MAX_BYTES // (1024 * 1024), "step": "new"})
    return render(request, "campaigns/load.html", context, status=status)


def _report_page(request: HttpRequest, report: loading.LoadReport | None, token: str, meta: dict[str, Any],
                 station: Station, *, details_errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    details = meta["details"]
    context: dict[str, Any] = {
        "step": "check", "report": report, "token": token, "station": station, "details_errors": details_errors or [],
        "details": {**details, "deadline": dt.datetime.fromisoformat(details["deadline"])},
        "filename": meta["name"],
    }
    if report is not None:
        columns = [{"index": index, "title": report.column_title(index),
                    "samples": " · ".join(report.samples[index]) if index < len(report.samples) else ""}
                   for index in range(len(report.columns))]
        context.update({
            "fields": [{"name": name, "title": FIELD_TITLES[name], "index": report.mapping.get(name)} for name in loading.FIELDS],
            "columns": columns,
            "problems": report.problems[:PROBLEMS_SHOWN],
            "problems_left_out": max(0, len(report.problems) - PROBLEMS_SHOWN),
            "match_counts": [(label, report.by_match.get(value, 0), value) for value, label in CampaignItem.Match.choices],
            "how_counts": [(label, report.by_how.get(value, 0), value) for value, label in CampaignItem.How.choices
                           if value != plan.REASSIGNED],
        })
    return render(request, "campaigns/load.html", context, status=status)
