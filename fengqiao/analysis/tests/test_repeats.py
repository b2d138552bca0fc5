"""Repeat addresses, repeat callers and the disputes ranked by risk, from the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.analysis import repeats
from fengqiao.community.models import Dispute, DisputeParty
from fengqiao.intake import services
from fengqiao.intake.tests import conftest as intake_fixtures
from fengqiao.organisation.models import Beat, Station
from fengqiao.records.models import Address

pytestmark = pytest.mark.django_db

# The intake fixtures: standard addresses in beat A, and receiving a call through the service.
addresses_a = intake_fixtures.addresses_a
receive = intake_fixtures.receive

FLAT = "南坪西路18号3栋2单元501"
PHONE = "13987654321"
OTHER_PHONE = "13911112222"


def call(receive: Any, days_ago: float, *, category: str = "dispute.neighbour", address: str = FLAT,
         phone: str = "", name: str = "", **fields: Any) -> Any:
    return receive("邻居又吵起来了", decision=services.Decision(category=category), address_text=address,
                   caller_phone=phone, caller_name=name,
                   received_at=timezone.now() - dt.timedelta(days=days_ago), **fields)


def window(days: int) -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=days), now + dt.timedelta(seconds=1)


def test_repeat_addresses_count_incidents_per_standard_address(receive: Any, station_a: Station,
                                                                addresses_a: list[Address]) -> None:
    for days in (1, 3, 10, 40):
        call(receive, days)
    call(receive, 2, address="南坪西路20号")
    found = repeats.repeat_addresses([station_a.pk], *window(30), minimum=2)
    assert [(p.key, p.count) for p in found] == [(f"a:{addresses_a[0].pk}", 3)]
    place = found[0]
    assert place.label == addresses_a[0].full_text
    assert [i.received_at for i in place.incidents] == sorted((i.received_at for i in place.incidents), reverse=True)
    assert repeats.repeat_addresses([station_a.pk], *window(60), minimum=4)[0].count == 4


def test_without_a_standard_address_the_rounded_position_groups(receive: Any, station_a: Station) -> None:
    for offset in (0.0, 0.00001, 0.00002):
        call(receive, 1, address="", latitude=29.53300 + offset, longitude=106.56100)
    call(receive, 1, address="", latitude=29.53400, longitude=106.56100)
    [place] = repeats.repeat_addresses([station_a.pk], *window(30), minimum=2)
    assert (place.key, place.count, place.address_id) == ("p:29.5330,106.5610", 3, None)


def test_repeat_callers_are_counted_per_phone_and_masked(receive: Any, station_a: Station, station_b: Station) -> None:
    call(receive, 1, phone=PHONE, name="王建国")
    call(receive, 2, phone="+86 139-8765-4321", name="王建国")
    call(receive, 5, phone=PHONE)
    call(receive, 50, phone=PHONE)
    call(receive, 1, phone=OTHER_PHONE)
    [caller] = repeats.repeat_callers([station_a.pk], *window(30), minimum=2)
    assert caller.phone_masked == "139****4321"
    assert caller.calls == 3
    assert caller.names == ["王**"]
    assert len(caller.incidents) == 3
    assert repeats.repeat_callers([station_b.pk], *window(30), minimum=1) == []


@pytest.fixture
def disputes(station_a: Station, beat_a: Beat, addresses_a: list[Address], zhang_wei: Any) -> dict[str, Dispute]:
    now = timezone.now()

    def dispute(number: str, address: Address | None, beat: Beat | None, parties: list[tuple[str, str]]) -> Dispute:
        made = Dispute.objects.create(station=station_a, number=number, kind=Dispute.Kind.NEIGHBOUR, summary="漏水纠纷",
                                      address=address, beat=beat, opened_at=now - dt.timedelta(days=90),
                                      opened_by=zhang_wei)
        for name, phone in parties:
            DisputeParty.objects.create(dispute=made, name=name, phone=phone)
        return made

    return {
        "flat": dispute("纠2026-001", addresses_a[0], None, [("王建国", PHONE)]),
        "quiet": dispute("纠2026-002", addresses_a[2], beat_a, [("李四", "13800001111")]),
        "names": dispute("纠2026-003", None, None, [("赵六", "")]),
    }


def test_disputes_rank_by_the_calls_of_their_parties_and_address(
        receive: Any, station_a: Station, disputes: dict[str, Dispute], liu_yang: Any) -> None:
    call(receive, 1, phone=PHONE)                                      # phone and address
    call(receive, 3, address="南城大道199号", phone=PHONE)                # phone only
    call(receive, 6, category="public_order.fight")                    # address only, a fight
    call(receive, 20, address="南城大道199号", name="赵六")               # the name only
    call(receive, 200, address="江南大道8号")                            # the quiet one's address, long ago

    ranked = repeats.ranked_disputes(station_a.pk)
    assert [row.dispute.number for row in ranked] == ["纠2026-001", "纠2026-003", "纠2026-002"]
    top = ranked[0].assessment
    assert top.calls == 3 and top.violent == 1
    codes = {(r.code, r.match, r.count, r.days) for r in top.reasons}
    assert ("calls", "address", 2, 7) in codes
    assert ("calls", "phone", 2, 7) in codes
    assert ranked[1].assessment.calls == 1

    # 刘洋 works beat A: its dispute comes first for him.
    mine = repeats.ranked_disputes(station_a.pk, user=liu_yang)
    assert mine[0].dispute.number == "纠2026-002" and mine[0].own_beat
    assert [row.dispute.number for row in mine[1:]] == ["纠2026-001", "纠2026-003"]


def test_closed_disputes_are_not_ranked(station_a: Station, disputes: dict[str, Dispute]) -> None:
    Dispute.objects.for_stations([station_a.pk]).filter(pk=disputes["flat"].pk).update(outcome=Dispute.Outcome.RESOLVED)
    assert {row.dispute.number for row in repeats.ranked_disputes(station_a.pk)} == {"纠2026-002", "纠2026-003"}


def test_phone_numbers_compare_as_digits() -> None:
    assert repeats.normalise_phone("+86 139-8765-4321") == PHONE
    assert repeats.normalise_phone("008613987654321") == PHONE
    assert repeats.normalise_phone("023-6288 1234") == "02362881234"
