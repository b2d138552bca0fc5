"""Every records page and endpoint of 南坪 answers 404 to 海棠溪; an auxiliary sees only the
beat of the officer they work under; a care flag only its beat and the leaders."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.audit.models import AuditEntry
from fengqiao.core.testing import Change, StationIsolationTests
from fengqiao.records.models import Address, CareSubject, House, Organisation, Resident

RESIDENT_FORM = {"name": "王秀英", "registration": "registered", "relation": "owner", "address_text": ""}


class TestResidentKeepsToItsStation(StationIsolationTests):
    object_fixture = "wang_xiuying"
    urls = (
        "/records/residents/{pk}/",
        "/records/residents/{pk}/edit/",
        "/api/v1/residents/{pk}",
    )
    changes = (
        Change("post", "/records/residents/{pk}/reveal/", {"reason": "核实身份"}),
        Change("post", "/api/v1/residents/{pk}/reveal", {"reason": "核实身份"}),
        Change("patch", "/api/v1/residents/{pk}", {"notes": "改一下"}),
        Change("post", "/records/residents/{pk}/edit/", RESIDENT_FORM, 302),
    )


class TestHouseKeepsToItsStation(StationIsolationTests):
    object_fixture = "house_a"
    urls = ("/records/houses/{pk}/", "/records/houses/{pk}/edit/", "/api/v1/houses/{pk}")
    changes = (Change("post", "/records/houses/{pk}/edit/", {"address_text": "火星大道", "use": "residential",
                                                             "tenure": "rented"}, 422),)


class TestOrganisationKeepsToItsStation(StationIsolationTests):
    object_fixture = "shop_a"
    urls = ("/records/organisations/{pk}/", "/records/organisations/{pk}/edit/", "/api/v1/organisations/{pk}")
    changes = (Change("post", "/records/organisations/{pk}/edit/", {"name": "改名", "kind": "shop"}, 302),)


class TestCareSubjectKeepsToItsStation(StationIsolationTests):
    object_fixture = "care_a"
    urls = ("/records/care/{pk}/edit/", "/api/v1/care-subjects/{pk}")
    changes = (Change("post", "/records/care/{pk}/edit/", {"reason": "dementia", "review_on": "2030-01-01",
                                                           "started_on": "2025-01-01"}, 302),)


class TestAddressHubKeepsToItsStation(StationIsolationTests):
    object_fixture = "flat_a"
    urls = ("/records/addresses/{pk}/",)


class TestAddressHubForTheBeatOfficer(StationIsolationTests):
    object_fixture = "flat_a"
    person_of_station_a = "liu_yang"
    person_of_station_b = "wang_qiang"
    urls = ("/records/addresses/{pk}/",)


class TestCreatingAResidentForAnotherStationsFlatIsRefused:
    pytestmark = [pytest.mark.django_db]

    def test_the_address_of_another_station_is_not_found(self, client: Client, zhao_min: Any, flat_a: Address) -> None:
        client.force_login(zhao_min)
        response = client.post(reverse("records:resident_new"), {**RESIDENT_FORM, "registration": "migrant",
                                                                  "address_text": flat_a.full_text})
        assert response.status_code == 422 and 'data-field="address_text"' in response.content.decode()
        assert not Resident.objects.for_stations([flat_a.station_id]).exclude(pk__in=[]).filter(
            address=flat_a).exists()


# -- an auxiliary sees their officer's beat only -------------------------------------------------------


OUTSIDE_THE_BEAT = [
    ("resident_a2", "/records/residents/{pk}/"),
    ("resident_a2", "/api/v1/residents/{pk}"),
    ("house_a2", "/records/houses/{pk}/"),
    ("house_a2", "/api/v1/houses/{pk}"),
    ("flat_a2", "/records/addresses/{pk}/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fixture", "url"), OUTSIDE_THE_BEAT)
def test_an_auxiliary_gets_404_outside_the_beat_and_the_refusal_is_audited(
        client: Client, request: pytest.FixtureRequest, chen_chen: Any, fixture: str, url: str) -> None:
    obj = request.getfixturevalue(fixture)
    client.force_login(chen_chen)
    response = client.get(url.format(pk=obj.pk))
    assert response.status_code == 404 and str(obj) not in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_REFUSED, user=chen_chen,
                                     object_type=obj._meta.label_lower, object_id=str(obj.pk)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("fixture", "url"), [
    ("wang_xiuying", "/records/residents/{pk}/"), ("house_a", "/records/houses/{pk}/"),
    ("flat_a", "/records/addresses/{pk}/"), ("wang_xiuying", "/api/v1/residents/{pk}"),
])
def test_an_auxiliary_sees_the_beat_of_their_officer(client: Client, request: pytest.FixtureRequest, chen_chen: Any,
                                                     fixture: str, url: str) -> None:
    obj = request.getfixturevalue(fixture)
    client.force_login(chen_chen)
    assert client.get(url.format(pk=obj.pk)).status_code == 200


@pytest.mark.django_db
def test_an_auxiliarys_lists_and_api_hold_only_the_beat(client: Client, chen_chen: Any, wang_xiuying: Resident,
                                                        resident_a2: Resident, house_a: House, house_a2: House) -> None:
    client.force_login(chen_chen)
    body = client.get(reverse("records:resident_list")).content.decode()
    assert "王秀英" in body and "赵六" not in body
    body = client.get(reverse("records:house_list")).content.decode()
    assert house_a.address.full_text in body and house_a2.address.full_text not in body
    assert [p["name"] for p in client.get("/api/v1/residents").json()["items"]] == ["王秀英"]
    assert [h["id"] for h in client.get("/api/v1/houses").json()["items"]] == [house_a.pk]
    # A search cannot reach past the beat either.
    assert client.get("/api/v1/residents", {"q": "赵六"}).json()["items"] == []


@pytest.mark.django_db
def test_an_auxiliary_cannot_reveal_outside_the_beat_on_the_page(client: Client, chen_chen: Any,
                                                                 resident_a2: Resident) -> None:
    client.force_login(chen_chen)
    response = client.post(reverse("records:resident_reveal", args=[resident_a2.pk]), {"reason": "核实"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED, object_id=str(resident_a2.pk)).exists()


# -- the care registry: the beat and the leaders -----------------------------------------------------


@pytest.mark.django_db
def test_a_care_flag_is_404_to_an_officer_of_another_beat_on_page_and_api(client: Client, sun_li: Any,
                                                                          care_a: CareSubject) -> None:
    client.force_login(sun_li)
    assert client.get(reverse("records:care_edit", args=[care_a.pk])).status_code == 404
    assert client.get(f"/api/v1/care-subjects/{care_a.pk}").status_code == 404
    response = client.post(reverse("records:care_edit", args=[care_a.pk]), {
        "reason": "dementia", "review_on": "2030-01-01"})
    assert response.status_code == 404
    care_a.refresh_from_db()
    assert care_a.reason == CareSubject.Reason.ELDERLY_ALONE


@pytest.mark.django_db
def test_the_station_leader_sees_every_care_flag(client: Client, li_na: Any, care_a: CareSubject) -> None:
    client.force_login(li_na)
    assert client.get(reverse("records:care_edit", args=[care_a.pk])).status_code == 200
    assert client.get(f"/api/v1/care-subjects/{care_a.pk}").status_code == 200


@pytest.mark.django_db
def test_exports_keep_to_the_station(client: Client, zhao_min: Any, wang_xiuying: Resident, house_a: House,
                                     shop_a: Organisation, care_a: CareSubject) -> None:
    client.force_login(zhao_min)
    for name in ("resident_list", "house_list", "organisation_list", "care_list"):
        body = client.get(reverse(f"records:{name}") + "?format=csv").content.decode("utf-8-sig")
        assert body.count("\n") == 1, f"{name} export of 海棠溪 holds 南坪's rows"
    assert json.loads(client.get("/api/v1/residents").content)["items"] == []
