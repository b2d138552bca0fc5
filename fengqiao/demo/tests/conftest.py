"""The demo, built once per test module and rolled back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from fengqiao.demo.builder import BuildReport, build_demo
from fengqiao.demo.plan import DEFAULT_SEED


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[BuildReport]:
    """The default demo. Each test runs in a savepoint inside this module's transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = build_demo(DEFAULT_SEED)
        yield report
        transaction.set_rollback(True)
