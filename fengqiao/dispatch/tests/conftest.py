"""Dispatch fixtures: officers of both teams at 南坪 and an incident in beat A."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_person
from fengqiao.accounts.models import User
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)
from fengqiao.organisation.models import Beat, Officer, Station, Team


@pytest.fixture
def case_team_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.CASE, name="办案队")


@pytest.fixture
def standby_team_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.STANDBY, name="备勤组")


@pytest.fixture
def sun_li(roles: None, station_a: Station, case_team_a: Team, password_hash: str) -> User:
    """孙立, case officer of 南坪, on duty, at the station."""
    return make_person(
        "sunli", "孙立", role="case_officer", station=station_a, team=case_team_a, badge_number="050301",
        duty_status=Officer.DutyStatus.ON_DUTY, latitude=29.5300, longitude=106.5600, password_hash=password_hash,
    )


@pytest.fixture
def he_ping(roles: None, station_a: Station, community_team_a: Team, beat_a: Beat, password_hash: str) -> User:
    """何平, a second community officer of 南坪 (no beat of his own), on duty."""
    return make_person(
        "heping", "何平", role="community_officer", station=station_a, team=community_team_a, badge_number="050202",
        duty_status=Officer.DutyStatus.ON_DUTY, password_hash=password_hash,
    )


@pytest.fixture
def noise_incident(receive: Any, zhang_wei: User, liu_yang: User) -> Incident:  # noqa: F811
    """A neighbour dispute in beat A, triaged and waiting for dispatch."""
    receipt = receive("楼上邻居半夜还在装修，吵得睡不着，已经吵起来了", user=zhang_wei)
    incident = Incident.objects.for_stations([receipt.call.station_id]).select_related("category", "station", "beat").get(
        pk=receipt.incident.pk)
    assert incident.route == "community" and incident.beat_id == liu_yang.officer.beat_id
    return incident
