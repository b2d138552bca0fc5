"""The case API: the list, one case, accepting an incident, the moves, and the answers a client must handle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.services import do_create_token
from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.intake.models import Incident

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    _row, token = do_create_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(client: Client, path: str, body: dict[str, Any], user: Any) -> Any:
    return client.post(path, body, content_type="application/json", **bearer(user))


def test_a_whole_criminal_case_through_the_api(theft_incident: Incident, zhang_wei: Any, li_na: Any,
                                               case_team: list[Any]) -> None:
    client = Client()
    made = _post(client, f"/api/v1/incidents/{theft_incident.pk}/case", {"complexity": "ordinary"}, zhang_wei)
    assert made.status_code == 201, made.content
    case = made.json()
    assert case["kind"] == "criminal" and case["state"] == "accepted" and case["stage"] == "filing"
    assert case["incident_id"] == theft_incident.pk and len(case["assistants"]) == 1
    assert case["assignment_reasons"] and case["log"][0]["action"] == "accept"
    lead = Case.objects.for_stations([theft_incident.station_id]).select_related("lead__user").get(pk=case["id"]).lead.user
    path = f"/api/v1/cases/{case['id']}/actions"
    assert _post(client, path, {"action": "file", "note": "立案"}, lead).json()["state"] == "filed"
    cleared = _post(client, path, {"action": "clear", "how": "video", "cleared_at": timezone.localdate().isoformat(),
                                   "note": "监控"}, lead)
    assert cleared.status_code == 200 and cleared.json()["state"] == "cleared"
    extended = _post(client, path, {"action": "extend", "reason": "补充证据"}, li_na)
    assert extended.json()["extensions"] == 1
    closed = _post(client, path, {"action": "close"}, lead).json()
    assert closed["state"] == "closed" and closed["due_at"] is None
    assert [entry["action"] for entry in closed["log"]] == ["accept", "file", "clear", "extend", "close"]
    one = client.get(f"/api/v1/cases/{case['id']}", **bearer(lead))
    assert one.status_code == 200 and one.json()["number"] == case["number"]


def test_the_list_filters_by_state_kind_lead_mine_and_overdue(theft_incident: Incident, fight_incident: Incident,
                                                              li_na: Any, sun_li: Any, zheng_kai: Any) -> None:
    late = services.do_accept_case(theft_incident, user=li_na, kind="criminal", complexity="simple", lead=sun_li.officer,
                                   now=timezone.now() - dt.timedelta(days=4))
    other = services.do_accept_case(fight_incident, user=li_na, kind="administrative", complexity="simple",
                                    lead=zheng_kai.officer)
    client = Client()

    def numbers(query: str, user: Any = li_na) -> list[str]:
        answer = client.get(f"/api/v1/cases{query}", **bearer(user))
        assert answer.status_code == 200, answer.content
        return [row["number"] for row in answer.json()]

    assert numbers("") == [late.number, other.number]  # soonest deadline first
    assert numbers("?kind=administrative") == [other.number]
    assert numbers(f"?lead={zheng_kai.officer.pk}") == [other.number]
    assert numbers("?overdue=true") == [late.number]
    assert numbers("?mine=true", sun_li) == [late.number]
    assert numbers("?state=finished") == []
    assert client.get("/api/v1/cases?state=lost", **bearer(li_na)).status_code == 422
    overdue = client.get("/api/v1/cases?overdue=true", **bearer(li_na)).json()[0]
    assert overdue["overdue"] and overdue["time_left"]


def test_refusals_are_409_and_bad_fields_422_naming_the_field(theft_incident: Incident, zhang_wei: Any, zheng_kai: Any,
                                                              li_na: Any, case_team: list[Any]) -> None:
    client = Client()
    made = _post(client, f"/api/v1/incidents/{theft_incident.pk}/case", {"kind": "criminal"}, zhang_wei).json()
    again = _post(client, f"/api/v1/incidents/{theft_incident.pk}/case", {"kind": "criminal"}, zhang_wei)
    assert again.status_code == 409 and made["number"] in again.json()["detail"]
    path = f"/api/v1/cases/{made['id']}/actions"
    not_his = _post(client, path, {"action": "file"}, zheng_kai)
    assert not_his.status_code == 409
    no_reason = _post(client, path, {"action": "not_file"}, li_na)
    assert no_reason.status_code == 422 and no_reason.json()["detail"].startswith("reason:")
    unknown = _post(client, path, {"action": "solve"}, li_na)
    assert unknown.status_code == 422
    nobody = _post(client, path, {"action": "reassign", "reason": "调整", "officer_id": 999_999}, li_na)
    assert nobody.status_code == 422 and nobody.json()["detail"].startswith("officer_id:")
    wrong = _post(client, path, {"action": "close"}, li_na)
    assert wrong.status_code == 409


def test_accepting_names_the_kind_complexity_and_lead_fields(theft_incident: Incident, fight_incident: Incident,
                                                             zhang_wei: Any, case_team: list[Any]) -> None:
    client = Client()
    bad = _post(client, f"/api/v1/incidents/{theft_incident.pk}/case", {"complexity": "huge"}, zhang_wei)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("complexity:")
    no_lead = _post(client, f"/api/v1/incidents/{theft_incident.pk}/case", {"lead_id": 999_999}, zhang_wei)
    assert no_lead.status_code == 422 and no_lead.json()["detail"].startswith("lead_id:")
    administrative = _post(client, f"/api/v1/incidents/{fight_incident.pk}/case", {}, zhang_wei)
    assert administrative.status_code == 201 and administrative.json()["kind"] == "administrative"


def test_the_recommendation_says_who_would_lead_and_why(theft_incident: Incident, zhang_wei: Any,
                                                        case_team: list[Any]) -> None:
    answer = Client().get(f"/api/v1/incidents/{theft_incident.pk}/case/recommendation?complexity=complex",
                          **bearer(zhang_wei))
    assert answer.status_code == 200
    body = answer.json()
    assert body["lead"] and len(body["assistants"]) == 2 and len(body["reasons"]) == 4


def test_liu_yang_may_read_cases_but_not_accept_them(theft_incident: Incident, liu_yang: Any,
                                                     case_team: list[Any]) -> None:
    client = Client()
    assert client.get("/api/v1/cases", **bearer(liu_yang)).status_code == 200
    assert _post(client, f"/api/v1/incidents/{theft_incident.pk}/case", {}, liu_yang).status_code == 403
