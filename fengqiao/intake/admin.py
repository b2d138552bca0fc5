"""The station's intake rules in the admin: categories and their routing, the lexicon, the
sensor table, the duplicate window and the number template. Calls and incidents are
shown read-only here; they are worked on the intake and incident pages, and never deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.core.admin import StationScopedAdmin
from fengqiao.core.masking import mask_phone

from .models import Call, Category, CategoryFamily, Incident, IncidentLog, IntakeSettings


class NeverDeleted(StationScopedAdmin):
    """Records that are kept and counted, never deleted (DESIGN.md §5)."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CategoryFamily)
class CategoryFamilyAdmin(NeverDeleted):
    list_display = ("label_zh", "label_en", "code", "position", "station")
    list_editable = ("position",)
    ordering = ("station", "position")


@admin.register(Category)
class CategoryAdmin(NeverDeleted):
    """The routing rules of DESIGN.md §3 as data: each category's route and default priority."""

    list_display = ("label_zh", "family", "code", "route", "priority", "repeat_prone", "active", "station")
    list_editable = ("route", "priority", "repeat_prone", "active")
    list_filter = ("route", "priority", "active")
    search_fields = ("label_zh", "label_en", "code")
    ordering = ("station", "family__position", "position")


@admin.register(IntakeSettings)
class IntakeSettingsAdmin(NeverDeleted):
    list_display = ("station", "number_template", "duplicate_metres", "duplicate_minutes", "triage_minutes", "updated_at")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("station", "number_template", "triage_minutes")}),
        (_("Duplicates"), {"fields": ("duplicate_metres", "duplicate_minutes")}),
        (_("Triage lexicon and rules"), {"fields": ("lexicon",)}),
        (_("Sensor alarms"), {"fields": ("sensor_map", "updated_at")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made with the station


class ReadOnly(NeverDeleted):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(ReadOnly):
    list_display = ("id", "received_at", "source", "state", "short_text", "address_text", "masked_phone", "incident", "station")
    list_filter = ("source", "state")
    search_fields = ("text", "address_text", "external_id")
    date_hierarchy = "received_at"
    exclude = ("caller_phone",)
    readonly_fields = ("masked_phone",)

    @admin.display(description=_("what the caller said"))
    def short_text(self, call: Call) -> str:
        return call.text[:40]

    @admin.display(description=_("caller's phone"))
    def masked_phone(self, call: Call) -> str:
        return mask_phone(call.caller_phone)


class LogInline(admin.TabularInline):
    model = IncidentLog
    fields = ("at", "kind", "automatic", "author", "text", "struck_at", "strike_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).for_user(request.user).select_related("author")


@admin.register(Incident)
class IncidentAdmin(ReadOnly):
    list_display = ("number", "received_at", "category", "priority", "route", "state", "beat", "place_unconfirmed", "station")
    list_filter = ("state", "priority", "route", "place_unconfirmed")
    search_fields = ("number", "summary", "address_text")
    date_hierarchy = "received_at"
    inlines = (LogInline,)
