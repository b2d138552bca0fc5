"""The batch import page: upload a file, read the per-row report, confirm, get the incidents.

Step one checks the file without recording anything (a dry run) and shows every row with
its problems and what intake would make of it. When no row has an error, the file is kept
under `DATA_DIR/imports/` with a random token that only this session knows; step two
("Import all N calls") reads it back, checks it again and imports all rows or none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fengqiao.core.access import chosen_station, get_for_user_or_404
from fengqiao.core.tabular import UploadStore
from fengqiao.organisation.models import Station

from . import importing

PENDING = "intake_import_pending"  # session: token → what was uploaded, by whom, for which station
DONE = "intake_import_done"  # session: the result to show once after a redirect
PENDING_SECONDS = 3600
PENDING_PER_SESSION = 3


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))


@login_required
@permission_required("intake.add_call", raise_exception=True)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload and preview (POST with a file), confirm (POST with a token), or the empty page."""
    stations = list(Station.objects.for_user(request.user).order_by("code"))
    if not stations:
        raise PermissionDenied("the user belongs to no station")
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    if request.method == "POST":
        return _preview(request, stations)
    done = request.session.pop(DONE, None)
    return _page(request, stations, form=UploadForm(), done=done)


@login_required
@permission_required("intake.add_call", raise_exception=True)
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    """An empty import file with the Chinese headers (UTF-8 with BOM, so Excel reads it)."""
    response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="calls-import-template.csv"'
    return response


def _preview(request: HttpRequest, stations: list[Station]) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    station = chosen_station(request, stations)
    if station is None:
        form.add_error(None, _("Choose the station to import into."))
    if not form.is_valid() or station is None:
        return _page(request, stations, form=form, station=station, status=400)
    upload = form.cleaned_data["file"]
    filename = Path(upload.name or "upload").name[:100]
    if upload.size > importing.MAX_BYTES:
        form.add_error("file", _("The file is larger than %(megabytes)s MB; split it into smaller files.") % {
            "megabytes": importing.MAX_BYTES // (1024 * 1024)})
        return _page(request, stations, form=form, station=station, status=400)
    data = upload.read()
    report = importing.import_calls(station, data, filename, user=request.user, dry_run=True)
    token = "" if report.has_errors else _keep(request, data, filename, station)
    return _page(request, stations, form=UploadForm(), station=station, report=report, token=token)


def _confirm(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    pending = _take(request, token)
    if pending is None:
        messages.error(request, _("This preview has expired or was already imported; upload the file again."))
        return redirect("intake_import:upload")
    data, meta = pending
    station = get_for_user_or_404(Station.objects.all(), request.user, pk=meta["station"])
    report = importing.import_calls(station, data, meta["name"], user=request.user, dry_run=False)
    if not report.imported:
        stations = list(Station.objects.for_user(request.user).order_by("code"))
        return _page(request, stations, form=UploadForm(), station=station, report=report)
    request.session[DONE] = {
        "filename": meta["name"], "station": station.name,
        "incidents": [[row.incident_id, row.incident_number] for row in report.rows],
    }
    return redirect("intake_import:upload")



def _page(request: HttpRequest, stations: list[Station], *, form: UploadForm, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("station", stations[0] if len(stations) == 1 else None)
    context.update({
        "form": form, "stations": stations, "columns": _column_help(), "max_rows": importing.MAX_ROWS,
        "max_megabytes": importing.MAX_BYTES // (1024 * 1024),
    })
    return render(request, "intake/import.html", context, status=status)


def _column_help() -> list[dict[str, Any]]:
    notes = {
        "source": _("110接警, 电话, 来所, 巡逻发现, 传感器, 社区群, 视频巡查 (or the English codes)"),
        "received_at": _("2026-11-30 08:15, 2026/11/30 8:15:00 or an Excel date and time; Beijing time"),
        "text": _("What the caller said"),
        "address": _("As the caller said it; matched to the standard addresses"),
        "lat": _("Decimal degrees, with the longitude"),
        "lon": _("Decimal degrees, with the latitude"),
        "caller_name": "",
        "caller_phone": _("Digits, +, - and spaces"),
        "external_id": _("The 110 system's id; each only once per station"),
        "sensor_kind": _("Needed when the source is a sensor, e.g. smoke"),
    }
    return [
        {"header": column.label_zh, "field": column.field, "required": column.required, "note": notes.get(column.field, "")}
        for column in importing.COLUMNS
    ]


# -- the uploaded file between preview and confirmation ------------------------------------------


def _directory() -> Path:
    return Path(settings.DATA_DIR) / "imports"


UPLOADS = UploadStore(PENDING, _directory, seconds=PENDING_SECONDS, per_session=PENDING_PER_SESSION)


def _keep(request: HttpRequest, data: bytes, filename: str, station: Station) -> str:
    """Keep the checked file under a random token that only this session knows."""
    return UPLOADS.keep(request, data, {"name": filename, "station": station.pk})


def _take(request: HttpRequest, token: str) -> tuple[bytes, dict[str, Any]] | None:
    """The kept file and what was said of it, removed from the session and the disk; None
    for an unknown, foreign, expired or altered one."""
    return UPLOADS.take(request, token)
