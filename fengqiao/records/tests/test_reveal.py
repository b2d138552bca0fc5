"""Revealing a person's identity and phone number, on the page (htmx) and through the API:
the permission and a reason, one audit row each time, and nothing shown if the row
cannot be written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.audit.models import AuditEntry
from fengqiao.records.models import Resident

from .conftest import NUMBER_A, PHONE_A

pytestmark = pytest.mark.django_db


def reveals(resident: Resident, **where: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED, object_type="records.resident",
                                          object_id=str(resident.pk), **where))


def api_reveal(client: Client, resident: Resident, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/residents/{resident.pk}/reveal", data=json.dumps(body), content_type="application/json")


# -- the page -----------------------------------------------------------------------------------------


def test_the_page_reveals_both_numbers_with_a_reason_after_one_audit_row(client: Client, liu_yang: Any,
                                                                         wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_reveal", args=[wang_xiuying.pk]), {"reason": "入户核实身份"},
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert NUMBER_A in body and PHONE_A in body and "<html" not in body  # a fragment for htmx
    rows = reveals(wang_xiuying)
    assert [(row.user, row.reason, row.outcome, row.changes["field"]) for row in rows] == [
        (liu_yang, "入户核实身份", AuditEntry.Outcome.OK, "id_number,phone")]


def test_the_page_may_reveal_only_the_phone(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    body = client.post(reverse("records:resident_reveal", args=[wang_xiuying.pk]),
                       {"reason": "回电", "fields": "phone"}).content.decode()
    assert PHONE_A in body and NUMBER_A not in body
    assert [row.changes["field"] for row in reveals(wang_xiuying)] == ["phone"]


def test_the_page_reveals_nothing_without_a_reason(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:resident_reveal", args=[wang_xiuying.pk]), {"reason": " "})
    assert response.status_code == 422
    assert NUMBER_A not in response.content.decode() and 'data-testid="reveal-error"' in response.content.decode()
    assert reveals(wang_xiuying) == []


def test_an_auxiliary_is_refused_and_the_refusal_is_written_down(client: Client, chen_chen: Any,
                                                                 wang_xiuying: Resident) -> None:
    client.force_login(chen_chen)
    response = client.post(reverse("records:resident_reveal", args=[wang_xiuying.pk]), {"reason": "想看看"})
    assert response.status_code == 403 and NUMBER_A not in response.content.decode()
    assert [row.outcome for row in reveals(wang_xiuying, user=chen_chen)] == [AuditEntry.Outcome.REFUSED]


def test_reveal_is_a_post(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    assert client.get(reverse("records:resident_reveal", args=[wang_xiuying.pk])).status_code == 405


def broken_audit(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every audit write fail; the list fills with each identifier read in the clear."""
    from fengqiao.records import services

    read: list[str] = []
    real = services.clear_identifier

    def reading(resident: Resident, name: str) -> str:
        read.append(name)
        return real(resident, name)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "clear_identifier", reading)
    monkeypatch.setattr("fengqiao.audit.services.rows.insert", broken)
    return read


def test_if_the_audit_row_cannot_be_written_the_page_reveals_nothing(liu_yang: Any, wang_xiuying: Resident,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(liu_yang)
    read = broken_audit(monkeypatch)
    response = client.post(reverse("records:resident_reveal", args=[wang_xiuying.pk]), {"reason": "入户核实身份"})
    assert response.status_code == 500 and read == []
    assert NUMBER_A not in response.content.decode() and PHONE_A not in response.content.decode()
    monkeypatch.undo()
    assert reveals(wang_xiuying) == []


def test_if_the_audit_function_fails_the_page_reveals_nothing(liu_yang: Any, wang_xiuying: Resident,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(liu_yang)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr("fengqiao.audit.services.record", broken)
    response = client.post(reverse("records:resident_reveal", args=[wang_xiuying.pk]), {"reason": "入户核实身份"})
    assert response.status_code == 500 and NUMBER_A not in response.content.decode()


# -- the API ------------------------------------------------------------------------------------------


def test_the_api_reveals_with_a_reason_after_one_audit_row(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    response = api_reveal(client, wang_xiuying, {"reason": "核实身份"})
    assert response.status_code == 200
    assert response.json() == {"id_number": NUMBER_A, "phone": PHONE_A}
    assert [(row.user, row.reason) for row in reveals(wang_xiuying)] == [(liu_yang, "核实身份")]


def test_the_api_reveals_the_fields_asked_for(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    response = api_reveal(client, wang_xiuying, {"reason": "核实身份", "fields": ["id_number"]})
    assert response.json() == {"id_number": NUMBER_A, "phone": None}
    assert [row.changes["field"] for row in reveals(wang_xiuying)] == ["id_number"]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": " x "}])
def test_the_api_answers_422_naming_the_reason(client: Client, liu_yang: Any, wang_xiuying: Resident,
                                               body: dict[str, Any]) -> None:
    client.force_login(liu_yang)
    response = api_reveal(client, wang_xiuying, body)
    assert response.status_code == 422 and response.json()["detail"].startswith("reason")
    assert reveals(wang_xiuying) == []


def test_the_api_answers_422_for_an_unknown_field(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    response = api_reveal(client, wang_xiuying, {"reason": "核实身份", "fields": ["address"]})
    assert response.status_code == 422 and response.json()["detail"].startswith("fields")


def test_the_api_answers_403_to_an_auxiliary_and_writes_the_refusal(client: Client, chen_chen: Any,
                                                                    wang_xiuying: Resident) -> None:
    client.force_login(chen_chen)
    response = api_reveal(client, wang_xiuying, {"reason": "想看看"})
    assert response.status_code == 403 and NUMBER_A not in response.content.decode()
    assert [row.outcome for row in reveals(wang_xiuying, user=chen_chen)] == [AuditEntry.Outcome.REFUSED]


def test_the_api_answers_404_across_stations_and_reveals_nothing(client: Client, zhao_min: Any,
                                                                 wang_xiuying: Resident) -> None:
    client.force_login(zhao_min)
    response = api_reveal(client, wang_xiuying, {"reason": "核实身份"})
    assert response.status_code == 404 and NUMBER_A not in response.content.decode()
    assert reveals(wang_xiuying) == []


def test_the_api_answers_404_outside_an_auxiliarys_beat(client: Client, chen_chen: Any, resident_a2: Resident) -> None:
    client.force_login(chen_chen)
    response = api_reveal(client, resident_a2, {"reason": "核实身份"})
    assert response.status_code == 404
    assert reveals(resident_a2) == []


def test_if_the_audit_row_cannot_be_written_the_api_reveals_nothing(liu_yang: Any, wang_xiuying: Resident,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(liu_yang)
    read = broken_audit(monkeypatch)
    response = api_reveal(client, wang_xiuying, {"reason": "核实身份"})
    assert response.status_code == 500 and read == []
    assert NUMBER_A not in response.content.decode() and PHONE_A not in response.content.decode()
    monkeypatch.undo()
    assert reveals(wang_xiuying) == []
