"""Volunteer forces: teams, members, activities."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.community import services
from fengqiao.community.models import VolunteerActivity, VolunteerTeam

pytestmark = pytest.mark.django_db


def test_a_team_is_set_up_with_its_members(team_a: VolunteerTeam) -> None:
    assert [(m.name, m.phone) for m in team_a.members.order_by("pk")] == [("周大妈", "13899990000"), ("吴师傅", "")]
    assert AuditEntry.objects.filter(object_type="community.volunteerteam", object_id=str(team_a.pk)).exists()
    member_rows = AuditEntry.objects.filter(object_type="community.volunteermember")
    assert member_rows.count() == 2 and "13899990000" not in str([row.changes for row in member_rows])


def test_team_names_are_unique_within_the_station(team_a: VolunteerTeam, station_a: Any, station_b: Any, li_na: Any,
                                                  zhao_min: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_team(station_a, services.TeamData(name="南坪西路红袖标", kind="patrol"), user=li_na)
    assert list(caught.value.message_dict) == ["name"]
    services.create_team(station_b, services.TeamData(name="南坪西路红袖标", kind="patrol"), user=zhao_min)


def test_a_bad_team_names_its_fields(station_a: Any, li_na: Any, beat_b: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_team(station_a, services.TeamData(name=" ", kind="army", beat_id=beat_b.pk, officer_id=999999,
                                                          leader_phone="12"), user=li_na)
    assert set(caught.value.message_dict) == {"name", "kind", "beat", "officer", "leader_phone"}


def test_an_activity_records_who_took_part(team_a: VolunteerTeam, liu_yang: Any) -> None:
    members = list(team_a.members.order_by("pk"))
    started = timezone.now() - dt.timedelta(hours=2)
    activity = services.record_activity(team_a, services.ActivityData(
        kind="patrol", started_at=started, ended_at=started + dt.timedelta(hours=1), area="南坪西路—江南大道",
        member_ids=[m.pk for m in members], participants=5, notes="夜间巡逻"), user=liu_yang)
    assert (activity.participants, set(activity.members.all())) == (5, set(members))
    assert AuditEntry.objects.filter(object_type="community.volunteeractivity", object_id=str(activity.pk)).exists()


def test_participants_default_to_the_members_ticked(team_a: VolunteerTeam, liu_yang: Any) -> None:
    member = team_a.members.first()
    activity = services.record_activity(team_a, services.ActivityData(kind="publicity", member_ids=[member.pk]), user=liu_yang)
    assert activity.participants == 1


def test_a_bad_activity_names_its_fields(team_a: VolunteerTeam, team_east: VolunteerTeam, li_na: Any) -> None:
    stranger = services.add_member(team_east, services.MemberData(name="别队的人"), user=li_na)
    started = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.record_activity(team_a, services.ActivityData(
            kind="party", started_at=started, ended_at=started - dt.timedelta(hours=1), member_ids=[stranger.pk],
            participants=0), user=li_na)
    assert set(caught.value.message_dict) == {"kind", "ended_at", "members", "participants"}
    assert not VolunteerActivity.objects.for_stations([team_a.station_id]).exists()


def test_a_member_leaves_once(team_a: VolunteerTeam, liu_yang: Any) -> None:
    member = team_a.members.first()
    services.end_membership(member, user=liu_yang)
    assert member.left_on == timezone.localdate()
    with pytest.raises(services.Refused):
        services.end_membership(member, user=liu_yang)
