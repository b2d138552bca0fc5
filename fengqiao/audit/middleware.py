"""Attach the request's user and address to every audit row written while it runs."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .context import acting_as, client_ip
from .models import AuditEntry
from .services import record


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        with acting_as(user=user, ip_address=client_ip(request), path=request.get_full_path()):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            record(AuditEntry.Action.ACCESS_REFUSED, outcome=AuditEntry.Outcome.REFUSED,
                   reason=str(exception) or "permission denied",
                   object_type="path", object_repr=request.path[:200])
