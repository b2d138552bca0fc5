"""The admin site: units and their members are kept there; requests are shown, never changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.support.models import SupportRequest, Unit

pytestmark = pytest.mark.django_db


def test_the_administrator_keeps_units_and_sees_requests_read_only(administrator: Any, asked: SupportRequest,
                                                                    xingzhen: Unit, ma_jun: Any) -> None:
    Unit.objects.filter(pk=xingzhen.pk).update(phone="13600001234")
    client = Client()
    client.force_login(administrator)
    for url in ("/admin/support/unit/", f"/admin/support/unit/{xingzhen.pk}/change/", "/admin/support/unitmember/",
                "/admin/support/supportrequest/", f"/admin/support/supportrequest/{asked.pk}/change/"):
        answer = client.get(url)
        assert answer.status_code == 200, url
    unit_page = client.get(f"/admin/support/unit/{xingzhen.pk}/change/").content.decode()
    assert "136****1234" in unit_page and "马骏" in unit_page
    request_page = client.get(f"/admin/support/supportrequest/{asked.pk}/change/").content.decode()
    assert asked.number in request_page and 'name="_save"' not in request_page
    assert client.get("/admin/support/supportrequest/add/").status_code == 403


def test_a_station_leader_sees_only_her_stations_requests(li_na: Any, asked: SupportRequest, asked_b: SupportRequest) -> None:
    client = Client()
    client.force_login(li_na)
    page = client.get("/admin/support/supportrequest/")
    assert page.status_code == 200 and f"/admin/support/supportrequest/{asked.pk}/change/" in page.content.decode()
    assert f"/admin/support/supportrequest/{asked_b.pk}/change/" not in page.content.decode()
    assert client.get(f"/admin/support/supportrequest/{asked_b.pk}/change/").status_code == 404
