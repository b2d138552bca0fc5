"""The forms of the transfer pages and the department portal. They read and shape input;
the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.core.forms import LocalDateTimeInput as DateTimeInput
from fengqiao.core.forms import apply_errors  # noqa: F401  (the views' too)
from fengqiao.organisation.models import Department

from . import selectors
from .models import CallerAnswer, Transfer


def _text_area(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


# -- the command room -----------------------------------------------------------------------------


class TransferForm(forms.Form):
    """Transfer an incident to a department in one step (the routed one preselected)."""

    department = forms.ChoiceField(label=_("Department"))
    description = forms.CharField(label=_("What the department is asked to do"), max_length=2000,
                                  widget=_text_area(4))

    def __init__(self, *args: Any, departments: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {department.pk: department for department in departments}
        self.fields["department"].choices = [
            (str(department.pk), f"{department.name}（{department.get_kind_display()}）") for department in departments]

    def chosen_department(self) -> Department | None:
        value = self.cleaned_data.get("department")
        return self.departments.get(int(value)) if value else None


class ConfirmForm(forms.Form):
    answer = forms.ChoiceField(label=_("The caller's answer"), choices=CallerAnswer.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("What the caller said about the result"), max_length=2000, required=False, widget=_text_area(2))
    new_deadline = forms.DateTimeField(label=_("New deadline if dissatisfied (optional)"), required=False,
                                       widget=DateTimeInput())


class ChaseForm(forms.Form):
    notes = forms.CharField(label=_("Message to the department (optional)"), max_length=2000, required=False,
                            widget=_text_area(2))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why the transfer is withdrawn"), max_length=300, widget=_text_area(2))


class StationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    failing = forms.BooleanField(label=_("Not delivered"), required=False)

    def __init__(self, *args: Any, departments: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            (selectors.OPEN, _("Open")), (selectors.FINISHED, _("Finished")), (selectors.ALL, _("All")),
            *Transfer.State.choices,
        ]
        self.fields["department"].choices = [("", _("All departments"))] + [
            (str(department.pk), department.name) for department in departments]


# -- the department ---------------------------------------------------------------------------------


class ReceiveForm(forms.Form):
    pass


class StartForm(forms.Form):
    notes = forms.CharField(label=_("Notes (optional)"), max_length=2000, required=False, widget=_text_area(2))


class ExtendForm(forms.Form):
    new_deadline = forms.DateTimeField(label=_("New deadline"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Why more time is needed"), max_length=300, widget=_text_area(2))


class ReportForm(forms.Form):
    result = forms.CharField(label=_("What was done"), max_length=4000, widget=_text_area(4))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why this is not your department's matter"), max_length=300, widget=_text_area(2))


class NoteForm(forms.Form):
    notes = forms.CharField(label=_("Note"), max_length=2000, widget=_text_area(2))


DEPARTMENT_FORMS: dict[str, type[forms.Form]] = {
    "receive": ReceiveForm, "start": StartForm, "extend": ExtendForm, "report": ReportForm,
    "return": ReturnForm, "note": NoteForm,
}
STATION_FORMS: dict[str, type[forms.Form]] = {"confirm": ConfirmForm, "chase": ChaseForm, "withdraw": WithdrawForm}


class RevealForm(forms.Form):
    reason = forms.CharField(max_length=200)
