from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from .models import AuditEntry
from .selectors import audit_entries_for


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched, never edited."""

    list_display = ("at", "username", "ip_address", "action", "outcome", "object_type", "object_repr", "reason")
    list_filter = ("action", "outcome")
    search_fields = ("username", "object_repr", "reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        # Station chiefs are staff too: they see their stations' rows, as on /audit/.
        return audit_entries_for(request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> AuditEntry | None:
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404  # another station's row is answered like a missing one
        return found

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
