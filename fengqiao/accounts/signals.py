"""Login, failed login and logout, written to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from fengqiao.audit.context import acting_as, client_ip
from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record


def _where(request: Any) -> dict[str, Any]:
    if request is None:
        return {}
    return {"ip_address": client_ip(request), "path": request.path}


@receiver(user_logged_in, dispatch_uid="fengqiao-audit-login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with acting_as(user=user, **_where(request)):
        record(AuditEntry.Action.LOGIN_SUCCEEDED, user=user, object_type="accounts.user",
               object_id=str(user.pk), object_repr=user.get_username())


@receiver(user_login_failed, dispatch_uid="fengqiao-audit-login-failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if request is not None and getattr(request, "fengqiao_locked", False):
        return  # already recorded as a refused, locked attempt
    username = str(credentials.get("username", ""))[:150]
    with acting_as(user=None, **_where(request)):
        record(AuditEntry.Action.LOGIN_FAILED, username=username, outcome=AuditEntry.Outcome.FAILED,
               object_type="accounts.user", object_repr=username)


@receiver(user_logged_out, dispatch_uid="fengqiao-audit-logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with acting_as(user=user, **_where(request)):
        action = AuditEntry.Action.SESSION_EXPIRED if getattr(request, "fengqiao_idle_expired", False) else AuditEntry.Action.LOGOUT
        record(action, user=user, object_type="accounts.user", object_id=str(user.pk), object_repr=user.get_username())
