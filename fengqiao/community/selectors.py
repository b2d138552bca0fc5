"""Reading community work, scoped like the basic records: the user's stations, and for an
auxiliary only their officer's beat (`records.selectors.scoped`).

The coverage reads hand addresses and their last visit to the pure `coverage` module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Beat, Officer, Station
from fengqiao.records.models import Address, House, Resident
from fengqiao.records.selectors import own_beat_id, scoped, work_beat_id

from . import coverage
from .models import Dispute, Visit, VolunteerActivity, VolunteerTeam

# Houses whose use means people live there.
HOUSEHOLD_USES = (House.Use.RESIDENTIAL, House.Use.MIXED, House.Use.DORMITORY)


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, for range filters that can use an index
    (a `__date` lookup computes the date of every row)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def visited_between(visits: QuerySet[Visit], start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Visit]:
    """Visits from the local day `start` to the local day `end`, both included."""
    if start is not None:
        visits = visits.filter(visited_at__gte=day_start(start))
    if end is not None:
        visits = visits.filter(visited_at__lt=day_start(end + dt.timedelta(days=1)))
    return visits


def visits_for(user: Any) -> QuerySet[Visit]:
    return scoped(Visit, user)


def disputes_for(user: Any) -> QuerySet[Dispute]:
    return scoped(Dispute, user)


def teams_for(user: Any) -> QuerySet[VolunteerTeam]:
    return scoped(VolunteerTeam, user)


def activities_for(user: Any) -> QuerySet[VolunteerActivity]:
    return scoped(VolunteerActivity, user, beat_field="team__beat")


def beats_for(user: Any, station: Station) -> QuerySet[Beat]:
    """The station's beats the user works with: all of them, an auxiliary's own only."""
    beats = Beat.objects.for_user(user).filter(station=station).select_related("responsible_officer").order_by("code")
    limited = work_beat_id(user)
    if limited is not None:
        beats = beats.filter(pk=limited)
    return beats


def default_beat_id(user: Any, beats: list[Beat]) -> int | None:
    """The beat a page opens on: the user's own, if it is among `beats`; else none (the station)."""
    mine = own_beat_id(user)
    if mine is not None and any(beat.pk == mine for beat in beats):
        return mine
    if work_beat_id(user) is not None and beats:
        return beats[0].pk
    return None


def officers_of(station: Station) -> QuerySet[Officer]:
    """Police officers of the station (not auxiliaries), for 'responsible officer' choices."""
    return (Officer.objects.for_stations([station.pk]).filter(rank=Officer.Rank.OFFICER)
            .select_related("team").order_by("team__kind", "name"))


# -- coverage ----------------------------------------------------------------------------------


def household_addresses(user: Any, station: Station, beat_id: int | None = None) -> QuerySet[Address]:
    """Addresses where people live: a house for living in, or a current resident."""
    addresses = scoped(Address, user).filter(station=station)
    if beat_id is not None:
        addresses = addresses.filter(beat_id=beat_id)
    lives_here = Resident.objects.for_stations([station.pk]).filter(
        address=OuterRef("pk"), merged_into__isnull=True, moved_out_on__isnull=True)
    return addresses.filter(Q(house__use__in=HOUSEHOLD_USES) | Exists(lives_here))


def last_visits(station: Station, address_ids: list[int] | None = None) -> dict[int, dt.date]:
    """The local day of each address's last visit, for the station's visited addresses."""
    visits = Visit.objects.for_stations([station.pk])
    if address_ids is not None and len(address_ids) <= 500:
        visits = visits.filter(address_id__in=address_ids)
    rows = visits.values("address_id").annotate(last=Max("visited_at")).order_by().values_list("address_id", "last")
    # Thousands of rows: the zone's offset is looked up once per day, not once per row.
    zone = timezone.get_current_timezone()
    offsets: dict[dt.date, dt.timedelta] = {}
    days: dict[int, dt.date] = {}
    for address_id, last in rows:
        day = last.date()
        offset = offsets.get(day)
        if offset is None:
            offset = offsets[day] = last.astimezone(zone).utcoffset() or dt.timedelta(0)
        days[address_id] = (last.astimezone(dt.UTC) + offset).date()
    return days


def _label(road: str, number: str, building: str, unit: str, room: str) -> str:
    return f"{road}{number}{building}{unit}{room}"


def households(user: Any, station: Station, beat_id: int | None = None) -> list[coverage.Household]:
    """Every household the user may see (of one beat, if given) with its last visit."""
    rows = list(household_addresses(user, station, beat_id).order_by().values_list(
        "pk", "beat_id", "latitude", "longitude", "road", "number", "building", "unit", "room"))
    last = last_visits(station, [row[0] for row in rows])
    return [
        coverage.Household(address_id=pk, beat_id=beat, latitude=lat, longitude=lon, last_visit=last.get(pk),
                           label=_label(road, number, building, unit, room))
        for pk, beat, lat, lon, road, number, building, unit, room in rows
    ]


@dataclass
class CoverageRow:
    """One beat's line in the coverage panel."""

    beat: Beat | None
    counts: coverage.BeatCoverage

    @property
    def percent(self) -> int:
        return round(100 * self.counts.share_covered)


@dataclass
class CoverageReport:
    today: dt.date
    rows: list[CoverageRow]
    overall: coverage.BeatCoverage
    households: list[coverage.Household] = field(default_factory=list)


def coverage_report(user: Any, station: Station, beat_id: int | None = None, *, today: dt.date | None = None) -> CoverageReport:
    """Counts per beat (every beat the user sees, even one with no households yet)."""
    today = today or timezone.localdate()
    beats = list(beats_for(user, station))
    if beat_id is not None:
        beats = [beat for beat in beats if beat.pk == beat_id]
    found = households(user, station, beat_id)
    per_beat = coverage.summarise(found, today)
    rows = [CoverageRow(beat, per_beat.get(beat.pk) or coverage.BeatCoverage(beat.pk)) for beat in beats]
    if None in per_beat and beat_id is None:
        rows.append(CoverageRow(None, per_beat[None]))
    return CoverageReport(today=today, rows=rows, overall=coverage.total(per_beat.values()), households=found)


# -- disputes --------------------------------------------------------------------------------------


def follow_ups_due(disputes: QuerySet[Dispute], today: dt.date | None = None) -> QuerySet[Dispute]:
    """Disputes whose follow-up day has come (open or closed with a return visit due)."""
    today = today or timezone.localdate()
    return disputes.filter(follow_up_on__isnull=False, follow_up_on__lte=today)


def disputes_of_incident(user: Any, incident: Incident) -> list[Dispute]:
    return list(disputes_for(user).filter(incidents=incident).select_related("officer").order_by("-opened_at"))


# -- the overview ----------------------------------------------------------------------------------


@dataclass
class Overview:
    beat: Beat | None
    month_start: dt.date
    visits_this_month: int
    visits_by_purpose: list[tuple[str, int]]
    follow_up_visits: int
    coverage: coverage.BeatCoverage
    overdue_households: list[coverage.Household]
    open_by_risk: dict[str, int]
    open_disputes: int
    due: list[Dispute]
    due_count: int
    activities: int
    participants: int
    active_teams: int
    recent_activities: list[VolunteerActivity]
    recent_visits: list[Visit]


def overview(user: Any, station: Station, beat: Beat | None, *, now: dt.datetime | None = None) -> Overview:
    """Community work of one beat (or the whole station, `beat` None) at a glance."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    month_start = today.replace(day=1)
    beat_id = beat.pk if beat is not None else None

    def of_beat(queryset: QuerySet[Any], station_field: str = "station", beat_field: str = "beat") -> QuerySet[Any]:
        queryset = queryset.filter(**{station_field: station})
        return queryset.filter(**{f"{beat_field}_id": beat_id}) if beat_id is not None else queryset

    visits = of_beat(visits_for(user))
    this_month = visited_between(visits, month_start)
    purposes = dict(Visit.Purpose.choices)
    by_purpose = [(str(purposes.get(row["purpose"], row["purpose"])), row["n"])
                  for row in this_month.values("purpose").annotate(n=Count("id")).order_by("-n")]
    found = households(user, station, beat_id)
    disputes = of_beat(disputes_for(user))
    open_by_risk = {row["risk"]: row["n"] for row in
                    disputes.filter(outcome=Dispute.Outcome.OPEN).values("risk").annotate(n=Count("id"))}
    due = follow_ups_due(disputes, today).select_related("officer").order_by("follow_up_on", "number")
    activities = of_beat(activities_for(user), "team__station", "team__beat").filter(started_at__gte=now - dt.timedelta(days=30))
    totals = activities.aggregate(n=Count("id"), people=Sum("participants"), teams=Count("team", distinct=True))
    return Overview(
        beat=beat, month_start=month_start, visits_this_month=this_month.count(), visits_by_purpose=by_purpose,
        follow_up_visits=visited_between(visits.filter(follow_up_needed=True), today - dt.timedelta(days=30)).count(),
        coverage=coverage.total(coverage.summarise(found, today).values()),
        overdue_households=coverage.overdue(found, today, limit=8),
        open_by_risk={risk: open_by_risk.get(risk, 0) for risk in (Dispute.Risk.HIGH, Dispute.Risk.MEDIUM, Dispute.Risk.LOW)},
        open_disputes=sum(open_by_risk.values()), due=list(due[:10]), due_count=due.count(),
        activities=totals["n"] or 0, participants=totals["people"] or 0, active_teams=totals["teams"] or 0,
        recent_activities=list(activities.select_related("team").order_by("-started_at")[:5]),
        recent_visits=list(visited_between(visits, today - dt.timedelta(days=30)).select_related("address", "officer")
                           .order_by("-visited_at")[:6]),
    )
