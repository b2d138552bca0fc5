"""The forms of the community pages. They read and shape input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.forms import apply_errors  # noqa: F401  (the views' too)
from fengqiao.organisation.models import Beat, Officer
from fengqiao.records.models import Resident

from . import services
from .models import Dispute, MediationStep, Visit, VolunteerActivity, VolunteerMember, VolunteerTeam

BLANK = ("", "—")


def _local_input(value: dt.datetime | None = None) -> str:
    return timezone.localtime(value or timezone.now()).strftime("%Y-%m-%dT%H:%M")


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PhoneInput(forms.TextInput):
    """A phone number field that never writes a number back into the page (a form shown
    again with errors asks for it anew): numbers leave the server masked or not at all."""

    input_type = "tel"

    def format_value(self, value: Any) -> str | None:
        return None


def officer_choices(officers: list[Officer], *, blank: bool = True) -> list[tuple[str, str]]:
    choices = [BLANK] if blank else []
    return choices + [(str(officer.pk), f"{officer.name} {officer.badge_number}") for officer in officers]


def beat_choices(beats: list[Beat], *, blank: Any = BLANK) -> list[tuple[str, str]]:
    choices = [blank] if blank else []
    return choices + [(str(beat.pk), f"{beat.code} {beat.name}") for beat in beats]


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


# -- visits --------------------------------------------------------------------------------------


class AddressSearchForm(forms.Form):
    q = forms.CharField(label=_("Address"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("road, number, building …"), "autocomplete": "off",
                                                      "enterkeyhint": "search"}))


class VisitForm(forms.Form):
    """A visit as the officer enters it on the phone, at the door."""

    address = forms.IntegerField(widget=forms.HiddenInput, required=False)
    house = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organisation = forms.IntegerField(widget=forms.HiddenInput, required=False)
    care = forms.IntegerField(widget=forms.HiddenInput, required=False)
    dispute = forms.IntegerField(widget=forms.HiddenInput, required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Visit.Purpose.choices, widget=forms.RadioSelect)
    target = forms.ChoiceField(label=_("Visited"), choices=Visit.Target.choices, required=False)
    visited_at = forms.DateTimeField(label=_("When"), widget=LocalDateTimeInput(), required=False)
    residents = forms.TypedMultipleChoiceField(label=_("People met"), coerce=int, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    findings = forms.CharField(label=_("Findings"), max_length=4000, required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)
    follow_up_note = forms.CharField(label=_("What to follow up"), max_length=200, required=False)
    companions = forms.CharField(label=_("With"), max_length=200, required=False,
                                 help_text=_("Auxiliaries, grid workers, volunteers."))

    def __init__(self, *args: Any, people: list[Resident] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people or []
        self.fields["residents"].choices = [(person.pk, person.name) for person in self.people]
        self.initial.setdefault("visited_at", _local_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("follow_up_needed") and not (data.get("follow_up_note") or "").strip():
            self.add_error("follow_up_note", _("Say what needs following up."))
        return data

    def data_for_service(self) -> services.VisitData:
        data = self.cleaned_data
        return services.VisitData(
            purpose=data["purpose"], target=data.get("target") or "", visited_at=data.get("visited_at"),
            address_id=data.get("address"), house_id=data.get("house"), organisation_id=data.get("organisation"),
            care_subject_id=data.get("care"), dispute_id=data.get("dispute"), resident_ids=list(data.get("residents") or []),
            findings=data.get("findings") or "", follow_up_needed=bool(data.get("follow_up_needed")),
            follow_up_note=data.get("follow_up_note") or "", companions=data.get("companions") or "",
        )


VISIT_ERROR_FIELDS = {"care_subject": "care"}


class VisitFilterForm(forms.Form):
    beat = forms.ChoiceField(label=_("Beat"), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[BLANK, *Visit.Purpose.choices], required=False)
    target = forms.ChoiceField(label=_("Visited"), choices=[BLANK, *Visit.Target.choices], required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    follow_up = forms.BooleanField(label=_("Follow-up needed"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    q = forms.CharField(label=_("Address or findings"), max_length=100, required=False)

    def __init__(self, *args: Any, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].choices = beat_choices(beats, blank=("", _("All beats")))


# -- disputes ------------------------------------------------------------------------------------


class PartyForm(forms.Form):
    """One party. A caller's row carries the call, whose phone is read on the server and
    never put in the page; a resident's row carries the resident."""

    resident = forms.IntegerField(widget=forms.HiddenInput, required=False)
    call = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, widget=PhoneInput(attrs={"autocomplete": "off"}))
    role = forms.CharField(label=_("Role"), max_length=50, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. upstairs neighbour, landlord")}))

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("resident") or data.get("call") or (data.get("name") or "").strip()
                    or (data.get("phone") or "").strip())

    def party(self) -> services.PartyData:
        data = self.cleaned_data
        return services.PartyData(name=data.get("name") or "", phone=data.get("phone") or "", role=data.get("role") or "",
                                  resident_id=data.get("resident"), call_id=data.get("call"))


PartyFormSet = forms.formset_factory(PartyForm, extra=0, max_num=12, absolute_max=12, can_delete=True)


class DisputeForm(forms.Form):
    address = forms.IntegerField(widget=forms.HiddenInput, required=False)
    beat = forms.IntegerField(widget=forms.HiddenInput, required=False)
    incident = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Dispute.Kind.choices)
    risk = forms.ChoiceField(label=_("Risk"), choices=Dispute.Risk.choices, initial=Dispute.Risk.LOW,
                             widget=forms.RadioSelect)
    summary = forms.CharField(label=_("What it is about"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    officer = forms.ChoiceField(label=_("Responsible officer"), required=False)
    mediator = forms.CharField(label=_("People's mediator"), max_length=50, required=False)
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, officers: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = officer_choices(officers)

    def data_for_service(self, parties: list[services.PartyData]) -> services.DisputeData:
        data = self.cleaned_data
        return services.DisputeData(
            kind=data["kind"], risk=data["risk"], summary=data["summary"], address_id=data.get("address"),
            beat_id=data.get("beat"), officer_id=_optional_int(data.get("officer")), mediator=data.get("mediator") or "",
            follow_up_on=data.get("follow_up_on"), parties=parties,
            incident_ids=[data["incident"]] if data.get("incident") else [],
        )


class DisputeChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Dispute.Kind.choices)
    risk = forms.ChoiceField(label=_("Risk"), choices=Dispute.Risk.choices)
    summary = forms.CharField(label=_("What it is about"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    officer = forms.ChoiceField(label=_("Responsible officer"), required=False)
    mediator = forms.CharField(label=_("People's mediator"), max_length=50, required=False)
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, officers: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = officer_choices(officers)

    def change(self) -> services.DisputeChange:
        data = self.cleaned_data
        return services.DisputeChange(kind=data["kind"], risk=data["risk"], summary=data["summary"],
                                      officer_id=_optional_int(data.get("officer")), mediator=data.get("mediator") or "",
                                      follow_up_on=data.get("follow_up_on"))


class StepForm(forms.Form):
    at = forms.DateTimeField(label=_("When"), widget=LocalDateTimeInput(), required=False)
    method = forms.ChoiceField(label=_("How"), choices=MediationStep.Method.choices)
    officer = forms.ChoiceField(label=_("Officer"), required=False)
    mediator = forms.CharField(label=_("People's mediator"), max_length=50, required=False)
    result = forms.CharField(label=_("Result"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    next_follow_up_on = forms.DateField(label=_("Next follow-up"), required=False, widget=DateInput())

    def __init__(self, *args: Any, officers: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = officer_choices(officers)
        self.initial.setdefault("at", _local_input())

    def step(self) -> services.StepData:
        data = self.cleaned_data
        return services.StepData(method=data["method"], result=data["result"], at=data.get("at"),
                                 officer_id=_optional_int(data.get("officer")), mediator=data.get("mediator") or "",
                                 next_follow_up_on=data.get("next_follow_up_on"))


CLOSING_OUTCOMES = [(value, label) for value, label in Dispute.Outcome.choices if value != Dispute.Outcome.OPEN]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CLOSING_OUTCOMES, widget=forms.RadioSelect)
    outcome_note = forms.CharField(label=_("Details"), max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Which court or department; the case number; the terms agreed."))
    follow_up_on = forms.DateField(label=_("Return visit on"), required=False, widget=DateInput())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class LinkIncidentForm(forms.Form):
    incident = forms.CharField(label=_("Incident number"), max_length=40)


class DisputeFilterForm(forms.Form):
    OPEN, CLOSED = "open", "closed"
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[
        ("", _("All")), (OPEN, _("Open")), (CLOSED, _("Closed, any outcome")),
        *[(value, label) for value, label in Dispute.Outcome.choices if value != Dispute.Outcome.OPEN]])
    risk = forms.ChoiceField(label=_("Risk"), choices=[BLANK, *Dispute.Risk.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[BLANK, *Dispute.Kind.choices], required=False)
    beat = forms.ChoiceField(label=_("Beat"), required=False)
    due = forms.BooleanField(label=_("Follow-up due"), required=False)
    q = forms.CharField(label=_("Number, party or summary"), max_length=100, required=False)

    def __init__(self, *args: Any, beats: list[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].choices = beat_choices(beats, blank=("", _("All beats")))


# -- volunteers ----------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=VolunteerTeam.Kind.choices)
    beat = forms.ChoiceField(label=_("Beat"), required=False)
    officer = forms.ChoiceField(label=_("Liaison officer"), required=False)
    leader_name = forms.CharField(label=_("Team leader"), max_length=50, required=False)
    leader_phone = forms.CharField(label=_("Team leader's phone"), max_length=20, required=False, widget=PhoneInput())
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, beats: list[Beat], officers: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].choices = beat_choices(beats)
        self.fields["officer"].choices = officer_choices(officers)

    def team(self) -> services.TeamData:
        data = self.cleaned_data
        return services.TeamData(name=data["name"], kind=data["kind"], beat_id=_optional_int(data.get("beat")),
                                 officer_id=_optional_int(data.get("officer")), leader_name=data.get("leader_name") or "",
                                 leader_phone=data.get("leader_phone") or "", founded_on=data.get("founded_on"))


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, widget=PhoneInput())
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DateInput())

    def member(self) -> services.MemberData:
        data = self.cleaned_data
        return services.MemberData(name=data["name"], phone=data.get("phone") or "", joined_on=data.get("joined_on"))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=VolunteerActivity.Kind.choices)
    started_at = forms.DateTimeField(label=_("Started at"), widget=LocalDateTimeInput(), required=False)
    ended_at = forms.DateTimeField(label=_("Ended at"), widget=LocalDateTimeInput(), required=False)
    area = forms.CharField(label=_("Area or route"), max_length=200, required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=1, required=False)
    members = forms.TypedMultipleChoiceField(label=_("Members who took part"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("What happened"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, members: list[VolunteerMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(member.pk, member.name) for member in members]
        self.initial.setdefault("started_at", _local_input())

    def activity(self, officer_id: int | None) -> services.ActivityData:
        data = self.cleaned_data
        return services.ActivityData(kind=data["kind"], started_at=data.get("started_at"), ended_at=data.get("ended_at"),
                                     area=data.get("area") or "", participants=data.get("participants"),
                                     member_ids=list(data.get("members") or []), notes=data.get("notes") or "",
                                     officer_id=officer_id)
