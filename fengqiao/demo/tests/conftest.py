"""The demo, built once per test module and rolled back afterwards.

Two weeks of past calls are enough to show the history is there; `test_history_db.py` looks
at the history itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from fengqiao.demo.builder import BuildReport, build_demo
from fengqiao.demo.plan import DEFAULT_SEED

DEMO_TEST_DAYS = 14


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> Iterator[BuildReport]:
    """The default demo with two weeks of past calls. Each test runs in a savepoint inside
    this module's transaction. The verification lists only where the module says
    `DEMO_CAMPAIGNS = True` (300 outcomes through the services: seconds, on each build)."""
    with django_db_blocker.unblock(), transaction.atomic():
        # Without the briefing and reports: six PDFs per module that no demo test reads
        # (their writer is tested in fengqiao/analysis/tests/test_issuing.py).
        campaigns = getattr(request.module, "DEMO_CAMPAIGNS", False)
        report = build_demo(DEFAULT_SEED, days=DEMO_TEST_DAYS, campaigns=campaigns, reports=False)
        check_foreign_keys_once()
        yield report
        transaction.set_rollback(True)


def check_foreign_keys_once() -> None:
    """Check the demo's deferred foreign keys now, once. Otherwise PostgreSQL checks all of
    them again at the end of every test (pytest-django checks constraints before it rolls a
    test back, and the rollback to the test's savepoint puts the checks back in the queue):
    seconds per test."""
    connection.check_constraints()
