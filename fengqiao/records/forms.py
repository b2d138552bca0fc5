"""The forms of the records pages: filters of the lists, and the resident, house,
organisation and care-flag forms. Each hands its data to a service and shows the
service's refusals on the field they name.

Identity and phone numbers are never put back into a form: an edit shows the masked
number on record and an empty field to replace it, and a form shown again after an
error asks for the number again rather than echoing it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fengqiao.core.masking import mask_phone
from fengqiao.organisation.models import Beat, Officer, Station

from . import filters, selectors, services
from .models import Address, CareSubject, House, Organisation, Resident

ANY = ("", _("— any —"))


class BlankInput(forms.TextInput):
    """A text input that never renders a value: for identity and phone numbers."""

    def format_value(self, value: Any) -> None:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def beat_choices(beats: list[Beat]) -> list[tuple[str, str]]:
    return [("", _("— all beats —")), *((str(beat.pk), beat.name) for beat in beats)]


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- list filters --------------------------------------------------------------------------------


class _ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    beat = forms.ChoiceField(label=_("Beat"), required=False)

    def __init__(self, *args: Any, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].choices = beat_choices(beats)

    def value(self, name: str, default: Any = "") -> Any:
        if not self.is_bound or not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default


class ResidentFilterForm(_ListFilterForm):
    registration = forms.ChoiceField(label=_("Registered or migrant"), required=False,
                                     choices=[ANY, *Resident.Registration.choices])
    status = forms.ChoiceField(label=_("Residence status"), required=False, choices=[
        ("", _("Current residents")), ("moved_out", _("Moved out")), ("all", _("All")),
    ])

    def __init__(self, *args: Any, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, beats=beats, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("name, identity number, phone, last 4 digits or address")

    def filters(self) -> filters.ResidentFilter:
        return filters.ResidentFilter(
            q=self.value("q"), beat=_int_or_none(self.value("beat", None)),
            registration=self.value("registration"), status=self.value("status") or "current",
        )


class HouseFilterForm(_ListFilterForm):
    tenure = forms.ChoiceField(label=_("Owner-occupied or rented"), required=False, choices=[ANY, *House.Tenure.choices])
    use = forms.ChoiceField(label=_("Use"), required=False, choices=[ANY, *House.Use.choices])
    expired = forms.BooleanField(label=_("Rental registration expired"), required=False)

    def __init__(self, *args: Any, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, beats=beats, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("address or landlord")

    def filters(self) -> filters.HouseFilter:
        return filters.HouseFilter(
            q=self.value("q"), beat=_int_or_none(self.value("beat", None)), tenure=self.value("tenure"),
            use=self.value("use"), expired=bool(self.value("expired", False)),
        )


class OrganisationFilterForm(_ListFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[ANY, *Organisation.Kind.choices])
    key_place = forms.BooleanField(label=_("Key places only"), required=False)
    closed = forms.BooleanField(label=_("Include closed"), required=False)

    def __init__(self, *args: Any, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, beats=beats, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("name, address, contact or credit code")

    def filters(self) -> filters.OrganisationFilter:
        return filters.OrganisationFilter(
            q=self.value("q"), beat=_int_or_none(self.value("beat", None)), kind=self.value("kind"),
            key_place=bool(self.value("key_place", False)), include_closed=bool(self.value("closed", False)),
        )


class CareFilterForm(forms.Form):
    beat = forms.ChoiceField(label=_("Beat"), required=False)
    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=[ANY, *CareSubject.Reason.choices])
    due = forms.BooleanField(label=_("Review due"), required=False)
    ended = forms.BooleanField(label=_("Include ended"), required=False)

    def __init__(self, *args: Any, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].choices = beat_choices(beats)

    def filters(self) -> filters.CareFilter:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return filters.CareFilter(
            beat=_int_or_none(data.get("beat")), reason=data.get("reason") or "",
            review_due=bool(data.get("due")), include_ended=bool(data.get("ended")),
        )


# -- record forms ------------------------------------------------------------------------------------


class _RecordForm(forms.Form):
    """Shared: the standard address typed (or picked from the list) and the service's refusals."""

    # service field name -> form field name, where they differ
    field_names: dict[str, str] = {"address": "address_text"}

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station = station
        self.address: Address | None = None

    def clean_address_text(self) -> str:
        text = " ".join(self.cleaned_data.get("address_text", "").split())
        if not text:
            if self.fields["address_text"].required:
                raise ValidationError(_("Choose the standard address."))
            return ""
        address, suggestions = selectors.address_by_text(self.station.pk, text)
        if address is None:
            if suggestions:
                raise ValidationError(_("No standard address reads exactly like this. Did you mean: %(options)s?")
                                      % {"options": " / ".join(suggestions)})
            raise ValidationError(_("No standard address reads like this; choose one from the list."))
        self.address = address
        return address.full_text

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            field = self.field_names.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


def _replace_label(form: forms.Form, field: str, label: Any, on_record: str) -> None:
    form.fields[field].label = label
    form.fields[field].help_text = _("On record: %(value)s. Leave empty to keep it.") % {"value": on_record or "—"}


class ResidentForm(_RecordForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("Identity number"), max_length=24, required=False,
        widget=BlankInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        help_text=_("18 characters; sex and birth date are taken from it."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=BlankInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    clear_phone = forms.BooleanField(label=_("Remove the phone number on record"), required=False)
    registration = forms.ChoiceField(label=_("Registered or migrant"), choices=Resident.Registration.choices)
    address_text = forms.CharField(label=_("Current address"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"list": "address-choices", "autocomplete": "off"}))
    relation = forms.ChoiceField(label=_("Relation to the house"), choices=Resident.Relation.choices)
    moved_in_on = forms.DateField(label=_("Moved in on"), required=False, widget=DateInput())
    moved_out_on = forms.DateField(label=_("Moved out on"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, station: Station, resident: Resident | None = None, **kwargs: Any) -> None:
        if resident is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": resident.name, "registration": resident.registration, "relation": resident.relation,
                "address_text": resident.address.full_text if resident.address else "",
                "moved_in_on": resident.moved_in_on, "moved_out_on": resident.moved_out_on, "notes": resident.notes,
            }
        super().__init__(*args, station=station, **kwargs)
        self.resident = resident
        self.duplicate_of: Resident | None = None
        if resident is not None:
            _replace_label(self, "id_number", _("Replace identity number"), resident.id_number_masked)
            _replace_label(self, "phone", _("Replace phone"), mask_phone(resident.phone))
            if not resident.phone:
                del self.fields["clear_phone"]
        else:
            del self.fields["clear_phone"]

    def retyped_numbers(self) -> bool:
        """Whether numbers were typed that the form, shown again, will not repeat."""
        return self.is_bound and bool(self.data.get("id_number") or self.data.get("phone"))

    def resident_data(self) -> services.ResidentData:
        data = self.cleaned_data
        phone = data["phone"]
        if self.resident is not None and not phone:
            phone = "" if data.get("clear_phone") else self.resident.phone
        return services.ResidentData(
            name=data["name"], id_number=data["id_number"], phone=phone, registration=data["registration"],
            address_id=self.address.pk if self.address else None, relation=data["relation"],
            moved_in_on=data["moved_in_on"], moved_out_on=data["moved_out_on"], notes=data["notes"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        typed = self.cleaned_data.get("id_number", "")
        super().add_service_errors(error)  # (takes the refused fields out of cleaned_data)
        if "id_number" in error.message_dict and typed:
            try:
                identity = services.identity_fields(typed)
            except ValidationError:
                return
            self.duplicate_of = services.holder_of(
                self.station.pk, identity.id_number_hash, exclude=self.resident.pk if self.resident else None)


class HouseForm(_RecordForm):
    address_text = forms.CharField(label=_("Standard address"), max_length=200,
                                   widget=forms.TextInput(attrs={"list": "address-choices", "autocomplete": "off"}))
    use = forms.ChoiceField(label=_("Use"), choices=House.Use.choices)
    tenure = forms.ChoiceField(label=_("Owner-occupied or rented"), choices=House.Tenure.choices)
    landlord_name = forms.CharField(label=_("Landlord"), max_length=50, required=False)
    landlord_phone = forms.CharField(label=_("Landlord's phone"), max_length=20, required=False,
                                     widget=BlankInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    rental_registered_on = forms.DateField(label=_("Rental registered on"), required=False, widget=DateInput())
    rental_expires_on = forms.DateField(label=_("Rental registration expires on"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, station: Station, house: House | None = None, **kwargs: Any) -> None:
        if house is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "address_text": house.address.full_text, "use": house.use, "tenure": house.tenure,
                "landlord_name": house.landlord_name, "rental_registered_on": house.rental_registered_on,
                "rental_expires_on": house.rental_expires_on, "notes": house.notes,
            }
        super().__init__(*args, station=station, **kwargs)
        self.house = house
        if house is not None and house.landlord_phone:
            _replace_label(self, "landlord_phone", _("Replace landlord's phone"), mask_phone(house.landlord_phone))

    def house_data(self) -> services.HouseData:
        data = self.cleaned_data
        phone = data["landlord_phone"] or (self.house.landlord_phone if self.house is not None else "")
        return services.HouseData(
            address_id=self.address.pk if self.address else None, use=data["use"], tenure=data["tenure"],
            landlord_id=self.house.landlord_id if self.house is not None else None,
            landlord_name=data["landlord_name"], landlord_phone=phone,
            rental_registered_on=data["rental_registered_on"], rental_expires_on=data["rental_expires_on"],
            notes=data["notes"],
        )


class OrganisationForm(_RecordForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    address_text = forms.CharField(label=_("Standard address"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"list": "address-choices", "autocomplete": "off"}))
    key_place = forms.BooleanField(label=_("Key place"), required=False,
                                   help_text=_("Schools, hotels, entertainment venues and other places the station watches closely."))
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False,
                                    widget=BlankInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=24, required=False)
    employees = forms.IntegerField(label=_("Employees"), required=False, min_value=0)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, station: Station, organisation: Organisation | None = None, **kwargs: Any) -> None:
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": organisation.name, "kind": organisation.kind, "key_place": organisation.key_place,
                "address_text": organisation.address.full_text if organisation.address else "",
                "contact_name": organisation.contact_name, "credit_code": organisation.credit_code,
                "employees": organisation.employees, "closed_on": organisation.closed_on, "notes": organisation.notes,
            }
        super().__init__(*args, station=station, **kwargs)
        self.organisation = organisation
        if organisation is not None and organisation.contact_phone:
            _replace_label(self, "contact_phone", _("Replace contact phone"), mask_phone(organisation.contact_phone))

    def organisation_data(self) -> services.OrganisationData:
        data = self.cleaned_data
        phone = data["contact_phone"] or (self.organisation.contact_phone if self.organisation is not None else "")
        return services.OrganisationData(
            name=data["name"], kind=data["kind"], address_id=self.address.pk if self.address else None,
            contact_name=data["contact_name"], contact_phone=phone, credit_code=data["credit_code"],
            key_place=data["key_place"], employees=data["employees"], notes=data["notes"], closed_on=data["closed_on"],
        )


class CareSubjectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CareSubject.Reason.choices)
    officer = forms.TypedChoiceField(label=_("Responsible officer"), required=False, coerce=int, empty_value=None,
                                     help_text=_("Empty: the beat's community officer."))
    review_on = forms.DateField(label=_("Review on"), widget=DateInput())
    started_on = forms.DateField(label=_("Since"), required=False, widget=DateInput())
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DateInput(),
                               help_text=_("Set when the person no longer needs the flag; it stays on record."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    field_names: dict[str, str] = {}

    def __init__(self, *args: Any, station: Station, resident: Resident, subject: CareSubject | None = None,
                 **kwargs: Any) -> None:
        if subject is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "reason": subject.reason, "officer": subject.officer_id, "review_on": subject.review_on,
                "started_on": subject.started_on, "ended_on": subject.ended_on, "notes": subject.notes,
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {"started_on": dt.date.today(), "review_on": dt.date.today() + dt.timedelta(days=90)}
        super().__init__(*args, **kwargs)
        self.station = station
        self.resident = resident
        self.subject = subject
        officers = Officer.objects.for_stations([station.pk]).filter(rank=Officer.Rank.OFFICER).order_by("name")
        self.fields["officer"].choices = [("", _("— the beat's officer —")), *((o.pk, o.name) for o in officers)]
        if subject is None:
            del self.fields["ended_on"]

    def care_data(self) -> services.CareSubjectData:
        data = self.cleaned_data
        return services.CareSubjectData(
            resident_id=self.resident.pk, reason=data["reason"], review_on=data["review_on"],
            officer_id=data["officer"], started_on=data["started_on"], ended_on=data.get("ended_on"),
            notes=data["notes"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
