"""The organisation API lists only the person's stations, and only what their role may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.organisation.models import Beat

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_stations(zhang_wei: User, liu_yang: User, chen_chen: User, wang_qiang: User, beat_b: Beat) -> None:
    """南坪 with 张伟, 刘洋, 陈晨 and beat A; 海棠溪 with 王强 and beat B."""


def names(response: Any) -> set[str]:
    return {row["name"] for row in response.json()}


def test_zhang_wei_lists_nanpings_stations_beats_and_officers(client: Client, zhang_wei: User, both_stations: None) -> None:
    client.force_login(zhang_wei)
    assert names(client.get("/api/v1/stations")) == {"南坪派出所"}
    assert names(client.get("/api/v1/beats")) == {"南坪西路警务区"}
    assert names(client.get("/api/v1/officers")) == {"张伟", "刘洋", "陈晨"}


def test_the_beats_map_holds_only_nanpings_beats(client: Client, zhang_wei: User, both_stations: None) -> None:
    client.force_login(zhang_wei)
    collection = client.get("/api/v1/beats.geojson").json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["properties"]["name"] == "南坪西路警务区"
    assert feature["properties"]["officer"] == "刘洋"
    assert feature["properties"]["officer_on_duty"] is True
    assert feature["geometry"]["type"] == "Polygon"


def test_zhou_jie_of_the_bureau_lists_both_stations(client: Client, zhou_jie: User, both_stations: None) -> None:
    client.force_login(zhou_jie)
    assert names(client.get("/api/v1/stations")) == {"南坪派出所", "海棠溪派出所"}
    assert names(client.get("/api/v1/officers")) == {"张伟", "刘洋", "陈晨", "王强"}


def test_chen_chen_the_auxiliary_sees_beats_but_not_the_officers_list(
    client: Client, chen_chen: User, both_stations: None
) -> None:
    client.force_login(chen_chen)
    assert names(client.get("/api/v1/beats")) == {"南坪西路警务区"}
    assert client.get("/api/v1/officers").status_code == 403
    assert client.get(f"/api/v1/officers/{chen_chen.officer.pk}").status_code == 403
    assert client.get(f"/api/v1/teams/{chen_chen.officer.team_id}").status_code == 403
    refusals = AuditEntry.objects.filter(username="chenchen", action=AuditEntry.Action.ACCESS_REFUSED)
    assert sorted(refusals.values_list("object_repr", flat=True)) == sorted([
        "/api/v1/officers", f"/api/v1/officers/{chen_chen.officer.pk}", f"/api/v1/teams/{chen_chen.officer.team_id}",
    ])


def test_an_account_with_no_role_is_refused(client: Client, beat_a: Beat) -> None:
    stranger = User.objects.create(username="stranger")
    client.force_login(stranger)
    assert client.get("/api/v1/beats").status_code == 403


def test_a_role_without_a_station_lists_nothing(client: Client, roles: None, beat_a: Beat) -> None:
    newcomer = User.objects.create(username="newcomer")
    newcomer.groups.add(Group.objects.get(name="community_officer"))
    client.force_login(newcomer)
    assert client.get("/api/v1/beats").json() == []
    assert client.get("/api/v1/stations").json() == []


def test_officer_details_show_the_phone_masked(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    body = client.get(f"/api/v1/officers/{zhang_wei.officer.pk}").json()
    assert body["name"] == "张伟"
    assert body["phone_masked"] == "138****5678"
    assert "phone" not in body
