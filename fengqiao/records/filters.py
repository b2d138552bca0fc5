"""The record lists: which rows a filter keeps, one page of them, and the columns of an export.

The pages, the exports and the API share these, so a list, its CSV and its API answer
always hold the same rows. Every list starts from a selector (`residents_for`,
`houses_for`, … `care_subjects_for`), so the station and an auxiliary's beat are kept
before any filter; a text query goes through the audited searches of `selectors`.
Values leave here masked: identity numbers as stored masked, phones through `mask_phone`,
and ages instead of birth dates (the birth date is exactly the part a masked identity
number hides).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core.masking import mask_phone

from . import selectors
from .models import CareSubject, House, Organisation, Resident

PAGE_SIZE = 50


def today() -> dt.date:
    return timezone.localdate()


def age_of(birth_date: dt.date | None, on: dt.date | None = None) -> int | None:
    """Whole years of age on a day (today by default)."""
    if birth_date is None:
        return None
    on = on or today()
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# -- paging -----------------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of a list, found without counting the whole list (one row more says there is a next)."""

    items: list[Any]
    number: int
    has_next: bool
    size: int = PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def page_number(raw: Any) -> int:
    try:
        return max(1, min(int(raw), 100_000))
    except (TypeError, ValueError):
        return 1


def page_of(queryset: QuerySet[Any], number: Any, size: int = PAGE_SIZE) -> Page:
    number = page_number(number)
    start = (number - 1) * size
    rows = list(queryset[start:start + size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size, size=size)


# -- filters ----------------------------------------------------------------------------------------


@dataclass
class ResidentFilter:
    q: str = ""
    beat: int | None = None
    registration: str = ""
    status: str = "current"  # current, moved_out, all

    def for_the_log(self) -> dict[str, Any]:
        return _logged(self)


@dataclass
class HouseFilter:
    q: str = ""
    beat: int | None = None
    tenure: str = ""
    use: str = ""
    expired: bool = False

    def for_the_log(self) -> dict[str, Any]:
        return _logged(self)


@dataclass
class OrganisationFilter:
    q: str = ""
    beat: int | None = None
    kind: str = ""
    key_place: bool = False
    include_closed: bool = False

    def for_the_log(self) -> dict[str, Any]:
        return _logged(self)


@dataclass
class CareFilter:
    beat: int | None = None
    reason: str = ""
    review_due: bool = False
    include_ended: bool = False

    def for_the_log(self) -> dict[str, Any]:
        return _logged(self)


def _logged(filters: Any) -> dict[str, Any]:
    """The filter as the audit log keeps it: set values only, a query text masked."""
    values = {name: value for name, value in asdict(filters).items() if value not in ("", None, False)}
    if values.get("q"):
        values["q"] = selectors.read_query(values["q"]).for_the_log
    return values


def _station(rows: QuerySet[Any], station_id: int | None) -> QuerySet[Any]:
    return rows.filter(station_id=station_id) if station_id is not None else rows


def resident_rows(user: Any, filters: ResidentFilter, *, station_id: int | None = None) -> QuerySet[Resident]:
    rows = _station(selectors.residents_for(user), station_id)
    if filters.beat:
        rows = rows.filter(beat_id=filters.beat)
    if filters.registration:
        rows = rows.filter(registration=filters.registration)
    if filters.status == "moved_out":
        rows = rows.filter(moved_out_on__isnull=False)
    elif filters.status != "all":
        rows = rows.filter(moved_out_on__isnull=True)
    if filters.q.strip():
        _query, rows = selectors.search_residents(user, filters.q, queryset=rows)
    return rows.select_related("address", "beat").order_by("name", "pk")


def house_rows(user: Any, filters: HouseFilter, *, station_id: int | None = None) -> QuerySet[House]:
    rows = _station(selectors.houses_for(user), station_id)
    if filters.beat:
        rows = rows.filter(beat_id=filters.beat)
    if filters.tenure:
        rows = rows.filter(tenure=filters.tenure)
    if filters.use:
        rows = rows.filter(use=filters.use)
    if filters.expired:
        rows = rows.filter(rental_expires_on__lt=today())
    if filters.q.strip():
        _query, rows = selectors.search_houses(user, filters.q, queryset=rows)
    return rows.select_related("address", "beat", "landlord").order_by("address__full_text", "pk")


def organisation_rows(user: Any, filters: OrganisationFilter, *, station_id: int | None = None) -> QuerySet[Organisation]:
    rows = _station(selectors.organisations_for(user), station_id)
    if filters.beat:
        rows = rows.filter(beat_id=filters.beat)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.key_place:
        rows = rows.filter(key_place=True)
    if not filters.include_closed:
        rows = rows.filter(closed_on__isnull=True)
    if filters.q.strip():
        _query, rows = selectors.search_organisations(user, filters.q, queryset=rows)
    return rows.select_related("address", "beat").order_by("name", "pk")


def care_rows(user: Any, filters: CareFilter, *, station_id: int | None = None) -> QuerySet[CareSubject]:
    rows = _station(selectors.care_subjects_for(user), station_id)
    if filters.beat:
        rows = rows.filter(beat_id=filters.beat)
    if filters.reason:
        rows = rows.filter(reason=filters.reason)
    if filters.review_due:
        rows = rows.filter(review_on__lte=today())
    if not filters.include_ended:
        rows = rows.filter(ended_on__isnull=True)
    return rows.select_related("resident__address", "beat", "officer").order_by("review_on", "pk")


def residents_at(house_address_ids: Iterable[int], station_ids: Iterable[int]) -> dict[int, int]:
    """How many current residents live at each of these addresses."""
    ids = list(house_address_ids)
    if not ids:
        return {}
    counted = (
        Resident.objects.for_stations(list(station_ids))
        .filter(address_id__in=ids, merged_into__isnull=True, moved_out_on__isnull=True)
        .values("address_id").annotate(n=Count("id")).values_list("address_id", "n")
    )
    return dict(counted)


def landlord_of(house: House) -> tuple[str, str]:
    """(name, masked phone) of the house's landlord, a resident on record or as written."""
    if house.landlord_id and house.landlord is not None:
        return house.landlord.name, mask_phone(house.landlord.phone or house.landlord_phone)
    return house.landlord_name, mask_phone(house.landlord_phone)


# -- exports: the columns of each list, masked -----------------------------------------------------
#
# An export reads plain values (no model instances) and labels choices from one lookup
# table per column: a station's 100,000 residents are a few seconds, not a minute.


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def resident_table(rows: QuerySet[Resident]) -> tuple[Sequence[str], list[list[Any]]]:
    headers = [_("No."), _("Name"), _("Identity number"), _("Sex"), _("Age"), _("Phone"), _("Registered or migrant"),
               _("Address"), _("Beat"), _("Relation to the house"), _("Moved in on"), _("Moved out on")]
    sex, registration, relation = (_labels(Resident.Sex.choices), _labels(Resident.Registration.choices),
                                   _labels(Resident.Relation.choices))
    on = today()
    table = [
        [pk, name, masked, sex.get(sx, ""), age_of(born, on), mask_phone(phone), registration.get(reg, reg),
         address or "", beat or "", relation.get(rel, rel), _date(moved_in), _date(moved_out)]
        for pk, name, masked, sx, born, phone, reg, address, beat, rel, moved_in, moved_out in rows.values_list(
            "pk", "name", "id_number_masked", "sex", "birth_date", "phone", "registration", "address__full_text",
            "beat__name", "relation", "moved_in_on", "moved_out_on")
    ]
    return headers, table


def house_table(rows: QuerySet[House]) -> tuple[Sequence[str], list[list[Any]]]:
    headers = [_("No."), _("Address"), _("Beat"), _("Use"), _("Owner-occupied or rented"), _("Landlord"),
               _("Landlord's phone"), _("Rental registered on"), _("Rental registration expires on"),
               _("Residents now")]
    values = list(rows.values_list(
        "pk", "address_id", "station_id", "address__full_text", "beat__name", "use", "tenure", "landlord_id",
        "landlord__name", "landlord__phone", "landlord_name", "landlord_phone", "rental_registered_on",
        "rental_expires_on"))
    counts = residents_at([row[1] for row in values], {row[2] for row in values})
    use, tenure = _labels(House.Use.choices), _labels(House.Tenure.choices)
    table = []
    for (pk, address_id, _station, address, beat, used, held, landlord_id, resident_name, resident_phone,
         written_name, written_phone, registered, expires) in values:
        name = resident_name if landlord_id else written_name
        phone = (resident_phone or written_phone) if landlord_id else written_phone
        table.append([pk, address, beat or "", use.get(used, used), tenure.get(held, held), name or "",
                      mask_phone(phone), _date(registered), _date(expires), counts.get(address_id, 0)])
    return headers, table


def organisation_table(rows: QuerySet[Organisation]) -> tuple[Sequence[str], list[list[Any]]]:
    headers = [_("No."), _("Name"), _("Kind"), _("Key place"), _("Address"), _("Beat"), _("Contact"),
               _("Contact phone"), _("Unified social credit code"), _("Employees"), _("Closed on")]
    kind, yes = _labels(Organisation.Kind.choices), _("yes")
    table = [
        [pk, name, kind.get(k, k), yes if key_place else "", address or "", beat or "", contact, mask_phone(phone),
         code, employees if employees is not None else "", _date(closed)]
        for pk, name, k, key_place, address, beat, contact, phone, code, employees, closed in rows.values_list(
            "pk", "name", "kind", "key_place", "address__full_text", "beat__name", "contact_name", "contact_phone",
            "credit_code", "employees", "closed_on")
    ]
    return headers, table


def care_table(rows: QuerySet[CareSubject]) -> tuple[Sequence[str], list[list[Any]]]:
    headers = [_("No."), _("Name"), _("Identity number"), _("Reason"), _("Address"), _("Beat"),
               _("Responsible officer"), _("Since"), _("Review on"), _("Ended on")]
    reason = _labels(CareSubject.Reason.choices)
    table = [
        [pk, name, masked, reason.get(r, r), address or "", beat or "", officer or "", _date(since), _date(review),
         _date(ended)]
        for pk, name, masked, r, address, beat, officer, since, review, ended in rows.values_list(
            "pk", "resident__name", "resident__id_number_masked", "reason", "resident__address__full_text",
            "beat__name", "officer__name", "started_on", "review_on", "ended_on")
    ]
    return headers, table
