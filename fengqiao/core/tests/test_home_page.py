"""The station home page: the person's own station, its beats on the map, who is on duty."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.organisation.models import Beat, Station

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_stations_staffed(zhang_wei: User, liu_yang: User, chen_chen: User, wang_qiang: User, beat_b: Beat) -> None:
    """南坪: 张伟 and 刘洋 on duty, 陈晨 off duty; 海棠溪: 王强 on duty, beat B."""


def beats_on_the_map(page: str) -> list[str]:
    start = page.index('<script id="beats-geojson" type="application/json">') + len('<script id="beats-geojson" type="application/json">')
    end = page.index("</script>", start)
    collection = json.loads(page[start:end])
    assert collection["type"] == "FeatureCollection"
    return [feature["properties"]["name"] for feature in collection["features"]]


def test_zhang_wei_sees_nanping_its_beat_and_who_is_on_duty(client: Client, zhang_wei: User, both_stations_staffed: None) -> None:
    client.force_login(zhang_wei)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 data-testid="station-name">南坪派出所</h1>' in page
    assert beats_on_the_map(page) == ["南坪西路警务区"]
    assert '<dd data-testid="on-duty-count">2</dd>' in page
    assert "刘洋" in page
    assert "张伟" in page


def test_zhang_wei_never_sees_haitangxi(client: Client, zhang_wei: User, both_stations_staffed: None) -> None:
    client.force_login(zhang_wei)
    page = client.get("/").content.decode()
    assert "海棠溪正街警务区" not in page
    assert "海棠溪派出所" not in page
    assert "王强" not in page


def test_asking_for_another_station_shows_his_own(
    client: Client, zhang_wei: User, station_b: Station, both_stations_staffed: None
) -> None:
    client.force_login(zhang_wei)
    page = client.get("/", {"station": station_b.pk}).content.decode()
    assert '<h1 data-testid="station-name">南坪派出所</h1>' in page
    assert "海棠溪正街警务区" not in page


def test_wang_qiang_sees_haitangxi(client: Client, wang_qiang: User, both_stations_staffed: None) -> None:
    client.force_login(wang_qiang)
    page = client.get("/").content.decode()
    assert '<h1 data-testid="station-name">海棠溪派出所</h1>' in page
    assert beats_on_the_map(page) == ["海棠溪正街警务区"]
    assert "刘洋" not in page


def test_zhou_jie_of_the_bureau_can_pick_either_station(
    client: Client, zhou_jie: User, station_b: Station, both_stations_staffed: None
) -> None:
    client.force_login(zhou_jie)
    page = client.get("/").content.decode()
    assert '<select id="station-select"' in page
    assert "南坪派出所" in page and "海棠溪派出所" in page
    page = client.get("/", {"station": station_b.pk}).content.decode()
    assert '<h1 data-testid="station-name">海棠溪派出所</h1>' in page
    assert beats_on_the_map(page) == ["海棠溪正街警务区"]


def test_a_user_with_no_station_sees_no_station_data(client: Client, beat_a: Beat) -> None:
    nobody = User.objects.create(username="nobody")
    client.force_login(nobody)
    response = client.get("/")
    assert response.status_code == 200
    assert "beats-geojson" not in response.content.decode()
    assert "南坪" not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_the_page_is_in_chinese_by_default(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_the_login_page_is_in_chinese_by_default(client: Client) -> None:
    assert '<html lang="zh-hans">' in client.get("/accounts/login/").content.decode()


def test_the_page_switches_to_english_on_request(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert '<h1 data-testid="station-name">南坪派出所</h1>' in page
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    assert '<html lang="zh-hans">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_auxiliary_chen_chen_sees_the_beats_but_not_the_stations_people(
    client: Client, chen_chen: User, both_stations_staffed: None
) -> None:
    client.force_login(chen_chen)
    page = client.get("/").content.decode()
    assert beats_on_the_map(page) == ["南坪西路警务区"]
    assert 'data-testid="on-duty-count"' not in page
    assert "张伟" not in page  # the commander on duty is not the auxiliary's business
