"""Inserting a model's row with a statement built once, for the rows written on every call.

`Model.save()` builds its INSERT statement anew for each row: for a table of twenty
columns that costs about half a millisecond here, several times the database's own work,
and a received call writes six rows. `insert(obj)` builds the statement once per model
and database, and prepares each row's values with the fields' own methods (`pre_save`,
`get_db_prep_save`), as `save()` does, so that the stored row is the same.

It is used only where it is the same as `save(force_insert=True)`: when nobody listens
to the model's save signals and the model keeps Django's own `save()` (or says, with
`plain_insert = True`, that its `save()` adds nothing to an insert). Otherwise it calls
`save(force_insert=True)` itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import AutoFieldMixin
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[models.Field[Any, Any], ...]
    returning: bool


_statements: dict[tuple[type[models.Model], str], _Statement | None] = {}
_lock = threading.Lock()


def _statement(model: type[models.Model], using: str) -> _Statement | None:
    """The INSERT of `model` on `using`, or None when only `save()` will do."""
    connection = connections[using]
    key = (model, connection.alias)
    with _lock:
        if key in _statements:
            return _statements[key]
    meta = model._meta
    fields = tuple(
        field for field in meta.local_concrete_fields
        if not field.generated and not (field.primary_key and isinstance(field, AutoFieldMixin))
    )
    plain = model.save is models.Model.save or getattr(model, "plain_insert", False)
    statement: _Statement | None = None
    if plain and not meta.parents and not any(hasattr(field, "get_placeholder") for field in fields):
        quote = connection.ops.quote_name
        sql = (  # names from the model's metadata, values as parameters
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        returning = bool(connection.features.can_return_columns_from_insert)
        if returning:
            clause, params = connection.ops.return_insert_columns([meta.pk])
            if params:
                returning, clause = False, ""
            sql = f"{sql} {clause}".rstrip()
        statement = _Statement(sql, fields, returning)
    with _lock:
        _statements[key] = statement
    return statement


def insert(obj: M, *, using: str = DEFAULT_DB_ALIAS) -> M:
    """Insert `obj` as a new row (inside the caller's transaction) and give it its id."""
    model = type(obj)
    statement = _statement(model, using)
    if statement is None or pre_save.has_listeners(model) or post_save.has_listeners(model):
        obj.save(force_insert=True, using=using)
        return obj
    connection = connections[using]
    # As save() does: take the ids of related objects assigned before they were saved,
    # and refuse an unsaved one.
    obj._prepare_related_fields_for_save(operation_name="save")
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection=connection) for field in statement.fields]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        if statement.returning:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using
    return obj
