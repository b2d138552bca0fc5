"""Every dispatch page and endpoint of 南坪 answers 404 to 海棠溪 — incidents, orders, follow-ups."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.core.testing import Change, StationIsolationTests
from fengqiao.dispatch import services
from fengqiao.dispatch.models import DeadlinePolicy, Dispatch, FollowUp
from fengqiao.dispatch.services import FeedbackData
from fengqiao.intake.models import Incident


@pytest.fixture
def order_a(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> Dispatch:
    return services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)


@pytest.fixture
def follow_up_a(order_a: Dispatch, liu_yang: Any) -> FollowUp:
    services.do_acknowledge(order_a, user=liu_yang)
    services.do_arrive(order_a, user=liu_yang)
    services.do_feedback(order_a, FeedbackData(disposition="mediated", actions="调解"), user=liu_yang)
    return FollowUp.objects.for_stations([order_a.station_id]).get(incident_id=order_a.incident_id)


@pytest.fixture
def policy_a(noise_incident: Incident) -> DeadlinePolicy:
    return DeadlinePolicy.objects.for_stations([noise_incident.station_id]).filter(step="acknowledge").first()


class TestIncidentDispatchKeepsToItsStation(StationIsolationTests):
    object_fixture = "noise_incident"
    person_of_station_a = "zhang_wei"
    person_of_station_b = "wang_qiang"
    urls = (
        "/board/incidents/{pk}/",
        "/api/v1/incidents/{pk}/recommendations",
        "/api/v1/incidents/{pk}/dispatches",
    )
    # The insider's requests run in turn: once resolved by the first, the second is refused (409).
    changes = (
        Change("post", "/api/v1/incidents/{pk}/resolve", {"text": "电话劝解"}),
        Change("post", "/board/incidents/{pk}/resolve/", {"text": "电话劝解"}, 409),
    )


class TestIncidentDispatchingKeepsToItsStation(StationIsolationTests):
    """Dispatching needs an officer of the incident's station; 海棠溪 gets 404 before that matters."""

    object_fixture = "noise_incident"
    person_of_station_a = "zhang_wei"
    person_of_station_b = "wang_qiang"
    changes = (
        Change("post", "/board/incidents/{pk}/dispatch/", {"officer": "0"}, 422),
        Change("post", "/api/v1/incidents/{pk}/dispatches", {"officer_id": 0}, 422),
    )


class TestOrderKeepsToItsStation(StationIsolationTests):
    object_fixture = "order_a"
    person_of_station_a = "zhang_wei"
    person_of_station_b = "wang_qiang"
    urls = ("/api/v1/dispatches/{pk}",)
    # In turn for the insider: acknowledged, then cancelled, after which a return is refused (409).
    changes = (
        Change("post", "/api/v1/dispatches/{pk}/acknowledge"),
        Change("post", "/api/v1/dispatches/{pk}/cancel", {"reason": "报警人已离开"}),
        Change("post", "/api/v1/dispatches/{pk}/return", {"reason": "另有任务"}, 409),
    )


class TestOrderOnThePhoneKeepsToItsStation(StationIsolationTests):
    object_fixture = "order_a"
    person_of_station_a = "liu_yang"
    person_of_station_b = "wang_qiang"
    urls = ("/m/orders/{pk}/",)


class TestFollowUpKeepsToItsStation(StationIsolationTests):
    object_fixture = "follow_up_a"
    person_of_station_a = "liu_yang"
    person_of_station_b = "wang_qiang"
    changes = (Change("post", "/api/v1/follow-ups/{pk}", {"outcome": "satisfied"}),)


class TestDeadlinePolicyAdminKeepsToItsStation(StationIsolationTests):
    object_fixture = "policy_a"
    urls = ("/admin/dispatch/deadlinepolicy/{pk}/change/",)
