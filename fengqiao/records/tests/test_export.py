"""Exports of the record lists: the list's filters, masked values, one audit row naming them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.records.models import Address, CareSubject, House, Organisation, Resident

from .conftest import NUMBER_A, PHONE_A

pytestmark = pytest.mark.django_db

MASKED_A = NUMBER_A[:6] + "********" + NUMBER_A[-4:]


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response: Any) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def exported(user: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED, user=user))


@pytest.fixture
def people(make_resident: Callable[..., Resident], wang_xiuying: Resident, flat_a: Address) -> list[Resident]:
    migrant = make_resident("马小红", address=flat_a, registration=Resident.Registration.MIGRANT,
                            relation=Resident.Relation.TENANT, phone="13655556666", sex="F")
    return [wang_xiuying, migrant]


def test_the_resident_csv_has_the_lists_columns_masked(client: Client, li_na: Any, people: list[Resident]) -> None:
    client.force_login(li_na)
    response = client.get(reverse("records:resident_list") + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="residents-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:6] == ["No.", "Name", "Identity number", "Sex", "Age", "Phone"] or "姓名" in header
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {"王秀英", "马小红"}
    assert by_name["王秀英"][2] == MASKED_A and by_name["王秀英"][5] == "138****5678"
    assert NUMBER_A not in response.content.decode("utf-8-sig") and PHONE_A not in response.content.decode("utf-8-sig")
    (row,) = exported(li_na)
    assert (row.object_type, row.changes["format"], row.changes["rows"]) == ("records.resident", "csv", 2)


def test_the_resident_xlsx_keeps_the_filter_and_the_audit_row_names_it(client: Client, li_na: Any,
                                                                      people: list[Resident]) -> None:
    client.force_login(li_na)
    response = client.get(reverse("records:resident_list") + "?registration=migrant&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, *rows = xlsx_rows(response)
    assert len(header) == 12
    assert [(row[1], row[2], row[5]) for row in rows] == [("马小红", people[1].id_number_masked, "136****6666")]
    (row,) = exported(li_na)
    assert row.changes == {"format": "xlsx", "rows": 1, "filters": {"registration": "migrant", "status": "current"}}


def test_an_export_of_a_number_search_logs_the_query_masked(client: Client, li_na: Any, people: list[Resident]) -> None:
    client.force_login(li_na)
    response = client.get(reverse("records:resident_list") + f"?q={NUMBER_A}&format=csv", follow=True)
    header, *rows = csv_rows(response)
    assert [row[1] for row in rows] == ["王秀英"]
    (row,) = exported(li_na)
    assert row.changes["filters"]["q"] == MASKED_A and NUMBER_A not in str(row.changes)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED, user=li_na, reason=MASKED_A).count() == 1


def test_the_house_export_masks_the_landlords_phone(client: Client, li_na: Any, house_a: House) -> None:
    client.force_login(li_na)
    header, *rows = xlsx_rows(client.get(reverse("records:house_list") + "?tenure=rented&format=xlsx"))
    ((number, address, _beat, _use, _tenure, landlord, phone, _registered, expires, residents),) = rows
    assert (number, address, landlord, phone, expires, residents) == (
        house_a.pk, house_a.address.full_text, "周建国", "139****4321", "2024-01-01", 1)
    assert exported(li_na)[0].changes["filters"] == {"tenure": "rented"}


def test_the_organisation_export_masks_the_contact_phone(client: Client, li_na: Any, shop_a: Organisation) -> None:
    client.force_login(li_na)
    header, *rows = csv_rows(client.get(reverse("records:organisation_list") + "?format=csv"))
    assert [(row[1], row[7]) for row in rows] == [("老王副食店", "139****2222")]
    assert exported(li_na)[0].object_type == "records.organisation"


def test_the_care_export_holds_only_the_flags_one_may_see(client: Client, li_na: Any, sun_li: Any,
                                                          care_a: CareSubject) -> None:
    client.force_login(li_na)
    header, *rows = xlsx_rows(client.get(reverse("records:care_list") + "?format=xlsx"))
    assert [(row[1], row[2]) for row in rows] == [("王秀英", MASKED_A)]
    client.force_login(sun_li)
    header, *rows = xlsx_rows(client.get(reverse("records:care_list") + "?format=xlsx"))
    assert rows == []
    assert exported(sun_li)[0].changes["rows"] == 0


def test_an_auxiliary_exports_only_the_beat(client: Client, chen_chen: Any, people: list[Resident],
                                            resident_a2: Resident) -> None:
    client.force_login(chen_chen)
    header, *rows = csv_rows(client.get(reverse("records:resident_list") + "?status=all&format=csv"))
    assert sorted(row[1] for row in rows) == ["王秀英", "马小红"]


def test_the_list_page_links_its_exports_with_its_filters(client: Client, li_na: Any, people: list[Resident]) -> None:
    client.force_login(li_na)
    body = client.get(reverse("records:resident_list") + "?registration=migrant").content.decode()
    assert "?registration=migrant&amp;format=csv" in body and "?registration=migrant&amp;format=xlsx" in body
