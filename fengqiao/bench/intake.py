"""`fengqiao bench intake`: `POST /api/v1/calls` on the running ASGI server, next to
`GET /api/v1/health` on the same server in the same run.

    fengqiao bench intake                          # SQLite in a throwaway data directory
    FENGQIAO_DB=postgres DATABASE_URL=postgres://fengqiao:fengqiao@127.0.0.1:5432/fengqiao \\
        fengqiao bench intake                      # a throwaway database on that PostgreSQL server
    fengqiao bench intake --concurrency 8 --seconds 10 --rate 50 --workers 1 --json
    fengqiao bench intake --url http://127.0.0.1:8000 --token fq_…   # a server you started

Without `--url` the benchmark builds its own station: a temporary data directory (and,
on PostgreSQL, a temporary database `fengqiao_bench_…` on the server of DATABASE_URL,
dropped afterwards), `fengqiao demo --no-serve` into it, an API token for the demo's
commander, and `fengqiao serve` (uvicorn) on a free port, all in subprocesses. The
load generator is this process: asyncio with raw HTTP/1.1 keep-alive connections,
which costs far less per request than the server does, so it is not the bottleneck
(its own CPU time is reported).

The figures, in this order:

1. closed loop: `--concurrency` clients, each sending its next request as soon as the
   previous one is answered, for `--seconds` on `GET /api/v1/health`, then for
   `--seconds` on `POST /api/v1/calls`; requests per second of each and their ratio
   (target: intake at least half of health);
2. open loop: `POST /api/v1/calls` at a fixed `--rate` for `--seconds`, each request
   sent at its scheduled moment whether or not earlier ones were answered; latency is
   measured from that moment (so a stalled server cannot hide its queue), p50/p95/p99
   and errors (target: p99 under 100 ms at 50 calls per second). A server that cannot
   keep up with the rate builds a queue, and the latency then grows to the end of the
   phase; its figures say how far it fell behind, not how fast one call is.

Every call has its own Idempotency-Key and external_id, a text from the triage test
sets (`fengqiao/intake/data/calls_*.csv`) and an address of the demo's 南坪派出所
written the way a 110 operator would (sometimes with a position). The server also
receives a short warm-up (not counted) so the station's rules and address index are
loaded before measuring. Figures depend on the machine; the run prints its CPU, cores,
the database and the filesystem of the data directory.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fengqiao.demo.plan import DEFAULT_SEED, plan_demo
from fengqiao.intake.taxonomy import read_data_file

HELP = "intake: requests per second of POST /api/v1/calls vs GET /api/v1/health, and latency at a fixed rate"

DEFAULT_CONCURRENCY = 8
DEFAULT_SECONDS = 10.0
DEFAULT_RATE = 50.0
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
TARGET_RATE = 50.0  # the p99 target holds at this rate (or more)

STATION = "NP"  # the demo's main station, whose commander posts the calls
USERNAME = "commander"
TEXT_FILES = ("calls_lexicon.csv", "calls_heldout.csv", "calls_hard.csv", "calls_fresh.csv")
READY_TIMEOUT = 60.0


# --- what the calls say -------------------------------------------------------------------


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "晓东")


@dataclass(frozen=True)
class _Place:
    parts: tuple[str, str, str, str, str, str, str]  # district, street, road, number, building, unit, room
    lon: float
    lat: float


class CallMaker:
    """Bodies of realistic feed calls, each with a fresh external_id and Idempotency-Key."""

    def __init__(self, seed: int = DEFAULT_SEED, run_id: str = "") -> None:
        self.rng = random.Random(f"{seed}:bench-intake")
        self.run_id = run_id or uuid.uuid4().hex[:8]
        self.count = 0
        self.texts = _call_texts()
        plan = plan_demo(seed)
        self.places = [
            _Place((a.district, a.street, a.road, a.number, a.building, a.unit, a.room), a.position[0], a.position[1])
            for a in plan.addresses if a.station_code == STATION
        ]
        if not self.texts or not self.places:
            raise ValueError("no call texts or no demo addresses to build calls from")

    def next(self) -> tuple[str, bytes]:
        """(Idempotency-Key, JSON body) of the next call."""
        self.count += 1
        rng = self.rng
        number = f"{self.run_id}-{self.count:07d}"
        place = rng.choice(self.places)
        body: dict[str, Any] = {
            "source": "feed_110",
            "external_id": f"B{number}",
            "received_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "text": rng.choice(self.texts),
            "address": _as_said(place, rng),
            "caller_name": rng.choice(_SURNAMES) + rng.choice(_GIVEN),
            "caller_phone": "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)),
        }
        if rng.random() < 0.4:  # the 110 system located the caller: a few metres off
            body["lon"] = round(place.lon + rng.uniform(-0.0002, 0.0002), 6)
            body["lat"] = round(place.lat + rng.uniform(-0.0002, 0.0002), 6)
        return f"bench-{number}", json.dumps(body, ensure_ascii=False).encode()


def _call_texts() -> list[str]:
    texts: list[str] = []
    for name in TEXT_FILES:
        for row in csv.DictReader(io.StringIO(read_data_file(name))):
            if row.get("text", "").strip():
                texts.append(row["text"].strip())
    return texts


def _as_said(place: _Place, rng: random.Random) -> str:
    district, street, road, number, building, unit, room = place.parts
    roll = rng.random()
    if roll < 0.2:
        return f"{district}{street}{road}{number}{building}{unit}{room}"
    if roll < 0.7:
        return f"{road}{number}{building}{unit}{room}"
    if roll < 0.85 and room:
        digits = [part.rstrip("号栋单元") for part in (number, building, unit)]
        return f"{road}{'-'.join(digit for digit in digits if digit)}-{room}"
    return f"{road}{number}" + rng.choice(("附近", "门口", "旁边", ""))


# --- a small HTTP/1.1 keep-alive client ----------------------------------------------------


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    token: str = ""

    @classmethod
    def from_url(cls, url: str, token: str = "") -> Target:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"--url must be an http:// URL, not {url!r}")
        return cls(parts.hostname, parts.port or 80, token)

    def health_request(self) -> bytes:
        return f"GET /api/v1/health HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode()

    def call_request(self, key: str, body: bytes) -> bytes:
        head = (
            f"POST /api/v1/calls HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nIdempotency-Key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


class Connection:
    """One keep-alive connection; `send` writes a request and reads its whole answer."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.target.host, self.target.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise ValueError("chunked answers are not expected from the API")
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    """What one phase saw: answers by status, failures, latencies in seconds."""

    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    first_error: str = ""

    def answered(self, status: int, latency: float, body: bytes) -> None:
        self.statuses[status] += 1
        self.latencies.append(latency)
        if status >= 300 and not self.first_error:
            self.first_error = f"{status} {body[:200].decode(errors='replace')}"

    def failed(self, error: BaseException) -> None:
        self.failures[type(error).__name__] += 1
        if not self.first_error:
            self.first_error = f"{type(error).__name__}: {error}"

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return sum(self.failures.values()) + sum(count for status, count in self.statuses.items() if status >= 300)

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "requests": len(self.latencies) + sum(self.failures.values()),
            "ok": self.ok,
            "errors": self.errors,
            "statuses": {str(status): count for status, count in sorted(self.statuses.items())},
            "failures": dict(self.failures),
            "first_error": self.first_error,
            "latency_ms": {
                "p50": _ms(percentile(ordered, 50)),
                "p95": _ms(percentile(ordered, 95)),
                "p99": _ms(percentile(ordered, 99)),
                "max": _ms(ordered[-1] if ordered else 0.0),
            },
        }


def percentile(ordered: list[float], percent: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * percent // 100))  # ceil without floats going wrong
    return ordered[int(rank) - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


async def closed_loop(target: Target, build: Callable[[], bytes], *, concurrency: int, seconds: float) -> dict[str, Any]:
    """`concurrency` clients, each sending as soon as its last answer arrived, for `seconds`."""
    tally = Tally()
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds

    async def client() -> None:
        connection = Connection(target)
        try:
            while loop.time() < end:
                raw = build()
                started = loop.time()
                try:
                    status, body = await connection.send(raw)
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    connection.close()
                    tally.failed(error)
                    await asyncio.sleep(0.01)
                    continue
                tally.answered(status, loop.time() - started, body)
        finally:
            connection.close()

    started = loop.time()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = loop.time() - started
    figures = tally.figures()
    figures.update(concurrency=concurrency, seconds=round(elapsed, 2),
                   per_second=round(tally.ok / elapsed, 1) if elapsed else 0.0)
    return figures


async def open_loop(target: Target, build: Callable[[], bytes], *, rate: float, seconds: float) -> dict[str, Any]:
    """One request every 1/`rate` s for `seconds`, on as many connections as it takes;
    latency counts from the moment each request was due."""
    tally = Tally()
    loop = asyncio.get_running_loop()
    idle: list[Connection] = []
    opened = 0
    late = 0

    async def one(due: float) -> None:
        nonlocal opened
        if idle:
            connection = idle.pop()
        else:
            connection = Connection(target)
            opened += 1
        try:
            status, body = await connection.send(build())
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            connection.close()
            tally.failed(error)
            return
        tally.answered(status, loop.time() - due, body)
        idle.append(connection)

    total = max(1, int(rate * seconds))
    start = loop.time() + 0.05
    tasks = []
    for index in range(total):
        due = start + index / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            late += 1
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    for connection in idle:
        connection.close()
    figures = tally.figures()
    figures.update(rate=rate, seconds=round(elapsed, 2), connections=opened, sent_late=late,
                   per_second=round(tally.ok / elapsed, 1) if elapsed else 0.0)
    return figures


async def _measure(target: Target, maker: CallMaker, *, concurrency: int, seconds: float, rate: float) -> dict[str, Any]:
    health_raw = target.health_request()

    def health() -> bytes:
        return health_raw

    def call() -> bytes:
        return target.call_request(*maker.next())

    connection = Connection(target)
    status, body = await connection.send(health())
    connection.close()
    if status != 200:
        raise ValueError(f"the server's health check answered {status}: {body[:200]!r}")
    vendor = json.loads(body).get("database", "")
    # Warm-up, not counted: the station's rules, address index and beat polygons load on
    # the first call; connections and code paths get warm.
    warm_health = await closed_loop(target, health, concurrency=concurrency, seconds=min(2.0, seconds / 5))
    warm_calls = await closed_loop(target, call, concurrency=concurrency, seconds=min(2.0, seconds / 5))
    if warm_calls["ok"] == 0:
        raise ValueError(f"no call was accepted during the warm-up: {warm_calls['first_error']}")
    cpu_before = time.process_time()
    results = {
        "database": vendor,
        "warmup": {"health": warm_health["ok"], "calls": warm_calls["ok"]},
        "health": await closed_loop(target, health, concurrency=concurrency, seconds=seconds),
        "intake": await closed_loop(target, call, concurrency=concurrency, seconds=seconds),
        "paced": await open_loop(target, call, rate=rate, seconds=seconds),
    }
    results["client_cpu_seconds"] = round(time.process_time() - cpu_before, 2)
    return results


# --- a throwaway station on its own server ------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _fengqiao(*args: str) -> list[str]:
    return [sys.executable, "-m", "fengqiao.cli", *args]


@dataclass
class ThrowawayStation:
    """A demo station in a throwaway database, served by `fengqiao serve`."""

    data_dir: Path
    env: dict[str, str]
    database: str  # "sqlite" or "postgres"
    database_name: str = ""
    token: str = ""
    port: int = 0
    server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str) -> str:
        # Our own interpreter and subcommands, never outside input.
        done = subprocess.run(  # noqa: S603
            _fengqiao(*args), env=self.env, capture_output=True, text=True, timeout=600, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"fengqiao {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done.stdout

    def build(self, seed: int) -> None:
        self.run("demo", "--no-serve", "--seed", str(seed))
        self.token = self.run("token", "create", USERNAME, "--name", "bench intake").strip().splitlines()[-1]

    def start(self, workers: int) -> None:
        self.port = free_port()
        log = (self.data_dir / "server.log").open("ab")
        self.server = subprocess.Popen(  # noqa: S603
            _fengqiao("serve", "--port", str(self.port), "--workers", str(workers)),
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up:\n{self.server_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not listen within {READY_TIMEOUT:.0f} s:\n{self.server_log()}")

    def server_log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        """Stop the server and every process it started (its own process group)."""
        if self.server is None or self.server.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.server.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.server.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


def _postgres_url() -> str:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return ""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise ValueError("PostgreSQL is configured but DATABASE_URL is not set")
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin_sql(url: str, statement: str) -> None:
    """Run `statement` on the server of `url`, connected to its `postgres` database (the
    database of DATABASE_URL itself need not exist, as with Django's test runner)."""
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def throwaway_station(
    *, workers: int = 1, seed: int = DEFAULT_SEED, parent: str | None = None, keep: bool = False,
) -> Iterator[ThrowawayStation]:
    """A demo station in a temporary data directory (and on PostgreSQL a temporary
    database), served on a free port; everything removed afterwards unless `keep`."""
    data_dir = Path(tempfile.mkdtemp(prefix="fengqiao-bench-", dir=parent))
    env = {name: value for name, value in os.environ.items() if not name.startswith(("FENGQIAO_DB", "DATABASE_URL"))}
    env.update(FENGQIAO_DATA_DIR=str(data_dir), FENGQIAO_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="fengqiao.settings")
    url = _postgres_url()
    station = ThrowawayStation(data_dir=data_dir, env=env, database="postgres" if url else "sqlite")
    try:
        if url:
            station.database_name = f"fengqiao_bench_{uuid.uuid4().hex[:10]}"
            _admin_sql(url, f'CREATE DATABASE "{station.database_name}"')
            env.update(FENGQIAO_DB="postgres", DATABASE_URL=_with_database(url, station.database_name))
            if "FENGQIAO_DB_POOL_SIZE" in os.environ:
                env["FENGQIAO_DB_POOL_SIZE"] = os.environ["FENGQIAO_DB_POOL_SIZE"]
        else:
            env["FENGQIAO_DB"] = "sqlite"
        station.build(seed)
        station.start(workers)
        yield station
    finally:
        station.stop()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            if station.database_name:
                _drop_database(url, station.database_name)


def _drop_database(url: str, name: str, attempts: int = 10) -> None:
    """Drop the throwaway database, trying again for a while when the server has no
    connection slot free at the moment (other clients may fill it)."""
    import psycopg

    for attempt in range(attempts):
        try:
            _admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)


# --- the machine ------------------------------------------------------------------------------


def machine(data_dir: Path | None = None) -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    found: dict[str, Any] = {
        "cpu": model, "cores": os.cpu_count(), "usable_cores": usable,
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": sys.version.split()[0], "system": f"{platform.system()} {platform.release()}",
    }
    if data_dir is not None:
        found["data_filesystem"] = _filesystem(data_dir)
    return found


def _filesystem(path: Path) -> str:
    """The type of the filesystem `path` lives on (from /proc/mounts), e.g. ext4 or tmpfs."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return ""
    resolved = str(path.resolve())
    best = ("", "")
    for fields in mounts:
        point, kind = fields[1], fields[2]
        if (resolved == point or resolved.startswith(point.rstrip("/") + "/")) and len(point) >= len(best[0]):
            best = (point, kind)
    return best[1]


# --- running it -------------------------------------------------------------------------------


def run(
    *, url: str = "", token: str = "", concurrency: int = DEFAULT_CONCURRENCY, seconds: float = DEFAULT_SECONDS,
    rate: float = DEFAULT_RATE, workers: int = 1, seed: int = DEFAULT_SEED, data_parent: str | None = None,
    keep: bool = False,
) -> dict[str, Any]:
    """Measure (on `url`, or on a throwaway demo station) and return the figures."""
    maker = CallMaker(seed)
    figures: dict[str, Any] = {"benchmark": "intake"}
    if url:
        if not token:
            raise ValueError("--url needs --token (an API token of a user who may receive calls)")
        target = Target.from_url(url, token)
        figures["server"] = {"url": url, "started_by_bench": False}
        figures["machine"] = machine()
        figures.update(asyncio.run(_measure(target, maker, concurrency=concurrency, seconds=seconds, rate=rate)))
    else:
        with throwaway_station(workers=workers, seed=seed, parent=data_parent, keep=keep) as station:
            target = Target("127.0.0.1", station.port, station.token)
            figures["server"] = {
                "url": station.url, "started_by_bench": True, "workers": workers,
                "data_dir": str(station.data_dir), "database_name": station.database_name,
                "command": f"fengqiao serve --workers {workers}", "kept": keep,
            }
            figures["machine"] = machine(station.data_dir)
            figures.update(asyncio.run(_measure(target, maker, concurrency=concurrency, seconds=seconds, rate=rate)))
    health, intake, paced = figures["health"], figures["intake"], figures["paced"]
    ratio = intake["per_second"] / health["per_second"] if health["per_second"] else 0.0
    figures["ratio"] = round(ratio, 3)
    figures["targets"] = {
        "ratio_at_least": TARGET_RATIO, "ratio_met": ratio >= TARGET_RATIO,
        "p99_ms_below": TARGET_P99_MS, "p99_at_rate": TARGET_RATE,
        # None: the paced phase ran below the target's rate, so it says nothing about it.
        "p99_met": (paced["latency_ms"]["p99"] < TARGET_P99_MS and paced["errors"] == 0) if rate >= TARGET_RATE else None,
    }
    return figures


# --- the command's side ---------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help=f"clients of the closed-loop phases (default {DEFAULT_CONCURRENCY})")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                        help=f"length of each phase (default {DEFAULT_SECONDS:g})")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE,
                        help=f"calls per second of the paced phase (default {DEFAULT_RATE:g})")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server it starts (default 1)")
    parser.add_argument("--url", default="", help="measure a server already running here instead of starting one")
    parser.add_argument("--token", default=os.environ.get("FENGQIAO_BENCH_TOKEN", ""),
                        help="API token for --url (or FENGQIAO_BENCH_TOKEN)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the demo and of the calls (default {DEFAULT_SEED})")
    parser.add_argument("--data-dir", default=None, help="where to make the throwaway data directory (default: the system's temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory and database")


def run_from_options(options: dict[str, Any]) -> dict[str, Any]:
    if options["concurrency"] < 1 or options["seconds"] <= 0 or options["rate"] <= 0 or options["workers"] < 1:
        raise ValueError("--concurrency and --workers must be at least 1; --seconds and --rate above 0")
    return run(
        url=options["url"], token=options["token"], concurrency=options["concurrency"], seconds=options["seconds"],
        rate=options["rate"], workers=options["workers"], seed=options["seed"], data_parent=options["data_dir"],
        keep=options["keep"],
    )


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    box, server = figures["machine"], figures["server"]
    health, intake, paced, targets = figures["health"], figures["intake"], figures["paced"], figures["targets"]
    where = f"{server['url']} ({server.get('command', 'started elsewhere')})"
    rows = [
        ("machine", f"{box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), load {box['load_average']}"),
        ("database", figures["database"] + (f" on {box['data_filesystem']}" if box.get("data_filesystem") else "")),
        ("server", where),
        ("health, closed loop", _closed(health)),
        ("intake, closed loop", _closed(intake)),
        ("intake / health", f"{figures['ratio']:.2f}  (target ≥ {targets['ratio_at_least']:g}: "
                            f"{_verdict(targets['ratio_met'])})"),
        ("intake, paced", f"{paced['rate']:g} calls/s for {paced['seconds']:.1f} s: {paced['ok']} ok, "
                          f"{paced['errors']} errors, {paced['connections']} connections"),
        ("  latency", _latency(paced) + f"  (target p99 < {targets['p99_ms_below']:g} ms at "
                                        f"{targets['p99_at_rate']:g} calls/s: {_verdict(targets['p99_met'])})"),
        ("client CPU", f"{figures['client_cpu_seconds']:.1f} s over the three phases"),
    ]
    if server.get("kept"):
        rows.append(("kept", f"{server['data_dir']} {server['database_name']}".strip()))
    for name in ("health", "intake", "paced"):
        if figures[name]["first_error"]:
            rows.append((f"first error ({name})", figures[name]["first_error"]))
    return rows


def _verdict(met: bool | None) -> str:
    return "not measured at that rate" if met is None else "met" if met else "missed"


def _closed(phase: dict[str, Any]) -> str:
    return (f"{phase['per_second']:,.1f} requests/s ({phase['ok']:,} ok, {phase['errors']} errors, "
            f"{phase['concurrency']} clients, {phase['seconds']:.1f} s); " + _latency(phase))


def _latency(phase: dict[str, Any]) -> str:
    latency = phase["latency_ms"]
    return f"p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, p99 {latency['p99']:.1f} ms, max {latency['max']:.1f} ms"
