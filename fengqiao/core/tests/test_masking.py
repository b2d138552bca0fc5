"""Phone and identity-card numbers are shown masked; short or odd values never leak."""

from __future__ import annotations

import pytest

from fengqiao.core.masking import mask_id_number, mask_name, mask_phone


def test_a_mobile_number_keeps_its_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_a_landline_keeps_its_first_three_and_last_four_digits() -> None:
    assert mask_phone("023-62801234") == "023*****1234"


def test_spaces_inside_a_number_are_dropped_before_masking() -> None:
    assert mask_phone(" 138 1234 5678 ") == "138****5678"


@pytest.mark.parametrize("value", ["1234567", "110", "1"])
def test_a_number_too_short_to_mask_is_hidden_whole(value: str) -> None:
    assert mask_phone(value) == "*" * len(value)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_number_masks_to_nothing(value: str | None) -> None:
    assert mask_phone(value) == ""
    assert mask_id_number(value) == ""


def test_an_identity_card_number_keeps_its_region_code_and_last_four() -> None:
    assert mask_id_number("500108199001011234") == "500108********1234"
    assert mask_id_number("50010819900101123X") == "500108********123X"


def test_a_short_identity_card_number_is_hidden_whole() -> None:
    assert mask_id_number("5001081234") == "**********"


def test_a_name_keeps_the_family_name() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("李娜") == "李*"
    assert mask_name("王") == "王"
    assert mask_name(None) == ""
