"""Case fixtures: the case team of 南坪 and incidents that become cases.

| fixture      | name | where                      | role                      |
| ------------ | ---- | -------------------------- | ------------------------- |
| `sun_li`     | 孙立 | A, case team, on duty      | case officer              |
| `wu_min`     | 吴敏 | A, case team, on duty      | case officer              |
| `zheng_kai`  | 郑凯 | A, case team, off duty     | case officer              |
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_person
from fengqiao.accounts.models import User
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)
from fengqiao.organisation.models import Officer, Station, Team


@pytest.fixture
def case_team_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.CASE, name="南坪办案队")


@pytest.fixture
def sun_li(roles: None, station_a: Station, case_team_a: Team, password_hash: str) -> User:
    """孙立, case officer of 南坪, on duty."""
    return make_person("sunli", "孙立", role="case_officer", station=station_a, team=case_team_a, badge_number="050301",
                       phone="13711112222", duty_status=Officer.DutyStatus.ON_DUTY, password_hash=password_hash)


@pytest.fixture
def wu_min(roles: None, station_a: Station, case_team_a: Team, password_hash: str) -> User:
    """吴敏, case officer of 南坪, on duty."""
    return make_person("wumin", "吴敏", role="case_officer", station=station_a, team=case_team_a, badge_number="050302",
                       duty_status=Officer.DutyStatus.ON_DUTY, password_hash=password_hash)


@pytest.fixture
def zheng_kai(roles: None, station_a: Station, case_team_a: Team, password_hash: str) -> User:
    """郑凯, case officer of 南坪, off duty."""
    return make_person("zhengkai", "郑凯", role="case_officer", station=station_a, team=case_team_a, badge_number="050303",
                       duty_status=Officer.DutyStatus.OFF_DUTY, password_hash=password_hash)


@pytest.fixture
def case_team(sun_li: User, wu_min: User, zheng_kai: User) -> list[User]:
    return [sun_li, wu_min, zheng_kai]


def _incident(receipt: Any) -> Incident:
    return (Incident.objects.for_stations([receipt.call.station_id])
            .select_related("category", "category__family", "station").get(pk=receipt.incident.pk))


@pytest.fixture
def theft_incident(receive: Any, zhang_wei: User) -> Incident:  # noqa: F811
    """A stolen e-bike at 南坪西路18号, reported by phone: a criminal matter."""
    receipt = receive("我的电动车在楼下被偷了，昨晚还在", user=zhang_wei, caller_name="马先生", caller_phone="13987654321")
    incident = _incident(receipt)
    assert incident.category.family.code == "criminal", incident.category.code
    return incident


@pytest.fixture
def fight_incident(receive: Any, zhang_wei: User) -> Incident:  # noqa: F811
    """A fight in a barbecue restaurant: a public-order (administrative) matter."""
    receipt = receive("烧烤店门口有人打架斗殴", user=zhang_wei, address_text="南坪西路20号")
    incident = _incident(receipt)
    assert incident.category.family.code == "public_order", incident.category.code
    return incident
