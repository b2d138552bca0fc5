"""Matching free-text addresses to standard addresses (issue 3, point 4), without a database:
how addresses are normalised, when a match is confident and when it must be left to the
commander, and accuracy on the noisy variants of `fengqiao bench address`."""

from __future__ import annotations

import pytest

from fengqiao.bench.address import absent_addresses, noisy_variants, run, standard_addresses
from fengqiao.intake.addressing import AddressIndex, chinese_numeral, normalise, readings

# --- normalisation ----------------------------------------------------------------------


def test_full_width_digits_letters_and_spaces_become_half_width() -> None:
    assert normalise("南坪西路１８号Ａ座２单元１５０２") == "南坪西路18号A栋2单元1502"
    assert normalise("南坪西路　18号　3栋") == "南坪西路18号3栋"


def test_chinese_numerals_in_numbered_parts_become_digits() -> None:
    assert normalise("南坪西路十八号三栋二单元一五零二室") == "南坪西路18号3栋2单元1502"
    assert normalise("南坪西路二十号两栋一单元五〇一") == "南坪西路20号2栋1单元501"
    assert [chinese_numeral(run) for run in ("十", "十八", "三十五", "一百零五", "幺零二")] == [
        "10", "18", "35", "105", "102",
    ]


def test_numerals_that_are_part_of_a_road_name_stay() -> None:
    assert normalise("四公里支路22号附1号") == "四公里支路22号附1号"
    assert normalise("五一路3号") == "五一路3号"


def test_every_word_for_a_building_becomes_dong() -> None:
    for written in ("3幢", "3号楼", "3座", "3#", "3#楼", "3棟"):
        assert normalise(f"南坪西路18号{written}2单元1502") == "南坪西路18号3栋2单元1502", written


def test_room_words_go_and_a_floor_joins_its_room() -> None:
    for written in ("1502室", "1502房", "1502号房", "1502号", "15楼1502", "15楼02"):
        assert normalise(f"南坪西路18号3栋2单元{written}") == "南坪西路18号3栋2单元1502", written
    assert normalise("南坪西路18号3栋2单元5楼2号") == "南坪西路18号3栋2单元502"


def test_dash_forms_are_labelled_where_only_one_reading_exists() -> None:
    assert normalise("南坪西路18-3-2-1502") == "南坪西路18号3栋2单元1502"
    assert normalise("南坪西路18号3-2-1502") == "南坪西路18号3栋2单元1502"
    assert normalise("南坪西路18号3栋2-1502") == "南坪西路18号3栋2单元1502"
    assert normalise("南坪西路１８－３－２－１５０２") == "南坪西路18号3栋2单元1502"
    assert normalise("南坪西路 18 3 2 1502") == "南坪西路18号3栋2单元1502"


def test_a_dash_form_with_two_readings_keeps_its_dashes() -> None:
    # 18号3栋…1502 with the unit left out, or 18号…3单元1502 with the building left out.
    assert normalise("南坪西路18-3-1502") == "南坪西路18-3-1502"
    assert len(readings("18-3-1502")) > 1


def test_shared_prefixes_are_dropped_and_can_be_given() -> None:
    assert normalise("重庆市南岸区南坪西路18号") == "南坪西路18号"
    assert normalise("重庆南岸区南坪街道南坪西路18号") == "南坪街道南坪西路18号"
    assert normalise("重庆南岸区南坪街道南坪西路18号", prefixes=("重庆", "南岸区", "南坪街道")) == "南坪西路18号"


def test_spaces_punctuation_and_words_around_the_address_go() -> None:
    assert normalise(" 南坪西路18号，3栋。2单元1502 附近") == "南坪西路18号3栋2单元1502"
    assert normalise("南坪西路18号3栋旁边") == "南坪西路18号3栋"
    assert normalise("南坪西路口") == "南坪西路"
    assert normalise("南坪西路18 3栋") == "南坪西路18-3栋"  # numbers never run together


def test_a_doubled_road_word_goes_but_different_roads_stay_different() -> None:
    assert normalise("江南大道路6号") == "江南大道6号"
    assert normalise("南坪西街18号") == "南坪西街18号"


# --- matching -----------------------------------------------------------------------------

STATION = [
    (1, "南岸区南坪街道南坪西路18号3栋2单元1502"),
    (2, "南岸区南坪街道南坪西路18号3栋1单元1502"),
    (3, "南岸区南坪街道南坪西路18号3栋2单元1501"),
    (4, "南岸区南坪街道江南大道6号1栋1单元302"),
    (5, "南岸区南坪街道南坪东路18号3栋2单元1502"),
    (6, "南岸区南坪街道四公里支路22号附1号"),
    (7, "南岸区南坪街道四公里支路22号附2号"),
    (8, "南岸区南坪街道南坪正街9号2栋1单元801"),
    (9, "南岸区南坪街道烟雨路5号1栋1单元101"),
]


@pytest.fixture(scope="module")
def index() -> AddressIndex:
    return AddressIndex(STATION)


def best_id(index: AddressIndex, text: str) -> int | None:
    found = index.best(text)
    return None if found is None else found.address_id


def test_the_station_prefix_is_learnt_from_its_addresses(index: AddressIndex) -> None:
    assert "南坪街道" in index.prefixes
    assert index.roads == {"南坪西路", "江南大道", "南坪东路", "四公里支路", "南坪正街", "烟雨路"}


def test_an_exact_address_matches_confidently_with_full_score(index: AddressIndex) -> None:
    first = index.match("南岸区南坪街道南坪西路18号3栋2单元1502")[0]
    assert (first.address_id, first.score, first.confident) == (1, 100.0, True)


def test_a_noisy_spelling_of_an_address_matches_confidently(index: AddressIndex) -> None:
    assert best_id(index, "重庆市南岸区 南坪西路十八号３幢二单元1502室附近") == 1
    assert best_id(index, "南坪西路18-3-2-1502") == 1
    assert best_id(index, "江南大道路6号1栋1单元302") == 4
    assert best_id(index, "南坪西路后堡小区18号3栋1单元1502") == 2


def test_a_typo_in_the_road_name_still_matches(index: AddressIndex) -> None:
    assert best_id(index, "南平西路18号3栋2单元1502") == 1
    assert best_id(index, "南坪西18号3栋2单元1502") == 1  # road word left out


def test_a_shop_is_found_by_its_annex_number(index: AddressIndex) -> None:
    assert best_id(index, "四公里支路22号附2号") == 7
    assert best_id(index, "四公里支路22号") is None  # which of the shops?


def test_a_missing_unit_matches_only_when_the_building_has_one_unit(index: AddressIndex) -> None:
    assert best_id(index, "江南大道6号1栋302") == 4
    assert best_id(index, "南坪西路18号3栋1502") is None
    assert {candidate.address_id for candidate in index.match("南坪西路18号3栋1502")[:2]} == {1, 2}


def test_a_road_alone_gives_no_confident_match(index: AddressIndex) -> None:
    assert best_id(index, "南坪西路") is None
    assert {candidate.address_id for candidate in index.match("南坪西路")} == {1, 2, 3}


def test_parts_that_exist_on_two_roads_without_a_road_give_no_confident_match(index: AddressIndex) -> None:
    assert best_id(index, "18号3栋2单元1502") is None
    assert {candidate.address_id for candidate in index.match("18号3栋2单元1502")} == {1, 5}


def test_a_typo_as_close_to_two_roads_gives_no_confident_match(index: AddressIndex) -> None:
    # 南坪希路 is one character from 南坪西路 and from 南坪东路, and both have 18号3栋2单元1502.
    assert best_id(index, "南坪希路18号3栋2单元1502") is None
    assert {candidate.address_id for candidate in index.match("南坪希路18号3栋2单元1502")[:2]} == {1, 5}
    # Even when only one of the two roads has the number, the road is not made out.
    assert best_id(index, "南坪希路18号3栋2单元1501") is None
    assert index.match("南坪希路18号3栋2单元1501")[0].address_id == 3


def test_a_road_the_station_does_not_have_gives_no_confident_match(index: AddressIndex) -> None:
    assert best_id(index, "解放碑路18号3栋2单元1502") is None
    assert best_id(index, "南坪西街18号3栋2单元1502") is None  # another road than 南坪西路
    assert best_id(index, "杨家坪正街9号2栋1单元801") is None  # not 南坪正街
    assert best_id(index, "九龙坡区杨家坪街道杨家坪正街9号2栋1单元801") is None


def test_an_address_the_station_does_not_have_gives_no_confident_match(index: AddressIndex) -> None:
    assert best_id(index, "南坪西路18号3栋2单元4502") is None
    assert best_id(index, "南坪西路20号3栋2单元1502") is None
    assert index.match("南坪西路18号3栋2单元4502")[0].address_id in {1, 2, 3}  # a suggestion


def test_an_ambiguous_dash_form_is_matched_only_if_one_reading_fits(index: AddressIndex) -> None:
    assert best_id(index, "南坪西路18-3-1502") is None  # unit 1 or 2
    assert best_id(index, "江南大道6-1-302") == 4


def test_two_standard_addresses_spelt_alike_are_never_confident() -> None:
    twins = AddressIndex([(1, "南岸区南坪街道南湖路3号1栋1单元101"), (2, "南岸区南湖路3号1栋1单元101")])
    assert twins.best("南湖路3号1栋1单元101") is None


def test_only_the_first_candidate_can_be_confident(index: AddressIndex) -> None:
    candidates = index.match("南坪西路18号3栋2单元1502", limit=5)
    assert candidates[0].confident
    assert not any(candidate.confident for candidate in candidates[1:])
    assert [candidate.score for candidate in candidates] == sorted((c.score for c in candidates), reverse=True)


def test_nothing_to_go_on_gives_no_candidates(index: AddressIndex) -> None:
    assert index.match("") == []
    assert index.best("附近") is None


# --- the benchmark's generator and accuracy on its noisy variants ---------------------------


def test_generated_addresses_are_distinct_and_the_same_for_the_same_seed() -> None:
    first = standard_addresses(3_000, seed=5)
    assert [address.id for address in first] == list(range(1, 3_001))
    assert len({address.full_text for address in first}) == 3_000
    assert first == standard_addresses(3_000, seed=5)
    assert first != standard_addresses(3_000, seed=6)


def test_generated_addresses_are_written_like_the_records_address() -> None:
    from fengqiao.records.models import Address

    for address in standard_addresses(200, seed=1):
        assert address.full_text == Address.compose(
            district=address.district, street=address.street, road=address.road,
            number=address.number, building=address.building, unit=address.unit, room=address.room,
        )


def test_every_variant_keeps_its_address_and_differs_from_it() -> None:
    addresses = standard_addresses(3_000, seed=2)
    by_id = {address.id: address for address in addresses}
    variants = noisy_variants(addresses, 300, seed=2)
    assert len(variants) == 300
    for variant in variants:
        assert variant.noises
        assert variant.text != by_id[variant.address_id].full_text


def test_absent_addresses_are_not_standard_addresses() -> None:
    addresses = standard_addresses(3_000, seed=3)
    known = {address.full_text for address in addresses}
    absent = absent_addresses(addresses, 90, seed=3)
    assert len(absent) == 90
    assert not any(address.full_text in known for address in absent)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noisy_variants_are_matched_right_and_never_confidently_wrong(seed: int) -> None:
    figures = run(count=5_000, queries=500, seed=seed)
    # Some variants fit several addresses by construction (a dropped unit); on the others
    # the first candidate must be right, and overall most of the time.
    assert figures["top1_accuracy_determinable"] >= 0.95
    assert figures["top1_accuracy"] >= 0.90
    # A wrong confident match sends an officer to the wrong door unasked.
    confident = round(figures["confident_share"] * figures["queries"])
    wrong = figures["wrong_confident"] + figures["absent_confident"]
    assert wrong <= 0.005 * (confident + figures["absent_confident"])
    assert figures["confident_share"] >= 0.75


def test_the_examples_in_the_docstrings_hold() -> None:
    import doctest

    from fengqiao.intake import addressing

    failed, attempted = doctest.testmod(addressing)
    assert attempted > 0 and failed == 0
