"""`fengqiao tick`: raise deadline warnings and breaches (run beside the server in production)."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.dispatch import services, ticker


class Command(BaseCommand):
    help = ("Watch every open order, incident, follow-up and loop; record each deadline warning and breach once; "
            "send new transfers to the departments' systems; remind officers of campaigns due.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="tick once and stop")
        parser.add_argument("--every", type=float, default=ticker.DEFAULT_EVERY, help="seconds between ticks (default 10)")

    def handle(self, *args: Any, once: bool, every: float, **options: Any) -> None:
        if once:
            report = services.tick()
            ticker.send_transfers()  # what `serve`'s ticker thread does after each tick
            self.stdout.write(f"{report.warnings} warnings, {report.alerts} breaches")
            return
        self.stdout.write(f"ticking every {every:g} s (Ctrl-C to stop)")
        stop = threading.Event()
        try:
            ticker.run(stop, every=every)
        except KeyboardInterrupt:
            stop.set()
