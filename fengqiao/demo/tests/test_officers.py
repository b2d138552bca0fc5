"""The demo's simulated officers work incidents through the API until they are resolved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_person
from fengqiao.accounts.models import ApiToken
from fengqiao.demo.officers import Crew, CrewOptions
from fengqiao.dispatch.models import Dispatch
from fengqiao.intake import services
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Beat, Officer, Station, Team

from .test_simulate import make_addresses

pytestmark = pytest.mark.django_db(transaction=True)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_crew_dispatches_and_works_an_incident_to_resolution(
    live_server: Any, station_a: Station, beat_a: Beat, community_team_a: Team, zhang_wei: Any, password_hash: str,
) -> None:
    make_addresses(station_a, beat_a)
    officer_user = make_person("501002", "吴刚", role="community_officer", station=station_a, team=community_team_a,
                               badge_number="501002", duty_status=Officer.DutyStatus.ON_DUTY, beat=beat_a,
                               password_hash=password_hash)
    beat_a.responsible_officer = officer_user.officer
    beat_a.save()
    services.forget_station_caches()
    receipt = services.do_receive_call(station_a, services.CallData(
        source="phone", text="邻居家吵架摔东西，声音很大", address_text="南坪西路18号3栋2单元501",
        received_at=timezone.now() - dt.timedelta(seconds=10)), user=zhang_wei)
    clock = FakeClock()
    lines: list[str] = []
    crew = Crew(CrewOptions(url=live_server.url, username=zhang_wei.username, speed=1.0, seed=5, think=(1, 2)),
                write=lines.append, clock=clock)
    try:
        for _ in range(200):
            crew.tick()
            clock.now += 30
            incident = Incident.objects.for_stations([station_a.pk]).get(pk=receipt.incident.pk)
            if incident.state in ("resolved", "closed"):
                break
    finally:
        crew.close()

    order = Dispatch.objects.for_stations([station_a.pk]).get(incident=receipt.incident)
    assert order.officer_id == officer_user.officer.pk
    assert order.state == "reported" and order.acknowledged_at and order.arrived_at
    assert incident.state == "resolved"
    assert any(receipt.incident.number in line for line in lines)
    assert not ApiToken.objects.filter(name="demo live officers", revoked_at=None).exists()
