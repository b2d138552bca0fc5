"""Triage of call texts: the lexicon and rules, the test sets, and the classifier layer.

The call texts below are not in the shipped test sets; the sets themselves are measured
at the end (the held-out set must keep its route accuracy of at least 90 %).
"""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from fengqiao.intake import classifier
from fengqiao.intake.classifier import Model, ModelError, Prediction, combine, predict
from fengqiao.intake.taxonomy import load_taxonomy
from fengqiao.intake.triage import (
    CallRow,
    LexiconError,
    Rules,
    TriageResult,
    evaluate,
    load_calls,
    load_rules,
    load_shipped_calls,
    parse_rules,
    rewrite,
    triage,
)

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


@pytest.fixture(scope="module")
def lexicon_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    return data


# -- one example per family -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category", "route"),
    [
        ("报警人称手机收到冒充客服电话被骗转账2万元", "criminal.telecom_fraud", "case"),
        ("报警人称电动车停在楼下被偷", "criminal.vehicle_theft", "case"),
        ("报警人称家里被盗，抽屉被翻", "criminal.burglary", "case"),
        ("南坪西路18号一男子持刀与人发生争执，有人受伤", "criminal.assault", "case"),
        ("群众举报某棋牌室聚众赌博", "public_order.gambling", "case"),
        ("一男子醉酒后在饭店门口大喊大叫", "public_order.drunk", "case"),
        ("两车相撞，无人受伤", "traffic.collision", "community"),
        ("超市仓库着火了，浓烟很大", "fire.fire", "command"),
        ("报警人称与邻居因装修吵架", "dispute.neighbour", "community"),
        ("报警人称包工头拖欠工资三个月", "dispute.labour", "community"),
        (
            "一老人在南湖路公交站走失，穿蓝色外套，有老年痴呆",
            "assistance.missing_person",
            "community",
        ),
        ("商场里有个孩子找不到妈妈了", "assistance.lost_child", "command"),
        ("报警人称其家楼上每天深夜装修噪音扰民", "non_police.noise", "transfer"),
        ("车辆堵塞消防通道", "non_police.parking", "transfer"),
        ("举报某小区有人制假", "tipoff.clue", "case"),
        ("报警人咨询怎么办理居住证", "other.consultation", "command"),
    ],
)
def test_a_call_of_each_family_is_judged_and_routed(
    rules: Rules, text: str, category: str, route: str
) -> None:
    result = triage(text, rules)
    assert (result.category, result.route) == (category, route), result.reasons


def test_the_result_carries_the_label_and_a_confidence_between_0_and_1(rules: Rules) -> None:
    result = triage("报警人称楼上漏水", rules)
    assert result.category_label == "漏水"
    assert 0 < result.confidence < 1
    assert set(result.to_dict()) == {
        "category",
        "category_label",
        "route",
        "priority",
        "confidence",
        "reasons",
    }


def test_a_call_with_no_known_word_goes_to_the_command_room_with_no_confidence(
    rules: Rules,
) -> None:
    result = triage("今天天气很好", rules)
    assert (result.category, result.route, result.confidence) == ("other.other", "command", 0.0)
    assert result.reasons == ["no keyword matched → 其他·其他"]


def test_triage_is_deterministic(rules: Rules) -> None:
    text = "报警人称与邻居因噪音问题吵架，对方拿菜刀威胁"
    assert triage(text, rules) == triage(text, rules)


def test_full_width_digits_and_latin_capitals_are_read_like_their_plain_forms(
    rules: Rules,
) -> None:
    assert triage("ＫＴＶ包间两伙人互殴", rules).category == "public_order.fight"


# -- reasons ------------------------------------------------------------------------------


def test_reasons_name_the_words_that_decided_the_category(rules: Rules) -> None:
    result = triage("报警人称楼上漏水", rules)
    assert result.reasons[0] == "“漏水” → 非警务·漏水"


def test_reasons_name_the_runner_up_and_the_scores(rules: Rules) -> None:
    result = triage("报警人称其家楼上每天深夜装修噪音扰民", rules)
    assert any(r.startswith("score ") and "纠纷·邻里纠纷" in r for r in result.reasons)


def test_a_conjunction_is_quoted_by_the_words_found(rules: Rules) -> None:
    result = triage("报警人称接到陌生电话被骗转账", rules)
    assert "“电话+骗” → 刑事·电信网络诈骗" in result.reasons


def test_a_word_inside_a_longer_word_does_not_count_twice(rules: Rules) -> None:
    result = triage("报警人称有人在女厕所偷拍", rules)
    assert result.category == "public_order.harassment"
    assert not any("“偷”" in r for r in result.reasons)  # 偷 of 偷拍 is not theft


# -- priority -------------------------------------------------------------------------------


def test_a_knife_raises_priority_to_1_and_says_so(rules: Rules) -> None:
    result = triage("报警人称与邻居因装修吵架，对方拿刀", rules)
    assert result.priority == 1
    assert "“拿刀” → priority 1" in result.reasons


def test_a_crime_happening_now_is_more_urgent_than_one_from_yesterday(rules: Rules) -> None:
    now = triage("报警人称家里被盗，小偷正在屋里", rules)
    yesterday = triage("报警人称昨天家里被盗", rules)
    assert (now.category, yesterday.category) == ("criminal.burglary", "criminal.burglary")
    assert (now.priority, yesterday.priority) == (1, 3)
    assert "“正在” → priority -1 (more urgent)" in now.reasons
    assert "“昨天” → priority +1 (less urgent)" in yesterday.reasons


def test_a_child_makes_a_lock_out_urgent(rules: Rules) -> None:
    assert triage("报警人称忘带钥匙被锁在门外", rules).priority == 4
    assert triage("报警人称忘带钥匙被锁在门外，孩子一个人在屋里", rules).priority == 2


def test_a_fire_put_out_already_is_less_urgent(rules: Rules) -> None:
    assert triage("厨房着火了", rules).priority == 1
    assert triage("厨房着火了，已经用灭火器扑灭", rules).priority == 2


# -- routes -----------------------------------------------------------------------------


def test_an_injury_in_a_dispute_makes_it_a_case(rules: Rules) -> None:
    result = triage("报警人称与邻居因装修吵架，有人受伤", rules)
    assert (result.category, result.route) == ("dispute.neighbour", "case")
    assert "“受伤” → route case" in result.reasons


def test_a_mass_incident_goes_to_the_command_room(rules: Rules) -> None:
    result = triage("三十多名工人聚集在公司门口讨薪", rules)
    assert (result.category, result.route) == ("dispute.labour", "command")


def test_an_override_never_lowers_a_route(rules: Rules) -> None:
    # 受伤 sends a dispute to the case team; a suicide attempt stays with the command room.
    assert triage("一女子在楼顶要跳楼，手上有伤口在流血", rules).route == "command"


# -- negation -------------------------------------------------------------------------------


def test_no_injury_does_not_trigger_the_injury_rule(rules: Rules) -> None:
    hurt = triage("两车相撞，有人受伤", rules)
    unhurt = triage("两车相撞，没有受伤", rules)
    assert (hurt.route, hurt.priority) == ("command", 1)
    assert (unhurt.route, unhurt.priority) == ("community", 3)
    assert "“受伤” negated by “没有” — ignored" in unhurt.reasons


@pytest.mark.parametrize("text", ["两车追尾，无人受伤", "两车追尾，没人受伤", "两车追尾，并未受伤"])
def test_other_forms_of_no_injury_are_read_as_negation(rules: Rules, text: str) -> None:
    assert triage(text, rules).route == "community"


def test_negation_does_not_reach_across_a_comma(rules: Rules) -> None:
    assert triage("两车相撞，车没有坏，司机受伤", rules).route == "command"


def test_negation_in_a_dispute_keeps_it_with_the_community_officer(rules: Rules) -> None:
    assert triage("报警人称与邻居因装修吵架，没有动手", rules).route == "community"


def test_fixed_phrases_with_a_negating_character_are_not_negation(rules: Rules) -> None:
    # 无故 ("for no reason") does not negate 辱骂; 是不是 is a question, not a denial.
    assert triage("一男子在公交车上无故辱骂司机", rules).category == "public_order.disturbance"
    assert triage("钱包被扒，是不是小偷还在附近", rules).category == "criminal.pickpocketing"


# -- station data ------------------------------------------------------------------------


def test_dialect_variants_are_read_as_the_standard_word(rules: Rules) -> None:
    result = triage("报警人称屋头遭贼娃子偷了", rules)  # 屋头 家里, 贼娃子 小偷, 遭 被
    assert (result.category, result.route) == ("criminal.burglary", "case")


def test_every_category_of_the_taxonomy_has_keywords(rules: Rules) -> None:
    with_words = {lexicon.code for lexicon in rules.categories if lexicon.keywords}
    assert with_words == {c.code for c in rules.taxonomy.categories}


def test_a_station_can_raise_the_minimum_score_so_weak_calls_go_to_the_command_room(
    lexicon_data: dict[str, Any],
) -> None:
    data = copy.deepcopy(lexicon_data)
    data["min_score"] = 6
    strict = parse_rules(load_taxonomy(), data)
    result = triage("报警人称楼上漏水", strict)
    assert (result.category, result.route) == ("other.other", "command")
    assert result.reasons[0].startswith("too little to go on (“漏水” → 非警务·漏水")


def lexicon_error(data: dict[str, Any]) -> LexiconError:
    with pytest.raises(LexiconError) as caught:
        parse_rules(load_taxonomy(), data)
    return caught.value


def test_a_lexicon_entry_for_an_unknown_category_is_refused(lexicon_data: dict[str, Any]) -> None:
    data = copy.deepcopy(lexicon_data)
    data["categories"]["dispute.neighbor"] = {"keywords": {"邻居": 3}}
    assert lexicon_error(data).code == "dispute.neighbor"


@pytest.mark.parametrize("weight", [0, -1, 11, "3", True])
def test_a_keyword_weight_outside_0_to_10_is_refused(
    lexicon_data: dict[str, Any], weight: Any
) -> None:
    data = copy.deepcopy(lexicon_data)
    data["categories"]["non_police.leak"]["keywords"]["漏水"] = weight
    error = lexicon_error(data)
    assert (error.code, error.field) == ("non_police.leak", "keywords")
    assert "漏水" in str(error)


def test_a_route_override_with_an_unknown_route_is_refused(lexicon_data: dict[str, Any]) -> None:
    data = copy.deepcopy(lexicon_data)
    data["route_overrides"][0]["route"] = "police"
    error = lexicon_error(data)
    assert error.field == "route"
    assert "route_overrides[0]" in str(error)


def test_a_modifier_for_an_unknown_family_is_refused(lexicon_data: dict[str, Any]) -> None:
    data = copy.deepcopy(lexicon_data)
    data["priority_modifiers"][0]["families"] = ["disputes"]
    assert lexicon_error(data).field == "families"


def test_a_misspelt_lexicon_field_is_refused(lexicon_data: dict[str, Any]) -> None:
    data = copy.deepcopy(lexicon_data)
    data["categories"]["non_police.leak"]["keyword"] = {"漏": 1}
    error = lexicon_error(data)
    assert (error.code, error.field) == ("non_police.leak", "keyword")


def test_a_fallback_outside_the_taxonomy_is_refused(lexicon_data: dict[str, Any]) -> None:
    data = copy.deepcopy(lexicon_data)
    data["fallback"] = "other.unknown"
    assert lexicon_error(data).field == "fallback"


def test_an_empty_alternative_in_a_conjunction_is_refused(lexicon_data: dict[str, Any]) -> None:
    data = copy.deepcopy(lexicon_data)
    data["categories"]["criminal.theft"]["keywords"]["车|+偷"] = 3
    assert "empty word" in str(lexicon_error(data))


# -- the test sets ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lexicon_set() -> list[CallRow]:
    return load_shipped_calls("calls_lexicon.csv")


@pytest.fixture(scope="module")
def heldout_set() -> list[CallRow]:
    return load_shipped_calls("calls_heldout.csv")


def test_the_test_sets_hold_150_calls_across_all_categories_with_50_held_out(
    rules: Rules, lexicon_set: list[CallRow], heldout_set: list[CallRow]
) -> None:
    assert len(lexicon_set) >= 100
    assert len(heldout_set) >= 50
    assert len(lexicon_set) + len(heldout_set) >= 150
    assert not {r.text for r in lexicon_set} & {r.text for r in heldout_set}
    codes = {c.code for c in rules.taxonomy.categories}
    assert {r.category for r in lexicon_set + heldout_set} == codes


def test_every_expected_answer_agrees_with_the_taxonomy(rules: Rules) -> None:
    for name in ("calls_lexicon.csv", "calls_heldout.csv", "calls_hard.csv", "calls_fresh.csv", "calls_blind.csv"):
        for row in load_calls(DATA / name):
            assert rules.taxonomy.has_category(row.category), (name, row)


def test_route_accuracy_on_the_held_out_calls_is_at_least_90_percent(
    rules: Rules, heldout_set: list[CallRow]
) -> None:
    figures = evaluate(heldout_set, rules)
    assert figures["route_accuracy"] >= 0.9, figures["route_misses"]


def test_route_accuracy_on_the_blind_calls_is_at_least_90_percent(rules: Rules, lexicon_set: list[CallRow]) -> None:
    """calls_blind.csv was written before the last tuning and never used for it (data/README.md)."""
    blind = load_shipped_calls("calls_blind.csv")
    assert len(blind) >= 50
    tuned_on = {r.text for name in ("calls_lexicon.csv", "calls_hard.csv", "calls_fresh.csv") for r in load_shipped_calls(name)}
    assert not {r.text for r in blind} & tuned_on
    figures = evaluate(blind, rules)
    assert figures["route_accuracy"] >= 0.9, figures["route_misses"]


def test_evaluate_reports_overall_and_per_family_figures(rules: Rules) -> None:
    rows = [
        CallRow("报警人称楼上漏水", "non_police.leak", "transfer", 4),
        CallRow("两车相撞，有人受伤", "traffic.collision", "community", 3),
    ]
    figures = evaluate(rows, rules)
    assert figures["n"] == 2
    assert figures["route_accuracy"] == 0.5
    assert figures["category_accuracy"] == 1.0
    assert figures["by_family"]["traffic"]["route_accuracy"] == 0.0
    assert figures["by_family"]["non_police"]["priority_accuracy"] == 1.0
    assert figures["route_misses"] == [
        {
            "text": "两车相撞，有人受伤",
            "expected": "traffic.collision / community",
            "got": "traffic.collision / command",
        }
    ]


def test_a_test_set_with_a_bad_priority_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("text,category,route,priority\n楼上漏水,non_police.leak,transfer,9\n")
    with pytest.raises(ValueError, match="line 2"):
        load_calls(path)


# -- the classifier layer ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def model(lexicon_set: list[CallRow]) -> Model:
    return classifier.train((row.text, row.category) for row in lexicon_set)


def test_the_classifier_does_far_better_than_chance_on_the_held_out_calls(
    rules: Rules, model: Model, lexicon_set: list[CallRow], heldout_set: list[CallRow]
) -> None:
    def classify(text: str) -> TriageResult:
        return classifier.classify(text, rules, model)

    figures = evaluate(heldout_set, rules, classify)
    # Chance: always answering the most common category / route of the training set.
    categories = [row.category for row in lexicon_set]
    common_category = max(set(categories), key=categories.count)
    routes = [row.route for row in lexicon_set]
    common_route = max(set(routes), key=routes.count)
    chance_category = sum(r.category == common_category for r in heldout_set) / len(heldout_set)
    chance_route = sum(r.route == common_route for r in heldout_set) / len(heldout_set)
    assert figures["category_accuracy"] > 5 * max(chance_category, 1 / len(model.categories))
    assert figures["route_accuracy"] > chance_route


def test_the_classifier_predicts_a_known_category_with_a_probability(model: Model) -> None:
    prediction = predict(model, "报警人称楼上漏水把天花板泡坏了")
    assert prediction.category in model.categories
    assert 0 < prediction.probability <= 1
    assert predict(model, "报警人称楼上漏水把天花板泡坏了") == prediction


def test_training_needs_two_categories() -> None:
    with pytest.raises(ModelError, match="at least two categories"):
        classifier.train([("楼上漏水", "non_police.leak"), ("水管爆了", "non_police.leak")])


def test_a_saved_model_loads_and_predicts_the_same(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "triage.joblib"
    classifier.save(model, path)
    loaded = classifier.load(path)
    text = "一醉酒男子在小区门口砸门"
    assert predict(loaded, text) == predict(model, text)


def test_a_file_that_is_not_a_triage_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.pickle"
    path.write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(ModelError, match="not a Fengqiao triage model"):
        classifier.load(path)


def test_a_model_of_another_scikit_learn_version_must_be_trained_again(
    model: Model, tmp_path: Path
) -> None:
    path = tmp_path / "old.joblib"
    old = Model(model.pipeline, model.categories, model.samples, sklearn_version="0.24.2")
    classifier.save(old, path)
    with pytest.raises(ModelError, match="train the model again"):
        classifier.load(path)


def test_combine_takes_the_classifier_when_it_is_more_confident(rules: Rules) -> None:
    text = "报警人称有人在楼下卖东西"
    rule_result = triage(text, rules)
    assert rule_result.confidence < 0.87
    result = combine(rule_result, Prediction("non_police.market", 0.87), text=text, rules=rules)
    assert (result.category, result.route, result.confidence) == (
        "non_police.market",
        "transfer",
        0.87,
    )
    assert result.reasons[0] == "classifier, p=0.87 → 非警务·占道经营市场秩序"


def test_combine_keeps_the_rules_when_they_are_more_confident(rules: Rules) -> None:
    text = "报警人称楼上漏水把天花板泡坏了"
    rule_result = triage(text, rules)
    result = combine(rule_result, Prediction("dispute.neighbour", 0.3), text=text, rules=rules)
    assert result.category == "non_police.leak"
    assert (
        result.reasons[-1]
        == "classifier suggested 纠纷·邻里纠纷, p=0.30 — the rules are more confident"
    )


def test_the_classifiers_category_still_follows_the_stations_rules(rules: Rules) -> None:
    text = "两人因停车争执，一人拿刀"
    result = combine(triage(text, rules), Prediction("dispute.other", 0.99), text=text, rules=rules)
    assert (result.category, result.route, result.priority) == ("dispute.other", "case", 1)


def test_combine_ignores_a_category_the_station_has_removed(rules: Rules) -> None:
    text = "报警人称楼上漏水"
    rule_result = triage(text, rules)
    result = combine(rule_result, Prediction("non_police.retired", 0.99), text=text, rules=rules)
    assert result.category == rule_result.category
    assert "not in the taxonomy" in result.reasons[-1]


def test_when_both_layers_agree_the_higher_confidence_is_kept(rules: Rules) -> None:
    text = "报警人称楼上漏水"
    rule_result = triage(text, rules)
    result = combine(rule_result, Prediction("non_police.leak", 0.95), text=text, rules=rules)
    assert result.confidence == 0.95
    assert result.reasons[-1] == "classifier agrees, p=0.95"


def test_variants_are_rewritten_in_one_pass(lexicon_data: dict[str, Any]) -> None:
    data = copy.deepcopy(lexicon_data)
    data["variants"] = {"遭": "被", "被": "遭", "屋头": "家里"}
    swapped = parse_rules(load_taxonomy(), data)
    assert rewrite("屋头遭人被骗", swapped) == "家里被人遭骗"
