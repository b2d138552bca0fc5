"""The import page: a commander uploads, reads the per-row report, confirms, and gets incidents."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Station

pytestmark = pytest.mark.django_db

URL = "/intake/import/"
HEADER = "来源,接警时间,报警内容,地址,纬度,经度,报警人,联系电话,110编号,传感器类型"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def calls_file(count: int = 3, *, bad_row: int | None = None, name: str = "calls.csv") -> SimpleUploadedFile:
    lines = [HEADER]
    for n in range(count):
        at = timezone.localtime(timezone.now() - dt.timedelta(minutes=30 - n)).strftime("%Y-%m-%d %H:%M")
        if bad_row is not None and n + 2 == bad_row:
            at = "昨天"
        lines.append(f"电话,{at},楼上邻居半夜装修吵得睡不着{n},南坪西路18号3栋2单元501,,,张先生,13800001111,P-{n},")
    return SimpleUploadedFile(name, ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"), content_type="text/csv")


def token_in(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no confirm form on the page"
    return found.group(1)


def calls_at(station: Station) -> int:
    return Call.objects.for_stations([station.pk]).count()


def test_the_page_offers_the_upload_and_the_template(client: Client, zhang_wei: Any) -> None:
    client.force_login(zhang_wei)
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("intake_import:upload") == URL
    html = response.content.decode()
    assert 'data-testid="upload-form"' in html and 'enctype="multipart/form-data"' in html
    assert reverse("intake_import:template") in html


def test_the_commander_previews_confirms_and_finds_the_incidents(
    client: Client, zhang_wei: Any, station_a: Station, addresses_a: Any, data_dir: Path,
) -> None:
    client.force_login(zhang_wei)
    preview = client.post(URL, {"file": calls_file(3)})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="confirm-import"' in html
    assert html.count('data-status="ok"') == 3
    assert "南岸区南坪街道南坪西路18号3栋2单元501" in html  # the standard address each row matched
    assert calls_at(station_a) == 0, "the preview records nothing"
    kept = list((data_dir / "imports").glob("*.upload"))
    assert len(kept) == 1

    confirmed = client.post(URL, {"token": token_in(html)})
    assert confirmed.status_code == 302 and confirmed["Location"] == URL
    assert calls_at(station_a) == 3
    assert set(Call.objects.for_stations([station_a.pk]).values_list("taken_by", flat=True)) == {zhang_wei.pk}
    assert not list((data_dir / "imports").glob("*.upload")), "the kept file is removed"

    result = client.get(URL).content.decode()
    assert 'data-testid="import-done"' in result
    for pk, number in Incident.objects.for_stations([station_a.pk]).values_list("pk", "number"):
        assert f'<a href="{reverse("incidents:detail", args=[pk])}">{number}</a>' in result
    assert 'data-testid="import-done"' not in client.get(URL).content.decode(), "the result is shown once"


def test_a_file_with_a_bad_row_cannot_be_confirmed(client: Client, zhang_wei: Any, station_a: Station, addresses_a: Any, data_dir: Path) -> None:
    client.force_login(zhang_wei)
    response = client.post(URL, {"file": calls_file(8, bad_row=7)})
    html = response.content.decode()
    assert 'data-row="7" data-status="error"' in html
    assert "接警时间" in html and 'name="token"' not in html
    assert 'data-testid="nothing-imported"' in html
    assert calls_at(station_a) == 0
    assert not (data_dir / "imports").exists() or not list((data_dir / "imports").glob("*.upload"))


def test_a_confirmation_works_once(client: Client, zhang_wei: Any, station_a: Station, addresses_a: Any) -> None:
    client.force_login(zhang_wei)
    token = token_in(client.post(URL, {"file": calls_file(2)}).content.decode())
    assert client.post(URL, {"token": token}).status_code == 302
    again = client.post(URL, {"token": token}, follow=True)
    assert calls_at(station_a) == 2
    assert [m.level_tag for m in again.context["messages"]] == ["error"]


def test_a_token_from_another_session_is_refused(
    client: Client, zhang_wei: Any, li_na: Any, station_a: Station, addresses_a: Any,
) -> None:
    client.force_login(zhang_wei)
    token = token_in(client.post(URL, {"file": calls_file(2)}).content.decode())
    other = Client()
    other.force_login(li_na)
    assert other.post(URL, {"token": token}).status_code == 302
    assert other.post(URL, {"token": "../../secret.key"}).status_code == 302
    assert calls_at(station_a) == 0
    assert client.post(URL, {"token": token}).status_code == 302
    assert calls_at(station_a) == 2


def test_a_kept_file_changed_on_disk_is_refused(
    client: Client, zhang_wei: Any, station_a: Station, addresses_a: Any, data_dir: Path,
) -> None:
    client.force_login(zhang_wei)
    token = token_in(client.post(URL, {"file": calls_file(2)}).content.decode())
    kept = data_dir / "imports" / f"{token}.upload"
    kept.write_bytes(kept.read_bytes().replace("张先生".encode(), "李先生".encode()))
    client.post(URL, {"token": token})
    assert calls_at(station_a) == 0


def test_the_import_is_checked_again_at_confirmation(
    client: Client, zhang_wei: Any, station_a: Station, addresses_a: Any, receive: Any,
) -> None:
    client.force_login(zhang_wei)
    token = token_in(client.post(URL, {"file": calls_file(3)}).content.decode())
    receive("有人打架", external_id="P-1")  # the 110 feed delivers one of them meanwhile
    response = client.post(URL, {"token": token})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-row="3" data-status="error"' in html
    assert calls_at(station_a) == 1


def test_a_community_officer_gets_403(client: Client, liu_yang: Any, station_a: Station, addresses_a: Any) -> None:
    client.force_login(liu_yang)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": calls_file(2)}).status_code == 403
    assert client.get(reverse("intake_import:template")).status_code == 403
    assert calls_at(station_a) == 0
    assert AuditEntry.objects.filter(user=liu_yang, action=AuditEntry.Action.ACCESS_REFUSED).count() == 3


def test_the_leader_of_station_b_cannot_import_into_station_a(
    client: Client, zhao_min: Any, station_a: Station, station_b: Station, addresses_a: Any,
) -> None:
    client.force_login(zhao_min)
    response = client.post(URL, {"file": calls_file(2), "station": str(station_a.pk)})
    assert response.status_code == 404
    assert calls_at(station_a) == 0
    assert AuditEntry.objects.filter(user=zhao_min, action=AuditEntry.Action.ACCESS_REFUSED,
                                     object_type="organisation.station", object_id=str(station_a.pk)).exists()
    # Without naming a station, hers is used.
    token = token_in(client.post(URL, {"file": calls_file(2)}).content.decode())
    client.post(URL, {"token": token})
    assert calls_at(station_a) == 0 and calls_at(station_b) == 2


def test_an_administrator_of_several_stations_must_choose_one(
    client: Client, administrator: Any, station_a: Station, station_b: Station, addresses_a: Any,
) -> None:
    client.force_login(administrator)
    assert client.post(URL, {"file": calls_file(1)}).status_code == 400
    token = token_in(client.post(URL, {"file": calls_file(1), "station": str(station_a.pk)}).content.decode())
    client.post(URL, {"token": token})
    assert (calls_at(station_a), calls_at(station_b)) == (1, 0)


def test_the_template_is_a_csv_with_chinese_headers_excel_can_open(client: Client, zhang_wei: Any) -> None:
    client.force_login(zhang_wei)
    response = client.get(reverse("intake_import:template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").strip() == HEADER
