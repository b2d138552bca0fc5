"""The import pages: a desk clerk uploads a register, checks it column by column, imports it."""

# The fixtures come from test_importing by import, and are then named as test parameters.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.organisation.models import Station
from fengqiao.records import selectors
from fengqiao.records.models import Address, ImportBatch, Resident
from fengqiao.records.tests.test_importing import (  # noqa: F401 - fixtures
    ADDRESS_501,
    ID_LI,
    ID_WANG,
    addresses,
    csv_bytes,
    good_rows,
    resident_row,
    xlsx_bytes,
    zheng_hua,
)

pytestmark = pytest.mark.django_db

START = "/records/import/"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def upload(rows: list[list[Any]] | None = None, *, data: bytes | None = None, name: str = "住户.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else csv_bytes(rows if rows is not None else good_rows()))


def preview_of(client: Client, file: SimpleUploadedFile, **fields: str) -> tuple[str, Any]:
    """Upload and follow to the preview: (token, response)."""
    response = client.post(START, {"kind": "residents", "file": file, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    found = re.match(r"^/records/import/([A-Za-z0-9_-]+)/$", response["Location"])
    assert found, response["Location"]
    return found.group(1), client.get(response["Location"])


def kept_files(data_dir: Path) -> list[Path]:
    return list((data_dir / "imports" / "records").glob("*.upload"))


def residents_at(station: Station) -> int:
    return Resident.objects.for_stations([station.pk]).count()


def test_the_urls_are_where_the_navigation_expects_them() -> None:
    assert reverse("records_import:start") == START
    assert reverse("records_import:preview", args=["abc"]) == "/records/import/abc/"
    assert reverse("records_import:commit", args=["abc"]) == "/records/import/abc/commit/"
    assert reverse("records_import:template", args=["residents"]) == "/records/import/template/residents.csv"


def test_the_clerk_checks_a_file_imports_it_and_finds_the_people(
    client: Client, zheng_hua: User, station_a: Station, addresses: list[Address], data_dir: Path,
) -> None:
    client.force_login(zheng_hua)
    page = client.get(START)
    assert page.status_code == 200 and 'data-testid="upload-form"' in page.content.decode()

    token, preview = preview_of(client, upload())
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-count="new">4<' in html and 'data-count="bad">0<' in html
    assert 'data-testid="confirm-import"' in html
    assert '<option value="id_number" selected>' in html, "the identity column is recognised by its Chinese header"
    assert ID_WANG not in html and ID_WANG[:6] + "********" + ID_WANG[-4:] in html
    assert residents_at(station_a) == 0, "the preview records nothing"
    assert len(kept_files(data_dir)) == 1

    done = client.post(reverse("records_import:commit", args=[token]))
    assert done.status_code == 302 and done["Location"] == START
    assert residents_at(station_a) == 4
    assert not kept_files(data_dir), "the kept file is removed"
    result = client.get(START).content.decode()
    assert 'data-testid="import-done"' in result and 'data-testid="recent-imports"' in result
    assert 'data-testid="import-done"' not in client.get(START).content.decode(), "the result is shown once"
    _, found = selectors.search_residents(zheng_hua, ID_LI)
    assert [resident.name for resident in found] == ["李秀英"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED, user=zheng_hua).count() == 1
    # The token is spent.
    again = client.post(reverse("records_import:commit", args=[token]), follow=True)
    assert [message.level_tag for message in again.context["messages"]] == ["error"]
    assert residents_at(station_a) == 4


def test_bad_rows_are_shown_by_row_and_column_and_nothing_is_imported(
    client: Client, zheng_hua: User, station_a: Station, addresses: list[Address],
) -> None:
    client.force_login(zheng_hua)
    rows = good_rows() + [resident_row("周敏", ID_WANG[:17] + ("1" if ID_WANG[17] != "1" else "2")),
                          resident_row("吴磊", ID_LI, address="南坪西路18号3栋2单元")]
    token, preview = preview_of(client, upload(rows))
    html = preview.content.decode()
    assert 'data-row="6" data-field="id_number" data-level="error"' in html
    assert 'data-row="7" data-field="address" data-level="error"' in html
    assert 'data-row="7" data-field="id_number" data-level="error"' in html  # the same number as row 3
    assert 'data-testid="suggestions"' in html and ADDRESS_501 in html
    assert 'data-testid="confirm-import"' not in html and 'data-testid="cannot-import"' in html

    refused = client.post(reverse("records_import:commit", args=[token]))
    assert refused.status_code == 422
    assert 'data-testid="nothing-imported"' in refused.content.decode()
    assert residents_at(station_a) == 0
    assert not ImportBatch.objects.for_stations([station_a.pk]).exists()


def test_the_clerk_maps_an_unknown_header_and_then_imports(
    client: Client, zheng_hua: User, station_a: Station, addresses: list[Address],
) -> None:
    client.force_login(zheng_hua)
    header = ["姓名", "号码", "电话", "住址", "类型"]
    rows = [["王建国", ID_WANG, "13812345678", ADDRESS_501, "户籍"]]
    token, preview = preview_of(client, upload(data=csv_bytes(rows, header=header)))
    html = preview.content.decode()
    assert 'data-testid="header-problem"' in html and "公民身份号码" in html  # the identity column is missing
    assert 'data-testid="confirm-import"' not in html

    checked = client.post(reverse("records_import:preview", args=[token]), {
        "column-0": "name", "column-1": "id_number", "column-2": "phone", "column-3": "address", "column-4": "registration"})
    assert checked.status_code == 200
    html = checked.content.decode()
    assert 'data-count="new">1<' in html and 'data-testid="confirm-import"' in html

    # The mapping checked is the one imported (it is kept with the file, not sent back by the page).
    assert client.post(reverse("records_import:commit", args=[token])).status_code == 302
    wang = Resident.objects.for_stations([station_a.pk]).get()
    assert (wang.phone, wang.address.full_text) == ("13812345678", ADDRESS_501)
    batch = ImportBatch.objects.for_stations([station_a.pk]).get()
    assert batch.mapping == {"name": "姓名", "id_number": "号码", "phone": "电话", "address": "住址", "registration": "类型"}


def test_columns_changed_without_checking_again_are_checked_before_importing(
    client: Client, zheng_hua: User, station_a: Station, addresses: list[Address],
) -> None:
    client.force_login(zheng_hua)
    token, _preview = preview_of(client, upload(good_rows()[:1]))
    mapping = {f"column-{index}": name for index, name in enumerate(
        ["name", "id_number", "", "address", "registration", "relation", "moved_in_on", "moved_out_on", "notes"])}
    response = client.post(reverse("records_import:commit", args=[token]), mapping)
    assert response.status_code == 302 and response["Location"] == reverse("records_import:preview", args=[token])
    assert residents_at(station_a) == 0
    assert client.post(reverse("records_import:commit", args=[token]), mapping).status_code == 302
    assert Resident.objects.for_stations([station_a.pk]).get().phone == "", "the phone column was left out"


def test_an_xlsx_file_is_checked_and_imported(client: Client, zheng_hua: User, station_a: Station, addresses: list[Address]) -> None:
    client.force_login(zheng_hua)
    token, preview = preview_of(client, upload(data=xlsx_bytes(good_rows()), name="住户.xlsx"))
    assert 'data-count="new">4<' in preview.content.decode()
    assert client.post(reverse("records_import:commit", args=[token])).status_code == 302
    assert residents_at(station_a) == 4


def test_a_community_officer_gets_403(client: Client, liu_yang: User, station_a: Station, addresses: list[Address]) -> None:
    client.force_login(liu_yang)
    assert client.get(START).status_code == 403
    assert client.post(START, {"kind": "residents", "file": upload()}).status_code == 403
    assert client.get(reverse("records_import:template", args=["residents"])).status_code == 403
    assert residents_at(station_a) == 0
    assert AuditEntry.objects.filter(user=liu_yang, action=AuditEntry.Action.ACCESS_REFUSED).count() == 3


def test_the_leader_of_station_b_cannot_import_into_station_a(
    client: Client, zhao_min: User, station_a: Station, station_b: Station, addresses: list[Address],
) -> None:
    client.force_login(zhao_min)
    response = client.post(START, {"kind": "residents", "file": upload(), "station": str(station_a.pk)})
    assert response.status_code == 404
    assert AuditEntry.objects.filter(user=zhao_min, action=AuditEntry.Action.ACCESS_REFUSED,
                                     object_type="organisation.station", object_id=str(station_a.pk)).exists()
    # Without naming a station, hers is used: A's addresses are unknown there.
    token, preview = preview_of(client, upload(good_rows()[:1]))
    assert 'data-row="2" data-field="address" data-level="error"' in preview.content.decode()
    assert residents_at(station_a) == 0


def test_a_preview_belongs_to_the_session_that_uploaded_it(
    client: Client, zheng_hua: User, li_na: User, station_a: Station, addresses: list[Address],
) -> None:
    client.force_login(zheng_hua)
    token, _preview = preview_of(client, upload())
    other = Client()
    other.force_login(li_na)
    assert other.get(reverse("records_import:preview", args=[token])).status_code == 302
    assert other.post(reverse("records_import:commit", args=[token])).status_code == 302
    assert other.get("/records/import/..%2F..%2Fsecret.key/").status_code in (302, 404)
    assert residents_at(station_a) == 0
    assert client.post(reverse("records_import:commit", args=[token])).status_code == 302
    assert residents_at(station_a) == 4


def test_an_administrator_of_several_stations_must_choose_one(
    client: Client, administrator: User, station_a: Station, station_b: Station, addresses: list[Address],
) -> None:
    client.force_login(administrator)
    assert client.post(START, {"kind": "residents", "file": upload()}).status_code == 400
    token, _preview = preview_of(client, upload(), station=str(station_a.pk))
    client.post(reverse("records_import:commit", args=[token]))
    assert (residents_at(station_a), residents_at(station_b)) == (4, 0)


@pytest.mark.parametrize(("kind", "first"), [("residents", "姓名,公民身份号码"), ("houses", "房屋地址,房屋用途"),
                                              ("organisations", "单位名称,类别")])
def test_each_kind_has_a_template_excel_can_open(client: Client, zheng_hua: User, kind: str, first: str) -> None:
    client.force_login(zheng_hua)
    response = client.get(reverse("records_import:template", args=[kind]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").startswith(first)
    assert client.get("/records/import/template/passports.csv").status_code == 404
