"""Repeat places and repeat callers, and the disputes ranked by the risk of turning violent.

- Repeat addresses: the incidents of a period counted per standard address, or per rounded
  position (about 10 m) when the incident has no standard address; those with at least
  `minimum` incidents, most first, each with its incidents.
- Repeat callers: the calls of a period counted per caller's phone number; those with at
  least `minimum` calls, with the incidents they became. Phone numbers leave this module
  masked only (`core.masking.mask_phone`).
- Escalation: the open disputes of a station with the calls that match them (a party's
  phone or name, the dispute's address) over the last year, scored by `escalation.rank`
  (pure): frequency and recency of calls, never their wording.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fengqiao.community.models import Dispute
from fengqiao.core.masking import mask_name, mask_phone
from fengqiao.intake import states
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Officer

from . import escalation

# Rounded positions group incidents with no standard address: 4 decimals ≈ 11 m × 10 m.
POSITION_DECIMALS = 4
DEFAULT_MINIMUM = 3
# How far back the escalation score looks (the decay makes older calls count for nothing).
ESCALATION_LOOKBACK_DAYS = 365
# Names shorter than this (a lone family name) match too many people to count.
MIN_NAME_LENGTH = 2
_NOT_DIGIT = re.compile(r"\D")


def normalise_phone(value: str | None) -> str:
    """Digits only, without a +86 / 0086 prefix: `138 0013-8000` and `+8613800138000` agree."""
    digits = _NOT_DIGIT.sub("", value or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix):]
    return digits


# -- repeat addresses and callers ---------------------------------------------------------------------


@dataclass
class RepeatPlace:
    """A place that called again and again in the period."""

    key: str                      # "a:<address id>" or "p:<lat>,<lon>"
    label: str                    # the standard address, or the place as given
    latitude: float | None
    longitude: float | None
    address_id: int | None
    incidents: list[Incident] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.incidents)


@dataclass
class RepeatCaller:
    """A phone number that called again and again in the period (kept masked)."""

    phone_masked: str
    calls: int
    names: list[str]              # the names given, masked (张**)
    first_at: dt.datetime
    last_at: dt.datetime
    incidents: list[Incident] = field(default_factory=list)


def _incidents(station_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> Any:
    return (
        Incident.objects.for_stations(list(station_ids))
        .filter(received_at__gte=start, received_at__lt=end)
        .exclude(state=states.MERGED)
    )


def repeat_addresses(station_ids: Iterable[int], start: dt.datetime, end: dt.datetime,
                     *, minimum: int = DEFAULT_MINIMUM) -> list[RepeatPlace]:
    """Places with at least `minimum` incidents received in [start, end), most first."""
    rows = (
        _incidents(station_ids, start, end)
        .filter(Q(address__isnull=False) | Q(latitude__isnull=False, longitude__isnull=False))
        .select_related("category", "address", "beat")
        .order_by("-received_at", "-pk")
    )
    places: dict[str, RepeatPlace] = {}
    for incident in rows:
        if incident.address_id is not None:
            key = f"a:{incident.address_id}"
            if key not in places:
                places[key] = RepeatPlace(key, incident.address.full_text, incident.address.latitude,
                                          incident.address.longitude, incident.address_id)
        else:
            lat = round(float(incident.latitude), POSITION_DECIMALS)
            lon = round(float(incident.longitude), POSITION_DECIMALS)
            key = f"p:{lat:.{POSITION_DECIMALS}f},{lon:.{POSITION_DECIMALS}f}"
            if key not in places:
                places[key] = RepeatPlace(key, incident.address_text or f"{lat:.4f}, {lon:.4f}", lat, lon, None)
        places[key].incidents.append(incident)
    found = [place for place in places.values() if place.count >= minimum]
    return sorted(found, key=lambda place: (-place.count, -place.incidents[0].received_at.timestamp(), place.key))


def repeat_callers(station_ids: Iterable[int], start: dt.datetime, end: dt.datetime,
                   *, minimum: int = DEFAULT_MINIMUM) -> list[RepeatCaller]:
    """Phone numbers with at least `minimum` calls received in [start, end), most first."""
    calls = (
        Call.objects.for_stations(list(station_ids))
        .filter(received_at__gte=start, received_at__lt=end).exclude(caller_phone="")
        .values_list("caller_phone", "caller_name", "received_at", "incident_id")
    )
    grouped: dict[str, list[tuple[str, dt.datetime, int | None]]] = defaultdict(list)
    for phone, name, received_at, incident_id in calls:
        number = normalise_phone(phone)
        if number:
            grouped[number].append((name, received_at, incident_id))
    found = {number: rows for number, rows in grouped.items() if len(rows) >= minimum}
    incident_ids = {incident_id for rows in found.values() for _, _, incident_id in rows if incident_id}
    incidents = {
        incident.pk: incident
        for incident in Incident.objects.for_stations(list(station_ids)).filter(pk__in=incident_ids)
        .select_related("category", "beat")
    }
    callers = []
    for number, rows in found.items():
        times = [at for _, at, _ in rows]
        linked = sorted({incidents[i] for _, _, i in rows if i in incidents},
                        key=lambda incident: (incident.received_at, incident.pk), reverse=True)
        names = sorted({mask_name(name) for name, _, _ in rows if name.strip()})
        callers.append(RepeatCaller(mask_phone(number), len(rows), names, min(times), max(times), linked))
    return sorted(callers, key=lambda caller: (-caller.calls, -caller.last_at.timestamp(), caller.phone_masked))


# -- escalation ---------------------------------------------------------------------------------------


@dataclass
class RankedDispute:
    """A dispute with its assessment (`escalation.Assessment`) and whether it is the reader's beat's."""

    dispute: Dispute
    assessment: escalation.Assessment
    own_beat: bool = False


def _parties(dispute: Dispute) -> tuple[set[str], set[str]]:
    phones: set[str] = set()
    names: set[str] = set()
    for party in dispute.parties.all():
        resident = party.resident
        for phone in (party.phone, resident.phone if resident is not None else ""):
            number = normalise_phone(phone)
            if len(number) >= 7:
                phones.add(number)
        for name in (party.name, resident.name if resident is not None else ""):
            name = (name or "").strip()
            if len(name) >= MIN_NAME_LENGTH:
                names.add(name)
    return phones, names


def dispute_calls(station_id: int, disputes: list[Dispute], now: dt.datetime) -> list[escalation.DisputeCalls]:
    """Each dispute with the station's calls of the last year that match it (for `escalation.rank`)."""
    wanted: list[tuple[Dispute, set[str], set[str]]] = []
    all_phones: set[str] = set()
    all_names: set[str] = set()
    addresses: set[int] = set()
    for dispute in disputes:
        phones, names = _parties(dispute)
        wanted.append((dispute, phones, names))
        all_phones |= phones
        all_names |= names
        if dispute.address_id:
            addresses.add(dispute.address_id)
    since = now - dt.timedelta(days=ESCALATION_LOOKBACK_DAYS)
    match = Q(caller_name__in=all_names) | Q(address_id__in=addresses)
    # Phones as stored may carry spaces or a prefix: match the stored forms of the digits
    # and their common variants, then compare normalised.
    variants = set(all_phones) | {f"+86{p}" for p in all_phones} | {f"86{p}" for p in all_phones}
    match |= Q(caller_phone__in=variants)
    rows = (
        Call.objects.for_stations([station_id]).filter(received_at__gte=since, received_at__lte=now).filter(match)
        .values_list("pk", "received_at", "caller_phone", "caller_name", "address_id", "incident__category__code")
    ) if (all_phones or all_names or addresses) else []
    calls = [
        (pk, at, normalise_phone(phone), (name or "").strip(), address_id, code or "")
        for pk, at, phone, name, address_id, code in rows
    ]
    out = []
    for dispute, phones, names in wanted:
        matched = []
        for pk, at, phone, name, address_id, code in calls:
            how = set()
            if phone and phone in phones:
                how.add(escalation.BY_PHONE)
            if name and name in names:
                how.add(escalation.BY_NAME)
            if dispute.address_id and address_id == dispute.address_id:
                how.add(escalation.BY_ADDRESS)
            if how:
                matched.append(escalation.PastCall(pk, at, code, frozenset(how)))
        out.append(escalation.DisputeCalls(dispute.pk, matched))
    return out


def ranked_disputes(station_id: int, *, user: Any = None, now: dt.datetime | None = None,
                    params: escalation.Params | None = None) -> list[RankedDispute]:
    """The station's open disputes, highest risk of turning violent first; the disputes of
    the reader's own beat (a community officer's) before the others."""
    now = now or timezone.now()
    disputes = list(
        Dispute.objects.for_stations([station_id]).filter(outcome=Dispute.Outcome.OPEN)
        .select_related("address", "beat", "officer").prefetch_related("parties__resident")
    )
    own_beats = _own_beats(user)
    first = [dispute.pk for dispute in disputes if dispute.beat_id is not None and dispute.beat_id in own_beats]
    ranked = escalation.rank(dispute_calls(station_id, disputes, now), now, params, first=first)
    by_id = {dispute.pk: dispute for dispute in disputes}
    return [RankedDispute(by_id[a.dispute_id], a, a.dispute_id in first) for a in ranked]


def _own_beats(user: Any) -> set[int]:
    """The beats a community officer works: their own beat and those they are responsible for."""
    officer: Officer | None = getattr(user, "officer", None) if getattr(user, "is_authenticated", False) else None
    if officer is None:
        return set()
    beats = set(officer.responsible_beats.values_list("pk", flat=True))
    if officer.beat_id:
        beats.add(officer.beat_id)
    return beats
