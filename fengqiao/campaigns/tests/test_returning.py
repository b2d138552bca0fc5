"""The return: the original columns exactly as loaded plus the results, XLSX and CSV; a reveal."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import returning
from fengqiao.campaigns.models import Campaign, CampaignItem, CampaignLog
from fengqiao.campaigns.tests.conftest import COLUMNS
from fengqiao.core.testing import PASSWORD
from fengqiao.records.crypto import decrypt

pytestmark = pytest.mark.django_db

# Suggested Chinese (the lead fills the catalogue): 核查结果, 核查时间, 核查民警, 备注, 上门核查人员, 逾期.


def _zh(text: Any) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _results() -> list[str]:
    with translation.override("zh-hans"):
        return returning.result_headers()


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _loaded(campaign: Campaign) -> list[list[str]]:
    items = CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign).order_by("row")
    return [json.loads(decrypt(item.original)) for item in items]


def _read(body: bytes, fmt: str) -> list[list[str]]:
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_return_round_trips(fmt: str, worked_a: Campaign, zhang_wei: Any) -> None:
    response = _client(zhang_wei).post(reverse("campaigns:return", args=[worked_a.pk]),
                                       {"reason": "回传分局治安大队", "format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(returning.CONTENT_TYPES[fmt].split(";")[0])
    assert "attachment" in response["Content-Disposition"]
    rows = _read(response.content, fmt)
    assert rows[0] == COLUMNS + _results()
    loaded = _loaded(worked_a)
    assert len(rows) == 1 + len(loaded) == 6
    width = len(COLUMNS)
    for row, original in zip(rows[1:], loaded, strict=True):
        assert row[:width] == original  # clear identity numbers and phones, exactly as they came
        assert len(row) == width + 6
    results = {row[1]: row[width:] for row in rows[1:]}
    verified = results["王秀英"]
    assert verified[0] == _zh(CampaignItem.Outcome.VERIFIED.label)
    assert len(verified[1]) == 16 and verified[2] == "刘洋" and verified[3] == "本人接听，信息无误"
    assert results["钱七"][0] == _zh(CampaignItem.Outcome.DOOR_VISIT.label)
    assert results["钱七"][2] == "孙丽" and results["钱七"][4].startswith("孙丽、周红、吴医生")
    assert results["孙八"][5] == _zh("Yes") and results["孙八"][0] == "" and results["张三"] == ["", "", "", "", "", ""]


def test_the_return_is_a_reveal_logged_and_stamped(worked_a: Campaign, zhang_wei: Any) -> None:
    _client(zhang_wei).post(reverse("campaigns:return", args=[worked_a.pk]), {"reason": "回传分局", "format": "csv"})
    audit = AuditEntry.objects.get(action=AuditEntry.Action.REVEALED, object_type="campaigns.campaign")
    assert audit.user == zhang_wei and audit.reason == "回传分局" and audit.outcome == AuditEntry.Outcome.OK
    log = CampaignLog.objects.for_stations([worked_a.station_id]).get(action=CampaignLog.Action.EXPORTED)
    assert log.author == zhang_wei and log.data == {"format": "csv", "rows": 5} and log.text == "回传分局"
    assert Campaign.objects.for_stations([worked_a.station_id]).get(pk=worked_a.pk).returned_at is not None


def test_the_return_needs_a_reason(worked_a: Campaign, zhang_wei: Any) -> None:
    # (no reason: refused before anything is read, so no audit row either, as for the records' reveal)
    response = _client(zhang_wei).post(reverse("campaigns:return", args=[worked_a.pk]), {"reason": " ", "format": "xlsx"})
    assert response.status_code == 422
    assert response.context["return_error"]
    assert 'data-testid="return-error"' in response.content.decode()
    assert not CampaignLog.objects.for_stations([worked_a.station_id]).filter(action=CampaignLog.Action.EXPORTED).exists()
    assert Campaign.objects.for_stations([worked_a.station_id]).get(pk=worked_a.pk).returned_at is None


def test_the_return_needs_the_permission(worked_a: Campaign, liu_yang: Any) -> None:
    response = _client(liu_yang).post(reverse("campaigns:return", args=[worked_a.pk]),
                                      {"reason": "想看看", "format": "xlsx"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    refused = AuditEntry.objects.get(action=AuditEntry.Action.REVEALED, object_type="campaigns.campaign")
    assert refused.outcome == AuditEntry.Outcome.REFUSED and refused.user == liu_yang
    assert not CampaignLog.objects.for_stations([worked_a.station_id]).filter(action=CampaignLog.Action.EXPORTED).exists()


def test_another_stations_campaign_cannot_be_returned(campaign_b: Campaign, zhang_wei: Any) -> None:
    response = _client(zhang_wei).post(reverse("campaigns:return", args=[campaign_b.pk]),
                                       {"reason": "回传", "format": "csv"})
    assert response.status_code == 404
    assert not CampaignLog.objects.for_stations([campaign_b.station_id]).filter(action=CampaignLog.Action.EXPORTED).exists()


def test_result_table_keeps_odd_cells_as_text(campaign_a: Campaign, make_item: Any) -> None:
    item = make_item(campaign_a, name="=SUM(A1)", address_text="0012")
    headers, rows = returning.result_table(campaign_a)
    assert headers[: len(COLUMNS)] == COLUMNS
    assert rows == [json.loads(decrypt(item.original)) + ["", "", "", "", "", ""]]
    back = _read(returning.table_bytes(headers, rows, "xlsx"), "xlsx")
    assert back[1][:len(COLUMNS)] == json.loads(decrypt(item.original))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_masked_items_export_has_no_clear_identifiers(fmt: str, worked_a: Campaign, zhang_wei: Any) -> None:
    response = _client(zhang_wei).get(reverse("campaigns:items_export", args=[worked_a.pk]), {"format": fmt})
    assert response.status_code == 200
    rows = _read(response.content, fmt)
    assert len(rows) == 6 and "身份证号" in rows[0]
    text = "\n".join(",".join(row) for row in rows)
    for original in _loaded(worked_a):
        for cell in original[2:4]:
            if cell:
                assert cell not in text  # the clear numbers never leave in this file
    assert "*" in text
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED, object_type="campaigns.campaignitem").count() == 1
