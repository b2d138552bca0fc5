"""The forms of the case pages. They read and shape input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.forms import apply_errors  # noqa: F401  (the views' too)
from fengqiao.organisation.models import Officer

from . import machine, selectors
from .models import Case

MINE = "mine"


def officer_choices(officers: list[Officer], *, blank: Any) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", blank)] if blank is not None else []
    return choices + [(str(officer.pk), f"{officer.name} {officer.badge_number} · {officer.team.name}")
                      for officer in officers]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# -- the list ----------------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Case.Kind.choices])
    lead = forms.ChoiceField(label=_("Lead officer"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, officers: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            (selectors.OPEN, _("Open")), (selectors.FINISHED, _("Finished")), (selectors.ALL, _("All")),
            *Case.State.choices,
        ]
        self.fields["lead"].choices = [("", _("Everyone")), (MINE, _("Mine"))] + [
            (str(officer.pk), officer.name) for officer in officers]


# -- accepting a case --------------------------------------------------------------------------------


class AcceptForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices, widget=forms.RadioSelect)
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Case.Complexity.choices, initial=machine.ORDINARY)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("default: category and place")}))
    lead = forms.ChoiceField(label=_("Lead officer"), required=False)

    def __init__(self, *args: Any, officers: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {officer.pk: officer for officer in officers}
        self.fields["lead"].choices = officer_choices(officers, blank=_("as recommended"))

    def chosen_lead(self) -> Officer | None:
        value = self.cleaned_data.get("lead")
        return self.officers.get(int(value)) if value else None


# -- the moves of a case -----------------------------------------------------------------------------


class NoteForm(forms.Form):
    """File (立案) or close (结案), with an optional note."""

    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReasonForm(forms.Form):
    """Not filed, terminated, extended: a reason is required."""

    reason = forms.CharField(label=_("Reason"), max_length=300)


class ClearForm(forms.Form):
    how = forms.ChoiceField(label=_("Cleared by"), choices=[
        (value, label) for value, label in Case.ClearedHow.choices if value != Case.ClearedHow.DECISION])
    cleared_at = forms.DateField(label=_("Cleared on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("How it was cleared"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cleared_at"].initial = timezone.localdate()


class DecideForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    officer = forms.ChoiceField(label=_("New lead officer"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, officers: list[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {officer.pk: officer for officer in officers}
        self.fields["officer"].choices = officer_choices(officers, blank=None)

    def chosen(self) -> Officer | None:
        value = self.cleaned_data.get("officer")
        return self.officers.get(int(value)) if value else None


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "file": NoteForm, "not_file": ReasonForm, "clear": ClearForm, "decide": DecideForm, "close": NoteForm,
    "terminate": ReasonForm, "extend": ReasonForm, "reassign": ReassignForm,
}
