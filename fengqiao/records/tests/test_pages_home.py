"""The records overview and the address hub: everything on record at one standard address."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.community.models import Dispute, Visit
from fengqiao.records.models import Address, House, Organisation, Resident

pytestmark = pytest.mark.django_db


def count_of(body: str, testid: str) -> int:
    card = body.split(f'data-testid="{testid}"', 1)[1]
    return int(re.search(r"<strong>(\d+)</strong>", card).group(1))


@pytest.mark.parametrize("who", ["li_na", "liu_yang", "chen_chen", "zhang_wei", "zhou_jie"])
def test_the_overview_renders_for_every_role_that_reads_records(client: Client, request: pytest.FixtureRequest,
                                                                who: str, house_a: House) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("records:home"))
    assert response.status_code == 200
    assert 'data-testid="records-search"' in response.content.decode()


def test_the_overview_counts_the_station_and_an_auxiliary_only_their_beat(
        client: Client, li_na: Any, chen_chen: Any, house_a: House, resident_a2: Resident, house_a2: House,
        make_resident: Callable[..., Resident], flat_a: Address) -> None:
    make_resident("马小红", address=flat_a, registration=Resident.Registration.MIGRANT)
    client.force_login(li_na)
    body = client.get(reverse("records:home")).content.decode()
    assert (count_of(body, "count-residents"), count_of(body, "count-houses"), count_of(body, "count-expired")) == (3, 2, 1)
    client.force_login(chen_chen)
    body = client.get(reverse("records:home")).content.decode()
    assert (count_of(body, "count-residents"), count_of(body, "count-houses")) == (2, 1)
    assert "江南大道警务区" not in body


def test_the_overview_counts_only_the_care_subjects_one_may_see(client: Client, li_na: Any, sun_li: Any,
                                                                 care_a: Any) -> None:
    client.force_login(li_na)
    assert count_of(client.get(reverse("records:home")).content.decode(), "count-care") == 1
    client.force_login(sun_li)
    assert count_of(client.get(reverse("records:home")).content.decode(), "count-care") == 0


@pytest.fixture
def visit_a(flat_a: Address, liu_yang: Any, house_a: House) -> Visit:
    return Visit.objects.create(station_id=flat_a.station_id, officer=liu_yang.officer, visited_at=timezone.now(),
                                address=flat_a, beat=flat_a.beat, house=house_a, purpose=Visit.Purpose.ANTI_FRAUD,
                                findings="宣传反诈，老人已知晓", created_by=liu_yang)


@pytest.fixture
def dispute_a(flat_a: Address, liu_yang: Any) -> Dispute:
    return Dispute.objects.create(station_id=flat_a.station_id, number="NP-JF-2026-0001", kind=Dispute.Kind.NEIGHBOUR,
                                  risk=Dispute.Risk.MEDIUM, summary="楼上漏水，邻里争吵", address=flat_a, beat=flat_a.beat,
                                  opened_at=timezone.now() - dt.timedelta(days=3), opened_by=liu_yang)


def test_the_address_hub_gathers_house_people_organisations_incidents_visits_and_disputes(
        client: Client, liu_yang: Any, flat_a: Address, house_a: House, wang_xiuying: Resident,
        receive: Any, visit_a: Visit, dispute_a: Dispute, addresses_a: list[Address]) -> None:
    incident = receive("楼上漏水，邻居吵起来了").incident
    Organisation.objects.create(station_id=flat_a.station_id, name="楼下便利店", kind="shop", address=flat_a,
                                beat=flat_a.beat, contact_phone="13822223333")
    client.force_login(liu_yang)
    response = client.get(reverse("records:address_detail", args=[flat_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("records:house_detail", args=[house_a.pk]) in body
    assert "王秀英" in body and "楼下便利店" in body and "138****3333" in body
    assert reverse("incidents:detail", args=[incident.pk]) in body
    assert "NP-JF-2026-0001" in body and "宣传反诈" in body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, object_type="records.address",
                                     object_id=str(flat_a.pk)).count() == 1


def test_the_hub_shows_no_incidents_to_an_auxiliary(client: Client, chen_chen: Any, flat_a: Address, receive: Any,
                                                    wang_xiuying: Resident) -> None:
    incident = receive("楼上漏水").incident
    client.force_login(chen_chen)
    body = client.get(reverse("records:address_detail", args=[flat_a.pk])).content.decode()
    assert "王秀英" in body and incident.number not in body


def test_the_address_options_offer_standard_addresses(client: Client, liu_yang: Any, addresses_a: list[Address]) -> None:
    client.force_login(liu_yang)
    body = client.get(reverse("records:address_options") + "?address_text=南坪西路18号").content.decode()
    assert f'<option value="{addresses_a[0].full_text}">' in body
