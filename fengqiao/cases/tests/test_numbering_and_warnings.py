"""Case numbers from the station's template, and when the ticker warns of a case deadline (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.cases import numbering
from fengqiao.cases.deadlines import warning_time
from fengqiao.cases.models import DEFAULT_NUMBER_TEMPLATE

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_the_default_template_gives_station_kind_year_and_sequence() -> None:
    number = numbering.format_number(DEFAULT_NUMBER_TEMPLATE, station_code="NP", kind="criminal", year=2026, sequence=12)
    assert number == "NPXS20260012"
    assert numbering.format_number(DEFAULT_NUMBER_TEMPLATE, station_code="NP", kind="administrative", year=2026,
                                   sequence=3) == "NPXZ20260003"


def test_the_sequence_is_read_back_only_from_numbers_of_the_same_kind_and_year() -> None:
    template = "{station}{kind}{YYYY}-{NNN}号"
    assert numbering.prefix(template, station_code="NP", kind="criminal", year=2026) == "NPXS2026-"
    read = {number: numbering.sequence_of(template, number, station_code="NP", kind="criminal", year=2026)
            for number in ("NPXS2026-007号", "NPXS2026-1234号", "NPXZ2026-007号", "NPXS2025-007号", "NPXS2026-x号")}
    assert read == {"NPXS2026-007号": 7, "NPXS2026-1234号": 1234, "NPXZ2026-007号": None, "NPXS2025-007号": None,
                    "NPXS2026-x号": None}


@pytest.mark.parametrize(("template", "problem"), [
    ("{station}{YYYY}{NNNN}", "{kind}"),
    ("{station}{kind}{NNNN}", "{YYYY}"),
    ("{station}{kind}{YYYY}", "sequence"),
    ("{kind}{YYYY}{NN}", "three digits"),
    ("{kind}{YYYY}{MM}{NNNN}", "unknown field {MM}"),
])
def test_a_template_that_cannot_give_unique_numbers_is_refused(template: str, problem: str) -> None:
    with pytest.raises(numbering.TemplateError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        numbering.check_template(template)
    numbering.check_template(DEFAULT_NUMBER_TEMPLATE)


def test_a_long_stage_warns_a_day_before_its_deadline() -> None:
    due = START + dt.timedelta(days=60)
    assert warning_time(START, due) == due - dt.timedelta(days=1)


def test_a_short_stage_warns_when_eighty_percent_of_it_has_gone() -> None:
    due = START + dt.timedelta(days=3)
    assert warning_time(START, due) == START + dt.timedelta(days=2, hours=9, minutes=36)
    assert warning_time(START, START + dt.timedelta(hours=10)) == START + dt.timedelta(hours=8)


def test_without_a_stage_start_the_warning_is_a_day_before() -> None:
    due = START + dt.timedelta(days=3)
    assert warning_time(None, due) == due - dt.timedelta(days=1)


def test_the_time_left_reads_in_days_and_hours_or_hours_and_minutes() -> None:
    from django.utils import translation

    from fengqiao.cases.wording import time_left

    with translation.override("en"):
        assert time_left(START + dt.timedelta(days=2, hours=3, minutes=20), START) == "2 d 3 h left"
        assert time_left(START + dt.timedelta(hours=3, minutes=5), START) == "3 h 5 min left"
        assert time_left(START - dt.timedelta(days=1, hours=4), START) == "1 d 4 h overdue"
        assert time_left(None, START) == ""
