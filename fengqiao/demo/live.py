"""The live feed of the demo: new calls posted to a running server so the command room moves.

`run_feed` draws calls with the same generator as the demo's past (`history.CallGenerator`)
at the station's pace, and posts them through ``POST /api/v1/calls`` like the 110 feed
does (a token, one Idempotency-Key per call, retries with the same key). Some loud
events get a second caller a minute or two later, so duplicate suggestions appear too.
Used by `fengqiao simulate` and `fengqiao demo --live`.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.accounts.services import do_create_token, do_revoke_token
from fengqiao.organisation.models import Officer, Station

from . import history
from .feed import Answer, FeedClient, FeedError, gap_seconds
from .selectors import station_picture

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_RATE = 30.0  # calls per hour on an average hour
TOKEN_NAME = "demo live feed"
WHY = "the live feed finds the station of its account"
# 110 calls that come with a position from the network (cell or GPS), off by a few tens of metres.
POSITION_SHARE = 0.6
ECHO_DAMPING = 0.5  # live echoes are rarer than in the past: one demo room, one operator


class LiveFeedError(RuntimeError):
    """The live feed cannot start (unknown account, no station, no addresses)."""


@dataclass
class FeedOptions:
    url: str = DEFAULT_URL
    username: str = "commander"
    station_code: str = ""
    token: str = ""
    rate: float = DEFAULT_RATE
    speed: float = 1.0
    count: int | None = None
    seed: int | None = None
    retries: int = 5


def account_station(username: str, station_code: str = "") -> tuple[User, Station]:
    """The feed's account and the station it posts for (its own, or the one named)."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise LiveFeedError(f"no active account {username!r}; run `fengqiao demo` first or pass --user")
    if station_code:
        station = Station.objects.unscoped(WHY).filter(code=station_code).first()
        if station is None:
            raise LiveFeedError(f"no station {station_code!r}")
        return user, station
    officer = Officer.objects.unscoped(WHY).filter(user=user).select_related("station").first()
    if officer is None:
        raise LiveFeedError(f"{username!r} is not an officer of a station; pass --station CODE")
    return user, officer.station


def call_body(drawn: history.DrawnCall, station_code: str, rng: random.Random) -> dict[str, Any]:
    """The JSON the 110 feed sends for one drawn call."""
    body: dict[str, Any] = {
        "source": drawn.source, "text": drawn.text, "address": drawn.address_text,
        "caller_name": drawn.caller_name, "caller_phone": drawn.caller_phone,
        "station": station_code,
    }
    if drawn.sensor_kind:
        body["sensor_kind"] = drawn.sensor_kind
        body["lat"], body["lon"] = drawn.address.latitude, drawn.address.longitude
    elif drawn.source == "feed_110":
        body["external_id"] = f"110{timezone.localdate():%Y%m%d}{station_code}-{uuid.uuid4().hex[:10]}"
        if rng.random() < POSITION_SHARE:
            # ~0.0003° is about 30 m here.
            body["lat"] = round(drawn.address.latitude + rng.uniform(-0.0003, 0.0003), 6)
            body["lon"] = round(drawn.address.longitude + rng.uniform(-0.0003, 0.0003), 6)
    return body


def describe(answer: Answer, body: dict[str, Any]) -> str:
    """One line for the console: time, number, category, route, priority, place, words."""
    receipt = answer.receipt
    suggestion = receipt.get("suggestion") or {}
    replay = " (replayed)" if answer.status == 200 else ""
    retried = f" after {answer.attempts} attempts" if answer.attempts > 1 else ""
    return (
        f"{timezone.localtime():%H:%M:%S}  {receipt.get('incident_number', '?')}  "
        f"{suggestion.get('category_label') or receipt.get('category', '?')}  "
        f"route {receipt.get('route', '?')}, priority {receipt.get('priority', '?')}  "
        f"{body.get('address', '')}  {str(body.get('text', ''))[:40]}{replay}{retried}"
    )


def run_feed(
    options: FeedOptions, *, write: Callable[[str], None] = print, stop: threading.Event | None = None,
    client: FeedClient | None = None,
) -> list[Answer]:
    """Post calls until `options.count` are in or `stop` is set; returns the answers.

    Without `options.token` a token is made for the account and revoked at the end.
    """
    stop = stop or threading.Event()
    user, station = account_station(options.username, options.station_code)
    picture = station_picture(station)
    if not picture.addresses:
        raise LiveFeedError(f"station {station.code} has no standard addresses with a beat and a position")
    seed = options.seed if options.seed is not None else time.time_ns()
    generator = history.CallGenerator(seed, picture.station, picture.beats, picture.addresses, picture.categories)
    rng = random.Random(f"{seed}:live")
    token_row = None
    token = options.token
    if not token:
        token_row, token = do_create_token(user, name=TOKEN_NAME)
    answers: list[Answer] = []
    try:
        client = client or FeedClient(options.url, token, retries=options.retries, sleep=stop.wait)
        if not client.wait_until_healthy(seconds=30, stop=stop.is_set):
            if stop.is_set():
                return answers
            raise LiveFeedError(f"no Fengqiao answers at {options.url}; start it with `fengqiao serve`")
        write(f"Feeding calls for {station.name} ({station.code}) as {user.get_username()} to {options.url} "
              f"at ~{options.rate:g} an hour × {options.speed:g} (Ctrl-C to stop).")
        _feed(options, generator, station.code, client, rng, answers, write, stop)
    finally:
        if token_row is not None:
            do_revoke_token(token_row, reason="the live feed stopped")
    return answers


def run_feed_in_thread(options: FeedOptions, *, write: Callable[[str], None], stop: threading.Event) -> threading.Thread:
    """`run_feed` in a daemon thread (for `fengqiao demo --live`, beside the server)."""

    def feed() -> None:
        try:
            run_feed(options, write=write, stop=stop)
        except (LiveFeedError, FeedError) as error:
            write(f"The live feed stopped: {error}")
        finally:
            connection.close()

    thread = threading.Thread(target=feed, name="fengqiao-live-feed", daemon=True)
    thread.start()
    return thread


def _feed(
    options: FeedOptions, generator: history.CallGenerator, station_code: str, client: FeedClient,
    rng: random.Random, answers: list[Answer], write: Callable[[str], None], stop: threading.Event,
) -> None:
    echoes: list[tuple[float, int, history.DrawnCall]] = []  # (due, order, call)
    order = itertools.count()
    next_call = time.monotonic()
    while not stop.is_set() and (options.count is None or len(answers) < options.count):
        due_echo = echoes[0][0] if echoes else None
        if due_echo is not None and due_echo <= next_call:
            wait, (_due, _order, drawn) = due_echo - time.monotonic(), heapq.heappop(echoes)
        else:
            wait = next_call - time.monotonic()
            now = timezone.localtime()
            drawn = generator.draw(now.replace(tzinfo=None))
            next_call += gap_seconds(options.rate, now.hour, options.speed, rng)
            if rng.random() < history.ECHOING.get(drawn.category, 0.0) * ECHO_DAMPING:
                later = time.monotonic() + rng.uniform(40, 180) / max(options.speed, 0.001)
                heapq.heappush(echoes, (later, next(order), generator.echo(drawn)))
        if wait > 0 and stop.wait(wait):
            return
        body = call_body(drawn, station_code, rng)
        try:
            answer = client.post_call(body, key=f"demo-live-{station_code}-{uuid.uuid4()}")
        except FeedError as error:
            if stop.is_set():
                return
            write(f"call not received: {error}")
            if error.status is None or error.status in (401, 403):
                return  # the server is gone, or will not take calls from this account
            continue
        answers.append(answer)
        write(describe(answer, body))
