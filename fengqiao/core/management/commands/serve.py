"""`fengqiao serve`: run the station on the ASGI server (uvicorn)."""

from __future__ import annotations

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Fengqiao over HTTP with uvicorn (ASGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
        parser.add_argument("--no-ticker", action="store_true",
                            help="do not watch deadlines in this process (run `fengqiao tick` instead)")

    def handle(self, *args: Any, host: str, port: int, workers: int, no_ticker: bool = False, **options: Any) -> None:
        if host not in settings.ALLOWED_HOSTS and host not in ("0.0.0.0", "::"):  # noqa: S104
            self.stderr.write(f"note: {host} is not in FENGQIAO_ALLOWED_HOSTS; requests to it will be refused")
        self.stdout.write(f"Fengqiao at http://{host}:{port}/  (Ctrl-C to stop)")
        if not no_ticker:
            from fengqiao.dispatch import ticker

            # One ticker beside the server, so deadlines are raised with nothing else to start.
            ticker.start_in_thread()
        uvicorn.run(
            "fengqiao.asgi:application", host=host, port=port, workers=workers,
            log_level="info", access_log=False, lifespan="off",
        )
