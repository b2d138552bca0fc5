"""The live-event bus: small notices that something of a station changed, for open boards.

An event is an invalidation notice, never the data itself and never personal data::

    {"id": "3f2a9c1e-17", "station": 4, "kind": "dispatch", "incident": 812, "dispatch": 95,
     "officer": 31, "state": "acknowledged", "at": "2026-11-30T08:15:02.113+00:00"}

A board that receives one fetches its server-rendered fragments again; so an event that
is lost costs nothing as long as every (re)connection starts with a refresh too (the
stream's first event, `hello`), and a subscriber that fell behind is told to refresh
(`resync`) instead of being sent what it missed.

Writers call `publish(station_id, kind, **ids)` inside the transaction of their change.
The event leaves only if, and once, that transaction commits:

- SQLite (and any backend but PostgreSQL): `transaction.on_commit` hands it to this
  process's `bus`, which passes it to the subscribers of that station. Other processes
  do not hear it: with SQLite, boards are served by the one server process.
- PostgreSQL: `SELECT pg_notify('fengqiao_events', …)` on the transaction's own
  connection. NOTIFY is transactional (sent at commit, dropped on rollback, also for a
  rolled-back savepoint), and every process that listens receives it: each server
  process runs one listener thread (started with its first subscriber, stopped a few
  seconds after its last) with a connection of its own that `LISTEN`s and hands what
  arrives to the process's `bus`. So a change made by any process — a server worker, the
  ticker, the demo, a management command — reaches the boards connected to every worker.
  The publishing process hears its own events the same way: one path for all.

Outside a transaction (autocommit) the event leaves at once, by the same path.

Subscribers (`subscribe(stations)`) are read from a thread (`Subscription.get`) or from
an event loop (`await Subscription.aget`); each has a bounded queue, and when it is full
the oldest event is dropped and the subscriber gets a `resync` first — a slow reader
never holds up a writer. A subscription lasts while it is held: `close()` it (or drop it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import logging
import re
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)

CHANNEL = "fengqiao_events"
# The ids an event may carry besides its station; anything else is refused, so that no
# personal data ever travels through a channel every process (and a proxy) can read.
ID_FIELDS = ("incident", "dispatch", "officer", "call", "followup", "case", "transfer", "support", "campaign")
# Kinds the bus itself sends; writers may not use them.
HELLO = "hello"
RESYNC = "resync"
_RESERVED_KINDS = frozenset({HELLO, RESYNC})
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
_STATE = re.compile(r"[A-Za-z0-9_.:-]{0,40}")

DEFAULT_QUEUE_SIZE = 256
# Listener: how often it looks up from the connection (to stop, or to find it broken),
# how long it stays with no subscriber, how long a subscriber waits for it to listen.
LISTEN_TICK = 1.0
LISTEN_PING = 30.0
LISTEN_GRACE = 3.0
LISTEN_WAIT = 2.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 15.0

# Ids are unique across processes (a process's random prefix) and ordered within one.
_PROCESS = uuid.uuid4().hex[:8]
_sequence = itertools.count(1)


class Event:
    """One notice as it travels: its station and kind for routing, its JSON for the wire."""

    __slots__ = ("station", "kind", "payload", "_frame")

    def __init__(self, station: int | None, kind: str, payload: str) -> None:
        self.station = station  # None: for every subscriber (hello, resync)
        self.kind = kind
        self.payload = payload
        self._frame: bytes | None = None

    @property
    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.payload)
        return loaded

    def frame(self) -> bytes:
        """The event as the text/event-stream sends it (worked out once, for every board)."""
        if self._frame is None:
            self._frame = f"event: {self.kind}\ndata: {self.payload}\n\n".encode()
        return self._frame

    def __repr__(self) -> str:
        return f"Event({self.kind!r}, station={self.station}, {self.payload})"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _next_id() -> str:
    return f"{_PROCESS}-{next(_sequence)}"


def make_event(station_id: int, kind: str, **fields: Any) -> Event:
    """The event `publish` sends; refuses unknown fields, non-integer ids and odd kinds."""
    if isinstance(station_id, bool) or not isinstance(station_id, int):
        raise TypeError(f"station_id must be an int, not {station_id!r}")
    if not _KIND.fullmatch(kind) or kind in _RESERVED_KINDS:
        raise ValueError(f"not a kind of event: {kind!r}")
    state = fields.pop("state", "")
    if not isinstance(state, str) or not _STATE.fullmatch(state):
        raise ValueError(f"state must be a short code, not {state!r}")
    unknown = set(fields) - set(ID_FIELDS)
    if unknown:
        raise TypeError(f"events carry ids only ({', '.join(ID_FIELDS)}) and a state; not {sorted(unknown)}")
    data: dict[str, Any] = {"id": _next_id(), "station": station_id, "kind": kind,
                            "incident": None, "dispatch": None, "officer": None}
    for name, value in fields.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{name} must be an id (int) or None, not {value!r}")
        data[name] = value
    data["state"] = state
    data["at"] = _now()
    return Event(station_id, kind, json.dumps(data, separators=(",", ":")))


def bus_event(kind: str, **data: Any) -> Event:
    """An event the bus or the stream sends by itself (hello, resync), for everyone."""
    body = {"id": _next_id(), "kind": kind, **data, "at": _now()}
    return Event(None, kind, json.dumps(body, separators=(",", ":")))


# --- subscribers and the bus of this process ---------------------------------------------


class Subscription:
    """The events of some stations for one reader, in a bounded queue.

    Fed from any thread (`offer`); read either from a thread (`get`) or from one event
    loop (`aget`), which is woken with `call_soon_threadsafe`. When the queue is full the
    oldest event goes, and the next read answers `resync` before the rest.
    """

    def __init__(self, bus: LocalBus, stations: frozenset[int], maxsize: int) -> None:
        self.stations = stations
        self.maxsize = maxsize
        self.dropped = 0  # events lost to a full queue, over the subscription's life
        self.closed = False
        self._bus = bus
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._events: deque[Event] = deque()
        self._must_resync = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._wake_pending = False

    def offer(self, event: Event) -> None:
        """Queue `event` (never blocks); called by the bus from whichever thread publishes."""
        with self._lock:
            if self.closed:
                return
            if len(self._events) >= self.maxsize:
                self._events.popleft()
                self.dropped += 1
                self._must_resync = True
            self._events.append(event)
            self._arrived.notify()
            loop = self._loop
            wake = loop is not None and not self._wake_pending
            if wake:
                self._wake_pending = True
        if wake:
            assert loop is not None
            try:
                loop.call_soon_threadsafe(self._wake)
            except RuntimeError:  # the loop has closed: nobody reads this any more
                self.close()

    def _take(self) -> Event | None:
        """The next event, or None; with the lock held."""
        if self._must_resync:
            self._must_resync = False
            return bus_event(RESYNC, reason="fell behind")
        return self._events.popleft() if self._events else None

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, waiting up to `timeout` seconds; None when none came."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while True:
                event = self._take()
                if event is not None or self.closed:
                    return event
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._arrived.wait(remaining)

    def get_nowait(self) -> Event | None:
        with self._lock:
            return self._take()

    async def aget(self, timeout: float | None = None) -> Event | None:
        """`get` for the event loop this is awaited on (always the same loop)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            with self._lock:
                if self._loop is None:
                    self._loop, self._wakeup = loop, asyncio.Event()
                elif self._loop is not loop:
                    raise RuntimeError("a subscription is read from one event loop only")
                event = self._take()
                if event is not None or self.closed:
                    return event
                assert self._wakeup is not None
                # Cleared before the lock goes: an offer after this schedules a wake-up
                # that can only run once this coroutine waits.
                self._wakeup.clear()
                wakeup = self._wakeup
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return None
            try:
                async with asyncio.timeout(remaining):
                    await wakeup.wait()
            except TimeoutError:
                return None

    def _wake(self) -> None:
        with self._lock:
            self._wake_pending = False
            wakeup = self._wakeup
        if wakeup is not None:
            wakeup.set()

    def pending(self) -> int:
        with self._lock:
            return len(self._events)

    def close(self) -> None:
        """Stop receiving; a reader waiting in `get`/`aget` returns None."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self._arrived.notify_all()
            loop = self._loop
        self._bus.unsubscribe(self)
        if loop is not None:
            with suppress(RuntimeError):  # the loop has closed already
                loop.call_soon_threadsafe(self._wake)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalBus:
    """The subscribers of this process, by station. Thread-safe.

    Subscriptions are held weakly: one whose reader went away without closing it (a
    response that was never sent) disappears with it instead of filling up for ever.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_station: dict[int, weakref.WeakSet[Subscription]] = {}
        self._everyone: weakref.WeakSet[Subscription] = weakref.WeakSet()

    def subscribe(self, stations: Iterable[int], *, maxsize: int = DEFAULT_QUEUE_SIZE) -> Subscription:
        subscription = Subscription(self, frozenset(stations), maxsize)
        with self._lock:
            self._everyone.add(subscription)
            for station in subscription.stations:
                self._by_station.setdefault(station, weakref.WeakSet()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._everyone.discard(subscription)
            for station in subscription.stations:
                subscribers = self._by_station.get(station)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._by_station[station]

    def deliver(self, event: Event) -> int:
        """Offer `event` to the subscribers of its station (of every station when it has
        none); how many were offered it."""
        with self._lock:
            if event.station is None:
                subscribers = list(self._everyone)
            else:
                subscribers = list(self._by_station.get(event.station, ()))
        for subscription in subscribers:
            subscription.offer(event)
        return len(subscribers)

    def deliver_payload(self, payload: str) -> int:
        """`deliver` an event as it came over the wire (a NOTIFY's payload)."""
        try:
            data = json.loads(payload)
            station, kind = data["station"], data["kind"]
        except (ValueError, KeyError, TypeError):
            logger.warning("live event dropped, not an event: %.200s", payload)
            return 0
        if not isinstance(station, int) or not isinstance(kind, str) or not _KIND.fullmatch(kind):
            logger.warning("live event dropped, no station or kind: %.200s", payload)
            return 0
        return self.deliver(Event(station, kind, payload))

    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._everyone)


bus = LocalBus()


# --- publishing ---------------------------------------------------------------------------


def _is_postgres(using: str = DEFAULT_DB_ALIAS) -> bool:
    return bool(connections[using].vendor == "postgresql")


def publish(station_id: int, kind: str, **fields: Any) -> None:
    """Announce that something of `station_id` changed, once the current transaction
    commits (at once outside one). `fields`: the ids concerned (`incident=`, `dispatch=`,
    `officer=`, `call=`, `followup=`) and a short `state` code. Costs no query on SQLite
    and one small `pg_notify` on PostgreSQL."""
    event = make_event(station_id, kind, **fields)
    if _is_postgres():
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, event.payload])
    else:
        transaction.on_commit(lambda: bus.deliver(event), robust=True)


# --- the PostgreSQL listener of this process -------------------------------------------------


def _listener_params() -> dict[str, Any]:
    """How to connect: Django's own parameters for the default database, without the parts
    that only Django's cursors use."""
    params = dict(connections[DEFAULT_DB_ALIAS].get_connection_params())
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    params.setdefault("application_name", "fengqiao events")
    params.setdefault("connect_timeout", 5)
    return params


class Listener:
    """The one thread of this process that LISTENs and hands what arrives to `bus`.

    Started by `ensure()` (which `subscribe` calls); it keeps its own autocommit
    connection, reconnects with growing pauses when that breaks (and then tells every
    subscriber to `resync`, since notices may have been missed meanwhile), and stops
    LISTEN_GRACE seconds after the last subscriber has gone, so that an idle process
    holds no connection.
    """

    def __init__(self, bus: LocalBus) -> None:
        self.bus = bus
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._listening = threading.Event()
        self.connects = 0  # successful connections, over the process's life
        self.backend_pid = 0  # the server process of the current connection

    def ensure(self, timeout: float = LISTEN_WAIT) -> bool:
        """Start the thread unless it runs; wait up to `timeout` until it listens."""
        with self._lock:
            if self._thread is None:
                self._stop, self._listening = threading.Event(), threading.Event()
                self._thread = threading.Thread(
                    target=self._run, args=(_listener_params(), self._stop, self._listening),
                    name="fengqiao-events-listener", daemon=True,
                )
                self._thread.start()
            listening = self._listening
        return listening.wait(timeout)

    def is_listening(self) -> bool:
        with self._lock:
            return self._thread is not None and self._listening.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread now and close its connection (tests, before the test database
        is dropped). A later subscriber starts a new one."""
        with self._lock:
            thread, stop = self._thread, self._stop
            self._thread = None
        stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self, params: dict[str, Any], stop: threading.Event, listening: threading.Event) -> None:
        import psycopg

        backoff = BACKOFF_FIRST
        missed = False  # events may have been lost: a connection broke or never came
        try:
            while not stop.is_set():
                try:
                    with psycopg.connect(**params, autocommit=True) as conn:
                        conn.execute(f"LISTEN {CHANNEL}")
                        self.connects += 1
                        self.backend_pid = conn.info.backend_pid
                        listening.set()
                        if missed:
                            self.bus.deliver(bus_event(RESYNC, reason="listener reconnected"))
                            missed = False
                        backoff = BACKOFF_FIRST
                        self._listen(conn, stop)
                        return  # told to stop, or nobody listens any more
                except (psycopg.Error, OSError) as error:
                    logger.warning("live events: listener connection failed (%s); again in %.1f s", error, backoff)
                except Exception:  # a bug must not end live updates for good
                    logger.exception("live events: listener failed; again in %.1f s", backoff)
                listening.clear()
                missed = True
                stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        finally:
            listening.clear()
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None

    def _listen(self, conn: Any, stop: threading.Event) -> None:
        """Hand notices to the bus until told to stop, or idle long enough (the thread
        forgotten under the lock first, so that `ensure` starts a new one); raises when
        the connection breaks."""
        quiet = 0.0
        idle_since: float | None = None
        while not stop.is_set():
            heard = False
            for notice in conn.notifies(timeout=LISTEN_TICK):
                heard = True
                self.bus.deliver_payload(notice.payload)
            if self.bus.subscriber_count() == 0:
                now = time.monotonic()
                idle_since = idle_since or now
                if now - idle_since >= LISTEN_GRACE:
                    with self._lock:
                        # Checked again under the lock `ensure` takes: a subscriber that
                        # arrives now either keeps this thread or starts the next one.
                        if self.bus.subscriber_count() == 0 and self._thread is threading.current_thread():
                            self._thread = None
                            return
            else:
                idle_since = None
            quiet = 0.0 if heard else quiet + LISTEN_TICK
            if quiet >= LISTEN_PING:  # a silent connection may be a dead one: find out
                conn.execute("SELECT 1")
                quiet = 0.0


listener = Listener(bus)


def subscribe(stations: Iterable[int], *, maxsize: int = DEFAULT_QUEUE_SIZE, wait: float = LISTEN_WAIT) -> Subscription:
    """A subscription to the events of `stations` in this process. On PostgreSQL this
    also makes sure the process listens, waiting up to `wait` seconds the first time (so
    call it from a thread, not from an event loop); if the database cannot be reached the
    subscription still works and receives a `resync` once the listener has connected."""
    subscription = bus.subscribe(stations, maxsize=maxsize)
    if _is_postgres() and not listener.ensure(wait):
        logger.warning("live events: not listening yet after %.1f s", wait)
    return subscription


def close_all(wait: float = 5.0) -> None:
    """End every stream of this process (tests, after their browsers closed: a stream
    notices a gone browser only at its next heartbeat) and stop the listener."""
    for subscription in list(bus._everyone):
        subscription.close()
    deadline = time.monotonic() + wait
    while bus.subscriber_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop_listener()


def stop_listener(timeout: float = 5.0) -> None:
    """Stop this process's listener thread, if any (see `Listener.stop`)."""
    listener.stop(timeout)
