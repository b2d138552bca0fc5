"""One audit row for every event the station must be able to account for."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.testing import PASSWORD
from fengqiao.organisation.models import Officer, Station, Team

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


def rows(action: str, **lookup: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, **lookup))


def test_zhang_wei_logging_in_writes_one_row_with_his_address(client: Client, zhang_wei: User) -> None:
    response = client.post("/accounts/login/", {"username": "zhangwei", "password": PASSWORD},
                           REMOTE_ADDR="10.50.1.23")
    assert response.status_code == 302
    [row] = rows(Action.LOGIN_SUCCEEDED)
    assert (row.user, row.username, row.ip_address) == (zhang_wei, "zhangwei", "10.50.1.23")
    assert row.station == zhang_wei.officer.station
    assert row.outcome == AuditEntry.Outcome.OK


def test_a_wrong_password_writes_one_failed_row_with_the_name_tried(client: Client, zhang_wei: User) -> None:
    response = client.post("/accounts/login/", {"username": "zhangwei", "password": "guess-2026"},
                           REMOTE_ADDR="10.50.1.99")
    assert response.status_code == 200
    [row] = rows(Action.LOGIN_FAILED)
    assert (row.user, row.username, row.ip_address, row.outcome) == (None, "zhangwei", "10.50.1.99", "failed")
    assert rows(Action.LOGIN_SUCCEEDED) == []


def test_a_login_with_an_unknown_name_is_recorded_under_that_name(client: Client, zhang_wei: User) -> None:
    client.post("/accounts/login/", {"username": "zhangwie", "password": PASSWORD})
    [row] = rows(Action.LOGIN_FAILED)
    assert row.username == "zhangwie"
    assert row.ip_address == "127.0.0.1"


def test_logging_out_writes_one_row(client: Client, zhang_wei: User) -> None:
    client.force_login(zhang_wei)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    [row] = rows(Action.LOGOUT)
    assert (row.user, row.username) == (zhang_wei, "zhangwei")
    # Logged out for real: the home page now sends him to the login page.
    assert client.get("/").status_code == 302


def test_wang_qiang_reaching_for_an_officer_of_nanping_is_refused_and_recorded(
    zhang_wei: User, wang_qiang: User
) -> None:
    with pytest.raises(Http404):
        get_for_user_or_404(Officer.objects.all(), wang_qiang, pk=zhang_wei.officer.pk)
    [row] = rows(Action.ACCESS_REFUSED)
    assert (row.user, row.outcome, row.reason) == (wang_qiang, "refused", "object of another station")
    assert (row.object_type, row.object_id) == ("organisation.officer", str(zhang_wei.officer.pk))


def test_a_missing_object_is_answered_the_same_and_not_recorded(wang_qiang: User) -> None:
    with pytest.raises(Http404):
        get_for_user_or_404(Officer.objects.all(), wang_qiang, pk=999_999)
    assert rows(Action.ACCESS_REFUSED) == []


def test_a_person_gets_their_own_stations_object(zhang_wei: User) -> None:
    officer = get_for_user_or_404(Officer.objects.all(), zhang_wei, pk=zhang_wei.officer.pk)
    assert officer == zhang_wei.officer
    assert rows(Action.ACCESS_REFUSED) == []


def test_creating_an_officer_records_every_field(station_a: Station, command_room_a: Team) -> None:
    officer = Officer.objects.create(station=station_a, team=command_room_a, name="孙磊",
                                     badge_number="050102", phone="13811112222")
    [row] = rows(Action.CREATED, object_type="organisation.officer")
    assert row.object_id == str(officer.pk)
    assert row.station == station_a
    assert row.changes["name"] == [None, "孙磊"]
    assert row.changes["badge_number"] == [None, "050102"]
    assert row.changes["team_id"] == [None, command_room_a.pk]


def test_changing_an_officer_records_only_the_changed_fields_before_and_after(zhang_wei: User) -> None:
    officer = zhang_wei.officer
    officer.duty_status = Officer.DutyStatus.BUSY
    officer.save()
    [row] = rows(Action.UPDATED, object_type="organisation.officer")
    assert row.changes == {"duty_status": ["on_duty", "busy"]}
    assert row.object_repr == "张伟 (050101)"


def test_saving_an_officer_unchanged_records_nothing(zhang_wei: User) -> None:
    zhang_wei.officer.save()
    assert rows(Action.UPDATED, object_type="organisation.officer") == []


def test_deleting_an_officer_records_what_was_removed(station_a: Station, command_room_a: Team) -> None:
    officer = Officer.objects.create(station=station_a, team=command_room_a, name="孙磊", badge_number="050102")
    officer_id = officer.pk
    officer.delete()
    [row] = rows(Action.DELETED, object_type="organisation.officer")
    assert row.object_id == str(officer_id)
    assert row.changes["name"] == ["孙磊", None]
    assert row.station == station_a


def test_a_password_is_never_recorded_in_clear(zhang_wei: User) -> None:
    zhang_wei.set_password("a-new-secret-2026")
    zhang_wei.save()
    [row] = rows(Action.UPDATED, object_type="accounts.user")
    assert row.changes == {"password": ["(changed)", "(changed)"]}
    creation = rows(Action.CREATED, object_type="accounts.user", object_id=str(zhang_wei.pk))[0]
    assert creation.changes["password"] == [None, "(changed)"]
    everything = json.dumps([entry.changes for entry in AuditEntry.objects.all()])
    assert "a-new-secret-2026" not in everything
    assert "argon2" not in everything
    assert zhang_wei.password not in everything


def test_a_login_does_not_record_the_last_login_time_as_a_change(client: Client, zhang_wei: User) -> None:
    client.post("/accounts/login/", {"username": "zhangwei", "password": PASSWORD})
    assert rows(Action.UPDATED, object_type="accounts.user") == []
