"""A session left alone for longer than the idle timeout ends on its next request."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from pytest_django import Settings

from fengqiao.accounts.middleware import SESSION_KEY
from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def half_an_hour(settings: Settings) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 30
    settings.IDLE_EXEMPT_ROLES = ()


def last_active(client: Client, minutes_ago: float) -> None:
    session = client.session
    session[SESSION_KEY] = time.time() - minutes_ago * 60
    session.save()


def expired_rows() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.SESSION_EXPIRED))


def test_zhang_wei_idle_for_31_minutes_is_logged_out(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    last_active(client, 31)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    assert "_auth_user_id" not in client.session
    [row] = expired_rows()
    assert (row.user, row.username) == (zhang_wei, "zhangwei")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT).exists()


def test_the_login_page_tells_him_why(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    last_active(client, 31)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/"
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1
    assert "30" in messages[0]


def test_an_idle_api_session_gets_401(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    last_active(client, 31)
    response = client.get("/api/v1/officers")
    assert response.status_code == 401
    assert response.json() == {"detail": "session expired"}
    assert len(expired_rows()) == 1
    # And the session is gone for the next request too.
    assert client.get("/api/v1/officers").status_code == 401


def test_29_minutes_of_quiet_is_fine(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    last_active(client, 29)
    response = client.get("/")
    assert response.status_code == 200
    assert expired_rows() == []
    # The request counts as activity: the clock starts again.
    assert time.time() - client.session[SESSION_KEY] < 60


def test_background_requests_do_not_count_as_activity(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    last_active(client, 20)
    stamp = client.session[SESSION_KEY]
    assert client.get("/api/v1/officers", HTTP_X_FENGQIAO_BACKGROUND="1").status_code == 200
    assert client.session[SESSION_KEY] == stamp


def test_a_role_exempt_from_the_timeout_stays_logged_in(
    client: Client, zhang_wei: User, settings: Settings
) -> None:
    settings.IDLE_EXEMPT_ROLES = ("commander",)
    client.force_login(zhang_wei)
    last_active(client, 120)
    assert client.get("/").status_code == 200
    assert expired_rows() == []


def test_the_exemption_is_only_for_that_role(client: Client, li_na: User, settings: Settings) -> None:
    settings.IDLE_EXEMPT_ROLES = ("commander",)
    client.force_login(li_na)
    last_active(client, 31)
    assert client.get("/").status_code == 302
    assert len(expired_rows()) == 1


def test_the_timeout_follows_the_setting(client: Client, zhang_wei: User, settings: Settings) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 10
    client.force_login(zhang_wei)
    last_active(client, 11)
    assert client.get("/").status_code == 302
