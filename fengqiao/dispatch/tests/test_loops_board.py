# ruff: noqa: F811  (fixtures imported from the support tests are used as parameters)
"""The loops after dispatch on the command board and the leaders' home page: what is open,
what is overdue, soonest first, and only the station's own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from fengqiao.cases import services as case_services
from fengqiao.core.testing import PASSWORD
from fengqiao.dispatch.loops import open_loops
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)
from fengqiao.support.tests.conftest import (  # noqa: F401  (fixtures)
    ask,
    case_team_a,
    incident_b,
    sun_li,
    theft_incident,
    xingzhen,
)


def _overdue_case_and_request(theft_incident: Any, zhang_wei: Any, li_na: Any, sun_li: Any, xingzhen: Any) -> tuple[Any, Any]:
    long_ago = timezone.now() - dt.timedelta(days=10)
    request = ask(theft_incident, zhang_wei, xingzhen, now=timezone.now() - dt.timedelta(hours=3),
                  needed_in=dt.timedelta(hours=1))
    case = case_services.do_accept_case(theft_incident, user=li_na, kind="criminal", complexity="simple",
                                        lead=sun_li.officer, now=long_ago)
    return case, request


def test_an_overdue_case_and_an_unanswered_request_are_raised_soonest_first(
    theft_incident: Any, zhang_wei: Any, li_na: Any, sun_li: Any, xingzhen: Any, incident_b: Any, wang_qiang: Any,
) -> None:
    case, request = _overdue_case_and_request(theft_incident, zhang_wei, li_na, sun_li, xingzhen)
    ask(incident_b, wang_qiang, xingzhen)  # 海棠溪's own request: not 南坪's business

    loops = open_loops([theft_incident.station_id])

    assert loops.open == {"case": 1, "transfer": 0, "support": 1}
    assert loops.overdue == {"case": 1, "transfer": 0, "support": 1}
    assert [row.number for row in loops.rows] == [case.number, request.number]  # the case fell due days ago
    assert all(row.overdue for row in loops.rows)
    assert loops.rows[0].owner == "孙立" and loops.rows[1].owner == xingzhen.name
    assert loops.rows[0].url == f"/cases/{case.pk}/"


def test_the_board_and_the_leaders_home_page_show_them(
    theft_incident: Any, zhang_wei: Any, li_na: Any, sun_li: Any, xingzhen: Any,
) -> None:
    case, request = _overdue_case_and_request(theft_incident, zhang_wei, li_na, sun_li, xingzhen)
    client = Client()
    client.login(username=li_na.username, password=PASSWORD)
    for url in ("/board/live/", "/"):
        page = client.get(url).content.decode()
        assert 'data-testid="board-loops"' in page, url
        assert case.number in page and request.number in page, url
        assert 'data-testid="count-loops-overdue">2<' in page or url == "/", url
