"""Every step of a dispatch order, and the ones the order's state refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.dispatch import services
from fengqiao.dispatch.models import Dispatch, FollowUp, Supervision
from fengqiao.dispatch.services import DispatchRefused, FeedbackData
from fengqiao.intake import states
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.organisation.models import Officer

pytestmark = pytest.mark.django_db


def _fresh(incident: Incident) -> Incident:
    return Incident.objects.for_stations([incident.station_id]).select_related("category", "station").get(pk=incident.pk)


def _officer(user: Any) -> Officer:
    return Officer.objects.for_stations([user.officer.station_id]).get(pk=user.officer.pk)


def _log_texts(incident: Incident) -> list[str]:
    return list(IncidentLog.objects.for_stations([incident.station_id]).filter(incident=incident).order_by("at", "id")
                .values_list("text", flat=True))


def test_dispatching_sends_the_officer_and_starts_the_acknowledge_clock(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)

    assert order.state == Dispatch.State.ISSUED and order.issued_by == zhang_wei
    assert order.due_step == "acknowledge"
    assert order.alert_at - order.issued_at == dt.timedelta(minutes=2)
    incident = _fresh(noise_incident)
    assert incident.state == states.DISPATCHED
    assert incident.owner_id == liu_yang.officer.pk and incident.deadline == order.alert_at
    assert _officer(liu_yang).duty_status == Officer.DutyStatus.BUSY
    assert any("刘洋" in text for text in _log_texts(incident))
    assert AuditEntry.objects.filter(object_type="dispatch.dispatch", object_id=str(order.pk), action="created").exists()


def test_an_order_goes_from_issue_to_feedback_and_resolves_the_dispute(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    order = services.do_acknowledge(order, user=liu_yang)
    assert order.acknowledged_by == liu_yang and _fresh(noise_incident).state == states.ACKNOWLEDGED
    assert order.due_step == "arrive"
    order = services.do_depart(order, user=liu_yang)
    order = services.do_arrive(order, user=liu_yang)
    assert _fresh(noise_incident).state == states.ON_SCENE and order.due_step == "feedback"
    # Feedback is due by the end of the shift in which the officer arrived.
    local = timezone.localtime(order.arrived_at)
    assert timezone.localtime(order.alert_at).hour in (9, 16, 23) and order.alert_at > order.arrived_at
    assert order.alert_at - order.arrived_at <= dt.timedelta(hours=10) or local.hour < 9

    report = services.do_feedback(order, FeedbackData(
        disposition="mediated", actions="双方当面调解，约定晚十点后停止施工", legal_basis="《治安管理处罚法》第五十八条",
        people=[{"name": "王某", "role": "楼上住户"}]), user=liu_yang)

    order = Dispatch.objects.for_stations([order.station_id]).get(pk=order.pk)
    assert order.state == Dispatch.State.REPORTED and order.reported_at is not None and order.alert_at is None
    assert report.people == [{"name": "王某", "role": "楼上住户"}]
    incident = _fresh(noise_incident)
    assert incident.state == states.RESOLVED and incident.deadline is None
    follow_up = FollowUp.objects.for_stations([incident.station_id]).get(incident=incident)
    assert follow_up.officer_id == liu_yang.officer.pk
    assert follow_up.due_at - order.reported_at == dt.timedelta(days=2)
    assert _officer(liu_yang).duty_status == Officer.DutyStatus.ON_DUTY


@pytest.mark.parametrize("steps_taken, action", [
    ([], "arrive"),
    ([], "feedback"),
    (["acknowledge"], "acknowledge"),
    (["acknowledge", "arrive"], "return"),
    (["acknowledge", "arrive"], "depart"),
])
def test_a_step_the_order_is_not_ready_for_is_refused(
    noise_incident: Incident, zhang_wei: Any, liu_yang: Any, steps_taken: list[str], action: str,
) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    do = {"acknowledge": services.do_acknowledge, "arrive": services.do_arrive, "depart": services.do_depart}
    for step in steps_taken:
        order = do[step](order, user=liu_yang)
    before = order.state
    with pytest.raises(DispatchRefused) as refused:
        if action == "feedback":
            services.do_feedback(order, FeedbackData(disposition="handled", actions="处理"), user=liu_yang)
        elif action == "return":
            services.do_return(order, user=liu_yang, reason="另有任务")
        else:
            do[action](order, user=liu_yang)
    assert refused.value.code == "wrong_step"
    assert Dispatch.objects.for_stations([order.station_id]).get(pk=order.pk).state == before


def test_a_finished_order_cannot_be_cancelled(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    services.do_return(order, user=liu_yang, reason="车辆故障")
    with pytest.raises(DispatchRefused):
        services.do_cancel(order, user=zhang_wei, reason="不需要了")


def test_a_second_dispatch_to_the_same_team_says_who_was_sent_by_whom(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, he_ping: Any) -> None:
    services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    with pytest.raises(DispatchRefused) as refused:
        services.do_dispatch(noise_incident, he_ping.officer, user=zhang_wei)
    assert refused.value.code == "already_dispatched"
    assert "刘洋" in refused.value.message and "zhangwei" in refused.value.message
    backup = services.do_dispatch(noise_incident, he_ping.officer, user=zhang_wei, backup=True)
    assert backup.backup is True
    assert Dispatch.objects.for_stations([noise_incident.station_id]).filter(incident=noise_incident).count() == 2


def test_community_and_case_teams_each_get_their_own_order(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, sun_li: Any) -> None:
    services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    case_order = services.do_dispatch(noise_incident, sun_li.officer, user=zhang_wei)
    assert case_order.team_kind == "case" and case_order.backup is False


def test_an_off_duty_officer_or_an_auxiliary_is_not_sent(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, chen_chen: Any) -> None:
    with pytest.raises(DispatchRefused) as refused:
        services.do_dispatch(noise_incident, chen_chen.officer, user=zhang_wei)
    assert refused.value.code == "auxiliary"
    Officer.objects.for_stations([liu_yang.officer.station_id]).filter(pk=liu_yang.officer.pk).update(duty_status=Officer.DutyStatus.OFF_DUTY)
    with pytest.raises(DispatchRefused) as refused:
        services.do_dispatch(noise_incident, _officer(liu_yang), user=zhang_wei)
    assert refused.value.code == "off_duty"
    assert not Dispatch.objects.for_stations([noise_incident.station_id]).exists()


def test_an_officer_cannot_act_on_another_officers_order(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, he_ping: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    with pytest.raises(DispatchRefused) as refused:
        services.do_acknowledge(order, user=he_ping)
    assert refused.value.code == "not_yours"
    # The command room may stamp it for the officer (he called in by radio); the log says so.
    services.do_acknowledge(order, user=zhang_wei)
    assert any("指挥室代录" in text or "entered by the command room" in text for text in _log_texts(noise_incident))


def test_a_returned_order_gives_the_incident_back_to_the_command_room(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    with pytest.raises(ValidationError) as error:
        services.do_return(order, user=liu_yang, reason=" ")
    assert "reason" in error.value.message_dict
    services.do_return(order, user=liu_yang, reason="正在处置另一起警情")
    incident = _fresh(noise_incident)
    assert incident.state == states.TRIAGED and incident.owner_id is None
    assert incident.owner_team_id is not None and incident.deadline is not None and incident.deadline > timezone.now()
    assert _officer(liu_yang).duty_status == Officer.DutyStatus.ON_DUTY


def test_only_the_command_room_cancels(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    with pytest.raises(DispatchRefused):
        services.do_cancel(order, user=liu_yang, reason="不想去")
    cancelled = services.do_cancel(order, user=zhang_wei, reason="报警人来电称已解决")
    assert cancelled.state == Dispatch.State.CANCELLED and cancelled.cancelled_by == zhang_wei


def test_feedback_may_reclassify_the_incident(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    services.do_acknowledge(order, user=liu_yang)
    services.do_arrive(order, user=liu_yang)
    with pytest.raises(ValidationError) as error:
        services.do_feedback(order, FeedbackData(disposition="mediated", actions="调解", reclassify_to="no.such"), user=liu_yang)
    assert "reclassify_to" in error.value.message_dict
    assert Dispatch.objects.for_stations([order.station_id]).get(pk=order.pk).state == Dispatch.State.ON_SCENE
    services.do_feedback(order, FeedbackData(disposition="warned", actions="双方互殴，已带回调查",
                                             reclassify_to="public_order.fight", resolves=True), user=liu_yang)
    incident = _fresh(noise_incident)
    assert incident.category.code == "public_order.fight"


def test_feedback_names_the_missing_fields(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    services.do_acknowledge(order, user=liu_yang)
    services.do_arrive(order, user=liu_yang)
    with pytest.raises(ValidationError) as error:
        services.do_feedback(order, FeedbackData(disposition="nonsense", actions=" ", people=[{"role": "当事人"}]), user=liu_yang)
    assert {"disposition", "actions", "people"} <= set(error.value.message_dict)


def test_the_incident_resolves_only_when_its_last_order_reports(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, sun_li: Any) -> None:
    first = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    second = services.do_dispatch(noise_incident, sun_li.officer, user=zhang_wei)
    for order, user in ((first, liu_yang), (second, sun_li)):
        services.do_acknowledge(order, user=user)
        services.do_arrive(order, user=user)
    services.do_feedback(first, FeedbackData(disposition="mediated", actions="调解"), user=liu_yang)
    assert _fresh(noise_incident).state == states.ON_SCENE
    assert _fresh(noise_incident).owner_id == sun_li.officer.pk
    services.do_feedback(second, FeedbackData(disposition="handled", actions="询问完毕"), user=sun_li)
    assert _fresh(noise_incident).state == states.RESOLVED


def test_resolve_close_and_reopen(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    with pytest.raises(DispatchRefused) as refused:
        services.do_resolve(noise_incident, user=zhang_wei, text="电话劝解")
    assert refused.value.code == "orders_out"
    services.do_cancel(order, user=zhang_wei, reason="电话已劝解")
    services.do_resolve(noise_incident, user=zhang_wei, text="电话劝解，双方同意")
    with pytest.raises(ValidationError):
        services.do_reopen(noise_incident, user=zhang_wei, reason="")
    services.do_close(noise_incident, user=zhang_wei)
    assert _fresh(noise_incident).state == states.CLOSED
    services.do_reopen(noise_incident, user=zhang_wei, reason="报警人再次来电")
    incident = _fresh(noise_incident)
    assert incident.state == states.TRIAGED and incident.deadline is not None


def test_a_dissatisfied_follow_up_opens_a_supervision_order_and_a_home_visit(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    services.do_acknowledge(order, user=liu_yang)
    services.do_arrive(order, user=liu_yang)
    services.do_feedback(order, FeedbackData(disposition="mediated", actions="调解"), user=liu_yang)
    follow_up = FollowUp.objects.for_stations([noise_incident.station_id]).get(incident=noise_incident)

    with pytest.raises(ValidationError):
        services.do_record_follow_up(follow_up, user=liu_yang, outcome="happy")
    services.do_record_follow_up(follow_up, user=liu_yang, outcome="dissatisfied", notes="楼上仍在夜间施工")

    supervision = Supervision.objects.for_stations([noise_incident.station_id]).get(incident=noise_incident)
    assert supervision.officer_id == liu_yang.officer.pk and supervision.state == Supervision.State.OPEN
    visits = FollowUp.objects.for_stations([noise_incident.station_id]).filter(incident=noise_incident, state=FollowUp.State.DUE)
    assert [visit.level for visit in visits] == [FollowUp.Level.HOME_VISIT]
    with pytest.raises(DispatchRefused):
        services.do_record_follow_up(follow_up, user=liu_yang, outcome="satisfied")


def test_nothing_open_is_without_an_owner_and_a_deadline(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, sun_li: Any) -> None:
    def check() -> None:
        for incident in Incident.objects.for_stations([noise_incident.station_id]).filter(state__in=states.OPEN_STATES):
            assert incident.deadline is not None, incident.state
            assert incident.owner_id is not None or incident.owner_team_id is not None
        for order in Dispatch.objects.for_stations([noise_incident.station_id]).filter(state__in=["issued", "acknowledged", "departed", "on_scene"]):
            assert order.alert_at is not None and order.warn_at is not None and order.due_step

    check()
    first = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    check()
    services.do_acknowledge(first, user=liu_yang)
    check()
    second = services.do_dispatch(noise_incident, sun_li.officer, user=zhang_wei)
    services.do_return(second, user=sun_li, reason="另有警情")
    check()
    services.do_arrive(first, user=liu_yang)
    check()
    services.do_cancel(first, user=zhang_wei, reason="改派")
    check()


# Two commanders dispatching the same incident at the same moment: tests/concurrency/
# test_dispatch_race.py races them on a real server, on SQLite and on PostgreSQL.
