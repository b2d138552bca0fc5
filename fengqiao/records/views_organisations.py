"""Organisation pages (实有单位): shops, firms, schools, hotels … and the key places among them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fengqiao.audit.services import record_personal_view
from fengqiao.core.masking import mask_phone

from . import filters, services
from .forms import OrganisationFilterForm, OrganisationForm
from .models import Organisation
from .views import (
    address_asked_for,
    beats_for,
    community_at,
    export_or_none,
    list_context,
    record_or_404,
    seal_number_query,
    station_of,
    unsealed,
)


def _rows() -> Any:
    return Organisation.objects.select_related("address", "beat", "station")


@login_required
@permission_required("records.view_organisation", raise_exception=True)
def organisation_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    sealed = seal_number_query(request)
    if sealed is not None:
        return sealed
    form = OrganisationFilterForm(unsealed(request), beats=beats_for(request.user, station))
    wanted = form.filters()
    rows = filters.organisation_rows(request.user, wanted, station_id=station.pk)
    export = export_or_none(request, what="records.organisation", filename="organisations", rows=rows,
                            table=filters.organisation_table, logged=wanted.for_the_log())
    if export is not None:
        return export
    page = filters.page_of(rows, request.GET.get("page"))
    for organisation in page:
        organisation.contact_phone_masked = mask_phone(organisation.contact_phone)
    return render(request, "records/organisation_list.html", {
        "station": station, "page": page, **list_context(request, form, wanted.q),
    })


@login_required
@permission_required("records.view_organisation", raise_exception=True)
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation: Organisation = record_or_404(_rows(), user, pk)
    if organisation.contact_name or organisation.contact_phone:
        record_personal_view(organisation, fields=["contact_name", "contact_phone"], user=user)
    extra = community_at(user, organisation.address, organisation=organisation, limit=5) if organisation.address else {}
    return render(request, "records/organisation_detail.html", {
        "station": organisation.station, "organisation": organisation,
        "contact_phone": mask_phone(organisation.contact_phone),
        "may_change": user.has_perm("records.change_organisation"), **extra,
    })


def _render_form(request: HttpRequest, form: OrganisationForm, *, status: int = 200) -> HttpResponse:
    return render(request, "records/organisation_form.html", {
        "station": form.station, "form": form, "organisation": form.organisation,
    }, status=status)


def _save(request: HttpRequest, form: OrganisationForm) -> HttpResponse:
    if not form.is_valid():
        return _render_form(request, form, status=422)
    try:
        organisation = services.save_organisation(form.station.pk, form.organisation_data(),
                                                  organisation=form.organisation)
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_form(request, form, status=422)
    messages.success(request, _("%(name)s is on record.") % {"name": organisation.name})
    return redirect("records:organisation_detail", pk=organisation.pk)


@login_required
@permission_required("records.add_organisation", raise_exception=True)
def organisation_new(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    if request.method == "POST":
        return _save(request, OrganisationForm(request.POST, station=station))
    initial: dict[str, Any] = {}
    address = address_asked_for(request, station)
    if address is not None:
        initial["address_text"] = address.full_text
    return _render_form(request, OrganisationForm(station=station, initial=initial))


@login_required
@permission_required("records.change_organisation", raise_exception=True)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation: Organisation = record_or_404(_rows(), request.user, pk)
    if request.method == "POST":
        return _save(request, OrganisationForm(request.POST, station=organisation.station, organisation=organisation))
    return _render_form(request, OrganisationForm(station=organisation.station, organisation=organisation))
