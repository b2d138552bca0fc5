"""The forms of the intake and incident pages; each names the field it refuses."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fengqiao.organisation.models import Beat, Station
from fengqiao.records.models import Address

from . import states
from .models import PRIORITY_CHOICES, Call, Category, CategoryFamily, Incident, Route

# A received time further ahead than this is a clock error.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
TAKE_SUGGESTION = ("", _("— as suggested —"))

phone_digits = RegexValidator(r"^[0-9+\- ]*$", _("Digits, spaces, + and - only."))


def category_label(category: Category) -> str:
    return category.label_en if get_language() == "en" else category.label_zh


def family_label(family: CategoryFamily) -> str:
    return family.label_en if get_language() == "en" else family.label_zh


def category_choices(station: Station, *, blank: tuple[str, Any] | None = TAKE_SUGGESTION) -> list[Any]:
    """The station's active categories grouped by family, for a <select> with <optgroup>s."""
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    rows = (
        Category.objects.for_stations([station.pk]).filter(active=True)
        .select_related("family").order_by("family__position", "position", "code")
    )
    for category in rows:
        label, options = groups.setdefault(category.family_id, (family_label(category.family), []))
        options.append((category.code, category_label(category)))
    choices: list[Any] = [blank] if blank else []
    return choices + [(label, options) for label, options in groups.values()]


class AddressField(forms.IntegerField):
    """The id of a standard address chosen from the autocomplete; checked against the station."""

    widget = forms.HiddenInput


class CallForm(forms.Form):
    """One call as the commander takes it: what was said and where first, then the rest."""

    text = forms.CharField(
        label=_("What the caller said"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "autofocus": True, "autocomplete": "off"}),
    )
    address_text = forms.CharField(label=_("Address"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))
    address_id = AddressField(required=False)
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=20, required=False, validators=[phone_digits],
                                   widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    caller_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))
    source = forms.ChoiceField(label=_("Source"), choices=Call.Source.choices, initial=Call.Source.PHONE)
    received_at = forms.DateTimeField(
        label=_("Received"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"),
        help_text=_("Leave as it is for a call coming in now."),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None,
                                      choices=[TAKE_SUGGESTION, *PRIORITY_CHOICES])
    route = forms.ChoiceField(label=_("Route"), required=False, choices=[TAKE_SUGGESTION, *Route.choices])
    merge_into = forms.IntegerField(required=False, widget=forms.HiddenInput)
    key = forms.CharField(max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station = station
        self.fields["category"].choices = category_choices(station)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)
            self.initial.setdefault("received_at", timezone.localtime().replace(microsecond=0))

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write down what the caller said."))
        return text

    def clean_caller_phone(self) -> str:
        return self.cleaned_data["caller_phone"].replace(" ", "")

    def clean_received_at(self) -> dt.datetime:
        received = self.cleaned_data.get("received_at") or timezone.now()
        if received > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("This time lies in the future."))
        return received

    def clean_address_id(self) -> Address | None:
        address_id = self.cleaned_data.get("address_id")
        if address_id is None:
            return None
        address = Address.objects.for_stations([self.station.pk]).filter(pk=address_id).first()
        if address is None:
            raise forms.ValidationError(_("This standard address does not belong to the station."))
        return address

    def clean_merge_into(self) -> Incident | None:
        incident_id = self.cleaned_data.get("merge_into")
        if incident_id is None:
            return None
        incident = Incident.objects.for_stations([self.station.pk]).filter(pk=incident_id).first()
        if incident is None or not incident.is_open:
            raise forms.ValidationError(_("The incident to join is no longer open."))
        return incident


class IncidentFilterForm(forms.Form):
    """Filters of the incident list; every field optional."""

    OPEN = "open"

    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("number, words, place")}))
    state = forms.ChoiceField(label=_("State"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None,
                                      choices=[("", _("All")), *PRIORITY_CHOICES])
    route = forms.ChoiceField(label=_("Route"), required=False, choices=[("", _("All")), *Route.choices])
    beat = forms.TypedChoiceField(label=_("Beat"), required=False, coerce=int, empty_value=None)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unconfirmed = forms.BooleanField(label=_("Place to confirm"), required=False)

    def __init__(self, *args: Any, station: Station, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("All")), (self.OPEN, _("Open")), *Incident.State.choices,
        ]
        self.fields["category"].choices = category_choices(station, blank=("", _("All")))
        self.fields["beat"].choices = [("", _("All")), *((beat.pk, f"{beat.code} {beat.name}") for beat in beats)]

    def states_wanted(self) -> list[str]:
        state = self.cleaned_data.get("state") or ""
        if state == self.OPEN:
            return sorted(states.OPEN_STATES)
        return [state] if state else []


class IncidentChangeForm(forms.Form):
    """What a commander may correct on an incident; every change is logged before/after."""

    category = forms.ChoiceField(label=_("Category"))
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, choices=PRIORITY_CHOICES)
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    address_text = forms.CharField(label=_("Standard address"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))
    address_id = AddressField(required=False)
    tags = forms.CharField(label=_("Tags"), max_length=200, required=False,
                           help_text=_("Separated by spaces or commas."))
    summary = forms.CharField(label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station = station
        self.fields["category"].choices = category_choices(station, blank=None)

    clean_address_id = CallForm.clean_address_id

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return sorted({tag for tag in raw.replace("，", " ").replace(",", " ").split() if tag})

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "category": Category.objects.for_stations([self.station.pk]).get(code=data["category"]),
            "priority": data["priority"], "route": data["route"], "tags": data["tags"], "summary": data["summary"],
        }
        if data.get("address_id") is not None:
            changes["address"] = data["address_id"]
        return changes


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Incident number to keep"), max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
