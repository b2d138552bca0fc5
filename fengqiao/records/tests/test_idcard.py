"""GB 11643 identity-card numbers: the check digit, the birth date, the sex."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.records import idcard


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "500108198503120145"])
def test_published_and_generated_numbers_are_valid(number: str) -> None:
    assert idcard.is_valid(number)


def test_the_published_example_reads_as_a_woman_born_on_new_years_eve_1949() -> None:
    parsed = idcard.parse("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.region == "110105"


def test_a_mistyped_digit_is_caught_by_the_check_digit() -> None:
    with pytest.raises(idcard.InvalidIdNumber) as caught:
        idcard.parse("110105194912310021")
    assert caught.value.code == idcard.CHECK_DIGIT


@pytest.mark.parametrize(("number", "code"), [
    ("11010519491231002", idcard.LENGTH),
    ("1101051949123100A2", idcard.CHARACTERS),
    ("110105194913310029", idcard.BIRTH_DATE),
    ("110105203001010013", idcard.BIRTH_DATE),
    ("010105194912310023", idcard.REGION),
])
def test_each_kind_of_wrong_number_says_what_is_wrong(number: str, code: str) -> None:
    with pytest.raises(idcard.InvalidIdNumber) as caught:
        idcard.parse(number, today=dt.date(2026, 12, 1))
    assert caught.value.code == code


def test_spaces_dashes_full_width_digits_and_a_small_x_are_forgiven() -> None:
    assert idcard.parse(" 110105-19491231 002x ").number == "11010519491231002X"
    assert idcard.parse("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"


@pytest.mark.parametrize("sex", ["M", "F"])
def test_made_numbers_carry_the_sex_and_birth_date_they_were_made_with(sex: str) -> None:
    birth = dt.date(1990, 2, 28)
    for sequence in (0, 1, 250, 499):
        parsed = idcard.parse(idcard.make("500108", birth, sequence, sex))
        assert (parsed.sex, parsed.birth_date, parsed.region) == (sex, birth, "500108")
