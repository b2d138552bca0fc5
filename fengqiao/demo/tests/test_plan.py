"""The demo plan, checked without a database: numbers, unique keys, places."""

from __future__ import annotations

from collections import Counter

import pytest

from fengqiao.demo import geometry
from fengqiao.demo.plan import DEFAULT_SEED, MAIN_STATION, SECOND_STATION, DemoPlan, plan_demo


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return plan_demo(DEFAULT_SEED)


def test_the_station_specs_add_up_to_the_design_figures() -> None:
    assert MAIN_STATION.police_officers == 51
    assert SECOND_STATION.police_officers == 20


def test_badges_usernames_names_and_phones_are_unique(plan: DemoPlan) -> None:
    for values in (
        [officer.badge for officer in plan.officers],
        [officer.username for officer in plan.officers] + [person.username for person in plan.staff],
        [officer.name for officer in plan.officers],
        [officer.phone for officer in plan.officers],
        [address.code for address in plan.addresses],
    ):
        assert len(values) == len(set(values))


def test_every_auxiliary_answers_to_a_police_officer_of_the_same_station(plan: DemoPlan) -> None:
    officers = {officer.badge: officer for officer in plan.officers}
    for officer in plan.officers:
        if officer.rank == "auxiliary":
            supervisor = officers[officer.supervisor_badge or ""]
            assert supervisor.rank == "officer"
            assert supervisor.station_code == officer.station_code
        else:
            assert officer.supervisor_badge is None


def test_addresses_lie_in_their_beat_and_are_spread_over_every_beat(plan: DemoPlan) -> None:
    boundaries = {(beat.station_code, beat.code): beat.boundary for beat in plan.beats}
    for address in plan.addresses[::25]:
        assert geometry.contains(boundaries[(address.station_code, address.beat_code)], address.position)
    per_beat = Counter((address.station_code, address.beat_code) for address in plan.addresses)
    assert set(per_beat) == set(boundaries)
    assert min(per_beat.values()) >= 50


def test_full_street_numbers_are_written_the_chinese_way(plan: DemoPlan) -> None:
    flat = next(address for address in plan.addresses if address.room)
    assert flat.number.endswith("号") and flat.building.endswith("栋") and flat.unit.endswith("单元")
    shop = next(address for address in plan.addresses if "附" in address.number)
    assert shop.building == shop.unit == shop.room == ""
