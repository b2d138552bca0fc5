# ruff: noqa: F811  (fixtures imported from the case tests are used as parameters)
"""Support fixtures: two specialised units of 南岸分局, their members, and requests from both stations.

| fixture        | name   | where                          | role                 |
| -------------- | ------ | ------------------------------ | -------------------- |
| `ma_jun`       | 马骏   | 南岸分局刑侦大队 (`xingzhen`)   | unit member          |
| `lin_feng`     | 林峰   | 南岸分局刑侦大队 (`xingzhen`)   | unit member          |
| `guo_tao`      | 郭涛   | 南岸分局网安大队 (`wangan`)     | unit member          |
| `sun_li`       | 孙立   | A, case team, on duty          | case officer         |

`asked` is a request of 南坪 (张伟 asks 刑侦 for video review of a theft), `asked_b` one of
海棠溪 (王强 asks 刑侦 too). `published` records every live event the services send.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_person
from fengqiao.accounts.models import User
from fengqiao.cases.tests.conftest import case_team_a, sun_li, theft_incident  # noqa: F401  (fixtures)
from fengqiao.core import events
from fengqiao.intake import services as intake_services
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)
from fengqiao.organisation.models import Bureau, Station
from fengqiao.support import services
from fengqiao.support.models import SupportRequest, Unit, UnitMember


@pytest.fixture
def xingzhen(bureau: Bureau) -> Unit:
    """南岸分局刑侦大队: criminal investigation, accepts within 30 minutes."""
    return Unit.objects.create(bureau=bureau, kind=Unit.Kind.CRIMINAL_INVESTIGATION, name="刑侦大队", code="NA-XZ",
                               phone="023-62980110", response_minutes=30)


@pytest.fixture
def wangan(bureau: Bureau) -> Unit:
    """南岸分局网安大队: cyber security, accepts within 60 minutes."""
    return Unit.objects.create(bureau=bureau, kind=Unit.Kind.CYBER, name="网安大队", code="NA-WA", response_minutes=60)


@pytest.fixture
def unit_elsewhere(db: None) -> Unit:
    """A unit of another sub-bureau, which does not serve 南坪."""
    other = Bureau.objects.create(name="渝中分局", code="YZ")
    return Unit.objects.create(bureau=other, kind=Unit.Kind.TRAFFIC, name="渝中交巡警支队", code="YZ-JX")


def make_member(username: str, name: str, unit: Unit, password_hash: str, badge: str) -> User:
    user = make_person(username, name, role="unit", password_hash=password_hash)
    user.first_name = name
    user.save(update_fields=["first_name"])
    UnitMember.objects.create(user=user, unit=unit, name=name, badge_number=badge)
    return user


@pytest.fixture
def ma_jun(roles: None, xingzhen: Unit, password_hash: str) -> User:
    """马骏, detective of 刑侦大队."""
    return make_member("majun", "马骏", xingzhen, password_hash, "040101")


@pytest.fixture
def lin_feng(roles: None, xingzhen: Unit, password_hash: str) -> User:
    """林峰, another detective of 刑侦大队."""
    return make_member("linfeng", "林峰", xingzhen, password_hash, "040102")


@pytest.fixture
def guo_tao(roles: None, wangan: Unit, password_hash: str) -> User:
    """郭涛, of 网安大队 (another unit)."""
    return make_member("guotao", "郭涛", wangan, password_hash, "040201")


@pytest.fixture
def incident_b(station_b: Station, wang_qiang: User) -> Incident:
    """A fight in 海棠溪, taken by 王强."""
    data = intake_services.CallData(source="phone", text="海棠溪正街有人打架", received_at=timezone.now(),
                                    address_text="海棠溪正街1号")
    incident = intake_services.receive_call(station_b, data, user=wang_qiang).incident
    return Incident.objects.for_stations([station_b.pk]).select_related("station").get(pk=incident.pk)


def ask(incident: Incident, user: User, unit: Unit, *, now: dt.datetime | None = None, needed_in: dt.timedelta = dt.timedelta(hours=2),
        **fields: Any) -> SupportRequest:
    """`user` asks `unit` for help with `incident` (video review, two people, in two hours)."""
    now = now or timezone.now()
    values: dict[str, Any] = {
        "need": SupportRequest.Need.VIDEO, "details": "调取南坪西路18号周边监控，查找嫌疑人去向", "people": 2,
        "needed_by": now + needed_in, "place": incident.address_text or "南坪西路18号", "contact": user.officer,
    }
    values.update(fields)
    return services.do_request_support(incident, user=user, unit=unit, now=now, **values)


@pytest.fixture
def asked(theft_incident: Incident, zhang_wei: User, xingzhen: Unit) -> SupportRequest:
    return ask(theft_incident, zhang_wei, xingzhen)


@pytest.fixture
def asked_b(incident_b: Incident, wang_qiang: User, xingzhen: Unit) -> SupportRequest:
    return ask(incident_b, wang_qiang, xingzhen, need=SupportRequest.Need.SCENE, details="斗殴现场勘查", people=3)


def fresh(request: SupportRequest) -> SupportRequest:
    return SupportRequest.objects.for_stations([request.station_id]).select_related("unit", "accepted_by").get(pk=request.pk)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every live event published, as its data (checked by `make_event` like the real thing)."""
    sent: list[dict[str, Any]] = []

    def record(station_id: int, kind: str, **fields: Any) -> None:
        sent.append(events.make_event(station_id, kind, **fields).data)

    monkeypatch.setattr(events, "publish", record)
    return sent
