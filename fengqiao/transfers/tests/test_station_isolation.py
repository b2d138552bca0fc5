"""Another station's transfer answers 404 on every page and endpoint — never 403, never the transfer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.core.testing import Change, StationIsolationTests
from fengqiao.transfers.models import Transfer

from .conftest import fresh

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


class TestTransferPagesAndApiKeepToTheirStation(StationIsolationTests):
    object_fixture = "transfer_a"
    urls = ("/transfers/{pk}/", "/api/v1/transfers/{pk}")
    changes = (
        Change("post", "/transfers/{pk}/actions/chase/", {"notes": "请尽快"}, insider_status=302),
        Change("post", "/transfers/{pk}/reveal/", {"reason": "回访"}),
        Change("post", "/api/v1/transfers/{pk}/chase", {"notes": "请尽快"}),
        Change("post", "/api/v1/transfers/{pk}/reveal", {"reason": "回访"}),
    )


def test_wang_qiang_of_station_b_gets_404_on_the_incident_part_and_sees_no_transfer(
        client: Client, transfer_a: Transfer, wang_qiang: Any) -> None:
    client.force_login(wang_qiang)
    assert client.get(f"/transfers/incident/{transfer_a.incident_id}/", **HTMX).status_code == 404
    assert client.post(f"/transfers/incident/{transfer_a.incident_id}/transfer/",
                       {"department": str(transfer_a.department_id), "description": "x"}, **HTMX).status_code == 404
    assert client.post(f"/transfers/{transfer_a.pk}/actions/withdraw/", {"reason": "撤回"}).status_code == 404
    listed = client.get("/transfers/?state=all")
    assert listed.status_code == 200 and transfer_a.number not in listed.content.decode()
    assert fresh(transfer_a).state == "pushed"


def test_zhou_jie_of_the_bureau_reads_the_transfer_but_moves_nothing(client: Client, transfer_a: Transfer,
                                                                      zhou_jie: Any) -> None:
    client.force_login(zhou_jie)
    page = client.get(f"/transfers/{transfer_a.pk}/")
    assert page.status_code == 200 and page.context["actions"] == []
    assert client.post(f"/transfers/{transfer_a.pk}/actions/chase/", {}, **HTMX).status_code == 409
    assert fresh(transfer_a).chases == 0
