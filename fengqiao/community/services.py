"""Community work writes: visits, the dispute ledger and volunteer forces.

Every change goes through one function here: it checks the input (a ValidationError
names each wrong field, and nothing is kept then), makes the change in one transaction
and leaves the audit trail. Visits, disputes, mediation steps and volunteer teams are
audited by their save signals (see apps.py); parties, people met, linked incidents,
members and activities get explicit audit rows, with phone numbers masked.

Records a user refers to (an address, a resident, a dispute) are looked up through
`records.selectors.scoped`, so an auxiliary can refer only to their officer's beat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core import numbering
from fengqiao.core.masking import mask_phone
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.intake.services import _log as log_on_incident
from fengqiao.organisation.models import Beat, Officer, Station
from fengqiao.organisation.selectors import officer_for
from fengqiao.records.models import Address, House, Organisation, Resident
from fengqiao.records.selectors import care_subjects_for, scoped

from .models import (
    Dispute,
    DisputeParty,
    MediationStep,
    Visit,
    VolunteerActivity,
    VolunteerMember,
    VolunteerTeam,
)

# A time this far ahead of the server's clock is a typing or clock error.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# A dispute opened from an incident is looked at again this many days later (DESIGN.md §3).
FOLLOW_UP_DAYS = 2
# Dispute numbers: 纠2026-0001, a sequence per station and year.
NUMBER_PREFIX = "纠"
# What a caller who becomes a party is called in the ledger (data, like category names).
CALLER_ROLE = "报警人"
# Reopening a closed dispute is a leader's decision (DESIGN.md §2: leaders approve).
REOPEN_ROLE = "leader"
# Outcomes that send the matter elsewhere, and so must say where.
OUTCOMES_NEEDING_A_NOTE = (Dispute.Outcome.COURT, Dispute.Outcome.DEPARTMENT, Dispute.Outcome.CASE)
# Organisations that are visited as shops rather than as organisations.
SHOP_KINDS = (Organisation.Kind.SHOP, Organisation.Kind.RESTAURANT, Organisation.Kind.MARKET)
# The dispute kind an incident category suggests, by the category's code.
KIND_OF_CATEGORY = {
    "dispute.neighbour": Dispute.Kind.NEIGHBOUR,
    "dispute.family": Dispute.Kind.FAMILY,
    "dispute.romance": Dispute.Kind.ROMANCE,
    "dispute.debt": Dispute.Kind.DEBT,
    "dispute.labour": Dispute.Kind.LABOUR,
    "dispute.property": Dispute.Kind.PROPERTY,
    "dispute.consumer": Dispute.Kind.CONSUMER,
    "dispute.other": Dispute.Kind.OTHER,
    "traffic.collision": Dispute.Kind.TRAFFIC,
}
# The risk an incident's priority suggests (1 emergency … 4 low).
RISK_OF_PRIORITY = {1: Dispute.Risk.HIGH, 2: Dispute.Risk.MEDIUM, 3: Dispute.Risk.LOW, 4: Dispute.Risk.LOW}


class Refused(Exception):
    """A step the record's state does not allow (a closed dispute, an open one reopened)."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# -- small checks ------------------------------------------------------------------------------


def clean_phone(raw: str) -> str:
    """Digits only; a leading +86 / 86 country code on a mobile number is dropped."""
    digits = "".join(char for char in (raw or "") if char.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def _phone_error(raw: str) -> str | None:
    if not (raw or "").strip():
        return None
    if any(not (char.isdigit() or char in "+- ") for char in raw):
        return _("A phone number is digits only.")
    digits = clean_phone(raw)
    if not 7 <= len(digits) <= 12:
        return _("A phone number is 7 to 12 digits.")
    return None


def _check_time(errors: dict[str, list[str]], name: str, value: dt.datetime, now: dt.datetime) -> None:
    if value > now + FUTURE_TOLERANCE:
        errors.setdefault(name, []).append(_("This time is in the future."))
    elif value < now - dt.timedelta(days=366):
        errors.setdefault(name, []).append(_("This time is more than a year ago."))


def _check_choice(errors: dict[str, list[str]], name: str, value: str, choices: Any) -> None:
    if value not in choices.values:
        errors.setdefault(name, []).append(_("Choose one of the listed values."))


def _check_text(errors: dict[str, list[str]], name: str, value: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(text) > limit:
        errors.setdefault(name, []).append(_("At most %(limit)s characters.") % {"limit": limit})
    return text


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _local_today(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


def _officer_of_station(station_id: int, officer_id: int | None) -> Officer | None:
    if officer_id is None:
        return None
    return Officer.objects.for_stations([station_id]).filter(pk=officer_id).first()


def _masked_party(party: DisputeParty) -> dict[str, Any]:
    return {"resident": party.resident_id, "name": party.name, "phone": mask_phone(party.phone), "role": party.role}


# -- visits ------------------------------------------------------------------------------------


@dataclass
class VisitData:
    """A visit as the form or the API gives it. The address may come from what is visited."""

    purpose: str
    visited_at: dt.datetime | None = None
    target: str = ""
    address_id: int | None = None
    house_id: int | None = None
    organisation_id: int | None = None
    care_subject_id: int | None = None
    dispute_id: int | None = None
    resident_ids: list[int] = field(default_factory=list)
    findings: str = ""
    follow_up_needed: bool = False
    follow_up_note: str = ""
    companions: str = ""


@dataclass
class _VisitPlace:
    address: Address | None = None
    house: House | None = None
    organisation: Organisation | None = None
    care_subject: Any = None
    dispute: Dispute | None = None
    people: list[Resident] = field(default_factory=list)


def _visit_place(station: Station, data: VisitData, user: Any, errors: dict[str, list[str]]) -> _VisitPlace:
    """The address and the records the visit is about, each among those the user may see."""
    place = _VisitPlace()
    addresses: list[tuple[str, Address | None]] = []
    if data.house_id is not None:
        place.house = scoped(House, user).filter(station=station, pk=data.house_id).select_related("address").first()
        if place.house is None:
            errors["house"] = [_("No such house in your area.")]
        else:
            addresses.append(("house", place.house.address))
    if data.organisation_id is not None:
        place.organisation = (scoped(Organisation, user).filter(station=station, pk=data.organisation_id)
                              .select_related("address").first())
        if place.organisation is None:
            errors["organisation"] = [_("No such organisation in your area.")]
        else:
            addresses.append(("organisation", place.organisation.address))
    if data.care_subject_id is not None:
        place.care_subject = (care_subjects_for(user).filter(station=station, pk=data.care_subject_id)
                              .select_related("resident__address").first())
        if place.care_subject is None:
            errors["care_subject"] = [_("No such care subject among yours.")]
        else:
            addresses.append(("care_subject", place.care_subject.resident.address))
    if data.dispute_id is not None:
        place.dispute = scoped(Dispute, user).filter(station=station, pk=data.dispute_id).select_related("address").first()
        if place.dispute is None:
            errors["dispute"] = [_("No such dispute in your area.")]
    if data.address_id is not None:
        place.address = scoped(Address, user).filter(station=station, pk=data.address_id).first()
        if place.address is None:
            errors["address"] = [_("No such address in your area.")]
    else:
        found = [address for _name, address in addresses if address is not None]
        if found:
            place.address = found[0]
        elif place.dispute is not None and place.dispute.address_id:
            place.address = place.dispute.address
        elif "address" not in errors and not any(name in errors for name in ("house", "organisation", "care_subject", "dispute")):
            errors["address"] = [_("Choose the address that was visited.")]
    # A house or organisation elsewhere than the address chosen is a mix-up, not a visit.
    if place.address is not None:
        for name, address in addresses:
            if name != "care_subject" and address is not None and address.pk != place.address.pk:
                errors.setdefault(name, []).append(_("This is at another address than the one visited."))
    if data.resident_ids:
        wanted = set(data.resident_ids)
        place.people = list(scoped(Resident, user).filter(station=station, pk__in=wanted, merged_into__isnull=True))
        if len(place.people) != len(wanted):
            errors["residents"] = [_("Some of these people are not on record in your area.")]
    return place


def _visit_target(data: VisitData, place: _VisitPlace) -> str:
    if data.target:
        return data.target
    if place.organisation is not None:
        return Visit.Target.SHOP if place.organisation.kind in SHOP_KINDS else Visit.Target.ORGANISATION
    return Visit.Target.HOUSEHOLD


@transaction.atomic
def log_visit(station: Station, data: VisitData, *, user: Any, now: dt.datetime | None = None) -> Visit:
    """Record a visit by the user (an officer or auxiliary) to an address.

    A visit about a dispute is its follow-up: it clears the dispute's follow-up date,
    unless the visit itself says more follow-up is needed.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    officer = officer_for(user)
    if officer is None or officer.station_id != station.pk:
        errors["officer"] = [_("Only an officer or auxiliary of this station can record a visit.")]
    _check_choice(errors, "purpose", data.purpose, Visit.Purpose)
    if data.target:
        _check_choice(errors, "target", data.target, Visit.Target)
    visited_at = data.visited_at or now
    _check_time(errors, "visited_at", visited_at, now)
    findings = _check_text(errors, "findings", data.findings, 4000)
    note = _check_text(errors, "follow_up_note", data.follow_up_note, 200, required=data.follow_up_needed)
    companions = _check_text(errors, "companions", data.companions, 200)
    place = _visit_place(station, data, user, errors)
    _raise(errors)
    assert place.address is not None and officer is not None
    house = place.house
    if house is None and place.organisation is None:
        # A household visit is filed under the address's house, when it has one.
        house = House.objects.for_stations([station.pk]).filter(address=place.address).first()
    visit = Visit(
        station=station, officer=officer, companions=companions, visited_at=visited_at,
        target=_visit_target(data, place), address=place.address, beat_id=place.address.beat_id,
        house=house, organisation=place.organisation, care_subject=place.care_subject, dispute=place.dispute,
        purpose=data.purpose, findings=findings, follow_up_needed=data.follow_up_needed,
        follow_up_note=note if data.follow_up_needed else "", created_by=user,
    )
    visit.save()
    if place.people:
        visit.residents.set(place.people)
        record(AuditEntry.Action.UPDATED, obj=visit, user=user,
               changes={"residents": [[], sorted(person.pk for person in place.people)]})
    if place.dispute is not None and place.dispute.follow_up_on is not None and not data.follow_up_needed:
        dispute = _locked_dispute(place.dispute)
        dispute.follow_up_on = None
        dispute.save(update_fields=["follow_up_on"])
    return visit


# -- disputes ------------------------------------------------------------------------------------


@dataclass
class PartyData:
    """One side of a dispute: a resident on record, or a name (and phone) as given."""

    name: str = ""
    phone: str = ""
    role: str = ""
    resident_id: int | None = None
    call_id: int | None = None  # the call the party rang in on (where the phone came from)


@dataclass
class DisputeData:
    """A new dispute. The beat comes from the address when it has one; the responsible
    officer defaults to the beat's."""

    kind: str
    summary: str
    risk: str = Dispute.Risk.LOW
    address_id: int | None = None
    beat_id: int | None = None
    officer_id: int | None = None
    mediator: str = ""
    follow_up_on: dt.date | None = None
    parties: list[PartyData] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)


def _locked_dispute(dispute: Dispute) -> Dispute:
    return Dispute.objects.for_stations([dispute.station_id]).select_for_update().get(pk=dispute.pk)


def _last_sequence(station_id: int, prefix: str) -> int:
    return numbering.last_sequence(Dispute.objects.for_stations([station_id]), prefix)


def _save_numbered(dispute: Dispute) -> None:
    """Give the new dispute the station's next number of the year and insert it (see `core.numbering`)."""
    prefix = f"{NUMBER_PREFIX}{timezone.localtime(dispute.opened_at).year}-"
    numbering.insert_numbered(
        dispute, lambda: f"{prefix}{_last_sequence(dispute.station_id, prefix) + 1:04d}",
        taken=lambda number: Dispute.objects.for_stations([dispute.station_id]).filter(number=number).exists(),
    )


def _check_parties(station: Station, parties: list[PartyData], user: Any, errors: dict[str, list[str]]) -> list[DisputeParty]:
    """Each party as a row to save; a resident among those the user may see."""
    ids = {party.resident_id for party in parties if party.resident_id is not None}
    residents = {resident.pk: resident for resident in
                 scoped(Resident, user).filter(station=station, pk__in=ids, merged_into__isnull=True)} if ids else {}
    rows: list[DisputeParty] = []
    for index, party in enumerate(parties):
        name = " ".join((party.name or "").split())
        resident = residents.get(party.resident_id) if party.resident_id is not None else None
        problems: list[str] = []
        if party.resident_id is not None and resident is None:
            problems.append(_("Party %(n)s: no such resident in your area.") % {"n": index + 1})
        if resident is None and not name and party.resident_id is None and not clean_phone(party.phone):
            problems.append(_("Party %(n)s: give a name or a phone, or choose a resident.") % {"n": index + 1})
        if len(name) > 50:
            problems.append(_("Party %(n)s: the name is too long.") % {"n": index + 1})
        phone_problem = _phone_error(party.phone)
        if phone_problem:
            problems.append(_("Party %(n)s: %(problem)s") % {"n": index + 1, "problem": phone_problem})
        if len((party.role or "").strip()) > 50:
            problems.append(_("Party %(n)s: the role is too long.") % {"n": index + 1})
        if problems:
            errors.setdefault("parties", []).extend(problems)
            continue
        rows.append(DisputeParty(resident=resident, name=name or (resident.name if resident else ""),
                                 phone=clean_phone(party.phone), role=(party.role or "").strip()))
    return rows


def _add_parties(dispute: Dispute, rows: list[DisputeParty], user: Any) -> None:
    for party in rows:
        party.dispute = dispute
        party.save()
        record(AuditEntry.Action.CREATED, obj=party, user=user, object_repr=f"{dispute.number} · {party.name}"[:200],
               changes={"dispute": dispute.pk, **_masked_party(party)})


def _link_incidents(dispute: Dispute, incidents: list[Incident], user: Any, *, now: dt.datetime) -> None:
    if not incidents:
        return
    dispute.incidents.add(*incidents)
    record(AuditEntry.Action.UPDATED, obj=dispute, user=user,
           changes={"incidents": [[], [incident.number for incident in incidents]]})
    for incident in incidents:
        log_on_incident(incident, IncidentLog.Kind.NOTE,
                        _("Entered in the dispute ledger as %(number)s.") % {"number": dispute.number},
                        author=user, at=now, automatic=True)


@transaction.atomic
def open_dispute(station: Station, data: DisputeData, *, user: Any, now: dt.datetime | None = None) -> Dispute:
    """Enter a dispute in the ledger with its parties and incidents; it gets the next number."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    _check_choice(errors, "kind", data.kind, Dispute.Kind)
    _check_choice(errors, "risk", data.risk, Dispute.Risk)
    summary = _check_text(errors, "summary", data.summary, 4000, required=True)
    mediator = _check_text(errors, "mediator", data.mediator, 50)
    address: Address | None = None
    if data.address_id is not None:
        address = scoped(Address, user).filter(station=station, pk=data.address_id).first()
        if address is None:
            errors["address"] = [_("No such address in your area.")]
    beat_id = address.beat_id if address is not None and address.beat_id else data.beat_id
    beat: Beat | None = None
    if beat_id is not None:
        beat = Beat.objects.for_stations([station.pk]).filter(pk=beat_id).select_related("responsible_officer").first()
        if beat is None:
            errors["beat"] = [_("No such beat at this station.")]
    officer = _officer_of_station(station.pk, data.officer_id)
    if data.officer_id is not None and officer is None:
        errors["officer"] = [_("No such officer at this station.")]
    if officer is None and beat is not None:
        officer = beat.responsible_officer
    if officer is None:
        mine = officer_for(user)
        officer = mine if mine is not None and mine.station_id == station.pk and mine.rank == Officer.Rank.OFFICER else None
    if data.follow_up_on is not None and data.follow_up_on < _local_today(now):
        errors["follow_up_on"] = [_("The follow-up date has passed.")]
    parties = _check_parties(station, data.parties, user, errors)
    incidents: list[Incident] = []
    if data.incident_ids:
        incidents = list(Incident.objects.for_stations([station.pk]).filter(pk__in=set(data.incident_ids)))
        if len(incidents) != len(set(data.incident_ids)):
            errors["incidents"] = [_("No such incident at this station.")]
    _raise(errors)
    dispute = Dispute(
        station=station, kind=data.kind, risk=data.risk, summary=summary, address=address, beat=beat,
        officer=officer, mediator=mediator, follow_up_on=data.follow_up_on, opened_at=now, opened_by=user,
    )
    _save_numbered(dispute)
    _add_parties(dispute, parties, user)
    _link_incidents(dispute, incidents, user, now=now)
    return dispute


def kind_for_category(code: str) -> str:
    """The dispute kind an incident category suggests (家庭纠纷 → family …), else other."""
    return KIND_OF_CATEGORY.get(code, Dispute.Kind.OTHER)


def resident_by_phone(station_id: int, phone: str, name: str = "") -> Resident | None:
    """The one current resident of the station with this phone number (and name, when
    several share the number); None when there is none or it is not clear which."""
    digits = clean_phone(phone)
    if len(digits) < 7:
        return None
    found = list(Resident.objects.for_stations([station_id]).filter(phone=digits, merged_into__isnull=True)[:10])
    if len(found) > 1 and name:
        found = [resident for resident in found if resident.name == name.strip()]
    return found[0] if len(found) == 1 else None


def parties_from_callers(incident: Incident) -> list[PartyData]:
    """The incident's callers as parties, once each, matched to residents by phone."""
    parties: list[PartyData] = []
    seen: set[str] = set()
    for call in incident.calls.order_by("received_at", "id"):
        name = " ".join(call.caller_name.split())
        phone = clean_phone(call.caller_phone)
        if not 7 <= len(phone) <= 12:
            phone = ""  # not a number anyone can call back (a sensor, a withheld number)
        key = phone or name
        if not key or key in seen:
            continue
        seen.add(key)
        resident = resident_by_phone(incident.station_id, phone, name) if phone else None
        parties.append(PartyData(
            name=resident.name if resident is not None else name, phone=phone,
            role=CALLER_ROLE, resident_id=resident.pk if resident is not None else None, call_id=call.pk,
        ))
    return parties


def draft_from_incident(incident: Incident, *, now: dt.datetime | None = None) -> DisputeData:
    """A dispute as the incident suggests it: kind, risk, place, responsible officer, callers."""
    now = now or timezone.now()
    beat = incident.beat
    if incident.address_id and incident.address is not None and incident.address.beat_id:
        beat = incident.address.beat
    return DisputeData(
        kind=kind_for_category(incident.category.code),
        risk=RISK_OF_PRIORITY.get(incident.priority, Dispute.Risk.LOW),
        summary=incident.summary,
        address_id=incident.address_id,
        beat_id=beat.pk if beat is not None else None,
        officer_id=beat.responsible_officer_id if beat is not None else None,
        follow_up_on=_local_today(now) + dt.timedelta(days=FOLLOW_UP_DAYS),
        parties=parties_from_callers(incident),
        incident_ids=[incident.pk],
    )


def open_dispute_of(incident: Incident) -> Dispute | None:
    """The open dispute that already has this incident, if any."""
    return (Dispute.objects.for_stations([incident.station_id])
            .filter(incidents=incident, outcome=Dispute.Outcome.OPEN).order_by("opened_at").first())


@transaction.atomic
def open_dispute_from_incident(incident: Incident, *, user: Any, now: dt.datetime | None = None) -> tuple[Dispute, bool]:
    """One step from an incident to the ledger: (the dispute, whether it is new).

    If the incident already has an open dispute, that one is returned and nothing is
    created. The incident row is locked first, so two people pressing the button at the
    same moment get the same dispute.
    """
    # Only the incident's own row is locked (PostgreSQL will not lock the optional joined ones).
    locked = (Incident.objects.for_stations([incident.station_id]).select_for_update(of=("self",))
              .select_related("category", "station", "beat__responsible_officer", "address__beat").get(pk=incident.pk))
    existing = open_dispute_of(locked)
    if existing is not None:
        return existing, False
    data = draft_from_incident(locked, now=now)
    return open_dispute(locked.station, data, user=user, now=now), True


@dataclass
class StepData:
    """One mediation: who, when, how, what came of it, and when to look again."""

    method: str
    result: str
    at: dt.datetime | None = None
    officer_id: int | None = None
    mediator: str = ""
    next_follow_up_on: dt.date | None = None


@transaction.atomic
def add_step(dispute: Dispute, data: StepData, *, user: Any, now: dt.datetime | None = None) -> MediationStep:
    """Add a mediation step to an open dispute.

    The step's next follow-up becomes the dispute's; a step without one is the follow-up
    that was due, so the dispute's date is cleared when it has come.
    """
    now = now or timezone.now()
    dispute = _locked_dispute(dispute)
    if not dispute.is_open:
        raise Refused(_("Dispute %(number)s is closed; a leader can reopen it.") % {"number": dispute.number}, code="closed")
    errors: dict[str, list[str]] = {}
    _check_choice(errors, "method", data.method, MediationStep.Method)
    result = _check_text(errors, "result", data.result, 4000, required=True)
    mediator = _check_text(errors, "mediator", data.mediator, 50)
    at = data.at or now
    _check_time(errors, "at", at, now)
    officer = _officer_of_station(dispute.station_id, data.officer_id)
    if data.officer_id is not None and officer is None:
        errors["officer"] = [_("No such officer at this station.")]
    if data.officer_id is None:
        mine = officer_for(user)
        officer = mine if mine is not None and mine.station_id == dispute.station_id else None
    step_day = timezone.localtime(at).date()
    if data.next_follow_up_on is not None and data.next_follow_up_on < step_day:
        errors["next_follow_up_on"] = [_("The next follow-up cannot be before this step.")]
    _raise(errors)
    step = MediationStep.objects.create(
        dispute=dispute, at=at, officer=officer, mediator=mediator, method=data.method, result=result,
        next_follow_up_on=data.next_follow_up_on, created_by=user,
    )
    changed: list[str] = []
    if data.next_follow_up_on is not None:
        dispute.follow_up_on = data.next_follow_up_on
        changed.append("follow_up_on")
    elif dispute.follow_up_on is not None and dispute.follow_up_on <= max(step_day, _local_today(now)):
        dispute.follow_up_on = None
        changed.append("follow_up_on")
    if mediator and not dispute.mediator:
        dispute.mediator = mediator
        changed.append("mediator")
    if changed:
        dispute.save(update_fields=changed)
    return step


@transaction.atomic
def close_dispute(
    dispute: Dispute, *, outcome: str, note: str = "", user: Any, follow_up_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Dispute:
    """Close an open dispute with its outcome.

    Referred to a court or a department, or escalated to a case: the note must say where
    (or the case number). `follow_up_on` is the return visit after the outcome (回访).
    """
    now = now or timezone.now()
    dispute = _locked_dispute(dispute)
    if not dispute.is_open:
        raise Refused(_("Dispute %(number)s is already closed.") % {"number": dispute.number}, code="closed")
    errors: dict[str, list[str]] = {}
    if outcome not in Dispute.CLOSED:
        errors["outcome"] = [_("Choose how the dispute ended.")]
    text = _check_text(errors, "outcome_note", note, 2000, required=outcome in OUTCOMES_NEEDING_A_NOTE)
    if outcome in OUTCOMES_NEEDING_A_NOTE and "outcome_note" in errors:
        errors["outcome_note"] = [{
            Dispute.Outcome.COURT: _("Say which court it was referred to."),
            Dispute.Outcome.DEPARTMENT: _("Say which department it was referred to."),
            Dispute.Outcome.CASE: _("Give the case number or say why it became a case."),
        }[Dispute.Outcome(outcome)]]
    if follow_up_on is not None and follow_up_on < _local_today(now):
        errors["follow_up_on"] = [_("The follow-up date has passed.")]
    _raise(errors)
    dispute.outcome, dispute.outcome_note, dispute.closed_at = outcome, text, now
    dispute.follow_up_on = follow_up_on
    dispute.save(update_fields=["outcome", "outcome_note", "closed_at", "follow_up_on"])
    return dispute


def may_reopen(user: Any) -> bool:
    """Leaders (and administrators) may reopen a closed dispute."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.groups.filter(name=REOPEN_ROLE).exists())


@transaction.atomic
def reopen_dispute(dispute: Dispute, *, reason: str, user: Any, now: dt.datetime | None = None) -> Dispute:
    """Reopen a closed dispute (a leader's decision, with a reason kept on the dispute)."""
    now = now or timezone.now()
    if not may_reopen(user):
        raise PermissionDenied("only a leader may reopen a dispute")
    dispute = _locked_dispute(dispute)
    if dispute.is_open:
        raise Refused(_("Dispute %(number)s is open.") % {"number": dispute.number}, code="open")
    reason = " ".join((reason or "").split())
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why the dispute is reopened.")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("At most %(limit)s characters.") % {"limit": 200}]})
    before = _("%(outcome)s on %(day)s") % {
        "outcome": Dispute.Outcome(dispute.outcome).label, "day": timezone.localtime(dispute.closed_at or now).strftime("%Y-%m-%d")}
    history = _("Reopened on %(day)s by %(who)s: %(reason)s (was: %(before)s)") % {
        "day": timezone.localtime(now).strftime("%Y-%m-%d"), "who": getattr(user, "display_name", "") or user.get_username(),
        "reason": reason, "before": before}
    previous_note = dispute.outcome_note.strip()
    dispute.outcome, dispute.closed_at = Dispute.Outcome.OPEN, None
    dispute.outcome_note = f"{history}\n{previous_note}".strip() if previous_note else history
    dispute.save(update_fields=["outcome", "closed_at", "outcome_note"])
    record(AuditEntry.Action.UPDATED, obj=dispute, user=user, reason=reason, changes={"reopened": True})
    return dispute


@dataclass
class DisputeChange:
    """What can be changed on an open dispute after it was entered."""

    kind: str
    risk: str
    summary: str
    officer_id: int | None = None
    mediator: str = ""
    follow_up_on: dt.date | None = None


@transaction.atomic
def change_dispute(dispute: Dispute, data: DisputeChange, *, user: Any, now: dt.datetime | None = None) -> Dispute:
    """Change the kind, risk, summary, responsible officer, mediator or follow-up date."""
    now = now or timezone.now()
    dispute = _locked_dispute(dispute)
    if not dispute.is_open:
        raise Refused(_("Dispute %(number)s is closed; a leader can reopen it.") % {"number": dispute.number}, code="closed")
    errors: dict[str, list[str]] = {}
    _check_choice(errors, "kind", data.kind, Dispute.Kind)
    _check_choice(errors, "risk", data.risk, Dispute.Risk)
    summary = _check_text(errors, "summary", data.summary, 4000, required=True)
    mediator = _check_text(errors, "mediator", data.mediator, 50)
    officer = _officer_of_station(dispute.station_id, data.officer_id)
    if data.officer_id is not None and officer is None:
        errors["officer"] = [_("No such officer at this station.")]
    if data.follow_up_on is not None and data.follow_up_on != dispute.follow_up_on and data.follow_up_on < _local_today(now):
        errors["follow_up_on"] = [_("The follow-up date has passed.")]
    _raise(errors)
    dispute.kind, dispute.risk, dispute.summary, dispute.mediator = data.kind, data.risk, summary, mediator
    dispute.officer, dispute.follow_up_on = officer, data.follow_up_on
    dispute.save(update_fields=["kind", "risk", "summary", "mediator", "officer", "follow_up_on"])
    return dispute


@transaction.atomic
def add_party(dispute: Dispute, data: PartyData, *, user: Any) -> DisputeParty:
    """Add one more party to a dispute."""
    errors: dict[str, list[str]] = {}
    rows = _check_parties(dispute.station, [data], user, errors)
    _raise(errors)
    _add_parties(dispute, rows, user)
    return rows[0]


@transaction.atomic
def link_incident(dispute: Dispute, number: str, *, user: Any, now: dt.datetime | None = None) -> Incident:
    """Link one more incident of the station, by its number, to the dispute."""
    now = now or timezone.now()
    number = (number or "").strip()
    incident = Incident.objects.for_stations([dispute.station_id]).filter(number=number).first() if number else None
    if incident is None:
        raise ValidationError({"incident": [_("No incident %(number)s at this station.") % {"number": number or "—"}]})
    if dispute.incidents.filter(pk=incident.pk).exists():
        raise ValidationError({"incident": [_("This incident is already linked.")]})
    _link_incidents(dispute, [incident], user, now=now)
    return incident


# -- volunteer forces -------------------------------------------------------------------------------


@dataclass
class TeamData:
    name: str
    kind: str
    beat_id: int | None = None
    officer_id: int | None = None
    leader_name: str = ""
    leader_phone: str = ""
    founded_on: dt.date | None = None


@transaction.atomic
def create_team(station: Station, data: TeamData, *, user: Any) -> VolunteerTeam:
    """A new volunteer team of the station (names are unique within the station)."""
    errors: dict[str, list[str]] = {}
    name = _check_text(errors, "name", data.name, 100, required=True)
    _check_choice(errors, "kind", data.kind, VolunteerTeam.Kind)
    beat = None
    if data.beat_id is not None:
        beat = Beat.objects.for_stations([station.pk]).filter(pk=data.beat_id).first()
        if beat is None:
            errors["beat"] = [_("No such beat at this station.")]
    officer = _officer_of_station(station.pk, data.officer_id)
    if data.officer_id is not None and officer is None:
        errors["officer"] = [_("No such officer at this station.")]
    leader = _check_text(errors, "leader_name", data.leader_name, 50)
    problem = _phone_error(data.leader_phone)
    if problem:
        errors["leader_phone"] = [problem]
    if name and VolunteerTeam.objects.for_stations([station.pk]).filter(name=name).exists():
        errors["name"] = [_("The station already has a team of this name.")]
    _raise(errors)
    team = VolunteerTeam(station=station, name=name, kind=data.kind, beat=beat, officer=officer, leader_name=leader,
                         leader_phone=clean_phone(data.leader_phone), founded_on=data.founded_on)
    try:
        with transaction.atomic():
            team.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"name": [_("The station already has a team of this name.")]}) from None
    return team


@dataclass
class MemberData:
    name: str = ""
    phone: str = ""
    resident_id: int | None = None
    joined_on: dt.date | None = None


@transaction.atomic
def add_member(team: VolunteerTeam, data: MemberData, *, user: Any) -> VolunteerMember:
    errors: dict[str, list[str]] = {}
    resident = None
    if data.resident_id is not None:
        resident = scoped(Resident, user).filter(station_id=team.station_id, pk=data.resident_id, merged_into__isnull=True).first()
        if resident is None:
            errors["resident"] = [_("No such resident in your area.")]
    name = _check_text(errors, "name", data.name or (resident.name if resident else ""), 50, required=True)
    problem = _phone_error(data.phone)
    if problem:
        errors["phone"] = [problem]
    _raise(errors)
    member = VolunteerMember.objects.create(team=team, resident=resident, name=name, phone=clean_phone(data.phone),
                                            joined_on=data.joined_on or timezone.localdate())
    record(AuditEntry.Action.CREATED, obj=member, user=user, object_repr=f"{team.name} · {name}"[:200],
           changes={"team": team.pk, "name": name, "phone": mask_phone(member.phone), "resident": member.resident_id})
    return member


@transaction.atomic
def end_membership(member: VolunteerMember, *, left_on: dt.date | None = None, user: Any) -> VolunteerMember:
    left_on = left_on or timezone.localdate()
    if member.left_on is not None:
        raise Refused(_("%(name)s has already left the team.") % {"name": member.name}, code="left")
    if member.joined_on and left_on < member.joined_on:
        raise ValidationError({"left_on": [_("This is before the member joined.")]})
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    record(AuditEntry.Action.UPDATED, obj=member, user=user, changes={"left_on": [None, left_on.isoformat()]})
    return member


@dataclass
class ActivityData:
    kind: str
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    area: str = ""
    participants: int | None = None
    member_ids: list[int] = field(default_factory=list)
    notes: str = ""
    officer_id: int | None = None


@transaction.atomic
def record_activity(team: VolunteerTeam, data: ActivityData, *, user: Any, now: dt.datetime | None = None) -> VolunteerActivity:
    """A patrol or other activity of the team, with who took part."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    _check_choice(errors, "kind", data.kind, VolunteerActivity.Kind)
    started = data.started_at or now
    _check_time(errors, "started_at", started, now)
    if data.ended_at is not None and data.ended_at < started:
        errors["ended_at"] = [_("The activity cannot end before it started.")]
    area = _check_text(errors, "area", data.area, 200)
    notes = _check_text(errors, "notes", data.notes, 4000)
    members: list[VolunteerMember] = []
    if data.member_ids:
        members = list(team.members.filter(pk__in=set(data.member_ids)))
        if len(members) != len(set(data.member_ids)):
            errors["members"] = [_("Some of these people are not members of the team.")]
    participants = data.participants if data.participants is not None else max(len(members), 1)
    if participants < 1:
        errors["participants"] = [_("At least one person took part.")]
    elif participants < len(members):
        errors["participants"] = [_("Fewer participants than members ticked.")]
    officer = _officer_of_station(team.station_id, data.officer_id)
    if data.officer_id is not None and officer is None:
        errors["officer"] = [_("No such officer at this station.")]
    _raise(errors)
    activity = VolunteerActivity.objects.create(
        team=team, kind=data.kind, started_at=started, ended_at=data.ended_at, area=area, participants=participants,
        notes=notes, officer=officer, created_by=user,
    )
    if members:
        activity.members.set(members)
    record(AuditEntry.Action.CREATED, obj=activity, user=user, object_repr=f"{team.name} · {activity.get_kind_display()}"[:200],
           changes={"team": team.pk, "kind": data.kind, "started_at": started.isoformat(), "participants": participants,
                    "members": sorted(member.pk for member in members)})
    return activity
