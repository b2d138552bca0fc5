"""The house pages: the list with its filters, the house page a community officer opens
on the stairs, and the form that keeps one house per standard address."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.audit.models import AuditEntry
from fengqiao.records import services
from fengqiao.records.models import Address, House, Resident

from .conftest import NUMBER_A

pytestmark = pytest.mark.django_db


def addresses_listed(response: Any) -> list[str]:
    body = response.content.decode()
    table = body.split('data-testid="house-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/records/houses/\d+/">([^<]+)</a>', table)


@pytest.fixture
def house_owner(addresses_a: list[Address]) -> House:
    return services.save_house(addresses_a[2].station_id, services.HouseData(address_id=addresses_a[2].pk))


@pytest.mark.parametrize("who", ["li_na", "liu_yang", "chen_chen", "zhang_wei"])
def test_the_house_page_renders_for_the_roles_that_read_records(client: Client, request: pytest.FixtureRequest, who: str,
                                                                house_a: House) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("records:house_detail", args=[house_a.pk]))
    assert response.status_code == 200
    assert house_a.address.full_text in response.content.decode()


def test_the_house_page_shows_who_lives_there_masked_and_who_moved_out_folded_away(
        client: Client, liu_yang: Any, house_a: House, wang_xiuying: Resident, care_a: Any,
        make_resident: Callable[..., Resident], flat_a: Address) -> None:
    make_resident("马小红", address=flat_a, registration=Resident.Registration.MIGRANT, relation=Resident.Relation.TENANT,
                  phone="13655556666", sex="F", born=dt.date(1995, 6, 1))
    make_resident("钱七", address=flat_a, moved_out_on=dt.date(2024, 5, 1))
    client.force_login(liu_yang)
    body = client.get(reverse("records:house_detail", args=[house_a.pk])).content.decode()
    current = body.split('data-testid="current-residents"', 1)[1].split("</ul>", 1)[0]
    folded = body.split('data-testid="moved-out"', 1)[1].split("</details>", 1)[0]
    assert "王秀英" in current and "马小红" in current and "钱七" not in current
    assert "钱七" in folded
    assert NUMBER_A[:6] + "********" + NUMBER_A[-4:] in current and "138****5678" in current and "136****6666" in current
    assert 'data-testid="care-chip"' in current  # 刘洋 owns the beat: he sees the care flag
    assert "139****4321" in body  # the landlord's phone, masked
    assert 'data-testid="rental-expired"' in body  # registered until 2024-01-01


def test_opening_a_house_with_people_is_audited(client: Client, li_na: Any, house_a: House) -> None:
    client.force_login(li_na)
    client.get(reverse("records:house_detail", args=[house_a.pk]))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, object_type="records.house",
                                     object_id=str(house_a.pk), user=li_na).count() == 1


def test_an_officer_of_another_beat_sees_no_care_chip_on_the_house(client: Client, sun_li: Any, house_a: House,
                                                                   care_a: Any) -> None:
    client.force_login(sun_li)
    body = client.get(reverse("records:house_detail", args=[house_a.pk])).content.decode()
    assert "王秀英" in body and 'data-testid="care-chip"' not in body


def test_the_list_filters_by_tenure_and_expired_registration(client: Client, li_na: Any, house_a: House,
                                                             house_owner: House) -> None:
    client.force_login(li_na)
    url = reverse("records:house_list")
    assert sorted(addresses_listed(client.get(url))) == sorted([house_a.address.full_text, house_owner.address.full_text])
    assert addresses_listed(client.get(url + "?tenure=rented")) == [house_a.address.full_text]
    assert addresses_listed(client.get(url + "?tenure=owner_occupied")) == [house_owner.address.full_text]
    assert addresses_listed(client.get(url + "?expired=on")) == [house_a.address.full_text]


def test_a_search_of_houses_by_landlord_is_audited(client: Client, li_na: Any, house_a: House, house_owner: House) -> None:
    client.force_login(li_na)
    assert addresses_listed(client.get(reverse("records:house_list") + "?q=周建国")) == [house_a.address.full_text]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED, object_type="records.house",
                                     reason="周建国").count() == 1


def test_a_house_is_recorded_through_the_form(client: Client, liu_yang: Any, addresses_a: list[Address]) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:house_new"), {
        "address_text": addresses_a[3].full_text, "use": "residential", "tenure": "rented", "landlord_name": "陈东",
        "landlord_phone": "13800001111", "rental_registered_on": "2025-01-01", "rental_expires_on": "2027-01-01",
        "notes": "",
    })
    house = House.objects.for_stations([addresses_a[3].station_id]).get(address=addresses_a[3])
    assert response.status_code == 302 and response["Location"] == reverse("records:house_detail", args=[house.pk])
    assert (house.tenure, house.landlord_phone, house.beat_id) == ("rented", "13800001111", addresses_a[3].beat_id)


def test_a_second_house_at_one_address_is_refused_on_the_address_field(client: Client, liu_yang: Any,
                                                                       house_a: House) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:house_new"), {
        "address_text": house_a.address.full_text, "use": "residential", "tenure": "owner_occupied",
    })
    assert response.status_code == 422
    assert 'data-field="address_text"' in response.content.decode()


def test_an_expiry_before_the_registration_is_refused_naming_the_field(client: Client, liu_yang: Any,
                                                                       addresses_a: list[Address]) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:house_new"), {
        "address_text": addresses_a[3].full_text, "use": "residential", "tenure": "rented",
        "rental_registered_on": "2025-01-01", "rental_expires_on": "2024-01-01",
    })
    assert response.status_code == 422 and 'data-field="rental_expires_on"' in response.content.decode()


def test_the_edit_form_keeps_the_landlords_phone_out_of_the_page_and_on_record(client: Client, liu_yang: Any,
                                                                               house_a: House) -> None:
    client.force_login(liu_yang)
    body = client.get(reverse("records:house_edit", args=[house_a.pk])).content.decode()
    phone_input = re.search(r'<input[^>]*name="landlord_phone"[^>]*>', body).group()
    assert "value=" not in phone_input and "139****4321" in body
    response = client.post(reverse("records:house_edit", args=[house_a.pk]), {
        "address_text": house_a.address.full_text, "use": "residential", "tenure": "rented", "landlord_name": "周建国",
        "landlord_phone": "", "rental_registered_on": "2025-01-01", "rental_expires_on": "2027-01-01",
    })
    assert response.status_code == 302
    house_a.refresh_from_db()
    assert house_a.landlord_phone == "13987654321" and house_a.rental_expires_on == dt.date(2027, 1, 1)
