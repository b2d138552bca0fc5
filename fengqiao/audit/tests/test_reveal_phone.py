"""Revealing an officer's full phone number: needs the permission and a reason, and is audited."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


def reveal(client: Client, officer_id: int, body: dict[str, str]) -> object:
    return client.post(f"/api/v1/officers/{officer_id}/reveal-phone", data=json.dumps(body),
                       content_type="application/json")


def test_li_na_reveals_zhang_weis_number_with_a_reason(client: Client, li_na: User, zhang_wei: User) -> None:
    client.force_login(li_na)
    response = reveal(client, zhang_wei.officer.pk, {"reason": "联系值班员核实警情"})
    assert response.status_code == 200
    assert response.json() == {"phone": "13812345678"}
    [row] = AuditEntry.objects.filter(action=Action.REVEALED)
    assert (row.user, row.outcome, row.reason) == (li_na, "ok", "联系值班员核实警情")
    assert (row.object_type, row.object_id) == ("organisation.officer", str(zhang_wei.officer.pk))
    assert row.changes == {"field": "phone"}


def test_the_officer_list_shows_the_number_masked(client: Client, li_na: User, zhang_wei: User) -> None:
    client.force_login(li_na)
    response = client.get(f"/api/v1/officers/{zhang_wei.officer.pk}")
    assert response.json()["phone_masked"] == "138****5678"
    assert "13812345678" not in response.content.decode()


def test_without_a_reason_the_answer_is_422_naming_reason(client: Client, li_na: User, zhang_wei: User) -> None:
    client.force_login(li_na)
    response = reveal(client, zhang_wei.officer.pk, {})
    assert response.status_code == 422
    assert "reason" in response.content.decode()
    assert "13812345678" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.REVEALED).exists()


def test_a_blank_reason_is_answered_422_naming_reason(client: Client, li_na: User, zhang_wei: User) -> None:
    client.force_login(li_na)
    response = reveal(client, zhang_wei.officer.pk, {"reason": "  "})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("reason:")
    assert not AuditEntry.objects.filter(action=Action.REVEALED).exists()


def test_an_auxiliary_may_not_reveal_and_the_refusal_is_recorded(
    client: Client, chen_chen: User, zhang_wei: User
) -> None:
    client.force_login(chen_chen)
    response = reveal(client, zhang_wei.officer.pk, {"reason": "想打电话"})
    assert response.status_code == 403
    assert "13812345678" not in response.content.decode()
    [row] = AuditEntry.objects.filter(action=Action.REVEALED)
    assert (row.user, row.outcome, row.reason) == (chen_chen, "refused", "想打电话")


def test_when_the_audit_row_cannot_be_written_the_number_is_not_returned(
    li_na: User, zhang_wei: User
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(li_na)
    with mock.patch("fengqiao.audit.services.record", side_effect=DatabaseError("disk full")):
        response = reveal(client, zhang_wei.officer.pk, {"reason": "联系值班员核实警情"})
    assert response.status_code == 500
    assert "13812345678" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.REVEALED).exists()


def test_an_anonymous_caller_gets_401(client: Client, zhang_wei: User) -> None:
    response = reveal(client, zhang_wei.officer.pk, {"reason": "好奇"})
    assert response.status_code == 401
    assert "13812345678" not in response.content.decode()
