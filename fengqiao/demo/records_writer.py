"""Writes a station's planned basic records and community work (`records_plan.py`) in bulk.

Tens of thousands of residents and visits go in with one `executemany` per table
(`history_writer.insert`), inside one transaction per station. Each identity number is
stored the way the records app stores it (`records.services.identity_fields`: encrypted
with the key outside the database, a keyed hash to find it by, the masked form); the
clear number is never written.

The planner reads the station's past first — the calls (who called from where about
what) and the incidents (dispute incidents, with how their orders ended) — so residents,
care flags, disputes and visits agree with it. Only a station without residents gets its
records (the builder checks); one summary audit row says what was written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from django.db import connection, models, transaction
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.community.models import (
    Dispute,
    DisputeParty,
    MediationStep,
    Visit,
    VolunteerActivity,
    VolunteerMember,
    VolunteerTeam,
)
from fengqiao.core.masking import mask_id_number
from fengqiao.dispatch.models import Dispatch
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Beat, Officer, Station
from fengqiao.records import crypto
from fengqiao.records.models import Address, CareSubject, House, Organisation, Resident

from .history import TAG_REPEAT_DISPUTE
from .history_writer import Row, _roomy_cache, insert
from .plan import DemoPlan
from .records_plan import DISPUTE_FAMILY, PastCall, PastIncident, StationRecords, plan_records


def write_records(station: Station, *, plan: DemoPlan, today: dt.date | None = None) -> Counter[str]:
    """Plan and write `station`'s records (it must have no residents yet), in one transaction;
    returns the rows written, by kind."""
    today = today or timezone.localdate()
    with _no_cycle_collection(), _roomy_cache(), transaction.atomic():
        known = _Known(station)
        planned = plan_records(plan, station.code, today=today, calls=known.past_calls(),
                               incidents=known.past_incidents())
        counts = _Writer(known, planned).write()
        if counts:
            record(
                AuditEntry.Action.CREATED, obj=station, object_type="records.resident",
                object_id=f"{station.code}:{today:%Y-%m-%d}",
                object_repr=f"{station.name}: {counts['residents']}",
                reason="Demo builder: " + ", ".join(f"{count} {label}" for label, count in counts.items())
                       + " created in bulk.",
            )
        return counts


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Many short-lived objects and no cycles worth chasing (as in history_writer)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def bulk_insert(model: type[models.Model], rows: Sequence[Row]) -> None:
    """`history_writer.insert`, or on PostgreSQL a COPY: several times faster for tens of
    thousands of rows. A field a row leaves out gets its default; `auto_now` fields the present
    time; psycopg adapts dates and aware times itself (these tables hold no JSON)."""
    if connection.vendor != "postgresql" or not rows:
        insert(model, rows)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    defaults: Row = {
        field.attname: now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in fields
    }
    quote = connection.ops.quote_name
    # Table and column names come from the model; the values are streamed, not interpolated.
    sql = "COPY {table} ({columns}) FROM STDIN".format(
        table=quote(model._meta.db_table), columns=", ".join(quote(field.column) for field in fields),
    )
    names = [field.attname for field in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            merged = {**defaults, **row}
            copy.write_row([merged[name] for name in names])


class _Known:
    """What the writer looks up about one station, read once."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.ids = [station.pk]
        self.tz = timezone.get_current_timezone()
        self.beats = dict(Beat.objects.for_stations(self.ids).values_list("code", "id"))
        self.officers: dict[str, tuple[int, int | None]] = {
            badge: (pk, user) for badge, pk, user in
            Officer.objects.for_stations(self.ids).values_list("badge_number", "id", "user_id")
        }
        self.addresses = dict(Address.objects.for_stations(self.ids).values_list("code", "id"))

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def aware(self, moment: dt.datetime) -> dt.datetime:
        # Asia/Shanghai keeps no summer time: no wall-clock time is ambiguous.
        return moment.replace(tzinfo=self.tz)

    def officer(self, badge: str) -> int | None:
        found = self.officers.get(badge)
        return found[0] if found else None

    def user(self, badge: str) -> int | None:
        found = self.officers.get(badge)
        return found[1] if found else None

    def past_calls(self) -> list[PastCall]:
        """The calls that opened incidents: where, about what, and who called."""
        rows = (
            Call.objects.for_stations(self.ids).filter(state=Call.State.INCIDENT)
            .values_list("caller_name", "caller_phone", "received_at", "address__code", "incident__address__code",
                         "incident__category__code")
            .order_by("id")
        )
        return [
            PastCall(address_code=address or incident_address or "", category=category or "",
                     received_at=self.local(received), caller_name=name, caller_phone=phone)
            for name, phone, received, address, incident_address, category in rows.iterator(chunk_size=5000)
        ]

    def past_incidents(self) -> list[PastIncident]:
        """Every incident (the planner counts them per address); the dispute ones with their
        callers and how their order ended."""
        rows = list(
            Incident.objects.for_stations(self.ids)
            .values_list("id", "number", "category__code", "received_at", "address__code", "beat__code", "state", "tags")
            .order_by("id")
        )
        wanted = {row[0] for row in rows if (row[2] or "").startswith(DISPUTE_FAMILY) or TAG_REPEAT_DISPUTE in (row[7] or [])}
        callers: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for incident_id, name, phone in (
            Call.objects.for_stations(self.ids).filter(incident_id__in=wanted)
            .values_list("incident_id", "caller_name", "caller_phone").order_by("received_at", "id")
        ):
            if name or phone:
                callers[incident_id].append((name, phone))
        orders: dict[int, tuple[str, dt.datetime | None, str]] = {}
        for incident_id, badge, arrived, actions in (
            Dispatch.objects.for_stations(self.ids).filter(incident_id__in=wanted)
            .values_list("incident_id", "officer__badge_number", "arrived_at", "feedback__actions").order_by("issued_at", "id")
        ):
            orders.setdefault(incident_id, (badge or "", arrived, actions or ""))
        incidents = []
        for pk, number, category, received, address, beat, state, tags in rows:
            badge, arrived, actions = orders.get(pk, ("", None, ""))
            incidents.append(PastIncident(
                number=number, category=category or "", received_at=self.local(received), address_code=address or "",
                beat_code=beat or "", state=state, tags=tuple(tags or ()),
                callers=tuple(callers.get(pk, ())) if pk in wanted else (),
                outcome=actions, officer_badge=badge, on_scene_at=self.local(arrived) if arrived else None,
            ))
        return incidents


class _Writer:
    def __init__(self, known: _Known, planned: StationRecords) -> None:
        self.known = known
        self.planned = planned
        self.station_id = known.station.pk
        self.counts: Counter[str] = Counter()
        self.residents: dict[str, int] = {}  # id number → resident id
        self.houses: dict[int, int] = {}  # address id → house id
        self.organisations: dict[int, int] = {}  # plan key → organisation id
        self.care: dict[tuple[str, str], int] = {}
        self.disputes: dict[str, int] = {}

    def write(self) -> Counter[str]:
        self._residents()
        self._houses()
        self._organisations()
        self._care()
        self._volunteers()
        self._disputes()
        self._visits()
        return self.counts

    def _insert(self, model: type[models.Model], rows: Sequence[Row], label: str) -> None:
        bulk_insert(model, rows)
        if rows:
            self.counts[label] += len(rows)

    def _new_ids(self, model: type[models.Model], before: int, count: int) -> list[int]:
        """The ids of the `count` rows just inserted into `model` for this station, in insertion order."""
        found = list(model.objects.for_stations([self.station_id]).filter(pk__gt=before)
                     .order_by("pk").values_list("pk", flat=True))
        if len(found) != count:
            raise RuntimeError(f"expected {count} new {model.__name__} rows at {self.known.station.code}, found {len(found)}")
        return found

    def _last_id(self, model: type[models.Model]) -> int:
        return model.objects.for_stations([self.station_id]).aggregate(last=models.Max("pk"))["last"] or 0

    # -- records -------------------------------------------------------------------------------------

    def _residents(self) -> None:
        addresses, beats = self.known.addresses, self.known.beats
        rows: list[Row] = []
        for person in self.planned.people:
            # As records.services.identity_fields stores a number, without parsing it again:
            # the planner made it valid, with the person's birth date and sex (the tests check).
            rows.append({
                "station_id": self.station_id, "name": person.name,
                "id_number_cipher": crypto.encrypt(person.id_number), "id_number_hash": crypto.search_hash(person.id_number),
                "id_number_masked": mask_id_number(person.id_number), "sex": person.sex, "birth_date": person.birth_date,
                "phone": person.phone, "registration": person.registration,
                "address_id": addresses[person.address_code], "beat_id": beats.get(person.beat_code),
                "relation": person.relation, "moved_in_on": person.moved_in_on, "moved_out_on": person.moved_out_on,
                "notes": person.notes,
            })
        hashes = {row["id_number_hash"]: person.id_number for row, person in zip(rows, self.planned.people, strict=True)}
        self._insert(Resident, rows, "residents")
        for id_hash, pk in Resident.objects.for_stations([self.station_id]).values_list("id_number_hash", "id"):
            if id_hash in hashes:
                self.residents[hashes[id_hash]] = pk

    def _houses(self) -> None:
        addresses, beats = self.known.addresses, self.known.beats
        rows: list[Row] = []
        for house in self.planned.houses:
            rows.append({
                "station_id": self.station_id, "address_id": addresses[house.address_code],
                "beat_id": beats.get(house.beat_code), "use": house.use, "tenure": house.tenure,
                "landlord_id": self.residents.get(house.landlord_id_number), "landlord_name": house.landlord_name,
                "landlord_phone": house.landlord_phone, "rental_registered_on": house.rental_registered_on,
                "rental_expires_on": house.rental_expires_on, "notes": house.notes,
            })
        self._insert(House, rows, "houses")
        self.houses = dict(House.objects.for_stations([self.station_id]).values_list("address_id", "id"))

    def _organisations(self) -> None:
        addresses, beats = self.known.addresses, self.known.beats
        before = self._last_id(Organisation)
        rows: list[Row] = [{
            "station_id": self.station_id, "name": organisation.name, "kind": organisation.kind,
            "address_id": addresses[organisation.address_code], "beat_id": beats.get(organisation.beat_code),
            "contact_name": organisation.contact_name, "contact_phone": organisation.contact_phone,
            "credit_code": organisation.credit_code, "key_place": organisation.key_place,
            "employees": organisation.employees, "notes": organisation.notes,
        } for organisation in self.planned.organisations]
        self._insert(Organisation, rows, "organisations")
        ids = self._new_ids(Organisation, before, len(rows))
        self.organisations = {organisation.key: pk for organisation, pk in zip(self.planned.organisations, ids, strict=True)}

    def _care(self) -> None:
        known = self.known
        rows: list[Row] = [{
            "station_id": self.station_id, "resident_id": self.residents[subject.id_number], "reason": subject.reason,
            "beat_id": known.beats.get(subject.beat_code), "officer_id": known.officer(subject.officer_badge),
            "review_on": subject.review_on, "notes": subject.notes, "started_on": subject.started_on,
        } for subject in self.planned.care]
        self._insert(CareSubject, rows, "care subjects")
        by_resident = {pk: number for number, pk in self.residents.items()}
        for pk, resident_id, reason in (CareSubject.objects.for_stations([self.station_id])
                                        .values_list("id", "resident_id", "reason")):
            if resident_id in by_resident:
                self.care[(by_resident[resident_id], reason)] = pk

    # -- volunteers ----------------------------------------------------------------------------------

    def _volunteers(self) -> None:
        known = self.known
        teams = self.planned.teams
        self._insert(VolunteerTeam, [{
            "station_id": self.station_id, "name": team.name, "kind": team.kind, "beat_id": known.beats.get(team.beat_code),
            "officer_id": known.officer(team.officer_badge), "leader_name": team.leader_name,
            "leader_phone": team.leader_phone, "founded_on": team.founded_on, "active": True,
        } for team in teams], "volunteer teams")
        team_ids = dict(VolunteerTeam.objects.for_stations([self.station_id]).values_list("name", "id"))
        before = self._last_id(VolunteerMember)
        members: list[Row] = []
        for team in teams:
            for member in team.members:
                members.append({
                    "team_id": team_ids[team.name], "resident_id": self.residents.get(member.id_number),
                    "name": member.name, "phone": member.phone, "joined_on": member.joined_on, "left_on": member.left_on,
                })
        self._insert(VolunteerMember, members, "volunteers")
        member_ids = iter(self._new_ids(VolunteerMember, before, len(members)))
        ids_of = {team.name: [next(member_ids) for _ in team.members] for team in teams}
        before = self._last_id(VolunteerActivity)
        activities: list[Row] = []
        for team in teams:
            creator = known.user(team.officer_badge)
            for activity in team.activities:
                activities.append({
                    "team_id": team_ids[team.name], "kind": activity.kind, "started_at": known.aware(activity.started_at),
                    "ended_at": known.aware(activity.ended_at), "area": activity.area,
                    "participants": len(activity.members), "notes": activity.notes,
                    "officer_id": known.officer(activity.officer_badge) if activity.officer_badge else None,
                    "created_by_id": creator,
                })
        self._insert(VolunteerActivity, activities, "volunteer activities")
        activity_ids = iter(self._new_ids(VolunteerActivity, before, len(activities)))
        links: list[Row] = []
        for team in teams:
            for activity in team.activities:
                activity_id = next(activity_ids)
                links.extend({"volunteeractivity_id": activity_id, "volunteermember_id": ids_of[team.name][index]}
                             for index in activity.members)
        bulk_insert(VolunteerActivity.members.through, links)

    # -- disputes -----------------------------------------------------------------------------------

    def _disputes(self) -> None:
        known = self.known
        disputes = self.planned.disputes
        if not disputes:
            return
        self._insert(Dispute, [{
            "station_id": self.station_id, "number": dispute.number, "kind": dispute.kind, "risk": dispute.risk,
            "summary": dispute.summary, "address_id": known.addresses.get(dispute.address_code),
            "beat_id": known.beats.get(dispute.beat_code), "officer_id": known.officer(dispute.officer_badge),
            "mediator": dispute.mediator, "follow_up_on": dispute.follow_up_on, "outcome": dispute.outcome,
            "outcome_note": dispute.outcome_note, "opened_at": known.aware(dispute.opened_at),
            "opened_by_id": known.user(dispute.officer_badge),
            "closed_at": known.aware(dispute.closed_at) if dispute.closed_at else None,
        } for dispute in disputes], "disputes")
        self.disputes = dict(Dispute.objects.for_stations([self.station_id]).filter(
            number__in=[dispute.number for dispute in disputes]).values_list("number", "id"))
        incidents = dict(Incident.objects.for_stations([self.station_id]).filter(
            number__in=[number for dispute in disputes for number in dispute.incident_numbers]).values_list("number", "id"))
        parties: list[Row] = []
        steps: list[Row] = []
        links: list[Row] = []
        for dispute in disputes:
            dispute_id = self.disputes[dispute.number]
            for party in dispute.parties:
                parties.append({"dispute_id": dispute_id, "resident_id": self.residents.get(party.id_number),
                                "name": party.name, "phone": party.phone, "role": party.role})
            for step in dispute.steps:
                steps.append({
                    "dispute_id": dispute_id, "at": known.aware(step.at), "officer_id": known.officer(step.officer_badge),
                    "mediator": step.mediator, "method": step.method, "result": step.result,
                    "next_follow_up_on": step.next_follow_up_on,
                    "created_by_id": known.user(step.officer_badge) or known.user(dispute.officer_badge),
                })
            links.extend({"dispute_id": dispute_id, "incident_id": incidents[number]}
                         for number in dispute.incident_numbers if number in incidents)
        self._insert(DisputeParty, parties, "dispute parties")
        self._insert(MediationStep, steps, "mediation steps")
        self._insert(Dispute.incidents.through, links, "dispute incident links")

    # -- visits ---------------------------------------------------------------------------------------

    def _visits(self) -> None:
        known = self.known
        visits = self.planned.visits
        before = self._last_id(Visit)
        rows: list[Row] = []
        for visit in visits:
            address_id = known.addresses[visit.address_code]
            rows.append({
                "station_id": self.station_id, "officer_id": known.officer(visit.officer_badge),
                "companions": visit.companions, "visited_at": known.aware(visit.visited_at), "target": visit.target,
                "address_id": address_id, "beat_id": known.beats.get(visit.beat_code),
                "house_id": self.houses.get(address_id) if visit.house else None,
                "organisation_id": self.organisations.get(visit.organisation_key) if visit.organisation_key is not None else None,
                "care_subject_id": self.care.get(visit.care) if visit.care else None,
                "dispute_id": self.disputes.get(visit.dispute_number) if visit.dispute_number else None,
                "purpose": visit.purpose, "findings": visit.findings, "follow_up_needed": visit.follow_up_needed,
                "follow_up_note": visit.follow_up_note, "created_by_id": known.user(visit.officer_badge),
            })
        self._insert(Visit, rows, "visits")
        ids = self._new_ids(Visit, before, len(rows))
        met: list[Row] = []
        for visit, visit_id in zip(visits, ids, strict=True):
            met.extend({"visit_id": visit_id, "resident_id": self.residents[number]} for number in visit.residents)
        self._insert(Visit.residents.through, met, "people met on visits")
