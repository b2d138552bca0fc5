"""A leader keeps the station's case time limits and number template here; cases and their
log are read-only (they change only through the services, which leave a log)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.core.admin import StationScopedAdmin

from . import numbering
from .models import Case, CaseLimit, CaseLog, CaseSettings


class CaseSettingsForm(forms.ModelForm):
    class Meta:
        model = CaseSettings
        fields = ["station", "number_template"]

    def clean_number_template(self) -> str:
        template: str = self.cleaned_data["number_template"]
        try:
            numbering.check_template(template)
        except numbering.TemplateError as error:
            raise forms.ValidationError(_("This template cannot give unique case numbers: %(error)s") % {"error": error}) \
                from None
        return template


@admin.register(CaseSettings)
class CaseSettingsAdmin(StationScopedAdmin):
    form = CaseSettingsForm
    list_display = ["station", "number_template"]


@admin.register(CaseLimit)
class CaseLimitAdmin(StationScopedAdmin):
    list_display = ["station", "kind", "stage", "days", "extension_days", "max_extensions"]
    list_filter = ["kind", "stage"]


class ReadOnlyAdmin(StationScopedAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "complexity", "state", "lead", "due_at", "accepted_at"]
    list_filter = ["kind", "state", "complexity"]
    search_fields = ["number", "title"]


@admin.register(CaseLog)
class CaseLogAdmin(ReadOnlyAdmin):
    list_display = ["case", "at", "action", "text", "author"]
    list_filter = ["action"]
