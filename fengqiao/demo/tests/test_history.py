"""The demo's past, planned without a database: rhythms, mixes, repeats, chains, fates."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter, defaultdict

import pytest

from fengqiao.demo import history, texts
from fengqiao.demo.history import (
    AddressInfo,
    BeatInfo,
    PlannedCall,
    StationInfo,
    calls_per_day_for,
    plan_history,
)
from fengqiao.demo.plan import DEFAULT_SEED, DemoPlan, plan_demo
from fengqiao.dispatch import clocks
from fengqiao.intake.sensors import DEFAULT_SENSOR_MAP
from fengqiao.intake.taxonomy import Category, load_taxonomy
from fengqiao.intake.triage import load_rules, triage

START = dt.date(2025, 5, 1)  # a Thursday; 120 days take in the summer
DAYS = 120
END = dt.datetime.combine(START + dt.timedelta(days=DAYS), dt.time())


@pytest.fixture(scope="module")
def demo_plan() -> DemoPlan:
    return plan_demo(DEFAULT_SEED)


@pytest.fixture(scope="module")
def inputs(demo_plan: DemoPlan) -> tuple[list[StationInfo], list[BeatInfo], list[AddressInfo], tuple[Category, ...]]:
    stations = [StationInfo(station.code, calls_per_day_for(station.population)) for station in demo_plan.stations]
    beats = [
        BeatInfo(beat.station_code, beat.code, beat.community, beat.community in history.MARKET_COMMUNITIES)
        for beat in demo_plan.beats
    ]
    addresses = [
        AddressInfo(
            id=index, station_code=address.station_code, beat_code=address.beat_code, road=address.road,
            number=address.number, building=address.building, unit=address.unit, room=address.room,
            longitude=address.position[0], latitude=address.position[1],
        )
        for index, address in enumerate(demo_plan.addresses, start=1)
    ]
    return stations, beats, addresses, load_taxonomy().categories


@pytest.fixture(scope="module")
def calls(inputs: tuple[list[StationInfo], list[BeatInfo], list[AddressInfo], tuple[Category, ...]]) -> list[PlannedCall]:
    stations, beats, addresses, categories = inputs
    return plan_history(DEFAULT_SEED, stations, beats, addresses, categories, START, DAYS)


def openers(calls: list[PlannedCall], station: str = "NP") -> list[PlannedCall]:
    return [call for call in calls if call.station_code == station and call.opens_incident]


def test_the_same_seed_plans_the_same_past_and_another_seed_another(inputs) -> None:
    stations, beats, addresses, categories = inputs
    first = plan_history(7, stations, beats, addresses, categories, START, 5)
    assert first == plan_history(7, stations, beats, addresses, categories, START, 5)
    assert first != plan_history(8, stations, beats, addresses, categories, START, 5)
    assert plan_history(7, stations, beats, addresses, categories, START, 0) == []


def test_each_station_gets_25_to_45_calls_a_day(calls: list[PlannedCall]) -> None:
    per_station = Counter(call.station_code for call in calls)
    for station in ("NP", "HTX"):
        assert 25 <= per_station[station] / DAYS <= 45, station
    assert per_station["NP"] > per_station["HTX"]  # 100,000 residents against 40,000
    for call in calls:
        assert dt.datetime.combine(START, dt.time()) <= call.received_at < END


def test_nights_are_quiet_and_mornings_and_evenings_busy(calls: list[PlannedCall]) -> None:
    by_hour = Counter(call.received_at.hour for call in calls)
    early = sum(by_hour[hour] for hour in range(3, 7)) / 4
    morning_peak = sum(by_hour[hour] for hour in range(10, 12)) / 2
    evening = sum(by_hour[hour] for hour in range(19, 23)) / 4
    assert early * 2.5 < morning_peak
    assert early * 2.5 < evening
    assert max(by_hour, key=lambda hour: by_hour[hour]) in range(19, 23)


def test_fridays_and_saturdays_are_busier_than_early_weekdays(calls: list[PlannedCall]) -> None:
    days_of = Counter((START + dt.timedelta(days=offset)).weekday() for offset in range(DAYS))
    per_weekday = Counter(call.received_at.weekday() for call in calls)
    busy = (per_weekday[4] + per_weekday[5]) / (days_of[4] + days_of[5])
    quiet = (per_weekday[0] + per_weekday[1] + per_weekday[2]) / (days_of[0] + days_of[1] + days_of[2])
    assert busy > quiet * 1.08


def test_fights_and_drunks_come_at_night_enquiries_by_day(calls: list[PlannedCall]) -> None:
    def night_share(category: str) -> float:
        hours = [call.received_at.hour for call in calls if call.category == category]
        return sum(1 for hour in hours if hour >= 22 or hour < 5) / len(hours)

    assert night_share("public_order.drunk") > 0.4
    assert night_share("other.consultation") < 0.1


def test_market_beats_have_more_than_half_non_police_calls(calls: list[PlannedCall], inputs) -> None:
    _stations, beats, _addresses, _categories = inputs
    market = {(beat.station_code, beat.code) for beat in beats if beat.market}
    assert market
    shares: dict[tuple[str, str], float] = {}
    by_beat: dict[tuple[str, str], list[PlannedCall]] = defaultdict(list)
    for call in calls:
        if call.opens_incident:
            by_beat[(call.station_code, call.beat_code)].append(call)
    for beat, found in by_beat.items():
        shares[beat] = sum(1 for call in found if call.category.startswith("non_police.")) / len(found)
    for beat in market:
        assert shares[beat] > 0.5, beat
    for beat, share in shares.items():
        if beat not in market:
            assert share < 0.5, beat


def test_a_few_addresses_draw_many_calls(calls: list[PlannedCall], inputs) -> None:
    _stations, _beats, addresses, _categories = inputs
    station_addresses = sum(1 for address in addresses if address.station_code == "NP")
    per_address = Counter(call.address_id for call in openers(calls))
    top = per_address.most_common(round(station_addresses * 0.02))
    assert sum(count for _address, count in top) > 0.1 * sum(per_address.values())
    assert top[0][1] >= 20


def test_regular_callers_call_again_and_again(calls: list[PlannedCall]) -> None:
    per_phone = Counter(call.caller_phone for call in openers(calls) if call.caller_phone)
    assert per_phone.most_common(1)[0][1] >= 8
    assert sum(1 for count in per_phone.values() if count >= 3) >= 20
    for phone in per_phone:
        assert re.fullmatch(r"1[3-9]\d{9}", phone)


def test_disputes_recur_at_the_same_address_every_few_weeks_and_some_escalate(calls: list[PlannedCall]) -> None:
    chains: dict[tuple[str, int], list[PlannedCall]] = defaultdict(list)
    for call in calls:
        if call.chain is not None:
            chains[(call.station_code, call.chain)].append(call)
    assert len(chains) >= 20
    escalated = 0
    for chain in chains.values():
        assert len({call.address_id for call in chain}) == 1
        assert chain[0].category.startswith("dispute.") and not chain[0].tags
        for earlier, later in zip(chain, chain[1:], strict=False):
            assert later.received_at - earlier.received_at >= dt.timedelta(days=6)
            assert history.TAG_REPEAT_DISPUTE in later.tags
        if history.TAG_ESCALATED in chain[-1].tags:
            escalated += 1
            assert chain[-1].category.startswith(("criminal.", "public_order.")) or chain[-1].route == "command"
    assert escalated >= 3
    assert any(
        chain[-1].category in ("criminal.assault", "public_order.fight") for chain in chains.values()
    )


def test_every_category_is_one_of_the_taxonomy_and_sensors_follow_the_sensor_table(calls: list[PlannedCall]) -> None:
    codes = {category.code for category in load_taxonomy().categories}
    seen = {call.category for call in calls}
    assert seen <= codes
    assert len(seen) >= 50  # nearly every category happens in four months
    sensors = [call for call in calls if call.source == "sensor"]
    assert sensors
    for call in sensors:
        assert call.category == DEFAULT_SENSOR_MAP[call.sensor_kind]["category"]
        assert not call.caller_phone


def test_repeat_calls_join_an_earlier_incident_and_invalid_calls_are_kept(calls: list[PlannedCall]) -> None:
    for station in ("NP", "HTX"):
        opened: dict[int, PlannedCall] = {}
        for call in (call for call in calls if call.station_code == station):
            if call.opens_incident:
                assert call.incident not in opened
                opened[call.incident] = call
            else:
                first = opened[call.incident]
                assert call.received_at >= first.received_at
                assert call.category == first.category and call.address_id == first.address_id
                assert call.caller_phone != first.caller_phone
        assert sorted(opened) == list(range(len(opened)))
    invalid = [call for call in calls if call.call_state == history.INVALID]
    assert invalid and all(call.category == "other.invalid" and call.final_state == "invalid" for call in invalid)


def test_almost_every_incident_is_finished_and_the_last_days_are_still_open(calls: list[PlannedCall]) -> None:
    incidents = [call for call in calls if call.opens_incident]
    states = Counter(call.final_state for call in incidents)
    finished = states["closed"] + states["converted"] + states["invalid"] + states["transferred"]
    assert finished / len(incidents) > 0.97
    assert states["closed"] / len(incidents) > 0.8
    still_open = [call for call in incidents if call.final_state in history.OPEN_STATES | {"resolved"}]
    assert still_open
    assert all(call.received_at > END - dt.timedelta(days=14) for call in still_open)
    last_day = [call for call in still_open if call.received_at >= END - dt.timedelta(days=1)]
    assert last_day
    for call in incidents:
        moments = [call.received_at, *(step.at for step in call.steps)]
        assert moments == sorted(moments) and moments[-1] <= END
        if call.route == "transfer" and call.final_state == "closed":
            assert [step.state for step in call.steps] == ["transferred", "closed"]


def test_the_texts_triage_right_most_of_the_time_and_their_gist_reads_the_same(calls: list[PlannedCall]) -> None:
    rules = load_rules()
    sample = random.Random(1).sample([call for call in calls if call.opens_incident and not call.sensor_kind], 300)
    right_category = right_route = 0
    for call in sample:
        said = triage(call.text, rules)
        gist = triage(call.gist, rules)
        assert (said.category, said.route, said.priority) == (gist.category, gist.route, gist.priority), call.text
        right_category += said.category == call.category
        right_route += said.route == call.route
    assert 0.8 < right_category / len(sample) < 0.99  # mostly right, with noise the commander corrects
    assert right_route / len(sample) > 0.8


def test_callers_sound_like_callers(calls: list[PlannedCall]) -> None:
    for call in calls[:2000]:
        assert "{" not in call.text and "[" not in call.text, call.text
        if call.source in texts.OBSERVING_SOURCES:
            assert call.caller_name == call.caller_phone == ""
            assert call.text.startswith(texts.OPENINGS[call.source])
    named = [call.caller_name for call in calls if call.caller_name]
    assert len(set(named)) > 500
    assert all(2 <= len(name) <= 4 for name in named)
    feed_ids = [call.external_id for call in calls if call.source == "feed_110"]
    assert len(feed_ids) == len(set(feed_ids))


# -- the pace of dispatched incidents --------------------------------------------------------


def dispatched(calls: list[PlannedCall]) -> list[tuple[PlannedCall, dict[str, dt.datetime]]]:
    """Each dispatched incident with the moments of its steps, by state."""
    found = []
    for call in calls:
        reached = {step.state: step.at for step in call.steps}
        if call.opens_incident and history.DISPATCHED in reached:
            found.append((call, reached))
    return found


def share(values: list[bool]) -> float:
    return sum(values) / len(values)


def test_orders_go_out_within_a_minute_or_two_and_are_signed_for_within_a_minute(calls: list[PlannedCall]) -> None:
    orders = dispatched(calls)
    assert len(orders) > 3000
    waits = [(reached[history.DISPATCHED] - call.received_at).total_seconds() for call, reached in orders]
    assert share([30 <= wait <= 120 for wait in waits]) > 0.7
    late = [wait > 180 for wait in waits]  # intake's three minutes
    assert 0.02 < share(late) < 0.1
    # Slower in the small hours, when the command room is short.
    small_hours = [wait > 180 for wait, (call, _) in zip(waits, orders, strict=True) if call.received_at.hour < 6]
    assert share(small_hours) > share(late)
    signed = [(reached[history.ACKNOWLEDGED] - reached[history.DISPATCHED]).total_seconds()
              for _call, reached in orders if history.ACKNOWLEDGED in reached]
    assert share([15 <= wait <= 90 for wait in signed]) > 0.75
    assert 0.02 < share([wait > 120 for wait in signed]) < 0.1


def test_officers_reach_a_priority_one_call_in_town_in_three_to_five_minutes(calls: list[PlannedCall]) -> None:
    by_priority: dict[int, list[float]] = defaultdict(list)
    for call, reached in dispatched(calls):
        if history.ON_SCENE in reached:
            minutes = (reached[history.ON_SCENE] - reached[history.DISPATCHED]).total_seconds() / 60
            by_priority[call.priority].append(minutes)
    urgent = by_priority[1]
    assert len(urgent) > 100
    assert share([3 <= minutes <= 5 for minutes in urgent]) > 0.7
    # On scene within the deadline of the priority (dispatch.clocks.DEFAULT_POLICIES, urban) most of the time.
    for priority, deadline in ((1, 5), (2, 15), (3, 30), (4, 60)):
        late = share([minutes > deadline for minutes in by_priority[priority]])
        assert 0.01 < late < 0.15, (priority, late)


def test_the_feedback_comes_within_the_shift_and_a_case_is_reported_from_the_scene(calls: list[PlannedCall]) -> None:
    within, case_reports = [], []
    for _call, reached in dispatched(calls):
        ending = reached.get(history.RESOLVED) or reached.get(history.CONVERTED)
        if ending is None:
            continue
        arrived = reached[history.ON_SCENE]
        within.append(ending <= clocks.shift_end(arrived))
        if history.CONVERTED in reached:
            case_reports.append(30 <= (ending - arrived).total_seconds() / 60 <= 120)
    assert 0.85 < share(within) < 0.99
    assert share(case_reports) > 0.8


def test_the_priority_triage_gives_sets_the_pace(inputs) -> None:
    stations, beats, addresses, categories = inputs
    rules = load_rules()

    def judge(station_code: str, gist: str, sensor_kind: str) -> tuple[str, int]:
        said = triage(gist, rules)
        return said.category, said.priority

    def raised_to_one(planned: list[PlannedCall]) -> list[float]:
        """Minutes to the scene of the calls whose words triage rates priority 1, above their category's."""
        return [
            (reached[history.ON_SCENE] - reached[history.DISPATCHED]).total_seconds() / 60
            for call, reached in dispatched(planned)
            if history.ON_SCENE in reached and call.priority > 1
            and judge(call.station_code, call.gist, call.sensor_kind) == (call.category, 1)
        ]

    judged = plan_history(DEFAULT_SEED, stations, beats, addresses, categories, START, 30, judge=judge)
    plain = plan_history(DEFAULT_SEED, stations, beats, addresses, categories, START, 30)
    # The same calls; only the pace of those triage rates otherwise than their category differs.
    assert [(call.received_at, call.text) for call in judged] == [(call.received_at, call.text) for call in plain]
    assert len(raised_to_one(judged)) > 10
    assert share([minutes > 5 for minutes in raised_to_one(judged)]) < 0.2
    assert share([minutes > 5 for minutes in raised_to_one(plain)]) > 0.5
