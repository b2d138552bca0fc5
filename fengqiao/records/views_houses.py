"""House pages (实有房屋): the list, the house page a community officer opens in the
stairwell (who lives here, masked; who lets it; is its rental registration current),
and the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fengqiao.audit.services import record_personal_view

from . import filters, services
from .forms import HouseFilterForm, HouseForm
from .models import House
from .views import (
    address_asked_for,
    beats_for,
    community_at,
    export_or_none,
    incidents_at,
    list_context,
    people_at,
    record_or_404,
    seal_number_query,
    station_of,
    unsealed,
)

# A registration expiring within this many days is shown as due.
EXPIRES_SOON = dt.timedelta(days=30)


def _rows() -> Any:
    return House.objects.select_related("address__beat", "beat", "landlord", "station")


def rental_state(house: House, today: dt.date) -> str:
    """"expired", "soon", "current" or "" (no registration date) — for the chip on the page."""
    if house.tenure != House.Tenure.RENTED and not house.rental_expires_on:
        return ""
    if house.rental_expires_on is None:
        return "missing" if house.tenure == House.Tenure.RENTED else ""
    if house.rental_expires_on < today:
        return "expired"
    if house.rental_expires_on <= today + EXPIRES_SOON:
        return "soon"
    return "current"


@login_required
@permission_required("records.view_house", raise_exception=True)
def house_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    sealed = seal_number_query(request)
    if sealed is not None:
        return sealed
    form = HouseFilterForm(unsealed(request), beats=beats_for(request.user, station))
    wanted = form.filters()
    rows = filters.house_rows(request.user, wanted, station_id=station.pk)
    export = export_or_none(request, what="records.house", filename="houses", rows=rows,
                            table=filters.house_table, logged=wanted.for_the_log())
    if export is not None:
        return export
    page = filters.page_of(rows, request.GET.get("page"))
    counts = filters.residents_at([house.address_id for house in page], [station.pk])
    today = filters.today()
    for house in page:
        house.landlord_shown, house.landlord_phone_masked = filters.landlord_of(house)
        house.resident_count = counts.get(house.address_id, 0)
        house.rental_state = rental_state(house, today)
    return render(request, "records/house_list.html", {
        "station": station, "page": page, **list_context(request, form, wanted.q),
    })


@login_required
@permission_required("records.view_house", raise_exception=True)
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    house: House = record_or_404(_rows(), user, pk)
    current, moved_out = people_at(user, house.address)
    if current or moved_out or house.landlord_name or house.landlord_id:
        record_personal_view(house, fields=["landlord", "residents"], user=user)
    landlord_name, landlord_phone = filters.landlord_of(house)
    incidents = incidents_at(user, house.address, limit=5)
    return render(request, "records/house_detail.html", {
        "station": house.station, "house": house, "address": house.address, "residents": current,
        "moved_out": moved_out, "landlord_name": landlord_name, "landlord_phone": landlord_phone,
        "rental_state": rental_state(house, filters.today()), "incidents": incidents,
        "may_change": user.has_perm("records.change_house"), "may_add_resident": user.has_perm("records.add_resident"),
        **community_at(user, house.address, house=house, limit=3),
    })


def _render_form(request: HttpRequest, form: HouseForm, *, status: int = 200) -> HttpResponse:
    return render(request, "records/house_form.html", {"station": form.station, "form": form, "house": form.house},
                  status=status)


def _save(request: HttpRequest, form: HouseForm) -> HttpResponse:
    if not form.is_valid():
        return _render_form(request, form, status=422)
    try:
        house = services.save_house(form.station.pk, form.house_data(), house=form.house)
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_form(request, form, status=422)
    messages.success(request, _("The house at %(address)s is on record.") % {"address": house.address.full_text})
    return redirect("records:house_detail", pk=house.pk)


@login_required
@permission_required("records.add_house", raise_exception=True)
def house_new(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    if request.method == "POST":
        return _save(request, HouseForm(request.POST, station=station))
    initial: dict[str, Any] = {}
    address = address_asked_for(request, station)
    if address is not None:
        initial["address_text"] = address.full_text
    return _render_form(request, HouseForm(station=station, initial=initial))


@login_required
@permission_required("records.change_house", raise_exception=True)
def house_edit(request: HttpRequest, pk: int) -> HttpResponse:
    house: House = record_or_404(_rows(), request.user, pk)
    if request.method == "POST":
        return _save(request, HouseForm(request.POST, station=house.station, house=house))
    return _render_form(request, HouseForm(station=house.station, house=house))
