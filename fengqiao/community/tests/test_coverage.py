"""The coverage bands and counts, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.community import coverage
from fengqiao.community.coverage import Band, Household

TODAY = dt.date(2026, 6, 30)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def home(address_id: int, last: dt.date | None, beat: int | None = 1, position: bool = True) -> Household:
    return Household(address_id=address_id, beat_id=beat, latitude=29.53 if position else None,
                     longitude=106.56 if position else None, last_visit=last, label=f"{address_id}号")


@pytest.mark.parametrize(("last", "band"), [
    (None, Band.NEVER),
    (TODAY, Band.RECENT),
    (ago(30), Band.RECENT),
    (ago(31), Band.VISITED),
    (ago(90), Band.VISITED),
    (ago(91), Band.STALE),
    (ago(2000), Band.STALE),
    (TODAY + dt.timedelta(days=1), Band.RECENT),  # a visit dated tomorrow (clock skew) counts as today
])
def test_a_household_falls_in_the_band_of_its_last_visit(last: dt.date | None, band: Band) -> None:
    assert coverage.classify(last, TODAY) == band


def test_only_the_two_recent_bands_count_as_covered() -> None:
    assert [band for band in coverage.BANDS if band.covered] == [Band.RECENT, Band.VISITED]


def test_the_window_can_be_set() -> None:
    assert coverage.classify(ago(45), TODAY, window=30, recent=7) == Band.STALE
    with pytest.raises(ValueError):
        coverage.classify(ago(1), TODAY, window=30, recent=60)


def test_days_since_is_none_for_a_household_never_visited() -> None:
    assert coverage.days_since(None, TODAY) is None
    assert coverage.days_since(ago(12), TODAY) == 12


def test_summary_counts_each_beat_and_the_total() -> None:
    found = [home(1, ago(3)), home(2, ago(60)), home(3, ago(120)), home(4, None), home(5, None, beat=2), home(6, ago(1), beat=None)]
    per_beat = coverage.summarise(found, TODAY)
    assert list(per_beat) == [1, 2, None]
    first = per_beat[1]
    assert (first.households, first.covered, first.not_covered) == (4, 2, 2)
    assert first.counts == {Band.RECENT: 1, Band.VISITED: 1, Band.STALE: 1, Band.NEVER: 1}
    assert first.share_covered == 0.5
    overall = coverage.total(per_beat.values())
    assert (overall.households, overall.covered, overall.counts[Band.NEVER]) == (6, 3, 2)
    assert overall.as_dict()["never"] == 2 and overall.as_dict()["share_covered"] == 0.5


def test_a_beat_without_households_is_zero_covered_not_an_error() -> None:
    empty = coverage.BeatCoverage(7)
    assert (empty.households, empty.share_covered) == (0, 0.0)


def test_overdue_lists_never_visited_first_then_the_oldest() -> None:
    found = [home(1, ago(200)), home(2, ago(10)), home(3, None), home(4, ago(95)), home(5, None)]
    assert [h.address_id for h in coverage.overdue(found, TODAY)] == [3, 5, 1, 4]
    assert [h.address_id for h in coverage.overdue(found, TODAY, limit=1)] == [3]


def test_the_map_has_one_point_per_position_with_its_households() -> None:
    def flat(address_id: int, room: str, last: dt.date | None, longitude: float = 106.56) -> Household:
        return Household(address_id=address_id, beat_id=1, latitude=29.53, longitude=longitude, last_visit=last,
                         label=f"南坪西路18号3栋{room}")

    collection = coverage.feature_collection([
        flat(1, "101", ago(5)), flat(2, "102", None), flat(3, "201", ago(120)), flat(4, "301", ago(40), longitude=106.57),
        home(5, ago(1), position=False),
    ], TODAY)
    assert collection["type"] == "FeatureCollection"
    building, alone = collection["features"]
    assert building["geometry"] == {"type": "Point", "coordinates": [106.56, 29.53]}
    assert building["properties"]["place"] == "南坪西路18号3栋"
    # Never visited first, then the longest ago; the label less the place they share.
    assert building["properties"]["households"] == [[2, "never", None, "102"], [3, "stale", 120, "201"], [1, "recent", 5, "101"]]
    assert alone["properties"] == {"beat": 1, "place": "南坪西路18号3栋301", "households": [[4, "visited", 40, ""]]}
