"""The ticker raises support deadlines once: a warning at 80 % of the step, a breach at the
deadline, and the system chases the unit once per breach."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fengqiao.dispatch import services as dispatch_services
from fengqiao.dispatch.models import BreachStep, Violation
from fengqiao.intake.models import IncidentLog
from fengqiao.support import services
from fengqiao.support.deadlines import support_deadlines, warning_time
from fengqiao.support.models import SupportRequest, SupportUpdate

from .conftest import fresh

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def test_the_warning_comes_at_80_percent_of_the_step() -> None:
    assert warning_time(T0, T0 + dt.timedelta(minutes=30)) == T0 + dt.timedelta(minutes=24)
    assert warning_time(T0, T0) == T0
    assert warning_time(None, T0) == T0


def violations(request: SupportRequest) -> list[tuple[str, str]]:
    return sorted(Violation.objects.for_stations([request.station_id]).filter(subject__startswith=f"support:{request.pk}:")
                  .values_list("step", "level"))


def chases(request: SupportRequest) -> list[str]:
    return list(SupportUpdate.objects.for_stations([request.station_id]).filter(request=request, action="chase")
                .values_list("actor", flat=True))


pytestmark = pytest.mark.django_db


def test_an_unaccepted_request_warns_then_is_breached_and_chased_once(asked: SupportRequest, published: list[dict[str, Any]]) -> None:
    assert asked.due_at is not None
    warn_at = warning_time(asked.requested_at, asked.due_at)
    # (The incident itself waits for dispatch and is raised too: count the request's own breaches.)
    dispatch_services.tick(warn_at - dt.timedelta(seconds=1))
    assert violations(asked) == []
    dispatch_services.tick(warn_at)
    assert violations(asked) == [("support", "warning")]
    assert fresh(asked).chases == 0
    dispatch_services.tick(asked.due_at + dt.timedelta(seconds=5))
    assert violations(asked) == [("support", "alert"), ("support", "warning")]
    breach = Violation.objects.for_stations([asked.station_id]).get(subject=f"support:{asked.pk}:accept", level="alert")
    assert breach.officer is None and breach.incident_id == asked.incident_id and breach.due_at == asked.due_at
    row = fresh(asked)
    assert row.chases == 1 and chases(row) == ["system"]
    assert any(event["kind"] == "support" and event["support"] == asked.pk for event in published)
    assert any(event["kind"] == "deadline" and event["incident"] == asked.incident_id for event in published)
    dispatch_services.tick(asked.due_at + dt.timedelta(minutes=10))
    assert violations(asked) == [("support", "alert"), ("support", "warning")]
    assert fresh(asked).chases == 1
    log = IncidentLog.objects.for_stations([asked.station_id]).filter(incident_id=asked.incident_id)
    assert log.filter(kind=IncidentLog.Kind.DEADLINE, text__contains=str(BreachStep.SUPPORT.label)).count() == 2
    assert log.filter(kind=IncidentLog.Kind.NOTE, automatic=True, text__contains=asked.number).exists()


def test_an_accepted_request_not_started_when_needed_is_chased(asked: SupportRequest, ma_jun: Any) -> None:
    accepted = services.do_accept(asked, user=ma_jun)
    dispatch_services.tick(accepted.needed_by + dt.timedelta(seconds=1))
    assert ("support", "alert") in violations(asked)
    assert fresh(asked).chases == 1
    assert Violation.objects.for_stations([asked.station_id]).filter(subject=f"support:{asked.pk}:arrive").count() == 2


def test_a_declined_request_left_undecided_is_raised_but_not_chased(asked: SupportRequest, ma_jun: Any) -> None:
    declined = services.do_decline(asked, user=ma_jun, reason="无法支援")
    dispatch_services.tick(declined.due_at + dt.timedelta(seconds=1))
    assert Violation.objects.for_stations([asked.station_id]).filter(subject=f"support:{asked.pk}:decide", level="alert").exists()
    assert fresh(asked).chases == 0 and chases(asked) == []


def test_a_request_answered_in_time_raises_nothing(asked: SupportRequest, ma_jun: Any) -> None:
    services.do_accept(asked, user=ma_jun)
    services.do_start(asked, user=ma_jun)
    services.do_complete(asked, user=ma_jun, report="已完成")
    assert list(support_deadlines(asked.needed_by + dt.timedelta(days=3), None)) == []
    assert violations(asked) == []


def test_the_source_keeps_to_the_stations_asked_for(asked: SupportRequest, asked_b: SupportRequest) -> None:
    late = asked.due_at + dt.timedelta(minutes=1)
    assert {due.subject for due in support_deadlines(late, None)} == {
        f"support:{asked.pk}:accept", f"support:{asked_b.pk}:accept"}
    assert [due.subject for due in support_deadlines(late, [asked_b.station_id])] == [f"support:{asked_b.pk}:accept"]
    assert list(support_deadlines(asked.requested_at, None)) == []
