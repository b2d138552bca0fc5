"""Fixtures of the duplicate, merge and context-pack tests (imported by those modules).

| fixture         | what                                                                         |
| --------------- | ---------------------------------------------------------------------------- |
| `home`          | 南坪西路18号3栋2单元501 in beat A (the intake fixtures' first address)         |
| `next_door`     | 南坪西路20号 in beat A                                                        |
| `on_record`     | factory: a resident put on record through `services.save_resident`          |
| `xiuying`       | 王秀英, born 1950, with her identity number and phone, at `home`              |
| `xiuying_again` | 王秀瑛 (a typo), migrant record without a number, same phone, at `home`       |
| `xu_qing`       | 徐青, desk officer of 南坪 (may merge)                                        |
| `far_beat`      | a second beat of 南坪, and `fang_hua`, its community officer                  |
| `their_person`  | 何丽, a resident of 海棠溪 (station B)                                          |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_person
from fengqiao.accounts.models import User
from fengqiao.community.models import Dispute, DisputeParty, MediationStep, Visit
from fengqiao.core.testing import square
from fengqiao.intake.tests.conftest import addresses_a, make_address, receive  # noqa: F401 - fixtures
from fengqiao.organisation.models import Beat, Station, Team
from fengqiao.records import idcard, services
from fengqiao.records.models import Address, CareSubject, Resident

XIUYING_NUMBER = idcard.make("500108", dt.date(1950, 3, 12), 7, "F")
XIUYING_PHONE = "13812345678"


@pytest.fixture
def home(addresses_a: list[Address]) -> Address:  # noqa: F811
    return addresses_a[0]


@pytest.fixture
def next_door(addresses_a: list[Address]) -> Address:  # noqa: F811
    return addresses_a[1]


@pytest.fixture
def on_record() -> Callable[..., Resident]:
    """on_record("李四", home, born=…, sex=…, phone=…, number=…); number="" makes a migrant without one."""
    serial = iter(range(300, 999))

    def make(name: str, address: Address | None, *, station: Station | None = None, born: dt.date = dt.date(1980, 5, 20),
             sex: str = "M", phone: str = "", number: str | None = None,
             relation: str = Resident.Relation.OWNER) -> Resident:
        station_id = station.pk if station is not None else address.station_id  # type: ignore[union-attr]
        if number is None:
            number = idcard.make("500108", born, next(serial), sex)
        registration = Resident.Registration.REGISTERED if number else Resident.Registration.MIGRANT
        return services.save_resident(station_id, services.ResidentData(
            name=name, id_number=number, phone=phone, registration=registration,
            address_id=address.pk if address is not None else None, relation=relation,
        ))

    return make


@pytest.fixture
def xiuying(on_record: Callable[..., Resident], home: Address) -> Resident:
    return on_record("王秀英", home, born=dt.date(1950, 3, 12), sex="F", phone=XIUYING_PHONE, number=XIUYING_NUMBER)


@pytest.fixture
def xiuying_again(on_record: Callable[..., Resident], home: Address) -> Resident:
    """The same woman typed in again at the door: one character of her name wrong, no number."""
    return on_record("王秀瑛", home, phone=XIUYING_PHONE, number="", relation=Resident.Relation.FAMILY)


@pytest.fixture
def desk_team_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.COMMAND, name="南坪内勤")


@pytest.fixture
def xu_qing(roles: None, station_a: Station, desk_team_a: Team, password_hash: str) -> User:
    """徐青, desk officer of 南坪: keeps the records, may merge duplicates."""
    return make_person("xuqing", "徐青", role="desk", station=station_a, team=desk_team_a, badge_number="050501",
                       password_hash=password_hash)


@pytest.fixture
def far_beat(station_a: Station) -> Beat:
    return Beat.objects.create(station=station_a, code="NP-09", name="响水路警务区", community="响水路社区",
                               boundary=square(106.590, 29.540))


@pytest.fixture
def fang_hua(roles: None, station_a: Station, community_team_a: Team, far_beat: Beat, password_hash: str) -> User:
    """方华, community officer of 南坪 for another beat than 刘洋's."""
    user = make_person("fanghua", "方华", role="community_officer", station=station_a, team=community_team_a,
                       beat=far_beat, badge_number="050209", password_hash=password_hash)
    far_beat.responsible_officer = user.officer
    far_beat.save()
    return user


@pytest.fixture
def their_person(on_record: Callable[..., Resident], station_b: Station, beat_b: Beat) -> Resident:
    address = make_address(station_b, beat_b, "海棠溪正街", "9号", "1栋", room="101", latitude=29.552, longitude=106.582)
    return on_record("何丽", address, born=dt.date(1988, 8, 8), sex="F", phone="13544445555")


# -- community records about people ----------------------------------------------------------------


def care_flag(resident: Resident, reason: str, *, officer: Any = None, beat: Beat | None = None) -> CareSubject:
    today = timezone.localdate()
    return CareSubject.objects.create(
        station_id=resident.station_id, resident=resident, reason=reason, beat=beat or resident.beat,
        officer=officer, review_on=today + dt.timedelta(days=30), started_on=today - dt.timedelta(days=100),
    )


def open_dispute(address: Address | None, *, opened_by: User, number: str = "NP-JF-0001", risk: str = Dispute.Risk.MEDIUM,
                 station_id: int | None = None, summary: str = "楼上漏水，双方为赔偿争执") -> Dispute:
    return Dispute.objects.create(
        station_id=station_id or address.station_id,  # type: ignore[union-attr]
        number=number, kind=Dispute.Kind.NEIGHBOUR, risk=risk, summary=summary, address=address,
        beat=address.beat if address else None, opened_at=timezone.now() - dt.timedelta(days=10), opened_by=opened_by,
        follow_up_on=timezone.localdate() + dt.timedelta(days=3),
    )


def party(dispute: Dispute, resident: Resident | None = None, *, name: str = "", phone: str = "") -> DisputeParty:
    return DisputeParty.objects.create(dispute=dispute, resident=resident, name=name, phone=phone)


def mediation(dispute: Dispute, *, by: User, result: str = "当面调解，约定三日内修好") -> MediationStep:
    return MediationStep.objects.create(dispute=dispute, at=timezone.now() - dt.timedelta(days=2),
                                        officer=getattr(by, "officer", None), method=MediationStep.Method.ON_SITE,
                                        result=result, created_by=by)


def visit(address: Address, *, officer_user: User, people: list[Resident] = (), days_ago: int = 5,  # type: ignore[assignment]
          purpose: str = Visit.Purpose.CARE_VISIT, findings: str = "老人独居，身体尚可") -> Visit:
    made = Visit.objects.create(
        station_id=address.station_id, officer=officer_user.officer, visited_at=timezone.now() - dt.timedelta(days=days_ago),
        address=address, beat=address.beat, purpose=purpose, findings=findings, created_by=officer_user,
    )
    if people:
        made.residents.add(*people)
    return made
