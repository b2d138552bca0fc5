"""Five wrong passwords lock 张伟's account; an administrator or time releases it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from pytest_django import Settings

from fengqiao.accounts.forms import LoginForm
from fengqiao.accounts.models import User
from fengqiao.accounts.services import is_username_locked, lock_lifts_at
from fengqiao.audit.models import AuditEntry
from fengqiao.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


def log_in(client: Client, password: str, username: str = "zhangwei") -> HttpResponse:
    return client.post("/accounts/login/", {"username": username, "password": password})


def fail(client: Client, times: int, username: str = "zhangwei") -> None:
    for attempt in range(times):
        response = log_in(client, f"wrong-password-{attempt}", username)
        assert response.status_code == 200


def logged_in(response: HttpResponse) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def locked_message() -> str:
    with translation.override("zh-hans"):
        return escape(str(LoginForm.error_messages["locked"]))


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client: Client, zhang_wei: User) -> None:
    fail(client, 5)
    response = log_in(client, PASSWORD)
    assert response.status_code == 200
    assert locked_message() in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED, username="zhangwei").count() == 5
    [locked] = AuditEntry.objects.filter(action=Action.LOGIN_LOCKED)
    assert (locked.username, locked.outcome) == ("zhangwei", "refused")


def test_four_wrong_passwords_do_not_lock(client: Client, zhang_wei: User) -> None:
    fail(client, 4)
    assert logged_in(log_in(client, PASSWORD))


def test_a_wrong_password_gets_the_ordinary_message(client: Client, zhang_wei: User) -> None:
    response = log_in(client, "wrong-password")
    with translation.override("zh-hans"):
        assert escape(str(LoginForm.error_messages["invalid_login"])) in response.content.decode()
    assert locked_message() not in response.content.decode()


def test_the_unlock_command_lets_zhang_wei_in_again(client: Client, zhang_wei: User) -> None:
    fail(client, 5)
    assert is_username_locked("zhangwei")
    call_command("unlock", "zhangwei")
    assert logged_in(log_in(client, PASSWORD))
    [released] = AuditEntry.objects.filter(action=Action.LOCKOUT_RELEASED)
    assert released.username == "zhangwei"


def test_the_administrator_releases_the_lock_in_the_admin(
    client: Client, zhang_wei: User, administrator: User
) -> None:
    fail(client, 5)
    admin_client = Client()
    admin_client.force_login(administrator)
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "release_lockout", "_selected_action": [zhang_wei.pk]}
    )
    assert response.status_code == 302
    [released] = AuditEntry.objects.filter(action=Action.LOCKOUT_RELEASED)
    assert (released.username, released.user) == ("zhangwei", administrator)
    assert logged_in(log_in(client, PASSWORD))


def test_failures_older_than_the_window_do_not_count(client: Client, zhang_wei: User, settings: Settings) -> None:
    long_ago = timezone.now() - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES + 5)
    for _attempt in range(5):
        AuditEntry.objects.create(action=Action.LOGIN_FAILED, username="zhangwei", at=long_ago,
                                  outcome=AuditEntry.Outcome.FAILED)
    fail(client, 4)
    assert not is_username_locked("zhangwei")
    assert logged_in(log_in(client, PASSWORD))


def test_the_lock_lifts_by_itself_once_the_failures_age_out(zhang_wei: User, settings: Settings) -> None:
    window = timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    oldest = timezone.now() - window + timedelta(minutes=1)
    for _attempt in range(5):
        AuditEntry.objects.create(action=Action.LOGIN_FAILED, username="zhangwei", at=oldest)
    assert is_username_locked("zhangwei")
    assert lock_lifts_at("zhangwei") == oldest + window


def test_a_successful_login_starts_the_count_again(client: Client, zhang_wei: User) -> None:
    fail(client, 4)
    assert logged_in(log_in(client, PASSWORD))
    client.post("/accounts/logout/")
    fail(client, 4)
    assert logged_in(log_in(client, PASSWORD))


def test_the_lock_is_per_user_name(client: Client, zhang_wei: User, li_na: User) -> None:
    fail(client, 5)
    assert logged_in(log_in(client, PASSWORD, username="lina"))


def test_the_number_of_attempts_follows_the_setting(client: Client, zhang_wei: User, settings: Settings) -> None:
    settings.LOCKOUT_ATTEMPTS = 2
    fail(client, 2)
    assert locked_message() in log_in(client, PASSWORD).content.decode()
