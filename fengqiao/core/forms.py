"""Form pieces every app's pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def apply_errors(form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None) -> None:
    """A service's field errors on the form's fields (or at the top, for fields it lacks).
    `aliases` maps a service's field name to the form's where they differ."""
    aliases = aliases or {}
    if not hasattr(error, "message_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = aliases.get(name, name)
        # Errors of hidden fields would not show: they go at the top of the form.
        shown = target in form.fields and not form.fields[target].widget.is_hidden
        form.add_error(target if shown else None, list(messages))


class LocalDateTimeInput(forms.DateTimeInput):
    """The phone's and the browser's own date-and-time picker, in the station's time."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
