"""The chief edits the station's intake rules in the admin; calls and incidents are read-only
there, never deleted, and another station's rows are neither listed nor reachable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.intake.models import Call, Category, Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_stations_with_calls(receive: Any, station_b: Any, command_room_b: Any) -> tuple[Incident, Incident]:
    from fengqiao.intake import services

    ours = receive("有人在小区门口打架，已经有人受伤了").incident
    data = services.CallData(source="phone", text="海棠溪有人被偷了手机", received_at=ours.received_at)
    theirs = services.receive_call(station_b, data).incident
    return ours, theirs


def test_the_chief_lists_only_her_stations_intake_rows(client: Client, li_na: Any, two_stations_with_calls: Any) -> None:
    ours, theirs = two_stations_with_calls
    client.force_login(li_na)
    for model in ("category", "categoryfamily", "intakesettings", "call", "incident"):
        response = client.get(f"/admin/intake/{model}/")
        assert response.status_code == 200, model
    listing = client.get("/admin/intake/incident/").content.decode()
    assert ours.number in listing
    assert theirs.number not in listing
    categories = client.get("/admin/intake/category/?q=入室盗窃").content.decode()
    assert categories.count("入室盗窃") >= 1
    assert Category.objects.for_stations([theirs.station_id]).filter(label_zh="入室盗窃").exists()


def test_an_incident_is_shown_read_only_with_its_log_and_cannot_be_deleted(client: Client, li_na: Any, two_stations_with_calls: Any) -> None:
    ours, theirs = two_stations_with_calls
    client.force_login(li_na)
    page = client.get(f"/admin/intake/incident/{ours.pk}/change/")
    assert page.status_code == 200
    assert "打架" in page.content.decode()
    assert client.post(f"/admin/intake/incident/{ours.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"/admin/intake/incident/{theirs.pk}/change/").status_code == 404
    assert Incident.objects.for_stations([ours.station_id]).filter(pk=ours.pk).exists()


def test_the_call_list_masks_the_callers_phone(client: Client, li_na: Any, receive: Any) -> None:
    receive("我家门被撬了", caller_phone="13812345678")
    client.force_login(li_na)
    listing = client.get("/admin/intake/call/").content.decode()
    assert "13812345678" not in listing
    assert "138****5678" in listing
    call = Call.objects.for_user(li_na).get()
    assert "13812345678" not in client.get(f"/admin/intake/call/{call.pk}/change/").content.decode()


def test_the_chief_changes_a_categorys_route_and_the_rules_follow(client: Client, li_na: Any, receive: Any) -> None:
    from fengqiao.intake import services

    incident = receive()
    station_id = incident.incident.station_id
    assert services.suggest(incident.incident.station, "楼上邻居半夜装修太吵了").category == "non_police.noise"
    noise = Category.objects.for_stations([station_id]).get(code="non_police.noise")
    client.force_login(li_na)
    page = client.get(f"/admin/intake/category/{noise.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"route": "community", "priority": 3})
    response = client.post(f"/admin/intake/category/{noise.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    suggestion = services.suggest(incident.incident.station, "楼上邻居半夜装修太吵了")
    assert (suggestion.category, suggestion.route) == ("non_police.noise", "community")
