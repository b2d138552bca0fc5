"""`GET /events/`: the live events of the stations a person may see, as Server-Sent Events.

The board opens `new EventSource("/events/")` (optionally `?station=ID`, repeatable, to
narrow to stations the person may see; another station answers 404) and, on every event,
fetches its fragments again. The stream:

    retry: 2000
    event: hello
    data: {"id": …, "kind": "hello", "stations": [4], "at": …}

    event: dispatch
    data: {"id": …, "station": 4, "kind": "dispatch", "incident": 812, …}

    : ping

`hello` comes first on every (re)connection — refresh then, whatever happened while
disconnected; `resync` means events were lost — refresh too. A comment every
HEARTBEAT_SECONDS keeps proxies from closing a quiet stream. After STREAM_SECONDS (plus
a little jitter, so that boards do not all come back at once) the stream ends and the
browser reconnects after `retry` milliseconds: a server that shuts down waits for open
responses, and is never held up longer than that.

Under ASGI (`fengqiao serve`) the view runs on a request thread and the event loop then
sends the response, so the stream is an async iterator that holds no thread while it
waits. Under WSGI (the Django test client, the live test server of the browser tests)
it is a plain iterator that waits on a thread-safe queue; an async one there would make
Django read the whole endless stream before sending a byte.

A person who is not logged in is sent to the login page like on any other page; for
an EventSource that is a failed connection (not `text/event-stream`), which the board
answers by reloading itself, and so reaches the login page.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Iterator

from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from fengqiao.organisation.selectors import station_ids_for

from . import events

HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 120.0
STREAM_JITTER_SECONDS = 20.0
RETRY_MILLISECONDS = 2000
HEARTBEAT = b": ping\n\n"
BATCH = 64  # events sent in one write when several are waiting


class _Stream:
    """What a board reads: `hello`, then its stations' events and heartbeats, until its time is up."""

    def __init__(self, subscription: events.Subscription, stations: frozenset[int], *,
                 heartbeat: float = HEARTBEAT_SECONDS, lifetime: float = STREAM_SECONDS) -> None:
        self.subscription = subscription
        self.stations = stations
        self.heartbeat = heartbeat
        self.lifetime = lifetime

    def opening(self) -> bytes:
        hello = events.bus_event(events.HELLO, stations=sorted(self.stations))
        return f"retry: {RETRY_MILLISECONDS}\n".encode() + hello.frame()

    def more(self, first: events.Event) -> bytes:
        """`first` and whatever else is waiting already, as one write."""
        frames = [first.frame()]
        while len(frames) < BATCH:
            event = self.subscription.get_nowait()
            if event is None:
                break
            frames.append(event.frame())
        return b"".join(frames)

    def close(self) -> None:
        """Called by Django when the response is done with (or the client went away)."""
        self.subscription.close()


class SyncStream(_Stream):
    def __iter__(self) -> Iterator[bytes]:
        try:
            yield self.opening()
            _release_database_connections()
            now = time.monotonic()
            end, beat = now + self.lifetime, now + self.heartbeat
            while now < end and not self.subscription.closed:
                if now >= beat:
                    yield HEARTBEAT
                    beat = now + self.heartbeat
                event = self.subscription.get(timeout=max(0.0, min(end, beat) - now))
                if event is not None:
                    yield self.more(event)
                now = time.monotonic()
        finally:
            self.close()


class AsyncStream(_Stream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            yield self.opening()
            now = time.monotonic()
            end, beat = now + self.lifetime, now + self.heartbeat
            while now < end and not self.subscription.closed:
                if now >= beat:
                    yield HEARTBEAT
                    beat = now + self.heartbeat
                event = await self.subscription.aget(timeout=max(0.0, min(end, beat) - now))
                if event is not None:
                    yield self.more(event)
                now = time.monotonic()
        finally:
            self.close()


def _release_database_connections() -> None:
    """A thread that now waits for minutes has no use for its database connection: give
    it back (unless a transaction holds it, as in a test), so that an open board does
    not keep one — and the test database can be dropped while a board's thread still
    waits to notice that its browser has gone."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def _stations(request: HttpRequest) -> frozenset[int]:
    allowed = station_ids_for(request.user)
    asked = request.GET.getlist("station")
    if not asked:
        return allowed
    try:
        chosen = frozenset(int(value) for value in asked)
    except ValueError:
        raise Http404 from None
    if not chosen <= allowed:
        raise Http404
    return chosen


@require_GET
@login_required
def event_stream(request: HttpRequest) -> StreamingHttpResponse:
    """The live events of the stations the person may see (see the module's docstring)."""
    stations = _stations(request)
    # Subscribed before the response leaves, so that nothing committed after the
    # board's hello-refresh is missed (on PostgreSQL this waits for the listener).
    subscription = events.subscribe(stations)
    lifetime = STREAM_SECONDS + random.uniform(0, STREAM_JITTER_SECONDS)
    kind = AsyncStream if isinstance(request, ASGIRequest) else SyncStream
    response = StreamingHttpResponse(
        kind(subscription, stations, lifetime=lifetime), content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
