"""The community API: visits, coverage, disputes and their steps, the one step from an incident, teams."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fengqiao.community.models import Dispute, Visit, VolunteerTeam
from fengqiao.intake.models import Incident

from .conftest import WANG_PHONE

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def officer_client(client: Client, liu_yang: Any) -> Client:
    client.force_login(liu_yang)
    return client


def test_a_visit_is_posted_and_read_back(officer_client: Client, flat_501: Any, wang_xiuying: Any) -> None:
    response = post(officer_client, "/api/v1/visits", {"purpose": "anti_fraud", "address_id": flat_501.pk,
                                                      "resident_ids": [wang_xiuying.pk], "findings": f"留了电话{WANG_PHONE}"})
    assert response.status_code == 201
    body = response.json()
    assert (body["address_id"], body["target"], body["people_met"]) == (flat_501.pk, "household", [{"id": wang_xiuying.pk, "name": "王秀英"}])
    assert body["findings"] == "留了电话138****2222"  # a number typed into the findings is masked on the way out
    assert officer_client.get(f"/api/v1/visits/{body['id']}").json()["id"] == body["id"]
    assert [v["id"] for v in officer_client.get(f"/api/v1/visits?address_id={flat_501.pk}").json()] == [body["id"]]


def test_a_bad_visit_is_422_naming_the_field(officer_client: Client, flat_east: Any, chen_chen: Any) -> None:
    response = post(officer_client, "/api/v1/visits", {"purpose": "gossip", "address_id": flat_east.pk})
    assert response.status_code == 422 and response.json()["detail"].startswith("purpose")
    officer_client.force_login(chen_chen)
    outside = post(officer_client, "/api/v1/visits", {"purpose": "anti_fraud", "address_id": flat_east.pk})
    assert outside.status_code == 422 and outside.json()["detail"].startswith("address")


def test_coverage_answers_counts_and_points(client: Client, li_na: Any, visit_a: Visit, house_20: Any, flat_east: Any,
                                           beat_a: Any, beat_b: Any) -> None:
    client.force_login(li_na)
    body = client.get("/api/v1/coverage").json()
    assert body["window_days"] == 90 and body["total"]["households"] == 3 and body["total"]["never"] == 2
    assert {row["code"]: row["covered"] for row in body["beats"]} == {"NP-01": 1, "NP-02": 0}
    one = client.get(f"/api/v1/coverage?beat={beat_a.pk}").json()
    bands = sorted(household[1] for f in one["households"]["features"] for household in f["properties"]["households"])
    assert bands == ["never", "recent"] and len(one["boundaries"]["features"]) == 1
    assert client.get(f"/api/v1/coverage?beat={beat_b.pk}").status_code == 404  # 海棠溪's beat


def test_a_dispute_is_posted_stepped_closed_and_refused_a_second_close(officer_client: Client, flat_501: Any, wang_xiuying: Any,
                                                                       liu_yang: Any) -> None:
    made = post(officer_client, "/api/v1/disputes", {
        "kind": "neighbour", "summary": "漏水纠纷", "risk": "medium", "address_id": flat_501.pk,
        "parties": [{"resident_id": wang_xiuying.pk, "role": "楼下"}, {"name": "孙某", "phone": "13722223333", "role": "楼上"}]})
    assert made.status_code == 201
    body = made.json()
    assert body["officer_id"] == liu_yang.officer.pk and body["number"].startswith("纠")
    assert [p["phone"] for p in body["parties"]] == ["", "137****3333"]
    url = f"/api/v1/disputes/{body['id']}"
    stepped = post(officer_client, url + "/steps", {"method": "on_site", "result": "修好水管，双方和解"})
    assert stepped.status_code == 201 and len(stepped.json()["steps"]) == 1
    closed = post(officer_client, url + "/close", {"outcome": "resolved"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "resolved"
    again = post(officer_client, url + "/close", {"outcome": "agreement"})
    assert again.status_code == 409
    assert post(officer_client, url + "/steps", {"method": "phone", "result": "x"}).status_code == 409
    assert post(officer_client, url + "/reopen", {"reason": "又吵了"}).status_code == 403  # not a leader


def test_bad_disputes_and_steps_are_422_naming_the_field(officer_client: Client, dispute_a: Dispute) -> None:
    assert post(officer_client, "/api/v1/disputes", {"kind": "gossip", "summary": "x"}).json()["detail"].startswith("kind")
    assert post(officer_client, "/api/v1/disputes", {"kind": "other"}).status_code == 422  # no summary
    bad_step = post(officer_client, f"/api/v1/disputes/{dispute_a.pk}/steps", {"method": "on_site", "result": " "})
    assert bad_step.status_code == 422 and bad_step.json()["detail"].startswith("result")
    bad_close = post(officer_client, f"/api/v1/disputes/{dispute_a.pk}/close", {"outcome": "court"})
    assert bad_close.status_code == 422 and bad_close.json()["detail"].startswith("outcome_note")


def test_the_ledger_lists_by_outcome(officer_client: Client, dispute_a: Dispute, liu_yang: Any) -> None:
    assert [d["id"] for d in officer_client.get("/api/v1/disputes?outcome=open").json()] == [dispute_a.pk]
    assert officer_client.get("/api/v1/disputes?outcome=closed").json() == []
    assert officer_client.get("/api/v1/disputes?outcome=sideways").status_code == 422


def test_one_step_from_an_incident_then_the_same_dispute(client: Client, zhang_wei: Any, quarrel: Incident) -> None:
    client.force_login(zhang_wei)
    first = client.post(f"/api/v1/incidents/{quarrel.pk}/dispute")
    assert first.status_code == 201
    body = first.json()
    assert body["incidents"] == [{"id": quarrel.pk, "number": quarrel.number}]
    assert [p["phone"] for p in body["parties"]] == ["138****2222", "136****6666"]
    second = client.post(f"/api/v1/incidents/{quarrel.pk}/dispute")
    assert second.status_code == 200 and second.json()["id"] == body["id"]


def test_volunteer_teams_are_listed_with_the_leaders_phone_masked(officer_client: Client, team_a: VolunteerTeam) -> None:
    teams = officer_client.get("/api/v1/volunteer-teams").json()
    assert [(t["name"], t["members"], t["leader_phone"]) for t in teams] == [("南坪西路红袖标", 2, "138****0000")]


def test_roles_without_the_permission_get_403(client: Client, chen_chen: Any, dispute_a: Dispute, zhou_jie: Any) -> None:
    client.force_login(chen_chen)
    assert post(client, "/api/v1/disputes", {"kind": "other", "summary": "x"}).status_code == 403
    assert post(client, f"/api/v1/disputes/{dispute_a.pk}/steps", {"method": "phone", "result": "x"}).status_code == 403
    client.force_login(zhou_jie)  # the sub-bureau reads, but does not record visits
    assert post(client, "/api/v1/visits", {"purpose": "anti_fraud", "address_id": 1}).status_code == 403
