"""Transferring an incident and every move after it: states, the incident, logs, audit rows,
events, refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.dispatch import services as dispatch
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.organisation.models import Department, Team
from fengqiao.transfers import services
from fengqiao.transfers.models import RoutingRule, Transfer, TransferSettings, TransferUpdate
from fengqiao.transfers.services import TransferRefused

from .conftest import CALLER_PHONE, fresh

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _incident(transfer: Transfer) -> Incident:
    return Incident.objects.for_stations([transfer.station_id]).get(pk=transfer.incident_id)


def _updates(transfer: Transfer) -> list[tuple[str, str, str, str]]:
    return [(u.action, u.state_before, u.state_after, u.actor)
            for u in TransferUpdate.objects.for_stations([transfer.station_id]).filter(transfer=transfer)]


# -- routing as data ----------------------------------------------------------------------------------


def test_a_station_gets_its_routing_rules_on_first_use(station_a: Any, departments: list[Department],
                                                       urban_management: Department, hotline: Department) -> None:
    settings = services.seed_station_transfers(station_a)
    assert isinstance(settings, TransferSettings) and settings.receipt_minutes == 120
    rules = {rule.category: rule for rule in RoutingRule.objects.for_stations([station_a.pk])}
    assert rules["non_police.noise"].department == urban_management and rules["non_police.noise"].result_hours == 24
    assert rules["non_police.parking"].department == urban_management
    # no utilities or environment department in this city: the hotline takes leaks and smells
    assert rules["non_police.leak"].department == hotline and rules["non_police.smell"].department == hotline
    assert rules[""].department == hotline
    assert AuditEntry.objects.filter(object_type="transfers.routingrule", action="created").count() == 1
    # idempotent: a second call neither adds nor changes a rule
    services.seed_station_transfers(station_a)
    assert RoutingRule.objects.for_stations([station_a.pk]).count() == len(rules)


def test_the_incident_s_matter_is_routed_by_its_category(noise_complaint: Incident, urban_management: Department) -> None:
    route = services.route_for(noise_complaint)
    assert route.department == urban_management and route.result_hours == 24
    assert "噪音扰民" in route.why


def test_without_any_department_no_rule_is_made_and_a_transfer_must_name_one(receive: Any, zhang_wei: Any) -> None:
    from fengqiao.intake import services as intake

    receipt = receive("楼下烧烤油烟太大", user=zhang_wei, decision=intake.Decision(category="non_police.smell", route="transfer"))
    incident = Incident.objects.for_stations([receipt.call.station_id]).select_related("category", "station").get(
        pk=receipt.incident.pk)
    route = services.route_for(incident)
    assert route.department is None and route.rule is None
    assert not RoutingRule.objects.for_stations([incident.station_id]).exists()
    with pytest.raises(ValidationError) as error:
        services.do_transfer(incident, user=zhang_wei, description="请处理油烟")
    assert "department" in error.value.message_dict
    assert _incident_state(incident) == "triaged"


def _incident_state(incident: Incident) -> str:
    return Incident.objects.for_stations([incident.station_id]).get(pk=incident.pk).state


# -- the transfer ---------------------------------------------------------------------------------------


def test_zhang_wei_transfers_the_noise_complaint_to_urban_management_in_one_step(
        noise_complaint: Incident, zhang_wei: Any, urban_management: Department, published: list[Any]) -> None:
    before = timezone.now()
    transfer = services.do_transfer(noise_complaint, user=zhang_wei, description="请城管到现场处理广场舞噪音")
    year = timezone.localtime(transfer.pushed_at).year
    assert transfer.number == f"移{year}-0001"
    assert transfer.department == urban_management and transfer.state == "pushed"
    assert transfer.category_label == "噪音扰民" and transfer.address_text.startswith("南岸区")
    assert (transfer.caller_name, transfer.caller_phone) == ("钱女士", CALLER_PHONE)
    assert transfer.due_step == "receipt" and transfer.due_at == transfer.pushed_at + 2 * HOUR
    assert transfer.result_due == transfer.pushed_at + 24 * HOUR and transfer.pushed_at >= before
    assert transfer.delivered_at == transfer.pushed_at  # no endpoint: the portal has it at once
    incident = _incident(transfer)
    assert incident.state == "transferred" and incident.owner_id is None and incident.owner_team_id is None
    assert incident.deadline == transfer.result_due
    assert _updates(transfer) == [("push", "", "pushed", "station")]
    assert IncidentLog.objects.for_stations([incident.station_id]).filter(
        incident=incident, kind="state", text__contains=transfer.number).exists()
    assert AuditEntry.objects.filter(object_type="transfers.transfer", object_id=str(transfer.pk), action="created",
                                     user=zhang_wei).exists()
    created = AuditEntry.objects.get(object_type="transfers.transfer", object_id=str(transfer.pk), action="created")
    assert CALLER_PHONE not in str(created.changes)  # the phone never in the audit log
    assert AuditEntry.objects.filter(object_type="intake.incident", object_id=str(incident.pk), action="updated",
                                     reason=transfer.number).exists()
    assert ("transfer", {"transfer": transfer.pk, "incident": incident.pk, "state": "pushed"}) in published
    assert any(kind == "incident" and ids["state"] == "transferred" for kind, ids in published)


def test_the_numbers_count_on_per_station_and_year(noise_complaint: Incident, transfer_a: Transfer, zhang_wei: Any,
                                                   xu_lan: Any, receive: Any) -> None:
    from fengqiao.intake import services as intake

    second = receive("商铺门口占道摆摊", user=zhang_wei, decision=intake.Decision(category="non_police.market", route="transfer"))
    other = Incident.objects.for_stations([second.call.station_id]).get(pk=second.incident.pk)
    transfer = services.do_transfer(other, user=zhang_wei, description="占道经营")
    assert transfer.number.endswith("-0002")


def test_another_department_may_be_chosen_over_the_routed_one(noise_complaint: Incident, zhang_wei: Any,
                                                              hotline: Department) -> None:
    transfer = services.do_transfer(noise_complaint, user=zhang_wei, description="转热线", department=hotline)
    assert transfer.department == hotline and transfer.result_due == transfer.pushed_at + 24 * HOUR


def test_an_incident_is_with_one_department_at_a_time(transfer_a: Transfer, zhang_wei: Any) -> None:
    with pytest.raises(TransferRefused) as refused:
        services.do_transfer(transfer_a.incident, user=zhang_wei, description="再次移交")
    assert refused.value.code == "already_transferred" and transfer_a.number in refused.value.message


def test_a_transfer_waits_for_the_orders_out(noise_complaint: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    dispatch.do_dispatch(noise_complaint, liu_yang.officer, user=zhang_wei)
    with pytest.raises(TransferRefused) as refused:
        services.do_transfer(noise_complaint, user=zhang_wei, description="移交城管")
    assert refused.value.code == "orders_out"
    assert not Transfer.objects.for_stations([noise_complaint.station_id]).exists()


def test_a_closed_incident_cannot_be_transferred(noise_complaint: Incident, zhang_wei: Any) -> None:
    dispatch.do_resolve(noise_complaint, user=zhang_wei, text="电话劝解")
    with pytest.raises(TransferRefused) as refused:
        services.do_transfer(noise_complaint, user=zhang_wei, description="移交")
    assert refused.value.code == "wrong_state"


def test_liu_yang_a_community_officer_may_not_transfer(noise_complaint: Incident, liu_yang: Any) -> None:
    with pytest.raises(TransferRefused) as refused:
        services.do_transfer(noise_complaint, user=liu_yang, description="移交")
    assert refused.value.code == "not_allowed"


def test_a_transfer_needs_a_description(noise_complaint: Incident, zhang_wei: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.do_transfer(noise_complaint, user=zhang_wei, description=" ")
    assert "description" in error.value.message_dict


# -- the department -------------------------------------------------------------------------------------


def test_xu_lan_receives_starts_extends_and_reports(transfer_a: Transfer, xu_lan: Any, published: list[Any]) -> None:
    received = services.do_receive(transfer_a, user=xu_lan)
    assert received.state == "received" and received.received_by == "徐岚" and received.due_step == "result"
    assert received.due_at == transfer_a.result_due
    started = services.do_start(received, user=xu_lan, notes="已派中队")
    assert started.state == "in_progress" and started.started_at is not None
    new_due = transfer_a.result_due + dt.timedelta(days=2)
    extended = services.do_extend(started, user=xu_lan, new_deadline=new_due, reason="需协调物业")
    assert extended.result_due == new_due and extended.extensions == 1
    assert _incident(extended).deadline == new_due  # the incident's deadline follows
    reported = services.do_report(extended, user=xu_lan, result="已约谈广场舞组织者，音响音量已调低")
    assert reported.state == "result" and reported.due_step == "confirm"
    assert reported.due_at == reported.reported_at + 24 * HOUR
    assert _incident(reported).deadline == reported.due_at and _incident(reported).state == "transferred"
    assert [u[:3] for u in _updates(transfer_a)] == [
        ("push", "", "pushed"), ("receive", "pushed", "received"), ("start", "received", "in_progress"),
        ("extend", "in_progress", "in_progress"), ("report", "in_progress", "result")]
    extension = TransferUpdate.objects.for_stations([transfer_a.station_id]).get(transfer=transfer_a, action="extend")
    assert extension.new_deadline == new_due and extension.notes == "需协调物业" and extension.author_name == "徐岚"
    assert [ids["state"] for kind, ids in published if kind == "transfer"] == ["received", "in_progress", "in_progress",
                                                                               "result"]
    audit = AuditEntry.objects.filter(object_type="transfers.transfer", object_id=str(transfer_a.pk), action="updated",
                                      user=xu_lan)
    assert audit.count() == 4 and audit.filter(reason="需协调物业").exists()
    notes = IncidentLog.objects.for_stations([transfer_a.station_id]).filter(incident_id=transfer_a.incident_id, kind="note")
    assert notes.filter(text__contains="需协调物业").exists()


def test_he_jun_of_another_department_may_not_touch_it(transfer_a: Transfer, he_jun: Any) -> None:
    with pytest.raises(TransferRefused) as refused:
        services.do_receive(transfer_a, user=he_jun)
    assert refused.value.code == "not_yours"
    assert fresh(transfer_a).state == "pushed"


def test_zhang_wei_cannot_act_for_the_department(transfer_a: Transfer, zhang_wei: Any) -> None:
    with pytest.raises(TransferRefused):
        services.do_report(transfer_a, user=zhang_wei, result="代为反馈")


def test_a_move_the_state_does_not_allow_is_refused_naming_the_state(transfer_a: Transfer, xu_lan: Any) -> None:
    with pytest.raises(TransferRefused) as refused:
        services.do_start(transfer_a, user=xu_lan)
    assert refused.value.code == "wrong_state" and transfer_a.number in refused.value.message


def test_an_extension_to_an_earlier_or_far_deadline_is_a_field_error(transfer_a: Transfer, xu_lan: Any) -> None:
    received = services.do_receive(transfer_a, user=xu_lan)
    for deadline in (received.result_due - HOUR, received.result_due + dt.timedelta(days=30), None):
        with pytest.raises(ValidationError) as error:
            services.do_extend(received, user=xu_lan, new_deadline=deadline, reason="需要时间")
        assert "new_deadline" in error.value.message_dict
    assert fresh(transfer_a).extensions == 0


def test_a_third_extension_is_refused(transfer_a: Transfer, xu_lan: Any) -> None:
    transfer = services.do_receive(transfer_a, user=xu_lan)
    for days in (1, 2):
        transfer = services.do_extend(transfer, user=xu_lan, new_deadline=transfer.result_due + dt.timedelta(days=1),
                                      reason=f"第{days}次延期")
    with pytest.raises(TransferRefused) as refused:
        services.do_extend(transfer, user=xu_lan, new_deadline=transfer.result_due + dt.timedelta(days=1), reason="再延")
    assert refused.value.code == "too_many_extensions"


def test_returned_as_not_ours_the_incident_goes_back_to_the_command_room(
        transfer_a: Transfer, xu_lan: Any, command_room_a: Team, published: list[Any]) -> None:
    returned = services.do_return(transfer_a, user=xu_lan, reason="属于物业管理范畴，非城管职责")
    assert returned.state == "returned" and returned.due_at is None and returned.return_reason.startswith("属于物业")
    incident = _incident(returned)
    assert incident.state == "triaged" and incident.owner_team_id == command_room_a.pk and incident.owner_id is None
    assert incident.deadline is not None and incident.deadline > returned.returned_at
    assert any(kind == "incident" and ids["state"] == "triaged" for kind, ids in published)
    # the command room may route it anew
    assert services.may_transfer(incident, transfer_a.pushed_by)


def test_a_department_note_changes_nothing_but_the_timeline(transfer_a: Transfer, xu_lan: Any) -> None:
    noted = services.do_note(transfer_a, user=xu_lan, notes="今晚安排人员蹲守")
    assert noted.state == "pushed" and _updates(transfer_a)[-1] == ("note", "pushed", "pushed", "department")


def test_updates_record_how_they_came(transfer_a: Transfer, xu_lan: Any) -> None:
    services.do_receive(transfer_a, user=xu_lan, via="api")
    assert TransferUpdate.objects.for_stations([transfer_a.station_id]).get(transfer=transfer_a, action="receive").via == "api"


# -- the station ------------------------------------------------------------------------------------------


@pytest.fixture
def reported(transfer_a: Transfer, xu_lan: Any) -> Transfer:
    transfer = services.do_receive(transfer_a, user=xu_lan)
    return services.do_report(transfer, user=xu_lan, result="已处理，音量已调低")


@pytest.mark.parametrize("answer", ["satisfied", "fairly", "no_result"])
def test_the_incident_closes_only_after_the_caller_is_asked(reported: Transfer, zhang_wei: Any, answer: str) -> None:
    assert _incident(reported).state == "transferred"
    confirmed = services.do_confirm(reported, user=zhang_wei, answer=answer, notes="回访钱女士")
    assert confirmed.state == "confirmed" and confirmed.caller_answer == answer and confirmed.confirmed_by == zhang_wei
    incident = _incident(confirmed)
    assert incident.state == "closed" and incident.deadline is None
    assert AuditEntry.objects.filter(object_type="intake.incident", object_id=str(incident.pk),
                                     changes__state=["transferred", "closed"]).exists()


def test_a_dissatisfied_caller_sends_it_back_to_the_department(reported: Transfer, zhang_wei: Any) -> None:
    redone = services.do_confirm(reported, user=zhang_wei, answer="dissatisfied", notes="晚上还是很吵")
    assert redone.state == "in_progress" and redone.caller_answer == "dissatisfied"
    assert redone.due_step == "result" and redone.result_due > timezone.now() + 71 * HOUR
    incident = _incident(redone)
    assert incident.state == "transferred" and incident.deadline == redone.result_due
    assert _updates(reported)[-1] == ("redo", "result", "in_progress", "station")


def test_dissatisfied_needs_what_the_caller_said(reported: Transfer, zhang_wei: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.do_confirm(reported, user=zhang_wei, answer="dissatisfied")
    assert "notes" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.do_confirm(reported, user=zhang_wei, answer="happy")


def test_confirming_before_the_result_is_refused(transfer_a: Transfer, zhang_wei: Any) -> None:
    with pytest.raises(TransferRefused) as refused:
        services.do_confirm(transfer_a, user=zhang_wei, answer="satisfied")
    assert refused.value.code == "wrong_state"
    assert _incident(transfer_a).state == "transferred"


def test_zhang_wei_withdraws_it_and_the_incident_is_the_command_room_s_again(transfer_a: Transfer, zhang_wei: Any,
                                                                            command_room_a: Team) -> None:
    withdrawn = services.do_withdraw(transfer_a, user=zhang_wei, reason="报警人已自行解决")
    assert withdrawn.state == "withdrawn" and withdrawn.withdraw_reason == "报警人已自行解决"
    incident = _incident(withdrawn)
    assert incident.state == "triaged" and incident.owner_team_id == command_room_a.pk and incident.deadline is not None


def test_chasing_by_the_command_room_and_by_the_system(transfer_a: Transfer, zhang_wei: Any) -> None:
    chased = services.do_chase(transfer_a, user=zhang_wei, notes="请尽快签收")
    assert chased.chases == 1 and chased.last_chased_at is not None
    chased = services.do_chase(chased)  # the system
    assert chased.chases == 2
    updates = TransferUpdate.objects.for_stations([transfer_a.station_id]).filter(transfer=transfer_a, action="chase")
    assert [(u.actor, u.via) for u in updates] == [("station", "page"), ("system", "system")]


def test_liu_yang_may_not_chase_or_withdraw(transfer_a: Transfer, liu_yang: Any) -> None:
    for do in (lambda: services.do_chase(transfer_a, user=liu_yang),
               lambda: services.do_withdraw(transfer_a, user=liu_yang, reason="不需要了")):
        with pytest.raises(TransferRefused) as refused:
            do()
        assert refused.value.code == "not_allowed"


def test_a_finished_transfer_takes_no_more_moves(transfer_a: Transfer, zhang_wei: Any, xu_lan: Any) -> None:
    services.do_withdraw(transfer_a, user=zhang_wei, reason="撤回")
    for do in (lambda: services.do_receive(transfer_a, user=xu_lan), lambda: services.do_chase(transfer_a, user=zhang_wei),
               lambda: services.do_withdraw(transfer_a, user=zhang_wei, reason="再撤")):
        with pytest.raises(TransferRefused):
            do()


def test_the_pages_offer_each_side_only_its_own_moves(transfer_a: Transfer, zhang_wei: Any, xu_lan: Any,
                                                      he_jun: Any, zhou_jie: Any) -> None:
    assert services.allowed_actions(transfer_a, xu_lan) == ["receive", "return", "note"]
    assert services.allowed_actions(transfer_a, zhang_wei) == ["chase", "withdraw"]
    assert services.allowed_actions(transfer_a, he_jun) == []
    assert services.allowed_actions(transfer_a, zhou_jie) == []


def test_a_reveal_is_audited_and_needs_a_reason(transfer_a: Transfer, xu_lan: Any, liu_yang: Any, zhang_wei: Any) -> None:
    from fengqiao.audit.services import RevealRefused

    assert services.reveal_caller_phone(transfer_a, user=xu_lan, reason="回电核实地点") == CALLER_PHONE
    assert services.reveal_caller_phone(transfer_a, user=zhang_wei, reason="回访") == CALLER_PHONE
    assert AuditEntry.objects.filter(action="revealed", object_id=str(transfer_a.pk), outcome="ok").count() == 2
    with pytest.raises(RevealRefused):
        services.reveal_caller_phone(transfer_a, user=xu_lan, reason="")
    with pytest.raises(RevealRefused):
        services.reveal_caller_phone(transfer_a, user=liu_yang, reason="看看")
    assert AuditEntry.objects.filter(action="revealed", object_id=str(transfer_a.pk), outcome="refused",
                                     user=liu_yang).exists()


# -- two commanders at the same moment ---------------------------------------------------------------------


def test_a_transfer_made_a_moment_earlier_is_named_when_the_constraint_refuses_the_second(
        transfer_a: Transfer, zhang_wei: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The second commander read the incident before the first transfer was committed.
    monkeypatch.setattr(services, "_check_transferable", lambda incident: None)
    with pytest.raises(TransferRefused) as refused:
        services.do_transfer(transfer_a.incident, user=zhang_wei, description="同时移交")
    assert refused.value.code == "already_transferred" and transfer_a.number in refused.value.message
    assert Transfer.objects.for_stations([transfer_a.station_id]).count() == 1


def test_a_number_taken_a_moment_earlier_makes_the_next_one(transfer_a: Transfer, zhang_wei: Any, receive: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from fengqiao.intake import services as intake

    receipt = receive("路边违停堵住消防通道", user=zhang_wei, decision=intake.Decision(category="non_police.parking",
                                                                               route="transfer"))
    incident = Incident.objects.for_stations([receipt.call.station_id]).get(pk=receipt.incident.pk)
    real = services._last_sequence
    stale = iter([0])  # the first read missed 移…-0001
    monkeypatch.setattr(services, "_last_sequence", lambda station_id, prefix: next(stale, None) or real(station_id, prefix))
    transfer = services.do_transfer(incident, user=zhang_wei, description="请城管处理违停")
    assert transfer.number.endswith("-0002") and transfer.result_due == transfer.pushed_at + 4 * HOUR
