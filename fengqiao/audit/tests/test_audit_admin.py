"""The audit log in the admin site keeps to the station, like the audit search page."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.audit.context import acting_as
from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core.testing import StationIsolationTests

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry_of_nanping(zhang_wei: User, li_na: User) -> AuditEntry:
    with acting_as(user=zhang_wei, ip_address="10.50.1.23"):
        return record(AuditEntry.Action.REVEALED, obj=li_na.officer, reason="南坪核实来电人")


@pytest.fixture
def entry_of_haitangxi(wang_qiang: User, zhao_min: User) -> AuditEntry:
    with acting_as(user=wang_qiang, ip_address="10.60.1.5"):
        return record(AuditEntry.Action.REVEALED, obj=zhao_min.officer, reason="海棠溪核实来电人")


class TestAuditEntryAdminKeepsToItsStation(StationIsolationTests):
    object_fixture = "entry_of_nanping"
    urls = ("/admin/audit/auditentry/{pk}/change/",)
    # The audit log is not station-owned data with a scoped manager: a refused look at
    # it is answered 404 like the rest, without a refusal row about an audit row.
    audits_refusal = False


def test_li_na_lists_nanpings_audit_rows_and_not_haitangxis(
    client: Client, li_na: User, entry_of_nanping: AuditEntry, entry_of_haitangxi: AuditEntry
) -> None:
    client.force_login(li_na)
    response = client.get("/admin/audit/auditentry/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "南坪核实来电人" in page
    assert "海棠溪核实来电人" not in page


def test_the_audit_log_cannot_be_edited_in_the_admin(
    client: Client, administrator: User, entry_of_nanping: AuditEntry
) -> None:
    client.force_login(administrator)
    response = client.post(f"/admin/audit/auditentry/{entry_of_nanping.pk}/change/", {"reason": "改掉"})
    assert response.status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry_of_nanping.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry_of_nanping.pk).reason == "南坪核实来电人"
