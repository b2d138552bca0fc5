"""The organisation pages: list, page and form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.audit.models import AuditEntry
from fengqiao.records import services
from fengqiao.records.models import Address, Organisation

pytestmark = pytest.mark.django_db


def names_listed(response: Any) -> list[str]:
    body = response.content.decode()
    table = body.split('data-testid="organisation-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/records/organisations/\d+/">([^<]+)</a>', table)


@pytest.fixture
def school_a(addresses_a: list[Address]) -> Organisation:
    return services.save_organisation(addresses_a[2].station_id, services.OrganisationData(
        name="南坪实验小学", kind=Organisation.Kind.SCHOOL, address_id=addresses_a[2].pk, key_place=True,
        contact_name="刘校长", contact_phone="13933334444"))


@pytest.mark.parametrize("who", ["li_na", "liu_yang", "chen_chen"])
def test_the_list_and_the_page_render_for_the_roles(client: Client, request: pytest.FixtureRequest, who: str,
                                                    shop_a: Organisation) -> None:
    client.force_login(request.getfixturevalue(who))
    assert names_listed(client.get(reverse("records:organisation_list"))) == ["老王副食店"]
    body = client.get(reverse("records:organisation_detail", args=[shop_a.pk])).content.decode()
    assert "老王副食店" in body and "139****2222" in body


def test_the_list_filters_by_kind_and_key_place(client: Client, li_na: Any, shop_a: Organisation,
                                                school_a: Organisation) -> None:
    client.force_login(li_na)
    url = reverse("records:organisation_list")
    assert names_listed(client.get(url + "?key_place=on")) == ["南坪实验小学"]
    assert names_listed(client.get(url + "?kind=shop")) == ["老王副食店"]


def test_closed_organisations_are_listed_only_when_asked(client: Client, li_na: Any, shop_a: Organisation) -> None:
    shop_a.closed_on = shop_a.created_at.date()
    services.save_organisation(shop_a.station_id, services.OrganisationData(
        name=shop_a.name, kind=shop_a.kind, address_id=shop_a.address_id, closed_on=shop_a.closed_on),
        organisation=shop_a)
    client.force_login(li_na)
    url = reverse("records:organisation_list")
    assert names_listed(client.get(url)) == []
    assert names_listed(client.get(url + "?closed=on")) == ["老王副食店"]


def test_opening_an_organisation_with_a_contact_is_audited(client: Client, li_na: Any, shop_a: Organisation) -> None:
    client.force_login(li_na)
    client.get(reverse("records:organisation_detail", args=[shop_a.pk]))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, object_type="records.organisation",
                                     object_id=str(shop_a.pk)).count() == 1


def test_an_organisation_is_recorded_through_the_form(client: Client, liu_yang: Any, addresses_a: list[Address]) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:organisation_new"), {
        "name": "如家酒店南坪店", "kind": "hotel", "address_text": addresses_a[3].full_text, "key_place": "on",
        "contact_name": "前台", "contact_phone": "02362881234", "credit_code": "91500108MA5U123456", "employees": "12",
    })
    hotel = Organisation.objects.for_stations([addresses_a[3].station_id]).get(name="如家酒店南坪店")
    assert response.status_code == 302
    assert (hotel.key_place, hotel.beat_id, hotel.employees) == (True, addresses_a[3].beat_id, 12)


def test_a_bad_credit_code_is_refused_naming_the_field(client: Client, liu_yang: Any) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:organisation_new"), {"name": "某公司", "kind": "firm", "credit_code": "123"})
    assert response.status_code == 422 and 'data-field="credit_code"' in response.content.decode()
