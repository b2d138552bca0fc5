"""Numbers that count per station and year (纠2026-0001, 移2026-0012, NPXS20260003), safe when
two people take one at the same moment.

The next number is read from the highest one used; two writers may read the same, and the
unique constraint on (station, number) refuses the second insert, which then takes the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Length

ATTEMPTS = 50  # each retry means another writer took the number a moment earlier


class NumbersExhausted(RuntimeError):
    """No free number was found in ATTEMPTS tries."""


def last_sequence(numbers: QuerySet[Any], prefix: str, *, sequence_of: Callable[[str], int | None] | None = None) -> int:
    """The highest sequence used so far by the numbers (a scoped queryset of the model) that
    start with `prefix`; 0 if none. `sequence_of` reads a number's sequence (by default the
    digits after the prefix); numbers it cannot read are skipped."""
    read = sequence_of or (lambda number: int(number[len(prefix):]) if number[len(prefix):].isdigit() else None)
    matching = numbers.filter(number__startswith=prefix)
    # Longest first, then highest: 10000 after 9999 without reading every row.
    last = matching.annotate(size=Length("number")).order_by("-size", "-number").values_list("number", flat=True).first()
    if last is None:
        return 0
    found = read(last)
    if found is not None:
        return found
    # Someone typed a number of another shape: read them all.
    return max((value for value in map(read, matching.values_list("number", flat=True)) if value is not None), default=0)


def insert_numbered(obj: Any, next_number: Callable[[], str], *, taken: Callable[[str], bool],
                    other_conflict: Callable[[], None] | None = None, attempts: int = ATTEMPTS) -> None:
    """Insert `obj` with `obj.number = next_number()`, taking the next number while another
    writer's insert took it first (`taken(number)`). Another constraint's refusal is
    `other_conflict`'s to explain (it raises), or re-raised. NumbersExhausted after `attempts`."""
    for _attempt in range(attempts):
        obj.number = next_number()
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
            return
        except IntegrityError:
            if other_conflict is not None:
                other_conflict()
            if not taken(obj.number):
                raise
            obj.pk = None
    raise NumbersExhausted(f"no free number for {type(obj).__name__} after {attempts} tries")
