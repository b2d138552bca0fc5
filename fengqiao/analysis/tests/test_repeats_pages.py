"""The repeats and escalation pages, the board's near-repeat section, and their API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.services import do_create_token
from fengqiao.analysis.models import NearRepeatAlert
from fengqiao.community.models import Dispute, DisputeParty
from fengqiao.core.testing import PASSWORD
from fengqiao.intake import services
from fengqiao.intake.tests import conftest as intake_fixtures
from fengqiao.organisation.models import Station
from fengqiao.records.models import Address

pytestmark = pytest.mark.django_db

# The intake fixtures: standard addresses in beat A, and receiving a call through the service.
addresses_a = intake_fixtures.addresses_a
receive = intake_fixtures.receive

PHONE = "13987654321"
FLAT = "南坪西路18号3栋2单元501"


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def bearer(user: Any) -> dict[str, str]:
    _row, token = do_create_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(receive: Any, days_ago: float, *, category: str = "dispute.neighbour", **fields: Any) -> Any:
    fields.setdefault("address_text", FLAT)
    return receive("邻居又吵起来了", decision=services.Decision(category=category), caller_phone=PHONE,
                   caller_name="王建国", received_at=timezone.now() - dt.timedelta(days=days_ago), **fields)


@pytest.fixture
def history(receive: Any, station_a: Station, addresses_a: list[Address], zhang_wei: Any) -> Dispute:
    """Four calls from one flat and one phone (one a fight), a burglary nearby, and the flat's dispute."""
    for days in (1, 2, 4):
        call(receive, days)
    call(receive, 5, category="public_order.fight")
    call(receive, 0.01, category="criminal.burglary")
    dispute = Dispute.objects.create(station=station_a, number="纠2026-001", kind=Dispute.Kind.NEIGHBOUR, summary="漏水纠纷",
                                     address=addresses_a[0], opened_at=timezone.now() - dt.timedelta(days=30),
                                     opened_by=zhang_wei)
    DisputeParty.objects.create(dispute=dispute, name="王建国", phone=PHONE)
    return dispute


def test_the_repeats_page_lists_the_flat_and_the_masked_phone(zhang_wei: Any, history: Dispute) -> None:
    response = client_of(zhang_wei).get(reverse("analysis:repeats"), {"days": 30, "minimum": 3})
    assert response.status_code == 200
    page = response.content.decode()
    assert "重复报警地址" in page or "Repeat addresses" in page
    assert 'data-testid="repeat-place" data-count="5"' in page
    assert 'data-testid="repeat-caller" data-calls="5"' in page
    assert "139****4321" in page and PHONE not in page


def test_the_escalation_page_ranks_the_dispute_with_its_reasons(liu_yang: Any, history: Dispute) -> None:
    response = client_of(liu_yang).get(reverse("analysis:escalation"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-number="纠2026-001" data-level="high"' in page
    assert "打架斗殴" in page  # the violent kind named in the reasons
    assert PHONE not in page


@pytest.mark.parametrize("who", ["chen_chen", "wang_qiang"])
def test_who_may_not_see_gets_403_and_another_station_sees_none_of_it(
        who: str, request: pytest.FixtureRequest, history: Dispute) -> None:
    user = request.getfixturevalue(who)
    client = client_of(user)
    if who == "chen_chen":  # an auxiliary sees no analysis
        assert client.get(reverse("analysis:repeats")).status_code == 403
        assert client.get(reverse("analysis:escalation")).status_code == 403
        return
    page = client.get(reverse("analysis:repeats"), {"station": "NP"}).content.decode()
    assert 'data-testid="repeat-place"' not in page and "139****4321" not in page
    assert "纠2026-001" not in client.get(reverse("analysis:escalation"), {"station": "NP"}).content.decode()


def test_the_board_shows_the_near_repeat_alerts(zhang_wei: Any, history: Dispute, station_a: Station) -> None:
    alert = NearRepeatAlert.objects.for_stations([station_a.pk]).get()
    page = client_of(zhang_wei).get(reverse("dispatch:board_live")).content.decode()
    assert 'data-testid="board-near-repeats"' in page
    assert f'data-incident="{alert.incident_id}"' in page


def test_the_api_gives_alerts_repeats_and_the_ranking(zhang_wei: Any, wang_qiang: Any, history: Dispute) -> None:
    client = Client()
    headers = bearer(zhang_wei)
    alerts = client.get("/api/v1/analysis/near-repeats", **headers).json()
    assert [f["properties"]["category"] for f in alerts["features"]] == ["criminal.burglary"]
    callers = client.get("/api/v1/analysis/repeats/callers?days=30&minimum=3", **headers)
    assert callers.status_code == 200
    assert [(c["phone"], c["calls"]) for c in callers.json()] == [("139****4321", 5)]
    places = client.get("/api/v1/analysis/repeats/addresses?minimum=3", **headers).json()
    assert places[0]["count"] == 5
    ranking = client.get("/api/v1/analysis/escalation", **headers).json()
    assert ranking[0]["number"] == "纠2026-001"
    assert {r["code"] for r in ranking[0]["reasons"]} >= {"calls", "violent"}
    assert all(r["text"] for r in ranking[0]["reasons"])

    other = bearer(wang_qiang)
    assert client.get("/api/v1/analysis/near-repeats?station=NP", **other).status_code == 422
    assert client.get("/api/v1/analysis/near-repeats", **other).json()["features"] == []
    assert client.get("/api/v1/analysis/escalation", **other).json() == []
