"""The campaigns API: the list and one campaign with its burn-down, the items (masked), loading a
list (dry run, per-row problems, all or nothing), outcomes, re-assignment, and isolation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.accounts.services import do_create_token
from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import plan
from fengqiao.campaigns.models import Campaign, CampaignItem
from fengqiao.records import idcard
from fengqiao.records.models import Resident

from .conftest import NUMBER_A

pytestmark = pytest.mark.django_db

UNKNOWN_ID = idcard.make("500103", dt.date(1991, 7, 9), 12, "M")


def bearer(user: Any) -> dict[str, str]:
    _row, token = do_create_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def get(url: str, user: Any) -> Any:
    return Client().get(url, **bearer(user))


def post(url: str, user: Any, body: dict[str, Any]) -> Any:
    return Client().post(url, body, content_type="application/json", **bearer(user))


def items_of(campaign: Campaign) -> Any:
    return CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign).order_by("row")


# -- reading -------------------------------------------------------------------------------------------


def test_the_list_shows_ones_own_stations_campaigns_open_first_with_their_figures(
        zhang_wei: User, wang_qiang: User, zhou_jie: User, station_a: Any, campaign_a: Campaign,
        items_a: list[CampaignItem], campaign_b: Campaign, make_campaign: Any) -> None:
    old = make_campaign(station_a, title="出租屋流动人口信息核查", created_at=timezone.now() - dt.timedelta(days=7),
                        state=Campaign.State.CLOSED)
    CampaignItem.objects.for_stations([station_a.pk]).filter(pk=items_a[0].pk).update(state=plan.DONE, outcome=plan.VERIFIED)
    answer = get("/api/v1/campaigns", zhang_wei)
    assert answer.status_code == 200, answer.content
    rows = answer.json()
    assert [row["id"] for row in rows] == [campaign_a.pk, old.pk]
    first = rows[0]
    assert first["state"] == "open" and first["station"] == station_a.code and first["title"] == "涉诈高风险人员电话核查"
    assert (first["items"], first["done"], first["open"], first["visit"], first["late"]) == (3, 1, 2, 0, 0)
    assert first["percent"] == 33 and first["behind"] is False and first["overdue"] is False
    assert [row["id"] for row in get("/api/v1/campaigns?state=closed", zhang_wei).json()] == [old.pk]
    assert [row["id"] for row in get("/api/v1/campaigns", wang_qiang).json()] == [campaign_b.pk]
    assert {row["id"] for row in get("/api/v1/campaigns", zhou_jie).json()} == {campaign_a.pk, old.pk, campaign_b.pk}


def test_one_campaign_has_its_burn_down_per_officer_and_per_beat(zhang_wei: User, liu_yang: User, campaign_a: Campaign,
                                                                  items_a: list[CampaignItem]) -> None:
    answer = get(f"/api/v1/campaigns/{campaign_a.pk}", zhang_wei)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["columns"] == ["序号", "姓名", "身份证号", "联系电话", "户籍地址"]
    assert body["mapping"] == {"name": 1, "id_number": 2, "phone": 3, "address": 4}
    assert body["by_match"] == {"id_number": 1, "address": 1, "none": 1}
    burn = body["burn_down"]
    assert burn["by"] == "officer" and (burn["total"], burn["done"], burn["open"]) == (3, 0, 3)
    assert burn["expected_done"] == 0 and 170 <= burn["minutes_left"] <= 180 and burn["projected_finish"] is None
    assert burn["groups"] == [{"key": liu_yang.officer.pk, "name": "刘洋", "total": 3, "done": 0, "visit": 0, "open": 3,
                               "late": 0, "expected": 0, "behind": False}]
    assert burn["ideal"][0][1] == 3 and burn["ideal"][-1][1] == 0 and burn["remaining"][-1][1] == 3
    by_beat = get(f"/api/v1/campaigns/{campaign_a.pk}?by=beat", zhang_wei).json()["burn_down"]
    assert by_beat["by"] == "beat" and sum(group["total"] for group in by_beat["groups"]) == 3
    assert get(f"/api/v1/campaigns/{campaign_a.pk}?by=street", zhang_wei).status_code == 422


def test_items_are_masked_and_filtered(zhang_wei: User, campaign_a: Campaign, items_a: list[CampaignItem]) -> None:
    answer = get(f"/api/v1/campaigns/{campaign_a.pk}/items", zhang_wei)
    assert answer.status_code == 200, answer.content
    rows = answer.json()
    assert [row["name"] for row in rows] == ["王秀英", "张三", "无名氏"] and [row["row"] for row in rows] == [2, 3, 4]
    first = rows[0]
    assert first["phone"] == "139****4321" and first["id_number"] == NUMBER_A[:6] + "********" + NUMBER_A[-4:]
    assert NUMBER_A not in answer.content.decode() and "13987654321" not in answer.content.decode()
    assert first["match"] == "id_number" and first["officer"] == "刘洋" and first["state"] == "open"
    unmatched = get(f"/api/v1/campaigns/{campaign_a.pk}/items?unmatched=true", zhang_wei).json()
    assert [row["name"] for row in unmatched] == ["无名氏"]
    assert [row["name"] for row in get(f"/api/v1/campaigns/{campaign_a.pk}/items?how=round_robin", zhang_wei).json()] == ["无名氏"]
    assert get(f"/api/v1/campaigns/{campaign_a.pk}/items?state=done", zhang_wei).json() == []
    assert get(f"/api/v1/campaigns/{campaign_a.pk}/items?state=lost", zhang_wei).status_code == 422
    one = get(f"/api/v1/campaign-items/{items_a[1].pk}", zhang_wei)
    assert one.status_code == 200 and one.json()["phone"] == "135****2222"


def test_another_stations_campaigns_and_items_are_not_found(wang_qiang: User, zhang_wei: User, campaign_a: Campaign,
                                                            items_a: list[CampaignItem], campaign_b: Campaign) -> None:
    item_b = items_of(campaign_b).first()
    for url in (f"/api/v1/campaigns/{campaign_a.pk}", f"/api/v1/campaigns/{campaign_a.pk}/items",
                f"/api/v1/campaign-items/{items_a[0].pk}"):
        assert get(url, wang_qiang).status_code == 404, url
    assert post(f"/api/v1/campaign-items/{items_a[0].pk}/outcome", wang_qiang, {"outcome": "verified"}).status_code == 404
    assert post(f"/api/v1/campaign-items/{items_a[2].pk}/reassign", wang_qiang,
                {"officer_id": wang_qiang.officer.pk}).status_code == 404
    assert post(f"/api/v1/campaign-items/{item_b.pk}/reassign", zhang_wei,
                {"officer_id": zhang_wei.officer.pk}).status_code == 404
    assert items_of(campaign_a).filter(state=plan.OPEN).count() == 3
    refused = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_REFUSED, user=wang_qiang)
    assert refused.exists()


def test_no_token_is_401_and_an_auxiliary_sees_nothing(chen_chen: User, campaign_a: Campaign) -> None:
    assert Client().get("/api/v1/campaigns").status_code == 401
    assert Client().get(f"/api/v1/campaigns/{campaign_a.pk}").status_code == 401
    assert get("/api/v1/campaigns", chen_chen).status_code == 403
    assert get(f"/api/v1/campaigns/{campaign_a.pk}", chen_chen).status_code == 403


# -- working the items -------------------------------------------------------------------------------------


def test_the_officer_records_outcomes_on_their_own_items(liu_yang: User, campaign_a: Campaign,
                                                         items_a: list[CampaignItem]) -> None:
    url = f"/api/v1/campaign-items/{items_a[0].pk}/outcome"
    answer = post(url, liu_yang, {"outcome": "verified", "notes": "本人接听，新号码13987654321", "new_phone": "13987654321"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "done" and body["outcome"] == "verified" and body["outcome_by"] == "刘洋"
    assert body["attempts"] == 1 and body["phone"] == "139****4321" and "13987654321" not in answer.content.decode()
    visit = post(f"/api/v1/campaign-items/{items_a[1].pk}/outcome", liu_yang, {"outcome": "door_visit"})
    assert visit.status_code == 422 and visit.json()["detail"].startswith("visit_team")
    at = timezone.localtime(timezone.now() + dt.timedelta(hours=1)).replace(tzinfo=None, microsecond=0)
    visit = post(f"/api/v1/campaign-items/{items_a[1].pk}/outcome", liu_yang,
                 {"outcome": "door_visit", "visit_team": ["刘洋", "网格员陈静", "社区医生王芳"], "visit_at": at.isoformat()})
    assert visit.status_code == 200, visit.content
    assert visit.json()["state"] == "visit" and visit.json()["visit_team"] == ["刘洋", "网格员陈静", "社区医生王芳"]
    assert timezone.localtime(dt.datetime.fromisoformat(visit.json()["visit_at"])).replace(tzinfo=None) == at
    assert post(url, liu_yang, {"outcome": "lost"}).status_code == 422
    burn = get(f"/api/v1/campaigns/{campaign_a.pk}", liu_yang).json()["burn_down"]
    assert (burn["done"], burn["visit"], burn["open"]) == (1, 1, 2)


def test_another_officers_item_is_refused_the_command_room_may_record_and_a_closed_campaign_takes_none(
        liu_yang: User, sun_li: User, zhang_wei: User, campaign_a: Campaign, items_a: list[CampaignItem]) -> None:
    url = f"/api/v1/campaign-items/{items_a[2].pk}/outcome"
    refused = post(url, sun_li, {"outcome": "wrong_data"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_yours"
    answer = post(url, zhang_wei, {"outcome": "wrong_data", "notes": "查无此人"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["outcome"] == "wrong_data" and answer.json()["officer"] == "刘洋"
    Campaign.objects.for_stations([campaign_a.station_id]).filter(pk=campaign_a.pk).update(state=Campaign.State.CLOSED)
    closed = post(f"/api/v1/campaign-items/{items_a[0].pk}/outcome", liu_yang, {"outcome": "verified"})
    assert closed.status_code == 409 and closed.json()["code"] == "closed"


def test_the_command_room_reassigns_an_open_item(zhang_wei: User, liu_yang: User, sun_li: User, chen_chen: User,
                                                 campaign_a: Campaign, items_a: list[CampaignItem]) -> None:
    url = f"/api/v1/campaign-items/{items_a[2].pk}/reassign"
    assert post(url, liu_yang, {"officer_id": sun_li.officer.pk}).status_code == 403
    bad = post(url, zhang_wei, {"officer_id": chen_chen.officer.pk})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("officer_id")
    answer = post(url, zhang_wei, {"officer_id": sun_li.officer.pk})
    assert answer.status_code == 200, answer.content
    assert answer.json()["officer"] == "孙丽" and answer.json()["assigned_how"] == "reassigned"
    post(f"/api/v1/campaign-items/{items_a[0].pk}/outcome", liu_yang, {"outcome": "verified"})
    done = post(f"/api/v1/campaign-items/{items_a[0].pk}/reassign", zhang_wei, {"officer_id": sun_li.officer.pk})
    assert done.status_code == 409 and done.json()["code"] == "done"


# -- loading a list ----------------------------------------------------------------------------------------


HEADER = ["序号", "姓名", "公民身份号码", "联系电话", "现住地址"]


def list_file(rows: list[list[str]]) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile("核查名单.csv", out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def load(user: User, rows: list[list[str]], *, dry_run: bool | None = None, **fields: Any) -> Any:
    body: dict[str, Any] = {"file": list_file(rows), "title": "涉诈高风险人员电话核查", "issuer": "分局治安大队",
                            "deadline": (timezone.now() + dt.timedelta(hours=4)).isoformat(), "instructions": "逐一电话核实"}
    body.update(fields)
    query = "" if dry_run is None else f"?dry_run={str(dry_run).lower()}"
    return Client().post(f"/api/v1/campaigns{query}", body, **bearer(user))


GOOD_ROWS = [["1", "王秀英", NUMBER_A, "13812345678", "南坪西路18号"], ["2", "王五", UNKNOWN_ID, "13700001111", "不详"]]


def campaigns_at(station: Any) -> int:
    return Campaign.objects.for_stations([station.pk]).count()


def test_a_dry_run_checks_the_list_and_keeps_nothing(zhang_wei: User, liu_yang: User, wang_xiuying: Resident,
                                                     station_a: Any) -> None:
    answer = load(zhang_wei, GOOD_ROWS)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["dry_run"] is True and body["ok"] is True and body["campaign"] is None and body["rows"] == 2
    assert body["mapping"] == {"name": 1, "id_number": 2, "phone": 3, "address": 4}
    assert body["by_match"] == {"id_number": 1, "none": 1}
    assert {entry["name"]: entry["items"] for entry in body["officers"]}["刘洋"] >= 1
    assert campaigns_at(station_a) == 0


def test_bad_rows_answer_422_with_every_problem_and_keep_nothing(zhang_wei: User, station_a: Any) -> None:
    bad_id = NUMBER_A[:-1] + ("0" if NUMBER_A[-1] != "0" else "1")
    rows = [["1", "王秀英", bad_id, "13812345678", "南坪西路18号"], ["2", "", "", "13700001111", "不详"],
            ["3", "王五", UNKNOWN_ID, "", ""], ["4", "王五", UNKNOWN_ID, "", ""]]
    for dry_run in (True, False):
        answer = load(zhang_wei, rows, dry_run=dry_run)
        assert answer.status_code == 422, answer.content
        body = answer.json()
        assert body["ok"] is False and body["campaign"] is None
        assert sorted({problem["row"] for problem in body["problems"]}) == [2, 3, 5]
        assert all(problem["message"] for problem in body["problems"])
        assert bad_id not in answer.content.decode()
    assert campaigns_at(station_a) == 0


def test_bad_details_answer_422_naming_the_field(zhang_wei: User, liu_yang: User, station_a: Any) -> None:
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    answer = load(zhang_wei, GOOD_ROWS, dry_run=False, deadline=past)
    assert answer.status_code == 422 and answer.json()["detail"].startswith("deadline")
    answer = load(zhang_wei, GOOD_ROWS, dry_run=False, issuer=" ")
    assert answer.status_code == 422 and answer.json()["detail"].startswith("issuer")
    answer = load(zhang_wei, GOOD_ROWS, dry_run=False, mapping="{not json")
    assert answer.status_code == 422 and answer.json()["detail"].startswith("mapping")
    assert load(liu_yang, GOOD_ROWS, dry_run=False).status_code == 403
    assert campaigns_at(station_a) == 0


def test_a_good_list_loads_whole_and_is_at_once_in_the_api(zhang_wei: User, liu_yang: User, wang_xiuying: Resident,
                                                            station_a: Any) -> None:
    mapping = json.dumps({"name": 1, "id_number": 2, "phone": 3, "address": 4})
    answer = load(zhang_wei, GOOD_ROWS, dry_run=False, mapping=mapping)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["ok"] is True and body["number"].startswith("核") and body["dry_run"] is False
    campaign = Campaign.objects.for_stations([station_a.pk]).get(pk=body["campaign"])
    assert campaign.columns == HEADER and campaign.title == "涉诈高风险人员电话核查"
    items = get(f"/api/v1/campaigns/{campaign.pk}/items", liu_yang).json()
    assert [(row["name"], row["match"]) for row in items] == [("王秀英", "id_number"), ("王五", "none")]
    assert items[0]["officer"] == "刘洋" and items[0]["assigned_how"] == "beat"
    assert items[0]["resident_id"] == wang_xiuying.pk and items[0]["phone"] == "138****5678"
    detail = get(f"/api/v1/campaigns/{campaign.pk}", zhang_wei).json()
    assert detail["items"] == 2 and detail["burn_down"]["total"] == 2
