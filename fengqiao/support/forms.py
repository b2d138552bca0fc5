"""The forms of the support pages and the unit portal. They read and shape input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.core.forms import (
    LocalDateTimeInput,
    apply_errors,  # noqa: F401  (the views' too)
)
from fengqiao.organisation.models import Officer

from . import selectors, services
from .models import SupportRequest, Unit


def unit_choices(units: list[Unit], *, blank: Any = None) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", blank)] if blank is not None else []
    return choices + [(str(unit.pk), f"{unit.name} · {unit.get_kind_display()}") for unit in units]


# -- the station's forms ---------------------------------------------------------------------------


class RequestFilterForm(forms.Form):
    station = forms.ChoiceField(label=_("Police station"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, units: list[Unit], stations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = [("", _("All stations"))] + [(station.code, station.name) for station in stations]
        self.fields["state"].choices = [(selectors.OPEN, _("Open requests")), (selectors.ALL, _("All")),
                                        *SupportRequest.State.choices]
        self.fields["unit"].choices = unit_choices(units, blank=_("All units"))


class RequestForm(forms.Form):
    """Ask a unit for help: what, how many, by when, where, whom to call."""

    unit = forms.ChoiceField(label=_("Unit"))
    need = forms.ChoiceField(label=_("What is needed"), choices=SupportRequest.Need.choices)
    details = forms.CharField(label=_("Details"), max_length=services.DETAILS_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 2}))
    people = forms.IntegerField(label=_("How many people"), min_value=1, max_value=services.MAX_PEOPLE, initial=1)
    needed_by = forms.DateTimeField(label=_("Needed by"), widget=LocalDateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=services.PLACE_LENGTH)
    contact = forms.ChoiceField(label=_("Contact officer"))

    def __init__(self, *args: Any, units: list[Unit], contacts: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in units}
        self.contacts = {officer.pk: officer for officer in contacts}
        self.fields["unit"].choices = unit_choices(units, blank=_("Choose a unit"))
        self.fields["contact"].choices = [(str(officer.pk), f"{officer.name} {officer.badge_number}".strip())
                                          for officer in contacts]

    def chosen_unit(self) -> Unit | None:
        value = self.cleaned_data.get("unit")
        return self.units.get(int(value)) if value else None

    def chosen_contact(self) -> Officer | None:
        value = self.cleaned_data.get("contact")
        return self.contacts.get(int(value)) if value else None


class RerouteForm(forms.Form):
    unit = forms.ChoiceField(label=_("Send to"))
    needed_by = forms.DateTimeField(label=_("Needed by"), required=False, widget=LocalDateTimeInput())

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in units}
        self.fields["unit"].choices = unit_choices(units, blank=_("Choose a unit"))

    def chosen_unit(self) -> Unit | None:
        value = self.cleaned_data.get("unit")
        return self.units.get(int(value)) if value else None


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=services.REASON_LENGTH)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why the unit cannot help"), max_length=services.REASON_LENGTH)


class ChaseForm(forms.Form):
    """Chasing needs no input."""


STATION_FORMS: dict[str, type[forms.Form]] = {"reroute": RerouteForm, "cancel": CancelForm, "chase": ChaseForm}


# -- the unit's forms ------------------------------------------------------------------------------


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), max_length=services.NOTES_LENGTH, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    notes = forms.CharField(label=_("Progress"), max_length=services.NOTES_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Completion report"), max_length=services.NOTES_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 4}))


UNIT_FORMS: dict[str, type[forms.Form]] = {
    "accept": NotesForm, "decline": DeclineForm, "start": NotesForm, "progress": ProgressForm, "complete": ReportForm,
}
