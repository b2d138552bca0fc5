"""Near-repeat alerts: after a burglary (or another repeat-prone crime) the houses around it
run a raised risk for a couple of weeks; the command room is told, on the board and the map.

An incident of one of the station's repeat-prone categories (`AnalysisSettings.repeat_prone`)
that has a position raises one alert (`NearRepeatAlert`): a circle of the station's radius
(200 m by default) around it, from the time it was received for the station's period (14
days by default), with the number of incidents of the same category inside that circle in
the period before it (`earlier`: a second or third one nearby is what makes a series).

It is raised by a hook the intake and dispatch services call (`intake.services.
register_incident_hook`, connected in `AnalysisConfig.ready`), in the same transaction as
the incident — when a call is recorded, when an incident is re-classified into a
repeat-prone category (by hand or at feedback), or when its place is found later — and an
event tells open boards. One alert per incident: saving again changes nothing, and a
re-classification into another repeat-prone category updates the alert instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from fengqiao.core import events
from fengqiao.intake import states
from fengqiao.intake.models import Incident

from . import geo
from .models import DEFAULT_REPEAT_PRONE, AnalysisSettings, NearRepeatAlert

logger = logging.getLogger(__name__)

# Saving only these fields can make an incident raise an alert.
_METRES_PER_DEGREE = 111_320.0
# States in which an incident's alert no longer stands (a false report, a duplicate).
_WITHDRAWN = (states.INVALID, states.MERGED)


def settings_for(station_id: int) -> AnalysisSettings:
    """The station's analysis settings, made with the defaults when first needed."""
    found = AnalysisSettings.objects.for_stations([station_id]).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AnalysisSettings.objects.create(station_id=station_id, repeat_prone=list(DEFAULT_REPEAT_PRONE))
    except IntegrityError:  # made by another writer a moment ago
        return AnalysisSettings.objects.for_stations([station_id]).get()


def is_repeat_prone(category_code: str, settings: AnalysisSettings) -> bool:
    return category_code in (settings.repeat_prone or [])


def earlier_nearby(incident: Incident, *, metres: float, days: int) -> list[int]:
    """Ids of the station's incidents of the same category within `metres` of `incident`
    received in the `days` before it (not merged or invalid, not itself)."""
    if incident.latitude is None or incident.longitude is None:
        return []
    lat, lon = incident.latitude, incident.longitude
    dlat = metres / _METRES_PER_DEGREE
    dlon = dlat / max(0.01, float(np.cos(np.radians(lat))))
    rows = list(
        Incident.objects.for_stations([incident.station_id])
        .filter(category_id=incident.category_id,
                received_at__gte=incident.received_at - dt.timedelta(days=days), received_at__lte=incident.received_at,
                latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon))
        .exclude(pk=incident.pk).exclude(state__in=_WITHDRAWN)
        .values_list("pk", "longitude", "latitude")
    )
    if not rows:
        return []
    origin = geo.Origin(lon, lat)
    xs, ys = geo.project(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]), origin)
    near = np.hypot(xs, ys) <= metres
    return [row[0] for row, inside in zip(rows, near, strict=True) if inside]


def raise_alert(incident: Incident, *, now: dt.datetime | None = None,
                settings: AnalysisSettings | None = None) -> NearRepeatAlert | None:
    """The near-repeat alert of `incident`, raised now if it is due and not raised yet.

    None when the incident has no position or its category is not repeat-prone. Runs in
    the caller's transaction (or its own); the board hears of a new or changed alert once
    that commits."""
    if incident.latitude is None or incident.longitude is None or incident.state in _WITHDRAWN:
        return None
    settings = settings or settings_for(incident.station_id)
    category = incident.category
    if not is_repeat_prone(category.code, settings):
        return None
    now = now or timezone.now()
    with transaction.atomic():
        existing = NearRepeatAlert.objects.for_stations([incident.station_id]).filter(incident=incident).first()
        if existing is not None and existing.category_id == incident.category_id:
            return existing
        earlier = earlier_nearby(incident, metres=settings.near_repeat_metres, days=settings.near_repeat_days)
        values = {
            "category_id": incident.category_id, "beat_id": incident.beat_id,
            "latitude": incident.latitude, "longitude": incident.longitude,
            "radius_metres": settings.near_repeat_metres, "starts_at": incident.received_at,
            "ends_at": incident.received_at + dt.timedelta(days=settings.near_repeat_days), "earlier": len(earlier),
        }
        if existing is not None:  # re-classified from one repeat-prone category into another
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save(update_fields=list(values))
            alert = existing
        else:
            try:
                with transaction.atomic():
                    alert = NearRepeatAlert.objects.create(station_id=incident.station_id, incident=incident,
                                                           created_at=now, **values)
            except IntegrityError:  # raised by another writer a moment ago
                return NearRepeatAlert.objects.for_stations([incident.station_id]).get(incident=incident)
        events.publish(incident.station_id, "incident", incident=incident.pk, state="near_repeat")
    return alert


def on_incident(incident: Incident, created: bool) -> None:
    """An incident was recorded or changed: raise its near-repeat alert when it is due
    (cheap when not: no query unless it has a position)."""
    if incident.latitude is None or incident.longitude is None:
        return
    settings = settings_for(incident.station_id)
    if not is_repeat_prone(incident.category.code, settings):
        return
    if not created and incident.received_at + dt.timedelta(days=settings.near_repeat_days) <= timezone.now():
        return  # an old incident changed again: its alert would be over already
    raise_alert(incident, settings=settings)


def connect() -> None:
    from fengqiao.intake.services import register_incident_hook

    register_incident_hook(on_incident)


# -- reading -------------------------------------------------------------------------------------------


def active_alerts(station_ids: Iterable[int], now: dt.datetime | None = None) -> list[NearRepeatAlert]:
    """The alerts in force at `now` for these stations, newest first: begun, not ended, and
    still standing (the incident not found false or a duplicate, nor re-classified out of
    the alert's category)."""
    now = now or timezone.now()
    rows = (
        NearRepeatAlert.objects.for_stations(list(station_ids))
        .filter(starts_at__lte=now, ends_at__gt=now)
        .exclude(incident__state__in=_WITHDRAWN)
        .select_related("incident", "category", "beat")
        .order_by("-starts_at", "-pk")
    )
    return [alert for alert in rows if alert.incident.category_id == alert.category_id]


def alert_feature(alert: NearRepeatAlert) -> dict[str, Any]:
    """One alert as a GeoJSON point feature (the map draws the circle from `radius_metres`)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [alert.longitude, alert.latitude]},
        "properties": {
            "id": alert.pk, "incident": alert.incident_id, "number": alert.incident.number,
            "category": alert.category.code, "category_name": alert.category.label_zh,
            "beat": alert.beat.name if alert.beat_id else "", "radius_metres": alert.radius_metres,
            "starts_at": alert.starts_at.isoformat(), "ends_at": alert.ends_at.isoformat(), "earlier": alert.earlier,
        },
    }


def alerts_geojson(alerts: Iterable[NearRepeatAlert]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [alert_feature(alert) for alert in alerts]}
