"""The category taxonomy: the shipped defaults, and the errors a station's edits can cause."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from fengqiao.intake.taxonomy import (
    ROUTES,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
    parse_taxonomy,
)


@pytest.fixture(scope="module")
def shipped() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture
def data(shipped: Taxonomy) -> dict[str, Any]:
    return copy.deepcopy(shipped.to_data())


def category(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in data["categories"] if c["code"] == code)


# -- the shipped taxonomy ----------------------------------------------------------------


def test_the_shipped_taxonomy_has_the_nine_families_of_the_issue(shipped: Taxonomy) -> None:
    assert [f.code for f in shipped.families] == [
        "criminal",
        "public_order",
        "traffic",
        "fire",
        "dispute",
        "assistance",
        "non_police",
        "tipoff",
        "other",
    ]
    for family in shipped.families:
        assert shipped.in_family(family.code), family.code


def test_the_shipped_taxonomy_names_the_categories_the_issue_asks_for(shipped: Taxonomy) -> None:
    for code in (
        "criminal.theft",
        "criminal.pickpocketing",
        "criminal.burglary",
        "criminal.theft_from_vehicle",
        "criminal.fraud",
        "criminal.telecom_fraud",
        "criminal.robbery",
        "criminal.assault",
        "criminal.threat",
        "criminal.sexual",
        "criminal.drugs",
        "public_order.fight",
        "public_order.drunk",
        "public_order.gambling",
        "public_order.prostitution",
        "traffic.collision",
        "traffic.drunk_driving",
        "traffic.obstruction",
        "fire.fire",
        "fire.gas_leak",
        "fire.flood",
        "dispute.neighbour",
        "dispute.family",
        "dispute.romance",
        "dispute.debt",
        "dispute.labour",
        "dispute.property",
        "dispute.consumer",
        "assistance.missing_person",
        "assistance.lost_property",
        "assistance.locked_out",
        "assistance.person_in_need",
        "assistance.lost_child",
        "assistance.suicide",
        "non_police.noise",
        "non_police.leak",
        "non_police.smell",
        "non_police.parking",
        "non_police.utilities",
        "non_police.market",
        "non_police.animal",
        "non_police.construction",
        "other.other",
    ):
        assert shipped.has_category(code), code


def test_families_take_the_routes_of_design_section_3(shipped: Taxonomy) -> None:
    expected = {
        "criminal": {"case"},
        "public_order": {"case"},
        "fire": {"command"},
        "non_police": {"transfer"},
        "dispute": {"community"},
        # A lost child and a person about to take their life need several units at once.
        "assistance": {"community", "command"},
    }
    for family, routes in expected.items():
        assert {c.route for c in shipped.in_family(family)} == routes, family
    assert shipped.category("assistance.lost_child").route == "command"
    assert shipped.category("assistance.suicide").route == "command"


def test_burglary_and_theft_from_vehicles_are_repeat_prone_and_disputes_are_not(
    shipped: Taxonomy,
) -> None:
    assert shipped.category("criminal.burglary").repeat_prone
    assert shipped.category("criminal.theft_from_vehicle").repeat_prone
    assert not any(c.repeat_prone for c in shipped.in_family("dispute"))


def test_every_category_has_both_labels_and_a_full_label(shipped: Taxonomy) -> None:
    for c in shipped.categories:
        assert c.label_zh and c.label_en
    assert shipped.full_label("non_police.leak") == "非警务·漏水"


def test_the_taxonomy_survives_a_round_trip_through_its_data(shipped: Taxonomy) -> None:
    assert parse_taxonomy(json.loads(json.dumps(shipped.to_data()))) == shipped


def test_a_taxonomy_file_of_the_station_is_read_from_its_path(
    data: dict[str, Any], tmp_path: Path
) -> None:
    category(data, "dispute.neighbour")["priority"] = 2
    path = tmp_path / "categories.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_taxonomy(path).category("dispute.neighbour").priority == 2


def test_asking_for_an_unknown_category_names_it(shipped: Taxonomy) -> None:
    with pytest.raises(KeyError, match="dispute.nothing"):
        shipped.category("dispute.nothing")


# -- errors name the category and the field -------------------------------------------------


def raises(data: dict[str, Any], code: str, field: str) -> TaxonomyError:
    with pytest.raises(TaxonomyError) as caught:
        parse_taxonomy(data)
    error = caught.value
    assert (error.code, error.field) == (code, field)
    if code:
        assert repr(code) in str(error)
    assert repr(field) in str(error)
    return error


def test_an_unknown_family_is_refused_naming_the_category(data: dict[str, Any]) -> None:
    category(data, "dispute.debt")["family"] = "disputes"
    error = raises(data, "dispute.debt", "family")
    assert "disputes" in str(error)


def test_a_duplicate_code_is_refused(data: dict[str, Any]) -> None:
    data["categories"].append(dict(category(data, "non_police.noise")))
    raises(data, "non_police.noise", "code")


@pytest.mark.parametrize("route", ["police", "", None, "Case"])
def test_a_route_outside_the_four_is_refused(data: dict[str, Any], route: Any) -> None:
    category(data, "non_police.leak")["route"] = route
    error = raises(data, "non_police.leak", "route")
    for name in ROUTES:
        assert name in str(error)


@pytest.mark.parametrize("priority", [0, 5, "1", 1.5, True, None])
def test_a_priority_outside_1_to_4_is_refused(data: dict[str, Any], priority: Any) -> None:
    category(data, "fire.fire")["priority"] = priority
    raises(data, "fire.fire", "priority")


def test_a_misspelt_field_is_refused_rather_than_ignored(data: dict[str, Any]) -> None:
    category(data, "fire.fire")["prority"] = 1
    raises(data, "fire.fire", "prority")


def test_a_missing_field_is_refused(data: dict[str, Any]) -> None:
    del category(data, "fire.flood")["repeat_prone"]
    raises(data, "fire.flood", "repeat_prone")


def test_repeat_prone_must_be_true_or_false(data: dict[str, Any]) -> None:
    category(data, "criminal.burglary")["repeat_prone"] = "yes"
    raises(data, "criminal.burglary", "repeat_prone")


def test_an_empty_label_is_refused(data: dict[str, Any]) -> None:
    category(data, "criminal.theft")["label_zh"] = "  "
    raises(data, "criminal.theft", "label_zh")


def test_a_code_must_start_with_its_family(data: dict[str, Any]) -> None:
    category(data, "criminal.theft")["family"] = "public_order"
    raises(data, "criminal.theft", "code")


@pytest.mark.parametrize("code", ["theft", "Criminal.Theft", "criminal.", "criminal.theft.car", 7])
def test_a_badly_formed_code_is_refused(data: dict[str, Any], code: Any) -> None:
    category(data, "criminal.theft")["code"] = code
    with pytest.raises(TaxonomyError, match="needs a code like") as caught:
        parse_taxonomy(data)
    assert caught.value.field == "code"


def test_a_duplicate_family_is_refused(data: dict[str, Any]) -> None:
    data["families"].append(dict(data["families"][0]))
    with pytest.raises(TaxonomyError, match="duplicate family 'criminal'"):
        parse_taxonomy(data)


@pytest.mark.parametrize("broken", [[], None, "categories", {"families": []}])
def test_a_taxonomy_without_families_or_categories_is_refused(broken: Any) -> None:
    with pytest.raises(TaxonomyError):
        parse_taxonomy(broken)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "categories.json"
    path.write_text("{families: [", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid JSON"):
        load_taxonomy(path)
