from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.core.admin import StationScopedAdmin
from fengqiao.core.masking import mask_phone

from .models import SupportRequest, SupportUpdate, Unit, UnitMember


class UnitForm(forms.ModelForm):
    """The duty phone is never sent to the browser: the field starts empty and says the
    masked number; an empty field keeps the number on record."""

    class Meta:
        model = Unit
        fields = ("bureau", "kind", "name", "code", "phone", "response_minutes", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_phone = self.instance.phone if self.instance.pk else ""
        if "phone" in self.fields and self.kept_phone:
            self.initial["phone"] = ""
            self.fields["phone"].help_text = _("On record: %(masked)s. Leave empty to keep it.") % {
                "masked": mask_phone(self.kept_phone)}

    def clean_phone(self) -> str:
        return self.cleaned_data.get("phone") or self.kept_phone


class UnitMemberInline(admin.TabularInline):
    model = UnitMember
    fields = ("user", "name", "badge_number")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = ("name", "kind", "code", "bureau", "masked_phone", "response_minutes", "active")
    list_filter = ("kind", "active", "bureau")
    search_fields = ("name", "code")
    inlines = [UnitMemberInline]

    @admin.display(description=_("duty phone"))
    def masked_phone(self, unit: Unit) -> str:
        return mask_phone(unit.phone)


@admin.register(UnitMember)
class UnitMemberAdmin(admin.ModelAdmin):
    list_display = ("name", "badge_number", "unit", "user")
    list_filter = ("unit",)
    search_fields = ("name", "badge_number", "user__username")
    raw_id_fields = ("user",)


class SupportUpdateInline(admin.TabularInline):
    model = SupportUpdate
    fields = ("at", "action", "state_before", "state_after", "actor", "author_name", "notes")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).for_user(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(StationScopedAdmin):
    """Read only: a request moves only through the services, which keep its updates and the logs."""

    list_display = ("number", "station", "unit", "need", "people", "needed_by", "state", "due_at", "chases")
    list_filter = ("state", "need", "unit")
    search_fields = ("number",)
    inlines = [SupportUpdateInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
