"""Every move of a support request: the row, its updates, the incident's log, the audit trail, the event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.cases.models import Case
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.support import machine, services
from fengqiao.support.models import SupportRequest, SupportUpdate, Unit

from .conftest import ask, fresh

pytestmark = pytest.mark.django_db


def updates(request: SupportRequest) -> list[tuple[str, str, str]]:
    return list(SupportUpdate.objects.for_stations([request.station_id]).filter(request=request)
                .order_by("at", "id").values_list("action", "state_after", "actor"))


def notes_on(incident: Incident) -> list[str]:
    return list(IncidentLog.objects.for_stations([incident.station_id]).filter(incident=incident, kind=IncidentLog.Kind.NOTE)
                .order_by("at", "id").values_list("text", flat=True))


def audit_rows(request: SupportRequest, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="support.supportrequest", object_id=str(request.pk), action=action)
                .order_by("id"))


# -- asking ------------------------------------------------------------------------------------------


def test_zhang_wei_asks_the_detectives_for_help_and_everything_is_on_record(
    theft_incident: Incident, zhang_wei: Any, xingzhen: Unit, published: list[dict[str, Any]],
) -> None:
    now = timezone.now()
    request = ask(theft_incident, zhang_wei, xingzhen, now=now)
    year = timezone.localtime(now).year
    assert request.number == f"援{year}-0001"
    assert request.state == machine.REQUESTED and request.station_id == theft_incident.station_id
    assert request.due_step == machine.STEP_ACCEPT and request.due_at == now + dt.timedelta(minutes=30)
    assert request.requested_by == zhang_wei and request.contact == zhang_wei.officer
    assert updates(request) == [("request", "requested", "station")]
    assert any(request.number in text and "刑侦大队" in text for text in notes_on(theft_incident))
    created = audit_rows(request, AuditEntry.Action.CREATED)
    assert len(created) == 1 and created[0].user == zhang_wei
    assert {"kind": "support", "support": request.pk, "incident": theft_incident.pk, "state": "requested"}.items() <= published[-1].items()


def test_numbers_run_per_station_and_year(asked: SupportRequest, asked_b: SupportRequest, theft_incident: Incident,
                                          zhang_wei: Any, wangan: Unit) -> None:
    second = ask(theft_incident, zhang_wei, wangan, need=SupportRequest.Need.TRACE)
    assert asked.number.endswith("-0001") and second.number.endswith("-0002")
    assert asked_b.number.endswith("-0001")  # 海棠溪 counts its own


def test_the_station_asks_only_units_of_its_own_sub_bureau(theft_incident: Incident, zhang_wei: Any, unit_elsewhere: Unit) -> None:
    with pytest.raises(ValidationError) as wrong:
        ask(theft_incident, zhang_wei, unit_elsewhere)
    assert "unit" in wrong.value.message_dict
    assert not SupportRequest.objects.for_stations([theft_incident.station_id]).exists()


def test_an_inactive_unit_takes_no_requests(theft_incident: Incident, zhang_wei: Any, xingzhen: Unit) -> None:
    xingzhen.active = False
    xingzhen.save()
    with pytest.raises(ValidationError) as wrong:
        ask(theft_incident, zhang_wei, xingzhen)
    assert "unit" in wrong.value.message_dict


def test_help_must_be_needed_later_and_the_fields_are_checked(theft_incident: Incident, zhang_wei: Any, xingzhen: Unit) -> None:
    with pytest.raises(ValidationError) as wrong:
        ask(theft_incident, zhang_wei, xingzhen, needed_in=dt.timedelta(minutes=-5), details="", people=0, place="",
            need="magic")
    assert set(wrong.value.message_dict) == {"needed_by", "details", "people", "place", "need"}


def test_the_contact_is_a_police_officer_of_the_station(theft_incident: Incident, zhang_wei: Any, wang_qiang: Any,
                                                         chen_chen: Any, xingzhen: Unit) -> None:
    for contact in (wang_qiang.officer, chen_chen.officer, None):
        with pytest.raises(ValidationError) as wrong:
            ask(theft_incident, zhang_wei, xingzhen, contact=contact)
        assert "contact" in wrong.value.message_dict


def test_a_community_officer_may_not_ask_units(theft_incident: Incident, liu_yang: Any, xingzhen: Unit) -> None:
    with pytest.raises(services.SupportRefused) as refused:
        ask(theft_incident, liu_yang, xingzhen)
    assert refused.value.code == "not_allowed"


def test_a_case_officer_may_ask_units(theft_incident: Incident, sun_li: Any, xingzhen: Unit) -> None:
    assert ask(theft_incident, sun_li, xingzhen).requested_by == sun_li


def test_wang_qiang_may_not_ask_for_an_incident_of_nanping(theft_incident: Incident, wang_qiang: Any, xingzhen: Unit) -> None:
    with pytest.raises(services.SupportRefused) as refused:
        ask(theft_incident, wang_qiang, xingzhen, contact=None)
    assert refused.value.code == "other_station"


def test_a_closed_incident_needs_no_unit(theft_incident: Incident, zhang_wei: Any, xingzhen: Unit) -> None:
    Incident.objects.for_stations([theft_incident.station_id]).filter(pk=theft_incident.pk).update(state="closed")
    with pytest.raises(services.SupportRefused) as refused:
        ask(theft_incident, zhang_wei, xingzhen)
    assert refused.value.code == "closed_incident"


# -- the unit's moves ---------------------------------------------------------------------------------------


def test_ma_jun_accepts_and_answers_for_it(asked: SupportRequest, ma_jun: Any, published: list[dict[str, Any]]) -> None:
    now = timezone.now()
    done = services.do_accept(asked, user=ma_jun, notes="马上调取", now=now)
    row = fresh(done)
    assert row.state == machine.ACCEPTED and row.accepted_by == ma_jun.unit_membership and row.accepted_at == now
    assert row.due_step == machine.STEP_ARRIVE and row.due_at == row.needed_by
    assert updates(row)[-1] == ("accept", "accepted", "unit")
    last = SupportUpdate.objects.for_stations([row.station_id]).filter(request=row).last()
    assert last.author == ma_jun and last.author_name == "马骏" and last.notes == "马上调取"
    assert any("马骏" in text and row.number in text for text in notes_on(row.incident))
    audit = audit_rows(row, AuditEntry.Action.UPDATED)[-1]
    assert audit.user == ma_jun and audit.changes["state"] == ["requested", "accepted"]
    assert published[-1]["state"] == "accepted" and published[-1]["support"] == row.pk


def test_guo_tao_of_another_unit_may_not_accept(asked: SupportRequest, guo_tao: Any) -> None:
    with pytest.raises(services.SupportRefused) as refused:
        services.do_accept(asked, user=guo_tao)
    assert refused.value.code == "other_unit"
    assert fresh(asked).state == machine.REQUESTED and updates(asked) == [("request", "requested", "station")]


def test_a_station_user_is_not_a_unit_member(asked: SupportRequest, zhang_wei: Any) -> None:
    with pytest.raises(services.SupportRefused) as refused:
        services.do_accept(asked, user=zhang_wei)
    assert refused.value.code == "not_a_member"


def test_only_the_accepting_member_starts_and_completes_but_colleagues_may_add_notes(
    asked: SupportRequest, ma_jun: Any, lin_feng: Any,
) -> None:
    services.do_accept(asked, user=ma_jun)
    for move in (lambda: services.do_start(asked, user=lin_feng), lambda: services.do_complete(asked, user=lin_feng, report="完成")):
        with pytest.raises(services.SupportRefused) as refused:
            move()
        assert refused.value.code == "not_yours" and "马骏" in refused.value.message
    services.do_progress(asked, user=lin_feng, notes="马骏外出，已调取两段录像")
    last = SupportUpdate.objects.for_stations([asked.station_id]).filter(request=asked).last()
    assert (last.action, last.author_name) == ("progress", "林峰")
    assert services.unit_actions(fresh(asked), lin_feng.unit_membership) == ["progress"]
    assert services.unit_actions(fresh(asked), ma_jun.unit_membership) == ["start", "progress", "complete"]


def test_the_whole_way_to_completion(asked: SupportRequest, ma_jun: Any) -> None:
    services.do_accept(asked, user=ma_jun)
    started = services.do_start(asked, user=ma_jun)
    assert started.state == machine.IN_PROGRESS and started.due_step == machine.STEP_COMPLETE
    services.do_progress(asked, user=ma_jun, notes="已调取三个路口监控")
    done = services.do_complete(asked, user=ma_jun, report="嫌疑人往江南大道方向逃离，截图已交办案民警")
    row = fresh(done)
    assert row.state == machine.COMPLETED and row.due_at is None and row.due_step == "" and row.completed_at
    assert row.report.startswith("嫌疑人")
    assert [action for action, _state, _actor in updates(row)] == ["request", "accept", "start", "progress", "complete"]


def test_a_progress_note_and_a_report_must_say_something(asked: SupportRequest, ma_jun: Any) -> None:
    services.do_accept(asked, user=ma_jun)
    with pytest.raises(ValidationError) as empty:
        services.do_progress(asked, user=ma_jun, notes=" ")
    assert "notes" in empty.value.message_dict
    with pytest.raises(ValidationError) as empty:
        services.do_complete(asked, user=ma_jun, report="")
    assert "report" in empty.value.message_dict


def test_declining_needs_a_reason_and_hands_the_request_back(asked: SupportRequest, ma_jun: Any) -> None:
    with pytest.raises(ValidationError):
        services.do_decline(asked, user=ma_jun, reason="")
    declined = services.do_decline(asked, user=ma_jun, reason="本队警力全部在外，无法支援")
    row = fresh(declined)
    assert row.state == machine.DECLINED and row.decline_reason.startswith("本队") and row.declined_at
    assert row.due_step == machine.STEP_DECIDE and row.as_item().owner == machine.STATION


def test_a_declined_request_is_rerouted_to_the_cyber_unit(asked: SupportRequest, zhang_wei: Any, ma_jun: Any, guo_tao: Any,
                                                          wangan: Unit, published: list[dict[str, Any]]) -> None:
    services.do_decline(asked, user=ma_jun, reason="不属于本队职责")
    later = timezone.now() + dt.timedelta(hours=3)
    moved = services.do_reroute(asked, user=zhang_wei, unit=wangan, needed_by=later)
    row = fresh(moved)
    assert row.state == machine.REQUESTED and row.unit == wangan and row.needed_by == later
    assert row.accepted_by is None and row.decline_reason == "" and row.declined_at is None
    assert row.due_at == row.requested_at + dt.timedelta(minutes=60)  # 网安's response time
    assert updates(row)[-1] == ("reroute", "requested", "station")
    with pytest.raises(services.SupportRefused) as refused:
        services.do_accept(row, user=ma_jun)
    assert refused.value.code == "other_unit"
    assert services.do_accept(row, user=guo_tao).accepted_by == guo_tao.unit_membership
    assert published[-1]["state"] == "accepted"


def test_rerouting_needs_a_new_time_once_the_old_one_passed(asked: SupportRequest, zhang_wei: Any, ma_jun: Any, wangan: Unit) -> None:
    services.do_decline(asked, user=ma_jun, reason="无法支援")
    with pytest.raises(ValidationError) as wrong:
        services.do_reroute(asked, user=zhang_wei, unit=wangan, now=asked.needed_by + dt.timedelta(minutes=1))
    assert "needed_by" in wrong.value.message_dict


def test_only_a_declined_request_is_rerouted(asked: SupportRequest, zhang_wei: Any, wangan: Unit) -> None:
    with pytest.raises(services.SupportRefused) as refused:
        services.do_reroute(asked, user=zhang_wei, unit=wangan)
    assert refused.value.code == "wrong_state"


def test_a_cancelled_request_cannot_be_accepted(asked: SupportRequest, zhang_wei: Any, ma_jun: Any) -> None:
    with pytest.raises(ValidationError):
        services.do_cancel(asked, user=zhang_wei, reason="")
    services.do_cancel(asked, user=zhang_wei, reason="嫌疑人已抓获，无需支援")
    row = fresh(asked)
    assert row.state == machine.CANCELLED and row.due_at is None and row.cancel_reason.startswith("嫌疑人")
    with pytest.raises(services.SupportRefused) as refused:
        services.do_accept(row, user=ma_jun)
    assert refused.value.code == "wrong_state"
    assert row.number in refused.value.message


def test_zhang_wei_chases_the_unit(asked: SupportRequest, zhang_wei: Any, published: list[dict[str, Any]]) -> None:
    chased = services.do_chase(asked, user=zhang_wei)
    assert chased.chases == 1 and chased.due_at == asked.due_at and chased.state == machine.REQUESTED
    last = SupportUpdate.objects.for_stations([asked.station_id]).filter(request=asked).last()
    assert (last.action, last.actor, last.author) == ("chase", "station", zhang_wei)
    assert any("张伟" in text for text in notes_on(asked.incident))
    assert published[-1]["support"] == asked.pk


def test_a_declined_request_is_not_chased(asked: SupportRequest, zhang_wei: Any, ma_jun: Any) -> None:
    services.do_decline(asked, user=ma_jun, reason="无法支援")
    with pytest.raises(services.SupportRefused) as refused:
        services.do_chase(asked, user=zhang_wei)
    assert refused.value.code == "wrong_state"


def test_the_bureau_watches_but_does_not_move_requests(asked: SupportRequest, zhou_jie: Any) -> None:
    for move in (lambda: services.do_chase(asked, user=zhou_jie), lambda: services.do_cancel(asked, user=zhou_jie, reason="测试")):
        with pytest.raises(services.SupportRefused) as refused:
            move()
        assert refused.value.code == "not_allowed"
    assert services.station_actions(asked, zhou_jie) == []


def test_wang_qiang_may_not_move_a_request_of_nanping(asked: SupportRequest, wang_qiang: Any) -> None:
    with pytest.raises(services.SupportRefused) as refused:
        services.do_cancel(asked, user=wang_qiang, reason="不需要了")
    assert refused.value.code == "other_station"
    assert fresh(asked).state == machine.REQUESTED


def test_station_actions_follow_the_state(asked: SupportRequest, zhang_wei: Any, ma_jun: Any) -> None:
    assert services.station_actions(asked, zhang_wei) == ["chase", "cancel"]
    declined = services.do_decline(asked, user=ma_jun, reason="无法支援")
    assert services.station_actions(declined, zhang_wei) == ["reroute", "cancel"]


def test_a_request_for_an_incident_that_became_a_case_is_linked_to_the_case(
    theft_incident: Incident, incident_b: Incident, sun_li: Any, zhang_wei: Any, wang_qiang: Any, xingzhen: Unit,
) -> None:
    case = Case.objects.create(station=theft_incident.station, number="NPXS20260001", incident=theft_incident, kind="criminal",
                               category_id=theft_incident.category_id, title="电动车被盗", lead=sun_li.officer,
                               accepted_at=timezone.now())
    request = ask(theft_incident, sun_li, xingzhen, contact=sun_li.officer)
    assert request.case == case
    other = Case.objects.create(station=incident_b.station, number="HTXXS20260001", incident=incident_b, kind="criminal",
                                category_id=incident_b.category_id, title="斗殴", lead=wang_qiang.officer,
                                accepted_at=timezone.now())
    with pytest.raises(ValidationError) as wrong:
        ask(theft_incident, zhang_wei, xingzhen, case=other)
    assert "case" in wrong.value.message_dict
