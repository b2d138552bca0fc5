"""Reading likely duplicate residents from the database (the pure work is in `dedupe`).

`station_candidates(station_id)` runs the blocking search over the station's current
residents — about two seconds at 100,000 — and keeps the answer in the cache until a
resident is added or changed (the key carries their count and latest change) or ten
minutes pass. `find_duplicates_for(resident)` asks only about one person and reads only
the few rows that share an identity number, address, birth date, phone, or surname and
house number with them, so a resident's page can call it every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from . import dedupe
from .models import Resident
from .selectors import residents_for

CACHE_SECONDS = 600
# The most rows `find_duplicates_for` reads for one person.
NEIGHBOURS = 400

_PERSON_FIELDS = ("pk", "name", "id_number_hash", "birth_date", "sex", "phone", "address_id", "address__full_text")


def reason_text(code: str) -> str:
    """A reason code of `dedupe` in words."""
    return {
        dedupe.SAME_ID_NUMBER: _("same identity number"),
        dedupe.SAME_NAME_SAME_ADDRESS: _("same name at the same address"),
        dedupe.SIMILAR_NAME_SAME_BIRTH_DATE: _("similar name, same birth date"),
        dedupe.SAME_PHONE_SIMILAR_NAME: _("same phone number, similar name"),
        dedupe.SIMILAR_NAME_SIMILAR_ADDRESS: _("similar name, similar address"),
    }.get(code, code)


def doubt_text(code: str) -> str:
    """A doubt code of `dedupe` (evidence against the pair) in words."""
    return {
        dedupe.DIFFERENT_ID_NUMBERS: _("different identity numbers"),
        dedupe.DIFFERENT_BIRTH_DATES: _("different birth dates"),
        dedupe.DIFFERENT_SEX: _("different sex"),
    }.get(code, code)


def person(row: tuple[Any, ...]) -> dedupe.Person:
    """A `dedupe.Person` from a values_list row of `_PERSON_FIELDS`."""
    pk, name, id_hash, birth_date, sex, phone, address_id, address_text = row
    return dedupe.Person(id=pk, name=name, id_hash=id_hash or "", birth_date=birth_date, sex=sex or "",
                         phone=phone or "", address_id=address_id, address_text=address_text or "")


def person_of(resident: Resident) -> dedupe.Person:
    return dedupe.Person(
        id=resident.pk, name=resident.name, id_hash=resident.id_number_hash, birth_date=resident.birth_date,
        sex=resident.sex, phone=resident.phone, address_id=resident.address_id,
        address_text=resident.address.full_text if resident.address_id and resident.address else "",
    )


def _current(station_id: int) -> QuerySet[Resident]:
    return Resident.objects.for_stations([station_id]).filter(merged_into__isnull=True)


@dataclass(frozen=True)
class StationDuplicates:
    candidates: list[dedupe.Candidate]
    beats: dict[int, int | None]  # resident id → beat id, for the residents in `candidates`


def station_candidates(station_id: int) -> StationDuplicates:
    """The station's likely duplicate pairs, best first (cached; see the module's docstring)."""
    residents = _current(station_id)
    stamp = residents.aggregate(count=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    last = stamp["last"].isoformat() if stamp["last"] else "-"
    key = f"fengqiao:records:duplicates:{station_id}:{stamp['count']}:{stamp['top']}:{last}"
    found: StationDuplicates | None = cache.get(key)
    if found is not None:
        return found
    rows = list(residents.order_by("pk").values_list(*_PERSON_FIELDS, "beat_id"))
    candidates = dedupe.find_duplicates(person(row[:-1]) for row in rows)
    involved = {candidate.first for candidate in candidates} | {candidate.second for candidate in candidates}
    beats = {row[0]: row[-1] for row in rows if row[0] in involved}
    found = StationDuplicates(candidates=candidates, beats=beats)
    cache.set(key, found, CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class Duplicate:
    """A likely duplicate of a resident, for their page."""

    resident: Resident
    score: int
    reasons: list[str]
    doubts: list[str]
    compare_url: str


def find_duplicates_for(resident: Resident, *, user: Any = None, limit: int = 5) -> list[Duplicate]:
    """The likely duplicates of `resident` (best first, at most `limit`), each with its reasons in
    words and the link to compare the two. With `user`, only residents that user may see."""
    if resident.merged_into_id is not None:
        return []
    others = residents_for(user) if user is not None else _current(resident.station_id)
    others = others.filter(station_id=resident.station_id).exclude(pk=resident.pk)
    near = Q(pk__in=[])
    if resident.id_number_hash:
        near |= Q(id_number_hash=resident.id_number_hash)
    if resident.address_id:
        near |= Q(address_id=resident.address_id)
    if resident.birth_date:
        near |= Q(birth_date=resident.birth_date)
    phone = dedupe.normalise_phone(resident.phone)
    if phone:
        near |= Q(phone=phone)
    surname = dedupe.normalise_name(resident.name)[:1]
    address = resident.address if resident.address_id else None
    if surname and address is not None and address.road and address.number:
        near |= Q(name__startswith=surname, address__road=address.road, address__number=address.number)
    rows = list(others.filter(near).order_by("pk").values_list(*_PERSON_FIELDS)[:NEIGHBOURS])
    candidates = dedupe.duplicates_of(person_of(resident), [person(row) for row in rows])[:limit]
    if not candidates:
        return []
    found = {other.pk: other for other in others.filter(pk__in=[c.other(resident.pk) for c in candidates])
             .select_related("address", "beat")}
    result = []
    for candidate in candidates:
        other = found.get(candidate.other(resident.pk))
        if other is None:
            continue
        result.append(Duplicate(
            resident=other, score=candidate.score,
            reasons=[reason_text(code) for code in candidate.reasons],
            doubts=[doubt_text(code) for code in candidate.doubts],
            compare_url=reverse("records_merge:compare", args=[resident.pk, other.pk]),
        ))
    return result
