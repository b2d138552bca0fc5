"""End sessions that have been idle for longer than the configured timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

SESSION_KEY = "fengqiao_last_activity"
# Requests a page makes by itself (polling, live updates) carry this header and do not
# count as the person being active.
BACKGROUND_HEADER = "HTTP_X_FENGQIAO_BACKGROUND"


# The live-event stream reconnects by itself every few minutes; a browser cannot add a
# header to it, so it is known by its path.
BACKGROUND_PATHS = ("/events/",)


def _background(request: HttpRequest) -> bool:
    return BACKGROUND_HEADER in request.META or request.path.startswith(BACKGROUND_PATHS)


def _exempt(request: HttpRequest) -> bool:
    roles = settings.IDLE_EXEMPT_ROLES
    return bool(roles) and request.user.groups.filter(name__in=roles).exists()


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        last = request.session.get(SESSION_KEY)
        timeout = settings.IDLE_TIMEOUT_MINUTES * 60
        if last is not None and now - float(last) > timeout and not _exempt(request):
            request.fengqiao_idle_expired = True  # type: ignore[attr-defined]
            logout(request)
            if request.path.startswith("/api/") or request.headers.get("HX-Request"):
                return JsonResponse({"detail": "session expired"}, status=401)
            messages.info(request, _("You were logged out after %(minutes)d minutes without activity.")
                          % {"minutes": settings.IDLE_TIMEOUT_MINUTES})
            return redirect_to_login(request.get_full_path())
        if not _background(request) and (last is None or now - float(last) >= 30):
            request.session[SESSION_KEY] = now
        return self.get_response(request)
