"""The demo map: beats that tile their station, points that fall inside them (no database)."""

from __future__ import annotations

import random

import pytest
from shapely.geometry import shape
from shapely.ops import unary_union

from fengqiao.demo import geometry
from fengqiao.organisation.geo import BeatLocator, check_polygon

MAIN = geometry.MAIN_STATION_OUTLINE
SECOND = geometry.SECOND_STATION_OUTLINE


def test_the_main_station_covers_about_2_9_square_kilometres_of_nanping() -> None:
    outline = geometry.polygon_geojson(MAIN)
    assert geometry.area_km2(outline) == pytest.approx(2.9, abs=0.05)
    longitude, latitude = geometry.centroid(outline)
    assert 106.555 <= longitude <= 106.575 and 29.520 <= latitude <= 29.540


def test_the_two_stations_do_not_overlap_and_the_second_is_smaller() -> None:
    main, second = geometry.polygon_geojson(MAIN), geometry.polygon_geojson(SECOND)
    assert geometry.overlap_km2(main, second) == 0.0
    assert geometry.area_km2(second) < geometry.area_km2(main)


@pytest.mark.parametrize(("outline", "count"), [(MAIN, 10), (SECOND, 4), (MAIN, 7), (MAIN, 12)])
def test_beats_tile_the_station_without_gaps_or_overlaps(outline, count: int) -> None:
    beats = geometry.beat_polygons(outline, count, random.Random(1))
    assert len(beats) == count
    station = geometry.polygon_geojson(outline)
    for beat in beats:
        check_polygon(beat)
        assert beat["type"] == "Polygon"
        ring = beat["coordinates"][0]
        assert ring[0] == ring[-1]
    for index, first in enumerate(beats):
        for second in beats[index + 1:]:
            assert geometry.overlap_km2(first, second) == 0.0
    union = unary_union([shape(beat) for beat in beats])
    assert geometry.area_km2(union.__geo_interface__) == pytest.approx(geometry.area_km2(station), abs=1e-3)


def test_no_beat_is_a_sliver() -> None:
    beats = geometry.beat_polygons(MAIN, 10, random.Random(2026))
    areas = [geometry.area_km2(beat) for beat in beats]
    assert min(areas) > 0.4 * (sum(areas) / len(areas))


def test_the_same_seed_draws_the_same_beats_and_another_seed_other_beats() -> None:
    assert geometry.beat_polygons(MAIN, 10, random.Random(5)) == geometry.beat_polygons(MAIN, 10, random.Random(5))
    assert geometry.beat_polygons(MAIN, 10, random.Random(5)) != geometry.beat_polygons(MAIN, 10, random.Random(6))


def test_one_beat_is_the_whole_station_and_none_is_refused() -> None:
    assert geometry.beat_polygons(SECOND, 1, random.Random(1)) == [geometry.polygon_geojson(SECOND)]
    with pytest.raises(ValueError, match="at least one beat"):
        geometry.beat_polygons(SECOND, 0, random.Random(1))


def test_random_points_fall_inside_their_beat_and_the_locator_agrees() -> None:
    rng = random.Random(3)
    beats = geometry.beat_polygons(MAIN, 10, rng)
    locator = BeatLocator(enumerate(beats))
    for index, beat in enumerate(beats):
        for _ in range(50):
            point = geometry.random_point_in(beat, rng)
            assert geometry.contains(beat, point)
            assert locator.beat_at(*point) == index
            assert point == (round(point[0], 6), round(point[1], 6))


def test_points_near_a_place_stay_inside_the_beat_and_close_by() -> None:
    rng = random.Random(4)
    beat = geometry.beat_polygons(MAIN, 10, rng)[0]
    centre = geometry.centroid(beat)
    for _ in range(100):
        longitude, latitude = geometry.random_point_near(beat, centre, 100, rng)
        assert geometry.contains(beat, (longitude, latitude))
        assert abs(latitude - centre[1]) <= 100 / 110_570 + 1e-6
        assert abs(longitude - centre[0]) <= 100 / 96_000 + 1e-6
