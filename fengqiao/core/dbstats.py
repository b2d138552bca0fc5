"""Fresh planner statistics after a bulk load.

A deployment's autovacuum (or SQLite's `PRAGMA optimize`) refreshes them in time; a bulk
load that is read at once — the demo, a benchmark, a test fixture — must do it itself.
Without it PostgreSQL plans joins over tens of thousands of new rows as if the tables
were empty, and a query that takes milliseconds can take minutes.
"""

from __future__ import annotations

from typing import Any


def refresh_statistics(connection: Any, *, vacuum: bool = False) -> None:
    """ANALYZE every table. With `vacuum`, on PostgreSQL outside a transaction, VACUUM
    ANALYZE: also the visibility map that lets an index be read alone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and vacuum and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")  # allowed inside a transaction on both databases
