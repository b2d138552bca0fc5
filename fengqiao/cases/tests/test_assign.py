"""Choosing a case's lead officer by load and complexity, with the reasons in words (no database)."""

from __future__ import annotations

import pytest

from fengqiao.cases import assign
from fengqiao.cases.assign import CaseOfficer, Message, choose

SUN_LI = CaseOfficer(id=1, name="孙立", on_duty=True, open_cases={"simple": 1, "ordinary": 1})  # 2 open, load 3
WU_MIN = CaseOfficer(id=2, name="吴敏", on_duty=True, open_cases={"complex": 2})  # 2 open, load 6
ZHENG_KAI = CaseOfficer(id=3, name="郑凯", on_duty=False, open_cases={})  # off duty, load 0
QIAN_HAO = CaseOfficer(id=4, name="钱浩", on_duty=True, open_cases={"ordinary": 2})  # 2 open, load 4
TEAM = [SUN_LI, WU_MIN, ZHENG_KAI, QIAN_HAO]


def _texts(choice: assign.Choice) -> list[str]:
    return [reason.render() for reason in choice.reasons]


def test_load_weighs_simple_ordinary_and_complex_cases_one_two_three() -> None:
    officer = CaseOfficer(id=9, name="x", on_duty=True, open_cases={"simple": 2, "ordinary": 1, "complex": 1})
    assert (officer.open_count, officer.load) == (4, 7)
    assert officer.figures.render() == "4 open, weighted 7"


def test_a_simple_case_goes_to_the_least_loaded_officer_on_duty_alone() -> None:
    choice = choose(TEAM, "simple")
    assert choice.lead == SUN_LI and choice.assistants == ()
    assert _texts(choice) == ["孙立: lowest load of the case officers on duty (2 open, weighted 3)."]


def test_an_ordinary_case_gets_the_next_lowest_as_assistant_because_investigations_need_two() -> None:
    choice = choose(TEAM, "ordinary")
    assert choice.lead == SUN_LI and choice.assistants == (QIAN_HAO,)
    assert "钱浩 assists: next lowest load (2 open, weighted 4); an investigation needs two officers." in _texts(choice)


def test_a_complex_case_looks_at_every_case_officer_takes_two_assistants_and_tells_the_leaders() -> None:
    choice = choose(TEAM, "complex")
    assert choice.lead == ZHENG_KAI and choice.assistants == (SUN_LI, QIAN_HAO)
    texts = _texts(choice)
    assert texts[0] == "郑凯: lowest load of all case officers, on duty or not (0 open, weighted 0)."
    assert texts[-1] == "A complex case: the station's leaders are notified."


def test_equal_loads_go_to_the_officer_with_fewer_open_cases_then_by_name_and_id() -> None:
    two_simple = CaseOfficer(id=5, name="乙", on_duty=True, open_cases={"simple": 2})  # 2 open, load 2
    one_ordinary = CaseOfficer(id=6, name="甲", on_duty=True, open_cases={"ordinary": 1})  # 1 open, load 2
    assert choose([two_simple, one_ordinary], "simple").lead == one_ordinary
    twin_a = CaseOfficer(id=8, name="同名", on_duty=True)
    twin_b = CaseOfficer(id=7, name="同名", on_duty=True)
    assert choose([twin_a, twin_b], "simple").lead == twin_b
    assert choose([twin_b, twin_a], "simple").lead == twin_b


def test_nobody_at_the_station_is_said_so() -> None:
    choice = choose([], "ordinary")
    assert not choice.found and _texts(choice) == ["No case officer at this station."]


def test_nobody_on_duty_is_said_so_for_simple_and_ordinary_but_complex_still_finds_someone() -> None:
    off_duty = [ZHENG_KAI]
    assert _texts(choose(off_duty, "simple")) == ["No case officer is on duty."]
    assert choose(off_duty, "ordinary").lead is None
    assert choose(off_duty, "complex").lead == ZHENG_KAI


def test_too_few_officers_to_assist_is_said() -> None:
    choice = choose([SUN_LI, ZHENG_KAI], "ordinary")
    assert choice.lead == SUN_LI and choice.assistants == ()
    assert "Assisting officers needed: 1; available: 0." in _texts(choice)


def test_a_lead_chosen_by_hand_is_taken_and_the_recommendation_is_named() -> None:
    choice = choose(TEAM, "ordinary", chosen=WU_MIN)
    assert choice.lead == WU_MIN and choice.assistants == (SUN_LI,)
    texts = _texts(choice)
    assert texts[0] == "吴敏: chosen by the person who accepted the case (2 open, weighted 6)."
    assert "The recommendation was 孙立 (2 open, weighted 3)." in texts


def test_a_chosen_lead_off_duty_or_outside_the_team_is_noted() -> None:
    outsider = CaseOfficer(id=20, name="刘洋", on_duty=True)
    choice = choose(TEAM, "simple", chosen=outsider)
    assert choice.lead == outsider and outsider in choice.considered
    assert "郑凯 is not on duty." in _texts(choose(TEAM, "simple", chosen=ZHENG_KAI))


def test_an_unknown_complexity_is_an_error() -> None:
    with pytest.raises(ValueError, match="complexity"):
        choose(TEAM, "huge")


def test_the_choice_keeps_its_reasons_and_figures_to_be_shown_again_translated() -> None:
    stored = choose(TEAM, "ordinary").as_json()
    assert stored["lead"] == 1 and stored["assistants"] == [4]
    assert stored["figures"]["2"] == {"name": "吴敏", "open": 2, "load": 6, "on_duty": True}
    reasons = assign.reasons_from_json(stored)
    assert reasons[0].render() == "孙立: lowest load of the case officers on duty (2 open, weighted 3)."
    chinese = {assign.LEAD_ON_DUTY: "%(name)s：值班办案民警中负荷最低（%(figures)s）。", assign.FIGURES: "在办 %(open)s 起，折合 %(load)s"}
    assert reasons[0].render(lambda text: chinese.get(text, text)) == "孙立：值班办案民警中负荷最低（在办 2 起，折合 3）。"


def test_a_message_without_arguments_is_left_as_it_is() -> None:
    assert Message("100% sure").render() == "100% sure"
