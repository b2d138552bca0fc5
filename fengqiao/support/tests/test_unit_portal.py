"""The unit portal: a unit's members see only their unit's requests and answer them from a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fengqiao.audit.models import AuditEntry
from fengqiao.core.testing import PASSWORD
from fengqiao.support import machine, services
from fengqiao.support.models import SupportRequest

from .conftest import fresh

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ma_jun_logs_in_and_lands_on_his_units_requests(ma_jun: Any, asked: SupportRequest) -> None:
    client = Client()
    answer = client.post("/accounts/login/", {"username": "majun", "password": PASSWORD}, follow=True)
    assert answer.redirect_chain[-1][0] == "/unit/"
    page = answer.content.decode()
    assert 'lang="zh-hans"' in page and "刑侦大队" in page and asked.number in page


def test_the_home_page_sends_a_unit_member_to_the_portal(ma_jun: Any) -> None:
    answer = logged_in(ma_jun).get("/")
    assert answer.status_code == 302 and answer["Location"] == "/unit/"


def test_the_waiting_tab_shows_both_stations_requests_with_what_when_where_and_whom(
    ma_jun: Any, asked: SupportRequest, asked_b: SupportRequest,
) -> None:
    page = logged_in(ma_jun).get("/unit/").content.decode()
    assert asked.number in page and asked_b.number in page
    assert "南坪派出所" in page and "海棠溪派出所" in page
    assert asked.place in page and "张伟" in page
    assert "138****5678" in page and "13812345678" not in page  # the contact's phone, masked
    assert f'data-testid="unit-accept-{asked.pk}"' in page
    assert 'data-testid="unit-tab-waiting"' in page


def test_guo_tao_of_another_unit_sees_none_of_it_and_gets_404(guo_tao: Any, asked: SupportRequest) -> None:
    client = logged_in(guo_tao)
    page = client.get("/unit/").content.decode()
    assert asked.number not in page and 'data-testid="unit-none"' in page
    assert client.get(f"/unit/{asked.pk}/").status_code == 404
    assert client.post(f"/unit/{asked.pk}/accept/").status_code == 404
    assert client.post(f"/unit/{asked.pk}/reveal/", {"reason": "联系"}).status_code == 404
    assert fresh(asked).state == machine.REQUESTED
    assert AuditEntry.objects.filter(user=guo_tao, action=AuditEntry.Action.ACCESS_REFUSED, object_id=str(asked.pk)).count() == 3
    assert not AuditEntry.objects.filter(user=guo_tao, action=AuditEntry.Action.REVEALED).exists()


def test_station_people_have_no_unit_portal(zhang_wei: Any, wang_qiang: Any, asked: SupportRequest) -> None:
    for user in (zhang_wei, wang_qiang):
        client = logged_in(user)
        assert client.get("/unit/").status_code == 403
        assert client.get(f"/unit/{asked.pk}/").status_code == 403


def test_ma_jun_accepts_from_the_list_and_it_moves_to_the_active_tab(ma_jun: Any, asked: SupportRequest) -> None:
    client = logged_in(ma_jun)
    answer = client.post(f"/unit/{asked.pk}/accept/")
    assert answer.status_code == 302 and answer["Location"] == f"/unit/{asked.pk}/"
    assert fresh(asked).state == machine.ACCEPTED and fresh(asked).accepted_by == ma_jun.unit_membership
    waiting = client.get("/unit/").content.decode()
    assert asked.number not in waiting
    active = client.get("/unit/?tab=active").content.decode()
    assert asked.number in active
    detail = client.get(f"/unit/{asked.pk}/").content.decode()
    assert 'data-testid="unit-do-start"' in detail and 'data-testid="unit-do-complete"' in detail


def test_declining_needs_a_reason(ma_jun: Any, asked: SupportRequest) -> None:
    client = logged_in(ma_jun)
    wrong = client.post(f"/unit/{asked.pk}/decline/", {"reason": ""})
    assert wrong.status_code == 422 and 'role="alert"' in wrong.content.decode()
    assert fresh(asked).state == machine.REQUESTED
    done = client.post(f"/unit/{asked.pk}/decline/", {"reason": "警力不足，请求网安协助"})
    assert done.status_code == 302
    row = fresh(asked)
    assert row.state == machine.DECLINED and row.decline_reason == "警力不足，请求网安协助"
    assert asked.number in client.get("/unit/?tab=done").content.decode()


def test_start_progress_and_complete_from_the_phone(ma_jun: Any, asked: SupportRequest) -> None:
    client = logged_in(ma_jun)
    client.post(f"/unit/{asked.pk}/accept/", {"notes": ""})
    assert client.post(f"/unit/{asked.pk}/start/", {"notes": "已到南坪西路"}).status_code == 302
    assert client.post(f"/unit/{asked.pk}/progress/", {"notes": "已调取两段监控"}).status_code == 302
    assert client.post(f"/unit/{asked.pk}/complete/", {"report": ""}).status_code == 422
    assert client.post(f"/unit/{asked.pk}/complete/", {"report": "嫌疑人向江南大道逃离"}).status_code == 302
    row = fresh(asked)
    assert row.state == machine.COMPLETED and row.report == "嫌疑人向江南大道逃离"
    page = client.get(f"/unit/{asked.pk}/").content.decode()
    assert "已调取两段监控" in page and "嫌疑人向江南大道逃离" in page and 'data-testid="unit-do-' not in page


def test_a_refused_move_says_why_with_409(ma_jun: Any, asked: SupportRequest) -> None:
    answer = logged_in(ma_jun).post(f"/unit/{asked.pk}/complete/", {"report": "完成"})
    assert answer.status_code == 409
    assert asked.number in answer.content.decode() and 'data-testid="unit-error"' in answer.content.decode()


def test_lin_feng_sees_who_answers_for_it_and_may_only_add_notes(ma_jun: Any, lin_feng: Any, asked: SupportRequest) -> None:
    services.do_accept(asked, user=ma_jun)
    client = logged_in(lin_feng)
    page = client.get(f"/unit/{asked.pk}/").content.decode()
    assert 'data-testid="unit-not-mine"' in page and "马骏" in page
    assert 'data-testid="unit-do-progress"' in page and 'data-testid="unit-do-start"' not in page
    assert client.post(f"/unit/{asked.pk}/start/").status_code == 409
    assert client.post(f"/unit/{asked.pk}/progress/", {"notes": "马骏外出，由我跟进"}).status_code == 302


def test_an_overdue_chased_request_is_marked(ma_jun: Any, zhang_wei: Any, asked: SupportRequest) -> None:
    services.do_chase(asked, user=zhang_wei)
    SupportRequest.objects.for_stations([asked.station_id]).filter(pk=asked.pk).update(
        due_at=asked.requested_at - dt.timedelta(minutes=1))
    page = logged_in(ma_jun).get("/unit/").content.decode()
    assert 'class="unit-card state-requested overdue"' in page
    assert 'data-testid="support-overdue"' in page and 'data-testid="support-chased"' in page


def test_ma_jun_reveals_the_contacts_phone_with_a_reason_and_it_is_audited(ma_jun: Any, zhang_wei: Any, asked: SupportRequest) -> None:
    client = logged_in(ma_jun)
    refused = client.post(f"/unit/{asked.pk}/reveal/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "13812345678" not in refused.content.decode() and 'data-testid="reveal-error"' in refused.content.decode()
    answer = client.post(f"/unit/{asked.pk}/reveal/", {"reason": "联系现场民警"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "13812345678" in answer.content.decode()
    row = AuditEntry.objects.get(user=ma_jun, action=AuditEntry.Action.REVEALED)
    assert row.object_type == "organisation.officer" and row.object_id == str(zhang_wei.officer.pk)
    assert asked.number in row.reason and row.station_id == asked.station_id
    page = client.post(f"/unit/{asked.pk}/reveal/", {"reason": "再次联系"})  # without htmx: the whole page
    assert page.status_code == 200 and 'data-testid="revealed-phone"' in page.content.decode()
