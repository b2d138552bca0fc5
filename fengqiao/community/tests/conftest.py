"""Community fixtures: households in beat A of 南坪, a second beat the auxiliary may not see,
residents, an incident with callers, a dispute, a visit and a volunteer team.

| fixture        | what                                                                    |
| -------------- | ----------------------------------------------------------------------- |
| `flat_501`     | 南坪西路18号3栋2单元501, a rented flat in beat A, 王秀英 and 李建国 live there |
| `house_20`     | 南坪西路20号, an owner-occupied house in beat A, nobody on record yet      |
| `shop_8`       | 江南大道8号 with 老王超市 (a shop)                                          |
| `beat_a2`      | 南坪东路警务区, a second beat of 南坪 (not 刘洋's)                          |
| `flat_east`    | 南坪东路1号, a household in beat A2                                        |
| `quarrel`      | an incident in beat A (邻里纠纷) with two callers                          |
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.community import services
from fengqiao.community.models import Dispute, Visit, VolunteerTeam
from fengqiao.core.testing import square
from fengqiao.intake import services as intake_services
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import make_address
from fengqiao.organisation.models import Beat, Station
from fengqiao.records import idcard
from fengqiao.records import services as records_services
from fengqiao.records.models import Address, House, Organisation, Resident

WANG_PHONE = "13811112222"
LI_PHONE = "13933334444"


def make_resident(station: Station, name: str, address: Address | None, *, phone: str = "", sequence: int = 1,
                  born: dt.date = dt.date(1956, 4, 2), sex: str = "F") -> Resident:
    return records_services.save_resident(station.pk, records_services.ResidentData(
        name=name, id_number=idcard.make("500108", born, sequence, sex), phone=phone,
        address_id=address.pk if address else None, relation=Resident.Relation.TENANT))


@pytest.fixture
def beat_a2(station_a: Station) -> Beat:
    return Beat.objects.create(station=station_a, code="NP-02", name="南坪东路警务区", community="南坪东路社区",
                               boundary=square(106.570, 29.530))


@pytest.fixture
def flat_501(station_a: Station, beat_a: Beat, command_room_a: Any) -> Address:
    intake_services.forget_station_caches()
    address = make_address(station_a, beat_a, "南坪西路", "18号", "3栋", "2单元", "501")
    House.objects.create(station=station_a, address=address, beat=beat_a, use=House.Use.RESIDENTIAL,
                         tenure=House.Tenure.RENTED)
    return address


@pytest.fixture
def house_20(station_a: Station, beat_a: Beat) -> Address:
    address = make_address(station_a, beat_a, "南坪西路", "20号", latitude=29.5321, longitude=106.5621)
    House.objects.create(station=station_a, address=address, beat=beat_a, use=House.Use.RESIDENTIAL)
    return address


@pytest.fixture
def shop_8(station_a: Station, beat_a: Beat) -> Organisation:
    address = make_address(station_a, beat_a, "江南大道", "8号", latitude=29.5331, longitude=106.5631)
    return Organisation.objects.create(station=station_a, name="老王超市", kind=Organisation.Kind.SHOP, address=address,
                                       beat=beat_a, contact_name="王老板", contact_phone="13500001234")


@pytest.fixture
def flat_east(station_a: Station, beat_a2: Beat) -> Address:
    address = make_address(station_a, beat_a2, "南坪东路", "1号", latitude=29.532, longitude=106.572)
    House.objects.create(station=station_a, address=address, beat=beat_a2, use=House.Use.RESIDENTIAL)
    return address


@pytest.fixture
def wang_xiuying(station_a: Station, flat_501: Address) -> Resident:
    """王秀英, 70, tenant of flat 501; phone 13811112222."""
    return make_resident(station_a, "王秀英", flat_501, phone=WANG_PHONE, sequence=2)


@pytest.fixture
def li_jianguo(station_a: Station, flat_501: Address) -> Resident:
    """李建国, lives in flat 501 too; phone 13933334444."""
    return make_resident(station_a, "李建国", flat_501, phone=LI_PHONE, sequence=3, sex="M", born=dt.date(1960, 8, 9))


@pytest.fixture
def resident_b(station_b: Station) -> Resident:
    return make_resident(station_b, "赵四", None, phone="13700009999", sequence=5, sex="M")


@pytest.fixture
def quarrel(station_a: Station, flat_501: Address, wang_xiuying: Resident, zhang_wei: Any, liu_yang: Any) -> Incident:
    """A neighbour dispute at flat 501, called in twice: by 王秀英 (on record) and by a 张先生 (not)."""
    now = timezone.now()

    def call(text: str, name: str, phone: str, seconds: int) -> intake_services.Receipt:
        data = intake_services.CallData(source="phone", text=text, received_at=now - dt.timedelta(seconds=seconds),
                                        address_text="南坪西路18号3栋2单元501", caller_name=name, caller_phone=phone)
        return intake_services.receive_call(
            station_a, data, user=zhang_wei, decision=intake_services.Decision(category="dispute.neighbour"),
            idempotency_key="", request_hash=intake_services.body_hash({"text": text, "phone": phone}))

    first = call("楼上邻居半夜还在装修，吵得睡不着，已经吵起来了", "王秀英", WANG_PHONE, 60)
    incident = first.incident
    second_data = intake_services.CallData(source="phone", text="楼下老太太又来敲门吵架", received_at=now - dt.timedelta(seconds=30),
                                           address_text="南坪西路18号3栋2单元501", caller_name="张先生", caller_phone="13655556666")
    intake_services.receive_call(station_a, second_data, user=zhang_wei,
                                 decision=intake_services.Decision(merge_into=incident),
                                 idempotency_key="", request_hash=intake_services.body_hash({"text": "2"}))
    return Incident.objects.for_stations([station_a.pk]).select_related("category", "station", "beat", "address").get(pk=incident.pk)


@pytest.fixture
def dispute_a(station_a: Station, flat_501: Address, wang_xiuying: Resident, liu_yang: Any) -> Dispute:
    """An open neighbour dispute at flat 501 with 王秀英 and 孙某 (not on record)."""
    return services.open_dispute(station_a, services.DisputeData(
        kind=Dispute.Kind.NEIGHBOUR, summary="楼上装修噪音，双方多次争吵", risk=Dispute.Risk.MEDIUM, address_id=flat_501.pk,
        parties=[services.PartyData(resident_id=wang_xiuying.pk, role="楼下住户"),
                 services.PartyData(name="孙某", phone="13722223333", role="楼上住户")],
    ), user=liu_yang)


@pytest.fixture
def dispute_east(station_a: Station, flat_east: Address, li_na: Any) -> Dispute:
    """An open dispute in beat A2, which 刘洋's auxiliary may not see."""
    return services.open_dispute(station_a, services.DisputeData(
        kind=Dispute.Kind.DEBT, summary="欠款纠纷", address_id=flat_east.pk,
        parties=[services.PartyData(name="钱某", phone="13811119999")]), user=li_na)


@pytest.fixture
def dispute_b(station_b: Station, zhao_min: Any, resident_b: Resident) -> Dispute:
    return services.open_dispute(station_b, services.DisputeData(
        kind=Dispute.Kind.FAMILY, summary="海棠溪的家庭纠纷", parties=[services.PartyData(resident_id=resident_b.pk)]), user=zhao_min)


@pytest.fixture
def visit_a(station_a: Station, flat_501: Address, wang_xiuying: Resident, liu_yang: Any) -> Visit:
    return services.log_visit(station_a, services.VisitData(
        purpose=Visit.Purpose.ANTI_FRAUD, address_id=flat_501.pk, resident_ids=[wang_xiuying.pk],
        findings="讲解了冒充公检法诈骗的手法"), user=liu_yang)


@pytest.fixture
def visit_east(station_a: Station, flat_east: Address, li_na: Any) -> Visit:
    return services.log_visit(station_a, services.VisitData(purpose=Visit.Purpose.RECORD_CHECK, address_id=flat_east.pk), user=li_na)


@pytest.fixture
def team_a(station_a: Station, beat_a: Beat, liu_yang: Any) -> VolunteerTeam:
    team = services.create_team(station_a, services.TeamData(name="南坪西路红袖标", kind=VolunteerTeam.Kind.RED_ARMBAND,
                                                             beat_id=beat_a.pk, leader_name="周大妈", leader_phone="13899990000"),
                                user=liu_yang)
    services.add_member(team, services.MemberData(name="周大妈", phone="13899990000"), user=liu_yang)
    services.add_member(team, services.MemberData(name="吴师傅"), user=liu_yang)
    return team


@pytest.fixture
def team_east(station_a: Station, beat_a2: Beat, li_na: Any) -> VolunteerTeam:
    return services.create_team(station_a, services.TeamData(name="南坪东路巡逻队", kind=VolunteerTeam.Kind.PATROL, beat_id=beat_a2.pk),
                                user=li_na)


@pytest.fixture
def team_b(station_b: Station, zhao_min: Any) -> VolunteerTeam:
    return services.create_team(station_b, services.TeamData(name="海棠溪巡逻队", kind=VolunteerTeam.Kind.PATROL), user=zhao_min)
