from django.contrib import admin

from fengqiao.core.admin import StationScopedAdmin

from .models import DeadlinePolicy, Dispatch, DispatchSettings, FollowUp, Supervision, Violation


@admin.register(DispatchSettings)
class DispatchSettingsAdmin(StationScopedAdmin):
    list_display = ["station", "detour_factor", "speed_kmh", "shift_starts", "follow_up_days"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(StationScopedAdmin):
    list_display = ["station", "step", "category", "priority", "area", "warning_minutes", "alert_minutes", "until_shift_end"]
    list_filter = ["step", "area"]


class ReadOnlyAdmin(StationScopedAdmin):
    """Orders, breaches and follow-ups change only through the services (and leave a log)."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = ["incident", "officer", "state", "issued_at", "acknowledged_at", "arrived_at", "reported_at", "alert_at"]
    list_filter = ["state", "team_kind"]


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ["incident", "officer", "step", "level", "due_at", "recorded_at"]
    list_filter = ["step", "level"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["incident", "officer", "level", "state", "due_at", "outcome"]
    list_filter = ["state", "outcome"]


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["incident", "officer", "state", "opened_at", "closed_at"]
    list_filter = ["state"]
