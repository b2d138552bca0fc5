"""A leader sets the station's analysis here: the near-repeat radius and period, which
kinds of incident raise a near-repeat alert, when the morning briefing is built, the
hot-spot cell and kernel bandwidth. Alerts, reports and inbox messages are read-only: they
are made by the services, and a report is never changed once issued."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from fengqiao.core.admin import StationScopedAdmin
from fengqiao.intake.models import Category

from .models import AnalysisSettings, InboxMessage, NearRepeatAlert, Report


class AnalysisSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AnalysisSettings
        fields = ["station", "near_repeat_metres", "near_repeat_days", "repeat_prone", "briefing_time", "cell_metres",
                  "bandwidth_metres"]

    def clean_repeat_prone(self) -> list[str]:
        codes = self.cleaned_data.get("repeat_prone") or []
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise forms.ValidationError(_("A list of category codes, e.g. [\"criminal.burglary\"]."))
        station = self.cleaned_data.get("station") or getattr(self.instance, "station", None)
        if station is not None:
            known = set(Category.objects.for_stations([station.pk]).values_list("code", flat=True))
            unknown = [code for code in codes if code not in known]
            if unknown:
                raise forms.ValidationError(_("Unknown category codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return codes

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for name, lowest in (("near_repeat_metres", 10), ("near_repeat_days", 1), ("cell_metres", 25), ("bandwidth_metres", 25)):
            value = cleaned.get(name)
            if value is not None and value < lowest:
                self.add_error(name, _("At least %(lowest)s.") % {"lowest": lowest})
        return cleaned


@admin.register(AnalysisSettings)
class AnalysisSettingsAdmin(StationScopedAdmin):
    form = AnalysisSettingsForm
    list_display = ["station", "near_repeat_metres", "near_repeat_days", "repeat_prone", "briefing_time", "cell_metres",
                    "bandwidth_metres"]


class ReadOnlyAdmin(StationScopedAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(NearRepeatAlert)
class NearRepeatAlertAdmin(ReadOnlyAdmin):
    list_display = ["incident", "category", "beat", "radius_metres", "starts_at", "ends_at", "earlier"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "period_start", "period_end", "created_at", "created_by"]
    list_filter = ["kind"]
    exclude = ["html", "pdf"]


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["title", "team", "created_at"]
