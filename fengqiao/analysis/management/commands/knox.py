"""`fengqiao knox --csv FILE --x-col X --y-col Y --time-col T --delta D --tau T [--permutations N]
[--crs projected|wgs84] [--seed S]`

The Knox test for near repeats on the events of a CSV file; prints JSON with the observed
and expected numbers of pairs close in space (≤ δ) and time (≤ τ) and the Monte-Carlo p.

Positions: with `--crs projected` (the default) X and Y are used as they are and δ is in
their units; with `--crs wgs84` X is longitude and Y latitude in degrees and δ is in metres.
Times: a numeric column is used as it is and τ is in its units (e.g. days); a column of
dates or date-times is read as such and τ is in days. Rows with an empty or unreadable
position or time are left out and counted as `dropped`.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.analysis.geo import origin_of, project
from fengqiao.analysis.knox import expected_under_permutation, knox

SECONDS_PER_DAY = 86_400.0


def _times_in_days(column: pd.Series) -> pd.Series:
    """A numeric column as it is; dates or date-times as days since the earliest."""
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.notna().sum() >= column.notna().sum() and column.notna().any():
        return numbers.astype("float64")
    moments = pd.to_datetime(column, errors="coerce", utc=True, format="mixed")
    if moments.isna().all():
        raise CommandError(f"the time column {column.name!r} holds neither numbers nor dates")
    seconds = (moments - moments.min()).dt.total_seconds()
    return seconds / SECONDS_PER_DAY


class Command(BaseCommand):
    help = "Knox test for near repeats (space-time clustering) on a CSV of events; prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, help="the CSV file of events, one a row, with a header")
        parser.add_argument("--x-col", required=True, help="column of x (or longitude with --crs wgs84)")
        parser.add_argument("--y-col", required=True, help="column of y (or latitude with --crs wgs84)")
        parser.add_argument("--time-col", required=True, help="column of times: numbers, or dates (then τ is in days)")
        parser.add_argument("--delta", type=float, required=True, help="distance δ: pairs at most this far apart (metres with wgs84)")
        parser.add_argument("--tau", type=float, required=True, help="time τ: pairs at most this far apart in time")
        parser.add_argument("--permutations", type=int, default=99, help="Monte-Carlo permutations of the times (default 99)")
        parser.add_argument("--crs", choices=["projected", "wgs84"], default="projected",
                            help="projected: x/y in a metric system as they are; wgs84: longitude/latitude degrees")
        parser.add_argument("--seed", type=int, default=0, help="seed of the permutations (default 0)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["delta"] < 0 or options["tau"] < 0:
            raise CommandError("--delta and --tau must not be negative")
        if options["permutations"] < 1:
            raise CommandError("--permutations must be at least 1")
        xs, ys, ts, dropped = self._read(options)
        if options["crs"] == "wgs84":
            xs, ys = project(xs, ys, origin_of(xs, ys))
        result = knox(xs, ys, ts, delta=options["delta"], tau=options["tau"],
                      permutations=options["permutations"], seed=options["seed"])
        figures = {
            "observed": result.observed,
            "expected": round(result.expected, 4),
            "p": round(result.p, 6),
            "permutations": result.permutations,
            "n": int(xs.size),
            "pairs_in_space": result.pairs_in_space,
            "expected_exact": round(expected_under_permutation(ts, result.pairs_in_space, options["tau"]), 4),
            "delta": options["delta"],
            "tau": options["tau"],
            "crs": options["crs"],
            "seed": options["seed"],
            "dropped": dropped,
        }
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    def _read(self, options: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        columns = [options["x_col"], options["y_col"], options["time_col"]]
        try:
            header = pd.read_csv(options["csv"], nrows=0).columns
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {options['csv']}: {error}") from None
        missing = [name for name in columns if name not in header]
        if missing:
            raise CommandError(f"no column {', '.join(map(repr, missing))} in {options['csv']}; "
                               f"columns: {', '.join(map(str, header))}")
        frame = pd.read_csv(options["csv"], usecols=columns)
        xs = pd.to_numeric(frame[options["x_col"]], errors="coerce")
        ys = pd.to_numeric(frame[options["y_col"]], errors="coerce")
        ts = _times_in_days(frame[options["time_col"]])
        usable = xs.notna() & ys.notna() & ts.notna() & np.isfinite(xs) & np.isfinite(ys) & np.isfinite(ts)
        if not usable.any():
            raise CommandError("no row has a usable position and time")
        return (xs[usable].to_numpy(np.float64), ys[usable].to_numpy(np.float64),
                ts[usable].to_numpy(np.float64), int((~usable).sum()))
