"""Near-repeat alerts, raised through the real intake service (and on re-classification)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.analysis import nearrepeat
from fengqiao.analysis.models import DEFAULT_REPEAT_PRONE, AnalysisSettings, NearRepeatAlert
from fengqiao.core import events
from fengqiao.intake import services
from fengqiao.intake.models import Incident
from fengqiao.intake.tests import conftest as intake_fixtures
from fengqiao.organisation.models import Station

pytestmark = pytest.mark.django_db

# The intake fixtures: standard addresses in beat A, and receiving a call through the service.
addresses_a = intake_fixtures.addresses_a
receive = intake_fixtures.receive

LAT, LON = 29.5320, 106.5620
# About 100 m and 400 m north of (LAT, LON).
NORTH_100 = 100 / 111_195
NORTH_400 = 400 / 111_195


def burglary(receive: Any, *, ago: dt.timedelta = dt.timedelta(seconds=5), lat: float = LAT, lon: float = LON,
             category: str = "criminal.burglary", text: str = "家里被撬门进贼了") -> Incident:
    receipt = receive(text, decision=services.Decision(category=category), address_text="",
                      latitude=lat, longitude=lon, received_at=timezone.now() - ago)
    incident: Incident = receipt.incident
    return incident


def alerts(station: Station) -> list[NearRepeatAlert]:
    return list(NearRepeatAlert.objects.for_stations([station.pk]).order_by("pk"))


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, dict[str, Any]]]:
    sent: list[tuple[int, str, dict[str, Any]]] = []
    real = events.publish

    def publish(station_id: int, kind: str, **fields: Any) -> None:
        sent.append((station_id, kind, fields))
        real(station_id, kind, **fields)

    monkeypatch.setattr(events, "publish", publish)
    return sent


def test_a_burglary_call_raises_one_alert_for_the_area_around_it(
        receive: Any, station_a: Station, published: list[Any]) -> None:
    incident = burglary(receive)

    [alert] = alerts(station_a)
    assert alert.incident_id == incident.pk
    assert alert.category.code == "criminal.burglary"
    assert (alert.latitude, alert.longitude) == (LAT, LON)
    assert alert.radius_metres == 200
    assert alert.starts_at == incident.received_at
    assert alert.ends_at == incident.received_at + dt.timedelta(days=14)
    assert alert.earlier == 0
    assert alert.beat_id == incident.beat_id
    assert (station_a.pk, "incident", {"incident": incident.pk, "state": "near_repeat"}) in published


def test_the_station_settings_are_made_with_the_defaults_when_missing(receive: Any, station_a: Station) -> None:
    assert not AnalysisSettings.objects.for_stations([station_a.pk]).exists()
    burglary(receive)
    made = AnalysisSettings.objects.for_stations([station_a.pk]).get()
    assert made.repeat_prone == DEFAULT_REPEAT_PRONE
    assert (made.near_repeat_metres, made.near_repeat_days) == (200, 14)


def test_earlier_counts_the_same_kind_within_the_radius_and_the_period_before(receive: Any, station_a: Station) -> None:
    burglary(receive, ago=dt.timedelta(days=3), lat=LAT + NORTH_100)          # counts
    burglary(receive, ago=dt.timedelta(days=2), lat=LAT + NORTH_400)          # too far
    burglary(receive, ago=dt.timedelta(days=20))                              # too long ago
    burglary(receive, ago=dt.timedelta(days=1), category="criminal.theft_from_vehicle")  # another kind
    burglary(receive, ago=dt.timedelta(hours=5), lat=LAT - NORTH_100 / 2)     # counts
    newest = burglary(receive)

    alert = NearRepeatAlert.objects.for_stations([station_a.pk]).get(incident=newest)
    assert alert.earlier == 2
    assert sorted(nearrepeat.earlier_nearby(newest, metres=200, days=14)) == sorted(
        Incident.objects.for_stations([station_a.pk]).filter(
            category__code="criminal.burglary", received_at__gt=timezone.now() - dt.timedelta(days=14),
            received_at__lt=newest.received_at, latitude__lt=LAT + NORTH_400 / 2).values_list("pk", flat=True))


def test_a_call_of_another_kind_or_without_a_position_raises_none(receive: Any, station_a: Station) -> None:
    receive("楼上邻居半夜还在装修，吵得睡不着", decision=services.Decision(category="dispute.neighbour"),
            address_text="", latitude=LAT, longitude=LON)
    receive("家里被撬门进贼了", decision=services.Decision(category="criminal.burglary"), address_text="某个不认识的地方")
    assert alerts(station_a) == []


def test_the_station_chooses_its_radius_period_and_kinds(receive: Any, station_a: Station) -> None:
    AnalysisSettings.objects.create(station=station_a, near_repeat_metres=500, near_repeat_days=7,
                                    repeat_prone=["criminal.theft"])
    burglary(receive, ago=dt.timedelta(days=3), category="criminal.theft", lat=LAT + NORTH_400)
    burglary(receive, ago=dt.timedelta(days=9), category="criminal.theft")
    theft = burglary(receive, category="criminal.theft")
    burglary(receive)  # no longer repeat-prone here

    [first, _, alert] = alerts(station_a)
    assert alert.incident_id == theft.pk
    assert (alert.radius_metres, alert.earlier) == (500, 1)
    assert alert.ends_at - alert.starts_at == dt.timedelta(days=7)
    assert first.earlier == 0


def test_re_classifying_into_a_repeat_prone_kind_raises_the_alert_once(
        receive: Any, station_a: Station, zhang_wei: Any, published: list[Any]) -> None:
    incident = burglary(receive, category="criminal.theft")
    assert alerts(station_a) == []
    burglary_category = services.station_rules(station_a.pk).category_rows["criminal.burglary"]

    services.do_update_incident(incident, user=zhang_wei, category=burglary_category)
    [alert] = alerts(station_a)
    assert alert.incident_id == incident.pk and alert.category_id == burglary_category.pk

    services.do_update_incident(incident, user=zhang_wei, priority=1)
    fresh = Incident.objects.for_stations([station_a.pk]).get(pk=incident.pk)
    fresh.save()
    assert nearrepeat.raise_alert(fresh) == alert
    assert alerts(station_a) == [alert]
    assert sum(1 for _, _, fields in published if fields.get("state") == "near_repeat") == 1


def test_re_classifying_into_another_repeat_prone_kind_moves_the_alert(
        receive: Any, station_a: Station, zhang_wei: Any) -> None:
    burglary(receive, ago=dt.timedelta(days=2), category="criminal.theft_from_vehicle", lat=LAT + NORTH_100)
    incident = burglary(receive)
    [_, alert] = alerts(station_a)
    assert alert.earlier == 0
    theft_from_vehicle = services.station_rules(station_a.pk).category_rows["criminal.theft_from_vehicle"]
    services.do_update_incident(incident, user=zhang_wei, category=theft_from_vehicle)
    alert.refresh_from_db()
    assert (alert.category_id, alert.earlier) == (theft_from_vehicle.pk, 1)
    assert len(alerts(station_a)) == 2


def test_an_old_incident_saved_again_raises_no_alert(receive: Any, station_a: Station) -> None:
    incident = burglary(receive, ago=dt.timedelta(days=30))
    NearRepeatAlert.objects.for_stations([station_a.pk]).delete()
    incident.save()
    assert alerts(station_a) == []


def test_active_alerts_are_those_in_force_and_still_standing(
        receive: Any, station_a: Station, station_b: Station, zhang_wei: Any) -> None:
    over = burglary(receive, ago=dt.timedelta(days=15))
    standing = burglary(receive, ago=dt.timedelta(days=2), lat=LAT + NORTH_400)
    reclassified = burglary(receive, ago=dt.timedelta(days=1))
    false_report = burglary(receive, ago=dt.timedelta(hours=2), lat=LAT - NORTH_400)
    assert len(alerts(station_a)) == 4
    services.do_update_incident(reclassified, user=zhang_wei,
                                category=services.station_rules(station_a.pk).category_rows["criminal.theft"])
    services.do_mark_invalid(false_report, user=zhang_wei, reason="误报")

    active = nearrepeat.active_alerts([station_a.pk])
    assert [alert.incident_id for alert in active] == [standing.pk]
    assert nearrepeat.active_alerts([station_b.pk]) == []
    earlier = timezone.now() - dt.timedelta(days=14, hours=12)
    assert {a.incident_id for a in nearrepeat.active_alerts([station_a.pk], earlier)} == {over.pk}
    feature = nearrepeat.alerts_geojson(active)["features"][0]
    assert feature["geometry"]["coordinates"] == [standing.longitude, standing.latitude]
    assert feature["properties"]["radius_metres"] == 200


def test_the_demo_raises_the_alerts_its_bulk_written_history_missed(receive: Any, station_a: Station) -> None:
    from fengqiao.demo.analysis_writer import write_near_repeat_alerts

    recent = burglary(receive, ago=dt.timedelta(days=3))
    burglary(receive, ago=dt.timedelta(days=20), lat=LAT + NORTH_400)
    NearRepeatAlert.objects.for_stations([station_a.pk]).delete()  # as if written in bulk

    assert write_near_repeat_alerts(station_a, now=timezone.now()) == {"near-repeat alerts": 1}
    assert [alert.incident_id for alert in alerts(station_a)] == [recent.pk]
    assert write_near_repeat_alerts(station_a, now=timezone.now()) == {}
