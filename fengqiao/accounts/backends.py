"""Authentication that refuses a locked account before looking at the password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record

from .services import is_username_locked


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if username and is_username_locked(username):
            if request is not None:
                request.fengqiao_locked = True
            record(AuditEntry.Action.LOGIN_LOCKED, username=username, outcome=AuditEntry.Outcome.REFUSED,
                   object_type="accounts.user", object_repr=username)
            # PermissionDenied stops Django from trying any other backend.
            raise PermissionDenied("account locked")
        return super().authenticate(request, username=username, password=password, **kwargs)
