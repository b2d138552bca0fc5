"""Beat boundaries must be real polygons; officers must fit their station's teams and beats."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from fengqiao.accounts.models import User
from fengqiao.core.testing import square
from fengqiao.organisation.geo import BeatLocator, GeometryError, check_polygon
from fengqiao.organisation.models import Beat, Officer, Station, Team

BOWTIE = {"type": "Polygon", "coordinates": [[[106.56, 29.53], [106.57, 29.54], [106.57, 29.53], [106.56, 29.54], [106.56, 29.53]]]}


def errors_of(instance: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        instance.clean()
    return refused.value.message_dict


# -- geometry alone ----------------------------------------------------------------------


def test_a_square_is_a_valid_boundary() -> None:
    check_polygon(square(106.56, 29.53))


def test_a_multipolygon_is_a_valid_boundary() -> None:
    parts = [square(106.56, 29.53)["coordinates"], square(106.58, 29.55)["coordinates"]]
    check_polygon({"type": "MultiPolygon", "coordinates": parts})


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        (BOWTIE, "crosses itself"),
        ({"type": "Point", "coordinates": [106.56, 29.53]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[106.56, 29.53]]]}, "not readable"),
        (square(560000, 3270000), "longitude/latitude"),
        ("not geojson", "Polygon or MultiPolygon"),
    ],
    ids=["self-intersecting", "point", "one corner", "projected metres", "text"],
)
def test_a_bad_boundary_is_refused_with_the_reason(geometry: Any, problem: str) -> None:
    with pytest.raises(GeometryError, match=problem):
        check_polygon(geometry)


def test_the_locator_finds_the_beat_of_a_point() -> None:
    locator = BeatLocator([(1, square(106.560, 29.530)), (2, square(106.580, 29.550))])
    assert locator.beat_at(106.562, 29.532) == 1
    assert locator.beat_at(106.583, 29.551) == 2
    assert locator.beat_at(106.570, 29.540) is None


def test_the_locator_with_no_beats_finds_nothing() -> None:
    assert BeatLocator([]).beat_at(106.562, 29.532) is None


# -- model validation ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_self_intersecting_beat_is_refused_on_boundary(station_a: Station) -> None:
    beat = Beat(station=station_a, code="NP-09", name="交叉警务区", boundary=BOWTIE)
    assert list(errors_of(beat)) == ["boundary"]


@pytest.mark.django_db
def test_a_beat_drawn_as_a_point_is_refused_on_boundary(station_a: Station) -> None:
    beat = Beat(station=station_a, code="NP-09", name="点警务区", boundary={"type": "Point", "coordinates": [106.56, 29.53]})
    assert list(errors_of(beat)) == ["boundary"]


@pytest.mark.django_db
def test_a_beat_without_a_boundary_yet_is_accepted(station_a: Station) -> None:
    Beat(station=station_a, code="NP-09", name="待划定警务区").full_clean()


@pytest.mark.django_db
def test_a_beat_cannot_be_owned_by_an_officer_of_another_station(beat_a: Beat, wang_qiang: User) -> None:
    beat_a.responsible_officer = wang_qiang.officer
    assert list(errors_of(beat_a)) == ["responsible_officer"]


@pytest.mark.django_db
def test_an_auxiliary_needs_a_supervising_officer(liu_yang: User) -> None:
    officer = liu_yang.officer
    auxiliary = Officer(station=officer.station, team=officer.team, name="马丽", badge_number="F050299",
                        rank=Officer.Rank.AUXILIARY)
    assert list(errors_of(auxiliary)) == ["supervisor"]


@pytest.mark.django_db
def test_an_auxiliary_cannot_supervise_an_auxiliary(chen_chen: User) -> None:
    supervisor = chen_chen.officer
    auxiliary = Officer(station=supervisor.station, team=supervisor.team, name="马丽", badge_number="F050299",
                        rank=Officer.Rank.AUXILIARY, supervisor=supervisor)
    assert list(errors_of(auxiliary)) == ["supervisor"]


@pytest.mark.django_db
def test_an_auxiliary_cannot_work_under_an_officer_of_another_station(
    liu_yang: User, wang_qiang: User
) -> None:
    officer = liu_yang.officer
    auxiliary = Officer(station=officer.station, team=officer.team, name="马丽", badge_number="F050299",
                        rank=Officer.Rank.AUXILIARY, supervisor=wang_qiang.officer)
    assert list(errors_of(auxiliary)) == ["supervisor"]


@pytest.mark.django_db
def test_a_police_officer_has_no_supervisor(zhang_wei: User, liu_yang: User) -> None:
    zhang_wei.officer.supervisor = liu_yang.officer
    assert list(errors_of(zhang_wei.officer)) == ["supervisor"]


@pytest.mark.django_db
def test_an_officer_cannot_join_a_team_of_another_station(zhang_wei: User, command_room_b: Team) -> None:
    zhang_wei.officer.team = command_room_b
    assert list(errors_of(zhang_wei.officer)) == ["team"]


@pytest.mark.django_db
def test_an_officer_cannot_work_a_beat_of_another_station(zhang_wei: User, beat_b: Beat) -> None:
    zhang_wei.officer.beat = beat_b
    assert list(errors_of(zhang_wei.officer)) == ["beat"]


@pytest.mark.django_db
def test_a_position_needs_both_latitude_and_longitude(zhang_wei: User) -> None:
    zhang_wei.officer.latitude = 29.53
    assert list(errors_of(zhang_wei.officer)) == ["latitude"]


@pytest.mark.django_db
def test_a_correct_auxiliary_is_accepted(chen_chen: User) -> None:
    chen_chen.officer.full_clean()
