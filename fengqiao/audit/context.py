"""Who is acting, from where: set per request by middleware, or by `acting_as` in commands."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any = None
    ip_address: str | None = None
    path: str = ""


# Actor is a frozen dataclass, so sharing the default instance is safe.
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("fengqiao_actor", default=Actor())  # noqa: B039


def current_actor() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting_as(user: Any = None, ip_address: str | None = None, path: str = "") -> Iterator[Actor]:
    """Attribute the audit rows written inside the block to `user`."""
    actor = Actor(user=user, ip_address=ip_address, path=path)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_acting_user(user: Any) -> None:
    """Name the user of the rest of this request (an API call authenticated by token)."""
    actor = _current.get()
    _current.set(Actor(user=user, ip_address=actor.ip_address, path=actor.path))


def client_ip(request: Any) -> str | None:
    """The client's address as the server saw it (no proxy headers are trusted)."""
    return request.META.get("REMOTE_ADDR") or None
