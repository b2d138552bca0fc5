"""`POST /api/v1/imports/{kind}`: a dry run answers the per-row report; a commit imports all or nothing."""

# The fixtures come from test_importing by import, and are then named as test parameters.
# ruff: noqa: F811

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.accounts.services import do_create_token
from fengqiao.audit.models import AuditEntry
from fengqiao.core.masking import mask_id_number
from fengqiao.organisation.models import Station
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


def post(client: Client, rows: list[list[Any]] | None = None, *, kind: str = "residents", dry_run: str | None = None,
         data: bytes | None = None, name: str = "住户.csv", **fields: str) -> Any:
    query = f"?dry_run={dry_run}" if dry_run is not None else ""
    body = data if data is not None else csv_bytes(rows if rows is not None else good_rows())
    return client.post(f"/api/v1/imports/{kind}{query}", {"file": SimpleUploadedFile(name, body), **fields})


def residents_at(station: Station) -> int:
    return Resident.objects.for_stations([station.pk]).count()


@pytest.fixture
def clerk(client: Client, zheng_hua: User) -> Client:
    client.force_login(zheng_hua)
    return client


def test_a_dry_run_answers_the_counts_and_every_problem_and_keeps_nothing(
    clerk: Client, station_a: Station, addresses: list[Address],
) -> None:
    rows = good_rows() + [resident_row("吴磊", ID_LI, address="南坪西路18号3栋2单元")]
    response = post(clerk, rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["committed"] is False and body["batch_id"] is None
    assert body["counts"] == {"rows": 5, "new": 4, "update": 0, "unchanged": 0, "bad": 1, "warnings": 0}
    problems = {(problem["row"], problem["field"]): problem for problem in body["problems"]}
    assert set(problems) == {(6, "address"), (6, "id_number")}
    assert problems[(6, "address")]["column"] == "现住址"
    assert ADDRESS_501 in problems[(6, "address")]["suggestions"]
    assert "3" in problems[(6, "id_number")]["message"]  # the row that has the number first
    assert body["mapping"][1] == {"column": 2, "header": "公民身份号码", "field": "id_number"}
    assert body["rows"][0]["action"] == "new" and body["rows"][0]["values"]["id_number"] == ID_WANG[:6] + "********" + ID_WANG[-4:]
    assert residents_at(station_a) == 0


def test_a_commit_imports_the_whole_file_and_answers_201_with_the_batch(
    clerk: Client, zheng_hua: User, station_a: Station, addresses: list[Address],
) -> None:
    response = post(clerk, dry_run="false")
    assert response.status_code == 201, response.content
    body = response.json()
    batch = ImportBatch.objects.for_stations([station_a.pk]).get()
    assert body["committed"] is True and body["batch_id"] == batch.pk and body["counts"]["new"] == 4
    assert residents_at(station_a) == 4
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED, user=zheng_hua, object_id=str(batch.pk)).count() == 1

    again = post(clerk, dry_run="false")
    assert again.status_code == 201 and again.json()["counts"]["unchanged"] == 4
    assert residents_at(station_a) == 4


def test_a_commit_with_a_bad_row_keeps_nothing_and_answers_422_with_the_report(
    clerk: Client, station_a: Station, addresses: list[Address],
) -> None:
    rows = good_rows() + [resident_row("周敏", ID_WANG[:17] + ("1" if ID_WANG[17] != "1" else "2"))]
    response = post(clerk, rows, dry_run="false")
    assert response.status_code == 422
    body = response.json()
    assert body["committed"] is False and body["counts"]["bad"] == 1
    assert [(p["row"], p["field"], p["level"]) for p in body["problems"]] == [(6, "id_number", "error")]
    assert body["problems"][0]["value"] == mask_id_number(rows[-1][1])
    assert residents_at(station_a) == 0 and not ImportBatch.objects.for_stations([station_a.pk]).exists()


def test_a_mapping_names_the_field_of_a_header_the_guess_does_not_know(
    clerk: Client, station_a: Station, addresses: list[Address],
) -> None:
    data = csv_bytes([["王建国", ID_WANG, "13812345678", ADDRESS_501]], header=["姓名", "号码", "电话", "备忘"])
    guessed = post(clerk, data=data)
    assert guessed.status_code == 422 and [p["field"] for p in guessed.json()["problems"] if p["level"] == "error"] == ["id_number"]
    mapping = json.dumps({"号码": "id_number", "备忘": "address"}, ensure_ascii=False)
    response = post(clerk, data=data, dry_run="false", mapping=mapping)
    assert response.status_code == 201, response.content
    wang = Resident.objects.for_stations([station_a.pk]).get()
    assert wang.address.full_text == ADDRESS_501 and wang.phone == "13812345678"
    assert post(clerk, data=data, mapping='{"号码": "passport"}').status_code == 422
    assert post(clerk, data=data, mapping="[1, 2]").status_code == 422


def test_an_xlsx_file_of_houses_is_imported(clerk: Client, station_a: Station, addresses: list[Address]) -> None:
    data = xlsx_bytes([[ADDRESS_501, "住宅", "出租", "王建国", 13812345678]], header=["地址", "房屋用途", "是否出租", "房东姓名", "房东电话"])
    response = post(clerk, kind="houses", data=data, name="房屋.xlsx", dry_run="false")
    assert response.status_code == 201, response.content
    assert response.json()["format"] == "xlsx" and response.json()["counts"]["new"] == 1


def test_a_token_works_like_the_session(client: Client, zheng_hua: User, station_a: Station, addresses: list[Address]) -> None:
    _token, secret = do_create_token(zheng_hua, name="register sync")
    response = client.post("/api/v1/imports/residents?dry_run=false", {"file": SimpleUploadedFile("f.csv", csv_bytes(good_rows()))},
                           HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201, response.content
    assert residents_at(station_a) == 4


def test_a_community_officer_gets_403_and_an_unknown_kind_422(
    client: Client, liu_yang: User, zheng_hua: User, station_a: Station, addresses: list[Address],
) -> None:
    client.force_login(liu_yang)
    assert post(client, dry_run="false").status_code == 403
    assert residents_at(station_a) == 0
    assert AuditEntry.objects.filter(user=liu_yang, action=AuditEntry.Action.ACCESS_REFUSED).count() == 1
    client.force_login(zheng_hua)
    assert post(client, kind="passports").status_code == 422


def test_stations_keep_to_themselves(
    client: Client, zhao_min: User, administrator: User, station_a: Station, station_b: Station, addresses: list[Address],
) -> None:
    client.force_login(zhao_min)
    named = post(client, dry_run="false", station="NP")
    assert named.status_code == 422 and named.json()["detail"].startswith("station:")
    own = post(client, [resident_row(address="")], dry_run="false")
    assert own.status_code == 201 and own.json()["station"] == "HTX"
    assert (residents_at(station_a), residents_at(station_b)) == (0, 1)

    client.force_login(administrator)
    assert post(client).status_code == 422  # several stations: name one
    assert post(client, dry_run="false", station="NP").status_code == 201
    assert residents_at(station_a) == 4
