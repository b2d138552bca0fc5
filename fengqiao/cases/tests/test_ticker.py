"""The ticker raises a case's deadline like an overdue order: a warning, then a breach, each once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.dispatch import services as dispatch
from fengqiao.dispatch.models import Violation
from fengqiao.intake.models import Incident, IncidentLog

pytestmark = pytest.mark.django_db


def _breaches(case: Case) -> list[tuple[str, str, int | None]]:
    return sorted(Violation.objects.for_stations([case.station_id]).filter(subject__startswith=f"case:{case.pk}:")
                  .values_list("step", "level", "officer_id"))


@pytest.fixture
def theft_case(theft_incident: Incident, zhang_wei: Any, case_team: list[Any]) -> Case:
    return services.do_accept_case(theft_incident, user=zhang_wei, kind="criminal", complexity="simple",
                                   now=timezone.now() - dt.timedelta(hours=1))


def test_a_case_past_its_filing_deadline_is_breached_once_for_its_lead(theft_case: Case) -> None:
    assert theft_case.due_at is not None
    assert dispatch.tick(theft_case.accepted_at + dt.timedelta(days=2)).warnings == 0  # 80 % of three days is later
    warned = dispatch.tick(theft_case.due_at - dt.timedelta(hours=2))
    assert (warned.warnings, warned.alerts) == (1, 0)
    breached = dispatch.tick(theft_case.due_at + dt.timedelta(seconds=1))
    assert (breached.warnings, breached.alerts) == (0, 1)
    again = dispatch.tick(theft_case.due_at + dt.timedelta(hours=5))
    assert (again.warnings, again.alerts) == (0, 0)
    assert _breaches(theft_case) == [("case", "alert", theft_case.lead_id), ("case", "warning", theft_case.lead_id)]
    entries = IncidentLog.objects.for_stations([theft_case.station_id]).filter(incident=theft_case.incident, kind="deadline")
    assert entries.count() == 2


def test_an_extended_deadline_is_raised_anew_and_a_finished_case_never(theft_case: Case, li_na: Any) -> None:
    assert theft_case.due_at is not None
    dispatch.tick(theft_case.due_at + dt.timedelta(seconds=1))
    extended = services.do_extend(theft_case, user=li_na, reason="需要补充证据", now=theft_case.due_at + dt.timedelta(minutes=5))
    assert extended.due_at is not None
    assert dispatch.tick(extended.due_at + dt.timedelta(seconds=1), station_ids=[theft_case.station_id]).alerts == 1
    services.do_not_file(theft_case, user=li_na, reason="不构成犯罪")
    assert dispatch.tick(extended.due_at + dt.timedelta(days=30)).alerts == 0
    assert len(_breaches(theft_case)) == 4


def test_the_ticker_of_another_station_leaves_the_case_alone(theft_case: Case, station_b: Any) -> None:
    assert theft_case.due_at is not None
    assert dispatch.tick(theft_case.due_at + dt.timedelta(seconds=1), station_ids=[station_b.pk]).alerts == 0
