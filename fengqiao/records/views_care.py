"""The care registry (关注人员): people who need attention, seen only by the station's
leaders and the officers of the person's beat (`selectors.care_subjects_for`). To
everyone else a flag does not exist: its pages answer 404 and people's pages show no chip.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import filters, selectors, services
from .forms import CareFilterForm, CareSubjectForm
from .models import CareSubject, Resident
from .views import (
    beats_for,
    export_or_none,
    query_without_page,
    record_or_404,
    seal_number_query,
    sensitive_query,
    station_of,
    unsealed,
)


@login_required
@permission_required("records.view_caresubject", raise_exception=True)
def care_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    form = CareFilterForm(request.GET or None, beats=beats_for(request.user, station))
    wanted = form.filters()
    rows = filters.care_rows(request.user, wanted, station_id=station.pk)
    export = export_or_none(request, what="records.caresubject", filename="care-subjects", rows=rows,
                            table=filters.care_table, logged=wanted.for_the_log())
    if export is not None:
        return export
    page = filters.page_of(rows, request.GET.get("page"))
    today = filters.today()
    for subject in page:
        subject.due = subject.ended_on is None and subject.review_on <= today
        subject.age = filters.age_of(subject.resident.birth_date)
    return render(request, "records/care_list.html", {
        "station": station, "form": form, "page": page, "query": query_without_page(request),
        "may_add": request.user.has_perm("records.add_caresubject"),
    })


def _render_form(request: HttpRequest, form: CareSubjectForm, *, status: int = 200) -> HttpResponse:
    return render(request, "records/care_form.html", {
        "station": form.station, "form": form, "resident": form.resident, "subject": form.subject,
    }, status=status)


def _save(request: HttpRequest, form: CareSubjectForm) -> HttpResponse:
    if not form.is_valid():
        return _render_form(request, form, status=422)
    try:
        subject = services.save_care_subject(form.station.pk, form.care_data(), subject=form.subject)
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_form(request, form, status=422)
    messages.success(request, _("Care flag for %(name)s saved: %(reason)s.")
                     % {"name": subject.resident.name, "reason": subject.get_reason_display()})
    return redirect("records:resident_detail", pk=subject.resident_id)


def _resident_rows() -> Any:
    return Resident.objects.select_related("address", "beat", "station")


@login_required
@permission_required("records.add_caresubject", raise_exception=True)
def care_new(request: HttpRequest) -> HttpResponse:
    """Flag a person (?resident=<id>); without one, find the person first (an audited search)."""
    raw = request.GET.get("resident") or request.POST.get("resident") or ""
    if not raw.isdigit():
        sealed = seal_number_query(request)
        if sealed is not None:
            return sealed
        station = station_of(request)
        text = ((unsealed(request) or {}).get("q") or "").strip()
        found: list[Resident] = []
        if text:
            _query, rows = selectors.search_residents(
                request.user, text, queryset=selectors.residents_for(request.user).filter(station=station))
            found = list(rows.filter(moved_out_on__isnull=True).order_by("name", "pk")[:20])
        return render(request, "records/care_find.html", {"station": station, "q": text, "found": found,
                                                          "masked_query": sensitive_query(text)})
    resident: Resident = record_or_404(_resident_rows(), request.user, int(raw))
    form = CareSubjectForm(request.POST or None, station=resident.station, resident=resident)
    if request.method == "POST":
        return _save(request, form)
    return _render_form(request, form)


@login_required
@permission_required("records.change_caresubject", raise_exception=True)
def care_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject: CareSubject = record_or_404(
        CareSubject.objects.select_related("resident__address", "station", "beat"), request.user, pk,
        visible=selectors.care_subjects_for(request.user),
    )
    form = CareSubjectForm(request.POST or None, station=subject.station, resident=subject.resident, subject=subject)
    if request.method == "POST":
        return _save(request, form)
    return _render_form(request, form)
