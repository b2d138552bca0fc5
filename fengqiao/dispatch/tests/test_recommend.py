"""The dispatch recommender: beat first, team rules, standby, and the reasons it gives.

Positions are around 南坪 in Chongqing (29.53 N, 106.56 E). The incident is at the middle
of beat 7 (南坪西路社区); 0.01° of latitude is about 1,112 m.
"""

from __future__ import annotations

import random

import pytest

from fengqiao.bench.recommend import measure
from fengqiao.dispatch.recommend import (
    REASON_TEXTS,
    SHORTFALL_TEXTS,
    Candidate,
    IncidentView,
    OfficerView,
    Reason,
    Recommendation,
    Settings,
    Shortfall,
    distance_m,
    recommend_officers,
)

LAT, LON = 29.532, 106.562
BEAT = 7
FRESH = 120.0  # seconds since the position was reported


def officer(
    id: int,
    name: str,
    *,
    team: str = "community",
    duty: str = "on_duty",
    rank: str = "officer",
    beats: tuple[int, ...] = (),
    north: float | None = 0.0,  # degrees of latitude north of the incident; None: no position
    age: float | None = FRESH,
    open_orders: int = 0,
) -> OfficerView:
    latitude = None if north is None else LAT + north
    longitude = None if north is None else LON
    return OfficerView(
        id=id, name=name, team=team, rank=rank, duty=duty, beat_ids=frozenset(beats),
        latitude=latitude, longitude=longitude,
        position_age_s=None if north is None else age, open_orders=open_orders,
    )


def incident(route: str = "community", *, beat: int | None = BEAT, located: bool = True) -> IncidentView:
    return IncidentView(
        id=1, route=route, priority=2, beat_id=beat, beat_name="南坪西路社区" if beat else "",
        latitude=LAT if located else None, longitude=LON if located else None,
    )


def ids(answer: Recommendation) -> list[int]:
    return [candidate.officer_id for candidate in answer.candidates]


def codes(items: tuple[Reason, ...] | tuple[Shortfall, ...]) -> list[str]:
    return [item.code for item in items]


def by_id(answer: Recommendation, officer_id: int) -> Candidate:
    return next(c for c in answer.candidates if c.officer_id == officer_id)


# -- the beat officer ------------------------------------------------------------------------


def test_the_beat_officer_comes_first_when_free_even_if_another_is_nearer() -> None:
    liu_yang = officer(1, "刘洋", beats=(BEAT,), north=0.02)
    sun_li = officer(2, "孙丽", north=0.001)
    answer = recommend_officers(incident(), [sun_li, liu_yang])
    assert ids(answer) == [1, 2]
    first = answer.candidates[0]
    assert first.tier == "beat"
    assert codes(first.reasons) == ["owns_beat"]
    assert first.reasons[0].params["beat"] == "南坪西路社区"
    assert answer.candidates[1].tier == "team"
    assert answer.shortfall == ()


def test_a_busy_beat_officer_is_named_in_the_shortfall_and_the_next_tier_is_used() -> None:
    liu_yang = officer(1, "刘洋", beats=(BEAT,), duty="busy")
    sun_li = officer(2, "孙丽", north=0.01)
    answer = recommend_officers(incident(), [liu_yang, sun_li])
    assert ids(answer) == [2]
    assert answer.candidates[0].tier == "team"
    assert answer.shortfall == (Shortfall("beat_officer_busy", {"beat": "南坪西路社区", "name": "刘洋"}),)
    assert answer.shortfall[0].text() == "刘洋, responsible for beat 南坪西路社区, is busy with another order"


def test_a_beat_officer_off_duty_or_on_leave_is_explained() -> None:
    liu_yang = officer(1, "刘洋", beats=(BEAT,), duty="off_duty")
    wu_gang = officer(3, "吴刚", beats=(BEAT,), duty="on_leave")
    sun_li = officer(2, "孙丽")
    answer = recommend_officers(incident(), [wu_gang, liu_yang, sun_li])
    assert ids(answer) == [2]
    assert codes(answer.shortfall) == ["beat_officer_off_duty", "beat_officer_off_duty"]
    assert [s.params["name"] for s in answer.shortfall] == ["刘洋", "吴刚"]


def test_one_free_officer_of_a_beat_is_enough_and_gives_no_shortfall() -> None:
    liu_yang = officer(1, "刘洋", beats=(BEAT,), duty="busy")
    he_jing = officer(4, "何静", beats=(BEAT,), north=0.005)
    answer = recommend_officers(incident(), [liu_yang, he_jing])
    assert ids(answer) == [4]
    assert answer.candidates[0].tier == "beat"
    assert answer.shortfall == ()


def test_a_beat_nobody_owns_and_an_incident_outside_any_beat_are_explained() -> None:
    sun_li = officer(2, "孙丽", beats=(BEAT + 1,))
    unowned = recommend_officers(incident(), [sun_li])
    assert ids(unowned) == [2]
    assert unowned.candidates[0].tier == "team"
    assert unowned.shortfall == (Shortfall("no_beat_officer", {"beat": "南坪西路社区"}),)

    nowhere = recommend_officers(incident(beat=None), [sun_li])
    assert ids(nowhere) == [2]
    assert codes(nowhere.shortfall) == ["no_beat"]


def test_a_beat_officer_on_standby_is_offered_from_the_standby_group_saying_he_owns_the_beat() -> None:
    liu_yang = officer(1, "刘洋", beats=(BEAT,), duty="standby", north=0.003)
    answer = recommend_officers(incident(), [liu_yang])
    assert ids(answer) == [1]
    candidate = answer.candidates[0]
    assert candidate.tier == "standby"
    assert codes(candidate.reasons) == ["standby_group", "owns_beat"]
    # he is on duty, so the community team is not "none on duty"
    assert codes(answer.shortfall) == ["beat_officer_on_standby"]


# -- nearest first, distance and ETA ---------------------------------------------------------


def test_one_hundredth_of_a_degree_of_latitude_is_about_1112_metres() -> None:
    assert distance_m(LAT, LON, LAT + 0.01, LON) == pytest.approx(1112, abs=1)
    assert distance_m(LAT, LON, LAT, LON) == 0.0
    # a degree of longitude is shorter by cos(latitude)
    assert distance_m(LAT, LON, LAT, LON + 0.01) == pytest.approx(1112 * 0.8701, abs=2)


def test_free_officers_are_offered_nearest_first_with_the_eta_of_the_road_distance() -> None:
    far = officer(2, "孙丽", north=0.03)
    near = officer(3, "赵磊", north=-0.01)
    middle = officer(4, "钱进", north=0.02)
    answer = recommend_officers(incident(), [far, near, middle])
    assert ids(answer) == [3, 4, 2]
    nearest = answer.candidates[0]
    # 1,112 m straight × 1.4 = 1,557 m by road; at 30 km/h (500 m a minute) 3.1 minutes
    assert nearest.distance_m == pytest.approx(1112, abs=1)
    assert nearest.road_m == pytest.approx(1557, abs=1)
    assert nearest.eta_minutes == pytest.approx(3.1)
    assert nearest.reasons == (Reason("nearest_free", {"team": "community", "distance_km": 1.1, "eta_min": 4}),)
    assert codes(answer.candidates[1].reasons) == ["same_team_free"]


def test_the_station_settings_change_the_eta() -> None:
    near = officer(3, "赵磊", north=0.01)
    slow = Settings(detour_factor=1.0, speed_kmh=10.0)
    candidate = recommend_officers(incident(), [near], slow).candidates[0]
    # 1,112 m at 10 km/h (166.7 m a minute): 6.7 minutes, said as 7
    assert candidate.eta_minutes == pytest.approx(6.7)
    assert candidate.reasons[0].params["eta_min"] == 7


def test_stale_and_unknown_positions_come_after_known_ones_and_say_so() -> None:
    stale = officer(2, "孙丽", north=0.0001, age=3600)
    unknown = officer(3, "赵磊", north=None)
    known = officer(4, "钱进", north=0.04)
    liu_yang = officer(1, "刘洋", beats=(BEAT,), duty="busy")
    answer = recommend_officers(incident(), [stale, unknown, known, liu_yang])
    assert ids(answer) == [4, 2, 3]
    assert answer.candidates[0].reasons[0].code == "nearest_free"
    assert codes(by_id(answer, 2).reasons) == ["same_team_free", "position_stale"]
    assert by_id(answer, 2).reasons[1].params == {"age_min": 60}
    assert by_id(answer, 2).distance_m is None and by_id(answer, 2).eta_minutes is None
    assert codes(by_id(answer, 3).reasons) == ["same_team_free", "position_unknown"]
    assert codes(answer.shortfall) == ["beat_officer_busy", "no_position"]
    assert answer.shortfall[1].params == {"n": 2}


def test_the_maximum_age_of_a_position_is_a_setting() -> None:
    ten_minutes_old = officer(2, "孙丽", north=0.001, age=600)
    strict = Settings(position_max_age_s=300)
    assert codes(recommend_officers(incident(), [ten_minutes_old], strict).candidates[0].reasons) == [
        "same_team_free", "position_stale",
    ]
    assert recommend_officers(incident(), [ten_minutes_old]).candidates[0].distance_m is not None


def test_an_incident_without_a_position_is_ordered_by_workload() -> None:
    busy_one = officer(2, "孙丽", north=0.001, open_orders=2)
    idle_one = officer(3, "赵磊", north=0.05, open_orders=0)
    answer = recommend_officers(incident(beat=None, located=False), [busy_one, idle_one])
    assert ids(answer) == [3, 2]
    assert all(c.distance_m is None and c.eta_minutes is None for c in answer.candidates)
    assert all(len(c.reasons) == 1 for c in answer.candidates)
    assert codes(answer.shortfall) == ["no_beat", "incident_position_unknown"]


# -- team rules and the standby group --------------------------------------------------------


def test_a_case_incident_goes_to_the_case_team_only_then_the_standby_group() -> None:
    liu_yang = officer(1, "刘洋", beats=(BEAT,))  # the beat's community officer, free and close
    zhou_qiang = officer(5, "周强", team="case", north=0.02)
    feng_yu = officer(6, "冯宇", team="case", north=0.01)
    standby = officer(7, "郑凯", team="standby", north=0.001)
    answer = recommend_officers(incident("case"), [liu_yang, zhou_qiang, feng_yu, standby])
    assert ids(answer) == [6, 5, 7]
    assert [c.tier for c in answer.candidates] == ["team", "team", "standby"]
    assert answer.candidates[0].reasons[0].text() == "Nearest free case officer, 1.1 km, ETA 4 min"
    assert answer.shortfall == ()


def test_when_the_whole_case_team_is_busy_the_standby_group_is_offered_and_the_shortfall_counts_them() -> None:
    officers = [
        officer(5, "周强", team="case", duty="busy"),
        officer(6, "冯宇", team="case", duty="busy"),
        officer(8, "陈晨", team="case", rank="auxiliary"),  # free, but an auxiliary
        officer(7, "郑凯", team="desk", duty="standby", north=0.01),
    ]
    answer = recommend_officers(incident("case"), officers)
    assert ids(answer) == [7]
    assert answer.candidates[0].tier == "standby"
    assert answer.candidates[0].reasons[0].text() == "In the standby group, 1.1 km, ETA 4 min"
    assert answer.shortfall == (Shortfall("team_all_busy", {"team": "case", "busy": 2}),)
    assert answer.shortfall[0].text() == "Every case officer on duty is busy (2)"


def test_a_team_with_nobody_on_duty_is_explained() -> None:
    off = officer(5, "周强", team="case", duty="off_duty")
    answer = recommend_officers(incident("case"), [off])
    assert codes(answer.shortfall) == ["team_none_on_duty", "no_standby", "nobody_available"]


def test_the_command_room_takes_community_officers_first_then_the_case_team() -> None:
    community = officer(2, "孙丽", north=0.03)
    case = officer(5, "周强", team="case", north=0.001)
    standby = officer(7, "郑凯", team="standby", north=0.0005)
    answer = recommend_officers(incident("command"), [case, standby, community])
    assert ids(answer) == [2, 5, 7]
    assert codes(answer.candidates[1].reasons) == ["case_team_on_duty"]


def test_the_standby_group_is_its_members_on_duty_and_anyone_on_standby_duty() -> None:
    officers = [
        officer(7, "郑凯", team="standby", north=0.02),
        officer(8, "王军", team="standby", duty="busy"),
        officer(9, "林峰", team="standby", duty="off_duty"),
        officer(10, "黄磊", team="leadership", duty="standby", north=0.01),
        officer(11, "马丽", team="desk"),  # on duty at the desk, not in the standby group
    ]
    answer = recommend_officers(incident(beat=None), officers)
    assert ids(answer) == [10, 7]
    assert {c.tier for c in answer.candidates} == {"standby"}


def test_other_teams_on_duty_are_not_offered_for_community_incidents() -> None:
    case = officer(5, "周强", team="case")
    command = officer(12, "张伟", team="command")
    answer = recommend_officers(incident(), [case, command])
    assert answer.candidates == ()
    assert codes(answer.shortfall) == ["no_beat_officer", "team_none_on_duty", "no_standby", "nobody_available"]


# -- who is never offered --------------------------------------------------------------------


def test_auxiliaries_are_never_offered_on_their_own() -> None:
    chen_chen = officer(8, "陈晨", rank="auxiliary", beats=(BEAT,))
    sun_li = officer(2, "孙丽", north=0.02)
    standby_aux = officer(9, "林峰", team="standby", rank="auxiliary")
    answer = recommend_officers(incident(), [chen_chen, sun_li, standby_aux])
    assert ids(answer) == [2]
    # an auxiliary does not count as the beat's officer either
    assert codes(answer.shortfall) == ["no_beat_officer"]


def test_officers_off_duty_or_on_leave_are_never_offered() -> None:
    officers = [
        officer(1, "刘洋", beats=(BEAT,), duty="off_duty"),
        officer(2, "孙丽", duty="on_leave"),
        officer(3, "赵磊", team="standby", duty="on_leave"),
        officer(4, "钱进", north=0.05),
    ]
    assert ids(recommend_officers(incident(), officers)) == [4]


def test_a_transfer_incident_goes_to_a_department_not_an_officer() -> None:
    answer = recommend_officers(incident("transfer"), [officer(1, "刘洋", beats=(BEAT,))])
    assert answer.candidates == ()
    assert answer.shortfall == (Shortfall("transfer_route"),)
    assert answer.shortfall[0].text() == "Transfer incidents go to a department, not to an officer"


def test_when_nobody_is_available_the_answer_says_why() -> None:
    officers = [
        officer(1, "刘洋", beats=(BEAT,), duty="busy"),
        officer(2, "孙丽", duty="busy"),
        officer(3, "赵磊", duty="off_duty"),
    ]
    answer = recommend_officers(incident(), officers)
    assert answer.candidates == ()
    assert answer.shortfall == (
        Shortfall("beat_officer_busy", {"beat": "南坪西路社区", "name": "刘洋"}),
        Shortfall("team_all_busy", {"team": "community", "busy": 2}),
        Shortfall("no_standby"),
        Shortfall("nobody_available"),
    )
    assert recommend_officers(incident(), []).shortfall[-1].code == "nobody_available"


# -- order and length ------------------------------------------------------------------------


def test_ties_go_to_fewer_open_orders_then_the_lower_id_whatever_the_input_order() -> None:
    same_place = [
        officer(14, "甲", open_orders=1),
        officer(12, "乙", open_orders=0),
        officer(11, "丙", open_orders=1),
        officer(13, "丁", open_orders=0),
    ]
    expected = [12, 13, 11, 14]
    shuffled = list(same_place)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert ids(recommend_officers(incident(beat=None), shuffled)) == expected


def test_the_number_of_candidates_is_limited() -> None:
    many = [officer(n, f"警员{n}", north=n / 1000) for n in range(1, 21)]
    many += [officer(100 + n, f"备勤{n}", team="standby") for n in range(5)]
    assert ids(recommend_officers(incident(), many)) == [1, 2, 3, 4, 5]
    assert ids(recommend_officers(incident(), many, Settings(limit=2))) == [1, 2]
    assert len(recommend_officers(incident(), many, Settings(limit=30)).candidates) == 25
    assert recommend_officers(incident(), many, Settings(limit=0)).candidates == ()


# -- the sentences ---------------------------------------------------------------------------


def test_reason_texts_read_well() -> None:
    liu_yang = officer(1, "刘洋", beats=(BEAT,), north=0.01)
    answer = recommend_officers(incident(), [liu_yang])
    assert answer.candidates[0].reasons[0].text() == "Responsible for beat 南坪西路社区, 1.1 km, ETA 4 min"
    assert Reason("owns_beat", {"beat": "南坪西路社区"}).text() == "Responsible for beat 南坪西路社区"
    assert Reason("same_team_free", {"team": "community"}).text() == "Free community officer"
    assert Reason("position_unknown").text() == "Position unknown, ranked after officers with a known position"
    assert Reason("position_stale", {"age_min": 45}).text() == (
        "Last position 45 min old, ranked after officers with a recent one"
    )
    assert Shortfall("no_position", {"n": 3}).text() == (
        "Free officers without a recent position, ranked last in their tier: 3"
    )
    assert Shortfall("team_none_on_duty", {"team": "case"}).text() == "No case officer is on duty"


@pytest.mark.parametrize("code", sorted(REASON_TEXTS))
def test_every_reason_has_a_sentence_without_leftover_placeholders(code: str) -> None:
    params = {"beat": "南坪西路社区", "team": "case", "age_min": 40, "distance_km": 1.2, "eta_min": 4}
    text = Reason(code, params).text()
    assert "{" not in text and not text[0].islower()


@pytest.mark.parametrize("code", sorted(SHORTFALL_TEXTS))
def test_every_shortfall_has_a_sentence_without_leftover_placeholders(code: str) -> None:
    params = {"beat": "南坪西路社区", "name": "刘洋", "team": "community", "busy": 3, "n": 2}
    text = Shortfall(code, params).text()
    assert "{" not in text and not text[0].islower()


def test_answers_can_be_compared_and_hashed() -> None:
    answer = recommend_officers(incident(), [officer(1, "刘洋", beats=(BEAT,))])
    assert answer == recommend_officers(incident(), [officer(1, "刘洋", beats=(BEAT,))])
    assert hash(answer.candidates[0]) == hash(answer.candidates[0])


# -- the benchmark's own sums ----------------------------------------------------------------


def test_the_benchmark_reports_its_figures() -> None:
    figures = measure(80, runs=50, seed=3)
    assert set(figures) >= {"officers", "runs", "p50_ms", "p99_ms", "max_ms"}
    assert figures["officers"] == 80 and figures["runs"] == 50
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
