"""A station's places and categories as the pure call planner (`history.py`) takes them.

Used by the demo builder for the past and by `fengqiao simulate` for the live feed.
Everything is read in a fixed order (by code), so the same data always gives the same
calls, whatever the database ids are.
"""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.intake.services import station_taxonomy
from fengqiao.intake.taxonomy import Category
from fengqiao.organisation.models import Beat, Station
from fengqiao.records.models import Address

from .history import MARKET_COMMUNITIES, AddressInfo, BeatInfo, StationInfo, calls_per_day_for


@dataclass(frozen=True)
class StationPicture:
    """One station as the planner sees it."""

    station: StationInfo
    beats: tuple[BeatInfo, ...]
    addresses: tuple[AddressInfo, ...]
    categories: tuple[Category, ...]


def station_picture(station: Station) -> StationPicture:
    """The station's beats, standard addresses (with a beat and a position) and active categories."""
    beats = tuple(
        BeatInfo(station_code=station.code, code=code, community=community,
                 market=community in MARKET_COMMUNITIES)
        for code, community in Beat.objects.for_stations([station.pk]).order_by("code").values_list("code", "community")
    )
    rows = (
        Address.objects.for_stations([station.pk])
        .exclude(beat=None).exclude(latitude=None).exclude(longitude=None)
        .order_by("code")
        .values_list("id", "beat__code", "road", "number", "building", "unit", "room", "longitude", "latitude")
    )
    addresses = tuple(
        AddressInfo(
            id=pk, station_code=station.code, beat_code=beat_code, road=road, number=number,
            building=building, unit=unit, room=room, longitude=longitude, latitude=latitude,
        )
        for pk, beat_code, road, number, building, unit, room, longitude, latitude in rows.iterator(chunk_size=5000)
    )
    return StationPicture(
        station=StationInfo(code=station.code, calls_per_day=calls_per_day_for(station.population)),
        beats=beats,
        addresses=addresses,
        categories=station_taxonomy(station.pk).categories,
    )
