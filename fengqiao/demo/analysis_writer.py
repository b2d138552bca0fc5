"""The demo's near-repeat alerts: the history is written in bulk (no save signals), so the
alerts its recent burglaries and thefts from vehicles would have raised are raised here,
through the analysis app's own function (`nearrepeat.raise_alert`), oldest first."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction

from fengqiao.analysis import nearrepeat
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Station


def write_near_repeat_alerts(station: Station, *, now: dt.datetime) -> Counter[str]:
    """Alerts for the station's repeat-prone incidents received in the last alert period
    (14 days unless the station says otherwise) that have none yet; the rows made, by kind."""
    counts: Counter[str] = Counter()
    settings = nearrepeat.settings_for(station.pk)
    if not settings.repeat_prone:
        return counts
    since = now - dt.timedelta(days=settings.near_repeat_days)
    incidents = (
        Incident.objects.for_stations([station.pk])
        .filter(category__code__in=settings.repeat_prone, received_at__gte=since, received_at__lte=now,
                latitude__isnull=False, longitude__isnull=False, near_repeat_alert__isnull=True)
        .select_related("category").order_by("received_at", "pk")
    )
    with transaction.atomic():
        for incident in incidents:
            if nearrepeat.raise_alert(incident, now=now, settings=settings) is not None:
                counts["near-repeat alerts"] += 1
    return counts
