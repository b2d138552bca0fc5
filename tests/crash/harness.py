"""The crash-safety harness: a database of its own, a real server in a subprocess that a
killer thread SIGKILLs and restarts, feed clients that retry with their keys, and the
checker that counts what was lost or doubled.

Nothing here shares the test runner's database. On SQLite the database is a file in the
test's temporary directory; with FENGQIAO_DB=postgres it is a database of its own on the
server of DATABASE_URL (`test_fengqiao_crash_…`), created and dropped here. The server
and the helper scripts get the same settings mechanism as everything else: environment
variables read by `fengqiao.settings`.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import io
import json
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from fengqiao.intake.taxonomy import read_data_file

from .station_db import ADDRESSES

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


# -- the database --------------------------------------------------------------------------


@dataclass
class Database:
    """One database of the crash test and the environment that points a process at it."""

    vendor: str  # "sqlite" or "postgresql"
    name: str  # the file (SQLite) or the database name (PostgreSQL)
    env: dict[str, str]
    admin_url: str = ""  # PostgreSQL: where to create and drop databases


def _postgres_url() -> str:
    """DATABASE_URL when the suite runs on PostgreSQL (FENGQIAO_DB=postgres), else ""."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return ""
    return os.environ["DATABASE_URL"]


def _url_with(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _admin(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


def _environment(data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("FENGQIAO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="fengqiao.settings", FENGQIAO_DATA_DIR=str(data_dir),
        FENGQIAO_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
    )
    return env


def new_database(directory: Path, label: str, *, template: Database | None = None) -> Database:
    """An empty database (or a copy of `template`) in `directory` or on the PostgreSQL server."""
    url = _postgres_url()
    env = _environment(directory / "data")
    if not url:
        path = directory / f"{label}.sqlite3"
        if template is not None:
            for suffix in ("", "-wal", "-shm"):
                if Path(template.name + suffix).exists():
                    shutil.copyfile(template.name + suffix, str(path) + suffix)
        env.update(FENGQIAO_DB="sqlite", FENGQIAO_DB_PATH=str(path))
        return Database("sqlite", str(path), env)
    admin_url = _url_with(url, "postgres")
    name = f"test_fengqiao_crash_{label}_{uuid.uuid4().hex[:8]}"
    copy = f' TEMPLATE "{template.name}"' if template is not None else ""
    _admin(admin_url, f'CREATE DATABASE "{name}"{copy}')
    env.update(FENGQIAO_DB="postgres", DATABASE_URL=_url_with(url, name))
    return Database("postgresql", name, env, admin_url)


def drop_database(database: Database) -> None:
    if database.vendor == "postgresql":
        _admin(database.admin_url, f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(database.name + suffix).unlink(missing_ok=True)


def station_script(database: Database, action: str) -> str:
    """Run `tests.crash.station_db ACTION` against `database`; its standard output."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [PYTHON, "-m", "tests.crash.station_db", action], cwd=REPO, env=database.env,
        capture_output=True, text=True, timeout=300, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"station_db {action} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


REAL_SERVER = ("-m", "fengqiao.cli", "serve", "--port", "{port}")
BROKEN_SERVER = (
    "-m", "uvicorn", "tests.crash.broken_asgi:application", "--port", "{port}",
    "--lifespan", "off", "--log-level", "warning", "--no-access-log",
)


class Server:
    """A server process in a process group of its own, so that a kill takes its children too."""

    def __init__(self, arguments: Sequence[str], database: Database, log: Path) -> None:
        self.port = free_port()
        self.command = [PYTHON, *(argument.format(port=self.port) for argument in arguments)]
        self.env = database.env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.closed = False  # once closed, the killer may not start it again
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self.closed:
                raise RuntimeError("the server was closed")
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    self.command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.starts += 1

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until GET /api/v1/health answers 200."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/api/v1/health")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self, *, close: bool = False) -> None:
        """SIGKILL the server's whole process group and reap it; `close` for good."""
        with self._lock:
            self.closed = self.closed or close
            if self.process is None:
                return
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def group_is_gone(self, timeout: float = 5.0) -> bool:
        """No process of the server's group is left running (zombies waiting for init to
        reap them do not count)."""
        if self.process is None:
            return True
        deadline = time.monotonic() + timeout
        while True:
            living = [pid for pid, state in _members(self.process.pid) if state != "Z"]
            if not living or time.monotonic() > deadline:
                return not living
            time.sleep(0.1)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def _members(group: int) -> list[tuple[int, str]]:
    """(pid, state) of every process in process group `group`, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == group:
            members.append((int(entry.name), fields[0]))
    return members


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """The server started and ready; killed (with everything it started) afterwards."""
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.kill(close=True)


# -- the calls and the clients -------------------------------------------------------------


@dataclass(frozen=True)
class FeedCall:
    external_id: str
    key: str
    body: bytes


def feed_calls(count: int, *, seed: int = 1) -> list[FeedCall]:
    """`count` calls as the 110 feed sends them: each its own key and external_id."""
    rng = random.Random(seed)
    texts = [
        row["text"] for name in ("calls_lexicon.csv", "calls_heldout.csv")
        for row in csv.DictReader(io.StringIO(read_data_file(name)))
    ]
    run = uuid.uuid4().hex[:6]
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    calls = []
    for number in range(1, count + 1):
        road, house, building, unit, room, longitude, latitude = rng.choice(ADDRESSES)
        body: dict[str, Any] = {
            "source": "feed_110", "external_id": f"110-{run}-{number:05d}",
            "received_at": (started + dt.timedelta(milliseconds=number * 200)).isoformat(),
            "text": rng.choice(texts), "address": f"{road}{house}{building}{unit}{room}",
            "caller_phone": f"13{rng.randrange(10**9):09d}",
        }
        if rng.random() < 0.5:
            body.update(lon=longitude, lat=latitude)
        calls.append(FeedCall(body["external_id"], f"crash-{run}-{number:05d}", json.dumps(body, ensure_ascii=False).encode()))
    return calls


@dataclass
class Storm:
    """What the clients and the killer saw."""

    acknowledged: dict[str, Any] = field(default_factory=dict)  # external_id → call_id answered
    refused: dict[str, str] = field(default_factory=dict)  # external_id → status and detail
    unfinished: list[str] = field(default_factory=list)
    attempts: int = 0
    cut_off: int = 0  # requests that ended in a connection error (a kill, mostly)
    server_errors: int = 0  # 5xx answers
    replays: int = 0  # 200: a retry got the first answer
    kills: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def summary(self) -> str:
        return (
            f"{len(self.acknowledged)} acknowledged, {len(self.refused)} refused, {len(self.unfinished)} unfinished; "
            f"{self.attempts} attempts, {self.cut_off} cut off, {self.server_errors} 5xx, {self.replays} replays; "
            f"{self.kills} kills in {self.seconds:.1f} s"
        )


def _client(server: Server, token: str, work: queue.Queue[FeedCall], storm: Storm, deadline: float) -> None:
    connection: http.client.HTTPConnection | None = None
    while True:
        try:
            call = work.get_nowait()
        except queue.Empty:
            break
        while True:
            if time.monotonic() > deadline:
                with storm.lock:
                    storm.unfinished.append(call.external_id)
                break
            headers = {
                "Authorization": f"Bearer {token}", "Idempotency-Key": call.key,
                "Content-Type": "application/json",
            }
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                connection.request("POST", "/api/v1/calls", body=call.body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException):
                if connection is not None:
                    connection.close()
                connection = None
                with storm.lock:
                    storm.attempts += 1
                    storm.cut_off += 1
                time.sleep(0.05)
                continue
            with storm.lock:
                storm.attempts += 1
                if response.status in (200, 201):
                    storm.acknowledged[call.external_id] = json.loads(answer).get("call_id")
                    storm.replays += response.status == 200
                elif response.status >= 500:
                    storm.server_errors += 1
                else:
                    storm.refused[call.external_id] = f"{response.status} {answer[:300]!r}"
            if response.status >= 500:
                time.sleep(0.1)
                continue
            break
    if connection is not None:
        connection.close()


def _killer(server: Server, storm: Storm, *, kills: int, every: tuple[float, float], rng: random.Random,
            errors: list[BaseException]) -> None:
    """Kill the server `kills` times, each 0.5–1.5 s (`every`) after it became ready, and
    restart it at once; leave it running after the last restart."""
    try:
        for _ in range(kills):
            server.wait_ready()
            time.sleep(rng.uniform(*every))
            server.kill()
            storm.kills += 1
            server.start()
        server.wait_ready()
    except BaseException as error:  # reported by the storm, which fails the test
        errors.append(error)


def storm(server: Server, token: str, calls: Sequence[FeedCall], *, clients: int = 8, kills: int = 6,
          every: tuple[float, float] = (0.5, 1.5), timeout: float = 240.0, seed: int = 1) -> Storm:
    """Send every call from `clients` threads, retrying each with its key until it is
    answered, while the killer kills the (running) server `kills` times."""
    work: queue.Queue[FeedCall] = queue.Queue()
    for call in calls:
        work.put(call)
    seen = Storm()
    errors: list[BaseException] = []
    started = time.monotonic()
    deadline = started + timeout
    killer = threading.Thread(
        target=_killer, args=(server, seen),
        kwargs={"kills": kills, "every": every, "rng": random.Random(seed), "errors": errors}, daemon=True,
    )
    senders = [
        threading.Thread(target=_client, args=(server, token, work, seen, deadline), daemon=True)
        for _ in range(clients)
    ]
    killer.start()
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    killer.join(timeout=max(1.0, deadline - time.monotonic()))
    seen.seconds = time.monotonic() - started
    if errors:
        raise RuntimeError(f"the killer failed: {errors[0]!r}") from errors[0]
    if killer.is_alive():
        raise RuntimeError("the killer did not finish in time")
    return seen


# -- the checker -------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What the database holds against what was sent and what was acknowledged."""

    sent: int
    acknowledged: int
    calls: int  # rows in intake_call
    records: int  # rows in intake_idempotencyrecord
    lost: list[str]  # acknowledged, but no call with that external_id exists
    duplicated: list[str]  # external_ids recorded more than once
    wrong_ids: list[str]  # acknowledged with a call_id that is not the call of that external_id
    unacknowledged: list[str]  # sent, never acknowledged
    strangers: list[str]  # calls in the database that nobody sent
    bad_records: list[str]  # idempotency keys not pointing at the call sent with them

    @property
    def ok(self) -> bool:
        return (
            self.calls == self.sent and self.records == self.sent and self.acknowledged == self.sent
            and not (self.lost or self.duplicated or self.wrong_ids or self.unacknowledged
                     or self.strangers or self.bad_records)
        )

    def summary(self) -> str:
        def few(items: list[str]) -> str:
            return f"{len(items)}" + (f" (e.g. {', '.join(items[:3])})" if items else "")

        return (
            f"sent {self.sent}, acknowledged {self.acknowledged}, calls {self.calls}, records {self.records}; "
            f"lost {few(self.lost)}, duplicated {few(self.duplicated)}, wrong ids {few(self.wrong_ids)}, "
            f"unacknowledged {few(self.unacknowledged)}, strangers {few(self.strangers)}, "
            f"bad records {few(self.bad_records)}"
        )


def check(
    calls: Sequence[FeedCall], acknowledged: Mapping[str, Any],
    rows: Sequence[Sequence[Any]], records: Sequence[Sequence[Any]],
) -> Verdict:
    """Compare the calls sent, the answers received (external_id → call_id) and the rows
    of the database: `rows` are (call id, external_id), `records` (key, call id)."""
    sent = {call.external_id: call for call in calls}
    key_of = {call.key: call.external_id for call in calls}
    times = Counter(external_id for _id, external_id in rows)
    call_of = {external_id: call_id for call_id, external_id in rows}
    lost = [external_id for external_id in acknowledged if times[external_id] == 0]
    wrong = [
        external_id for external_id, call_id in acknowledged.items()
        if times[external_id] and call_id != call_of[external_id]
    ]
    bad_records = [
        key for key, call_id in records
        if key not in key_of or call_of.get(key_of[key]) != call_id
    ]
    return Verdict(
        sent=len(sent), acknowledged=len(acknowledged), calls=len(rows), records=len(records),
        lost=sorted(lost), duplicated=sorted(external_id for external_id, n in times.items() if n > 1),
        wrong_ids=sorted(wrong), unacknowledged=sorted(set(sent) - set(acknowledged)),
        strangers=sorted(set(times) - set(sent)), bad_records=sorted(bad_records),
    )


def check_database(database: Database, calls: Sequence[FeedCall], seen: Storm) -> Verdict:
    """`check` against what `database` holds now."""
    held = json.loads(station_script(database, "dump"))
    return check(calls, seen.acknowledged, held["calls"], held["records"])
