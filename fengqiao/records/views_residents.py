"""Resident pages (实有人口): the list, one person's page, the form, and the reveal.

One record per person: the form refuses an identity number already on record and links
to that record. The person's page writes a personal-view audit row each time it is
opened; the clear identity and phone number come only from `resident_reveal`, with a
reason, after the audit row that says so.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.audit.services import RevealRefused, record_personal_view
from fengqiao.core.masking import mask_phone

from . import filters, selectors, services
from .forms import ResidentFilterForm, ResidentForm
from .models import Resident
from .views import (
    address_asked_for,
    beats_for,
    community_at,
    export_or_none,
    list_context,
    record_or_404,
    seal_number_query,
    show_flags,
    station_of,
    unsealed,
)

# The fields a person's page shows (masked), as its audit row lists them.
SHOWN = ["name", "id_number_masked", "sex", "age", "phone_masked", "registration", "address", "relation",
         "moved_in_on", "moved_out_on", "notes", "care_flags"]


def _rows() -> Any:
    return Resident.objects.select_related("address", "beat", "station")


@login_required
@permission_required("records.view_resident", raise_exception=True)
def resident_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    beats = beats_for(request.user, station)
    sealed = seal_number_query(request)
    if sealed is not None:
        return sealed
    form = ResidentFilterForm(unsealed(request), beats=beats)
    wanted = form.filters()
    rows = filters.resident_rows(request.user, wanted, station_id=station.pk)
    export = export_or_none(request, what="records.resident", filename="residents", rows=rows,
                            table=filters.resident_table, logged=wanted.for_the_log())
    if export is not None:
        return export
    page = filters.page_of(rows, request.GET.get("page"))
    flags = selectors.open_care_flags(request.user, [person.pk for person in page])
    show_flags(page.items, flags, key=lambda person: person.pk)
    for person in page:
        person.age = filters.age_of(person.birth_date)
        person.phone_masked = mask_phone(person.phone)
    return render(request, "records/resident_list.html", {
        "station": station, "page": page, **list_context(request, form, wanted.q),
        "searched": bool(wanted.q.strip()),
    })


@login_required
@permission_required("records.view_resident", raise_exception=True)
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    resident: Resident = record_or_404(_rows(), user, pk)
    if resident.merged_into_id:
        messages.info(request, _("This record was merged into another; here is the record kept."))
        return redirect("records:resident_detail", pk=resident.merged_into_id)
    record_personal_view(resident, fields=SHOWN, user=user)
    flags = list(selectors.care_subjects_for(user).filter(resident=resident).select_related("officer")
                 .order_by("ended_on", "review_on"))
    house = None
    if resident.address_id:
        house = selectors.houses_for(user).filter(address_id=resident.address_id).first()
    disputes: list[Any] = []
    visits: list[Any] = []
    if user.has_perm("community.view_dispute"):
        from fengqiao.community.models import Dispute

        disputes = list(selectors.scoped(Dispute, user).filter(parties__resident=resident).distinct()
                        .order_by("-opened_at")[:10])
    if user.has_perm("community.view_visit"):
        from fengqiao.community.models import Visit

        visits = list(selectors.scoped(Visit, user).filter(residents=resident).select_related("officer")
                      .order_by("-visited_at")[:10])
    return render(request, "records/resident_detail.html", {
        "station": resident.station, "resident": resident, "age": filters.age_of(resident.birth_date),
        "phone_masked": mask_phone(resident.phone), "care_flags": flags, "house": house,
        "disputes": disputes, "visits": visits,
        "may_reveal": user.has_perm(services.REVEAL_PERMISSION),
        "may_change": user.has_perm("records.change_resident"),
        "may_flag": user.has_perm("records.add_caresubject"),
        **({"address_visits": community_at(user, resident.address, limit=3)} if resident.address else {}),
    })


def _render_form(request: HttpRequest, form: ResidentForm, *, status: int = 200) -> HttpResponse:
    return render(request, "records/resident_form.html", {
        "station": form.station, "form": form, "resident": form.resident,
        "retype": status != 200 and form.retyped_numbers(),
    }, status=status)


def _save(request: HttpRequest, form: ResidentForm) -> HttpResponse:
    if not form.is_valid():
        return _render_form(request, form, status=422)
    try:
        resident = services.save_resident(form.station.pk, form.resident_data(), resident=form.resident)
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_form(request, form, status=422)
    if form.resident is None:
        messages.success(request, _("%(name)s is on record.") % {"name": resident.name})
    else:
        messages.success(request, _("The record of %(name)s is changed.") % {"name": resident.name})
    return redirect("records:resident_detail", pk=resident.pk)


@login_required
@permission_required("records.add_resident", raise_exception=True)
def resident_new(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    if request.method == "POST":
        return _save(request, ResidentForm(request.POST, station=station))
    initial: dict[str, Any] = {}
    address = address_asked_for(request, station)
    if address is not None:
        initial["address_text"] = address.full_text
        house = selectors.houses_for(request.user).filter(address=address).first()
        if house is not None and house.tenure == house.Tenure.RENTED:
            initial["relation"] = Resident.Relation.TENANT
            initial["registration"] = Resident.Registration.MIGRANT
    return _render_form(request, ResidentForm(station=station, initial=initial))


@login_required
@permission_required("records.change_resident", raise_exception=True)
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident: Resident = record_or_404(_rows(), request.user, pk)
    if resident.merged_into_id:
        return redirect("records:resident_edit", pk=resident.merged_into_id)
    if request.method == "POST":
        return _save(request, ResidentForm(request.POST, station=resident.station, resident=resident))
    return _render_form(request, ResidentForm(station=resident.station, resident=resident))


@login_required
@require_POST
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The clear identity and phone number in place of the masked ones (htmx), with a reason, audited."""
    resident: Resident = record_or_404(_rows(), request.user, pk)
    wanted = [name for name in request.POST.getlist("fields") if name in services.REVEALABLE] or list(services.REVEALABLE)
    try:
        clear = services.reveal_identifiers(resident, wanted, user=request.user, reason=request.POST.get("reason", ""))
    except RevealRefused as refused:
        if str(refused) == "reason":
            text, status = _("Give the reason for revealing these numbers."), 422
        else:
            text, status = _("Your role may not reveal identity or phone numbers."), 403
        return render(request, "records/_revealed.html", {"error": text, "resident": resident}, status=status)
    return render(request, "records/_revealed.html", {"clear": clear, "resident": resident})
