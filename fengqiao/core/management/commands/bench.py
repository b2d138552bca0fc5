"""`fengqiao bench <benchmark>`: measure one part of the system and print its figures.

    fengqiao bench address [--count 100000] [--queries 5000] [--seed 1] [--json]
    fengqiao bench intake | events | dispatch [--json]
    fengqiao bench records [--residents 100000] [--addresses 5000] [--runs 3] [--json]
    fengqiao bench campaigns [--items 1000] [--residents 10000] [--addresses 2000] [--runs 5] [--json]
    fengqiao bench analysis [--sizes 1000000,10000000] [--knox-events 45000] [--station-incidents 30000] [--json]

Each benchmark is a module of `fengqiao.bench` (see its docstring for what a module
offers) and becomes a subcommand here by its entry in `BENCHMARKS`. Benchmarks are run
by hand and their figures recorded in docs/benchmarks.md; they are not tests.
"""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

# subcommand → module of fengqiao.bench that implements it
BENCHMARKS: dict[str, str] = {
    "address": "fengqiao.bench.address",
    "intake": "fengqiao.bench.intake",
    "events": "fengqiao.bench.events",
    "dispatch": "fengqiao.bench.dispatch",
    "records": "fengqiao.bench.records",
    "campaigns": "fengqiao.bench.campaigns",
    "analysis": "fengqiao.bench.analysis",
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(BENCHMARKS[name])


class Command(BaseCommand):
    help = "Run a benchmark and print its figures (a table, or JSON with --json)."

    def add_arguments(self, parser: CommandParser) -> None:
        benchmarks = parser.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
        for name in BENCHMARKS:
            module = _module(name)
            sub = benchmarks.add_parser(name, help=module.HELP, description=module.HELP)
            module.add_arguments(sub)
            sub.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, benchmark: str, **options: Any) -> None:
        module = _module(benchmark)
        try:
            figures = module.run_from_options(options)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options.get("json"):
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        rows: list[tuple[str, str]] = module.report_rows(figures)
        width = max(len(label) for label, _ in rows)
        self.stdout.write(f"fengqiao bench {benchmark}")
        for label, value in rows:
            self.stdout.write(f"  {label.ljust(width)}  {value}")
