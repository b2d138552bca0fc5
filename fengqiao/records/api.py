"""Basic-records endpoints: residents, houses, organisations and the care registry.

Everything a person's record carries leaves masked — the identity number as
`id_number_masked`, phones as `*_phone_masked`, an age instead of the birth date (which
is what the mask hides). The clear numbers come only from `POST /residents/{id}/reveal`,
with a reason, after the audit row that says so. A text query is an audited search.
Another station's record, one outside an auxiliary's beat, and a care flag outside the
user's circle all answer 404; a bad field 422 whose `detail` starts with its name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fengqiao.audit.services import RevealRefused, record_personal_view
from fengqiao.core.masking import mask_phone
from fengqiao.intake.api import field_error, require, station_for

from . import filters, selectors, services
from .models import CareSubject, House, Organisation, Resident
from .views import record_or_404

router = Router(tags=["records"])


def _station_id(request: HttpRequest, code: str) -> int | None:
    """The station a list is narrowed to: the one named, else all of the user's."""
    return station_for(request, code).pk if code else None


# -- residents --------------------------------------------------------------------------------


class ResidentOut(Schema):
    id: int
    station_id: int
    name: str
    id_number_masked: str
    sex: str
    age: int | None = Field(None, description="whole years; the birth date is not given out (it is what the mask hides)")
    phone_masked: str
    registration: str
    address_id: int | None
    address: str
    beat_id: int | None
    relation: str
    moved_in_on: dt.date | None
    moved_out_on: dt.date | None
    care_flags: list[str] = Field(default_factory=list, description="open care flags' reasons, if you may see them")


class CareFlagOut(Schema):
    id: int
    reason: str
    reason_label: str
    officer_id: int | None
    officer: str
    started_on: dt.date
    review_on: dt.date
    ended_on: dt.date | None


class HouseBrief(Schema):
    id: int
    tenure: str
    use: str
    rental_expires_on: dt.date | None


class ResidentDetailOut(ResidentOut):
    notes: str
    merged_into_id: int | None
    care: list[CareFlagOut] = Field(default_factory=list, description="care flags, if you may see them")
    house: HouseBrief | None = None


class ResidentPage(Schema):
    items: list[ResidentOut]
    page: int
    page_size: int
    has_next: bool


def resident_out(person: Resident, flags: dict[int, list[CareSubject]] | None = None) -> dict[str, Any]:
    return {
        "id": person.pk, "station_id": person.station_id, "name": person.name,
        "id_number_masked": person.id_number_masked, "sex": person.sex, "age": filters.age_of(person.birth_date),
        "phone_masked": mask_phone(person.phone), "registration": person.registration,
        "address_id": person.address_id, "address": person.address.full_text if person.address else "",
        "beat_id": person.beat_id, "relation": person.relation, "moved_in_on": person.moved_in_on,
        "moved_out_on": person.moved_out_on,
        "care_flags": [flag.reason for flag in (flags or {}).get(person.pk, [])],
    }


def _care_out(flag: CareSubject) -> dict[str, Any]:
    return {
        "id": flag.pk, "reason": flag.reason, "reason_label": str(flag.get_reason_display()),
        "officer_id": flag.officer_id, "officer": flag.officer.name if flag.officer else "",
        "started_on": flag.started_on, "review_on": flag.review_on, "ended_on": flag.ended_on,
    }


class ResidentQuery(Schema):
    q: str = Field("", max_length=100, description="name, identity number, phone, last 4 digits or address (audited)")
    beat: int | None = None
    registration: Literal["", "registered", "migrant", "overseas"] = ""
    status: Literal["current", "moved_out", "all"] = "current"
    station: str = Field("", max_length=20, description="station code; default: all of yours")
    page: int = Field(1, ge=1, le=100_000)


def _resident_rows() -> Any:
    return Resident.objects.select_related("address", "beat")


@router.get("/residents", response=ResidentPage, summary="Residents, masked; a text query is an audited search")
def list_residents(request: HttpRequest, query: Query[ResidentQuery]) -> Any:
    require(request, "records.view_resident")
    wanted = filters.ResidentFilter(q=query.q, beat=query.beat, registration=query.registration, status=query.status)
    rows = filters.resident_rows(request.user, wanted, station_id=_station_id(request, query.station))
    page = filters.page_of(rows, query.page)
    flags = selectors.open_care_flags(request.user, [person.pk for person in page])
    return {"items": [resident_out(person, flags) for person in page], "page": page.number,
            "page_size": page.size, "has_next": page.has_next}


def _resident_detail(request: HttpRequest, person: Resident) -> dict[str, Any]:
    care = list(selectors.care_subjects_for(request.user).filter(resident=person).select_related("officer")
                .order_by("ended_on", "review_on"))
    house = selectors.houses_for(request.user).filter(address_id=person.address_id).first() if person.address_id else None
    out = resident_out(person, {person.pk: [flag for flag in care if flag.ended_on is None]})
    out.update({
        "notes": person.notes, "merged_into_id": person.merged_into_id, "care": [_care_out(flag) for flag in care],
        "house": None if house is None else {"id": house.pk, "tenure": house.tenure, "use": house.use,
                                             "rental_expires_on": house.rental_expires_on},
    })
    return out


@router.get("/residents/{int:resident_id}", response=ResidentDetailOut)
def get_resident(request: HttpRequest, resident_id: int) -> Any:
    """One person, masked, with their care flags (if you may see them) and house. The look is audited."""
    require(request, "records.view_resident")
    person = record_or_404(_resident_rows(), request.user, resident_id)
    record_personal_view(person, fields=["name", "id_number_masked", "phone_masked", "sex", "age", "address",
                                         "care_flags"], user=request.user)
    return _resident_detail(request, person)


class ResidentIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field("", max_length=24, description="checked with its GB 11643 check digit; stored encrypted")
    phone: str = Field("", max_length=20)
    registration: Literal["registered", "migrant", "overseas"] = "registered"
    address_id: int | None = None
    relation: Literal["owner", "family", "tenant", "other"] = "owner"
    moved_in_on: dt.date | None = None
    moved_out_on: dt.date | None = None
    notes: str = Field("", max_length=4000)
    station: str = Field("", max_length=20, description="station code; needed only by users who see several")


@router.post("/residents", response={201: ResidentDetailOut})
def create_resident(request: HttpRequest, payload: ResidentIn) -> Any:
    """Put a person on record. 422 naming the field: a bad check digit, or a number already on
    record (`id_number: … already on record: <name> (No. <id>)`)."""
    require(request, "records.add_resident")
    station = station_for(request, payload.station)
    data = services.ResidentData(
        name=payload.name, id_number=payload.id_number, phone=payload.phone, registration=payload.registration,
        address_id=payload.address_id, relation=payload.relation, moved_in_on=payload.moved_in_on,
        moved_out_on=payload.moved_out_on, notes=payload.notes,
    )
    try:
        person = services.save_resident(station.pk, data)
    except ValidationError as error:
        raise field_error(error) from None
    return Status(201, _resident_detail(request, _resident_rows().for_stations([station.pk]).get(pk=person.pk)))


class ResidentChange(Schema):
    name: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=24, description="a new number replaces the one on record")
    phone: str | None = Field(None, max_length=20, description="\"\" removes the phone on record")
    registration: Literal["registered", "migrant", "overseas"] | None = None
    address_id: int | None = None
    relation: Literal["owner", "family", "tenant", "other"] | None = None
    moved_in_on: dt.date | None = None
    moved_out_on: dt.date | None = None
    notes: str | None = Field(None, max_length=4000)


@router.patch("/residents/{int:resident_id}", response=ResidentDetailOut)
def change_resident(request: HttpRequest, resident_id: int, payload: ResidentChange) -> Any:
    """Change the fields given; the others stay. 422 naming the field."""
    person = record_or_404(_resident_rows(), request.user, resident_id)
    require(request, "records.change_resident")
    given = payload.model_dump(exclude_unset=True)
    data = services.ResidentData(
        name=given.get("name") or person.name, id_number=given.get("id_number") or "",
        phone=given["phone"] if given.get("phone") is not None else person.phone,
        registration=given.get("registration") or person.registration,
        address_id=given.get("address_id", person.address_id),
        relation=given.get("relation") or person.relation,
        moved_in_on=given.get("moved_in_on", person.moved_in_on),
        moved_out_on=given.get("moved_out_on", person.moved_out_on),
        notes=given["notes"] if given.get("notes") is not None else person.notes,
    )
    try:
        services.save_resident(person.station_id, data, resident=person)
    except ValidationError as error:
        raise field_error(error) from None
    return _resident_detail(request, _resident_rows().for_stations([person.station_id]).get(pk=person.pk))


class RevealIn(Schema):
    reason: str = Field("", max_length=200, description="why the numbers are needed; written to the audit log")
    fields: list[Literal["id_number", "phone"]] | None = Field(None, description="default: both")


class RevealOut(Schema):
    id_number: str | None = None
    phone: str | None = None


@router.post("/residents/{int:resident_id}/reveal", response=RevealOut, summary="Reveal identity and phone number")
def reveal_resident(request: HttpRequest, resident_id: int, payload: RevealIn) -> Any:
    """The clear numbers, after one audit row with the reason; if that row cannot be written,
    nothing is revealed. 422 without a reason, 403 without the permission (the refusal is
    audited), 404 for another station's person or one outside an auxiliary's beat."""
    person = record_or_404(_resident_rows(), request.user, resident_id)
    wanted = list(dict.fromkeys(payload.fields or services.REVEALABLE))
    if not wanted:
        raise HttpError(422, "fields: name at least one of id_number, phone")
    try:
        clear = services.reveal_identifiers(person, wanted, user=request.user, reason=payload.reason)
    except RevealRefused as refused:
        if str(refused) == "reason":
            raise HttpError(422, "reason: give the reason for revealing these numbers (at least 2 characters)") from None
        raise HttpError(403, "your role may not reveal identity or phone numbers") from None
    return clear


# -- houses -----------------------------------------------------------------------------------------


class HouseOut(Schema):
    id: int
    station_id: int
    address_id: int
    address: str
    beat_id: int | None
    use: str
    tenure: str
    landlord_id: int | None
    landlord_name: str
    landlord_phone_masked: str
    rental_registered_on: dt.date | None
    rental_expires_on: dt.date | None
    rental_expired: bool
    resident_count: int = 0


class HouseDetailOut(HouseOut):
    notes: str
    residents: list[ResidentOut] = Field(default_factory=list, description="current residents, masked")
    moved_out: list[ResidentOut] = Field(default_factory=list)


class HousePage(Schema):
    items: list[HouseOut]
    page: int
    page_size: int
    has_next: bool


def house_out(house: House, counts: dict[int, int] | None = None) -> dict[str, Any]:
    name, phone = filters.landlord_of(house)
    return {
        "id": house.pk, "station_id": house.station_id, "address_id": house.address_id,
        "address": house.address.full_text, "beat_id": house.beat_id, "use": house.use, "tenure": house.tenure,
        "landlord_id": house.landlord_id, "landlord_name": name, "landlord_phone_masked": phone,
        "rental_registered_on": house.rental_registered_on, "rental_expires_on": house.rental_expires_on,
        "rental_expired": bool(house.rental_expires_on and house.rental_expires_on < filters.today()),
        "resident_count": (counts or {}).get(house.address_id, 0),
    }


class HouseQuery(Schema):
    q: str = Field("", max_length=100, description="address or landlord (audited)")
    beat: int | None = None
    tenure: Literal["", "owner_occupied", "rented", "vacant"] = ""
    use: Literal["", "residential", "commercial", "mixed", "dormitory", "vacant"] = ""
    expired: bool = Field(False, description="only houses whose rental registration has expired")
    station: str = Field("", max_length=20)
    page: int = Field(1, ge=1, le=100_000)


def _house_rows() -> Any:
    return House.objects.select_related("address", "beat", "landlord")


@router.get("/houses", response=HousePage)
def list_houses(request: HttpRequest, query: Query[HouseQuery]) -> Any:
    require(request, "records.view_house")
    wanted = filters.HouseFilter(q=query.q, beat=query.beat, tenure=query.tenure, use=query.use, expired=query.expired)
    rows = filters.house_rows(request.user, wanted, station_id=_station_id(request, query.station))
    page = filters.page_of(rows, query.page)
    counts = filters.residents_at([house.address_id for house in page], {house.station_id for house in page})
    return {"items": [house_out(house, counts) for house in page], "page": page.number, "page_size": page.size,
            "has_next": page.has_next}


def _house_detail(request: HttpRequest, house: House) -> dict[str, Any]:
    from .views import people_at

    current, moved_out = people_at(request.user, house.address)
    flags = {person.pk: person.visible_flags for person in current + moved_out}
    out = house_out(house, {house.address_id: len(current)})
    out.update({"notes": house.notes, "residents": [resident_out(person, flags) for person in current],
                "moved_out": [resident_out(person, flags) for person in moved_out]})
    return out


@router.get("/houses/{int:house_id}", response=HouseDetailOut)
def get_house(request: HttpRequest, house_id: int) -> Any:
    """One house with the people living there (masked); the look is audited."""
    require(request, "records.view_house")
    house = record_or_404(_house_rows(), request.user, house_id)
    detail = _house_detail(request, house)
    if detail["residents"] or detail["moved_out"] or detail["landlord_name"]:
        record_personal_view(house, fields=["landlord", "residents"], user=request.user)
    return detail


class HouseIn(Schema):
    address_id: int
    use: Literal["residential", "commercial", "mixed", "dormitory", "vacant"] = "residential"
    tenure: Literal["owner_occupied", "rented", "vacant"] = "owner_occupied"
    landlord_id: int | None = Field(None, description="the landlord, when on record as a resident")
    landlord_name: str = Field("", max_length=50)
    landlord_phone: str = Field("", max_length=20)
    rental_registered_on: dt.date | None = None
    rental_expires_on: dt.date | None = None
    notes: str = Field("", max_length=4000)
    station: str = Field("", max_length=20)


@router.post("/houses", response={201: HouseDetailOut})
def create_house(request: HttpRequest, payload: HouseIn) -> Any:
    """Record the house at a standard address (one per address); 422 naming the field."""
    require(request, "records.add_house")
    station = station_for(request, payload.station)
    data = services.HouseData(
        address_id=payload.address_id, use=payload.use, tenure=payload.tenure, landlord_id=payload.landlord_id,
        landlord_name=payload.landlord_name, landlord_phone=payload.landlord_phone,
        rental_registered_on=payload.rental_registered_on, rental_expires_on=payload.rental_expires_on,
        notes=payload.notes,
    )
    try:
        house = services.save_house(station.pk, data)
    except ValidationError as error:
        raise field_error(error) from None
    return Status(201, _house_detail(request, _house_rows().for_stations([station.pk]).get(pk=house.pk)))


# -- organisations ------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    station_id: int
    name: str
    kind: str
    address_id: int | None
    address: str
    beat_id: int | None
    contact_name: str
    contact_phone_masked: str
    credit_code: str
    key_place: bool
    employees: int | None
    closed_on: dt.date | None


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    page: int
    page_size: int
    has_next: bool


def organisation_out(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.pk, "station_id": organisation.station_id, "name": organisation.name,
        "kind": organisation.kind, "address_id": organisation.address_id,
        "address": organisation.address.full_text if organisation.address else "", "beat_id": organisation.beat_id,
        "contact_name": organisation.contact_name, "contact_phone_masked": mask_phone(organisation.contact_phone),
        "credit_code": organisation.credit_code, "key_place": organisation.key_place,
        "employees": organisation.employees, "closed_on": organisation.closed_on,
    }


class OrganisationQuery(Schema):
    q: str = Field("", max_length=100, description="name, address, contact or credit code (audited)")
    beat: int | None = None
    kind: str = Field("", max_length=20)
    key_place: bool = False
    include_closed: bool = False
    station: str = Field("", max_length=20)
    page: int = Field(1, ge=1, le=100_000)


def _organisation_rows() -> Any:
    return Organisation.objects.select_related("address", "beat")


@router.get("/organisations", response=OrganisationPage)
def list_organisations(request: HttpRequest, query: Query[OrganisationQuery]) -> Any:
    require(request, "records.view_organisation")
    if query.kind and query.kind not in Organisation.Kind.values:
        raise HttpError(422, f"kind: unknown kind {query.kind!r}")
    wanted = filters.OrganisationFilter(q=query.q, beat=query.beat, kind=query.kind, key_place=query.key_place,
                                        include_closed=query.include_closed)
    rows = filters.organisation_rows(request.user, wanted, station_id=_station_id(request, query.station))
    page = filters.page_of(rows, query.page)
    return {"items": [organisation_out(o) for o in page], "page": page.number, "page_size": page.size,
            "has_next": page.has_next}


@router.get("/organisations/{int:organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int) -> Any:
    require(request, "records.view_organisation")
    organisation = record_or_404(_organisation_rows(), request.user, organisation_id)
    if organisation.contact_name or organisation.contact_phone:
        record_personal_view(organisation, fields=["contact_name", "contact_phone"], user=request.user)
    return organisation_out(organisation)


class OrganisationIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str = Field("shop", max_length=20)
    address_id: int | None = None
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    credit_code: str = Field("", max_length=24)
    key_place: bool = False
    employees: int | None = Field(None, ge=0)
    notes: str = Field("", max_length=4000)
    closed_on: dt.date | None = None
    station: str = Field("", max_length=20)


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Any:
    require(request, "records.add_organisation")
    station = station_for(request, payload.station)
    data = services.OrganisationData(
        name=payload.name, kind=payload.kind, address_id=payload.address_id, contact_name=payload.contact_name,
        contact_phone=payload.contact_phone, credit_code=payload.credit_code, key_place=payload.key_place,
        employees=payload.employees, notes=payload.notes, closed_on=payload.closed_on,
    )
    try:
        organisation = services.save_organisation(station.pk, data)
    except ValidationError as error:
        raise field_error(error) from None
    return Status(201, organisation_out(_organisation_rows().for_stations([station.pk]).get(pk=organisation.pk)))


# -- the care registry -----------------------------------------------------------------------------------


class CareSubjectOut(CareFlagOut):
    resident_id: int
    resident_name: str
    id_number_masked: str
    beat_id: int | None
    notes: str


class CarePage(Schema):
    items: list[CareSubjectOut]
    page: int
    page_size: int
    has_next: bool


def care_subject_out(subject: CareSubject) -> dict[str, Any]:
    out = _care_out(subject)
    out.update({"resident_id": subject.resident_id, "resident_name": subject.resident.name,
                "id_number_masked": subject.resident.id_number_masked, "beat_id": subject.beat_id,
                "notes": subject.notes})
    return out


class CareQuery(Schema):
    beat: int | None = None
    reason: str = Field("", max_length=30)
    review_due: bool = False
    include_ended: bool = False
    station: str = Field("", max_length=20)
    page: int = Field(1, ge=1, le=100_000)


@router.get("/care-subjects", response=CarePage, summary="Care subjects you may see (leaders: the station; others: their beat)")
def list_care_subjects(request: HttpRequest, query: Query[CareQuery]) -> Any:
    require(request, "records.view_caresubject")
    if query.reason and query.reason not in CareSubject.Reason.values:
        raise HttpError(422, f"reason: unknown reason {query.reason!r}")
    wanted = filters.CareFilter(beat=query.beat, reason=query.reason, review_due=query.review_due,
                                include_ended=query.include_ended)
    rows = filters.care_rows(request.user, wanted, station_id=_station_id(request, query.station))
    page = filters.page_of(rows, query.page)
    return {"items": [care_subject_out(subject) for subject in page], "page": page.number, "page_size": page.size,
            "has_next": page.has_next}


@router.get("/care-subjects/{int:subject_id}", response=CareSubjectOut)
def get_care_subject(request: HttpRequest, subject_id: int) -> Any:
    require(request, "records.view_caresubject")
    subject = record_or_404(CareSubject.objects.select_related("resident", "officer"), request.user, subject_id,
                            visible=selectors.care_subjects_for(request.user))
    record_personal_view(subject, fields=["resident", "reason"], user=request.user)
    return care_subject_out(subject)
