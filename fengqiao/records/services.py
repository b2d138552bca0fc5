"""Changing basic records. Every write goes through here: validate, save, audit.

Identity numbers enter only through `identity_fields()`, which checks the GB 11643 check
digit and returns what is stored (encrypted number, keyed hash, masked form, sex, birth
date); the clear number is never saved, logged or returned except by `reveal_identifier`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.audit.services import reveal
from fengqiao.core.masking import mask_id_number
from fengqiao.core.scoping import allow_unscoped

from . import crypto, idcard
from .models import Address, CareSubject, House, Organisation, Resident

REVEAL_PERMISSION = "records.reveal_resident_identifiers"
REVEALABLE = ("id_number", "phone")


def id_number_error(code: str) -> str:
    """A person's wording of an idcard failure code."""
    return {
        idcard.LENGTH: _("An identity number has 18 characters."),
        idcard.CHARACTERS: _("An identity number is 17 digits and a digit or X."),
        idcard.REGION: _("The identity number's region code is not valid."),
        idcard.BIRTH_DATE: _("The identity number's birth date is not a real date."),
        idcard.CHECK_DIGIT: _("The identity number's check digit is wrong; check for a mistyped digit."),
    }.get(code, _("Not a valid identity number."))


@dataclass(frozen=True)
class IdentityFields:
    id_number_cipher: str
    id_number_hash: str
    id_number_masked: str
    sex: str
    birth_date: dt.date

    def apply(self, resident: Resident) -> None:
        resident.id_number_cipher = self.id_number_cipher
        resident.id_number_hash = self.id_number_hash
        resident.id_number_masked = self.id_number_masked
        resident.sex = self.sex
        resident.birth_date = self.birth_date


def identity_fields(raw: str) -> IdentityFields:
    """What is stored for an identity number; ValidationError on `id_number` if it is not valid."""
    try:
        parsed = idcard.parse(raw)
    except idcard.InvalidIdNumber as invalid:
        raise ValidationError({"id_number": [id_number_error(invalid.code)]}) from None
    return IdentityFields(
        id_number_cipher=crypto.encrypt(parsed.number),
        id_number_hash=crypto.search_hash(parsed.number),
        id_number_masked=mask_id_number(parsed.number),
        sex=parsed.sex,
        birth_date=parsed.birth_date,
    )


def holder_of(station_id: int, id_hash: str, *, exclude: int | None = None) -> Resident | None:
    """The current record with this identity number at the station, if any."""
    if not id_hash:
        return None
    found = Resident.objects.for_stations([station_id]).filter(id_number_hash=id_hash, merged_into__isnull=True)
    if exclude:
        found = found.exclude(pk=exclude)
    return found.first()


@dataclass
class ResidentData:
    """A resident as a form, an import row or the API gives it. Empty id_number keeps the old one."""

    name: str
    id_number: str = ""
    phone: str = ""
    registration: str = Resident.Registration.REGISTERED
    address_id: int | None = None
    relation: str = Resident.Relation.OWNER
    moved_in_on: dt.date | None = None
    moved_out_on: dt.date | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def save_resident(station_id: int, data: ResidentData, *, resident: Resident | None = None) -> Resident:
    """Create or change a resident. ValidationError names each field that is wrong; nothing is kept then.

    One record per identity number per station: a number already on record is refused with
    the record's name, so the person is found rather than entered twice.
    """
    errors: dict[str, list[str]] = {}
    resident = resident or Resident(station_id=station_id)
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = [_("Give the person's name.")]
    identity: IdentityFields | None = None
    if data.id_number.strip():
        try:
            identity = identity_fields(data.id_number)
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    elif resident.pk is None and data.registration == Resident.Registration.REGISTERED:
        errors["id_number"] = [_("A registered resident needs an identity number.")]
    phone = "".join(data.phone.split())
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors["phone"] = [_("A phone number is 7 to 12 digits.")]
    address: Address | None = None
    if data.address_id is not None:
        address = Address.objects.for_stations([station_id]).filter(pk=data.address_id).select_related("beat").first()
        if address is None:
            errors["address"] = [_("No such address at this station.")]
    if data.moved_in_on and data.moved_out_on and data.moved_out_on < data.moved_in_on:
        errors["moved_out_on"] = [_("Moved out before moving in.")]
    if identity is not None and "id_number" not in errors:
        holder = holder_of(station_id, identity.id_number_hash, exclude=resident.pk)
        if holder is not None:
            errors["id_number"] = [_("This identity number is already on record: %(name)s (No. %(id)s).")
                                   % {"name": holder.name, "id": holder.pk}]
    if errors:
        raise ValidationError(errors)
    resident.name = name
    if identity is not None:
        identity.apply(resident)
    resident.phone = phone
    resident.registration = data.registration
    resident.address = address
    resident.beat_id = address.beat_id if address is not None else None
    resident.relation = data.relation
    resident.moved_in_on = data.moved_in_on
    resident.moved_out_on = data.moved_out_on
    resident.notes = data.notes
    with transaction.atomic(), allow_unscoped():
        resident.save()
    return resident


def clear_identifier(resident: Resident, name: str) -> str:
    """The clear value of a revealable identifier (call only inside `reveal_identifier`)."""
    if name == "id_number":
        return crypto.decrypt(resident.id_number_cipher)
    if name == "phone":
        return resident.phone
    raise ValueError(name)


def reveal_identifiers(resident: Resident, names: list[str] | tuple[str, ...], *, user: Any, reason: str) -> dict[str, str]:
    """The resident's identity and/or phone number in the clear, after one audit row that says so.

    Raises RevealRefused without the permission or a reason (a refusal for want of the
    permission is itself written down); the audit row and the read share one transaction,
    so if the row cannot be written nothing is revealed.
    """
    wanted = [name for name in REVEALABLE if name in names]
    if not wanted or len(wanted) != len(set(names)):
        raise ValueError(f"revealable fields are {REVEALABLE}, not {names}")
    return reveal(resident, ",".join(wanted), user=user, reason=reason, permission=REVEAL_PERMISSION,
                  read=lambda: {name: clear_identifier(resident, name) for name in wanted})


# -- houses, organisations, the care registry ---------------------------------------------------


def _phone_digits(raw: str) -> str:
    return "".join((raw or "").split()).replace("-", "")


def _phone_error(phone: str) -> list[str] | None:
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        return [_("A phone number is 7 to 12 digits.")]
    return None


def _address_at(station_id: int, address_id: int | None) -> Address | None:
    if address_id is None:
        return None
    return Address.objects.for_stations([station_id]).filter(pk=address_id).select_related("beat").first()


@dataclass
class HouseData:
    """A house as the form or the API gives it."""

    address_id: int | None
    use: str = House.Use.RESIDENTIAL
    tenure: str = House.Tenure.OWNER_OCCUPIED
    landlord_id: int | None = None
    landlord_name: str = ""
    landlord_phone: str = ""
    rental_registered_on: dt.date | None = None
    rental_expires_on: dt.date | None = None
    notes: str = ""


def save_house(station_id: int, data: HouseData, *, house: House | None = None) -> House:
    """Create or change a house. One house per standard address; ValidationError names each wrong field."""
    errors: dict[str, list[str]] = {}
    house = house or House(station_id=station_id)
    address = _address_at(station_id, data.address_id)
    if data.address_id is None:
        errors["address"] = [_("Choose the standard address of the house.")]
    elif address is None:
        errors["address"] = [_("No such address at this station.")]
    else:
        other = House.objects.for_stations([station_id]).filter(address=address).exclude(pk=house.pk).first()
        if other is not None:
            errors["address"] = [_("This address already has a house on record (No. %(id)s).") % {"id": other.pk}]
    if data.use not in House.Use.values:
        errors["use"] = [_("Choose one of the listed uses.")]
    if data.tenure not in House.Tenure.values:
        errors["tenure"] = [_("Choose owner-occupied, rented or empty.")]
    landlord: Resident | None = None
    if data.landlord_id is not None:
        landlord = Resident.objects.for_stations([station_id]).filter(pk=data.landlord_id, merged_into__isnull=True).first()
        if landlord is None:
            errors["landlord"] = [_("No such resident at this station.")]
    phone = _phone_digits(data.landlord_phone)
    if problem := _phone_error(phone):
        errors["landlord_phone"] = problem
    if data.rental_registered_on and data.rental_expires_on and data.rental_expires_on < data.rental_registered_on:
        errors["rental_expires_on"] = [_("The registration expires before it was made.")]
    if errors:
        raise ValidationError(errors)
    assert address is not None
    house.address = address
    house.beat_id = address.beat_id
    house.use = data.use
    house.tenure = data.tenure
    house.landlord = landlord
    house.landlord_name = " ".join(data.landlord_name.split())
    house.landlord_phone = phone
    house.rental_registered_on = data.rental_registered_on
    house.rental_expires_on = data.rental_expires_on
    house.notes = data.notes.strip()
    with transaction.atomic(), allow_unscoped():
        house.save()
    return house


@dataclass
class OrganisationData:
    """An organisation as the form or the API gives it."""

    name: str
    kind: str = Organisation.Kind.SHOP
    address_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    credit_code: str = ""
    key_place: bool = False
    employees: int | None = None
    notes: str = ""
    closed_on: dt.date | None = None


def save_organisation(station_id: int, data: OrganisationData, *, organisation: Organisation | None = None) -> Organisation:
    """Create or change an organisation; ValidationError names each wrong field."""
    errors: dict[str, list[str]] = {}
    organisation = organisation or Organisation(station_id=station_id)
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = [_("Give the organisation's name.")]
    if data.kind not in Organisation.Kind.values:
        errors["kind"] = [_("Choose one of the listed kinds.")]
    address = _address_at(station_id, data.address_id)
    if data.address_id is not None and address is None:
        errors["address"] = [_("No such address at this station.")]
    phone = _phone_digits(data.contact_phone)
    if problem := _phone_error(phone):
        errors["contact_phone"] = problem
    code = "".join(data.credit_code.split()).upper()
    if code and not (len(code) == 18 and code.isalnum()):
        errors["credit_code"] = [_("A unified social credit code has 18 letters and digits.")]
    if data.employees is not None and data.employees < 0:
        errors["employees"] = [_("Give a number of employees of 0 or more.")]
    if errors:
        raise ValidationError(errors)
    organisation.name = name
    organisation.kind = data.kind
    organisation.address = address
    organisation.beat_id = address.beat_id if address is not None else None
    organisation.contact_name = " ".join(data.contact_name.split())
    organisation.contact_phone = phone
    organisation.credit_code = code
    organisation.key_place = data.key_place
    organisation.employees = data.employees
    organisation.notes = data.notes.strip()
    organisation.closed_on = data.closed_on
    with transaction.atomic(), allow_unscoped():
        organisation.save()
    return organisation


@dataclass
class CareSubjectData:
    """A care flag as the form or the API gives it. No officer: the beat's responsible officer."""

    resident_id: int | None
    reason: str
    review_on: dt.date | None
    officer_id: int | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    notes: str = ""


def save_care_subject(station_id: int, data: CareSubjectData, *, subject: CareSubject | None = None) -> CareSubject:
    """Create or change a care flag; its beat is the resident's. ValidationError names each wrong field.

    A person has at most one open flag per reason, so a second one is refused naming the first.
    """
    from fengqiao.organisation.models import Officer

    errors: dict[str, list[str]] = {}
    subject = subject or CareSubject(station_id=station_id)
    resident: Resident | None = None
    if data.resident_id is None:
        errors["resident"] = [_("Choose the person.")]
    else:
        resident = (Resident.objects.for_stations([station_id]).select_related("beat")
                    .filter(pk=data.resident_id, merged_into__isnull=True).first())
        if resident is None:
            errors["resident"] = [_("No such resident at this station.")]
    if data.reason not in CareSubject.Reason.values:
        errors["reason"] = [_("Choose one of the listed reasons.")]
    officer: Officer | None = None
    if data.officer_id is not None:
        officer = Officer.objects.for_stations([station_id]).filter(pk=data.officer_id).first()
        if officer is None:
            errors["officer"] = [_("No such officer at this station.")]
    elif resident is not None and resident.beat is not None and resident.beat.responsible_officer_id:
        officer = Officer.objects.for_stations([station_id]).filter(pk=resident.beat.responsible_officer_id).first()
    if data.review_on is None:
        errors["review_on"] = [_("Give the date of the next review.")]
    started_on = data.started_on or subject.started_on or dt.date.today()
    if data.ended_on and data.ended_on < started_on:
        errors["ended_on"] = [_("Ended before it started.")]
    if resident is not None and "reason" not in errors and data.ended_on is None:
        open_flag = (CareSubject.objects.for_stations([station_id])
                     .filter(resident=resident, reason=data.reason, ended_on__isnull=True).exclude(pk=subject.pk).first())
        if open_flag is not None:
            errors["reason"] = [_("%(name)s already has an open flag for this reason (No. %(id)s).")
                                % {"name": resident.name, "id": open_flag.pk}]
    if errors:
        raise ValidationError(errors)
    assert resident is not None
    subject.resident = resident
    subject.beat_id = resident.beat_id
    subject.reason = data.reason
    subject.officer = officer
    subject.review_on = data.review_on
    subject.started_on = started_on
    subject.ended_on = data.ended_on
    subject.notes = data.notes.strip()
    with transaction.atomic(), allow_unscoped():
        subject.save()
    return subject
