"""The import pages of basic records: upload a file, check it with a column mapping, import.

1. `start`: choose what the file holds (residents, houses, organisations) and, for a
   user of several stations, the station; upload. The file is kept on the server under
   `DATA_DIR/imports/records/` with a random token that only this session knows (never
   in the database, never as parsed rows in the page: what is imported is what was
   uploaded) and the browser goes on to the preview.
2. `preview`: the columns of the file with the field each is guessed to fill (the user
   may change them and check again), the counts (new, updated, unchanged, bad) and every
   problem by row and column, all masked. Nothing is written.
3. `commit`: checks the kept file again with the mapping last previewed and imports it
   whole, or shows the report and keeps nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.core.access import chosen_station
from fengqiao.core.masking import mask_identifiers_in
from fengqiao.core.tabular import UploadStore
from fengqiao.organisation.models import Station

from . import importing
from .models import ImportBatch

PERMISSION = "records.import_records"
DONE = "records_import_done"  # session: the result to show once after the redirect
PROBLEM_ROWS_SHOWN = 500
PREVIEW_ROWS_SHOWN = 20
_COLUMN = re.compile(r"^column-(\d{1,3})$")


def _directory() -> Path:
    return Path(settings.DATA_DIR) / "imports" / "records"


UPLOADS = UploadStore("records_import_pending", _directory, seconds=3600, per_session=3)


class StartForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"), choices=[
        (kind, label) for kind, label in ImportBatch.Kind.choices if kind in importing.KINDS])
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))


def _stations(request: HttpRequest) -> list[Station]:
    stations = list(Station.objects.for_user(request.user).order_by("code"))
    if not stations:
        raise PermissionDenied("the user belongs to no station")
    return stations


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The upload form (GET), or keep the uploaded file and go on to its preview (POST)."""
    stations = _stations(request)
    if request.method == "GET":
        return _start_page(request, stations, StartForm(initial={"kind": request.GET.get("kind", "residents")}),
                           done=request.session.pop(DONE, None))
    form = StartForm(request.POST, request.FILES)
    station = chosen_station(request, stations)
    if station is None:
        form.add_error(None, _("Choose the station to import into."))
    if not form.is_valid() or station is None:
        return _start_page(request, stations, form, station=station, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > importing.MAX_BYTES:
        form.add_error("file", _("The file is larger than %(megabytes)s MB; split it into smaller files.") % {
            "megabytes": importing.MAX_BYTES // (1024 * 1024)})
        return _start_page(request, stations, form, station=station, status=400)
    filename = Path(upload.name or "upload").name[:100]
    token = UPLOADS.keep(request, upload.read(), {
        "name": filename, "station": station.pk, "kind": form.cleaned_data["kind"], "mapping": None,
    })
    return redirect("records_import:preview", token=token)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The dry run of a kept file with its column mapping; POST changes the mapping."""
    pending = UPLOADS.peek_with_station(request, token)
    if pending is None:
        return _expired(request)
    data, meta, station = pending
    mapping = meta.get("mapping")
    if request.method == "POST":
        mapping = _posted_mapping(request) or mapping
    report = importing.import_records(station, meta["kind"], data, meta["name"], user=request.user, dry_run=True, mapping=mapping)
    if report.mapping and report.mapping != meta.get("mapping"):
        # What the page shows is what `commit` imports, the guess included.
        UPLOADS.update(request, token, mapping=report.mapping)
    return _preview_page(request, report, token)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def commit(request: HttpRequest, token: str) -> HttpResponse:
    """Import the kept file whole, with the mapping of the preview, or show why not."""
    pending = UPLOADS.peek_with_station(request, token)
    if pending is None:
        return _expired(request)
    data, meta, station = pending
    mapping = meta.get("mapping")
    posted = _posted_mapping(request)
    if posted is not None and posted != mapping:
        # The columns were changed without checking again: show what they give first.
        UPLOADS.update(request, token, mapping=posted)
        messages.warning(request, _("The columns were changed: check the result before importing."))
        return redirect("records_import:preview", token=token)
    report = importing.import_records(station, meta["kind"], data, meta["name"], user=request.user, dry_run=False, mapping=mapping)
    if not report.committed:
        return _preview_page(request, report, token, status=422)
    UPLOADS.discard(request, token)
    counts = report.counts
    request.session[DONE] = {
        "kind": report.kind, "filename": mask_identifiers_in(report.filename), "station": station.name,
        "batch": report.batch_id, "rows": counts["rows"], "new": counts["new"], "update": counts["update"],
        "unchanged": counts["unchanged"],
    }
    return redirect("records_import:start")


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def template(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty import file of `kind`: its Chinese header row, UTF-8 with a BOM for Excel."""
    if kind not in importing.KINDS:
        raise Http404("no such kind of records")
    response = HttpResponse(importing.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-import-template.csv"'
    return response


# -- helpers -----------------------------------------------------------------------------------------------------




def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("This preview has expired or was already imported; upload the file again."))
    return redirect("records_import:start")


def _posted_mapping(request: HttpRequest) -> list[str] | None:
    """column index → field from the preview's selects (`column-0`, `column-1` …)."""
    chosen: dict[int, str] = {}
    for key, value in request.POST.items():
        found = _COLUMN.match(key)
        if found:
            chosen[int(found.group(1))] = value.strip()
    if not chosen:
        return None
    return [chosen.get(index, "") for index in range(max(chosen) + 1)]


def _start_page(request: HttpRequest, stations: list[Station], form: StartForm, *, status: int = 200,
                **context: Any) -> HttpResponse:
    context.setdefault("station", stations[0] if len(stations) == 1 else None)
    recent: list[ImportBatch] = []
    if request.user.has_perm("records.view_importbatch"):
        recent = list(ImportBatch.objects.for_user(request.user).select_related("imported_by", "station")[:10])
    context.update({
        "form": form, "stations": stations, "kinds": _kind_help(), "recent": recent,
        "max_rows": f"{importing.MAX_ROWS:,}", "max_megabytes": importing.MAX_BYTES // (1024 * 1024),
    })
    return render(request, "records/import_start.html", context, status=status)


def _preview_page(request: HttpRequest, report: importing.ImportReport, token: str, *, status: int = 200) -> HttpResponse:
    columns_by_field = {column.field: column for column in importing.columns_of(report.kind)}
    shown_fields = [name for name in report.mapping if name]
    problem_rows = report.problem_rows(PROBLEM_ROWS_SHOWN)
    rows_with_problems = sum(1 for row in report.rows if row.problems)
    context = {
        "report": report, "token": token, "station": report.station, "counts": report.counts,
        "kind_label": ImportBatch.Kind(report.kind).label,
        "field_choices": [(column.field, column.title, column.label_zh) for column in importing.columns_of(report.kind)],
        "columns": [
            {"index": index, "header": header, "field": report.mapping[index] if index < len(report.mapping) else "",
             "samples": [value for value in (report.samples[index] if index < len(report.samples) else []) if value]}
            for index, header in enumerate(report.headers)
        ],
        "shown_fields": [(name, columns_by_field[name].title) for name in shown_fields],
        "problem_rows": problem_rows,
        "problem_rows_left_out": rows_with_problems - len(problem_rows),
        "first_rows": [(row, [row.shown.get(name, "") for name in shown_fields]) for row in report.rows[:PREVIEW_ROWS_SHOWN]],
        "problem_rows_shown": PROBLEM_ROWS_SHOWN,
    }
    return render(request, "records/import_preview.html", context, status=status)


def _kind_help() -> list[dict[str, Any]]:
    """Per kind: its columns, whether each is required, and the values it takes."""
    notes: dict[str, Any] = {
        "id_number": _("18 characters; checked with its check digit. Sex and birth date are taken from it. "
                       "A number already on record updates that person."),
        "registration": importing.choice_labels("registration"),
        "relation": importing.choice_labels("relation"),
        "use": importing.choice_labels("use"),
        "tenure": importing.choice_labels("tenure"),
        "kind": importing.choice_labels("kind"),
        "key_place": _("是 or 否"),
        "address": _("A standard address of the station, written out in full or without district and sub-district"),
    }
    for name in ("moved_in_on", "moved_out_on", "rental_registered_on", "rental_expires_on"):
        notes[name] = _("2024-03-01, 2024/3/1, 2024年3月1日 or an Excel date")
    kinds = []
    for kind, label in ImportBatch.Kind.choices:
        if kind not in importing.KINDS:
            continue
        kinds.append({"kind": kind, "label": label, "columns": [
            {"header": column.label_zh, "title": column.title, "aliases": "、".join(column.aliases[:4]),
             "required": column.required, "note": notes.get(column.field, "")}
            for column in importing.columns_of(kind)
        ]})
    return kinds
