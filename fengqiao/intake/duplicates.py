"""Which open incidents a new call may repeat (pure, no Django).

A call repeats an incident when both are of the same category family, the incident was
received within `minutes` of the call, and they are within `metres` of each other — by
position when both have one, else by being at the same standard address. The commander
is shown the suggestions, nearest and most recent first, and merges explicitly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Sighting:
    """What duplicate detection needs to know of a call or an incident."""

    family: str
    received_at: dt.datetime
    latitude: float | None = None
    longitude: float | None = None
    address_id: int | None = None


@dataclass(frozen=True)
class Suggestion:
    incident_id: int
    distance_m: float | None  # None when matched by address only
    minutes_apart: float
    reason: str


def suggest(
    call: Sighting,
    incidents: Iterable[tuple[int, Sighting]],
    *,
    metres: float,
    minutes: float,
) -> list[Suggestion]:
    """The incidents `call` may repeat, nearest (then most recent) first."""
    found: list[Suggestion] = []
    for incident_id, incident in incidents:
        if incident.family != call.family:
            continue
        apart = abs((call.received_at - incident.received_at).total_seconds()) / 60
        if apart > minutes:
            continue
        distance = _distance(call, incident)
        if distance is not None and distance <= metres:
            reason = f"same kind, {distance:.0f} m and {apart:.0f} min apart"
            found.append(Suggestion(incident_id, round(distance, 1), round(apart, 1), reason))
        elif distance is None and call.address_id is not None and call.address_id == incident.address_id:
            reason = f"same kind at the same address, {apart:.0f} min apart"
            found.append(Suggestion(incident_id, None, round(apart, 1), reason))
    found.sort(key=lambda s: (s.distance_m if s.distance_m is not None else 0.0, s.minutes_apart))
    return found


def _distance(a: Sighting, b: Sighting) -> float | None:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return distance_m(a.latitude, a.longitude, b.latitude, b.longitude)
