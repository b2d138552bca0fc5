"""The live-event bus and its Server-Sent-Events stream (`GET /events/`).

What a board may rely on: an event leaves only when its transaction commits, reaches the
boards of its station and no other, never waits for a slow board, and — on PostgreSQL —
arrives from any process. The last tests run a real `fengqiao serve` in a subprocess.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client

from fengqiao.bench.events import SseClient, login
from fengqiao.core import events
from fengqiao.core.handler import PooledThreadsASGIHandler
from fengqiao.core.testing import PASSWORD
from fengqiao.organisation.models import Station

POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
postgres_only = pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only (LISTEN/NOTIFY); on SQLite events stay in their process")
REPO = Path(__file__).resolve().parents[3]


class Undone(Exception):
    """Raised to roll a transaction back."""


@pytest.fixture(autouse=True)
def _no_listener_left() -> Iterator[None]:
    """A listener thread holds a connection to the test database, which could then not
    be dropped at the end of the session."""
    yield
    events.stop_listener()


def committed(station_id: int, kind: str = "incident", **fields: Any) -> None:
    with transaction.atomic():
        events.publish(station_id, kind, **fields)


def in_own_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run on a thread of its own: Playwright's tests leave a loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as runner:
        return runner.submit(asyncio.run, coroutine).result(timeout=60)


# --- the events themselves -----------------------------------------------------------------


def test_an_event_carries_ids_and_a_state_code_and_nothing_else() -> None:
    event = events.make_event(4, "dispatch", incident=812, dispatch=95, officer=31, state="acknowledged")
    data = event.data
    assert {key: data[key] for key in ("station", "kind", "incident", "dispatch", "officer", "state")} == {
        "station": 4, "kind": "dispatch", "incident": 812, "dispatch": 95, "officer": 31, "state": "acknowledged",
    }
    assert data["id"] and data["at"].endswith("+00:00")
    assert event.frame() == b"event: dispatch\ndata: " + event.payload.encode() + b"\n\n"
    assert events.make_event(4, "incident").data["id"] != events.make_event(4, "incident").data["id"]


@pytest.mark.parametrize(("kind", "fields", "error"), [
    ("incident", {"caller_phone": 13812345678}, TypeError),  # no personal data, not even by mistake
    ("incident", {"summary": "邻居吵架"}, TypeError),
    ("incident", {"incident": "812"}, TypeError),
    ("incident", {"incident": True}, TypeError),
    ("incident", {"state": "张三到场"}, ValueError),
    ("incident", {"state": "x\ndata: forged"}, ValueError),
    ("Incident", {}, ValueError),
    ("incident\nevent: hello", {}, ValueError),
    ("hello", {}, ValueError),  # the stream's own kinds
    ("resync", {}, ValueError),
])
def test_an_event_refuses_anything_but_ids_a_state_and_a_plain_kind(kind: str, fields: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        events.make_event(4, kind, **fields)


def test_an_event_belongs_to_a_station_given_by_its_id() -> None:
    with pytest.raises(TypeError):
        events.make_event("4", "incident")  # type: ignore[arg-type]


# --- the bus of one process ----------------------------------------------------------------


def test_a_board_hears_only_the_stations_it_subscribed_to() -> None:
    bus = events.LocalBus()
    nanping, haitangxi, bureau = bus.subscribe([1]), bus.subscribe([2]), bus.subscribe([1, 2])
    bus.deliver(events.make_event(2, "incident", incident=20))
    bus.deliver(events.make_event(1, "incident", incident=10))
    assert [e.data["incident"] for e in _drain(nanping)] == [10]
    assert [e.data["incident"] for e in _drain(haitangxi)] == [20]
    assert [e.data["incident"] for e in _drain(bureau)] == [20, 10]


def test_a_slow_board_loses_its_oldest_events_is_told_to_refresh_and_holds_nobody_up() -> None:
    bus = events.LocalBus()
    slow = bus.subscribe([1], maxsize=4)
    keeping_up = bus.subscribe([1], maxsize=1000)

    def publish_all() -> None:
        for number in range(500):
            bus.deliver(events.make_event(1, "incident", incident=number))

    # Nobody waits for the slow board: delivery never blocks on its full queue (the thread
    # guards against a hang; it is not a speed target — those are benchmarks).
    publisher = threading.Thread(target=publish_all, daemon=True)
    publisher.start()
    publisher.join(timeout=60)
    assert not publisher.is_alive()
    seen = _drain(slow)
    assert seen[0].kind == events.RESYNC
    assert [e.data["incident"] for e in seen[1:]] == [496, 497, 498, 499]
    assert slow.dropped == 496
    assert [e.data["incident"] for e in _drain(keeping_up)] == list(range(500))


def test_a_subscription_nobody_holds_any_more_is_forgotten() -> None:
    bus = events.LocalBus()
    held = bus.subscribe([1])
    bus.subscribe([1])  # dropped at once, e.g. a response that was never sent
    gc.collect()
    assert bus.subscriber_count() == 1
    held.close()
    assert bus.subscriber_count() == 0
    assert bus.deliver(events.make_event(1, "incident")) == 0


def test_a_payload_that_is_not_an_event_is_dropped() -> None:
    bus = events.LocalBus()
    board = bus.subscribe([1])
    assert bus.deliver_payload("not json") == 0
    assert bus.deliver_payload('{"station": "1", "kind": "incident"}') == 0
    assert bus.deliver_payload(events.make_event(1, "incident", incident=3).payload) == 1
    assert [e.data["incident"] for e in _drain(board)] == [3]


def test_a_board_on_an_event_loop_is_woken_by_an_event_from_another_thread() -> None:
    bus = events.LocalBus()
    board = bus.subscribe([1])

    async def scenario() -> tuple[Any, ...]:
        loop = asyncio.get_running_loop()
        quiet = await board.aget(timeout=0.05)
        threading.Timer(0.1, lambda: bus.deliver(events.make_event(1, "incident", incident=5))).start()
        started = loop.time()
        event = await board.aget(timeout=5)
        waited = loop.time() - started
        threading.Timer(0.1, board.close).start()
        after_close = await board.aget(timeout=5)
        return quiet, event, waited, after_close, loop.time() - started

    quiet, event, waited, after_close, total = in_own_loop(scenario())
    assert quiet is None
    assert event.data["incident"] == 5 and waited < 1.0
    assert after_close is None and total < 2.0  # closing woke the waiting reader


# --- publishing within transactions (SQLite: on commit; PostgreSQL: NOTIFY) --------------------


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_reaches_its_stations_boards_only_after_the_commit(station_a: Station) -> None:
    with events.subscribe([station_a.pk]) as board:
        with transaction.atomic():
            events.publish(station_a.pk, "dispatch", incident=12, dispatch=3, officer=7, state="acknowledged")
            assert board.get(timeout=0.3) is None
        event = board.get(timeout=5)
    assert event is not None and event.kind == "dispatch"
    assert (event.data["incident"], event.data["dispatch"], event.data["officer"]) == (12, 3, 7)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_never_announced(station_a: Station) -> None:
    with events.subscribe([station_a.pk]) as board:
        with suppress(Undone), transaction.atomic():
            events.publish(station_a.pk, "incident", incident=1, state="triaged")
            raise Undone
        with transaction.atomic():
            with suppress(Undone), transaction.atomic():  # a savepoint, rolled back
                events.publish(station_a.pk, "incident", incident=2, state="triaged")
                raise Undone
            events.publish(station_a.pk, "incident", incident=3, state="triaged")
        # Events keep their order, so 1 or 2 would have come before 3.
        first = board.get(timeout=5)
        assert first is not None and first.data["incident"] == 3
        assert board.get(timeout=0.3) is None


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_event_leaves_at_once(station_a: Station) -> None:
    with events.subscribe([station_a.pk]) as board:
        events.publish(station_a.pk, "officer", officer=31, state="on_duty")
        event = board.get(timeout=5)
    assert event is not None and event.data["officer"] == 31


@pytest.mark.django_db(transaction=True)
def test_a_board_of_one_station_never_hears_of_another(station_a: Station, station_b: Station) -> None:
    with events.subscribe([station_a.pk]) as nanping:
        committed(station_b.pk, incident=20)
        committed(station_a.pk, incident=10)
        first = nanping.get(timeout=5)
        assert first is not None and first.data["incident"] == 10
        assert nanping.get(timeout=0.3) is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_process_reaches_the_boards_of_this_one(station_a: Station, tmp_path: Path) -> None:
    with events.subscribe([station_a.pk]) as board:
        elsewhere(tmp_path, f"""
from django.db import transaction
from fengqiao.core import events

class Undone(Exception):
    pass

try:
    with transaction.atomic():
        events.publish({station_a.pk}, "incident", incident=1, state="triaged")
        raise Undone
except Undone:
    pass
with transaction.atomic():
    events.publish({station_a.pk}, "deadline", incident=2, state="alert")
""")
        event = board.get(timeout=10)
        assert event is not None and (event.kind, event.data["incident"], event.data["state"]) == ("deadline", 2, "alert")
        assert board.get(timeout=0.3) is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_listener_comes_back_when_its_connection_is_cut_and_boards_are_told_to_refresh(station_a: Station) -> None:
    with events.subscribe([station_a.pk]) as board:
        first_pid = events.listener.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first_pid])
        resync = board.get(timeout=10)
        assert resync is not None and resync.kind == events.RESYNC
        assert events.listener.backend_pid != first_pid
        committed(station_a.pk, incident=7)
        event = board.get(timeout=5)
        assert event is not None and event.data["incident"] == 7


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_listener_lets_go_of_its_connection_soon_after_the_last_board(station_a: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "LISTEN_GRACE", 0.0)
    with events.subscribe([station_a.pk]):
        assert events.listener.is_listening()
    deadline = time.monotonic() + 5
    while events.listener.is_listening() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not events.listener.is_listening()
    with events.subscribe([station_a.pk]) as board:  # and listens again for the next one
        committed(station_a.pk, incident=8)
        event = board.get(timeout=5)
        assert event is not None and event.data["incident"] == 8


# --- GET /events/ under WSGI (the test client) and ASGI (the server's handler) -----------------


@pytest.mark.django_db(transaction=True)
def test_the_board_stream_says_hello_then_sends_its_stations_events(client: Client, zhang_wei: Any, station_a: Station) -> None:
    client.force_login(zhang_wei)
    before = events.bus.subscriber_count()
    response = client.get("/events/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache" and response["X-Accel-Buffering"] == "no"
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    try:
        hello = next(chunks)
        assert hello.startswith(b"retry: 2000\nevent: hello\ndata: ")
        assert json.loads(hello.split(b"data: ", 1)[1])["stations"] == [station_a.pk]
        assert events.bus.subscriber_count() == before + 1
        committed(station_a.pk, "incident", incident=9, state="dispatched")
        frame = next(chunks)
        assert frame.startswith(b"event: incident\ndata: ")
        assert json.loads(frame.split(b"data: ", 1)[1])["incident"] == 9
    finally:
        response.close()
    assert events.bus.subscriber_count() == before


@pytest.mark.django_db(transaction=True)
def test_the_board_of_another_station_hears_nothing_of_this_one(client: Client, wang_qiang: Any, station_a: Station, station_b: Station) -> None:
    client.force_login(wang_qiang)
    response = client.get("/events/")
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    try:
        next(chunks)  # hello
        committed(station_a.pk, incident=10)
        committed(station_b.pk, incident=20)
        frame = next(chunks)
        assert json.loads(frame.split(b"data: ", 1)[1])["incident"] == 20
    finally:
        response.close()


# Closing a streaming response fires request_finished, which closes the database
# connection: the tests that do are transactional, so that it simply opens again.
@pytest.mark.django_db(transaction=True)
def test_a_bureau_analyst_may_narrow_the_stream_to_one_station_but_a_commander_not_to_another(
    client: Client, zhou_jie: Any, wang_qiang: Any, station_a: Station, station_b: Station,
) -> None:
    client.force_login(zhou_jie)
    both = client.get("/events/")
    one = client.get(f"/events/?station={station_b.pk}")
    try:
        stations_of = [json.loads(next(iter(r.streaming_content)).split(b"data: ", 1)[1])["stations"] for r in (both, one)]  # type: ignore[attr-defined]
    finally:
        both.close()
        one.close()
    assert stations_of == [sorted([station_a.pk, station_b.pk]), [station_b.pk]]
    client.force_login(wang_qiang)
    assert client.get(f"/events/?station={station_a.pk}").status_code == 404
    assert client.get("/events/?station=nanping").status_code == 404


@pytest.mark.django_db
def test_nobody_logged_out_gets_a_stream(client: Client) -> None:
    response = client.get("/events/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/events/")


@pytest.mark.django_db
def test_the_stream_is_read_only(client: Client, zhang_wei: Any) -> None:
    client.force_login(zhang_wei)
    assert client.post("/events/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_stream_sends_each_event_as_it_comes_and_ends_when_the_board_goes(
    client: Client, zhang_wei: Any, station_a: Station,
) -> None:
    client.force_login(zhang_wei)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    before = events.bus.subscriber_count()
    app = PooledThreadsASGIHandler(threads=1)

    def publish_and_close() -> None:
        try:
            committed(station_a.pk, "incident", incident=11, state="triaged")
        finally:
            connections.close_all()

    async def scenario() -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        gone = asyncio.Event()
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            await sent.put(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": "/events/", "raw_path": b"/events/", "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie.encode())],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        }
        serving = asyncio.create_task(app(scope, receive, send))
        seen = [await asyncio.wait_for(sent.get(), 10), await asyncio.wait_for(sent.get(), 10)]  # start, hello
        await loop.run_in_executor(None, publish_and_close)
        seen.append(await asyncio.wait_for(sent.get(), 5))
        gone.set()
        await asyncio.wait_for(serving, 10)
        return seen

    try:
        start, hello, event = in_own_loop(scenario())
    finally:
        app.executor.submit(connections.close_all).result(timeout=10)
        app.executor.shutdown()
    assert start["status"] == 200
    assert dict(start["headers"])[b"Content-Type"] == b"text/event-stream; charset=utf-8"
    assert hello["more_body"] and b"event: hello" in hello["body"]
    assert event["body"].startswith(b"event: incident\ndata: ")
    assert events.bus.subscriber_count() == before  # the board went, and so did its subscription


@pytest.mark.django_db(transaction=True)
def test_on_the_live_test_server_a_board_gets_each_event_as_it_comes(live_server: Any, zhang_wei: Any, station_a: Station) -> None:
    """The browser tests' server (threaded WSGI): the stream must not be buffered there."""
    parts = urlsplit(live_server.url)
    host, port = parts.hostname or "localhost", parts.port or 80
    board = SseClient(host, port, login(host, port, "zhangwei", PASSWORD)).start()
    try:
        hello = board.wait_for(lambda kind, _data: kind == "hello", 10)
        assert hello is not None and hello.data["stations"] == [station_a.pk]
        committed(station_a.pk, incident=13, state="triaged")
        arrival = board.wait_for(lambda kind, data: kind == "incident" and data["incident"] == 13, 5)
    finally:
        board.close()
    assert arrival is not None


# --- a real server --------------------------------------------------------------------------------


SETUP_SCRIPT = """
import json
from django.contrib.auth.models import Group
from django.core.management import call_command
from fengqiao.accounts.models import User
from fengqiao.accounts.services import do_create_token
from fengqiao.organisation.models import Bureau, Officer, Station, Team

call_command("migrate", interactive=False, verbosity=0)
bureau = Bureau.objects.create(name="南岸分局", code="NA")
station = Station.objects.create(bureau=bureau, name="南坪派出所", code="NP", address="南岸区南坪西路 18 号",
                                 population=100_000, area_km2="2.90", latitude=29.530, longitude=106.560)
room = Team.objects.create(station=station, kind=Team.Kind.COMMAND, name="南坪综合指挥室")
user = User.objects.create_user(username="zhangwei", password=PASSWORD)
user.groups.add(Group.objects.get(name="commander"))
Officer.objects.create(user=user, station=station, team=room, name="张伟", badge_number="050101")
print(json.dumps({"station": station.pk, "token": do_create_token(user, name="events test")[1]}))
"""


def _url_with(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(_url_with(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as admin:
        admin.execute(statement)


def _environment(data_dir: Path, database: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("FENGQIAO_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="fengqiao.settings", FENGQIAO_DATA_DIR=str(data_dir),
               FENGQIAO_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    if POSTGRES:
        env.update(FENGQIAO_DB="postgres", DATABASE_URL=_url_with(os.environ["DATABASE_URL"], database))
    else:
        env.update(FENGQIAO_DB="sqlite", FENGQIAO_DB_PATH=str(data_dir / "fengqiao.sqlite3"))
    return env


def elsewhere(tmp_path: Path, code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` in another Python process with Django set up (by default on the test
    database); its last line of output."""
    if env is None:
        env = _environment(tmp_path / "elsewhere", str(connection.settings_dict["NAME"]))
    script = f"import django\ndjango.setup()\nPASSWORD = {PASSWORD!r}\n{code}"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


class RealServer:
    def __init__(self, port: int, process: subprocess.Popen[bytes], env: dict[str, str], station: int, token: str,
                 log: Path) -> None:
        self.port, self.process, self.env, self.station, self.token, self.log = port, process, env, station, token, log

    def board(self) -> SseClient:
        client = SseClient("127.0.0.1", self.port, login("127.0.0.1", self.port, "zhangwei", PASSWORD)).start()
        hello = client.wait_for(lambda kind, _data: kind == "hello", 10)
        assert hello is not None and hello.data["stations"] == [self.station]
        return client


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    """`fengqiao serve --workers 2` on a database of its own (a SQLite file, or a
    PostgreSQL database made and dropped here) with one station and its commander."""
    from fengqiao.bench.intake import free_port

    directory = tmp_path_factory.mktemp("events-server")
    database = f"test_fengqiao_events_{uuid.uuid4().hex[:8]}"
    env = _environment(directory, database)
    if POSTGRES:
        _admin_sql(f'CREATE DATABASE "{database}"')
    process = None
    try:
        made = json.loads(elsewhere(directory, SETUP_SCRIPT, env))
        port = free_port()
        log = directory / "server.log"
        workers = "2" if POSTGRES else "1"  # on SQLite events stay in their process
        # No DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process, and a
        # worker spawned by uvicorn must start without it (fengqiao.asgi warms its caches
        # on a thread of its own).
        env = {name: value for name, value in env.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "fengqiao.cli", "serve", "--port", str(port), "--workers", workers],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        _wait_ready(port, process, log)
        yield RealServer(port, process, env, made["station"], made["token"], log)
    finally:
        if process is not None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        if POSTGRES:
            _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        with suppress(OSError, http.client.HTTPException):
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/api/v1/health")
            if probe.getresponse().status == 200:
                probe.close()
                return
            probe.close()
        time.sleep(0.1)
    raise AssertionError(f"the server was not ready:\n{log.read_text(errors='replace')[-3000:]}")


def test_the_real_server_streams_hello_at_once_and_sends_anonymous_people_to_log_in(real_server: RealServer) -> None:
    import http.client

    anonymous = http.client.HTTPConnection("127.0.0.1", real_server.port, timeout=10)
    anonymous.request("GET", "/events/")
    answer = anonymous.getresponse()
    assert answer.status == 302 and answer.getheader("Location", "").startswith("/accounts/login/")
    anonymous.close()
    board = real_server.board()  # hello arrived while the response goes on: streamed, not buffered
    try:
        assert board.headers["cache-control"] == "no-cache"
        assert board.error is None
    finally:
        board.close()


@postgres_only
def test_boards_on_every_worker_of_the_real_server_hear_a_change_committed_by_another_process(
    real_server: RealServer, tmp_path: Path,
) -> None:
    boards = [real_server.board() for _ in range(4)]  # two workers: some boards on each, most likely
    try:
        committed_at = float(elsewhere(tmp_path, f"""
import time
from django.db import transaction
from fengqiao.core import events
with transaction.atomic():
    events.publish({real_server.station}, "dispatch", incident=5, dispatch=6, officer=7, state="dispatched")
print(time.monotonic())
""", real_server.env))
        arrivals = [board.wait_for(lambda kind, data: kind == "dispatch" and data["dispatch"] == 6, 10) for board in boards]
    finally:
        for board in boards:
            board.close()
    assert all(arrival is not None for arrival in arrivals)
    # Both sides read the machine's one monotonic clock (CLOCK_MONOTONIC).
    assert max(arrival.at for arrival in arrivals if arrival) - committed_at < 1.0


def test_a_board_on_the_real_server_hears_a_call_the_server_received(real_server: RealServer) -> None:
    from fengqiao.bench.events import CallPublisher
    from fengqiao.bench.intake import CallMaker

    board = real_server.board()
    publish = CallPublisher("127.0.0.1", real_server.port, real_server.token, CallMaker())
    try:
        change = publish()
        arrival = board.wait_for(change.matches, 10)
    finally:
        publish.close()
        board.close()
    assert arrival is not None and arrival.at - change.sent < 1.0


def _drain(subscription: events.Subscription) -> list[events.Event]:
    seen = []
    while (event := subscription.get_nowait()) is not None:
        seen.append(event)
    return seen
