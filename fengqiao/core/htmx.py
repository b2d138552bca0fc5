"""htmx requests: a page answers them with the fragment that changed instead of a redirect."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
