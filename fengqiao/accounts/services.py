"""Account writes: login history, lock-out release, API tokens."""

from __future__ import annotations

import copy
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record

from .lockout import LoginEvent, is_locked, locked_until
from .models import ApiToken

_EVENT_OF_ACTION = {
    AuditEntry.Action.LOGIN_FAILED: LoginEvent.FAILED,
    AuditEntry.Action.LOGIN_SUCCEEDED: LoginEvent.SUCCEEDED,
    AuditEntry.Action.LOCKOUT_RELEASED: LoginEvent.RELEASED,
}


def _login_history(username: str) -> list[tuple[Any, LoginEvent]]:
    """The login events of `username` inside the lock-out window, from the audit log."""
    since = timezone.now() - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    rows = AuditEntry.objects.filter(
        username=username, action__in=list(_EVENT_OF_ACTION), at__gte=since
    ).values_list("at", "action")
    return [(at, _EVENT_OF_ACTION[action]) for at, action in rows]


def _policy() -> dict[str, Any]:
    return {
        "now": timezone.now(),
        "window": timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES),
        "attempts": settings.LOCKOUT_ATTEMPTS,
    }


def is_username_locked(username: str) -> bool:
    return is_locked(_login_history(username), **_policy())


def lock_lifts_at(username: str) -> Any:
    return locked_until(_login_history(username), **_policy())


def do_release_lockout(username: str, *, acting_user: Any, reason: str = "") -> None:
    """An administrator lets `username` try again at once."""
    record(AuditEntry.Action.LOCKOUT_RELEASED, user=acting_user, username=username,
           object_type="accounts.user", object_repr=username, reason=reason)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_token(user: Any, *, name: str = "", acting_user: Any = None) -> tuple[ApiToken, str]:
    """Create an API token for `user`; the plain token is returned once and never stored."""
    prefix = secrets.token_hex(4)
    plain = f"fq_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(plain))
    record(AuditEntry.Action.TOKEN_CREATED, obj=token, user=acting_user, object_repr=f"{prefix} ({user.get_username()})")
    return token, plain


@transaction.atomic
def do_revoke_token(token: ApiToken, *, acting_user: Any = None, reason: str = "") -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(AuditEntry.Action.TOKEN_REVOKED, obj=token, user=acting_user, reason=reason,
               object_repr=f"{token.prefix} ({token.user.get_username()})")
    return token


# A bearer token's user, with the permissions and stations it carries, is kept this many
# seconds per process, so that a feed posting many calls a second does not read the same
# five rows for each. A change in this process (a revoked token, a deactivated user, new
# groups or permissions, another station) forgets it at once through signals; another
# process sees the change within this time.
TOKEN_FRESH_SECONDS = 2.0


@dataclass
class _KnownToken:
    token_id: int
    user: Any  # filled with its permissions, stations and officer; only copies leave here
    last_used_at: Any
    checked_at: float


_known_tokens: dict[str, _KnownToken] = {}
_known_tokens_lock = threading.Lock()


def forget_known_tokens() -> None:
    """Read every token's user afresh on its next use (called by signals on any change)."""
    with _known_tokens_lock:
        _known_tokens.clear()


def _load_token(key_hash: str) -> _KnownToken | None:
    from fengqiao.organisation.selectors import station_ids_for

    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash, revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    user = token.user
    user.get_all_permissions()  # Django's backend keeps them on the object
    station_ids_for(user)  # and so does ours
    getattr(user, "officer", None)  # the reverse one-to-one, cached on the object (or its absence)
    return _KnownToken(token.pk, user, token.last_used_at, time.monotonic())


def user_for_token(plain: str) -> Any:
    """The active user a bearer token belongs to, or None.

    Each request gets its own copy of the user, so nothing one request sets on it is seen
    by another."""
    if not plain.startswith("fq_"):
        return None
    key_hash = _hash(plain)
    with _known_tokens_lock:
        known = _known_tokens.get(key_hash)
    if known is None or time.monotonic() - known.checked_at >= TOKEN_FRESH_SECONDS:
        known = _load_token(key_hash)
        with _known_tokens_lock:
            if known is None:
                _known_tokens.pop(key_hash, None)
                return None
            _known_tokens[key_hash] = known
    now = timezone.now()
    if known.last_used_at is None or now - known.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=known.token_id).update(last_used_at=now)
        known.last_used_at = now
    user = copy.copy(known.user)
    officer = user._state.fields_cache.get("officer")
    if officer is not None:
        user._state.fields_cache["officer"] = copy.copy(officer)
    return user
