"""The server's ASGI handler: requests answered on a fixed set of threads, each in its own context."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings

from fengqiao.core.handler import PooledThreadsASGIHandler


async def _get(app: PooledThreadsASGIHandler, path: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    headers = [(b"host", b"127.0.0.1")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # the client stays until the answer is sent
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def test_requests_are_answered_on_the_pool_each_in_the_language_it_chose() -> None:
    app = PooledThreadsASGIHandler(threads=2)

    async def run() -> list[tuple[int, dict[str, str], bytes]]:
        english = f"{settings.LANGUAGE_COOKIE_NAME}=en"
        return [
            await _get(app, "/api/v1/openapi.json", cookie=english),
            await _get(app, "/api/v1/openapi.json"),
            *await asyncio.gather(*[_get(app, "/api/v1/openapi.json") for _ in range(6)]),
        ]

    # In a thread of its own: Playwright's tests leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as runner:
        answers = runner.submit(asyncio.run, run()).result(timeout=60)
    assert all(status == 200 for status, _headers, _body in answers)
    assert b'"openapi"' in answers[0][2]
    # The first asked for English; the next ones, without the cookie, get the default.
    assert answers[0][1]["content-language"] == "en"
    assert {headers["content-language"] for _status, headers, _body in answers[1:]} == {settings.LANGUAGE_CODE}
    assert len(app.executor._threads) <= 2
    app.executor.shutdown()
