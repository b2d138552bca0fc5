"""Writing down that people's records were shown: one audit row per person, in one INSERT.

Pages that show many people at once (the duplicate list, the context pack of the command
board, which opens many times an hour) would write a row per person with
`record_personal_view` and pay one INSERT each. `record_residents_viewed` writes the same
rows — `VIEWED_PERSONAL`, the person as the object, the fields shown — with one statement,
so that "who looked at this person?" is still answered by the person's own rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fengqiao.audit.context import current_actor
from fengqiao.audit.models import AuditEntry
from fengqiao.organisation.selectors import station_ids_for


def record_residents_viewed(
    people: Iterable[tuple[int, str]], *, user: Any, station_id: int, fields: list[str], reason: str,
    object_type: str = "records.resident",
) -> int:
    """One VIEWED_PERSONAL row for each (id, name) in `people`; returns how many were written."""
    unique = dict(people)
    if not unique:
        return 0
    actor = current_actor()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    own = station_ids_for(user) if authenticated else frozenset()
    user_station = next(iter(own)) if len(own) == 1 else None
    rows = [
        AuditEntry(
            user=user if authenticated else None,
            username=user.get_username() if authenticated else "",
            station_id=station_id,
            actor_station_id=user_station if user_station != station_id else None,
            ip_address=actor.ip_address,
            path=actor.path[:300],
            action=AuditEntry.Action.VIEWED_PERSONAL,
            object_type=object_type,
            object_id=str(pk),
            object_repr=str(name)[:200],
            reason=reason,
            changes={"fields": fields},
        )
        for pk, name in unique.items()
    ]
    AuditEntry.objects.bulk_create(rows)
    return len(rows)
