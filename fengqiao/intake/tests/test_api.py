"""The intake API: the 110 feed's idempotent POST /calls, field errors, and incident work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.core.testing import Change, StationIsolationTests
from fengqiao.intake.models import Call, Incident, IncidentLog

pytestmark = pytest.mark.django_db

FEED = {
    "external_id": "110-20261122-0001",
    "source": "feed_110",
    "received_at": "2026-11-20T21:14:05+08:00",
    "text": "烧烤摊两伙人打起来了，有人拿酒瓶",
    "address": "南坪西路１８号",
    "caller_name": "王先生",
    "caller_phone": "13812345678",
}


def post(client: Client, body: Any, key: str | None = "key-1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return client.post("/api/v1/calls", raw, content_type="application/json", **headers)


@pytest.fixture
def commander(client: Client, zhang_wei: User, addresses_a: Any) -> Client:
    client.force_login(zhang_wei)
    return client


def test_a_feed_call_is_answered_201_with_its_incident(commander: Client, beat_a: Any) -> None:
    response = post(commander, FEED)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created_incident"] is True
    assert body["category"] == "public_order.fight"
    assert body["beat_id"] == beat_a.pk and body["place_unconfirmed"] is False
    assert body["incident_number"].startswith("NP20261120")
    call = Call.objects.for_stations([beat_a.station_id]).get(pk=body["call_id"])
    assert call.external_id == FEED["external_id"] and call.incident_id == body["incident_id"]


def test_a_retry_with_the_same_key_and_body_gets_the_first_answer(commander: Client) -> None:
    first = post(commander, FEED)
    again = post(commander, json.dumps(FEED, ensure_ascii=False, indent=2))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Call.objects.unscoped("test").count() == 1 and Incident.objects.unscoped("test").count() == 1


def test_the_same_key_with_another_body_is_422(commander: Client) -> None:
    post(commander, FEED)
    response = post(commander, {**FEED, "text": "有人吵架"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Idempotency-Key:")
    assert Call.objects.unscoped("test").count() == 1


def test_a_missing_key_is_400_and_nothing_is_kept(commander: Client) -> None:
    response = post(commander, FEED, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert Call.objects.unscoped("test").count() == 0


def test_a_110_id_sent_again_under_a_new_key_is_409(commander: Client) -> None:
    first = post(commander, FEED, key="a")
    response = post(commander, FEED, key="b")
    assert response.status_code == 409
    assert str(first.json()["call_id"]) in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"lat": 95.0, "lon": 106.5}, "lat"),
        ({"source": "pigeon"}, "source"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"caller_phone": "call me"}, "caller_phone"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, "received_at"),
        ({"source": "sensor", "sensor_kind": "seismic"}, "sensor_kind"),
    ],
)
def test_a_bad_field_is_422_naming_it(commander: Client, change: dict[str, Any], field: str) -> None:
    response = post(commander, {**FEED, **change})
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(f"{field}:")
    assert Call.objects.unscoped("test").count() == 0


def test_a_position_without_its_other_half_is_refused(commander: Client) -> None:
    response = post(commander, {**FEED, "lat": 29.53})
    assert response.status_code == 422
    assert "lat and lon" in response.json()["detail"]


def test_a_sensor_alarm_is_filed_by_the_sensor_table(commander: Client) -> None:
    alarm = {"source": "sensor", "sensor_kind": "smoke", "text": "3栋2单元烟感报警", "address": "南坪西路18号3栋"}
    body = post(commander, alarm).json()
    assert (body["category"], body["priority"]) == ("fire.fire", 1)


def test_a_bureau_user_must_name_the_station(client: Client, zhou_jie: User, addresses_a: Any) -> None:
    zhou_jie.user_permissions.add(Permission.objects.get(codename="add_call"))
    client.force_login(zhou_jie)
    assert post(client, FEED).json()["detail"].startswith("station:")
    assert post(client, {**FEED, "station": "NP"}, key="k2").status_code == 201


def test_a_role_without_intake_is_refused(client: Client, liu_yang: User) -> None:
    client.force_login(liu_yang)
    assert post(client, FEED).status_code == 403
    assert AuditEntry.objects.filter(outcome=AuditEntry.Outcome.REFUSED).exists()


def test_a_token_authenticates_the_feed(client: Client, zhang_wei: User, addresses_a: Any) -> None:
    from fengqiao.accounts.services import do_create_token

    _token, token = do_create_token(zhang_wei, name="110 feed")
    response = client.post("/api/v1/calls", json.dumps(FEED), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="t-1", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201


def test_the_caller_is_masked_and_revealed_with_a_reason(commander: Client) -> None:
    call_id = post(commander, FEED).json()["call_id"]
    shown = commander.get(f"/api/v1/calls/{call_id}").json()
    assert shown["caller_phone_masked"] == "138****5678" and "13812345678" not in json.dumps(shown)
    assert commander.post(f"/api/v1/calls/{call_id}/reveal-phone", {"reason": ""}, content_type="application/json").status_code == 422
    revealed = commander.post(f"/api/v1/calls/{call_id}/reveal-phone", {"reason": "回拨核实位置"}, content_type="application/json")
    assert revealed.json() == {"phone": "13812345678"}
    actions = set(AuditEntry.objects.filter(object_id=str(call_id)).values_list("action", flat=True))
    assert {AuditEntry.Action.VIEWED_PERSONAL, AuditEntry.Action.REVEALED} <= actions


def test_triage_and_address_matching_for_the_intake_page(commander: Client) -> None:
    suggestion = commander.post("/api/v1/triage", {"text": "我家门锁被撬了，屋里被翻得乱七八糟"}, content_type="application/json").json()
    assert suggestion["category"] == "criminal.burglary" and suggestion["route"] == "case" and suggestion["reasons"]
    [best, *_rest] = commander.get("/api/v1/addresses/match", {"q": "南坪西路18号3幢2单元501室"}).json()
    assert best["full_text"] == "南岸区南坪街道南坪西路18号3栋2单元501" and best["confident"]


def test_commanders_change_lock_merge_and_strike_through_the_api(client: Client, zhang_wei: User, li_na: User, addresses_a: Any) -> None:
    client.force_login(zhang_wei)
    first = post(client, FEED, key="1").json()["incident_id"]
    second = post(client, {**FEED, "external_id": "110-2", "text": "烧烤摊有人打架"}, key="2").json()
    assert second["possible_duplicates"] == [first]
    assert client.post(f"/api/v1/incidents/{first}/lock").json()["locked_by"] == "张伟"

    other = Client()
    other.force_login(li_na)
    refused = other.patch(f"/api/v1/incidents/{first}", {"priority": 1}, content_type="application/json")
    assert refused.status_code == 409 and "张伟" in refused.json()["detail"]

    changed = client.patch(f"/api/v1/incidents/{first}", {"priority": 1, "tags": ["持械"]}, content_type="application/json").json()
    assert changed["priority"] == 1 and changed["tags"] == ["持械"]
    assert client.patch(f"/api/v1/incidents/{first}", {"category": "criminal.piracy"}, content_type="application/json").json()["detail"].startswith("category:")

    merged = client.post(f"/api/v1/incidents/{second['incident_id']}/merge", {"into": first, "reason": "同一起"}, content_type="application/json").json()
    assert merged["state"] == "merged" and merged["merged_into_id"] == first
    kept = client.get(f"/api/v1/incidents/{first}").json()
    assert len(kept["call_ids"]) == 2

    note = client.post(f"/api/v1/incidents/{first}/notes", {"text": "对方持刀"}, content_type="application/json").json()
    struck = client.post(f"/api/v1/incidents/{first}/log/{note['id']}/strike", {"reason": "听错，是酒瓶"}, content_type="application/json").json()
    assert struck["struck_by"] == "张伟" and struck["text"] == "对方持刀"
    assert IncidentLog.objects.unscoped("test").filter(pk=note["id"]).exists()


def test_the_incident_list_filters_by_state_and_words(commander: Client) -> None:
    post(commander, FEED, key="1")
    post(commander, {**FEED, "external_id": "2", "text": "电动车被偷了", "address": "江南大道8号"}, key="2")
    assert len(commander.get("/api/v1/incidents", {"state": "open"}).json()) == 2
    [found] = commander.get("/api/v1/incidents", {"q": "电动车"}).json()
    assert found["category"].startswith("criminal.")
    assert commander.get("/api/v1/incidents", {"state": "sleeping"}).json()["detail"].startswith("state:")


# -- station isolation ------------------------------------------------------------------------


@pytest.fixture
def incident_a(receive: Any) -> Incident:
    return receive("有人打架", caller_phone="13812345678").incident


@pytest.fixture
def call_a(incident_a: Incident) -> Call:
    return incident_a.calls.get()


class TestIncidentApiKeepsToItsStation(StationIsolationTests):
    object_fixture = "incident_a"
    urls = ("/api/v1/incidents/{pk}",)
    changes = (
        Change("patch", "/api/v1/incidents/{pk}", {"priority": 1}),
        Change("post", "/api/v1/incidents/{pk}/lock", {}),
        Change("post", "/api/v1/incidents/{pk}/notes", {"text": "到场"}, insider_status=201),
        Change("post", "/api/v1/incidents/{pk}/invalid", {"reason": "误拨"}),
    )


class TestCallApiKeepsToItsStation(StationIsolationTests):
    object_fixture = "call_a"
    urls = ("/api/v1/calls/{pk}",)
    changes = (Change("post", "/api/v1/calls/{pk}/reveal-phone", {"reason": "回拨"}),)
