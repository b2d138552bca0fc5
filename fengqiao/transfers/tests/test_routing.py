"""Routing as data (no database): the most specific rule wins, and the default plan."""

from __future__ import annotations

import pytest

from fengqiao.transfers import routing
from fengqiao.transfers.routing import Rule

RULES = [Rule("non_police.noise", 1, 24), Rule("non_police", 2, 48), Rule("", 3, 72)]


def test_the_category_s_own_rule_wins() -> None:
    assert routing.pick(RULES, "non_police.noise") == RULES[0]


def test_then_the_family_s_rule() -> None:
    assert routing.pick(RULES, "non_police.leak") == RULES[1]


def test_then_the_catch_all() -> None:
    assert routing.pick(RULES, "assistance.lost") == RULES[2]


def test_without_a_catch_all_an_unknown_matter_has_no_rule() -> None:
    assert routing.pick(RULES[:2], "assistance.lost") is None
    assert routing.pick([], "non_police.noise") is None


def test_the_order_of_the_rows_does_not_matter() -> None:
    assert routing.pick(list(reversed(RULES)), "non_police.noise") == RULES[0]


@pytest.mark.parametrize(("category", "kind"), [
    ("non_police.noise", "urban_management"), ("non_police.parking", "urban_management"),
    ("non_police.market", "urban_management"), ("non_police.leak", "utilities"), ("non_police.utilities", "utilities"),
    ("non_police.smell", "environment"),
    # categories a station adds itself are placed by the words of their code
    ("non_police.food_safety", "market_regulation"), ("non_police.shop_refund", "market_regulation"),
    ("non_police.property_management", "housing"), ("non_police.lift", "housing"),
    ("non_police.fire_hazard", "emergency"), ("non_police.street_vending", "urban_management"),
    ("non_police.something_else", "hotline"),
])
def test_the_default_plan_maps_each_kind_of_matter_to_a_kind_of_department(category: str, kind: str) -> None:
    assert routing.planned_for(category).kind == kind


def test_a_blocked_fire_lane_must_be_answered_within_hours_not_days() -> None:
    assert routing.planned_for("non_police.parking").result_hours <= 4
    assert routing.planned_for("non_police.construction").result_hours > 72


def test_a_kind_the_city_lacks_goes_to_the_hotline_and_with_no_hotline_nowhere() -> None:
    assert routing.choose_department("housing", {"housing": [7, 8], "hotline": [1]}) == 7
    assert routing.choose_department("housing", {"hotline": [1]}) == 1
    assert routing.choose_department("housing", {"urban_management": [4]}) is None
