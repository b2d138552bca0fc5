# ruff: noqa: F811  (the hand_made fixture imported from stats_fixtures is used as a parameter)
"""The statistics page and the hot-spot map: the figures shown equal the database's, the
filters refresh them (htmx), and another station's data is never shown (404)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.analysis.tests.stats_fixtures import OCTOBER, hand_made  # noqa: F401 - fixture
from fengqiao.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _figures(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="analysis-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page embeds its figures"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _cell(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">\s*([^<\s]+)', html)
    assert found
    return found.group(1)


def test_the_statistics_page_shows_the_database_figures(hand_made: dict[str, Any], zhang_wei: Any, beat_a: Any) -> None:
    response = _client(zhang_wei).get(reverse("analysis:home"), OCTOBER)
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计" in html or "Statistics" in html
    figures = _figures(html)
    assert figures["total"] == 4 and figures["station"]["code"] == "NP"
    assert _cell(html, "total") == "4"
    assert _cell(html, "compliance") == "75.0%"
    assert _cell(html, "non-police") == "25.0%"
    assert 'data-testid="chart-hour"' in html and "echarts.min.js" in html and "analysis.js" in html
    assert f'data-beat="{beat_a.pk}"' in html
    assert "入室盗窃" in html  # category names in Chinese


def test_filters_refresh_the_figures_with_htmx(hand_made: dict[str, Any], zhang_wei: Any, beat_a: Any) -> None:
    client = _client(zhang_wei)
    response = client.get(reverse("analysis:home"), {**OCTOBER, "category": "criminal.burglary"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="analysis-figures"' in html
    assert _figures(html)["total"] == 2
    assert _figures(client.get(reverse("analysis:home"), {**OCTOBER, "beat": beat_a.pk}).content.decode())["total"] == 3
    assert _figures(client.get(reverse("analysis:home"), {**OCTOBER, "category": "non_police"}).content.decode())["total"] == 1


def test_bad_filters_are_named(hand_made: dict[str, Any], zhang_wei: Any) -> None:
    client = _client(zhang_wei)
    response = client.get(reverse("analysis:home"), {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 422 and 'data-testid="filter-errors"' in response.content.decode()
    assert client.get(reverse("analysis:home"), {"category": "no.such"}).status_code == 422


def test_the_default_period_works_without_filters(hand_made: dict[str, Any], li_na: Any) -> None:
    response = _client(li_na).get(reverse("analysis:home"))
    assert response.status_code == 200 and _figures(response.content.decode())["filters"]["period"] == "30d"


def test_another_stations_figures_are_never_shown(hand_made: dict[str, Any], zhang_wei: Any, wang_qiang: Any,
                                                  beat_b: Any) -> None:
    client = _client(zhang_wei)
    assert client.get(reverse("analysis:home"), {**OCTOBER, "station": "HTX"}).status_code == 404
    assert client.get(reverse("analysis:home"), {**OCTOBER, "beat": beat_b.pk}).status_code == 404
    assert client.get(reverse("analysis:hotspots"), {"station": "HTX"}).status_code == 404
    other = _figures(_client(wang_qiang).get(reverse("analysis:home"), OCTOBER).content.decode())
    assert other["total"] == 3 and other["station"]["code"] == "HTX"


def test_the_sub_bureau_chooses_among_its_stations(hand_made: dict[str, Any], zhou_jie: Any) -> None:
    client = _client(zhou_jie)
    html = client.get(reverse("analysis:home"), {**OCTOBER, "station": "HTX"}).content.decode()
    assert _figures(html)["total"] == 3 and 'class="station-choice"' in html


def test_roles_without_analysis_are_refused(hand_made: dict[str, Any], chen_chen: Any) -> None:
    assert _client(chen_chen).get(reverse("analysis:home")).status_code == 403
    assert Client().get(reverse("analysis:home")).status_code == 302


def test_the_hot_spot_map_page(hand_made: dict[str, Any], zhang_wei: Any, beat_a: Any) -> None:
    response = _client(zhang_wei).get(reverse("analysis:hotspots"), {**OCTOBER, "method": "gistar"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-method="gistar"' in html and "leaflet.js" in html and "analysis.js" in html
    beats = json.loads(re.search(r'<script id="beats-geojson" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert [f["properties"]["id"] for f in beats["features"]] == [beat_a.pk]
    url = re.search(r'data-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert url.startswith("/api/v1/analysis/hotspots?") and "station=NP" in url and "start=2026-10-01" in url
    layer = _client(zhang_wei).get(url + "&method=counts").json()
    assert sum(f["properties"]["value"] for f in layer["features"]) == 3


def test_near_repeat_circles_are_the_stations_own(hand_made: dict[str, Any], station_a: Any) -> None:
    from fengqiao.analysis import statistics
    from fengqiao.analysis.models import NearRepeatAlert
    from fengqiao.analysis.tests.stats_fixtures import at

    for incident in (hand_made["one"], hand_made["others"][0]):  # unless the repeats part raised them already
        if not NearRepeatAlert.objects.for_stations([incident.station_id]).filter(incident=incident).exists():
            NearRepeatAlert.objects.create(
                station=incident.station, incident=incident, category=incident.category, beat=incident.beat,
                latitude=incident.latitude, longitude=incident.longitude, radius_metres=200,
                starts_at=incident.received_at, ends_at=at("2026-10-15T00:00"), created_at=incident.received_at)
    circles = statistics.near_repeat_circles(station_a, at("2026-10-02T12:00"))
    assert circles and all(abs(c["lat"] - 29.531) < 0.01 and c["radius"] == 200 for c in circles)
    assert statistics.near_repeat_circles(station_a, at("2026-11-20T00:00")) == []


def test_a_preset_period_wins_over_dates_left_in_the_form(hand_made: dict[str, Any], zhang_wei: Any) -> None:
    client = _client(zhang_wei)
    html = client.get(reverse("analysis:home"), {**OCTOBER, "period": "7d"}).content.decode()
    assert _figures(html)["filters"]["period"] == "7d"
    html = client.get(reverse("analysis:home"), OCTOBER).content.decode()
    assert _figures(html)["filters"]["period"] == "custom" and '<option value="custom" selected>' in html
