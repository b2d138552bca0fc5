"""A deliberately broken server, to show that the crash-safety test can fail.

`POST /api/v1/calls` is answered 201 at once — before anything is written — and the
real application records the call afterwards, in the background, one call at a time.
That is the bug the feed must never have: a server killed while calls wait in its
queue has acknowledged calls it never committed. Every other request goes to the real
application unchanged (the health check, for the harness).

    python -m uvicorn tests.crash.broken_asgi:application --port 8001 --lifespan off
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")

from fengqiao.asgi import application as real_application  # noqa: E402

Scope = dict[str, Any]
Message = dict[str, Any]

_queue: asyncio.Queue[tuple[Scope, bytes]] | None = None
_worker: asyncio.Task[None] | None = None


async def application(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/api/v1/calls":
        await real_application(scope, receive, send)
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    answer = json.dumps({"call_id": None, "queued": True}).encode()
    await send({
        "type": "http.response.start", "status": 201,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())],
    })
    await send({"type": "http.response.body", "body": answer})
    _queue_for_later().put_nowait((scope, body))


def _queue_for_later() -> asyncio.Queue[tuple[Scope, bytes]]:
    global _queue, _worker
    if _queue is None:
        _queue = asyncio.Queue()
        _worker = asyncio.get_running_loop().create_task(_record_queued_calls(_queue))
    return _queue


async def _record_queued_calls(queue: asyncio.Queue[tuple[Scope, bytes]]) -> None:
    while True:
        scope, body = await queue.get()
        await real_application(scope, _replayed(body), _discard)


def _replayed(body: bytes) -> Any:
    """The request's body once; after that, a client that never hangs up."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    return receive


async def _discard(message: Message) -> None:
    return None
