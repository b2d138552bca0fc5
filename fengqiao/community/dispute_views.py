"""The dispute ledger (矛盾纠纷台账): the list with its export, a new dispute, one dispute's
page with its mediation steps, and the one step from an incident.

Parties who are residents link to their record; their phones are masked; showing a
dispute's resident parties is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.audit.services import record_personal_view
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.exporting import export_response
from fengqiao.core.masking import mask_identifiers_in, mask_phone
from fengqiao.intake.models import Call, Incident
from fengqiao.records.models import Address, Resident
from fengqiao.records.selectors import scoped

from . import selectors, services
from .forms import (
    CloseForm,
    DisputeChangeForm,
    DisputeFilterForm,
    DisputeForm,
    LinkIncidentForm,
    PartyForm,
    PartyFormSet,
    ReasonForm,
    StepForm,
    apply_errors,
)
from .models import Dispute
from .views import chosen_beat, station_of, visible_or_404

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
# Blank party rows on the new-dispute form, after those already known.
EXTRA_PARTIES = 2


def _rows() -> Any:
    return Dispute.objects.select_related("address", "beat", "officer", "opened_by", "station")


def _dispute(request: HttpRequest, pk: int) -> Dispute:
    return visible_or_404(_rows(), request.user, pk)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# -- list and export -----------------------------------------------------------------------------


def filtered_disputes(request: HttpRequest, station: Any, beats: list[Any]) -> tuple[DisputeFilterForm, QuerySet[Dispute]]:
    data = request.GET.copy()
    if "outcome" not in data and not data.get("q"):
        data["outcome"] = DisputeFilterForm.OPEN  # the ledger opens on what is still open
    form = DisputeFilterForm(data, beats=beats)
    rows = selectors.disputes_for(request.user).filter(station=station)
    if form.is_valid():
        wanted = form.cleaned_data
        outcome = wanted["outcome"]
        if outcome == DisputeFilterForm.OPEN:
            rows = rows.filter(outcome=Dispute.Outcome.OPEN)
        elif outcome == DisputeFilterForm.CLOSED:
            rows = rows.exclude(outcome=Dispute.Outcome.OPEN)
        elif outcome:
            rows = rows.filter(outcome=outcome)
        if wanted["risk"]:
            rows = rows.filter(risk=wanted["risk"])
        if wanted["kind"]:
            rows = rows.filter(kind=wanted["kind"])
        if wanted["beat"]:
            rows = rows.filter(beat_id=int(wanted["beat"]))
        if wanted["due"]:
            rows = selectors.follow_ups_due(rows)
        word = wanted["q"].strip()
        if word:
            rows = rows.filter(Q(number__contains=word) | Q(summary__contains=word) | Q(parties__name__contains=word)
                               | Q(parties__resident__name__contains=word) | Q(address__full_text__contains=word)).distinct()
    rows = (rows.select_related("address", "beat", "officer")
            .annotate(party_count=Count("parties", distinct=True), step_count=Count("steps", distinct=True),
                      last_step_at=Max("steps__at"))
            .order_by("-opened_at", "-id"))
    return form, rows


@login_required
@permission_required("community.view_dispute", raise_exception=True)
def dispute_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    beats = list(selectors.beats_for(request.user, station))
    form, rows = filtered_disputes(request, station, beats)
    fmt = request.GET.get("export")
    if fmt:
        return _export(request, form, rows, fmt)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    for dispute in page:
        dispute.due = dispute.follow_up_on is not None and dispute.follow_up_on <= today
    return render(request, "community/dispute_list.html", {
        "station": station, "form": form, "page": page, "query": query.urlencode(), "beat": chosen_beat(request, beats),
    })


def _export(request: HttpRequest, form: DisputeFilterForm, rows: QuerySet[Dispute], fmt: str) -> HttpResponse:
    headers = [_("Number"), _("Opened at"), _("Kind"), _("Risk"), _("Beat"), _("Address"), _("Parties"),
               _("What it is about"), _("Responsible officer"), _("People's mediator"), _("Mediation steps"),
               _("Last step"), _("Follow up on"), _("Outcome"), _("Outcome details"), _("Closed at"), _("Incidents")]
    disputes = list(rows.prefetch_related("parties__resident", "incidents")[:EXPORT_LIMIT])
    table = []
    for dispute in disputes:
        parties = "；".join(
            " ".join(part for part in (party.resident.name if party.resident else party.name, mask_phone(party.phone),
                                       f"({party.role})" if party.role else "") if part)
            for party in dispute.parties.all())
        table.append([
            dispute.number, dispute.opened_at, dispute.get_kind_display(), dispute.get_risk_display(),
            dispute.beat.name if dispute.beat else "", dispute.address.full_text if dispute.address else "", parties,
            mask_identifiers_in(dispute.summary), dispute.officer.name if dispute.officer else "", dispute.mediator,
            dispute.step_count, dispute.last_step_at, dispute.follow_up_on, dispute.get_outcome_display(),
            mask_identifiers_in(dispute.outcome_note), dispute.closed_at,
            " ".join(incident.number for incident in dispute.incidents.all()),
        ])
    filters = {key: str(value) for key, value in (form.cleaned_data.items() if form.is_valid() else []) if value}
    return export_response(user=request.user, what="community.dispute", headers=headers, rows=table, fmt=fmt,
                           filename="disputes", filters=filters)


# -- a new dispute -------------------------------------------------------------------------------


def _prefill(request: HttpRequest, station: Any) -> tuple[dict[str, Any], list[dict[str, Any]], Incident | None, Address | None]:
    """The form's first values from ?incident=, ?address= or ?resident= (404 if not the user's)."""
    user = request.user
    initial: dict[str, Any] = {}
    parties: list[dict[str, Any]] = []
    incident = None
    address = None
    incident_id = _int(request.GET.get("incident"))
    if incident_id is not None:
        if not user.has_perm("intake.view_incident"):
            raise Http404
        incident = get_for_user_or_404(Incident.objects.select_related("category", "beat", "address__beat"), user, pk=incident_id)
        draft = services.draft_from_incident(incident)
        initial.update(kind=draft.kind, risk=draft.risk, summary=draft.summary, address=draft.address_id, beat=draft.beat_id,
                       officer=draft.officer_id or "", follow_up_on=draft.follow_up_on, incident=incident.pk)
        address = incident.address
        # The callers' phones stay on the server: the rows carry the call.
        parties = [{"resident": party.resident_id, "call": party.call_id, "name": party.name, "role": party.role}
                   for party in draft.parties]
    address_id = _int(request.GET.get("address"))
    if address_id is not None:
        address = scoped(Address, user).filter(station=station, pk=address_id).select_related("beat").first()
        if address is None:
            raise Http404
        initial.update(address=address.pk, beat=address.beat_id)
        if address.beat is not None and address.beat.responsible_officer_id:
            initial["officer"] = address.beat.responsible_officer_id
    resident_id = _int(request.GET.get("resident"))
    if resident_id is not None:
        resident = scoped(Resident, user).filter(station=station, pk=resident_id, merged_into__isnull=True).select_related("address").first()
        if resident is None:
            raise Http404
        parties.insert(0, {"resident": resident.pk, "name": resident.name, "role": ""})
        if address is None and resident.address is not None:
            address = resident.address
            initial.update(address=address.pk, beat=address.beat_id)
    return initial, parties, incident, address


def _row_value(form: Any, name: str) -> int | None:
    value = form.data.get(f"{form.prefix}-{name}") if form.is_bound else form.initial.get(name)
    return _int(str(value)) if value not in (None, "") else None


def _calls_of(station: Any, incident: Incident | None) -> dict[int, Call]:
    if incident is None:
        return {}
    return {call.pk: call for call in Call.objects.for_stations([station.pk]).filter(incident=incident)}


def _party_rows(formset: Any, station: Any, calls: dict[int, Call]) -> list[dict[str, Any]]:
    """Each party row with the resident or call it stands for, the phone masked."""
    wanted = {value for form in formset if (value := _row_value(form, "resident")) is not None}
    residents = {resident.pk: resident for resident in Resident.objects.for_stations([station.pk]).filter(pk__in=wanted)}
    rows = []
    for form in formset:
        resident_id, call_id = _row_value(form, "resident"), _row_value(form, "call")
        call = calls.get(call_id) if call_id is not None else None
        rows.append({"form": form, "resident": residents.get(resident_id) if resident_id is not None else None,
                     "call": call, "masked_phone": mask_phone(call.caller_phone) if call is not None else ""})
    return rows


def _posted_parties(formset: Any, calls: dict[int, Call]) -> tuple[list[services.PartyData], list[str]]:
    parties, problems = [], []
    for form in formset:
        if form.cleaned_data.get("DELETE") or form.is_blank():
            continue
        party = form.party()
        if party.call_id is not None:
            call = calls.get(party.call_id)
            if call is None:
                problems.append(_("A caller of another incident cannot be a party here."))
                continue
            party.phone = call.caller_phone
        parties.append(party)
    return parties, problems


@login_required
@permission_required("community.add_dispute", raise_exception=True)
def dispute_new(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    officers = list(selectors.officers_of(station))
    initial, known_parties, incident, address = _prefill(request, station)
    status = 200
    if request.method == "POST":
        form = DisputeForm(request.POST, officers=officers)
        formset = PartyFormSet(request.POST, prefix="party")
        incident = incident or _posted_incident(request, form)
        address = address or _posted_address(request, station, form)
        calls = _calls_of(station, incident)
        status = 422
        if form.is_valid() and formset.is_valid():
            parties, problems = _posted_parties(formset, calls)
            try:
                if problems:
                    raise ValidationError({"parties": problems})
                dispute = services.open_dispute(station, form.data_for_service(parties), user=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Dispute %(number)s entered in the ledger.") % {"number": dispute.number})
                return redirect("community:dispute_detail", pk=dispute.pk)
    else:
        form = DisputeForm(initial=initial, officers=officers)
        formset = PartyFormSet(prefix="party", initial=known_parties + [{}] * EXTRA_PARTIES)
        calls = _calls_of(station, incident)
    rows = _party_rows(formset, station, calls)
    for row in rows:
        if row["resident"] is not None:
            record_personal_view(row["resident"], fields=["name"], user=request.user, reason="dispute form")
    open_one = services.open_dispute_of(incident) if incident is not None else None
    return render(request, "community/dispute_form.html", {
        "station": station, "form": form, "formset": formset, "party_rows": rows, "incident": incident,
        "address": address, "open_one": open_one,
    }, status=status)


def _posted_incident(request: HttpRequest, form: DisputeForm) -> Incident | None:
    value = _int(str(form.data.get("incident") or ""))
    if value is None:
        return None
    return Incident.objects.for_user(request.user).select_related("address").filter(pk=value).first()


def _posted_address(request: HttpRequest, station: Any, form: DisputeForm) -> Address | None:
    value = _int(str(form.data.get("address") or ""))
    if value is None:
        return None
    return scoped(Address, request.user).filter(station=station, pk=value).first()


@login_required
@permission_required("community.add_dispute", raise_exception=True)
@require_POST
def dispute_from_incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """One step: the incident's dispute, opened now or, if one is open already, that one."""
    incident = get_for_user_or_404(Incident.objects.select_related("category", "station"), request.user, pk=incident_id)
    dispute, created = services.open_dispute_from_incident(incident, user=request.user)
    if created:
        messages.success(request, _("Dispute %(number)s opened from incident %(incident)s.")
                         % {"number": dispute.number, "incident": incident.number})
    else:
        messages.info(request, _("Incident %(incident)s already has the open dispute %(number)s.")
                      % {"number": dispute.number, "incident": incident.number})
    return redirect("community:dispute_detail", pk=dispute.pk)


# -- one dispute ---------------------------------------------------------------------------------


def _render_detail(request: HttpRequest, dispute: Dispute, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    officers = list(selectors.officers_of(dispute.station))
    parties = list(dispute.parties.select_related("resident"))
    for party in parties:
        party.masked_phone = mask_phone(party.phone)
        if party.resident_id:
            record_personal_view(party.resident, fields=["name"], user=user, reason=f"dispute {dispute.number}")
    incidents = list(dispute.incidents.select_related("category").order_by("received_at"))
    steps = list(dispute.steps.select_related("officer", "created_by").order_by("at", "id"))
    visits = list(selectors.visits_for(user).filter(dispute=dispute).select_related("officer", "address").order_by("-visited_at"))
    change_form = forms.get("change_form") or DisputeChangeForm(officers=officers, initial={
        "kind": dispute.kind, "risk": dispute.risk, "summary": dispute.summary, "officer": dispute.officer_id or "",
        "mediator": dispute.mediator, "follow_up_on": dispute.follow_up_on})
    today = timezone.localdate()
    return render(request, "community/dispute_detail.html", {
        "dispute": dispute, "station": dispute.station, "parties": parties, "incidents": incidents, "steps": steps,
        "visits": visits, "today": today,
        "due": dispute.follow_up_on is not None and dispute.follow_up_on <= today,
        "step_form": forms.get("step_form") or StepForm(officers=officers, initial={"officer": getattr(getattr(user, "officer", None), "pk", "")}),
        "close_form": forms.get("close_form") or CloseForm(initial={"follow_up_on": today + services.dt.timedelta(days=services.FOLLOW_UP_DAYS)}),
        "reopen_form": forms.get("reopen_form") or ReasonForm(),
        "change_form": change_form,
        "party_form": forms.get("party_form") or PartyForm(prefix="new"),
        "link_form": forms.get("link_form") or LinkIncidentForm(),
        "may_step": user.has_perm("community.add_mediationstep") and dispute.is_open,
        "may_change": user.has_perm("community.change_dispute") and dispute.is_open,
        "may_reopen": services.may_reopen(user) and not dispute.is_open,
        "may_visit": user.has_perm("community.add_visit"),
        "sees_incidents": user.has_perm("intake.view_incident"),
        "open_section": forms.get("open_section", ""),
    }, status=status)


@login_required
@permission_required("community.view_dispute", raise_exception=True)
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _dispute(request, pk))


def _for_change(request: HttpRequest, pk: int, permission: str) -> Dispute:
    """The dispute (404 outside the user's area) if their role may do this (403)."""
    dispute = _dispute(request, pk)
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return dispute


def _refused(request: HttpRequest, dispute: Dispute, refused: services.Refused) -> HttpResponse:
    messages.error(request, refused.message)
    return _render_detail(request, dispute, status=409)


@login_required
@require_POST
def dispute_add_step(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _for_change(request, pk, "community.add_mediationstep")
    form = StepForm(request.POST, officers=list(selectors.officers_of(dispute.station)))
    if form.is_valid():
        try:
            services.add_step(dispute, form.step(), user=request.user)
        except services.Refused as refused:
            return _refused(request, dispute, refused)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Mediation step recorded."))
            return redirect("community:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, status=422, step_form=form, open_section="step")


@login_required
@require_POST
def dispute_close(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _for_change(request, pk, "community.change_dispute")
    form = CloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.close_dispute(dispute, outcome=data["outcome"], note=data.get("outcome_note") or "",
                                   follow_up_on=data.get("follow_up_on"), user=request.user)
        except services.Refused as refused:
            return _refused(request, dispute, refused)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Dispute %(number)s closed.") % {"number": dispute.number})
            return redirect("community:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, status=422, close_form=form, open_section="close")


@login_required
@require_POST
def dispute_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(request, pk)
    if not services.may_reopen(request.user):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_dispute(dispute, reason=form.cleaned_data["reason"], user=request.user)
        except services.Refused as refused:
            return _refused(request, dispute, refused)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Dispute %(number)s reopened.") % {"number": dispute.number})
            return redirect("community:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, status=422, reopen_form=form, open_section="reopen")


@login_required
@require_POST
def dispute_change(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _for_change(request, pk, "community.change_dispute")
    form = DisputeChangeForm(request.POST, officers=list(selectors.officers_of(dispute.station)))
    if form.is_valid():
        try:
            services.change_dispute(dispute, form.change(), user=request.user)
        except services.Refused as refused:
            return _refused(request, dispute, refused)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Dispute %(number)s changed.") % {"number": dispute.number})
            return redirect("community:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, status=422, change_form=form, open_section="change")


@login_required
@require_POST
def dispute_add_party(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _for_change(request, pk, "community.change_dispute")
    form = PartyForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            services.add_party(dispute, form.party(), user=request.user)
        except ValidationError as error:
            apply_errors(form, error, aliases={"parties": "name"})
        else:
            messages.success(request, _("Party added."))
            return redirect("community:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, status=422, party_form=form, open_section="party")


@login_required
@require_POST
def dispute_link_incident(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _for_change(request, pk, "community.change_dispute")
    form = LinkIncidentForm(request.POST)
    if form.is_valid():
        try:
            incident = services.link_incident(dispute, form.cleaned_data["incident"], user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Incident %(number)s linked.") % {"number": incident.number})
            return redirect("community:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, status=422, link_form=form, open_section="link")
