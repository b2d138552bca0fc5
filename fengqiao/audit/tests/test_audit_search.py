"""The audit search page: station chiefs see their own station's rows; others are refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.audit.context import acting_as
from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


@pytest.fixture
def history(zhang_wei: User, wang_qiang: User, li_na: User, zhao_min: User) -> None:
    """Some things that happened at both stations."""
    with acting_as(user=zhang_wei, ip_address="10.50.1.23"):
        record(Action.REVEALED, obj=li_na.officer, reason="南坪核实来电人")
    with acting_as(user=wang_qiang, ip_address="10.60.1.5"):
        record(Action.REVEALED, obj=zhao_min.officer, reason="海棠溪核实来电人")
        record(Action.VIEWED_PERSONAL, obj=zhao_min.officer, reason="海棠溪查看档案")


def test_li_na_sees_nanpings_rows_and_not_haitangxis(client: Client, li_na: User, history: None) -> None:
    client.force_login(li_na)
    response = client.get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "南坪核实来电人" in page
    assert "10.50.1.23" in page
    assert "海棠溪核实来电人" not in page
    assert "海棠溪查看档案" not in page
    assert "10.60.1.5" not in page


def test_zhao_min_sees_haitangxis_rows_and_not_nanpings(client: Client, zhao_min: User, history: None) -> None:
    client.force_login(zhao_min)
    page = client.get("/audit/").content.decode()
    assert "海棠溪核实来电人" in page
    assert "南坪核实来电人" not in page


def test_li_na_sees_failed_logins_of_her_stations_people(client: Client, li_na: User, zhang_wei: User, wang_qiang: User) -> None:
    client.post("/accounts/login/", {"username": "zhangwei", "password": "wrong-guess-1"}, REMOTE_ADDR="10.50.7.7")
    client.post("/accounts/login/", {"username": "wangqiang", "password": "wrong-guess-2"}, REMOTE_ADDR="10.60.7.7")
    client.force_login(li_na)
    page = client.get("/audit/", {"action": Action.LOGIN_FAILED}).content.decode()
    assert "10.50.7.7" in page
    assert "10.60.7.7" not in page


def test_filtering_by_action_keeps_only_that_action(client: Client, zhao_min: User, history: None) -> None:
    client.force_login(zhao_min)
    page = client.get("/audit/", {"action": Action.VIEWED_PERSONAL}).content.decode()
    assert "海棠溪查看档案" in page
    assert "海棠溪核实来电人" not in page


def test_searching_by_text_finds_the_reason(client: Client, zhao_min: User, history: None) -> None:
    client.force_login(zhao_min)
    page = client.get("/audit/", {"q": "档案"}).content.decode()
    assert "海棠溪查看档案" in page
    assert "海棠溪核实来电人" not in page


def test_searching_by_address_finds_the_rows_from_it(client: Client, zhao_min: User, history: None) -> None:
    client.force_login(zhao_min)
    page = client.get("/audit/", {"q": "10.60.1"}).content.decode()
    assert "海棠溪核实来电人" in page
    assert "海棠溪查看档案" in page


def test_the_administrator_sees_both_stations(client: Client, administrator: User, history: None) -> None:
    client.force_login(administrator)
    page = client.get("/audit/").content.decode()
    assert "南坪核实来电人" in page
    assert "海棠溪核实来电人" in page


def test_zhang_wei_the_commander_is_refused_and_the_refusal_is_recorded(
    client: Client, zhang_wei: User, history: None
) -> None:
    client.force_login(zhang_wei)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "南坪核实来电人" not in response.content.decode()
    [row] = AuditEntry.objects.filter(action=Action.ACCESS_REFUSED)
    assert (row.user, row.outcome, row.object_type, row.object_repr) == (zhang_wei, "refused", "path", "/audit/")
    assert row.station == zhang_wei.officer.station


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_filtering_by_dates_follows_the_stations_local_day(client: Client, li_na: User) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    station = li_na.officer.station
    for at, reason in [
        (datetime(2026, 3, 1, 23, 30, tzinfo=shanghai), "三月一日深夜"),
        (datetime(2026, 3, 2, 0, 30, tzinfo=shanghai), "三月二日凌晨"),
        (datetime(2026, 3, 2, 23, 59, tzinfo=shanghai), "三月二日深夜"),
        (datetime(2026, 3, 3, 0, 1, tzinfo=shanghai), "三月三日凌晨"),
    ]:
        AuditEntry.objects.create(action=Action.VIEWED_PERSONAL, station=station, at=at, reason=reason)
    client.force_login(li_na)
    page = client.get("/audit/", {"start": "2026-03-02", "end": "2026-03-02"}).content.decode()
    assert "三月二日凌晨" in page and "三月二日深夜" in page
    assert "三月一日深夜" not in page and "三月三日凌晨" not in page


def test_a_look_across_stations_is_in_both_stations_logs(
    client: Client, li_na: User, zhao_min: User, zhang_wei: User, wang_qiang: User
) -> None:
    from django.http import Http404

    from fengqiao.core.access import get_for_user_or_404
    from fengqiao.organisation.models import Officer

    with acting_as(user=wang_qiang, ip_address="10.60.1.5"), pytest.raises(Http404):
        get_for_user_or_404(Officer.objects.all(), wang_qiang, pk=zhang_wei.officer.pk)
    [row] = AuditEntry.objects.filter(action=Action.ACCESS_REFUSED)
    assert (row.station_id, row.actor_station_id) == (zhang_wei.officer.station_id, wang_qiang.officer.station_id)
    for leader in (li_na, zhao_min):  # 南坪's leader: whose data; 海棠溪's leader: who looked
        client.force_login(leader)
        page = client.get("/audit/", {"action": Action.ACCESS_REFUSED}).content.decode()
        assert "10.60.1.5" in page, leader.username
