"""The forecast: PAI/PEI* by hand, the EM fit, the model against naive counts on a
synthetic contagion process, and `fengqiao forecast evaluate` (no database)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.analysis import forecast
from fengqiao.analysis.geo import Grid

# --------------------------------------------------------------------------- metrics by hand


def test_pai_and_pei_star_on_a_hand_checked_grid() -> None:
    # 10 cells, 20 test events. At 10 % one cell is flagged: the forecast picks cell 1
    # (score 9), which had 4 test events; the best single cell had 8 (cell 3).
    scores = np.array([0, 9, 5, 1, 0, 0, 0, 0, 0, 2], dtype=float)
    test = np.array([2, 4, 3, 8, 0, 0, 1, 0, 0, 2], dtype=float)
    ten = forecast.score_forecast(scores, test, 0.10)
    assert (ten.cells_flagged, ten.hits, ten.best_hits, ten.events) == (1, 4, 8, 20)
    assert ten.hit_rate == pytest.approx(4 / 20)
    assert ten.pai == pytest.approx((4 / 20) / (1 / 10))  # 2.0
    assert ten.pei_star == pytest.approx(4 / 8)
    # At 30 %: cells 1, 2, 9 (scores 9, 5, 2) hold 4 + 3 + 2 = 9; the best three hold 8 + 4 + 3 = 15.
    thirty = forecast.score_forecast(scores, test, 0.30)
    assert (thirty.cells_flagged, thirty.hits, thirty.best_hits) == (3, 9, 15)
    assert thirty.pai == pytest.approx((9 / 20) / 0.3)  # 1.5
    assert thirty.pei_star == pytest.approx(9 / 15)


def test_a_perfect_forecast_has_pei_star_one_and_ties_go_in_cell_order() -> None:
    test = np.array([[0, 5], [1, 0]], dtype=float)
    perfect = forecast.score_forecast(test, test, 0.25)
    assert perfect.pei_star == 1.0
    assert perfect.pai == pytest.approx((5 / 6) / 0.25)  # 5 of the 6 events in a quarter of the area
    # All scores equal: the first cell (no events) is flagged, a miss.
    flat = forecast.score_forecast(np.ones((2, 2)), test, 0.25)
    assert (flat.hits, flat.hit_rate, flat.pai, flat.pei_star) == (0, 0.0, 0.0, 0.0)
    assert list(forecast.flagged_cells(np.array([1.0, 3.0, 3.0, 2.0]), 2)) == [1, 2]


def test_coverage_flags_at_least_one_cell() -> None:
    assert forecast.cells_for(0.01, 50) == 1
    assert forecast.cells_for(0.05, 4770) == 238
    with pytest.raises(ValueError):
        forecast.cells_for(0.0, 10)


def test_an_empty_test_period_scores_zero_not_an_error() -> None:
    score = forecast.score_forecast(np.arange(4.0), np.zeros(4), 0.5)
    assert (score.events, score.hit_rate, score.pai, score.pei_star) == (0, 0.0, 0.0, 0.0)


# --------------------------------------------------------------------------- the model


def simulate_contagion(
    seed: int,
    *,
    side: int = 30,
    days: float = 140.0,
    theta: float = 0.6,
    omega: float = 0.3,
    background_per_day: float = 5.0,
) -> tuple[Grid, np.ndarray, np.ndarray, np.ndarray]:
    """A Hawkes process in every cell of a side × side grid of 100 m cells: a background
    surface of a few Gaussian bumps, each event triggering Poisson(θ) more in its cell after
    Exponential(ω) days. Returns the grid and x, y (metres), t (days)."""
    rng = np.random.default_rng(seed)
    grid = Grid(0.0, 0.0, 100.0, side, side)
    cx, cy = grid.centres()
    surface = np.full(grid.shape, 0.05)
    for _ in range(4):
        x0, y0 = rng.uniform(0, side * 100.0, 2)
        spread = rng.uniform(200.0, 600.0)
        surface += np.exp(-((cx - x0) ** 2 + (cy - y0) ** 2) / (2 * spread**2))
    mu = surface.reshape(-1) / surface.sum() * background_per_day
    cells = np.repeat(np.arange(grid.cells), rng.poisson(mu * days))
    ts = rng.uniform(0.0, days, cells.size)
    all_cells, all_ts = [cells], [ts]
    while cells.size:  # generation by generation
        children = rng.poisson(theta, cells.size)
        cells = np.repeat(cells, children)
        ts = np.repeat(ts, children) + rng.exponential(1.0 / omega, cells.size)
        keep = ts < days
        cells, ts = cells[keep], ts[keep]
        all_cells.append(cells)
        all_ts.append(ts)
    cells = np.concatenate(all_cells)
    ts = np.concatenate(all_ts)
    rows, cols = np.divmod(cells, side)
    xs = (cols + rng.uniform(0, 1, cells.size)) * 100.0
    ys = (rows + rng.uniform(0, 1, cells.size)) * 100.0
    return grid, xs, ys, ts


def test_em_recovers_the_branching_ratio_and_lag_of_a_long_series() -> None:
    grid, xs, ys, ts = simulate_contagion(5, side=10, days=2000.0, theta=0.6, omega=0.3, background_per_day=2.0)
    rows, cols, _ = grid.index(xs, ys)
    fit = forecast.fit_self_exciting(rows * grid.nx + cols, ts, grid.cells, 0.0, 2000.0, tolerance=1e-9)
    assert fit.converged
    assert fit.theta == pytest.approx(0.6, abs=0.05)
    assert fit.mean_lag_days == pytest.approx(1 / 0.3, rel=0.15)


def test_em_finds_no_contagion_in_a_poisson_process() -> None:
    rng = np.random.default_rng(3)
    cells = rng.integers(0, 20, 3000)
    ts = rng.uniform(0, 1000.0, 3000)
    fit = forecast.fit_self_exciting(cells, ts, 20, 0.0, 1000.0)
    assert fit.theta < 0.05
    assert fit.mu.sum() == pytest.approx(3.0, rel=0.1)  # 3000 events over 1000 days


def test_running_sums_equal_the_sums_over_all_earlier_pairs() -> None:
    rng = np.random.default_rng(1)
    cells = rng.integers(0, 4, 60)
    ts = rng.uniform(0, 30.0, 60)
    order = forecast._cell_order(cells, ts)
    a, b = forecast._running_sums(order, 0.7)
    for i in range(order.ts.size):
        earlier = (order.cells == order.cells[i]) & (order.ts < order.ts[i])
        lags = order.ts[i] - order.ts[earlier]
        assert a[i] == pytest.approx(np.sum(np.exp(-0.7 * lags)))
        assert b[i] == pytest.approx(np.sum(lags * np.exp(-0.7 * lags)))


def test_expected_counts_follow_the_closed_form() -> None:
    fit = forecast.SelfExcitingFit(np.array([0.5, 0.0]), 0.5, 1.0, 0.0, 10.0, 1, True, 0.0)
    # cell 1 had an event one day before t0; one at t0 itself is not history
    counts = forecast.expected_counts(fit, np.array([1, 1]), np.array([9.0, 10.0]), 10.0, 7.0)
    # cell 0: no history, starts at μ = 0.5 and rises to μ/(1−θ) = 1; cell 1 starts at
    # θω e^{−ω·1} and decays to 0 at rate κ = ω(1 − θ) (its offspring's offspring included).
    kappa = 0.5
    settle = (1 - np.exp(-kappa * 7)) / kappa
    assert counts[0] == pytest.approx(1.0 * 7 + (0.5 - 1.0) * settle)
    assert counts[1] == pytest.approx(0.5 * np.exp(-1.0) * settle)
    # over a long horizon the event's expected descendants, θ/(1−θ) = 1, less those already born
    later = forecast.expected_counts(fit, np.array([1]), np.array([10.0 - 1e-9]), 10.0, 1000.0)
    assert later[1] == pytest.approx(1.0, rel=1e-6)


def test_the_model_beats_naive_counts_on_a_contagion_process() -> None:
    """Train on 8 weeks, forecast the next, six weeks in a row on three seeded processes."""
    model, naive = [], []
    for seed in range(3):
        grid, xs, ys, ts = simulate_contagion(seed)
        windows = forecast.rolling_windows(forecast.Window(28.0, 84.0, 84.0, 91.0), 6)
        results = [forecast.evaluate_window(grid, xs, ys, ts, w) for w in windows]
        means = forecast.mean_scores(results)
        model.append(means["self_exciting"][0.05]["pai"])
        naive.append(means["naive"][0.05]["pai"])
        assert results[0].fit.theta > 0.2  # it found the contagion
    assert np.mean(model) > 1.2 * np.mean(naive), (model, naive)


def test_windows_must_not_overlap() -> None:
    grid, xs, ys, ts = simulate_contagion(0, side=5, days=30.0)
    with pytest.raises(ValueError):
        forecast.evaluate_window(grid, xs, ys, ts, forecast.Window(0.0, 20.0, 10.0, 30.0))


# --------------------------------------------------------------------------- recency-weighted background


def test_recency_weighted_rates_by_hand() -> None:
    # cell 0: events 0 and 10 days before t0 = 20; cell 2: one 20 days before (the first event)
    cells = np.array([2, 0, 0, 1])
    ts = np.array([0.0, 10.0, 20.0, 25.0])  # the last two are not history
    halved = forecast.recency_weighted_rates(cells, ts, 3, 20.0, 10.0)
    exposure = 10.0 / np.log(2.0) * (1 - 0.25)  # ∫_0^20 2^{−a/10} da
    assert halved == pytest.approx(np.array([0.5, 0.0, 0.25]) / exposure)
    plain = forecast.recency_weighted_rates(cells, ts, 3, 20.0, float("inf"))
    assert plain == pytest.approx(np.array([1.0, 0.0, 1.0]) / 20.0)  # counts per day of history
    assert forecast.recency_weighted_rates(cells, ts, 3, 0.0, 10.0).sum() == 0.0  # no history
    with pytest.raises(ValueError):
        forecast.recency_weighted_rates(cells, ts, 3, 20.0, 0.0)


def test_history_background_replaces_the_em_background() -> None:
    rng = np.random.default_rng(4)
    grid = Grid(0.0, 0.0, 100.0, 2, 1)
    xs = np.concatenate([rng.uniform(0, 100, 50), rng.uniform(100, 200, 5)])
    ys = rng.uniform(0, 100, 55)
    ts = np.concatenate([rng.uniform(0, 40, 50), rng.uniform(45, 50, 5)])  # cell 0 busy long ago
    window = forecast.Window(44.0, 50.0, 50.0, 57.0)
    _, window_only = forecast.forecast_scores(grid, xs, ys, ts, window, forecast.Settings())
    _, history = forecast.forecast_scores(
        grid, xs, ys, ts, window, forecast.Settings(history_half_life=float("inf"))
    )
    assert window_only["self_exciting"][0] < window_only["self_exciting"][1]  # cell 0 empty in the window
    assert history["self_exciting"][0] > history["self_exciting"][1]  # 50 of 55 events in 50 days


def simulate_drift(
    seed: int, *, side: int = 20, days: float = 330.0, per_day: float = 6.0, change_day: float = 180.0
) -> tuple[Grid, np.ndarray, np.ndarray, np.ndarray]:
    """No contagion: a Poisson process with a skewed rate per cell (few busy cells, many quiet
    ones), of which a random 30 % change their rate at `change_day`."""
    rng = np.random.default_rng(seed)
    grid = Grid(0.0, 0.0, 100.0, side, side)
    early = rng.gamma(0.3, 1.0, grid.cells)
    late = early.copy()
    moved = rng.random(grid.cells) < 0.3
    late[moved] = rng.gamma(0.3, 1.0, int(moved.sum()))
    all_cells, all_ts = [], []
    for rates, start, end in ((early, 0.0, change_day), (late, change_day, days)):
        mu = rates / rates.sum() * per_day
        cells = np.repeat(np.arange(grid.cells), rng.poisson(mu * (end - start)))
        all_cells.append(cells)
        all_ts.append(rng.uniform(start, end, cells.size))
    cells = np.concatenate(all_cells)
    rows, cols = np.divmod(cells, side)
    xs = (cols + rng.uniform(0, 1, cells.size)) * 100.0
    ys = (rows + rng.uniform(0, 1, cells.size)) * 100.0
    return grid, xs, ys, np.concatenate(all_ts)


def test_recency_weighted_history_beats_window_counts_and_unweighted_history() -> None:
    """Four weeks of training are too few events per cell; all history is more, but part of
    it is out of date: the recency-weighted history beats both."""
    def pai(seed: int, half_life: float) -> tuple[float, float]:
        grid, xs, ys, ts = simulate_drift(seed)
        windows = forecast.rolling_windows(forecast.Window(246.0, 274.0, 274.0, 281.0), 6)
        settings = forecast.Settings(history_half_life=half_life, min_lag_days=7.0)
        means = forecast.mean_scores([forecast.evaluate_window(grid, xs, ys, ts, w, settings) for w in windows])
        return means["self_exciting"][0.05]["pai"], means["naive"][0.05]["pai"]

    weighted = [pai(seed, 56.0) for seed in range(3)]
    unweighted = [pai(seed, float("inf"))[0] for seed in range(3)]
    model = np.mean([m for m, _ in weighted])
    naive = np.mean([n for _, n in weighted])
    assert model > 1.08 * naive, (weighted, unweighted)
    assert model > 1.08 * np.mean(unweighted), (weighted, unweighted)
    assert all(m > n for m, n in weighted)


def _fake_result(pai: dict[str, float], events: int = 10) -> forecast.WindowResult:
    fit = forecast.SelfExcitingFit(np.zeros(1), 0.0, 1.0, 0.0, 1.0, 1, True, 0.0)
    result = forecast.WindowResult(forecast.Window(0.0, 1.0, 1.0, 2.0), 10, events, fit)
    for model, value in pai.items():
        result.scores[model] = [forecast.CoverageScore(0.05, 1, 1, 1, events, 0.1, value, 1.0)]
    return result


def test_paired_difference_by_hand() -> None:
    results = [
        _fake_result({"self_exciting": 10.0, "naive": 9.0}),
        _fake_result({"self_exciting": 9.0, "naive": 9.0}),
        _fake_result({"self_exciting": 8.0, "naive": 9.0}),
        _fake_result({"self_exciting": 12.0, "naive": 9.0}),
        _fake_result({"self_exciting": 0.0, "naive": 5.0}, events=0),  # no test events: left out
    ]
    d = forecast.paired_difference(results, "self_exciting", "naive", 0)
    # differences 1, 0, −1, 3: mean 0.75, sample sd √(8.75/3), standard error sd / 2
    assert d.mean == pytest.approx(0.75)
    assert d.standard_error == pytest.approx(np.sqrt(8.75 / 3) / 2)
    assert (d.better, d.worse, d.ties, d.windows, d.coverage) == (2, 1, 1, 4, 0.05)


# --------------------------------------------------------------------------- the command


def _write_events(path: Path) -> None:
    grid, xs, ys, ts = simulate_contagion(7, side=20, days=70.0)
    lons = 106.55 + xs / 97_000.0  # a patch of Chongqing, roughly metres → degrees
    lats = 29.52 + ys / 111_000.0
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(ts, unit="D")
    pd.DataFrame({"lon": lons, "lat": lats, "at": when.strftime("%Y-%m-%d %H:%M:%S")}).to_csv(path, index=False)


def test_forecast_evaluate_prints_every_model_and_coverage(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    _write_events(csv)
    out = StringIO()
    call_command(
        "forecast", "evaluate", "--csv", str(csv), "--x-col", "lon", "--y-col", "lat",
        "--time-col", "at", "--crs", "wgs84", "--train-start", "2024-01-01", "--train-end", "2024-02-12",
        "--test-start", "2024-02-12", "--test-end", "2024-02-19", "--cell", "150", "--rolling-weeks", "2",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert set(result["models"]) == {"self_exciting", "naive", "kde"}
    for by_coverage in result["models"].values():
        assert set(by_coverage) == {"1%", "5%", "10%"}
        for figures in by_coverage.values():
            assert set(figures) == {"hit_rate", "pai", "pei_star"}
            assert 0 <= figures["pei_star"] <= 1
    assert result["windows_evaluated"] == 2
    assert result["events"] > 100
    # the defaults are the settings chosen on the Minneapolis tuning weeks
    assert result["settings"] == {
        "kde_bandwidth_metres": 200.0, "smooth": 0.0, "min_lag_days": 0.0, "history_half_life_days": 84.0,
    }
    for baseline in ("naive", "kde"):
        assert set(result["versus"][baseline]) == {"1%", "5%", "10%"}
        five = result["versus"][baseline]["5%"]
        assert five["better"] + five["worse"] + five["ties"] == 2
        assert five["pai_difference"] == pytest.approx(
            result["models"]["self_exciting"]["5%"]["pai"] - result["models"][baseline]["5%"]["pai"], abs=2e-3
        )


def test_forecast_evaluate_single_window_lists_it(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    _write_events(csv)
    out = StringIO()
    call_command(
        "forecast", "evaluate", "--csv", str(csv), "--x-col", "lon", "--y-col", "lat", "--time-col", "at",
        "--train-start", "2024-01-01", "--train-end", "2024-02-12", "--test-start", "2024-02-12",
        "--test-end", "2024-02-19", "--cell", "200", "--coverages", "5",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    (window,) = result["windows"]
    assert window["test"][0].startswith("2024-02-12")
    assert window["models"]["naive"]["5%"]["events"] == window["test_events"]


def test_forecast_evaluate_history_half_life_option(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    _write_events(csv)
    common = [
        "forecast", "evaluate", "--csv", str(csv), "--x-col", "lon", "--y-col", "lat", "--time-col", "at",
        "--train-start", "2024-01-15", "--train-end", "2024-02-12", "--test-start", "2024-02-12",
        "--test-end", "2024-02-19", "--cell", "200",
    ]
    for value, shown in (("0", 0.0), ("inf", "inf")):
        out = StringIO()
        call_command(*common, "--history-half-life", value, stdout=out)
        assert json.loads(out.getvalue())["settings"]["history_half_life_days"] == shown
    with pytest.raises(CommandError):
        call_command(*common, "--history-half-life", "-5")


def test_forecast_evaluate_rejects_a_test_period_inside_the_training(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    _write_events(csv)
    with pytest.raises(CommandError):
        call_command(
            "forecast", "evaluate", "--csv", str(csv), "--x-col", "lon", "--y-col", "lat", "--time-col", "at",
            "--train-start", "2024-01-01", "--train-end", "2024-02-12", "--test-start", "2024-02-01",
            "--test-end", "2024-02-08", "--cell", "200",
        )
