"""The same seed builds the same demo, row for row, on a fresh database."""

from __future__ import annotations

import pytest
from django.db import transaction

from fengqiao.demo.builder import build_demo
from fengqiao.demo.plan import DEFAULT_SEED, plan_demo
from fengqiao.demo.tests.snapshots import demo_snapshot


def test_the_same_seed_plans_the_same_demo_and_another_seed_a_different_one() -> None:
    assert plan_demo(DEFAULT_SEED) == plan_demo(DEFAULT_SEED)
    other = plan_demo(DEFAULT_SEED + 1)
    assert other != plan_demo(DEFAULT_SEED)
    # Natural keys do not depend on the seed.
    assert [officer.badge for officer in other.officers][:51] == [
        officer.badge for officer in plan_demo(DEFAULT_SEED).officers
    ][:51]


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_rows_twice() -> None:
    # Without the records (the snapshot leaves them out; test_records_demo checks their plan).
    with transaction.atomic():
        build_demo(DEFAULT_SEED, days=3, records=False, reports=False)
        first = demo_snapshot()
        transaction.set_rollback(True)
    assert demo_snapshot()["officers"] == []
    assert first["calls"] and first["incidents"] and first["log"]
    assert first["dispatch orders"] and first["feedback"] and first["violations"]

    build_demo(DEFAULT_SEED, days=3, records=False, reports=False)

    assert demo_snapshot() == first
