"""The demo sub-bureau has the shape DESIGN.md §1 describes, and building it again changes nothing."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from shapely.geometry import Point, shape

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.community.models import Dispute, Visit
from fengqiao.demo import geometry
from fengqiao.demo.builder import BuildReport, DemoConflict, build_demo
from fengqiao.demo.plan import DEFAULT_SEED
from fengqiao.demo.tests.snapshots import demo_snapshot
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Beat, BureauMember, Department, Officer, Station, Team
from fengqiao.records.models import Address, House, Organisation, Resident
from fengqiao.support.models import UnitMember
from fengqiao.transfers.models import DepartmentMember

pytestmark = pytest.mark.django_db

WHY = "tests look at the whole demo"


def officers_of(code: str):
    return Officer.objects.unscoped(WHY).filter(station__code=code).select_related("user", "team", "beat")


def roles_of(code: str) -> Counter[str]:
    roles: Counter[str] = Counter()
    for officer in officers_of(code):
        for group in officer.user.groups.all():
            roles[group.name] += 1
    return roles


def test_main_station_has_the_51_police_officers_of_the_design(demo: BuildReport) -> None:
    police = officers_of("NP").filter(rank=Officer.Rank.OFFICER)
    assert police.count() == 51
    assert roles_of("NP") == Counter({
        "community_officer": 12, "case_officer": 24, "commander": 6, "desk": 6, "leader": 3,
        "auxiliary": officers_of("NP").filter(rank=Officer.Rank.AUXILIARY).count(),
    })
    by_team = Counter(officer.team.kind for officer in police)
    assert by_team == {
        Team.Kind.COMMUNITY: 12, Team.Kind.CASE: 24, Team.Kind.COMMAND: 12, Team.Kind.LEADERSHIP: 3,
    }


def test_every_community_officer_works_with_two_to_four_auxiliaries_on_their_beat(demo: BuildReport) -> None:
    community_officers = officers_of("NP").filter(team__kind=Team.Kind.COMMUNITY, rank=Officer.Rank.OFFICER)
    assert community_officers.count() == 12
    for officer in community_officers:
        auxiliaries = list(officer.auxiliaries.all())
        assert 2 <= len(auxiliaries) <= 4, officer
        for auxiliary in auxiliaries:
            assert auxiliary.rank == Officer.Rank.AUXILIARY
            assert auxiliary.team_id == officer.team_id
            assert auxiliary.beat_id == officer.beat_id is not None


def test_the_standby_group_has_people_in_it(demo: BuildReport) -> None:
    standby = officers_of("NP").filter(team__kind=Team.Kind.STANDBY)
    assert standby.exists()
    assert all(officer.duty_status == Officer.DutyStatus.STANDBY for officer in standby)


def test_every_officer_and_beat_passes_model_validation(demo: BuildReport) -> None:
    for officer in Officer.objects.unscoped(WHY).all():
        officer.full_clean()
    for beat in Beat.objects.unscoped(WHY).all():
        beat.full_clean()


def test_the_main_station_has_ten_beats_each_owned_by_its_community_officer(demo: BuildReport) -> None:
    beats = Beat.objects.unscoped(WHY).filter(station__code="NP").select_related("responsible_officer__team")
    assert 7 <= beats.count() <= 12
    assert beats.count() == 10
    for beat in beats:
        assert beat.community and beat.office_address
        assert beat.responsible_officer.team.kind == Team.Kind.COMMUNITY
        assert beat.responsible_officer.beat_id == beat.pk
        assert beat.responsible_officer.station_id == beat.station_id


def test_beats_tile_their_station_without_overlapping(demo: BuildReport) -> None:
    for code in ("NP", "HTX"):
        boundaries = [beat.boundary for beat in Beat.objects.unscoped(WHY).filter(station__code=code)]
        for index, first in enumerate(boundaries):
            for second in boundaries[index + 1:]:
                assert geometry.overlap_km2(first, second) == 0.0
    main_area = sum(
        geometry.area_km2(beat.boundary) for beat in Beat.objects.unscoped(WHY).filter(station__code="NP")
    )
    assert main_area == pytest.approx(2.9, abs=0.05)


def test_the_main_station_has_thousands_of_addresses_each_inside_its_beat(demo: BuildReport) -> None:
    addresses = Address.objects.unscoped(WHY).filter(station__code="NP")
    assert 7_000 <= addresses.count() <= 9_000
    boundaries = {
        beat.pk: shape(beat.boundary) for beat in Beat.objects.unscoped(WHY).filter(station__code="NP")
    }
    communities = dict(Beat.objects.unscoped(WHY).filter(station__code="NP").values_list("pk", "community"))
    rows = addresses.values_list(
        "beat_id", "longitude", "latitude", "community", "district", "street", "road", "number",
        "building", "unit", "room", "full_text",
    )
    for beat_id, longitude, latitude, community, district, street, road, number, building, unit, room, text in rows:
        assert boundaries[beat_id].contains(Point(longitude, latitude)), text
        assert community == communities[beat_id]
        assert (district, street) == ("南岸区", "南坪街道")
        assert text == Address.compose(
            district=district, street=street, road=road, number=number, building=building, unit=unit, room=room
        )
    assert addresses.values("full_text").distinct().count() == addresses.count()


def test_the_second_station_is_smaller_and_lies_apart(demo: BuildReport) -> None:
    main = Station.objects.unscoped(WHY).get(code="NP")
    second = Station.objects.unscoped(WHY).get(code="HTX")
    assert second.bureau_id == main.bureau_id
    assert officers_of("HTX").filter(rank=Officer.Rank.OFFICER).count() == 20
    assert 0 < second.beats.count() < main.beats.count()
    assert 0 < second.addresses.count() < main.addresses.count() / 5
    for first in main.beats.all():
        for other in second.beats.all():
            assert geometry.overlap_km2(first.boundary, other.boundary) == 0.0


def test_badge_numbers_are_six_digits_and_every_officer_has_one_account(demo: BuildReport) -> None:
    officers = list(Officer.objects.unscoped(WHY).select_related("user"))
    assert all(len(officer.badge_number) == 6 and officer.badge_number.isdigit() for officer in officers)
    assert len({officer.user_id for officer in officers}) == len(officers)
    memorable = {account.username for account in demo.plan.accounts}
    for officer in officers:
        assert officer.user.username in (officer.badge_number, *memorable)


def test_a_weekday_morning_has_people_working_and_people_off(demo: BuildReport) -> None:
    statuses = Counter(officers_of("NP").values_list("duty_status", flat=True))
    # Busy are only those with an order still out at the end of the past (test_history_orders).
    assert statuses[Officer.DutyStatus.ON_DUTY] > statuses[Officer.DutyStatus.BUSY]
    assert statuses[Officer.DutyStatus.OFF_DUTY] and statuses[Officer.DutyStatus.STANDBY]
    for officer in officers_of("NP"):
        if officer.on_duty:
            assert officer.latitude is not None and officer.position_at is not None
        else:
            assert officer.latitude is None
        if officer.on_duty and officer.team.kind == Team.Kind.COMMUNITY:
            assert geometry.contains(officer.beat.boundary, (officer.longitude, officer.latitude))


def test_every_demo_account_logs_in_with_the_demo_password(demo: BuildReport) -> None:
    password = settings.FENGQIAO_DEMO_PASSWORD
    usernames = [account.username for account in demo.plan.accounts]
    assert usernames == [
        "admin", "leader", "commander", "community", "case", "auxiliary", "desk", "bureau", "commander2",
        "department", "unit",
    ]
    for username in [*usernames, "501002"]:
        user = authenticate(username=username, password=password)
        assert user is not None, username
    assert authenticate(username="leader", password="wrong-password") is None


def test_each_demo_account_has_its_role_and_place(demo: BuildReport) -> None:
    def user(username: str) -> User:
        return User.objects.get(username=username)

    for account in demo.plan.accounts:
        assert account.role in user(account.username).role_names
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff
    assert user("leader").is_staff
    assert user("leader").officer.team.kind == Team.Kind.LEADERSHIP
    assert user("commander").officer.team.kind == Team.Kind.COMMAND
    community = user("community").officer
    assert Beat.objects.unscoped(WHY).filter(responsible_officer=community).exists()
    assert community.on_duty
    assert user("auxiliary").officer.supervisor == community
    assert user("case").officer.team.kind == Team.Kind.CASE
    assert user("commander2").officer.station.code == "HTX"
    assert BureauMember.objects.get(user=user("bureau")).bureau.code == "NA"
    assert DepartmentMember.objects.get(user=user("department")).department.code == "NA-CGJ"
    assert UnitMember.objects.get(user=user("unit")).unit.code == "NA-XZ"


def test_the_partner_departments_include_the_12345_hotline(demo: BuildReport) -> None:
    hotline = Department.objects.get(code="12345")
    assert hotline.kind == Department.Kind.HOTLINE
    assert Department.objects.filter(kind=Department.Kind.STREET_OFFICE).count() == 2


def test_building_again_changes_nothing(demo: BuildReport) -> None:
    before = demo_snapshot()
    passwords = dict(User.objects.values_list("username", "password"))
    audit_rows = AuditEntry.objects.count()

    again = build_demo(DEFAULT_SEED, campaigns=False, reports=False)

    assert not again.changed_anything
    assert demo_snapshot() == before
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert AuditEntry.objects.count() == audit_rows


def test_building_again_fills_gaps(demo: BuildReport) -> None:
    beat = Beat.objects.unscoped(WHY).get(station__code="NP", code="03")
    beat.responsible_officer = None
    beat.save()
    # Addresses that no past call points at and nobody lives or works at (the others are
    # protected, as they should be); an empty flat's house record goes with it.
    gaps = Address.objects.unscoped(WHY).filter(station__code="HTX", beat__code="02")
    for model in (Call, Incident, Resident, Organisation, Visit, Dispute):
        gaps = gaps.exclude(Exists(model.objects.unscoped(WHY).filter(address=OuterRef("pk"))))
    empty = list(gaps.values_list("pk", flat=True))
    House.objects.unscoped(WHY).filter(address__in=empty).delete()
    Address.objects.unscoped(WHY).filter(pk__in=empty).delete()
    case = User.objects.get(username="case")
    case.groups.clear()

    again = build_demo(DEFAULT_SEED, campaigns=False, reports=False)

    assert again.updated["beats given a responsible officer"] == 1
    assert again.updated["group memberships"] == 1
    assert again.created["addresses"] > 0
    assert set(again.created) == {"addresses"}
    assert Beat.objects.unscoped(WHY).get(pk=beat.pk).responsible_officer is not None
    assert "case_officer" in case.role_names


def test_another_seed_is_refused_instead_of_mixed_in(demo: BuildReport) -> None:
    addresses = Address.objects.unscoped(WHY).count()
    with pytest.raises(DemoConflict, match="another seed"):
        build_demo(DEFAULT_SEED + 1, campaigns=False, reports=False)
    assert Address.objects.unscoped(WHY).count() == addresses


def test_the_command_prints_the_accounts_and_counts(demo: BuildReport) -> None:
    # The module's demo was built without the reports: the command issues them (today's
    # briefing, last week's and last month's reports of both stations), then has nothing to do.
    first = io.StringIO()
    call_command("demo", "--no-serve", stdout=first)
    assert "6 briefings and reports" in first.getvalue()
    output = io.StringIO()
    call_command("demo", "--no-serve", stdout=output)
    out = output.getvalue()
    assert "nothing changed" in out
    assert "南坪派出所 (NP): 51 police officers" in out
    for account in demo.plan.accounts:
        assert account.username in out
    assert settings.FENGQIAO_DEMO_PASSWORD in out
