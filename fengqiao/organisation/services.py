"""Organisation writes and derived views (the beats map)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fengqiao.audit.services import reveal

from .models import Beat, Officer


def reveal_officer_phone(officer: Officer, *, user: Any, reason: str) -> str:
    """The officer's phone number in full, after the audit row is written."""
    return reveal(
        officer, "phone", user=user, reason=reason,
        permission="organisation.reveal_officer_phone", read=lambda: officer.phone,
    )


def beats_feature_collection(beats: Iterable[Beat]) -> dict[str, Any]:
    """Beats as GeoJSON features with the properties a map label needs."""
    features = []
    for beat in beats:
        if not beat.boundary:
            continue
        officer = beat.responsible_officer
        features.append({
            "type": "Feature",
            "id": beat.pk,
            "geometry": beat.boundary,
            "properties": {
                "id": beat.pk,
                "code": beat.code,
                "name": beat.name,
                "community": beat.community,
                "officer": officer.name if officer else "",
                "officer_on_duty": bool(officer and officer.on_duty),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def officers_feature_collection(officers: Iterable[Officer]) -> dict[str, Any]:
    """Officers with a known position as GeoJSON points, for the duty map."""
    features = []
    for officer in officers:
        if officer.latitude is None or officer.longitude is None:
            continue
        features.append({
            "type": "Feature",
            "id": officer.pk,
            "geometry": {"type": "Point", "coordinates": [officer.longitude, officer.latitude]},
            "properties": {
                "id": officer.pk,
                "name": officer.name,
                "badge_number": officer.badge_number,
                "status": officer.duty_status,
                "status_label": str(officer.get_duty_status_display()),
                "auxiliary": officer.rank == Officer.Rank.AUXILIARY,
            },
        })
    return {"type": "FeatureCollection", "features": features}
