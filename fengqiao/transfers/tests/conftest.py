"""Transfer fixtures: the city's partner departments, their people, and a noise complaint at 南坪.

| fixture    | name | where                          | role                    |
| ---------- | ---- | ------------------------------ | ----------------------- |
| `xu_lan`   | 徐岚 | 南岸区城市管理局 (urban mgmt.) | department member       |
| `he_jun`   | 贺军 | 南岸区市场监管局 (market reg.) | department member       |

Departments are global rows (organisation.Department); a department user is a User in the
"department" group with a DepartmentMember row and no station.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.core import events
from fengqiao.intake import services as intake
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)
from fengqiao.organisation.models import Department
from fengqiao.transfers import services
from fengqiao.transfers.models import DepartmentMember, Transfer

NOISE_TEXT = "小区广场舞音响太吵，每天晚上十点多还在放"
CALLER_PHONE = "13911112222"


def make_department_user(username: str, name: str, department: Department, *, password_hash: str,
                         title: str = "派单员") -> User:
    user = User.objects.create(username=username, password=password_hash)
    user.groups.add(Group.objects.get(name="department"))
    DepartmentMember.objects.create(user=user, department=department, name=name, title=title)
    return user


@pytest.fixture
def urban_management(db: None) -> Department:
    return Department.objects.create(name="南岸区城市管理局", code="NA-CG", kind=Department.Kind.URBAN_MANAGEMENT,
                                     phone="023-62981234")


@pytest.fixture
def hotline(db: None) -> Department:
    return Department.objects.create(name="12345市民服务热线", code="12345", kind=Department.Kind.HOTLINE)


@pytest.fixture
def market_regulation(db: None) -> Department:
    return Department.objects.create(name="南岸区市场监管局", code="NA-SJ", kind=Department.Kind.MARKET_REGULATION)


@pytest.fixture
def departments(urban_management: Department, hotline: Department, market_regulation: Department) -> list[Department]:
    return [urban_management, hotline, market_regulation]


@pytest.fixture
def xu_lan(roles: None, urban_management: Department, password_hash: str) -> User:
    """徐岚, dispatcher of 南岸区城市管理局: works the transfers sent to urban management."""
    return make_department_user("xulan", "徐岚", urban_management, password_hash=password_hash)


@pytest.fixture
def he_jun(roles: None, market_regulation: Department, password_hash: str) -> User:
    """贺军, of 南岸区市场监管局: another department, sees none of urban management's."""
    return make_department_user("hejun", "贺军", market_regulation, password_hash=password_hash)


@pytest.fixture
def noise_complaint(receive: Any, zhang_wei: User, departments: list[Department]) -> Incident:  # noqa: F811
    """钱女士 calls about square-dance music every night: a non-police matter at 南坪西路18号."""
    receipt = receive(NOISE_TEXT, user=zhang_wei, caller_name="钱女士", caller_phone=CALLER_PHONE,
                      decision=intake.Decision(category="non_police.noise", route="transfer"))
    incident = Incident.objects.for_stations([receipt.call.station_id]).select_related(
        "category", "station", "address").get(pk=receipt.incident.pk)
    assert incident.route == "transfer" and incident.state == "triaged"
    return incident


@pytest.fixture
def transfer_a(noise_complaint: Incident, zhang_wei: User) -> Transfer:
    """The noise complaint, transferred by 张伟 to urban management (the routed department)."""
    return services.do_transfer(noise_complaint, user=zhang_wei, description="请城管到现场处理广场舞噪音")


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The live events the services publish: (kind, ids)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events, "publish", lambda station_id, kind, **ids: seen.append((kind, ids)))
    return seen


def fresh(transfer: Transfer) -> Transfer:
    return Transfer.objects.for_stations([transfer.station_id]).select_related("incident", "department").get(pk=transfer.pk)


def later(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)
