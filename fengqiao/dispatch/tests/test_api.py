"""The dispatch API: recommendations, orders and each step, with the refusals a client must handle."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts.services import do_create_token
from fengqiao.intake.models import Incident

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    _row, token = do_create_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_recommendations_name_the_beat_officer_first_with_reasons(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, he_ping: Any) -> None:
    answer = Client().get(f"/api/v1/incidents/{noise_incident.pk}/recommendations", **bearer(zhang_wei))
    assert answer.status_code == 200
    body = answer.json()
    first = body["candidates"][0]
    assert first["officer_id"] == liu_yang.officer.pk and first["team"] == "community"
    assert first["reasons"] and all(isinstance(reason, str) and reason for reason in first["reasons"])
    assert set(first) >= {"officer_id", "name", "team", "reasons", "distance_m", "eta_minutes"}
    assert isinstance(body["shortfall"], list)


def test_a_whole_order_through_the_api(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    commander, officer = bearer(zhang_wei), bearer(liu_yang)
    client = Client()
    made = client.post(f"/api/v1/incidents/{noise_incident.pk}/dispatches", {"officer_id": liu_yang.officer.pk},
                       content_type="application/json", **commander)
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["state"] == "issued" and order["issued_by"] and order["reasons"]
    for action in ("acknowledge", "depart", "arrive"):
        step = client.post(f"/api/v1/dispatches/{order['id']}/{action}", content_type="application/json", **officer)
        assert step.status_code == 200, (action, step.content)
    report = client.post(f"/api/v1/dispatches/{order['id']}/feedback", {
        "disposition": "mediated", "actions": "现场调解，双方达成一致", "legal_basis": "人民调解法",
        "people": [{"name": "王某", "role": "当事人"}]}, content_type="application/json", **officer)
    assert report.status_code == 200, report.content
    assert report.json()["state"] == "reported" and report.json()["feedback"]["disposition"] == "mediated"

    incident = client.get(f"/api/v1/incidents/{noise_incident.pk}", **commander).json()
    assert incident["state"] == "resolved"
    stamps = incident["orders"][0]
    assert all(stamps[name] for name in ("issued_at", "acknowledged_at", "departed_at", "arrived_at", "reported_at"))
    assert stamps["acknowledged_by"]
    assert [follow_up["state"] for follow_up in incident["follow_ups"]] == ["due"]


def test_a_second_dispatch_is_409_with_who_and_when(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, he_ping: Any) -> None:
    commander = bearer(zhang_wei)
    client = Client()
    url = f"/api/v1/incidents/{noise_incident.pk}/dispatches"
    assert client.post(url, {"officer_id": liu_yang.officer.pk}, content_type="application/json", **commander).status_code == 201
    again = client.post(url, {"officer_id": he_ping.officer.pk}, content_type="application/json", **commander)
    assert again.status_code == 409 and "刘洋" in again.json()["detail"]


def test_a_wrong_step_is_409_and_a_bad_field_422(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    client = Client()
    order = client.post(f"/api/v1/incidents/{noise_incident.pk}/dispatches", {"officer_id": liu_yang.officer.pk},
                        content_type="application/json", **bearer(zhang_wei)).json()
    officer = bearer(liu_yang)
    assert client.post(f"/api/v1/dispatches/{order['id']}/arrive", content_type="application/json", **officer).status_code == 409
    client.post(f"/api/v1/dispatches/{order['id']}/acknowledge", content_type="application/json", **officer)
    client.post(f"/api/v1/dispatches/{order['id']}/arrive", content_type="application/json", **officer)
    bad = client.post(f"/api/v1/dispatches/{order['id']}/feedback", {"disposition": "sang_a_song", "actions": "唱歌"},
                      content_type="application/json", **officer)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("disposition")
    short = client.post(f"/api/v1/dispatches/{order['id']}/return", {"reason": ""}, content_type="application/json", **officer)
    assert short.status_code == 422 and "reason" in short.json()["detail"]


def test_an_unknown_officer_is_422_naming_the_field(noise_incident: Incident, zhang_wei: Any) -> None:
    answer = Client().post(f"/api/v1/incidents/{noise_incident.pk}/dispatches", {"officer_id": 999999},
                           content_type="application/json", **bearer(zhang_wei))
    assert answer.status_code == 422 and answer.json()["detail"].startswith("officer_id")


def test_other_stations_get_404_and_officers_cannot_dispatch(noise_incident: Incident, zhang_wei: Any, wang_qiang: Any, liu_yang: Any) -> None:
    client = Client()
    other = bearer(wang_qiang)
    assert client.get(f"/api/v1/incidents/{noise_incident.pk}/recommendations", **other).status_code == 404
    assert client.post(f"/api/v1/incidents/{noise_incident.pk}/dispatches", {"officer_id": liu_yang.officer.pk},
                       content_type="application/json", **other).status_code == 404
    order = client.post(f"/api/v1/incidents/{noise_incident.pk}/dispatches", {"officer_id": liu_yang.officer.pk},
                        content_type="application/json", **bearer(zhang_wei)).json()
    assert client.post(f"/api/v1/dispatches/{order['id']}/acknowledge", content_type="application/json", **other).status_code == 404
    assert client.get(f"/api/v1/dispatches/{order['id']}", **other).status_code == 404
    refused = client.post(f"/api/v1/incidents/{noise_incident.pk}/dispatches", {"officer_id": liu_yang.officer.pk},
                          content_type="application/json", **bearer(liu_yang))
    assert refused.status_code == 403


def test_an_officer_reports_position_and_duty(liu_yang: Any) -> None:
    client = Client()
    me = bearer(liu_yang)
    moved = client.post("/api/v1/me/position", {"lat": 29.531, "lon": 106.561}, content_type="application/json", **me)
    assert moved.status_code == 200 and moved.json()["lat"] == 29.531 and moved.json()["position_at"]
    standby = client.post("/api/v1/me/duty", {"duty_status": "standby"}, content_type="application/json", **me)
    assert standby.json()["duty_status"] == "standby"
    wrong = client.post("/api/v1/me/position", {"lat": 129, "lon": 106.561}, content_type="application/json", **me)
    assert wrong.status_code == 422 and "lat" in wrong.json()["detail"]
