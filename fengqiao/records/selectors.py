"""Reading basic records: who may see which rows, and the audited person search.

Every query for records starts at `scoped(Model, user)`: the user's stations, and for an
auxiliary only the beat of the officer they work under (DESIGN.md §7). Care subjects are
narrower still (`care_subjects_for`): leaders see all of the station's, everyone else only
those of their own beat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core.masking import mask_id_number, mask_phone
from fengqiao.organisation.models import Officer
from fengqiao.organisation.selectors import officer_for

from . import crypto, idcard
from .models import Address, CareSubject, House, Organisation, Resident

_BEAT_OF_USER = "_fengqiao_records_beat"


def work_beat_id(user: Any) -> int | None:
    """The beat an auxiliary is limited to (their supervising officer's), else None.

    Returns -1 for an auxiliary whose officer has no beat: they see nothing.
    """
    cached = getattr(user, _BEAT_OF_USER, False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    beat_id: int | None = None
    officer = officer_for(user)
    if officer is not None and officer.rank == Officer.Rank.AUXILIARY:
        beat_id = officer.beat_id
        if officer.supervisor_id:
            supervisor = Officer.objects.for_user(user).filter(pk=officer.supervisor_id).only("beat_id").first()
            if supervisor is not None and supervisor.beat_id:
                beat_id = supervisor.beat_id
        beat_id = beat_id or -1
    setattr(user, _BEAT_OF_USER, beat_id)
    return beat_id


def scoped(model: type[Model], user: Any, *, beat_field: str = "beat") -> QuerySet[Any]:
    """`model`'s rows that `user` may see: their stations, an auxiliary's beat only."""
    queryset = model.objects.for_user(user)  # type: ignore[attr-defined]
    beat_id = work_beat_id(user)
    if beat_id is not None:
        queryset = queryset.filter(**{f"{beat_field}_id": beat_id})
    return queryset


def own_beat_id(user: Any) -> int | None:
    """The beat a community officer (or their auxiliary) works."""
    officer = officer_for(user)
    if officer is None:
        return None
    if officer.rank == Officer.Rank.AUXILIARY:
        beat = work_beat_id(user)
        return beat if beat and beat > 0 else None
    return officer.beat_id


def care_subjects_for(user: Any) -> QuerySet[CareSubject]:
    """Care flags `user` may see: a leader's whole station, otherwise only their own beat's."""
    queryset = CareSubject.objects.for_user(user)
    if user.has_perm("records.view_all_care_subjects"):
        return queryset
    beat_id = own_beat_id(user)
    officer = officer_for(user)
    visible = Q(pk__in=[])
    if beat_id:
        visible |= Q(beat_id=beat_id)
    if officer is not None:
        visible |= Q(officer=officer)
    return queryset.filter(visible)


def residents_for(user: Any) -> QuerySet[Resident]:
    """Residents `user` may see; merged duplicates are left out (they live on in history)."""
    return scoped(Resident, user).filter(merged_into__isnull=True)


# -- search -----------------------------------------------------------------------------------

_DIGITS = re.compile(r"^[\dXx]+$")


@dataclass(frozen=True)
class PersonQuery:
    """What a search box's text was taken to be."""

    kind: str  # "id_number", "phone", "last_four" (of a phone or identity number), "name", "address", "empty"
    text: str

    @property
    def for_the_log(self) -> str:
        """The query as the audit log keeps it: numbers masked like everywhere else."""
        if self.kind == "id_number":
            return mask_id_number(self.text)
        if self.kind == "phone":
            return mask_phone(self.text)
        return self.text


def read_query(raw: str) -> PersonQuery:
    text = " ".join((raw or "").split())
    if not text:
        return PersonQuery("empty", "")
    compact = idcard.normalise(text)
    if _DIGITS.match(compact) and len(compact) == 18:
        return PersonQuery("id_number", compact)
    if compact.isdigit() and len(compact) >= 5:
        return PersonQuery("phone", compact)
    if _DIGITS.match(compact) and len(compact) == 4:
        return PersonQuery("last_four", compact)
    if any(char.isdigit() for char in text) or any(word in text for word in ("路", "街", "号", "栋", "巷", "村", "小区")):
        return PersonQuery("address", text)
    return PersonQuery("name", text)


_FEW = 2000


def _few_or_all(ids: QuerySet[Any]) -> list[Any] | QuerySet[Any]:
    """The ids themselves when there are few, else the query for them.

    A search then asks for the rows by id. Given the query instead, PostgreSQL sometimes
    guessed that many rows match and read all 100,000 residents in name order to find
    the few that did (half a second and more; `fengqiao bench records`). With many
    matches that plan is the quick one, and the list would be too long to send.
    """
    found = list(ids[:_FEW + 1])
    return found if len(found) <= _FEW else ids


def phone_prefix(digits: str) -> dict[str, str]:
    """Lookups for "the phone number starts with `digits`", as a range of digit strings.

    Phones are kept as digits only, so this is the same as `phone__startswith`; but a range
    is found through the (station, phone) index on SQLite too, where LIKE 'x%' is not (it
    is case-insensitive there) and a search among 100,000 residents took about a second.
    """
    if not (digits.isascii() and digits.isdigit()):
        return {"phone__startswith": digits}
    if digits.strip("9"):
        upper = str(int(digits) + 1).zfill(len(digits))  # 1381239 → 1381240; the 9s carry
        return {"phone__gte": digits, "phone__lt": upper}
    return {"phone__gte": digits}


def search_residents(user: Any, raw: str, *, queryset: QuerySet[Resident] | None = None) -> tuple[PersonQuery, QuerySet[Resident]]:
    """Residents matching a name, identity number, phone or address, and an audit row with the query.

    A full identity number is found by its keyed hash (the number itself is never stored
    in the clear); five or more digits as the start of a phone number; four as the end of
    a phone or identity number ("尾号"); an address by its written form; a name anywhere
    in the name.
    """
    query = read_query(raw)
    residents = (queryset if queryset is not None else residents_for(user)).select_related("address", "beat")
    if query.kind == "empty":
        return query, residents
    if query.kind == "id_number":
        found = residents.filter(id_number_hash=crypto.search_hash(query.text))
    elif query.kind == "phone":
        found = residents.filter(**phone_prefix(query.text))
    elif query.kind == "last_four":
        found = residents.filter(phone__endswith=query.text) | residents.filter(id_number_masked__endswith=query.text)
    elif query.kind == "address":
        # The matching addresses first (a few thousand at most), then their residents by
        # index: joining every resident to its address to test the text took up to 1.5 s
        # at 100,000 residents (`fengqiao bench records`).
        places = Address.objects.for_user(user).filter(full_text__contains=query.text).order_by().values_list("id", flat=True)
        found = residents.filter(address_id__in=_few_or_all(places))
    else:
        # A name anywhere in the name cannot use an index to find it, only to read less:
        # the ids come from the narrow (station, name, id) index of current records, then
        # the rows. On PostgreSQL this took a third of the time of reading every row.
        named = Resident.objects.for_user(user).filter(merged_into__isnull=True, name__contains=query.text)
        found = residents.filter(pk__in=_few_or_all(named.order_by().values_list("pk", flat=True)))
    record(AuditEntry.Action.SEARCHED, user=user, object_type="records.resident",
           reason=query.for_the_log, changes={"kind": query.kind, "query": query.for_the_log})
    return query, found


# -- houses, organisations, addresses and care flags, for the records pages ------------------------


def houses_for(user: Any) -> QuerySet[House]:
    return scoped(House, user)


def organisations_for(user: Any) -> QuerySet[Organisation]:
    return scoped(Organisation, user)


def addresses_for(user: Any) -> QuerySet[Address]:
    return scoped(Address, user)


def open_care_flags(user: Any, resident_ids: list[int]) -> dict[int, list[CareSubject]]:
    """The open care flags `user` may see, by resident: what a page shows as a chip."""
    flags: dict[int, list[CareSubject]] = {}
    if not resident_ids:
        return flags
    rows = care_subjects_for(user).filter(resident_id__in=resident_ids, ended_on__isnull=True).order_by("reason")
    for flag in rows:
        flags.setdefault(flag.resident_id, []).append(flag)
    return flags


def _log_search(user: Any, object_type: str, query: PersonQuery) -> None:
    record(AuditEntry.Action.SEARCHED, user=user, object_type=object_type,
           reason=query.for_the_log, changes={"kind": query.kind, "query": query.for_the_log})


def search_houses(user: Any, raw: str, *, queryset: QuerySet[House] | None = None) -> tuple[PersonQuery, QuerySet[House]]:
    """Houses by address, or by their landlord's name, phone or identity number; audited like a person search."""
    query = read_query(raw)
    houses = queryset if queryset is not None else houses_for(user)
    if query.kind == "empty":
        return query, houses
    text = query.text
    if query.kind == "id_number":
        found = houses.filter(landlord__id_number_hash=crypto.search_hash(text))
    elif query.kind == "phone":
        found = houses.filter(Q(landlord_phone__startswith=text) | Q(address__full_text__contains=text))
    elif query.kind == "last_four":
        found = houses.filter(Q(landlord_phone__endswith=text) | Q(address__full_text__contains=text))
    else:
        found = houses.filter(Q(address__full_text__contains=text) | Q(landlord_name__contains=text)
                              | Q(landlord__name__contains=text))
    _log_search(user, "records.house", query)
    return query, found


def search_organisations(
    user: Any, raw: str, *, queryset: QuerySet[Organisation] | None = None,
) -> tuple[PersonQuery, QuerySet[Organisation]]:
    """Organisations by name, address, credit code or contact; audited (contacts are people)."""
    query = read_query(raw)
    organisations = queryset if queryset is not None else organisations_for(user)
    if query.kind == "empty":
        return query, organisations
    text = query.text
    if query.kind in ("phone", "last_four"):
        phone = Q(contact_phone__startswith=text) if query.kind == "phone" else Q(contact_phone__endswith=text)
        found = organisations.filter(phone | Q(address__full_text__contains=text) | Q(credit_code__contains=text))
    else:
        found = organisations.filter(Q(name__contains=text) | Q(address__full_text__contains=text)
                                     | Q(contact_name__contains=text) | Q(credit_code__contains=text.upper()))
    _log_search(user, "records.organisation", query)
    return query, found


def address_by_text(station_id: int, text: str) -> tuple[Address | None, list[str]]:
    """The standard address a typed text names: its exact full form, else a confident match
    (intake's address matcher) of a text that gives a house number.

    Returns (None, up to three suggestions) when the text names none for certain.
    """
    from fengqiao.intake.services import station_address_index

    text = " ".join((text or "").split())
    if not text:
        return None, []
    addresses = Address.objects.for_stations([station_id]).select_related("beat")
    exact = list(addresses.filter(full_text=text)[:2])
    if len(exact) == 1:
        return exact[0], []
    index = station_address_index(station_id)
    # A record names a dwelling: without a house number, a road alone is never taken as one.
    best = index.best(text) if any(char.isdigit() or char == "号" for char in text) else None
    if best is not None:
        return addresses.filter(pk=best.address_id).first(), []
    return None, [candidate.full_text for candidate in index.match(text, limit=3)]
