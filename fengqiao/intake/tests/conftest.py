"""Intake fixtures: standard addresses in beat A of 南坪 and a way to receive a call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.intake import services
from fengqiao.organisation.models import Beat, Station
from fengqiao.records.models import Address


def make_address(station: Station, beat: Beat | None, road: str, number: str, building: str = "", unit: str = "", room: str = "",
                 latitude: float = 29.532, longitude: float = 106.562) -> Address:
    full = Address.compose(district="南岸区", street="南坪街道", road=road, number=number, building=building, unit=unit, room=room)
    return Address.objects.create(
        station=station, beat=beat, code=f"{station.code}-{road}-{number}-{building}{unit}{room}",
        district="南岸区", street="南坪街道", road=road, number=number, building=building, unit=unit, room=room,
        full_text=full, latitude=latitude, longitude=longitude,
    )


@pytest.fixture
def addresses_a(station_a: Station, beat_a: Beat, command_room_a: Any) -> list[Address]:
    """A few standard addresses inside beat A's square (106.560–106.564, 29.530–29.534)."""
    services.forget_station_caches()
    return [
        make_address(station_a, beat_a, "南坪西路", "18号", "3栋", "2单元", "501"),
        make_address(station_a, beat_a, "南坪西路", "20号", latitude=29.5321, longitude=106.5621),
        make_address(station_a, beat_a, "江南大道", "8号", "1栋", latitude=29.5331, longitude=106.5631),
        make_address(station_a, beat_a, "南城大道", "199号", latitude=29.5335, longitude=106.5635),
    ]


@pytest.fixture
def receive(station_a: Station, addresses_a: list[Address]) -> Any:
    """Receive a call at 南坪 with sensible defaults; keyword arguments override them."""

    def receive(text: str = "楼上邻居半夜还在装修，吵得睡不着", *, user: Any = None, decision: services.Decision | None = None,
                key: str = "", body: Any = None, **fields: Any) -> services.Receipt:
        data = services.CallData(
            source=fields.pop("source", "phone"), text=text,
            received_at=fields.pop("received_at", timezone.now() - dt.timedelta(seconds=5)),
            address_text=fields.pop("address_text", "南坪西路18号3栋2单元501"), **fields,
        )
        return services.receive_call(
            station_a, data, user=user, decision=decision, idempotency_key=key,
            request_hash=services.body_hash(body if body is not None else {"text": text}),
        )

    return receive
