"""The demo, built once per test module and rolled back afterwards.

Two weeks of past calls are enough to show the history is there; `test_history_db.py` looks
at the history itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from fengqiao.demo.builder import BuildReport, build_demo
from fengqiao.demo.plan import DEFAULT_SEED

DEMO_TEST_DAYS = 14


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[BuildReport]:
    """The default demo with two weeks of past calls. Each test runs in a savepoint inside
    this module's transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = build_demo(DEFAULT_SEED, days=DEMO_TEST_DAYS)
        yield report
        transaction.set_rollback(True)
