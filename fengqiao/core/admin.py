"""Admin pages that keep to the user's stations, like every other page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, Model, QuerySet
from django.http import Http404, HttpRequest

from .access import get_for_user_or_404
from .scoping import StationOwned


class StationScopedAdmin(admin.ModelAdmin):
    """Lists, edit pages and foreign-key choices show only the user's stations' rows."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).for_user(request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Model | None:
        """The object among the user's stations; otherwise 404, never the admin's redirect.

        Django's admin answers a missing object with a redirect to the index and a message.
        Another station's object must be answered like every other page answers it: 404,
        the same as a missing one, with the refusal written to the audit log.
        """
        found = super().get_object(request, object_id, from_field)
        if found is not None:
            return found
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        try:
            key = field.to_python(object_id)
        except (ValidationError, ValueError):
            raise Http404 from None
        # Raises Http404, auditing the refusal when the object belongs to another station.
        get_for_user_or_404(self.model.objects.all(), request.user, **{field.name: key})
        raise Http404

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.remote_field.model
        if issubclass(related, StationOwned) and "queryset" not in kwargs:
            kwargs["queryset"] = related.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
