"""The intake page (接警) and its live helpers: suggestion, place, duplicates, addresses.

The page is one form the commander fills from the keyboard while the caller talks. As
the text and the address are typed, `assist` answers with the suggested category,
route and priority (and the words that decided them), the matched standard address and
beat, and open incidents that look like the same event. Saving goes through
`services.receive_call` with the form's one-time key, so a double submit or a retry
after a lost answer records the call once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.organisation.models import Beat, Station
from fengqiao.organisation.selectors import stations_for
from fengqiao.records.models import Address

from . import services
from .forms import CallForm, category_label
from .models import Call, Category, Incident


def station_of(request: HttpRequest) -> Station:
    """The station the page works for: the user's own, or the one chosen among theirs."""
    stations = list(stations_for(request.user))
    if not stations:
        raise PermissionDenied
    chosen = request.GET.get("station") or request.POST.get("station")
    return next((s for s in stations if s.code == chosen), stations[0])


@login_required
@permission_required("intake.add_call", raise_exception=True)
def new_call(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    form = CallForm(request.POST or None, station=station)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            receipt = _receive(request, station, form)
            if receipt is not None:
                incident = receipt.incident
                link = reverse("incidents:detail", args=[incident.pk])
                if receipt.replayed:
                    text = _("This call was already recorded as incident %(number)s.")
                elif receipt.created_incident:
                    text = _("Incident %(number)s recorded.")
                else:
                    text = _("Call recorded and joined to incident %(number)s.")
                messages.success(request, format_html('<a href="{}" data-testid="saved-incident">{}</a>', link,
                                                      text % {"number": incident.number}))
                return redirect(f"{reverse('intake:new_call')}?station={station.code}")
        status = 422
    recent = (
        Call.objects.for_stations([station.pk]).select_related("incident__category").order_by("-received_at", "-id")[:8]
    )
    return render(request, "intake/new_call.html", {
        "form": form, "station": station, "recent": recent, "assist": _assist_context(station, form.data if form.is_bound else {}),
    }, status=status)


def _receive(request: HttpRequest, station: Station, form: CallForm) -> services.Receipt | None:
    data = form.cleaned_data
    call = services.CallData(
        source=data["source"], text=data["text"], received_at=data["received_at"],
        address_text=data["address_text"].strip(), caller_name=data["caller_name"].strip(),
        caller_phone=data["caller_phone"],
    )
    decision = services.Decision(
        category=data["category"] or "", priority=data["priority"], route=data["route"] or "",
        address_id=data["address_id"].pk if data["address_id"] else None, merge_into=data["merge_into"],
    )
    body = {name: str(request.POST.get(name, "")) for name in form.fields if name != "key"}
    try:
        return services.receive_call(
            station, call, user=request.user, decision=decision,
            idempotency_key=f"page:{request.user.pk}:{data['key']}", request_hash=services.body_hash(body),
        )
    except services.IdempotencyConflict:
        form.add_error(None, _("This form was already saved with other contents. Start a new call."))
    except ValidationError as error:
        for field, problems in getattr(error, "message_dict", {"__all__": error.messages}).items():
            form.add_error(field if field in form.fields else None, problems)
    return None


@login_required
@permission_required("intake.add_call", raise_exception=True)
@require_POST
def assist(request: HttpRequest) -> HttpResponse:
    """The right-hand panel: suggestion, place and possible duplicates for what is typed so far."""
    station = station_of(request)
    return render(request, "intake/_assist.html", {"assist": _assist_context(station, request.POST), "station": station})


def _assist_context(station: Station, data: Any) -> dict[str, Any]:
    """What intake would make of the call typed so far (`services.judge_call`, reads only)."""
    text = str(data.get("text", "")).strip()
    address_text = str(data.get("address_text", "")).strip()
    call = services.CallData(source=Call.Source.PHONE, text=text, received_at=timezone.now(), address_text=address_text)
    decision = services.Decision(category=str(data.get("category", "")), address_id=_int(data.get("address_id")))
    try:
        judgement = services.judge_call(station, call, decision)
    except ValidationError:  # a stale or foreign address id: judge the typed text instead
        decision.address_id = None
        judgement = services.judge_call(station, call, decision)
    place = judgement.place
    context: dict[str, Any] = {"text": text, "address_text": address_text, "place": place}
    context["beat"] = Beat.objects.for_stations([station.pk]).filter(pk=place.beat_id).first() if place.beat_id else None
    if not text:
        return context
    suggestion = judgement.suggestion
    chosen = Category.objects.for_stations([station.pk]).filter(code=decision.category or suggestion.category).first()
    found = judgement.possible_duplicates
    incidents = {
        i.pk: i for i in Incident.objects.for_stations([station.pk])
        .filter(pk__in=[s.incident_id for s in found]).select_related("category", "address")
    }
    context.update({
        "suggestion": suggestion, "chosen_category": category_label(chosen) if chosen else "",
        "duplicates": [(s, incidents[s.incident_id]) for s in found if s.incident_id in incidents],
        "merge_into": _int(data.get("merge_into")),
    })
    return context


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@permission_required("intake.view_incident", raise_exception=True)
@require_GET
def address_options(request: HttpRequest) -> HttpResponse:
    """Standard addresses matching what was typed, best first, for the autocomplete list."""
    station = station_of(request)
    query = (request.GET.get("address_text") or request.GET.get("q") or "").strip()
    candidates = services.station_address_index(station.pk).match(query, limit=8) if len(query) >= 2 else []
    beats = dict(
        Address.objects.for_stations([station.pk]).filter(pk__in=[c.address_id for c in candidates])
        .values_list("id", "beat__name")
    )
    options = [{"candidate": c, "beat": beats.get(c.address_id) or ""} for c in candidates]
    return render(request, "intake/_address_options.html", {"options": options, "query": query})
