"""The incident list and the incident page: what happened, who said it, what was done.

Every change goes through a service (`do_update_incident`, `do_merge`, …); these views
only read forms, call the service and say what happened. Callers' names are personal
data: showing them writes an audit row, and their phones stay masked unless revealed
with a reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.audit.services import RevealRefused, record_personal_view, reveal
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_phone
from fengqiao.organisation.selectors import beats_of, stations_for

from . import services, states
from .forms import (
    IncidentChangeForm,
    IncidentFilterForm,
    MergeForm,
    NoteForm,
    ReasonForm,
    category_label,
)
from .models import Call, Incident, IncidentLog
from .views import station_of


def _rows() -> Any:
    return Incident.objects.select_related("category__family", "address", "beat", "locked_by", "owner_team")


@login_required
@permission_required("intake.view_incident", raise_exception=True)
def incident_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    beats = list(beats_of(request.user, station).order_by("code"))
    form = IncidentFilterForm(request.GET or None, station=station, beats=beats)
    rows = _rows().for_user(request.user).filter(station=station)
    if form.is_valid():
        data = form.cleaned_data
        wanted = form.states_wanted()
        if wanted:
            rows = rows.filter(state__in=wanted)
        if data["category"]:
            rows = rows.filter(category__code=data["category"])
        if data["priority"]:
            rows = rows.filter(priority=data["priority"])
        if data["route"]:
            rows = rows.filter(route=data["route"])
        if data["beat"]:
            rows = rows.filter(beat_id=data["beat"])
        if data["start"]:
            rows = rows.filter(received_at__date__gte=data["start"])
        if data["end"]:
            rows = rows.filter(received_at__date__lte=data["end"])
        if data["unconfirmed"]:
            rows = rows.filter(place_unconfirmed=True, state__in=states.OPEN_STATES)
        word = data["q"].strip()
        if word:
            rows = rows.filter(Q(number__contains=word) | Q(summary__contains=word) | Q(address_text__contains=word)
                               | Q(address__full_text__contains=word))
    page = Paginator(rows.order_by("-received_at", "-id"), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for incident in page:
        incident.category_name = category_label(incident.category)
        incident.overdue = incident.is_open and incident.deadline is not None and incident.deadline < now
    query = request.GET.copy()
    query.pop("page", None)
    open_count = Incident.objects.for_user(request.user).filter(station=station, state__in=states.OPEN_STATES).count()
    return render(request, "incidents/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "station": station, "open_count": open_count,
        "stations": list(stations_for(request.user)),
    })


@login_required
@permission_required("intake.view_incident", raise_exception=True)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_for_user_or_404(_rows(), request.user, pk=pk)
    return _render_detail(request, incident)


def _render_detail(request: HttpRequest, incident: Incident, *, change_form: IncidentChangeForm | None = None,
                   status: int = 200, **forms: Any) -> HttpResponse:
    station = incident.station
    calls = list(incident.calls.select_related("taken_by").order_by("received_at", "id"))
    for call in calls:
        call.masked_phone = mask_phone(call.caller_phone)
        if call.caller_name or call.caller_phone:
            record_personal_view(call, fields=["caller_name", "caller_phone"], user=request.user)
    log = list(incident.log.select_related("author", "struck_by").order_by("at", "id"))
    holder = services.lock_holder(incident)
    mine = holder is not None and holder.pk == request.user.pk
    may_change = request.user.has_perm("intake.change_incident")
    if change_form is None and mine and incident.is_open:
        change_form = IncidentChangeForm(station=station, initial={
            "category": incident.category.code, "priority": incident.priority, "route": incident.route,
            "address_text": incident.address.full_text if incident.address else incident.address_text,
            "address_id": incident.address_id or "", "tags": " ".join(incident.tags), "summary": incident.summary,
        })
    merged = incident.merged_incidents.all().only("pk", "number")
    return render(request, "incidents/detail.html", {
        "incident": incident, "station": station, "calls": calls, "log": log, "holder": holder,
        "mine": mine, "may_change": may_change and incident.is_open,
        "may_reveal": request.user.has_perm("intake.reveal_caller_phone"),
        "may_note": request.user.has_perm("intake.add_incidentlog"),
        "category_name": category_label(incident.category), "change_form": change_form,
        "merge_form": forms.get("merge_form") or MergeForm(), "invalid_form": forms.get("invalid_form") or ReasonForm(),
        "note_form": forms.get("note_form") or NoteForm(), "merged": merged,
        "overdue": incident.is_open and incident.deadline is not None and incident.deadline < timezone.now(),
        "addresses_url": f"{reverse('intake:addresses')}?station={station.code}",
    }, status=status)


def _incident_for_change(request: HttpRequest, pk: int) -> Incident:
    """The incident among the user's stations (404 otherwise), if their role may change it (403)."""
    incident: Incident = get_for_user_or_404(_rows(), request.user, pk=pk)
    if not request.user.has_perm("intake.change_incident"):
        raise PermissionDenied
    return incident


def _held_message(held: services.LockHeld) -> str:
    incident = held.incident
    return _("%(name)s is editing incident %(number)s until %(time)s.") % {
        "name": incident.locked_by.display_name if incident.locked_by else "?", "number": incident.number,
        "time": timezone.localtime(incident.lock_expires_at).strftime("%H:%M:%S") if incident.lock_expires_at else "",
    }


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(" ".join(str(m) for m in messages_) for messages_ in error.message_dict.values())
    return " ".join(str(m) for m in error.messages)


@login_required
@require_POST
def take_lock(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_for_change(request, pk)
    try:
        services.do_take_lock(incident, user=request.user)
    except services.LockHeld as held:
        messages.error(request, _held_message(held))
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def release_lock(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_for_change(request, pk)
    services.do_release_lock(incident, user=request.user)
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def change(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_for_change(request, pk)
    form = IncidentChangeForm(request.POST, station=incident.station)
    if not form.is_valid():
        return _render_detail(request, incident, change_form=form, status=422)
    try:
        services.do_update_incident(incident, user=request.user, **form.changes())
    except services.LockHeld as held:
        messages.error(request, _held_message(held))
        return redirect("incidents:detail", pk=incident.pk)
    except ValidationError as error:
        form.add_error(None, _error_text(error))
        return _render_detail(request, incident, change_form=form, status=422)
    services.do_release_lock(incident, user=request.user)
    messages.success(request, _("Incident %(number)s changed.") % {"number": incident.number})
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_for_change(request, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["into"].strip()
        target = Incident.objects.for_stations([incident.station_id]).filter(number=number).first()
        if target is None:
            form.add_error("into", _("No incident %(number)s at this station.") % {"number": number})
        else:
            try:
                services.do_merge(incident, into=target, user=request.user, reason=form.cleaned_data["reason"])
            except services.LockHeld as held:
                form.add_error(None, _held_message(held))
            except states.StateError:
                form.add_error(None, _("A %(state)s incident cannot be merged.") % {"state": incident.get_state_display()})
            except ValidationError as error:
                form.add_error("into", _error_text(error))
            else:
                messages.success(request, _("Merged into %(number)s; both calls are kept there.") % {"number": target.number})
                return redirect("incidents:detail", pk=target.pk)
    return _render_detail(request, incident, merge_form=form, status=422)


@login_required
@require_POST
def mark_invalid(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_for_change(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.do_mark_invalid(incident, user=request.user, reason=form.cleaned_data["reason"])
        except services.LockHeld as held:
            form.add_error(None, _held_message(held))
        except states.StateError:
            form.add_error(None, _("A %(state)s incident cannot be marked invalid.") % {"state": incident.get_state_display()})
        except ValidationError as error:
            form.add_error("reason", _error_text(error))
        else:
            messages.success(request, _("Marked invalid; the report is kept and counted."))
            return redirect("incidents:detail", pk=incident.pk)
    return _render_detail(request, incident, invalid_form=form, status=422)


@login_required
@permission_required("intake.add_incidentlog", raise_exception=True)
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_for_user_or_404(_rows(), request.user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_note(incident, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error("text", _error_text(error))
        else:
            return redirect("incidents:detail", pk=incident.pk)
    return _render_detail(request, incident, note_form=form, status=422)


@login_required
@require_POST
def strike(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    incident = get_for_user_or_404(_rows(), request.user, pk=pk)
    entry = IncidentLog.objects.for_stations([incident.station_id]).filter(incident=incident, pk=entry_id).first()
    if entry is None:
        raise Http404
    if entry.author_id != request.user.pk and not request.user.has_perm("intake.change_incident"):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.do_strike_entry(entry, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The entry is struck through; it stays readable."))
    else:
        messages.error(request, _("Give a reason to strike an entry through."))
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, call_id: int) -> HttpResponse:
    """The caller's full number in place of the masked one (htmx); needs the permission and a reason."""
    call = get_for_user_or_404(Call.objects.select_related("incident"), request.user, pk=call_id)
    try:
        phone = reveal(call, "caller_phone", user=request.user, reason=request.POST.get("reason", ""),
                       permission="intake.reveal_caller_phone", read=lambda: call.caller_phone)
    except RevealRefused as refused:
        text = _("Give the reason for revealing this number.") if str(refused) == "reason" else _("Your role may not reveal callers' numbers.")
        return render(request, "incidents/_revealed.html", {"error": text, "call": call})
    return render(request, "incidents/_revealed.html", {"phone": phone, "call": call})
