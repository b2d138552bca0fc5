"""htmx requests: a page answers them with the fragment that changed instead of a redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .forms import apply_errors


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def answer_move(request: HttpRequest, form: Any, move: Callable[[dict[str, Any]], Any], *,
                refused: type[Exception], done: Callable[[Any], str], back: str,
                page: Callable[..., HttpResponse]) -> HttpResponse | None:
    """Answer a move asked for with a form on an item's page.

    The move (`move(cleaned_data)`, a service call) runs if the form is valid. A refusal
    (`refused`, with its `message`) answers 409 with the page, or for a plain form post a
    message and a redirect to `back`; success the page with `done(result)`, or the message
    and the redirect. The service's field errors go onto the form, and None is returned:
    the caller shows the form again (422)."""
    if not form.is_valid():
        return None
    try:
        result = move(form.cleaned_data)
    except refused as error:
        message = str(getattr(error, "message", error))
        if not is_htmx(request):
            messages.error(request, message)
            return redirect(back)
        return page(status=409, error=message)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    text = done(result)
    if not is_htmx(request):
        messages.success(request, text)
        return redirect(back)
    return page(message=text)
