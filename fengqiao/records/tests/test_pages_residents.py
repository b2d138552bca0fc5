"""The resident pages: the list with its filters and pages, a person's page, and the form
that keeps one record per person and never shows an identity number back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.audit.models import AuditEntry
from fengqiao.records import idcard
from fengqiao.records.models import Address, Resident

from .conftest import NUMBER_A, PHONE_A

pytestmark = pytest.mark.django_db

MASKED_A = NUMBER_A[:6] + "********" + NUMBER_A[-4:]


def rows_of(response: Any) -> list[str]:
    """The names in the resident table, in order."""
    body = response.content.decode()
    table = body.split('data-testid="resident-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/records/residents/\d+/">([^<]+)</a>', table)


@pytest.mark.parametrize("who", ["li_na", "liu_yang", "chen_chen", "zhang_wei", "zhou_jie"])
def test_the_list_renders_for_every_role_that_reads_records(client: Client, request: pytest.FixtureRequest, who: str,
                                                            wang_xiuying: Resident) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("records:resident_list") + "?station=NP")
    assert response.status_code == 200
    assert "王秀英" in rows_of(response)
    assert MASKED_A in response.content.decode()


def test_the_list_filters_by_registration_and_beat(client: Client, li_na: Any, make_resident: Callable[..., Resident],
                                                   wang_xiuying: Resident, flat_a: Address, flat_a2: Address,
                                                   beat_a2: Any) -> None:
    make_resident("马小红", address=flat_a, registration=Resident.Registration.MIGRANT, relation=Resident.Relation.TENANT)
    make_resident("赵六", address=flat_a2)
    client.force_login(li_na)
    url = reverse("records:resident_list")
    assert rows_of(client.get(url + "?registration=migrant")) == ["马小红"]
    assert rows_of(client.get(url + f"?beat={beat_a2.pk}")) == ["赵六"]
    assert sorted(rows_of(client.get(url))) == sorted(["王秀英", "马小红", "赵六"])


def test_moved_out_people_are_listed_only_when_asked(client: Client, li_na: Any, make_resident: Callable[..., Resident],
                                                     flat_a: Address, wang_xiuying: Resident) -> None:
    make_resident("钱七", address=flat_a, moved_out_on=dt.date(2024, 5, 1))
    client.force_login(li_na)
    url = reverse("records:resident_list")
    assert rows_of(client.get(url)) == ["王秀英"]
    assert rows_of(client.get(url + "?status=moved_out")) == ["钱七"]


def test_the_list_pages_by_fifty(client: Client, li_na: Any, make_resident: Callable[..., Resident], flat_a: Address) -> None:
    for index in range(53):
        make_resident(f"住户{index:02d}", address=flat_a)
    client.force_login(li_na)
    url = reverse("records:resident_list")
    first = client.get(url)
    assert len(rows_of(first)) == 50 and 'rel="next"' in first.content.decode()
    second = client.get(url + "?page=2")
    assert rows_of(second) == ["住户50", "住户51", "住户52"]
    assert 'rel="next"' not in second.content.decode() and 'rel="prev"' in second.content.decode()


def test_a_search_by_identity_number_finds_the_person_and_writes_one_masked_audit_row(
        client: Client, li_na: Any, wang_xiuying: Resident, make_resident: Callable[..., Resident], flat_a: Address) -> None:
    make_resident("李四", address=flat_a)
    client.force_login(li_na)
    response = client.get(reverse("records:resident_list") + f"?q={NUMBER_A}", follow=True)
    assert rows_of(response) == ["王秀英"]
    # The number went into an encrypted query: not in the address, the page or its links.
    (location, _status), = response.redirect_chain
    assert "qx=" in location and NUMBER_A not in location and "q=" not in location.replace("qx=", "")
    assert 'data-testid="masked-query"' in response.content.decode()
    rows = AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED, user=li_na)
    assert [(row.object_type, row.reason) for row in rows] == [("records.resident", MASKED_A)]
    assert NUMBER_A not in str(rows[0].changes)


def test_a_list_without_a_query_is_not_a_search(client: Client, li_na: Any, wang_xiuying: Resident) -> None:
    client.force_login(li_na)
    client.get(reverse("records:resident_list") + "?registration=registered")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED).exists()


def test_the_persons_page_shows_masked_numbers_and_writes_a_personal_view_row(
        client: Client, liu_yang: Any, wang_xiuying: Resident, care_a: Any) -> None:
    client.force_login(liu_yang)
    response = client.get(reverse("records:resident_detail", args=[wang_xiuying.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert MASKED_A in body and "138****5678" in body
    assert "1950-03-12" not in body  # the birth date is what the mask hides: only the age is shown
    assert 'data-testid="care-chip"' in body and 'data-testid="reveal-form"' in body
    view = AuditEntry.objects.get(action=AuditEntry.Action.VIEWED_PERSONAL, object_type="records.resident",
                                  object_id=str(wang_xiuying.pk))
    assert view.user == liu_yang and "id_number_masked" in view.changes["fields"]


def test_every_opening_of_the_page_is_audited(client: Client, li_na: Any, wang_xiuying: Resident) -> None:
    client.force_login(li_na)
    url = reverse("records:resident_detail", args=[wang_xiuying.pk])
    client.get(url)
    client.get(url)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, object_id=str(wang_xiuying.pk),
                                     object_type="records.resident").count() == 2


def test_an_auxiliary_sees_no_reveal_form_and_no_change_link(client: Client, chen_chen: Any, wang_xiuying: Resident) -> None:
    client.force_login(chen_chen)
    body = client.get(reverse("records:resident_detail", args=[wang_xiuying.pk])).content.decode()
    assert 'data-testid="reveal-form"' not in body and 'data-testid="edit-resident"' not in body


# -- the form ----------------------------------------------------------------------------------------


def form_data(**fields: Any) -> dict[str, Any]:
    data = {"name": "李明", "id_number": "", "phone": "", "registration": "registered", "address_text": "",
            "relation": "owner", "moved_in_on": "", "moved_out_on": "", "notes": ""}
    data.update(fields)
    return data


def test_a_new_resident_is_put_on_record(client: Client, liu_yang: Any, flat_a: Address) -> None:
    number = idcard.make("500108", dt.date(1988, 8, 8), 21, "M")
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_new"), form_data(
        id_number=number, phone="13700001234", address_text=flat_a.full_text))
    person = Resident.objects.for_stations([flat_a.station_id]).get(name="李明")
    assert response.status_code == 302 and response["Location"] == reverse("records:resident_detail", args=[person.pk])
    assert (person.sex, person.birth_date, person.address_id, person.beat_id) == ("M", dt.date(1988, 8, 8), flat_a.pk, flat_a.beat_id)
    assert person.phone == "13700001234"


def test_a_bad_check_digit_is_refused_on_the_identity_number_field(client: Client, liu_yang: Any, flat_a: Address) -> None:
    good = idcard.make("500108", dt.date(1988, 8, 8), 21, "M")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_new"), form_data(id_number=bad, address_text=flat_a.full_text))
    body = response.content.decode()
    assert response.status_code == 422
    assert 'data-field="id_number"' in body
    assert bad not in body  # never echoed back, not even the wrong number
    assert not Resident.objects.for_stations([flat_a.station_id]).filter(name="李明").exists()


def test_a_duplicate_identity_number_is_refused_naming_the_record(client: Client, liu_yang: Any,
                                                                  wang_xiuying: Resident, flat_a: Address) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_new"), form_data(name="王秀英", id_number=NUMBER_A.lower()))
    body = response.content.decode()
    assert response.status_code == 422
    assert 'data-field="id_number"' in body and 'data-testid="duplicate-of"' in body
    assert reverse("records:resident_detail", args=[wang_xiuying.pk]) in body
    assert Resident.objects.for_stations([flat_a.station_id]).filter(name="王秀英").count() == 1


def test_an_unknown_address_is_refused_on_the_address_field(client: Client, liu_yang: Any, flat_a: Address) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_new"), form_data(
        id_number=idcard.make("500108", dt.date(1988, 8, 8), 21, "M"), address_text="火星大道1号"))
    assert response.status_code == 422 and 'data-field="address_text"' in response.content.decode()


def test_the_edit_form_never_holds_the_identity_number_or_the_phone(client: Client, liu_yang: Any,
                                                                    wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    body = client.get(reverse("records:resident_edit", args=[wang_xiuying.pk])).content.decode()
    id_input = re.search(r'<input[^>]*name="id_number"[^>]*>', body).group()
    phone_input = re.search(r'<input[^>]*name="phone"[^>]*>', body).group()
    assert "value=" not in id_input and "value=" not in phone_input
    assert MASKED_A in body and "138****5678" in body  # shown as what is on record


def test_an_edit_with_empty_number_fields_keeps_both_numbers(client: Client, liu_yang: Any, wang_xiuying: Resident,
                                                             flat_a: Address) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_edit", args=[wang_xiuying.pk]), form_data(
        name="王秀英", address_text=flat_a.full_text, notes="独居，女儿在外地"))
    assert response.status_code == 302
    wang_xiuying.refresh_from_db()
    assert wang_xiuying.notes == "独居，女儿在外地" and wang_xiuying.phone == PHONE_A
    assert wang_xiuying.id_number_masked == MASKED_A


def test_an_edit_may_replace_the_phone(client: Client, liu_yang: Any, wang_xiuying: Resident, flat_a: Address) -> None:
    client.force_login(liu_yang)
    client.post(reverse("records:resident_edit", args=[wang_xiuying.pk]), form_data(
        name="王秀英", phone="13600009999", address_text=flat_a.full_text))
    wang_xiuying.refresh_from_db()
    assert wang_xiuying.phone == "13600009999"


def test_an_auxiliary_may_not_open_the_form(client: Client, chen_chen: Any, wang_xiuying: Resident) -> None:
    client.force_login(chen_chen)
    assert client.get(reverse("records:resident_new")).status_code == 403
    assert client.get(reverse("records:resident_edit", args=[wang_xiuying.pk])).status_code == 403


def test_a_road_alone_is_not_taken_for_an_address_and_candidates_are_offered(client: Client, liu_yang: Any,
                                                                             flat_a: Address) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_new"), form_data(
        id_number=idcard.make("500108", dt.date(1988, 8, 8), 21, "M"), address_text="南坪西路"))
    body = response.content.decode()
    assert response.status_code == 422 and 'data-field="address_text"' in body
    assert flat_a.full_text in body  # offered as a candidate


def test_a_slightly_different_spelling_of_an_address_is_understood(client: Client, liu_yang: Any, flat_a: Address) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_new"), form_data(
        id_number=idcard.make("500108", dt.date(1988, 8, 8), 21, "M"), address_text="南坪西路18号3栋2单元501室"))
    assert response.status_code == 302
    assert Resident.objects.for_stations([flat_a.station_id]).get(name="李明").address_id == flat_a.pk
