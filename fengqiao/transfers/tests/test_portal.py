"""The department portal as 徐岚 of urban management uses it on her phone — and what nobody
else can reach through it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.transfers import services
from fengqiao.transfers.models import Transfer

from .conftest import CALLER_PHONE, fresh

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_xu_lan_lands_on_the_portal_after_login(client: Client, xu_lan: Any) -> None:
    from fengqiao.core.testing import PASSWORD

    response = client.post("/accounts/login/", {"username": "xulan", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/portal/"
    assert 'data-testid="portal"' in response.content.decode()


def test_xu_lan_sees_the_new_transfer_with_its_deadline(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    response = logged_in(client, xu_lan).get("/portal/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and "南岸区城市管理局" in page and "噪音扰民" in page
    assert f'data-number="{transfer_a.number}"' in page and 'data-testid="portal-deadline"' in page
    assert dict((key, count) for key, _label, count in response.context["tabs"]) == {
        "new": 1, "doing": 0, "reported": 0, "closed": 0}
    # only the portal in the navigation: nothing of the station's
    assert [item["url"] for item in response.context["navigation"]] == ["/portal/"]
    assert "/incidents/" not in page and "/board/" not in page
    assert list(client.get("/portal/?tab=closed").context["items"]) == []


def test_an_overdue_and_chased_item_is_marked(client: Client, transfer_a: Transfer, xu_lan: Any, zhang_wei: Any) -> None:
    services.do_chase(transfer_a, user=zhang_wei)
    Transfer.objects.for_stations([transfer_a.station_id]).filter(pk=transfer_a.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=10))
    page = logged_in(client, xu_lan).get("/portal/").content.decode()
    assert 'data-testid="portal-chased"' in page and "portal-item overdue" in page
    item = client.get(f"/portal/{transfer_a.pk}/").content.decode()
    assert 'data-testid="portal-chased"' in item and "is-overdue" in item


def test_xu_lan_opens_the_item_with_the_caller_masked_and_reveals_the_number_with_a_reason(
        client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    logged_in(client, xu_lan)
    response = client.get(f"/portal/{transfer_a.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and "钱女士" in page and "139****2222" in page and CALLER_PHONE not in page
    assert "南坪西路" in page and "请城管到现场处理广场舞噪音" in page
    assert [action for action, _label, _form in response.context["actions"]] == ["receive", "return", "note"]
    assert AuditEntry.objects.filter(action="viewed_personal", object_id=str(transfer_a.pk), user=xu_lan).exists()
    assert client.post(f"/portal/{transfer_a.pk}/reveal/", {"reason": ""}).status_code == 422
    revealed = client.post(f"/portal/{transfer_a.pk}/reveal/", {"reason": "联系报警人确认具体位置"})
    assert revealed.status_code == 200 and CALLER_PHONE in revealed.content.decode()
    assert AuditEntry.objects.get(action="revealed", object_id=str(transfer_a.pk), user=xu_lan,
                                  outcome="ok").reason == "联系报警人确认具体位置"


def test_xu_lan_receives_asks_for_more_time_and_reports_from_her_phone(client: Client, transfer_a: Transfer,
                                                                      xu_lan: Any) -> None:
    logged_in(client, xu_lan)
    received = client.post(f"/portal/{transfer_a.pk}/actions/receive/", {}, **HTMX)
    assert received.status_code == 200 and 'data-testid="portal-message"' in received.content.decode()
    assert fresh(transfer_a).state == "received"
    assert 'data-testid="portal-open-extend"' in received.content.decode()
    new_due = timezone.localtime(fresh(transfer_a).result_due + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    extended = client.post(f"/portal/{transfer_a.pk}/actions/extend/", {"new_deadline": new_due, "reason": "需协调物业"},
                           **HTMX)
    assert extended.status_code == 200
    row = fresh(transfer_a)
    assert row.state == "in_progress" and row.extensions == 1
    assert timezone.localtime(row.result_due).strftime("%Y-%m-%dT%H:%M") == new_due
    reported = client.post(f"/portal/{transfer_a.pk}/actions/report/", {"result": "已约谈组织者，音量调低"})
    assert reported.status_code == 302 and reported["Location"] == f"/portal/{transfer_a.pk}/"
    assert fresh(transfer_a).state == "result"
    tabs = dict((key, count) for key, _label, count in client.get("/portal/").context["tabs"])
    assert tabs["reported"] == 1 and tabs["new"] == 0


def test_a_bad_extension_is_422_and_a_wrong_move_409(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    logged_in(client, xu_lan)
    wrong = client.post(f"/portal/{transfer_a.pk}/actions/start/", {}, **HTMX)
    assert wrong.status_code == 409 and 'data-testid="portal-error"' in wrong.content.decode()
    client.post(f"/portal/{transfer_a.pk}/actions/receive/", {}, **HTMX)
    earlier = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(f"/portal/{transfer_a.pk}/actions/extend/", {"new_deadline": earlier, "reason": "需要时间"}, **HTMX)
    assert bad.status_code == 422 and bad.context["actions"]
    assert fresh(transfer_a).extensions == 0
    assert client.post(f"/portal/{transfer_a.pk}/actions/confirm/", {"answer": "satisfied"}, **HTMX).status_code == 404


def test_xu_lan_returns_it_as_not_ours(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    logged_in(client, xu_lan)
    response = client.post(f"/portal/{transfer_a.pk}/actions/return/", {"reason": "属于物业管理范畴"}, **HTMX)
    assert response.status_code == 200 and fresh(transfer_a).state == "returned"
    assert fresh(transfer_a).incident.state == "triaged"
    assert [item.number for item in client.get("/portal/?tab=closed").context["items"]] == [transfer_a.number]


# -- isolation ---------------------------------------------------------------------------------------------


def test_he_jun_of_market_regulation_gets_404_on_urban_management_s_item(client: Client, transfer_a: Transfer,
                                                                         he_jun: Any) -> None:
    logged_in(client, he_jun)
    listed = client.get("/portal/?tab=new")
    assert listed.status_code == 200 and transfer_a.number not in listed.content.decode()
    for response in (client.get(f"/portal/{transfer_a.pk}/"),
                     client.post(f"/portal/{transfer_a.pk}/actions/receive/", {}, **HTMX),
                     client.post(f"/portal/{transfer_a.pk}/reveal/", {"reason": "看看"})):
        assert response.status_code == 404
        assert transfer_a.number not in response.content.decode() and CALLER_PHONE not in response.content.decode()
    assert fresh(transfer_a).state == "pushed"
    assert AuditEntry.objects.filter(action="access_refused", user=he_jun, object_id=str(transfer_a.pk)).count() == 3
    assert not AuditEntry.objects.filter(action="revealed", user=he_jun).exists()


def test_a_department_user_reaches_nothing_of_the_station(client: Client, transfer_a: Transfer, xu_lan: Any) -> None:
    logged_in(client, xu_lan)
    assert client.get("/").status_code == 302
    for url in ("/transfers/", f"/transfers/{transfer_a.pk}/", f"/transfers/incident/{transfer_a.incident_id}/",
                f"/incidents/{transfer_a.incident_id}/", "/board/"):
        assert client.get(url).status_code in (403, 404), url


def test_station_users_have_no_portal(client: Client, transfer_a: Transfer, zhang_wei: Any, wang_qiang: Any) -> None:
    logged_in(client, zhang_wei)
    assert client.get("/portal/").status_code == 403
    assert client.get(f"/portal/{transfer_a.pk}/").status_code == 403
    other = Client()
    other.force_login(wang_qiang)
    assert other.get(f"/portal/{transfer_a.pk}/").status_code == 403
