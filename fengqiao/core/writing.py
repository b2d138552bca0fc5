"""Small pieces every service's writes share: who an audit row names, the author of a log
entry, and free-text fields checked into per-field errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fengqiao.audit.context import acting_as, current_actor


@contextlib.contextmanager
def attributed_to(user: Any) -> Iterator[None]:
    """Audit rows written by save signals inside the block name `user` (the request's own
    actor keeps its address and path)."""
    actor = current_actor()
    if user is None or actor.user == user:
        yield
        return
    with acting_as(user, actor.ip_address, actor.path):
        yield


def author_of(user: Any) -> Any:
    """The user to name as a row's author: a signed-in person, or nobody (the system)."""
    return user if getattr(user, "is_authenticated", False) else None


def field_text(errors: dict[str, list[str]], name: str, value: str | None, *, limit: int, required: str = "") -> str:
    """`value` stripped; `required` (the message) is added to `errors[name]` when it is
    missing, a length message when it is longer than `limit`."""
    text = (value or "").strip()
    if required and len(text) < 2:
        errors.setdefault(name, []).append(required)
    elif len(text) > limit:
        errors.setdefault(name, []).append(_("At most %(limit)s characters.") % {"limit": limit})
    return text


def raise_field_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
