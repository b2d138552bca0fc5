"""`fengqiao simulate`: feed new calls to a running Fengqiao through its API, at a realistic pace.

    fengqiao serve &                          # in another terminal
    fengqiao simulate                         # ~30 calls an hour, shaped by the hour of day
    fengqiao simulate --speed 60 --count 20   # a busy hour in a minute, then stop
    fengqiao simulate --user commander2       # calls for 海棠溪 instead of 南坪
    fengqiao simulate --no-officers           # only the calls: nobody dispatches or works them

The calls are drawn like the demo's past (same places, callers and words) and posted to
POST /api/v1/calls with a token of the account (made for the run and revoked after it,
unless --token is given), one Idempotency-Key per call, retried with the same key when the
connection fails. Meanwhile simulated officers (those who log in with their badge number)
are dispatched and work their orders through the API, so the command board moves. The command needs the server's database (it reads the station's
addresses and makes the token there).
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.demo.feed import FeedError
from fengqiao.demo.live import DEFAULT_RATE, DEFAULT_URL, FeedOptions, LiveFeedError, run_feed
from fengqiao.demo.officers import CrewOptions, run_crew_in_thread


def add_pace_arguments(parser: CommandParser) -> None:
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, metavar="PER_HOUR",
                        help=f"calls an hour on an average hour, shaped by the hour of day (default {DEFAULT_RATE:g})")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="run the clock this many times faster (default 1: real time)")


class Command(BaseCommand):
    help = "Feed new calls to a running Fengqiao through POST /api/v1/calls at a realistic pace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=DEFAULT_URL, help=f"the server (default {DEFAULT_URL})")
        parser.add_argument("--user", default="commander",
                            help="account that posts the calls; its station receives them (default commander)")
        parser.add_argument("--station", default="", help="station code, for an account that sees several")
        parser.add_argument("--token", default="", help="an API token of the account (default: make one for this run)")
        add_pace_arguments(parser)
        parser.add_argument("--count", type=int, default=None, help="stop after this many calls (default: never)")
        parser.add_argument("--seed", type=int, default=None, help="seed of the calls (default: a new one each run)")
        parser.add_argument("--retries", type=int, default=5, help="retries per call on connection errors (default 5)")
        parser.add_argument("--no-officers", action="store_true",
                            help="only feed calls; do not dispatch them or play the officers")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rate"] <= 0 or options["speed"] <= 0:
            raise CommandError("--rate and --speed must be positive")
        if options["count"] is not None and options["count"] < 1:
            raise CommandError("--count must be at least 1")
        feed = FeedOptions(
            url=options["url"], username=options["user"], station_code=options["station"],
            token=options["token"], rate=options["rate"], speed=options["speed"],
            count=options["count"], seed=options["seed"], retries=options["retries"],
        )
        stop = threading.Event()
        crew = None
        if not options["no_officers"]:
            crew = run_crew_in_thread(CrewOptions(url=feed.url, username=feed.username, station_code=feed.station_code,
                                                  speed=feed.speed, seed=feed.seed), write=self.stdout.write, stop=stop)
        try:
            answers = run_feed(feed, write=self.stdout.write, stop=stop)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
            return
        except (LiveFeedError, FeedError, ValueError) as error:
            raise CommandError(str(error)) from None
        finally:
            stop.set()
            if crew is not None:
                crew.join(timeout=10)
        self.stdout.write(self.style.SUCCESS(f"{len(answers)} calls received."))
