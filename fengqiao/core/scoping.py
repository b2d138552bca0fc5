"""Station isolation, enforced where queries are built.

Every station-owned model uses `StationScopedManager`. Its querysets refuse to run until
they are scoped: `Model.objects.for_user(user)` keeps the stations the user may see,
`for_stations(ids)` keeps the given ones, and `unscoped(reason)` is the explicit,
greppable door for system work (the demo builder, tickers). A queryset reached through an
object already in hand (`station.beats.all()`) is scoped by that object.

An unscoped query raises `UnscopedQueryError` instead of quietly returning every
station's rows: a mistake shows up as a failing test, never as a leak.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from typing import Any, Self

from django.db import models

_allow_unscoped: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "fengqiao_allow_unscoped", default=False
)


class UnscopedQueryError(RuntimeError):
    """A station-owned model was queried without saying whose stations to look at."""


@contextlib.contextmanager
def allow_unscoped() -> Iterator[None]:
    """Let Django's own machinery (uniqueness checks) look across stations.

    Used only around checks that answer yes/no and return no rows.
    """
    token = _allow_unscoped.set(True)
    try:
        yield
    finally:
        _allow_unscoped.reset(token)


class StationScopedQuerySet(models.QuerySet):
    """A queryset that must be scoped to stations before it touches the database."""

    _scoped: bool = False

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._scoped = self._scoped
        return clone

    def _mark_scoped(self) -> Self:
        clone = self._chain()
        clone._scoped = True
        return clone

    def for_stations(self, station_ids: Iterable[int]) -> Self:
        """Only rows of these stations."""
        field = self.model.station_field
        ids = list(station_ids)
        return self.filter(**{f"{field}__in": ids})._mark_scoped()

    def for_user(self, user: Any) -> Self:
        """Only rows of the stations `user` may see (none for an anonymous user)."""
        from fengqiao.organisation.selectors import station_ids_for

        return self.for_stations(station_ids_for(user))

    def unscoped(self, reason: str) -> Self:
        """All stations' rows, for system work. `reason` says why, for the reader."""
        if not reason.strip():
            raise ValueError("unscoped() needs a reason")
        return self._mark_scoped()

    def _check_scoped(self) -> None:
        if not self._scoped and not _allow_unscoped.get():
            raise UnscopedQueryError(
                f"{self.model.__name__} is station-owned: scope the query with "
                f".for_user(user), .for_stations(ids) or .unscoped(reason)"
            )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scoped()
        super()._fetch_all()

    def count(self) -> int:
        self._check_scoped()
        return super().count()

    def exists(self) -> bool:
        self._check_scoped()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scoped()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scoped()
        return super().iterator(chunk_size=chunk_size)

    def update(self, **kwargs: Any) -> int:
        self._check_scoped()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scoped()
        return super().delete()

    def explain(self, **options: Any) -> str:
        self._check_scoped()
        return super().explain(**options)


class StationScopedManager(models.Manager.from_queryset(StationScopedQuerySet)):  # type: ignore[misc]
    """Default manager of station-owned models."""

    def get_queryset(self) -> StationScopedQuerySet:
        queryset = super().get_queryset()
        # Related managers (station.beats, beat.officers) filter by the object in hand,
        # which was itself reached through a scoped query.
        if hasattr(self, "core_filters"):
            queryset._scoped = True
        return queryset


class StationOwned(models.Model):
    """Base of every model that belongs to one station.

    `station_field` is the lookup path from the model to its station's id column's
    owner; subclasses that reach their station through another model override it.
    """

    station_field = "station"

    objects = StationScopedManager()

    class Meta:
        abstract = True

    def validate_unique(self, exclude: Any = None) -> None:
        with allow_unscoped():
            super().validate_unique(exclude)

    def validate_constraints(self, exclude: Any = None) -> None:
        with allow_unscoped():
            super().validate_constraints(exclude)
