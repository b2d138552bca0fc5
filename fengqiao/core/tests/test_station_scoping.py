"""Queries of station-owned data must say whose stations they look at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count

from fengqiao.accounts.models import User
from fengqiao.core.scoping import UnscopedQueryError
from fengqiao.organisation.models import Beat, Officer, Station

pytestmark = pytest.mark.django_db

UNSCOPED_QUERIES: dict[str, Callable[[], Any]] = {
    "list": lambda: list(Beat.objects.all()),
    "filtered list": lambda: list(Beat.objects.filter(code="NP-01")),
    "iteration": lambda: [beat for beat in Beat.objects.order_by("code")],
    "count": lambda: Beat.objects.count(),
    "exists": lambda: Beat.objects.exists(),
    "get": lambda: Beat.objects.get(code="NP-01"),
    "first": lambda: Beat.objects.first(),
    "values list": lambda: list(Beat.objects.values_list("name", flat=True)),
    "update": lambda: Beat.objects.update(name="改名"),
    "delete": lambda: Beat.objects.all().delete(),
    "aggregate": lambda: Beat.objects.aggregate(n=Count("id")),
    "iterator": lambda: list(Beat.objects.iterator()),
    "officers": lambda: list(Officer.objects.all()),
    "stations": lambda: list(Station.objects.all()),
}


@pytest.mark.parametrize("query", UNSCOPED_QUERIES.values(), ids=UNSCOPED_QUERIES.keys())
def test_an_unscoped_query_of_station_data_is_refused(query: Callable[[], Any], beat_a: Beat, beat_b: Beat) -> None:
    with pytest.raises(UnscopedQueryError, match="station-owned"):
        query()
    # Nothing was changed by the refused update or delete.
    assert sorted(Beat.objects.unscoped("test").values_list("name", flat=True)) == ["南坪西路警务区", "海棠溪正街警务区"]


def test_zhang_wei_sees_only_the_beats_of_nanping(zhang_wei: User, beat_a: Beat, beat_b: Beat) -> None:
    assert list(Beat.objects.for_user(zhang_wei)) == [beat_a]
    assert Beat.objects.for_user(zhang_wei).count() == 1
    assert not Beat.objects.for_user(zhang_wei).filter(pk=beat_b.pk).exists()


def test_wang_qiang_sees_only_haitangxi(wang_qiang: User, zhang_wei: User, station_a: Station, station_b: Station) -> None:
    assert list(Station.objects.for_user(wang_qiang)) == [station_b]
    assert list(Officer.objects.for_user(wang_qiang).values_list("name", flat=True)) == ["王强"]


def test_an_auxiliary_sees_her_own_station(chen_chen: User, station_a: Station, station_b: Station) -> None:
    assert list(Station.objects.for_user(chen_chen)) == [station_a]


def test_bureau_staff_see_both_stations_of_their_bureau(
    zhou_jie: User, beat_a: Beat, beat_b: Beat, station_a: Station, station_b: Station
) -> None:
    assert set(Station.objects.for_user(zhou_jie)) == {station_a, station_b}
    assert set(Beat.objects.for_user(zhou_jie)) == {beat_a, beat_b}


def test_bureau_staff_do_not_see_a_station_of_another_bureau(zhou_jie: User, station_a: Station) -> None:
    other = Station.objects.create(name="渝中派出所", code="YZ")
    assert other not in Station.objects.for_user(zhou_jie)
    assert station_a in Station.objects.for_user(zhou_jie)


def test_the_administrator_sees_every_station(administrator: User, beat_a: Beat, beat_b: Beat) -> None:
    other = Station.objects.create(name="渝中派出所", code="YZ")
    assert set(Station.objects.for_user(administrator)) == {beat_a.station, beat_b.station, other}
    assert set(Beat.objects.for_user(administrator)) == {beat_a, beat_b}


def test_an_anonymous_visitor_sees_nothing(beat_a: Beat, beat_b: Beat) -> None:
    assert list(Beat.objects.for_user(AnonymousUser())) == []
    assert list(Station.objects.for_user(None)) == []


def test_a_user_with_no_officer_record_sees_nothing(beat_a: Beat) -> None:
    nobody = User.objects.create(username="nobody")
    assert list(Beat.objects.for_user(nobody)) == []


def test_for_stations_keeps_the_given_stations(beat_a: Beat, beat_b: Beat) -> None:
    assert list(Beat.objects.for_stations([beat_b.station_id])) == [beat_b]
    assert list(Beat.objects.for_stations([])) == []


def test_related_managers_of_an_object_in_hand_are_scoped_by_it(
    station_a: Station, beat_a: Beat, beat_b: Beat, liu_yang: User
) -> None:
    assert list(station_a.beats.all()) == [beat_a]
    assert station_a.beats.count() == 1
    assert list(beat_a.officers.values_list("name", flat=True)) == ["刘洋"]
    assert list(liu_yang.officer.team.members.all()) == [liu_yang.officer]


def test_unscoped_needs_a_reason(beat_a: Beat) -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        Beat.objects.unscoped("")
    with pytest.raises(ValueError, match="needs a reason"):
        Beat.objects.unscoped("   ")
    assert Beat.objects.unscoped("nightly deadline ticker").count() == 1


def test_scoping_survives_chaining(zhang_wei: User, beat_a: Beat, beat_b: Beat) -> None:
    beats = Beat.objects.for_user(zhang_wei).filter(code__startswith="NP").order_by("name").select_related("station")
    assert list(beats) == [beat_a]
    assert list(beats.exclude(pk=beat_a.pk)) == []


def test_saving_and_model_validation_need_no_scope(station_a: Station, beat_a: Beat) -> None:
    beat_a.name = "南坪东路警务区"
    beat_a.save()
    duplicate = Beat(station=station_a, code="NP-01", name="重复编号")
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert [error.code for error in refused.value.error_dict["__all__"]] == ["unique_together"]
