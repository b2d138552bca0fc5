"""Hand-made incidents of two stations for the statistics tests (imported by the test modules).

南坪 (station A), October 2026 (local time):

| # | received           | category               | beat   | place | first order (issued/ack/arrive/feedback, min after received) | breach |
|---|--------------------|------------------------|--------|-------|---------------------------------------------------|--------|
| 1 | Thu 10-01 09:10    | criminal.burglary      | beat_a | yes   | 2 / 3 / 10 / 30 (+ a backup order, ignored)         | arrive |
| 2 | Thu 10-01 21:40    | dispute.neighbour      | beat_a | yes   | 4 / 6 / 16 / –                                      | –      |
| 3 | Mon 10-05 09:55    | non_police.noise       | –      | no    | –                                                  | –      |
| 4 | Sat 10-31 23:59    | criminal.burglary      | beat_a | yes   | –                                                  | –      |
| 5 | Fri 10-16 14:00    | dispute.neighbour      | beat_a | yes   | (merged: left out)                                 | –      |

plus two in September 2026 (环比) and one in October 2025 (同比), and one on 11-01 00:00
(outside). 海棠溪 (station B) has three incidents in October 2026 that must never be counted.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fengqiao.dispatch.models import Dispatch, Violation
from fengqiao.intake.models import Category, Incident
from fengqiao.organisation.models import Beat, Officer, Station

LOCAL = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def make_incident(station: Station, received: str, code: str, *, beat: Beat | None = None, place: bool = True,
                  state: str = Incident.State.RESOLVED, lon: float = 106.561, lat: float = 29.531) -> Incident:
    category = Category.objects.for_stations([station.pk]).get(code=code)
    return Incident.objects.create(
        station=station, number=f"T{next(_numbers):06d}", received_at=at(received), category=category,
        priority=category.priority, route=category.route, state=state, summary="测试警情", beat=beat,
        longitude=lon if place else None, latitude=lat if place else None,
    )


def make_order(incident: Incident, officer: Officer, issued: int, acknowledged: int | None = None,
               arrived: int | None = None, reported: int | None = None, *, backup: bool = False) -> Dispatch:
    def after(minutes: int | None) -> dt.datetime | None:
        return None if minutes is None else incident.received_at + dt.timedelta(minutes=minutes)

    return Dispatch.objects.create(
        station=incident.station, incident=incident, officer=officer, team_kind="command", backup=backup,
        state=(Dispatch.State.RETURNED if backup else Dispatch.State.REPORTED if reported is not None
               else Dispatch.State.ON_SCENE if arrived is not None else Dispatch.State.ISSUED),
        issued_at=after(issued), acknowledged_at=after(acknowledged), arrived_at=after(arrived),
        reported_at=after(reported),
    )


@pytest.fixture
def hand_made(station_a: Station, station_b: Station, beat_a: Beat, beat_b: Beat, zhang_wei: Any,
              wang_qiang: Any) -> dict[str, Any]:
    officer_a = zhang_wei.officer
    officer_b = wang_qiang.officer
    one = make_incident(station_a, "2026-10-01T09:10", "criminal.burglary", beat=beat_a)
    make_order(one, officer_a, 2, 5, 15, 45)
    make_order(one, officer_a, 20, 21, 22, None, backup=True)
    Violation.objects.create(station=station_a, incident=one, step="arrive", level=Violation.Level.ALERT,
                             due_at=one.received_at + dt.timedelta(minutes=12),
                             recorded_at=one.received_at + dt.timedelta(minutes=12), subject=f"d{one.pk}")
    Violation.objects.create(station=station_a, incident=one, step="acknowledge", level=Violation.Level.WARNING,
                             due_at=one.received_at + dt.timedelta(minutes=4),
                             recorded_at=one.received_at + dt.timedelta(minutes=4), subject=f"w{one.pk}")
    two = make_incident(station_a, "2026-10-01T21:40", "dispute.neighbour", beat=beat_a, lon=106.5625, lat=29.5325)
    make_order(two, officer_a, 4, 10, 26)
    three = make_incident(station_a, "2026-10-05T09:55", "non_police.noise", place=False)
    four = make_incident(station_a, "2026-10-31T23:59", "criminal.burglary", beat=beat_a, lon=106.5612, lat=29.5311)
    merged = make_incident(station_a, "2026-10-16T14:00", "dispute.neighbour", beat=beat_a, state=Incident.State.MERGED)
    make_incident(station_a, "2026-09-10T10:00", "dispute.neighbour", beat=beat_a)
    make_incident(station_a, "2026-09-30T23:59", "criminal.burglary", beat=beat_a)
    make_incident(station_a, "2025-10-01T08:00", "criminal.burglary", beat=beat_a)
    outside = make_incident(station_a, "2026-11-01T00:00", "criminal.burglary", beat=beat_a)
    others = [make_incident(station_b, f"2026-10-{day:02d}T12:00", "criminal.burglary", beat=beat_b, lon=106.581, lat=29.551)
              for day in (1, 2, 3)]
    make_order(others[0], officer_b, 1, 2, 3, 4)
    Violation.objects.create(station=station_b, incident=others[0], step="dispatch", level=Violation.Level.ALERT,
                             due_at=others[0].received_at, recorded_at=others[0].received_at, subject=f"d{others[0].pk}")
    return {"one": one, "two": two, "three": three, "four": four, "merged": merged, "outside": outside, "others": others}


OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}
