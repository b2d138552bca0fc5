"""Login, failed login and logout, written to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
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


def _forget_principals(sender: Any, **kwargs: Any) -> None:
    """Tokens' users carry their permissions and stations in a short cache; any change to
    accounts, groups, permissions or who belongs where forgets it."""
    from fengqiao.organisation.selectors import forget_stations

    from .services import forget_known_tokens

    forget_known_tokens()
    forget_stations()


def _connect_principal_signals() -> None:
    from django.contrib.auth.models import Group, Permission

    from fengqiao.organisation.models import BureauMember, Officer, Station

    from .models import ApiToken, User

    for model in (ApiToken, User, Group, Permission, Officer, BureauMember, Station):
        post_save.connect(_forget_principals, sender=model, dispatch_uid=f"forget-principals-save-{model.__name__}")
        post_delete.connect(_forget_principals, sender=model, dispatch_uid=f"forget-principals-delete-{model.__name__}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_forget_principals, sender=through, dispatch_uid=f"forget-principals-m2m-{through.__name__}")


_connect_principal_signals()
