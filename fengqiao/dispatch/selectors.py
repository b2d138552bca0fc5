"""Dispatch reads, scoped to the stations the reader may see."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from fengqiao.intake import states
from fengqiao.intake.models import Call, Incident, IncidentLog
from fengqiao.organisation.models import Beat, Officer

from . import recommend, steps
from .models import Dispatch, FollowUp, Supervision, Violation
from .services import area_of, station_settings

# -- recommending ------------------------------------------------------------------------------


def officer_views(station_id: int, *, now: dt.datetime | None = None) -> list[recommend.OfficerView]:
    """The station's officers as the recommender sees them."""
    now = now or timezone.now()
    owned: dict[int, set[int]] = {}
    for beat_id, officer_id in Beat.objects.for_stations([station_id]).filter(responsible_officer__isnull=False).values_list(
            "pk", "responsible_officer_id"):
        owned.setdefault(officer_id, set()).add(beat_id)
    open_orders = Counter(Dispatch.objects.for_stations([station_id]).filter(state__in=steps.ACTIVE).values_list("officer_id", flat=True))
    views = []
    for officer in Officer.objects.for_stations([station_id]).select_related("team"):
        beats = set(owned.get(officer.pk, ()))
        if officer.beat_id and officer.team.kind == "community":
            beats.add(officer.beat_id)
        age = (now - officer.position_at).total_seconds() if officer.position_at else None
        views.append(recommend.OfficerView(
            id=officer.pk, name=officer.name, team=officer.team.kind, rank=officer.rank, duty=officer.duty_status,
            beat_ids=frozenset(beats), latitude=officer.latitude, longitude=officer.longitude,
            position_age_s=age, open_orders=open_orders.get(officer.pk, 0),
        ))
    return views


def incident_view(incident: Incident) -> recommend.IncidentView:
    return recommend.IncidentView(
        id=incident.pk, route=incident.route, priority=incident.priority, beat_id=incident.beat_id,
        beat_name=incident.beat.name if incident.beat_id else "", latitude=incident.latitude, longitude=incident.longitude,
    )


def recommendations(incident: Incident) -> recommend.Recommendation:
    settings = station_settings(incident.station_id)
    urban = area_of(incident.station) == "urban"
    return recommend.recommend_officers(
        incident_view(incident), officer_views(incident.station_id),
        recommend.Settings(detour_factor=settings.detour_factor, speed_kmh=settings.speed_kmh if urban else settings.speed_kmh * 1.3),
    )


# -- orders ------------------------------------------------------------------------------------


def orders_of(incident: Incident) -> list[Dispatch]:
    return list(Dispatch.objects.for_stations([incident.station_id]).filter(incident=incident)
                .select_related("officer", "officer__team", "issued_by", "acknowledged_by", "feedback", "feedback__reclassified_to")
                .order_by("issued_at"))


def my_orders(officer: Officer) -> list[Dispatch]:
    """The officer's open orders, most urgent first, then today's finished ones."""
    since = timezone.now() - dt.timedelta(hours=16)
    return list(Dispatch.objects.for_stations([officer.station_id]).filter(officer=officer)
                .filter(Q(state__in=steps.ACTIVE) | Q(issued_at__gte=since))
                .select_related("incident", "incident__category", "incident__beat", "incident__address")
                .order_by(F("reported_at").asc(nulls_first=True), F("alert_at").asc(nulls_last=True), "-issued_at"))


def my_follow_ups(officer: Officer) -> list[FollowUp]:
    return list(FollowUp.objects.for_stations([officer.station_id]).filter(officer=officer, state=FollowUp.State.DUE)
                .select_related("incident", "incident__category").order_by("due_at"))


# -- the context pack --------------------------------------------------------------------------


@dataclass
class ContextPack:
    """What the station knows about the order's place (the records issue adds residents and care flags)."""

    earlier: list[Incident] = field(default_factory=list)
    repeat_callers: int = 0
    open_follow_ups: list[FollowUp] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)


def context_pack(incident: Incident, *, user: Any = None, limit: int = 8) -> ContextPack:
    """Earlier incidents at the same standard address (or within 50 m), repeat callers, open follow-ups,
    and what other apps add as `user` may see it (each provider is called as `provider(incident, user)`)."""
    pack = ContextPack()
    others = Incident.objects.for_stations([incident.station_id]).exclude(pk=incident.pk).select_related("category")
    if incident.address_id:
        nearby = others.filter(address_id=incident.address_id)
    elif incident.latitude is not None and incident.longitude is not None:
        box = 0.0005  # ≈ 50 m
        nearby = others.filter(latitude__range=(incident.latitude - box, incident.latitude + box),
                               longitude__range=(incident.longitude - box, incident.longitude + box))
    else:
        nearby = others.none()
    pack.earlier = list(nearby.order_by("-received_at")[:limit])
    phones = [phone for phone in Call.objects.for_stations([incident.station_id]).filter(incident=incident)
              .exclude(caller_phone="").values_list("caller_phone", flat=True)]
    if phones:
        pack.repeat_callers = (Call.objects.for_stations([incident.station_id]).filter(caller_phone__in=phones)
                               .exclude(incident=incident).count())
    if pack.earlier:
        pack.open_follow_ups = list(FollowUp.objects.for_stations([incident.station_id])
                                    .filter(incident__in=[earlier.pk for earlier in pack.earlier], state=FollowUp.State.DUE)
                                    .select_related("incident", "officer"))
    for provider in CONTEXT_PROVIDERS:
        pack.extra.extend(provider(incident, user))
    return pack


# Other apps (basic records: residents, care flags, disputes) add what they know about a place:
# `provider(incident, user) -> list[dict]`, each dict with "kind", "title" and "text", and
# optionally "template" (rendered with the dict's "data") for more than a line of text.
CONTEXT_PROVIDERS: list[Any] = []


# -- the board ---------------------------------------------------------------------------------


BOARD_COLUMNS = (
    ("waiting", (states.RECEIVED, states.TRIAGED)),
    ("dispatched", (states.DISPATCHED,)),
    ("acknowledged", (states.ACKNOWLEDGED,)),
    ("on_scene", (states.ON_SCENE,)),
)


@dataclass
class Board:
    columns: dict[str, list[Incident]]
    officers: list[Officer]
    counters: dict[str, int]
    breaches: list[Violation]
    follow_ups_due: int
    supervisions_open: int
    now: dt.datetime


def board(station_ids: list[int], *, now: dt.datetime | None = None) -> Board:
    """Everything the command board shows, in a handful of queries."""
    now = now or timezone.now()
    active_orders = Prefetch(
        "dispatches", queryset=Dispatch.objects.for_stations(station_ids).filter(state__in=steps.ACTIVE)
        .select_related("officer").order_by("issued_at"), to_attr="active_orders")
    open_incidents = list(Incident.objects.for_stations(station_ids).filter(state__in=states.OPEN_STATES)
                          .select_related("category", "beat", "owner").prefetch_related(active_orders)
                          .order_by("priority", "received_at"))
    columns: dict[str, list[Incident]] = {name: [] for name, _states in BOARD_COLUMNS}
    for incident in open_incidents:
        for name, column_states in BOARD_COLUMNS:
            if incident.state in column_states:
                columns[name].append(incident)
    officers = list(Officer.objects.for_stations(station_ids).exclude(duty_status__in=[Officer.DutyStatus.OFF_DUTY, Officer.DutyStatus.ON_LEAVE])
                    .exclude(rank=Officer.Rank.AUXILIARY).exclude(team__kind__in=["command", "leadership"])
                    .select_related("team", "beat").order_by("team__kind", "name"))
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = Incident.objects.for_stations(station_ids).filter(received_at__gte=start)
    counters = {
        "received": today.count(),
        "open": len(open_incidents),
        "resolved": today.filter(state__in=[states.RESOLVED, states.CLOSED]).count(),
        "calls": Call.objects.for_stations(station_ids).filter(received_at__gte=start).count(),
        "breaches": Violation.objects.for_stations(station_ids).filter(recorded_at__gte=start, level=Violation.Level.ALERT).count(),
    }
    breaches = list(Violation.objects.for_stations(station_ids).filter(recorded_at__gte=now - dt.timedelta(hours=2))
                    .select_related("incident", "officer")[:10])
    return Board(
        columns=columns, officers=officers, counters=counters, breaches=breaches,
        follow_ups_due=FollowUp.objects.for_stations(station_ids).filter(state=FollowUp.State.DUE, due_at__lte=now).count(),
        supervisions_open=Supervision.objects.for_stations(station_ids).filter(state=Supervision.State.OPEN).count(),
        now=now,
    )


def last_log(incident: Incident) -> IncidentLog | None:
    return IncidentLog.objects.for_stations([incident.station_id]).filter(incident=incident).order_by("-at").first()
