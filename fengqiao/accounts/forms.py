from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The login form, with a distinct answer for a locked account."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is not correct."),
        "locked": _(
            "This account is locked after too many failed attempts. Try again later "
            "or ask an administrator to release it."
        ),
    }

    def clean(self) -> dict[str, object]:
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "fengqiao_locked", False):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise
