"""`fengqiao bench events`: from a committed change to its arrival at connected boards.

    fengqiao bench events                          # SQLite, a throwaway demo station
    FENGQIAO_DB=postgres DATABASE_URL=postgres://fengqiao:fengqiao@127.0.0.1:5432/fengqiao \\
        fengqiao bench events --workers 2          # PostgreSQL, boards spread over two workers
    fengqiao bench events --via notify             # PostgreSQL: the change comes from this process
    fengqiao bench events --boards 8 --load 30 --samples 300 --json

Like `fengqiao bench intake`, it builds a demo station in a throwaway data directory (and
on PostgreSQL a throwaway database), serves it with `fengqiao serve` on a free port, logs
`--boards` browsers' worth of sessions in as the demo's commander and opens
`GET /events/` (Server-Sent Events) for each, as the command board does. Then, one
sample at a time, it makes a change that publishes an event and waits until every board
has received it:

- `--via api` (default): `POST /api/v1/calls`; the server records the call and, in the
  same transaction, publishes an `incident` event (`call` for a repeat call) (so this measures the server's own
  path: on SQLite the process's bus, on PostgreSQL NOTIFY → each worker's listener).
- `--via notify` (PostgreSQL only): this process commits a transaction that publishes,
  as the ticker or the demo would from outside the server.

The change is a function (`MeasurePublish`: no arguments, returns a `Change`), so other
paths — the dispatch API — plug in the same way.

A change's commit lies between the moment its request was sent and the moment its
answer came back (both on this process's monotonic clock), so for each board the
benchmark reports the delay from the request (an upper bound of commit → board; the
target, p95 under 1 s, is checked on it) and from the answer (a lower bound; negative
when the event overtook the answer). Closest to commit → board is the delay from the
event's own `at`, stamped by `publish()` just before the commit, to its arrival, read on
the machine's clock (the server runs on this machine; millisecond steps). `--load` adds background
calls per second (each also an event to every board). A board that has not received a
sample's event within 5 s counts it as lost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import queue
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from fengqiao.bench.intake import USERNAME, CallMaker, machine, percentile, throwaway_station

HELP = "live events: delay from a committed change to its arrival at boards connected to GET /events/ (p50/p95)"

DEFAULT_SAMPLES = 200
DEFAULT_INTERVAL = 0.05
DEFAULT_BOARDS = 4
DEFAULT_WARMUP = 10
WAIT_SECONDS = 5.0
TARGET_P95_MS = 1000.0
EVENTS_PATH = "/events/"


# --- a logged-in browser's worth of HTTP -------------------------------------------------------


def login(host: str, port: int, username: str, password: str, *, timeout: float = 30.0) -> str:
    """Log in through the login page as a browser does; the Cookie header of the session."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", "/accounts/login/")
        page = connection.getresponse()
        body = page.read().decode()
        cookies = SimpleCookie()
        for header in page.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if page.status != 200 or found is None or "csrftoken" not in cookies:
            raise ValueError(f"the login page answered {page.status} without a CSRF token")
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": found.group(1)})
        connection.request("POST", "/accounts/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        })
        answer = connection.getresponse()
        answer.read()
        for header in answer.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        if answer.status != 302 or "sessionid" not in cookies:
            raise ValueError(f"logging in as {username} failed ({answer.status})")
        return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
    finally:
        connection.close()


@dataclass(frozen=True)
class Arrival:
    """One event as a board received it: `at` on this process's monotonic clock, `wall`
    on the machine's clock (which the event's own `at`, stamped where it was published,
    also reads when the server runs on this machine)."""

    at: float
    wall: float
    kind: str
    data: dict[str, Any]

    @property
    def since_published(self) -> float | None:
        """Seconds from the event's `publish()` (just before its commit) to its arrival."""
        stamp = self.data.get("at")
        if not isinstance(stamp, str):
            return None
        return self.wall - dt.datetime.fromisoformat(stamp).timestamp()


class SseClient:
    """One board: `GET /events/` read line by line on a thread of its own; every event
    goes to `arrivals` with the moment it was complete."""

    def __init__(self, host: str, port: int, cookie: str, *, path: str = EVENTS_PATH, timeout: float = 40.0) -> None:
        self.host, self.port, self.cookie, self.path, self.timeout = host, port, cookie, path, timeout
        self.arrivals: queue.Queue[Arrival] = queue.Queue()
        self.status = 0
        self.headers: dict[str, str] = {}
        self.error: BaseException | None = None
        self.heartbeats = 0
        self._connection: http.client.HTTPConnection | None = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._closing = False

    def start(self) -> SseClient:
        self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self._connection.request("GET", self.path, headers={"Accept": "text/event-stream", "Cookie": self.cookie})
        # Kept: a response that ends with the connection (no length, no chunks: WSGI)
        # takes the socket over, and the connection forgets it.
        self._socket = self._connection.sock
        response = self._connection.getresponse()
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        if response.status != 200 or not self.headers.get("content-type", "").startswith("text/event-stream"):
            body = response.read(500)
            self.close()
            raise ValueError(f"{self.path} answered {response.status} {self.headers.get('content-type')}: {body!r}")
        self._thread = threading.Thread(target=self._read, args=(response,), name="sse-board", daemon=True)
        self._thread.start()
        return self

    def _read(self, response: http.client.HTTPResponse) -> None:
        kind = "message"
        data: list[bytes] = []
        try:
            while True:
                line = response.readline()
                if not line:
                    return
                line = line.rstrip(b"\r\n")
                if not line:
                    if data:
                        self.arrivals.put(Arrival(time.monotonic(), time.time(), kind, json.loads(b"\n".join(data))))
                    kind, data = "message", []
                elif line.startswith(b":"):
                    self.heartbeats += 1
                elif line.startswith(b"event:"):
                    kind = line[6:].strip().decode()
                elif line.startswith(b"data:"):
                    data.append(line[5:].strip())
        except (OSError, http.client.HTTPException, ValueError) as error:
            if not self._closing:
                self.error = error

    def next(self, timeout: float) -> Arrival | None:
        try:
            return self.arrivals.get(timeout=timeout)
        except queue.Empty:
            return None

    def wait_for(self, matches: Callable[[str, dict[str, Any]], bool], timeout: float) -> Arrival | None:
        """The first arrival that `matches` (kind, data) within `timeout`; others are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            arrival = self.next(remaining)
            if arrival is not None and matches(arrival.kind, arrival.data):
                return arrival

    def close(self) -> None:
        """Hang up: the reader sees the end of the stream and stops, then the connection goes."""
        self._closing = True
        connection = self._connection
        if self._socket is not None:
            with suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if connection is not None:
            connection.close()


# --- the changes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A change made: when it was asked for, when it was known committed, and how to
    recognise its event."""

    sent: float
    done: float
    matches: Callable[[str, dict[str, Any]], bool]


MeasurePublish = Callable[[], Change]


_making = threading.Lock()


class CallPublisher:
    """`POST /api/v1/calls` on a keep-alive connection: one new call, one event (`incident`,
    or `call` when it joined an open incident)."""

    def __init__(self, host: str, port: int, token: str, maker: CallMaker) -> None:
        self.host, self.port, self.token, self.maker = host, port, token, maker
        self.connection = http.client.HTTPConnection(host, port, timeout=30)

    def __call__(self) -> Change:
        with _making:  # one maker may serve several publishers' threads
            key, body = self.maker.next()
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key, "Content-Type": "application/json"}
        sent = time.monotonic()
        self.connection.request("POST", "/api/v1/calls", body=body, headers=headers)
        response = self.connection.getresponse()
        answer = response.read()
        done = time.monotonic()
        if response.status != 201:
            raise ValueError(f"POST /api/v1/calls answered {response.status}: {answer[:300]!r}")
        receipt = json.loads(answer)
        call_id, incident_id = receipt["call_id"], receipt["incident_id"]

        def matches(kind: str, data: dict[str, Any]) -> bool:
            # A new incident, or a call joined to an open one as a repeat.
            if kind not in ("incident", "call"):
                return False
            if data.get("call") is not None:
                return bool(data["call"] == call_id)
            return bool(data.get("incident") == incident_id)

        return Change(sent, done, matches)

    def close(self) -> None:
        self.connection.close()


class NotifyPublisher:
    """A transaction of this process that publishes, committed on the server's database
    (PostgreSQL): what the ticker or the demo does from outside the server."""

    def __init__(self, database_url: str, station_id: int) -> None:
        import psycopg

        self.station_id = station_id
        self.connection = psycopg.connect(database_url)
        self.count = 0
        self.run = uuid.uuid4().int % 1_000_000 * 1_000_000

    def __call__(self) -> Change:
        from fengqiao.core.events import CHANNEL, make_event

        self.count += 1
        mark = self.run + self.count
        event = make_event(self.station_id, "bench", incident=mark, state="measured")
        sent = time.monotonic()
        with self.connection.transaction():
            self.connection.execute("SELECT pg_notify(%s, %s)", [CHANNEL, event.payload])
        done = time.monotonic()
        return Change(sent, done, lambda kind, data: kind == "bench" and data.get("incident") == mark)

    def close(self) -> None:
        self.connection.close()


class BackgroundCalls:
    """`rate` calls per second through the API, from SENDERS threads (each call takes a
    while), until stopped."""

    SENDERS = 4

    def __init__(self, host: str, port: int, token: str, rate: float, maker: CallMaker) -> None:
        self.publishers = [CallPublisher(host, port, token, maker) for _ in range(self.SENDERS)]
        self.rate = rate
        self.sent = 0
        self.failed = 0
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(publisher, index), name="bench-load", daemon=True)
            for index, publisher in enumerate(self.publishers)
        ]
        self._started = 0.0

    def start(self) -> BackgroundCalls:
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def _run(self, publisher: CallPublisher, index: int) -> None:
        every = self.SENDERS / self.rate
        due = self._started + index * every / self.SENDERS
        while not self._stop.wait(max(0.0, due - time.monotonic())):
            try:
                publisher()
                with self._lock:
                    self.sent += 1
            except (OSError, http.client.HTTPException, ValueError):
                with self._lock:
                    self.failed += 1
                publisher.close()
            due += every

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self.seconds = time.monotonic() - self._started
        for publisher in self.publishers:
            publisher.close()


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Samples:
    """Delays in seconds, one per (sample, board) that arrived."""

    from_request: list[float] = field(default_factory=list)
    from_answer: list[float] = field(default_factory=list)
    from_publish: list[float] = field(default_factory=list)
    request: list[float] = field(default_factory=list)
    lost: int = 0


def measure(publish: MeasurePublish, boards: list[SseClient], *, samples: int, interval: float,
            wait: float = WAIT_SECONDS) -> Samples:
    """Make `samples` changes one after another, each after every board had the last."""
    seen = Samples()
    for _ in range(samples):
        change = publish()
        seen.request.append(change.done - change.sent)
        for board in boards:
            arrival = board.wait_for(change.matches, max(0.0, change.sent + wait - time.monotonic()))
            if arrival is None:
                seen.lost += 1
                continue
            seen.from_request.append(arrival.at - change.sent)
            seen.from_answer.append(arrival.at - change.done)
            since = arrival.since_published
            if since is not None:
                seen.from_publish.append(since)
        if interval:
            time.sleep(interval)
    return seen


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(percentile(ordered, 50) * 1000, 2),
        "p95": round(percentile(ordered, 95) * 1000, 2),
        "p99": round(percentile(ordered, 99) * 1000, 2),
        "max": round((ordered[-1] if ordered else 0.0) * 1000, 2),
    }


def _health(host: str, port: int) -> str:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", "/api/v1/health")
        return str(json.loads(connection.getresponse().read()).get("database", ""))
    finally:
        connection.close()


def run(
    *, samples: int = DEFAULT_SAMPLES, interval: float = DEFAULT_INTERVAL, boards: int = DEFAULT_BOARDS,
    workers: int = 1, load: float = 0.0, via: str = "api", warmup: int = DEFAULT_WARMUP, seed: int = 1,
    data_parent: str | None = None, keep: bool = False,
    publisher: Callable[[Any, int], MeasurePublish] | None = None,
) -> dict[str, Any]:
    """Measure on a throwaway demo station and return the figures. `publisher(station,
    station_id)` may supply the change to measure instead of `via`."""
    from django.conf import settings

    postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if via == "notify" and not postgres:
        raise ValueError("--via notify needs PostgreSQL (FENGQIAO_DB=postgres): on SQLite events stay in their process")
    if workers > 1 and not postgres:
        raise ValueError("on SQLite events stay in the process that made them: use --workers 1")
    figures: dict[str, Any] = {"benchmark": "events", "via": via if publisher is None else "custom"}
    with throwaway_station(workers=workers, seed=seed, parent=data_parent, keep=keep) as station, ExitStack() as stack:
        host, port = "127.0.0.1", station.port
        figures["database"] = _health(host, port)
        figures["server"] = {"url": station.url, "workers": workers, "data_dir": str(station.data_dir),
                             "database_name": station.database_name, "kept": keep}
        figures["machine"] = machine(station.data_dir)
        clients = []
        for _ in range(boards):
            cookie = login(host, port, USERNAME, settings.FENGQIAO_DEMO_PASSWORD)
            client = SseClient(host, port, cookie).start()
            stack.callback(client.close)
            clients.append(client)
        hellos = [client.wait_for(lambda kind, _data: kind == "hello", WAIT_SECONDS) for client in clients]
        if any(hello is None for hello in hellos):
            raise ValueError("a board did not receive its hello")
        station_id = hellos[0].data["stations"][0]  # type: ignore[union-attr]
        maker = CallMaker(seed)
        if publisher is not None:
            publish = publisher(station, station_id)
        elif via == "notify":
            publish = NotifyPublisher(station.env["DATABASE_URL"], station_id)
        else:
            publish = CallPublisher(host, port, station.token, maker)
        closer = getattr(publish, "close", None)
        if closer is not None:
            stack.callback(closer)
        first = measure(publish, clients, samples=1, interval=0.0)
        if first.lost:
            raise ValueError(
                "no event reached the boards within 5 s of the first change: does the change publish one?"
            )
        measure(publish, clients, samples=max(0, warmup - 1), interval=interval)
        background = BackgroundCalls(host, port, station.token, load, maker).start() if load > 0 else None
        try:
            started = time.monotonic()
            seen = measure(publish, clients, samples=samples, interval=interval)
            elapsed = time.monotonic() - started
        finally:
            if background is not None:
                background.stop()
        figures.update({
            "boards": boards, "samples": samples, "interval_s": interval, "seconds": round(elapsed, 2),
            "background": {
                "rate": load, "sent": background.sent if background else 0,
                "failed": background.failed if background else 0,
                "per_second": round(background.sent / background.seconds, 1) if background and background.seconds else 0.0,
            },
            "arrivals": len(seen.from_request), "lost": seen.lost,
            "from_publish_ms": _summary(seen.from_publish),
            "from_request_ms": _summary(seen.from_request),
            "from_answer_ms": _summary(seen.from_answer),
            "request_ms": _summary(seen.request),
            "board_errors": [repr(client.error) for client in clients if client.error is not None],
        })
    p95 = figures["from_request_ms"]["p95"]
    figures["targets"] = {"p95_ms_below": TARGET_P95_MS, "met": p95 < TARGET_P95_MS and figures["lost"] == 0}
    return figures


# --- the command's side ---------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help=f"changes measured (default {DEFAULT_SAMPLES})")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL,
                        help=f"pause in seconds after each change (default {DEFAULT_INTERVAL:g})")
    parser.add_argument("--boards", type=int, default=DEFAULT_BOARDS, help=f"connected boards (default {DEFAULT_BOARDS})")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1; PostgreSQL for more)")
    parser.add_argument("--load", type=float, default=0.0, help="background calls per second meanwhile (default 0)")
    parser.add_argument("--via", choices=("api", "notify"), default="api",
                        help="the change: POST /api/v1/calls (default) or, on PostgreSQL, a transaction of this process")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, help=f"changes not counted (default {DEFAULT_WARMUP})")
    parser.add_argument("--seed", type=int, default=1, help="seed of the demo and of the calls (default 1)")
    parser.add_argument("--data-dir", default=None, help="where to make the throwaway data directory")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory and database")


def run_from_options(options: dict[str, Any]) -> dict[str, Any]:
    if options["samples"] < 1 or options["boards"] < 1 or options["workers"] < 1:
        raise ValueError("--samples, --boards and --workers must be at least 1")
    if options["interval"] < 0 or options["load"] < 0 or options["warmup"] < 1:
        raise ValueError("--interval and --load cannot be negative; --warmup must be at least 1")
    return run(
        samples=options["samples"], interval=options["interval"], boards=options["boards"], workers=options["workers"],
        load=options["load"], via=options["via"], warmup=options["warmup"], seed=options["seed"],
        data_parent=options["data_dir"], keep=options["keep"],
    )


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    box, server, background = figures["machine"], figures["server"], figures["background"]

    def latency(summary: dict[str, float]) -> str:
        return f"p50 {summary['p50']:.1f} ms, p95 {summary['p95']:.1f} ms, p99 {summary['p99']:.1f} ms, max {summary['max']:.1f} ms"

    met = "met" if figures["targets"]["met"] else "missed"
    rows = [
        ("machine", f"{box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), load {box['load_average']}"),
        ("database", figures["database"] + (f" on {box['data_filesystem']}" if box.get("data_filesystem") else "")),
        ("server", f"{server['url']} (fengqiao serve --workers {server['workers']})"),
        ("change", {"api": "POST /api/v1/calls (published by the server)",
                    "notify": "a transaction of another process (pg_notify)"}.get(figures["via"], figures["via"])),
        ("boards × samples", f"{figures['boards']} × {figures['samples']} in {figures['seconds']:.1f} s: "
                             f"{figures['arrivals']} arrivals, {figures['lost']} lost"),
        ("background", f"{background['rate']:g} calls/s asked, {background['per_second']:g} sent "
                       f"({background['sent']} calls, {background['failed']} failed)"),
        ("publish → board", latency(figures["from_publish_ms"]) + "  (the event's own time stamp, 1 ms steps)"),
        ("request → board", latency(figures["from_request_ms"])
         + f"  (target p95 < {figures['targets']['p95_ms_below']:g} ms, none lost: {met})"),
        ("answer → board", latency(figures["from_answer_ms"]) + "  (negative: the event came first)"),
        ("the change itself", latency(figures["request_ms"])),
    ]
    if figures["board_errors"]:
        rows.append(("board errors", "; ".join(figures["board_errors"])))
    if server.get("kept"):
        rows.append(("kept", f"{server['data_dir']} {server['database_name']}".strip()))
    return rows
