"""A leader keeps the station's routing rules and transfer time limits here; administrators
keep the departments' accounts and push addresses. Transfers and their updates are
read-only: they change only through the services, which leave a trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.core.admin import StationScopedAdmin

from .models import (
    DepartmentEndpoint,
    DepartmentMember,
    RoutingRule,
    Transfer,
    TransferSettings,
    TransferUpdate,
)


@admin.register(RoutingRule)
class RoutingRuleAdmin(StationScopedAdmin):
    list_display = ["station", "category", "department", "result_hours"]
    list_filter = ["department"]


@admin.register(TransferSettings)
class TransferSettingsAdmin(StationScopedAdmin):
    list_display = ["station", "receipt_minutes", "confirm_hours", "max_extensions", "max_extension_days", "redo_hours"]


@admin.register(DepartmentMember)
class DepartmentMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "department", "user"]
    list_filter = ["department"]
    raw_id_fields = ["user"]


@admin.register(DepartmentEndpoint)
class DepartmentEndpointAdmin(admin.ModelAdmin):
    list_display = ["department", "url", "active"]
    # The token is written, never shown again.
    fields = ["department", "url", "token", "active"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if "token" in form.base_fields:
            from django import forms

            form.base_fields["token"].widget = forms.PasswordInput(render_value=False)
            form.base_fields["token"].required = False
        return form

    def save_model(self, request: HttpRequest, obj: DepartmentEndpoint, form: Any, change: bool) -> None:
        if change and not form.cleaned_data.get("token"):
            obj.token = DepartmentEndpoint.objects.filter(pk=obj.pk).values_list("token", flat=True).first() or ""
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(StationScopedAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["number", "department", "state", "pushed_at", "due_step", "due_at", "delivered_at", "send_failures"]
    list_filter = ["state", "department"]
    exclude = ["caller_phone"]


@admin.register(TransferUpdate)
class TransferUpdateAdmin(ReadOnlyAdmin):
    list_display = ["transfer", "at", "action", "state_before", "state_after", "actor", "author_name", "via"]
    list_filter = ["action", "actor", "via"]
