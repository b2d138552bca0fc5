"""Another station's case, or incident, answers 404 on every page and endpoint — never 403, never the case."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts.services import do_create_token
from fengqiao.audit.models import AuditEntry
from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.intake.models import Incident

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case_a(theft_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> Case:
    return services.do_accept_case(theft_incident, user=zhang_wei, kind="criminal", complexity="simple")


def _unchanged(case: Case) -> None:
    fresh = Case.objects.for_stations([case.station_id]).get(pk=case.pk)
    assert (fresh.state, fresh.lead_id, fresh.due_at) == (case.state, case.lead_id, case.due_at)


def test_wang_qiang_of_station_b_gets_404_on_a_case_of_station_a(client: Client, case_a: Case, wang_qiang: Any,
                                                                  zhao_min: Any) -> None:
    client.force_login(wang_qiang)
    assert client.get(f"/cases/{case_a.pk}/").status_code == 404
    assert client.post(f"/cases/{case_a.pk}/actions/file/", {}, **HTMX).status_code == 404
    assert client.get(f"/cases/incident/{case_a.incident_id}/").status_code == 404
    assert client.post(f"/cases/incident/{case_a.incident_id}/accept/", {"kind": "criminal", "complexity": "simple"},
                       **HTMX).status_code == 404
    listed = client.get("/cases/?lead=&state=all")
    assert listed.status_code == 200 and case_a.number not in listed.content.decode()
    leader_b = Client()
    leader_b.force_login(zhao_min)
    assert leader_b.post(f"/cases/{case_a.pk}/actions/extend/", {"reason": "x" * 5}).status_code == 404
    _unchanged(case_a)
    assert AuditEntry.objects.filter(action="access_refused", user=wang_qiang, object_type="cases.case",
                                     object_id=str(case_a.pk)).exists()


def test_wang_qiang_gets_404_from_the_api_too(case_a: Case, wang_qiang: Any) -> None:
    _row, token = do_create_token(wang_qiang, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    assert client.get(f"/api/v1/cases/{case_a.pk}", **auth).status_code == 404
    assert client.post(f"/api/v1/cases/{case_a.pk}/actions", {"action": "file"}, content_type="application/json",
                       **auth).status_code == 404
    assert client.post(f"/api/v1/incidents/{case_a.incident_id}/case", {}, content_type="application/json",
                       **auth).status_code == 404
    assert client.get(f"/api/v1/incidents/{case_a.incident_id}/case/recommendation", **auth).status_code == 404
    assert client.get("/api/v1/cases?state=all", **auth).json() == []
    _unchanged(case_a)


def test_zhou_jie_of_the_bureau_reads_both_stations_cases_but_works_none(client: Client, case_a: Case,
                                                                         zhou_jie: Any) -> None:
    client.force_login(zhou_jie)
    page = client.get(f"/cases/{case_a.pk}/")
    assert page.status_code == 200 and page.context["actions"] == []
    assert client.post(f"/cases/{case_a.pk}/actions/file/", {}, **HTMX).status_code == 409
    _unchanged(case_a)
