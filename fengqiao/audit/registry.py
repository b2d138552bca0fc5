"""Automatic before/after audit rows for every change of a registered domain model.

`register_audited(Model)` connects save and delete signals so that no change, whether
made by a service, the admin or a shell, escapes the log. Bulk operations
(`bulk_create`, `QuerySet.update`) send no signals; services that use them write their
own audit row.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from .models import AuditEntry
from .services import jsonable, record

_registered: dict[type[models.Model], frozenset[str]] = {}
_SECRET = "(changed)"


def register_audited(model: type[models.Model], *, exclude: tuple[str, ...] = (), secret: tuple[str, ...] = ()) -> None:
    """Audit every create, change and delete of `model`.

    `exclude` fields are never recorded; `secret` fields are recorded only as "(changed)".
    """
    _registered[model] = frozenset(exclude)
    model._audit_secret_fields = frozenset(secret)  # type: ignore[attr-defined]
    uid = f"audit:{model._meta.label_lower}"
    pre_save.connect(_remember_before, sender=model, dispatch_uid=uid + ":pre")
    post_save.connect(_record_save, sender=model, dispatch_uid=uid + ":post")
    post_delete.connect(_record_delete, sender=model, dispatch_uid=uid + ":delete")


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's field values as they would be stored (foreign keys by id)."""
    excluded = _registered.get(type(instance), frozenset())
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded:
            continue
        values[field.attname] = field.value_from_object(instance)
    return jsonable(values)


def _remember_before(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    instance._audit_before = None  # type: ignore[attr-defined]
    if raw or instance.pk is None or instance._state.adding:
        return
    previous = sender._base_manager.filter(pk=instance.pk).first()
    if previous is not None:
        instance._audit_before = snapshot(previous)  # type: ignore[attr-defined]


def _diff(before: dict[str, Any] | None, after: dict[str, Any], secret: frozenset[str]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name, new in after.items():
        old = None if before is None else before.get(name)
        if before is not None and old == new:
            continue
        if name in secret:
            changes[name] = [_SECRET if old else None, _SECRET]
        else:
            changes[name] = [old, new]
    return changes


def _record_save(sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = None if created else getattr(instance, "_audit_before", None)
    secret = getattr(sender, "_audit_secret_fields", frozenset())
    changes = _diff(before, snapshot(instance), secret)
    if not created and not changes:
        return
    action = AuditEntry.Action.CREATED if created else AuditEntry.Action.UPDATED
    record(action, obj=instance, changes=changes)


def _record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    record(AuditEntry.Action.DELETED, obj=instance, changes={name: [value, None] for name, value in snapshot(instance).items()})
