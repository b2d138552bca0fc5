"""The case pages as the people of 南坪 use them: the case officer's list, a case's page and its
moves, and the part of the incident page that accepts an incident as a case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.cases import assign, services, wording
from fengqiao.cases.models import Case
from fengqiao.dispatch import services as dispatch
from fengqiao.intake.models import Incident

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _accept(incident: Incident, user: Any, **kwargs: Any) -> Case:
    kwargs.setdefault("kind", "criminal")
    kwargs.setdefault("complexity", "simple")
    return services.do_accept_case(incident, user=user, **kwargs)


def _state(case: Case) -> str:
    return Case.objects.for_stations([case.station_id]).get(pk=case.pk).state


# -- the list ------------------------------------------------------------------------------------


def test_sun_li_sees_his_own_cases_first_and_everyone_s_on_asking(
        client: Client, theft_incident: Incident, fight_incident: Incident, li_na: Any, sun_li: Any,
        zheng_kai: Any) -> None:
    his = _accept(theft_incident, li_na, lead=sun_li.officer)
    other = _accept(fight_incident, li_na, kind="administrative", lead=zheng_kai.officer)
    logged_in(client, sun_li)
    mine = client.get("/cases/")
    assert mine.status_code == 200
    numbers = [case.number for case in mine.context["page"]]
    assert numbers == [his.number]
    page = mine.content.decode()
    assert '<html lang="zh-hans">' in page and "孙立" in page and f"/incidents/{theft_incident.pk}/" in page
    everyone = client.get("/cases/?lead=")
    assert {case.number for case in everyone.context["page"]} == {his.number, other.number}
    by_lead = client.get(f"/cases/?lead={zheng_kai.officer.pk}")
    assert [case.number for case in by_lead.context["page"]] == [other.number]


def test_li_na_sees_the_whole_team_and_overdue_cases_in_red(
        client: Client, theft_incident: Incident, fight_incident: Incident, li_na: Any, case_team: list[Any]) -> None:
    late = _accept(theft_incident, li_na, now=timezone.now() - dt.timedelta(days=5))
    fresh = _accept(fight_incident, li_na, kind="administrative")
    logged_in(client, li_na)
    listed = client.get("/cases/")
    assert {case.number for case in listed.context["page"]} == {late.number, fresh.number}
    row = next(case for case in listed.context["page"] if case.number == late.number)
    assert row.overdue and row.time_left
    assert 'class="state-accepted overdue"' in listed.content.decode()
    overdue = client.get("/cases/?overdue=on")
    assert [case.number for case in overdue.context["page"]] == [late.number]


def test_finished_cases_leave_the_default_list(client: Client, theft_incident: Incident, li_na: Any,
                                               case_team: list[Any]) -> None:
    case = _accept(theft_incident, li_na)
    services.do_not_file(case, user=li_na, reason="不构成犯罪")
    logged_in(client, li_na)
    assert list(client.get("/cases/").context["page"]) == []
    assert [c.number for c in client.get("/cases/?state=finished").context["page"]] == [case.number]
    assert [c.number for c in client.get("/cases/?state=not_filed&kind=criminal").context["page"]] == [case.number]


def test_liu_yang_a_community_officer_may_look_but_auxiliaries_may_not(
        client: Client, liu_yang: Any, chen_chen: Any) -> None:
    assert logged_in(client, liu_yang).get("/cases/").status_code == 200
    assert logged_in(Client(), chen_chen).get("/cases/").status_code == 403


# -- one case --------------------------------------------------------------------------------------


@pytest.fixture
def theft_case(theft_incident: Incident, zhang_wei: Any, liu_yang: Any, case_team: list[Any]) -> Case:
    """The theft, first sent to 刘洋 who reported back, then accepted as a case."""
    order = dispatch.do_dispatch(theft_incident, liu_yang.officer, user=zhang_wei)
    dispatch.do_acknowledge(order, user=liu_yang)
    dispatch.do_arrive(order, user=liu_yang)
    dispatch.do_feedback(order, dispatch.FeedbackData(disposition="case_accepted", actions="现场勘查，调取监控"),
                         user=liu_yang)
    return _accept(theft_incident, zhang_wei, complexity="ordinary")


def _lead(case: Case) -> Any:
    return type(case.lead).objects.for_stations([case.station_id]).get(pk=case.lead_id).user


def test_a_case_page_links_back_to_its_incident_calls_and_orders(client: Client, theft_case: Case, li_na: Any) -> None:
    response = logged_in(client, li_na).get(f"/cases/{theft_case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert theft_case.number in page and f'href="/incidents/{theft_case.incident_id}/"' in page
    assert "139****4321" in page and "马先生" in page  # the caller, phone masked
    assert "现场勘查，调取监控" in page and "刘洋" in page  # the order's feedback
    assert "已转案件" in page  # the incident's state, in Chinese
    assert response.context["reasons"] == wording.assignment_lines(theft_case.assignment)
    assert theft_case.lead.name in response.context["reasons"][0]
    assert [action for action, _label, _form in response.context["actions"]] == ["file", "not_file", "extend", "reassign"]
    assert AuditEntry.objects.filter(action="viewed_personal", user=li_na, object_type="intake.call").exists()


def test_the_lead_files_the_case_with_htmx_and_sees_it_move(client: Client, theft_case: Case) -> None:
    lead = _lead(theft_case)
    response = logged_in(client, lead).post(f"/cases/{theft_case.pk}/actions/file/", {"note": "立案"}, **HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "cases/_case_main.html"
    assert response.context["case"].state == "filed" and response.context["message"]
    assert [action for action, _label, _form in response.context["actions"]] == ["clear", "terminate"]
    assert _state(theft_case) == "filed"


def test_clearing_through_the_page_takes_how_and_the_day(client: Client, theft_case: Case) -> None:
    lead = _lead(theft_case)
    services.do_file(theft_case, user=lead)
    logged_in(client, lead)
    missing = client.post(f"/cases/{theft_case.pk}/actions/clear/", {"how": ""}, **HTMX)
    assert missing.status_code == 422 and missing.context["open_action"] == "clear"
    done = client.post(f"/cases/{theft_case.pk}/actions/clear/",
                       {"how": "video", "cleared_at": timezone.localdate().isoformat(), "note": "监控锁定"}, **HTMX)
    assert done.status_code == 200 and _state(theft_case) == "cleared"


def test_a_refusal_comes_back_as_409_saying_why(client: Client, theft_case: Case, zheng_kai: Any) -> None:
    response = logged_in(client, zheng_kai).post(f"/cases/{theft_case.pk}/actions/file/", {}, **HTMX)
    assert response.status_code == 409
    assert theft_case.number in response.context["error"]
    assert _state(theft_case) == "accepted"


def test_a_missing_reason_comes_back_as_422_on_its_field(client: Client, theft_case: Case) -> None:
    response = logged_in(client, _lead(theft_case)).post(f"/cases/{theft_case.pk}/actions/not_file/", {"reason": ""}, **HTMX)
    assert response.status_code == 422
    form = dict((action, form) for action, _label, form in response.context["actions"])["not_file"]
    assert form.errors["reason"]


def test_without_htmx_a_move_redirects_back_to_the_case(client: Client, theft_case: Case, li_na: Any,
                                                        zheng_kai: Any) -> None:
    logged_in(client, li_na)
    moved = client.post(f"/cases/{theft_case.pk}/actions/reassign/", {"officer": zheng_kai.officer.pk, "reason": "出差"})
    assert moved.status_code == 302 and moved["Location"] == f"/cases/{theft_case.pk}/"
    assert Case.objects.for_stations([theft_case.station_id]).get(pk=theft_case.pk).lead_id == zheng_kai.officer.pk
    refused = client.post(f"/cases/{theft_case.pk}/actions/close/", {})
    assert refused.status_code == 302
    assert client.post(f"/cases/{theft_case.pk}/actions/solve/", {}).status_code == 404


def test_li_na_extends_a_time_limit_from_the_page(client: Client, theft_case: Case, li_na: Any) -> None:
    due = theft_case.due_at
    response = logged_in(client, li_na).post(f"/cases/{theft_case.pk}/actions/extend/", {"reason": "需要补充材料"}, **HTMX)
    assert response.status_code == 200
    assert response.context["case"].due_at == due + dt.timedelta(days=4)


# -- the incident's part ---------------------------------------------------------------------------


def test_zhang_wei_sees_the_accept_form_with_criminal_preselected_and_the_recommended_lead(
        client: Client, theft_incident: Incident, fight_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> None:
    logged_in(client, zhang_wei)
    part = client.get(f"/cases/incident/{theft_incident.pk}/", **HTMX)
    assert part.status_code == 200
    assert part.context["form"]["kind"].value() == "criminal"
    assert part.context["choice"].lead is not None and part.context["reasons"]
    page = part.content.decode()
    assert part.context["choice"].lead.name in page
    assert client.get(f"/cases/incident/{fight_incident.pk}/").context["form"]["kind"].value() == "administrative"
    complex_part = client.get(f"/cases/incident/{theft_incident.pk}/?complexity=complex&kind=criminal")
    assert len(complex_part.context["choice"].assistants) == 2


def test_zhang_wei_accepts_the_incident_from_its_page_in_one_step(
        client: Client, theft_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> None:
    logged_in(client, zhang_wei)
    # The incident page loads the board's panel, which loads the case part.
    panel = client.get(f"/board/incidents/{theft_incident.pk}/", **HTMX).content.decode()
    assert f'hx-get="/cases/incident/{theft_incident.pk}/"' in panel
    response = client.post(f"/cases/incident/{theft_incident.pk}/accept/",
                           {"kind": "criminal", "complexity": "ordinary", "title": "电动车被盗", "lead": ""}, **HTMX)
    assert response.status_code == 200
    case = Case.objects.for_stations([theft_incident.station_id]).get(incident=theft_incident)
    assert case.title == "电动车被盗" and case.number in response.content.decode()
    assert Incident.objects.for_stations([theft_incident.station_id]).get(pk=theft_incident.pk).state == "converted"
    again = client.post(f"/cases/incident/{theft_incident.pk}/accept/", {"kind": "criminal", "complexity": "ordinary"},
                        **HTMX)
    assert again.status_code == 409 and again.context["case"] == case and case.number in again.context["error"]


def test_accepting_with_orders_out_is_refused_in_the_part(client: Client, theft_incident: Incident, zhang_wei: Any,
                                                          liu_yang: Any, case_team: list[Any]) -> None:
    dispatch.do_dispatch(theft_incident, liu_yang.officer, user=zhang_wei)
    logged_in(client, zhang_wei)
    assert client.get(f"/cases/incident/{theft_incident.pk}/").context["orders_out"]
    response = client.post(f"/cases/incident/{theft_incident.pk}/accept/", {"kind": "criminal", "complexity": "simple"},
                           **HTMX)
    assert response.status_code == 409 and response.context["error"] == _(
        "Orders are still out for this incident: wait for their feedback or cancel them first.")


def test_a_station_without_case_officers_gets_a_field_error_naming_why(client: Client, theft_incident: Incident,
                                                                       zhang_wei: Any) -> None:
    response = logged_in(client, zhang_wei).post(f"/cases/incident/{theft_incident.pk}/accept/",
                                                 {"kind": "criminal", "complexity": "simple"}, **HTMX)
    assert response.status_code == 422
    assert _("No case officer at this station.") in response.context["form"].errors["lead"][0]


def test_without_htmx_accepting_redirects_to_the_new_case(client: Client, theft_incident: Incident, zhang_wei: Any,
                                                         case_team: list[Any]) -> None:
    response = logged_in(client, zhang_wei).post(f"/cases/incident/{theft_incident.pk}/accept/",
                                                 {"kind": "criminal", "complexity": "simple"})
    case = Case.objects.for_stations([theft_incident.station_id]).get(incident=theft_incident)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"


def test_liu_yang_sees_the_incident_is_not_a_case_but_gets_no_form(client: Client, theft_incident: Incident,
                                                                   liu_yang: Any) -> None:
    part = logged_in(client, liu_yang).get(f"/cases/incident/{theft_incident.pk}/")
    assert part.status_code == 200 and "form" not in part.context
    assert logged_in(Client(), liu_yang).post(f"/cases/incident/{theft_incident.pk}/accept/", {}).status_code == 403


# -- the admin -------------------------------------------------------------------------------------


def test_li_na_keeps_the_time_limits_in_the_admin_and_a_bad_number_template_is_refused(
        client: Client, theft_incident: Incident, li_na: Any, zhao_min: Any, case_team: list[Any]) -> None:
    case = _accept(theft_incident, li_na)
    logged_in(client, li_na)
    assert client.get("/admin/cases/caselimit/").status_code == 200
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    settings = services.seed_station_cases(case.station)
    bad = client.post(f"/admin/cases/casesettings/{settings.pk}/change/",
                      {"station": case.station_id, "number_template": "{station}{NNNN}"})
    assert bad.status_code == 200 and bad.context["adminform"].form.errors["number_template"]
    other = Client()
    other.force_login(zhao_min)
    assert other.get(f"/admin/cases/case/{case.pk}/change/").status_code == 404


def test_a_filter_that_makes_no_sense_shows_the_open_cases(client: Client, theft_incident: Incident, li_na: Any,
                                                           case_team: list[Any]) -> None:
    case = _accept(theft_incident, li_na)
    response = logged_in(client, li_na).get("/cases/?state=lost&kind=civil")
    assert [row.number for row in response.context["page"]] == [case.number]


def test_the_accept_form_shows_the_load_of_the_case_team(client: Client, theft_incident: Incident, fight_incident: Incident,
                                                         zhang_wei: Any, case_team: list[Any]) -> None:
    _accept(fight_incident, zhang_wei, kind="administrative", complexity="complex")
    part = logged_in(client, zhang_wei).get(f"/cases/incident/{theft_incident.pk}/")
    loads = {name: figures for name, _on_duty, figures in part.context["team"]}
    figures = [assign.Message(assign.FIGURES, {"open": open_, "load": load}).render(_) for open_, load in ((0, 0), (0, 0), (1, 3))]
    assert sorted(loads.values()) == sorted(figures)
