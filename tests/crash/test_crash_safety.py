"""Every call the feed was told was received is in the database, once — even when the
server is killed (SIGKILL) again and again while 1,000 calls arrive.

The harness (`harness.py`) runs the real server, `fengqiao serve`, in a subprocess
against a database of its own (a file on SQLite; with FENGQIAO_DB=postgres a fresh
database on the PostgreSQL server). Eight client threads send 1,000 calls, each with its
own Idempotency-Key and external_id, and retry each with the same key and body after a
connection error or a 5xx until it is answered 200 or 201; a killer thread SIGKILLs the
server 0.5–1.5 s after each start, five times, and restarts it. Then the checker compares
what was sent, what was acknowledged and what the database holds.

The second test runs the same harness against a server that answers before it commits
(`broken_asgi.py`) and expects the checker to find acknowledged calls lost: the first
test can fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import (
    BROKEN_SERVER,
    REAL_SERVER,
    Database,
    Server,
    check_database,
    drop_database,
    feed_calls,
    new_database,
    running,
    station_script,
    storm,
)

pytestmark = pytest.mark.crash

CALLS = 1_000
CLIENTS = 8
KILLS = 5


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, str]]:
    """A migrated database with one station and a feed token, copied by each test."""
    directory = tmp_path_factory.mktemp("crash")
    template = new_database(directory, "template")
    try:
        token = station_script(template, "setup")
        yield template, token
    finally:
        drop_database(template)


@pytest.fixture
def database(station: tuple[Database, str], tmp_path: Path) -> Iterator[Database]:
    template, _token = station
    database = new_database(tmp_path, "station", template=template)
    yield database
    drop_database(database)


def test_no_acknowledged_call_is_lost_or_doubled_when_the_server_is_killed_again_and_again(
    station: tuple[Database, str], database: Database, tmp_path: Path
) -> None:
    _template, token = station
    calls = feed_calls(CALLS)
    server = Server(REAL_SERVER, database, tmp_path / "server.log")

    with running(server):
        seen = storm(server, token, calls, clients=CLIENTS, kills=KILLS)
    verdict = check_database(database, calls, seen)

    assert server.group_is_gone()
    assert seen.kills >= 5, seen.summary()
    assert seen.cut_off > 0, f"no request was cut off by a kill, so nothing was tested: {seen.summary()}"
    assert seen.refused == {}, seen.summary()
    assert seen.unfinished == [], seen.summary()
    assert verdict.calls == CALLS and verdict.records == CALLS, verdict.summary()
    assert verdict.lost == [] and verdict.duplicated == [], verdict.summary()
    assert verdict.ok, verdict.summary()
    print(f"\n{database.vendor}: {seen.summary()}\n{verdict.summary()}")


def test_the_check_catches_a_server_that_answers_before_it_commits(
    station: tuple[Database, str], database: Database, tmp_path: Path
) -> None:
    _template, token = station
    calls = feed_calls(CALLS, seed=2)
    server = Server(BROKEN_SERVER, database, tmp_path / "server.log")

    with running(server):
        seen = storm(server, token, calls, clients=CLIENTS, kills=KILLS)
    verdict = check_database(database, calls, seen)

    assert server.group_is_gone()
    assert seen.kills >= 5, seen.summary()
    assert len(seen.acknowledged) == CALLS, seen.summary()  # the broken server acknowledges everything …
    assert len(verdict.lost) > 0, verdict.summary()  # … and the checker finds what it lost
    assert not verdict.ok
    print(f"\n{database.vendor}, broken server: {seen.summary()}\n{verdict.summary()}")
