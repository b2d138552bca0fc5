"""The records' part of the dispatch context pack: the house, its people, care flags, open
disputes and recent visits of the order's place and callers; masked, scoped and audited."""

# The fixtures come from merge_fixtures by import, and are then named as test parameters.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fengqiao.audit.models import AuditEntry
from fengqiao.community.models import Dispute
from fengqiao.dispatch import services as dispatch_services
from fengqiao.intake.models import Incident
from fengqiao.records.context import records_context
from fengqiao.records.models import Address, CareSubject, House, Resident

from .merge_fixtures import (  # noqa: F401 - fixtures
    XIUYING_NUMBER,
    XIUYING_PHONE,
    addresses_a,
    care_flag,
    fang_hua,
    far_beat,
    home,
    mediation,
    next_door,
    on_record,
    open_dispute,
    party,
    receive,
    visit,
    xiuying,
)

pytestmark = pytest.mark.django_db

CALLER_PHONE = "13700009999"
LANDLORD_PHONE = "13987654321"


@pytest.fixture
def tenant(on_record: Callable[..., Resident], home: Address) -> Resident:
    return on_record("张强", home, born=dt.date(1990, 6, 1), phone="13611112222", relation=Resident.Relation.TENANT)


@pytest.fixture
def caller(on_record: Callable[..., Resident], next_door: Address) -> Resident:
    """李梅, who lives next door and made the call."""
    return on_record("李梅", next_door, born=dt.date(1975, 2, 2), sex="F", phone=CALLER_PHONE)


@pytest.fixture
def house(home: Address) -> House:
    return House.objects.create(station_id=home.station_id, address=home, beat=home.beat, tenure=House.Tenure.RENTED,
                                landlord_name="周建国", landlord_phone=LANDLORD_PHONE,
                                rental_expires_on=dt.date.today() + dt.timedelta(days=100))


@pytest.fixture
def flag(xiuying: Resident, liu_yang: Any) -> CareSubject:
    return care_flag(xiuying, CareSubject.Reason.DEMENTIA, officer=liu_yang.officer)


@pytest.fixture
def incident(receive: Any, zhang_wei: Any, liu_yang: Any) -> Incident:
    """Noise at 南坪西路18号3栋2单元501, reported by 李梅 from next door."""
    receive("南坪西路18号楼上漏水", user=zhang_wei, received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=20))
    receipt = receive("南坪西路18号3栋2单元501半夜吵闹，老人在家", user=zhang_wei, caller_phone=CALLER_PHONE)
    return Incident.objects.for_stations([receipt.incident.station_id]).select_related("category").get(pk=receipt.incident.pk)


@pytest.fixture
def place(incident: Incident, home: Address, house: House, xiuying: Resident, tenant: Resident, caller: Resident,
          flag: CareSubject, li_na: Any, liu_yang: Any, next_door: Address) -> dict[str, Any]:
    """Everything the station knows about the place and its people."""
    assert incident.address_id == home.pk
    here = open_dispute(home, opened_by=li_na, number="NP-JF-0001", risk=Dispute.Risk.HIGH)
    party(here, xiuying)
    party(here, name="楼上住户")
    mediation(here, by=liu_yang)
    with_caller = open_dispute(next_door, opened_by=li_na, number="NP-JF-0002", summary="停车位争执")
    party(with_caller, name="李梅", phone=CALLER_PHONE)
    closed = open_dispute(home, opened_by=li_na, number="NP-JF-0003")
    Dispute.objects.for_stations([home.station_id]).filter(pk=closed.pk).update(outcome=Dispute.Outcome.RESOLVED)
    recent = visit(home, officer_user=liu_yang, people=[xiuying], days_ago=5)
    old = visit(home, officer_user=liu_yang, people=[xiuying], days_ago=120, findings="很久以前")
    return {"here": here, "with_caller": with_caller, "closed": closed, "recent": recent, "old": old}


def pack_of(incident: Incident, user: Any) -> dict[str, Any]:
    entries = records_context(incident, user)
    assert len(entries) == 1 and entries[0]["kind"] == "records"
    return entries[0]["data"]


def viewed(incident: Incident) -> list[str]:
    return sorted(AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL,
                                            reason=f"context pack of incident {incident.number}")
                  .values_list("object_repr", flat=True))


# -- what the pack holds ---------------------------------------------------------------------------


def test_the_house_its_residents_and_the_caller(incident: Incident, place: Any, li_na: Any, xiuying: Resident) -> None:
    data = pack_of(incident, li_na)

    assert data["house"]["rented"] and data["house"]["landlord"] == "周建国 · 139****4321"
    people = {person["name"]: person for person in data["residents"]}
    assert list(people) == ["李梅", "王秀英", "张强"]  # the caller first, then owner before tenant
    assert people["李梅"]["caller"] and people["李梅"]["address"].endswith("南坪西路20号")
    her = people["王秀英"]
    assert her["id_number"] == xiuying.id_number_masked and her["phone"] == "138****5678"
    assert her["age"] >= 75 and "birth_date" not in her
    assert XIUYING_NUMBER not in str(data) and XIUYING_PHONE not in str(data) and CALLER_PHONE not in str(data)


def test_care_flags_show_only_to_leaders_and_the_beat(incident: Incident, place: Any, li_na: Any, liu_yang: Any,
                                                      zhang_wei: Any, fang_hua: Any) -> None:
    def chips(user: Any) -> list[str]:
        data = pack_of(incident, user)
        return [reason for person in data["residents"] for reason in person["care"]] + [f["reason"] for f in data["care"]]

    assert len(chips(li_na)) == 2 and len(chips(liu_yang)) == 2
    assert chips(zhang_wei) == [] and chips(fang_hua) == []


def test_open_disputes_at_the_place_or_with_the_caller(incident: Incident, place: Any, zhang_wei: Any) -> None:
    disputes = pack_of(incident, zhang_wei)["disputes"]

    assert [dispute["number"] for dispute in disputes] == ["NP-JF-0001", "NP-JF-0002"]  # high risk first; closed left out
    here, with_caller = disputes
    assert here["steps"] == 1 and here["last_step"]["result"].startswith("当面调解") and here["parties"] == ["王秀英", "楼上住户"]
    assert with_caller["involves_caller"] and not here["involves_caller"]
    assert here["url"] == f"/community/disputes/{place['here'].pk}/"


def test_visits_of_the_last_90_days(incident: Incident, place: Any, zhang_wei: Any) -> None:
    visits = pack_of(incident, zhang_wei)["visits"]

    assert [visit["id"] for visit in visits] == [place["recent"].pk]
    assert visits[0]["officer"] == "刘洋" and visits[0]["findings"] == "老人独居，身体尚可"


def test_each_opening_writes_one_row_per_person_shown(incident: Incident, place: Any, zhang_wei: Any) -> None:
    pack_of(incident, zhang_wei)

    assert viewed(incident) == ["张强", "李梅", "王秀英"]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, object_repr="王秀英").get()
    assert entry.user == zhang_wei and entry.object_type == "records.resident" and "id_number_masked" in entry.changes["fields"]
    pack_of(incident, zhang_wei)
    assert len(viewed(incident)) == 6


def test_the_pack_works_with_nothing_on_record(incident: Incident, zhang_wei: Any) -> None:
    data = pack_of(incident, zhang_wei)

    assert data["house"] is None and data["residents"] == [] and data["disputes"] == [] and data["visits"] == []
    assert data["callers_unmatched"] and viewed(incident) == []


def test_a_user_without_records_sees_nothing_of_them(incident: Incident, place: Any) -> None:
    assert records_context(incident, None) == []


# -- the board panel and the phone page -----------------------------------------------------------------


def test_the_board_panel_loads_the_pack_once_and_it_renders_masked(client: Client, incident: Incident, place: Any,
                                                                   zhang_wei: Any) -> None:
    client.force_login(zhang_wei)

    panel = client.get(f"/board/incidents/{incident.pk}/").content.decode()
    assert f'hx-get="/board/incidents/{incident.pk}/pack/"' in panel and 'hx-preserve="true"' in panel
    assert viewed(incident) == []  # the panel itself shows nobody

    pack = client.get(f"/board/incidents/{incident.pk}/pack/")
    text = pack.content.decode()
    assert pack.status_code == 200 and 'data-testid="records-pack"' in text
    assert "139****4321" in text and "138****5678" in text and "张强" in text and "NP-JF-0001" in text
    assert 'data-testid="pack-care-chip"' not in text  # a commander is not of the beat
    assert 'data-testid="earlier-incidents"' in text
    assert len(viewed(incident)) == 3


def test_the_officers_phone_page_shows_the_pack_with_care_flags(client: Client, incident: Incident, place: Any,
                                                                zhang_wei: Any, liu_yang: Any) -> None:
    order = dispatch_services.do_dispatch(incident, liu_yang.officer, user=zhang_wei)
    client.force_login(liu_yang)

    page = client.get(f"/m/orders/{order.pk}/")

    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="records-pack"' in text
    assert text.count('data-testid="pack-care-chip"') == 1 and "NP-JF-0002" in text
    assert viewed(incident) == ["张强", "李梅", "王秀英"]


def test_the_pack_of_another_stations_incident_is_404(client: Client, incident: Incident, place: Any, zhao_min: Any) -> None:
    client.force_login(zhao_min)

    assert client.get(f"/board/incidents/{incident.pk}/pack/").status_code == 404
    assert viewed(incident) == []


def test_the_pack_costs_the_same_few_queries_however_many_people(
    client: Client, incident: Incident, place: Any, zhang_wei: Any, on_record: Callable[..., Resident], home: Address,
    li_na: Any, liu_yang: Any,
) -> None:
    client.force_login(zhang_wei)
    client.get(f"/board/incidents/{incident.pk}/pack/")  # warm the per-process caches

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    panel = count(f"/board/incidents/{incident.pk}/")
    few = count(f"/board/incidents/{incident.pk}/pack/")
    for index in range(8):
        person = on_record(f"租客{index}", home, phone=f"1361111{index:04d}", relation=Resident.Relation.TENANT)
        dispute = open_dispute(home, opened_by=li_na, number=f"NP-JF-01{index:02d}")
        party(dispute, person)
        mediation(dispute, by=liu_yang)
    many = count(f"/board/incidents/{incident.pk}/pack/")

    print(f"\nboard panel: {panel} queries; its context pack: {few} queries (3 people), {many} (11 people)")
    assert many == few
    assert few <= 25


def test_a_call_without_a_number_still_shows_the_people_here(receive: Any, zhang_wei: Any, xiuying: Resident,
                                                             tenant: Resident) -> None:
    silent = receive("南坪西路18号3栋2单元501有人呼救", user=zhang_wei).incident

    data = pack_of(silent, zhang_wei)

    assert [person["name"] for person in data["residents"]] == ["王秀英", "张强"]
    assert not any(person["caller"] for person in data["residents"]) and not data["callers_unmatched"]
