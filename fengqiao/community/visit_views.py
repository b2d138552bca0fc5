"""Visits (走访): the list with its export, the phone-friendly form, and one visit's page.

The form opens on what is being visited (?address=, ?house=, ?organisation=, ?care=,
?dispute=); without one it asks for the address first, offering the beat's households
longest without a visit. People met are the current residents of the address, by name
(identity numbers are never shown here); showing them is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.services import record_personal_view
from fengqiao.core.exporting import export_response
from fengqiao.core.masking import mask_identifiers_in
from fengqiao.organisation.selectors import officer_for
from fengqiao.records.models import Address, CareSubject, House, Organisation, Resident
from fengqiao.records.selectors import care_subjects_for, scoped

from . import coverage, selectors, services
from .forms import VISIT_ERROR_FIELDS, AddressSearchForm, VisitFilterForm, VisitForm, apply_errors
from .models import Dispute, Visit
from .views import chosen_beat, station_of, visible_or_404

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@dataclass
class Prefill:
    """What the visit is about, from the link that opened the form."""

    params: dict[str, int] = field(default_factory=dict)
    address: Address | None = None
    house: House | None = None
    organisation: Organisation | None = None
    care: CareSubject | None = None
    dispute: Dispute | None = None
    purpose: str = ""


def _prefill(request: HttpRequest, source: Any) -> Prefill:
    """Read ?house= … (or the posted hidden fields); a record the user may not see is 404."""
    user, found = request.user, Prefill()
    station = station_of(request)
    for name in ("address", "house", "organisation", "care", "dispute"):
        value = _int(source.get(name))
        if value is not None:
            found.params[name] = value
    if "house" in found.params:
        found.house = scoped(House, user).filter(station=station, pk=found.params["house"]).select_related("address").first()
        if found.house is None:
            raise Http404
        found.address = found.house.address
    if "organisation" in found.params:
        found.organisation = (scoped(Organisation, user).filter(station=station, pk=found.params["organisation"])
                              .select_related("address").first())
        if found.organisation is None:
            raise Http404
        found.address = found.address or found.organisation.address
        found.purpose = Visit.Purpose.RECORD_CHECK
    if "care" in found.params:
        found.care = (care_subjects_for(user).filter(station=station, pk=found.params["care"])
                      .select_related("resident__address").first())
        if found.care is None:
            raise Http404
        found.address = found.address or found.care.resident.address
        found.purpose = Visit.Purpose.CARE_VISIT
    if "dispute" in found.params:
        found.dispute = scoped(Dispute, user).filter(station=station, pk=found.params["dispute"]).select_related("address").first()
        if found.dispute is None:
            raise Http404
        found.address = found.address or found.dispute.address
        found.purpose = Visit.Purpose.FOLLOW_UP
    if "address" in found.params:
        chosen = scoped(Address, user).filter(station=station, pk=found.params["address"]).first()
        if chosen is None:
            raise Http404
        found.address = chosen
    return found


def _people_at(user: Any, prefill: Prefill) -> list[Resident]:
    """Current residents of the address, and the care subject wherever they live."""
    people: list[Resident] = []
    if prefill.address is not None:
        people = list(scoped(Resident, user).filter(address=prefill.address, merged_into__isnull=True, moved_out_on__isnull=True)
                      .order_by("relation", "name")[:40])
    if prefill.care is not None and all(person.pk != prefill.care.resident_id for person in people):
        people.insert(0, prefill.care.resident)
    return people


def _address_matches(user: Any, station: Any, text: str) -> QuerySet[Address]:
    addresses = scoped(Address, user).filter(station=station)
    for word in text.split():
        addresses = addresses.filter(full_text__contains=word)
    return addresses.select_related("beat").order_by("full_text")[:30]


@login_required
@permission_required("community.add_visit", raise_exception=True)
def visit_new(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    prefill = _prefill(request, request.POST if request.method == "POST" else request.GET)
    if prefill.address is None and not (request.method == "POST" and prefill.params):
        return _choose_address(request, station, prefill)
    people = _people_at(request.user, prefill)
    initial: dict[str, Any] = {**prefill.params, "purpose": prefill.purpose}
    if prefill.address is not None:
        initial["address"] = prefill.address.pk
    if prefill.care is not None:
        initial["residents"] = [prefill.care.resident_id]
    form = VisitForm(request.POST or None, people=people, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                visit = services.log_visit(station, form.data_for_service(), user=request.user)
            except ValidationError as error:
                apply_errors(form, error, aliases=VISIT_ERROR_FIELDS)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("community:visit_detail", pk=visit.pk)
    for person in people:
        record_personal_view(person, fields=["name"], user=request.user, reason="visit form")
    return render(request, "community/visit_form.html", {
        "station": station, "form": form, "prefill": prefill, "people": people,
        "last_visit": _last_visit(request.user, prefill.address),
    }, status=status)


def _last_visit(user: Any, address: Address | None) -> Visit | None:
    if address is None:
        return None
    return (selectors.visits_for(user).filter(address=address).select_related("officer")
            .order_by("-visited_at").first())


def _choose_address(request: HttpRequest, station: Any, prefill: Prefill) -> HttpResponse:
    search = AddressSearchForm(request.GET or None)
    text = search.cleaned_data["q"].strip() if search.is_valid() else ""
    matches = list(_address_matches(request.user, station, text)) if text else []
    beats = list(selectors.beats_for(request.user, station))
    beat_id = selectors.default_beat_id(request.user, beats)
    due: list[coverage.Household] = []
    if beat_id is not None:
        found = selectors.households(request.user, station, beat_id)
        due = coverage.overdue(found, timezone.localdate(), limit=12)
    keep = {name: value for name, value in prefill.params.items() if name != "address"}
    return render(request, "community/visit_address.html", {
        "station": station, "search": search, "text": text, "matches": matches, "due": due, "keep": keep,
        "prefill": prefill,
    })


@login_required
@permission_required("community.view_visit", raise_exception=True)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit: Visit = visible_or_404(
        Visit.objects.select_related("address", "beat", "house", "organisation", "officer", "created_by", "dispute",
                                     "care_subject"), request.user, pk)
    people = list(visit.residents.all().order_by("name"))
    for person in people:
        record_personal_view(person, fields=["name"], user=request.user, reason="visit page")
    # The care registry is narrower than visits: say why only to those who may see it.
    care = None
    if visit.care_subject_id and care_subjects_for(request.user).filter(pk=visit.care_subject_id).exists():
        care = visit.care_subject
    return render(request, "community/visit_detail.html", {
        "visit": visit, "station": visit.station, "people": people, "care": care,
        "earlier": (selectors.visits_for(request.user).filter(address=visit.address).exclude(pk=visit.pk)
                    .select_related("officer").order_by("-visited_at")[:10]),
    })


def filtered_visits(request: HttpRequest, station: Any, beats: list[Any]) -> tuple[VisitFilterForm, QuerySet[Visit]]:
    form = VisitFilterForm(request.GET or None, beats=beats)
    rows = selectors.visits_for(request.user).filter(station=station)
    if form.is_valid():
        data = form.cleaned_data
        if data["beat"]:
            rows = rows.filter(beat_id=int(data["beat"]))
        if data["purpose"]:
            rows = rows.filter(purpose=data["purpose"])
        if data["target"]:
            rows = rows.filter(target=data["target"])
        rows = selectors.visited_between(rows, data["start"], data["end"])
        if data["follow_up"]:
            rows = rows.filter(follow_up_needed=True)
        if data["mine"]:
            rows = rows.filter(officer=officer_for(request.user))
        word = data["q"].strip()
        if word:
            rows = rows.filter(Q(address__full_text__contains=word) | Q(findings__contains=word)
                               | Q(organisation__name__contains=word))
    rows = rows.select_related("address", "beat", "officer", "organisation", "dispute").order_by("-visited_at", "-id")
    return form, rows


@login_required
@permission_required("community.view_visit", raise_exception=True)
def visit_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    beats = list(selectors.beats_for(request.user, station))
    form, rows = filtered_visits(request, station, beats)
    fmt = request.GET.get("export")
    if fmt:
        return _export(request, form, rows, fmt)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "community/visit_list.html", {
        "station": station, "form": form, "page": page, "query": query.urlencode(), "beat": chosen_beat(request, beats),
    })


def _export(request: HttpRequest, form: VisitFilterForm, rows: QuerySet[Visit], fmt: str) -> HttpResponse:
    headers = [_("Visited at"), _("Beat"), _("Address"), _("Visited"), _("Organisation"), _("Purpose"), _("Officer"),
               _("With"), _("People met"), _("Findings"), _("Follow-up needed"), _("What to follow up"), _("Dispute")]
    visits = list(rows.prefetch_related("residents")[:EXPORT_LIMIT])
    table = [
        [visit.visited_at, visit.beat.name if visit.beat else "", visit.address.full_text, visit.get_target_display(),
         visit.organisation.name if visit.organisation else "", visit.get_purpose_display(), visit.officer.name,
         visit.companions, "、".join(person.name for person in visit.residents.all()),
         mask_identifiers_in(visit.findings), _("yes") if visit.follow_up_needed else "",
         mask_identifiers_in(visit.follow_up_note), visit.dispute.number if visit.dispute else ""]
        for visit in visits
    ]
    filters = {key: str(value) for key, value in (form.cleaned_data.items() if form.is_valid() else []) if value}
    return export_response(user=request.user, what="community.visit", headers=headers, rows=table, fmt=fmt,
                           filename="visits", filters=filters)
