"""`fengqiao triage [--json] TEXT`: what intake would suggest for a call text.

`fengqiao triage train` trains the station's classifier on its closed incidents; from then
on intake uses it wherever it is more confident than the lexicon rules.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from fengqiao.intake import services
from fengqiao.intake.triage import load_rules, triage
from fengqiao.organisation.models import Station


class Command(BaseCommand):
    help = "Suggest category, route and priority for a call text (or `train` the station's classifier)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="+", help="the call text, or the word `train`")
        parser.add_argument("--json", action="store_true", help="print the suggestion as JSON")
        parser.add_argument(
            "--station", default="",
            help="station code (default: the first station; with none, the shipped lexicon)",
        )
        parser.add_argument("--minimum", type=int, default=50, help="closed incidents needed to train")

    def handle(self, *args: Any, text: list[str], json: bool, station: str, minimum: int, **options: Any) -> None:
        chosen = self._station(station)
        if text == ["train"]:
            if chosen is None:
                raise CommandError("there is no station to train for; run `fengqiao demo` or create one")
            try:
                path, count = services.train_station_model(chosen, minimum=minimum)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{chosen.code}: trained on {count} closed incidents → {path}")
            return
        words = " ".join(text)
        result = services.suggest(chosen, words) if chosen is not None else triage(words, load_rules())
        if json:
            self.stdout.write(_json(result.to_dict()))
            return
        self.stdout.write(f"{result.category_label} ({result.category})")
        self.stdout.write(f"route {result.route} · priority {result.priority} · confidence {result.confidence:.2f}")
        for reason in result.reasons:
            self.stdout.write(f"  - {reason}")

    def _station(self, code: str) -> Station | None:
        stations = Station.objects.unscoped("command line: the operator names the station").order_by("id")
        if code:
            found = stations.filter(code=code).first()
            if found is None:
                known = ", ".join(stations.values_list("code", flat=True)) or "none"
                raise CommandError(f"no station {code!r}; known: {known}")
            return found
        try:
            return stations.first()
        except DatabaseError:  # no database yet: judge by the shipped lexicon
            return None


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)
