"""Reads about the organisation, scoped to the acting user's stations."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from .models import Beat, BureauMember, Officer, Station, Team

_CACHE_ATTR = "_fengqiao_station_ids"

# Stations change a few times a year; each process keeps them this many seconds, and
# forgets them at once when one is saved here (a signal calls `forget_stations`).
STATION_FRESH_SECONDS = 2.0
_stations: dict[int, tuple[Station, float]] = {}
_stations_lock = threading.Lock()


def forget_stations() -> None:
    with _stations_lock:
        _stations.clear()


def stations_by_id(ids: Iterable[int]) -> list[Station]:
    """The stations with these ids (which the caller has already checked the user may
    see), ordered by id; each a copy of the process's recent reading."""
    wanted = sorted(set(ids))
    now = time.monotonic()
    with _stations_lock:
        known = {pk: hit[0] for pk in wanted if (hit := _stations.get(pk)) and now - hit[1] < STATION_FRESH_SECONDS}
    missing = [pk for pk in wanted if pk not in known]
    if missing:
        fresh = {station.pk: station for station in Station.objects.for_stations(missing)}
        with _stations_lock:
            for pk, station in fresh.items():
                _stations[pk] = (station, now)
        known.update(fresh)
    return [copy.copy(known[pk]) for pk in wanted if pk in known]


def station_ids_for(user: Any) -> frozenset[int]:
    """The ids of the stations whose data `user` may see.

    Administrators see every station; sub-bureau staff the stations of their bureau;
    officers and auxiliaries their own station; everyone else none. Cached on the user
    object for the length of the request.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    ids: frozenset[int]
    if user.is_superuser:
        ids = frozenset(Station.objects.unscoped("administrators see every station").values_list("id", flat=True))
    else:
        ids = frozenset()
        officer = Officer.objects.unscoped("finding the user's own station").filter(user=user).only("station_id").first()
        if officer is not None:
            ids = frozenset({officer.station_id})
        membership = BureauMember.objects.filter(user=user).only("bureau_id").first()
        if membership is not None:
            ids = ids | frozenset(
                Station.objects.unscoped("a bureau sees its stations")
                .filter(bureau_id=membership.bureau_id)
                .values_list("id", flat=True)
            )
    setattr(user, _CACHE_ATTR, ids)
    return ids


def officer_for(user: Any) -> Officer | None:
    """The officer record of a user account, if it has one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Officer.objects.for_user(user).filter(user=user).select_related("station", "team", "beat").first()


def stations_for(user: Any) -> QuerySet[Station]:
    return Station.objects.for_user(user).select_related("bureau")


def beats_of(user: Any, station: Station) -> QuerySet[Beat]:
    return Beat.objects.for_user(user).filter(station=station).select_related("responsible_officer")


def _team_order() -> Case:
    """Teams in the order the station thinks of them: the room, the two teams, the rest."""
    whens = [When(kind=kind, then=Value(index)) for index, kind in enumerate(Team.Kind.values)]
    return Case(*whens, default=Value(len(whens)), output_field=IntegerField())


def teams_with_members(user: Any, station: Station) -> QuerySet[Team]:
    return (
        Team.objects.for_user(user).filter(station=station)
        .order_by(_team_order(), "name").prefetch_related("members")
    )


def on_duty_officers(user: Any, station: Station) -> QuerySet[Officer]:
    return (
        Officer.objects.for_user(user)
        .filter(station=station, duty_status__in=Officer.ON_DUTY_STATUSES)
        .select_related("team", "beat")
        .order_by("-rank", "badge_number")  # police officers before auxiliaries
    )
