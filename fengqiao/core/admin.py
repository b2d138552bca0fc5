"""Admin pages that keep to the user's stations, like every other page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest

from .scoping import StationOwned


class StationScopedAdmin(admin.ModelAdmin):
    """Lists, edit pages and foreign-key choices show only the user's stations' rows."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).for_user(request.user)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.remote_field.model
        if issubclass(related, StationOwned) and "queryset" not in kwargs:
            kwargs["queryset"] = related.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
