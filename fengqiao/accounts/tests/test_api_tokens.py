"""API tokens: created and revoked from the command line, used as `Authorization: Bearer`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fengqiao.accounts.models import ApiToken, User
from fengqiao.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def create_token(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, "--name", "110 feed", stdout=out)
    return out.getvalue().strip()


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_command_prints_a_token_once_and_stores_only_its_hash(zhang_wei: User) -> None:
    plain = create_token("zhangwei")
    assert plain.startswith("fq_")
    token = ApiToken.objects.get(user=zhang_wei)
    assert plain.split("_")[1] == token.prefix
    assert token.name == "110 feed"
    assert plain not in token.key_hash


def test_zhang_weis_token_lists_only_nanpings_officers_with_phones_masked(
    client: Client, zhang_wei: User, liu_yang: User, wang_qiang: User
) -> None:
    response = client.get("/api/v1/officers", **bearer(create_token("zhangwei")))
    assert response.status_code == 200
    officers = {row["name"]: row for row in response.json()}
    assert set(officers) == {"张伟", "刘洋"}
    assert officers["张伟"]["phone_masked"] == "138****5678"
    assert "13812345678" not in response.content.decode()
    assert "王强" not in response.content.decode()


def test_a_revoked_token_gets_401(client: Client, zhang_wei: User) -> None:
    plain = create_token("zhangwei")
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 200
    out = StringIO()
    call_command("token", "revoke", plain.split("_")[1], "--reason", "feed retired", stdout=out)
    assert "revoked" in out.getvalue()
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 401


def test_a_garbage_token_gets_401(client: Client, zhang_wei: User) -> None:
    create_token("zhangwei")
    assert client.get("/api/v1/officers", **bearer("fq_deadbeef_not-a-real-token")).status_code == 401
    assert client.get("/api/v1/officers", **bearer("hello")).status_code == 401


def test_no_credentials_get_401(client: Client) -> None:
    assert client.get("/api/v1/officers").status_code == 401


def test_a_token_of_a_deactivated_user_gets_401(client: Client, zhang_wei: User) -> None:
    plain = create_token("zhangwei")
    zhang_wei.is_active = False
    zhang_wei.save()
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 401


def test_an_unknown_user_name_is_an_error_naming_username(zhang_wei: User) -> None:
    with pytest.raises(CommandError, match="^username: no user called 'zhangwie'"):
        call_command("token", "create", "zhangwie")
    assert not ApiToken.objects.exists()


def test_revoking_an_unknown_prefix_is_an_error_naming_prefix() -> None:
    with pytest.raises(CommandError, match="^prefix:"):
        call_command("token", "revoke", "00000000")


def test_creating_and_revoking_are_audited(zhang_wei: User) -> None:
    plain = create_token("zhangwei")
    prefix = plain.split("_")[1]
    call_command("token", "revoke", prefix, "--reason", "feed retired", stdout=StringIO())
    created = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_CREATED)
    revoked = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_REVOKED)
    assert created.object_repr == f"{prefix} (zhangwei)"
    assert (revoked.object_repr, revoked.reason) == (f"{prefix} (zhangwei)", "feed retired")
    assert plain not in str(created.changes) + created.object_repr


def test_the_list_shows_prefixes_and_never_the_secret(zhang_wei: User) -> None:
    plain = create_token("zhangwei")
    out = StringIO()
    call_command("token", "list", stdout=out)
    assert plain.split("_")[1] in out.getvalue()
    assert plain not in out.getvalue()
    assert "active" in out.getvalue()


# -- the short cache of a token's user -------------------------------------------------------


def test_a_user_deactivated_after_using_the_token_is_refused_at_once(client: Client, zhang_wei: User) -> None:
    plain = create_token("zhangwei")
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 200  # now cached
    zhang_wei.is_active = False
    zhang_wei.save()
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 401


def test_a_role_taken_away_after_using_the_token_is_refused_at_once(client: Client, zhang_wei: User) -> None:
    plain = create_token("zhangwei")
    call = {"text": "有人打架", "source": "phone"}
    first = client.post("/api/v1/calls", call, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k-1", **bearer(plain))
    assert first.status_code == 201
    zhang_wei.groups.clear()
    again = client.post("/api/v1/calls", call, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k-2", **bearer(plain))
    assert again.status_code == 403


def test_a_revocation_by_another_process_is_seen_within_the_fresh_time(
    client: Client, zhang_wei: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fengqiao.accounts import services

    plain = create_token("zhangwei")
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 200
    # Another process revokes: no signal reaches this one.
    from django.utils import timezone

    ApiToken.objects.filter(user=zhang_wei).update(revoked_at=timezone.now())
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 200  # still trusted, briefly
    later = services.time.monotonic() + services.TOKEN_FRESH_SECONDS + 0.1
    monkeypatch.setattr(services.time, "monotonic", lambda: later)
    assert client.get("/api/v1/officers", **bearer(plain)).status_code == 401
