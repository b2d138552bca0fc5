"""A hand-made morning at 南坪 for the briefing and report tests (imported by the test modules).

The briefing is read at Monday 2026-11-02 08:30 (local). In the 24 hours before:

| incident | received         | category           | beat   | state    | counted |
|----------|------------------|--------------------|--------|----------|---------|
| b1       | 11-01 09:00      | criminal.burglary  | beat_a | resolved | yes     |
| b2       | 11-02 02:00      | criminal.burglary  | beat_a | on_scene | yes     |
| n1       | 11-01 20:00      | dispute.neighbour  | beat_a | resolved | yes     |
| x1       | 11-02 07:00      | non_police.noise   | –      | resolved | yes     |
| merged   | 11-02 03:00      | dispute.neighbour  | beat_a | merged   | no      |
| early    | 11-01 08:29      | criminal.burglary  | beat_a | resolved | no (25 h)|
| b_other  | 11-02 01:00      | criminal.burglary  | beat_b | (station B)| no    |

Orders: two active (one past its deadline), one finished. Follow-ups: one due today, one
overdue since yesterday, one done. Transfers: two open (one overdue), one confirmed.
Support requests: one open and overdue, one completed. One open campaign. Near-repeat
alerts are raised through the near-repeat part (`nearrepeat.raise_alert`, as the intake
services do) for the burglaries with a position (b1, b2, early: in force at 08:30). Cases cleared in October: two burglaries (video, on
the scene), one dispute (mediation → other), and one cleared in September (not counted).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fengqiao.analysis import nearrepeat
from fengqiao.campaigns.models import Campaign
from fengqiao.cases.models import Case
from fengqiao.dispatch.models import Dispatch, FollowUp
from fengqiao.intake.models import Category, Incident
from fengqiao.organisation.models import Beat, Department, Officer, Station, Team
from fengqiao.support.models import SupportRequest, Unit
from fengqiao.transfers.models import Transfer

LOCAL = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 8, 30, tzinfo=LOCAL)
_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def incident(station: Station, received: str, code: str, *, beat: Beat | None = None,
             state: str = Incident.State.RESOLVED, lon: float | None = 106.561, lat: float | None = 29.531) -> Incident:
    category = Category.objects.for_stations([station.pk]).get(code=code)
    return Incident.objects.create(
        station=station, number=f"R{next(_numbers):06d}", received_at=at(received), category=category,
        priority=category.priority, route=category.route, state=state, summary="测试警情", beat=beat,
        longitude=lon, latitude=lat,
    )


def order(found: Incident, officer: Officer, *, state: str, alert_at: dt.datetime | None) -> Dispatch:
    return Dispatch.objects.create(station=found.station, incident=found, officer=officer, team_kind="command",
                                   state=state, issued_at=found.received_at, due_step="arrive" if alert_at else "",
                                   alert_at=alert_at)


def follow_up(found: Incident, officer: Officer, *, due: str, state: str = FollowUp.State.DUE) -> FollowUp:
    return FollowUp.objects.create(station=found.station, incident=found, officer=officer, state=state,
                                   scheduled_at=found.received_at, due_at=at(due), alert_at=at(due))


@pytest.fixture
def case_team_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.CASE, name="南坪办案队")


@pytest.fixture
def morning(station_a: Station, station_b: Station, beat_a: Beat, beat_b: Beat, zhang_wei: Any, liu_yang: Any,
            chen_chen: Any, li_na: Any, wang_qiang: Any, case_team_a: Team, bureau: Any) -> dict[str, Any]:
    officer = zhang_wei.officer
    community = liu_yang.officer
    b1 = incident(station_a, "2026-11-01T09:00", "criminal.burglary", beat=beat_a)
    b2 = incident(station_a, "2026-11-02T02:00", "criminal.burglary", beat=beat_a, state=Incident.State.ON_SCENE,
                  lon=106.5612, lat=29.5312)
    n1 = incident(station_a, "2026-11-01T20:00", "dispute.neighbour", beat=beat_a, lon=106.5625, lat=29.5325)
    x1 = incident(station_a, "2026-11-02T07:00", "non_police.noise", lon=None, lat=None)
    incident(station_a, "2026-11-02T03:00", "dispute.neighbour", beat=beat_a, state=Incident.State.MERGED)
    early = incident(station_a, "2026-11-01T08:29", "criminal.burglary", beat=beat_a)
    b_other = incident(station_b, "2026-11-02T01:00", "criminal.burglary", beat=beat_b, lon=106.581, lat=29.551)
    for burglary in (early, b1, b2, b_other):
        nearrepeat.raise_alert(burglary)

    order(b2, officer, state=Dispatch.State.ON_SCENE, alert_at=at("2026-11-02T02:30"))
    order(x1, officer, state=Dispatch.State.ACKNOWLEDGED, alert_at=at("2026-11-02T09:00"))
    order(b1, officer, state=Dispatch.State.REPORTED, alert_at=None)
    order(b_other, wang_qiang.officer, state=Dispatch.State.ISSUED, alert_at=at("2026-11-02T01:10"))

    follow_up(n1, community, due="2026-11-02T15:00")
    follow_up(early, community, due="2026-11-01T18:00")
    follow_up(b1, community, due="2026-11-02T10:00", state=FollowUp.State.DONE)

    department = Department.objects.create(name="南岸区城市管理局", code="NA-CG", kind=Department.Kind.URBAN_MANAGEMENT)
    for number, state, due, about in (("T1", Transfer.State.RECEIVED, at("2026-11-01T12:00"), x1),
                                      ("T2", Transfer.State.PUSHED, at("2026-11-02T12:00"), n1),
                                      ("T3", Transfer.State.CONFIRMED, None, x1)):
        Transfer.objects.create(station=station_a, number=number, incident=about, department=department,
                                category_label="噪声扰民", description="夜间施工噪声", state=state,
                                pushed_at=at("2026-11-01T10:00"), result_due=at("2026-11-03T10:00"),
                                due_step="result" if due else "", due_at=due)
    unit = Unit.objects.create(bureau=bureau, kind=Unit.Kind.CRIMINAL_INVESTIGATION, name="刑侦大队", code="NA-XZ")
    for number, state, due in (("S1", SupportRequest.State.REQUESTED, at("2026-11-02T03:00")),
                               ("S2", SupportRequest.State.COMPLETED, None)):
        SupportRequest.objects.create(station=station_a, number=number, incident=b2, unit=unit,
                                      need=SupportRequest.Need.SCENE, details="现场勘查", needed_by=at("2026-11-02T04:00"),
                                      place="南坪西路18号", contact=officer, state=state, requested_at=at("2026-11-02T02:10"),
                                      due_step="accept" if due else "", due_at=due)
    Campaign.objects.create(station=station_a, number="HC-1", title="涉诈高风险人员核查", issuer="分局治安大队",
                            deadline=at("2026-11-03T18:00"), created_by=zhang_wei, created_at=at("2026-10-30T09:00"))

    return {"b1": b1, "b2": b2, "n1": n1, "x1": x1, "early": early, "b_other": b_other}


def cleared(found: Incident, lead: Officer, how: str, when: str) -> Case:
    return Case.objects.create(
        station=found.station, number=f"C{next(_numbers):05d}", incident=found, kind=Case.Kind.CRIMINAL,
        category=found.category, title="测试案件", lead=lead, accepted_at=found.received_at, state=Case.State.CLEARED,
        cleared_at=at(when), cleared_how=how)


@pytest.fixture
def october(morning: dict[str, Any], station_a: Station, beat_a: Beat, zhang_wei: Any) -> dict[str, Any]:
    """October 2026 at 南坪: six incidents (two in beat A at one corner), four cleared cases."""
    officer = zhang_wei.officer
    rows = [incident(station_a, f"2026-10-{day:02d}T{hour:02d}:00", code, beat=beat_a, lon=lon, lat=lat)
            for day, hour, code, lon, lat in ((3, 9, "criminal.burglary", 106.5611, 29.5311),
                                              (3, 22, "criminal.burglary", 106.5612, 29.5312),
                                              (10, 14, "dispute.neighbour", 106.5630, 29.5330),
                                              (17, 9, "criminal.burglary", 106.5613, 29.5311),
                                              (24, 20, "dispute.neighbour", 106.5631, 29.5331),
                                              (31, 23, "criminal.burglary", 106.5611, 29.5313))]
    september = incident(station_a, "2026-09-01T10:00", "criminal.burglary", beat=beat_a)
    for found in [september, *rows]:
        nearrepeat.raise_alert(found)  # only the burglaries raise one
    cleared(rows[0], officer, Case.ClearedHow.VIDEO, "2026-10-05T10:00")
    cleared(rows[1], officer, Case.ClearedHow.ON_SCENE, "2026-10-04T01:00")
    cleared(rows[2], officer, Case.ClearedHow.OTHER, "2026-10-12T10:00")
    cleared(september, officer, Case.ClearedHow.VIDEO, "2026-09-20T10:00")
    return {"rows": rows, "september": september}
