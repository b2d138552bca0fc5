"""`fengqiao forecast evaluate`: score next-period hot-spot forecasts on a CSV of events.

    fengqiao forecast evaluate --csv FILE --x-col X --y-col Y --time-col T \\
        --crs {wgs84,projected} --train-start D --train-end D --test-start D --test-end D \\
        --cell METRES [--rolling-weeks N] [--coverages 1,5,10] [--kde-bandwidth METRES] \\
        [--smooth W] [--min-lag-days D] [--history-half-life DAYS]

Periods are half-open, [start, end): a bare date means midnight at its start, so
`--train-end 2017-03-01 --test-start 2017-03-01` leaves no gap. Times with a zone are
taken in UTC. With `--rolling-weeks N` the windows are moved on by a week N − 1 times
and the JSON gives every window and the mean over them. The grid is the smallest one of
`--cell`-metre squares covering every event of the file (the study area); the models and
the metrics are those of `fengqiao.analysis.forecast`. The defaults of the model's options
are the settings chosen on the tuning weeks of the Minneapolis evaluation (docs/analysis.md):
background from all history with an 84-day half-life, no smoothing, no lag bound, KDE 200 m.
`--history-half-life 0` gives the EM's training-window background (the plain model).
The JSON's `versus` gives, per baseline and coverage, the mean weekly PAI difference of the
self-exciting model minus the baseline and its standard error.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.analysis import forecast, geo


def _coverages(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) / 100.0 for part in text.split(",") if part.strip())
    except ValueError as error:
        raise CommandError(f"--coverages: not a list of percentages: {text}") from error
    if not values or any(not 0 < v <= 1 for v in values):
        raise CommandError("--coverages: percentages must be in (0, 100]")
    return values


def _seconds(values: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A column of times → POSIX seconds (times with a zone are converted to UTC)."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce")
    seconds = (stamps - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    return seconds.to_numpy(dtype=np.float64, na_value=np.nan)


def _instant(text: str, option: str) -> float:
    try:
        stamp = pd.Timestamp(text)
    except ValueError as error:
        raise CommandError(f"{option}: not a date or time: {text}") from error
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return float((stamp - pd.Timestamp("1970-01-01", tz="UTC")).total_seconds())


def _iso(days: float, epoch: float) -> str:
    return pd.Timestamp(epoch + days * forecast.DAY_SECONDS, unit="s", tz="UTC").isoformat()


# The settings chosen on the tuning weeks of the Minneapolis evaluation (docs/analysis.md).
CHOSEN = forecast.Settings(kde_bandwidth=200.0, smooth=0.0, min_lag_days=0.0, history_half_life=84.0)


class Command(BaseCommand):
    help = "Evaluate next-period hot-spot forecasts (self-exciting model, naive counts, KDE) on a CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        evaluate = actions.add_parser("evaluate", help="hit rate, PAI and PEI* per model and coverage, as JSON")
        evaluate.add_argument("--csv", required=True, help="CSV file with one event per row")
        evaluate.add_argument("--x-col", required=True, help="column of x (metres) or longitude")
        evaluate.add_argument("--y-col", required=True, help="column of y (metres) or latitude")
        evaluate.add_argument("--time-col", required=True, help="column of the event's date and time")
        evaluate.add_argument("--crs", choices=("wgs84", "projected"), default="wgs84")
        evaluate.add_argument("--train-start", required=True)
        evaluate.add_argument("--train-end", required=True)
        evaluate.add_argument("--test-start", required=True)
        evaluate.add_argument("--test-end", required=True)
        evaluate.add_argument("--cell", type=float, required=True, help="cell size in metres")
        evaluate.add_argument("--rolling-weeks", type=int, default=1, help="evaluate N windows, a week apart")
        evaluate.add_argument("--coverages", default="1,5,10", help="percentages of the cells, e.g. 1,5,10")
        evaluate.add_argument("--kde-bandwidth", type=float, default=CHOSEN.kde_bandwidth,
                              help="quartic kernel radius of the KDE baseline, metres")
        evaluate.add_argument("--smooth", type=float, default=CHOSEN.smooth,
                              help="weight of the 3×3 neighbourhood in the model's background (0–1)")
        evaluate.add_argument("--min-lag-days", type=float, default=CHOSEN.min_lag_days,
                              help="lower bound of the model's mean triggering lag, days (0: none)")
        evaluate.add_argument("--history-half-life", type=float, default=CHOSEN.history_half_life,
                              help="background from all earlier events with this half-life, days "
                                   "(inf: unweighted; 0: the training window's EM background)")
        evaluate.add_argument("--windows", action="store_true", help="include every window's figures")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = self._evaluate(options)
        result["seconds"] = round(time.perf_counter() - started, 3)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _evaluate(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["cell"] <= 0:
            raise CommandError("--cell must be positive")
        if options["history_half_life"] < 0 or math.isnan(options["history_half_life"]):
            raise CommandError("--history-half-life must be 0 (off), positive or inf")
        if options["rolling_weeks"] < 1:
            raise CommandError("--rolling-weeks must be at least 1")
        columns = [options["x_col"], options["y_col"], options["time_col"]]
        try:
            frame = pd.read_csv(options["csv"], usecols=columns)
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {options['csv']}: {error}") from error
        xs = pd.to_numeric(frame[options["x_col"]], errors="coerce").to_numpy(dtype=np.float64)
        ys = pd.to_numeric(frame[options["y_col"]], errors="coerce").to_numpy(dtype=np.float64)
        seconds = _seconds(frame[options["time_col"]])
        usable = np.isfinite(xs) & np.isfinite(ys) & np.isfinite(seconds)
        xs, ys, seconds = xs[usable], ys[usable], seconds[usable]
        if xs.size == 0:
            raise CommandError("no rows with a position and a time")
        if options["crs"] == "wgs84":
            xs, ys = geo.project(xs, ys, geo.origin_of(xs, ys))

        epoch = _instant(options["train_start"], "--train-start")
        first = forecast.Window(
            0.0,
            (_instant(options["train_end"], "--train-end") - epoch) / forecast.DAY_SECONDS,
            (_instant(options["test_start"], "--test-start") - epoch) / forecast.DAY_SECONDS,
            (_instant(options["test_end"], "--test-end") - epoch) / forecast.DAY_SECONDS,
        )
        if not first.train_start < first.train_end <= first.test_start < first.test_end:
            raise CommandError("periods must be train-start < train-end ≤ test-start < test-end")
        settings = forecast.Settings(
            coverages=_coverages(options["coverages"]),
            kde_bandwidth=options["kde_bandwidth"],
            smooth=options["smooth"],
            min_lag_days=options["min_lag_days"],
            history_half_life=options["history_half_life"],
        )
        grid = geo.grid_for(xs, ys, options["cell"])
        ts = forecast.days_since(seconds, epoch)
        windows = forecast.rolling_windows(first, options["rolling_weeks"])
        results = [forecast.evaluate_window(grid, xs, ys, ts, window, settings) for window in windows]

        output: dict[str, Any] = {
            "events": int(xs.size),
            "rows_skipped": int((~usable).sum()),
            "crs": options["crs"],
            "cell_metres": options["cell"],
            "grid": {"nx": grid.nx, "ny": grid.ny, "cells": grid.cells},
            "settings": {
                "kde_bandwidth_metres": settings.kde_bandwidth,
                "smooth": settings.smooth,
                "min_lag_days": settings.min_lag_days,
                "history_half_life_days": (
                    "inf" if math.isinf(settings.history_half_life) else settings.history_half_life
                ),
            },
            "windows_evaluated": sum(1 for r in results if r.test_events > 0),
            "models": _means(forecast.mean_scores(results)),
            "versus": _versus(results, settings.coverages),
        }
        if options["windows"] or len(results) == 1:
            output["windows"] = [_window(r, epoch) for r in results]
        return output


def _label(coverage: float) -> str:
    return f"{coverage * 100:g}%"


def _means(means: dict[str, dict[float, dict[str, float]]]) -> dict[str, dict[str, dict[str, float]]]:
    return {
        model: {
            _label(coverage): {
                "hit_rate": round(figures["hit_rate"], 4),
                "pai": round(figures["pai"], 3),
                "pei_star": round(figures["pei_star"], 4),
            }
            for coverage, figures in by_coverage.items()
        }
        for model, by_coverage in means.items()
    }


def _versus(results: list[forecast.WindowResult], coverages: tuple[float, ...]) -> dict[str, Any]:
    """Self-exciting minus each baseline, PAI, week by week: mean, standard error, counts."""
    out: dict[str, Any] = {}
    for baseline in ("naive", "kde"):
        out[baseline] = {}
        for i, coverage in enumerate(coverages):
            d = forecast.paired_difference(results, "self_exciting", baseline, i)
            out[baseline][_label(coverage)] = {
                "pai_difference": round(d.mean, 4),
                "standard_error": round(d.standard_error, 4),
                "better": d.better,
                "worse": d.worse,
                "ties": d.ties,
            }
    return out


def _window(result: forecast.WindowResult, epoch: float) -> dict[str, Any]:
    w = result.window
    return {
        "train": [_iso(w.train_start, epoch), _iso(w.train_end, epoch)],
        "test": [_iso(w.test_start, epoch), _iso(w.test_end, epoch)],
        "train_events": result.train_events,
        "test_events": result.test_events,
        "fit": {
            "theta": round(result.fit.theta, 4),
            "omega_per_day": round(result.fit.omega, 4),
            "iterations": result.fit.iterations,
            "converged": result.fit.converged,
        },
        "models": {
            model: {_label(s.coverage): s.as_dict() for s in scores}
            for model, scores in result.scores.items()
        },
    }
