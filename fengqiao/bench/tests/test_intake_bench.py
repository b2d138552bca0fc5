"""The intake benchmark's own parts: the calls it sends, its HTTP client and its sums.

The benchmark itself is run by hand (`fengqiao bench intake`); these check that what it
reports is counted right, against a tiny HTTP server in the test's own event loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from fengqiao.bench.intake import CallMaker, Target, closed_loop, open_loop, percentile, report_rows
from fengqiao.intake.api import CallIn


def test_every_call_has_its_own_key_and_external_id_and_is_a_valid_feed_call() -> None:
    maker = CallMaker(run_id="t")
    calls = [maker.next() for _ in range(300)]
    keys = {key for key, _ in calls}
    bodies = [json.loads(body) for _, body in calls]
    assert len(keys) == 300
    assert len({body["external_id"] for body in bodies}) == 300
    for body in bodies:
        CallIn.model_validate(body)  # what the API accepts
    assert any("lat" in body for body in bodies) and any("lat" not in body for body in bodies)


def test_percentiles_are_nearest_rank() -> None:
    ordered = [float(n) for n in range(1, 101)]
    assert percentile(ordered, 50) == 50.0
    assert percentile(ordered, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


def _run(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event
    loop running in the main thread for the whole session."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


async def _serve(statuses: list[int]) -> tuple[asyncio.Server, int, list[bytes]]:
    """An HTTP/1.1 keep-alive server answering with `statuses` in turn (then 200)."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                seen.append(head + await reader.readexactly(length))
                status = statuses.pop(0) if statuses else 200
                body = b'{"status": "ok", "database": "sqlite"}'
                writer.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], seen


def test_the_closed_loop_counts_answers_and_errors() -> None:
    async def scenario() -> dict:
        server, port, seen = await _serve([500, 503])
        async with server:
            target = Target("127.0.0.1", port, token="fq_x")
            figures = await closed_loop(target, target.health_request, concurrency=3, seconds=0.3)
        assert len(seen) == figures["requests"]
        return figures

    figures = _run(scenario())
    assert figures["errors"] == 2
    assert figures["ok"] == figures["requests"] - 2 > 10
    assert figures["statuses"]["500"] == 1 and figures["statuses"]["503"] == 1
    assert figures["per_second"] > 0


def test_the_open_loop_sends_at_the_rate_with_the_feed_headers() -> None:
    maker = CallMaker(run_id="o")

    async def scenario() -> tuple[dict, list[bytes]]:
        server, port, seen = await _serve([])
        async with server:
            target = Target("127.0.0.1", port, token="fq_secret")
            figures = await open_loop(target, lambda: target.call_request(*maker.next()), rate=40, seconds=0.5)
        return figures, seen

    figures, seen = _run(scenario())
    assert figures["ok"] == 20 and figures["errors"] == 0
    assert all(b"Authorization: Bearer fq_secret" in request and b"Idempotency-Key: bench-o-" in request for request in seen)
    assert len({request.split(b"Idempotency-Key: ")[1].split(b"\r\n")[0] for request in seen}) == 20


def test_the_report_names_the_machine_the_database_and_the_targets() -> None:
    phase = {"per_second": 100.0, "ok": 1000, "errors": 0, "concurrency": 8, "seconds": 10.0, "first_error": "",
             "latency_ms": {"p50": 5.0, "p95": 9.0, "p99": 12.0, "max": 20.0}}
    figures = {
        "machine": {"cpu": "AMD EPYC", "cores": 2, "usable_cores": 2, "load_average": [0.1, 0.1, 0.1],
                    "data_filesystem": "ext4"},
        "server": {"url": "http://127.0.0.1:1", "command": "fengqiao serve --workers 1"},
        "database": "sqlite", "health": phase, "intake": {**phase, "per_second": 60.0},
        "paced": {**phase, "rate": 50.0, "connections": 3}, "ratio": 0.6, "client_cpu_seconds": 1.0,
        "targets": {"ratio_at_least": 0.5, "ratio_met": True, "p99_ms_below": 100.0, "p99_at_rate": 50.0, "p99_met": True},
    }
    rows = dict(report_rows(figures))
    assert "AMD EPYC, 2 cores" in rows["machine"]
    assert rows["database"] == "sqlite on ext4"
    assert rows["intake / health"].startswith("0.60") and "met" in rows["intake / health"]
