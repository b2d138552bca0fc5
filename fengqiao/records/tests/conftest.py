"""Records fixtures: addresses, houses, residents, organisations and care flags at 南坪 and 海棠溪.

| fixture            | what                                                                  |
| ------------------ | --------------------------------------------------------------------- |
| `addresses_a`      | (from intake) four standard addresses in beat A of 南坪                |
| `receive`          | (from intake) receive a call at 南坪                                   |
| `flat_a`           | 南坪西路18号3栋2单元501, beat A                                          |
| `beat_a2`          | a second beat of 南坪 (江南大道), with `flat_a2` in it                    |
| `sun_li`           | 孙丽, community officer of beat A2 (not of beat A)                       |
| `flat_b`           | an address of 海棠溪, beat B                                            |
| `make_resident`    | factory: a resident put on record through `services.save_resident`    |
| `wang_xiuying`     | 王秀英, 1950, registered, at `flat_a`, phone 13812345678                 |
| `house_a`          | the rented house at `flat_a`; landlord 周建国, registration expired      |
| `resident_a2`      | 赵六 at `flat_a2` in beat A2                                            |
| `care_a`           | 王秀英 flagged "elderly, living alone", beat A                            |
| `shop_a`           | 老王副食店 at 南坪西路20号, beat A                                        |
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group

from fengqiao.accounts.models import User
from fengqiao.core.testing import square
from fengqiao.intake.tests.conftest import addresses_a, make_address, receive  # noqa: F401 - fixtures
from fengqiao.organisation.models import Beat, Officer, Station
from fengqiao.records import idcard, services
from fengqiao.records.models import Address, CareSubject, House, Organisation, Resident

NUMBER_A = idcard.make("500108", dt.date(1950, 3, 12), 7, "F")
PHONE_A = "13812345678"
_sequence = itertools.count(100)


@pytest.fixture
def flat_a(addresses_a: list[Address]) -> Address:  # noqa: F811 - the imported fixture
    return addresses_a[0]


@pytest.fixture
def beat_a2(station_a: Station) -> Beat:
    return Beat.objects.create(station=station_a, code="NP-02", name="江南大道警务区", community="江南社区",
                               boundary=square(106.570, 29.530))


@pytest.fixture
def flat_a2(station_a: Station, beat_a2: Beat) -> Address:
    return make_address(station_a, beat_a2, "江南大道", "66号", "2栋", "1单元", "302", latitude=29.532, longitude=106.572)


@pytest.fixture
def flat_b(station_b: Station, beat_b: Beat) -> Address:
    full = Address.compose(district="南岸区", street="海棠溪街道", road="海棠溪正街", number="9号", building="1栋", room="101")
    return Address.objects.create(
        station=station_b, beat=beat_b, code="HTX-海棠溪正街-9号-1栋101", district="南岸区", street="海棠溪街道",
        road="海棠溪正街", number="9号", building="1栋", room="101", full_text=full, latitude=29.552, longitude=106.582,
    )


@pytest.fixture
def sun_li(roles: None, station_a: Station, community_team_a: Any, beat_a2: Beat, password_hash: str) -> User:
    """孙丽, community officer of 南坪 who owns beat A2: a colleague of 刘洋, another beat."""
    user = User.objects.create(username="sunli", password=password_hash)
    user.groups.add(Group.objects.get(name="community_officer"))
    officer = Officer.objects.create(user=user, station=station_a, team=community_team_a, name="孙丽",
                                     badge_number="050202", beat=beat_a2, phone="13700005555")
    beat_a2.responsible_officer = officer
    beat_a2.save()
    return user


@pytest.fixture
def make_resident() -> Callable[..., Resident]:
    """Put a person on record: make_resident("李四", address=flat, born=date(1980, 1, 1), sex="M", phone=…)."""

    def make(name: str, *, address: Address | None = None, born: dt.date = dt.date(1980, 5, 20), sex: str = "M",
             phone: str = "", registration: str = Resident.Registration.REGISTERED,
             relation: str = Resident.Relation.OWNER, number: str | None = None, station: Station | None = None,
             moved_out_on: dt.date | None = None) -> Resident:
        station_id = station.pk if station is not None else address.station_id  # type: ignore[union-attr]
        number = number if number is not None else idcard.make("500108", born, next(_sequence), sex)
        return services.save_resident(station_id, services.ResidentData(
            name=name, id_number=number, phone=phone, registration=registration,
            address_id=address.pk if address is not None else None, relation=relation, moved_out_on=moved_out_on,
        ))

    return make


@pytest.fixture
def wang_xiuying(make_resident: Callable[..., Resident], flat_a: Address) -> Resident:
    return make_resident("王秀英", address=flat_a, born=dt.date(1950, 3, 12), sex="F", phone=PHONE_A, number=NUMBER_A)


@pytest.fixture
def house_a(flat_a: Address, wang_xiuying: Resident) -> House:
    return services.save_house(flat_a.station_id, services.HouseData(
        address_id=flat_a.pk, tenure=House.Tenure.RENTED, landlord_name="周建国", landlord_phone="13987654321",
        rental_registered_on=dt.date(2023, 1, 1), rental_expires_on=dt.date(2024, 1, 1),
    ))


@pytest.fixture
def resident_a2(make_resident: Callable[..., Resident], flat_a2: Address) -> Resident:
    return make_resident("赵六", address=flat_a2, born=dt.date(1970, 1, 1), sex="M", phone="13566667777")


@pytest.fixture
def house_a2(flat_a2: Address, resident_a2: Resident) -> House:
    return services.save_house(flat_a2.station_id, services.HouseData(address_id=flat_a2.pk))


@pytest.fixture
def care_a(wang_xiuying: Resident, liu_yang: User) -> CareSubject:
    return services.save_care_subject(wang_xiuying.station_id, services.CareSubjectData(
        resident_id=wang_xiuying.pk, reason=CareSubject.Reason.ELDERLY_ALONE,
        review_on=dt.date.today() + dt.timedelta(days=30), officer_id=liu_yang.officer.pk,
    ))


@pytest.fixture
def shop_a(addresses_a: list[Address]) -> Organisation:  # noqa: F811 - the imported fixture
    return services.save_organisation(addresses_a[1].station_id, services.OrganisationData(
        name="老王副食店", kind=Organisation.Kind.SHOP, address_id=addresses_a[1].pk, contact_name="王建军",
        contact_phone="13911112222", key_place=False,
    ))
