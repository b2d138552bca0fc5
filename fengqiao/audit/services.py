"""Writing to the audit log. Every other app records through these functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from fengqiao.core import rows

from .context import current_actor
from .models import AuditEntry

T = TypeVar("T")


def object_label(obj: models.Model) -> str:
    return obj._meta.label_lower


def _object_station_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "organisation.station":
        return int(obj.pk) if obj.pk else None
    station_id = getattr(obj, "station_id", None)
    return int(station_id) if station_id else None


def _user_station_id(user: Any) -> int | None:
    """The user's own station, when they have exactly one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from fengqiao.organisation.selectors import station_ids_for

    ids = station_ids_for(user)
    return next(iter(ids)) if len(ids) == 1 else None


def _stations_of(obj: Any, user: Any) -> tuple[int | None, int | None]:
    """(station, actor_station): the row is filed under the object's station, and also
    under the user's own when that is a different one, so both stations' leaders see it."""
    object_station = _object_station_id(obj)
    user_station = _user_station_id(user)
    if object_station is None:
        return user_station, None
    return object_station, (user_station if user_station != object_station else None)


def jsonable(value: Any) -> Any:
    """A value as it can be stored in the JSON `changes` column."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    user: Any = None,
    username: str = "",
    outcome: str = AuditEntry.Outcome.OK,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one audit row. The acting user and address default to the current actor."""
    actor = current_actor()
    if user is None:
        user = actor.user
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if obj is not None:
        object_type = object_type or object_label(obj)
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or str(obj)[:200]
    station_id, actor_station_id = _stations_of(obj, user if authenticated else None)
    return rows.insert(AuditEntry(
        user=user if authenticated else None,
        username=username or (user.get_username() if authenticated else ""),
        station_id=station_id,
        actor_station_id=actor_station_id,
        ip_address=actor.ip_address,
        path=actor.path[:300],
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        reason=reason,
        changes=jsonable(changes) if changes is not None else None,
    ))


def record_personal_view(obj: models.Model, *, fields: list[str], user: Any = None, reason: str = "") -> AuditEntry:
    """A person's record (or some of its personal fields) was shown, masked or not."""
    return record(
        AuditEntry.Action.VIEWED_PERSONAL, obj=obj, user=user, reason=reason,
        changes={"fields": fields},
    )


class RevealRefused(Exception):
    """The identifier was not revealed: no permission, or no reason given."""


def reveal(
    obj: models.Model, field: str, *, user: Any, reason: str, permission: str,
    read: Callable[[], T],
) -> T:
    """Return the unmasked value of `field`, after writing the audit row that says so.

    The audit row and the read happen in one transaction: if the audit row cannot be
    written, the value is not returned.
    """
    reason = (reason or "").strip()
    if not user.has_perm(permission):
        record(AuditEntry.Action.REVEALED, obj=obj, user=user, outcome=AuditEntry.Outcome.REFUSED,
               reason=reason, changes={"field": field})
        raise RevealRefused("permission")
    if len(reason) < 2:
        raise RevealRefused("reason")
    with transaction.atomic():
        record(AuditEntry.Action.REVEALED, obj=obj, user=user, reason=reason, changes={"field": field})
        value = read()
    return value
