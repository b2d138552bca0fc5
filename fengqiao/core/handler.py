"""The ASGI handler `fengqiao serve` runs: Django's, with each request's work on a fixed
set of threads that keep their database connection.

Django's own ASGIHandler runs the sync parts of a request (our middleware and views are
all sync) in a thread made for that request, and hops between that thread and the event
loop around each middleware that is not sync-only. Django's database connections belong
to a thread, so every request opened a new one: on SQLite that is the file opened and
set up, the schema parsed again and the page cache cold, about 6 ms of CPU per request
that touches a table — more than a received call's own work once that was trimmed.

Here the middleware chain and the view run in one call on a thread of a fixed pool; the
thread keeps its connection between requests (`CONN_MAX_AGE`; on PostgreSQL the pool
hands connections back after each request instead). Each request runs in a copy of the
event loop's context, so context variables (the language, the audit's acting user) do
not leak from one request to the next. The event loop still reads the request, sends
the response (streaming ones too) and notices a client that went away.
"""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponseBase


class PooledThreadsASGIHandler(ASGIHandler):
    def __init__(self, threads: int) -> None:
        base.BaseHandler.__init__(self)
        # The sync chain, as under WSGI: no hop between middleware and view.
        self.load_middleware(is_async=False)
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fengqiao-request")

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, context.run, self._respond, request)

    def _respond(self, request: HttpRequest) -> Any:
        # What request_started and request_finished do for a thread under WSGI: drop a
        # connection that broke or outlived CONN_MAX_AGE, and reset transaction state.
        close_old_connections()
        try:
            return self.get_response(request)
        finally:
            close_old_connections()
