"""Accepting an incident as a case and every move after it: states, logs, audit rows, events, refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.cases import services
from fengqiao.cases.models import Case, CaseLimit, CaseLog, CaseSettings
from fengqiao.cases.services import CaseRefused
from fengqiao.core import events
from fengqiao.dispatch import services as dispatch
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.organisation.models import Officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The live events the services publish: (kind, ids)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events, "publish", lambda station_id, kind, **ids: seen.append((kind, ids)))
    return seen


def _incident(incident: Incident) -> Incident:
    return Incident.objects.for_stations([incident.station_id]).select_related("owner", "owner_team").get(pk=incident.pk)


def _case(case: Case) -> Case:
    return Case.objects.for_stations([case.station_id]).select_related("lead", "incident").get(pk=case.pk)


def _audit(case: Case) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("id"))


def _log(case: Case) -> list[str]:
    return list(CaseLog.objects.for_stations([case.station_id]).filter(case=case).values_list("action", flat=True))


def _accept(incident: Incident, user: Any, **kwargs: Any) -> Case:
    kwargs.setdefault("kind", "criminal")
    kwargs.setdefault("complexity", "ordinary")
    return services.do_accept_case(incident, user=user, **kwargs)


# -- accepting -------------------------------------------------------------------------------------


def test_zhang_wei_accepts_a_theft_as_a_criminal_case_in_one_step(
        theft_incident: Incident, zhang_wei: Any, case_team: list[Any], published: list[Any]) -> None:
    now = timezone.now()
    case = _accept(theft_incident, zhang_wei, now=now)
    year = timezone.localtime(now).year
    assert case.number == f"NPXS{year}0001"
    assert (case.state, case.stage, case.due_at) == ("accepted", "filing", now + dt.timedelta(days=3))
    assert case.accepted_by == zhang_wei and case.category_id == theft_incident.category_id
    assert case.title.startswith("盗窃")
    incident = _incident(theft_incident)
    assert incident.state == "converted" and incident.deadline is None
    assert incident.owner_id == case.lead_id and incident.owner_team.kind == "case"
    state_entry = IncidentLog.objects.for_stations([incident.station_id]).filter(incident=incident, kind="state").last()
    assert case.number in state_entry.text and state_entry.author_id == zhang_wei.pk
    assert _log(case) == ["accept"]
    created = _audit(case)[0]
    assert (created.action, created.user_id) == ("created", zhang_wei.pk)
    assert AuditEntry.objects.filter(object_type="intake.incident", object_id=str(incident.pk), action="updated",
                                     reason=case.number).exists()
    assert ("case", {"case": case.pk, "incident": incident.pk, "officer": case.lead_id, "state": "accepted"}) in published
    assert any(kind == "incident" and ids["state"] == "converted" for kind, ids in published)


def test_the_first_case_seeds_the_stations_settings_and_legal_time_limits(
        theft_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> None:
    case = _accept(theft_incident, zhang_wei)
    assert CaseSettings.objects.for_stations([case.station_id]).count() == 1
    limits = {(row.kind, row.stage): row.days for row in CaseLimit.objects.for_stations([case.station_id])}
    assert limits == {("criminal", "filing"): 3, ("criminal", "investigation"): 60, ("criminal", "closing"): 30,
                      ("administrative", "handling"): 30, ("administrative", "closing"): 7}


def test_the_lead_is_the_least_loaded_officer_on_duty_and_the_next_one_assists(
        theft_incident: Incident, fight_incident: Incident, zhang_wei: Any, sun_li: Any, wu_min: Any,
        zheng_kai: Any) -> None:
    first = _accept(theft_incident, zhang_wei)
    assert {first.lead_id, *first.assistants.values_list("pk", flat=True)} == {sun_li.officer.pk, wu_min.officer.pk}
    second = _accept(fight_incident, zhang_wei, kind="administrative")
    # The first lead now carries an ordinary case (weighted 2): the other one leads.
    assert second.lead_id != first.lead_id and second.lead_id in {sun_li.officer.pk, wu_min.officer.pk}
    assert list(second.assistants.values_list("pk", flat=True)) == [first.lead_id]
    assert zheng_kai.officer.pk not in {first.lead_id, second.lead_id}
    assert second.assignment["figures"][str(first.lead_id)]["load"] == 2
    assert "lowest load of the case officers on duty" in second.assignment["reasons"][0]["text"]


def test_a_complex_case_takes_the_least_loaded_of_all_with_two_assistants_and_tells_the_leaders(
        theft_incident: Incident, li_na: Any, case_team: list[Any], zheng_kai: Any) -> None:
    case = _accept(theft_incident, li_na, complexity="complex")
    assert case.assistants.count() == 2
    texts = [reason["text"] for reason in case.assignment["reasons"]]
    assert "A complex case: the station's leaders are notified." in texts
    assert case.lead_id in {officer.officer.pk for officer in case_team}


def test_numbers_run_per_kind_and_year_from_the_stations_template(
        receive: Any, theft_incident: Incident, fight_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> None:
    year = timezone.localtime(timezone.now()).year
    first = _accept(theft_incident, zhang_wei)
    administrative = _accept(fight_incident, zhang_wei, kind="administrative")
    assert (first.number, administrative.number) == (f"NPXS{year}0001", f"NPXZ{year}0001")
    settings = CaseSettings.objects.for_stations([first.station_id]).get()
    settings.number_template = "{station}-{kind}-{YYYY}-{NNN}"
    settings.save()
    other = Incident.objects.for_stations([first.station_id]).get(pk=receive("钱包在公交车上被扒了", user=zhang_wei).incident.pk)
    assert _accept(other, zhang_wei).number == f"NP-XS-{year}-001"


def test_a_number_another_case_took_first_is_skipped(
        theft_incident: Incident, fight_incident: Incident, zhang_wei: Any, case_team: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    first = _accept(theft_incident, zhang_wei)
    # The second reads "no case yet", as if both had read at the same moment: its insert
    # meets the first number, and it takes the next one.
    real = services._last_sequence
    stale = [0]

    def last_sequence(*args: Any) -> int:
        return stale.pop() if stale else real(*args)

    monkeypatch.setattr(services, "_last_sequence", last_sequence)
    second = _accept(fight_incident, zhang_wei, kind="criminal")
    assert first.number.endswith("0001") and second.number.endswith("0002")


def test_a_lead_chosen_by_hand_is_kept_with_the_recommendation_named(
        theft_incident: Incident, li_na: Any, case_team: list[Any], zheng_kai: Any) -> None:
    case = _accept(theft_incident, li_na, lead=zheng_kai.officer)
    assert case.lead_id == zheng_kai.officer.pk
    texts = [reason["text"] for reason in case.assignment["reasons"]]
    assert texts[0].startswith("%(name)s: chosen by the person who accepted the case")
    assert any(text.startswith("The recommendation was") for text in texts)


def test_an_incident_can_become_a_case_only_once(theft_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> None:
    case = _accept(theft_incident, zhang_wei)
    with pytest.raises(CaseRefused) as refused:
        _accept(theft_incident, zhang_wei)
    assert refused.value.code == "already_a_case" and case.number in refused.value.message


def test_orders_still_out_must_come_back_first(theft_incident: Incident, zhang_wei: Any, liu_yang: Any,
                                              case_team: list[Any]) -> None:
    dispatch.do_dispatch(theft_incident, liu_yang.officer, user=zhang_wei)
    with pytest.raises(CaseRefused) as refused:
        _accept(theft_incident, zhang_wei)
    assert refused.value.code == "orders_out"
    assert not Case.objects.for_stations([theft_incident.station_id]).exists()


def test_a_resolved_incident_may_still_become_a_case_but_not_a_closed_one(
        theft_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> None:
    dispatch.do_resolve(theft_incident, user=zhang_wei, text="电话中已登记")
    dispatch.do_close(theft_incident, user=zhang_wei)
    with pytest.raises(CaseRefused) as refused:
        _accept(_incident(theft_incident), zhang_wei)
    assert refused.value.code == "wrong_state"
    dispatch.do_reopen(theft_incident, user=zhang_wei, reason="需要立案")
    dispatch.do_resolve(theft_incident, user=zhang_wei, text="已登记")
    assert _accept(_incident(theft_incident), zhang_wei).state == "accepted"


def test_liu_yang_a_community_officer_may_not_accept_cases(theft_incident: Incident, liu_yang: Any,
                                                           case_team: list[Any]) -> None:
    with pytest.raises(CaseRefused) as refused:
        _accept(theft_incident, liu_yang)
    assert refused.value.code == "not_allowed"


def test_no_case_officer_at_the_station_is_said_and_nothing_is_kept(theft_incident: Incident, zhang_wei: Any) -> None:
    with pytest.raises(ValidationError) as error:
        _accept(theft_incident, zhang_wei)
    assert _("No case officer at this station.") in error.value.message_dict["lead"][0]
    assert _incident(theft_incident).state != "converted"


def test_nobody_on_duty_means_choosing_the_lead_by_hand(theft_incident: Incident, zhang_wei: Any, zheng_kai: Any) -> None:
    with pytest.raises(ValidationError) as error:
        _accept(theft_incident, zhang_wei)
    assert _("No case officer is on duty.") in error.value.message_dict["lead"][0]
    assert _accept(theft_incident, zhang_wei, lead=zheng_kai.officer).lead_id == zheng_kai.officer.pk


def test_bad_kind_complexity_or_lead_name_their_fields(theft_incident: Incident, zhang_wei: Any, chen_chen: Any,
                                                       case_team: list[Any]) -> None:
    with pytest.raises(ValidationError) as error:
        _accept(theft_incident, zhang_wei, kind="civil", complexity="huge")
    assert set(error.value.message_dict) == {"kind", "complexity"}
    with pytest.raises(ValidationError) as auxiliary:
        _accept(theft_incident, zhang_wei, lead=chen_chen.officer)
    assert "lead" in auxiliary.value.message_dict


# -- the moves -------------------------------------------------------------------------------------


@pytest.fixture
def theft_case(theft_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> Case:
    return _case(_accept(theft_incident, zhang_wei))


def _lead_user(case: Case) -> Any:
    return Officer.objects.for_stations([case.station_id]).select_related("user").get(pk=case.lead_id).user


def _assistant_user(case: Case) -> Any:
    return case.assistants.select_related("user").get().user


def test_the_lead_files_clears_and_closes_a_criminal_case(theft_case: Case, published: list[Any]) -> None:
    lead = _lead_user(theft_case)
    now = timezone.now()
    filed = services.do_file(theft_case, user=lead, note="立案审查完毕", now=now)
    assert (filed.state, filed.stage, filed.filed_at, filed.due_at) == ("filed", "investigation", now,
                                                                        now + dt.timedelta(days=60))
    cleared = services.do_clear(theft_case, user=lead, how="video", note="调取监控锁定嫌疑人", now=now + dt.timedelta(days=5))
    assert (cleared.state, cleared.stage, cleared.cleared_how) == ("cleared", "closing", "video")
    assert cleared.due_at == now + dt.timedelta(days=35)
    closed = services.do_close(theft_case, user=lead, note="移送起诉", now=now + dt.timedelta(days=9))
    assert (closed.state, closed.due_at, closed.stage, closed.close_note) == ("closed", None, "", "移送起诉")
    stored = _case(theft_case)
    assert (stored.state, stored.filed_at, stored.closed_at) == ("closed", now, now + dt.timedelta(days=9))
    assert _log(theft_case) == ["accept", "file", "clear", "close"]
    updates = [entry for entry in _audit(theft_case) if entry.action == "updated"]
    assert [entry.changes["state"] for entry in updates] == [["accepted", "filed"], ["filed", "cleared"], ["cleared", "closed"]]
    assert all(entry.user_id == lead.pk for entry in updates) and updates[1].reason == "调取监控锁定嫌疑人"
    notes = IncidentLog.objects.for_stations([theft_case.station_id]).filter(incident=theft_case.incident, kind="note")
    assert notes.count() == 3 and all(theft_case.number in text for text in notes.values_list("text", flat=True))
    assert [ids["state"] for kind, ids in published if kind == "case"] == ["filed", "cleared", "closed"]


def test_a_case_cleared_on_an_earlier_day_starts_closing_from_that_day(theft_case: Case) -> None:
    lead = _lead_user(theft_case)
    now = timezone.now()
    services.do_file(theft_case, user=lead, now=now - dt.timedelta(days=10))
    day = timezone.localtime(now - dt.timedelta(days=3)).date()
    cleared = services.do_clear(theft_case, user=lead, how="investigation", cleared_at=day, now=now)
    assert timezone.localtime(cleared.cleared_at).date() == day
    assert cleared.stage_started_at == cleared.cleared_at and cleared.due_at == cleared.cleared_at + dt.timedelta(days=30)


def test_clearing_needs_how_and_a_day_neither_ahead_nor_before_filing(theft_case: Case) -> None:
    lead = _lead_user(theft_case)
    now = timezone.now()
    services.do_file(theft_case, user=lead, now=now)
    with pytest.raises(ValidationError) as error:
        services.do_clear(theft_case, user=lead, how="decision", cleared_at=timezone.localdate() + dt.timedelta(days=2))
    assert set(error.value.message_dict) == {"how", "cleared_at"}
    with pytest.raises(ValidationError) as early:
        services.do_clear(theft_case, user=lead, how="video", cleared_at=timezone.localdate() - dt.timedelta(days=5))
    assert early.value.message_dict["cleared_at"] == [_("The case cannot be cleared before it was filed.")]
    assert _case(theft_case).state == "filed"


def test_a_criminal_case_not_filed_needs_a_reason(theft_case: Case) -> None:
    lead = _lead_user(theft_case)
    with pytest.raises(ValidationError) as error:
        services.do_not_file(theft_case, user=lead, reason=" ")
    assert "reason" in error.value.message_dict
    done = services.do_not_file(theft_case, user=lead, reason="不构成刑事案件，转治安处理")
    assert (done.state, done.due_at, done.not_filed_reason) == ("not_filed", None, "不构成刑事案件，转治安处理")
    assert _audit(theft_case)[-1].reason == "不构成刑事案件，转治安处理"


def test_a_filed_case_may_be_terminated_with_a_reason(theft_case: Case) -> None:
    assistant = _assistant_user(theft_case)
    services.do_file(theft_case, user=assistant)
    done = services.do_terminate(theft_case, user=assistant, reason="犯罪嫌疑人死亡")
    assert (done.state, done.close_note) == ("closed", "犯罪嫌疑人死亡")
    assert _log(theft_case)[-1] == "terminate"


def test_an_administrative_case_is_decided_then_closed(fight_incident: Incident, zhang_wei: Any,
                                                       case_team: list[Any]) -> None:
    case = _case(_accept(fight_incident, zhang_wei, kind="administrative"))
    assert (case.stage, case.due_at - case.accepted_at) == ("handling", dt.timedelta(days=30))
    lead = _lead_user(case)
    decided = services.do_decide(case, user=lead, decision="行政拘留五日")
    assert (decided.state, decided.cleared_how, decided.cleared_note, decided.stage) == (
        "cleared", "decision", "行政拘留五日", "closing")
    assert services.do_close(case, user=lead).state == "closed"


def test_a_move_the_state_does_not_allow_is_refused_saying_why(theft_case: Case, fight_incident: Incident,
                                                                zhang_wei: Any) -> None:
    lead = _lead_user(theft_case)
    with pytest.raises(CaseRefused) as refused:
        services.do_close(theft_case, user=lead)
    assert refused.value.code == "wrong_state" and theft_case.number in refused.value.message
    with pytest.raises(CaseRefused) as wrong_kind:
        services.do_decide(theft_case, user=lead, decision="罚款")
    assert wrong_kind.value.code == "wrong_kind"
    assert _log(theft_case) == ["accept"] and _case(theft_case).state == "accepted"


def test_zheng_kai_a_case_officer_not_on_the_case_is_refused(theft_case: Case, zheng_kai: Any, zhang_wei: Any) -> None:
    for outsider in (zheng_kai, zhang_wei):
        with pytest.raises(CaseRefused) as refused:
            services.do_file(theft_case, user=outsider)
        assert refused.value.code == "not_yours"
    assert _case(theft_case).state == "accepted"


def test_li_na_a_leader_may_work_on_any_case_of_her_station(theft_case: Case, li_na: Any) -> None:
    assert services.do_file(theft_case, user=li_na).state == "filed"


def test_only_a_leader_extends_a_time_limit_and_only_as_often_as_allowed(theft_case: Case, li_na: Any) -> None:
    lead = _lead_user(theft_case)
    with pytest.raises(CaseRefused) as refused:
        services.do_extend(theft_case, user=lead, reason="需要补充材料")
    assert refused.value.code == "not_allowed"
    with pytest.raises(ValidationError):
        services.do_extend(theft_case, user=li_na, reason="")
    due = theft_case.due_at
    once = services.do_extend(theft_case, user=li_na, reason="需要调取银行流水")
    assert (once.due_at, once.extensions) == (due + dt.timedelta(days=4), 1)
    services.do_extend(theft_case, user=li_na, reason="仍需调查")
    with pytest.raises(CaseRefused) as spent:
        services.do_extend(theft_case, user=li_na, reason="再延")
    assert spent.value.code == "no_more_extensions" and "2" in spent.value.message
    extended = [entry for entry in _audit(theft_case) if entry.reason == "需要调取银行流水"]
    assert extended and extended[0].changes["extensions"] == [0, 1] and extended[0].user_id == li_na.pk


def test_li_na_hands_a_case_to_another_officer_and_the_incident_follows(theft_case: Case, li_na: Any, zheng_kai: Any,
                                                                        published: list[Any]) -> None:
    lead = _lead_user(theft_case)
    with pytest.raises(CaseRefused):
        services.do_reassign(theft_case, user=lead, officer=zheng_kai.officer, reason="工作调整")
    with pytest.raises(ValidationError) as same:
        services.do_reassign(theft_case, user=li_na, officer=lead.officer, reason="工作调整")
    assert "officer" in same.value.message_dict
    moved = services.do_reassign(theft_case, user=li_na, officer=zheng_kai.officer, reason="原主办民警出差")
    assert moved.lead_id == zheng_kai.officer.pk and _case(theft_case).lead_id == zheng_kai.officer.pk
    assert _incident(theft_case.incident).owner_id == zheng_kai.officer.pk
    assert moved.assignment["reasons"][-1]["args"]["reason"] == "原主办民警出差"
    assert _audit(theft_case)[-1].changes["lead"] == [lead.officer.pk, zheng_kai.officer.pk]
    assert ("case", {"case": moved.pk, "incident": moved.incident_id, "officer": zheng_kai.officer.pk,
                     "state": "accepted"}) in published
    # The old lead may no longer work on it; the new one may.
    with pytest.raises(CaseRefused):
        services.do_file(theft_case, user=lead)
    assert services.do_file(theft_case, user=zheng_kai).state == "filed"


def test_a_station_limit_changes_the_deadline(theft_incident: Incident, zhang_wei: Any, case_team: list[Any],
                                             station_a: Any) -> None:
    services.seed_station_cases(station_a)
    CaseLimit.objects.for_stations([station_a.pk]).filter(kind="criminal", stage="filing").update(days=7)
    now = timezone.now()
    assert _accept(theft_incident, zhang_wei, now=now).due_at == now + dt.timedelta(days=7)


def test_the_moves_the_page_offers_follow_the_state_and_the_user(theft_case: Case, li_na: Any, zheng_kai: Any) -> None:
    lead = _lead_user(theft_case)
    assert services.allowed_actions(theft_case, lead) == ["file", "not_file"]
    assert services.allowed_actions(theft_case, li_na) == ["file", "not_file", "extend", "reassign"]
    assert services.allowed_actions(theft_case, zheng_kai) == []
