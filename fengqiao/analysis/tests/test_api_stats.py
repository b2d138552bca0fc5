# ruff: noqa: F811  (the hand_made fixture imported from stats_fixtures is used as a parameter)
"""GET /api/v1/analysis/statistics and /hotspots: the page's figures, scoped to the user's stations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts.services import do_create_token
from fengqiao.analysis.tests.stats_fixtures import OCTOBER, hand_made  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

STATS = "/api/v1/analysis/statistics"
HOTSPOTS = "/api/v1/analysis/hotspots"


def get(url: str, user: Any, **params: Any) -> Any:
    _row, token = do_create_token(user, name="test")
    return Client().get(url, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_statistics_equal_the_database(hand_made: dict[str, Any], zhang_wei: Any, beat_a: Any) -> None:
    response = get(STATS, zhang_wei, **OCTOBER)
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 4 and data["change"]["previous"] == 2 and data["change"]["yoy"] == 300.0
    assert data["compliance"]["breached"] == 1 and data["non_police"]["share"] == 25.0
    assert data["response"]["dispatch"]["p50"] == 3.0
    assert get(STATS, zhang_wei, **OCTOBER, category="criminal.burglary").json()["total"] == 2
    assert get(STATS, zhang_wei, **OCTOBER, beat=beat_a.pk).json()["total"] == 3


def test_the_api_and_the_page_agree(hand_made: dict[str, Any], zhang_wei: Any) -> None:
    import json
    import re

    client = Client()
    client.force_login(zhang_wei)
    html = client.get("/analysis/", OCTOBER).content.decode()
    page = json.loads(re.search(r'<script id="analysis-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert page == client.get(STATS, OCTOBER).json()


def test_another_station_answers_404(hand_made: dict[str, Any], zhang_wei: Any, wang_qiang: Any, beat_b: Any) -> None:
    assert get(STATS, zhang_wei, station="HTX", **OCTOBER).status_code == 404
    assert get(STATS, zhang_wei, beat=beat_b.pk, **OCTOBER).status_code == 404
    assert get(HOTSPOTS, zhang_wei, station="HTX").status_code == 404
    assert get(STATS, wang_qiang, **OCTOBER).json()["total"] == 3


def test_bad_filters_and_roles(hand_made: dict[str, Any], zhang_wei: Any, chen_chen: Any) -> None:
    response = get(STATS, zhang_wei, start="2026-10-31", end="2026-10-01")
    assert response.status_code == 422 and "end" in response.json()["detail"]
    assert get(STATS, zhang_wei, category="no.such").status_code == 422
    assert get(HOTSPOTS, zhang_wei, method="nonsense").status_code == 422
    assert get(STATS, chen_chen).status_code == 403
    assert Client().get(STATS).status_code == 401


@pytest.mark.parametrize("method", ["counts", "kde", "gistar"])
def test_hot_spot_layers_are_geojson(method: str, hand_made: dict[str, Any], zhang_wei: Any) -> None:
    response = get(HOTSPOTS, zhang_wei, method=method, **OCTOBER)
    assert response.status_code == 200
    layer = response.json()
    assert layer["type"] == "FeatureCollection" and layer["meta"]["method"] == method
    assert layer["meta"]["incidents"] == 3 and layer["meta"]["station"] == "NP"
    for feature in layer["features"]:
        assert feature["geometry"]["type"] == "Polygon" and "level" in feature["properties"]
    if method == "counts":
        assert sum(f["properties"]["value"] for f in layer["features"]) == 3


def test_the_forecast_layer_when_offered(hand_made: dict[str, Any], zhang_wei: Any) -> None:
    from fengqiao.analysis import hotmap

    response = get(HOTSPOTS, zhang_wei, method="forecast")
    if not hotmap.forecast_available():
        assert response.status_code == 422
        return
    assert response.status_code == 200
    layer = response.json()
    assert layer["type"] == "FeatureCollection" and layer["meta"]["method"] == "forecast"
