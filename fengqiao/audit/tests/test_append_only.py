"""Audit rows are only ever added: neither the application nor raw SQL can change or remove one."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fengqiao.audit.models import AuditEntry, AuditLogIsAppendOnly
from fengqiao.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry() -> AuditEntry:
    return record(AuditEntry.Action.LOGIN_FAILED, username="zhangwei", outcome=AuditEntry.Outcome.FAILED,
                  reason="wrong password")


def unchanged(entry: AuditEntry) -> bool:
    stored = AuditEntry.objects.get(pk=entry.pk)
    return (stored.username, stored.reason) == ("zhangwei", "wrong password")


def test_saving_an_existing_row_is_refused(entry: AuditEntry) -> None:
    entry.reason = "nothing happened"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    assert unchanged(entry)


def test_deleting_a_row_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_updating_rows_in_bulk_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="nothing happened")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.bulk_update([entry], ["reason"])
    assert unchanged(entry)


def test_deleting_rows_in_bulk_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_raw_sql_update_is_refused_by_the_database(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["nothing happened", entry.pk])
    assert unchanged(entry)


def test_raw_sql_delete_is_refused_by_the_database(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_adding_rows_still_works(entry: AuditEntry) -> None:
    """The triggers guard changes only: appending by any client is allowed."""
    before = AuditEntry.objects.count()
    record(AuditEntry.Action.LOGOUT, username="zhangwei")
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_committed_row_cannot_be_removed_outside_a_transaction_either() -> None:
    """In autocommit, as a psql or sqlite3 shell would run it."""
    entry = record(AuditEntry.Action.LOGOUT, username="zhangwei", reason="end of shift")
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.get(pk=entry.pk).reason == "end of shift"


def test_the_guard_is_back_after_a_transactional_test() -> None:
    """The test database's flush after a transactional test lifts the triggers; they return."""
    entry = record(AuditEntry.Action.LOGOUT, username="zhangwei")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
