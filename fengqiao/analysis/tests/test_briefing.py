# ruff: noqa: F811  (fixtures imported from reports_fixtures are used as parameters)
"""The morning briefing's figures equal the database's (hand-made morning, reports_fixtures)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db.models import Q

from fengqiao.analysis.briefing import build_briefing
from fengqiao.analysis.models import NearRepeatAlert
from fengqiao.dispatch.models import Dispatch
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer, Station

from .reports_fixtures import NOW, case_team_a, morning  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_last_24_hours_count_matters_by_category_and_beat(morning: dict[str, Any], station_a: Station) -> None:
    figures = build_briefing(station_a, NOW)
    incidents = figures["incidents"]
    # b1, b2, n1, x1: not the merged duplicate, not the one 25 hours ago, not station B's.
    assert incidents["total"] == 4
    assert {row["code"]: row["count"] for row in incidents["by_category"]} == {
        "criminal.burglary": 2, "dispute.neighbour": 1, "non_police.noise": 1}
    assert incidents["by_category"][0]["code"] == "criminal.burglary"  # the largest first
    assert [(row["label"], row["count"]) for row in incidents["by_beat"]] == [("南坪西路警务区", 3), ("—", 1)]
    assert sum(row["count"] for row in incidents["by_family"]) == 4
    in_window = (Incident.objects.for_stations([station_a.pk])
                 .filter(received_at__gte=NOW - dt.timedelta(hours=24), received_at__lt=NOW)
                 .exclude(state__in=["merged", "invalid"]))
    assert incidents["total"] == in_window.count()


def test_open_and_overdue_work_is_counted(morning: dict[str, Any], station_a: Station) -> None:
    figures = build_briefing(station_a, NOW)
    assert figures["orders"]["open"] == 2 == Dispatch.objects.for_stations([station_a.pk]).filter(
        state__in=["issued", "acknowledged", "departed", "on_scene"]).count()
    assert figures["orders"]["overdue"] == 1
    assert [row["incident"] for row in figures["orders"]["overdue_rows"]] == [morning["b2"].number]
    assert figures["follow_ups"]["due_today"] == 1
    assert figures["follow_ups"]["overdue"] == 1
    assert [row["overdue"] for row in figures["follow_ups"]["rows"]] == [True, False]
    assert (figures["transfers"]["open"], figures["transfers"]["overdue"]) == (2, 1)
    assert [row["number"] for row in figures["transfers"]["overdue_rows"]] == ["T1"]
    assert (figures["support"]["open"], figures["support"]["overdue"]) == (1, 1)
    assert [row["number"] for row in figures["support"]["overdue_rows"]] == ["S1"]
    assert [row["number"] for row in figures["campaigns"]] == ["HC-1"]


def test_todays_duty_counts_each_team_by_duty_status(morning: dict[str, Any], station_a: Station) -> None:
    figures = build_briefing(station_a, NOW)
    officers = Officer.objects.for_stations([station_a.pk])
    assert sum(row["officers"] for row in figures["duty"]) == officers.count()
    assert sum(row["present"] for row in figures["duty"]) == officers.filter(
        duty_status__in=Officer.ON_DUTY_STATUSES).count()
    named = {person["name"] for row in figures["duty"] for person in row["names"]}
    assert named == set(officers.filter(duty_status__in=Officer.ON_DUTY_STATUSES).values_list("name", flat=True))
    auxiliaries = [person for row in figures["duty"] for person in row["names"] if person["auxiliary"]]
    assert all(person["name"] == "陈晨" for person in auxiliaries)


def test_near_repeat_alerts_in_force_are_listed(morning: dict[str, Any], station_a: Station) -> None:
    figures = build_briefing(station_a, NOW)
    in_force = NearRepeatAlert.objects.for_stations([station_a.pk]).filter(
        Q(starts_at__lte=NOW) & Q(ends_at__gt=NOW))
    assert len(figures["near_repeats"]) == in_force.count() == 3
    assert {row["incident"] for row in figures["near_repeats"]} == {
        morning["b1"].number, morning["b2"].number, morning["early"].number}


def test_another_stations_data_never_appears(morning: dict[str, Any], station_b: Station) -> None:
    figures = build_briefing(station_b, NOW)
    assert figures["incidents"]["total"] == 1
    assert figures["orders"]["open"] == 1 and figures["orders"]["overdue"] == 1
    assert figures["transfers"]["open"] == 0 and figures["campaigns"] == []


def test_the_briefing_is_plain_json_and_takes_a_few_queries(morning: dict[str, Any], station_a: Station,
                                                           django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(16):
        figures = build_briefing(station_a, NOW)
    assert json.loads(json.dumps(figures)) == figures
