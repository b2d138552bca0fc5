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
from .models import Address, Resident

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
