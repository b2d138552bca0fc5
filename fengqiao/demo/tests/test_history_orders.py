"""The demo's past carries its dispatch orders: who was sent, every stamp, the feedback, the
follow-up visits and each deadline that was passed — as the dispatch services would have left them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import F
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.demo import history, history_writer
from fengqiao.demo.builder import BuildReport
from fengqiao.dispatch import services, steps
from fengqiao.dispatch.models import (
    BreachStep,
    Dispatch,
    Disposition,
    Feedback,
    FollowUp,
    Satisfaction,
    Supervision,
    Violation,
)
from fengqiao.intake import services as intake_services
from fengqiao.intake import states
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.organisation.models import Officer, Team

pytestmark = pytest.mark.django_db

WHY = "tests look at the demo's whole past"

ORDER_STATE_OF = {
    states.DISPATCHED: {steps.ISSUED},
    states.ACKNOWLEDGED: {steps.ACKNOWLEDGED, steps.DEPARTED},
    states.ON_SCENE: {steps.ON_SCENE},
}


def window_end() -> dt.datetime:
    """Midnight after the last day of the past (the demo's past ends yesterday)."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))


def orders():
    return Dispatch.objects.unscoped(WHY).select_related("incident", "incident__category", "incident__station", "officer",
                                                         "officer__team", "officer__user")


def dispatched_incident_ids() -> set[int]:
    """Incidents whose log says they were dispatched."""
    return set(
        IncidentLog.objects.unscoped(WHY).filter(kind=IncidentLog.Kind.STATE, after__state=states.DISPATCHED)
        .values_list("incident_id", flat=True)
    )


def check_open_incidents_follow_their_order() -> int:
    """Each open dispatched incident has one active order that owns its deadline; returns how many there are.
    (Whether the last evening leaves any out depends on the day: test_history_end looks at a fixed one.)"""
    open_incidents = list(
        Incident.objects.unscoped(WHY).filter(state__in=list(ORDER_STATE_OF)).select_related("owner", "owner__team")
    )
    for incident in open_incidents:
        active = [order for order in orders().filter(incident=incident) if order.is_active]
        assert len(active) == 1, incident.number
        order = active[0]
        assert order.state in ORDER_STATE_OF[incident.state], (incident.number, incident.state, order.state)
        assert order.due_step == steps.NEXT_STEP[order.state]
        assert order.warn_at is not None and order.alert_at is not None and order.warn_at <= order.alert_at
        assert incident.deadline == order.alert_at
        assert incident.owner_id == order.officer_id and incident.owner_team_id == order.officer.team_id
        assert order.officer.duty_status == Officer.DutyStatus.BUSY, order.officer
        # The deadline is the one the live services would set for this step.
        started = order.arrived_at if order.due_step == "feedback" else order.issued_at
        assert services.due_for(order.incident, order.due_step, started).alert_at == order.alert_at
    return len(open_incidents)


def check_busy_means_an_order_out() -> set[int]:
    """Officers are busy exactly when they have an order still out, auxiliaries when their officer
    has; returns the officers with an order out."""
    out = set(Dispatch.objects.unscoped(WHY).filter(state__in=steps.ACTIVE).values_list("officer_id", flat=True))
    for officer in Officer.objects.unscoped(WHY).filter(duty_status=Officer.DutyStatus.BUSY):
        if officer.rank == Officer.Rank.OFFICER:
            assert officer.pk in out, officer
        else:
            assert officer.supervisor_id in out, officer
    assert set(Officer.objects.unscoped(WHY).filter(pk__in=out).values_list("duty_status", flat=True)) <= {"busy"}
    working_beside = Officer.objects.unscoped(WHY).filter(rank=Officer.Rank.AUXILIARY, supervisor__in=out)
    assert not working_beside.filter(duty_status=Officer.DutyStatus.ON_DUTY).exists()
    return out


def test_every_open_dispatched_incident_has_one_active_order_that_owns_its_deadline(demo: BuildReport) -> None:
    check_open_incidents_follow_their_order()


def test_no_officer_is_busy_without_an_order_out(demo: BuildReport) -> None:
    check_busy_means_an_order_out()
    # The roster's picture had busy officers; those without an order are on duty again.
    planned_busy = {officer.badge for officer in demo.plan.officers if officer.duty_status == "busy"}
    assert planned_busy
    assert Officer.objects.unscoped(WHY).filter(badge_number__in=planned_busy, duty_status="on_duty").exists()


def test_each_step_breaches_its_deadline_a_few_times_in_a_hundred(demo: BuildReport) -> None:
    """A well-run station: each deadline passed by a few per cent of the orders, none by a fifth."""
    all_orders = Dispatch.objects.unscoped(WHY)
    stamped = {
        "dispatch": all_orders.count(),
        "acknowledge": all_orders.exclude(acknowledged_at=None).count(),
        "arrive": all_orders.exclude(arrived_at=None).count(),
        "feedback": all_orders.exclude(reported_at=None).count(),
    }
    assert stamped["dispatch"] > 300
    breaches = Counter(dispatch_breaches().values_list("step", flat=True))
    assert set(breaches) <= set(stamped)
    for step, count in stamped.items():
        assert 0.01 <= breaches[step] / count <= 0.20, (step, breaches[step], count)
    # Priority-1 calls are reached in time too.
    urgent = all_orders.filter(incident__priority=1).exclude(arrived_at=None)
    late = Violation.objects.unscoped(WHY).filter(step="arrive", dispatch__in=urgent).count()
    assert urgent.count() > 20 and late / urgent.count() <= 0.25
    # Most orders pass no deadline at all.
    breached_orders = dispatch_breaches().values("incident_id").distinct().count()
    assert breached_orders / stamped["dispatch"] < 0.35


def test_every_incident_that_ended_after_dispatch_has_a_reported_order_with_feedback(demo: BuildReport) -> None:
    dispatched = dispatched_incident_ids()
    ended = Incident.objects.unscoped(WHY).filter(
        pk__in=dispatched, state__in=[states.RESOLVED, states.CLOSED, states.CONVERTED])
    assert ended.count() > 100
    by_incident = {order.incident_id: order for order in orders().filter(incident__in=ended)}
    feedback = {report.dispatch_id: report for report in Feedback.objects.unscoped(WHY).filter(dispatch__incident__in=ended)}
    for incident in ended:
        order = by_incident[incident.pk]
        assert order.state == steps.REPORTED
        assert order.due_step == "" and order.alert_at is None
        assert incident.owner_id == order.officer_id
        report = feedback[order.pk]
        assert report.created_at == order.reported_at
        assert report.author_id == order.officer.user_id
        assert report.actions and report.resolves
        if incident.state == states.CONVERTED:
            assert report.disposition == "case_accepted"
    # Only dispatched incidents have orders, one each.
    incidents_with_orders = Counter(Dispatch.objects.unscoped(WHY).values_list("incident_id", flat=True))
    assert set(incidents_with_orders) == dispatched
    assert set(incidents_with_orders.values()) == {1}


def test_each_order_is_stamped_in_order_by_the_officer_and_a_commander(demo: BuildReport) -> None:
    end = window_end()
    for order in orders():
        stamps = [order.incident.received_at, order.issued_at, order.acknowledged_at, order.departed_at,
                  order.arrived_at, order.reported_at]
        present = [stamp for stamp in stamps if stamp is not None]
        assert present == sorted(present), order.incident.number
        assert present[-1] <= end
        if order.state == steps.REPORTED:
            assert None not in (order.acknowledged_at, order.departed_at, order.arrived_at)
        if order.acknowledged_at is not None:
            assert order.acknowledged_by_id == order.officer.user_id
        assert order.issued_by is not None and "commander" in order.issued_by.role_names
        assert order.officer.station_id == order.station_id == order.incident.station_id
        assert order.officer.rank == Officer.Rank.OFFICER
        assert order.team_kind == order.officer.team.kind and not order.backup


def test_orders_go_to_the_beat_officer_or_the_right_team_with_the_recommenders_reasons(demo: BuildReport) -> None:
    tiers: Counter[str] = Counter()
    for order in orders().select_related("incident__beat"):
        why = order.recommendation
        assert why["rank"] == 1 and why["reasons"] and all(isinstance(reason, str) for reason in why["reasons"])
        tiers[why["tier"]] += 1
        if order.incident.route == "case":
            assert order.officer.team.kind == Team.Kind.CASE
        else:
            assert order.officer.team.kind == Team.Kind.COMMUNITY
        if why["tier"] == "beat":
            assert order.officer_id == order.incident.beat.responsible_officer_id
    assert tiers["beat"] > 0 and tiers["team"] > 0


def test_the_log_names_the_officer_sent(demo: BuildReport) -> None:
    sent = {order.incident_id: order.officer.name for order in orders()}
    entries = IncidentLog.objects.unscoped(WHY).filter(kind=IncidentLog.Kind.STATE, after__state__in=[
        states.DISPATCHED, states.ACKNOWLEDGED, states.ON_SCENE])
    assert entries.exists()
    for incident_id, text in entries.values_list("incident_id", "text"):
        assert sent[incident_id] in text


def test_resolved_disputes_and_requests_for_help_get_their_follow_up_visit(demo: BuildReport) -> None:
    end = window_end()
    resolved = Incident.objects.unscoped(WHY).filter(
        pk__in=dispatched_incident_ids(), state__in=[states.RESOLVED, states.CLOSED],
        category__code__regex=r"^(dispute|assistance)\.")
    assert resolved.filter(category__code__startswith="dispute.").exists()
    follow_ups = {
        follow_up.incident_id: follow_up
        for follow_up in FollowUp.objects.unscoped(WHY).filter(level=FollowUp.Level.CALL).select_related("officer")
    }
    assert set(follow_ups) == set(resolved.values_list("pk", flat=True))
    reported = {order.incident_id: order for order in orders().filter(incident__in=resolved)}
    for incident in resolved:
        follow_up = follow_ups[incident.pk]
        order = reported[incident.pk]
        assert follow_up.officer_id == order.officer_id
        assert follow_up.scheduled_at == order.reported_at
        assert follow_up.due_at == follow_up.scheduled_at + dt.timedelta(days=2)
        assert follow_up.alert_at > follow_up.due_at
        if follow_up.state == FollowUp.State.DONE:
            assert follow_up.outcome in Satisfaction.values
            assert follow_up.scheduled_at < follow_up.done_at <= end
            assert follow_up.done_by_id == order.officer.user_id
        else:
            assert follow_up.outcome == "" and follow_up.due_at > end - dt.timedelta(hours=12)
        if incident.state == states.CLOSED and incident.category.code.startswith("dispute."):
            closed_at = IncidentLog.objects.unscoped(WHY).get(incident=incident, after__state=states.CLOSED).at
            assert follow_up.state == FollowUp.State.DONE and follow_up.done_at < closed_at
    answers = Counter(follow.outcome for follow in follow_ups.values() if follow.state == FollowUp.State.DONE)
    assert answers.most_common(1)[0][0] == Satisfaction.SATISFIED


def test_a_dissatisfied_caller_opened_a_supervision_order_and_a_home_visit(demo: BuildReport) -> None:
    end = window_end()
    dissatisfied = FollowUp.objects.unscoped(WHY).filter(level=FollowUp.Level.CALL, outcome=Satisfaction.DISSATISFIED)
    supervisions = {row.follow_up_id: row for row in Supervision.objects.unscoped(WHY)}
    assert set(supervisions) == set(dissatisfied.values_list("pk", flat=True))
    for follow_up in dissatisfied:
        supervision = supervisions[follow_up.pk]
        assert supervision.incident_id == follow_up.incident_id and supervision.officer_id == follow_up.officer_id
        assert supervision.opened_at == follow_up.done_at
        if supervision.state == Supervision.State.CLOSED:
            assert supervision.conclusion and supervision.closed_at > supervision.opened_at
            assert supervision.opened_at < end - dt.timedelta(days=14)
        else:
            assert supervision.opened_at >= end - dt.timedelta(days=14)
        home = FollowUp.objects.unscoped(WHY).get(incident=follow_up.incident_id, level=FollowUp.Level.HOME_VISIT)
        assert home.scheduled_at == follow_up.done_at and home.due_at == home.scheduled_at + dt.timedelta(days=1)


def dispatch_breaches():
    """The breaches of the past's orders and incidents (the loops' own are test_loops_demo's)."""
    return Violation.objects.unscoped(WHY).exclude(step__in=[BreachStep.CASE, BreachStep.TRANSFER, BreachStep.SUPPORT])


def test_violations_are_recorded_exactly_where_a_stamp_came_after_its_deadline(demo: BuildReport) -> None:
    recorded = set(dispatch_breaches().values_list("subject", "step", "level", "due_at", "officer_id"))
    expected = set()
    for order in orders():
        incident = order.incident
        for step, started, stamp in (("acknowledge", order.issued_at, order.acknowledged_at),
                                     ("arrive", order.issued_at, order.arrived_at),
                                     ("feedback", order.arrived_at, order.reported_at)):
            if started is None or stamp is None:
                continue
            alert_at = services.due_for(incident, step, started).alert_at
            if stamp > alert_at:
                expected.add((f"dispatch:{order.pk}", step, "alert", alert_at, order.officer_id))
        # The command room's own deadline: intake's minutes to dispatch.
        minutes = intake_services.station_rules(incident.station_id).settings.triage_minutes
        dispatch_by = incident.received_at + dt.timedelta(minutes=minutes)
        if order.issued_at > dispatch_by:
            expected.add((f"incident:{incident.pk}", "dispatch", "alert", dispatch_by, None))
    assert expected and recorded == expected
    assert not Violation.objects.unscoped(WHY).exclude(recorded_at=F("due_at")).exists()


def test_the_report_counts_the_rows(demo: BuildReport) -> None:
    report = demo.created
    assert report["dispatch orders"] == Dispatch.objects.unscoped(WHY).count()
    assert report["feedback reports"] == Feedback.objects.unscoped(WHY).count()
    assert report["deadline breaches"] == Violation.objects.unscoped(WHY).count()
    assert report["follow-up visits"] == FollowUp.objects.unscoped(WHY).count()
    assert report["supervision orders"] == Supervision.objects.unscoped(WHY).count()
    reasons = AuditEntry.objects.filter(object_type="intake.call", reason__startswith="Demo builder:")
    for reason in reasons.values_list("reason", flat=True):
        for rows in ("calls", "dispatch orders", "feedback reports", "follow-up visits", "supervision orders",
                     "deadline breaches"):
            assert f" {rows}" in reason, (rows, reason)


def test_every_outcome_the_planner_writes_for_a_dispatched_incident_has_its_disposition() -> None:
    dispatched_families = set(history.OUTCOMES) - {"other", "non_police"}  # closed by telephone, or transferred
    for family in sorted(dispatched_families):
        for outcome in history.OUTCOMES[family]:
            assert outcome in history_writer.DISPOSITIONS, outcome
    assert set(history_writer.DISPOSITIONS.values()) <= set(Disposition.values)
