"""The support API: the station asks and follows up, the unit answers, each sees only its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.services import do_create_token
from fengqiao.intake.models import Incident
from fengqiao.support import machine
from fengqiao.support.models import SupportRequest, Unit

from .conftest import fresh

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    _row, token = do_create_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(url: str, user: Any, body: dict[str, Any] | None = None) -> Any:
    return Client().post(url, body or {}, content_type="application/json", **bearer(user))


def get(url: str, user: Any) -> Any:
    return Client().get(url, **bearer(user))


def test_zhang_wei_asks_through_the_api(zhang_wei: Any, theft_incident: Incident, xingzhen: Unit) -> None:
    needed = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    answer = post(f"/api/v1/incidents/{theft_incident.pk}/support-requests", zhang_wei, {
        "unit_id": xingzhen.pk, "need": "video", "details": "调取监控，报警人电话13987654321", "people": 2, "needed_by": needed})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["state"] == "requested" and body["number"].startswith("援") and body["unit"] == "刑侦大队"
    assert body["place"] == theft_incident.address_text and body["contact"] == "张伟"
    assert body["contact_phone"] == "138****5678" and "13987654321" not in body["details"]
    assert [update["action"] for update in body["updates"]] == ["request"]
    assert body["due_step"] == "accept" and body["overdue"] is False


def test_a_local_time_without_zone_is_the_stations(zhang_wei: Any, theft_incident: Incident, xingzhen: Unit) -> None:
    local = timezone.localtime(timezone.now() + dt.timedelta(hours=2)).replace(tzinfo=None, microsecond=0)
    answer = post(f"/api/v1/incidents/{theft_incident.pk}/support-requests", zhang_wei, {
        "unit_id": xingzhen.pk, "need": "scene", "details": "现场勘查", "needed_by": local.isoformat()})
    assert answer.status_code == 201, answer.content
    row = SupportRequest.objects.for_stations([theft_incident.station_id]).get(pk=answer.json()["id"])
    assert timezone.localtime(row.needed_by).replace(tzinfo=None) == local


def test_bad_fields_answer_422_naming_them(zhang_wei: Any, theft_incident: Incident, xingzhen: Unit, unit_elsewhere: Unit) -> None:
    url = f"/api/v1/incidents/{theft_incident.pk}/support-requests"
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    answer = post(url, zhang_wei, {"unit_id": xingzhen.pk, "need": "video", "details": "监控", "needed_by": past})
    assert answer.status_code == 422 and answer.json()["detail"].startswith("needed_by")
    answer = post(url, zhang_wei, {"unit_id": unit_elsewhere.pk, "need": "video", "details": "监控", "needed_by": future})
    assert answer.status_code == 422 and answer.json()["detail"].startswith("unit")
    answer = post(url, zhang_wei, {"unit_id": xingzhen.pk, "need": "video", "needed_by": future})
    assert answer.status_code == 422 and "details" in answer.json()["detail"]


def test_a_community_officer_may_not_ask(liu_yang: Any, theft_incident: Incident, xingzhen: Unit) -> None:
    answer = post(f"/api/v1/incidents/{theft_incident.pk}/support-requests", liu_yang, {
        "unit_id": xingzhen.pk, "need": "video", "details": "监控", "needed_by": (timezone.now() + dt.timedelta(hours=1)).isoformat()})
    assert answer.status_code == 403


def test_each_sees_only_their_own_in_the_list(zhang_wei: Any, zhou_jie: Any, ma_jun: Any, guo_tao: Any, asked: SupportRequest,
                                               asked_b: SupportRequest) -> None:
    def numbers(user: Any, query: str = "") -> set[str]:
        answer = get(f"/api/v1/support-requests{query}", user)
        assert answer.status_code == 200, answer.content
        return {row["number"] + row["station"] for row in answer.json()}

    mine, theirs = asked.number + "NP", asked_b.number + "HTX"
    assert numbers(zhang_wei) == {mine}
    assert numbers(zhou_jie) == {mine, theirs}
    assert numbers(ma_jun) == {mine, theirs}
    assert numbers(guo_tao) == set()
    assert numbers(ma_jun, "?state=accepted") == set()
    assert numbers(ma_jun, "?overdue=true") == set()
    assert get("/api/v1/support-requests?state=nonsense", ma_jun).status_code == 422


def test_one_request_answers_404_to_those_it_is_not_for(wang_qiang: Any, guo_tao: Any, ma_jun: Any, asked: SupportRequest) -> None:
    assert get(f"/api/v1/support-requests/{asked.pk}", wang_qiang).status_code == 404
    assert get(f"/api/v1/support-requests/{asked.pk}", guo_tao).status_code == 404
    answer = get(f"/api/v1/support-requests/{asked.pk}", ma_jun)
    assert answer.status_code == 200 and answer.json()["number"] == asked.number


def test_ma_jun_answers_through_the_api(ma_jun: Any, lin_feng: Any, asked: SupportRequest) -> None:
    url = f"/api/v1/support-requests/{asked.pk}/updates"
    accepted = post(url, ma_jun, {"action": "accept", "notes": "收到"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted" and accepted.json()["accepted_by"] == "马骏"
    again = post(url, ma_jun, {"action": "accept"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_state" and asked.number in again.json()["detail"]
    not_his = post(url, lin_feng, {"action": "complete", "notes": "完成"})
    assert not_his.status_code == 409 and not_his.json()["code"] == "not_yours"
    assert post(url, lin_feng, {"action": "progress", "notes": "已调取"}).status_code == 200
    assert post(url, ma_jun, {"action": "complete", "notes": ""}).status_code == 422
    done = post(url, ma_jun, {"action": "complete", "notes": "嫌疑人图像已交办案民警"})
    assert done.status_code == 200 and done.json()["state"] == "completed"
    assert [update["action"] for update in done.json()["updates"]] == ["request", "accept", "progress", "complete"]


def test_a_decline_needs_its_reason_in_the_notes(ma_jun: Any, asked: SupportRequest) -> None:
    url = f"/api/v1/support-requests/{asked.pk}/updates"
    missing = post(url, ma_jun, {"action": "decline"})
    assert missing.status_code == 422 and missing.json()["detail"].startswith("notes")
    assert post(url, ma_jun, {"action": "decline", "notes": "本队无人"}).json()["state"] == "declined"


def test_only_unit_members_post_updates(zhang_wei: Any, guo_tao: Any, asked: SupportRequest) -> None:
    url = f"/api/v1/support-requests/{asked.pk}/updates"
    assert post(url, zhang_wei, {"action": "accept"}).status_code == 403
    assert post(url, guo_tao, {"action": "accept"}).status_code == 404
    assert fresh(asked).state == machine.REQUESTED


def test_the_station_chases_reroutes_and_cancels(zhang_wei: Any, ma_jun: Any, asked: SupportRequest, wangan: Unit) -> None:
    base = f"/api/v1/support-requests/{asked.pk}"
    chased = post(f"{base}/chase", zhang_wei)
    assert chased.status_code == 200 and chased.json()["chases"] == 1
    assert post(f"{base}/chase", ma_jun).status_code == 403
    assert post(f"{base}/reroute", zhang_wei, {"unit_id": wangan.pk}).json()["code"] == "wrong_state"
    post(f"{base}/updates", ma_jun, {"action": "decline", "notes": "不属于本队"})
    later = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    moved = post(f"{base}/reroute", zhang_wei, {"unit_id": wangan.pk, "needed_by": later})
    assert moved.status_code == 200 and moved.json()["unit"] == "网安大队" and moved.json()["state"] == "requested"
    assert post(f"{base}/reroute", zhang_wei, {"unit_id": 999999}).status_code == 422
    cancelled = post(f"{base}/cancel", zhang_wei, {"reason": "已破案"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert get(base, ma_jun).status_code == 404  # no longer 刑侦's request
