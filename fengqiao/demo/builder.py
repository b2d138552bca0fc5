"""Writes the demo plan to the database, once: a second run finds everything and changes nothing.

Every row is looked up by its natural key (bureau code, department code, station code,
team name, beat code, badge number, username, address code) and created only when
missing; rows that exist are left as they are, so a demo that people have been working
in keeps its state. Gaps (an officer without an account, a beat without its responsible
officer, a user outside its role group) are filled. A year of past calls
(`history_writer.py`) is written only for a station that has no calls at all, and its
basic records and community work (`records_writer.py`) only for a station that has no
residents. The loops after dispatch — cases, transfers to departments, support requests
(`loops_writer.py`) — are written only for a station that has none of them; the settings
they run on (time limits, routing rules) are filled in where missing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import ROLE_PERMISSIONS, sync_roles
from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.campaigns.models import Campaign
from fengqiao.cases.models import Case
from fengqiao.core.dbstats import refresh_statistics
from fengqiao.intake.models import Call
from fengqiao.organisation.models import (
    Beat,
    Bureau,
    BureauMember,
    Department,
    Officer,
    Station,
    Team,
)
from fengqiao.records.models import Address, Resident
from fengqiao.support.models import SupportRequest, Unit, UnitMember
from fengqiao.transfers.models import DepartmentMember, Transfer

from .analysis_writer import write_near_repeat_alerts
from .campaigns_writer import write_campaigns
from .history import DEFAULT_DAYS
from .history_writer import write_history
from .loops_writer import ensure_settings, write_loops
from .plan import DEFAULT_SEED, AddressPlan, DemoPlan, OfficerPlan, StaffPlan, plan_demo
from .records_writer import write_records
from .reports_writer import write_reports

WHY = "the demo builder sets up every station"


class DemoConflict(RuntimeError):
    """The database holds something under a demo natural key that the demo cannot use."""


@dataclass
class BuildReport:
    """What `build_demo` found and made."""

    plan: DemoPlan
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    @property
    def changed_anything(self) -> bool:
        return self.created.total() > 0 or self.updated.total() > 0


@transaction.atomic
def build_demo(
    seed: int = DEFAULT_SEED, *, password: str | None = None, days: int = DEFAULT_DAYS, records: bool = True,
    campaigns: bool = True, reports: bool = True,
) -> BuildReport:
    """Build (or complete) the demo sub-bureau drawn from `seed`, in one transaction.

    New accounts get `password`, by default `settings.FENGQIAO_DEMO_PASSWORD`. Each
    station that has no calls yet gets `days` days of past calls, ending yesterday
    (0: none). With `records`, each station that has no residents yet gets its residents,
    houses, organisations, care registry, volunteers, disputes and a year of visits. With
    `campaigns`, the main station gets its verification lists. With `reports`, each station gets today's briefing and last week's and month's reports (PDFs:
    seconds; the demo's tests that do not look at them leave them out).
    """
    plan = plan_demo(seed)
    report = BuildReport(plan=plan)
    writer = _Writer(plan, report, password if password is not None else settings.FENGQIAO_DEMO_PASSWORD, days=days,
                     records=records, campaigns=campaigns, reports=reports)
    writer.write()
    return report


class _Writer:
    def __init__(self, plan: DemoPlan, report: BuildReport, password: str, *, days: int = 0, records: bool = False,
                 campaigns: bool = False, reports: bool = False) -> None:
        self.plan = plan
        self.report = report
        self.days = days
        self.records = records
        self.campaigns = campaigns
        self.reports = reports
        self._password = password
        self._password_hash: str | None = None
        self.groups: dict[str, Group] = {}
        self.stations: dict[str, Station] = {}
        self.teams: dict[tuple[str, str], Team] = {}
        self.beats: dict[tuple[str, str], Beat] = {}
        self.officers: dict[str, Officer] = {}
        # Rows made in this run: filling them in is part of creating them, not a gap.
        self._new_beats: set[int] = set()
        self._new_users: set[int] = set()

    def write(self) -> None:
        self._check_same_seed()
        sync_roles()
        self.groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_PERMISSIONS)}
        bureau = self._bureau()
        self._departments()
        self._units(bureau)
        self._stations(bureau)
        self._teams()
        self._beats()
        self._officers()
        self._responsible_officers()
        self._staff(bureau)
        self._addresses()
        self._history()
        self._records()
        self._loops()
        if self.campaigns:
            self._campaigns()
        self._near_repeats()
        if self.reports:
            self._reports()
        if self.report.created:
            refresh_statistics(connection)  # the tables were empty a moment ago as far as the planner knows

    # -- bookkeeping ---------------------------------------------------------------

    def _count(self, label: str, created: bool) -> None:
        if created:
            self.report.created[label] += 1
        else:
            self.report.existing[label] += 1

    def password_hash(self) -> str:
        """The demo password, hashed once: Argon2 is slow on purpose."""
        if self._password_hash is None:
            self._password_hash = make_password(self._password)
        return self._password_hash

    def _check_same_seed(self) -> None:
        """Refuse to complete a demo that was drawn from another seed.

        Mixing two seeds would add the second seed's extra addresses on top of the first
        seed's map, in beats drawn differently. The first address of each station tells
        the seeds apart: standard addresses are the rows people edit least.
        """
        for station_code in (station.code for station in self.plan.stations):
            first = next(plan for plan in self.plan.addresses if plan.station_code == station_code)
            found = (
                Address.objects.unscoped(WHY)
                .filter(station__code=station_code, code=first.code)
                .values_list("full_text", flat=True)
                .first()
            )
            if found is not None and found != _full_text(first):
                raise DemoConflict(
                    f"This database already holds a demo drawn from another seed (address {first.code} "
                    f"is {found!r}, seed {self.plan.seed} has {_full_text(first)!r}). Build with the seed "
                    f"it was made with, or start from a fresh database."
                )

    # -- organisation ----------------------------------------------------------------

    def _bureau(self) -> Bureau:
        bureau, created = Bureau.objects.get_or_create(
            code=self.plan.bureau.code, defaults={"name": self.plan.bureau.name}
        )
        self._count("bureaus", created)
        return bureau

    def _departments(self) -> None:
        for department in self.plan.departments:
            _, created = Department.objects.get_or_create(
                code=department.code,
                defaults={"name": department.name, "kind": department.kind, "phone": department.phone},
            )
            self._count("departments", created)

    def _units(self, bureau: Bureau) -> None:
        for plan in self.plan.units:
            _unit, created = Unit.objects.get_or_create(
                code=plan.code,
                defaults={"bureau": bureau, "kind": plan.kind, "name": plan.name, "phone": plan.phone,
                          "response_minutes": plan.response_minutes},
            )
            self._count("units", created)

    def _stations(self, bureau: Bureau) -> None:
        for plan in self.plan.stations:
            longitude, latitude = plan.position
            station, created = Station.objects.unscoped(WHY).get_or_create(
                code=plan.code,
                defaults={
                    "bureau": bureau, "name": plan.name, "address": plan.address,
                    "area_km2": f"{plan.area_km2:.2f}", "population": plan.population,
                    "urban": True, "latitude": latitude, "longitude": longitude,
                },
            )
            self._count("stations", created)
            self.stations[plan.code] = station

    def _teams(self) -> None:
        for plan in self.plan.teams:
            station = self.stations[plan.station_code]
            team, created = Team.objects.unscoped(WHY).get_or_create(
                station=station, name=plan.name, defaults={"kind": plan.kind}
            )
            self._count("teams", created)
            self.teams[(plan.station_code, plan.name)] = team

    def _beats(self) -> None:
        for plan in self.plan.beats:
            station = self.stations[plan.station_code]
            beat, created = Beat.objects.unscoped(WHY).get_or_create(
                station=station, code=plan.code,
                defaults={
                    "name": plan.name, "community": plan.community, "boundary": plan.boundary,
                    "office_address": plan.office_address,
                },
            )
            self._count("beats", created)
            if created:
                self._new_beats.add(beat.pk)
            self.beats[(plan.station_code, plan.code)] = beat

    # -- people --------------------------------------------------------------------

    def _officers(self) -> None:
        badges = [officer.badge for officer in self.plan.officers]
        found = Officer.objects.unscoped(WHY).filter(badge_number__in=badges).select_related("user")
        self.officers = {officer.badge_number: officer for officer in found}
        usernames = [officer.username for officer in self.plan.officers]
        users = {user.username: user for user in User.objects.filter(username__in=usernames)}
        now = timezone.now()
        # Police officers come first in the plan, so every supervisor exists before
        # the auxiliaries who answer to them.
        for plan in self.plan.officers:
            officer = self.officers.get(plan.badge)
            if officer is None:
                officer = self._new_officer(plan, self._account_of(plan, users), now)
                self.officers[plan.badge] = officer
            else:
                self._count("officers", created=False)
                if officer.user_id is None:
                    officer.user = self._account_of(plan, users)
                    officer.save(update_fields=["user"])
                    self.report.updated["officers given an account"] += 1
            self._join(officer.user, plan.role)

    def _account_of(self, plan: OfficerPlan, users: dict[str, User]) -> User:
        """The officer's user account: found by username, or made."""
        user = users.get(plan.username)
        if user is None:
            return self._new_user(plan.username, plan.name, is_staff=plan.is_staff)
        other = Officer.objects.unscoped(WHY).filter(user=user).exclude(badge_number=plan.badge).first()
        if other is not None:
            raise DemoConflict(
                f"user {user.username!r} already belongs to officer {other.badge_number}, "
                f"not to the demo officer {plan.badge}"
            )
        return user

    def _new_officer(self, plan: OfficerPlan, user: User, now: Any) -> Officer:
        longitude, latitude = plan.position if plan.position is not None else (None, None)
        officer = Officer.objects.create(
            user=user,
            station=self.stations[plan.station_code],
            name=plan.name,
            badge_number=plan.badge,
            rank=plan.rank,
            team=self.teams[(plan.station_code, plan.team_name)],
            beat=self.beats[(plan.station_code, plan.beat_code)] if plan.beat_code else None,
            supervisor=self.officers[plan.supervisor_badge] if plan.supervisor_badge else None,
            phone=plan.phone,
            duty_status=plan.duty_status,
            latitude=latitude,
            longitude=longitude,
            position_at=now if plan.position is not None else None,
        )
        self._count("officers", created=True)
        return officer

    def _new_user(
        self, username: str, name: str, *, is_staff: bool = False, is_superuser: bool = False
    ) -> User:
        user = User.objects.create(
            username=username,
            first_name=name,
            password=self.password_hash(),
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        self._count("users", created=True)
        self._new_users.add(user.pk)
        return user

    def _join(self, user: User | None, role: str) -> None:
        """Put `user` in the group of `role`, unless they are in it already."""
        if user is None:
            return
        group = self.groups[role]
        if user.pk in self._new_users:
            user.groups.add(group)
        elif not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            self.report.updated["group memberships"] += 1

    def _responsible_officers(self) -> None:
        for plan in self.plan.beats:
            beat = self.beats[(plan.station_code, plan.code)]
            if beat.responsible_officer_id is None:
                beat.responsible_officer = self.officers[plan.responsible_badge]
                beat.save(update_fields=["responsible_officer"])
                if beat.pk not in self._new_beats:
                    self.report.updated["beats given a responsible officer"] += 1

    def _staff(self, bureau: Bureau) -> None:
        for plan in self.plan.staff:
            user = self._staff_user(plan)
            self._join(user, plan.role)
            if plan.bureau_code is not None:
                _, created = BureauMember.objects.get_or_create(
                    user=user, defaults={"bureau": bureau, "name": plan.name, "title": plan.title}
                )
                self._count("bureau members", created)
            if plan.department_code is not None:
                _, created = DepartmentMember.objects.get_or_create(
                    user=user, defaults={"department": Department.objects.get(code=plan.department_code),
                                         "name": plan.name, "title": plan.title},
                )
                self._count("department members", created)
            if plan.unit_code is not None:
                _, created = UnitMember.objects.get_or_create(
                    user=user, defaults={"unit": Unit.objects.get(code=plan.unit_code), "name": plan.name,
                                         "badge_number": plan.badge},
                )
                self._count("unit members", created)

    def _staff_user(self, plan: StaffPlan) -> User:
        user = User.objects.filter(username=plan.username).first()
        if user is not None:
            self._count("users", created=False)
            return user
        return self._new_user(
            plan.username, plan.name, is_staff=plan.is_staff, is_superuser=plan.is_superuser
        )

    # -- records -------------------------------------------------------------------

    def _addresses(self) -> None:
        """Thousands of standard addresses, in bulk: one summary audit row per station."""
        for station_code, station in self.stations.items():
            planned = [plan for plan in self.plan.addresses if plan.station_code == station_code]
            present = set(
                Address.objects.unscoped(WHY).filter(station=station).values_list("code", flat=True)
            )
            missing = []
            for plan in planned:
                if plan.code in present:
                    continue
                longitude, latitude = plan.position
                missing.append(
                    Address(
                        station=station,
                        beat=self.beats[(station_code, plan.beat_code)],
                        code=plan.code,
                        district=plan.district,
                        street=plan.street,
                        community=plan.community,
                        road=plan.road,
                        number=plan.number,
                        building=plan.building,
                        unit=plan.unit,
                        room=plan.room,
                        full_text=_full_text(plan),
                        latitude=latitude,
                        longitude=longitude,
                    )
                )
            if planned and len(missing) < len(planned):
                self.report.existing["addresses"] += len(planned) - len(missing)
            if missing:
                Address.objects.bulk_create(missing, batch_size=500)
                self.report.created["addresses"] += len(missing)
                # bulk_create sends no signals, so the audit row is written here.
                record(
                    AuditEntry.Action.CREATED, obj=station, object_type="records.address",
                    object_id=f"{missing[0].code}–{missing[-1].code}",
                    object_repr=f"{station.name}: {len(missing)}",
                    reason=f"Demo builder: {len(missing)} standard addresses created in bulk.",
                )

    def _history(self) -> None:
        """A past of `days` days ending yesterday, for each station that has no calls yet
        (a station people have worked in keeps what it has). One summary audit row each."""
        if self.days <= 0:
            return
        start = timezone.localdate() - timedelta(days=self.days)
        for station in self.stations.values():
            existing = Call.objects.for_stations([station.pk]).count()
            if existing:
                self.report.existing["calls"] += existing
                continue
            written = write_history(station, seed=self.plan.seed, start=start, days=self.days)
            if not written:
                continue
            self.report.created.update(written)
            record(
                AuditEntry.Action.CREATED, obj=station, object_type="intake.call",
                object_id=f"{start:%Y-%m-%d}–{start + timedelta(days=self.days - 1):%Y-%m-%d}",
                object_repr=f"{station.name}: {written['calls']}",
                reason=(
                    f"Demo builder: {written['calls']} calls, {written['incidents']} incidents, "
                    f"{written['incident log entries']} log entries, {written['dispatch orders']} dispatch orders, "
                    f"{written['feedback reports']} feedback reports, {written['follow-up visits']} follow-up visits, "
                    f"{written['supervision orders']} supervision orders and {written['deadline breaches']} "
                    f"deadline breaches of {self.days} days created in bulk."
                ),
            )


    def _records(self) -> None:
        """Residents, houses, organisations, care subjects, volunteers, disputes and visits that
        agree with the past just written, for each station that has no residents yet (a station
        people have worked in keeps what it has). One summary audit row each (records_writer)."""
        if not self.records:
            return
        for station in self.stations.values():
            existing = Resident.objects.for_stations([station.pk]).count()
            if existing:
                self.report.existing["residents"] += existing
                continue
            self.report.created.update(write_records(station, plan=self.plan))

    def _loops(self) -> None:
        """Cases, transfers and support requests that agree with the incidents the stations hold,
        as they stand at midnight today, for each station that has none of them (a station people
        have worked in keeps what it has). The settings they run on are filled in where missing.
        One summary audit row each (loops_writer)."""
        end = timezone.make_aware(datetime.combine(timezone.localdate(), time()))
        for station in self.stations.values():
            created, found = ensure_settings(station)
            self.report.created.update(created)
            self.report.existing.update(found)
            existing = Counter({
                "cases": Case.objects.for_stations([station.pk]).count(),
                "transfers": Transfer.objects.for_stations([station.pk]).count(),
                "support requests": SupportRequest.objects.for_stations([station.pk]).count(),
            })
            if existing.total():
                self.report.existing.update(existing)
                continue
            self.report.created.update(write_loops(station, plan=self.plan, end=end))

    def _campaigns(self) -> None:
        """The verification campaigns of the main station — one closed and returned, one in
        progress now — loaded and worked through the campaigns app (campaigns_writer), when the
        station has residents and no campaign yet (a station people have worked in keeps what
        it has)."""
        station = self.stations.get(self.plan.stations[0].code)
        if station is None or not Resident.objects.for_stations([station.pk]).exists():
            return
        existing = Campaign.objects.for_stations([station.pk]).count()
        if existing:
            self.report.existing["verification campaigns"] += existing
            return
        self.report.created.update(write_campaigns(station, plan=self.plan, now=timezone.now()))

    def _near_repeats(self) -> None:
        """The near-repeat alerts the recent burglaries and thefts from vehicles raised
        (analysis_writer, through the analysis app): the history is written in bulk, which
        raises none. Incidents that have one already keep it."""
        for station in self.stations.values():
            self.report.created.update(write_near_repeat_alerts(station, now=timezone.now()))

    def _reports(self) -> None:
        """Today's briefing and last week's and last month's situation reports of each station,
        issued through the analysis app (reports_writer) into the archive and the inboxes."""
        for station in self.stations.values():
            made, found = write_reports(station, now=timezone.now())
            self.report.created.update(made)
            self.report.existing.update(found)


def _full_text(plan: AddressPlan) -> str:
    return Address.compose(
        district=plan.district, street=plan.street, road=plan.road, number=plan.number,
        building=plan.building, unit=plan.unit, room=plan.room,
    )
