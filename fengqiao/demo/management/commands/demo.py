"""`fengqiao demo`: migrate, build the demo sub-bureau, list its accounts, then serve it.

    fengqiao demo                      # build (or complete) the demo and serve on :8000
    fengqiao demo --seed 7 --no-serve  # another demo town, no server
    fengqiao demo --days 30            # only a month of past calls (0: none)
    fengqiao demo --live               # serve, and feed new calls through the API meanwhile
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fengqiao.cases import machine as case_machine
from fengqiao.cases.models import Case
from fengqiao.demo.builder import WHY, BuildReport, DemoConflict, build_demo
from fengqiao.demo.history import DEFAULT_DAYS
from fengqiao.demo.live import FeedOptions, run_feed_in_thread
from fengqiao.demo.management.commands.simulate import add_pace_arguments
from fengqiao.demo.officers import CrewOptions, run_crew_in_thread
from fengqiao.demo.plan import DEFAULT_SEED
from fengqiao.intake import states
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Beat, Officer, Station
from fengqiao.records.models import Address
from fengqiao.support import machine as support_machine
from fengqiao.support.models import SupportRequest
from fengqiao.transfers import machine as transfer_machine
from fengqiao.transfers.models import Transfer


class Command(BaseCommand):
    help = "Build the demo stations (南坪派出所, 海棠溪派出所) with their people and addresses, then serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"seed of the demo's names, map and addresses (default {DEFAULT_SEED})")
        parser.add_argument("--no-serve", action="store_true", help="build the demo and stop")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                            help=f"days of past calls for a station that has none, ending yesterday "
                                 f"(default {DEFAULT_DAYS}; 0: none)")
        parser.add_argument("--live", action="store_true",
                            help="while serving, feed new calls through the API and let simulated officers "
                                 "work them (as `fengqiao simulate`)")
        add_pace_arguments(parser)

    def handle(
        self, *args: Any, seed: int, no_serve: bool, host: str, port: int, days: int, live: bool,
        rate: float, speed: float, **options: Any,
    ) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more")
        if live and no_serve:
            raise CommandError("--live feeds the server this command starts; leave out --no-serve")
        if rate <= 0 or speed <= 0:
            raise CommandError("--rate and --speed must be positive")
        started = time.monotonic()
        self.stdout.write("Migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Building the demo (seed {seed}, {days} days of past calls) …")
        try:
            report = build_demo(seed, days=days)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        self._write_summary(report, elapsed)
        self._write_accounts(report)
        if no_serve:
            return
        if not live:
            call_command("serve", host=host, port=port)
            return
        self._serve_live(host, port, rate, speed)

    def _serve_live(self, host: str, port: int, rate: float, speed: float) -> None:
        """Serve in this thread (uvicorn wants the main thread for Ctrl-C), feed calls from
        another and let simulated officers work them from a third; when the server stops,
        the feed and the officers stop and revoke their tokens."""
        address = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        url = f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"
        stop = threading.Event()
        feed = run_feed_in_thread(
            FeedOptions(url=url, username="commander", rate=rate, speed=speed), write=self.stdout.write, stop=stop,
        )
        # The command room and the officers badge-numbered in the demo work the new calls.
        crew = run_crew_in_thread(CrewOptions(url=url, username="commander", speed=speed), write=self.stdout.write, stop=stop)
        try:
            call_command("serve", host=host, port=port)
        finally:
            stop.set()
            feed.join(timeout=10)
            crew.join(timeout=10)

    def _write_summary(self, report: BuildReport, elapsed: float) -> None:
        if report.changed_anything:
            made = ", ".join(f"{count:,} {label}" for label, count in sorted(report.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo ready in {elapsed:.1f} s. Created: {made}."))
            if report.updated:
                filled = ", ".join(f"{count:,} {label}" for label, count in sorted(report.updated.items()))
                self.stdout.write(f"Filled gaps: {filled}.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Demo ready in {elapsed:.1f} s. Everything was already there; nothing changed."
            ))
        plan = report.plan
        self.stdout.write("")
        departments = len(plan.departments)
        self.stdout.write(f"{plan.bureau.name} ({plan.bureau.code}): {departments} partner departments")
        codes = [station.code for station in plan.stations]
        for station in Station.objects.unscoped(WHY).filter(code__in=codes).order_by("pk"):
            officers = Officer.objects.unscoped(WHY).filter(station=station)
            police = officers.filter(rank=Officer.Rank.OFFICER).count()
            auxiliaries = officers.filter(rank=Officer.Rank.AUXILIARY).count()
            on_duty = officers.filter(duty_status__in=Officer.ON_DUTY_STATUSES).count()
            beats = Beat.objects.unscoped(WHY).filter(station=station).count()
            addresses = Address.objects.unscoped(WHY).filter(station=station).count()
            self.stdout.write(
                f"  {station.name} ({station.code}): {police} police officers + {auxiliaries} "
                f"auxiliaries ({on_duty} on duty), {beats} beats, {addresses:,} standard addresses, "
                f"{station.area_km2} km²"
            )
            self._write_calls(station)

    def _write_calls(self, station: Station) -> None:
        calls = Call.objects.for_stations([station.pk])
        count = calls.count()
        if not count:
            return
        incidents = Incident.objects.for_stations([station.pk])
        first = calls.order_by("received_at").values_list("received_at", flat=True).first()
        last = calls.order_by("-received_at").values_list("received_at", flat=True).first()
        assert first is not None and last is not None
        self.stdout.write(
            f"    {count:,} calls and {incidents.count():,} incidents from {timezone.localdate(first)} "
            f"to {timezone.localdate(last)}; {incidents.filter(state__in=states.OPEN_STATES).count()} open"
        )
        loops = ((Case, case_machine.OPEN, "cases"), (Transfer, transfer_machine.OPEN, "transfers to departments"),
                 (SupportRequest, support_machine.OPEN, "support requests"))
        self.stdout.write("    " + ", ".join(
            f"{model.objects.for_stations([station.pk]).count():,} {label} "
            f"({model.objects.for_stations([station.pk]).filter(state__in=sorted(open_states)).count()} open)"
            for model, open_states, label in loops
        ))

    def _write_accounts(self, report: BuildReport) -> None:
        stations = {station.code: station.name for station in report.plan.stations}
        password = settings.FENGQIAO_DEMO_PASSWORD
        rows = [("角色 Role", "用户名 Username", "姓名 Name", "单位 Station", "密码 Password")]
        for account in report.plan.accounts:
            rows.append((
                f"{account.title} · {account.role}",
                account.username,
                account.name,
                stations.get(account.station_code)
                or account.organisation or ("南岸区分局" if account.role == "bureau" else "全部 all"),
                password,
            ))
        self.stdout.write("")
        self.stdout.write("Demo accounts 演示账号:")
        for line in _table(rows):
            self.stdout.write("  " + line)
        example = next(
            officer.badge for officer in report.plan.officers if officer.username == officer.badge
        )
        self.stdout.write(
            f"Every other officer logs in with their badge number (e.g. {example}) and the same password; "
            f"so do the members of the sub-bureau's specialised units."
        )
        if report.existing["users"]:
            self.stdout.write("Accounts that existed before this run keep the password they had.")


def _width(text: str) -> int:
    """Terminal columns `text` takes: Chinese characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell + " " * (widths[column] - _width(cell)) for column, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines
