"""The ticker raises each deadline once: a warning, then a breach that assessment counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from fengqiao.dispatch import services
from fengqiao.dispatch.models import FollowUp, Violation
from fengqiao.dispatch.services import FeedbackData
from fengqiao.intake.models import Incident, IncidentLog

pytestmark = pytest.mark.django_db


def _violations(incident: Incident) -> list[tuple[str, str]]:
    return sorted(Violation.objects.for_stations([incident.station_id]).filter(incident=incident).values_list("step", "level"))


def test_an_unacknowledged_order_warns_then_breaches_once(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    assert services.tick(order.issued_at + dt.timedelta(seconds=30)).warnings == 0
    report = services.tick(order.warn_at)
    assert (report.warnings, report.alerts) == (1, 0)
    report = services.tick(order.alert_at + dt.timedelta(seconds=5))
    assert (report.warnings, report.alerts) == (0, 1)
    again = services.tick(order.alert_at + dt.timedelta(minutes=3))
    assert (again.warnings, again.alerts) == (0, 0)
    assert _violations(noise_incident) == [("acknowledge", "alert"), ("acknowledge", "warning")]
    breach = Violation.objects.for_stations([noise_incident.station_id]).get(level="alert")
    assert breach.officer_id == liu_yang.officer.pk and breach.dispatch_id == order.pk
    assert IncidentLog.objects.for_stations([noise_incident.station_id]).filter(incident=noise_incident, kind="deadline").count() == 2


def test_an_order_acknowledged_in_time_raises_nothing(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    services.do_acknowledge(order, user=liu_yang, now=order.issued_at + dt.timedelta(seconds=40))
    assert services.tick(order.issued_at + dt.timedelta(minutes=3)).alerts == 0
    assert _violations(noise_incident) == []


def test_an_incident_left_waiting_for_dispatch_is_raised(noise_incident: Incident) -> None:
    report = services.tick(noise_incident.deadline + dt.timedelta(seconds=1))
    assert report.alerts == 1
    assert ("dispatch", "alert") in _violations(noise_incident)


def test_an_overdue_follow_up_is_raised_for_its_officer(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    services.do_acknowledge(order, user=liu_yang)
    services.do_arrive(order, user=liu_yang)
    services.do_feedback(order, FeedbackData(disposition="mediated", actions="调解"), user=liu_yang)
    follow_up = FollowUp.objects.for_stations([noise_incident.station_id]).get(incident=noise_incident)
    services.tick(follow_up.alert_at + dt.timedelta(minutes=1))
    assert ("follow_up", "alert") in _violations(noise_incident)


def test_the_tick_command_runs_once(noise_incident: Incident, capsys: Any) -> None:
    call_command("tick", "--once")
    assert "breaches" in capsys.readouterr().out
