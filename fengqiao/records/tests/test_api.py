"""The records API: masked answers, audited searches and looks, fields named in every refusal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fengqiao.audit.models import AuditEntry
from fengqiao.records import idcard
from fengqiao.records.models import Address, CareSubject, House, Organisation, Resident

from .conftest import NUMBER_A

pytestmark = pytest.mark.django_db

MASKED_A = NUMBER_A[:6] + "********" + NUMBER_A[-4:]


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


# -- residents ------------------------------------------------------------------------------------------


def test_the_resident_list_is_masked(client: Client, li_na: Any, wang_xiuying: Resident) -> None:
    client.force_login(li_na)
    answer = client.get("/api/v1/residents").json()
    (person,) = answer["items"]
    assert person["id_number_masked"] == MASKED_A and person["phone_masked"] == "138****5678"
    assert person["age"] is not None and "birth_date" not in person
    assert (answer["page"], answer["page_size"], answer["has_next"]) == (1, 50, False)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED).exists()


def test_a_query_is_an_audited_search_with_the_number_masked(client: Client, li_na: Any, wang_xiuying: Resident,
                                                              make_resident: Callable[..., Resident],
                                                              flat_a: Address) -> None:
    make_resident("李四", address=flat_a)
    client.force_login(li_na)
    answer = client.get("/api/v1/residents", {"q": NUMBER_A}).json()
    assert [person["name"] for person in answer["items"]] == ["王秀英"]
    (row,) = AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED)
    assert (row.user, row.reason) == (li_na, MASKED_A)


def test_the_list_filters_by_beat_and_pages(client: Client, li_na: Any, make_resident: Callable[..., Resident],
                                            flat_a: Address, flat_a2: Address, beat_a2: Any) -> None:
    for index in range(51):
        make_resident(f"住户{index:02d}", address=flat_a)
    make_resident("赵六", address=flat_a2)
    client.force_login(li_na)
    assert [p["name"] for p in client.get("/api/v1/residents", {"beat": beat_a2.pk}).json()["items"]] == ["赵六"]
    first = client.get("/api/v1/residents").json()
    second = client.get("/api/v1/residents", {"page": 2}).json()
    assert (len(first["items"]), first["has_next"], len(second["items"]), second["has_next"]) == (50, True, 2, False)


def test_one_resident_comes_with_care_flags_and_house_and_the_look_is_audited(
        client: Client, liu_yang: Any, wang_xiuying: Resident, care_a: CareSubject, house_a: House) -> None:
    client.force_login(liu_yang)
    answer = client.get(f"/api/v1/residents/{wang_xiuying.pk}").json()
    assert answer["care_flags"] == ["elderly_alone"] and answer["care"][0]["officer"] == "刘洋"
    assert answer["house"] == {"id": house_a.pk, "tenure": "rented", "use": "residential",
                               "rental_expires_on": "2024-01-01"}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, user=liu_yang,
                                     object_id=str(wang_xiuying.pk), object_type="records.resident").count() == 1


def test_an_officer_of_another_beat_gets_no_care_flags(client: Client, sun_li: Any, wang_xiuying: Resident,
                                                       care_a: CareSubject) -> None:
    client.force_login(sun_li)
    answer = client.get(f"/api/v1/residents/{wang_xiuying.pk}").json()
    assert answer["care_flags"] == [] and answer["care"] == []
    listed = client.get("/api/v1/residents").json()["items"]
    assert [person["care_flags"] for person in listed] == [[]]


def test_a_resident_is_created_and_a_duplicate_refused_naming_the_record(client: Client, liu_yang: Any,
                                                                         wang_xiuying: Resident, flat_a: Address) -> None:
    client.force_login(liu_yang)
    number = idcard.make("500108", dt.date(1990, 2, 2), 33, "M")
    created = post(client, "/api/v1/residents", {"name": "周强", "id_number": number, "phone": "13712345678",
                                                 "address_id": flat_a.pk, "relation": "tenant", "registration": "migrant"})
    assert created.status_code == 201
    body = created.json()
    assert body["id_number_masked"] == number[:6] + "********" + number[-4:] and body["sex"] == "M"
    assert body["beat_id"] == flat_a.beat_id
    duplicate = post(client, "/api/v1/residents", {"name": "王秀英", "id_number": NUMBER_A})
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"].startswith("id_number") and "王秀英" in duplicate.json()["detail"]


def test_a_bad_check_digit_is_422_naming_the_field(client: Client, liu_yang: Any) -> None:
    client.force_login(liu_yang)
    good = idcard.make("500108", dt.date(1990, 2, 2), 33, "M")
    response = post(client, "/api/v1/residents", {"name": "周强", "id_number": good[:-1] + ("1" if good[-1] == "0" else "0")})
    assert response.status_code == 422 and response.json()["detail"].startswith("id_number")
    assert good[:-1] not in response.content.decode()


def test_an_address_of_another_station_is_422_naming_the_field(client: Client, liu_yang: Any, flat_b: Address) -> None:
    client.force_login(liu_yang)
    number = idcard.make("500108", dt.date(1990, 2, 2), 33, "M")
    response = post(client, "/api/v1/residents", {"name": "周强", "id_number": number, "address_id": flat_b.pk})
    assert response.status_code == 422 and response.json()["detail"].startswith("address")


def test_an_auxiliary_may_not_create(client: Client, chen_chen: Any) -> None:
    client.force_login(chen_chen)
    assert post(client, "/api/v1/residents", {"name": "周强", "registration": "migrant"}).status_code == 403


def test_patch_changes_only_what_is_given(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    response = patch(client, f"/api/v1/residents/{wang_xiuying.pk}", {"notes": "女儿每周来一次", "phone": "13600001111"})
    assert response.status_code == 200 and response.json()["phone_masked"] == "136****1111"
    wang_xiuying.refresh_from_db()
    assert (wang_xiuying.notes, wang_xiuying.id_number_masked, wang_xiuying.address_id is not None) == (
        "女儿每周来一次", MASKED_A, True)
    bad = patch(client, f"/api/v1/residents/{wang_xiuying.pk}", {"moved_out_on": "1990-01-01", "moved_in_on": "2000-01-01"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("moved_out_on")


# -- houses, organisations, care ---------------------------------------------------------------------------


def test_the_house_list_and_a_house_with_its_residents_masked(client: Client, liu_yang: Any, house_a: House,
                                                              wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    (listed,) = client.get("/api/v1/houses", {"tenure": "rented"}).json()["items"]
    assert (listed["landlord_phone_masked"], listed["rental_expired"], listed["resident_count"]) == ("139****4321", True, 1)
    detail = client.get(f"/api/v1/houses/{house_a.pk}").json()
    assert [(p["name"], p["id_number_masked"]) for p in detail["residents"]] == [("王秀英", MASKED_A)]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, object_type="records.house").count() == 1


def test_a_house_is_created_and_a_second_one_at_the_address_refused(client: Client, liu_yang: Any,
                                                                    addresses_a: list[Address]) -> None:
    client.force_login(liu_yang)
    body = {"address_id": addresses_a[3].pk, "tenure": "rented", "landlord_name": "陈东", "landlord_phone": "13800001111"}
    created = post(client, "/api/v1/houses", body)
    assert created.status_code == 201 and created.json()["landlord_phone_masked"] == "138****1111"
    again = post(client, "/api/v1/houses", body)
    assert again.status_code == 422 and again.json()["detail"].startswith("address")


def test_organisations_are_listed_created_and_refused_by_field(client: Client, liu_yang: Any, shop_a: Organisation,
                                                              addresses_a: list[Address]) -> None:
    client.force_login(liu_yang)
    (listed,) = client.get("/api/v1/organisations").json()["items"]
    assert (listed["name"], listed["contact_phone_masked"]) == ("老王副食店", "139****2222")
    created = post(client, "/api/v1/organisations", {"name": "南坪网吧", "kind": "entertainment", "key_place": True,
                                                     "address_id": addresses_a[2].pk, "contact_phone": "13855556666"})
    assert created.status_code == 201 and created.json()["contact_phone_masked"] == "138****6666"
    assert [o["name"] for o in client.get("/api/v1/organisations", {"key_place": True}).json()["items"]] == ["南坪网吧"]
    bad = post(client, "/api/v1/organisations", {"name": "某店", "kind": "spaceport"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("kind")


@pytest.mark.parametrize(("who", "count"), [("li_na", 1), ("liu_yang", 1), ("sun_li", 0), ("zhang_wei", 0)])
def test_care_subjects_are_listed_to_leaders_and_the_beat_only(client: Client, request: pytest.FixtureRequest,
                                                               who: str, count: int, care_a: CareSubject) -> None:
    client.force_login(request.getfixturevalue(who))
    items = client.get("/api/v1/care-subjects").json()["items"]
    assert len(items) == count
    if items:
        assert items[0]["id_number_masked"] == MASKED_A and items[0]["reason"] == "elderly_alone"


def test_a_care_subject_outside_ones_beat_is_404(client: Client, sun_li: Any, care_a: CareSubject) -> None:
    client.force_login(sun_li)
    assert client.get(f"/api/v1/care-subjects/{care_a.pk}").status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_REFUSED, user=sun_li,
                                     object_type="records.caresubject").count() == 1


def test_bearer_tokens_work_too(client: Client, li_na: Any, wang_xiuying: Resident) -> None:
    from fengqiao.accounts.services import do_create_token

    _token, raw = do_create_token(li_na, name="records test")
    response = client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["items"][0]["id_number_masked"] == MASKED_A


def test_a_path_that_is_no_number_is_not_taken_for_a_resident(client: Client, li_na: Any) -> None:
    client.force_login(li_na)
    assert client.get("/api/v1/residents/abc").status_code == 404
