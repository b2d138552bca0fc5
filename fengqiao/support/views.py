"""The station's support pages: the list (the station's, or the sub-bureau's view of all its
stations), one request's page with its timeline and the station's moves, and the part of
an incident's page that shows its requests and asks a unit for help.

Views read the request, call one selector or service and render; the services decide what
is allowed. A request of another station answers 404 (and the attempt is audited). Moves
are posted with htmx and answer with the page's main part (409 with the reason when
refused, 422 when a field is wrong); without htmx they redirect back to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.htmx import answer_move, is_htmx
from fengqiao.intake.models import Incident
from fengqiao.organisation.selectors import officer_for, stations_for

from . import machine, selectors, services
from .forms import STATION_FORMS, RequestFilterForm, RequestForm, RerouteForm, apply_errors
from .models import SupportRequest

PAGE_SIZE = 50
ACTION_LABELS = {
    "reroute": gettext_lazy("Send to another unit"),
    "chase": gettext_lazy("Chase the unit"),
    "cancel": gettext_lazy("Cancel the request"),
}
_DONE = {
    "reroute": lambda: _("Request sent to the other unit."),
    "chase": lambda: _("The unit was chased."),
    "cancel": lambda: _("Request cancelled."),
}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# -- the list ------------------------------------------------------------------------------------------


@login_required
@permission_required("support.view_supportrequest", raise_exception=True)
def request_list(request: HttpRequest) -> HttpResponse:
    """The station's requests; the sub-bureau sees all its stations', overdue ones at the top."""
    user = request.user
    stations = list(stations_for(user))
    if not stations:
        raise PermissionDenied
    units = list(selectors.units_of_bureaus(stations))
    data = request.GET.copy()
    data.setdefault("state", selectors.OPEN)
    form = RequestFilterForm(data, units=units, stations=stations)
    now = timezone.now()
    rows = selectors.request_rows().for_user(user)
    station = None
    if form.is_valid():
        wanted = form.cleaned_data
        station = next((s for s in stations if s.code == wanted["station"]), None)
        if station is not None:
            rows = rows.filter(station=station)
        rows = selectors.filter_requests(rows, state=wanted["state"] or selectors.OPEN, unit=_int(wanted["unit"]),
                                         overdue=wanted["overdue"], now=now)
    else:
        rows = selectors.filter_requests(rows, now=now)
    totals = (SupportRequest.objects.for_stations([s.pk for s in ([station] if station else stations)])
              .aggregate(open=Count("pk", filter=Q(state__in=machine.OPEN)),
                         overdue=Count("pk", filter=Q(state__in=machine.OPEN, due_at__lt=now))))
    page = Paginator(selectors.ordered(rows, now), PAGE_SIZE).get_page(request.GET.get("page"))
    for support in page:
        selectors.decorate(support, now)
    query = data.copy()
    query.pop("page", None)
    return render(request, "support/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "stations": stations, "station": station,
        "show_station": len(stations) > 1, "totals": totals,
        "may_ask": user.has_perm("support.add_supportrequest"),
    })


# -- one request ---------------------------------------------------------------------------------------


def _support(request: HttpRequest, pk: int) -> SupportRequest:
    return get_for_user_or_404(selectors.request_rows(), request.user, pk=pk)


def _detail_context(request: HttpRequest, support: SupportRequest, *, forms: dict[str, Any] | None = None,
                    message: str = "", error: str = "", open_action: str = "") -> dict[str, Any]:
    now = timezone.now()
    selectors.decorate(support, now)
    actions = services.station_actions(support, request.user)
    forms = dict(forms or {})
    for action in actions:
        if action not in forms:
            form_class = STATION_FORMS[action]
            if form_class is RerouteForm:
                forms[action] = RerouteForm(units=list(selectors.units_for(support.station)),
                                            initial={"needed_by": services.default_needed_by(now)
                                                     if support.needed_by <= now else support.needed_by})
            else:
                forms[action] = form_class()
    return {
        "support": support, "station": support.station, "updates": selectors.updates_of(support),
        "actions": [(action, ACTION_LABELS[action], forms[action]) for action in actions],
        "message": message, "error": error, "open_action": open_action,
    }


def _render_detail(request: HttpRequest, support: SupportRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = _detail_context(request, support, **extra)
    template = "support/_main.html" if is_htmx(request) else "support/detail.html"
    return render(request, template, context, status=status)


@login_required
@permission_required("support.view_supportrequest", raise_exception=True)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _support(request, pk))


@login_required
@permission_required("support.view_supportrequest", raise_exception=True)
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the station's moves: re-route a declined request, chase the unit, cancel."""
    support = _support(request, pk)
    if action not in STATION_FORMS:
        raise Http404
    form_class = STATION_FORMS[action]
    form: Any
    if form_class is RerouteForm:
        form = RerouteForm(request.POST, units=list(selectors.units_for(support.station)))
    else:
        form = form_class(request.POST)

    def move(data: dict[str, Any]) -> None:
        if action == "reroute":
            services.do_reroute(support, user=request.user, unit=form.chosen_unit(), needed_by=data.get("needed_by"))
        elif action == "cancel":
            services.do_cancel(support, user=request.user, reason=data["reason"])
        else:
            services.do_chase(support, user=request.user)

    answer = answer_move(request, form, move, refused=services.SupportRefused, done=lambda _none: _DONE[action](),
                         back=reverse("support:detail", args=[support.pk]),
                         page=lambda **answer: _render_detail(request, _support(request, pk), **answer))
    if answer is not None:
        return answer
    return _render_detail(request, support, status=422, forms={action: form}, open_action=action)


# -- the incident's part -------------------------------------------------------------------------------


def _incident(request: HttpRequest, pk: int) -> Incident:
    return get_for_user_or_404(Incident.objects.select_related("station", "station__bureau"), request.user, pk=pk)


def _may_ask(request: HttpRequest, incident: Incident) -> bool:
    return (request.user.has_perm("support.add_supportrequest")
            and incident.state not in services.FINISHED_INCIDENT_STATES)


def _request_form(request: HttpRequest, incident: Incident, data: Any = None) -> RequestForm:
    units = list(selectors.units_for(incident.station))
    contacts = list(selectors.contacts_for(incident.station_id))
    mine = officer_for(request.user)
    initial = {
        "people": 1, "needed_by": services.default_needed_by(), "place": incident.address_text,
        "contact": str(mine.pk) if mine is not None and any(o.pk == mine.pk for o in contacts) else "",
    }
    return RequestForm(data, units=units, contacts=contacts, initial=initial)


def _render_part(request: HttpRequest, incident: Incident, *, form: RequestForm | None = None, status: int = 200,
                 message: str = "", error: str = "") -> HttpResponse:
    now = timezone.now()
    requests = [selectors.decorate(support, now) for support in selectors.requests_of_incident(incident)]
    may_ask = _may_ask(request, incident)
    if may_ask and form is None:
        form = _request_form(request, incident)
    return render(request, "support/_incident_part.html", {
        "incident": incident, "requests": requests, "form": form if may_ask else None, "message": message, "error": error,
        "open_form": status == 422,
    }, status=status)


@login_required
@permission_required("support.view_supportrequest", raise_exception=True)
def incident_part(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """The incident's support requests and the form to ask a unit for help (htmx fragment)."""
    return _render_part(request, _incident(request, incident_pk))


@login_required
@permission_required("support.add_supportrequest", raise_exception=True)
@require_POST
def incident_request(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """Ask a unit for help with this incident."""
    incident = _incident(request, incident_pk)
    form = _request_form(request, incident, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            support = services.do_request_support(
                incident, user=request.user, unit=form.chosen_unit(), need=data["need"], details=data["details"],
                people=data["people"], needed_by=data["needed_by"], place=data["place"], contact=form.chosen_contact(),
            )
        except services.SupportRefused as refused:
            if not is_htmx(request):
                messages.error(request, refused.message)
                return redirect("incidents:detail", pk=incident.pk)
            return _render_part(request, incident, status=409, error=refused.message)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            done = _("Support request %(number)s sent to %(unit)s.") % {"number": support.number, "unit": support.unit.name}
            if not is_htmx(request):
                messages.success(request, done)
                return redirect("support:detail", pk=support.pk)
            return _render_part(request, incident, message=done)
    return _render_part(request, incident, form=form, status=422)
