"""The end of the past: what midnight after its last day leaves on the board.

The demo's own past ends yesterday, so what is still out at its end changes from day to
day. Here two fixed days are written, ending at midnight after a Saturday evening that is
known to leave orders out at both stations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from fengqiao.demo.builder import build_demo
from fengqiao.demo.history_writer import write_history
from fengqiao.demo.plan import DEFAULT_SEED
from fengqiao.demo.tests.test_history_orders import (
    check_busy_means_an_order_out,
    check_open_incidents_follow_their_order,
)
from fengqiao.dispatch.models import Dispatch, FollowUp
from fengqiao.intake import states
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer, Station

pytestmark = pytest.mark.django_db

WHY = "tests look at the end of a fixed past"
START = dt.date(2025, 1, 10)  # a Friday: the past ends at midnight after a busy Saturday evening
DAYS = 2


@pytest.fixture(scope="module")
def past(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo without its own past, then two fixed days written at each station."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = build_demo(DEFAULT_SEED, days=0, records=False, reports=False)  # the records are not what this looks at
        written = {
            station.code: write_history(station, seed=DEFAULT_SEED, start=START, days=DAYS)
            for station in Station.objects.unscoped(WHY).order_by("code")
        }
        yield {"plan": report.plan, "written": written}
        transaction.set_rollback(True)


def test_both_stations_have_orders_still_out_at_midnight_each_owning_its_incidents_deadline(past) -> None:
    assert check_open_incidents_follow_their_order() >= 2
    for code in ("NP", "HTX"):
        still_out = Dispatch.objects.unscoped(WHY).filter(station__code=code, state__in=["issued", "acknowledged",
                                                                                         "departed", "on_scene"])
        assert still_out.exists(), code


def test_the_officers_out_are_busy_with_their_auxiliaries_and_nobody_else_is(past) -> None:
    out = check_busy_means_an_order_out()
    assert out
    busy = Officer.objects.unscoped(WHY).filter(duty_status=Officer.DutyStatus.BUSY)
    assert set(busy.filter(rank=Officer.Rank.OFFICER).values_list("pk", flat=True)) == out
    assert busy.filter(rank=Officer.Rank.AUXILIARY).exists()  # beside a community officer who is out
    # Whom the roster pictured busy but this past leaves with nothing assigned is on duty.
    pictured_busy = {officer.badge for officer in past["plan"].officers if officer.duty_status == "busy"}
    idle = Officer.objects.unscoped(WHY).filter(badge_number__in=pictured_busy).exclude(pk__in=out).exclude(
        supervisor__in=out)
    assert idle.exists()
    assert set(idle.values_list("duty_status", flat=True)) <= {Officer.DutyStatus.ON_DUTY}


def test_a_resolved_incident_has_no_deadline_its_follow_up_has_one(past) -> None:
    resolved = Incident.objects.unscoped(WHY).filter(state=states.RESOLVED).select_related("category")
    assert resolved.exists()
    assert not resolved.exclude(deadline=None).exists()
    follow_ups = FollowUp.objects.unscoped(WHY).filter(incident__in=resolved, level=FollowUp.Level.CALL)
    assert follow_ups.exists()
    assert not follow_ups.filter(alert_at=None).exists()
