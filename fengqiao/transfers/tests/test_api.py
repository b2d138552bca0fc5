"""The Open311-like API: urban management's system reads its items and posts updates; the
station transfers, confirms, withdraws and chases."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts.services import do_create_token
from fengqiao.audit.models import AuditEntry
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Department
from fengqiao.transfers.models import Transfer, TransferUpdate

from .conftest import CALLER_PHONE, fresh

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    _row, token = do_create_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client: Client, url: str, body: dict[str, Any], auth: dict[str, str]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **auth)


def test_urban_management_lists_its_new_items_open311_style(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    auth = bearer(xu_lan)
    response = client.get("/api/v1/transfers?status=pushed", **auth)
    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == transfer_a.pk and item["number"] == transfer_a.number
    assert item["service_code"] == "non_police.noise" and item["service_name"] == "噪音扰民"
    assert item["status"] == "pushed" and item["agency_responsible"] == "南岸区城市管理局"
    assert item["caller_name"] == "钱女士" and item["caller_phone"] == "139****2222"
    assert item["address"].startswith("南岸区") and item["lat"] is not None and item["long"] is not None
    assert item["requested_datetime"] and item["expected_datetime"] and item["updated_datetime"]
    assert client.get("/api/v1/transfers?status=received", **auth).json() == []
    assert CALLER_PHONE not in response.content.decode()
    detail = client.get(f"/api/v1/transfers/{transfer_a.pk}", **auth).json()
    assert detail["incident_id"] is None and [u["action"] for u in detail["updates"]] == ["push"]


def test_urban_management_posts_its_updates_through_the_api(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    auth = bearer(xu_lan)
    url = f"/api/v1/transfers/{transfer_a.pk}/updates"
    assert post(client, url, {"status": "received"}, auth).json()["status"] == "received"
    assert post(client, url, {"status": "in_progress", "notes": "已派中队"}, auth).status_code == 200
    new_due = (fresh(transfer_a).result_due + dt.timedelta(days=1)).isoformat()
    extended = post(client, url, {"status": "extended", "notes": "需协调物业", "new_deadline": new_due}, auth)
    assert extended.status_code == 200 and extended.json()["extensions"] == 1
    assert post(client, url, {"status": "note", "notes": "今晚蹲守"}, auth).status_code == 200
    result = post(client, url, {"status": "result", "notes": "已约谈组织者"}, auth)
    assert result.status_code == 200 and result.json()["status"] == "result" and result.json()["result"] == "已约谈组织者"
    vias = set(TransferUpdate.objects.for_stations([transfer_a.station_id]).filter(transfer=transfer_a)
               .exclude(action="push").values_list("via", flat=True))
    assert vias == {"api"}


def test_refusals_are_409_with_the_machine_s_code_and_bad_fields_422(client: Client, transfer_a: Transfer,
                                                                     xu_lan: Any) -> None:
    auth = bearer(xu_lan)
    url = f"/api/v1/transfers/{transfer_a.pk}/updates"
    wrong = post(client, url, {"status": "in_progress"}, auth)
    assert wrong.status_code == 409 and wrong.json()["code"] == "wrong_state" and transfer_a.number in wrong.json()["detail"]
    post(client, url, {"status": "received"}, auth)
    no_deadline = post(client, url, {"status": "extended", "notes": "需要时间"}, auth)
    assert no_deadline.status_code == 422 and no_deadline.json()["detail"].startswith("new_deadline")
    assert post(client, url, {"status": "done"}, auth).status_code == 422
    assert post(client, url, {"status": "returned"}, auth).status_code == 422  # a return needs its reason


def test_he_jun_s_department_sees_nothing_of_it(client: Client, transfer_a: Transfer, he_jun: Any) -> None:
    auth = bearer(he_jun)
    assert client.get("/api/v1/transfers?status=all", **auth).json() == []
    assert client.get(f"/api/v1/transfers/{transfer_a.pk}", **auth).status_code == 404
    assert post(client, f"/api/v1/transfers/{transfer_a.pk}/updates", {"status": "received"}, auth).status_code == 404
    assert post(client, f"/api/v1/transfers/{transfer_a.pk}/reveal", {"reason": "看看"}, auth).status_code == 404
    assert fresh(transfer_a).state == "pushed"
    assert AuditEntry.objects.filter(action="access_refused", user=he_jun, object_id=str(transfer_a.pk)).exists()


def test_a_department_reveals_the_caller_s_number_with_a_reason(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    auth = bearer(xu_lan)
    url = f"/api/v1/transfers/{transfer_a.pk}/reveal"
    assert post(client, url, {"reason": ""}, auth).status_code == 422
    response = post(client, url, {"reason": "回电确认位置"}, auth)
    assert response.status_code == 200 and response.json() == {"caller_phone": CALLER_PHONE}
    assert AuditEntry.objects.filter(action="revealed", user=xu_lan, object_id=str(transfer_a.pk), outcome="ok").exists()


def test_the_station_transfers_confirms_and_closes_through_the_api(client: Client, noise_complaint: Incident,
                                                                   zhang_wei: Any, xu_lan: Any,
                                                                   urban_management: Department) -> None:
    auth = bearer(zhang_wei)
    created = post(client, f"/api/v1/incidents/{noise_complaint.pk}/transfer", {"description": "请城管处理"}, auth)
    assert created.status_code == 201
    body = created.json()
    assert body["agency_responsible"] == "南岸区城市管理局" and body["incident_id"] == noise_complaint.pk
    again = post(client, f"/api/v1/incidents/{noise_complaint.pk}/transfer", {"description": "再次"}, auth)
    assert again.status_code == 409 and again.json()["code"] == "already_transferred"
    transfer_id = body["id"]
    early = post(client, f"/api/v1/transfers/{transfer_id}/confirm", {"answer": "satisfied"}, auth)
    assert early.status_code == 409 and early.json()["code"] == "wrong_state"
    chased = post(client, f"/api/v1/transfers/{transfer_id}/chase", {"notes": "请尽快签收"}, auth)
    assert chased.status_code == 200 and chased.json()["chases"] == 1
    dept = bearer(xu_lan)
    post(client, f"/api/v1/transfers/{transfer_id}/updates", {"status": "received"}, dept)
    post(client, f"/api/v1/transfers/{transfer_id}/updates", {"status": "result", "notes": "已处理"}, dept)
    assert post(client, f"/api/v1/transfers/{transfer_id}/confirm", {"answer": "great"}, auth).status_code == 422
    confirmed = post(client, f"/api/v1/transfers/{transfer_id}/confirm", {"answer": "fairly", "notes": "基本满意"}, auth)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert Incident.objects.for_stations([noise_complaint.station_id]).get(pk=noise_complaint.pk).state == "closed"
    listed = client.get("/api/v1/transfers?status=all", **auth).json()
    assert [item["id"] for item in listed] == [transfer_id]


def test_the_station_withdraws_and_may_not_post_department_updates(client: Client, transfer_a: Transfer,
                                                                  zhang_wei: Any) -> None:
    auth = bearer(zhang_wei)
    assert post(client, f"/api/v1/transfers/{transfer_a.pk}/updates", {"status": "received"}, auth).status_code == 403
    assert post(client, f"/api/v1/transfers/{transfer_a.pk}/withdraw", {"reason": ""}, auth).status_code == 422
    withdrawn = post(client, f"/api/v1/transfers/{transfer_a.pk}/withdraw", {"reason": "报警人已撤销"}, auth)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_a_department_may_not_use_the_station_s_endpoints(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    auth = bearer(xu_lan)
    assert post(client, f"/api/v1/transfers/{transfer_a.pk}/chase", {}, auth).status_code == 403
    assert post(client, f"/api/v1/transfers/{transfer_a.pk}/confirm", {"answer": "satisfied"}, auth).status_code == 403
    assert post(client, f"/api/v1/incidents/{transfer_a.incident_id}/transfer", {"description": "x"}, auth).status_code == 403
    assert client.get("/api/v1/incidents", **auth).status_code in (403, 404)


def test_an_unknown_department_is_422(client: Client, noise_complaint: Incident, zhang_wei: Any) -> None:
    response = post(client, f"/api/v1/incidents/{noise_complaint.pk}/transfer", {"description": "x", "department_id": 9999},
                    bearer(zhang_wei))
    assert response.status_code == 422 and response.json()["detail"].startswith("department_id")
