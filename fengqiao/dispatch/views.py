"""The command board (指挥大屏) and the dispatch panel of one incident.

The board is one page whose live part (`board_live`) is re-fetched whenever the event
stream says something changed; timers run in the browser from the times in the page,
so a deadline turns red the second it passes, between refreshes too. Dispatching,
cancelling and resolving go through the services; the panel is re-rendered with what
happened, or with the refusal in words.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.analysis.nearrepeat import active_alerts
from fengqiao.campaigns.selectors import open_campaigns_for_board
from fengqiao.core.access import get_for_user_or_404
from fengqiao.intake import states
from fengqiao.intake.forms import category_label
from fengqiao.intake.models import Incident
from fengqiao.intake.views import station_of
from fengqiao.organisation.models import Officer
from fengqiao.organisation.selectors import stations_for

from . import loops, selectors, services, wording
from .models import Dispatch
from .phone_views import clean_extra

# -- the board ---------------------------------------------------------------------------------


@login_required
@permission_required("dispatch.view_dispatch", raise_exception=True)
def board(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    beats = [
        {"type": "Feature", "geometry": beat.boundary, "properties": {"id": beat.pk, "name": beat.name}}
        for beat in station.beats.all() if beat.boundary
    ]
    context = _live_context(request, station)
    context.update({
        "stations": list(stations_for(request.user)),
        "beats_geojson": {"type": "FeatureCollection", "features": beats},
        "station_centre": [station.latitude or 29.53, station.longitude or 106.565],
        "may_dispatch": request.user.has_perm("dispatch.add_dispatch"),
    })
    return render(request, "dispatch/board.html", context)


@login_required
@permission_required("dispatch.view_dispatch", raise_exception=True)
def board_live(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    return render(request, "dispatch/_board_live.html", _live_context(request, station))


def _live_context(request: HttpRequest, station: Any) -> dict[str, Any]:
    data = selectors.board([station.pk])
    columns = [
        (name, label, data.columns[name])
        for name, label in (
            ("waiting", _("Waiting for dispatch")), ("dispatched", _("Dispatched, not acknowledged")),
            ("acknowledged", _("Acknowledged, on the way")), ("on_scene", _("On scene")),
        )
    ]
    points = {
        "incidents": [
            {"id": i.pk, "lat": i.latitude, "lon": i.longitude, "state": i.state, "priority": i.priority,
             "label": f"{i.number} {i.category.label_zh}", "due": i.deadline.isoformat() if i.deadline else None}
            for column in data.columns.values() for i in column if i.latitude is not None and i.longitude is not None
        ],
        "officers": [
            {"id": o.pk, "lat": o.latitude, "lon": o.longitude, "status": o.duty_status, "name": o.name,
             "team": o.team.name, "status_label": str(o.get_duty_status_display())}
            for o in data.officers if o.latitude is not None and o.longitude is not None
        ],
    }
    groups = {
        "free": [o for o in data.officers if o.duty_status == Officer.DutyStatus.ON_DUTY],
        "busy": [o for o in data.officers if o.duty_status == Officer.DutyStatus.BUSY],
        "standby": [o for o in data.officers if o.duty_status == Officer.DutyStatus.STANDBY],
    }
    return {
        "station": station, "board": data, "columns": columns, "officer_groups": groups,
        "points": points, "now": timezone.now(), "loops": loops.open_loops([station.pk]),
        "campaigns": (open_campaigns_for_board([station.pk]) if request.user.has_perm("campaigns.view_campaign")
                      else None),
        "near_repeats": (active_alerts([station.pk]) if request.user.has_perm("analysis.view_nearrepeatalert")
                         else None),
    }


# -- one incident's dispatch panel -----------------------------------------------------------------


def _incident(request: HttpRequest, pk: int) -> Incident:
    return get_for_user_or_404(Incident.objects.select_related("category", "station", "beat", "address", "owner"), request.user, pk=pk)


def _panel(request: HttpRequest, incident: Incident, *, message: str = "", error: str = "", status: int = 200) -> HttpResponse:
    incident = _incident(request, incident.pk)
    may_dispatch = request.user.has_perm("dispatch.add_dispatch")
    recommendation = None
    if may_dispatch and states.is_open(incident.state):
        recommendation = wording.recommendation_out(selectors.recommendations(incident))
    orders = selectors.orders_of(incident)
    teams_out = {order.team_kind for order in orders if order.is_active and not order.backup}
    if recommendation is not None:
        for candidate in recommendation["candidates"]:
            candidate["backup"] = candidate["team"] in teams_out
    context = {
        "incident": incident, "orders": orders, "recommendation": recommendation, "may_dispatch": may_dispatch,
        "may_change": request.user.has_perm("dispatch.change_dispatch"),
        "has_active": any(order.is_active for order in orders),
        "can_resolve": states.can_move(incident.state, states.RESOLVED),
        "can_close": states.can_move(incident.state, states.CLOSED) and incident.state == states.RESOLVED,
        "can_reopen": incident.state in (states.RESOLVED, states.CLOSED),
        "officers": list(Officer.objects.for_stations([incident.station_id]).select_related("team")
                         .exclude(rank=Officer.Rank.AUXILIARY).filter(duty_status__in=Officer.ON_DUTY_STATUSES)
                         .order_by("team__kind", "name")) if may_dispatch else [],
        "message": message, "error": error,
    }
    return render(request, "dispatch/_panel.html", context, status=status)


@login_required
@permission_required("dispatch.view_dispatch", raise_exception=True)
def incident_panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, _incident(request, pk))


@login_required
@permission_required("dispatch.view_dispatch", raise_exception=True)
def incident_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The context pack of one incident, fetched once when its panel opens.

    The panel keeps it (hx-preserve) while it is re-rendered after an action or a live
    event, so the people in it are looked up, and their viewing audited, once per opening
    rather than on every refresh of the panel.
    """
    incident = _incident(request, pk)
    pack = selectors.context_pack(incident, user=request.user)
    for earlier in pack.earlier:
        earlier.category_name = category_label(earlier.category)
    pack.extra = clean_extra(pack.extra)
    return render(request, "dispatch/_panel_pack.html", {
        "incident": incident, "pack": pack, "may_open_incidents": request.user.has_perm("intake.view_incident"),
    })


def _run(request: HttpRequest, incident: Incident, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except services.DispatchRefused as refused:
        return _panel(request, incident, error=refused.message, status=409)
    except ValidationError as invalid:
        text = "；".join(" ".join(str(m) for m in messages) for messages in invalid.message_dict.values()) \
            if hasattr(invalid, "message_dict") else " ".join(invalid.messages)
        return _panel(request, incident, error=text, status=422)
    return _panel(request, incident, message=done)


@login_required
@require_POST
def dispatch_officer(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("dispatch.add_dispatch"):
        raise PermissionDenied
    incident = _incident(request, pk)
    try:
        officer_id = int(request.POST.get("officer", ""))
    except ValueError:
        return _panel(request, incident, error=_("Choose an officer."), status=422)
    officer = Officer.objects.for_stations([incident.station_id]).select_related("team").filter(pk=officer_id).first()
    if officer is None:
        return _panel(request, incident, error=_("Choose an officer."), status=422)
    backup = request.POST.get("backup") == "1"

    def send() -> None:
        why = wording.why_for(selectors.recommendations(incident), officer.pk)
        services.do_dispatch(incident, officer, user=request.user, backup=backup, recommendation=why)

    return _run(request, incident, send, _("%(officer)s dispatched.") % {"officer": officer.name})


def command_room_action(view: Any) -> Any:
    """A POST of the command room on one incident's panel: logged in, entitled, the incident
    scoped to the user's stations (404 otherwise) and handed to the view."""

    @login_required
    @require_POST
    @functools.wraps(view)
    def wrapped(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("dispatch.change_dispatch"):
            raise PermissionDenied
        return view(request, _incident(request, pk), **kwargs)

    return wrapped


@command_room_action
def cancel_order(request: HttpRequest, incident: Incident, order_id: int) -> HttpResponse:
    order = get_for_user_or_404(Dispatch.objects.select_related("officer"), request.user, pk=order_id, incident=incident)
    return _run(request, incident, lambda: services.do_cancel(order, user=request.user, reason=request.POST.get("reason", "")),
                _("Order to %(officer)s cancelled.") % {"officer": order.officer.name})


@command_room_action
def resolve(request: HttpRequest, incident: Incident) -> HttpResponse:
    return _run(request, incident, lambda: services.do_resolve(incident, user=request.user, text=request.POST.get("text", "")),
                _("Incident resolved."))


@command_room_action
def close(request: HttpRequest, incident: Incident) -> HttpResponse:
    return _run(request, incident, lambda: services.do_close(incident, user=request.user), _("Incident closed."))


@command_room_action
def reopen(request: HttpRequest, incident: Incident) -> HttpResponse:
    return _run(request, incident, lambda: services.do_reopen(incident, user=request.user, reason=request.POST.get("reason", "")),
                _("Incident reopened."))
