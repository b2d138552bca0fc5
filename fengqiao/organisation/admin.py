from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.core.admin import StationScopedAdmin
from fengqiao.core.masking import mask_phone

from .models import Beat, Bureau, BureauMember, Department, Officer, Station, Team


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(Station)
class StationAdmin(StationScopedAdmin):
    list_display = ("name", "code", "bureau", "population", "area_km2", "urban")
    search_fields = ("name", "code")


@admin.register(Team)
class TeamAdmin(StationScopedAdmin):
    list_display = ("name", "kind", "station")
    list_filter = ("kind",)


@admin.register(Beat)
class BeatAdmin(StationScopedAdmin):
    list_display = ("name", "code", "community", "responsible_officer", "station")
    search_fields = ("name", "code", "community")


class OfficerForm(forms.ModelForm):
    """The phone is never sent to the browser: the field starts empty, says the masked
    number, and an empty field keeps the number on record."""

    class Meta:
        model = Officer
        fields = ("user", "station", "name", "badge_number", "rank", "team", "beat", "supervisor", "phone", "duty_status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_phone = self.instance.phone if self.instance.pk else ""
        if "phone" in self.fields and self.kept_phone:
            self.initial["phone"] = ""
            self.fields["phone"].help_text = _("On record: %(masked)s. Leave empty to keep it.") % {
                "masked": mask_phone(self.kept_phone)}

    def clean_phone(self) -> str:
        return self.cleaned_data.get("phone") or self.kept_phone


@admin.register(Officer)
class OfficerAdmin(StationScopedAdmin):
    form = OfficerForm
    list_display = ("name", "badge_number", "rank", "team", "beat", "duty_status", "masked_phone", "station")
    list_filter = ("rank", "duty_status", "team__kind")
    search_fields = ("name", "badge_number")
    raw_id_fields = ("user",)
    # The phone number is personal data: the list shows it masked; the edit form is for
    # those allowed to change officers, and every change is audited.

    def get_readonly_fields(self, request: HttpRequest, obj: Officer | None = None) -> tuple[str, ...]:
        # Linking an account to an officer gives it the station's data: administrators only.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else (*readonly, "user")

    @admin.display(description=_("phone"))
    def masked_phone(self, officer: Officer) -> str:
        return mask_phone(officer.phone)


@admin.register(BureauMember)
class BureauMemberAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "bureau", "user")
    raw_id_fields = ("user",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "phone", "active")
    list_filter = ("kind", "active")
