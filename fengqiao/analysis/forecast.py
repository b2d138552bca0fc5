"""Next week's hot spots: a self-exciting grid model, two baselines and their evaluation (pure).

The model (after Mohler et al. 2011, "Self-exciting point process modeling of crime", and
Mohler et al. 2015, "Randomized controlled field trials of predictive policing"): every
cell n of the grid has its own background rate μ_n, and every event raises the rate of
its own cell for a while,

    λ_n(t) = μ_n + Σ_{t_i < t, i in n} θ ω e^{−ω (t − t_i)}

θ is the expected number of events one event triggers (the branching ratio) and 1/ω the
mean lag (days) of the triggered ones. It is fitted by expectation–maximisation on the
events of a training window [t_start, t_end):

- E-step: each event i is either background (probability μ_n / λ_n(t_i)) or triggered by
  an earlier event j of its cell (probability θ ω e^{−ω (t_i − t_j)} / λ_n(t_i));
- M-step: μ_n = expected background events of n / T; θ = expected triggered events /
  Σ_j (1 − e^{−ω (t_end − t_j)}) (the triggered events every event had time to produce
  before the window closed); ω = expected triggered events / expected sum of their lags.

The exponential kernel makes every sum over earlier events a running sum along the events
of a cell, so an iteration costs O(N) (vectorised across cells, one step per rank in a cell).

The forecast for a cell is the expected count over the next period [t0, t0 + H) given the
history: for an exponential kernel the expected intensity x(t) obeys
x' = ω μ − ω (1 − θ) x, so with x(t0) = λ_n(t0) and x∞ = μ / (1 − θ),

    E[N_n] = x∞ H + (x(t0) − x∞) (1 − e^{−κ H}) / κ,   κ = ω (1 − θ)

— triggered events inside the period and their own offspring included. Optionally the
background is smoothed over the neighbouring cells (`smooth`), which helps cells whose
few training events understate a busy neighbourhood.

Optionally (`history_half_life` > 0) the background of the forecast is not the EM's
training-window μ_n but a recency-weighted rate from ALL the events before the forecast
period: with weights w_i = 2^{−(t0 − t_i)/h} (h the half-life, days; h = ∞ weighs all
equally) and the history starting at the first event t_first,

    μ_n = (1 − θ) Σ_{i in n} w_i / ∫_{t_first}^{t0} 2^{−(t0 − t)/h} dt

(the weighted count per weighted day, of which the share 1 − θ is background). θ and ω
still come from the EM on the training window.

Baselines: naive counts (the training window's count per cell) and kernel density of the
training events at the cell centres (`fengqiao.analysis.hotspots.kde`).

Evaluation, for a coverage c (1 %, 5 %, 10 % of the cells): the k = max(1, round(c · cells))
cells with the highest scores (ties broken by cell order, so the result is reproducible) are
"flagged"; with N test events of which `hits` fall in flagged cells,

    hit rate = hits / N,   PAI = hit rate / (k / cells),   PEI* = hits / hits*

where hits* is the largest count any k cells had in the test period (the flagged set a
perfect forecaster would have chosen). PEI* is 1 for a perfect forecast at that coverage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from fengqiao.analysis.geo import Grid
from fengqiao.analysis.hotspots import kde

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]

DAY_SECONDS = 86_400.0
DEFAULT_COVERAGES: tuple[float, ...] = (0.01, 0.05, 0.10)
MODELS: tuple[str, ...] = ("self_exciting", "naive", "kde")

# ω is kept inside these bounds (per day): a lag shorter than ~15 minutes or longer than
# three years says the data has no usable triggering, not that the kernel is that shape.
OMEGA_MIN = 1.0 / 1000.0
OMEGA_MAX = 100.0
THETA_MAX = 0.99


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class SelfExcitingFit:
    """A fitted self-exciting grid model; rates are per day, `mu` has one entry per cell."""

    mu: Array
    theta: float
    omega: float
    t_start: float
    t_end: float
    iterations: int
    converged: bool
    log_likelihood: float

    @property
    def mean_lag_days(self) -> float:
        return 1.0 / self.omega


@dataclass(frozen=True)
class _CellOrder:
    """Events sorted by (cell, time), with what the running sums along a cell need."""

    order: IntArray  # positions of the sorted events in the caller's arrays
    cells: IntArray  # cell of each sorted event
    ts: Array  # time of each sorted event
    gaps: Array  # time since the previous event of the same cell (0 for a cell's first)
    steps: list[IntArray]  # steps[r - 1]: sorted positions of the events of rank r ≥ 1 in their cell


def _cell_order(cells: IntArray, ts: Array) -> _CellOrder:
    order = np.lexsort((ts, cells)).astype(np.int64)
    c = cells[order]
    t = ts[order]
    n = c.size
    first = np.ones(n, dtype=bool)
    if n > 1:
        first[1:] = c[1:] != c[:-1]
    gaps = np.zeros(n, dtype=np.float64)
    if n > 1:
        gaps[1:] = t[1:] - t[:-1]
    gaps[first] = 0.0
    # rank of each event within its cell: position minus the position of the cell's first event
    starts = np.flatnonzero(first)
    run = np.diff(np.append(starts, n))
    rank = np.arange(n, dtype=np.int64) - np.repeat(starts, run)
    by_rank = np.argsort(rank, kind="stable").astype(np.int64)
    bounds = np.searchsorted(rank[by_rank], np.arange(1, int(rank.max(initial=0)) + 2))
    steps = [by_rank[bounds[r]:bounds[r + 1]] for r in range(len(bounds) - 1)]
    return _CellOrder(order, c, t, gaps, steps)


def _running_sums(co: _CellOrder, omega: float) -> tuple[Array, Array]:
    """For each sorted event i: A_i = Σ_j e^{−ω Δ_ij} and B_i = Σ_j Δ_ij e^{−ω Δ_ij} over the
    earlier events j of its cell (Δ_ij = t_i − t_j), by the recurrences
    A_i = e^{−ω d}(A_{i−1} + 1), B_i = e^{−ω d}(B_{i−1} + d (A_{i−1} + 1)), d = t_i − t_{i−1}."""
    n = co.ts.size
    a = np.zeros(n, dtype=np.float64)
    b = np.zeros(n, dtype=np.float64)
    decay = np.exp(-omega * co.gaps)
    for idx in co.steps:
        prev = idx - 1
        d = co.gaps[idx]
        carried = a[prev] + 1.0
        a[idx] = decay[idx] * carried
        b[idx] = decay[idx] * (b[prev] + d * carried)
    return a, b


def fit_self_exciting(
    cells: IntArray,
    ts: Array,
    n_cells: int,
    t_start: float,
    t_end: float,
    *,
    theta: float = 0.5,
    omega: float = 1.0,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
    omega_max: float = OMEGA_MAX,
    shape: tuple[int, int] | None = None,
    background_smoothing: float = 0.0,
) -> SelfExcitingFit:
    """Fit μ (per cell), θ and ω by EM to the events (`cells`: flat cell index, `ts`: days)
    of the window [t_start, t_end). Events outside the window are ignored."""
    if t_end <= t_start:
        raise ValueError("the training window is empty")
    cells = np.asarray(cells, dtype=np.int64)
    ts = np.asarray(ts, dtype=np.float64)
    keep = (ts >= t_start) & (ts < t_end) & (cells >= 0) & (cells < n_cells)
    cells, ts = cells[keep], ts[keep]
    period = t_end - t_start
    if ts.size == 0:
        return SelfExcitingFit(np.zeros(n_cells), 0.0, omega, t_start, t_end, 0, True, 0.0)

    co = _cell_order(cells, ts)
    n = ts.size
    omega = min(omega, omega_max)
    counts = np.bincount(co.cells, minlength=n_cells).astype(np.float64)
    mu = counts / period * (1.0 - theta)
    remaining = t_end - co.ts  # time each event had left in the window to trigger others
    previous = -math.inf
    log_likelihood = -math.inf
    iterations = 0
    converged = False
    while iterations < max_iterations:
        iterations += 1
        # E-step
        a, b = _running_sums(co, omega)
        triggered_rate = theta * omega * a
        rate = mu[co.cells] + triggered_rate
        p_triggered = np.divide(triggered_rate, rate, out=np.zeros(n), where=rate > 0)
        lag_weight = np.divide(theta * omega * b, rate, out=np.zeros(n), where=rate > 0)
        compensator = float(mu.sum()) * period + theta * float(np.sum(1.0 - np.exp(-omega * remaining)))
        log_likelihood = float(np.sum(np.log(rate[rate > 0]))) - compensator
        # M-step
        background = np.bincount(co.cells, weights=1.0 - p_triggered, minlength=n_cells)
        mu = background / period
        if shape is not None and background_smoothing > 0:
            mu = smooth_background(mu, shape, background_smoothing)
        expected_triggered = float(p_triggered.sum())
        total_lag = float(lag_weight.sum())
        if expected_triggered <= 1e-12 or total_lag <= 0.0:
            theta = 0.0
        else:
            omega = min(max(expected_triggered / total_lag, OMEGA_MIN), omega_max)
            exposure = float(np.sum(1.0 - np.exp(-omega * remaining)))
            theta = min(expected_triggered / exposure, THETA_MAX) if exposure > 0 else 0.0
        if abs(log_likelihood - previous) <= tolerance * max(1.0, abs(log_likelihood)):
            converged = True
            break
        previous = log_likelihood
    return SelfExcitingFit(mu, theta, omega, t_start, t_end, iterations, converged, log_likelihood)


def smooth_background(mu: Array, shape: tuple[int, int], weight: float) -> Array:
    """Mix each cell's background with the mean of its 3 × 3 neighbourhood:
    (1 − weight) μ_n + weight · mean(μ over n and its 8 neighbours)."""
    if weight <= 0:
        return mu
    surface = mu.reshape(shape)
    padded = np.pad(surface, 1)
    rows, cols = shape
    neighbourhood = sum(
        padded[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols] for dr in (-1, 0, 1) for dc in (-1, 0, 1)
    ) / 9.0
    mixed: Array = (1.0 - weight) * surface + weight * neighbourhood
    return mixed.reshape(-1)


def expected_counts(
    fit: SelfExcitingFit,
    cells: IntArray,
    ts: Array,
    t0: float,
    horizon: float,
    *,
    mu: Array | None = None,
) -> Array:
    """Expected events per cell in [t0, t0 + horizon) given the events before t0
    (`cells`, `ts`; later ones are ignored); `mu` replaces the fitted background (smoothing)."""
    background = fit.mu if mu is None else mu
    cells = np.asarray(cells, dtype=np.int64)
    ts = np.asarray(ts, dtype=np.float64)
    before = (ts < t0) & (cells >= 0) & (cells < background.size)
    excitation = np.bincount(
        cells[before],
        weights=fit.theta * fit.omega * np.exp(-fit.omega * (t0 - ts[before])),
        minlength=background.size,
    )
    theta = min(fit.theta, THETA_MAX)
    start = background + excitation  # λ_n(t0)
    stationary = background / (1.0 - theta)
    kappa = fit.omega * (1.0 - theta)
    settle = (1.0 - math.exp(-kappa * horizon)) / kappa if kappa > 0 else horizon
    result: Array = stationary * horizon + (start - stationary) * settle
    return result


def recency_weighted_rates(
    cells: IntArray,
    ts: Array,
    n_cells: int,
    t0: float,
    half_life: float,
) -> Array:
    """Events per day in each cell before t0, each event weighted 2^{−(t0 − t)/half_life}
    and divided by the weighted length of the history (from the first event to t0);
    `half_life` = ∞ gives the plain mean rate over the history."""
    if not half_life > 0:
        raise ValueError("the half-life must be positive (math.inf: no decay)")
    cells = np.asarray(cells, dtype=np.int64)
    ts = np.asarray(ts, dtype=np.float64)
    before = (ts < t0) & (cells >= 0) & (cells < n_cells)
    if not before.any():
        return np.zeros(n_cells, dtype=np.float64)
    ages = t0 - ts[before]
    span = float(ages.max())
    if math.isinf(half_life):
        weights = np.ones(ages.size, dtype=np.float64)
        exposure = span
    else:
        decay = math.log(2.0) / half_life
        weights = np.exp(-decay * ages)
        exposure = -math.expm1(-decay * span) / decay
    exposure = max(exposure, 1e-9)  # a history of one instant
    rates: Array = np.bincount(cells[before], weights=weights, minlength=n_cells) / exposure
    return rates


# --------------------------------------------------------------------------- baselines


def naive_counts(cells: IntArray, n_cells: int) -> Array:
    """Training events per cell (the score of the naive baseline)."""
    cells = np.asarray(cells, dtype=np.int64)
    inside = (cells >= 0) & (cells < n_cells)
    return np.bincount(cells[inside], minlength=n_cells).astype(np.float64)


def kde_scores(grid: Grid, xs: Array, ys: Array, bandwidth: float) -> Array:
    """Kernel density of the training events at every cell centre, flattened row by row."""
    density = np.asarray(kde(grid, xs, ys, bandwidth), dtype=np.float64)
    return density.reshape(-1)


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class CoverageScore:
    """How one forecast did at one coverage."""

    coverage: float
    cells_flagged: int
    hits: int
    best_hits: int
    events: int
    hit_rate: float
    pai: float
    pei_star: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "cells_flagged": self.cells_flagged,
            "hits": self.hits,
            "best_hits": self.best_hits,
            "events": self.events,
            "hit_rate": self.hit_rate,
            "pai": self.pai,
            "pei_star": self.pei_star,
        }


def flagged_cells(scores: Array, k: int) -> IntArray:
    """The k cells with the highest scores; equal scores go in cell order."""
    order = np.lexsort((np.arange(scores.size), -np.asarray(scores, dtype=np.float64)))
    return order[:k].astype(np.int64)


def cells_for(coverage: float, n_cells: int) -> int:
    if not 0 < coverage <= 1:
        raise ValueError("coverage must be in (0, 1]")
    return min(n_cells, max(1, round(coverage * n_cells)))


def score_forecast(scores: Array, test_counts: Array, coverage: float) -> CoverageScore:
    """Hit rate, PAI and PEI* of `scores` (one per cell) against the test period's counts."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    test_counts = np.asarray(test_counts, dtype=np.float64).reshape(-1)
    if scores.shape != test_counts.shape:
        raise ValueError("scores and test counts must cover the same cells")
    n_cells = scores.size
    k = cells_for(coverage, n_cells)
    events = int(round(float(test_counts.sum())))
    hits = int(round(float(test_counts[flagged_cells(scores, k)].sum())))
    best_hits = int(round(float(np.sort(test_counts)[::-1][:k].sum())))
    hit_rate = hits / events if events else 0.0
    area = k / n_cells
    return CoverageScore(
        coverage=coverage,
        cells_flagged=k,
        hits=hits,
        best_hits=best_hits,
        events=events,
        hit_rate=hit_rate,
        pai=hit_rate / area,
        pei_star=hits / best_hits if best_hits else 0.0,
    )


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Window:
    """A training and a test period (days on the caller's time axis), half-open."""

    train_start: float
    train_end: float
    test_start: float
    test_end: float

    def shifted(self, days: float) -> Window:
        return Window(
            self.train_start + days, self.train_end + days, self.test_start + days, self.test_end + days
        )


@dataclass(frozen=True)
class Settings:
    """What the models are run with."""

    coverages: tuple[float, ...] = DEFAULT_COVERAGES
    kde_bandwidth: float = 300.0  # metres
    smooth: float = 0.0  # neighbourhood weight of the self-exciting background
    min_lag_days: float = 0.0  # lower bound of the mean triggering lag 1/ω (0: OMEGA_MAX)
    max_iterations: int = 200
    # > 0: the forecast's background is the recency-weighted rate of ALL events before the
    # test period with this half-life in days (math.inf: unweighted); 0: the EM's μ
    history_half_life: float = 0.0


@dataclass(frozen=True)
class WindowResult:
    window: Window
    train_events: int
    test_events: int
    fit: SelfExcitingFit
    scores: dict[str, list[CoverageScore]] = field(default_factory=dict)


def forecast_scores(
    grid: Grid,
    xs: Array,
    ys: Array,
    ts: Array,
    window: Window,
    settings: Settings,
) -> tuple[SelfExcitingFit, dict[str, Array]]:
    """Fit on the training period and score every cell for the test period, for each model."""
    rows, cols, inside = grid.index(xs, ys)
    cells = np.where(inside, rows * grid.nx + cols, -1).astype(np.int64)
    train = inside & (ts >= window.train_start) & (ts < window.train_end)
    fit = fit_self_exciting(
        cells[train], ts[train], grid.cells, window.train_start, window.train_end,
        max_iterations=settings.max_iterations,
        omega_max=1.0 / settings.min_lag_days if settings.min_lag_days > 0 else OMEGA_MAX,
    )
    background = fit.mu
    if settings.history_half_life > 0:
        history = inside & (ts < window.test_start)
        rates = recency_weighted_rates(
            cells[history], ts[history], grid.cells, window.test_start, settings.history_half_life
        )
        background = (1.0 - min(fit.theta, THETA_MAX)) * rates
    mu = smooth_background(background, grid.shape, settings.smooth)
    horizon = window.test_end - window.test_start
    scores = {
        "self_exciting": expected_counts(fit, cells[train], ts[train], window.test_start, horizon, mu=mu),
        "naive": naive_counts(cells[train], grid.cells),
        "kde": kde_scores(grid, xs[train], ys[train], settings.kde_bandwidth),
    }
    return fit, scores


def evaluate_window(
    grid: Grid,
    xs: Array,
    ys: Array,
    ts: Array,
    window: Window,
    settings: Settings = Settings(),
) -> WindowResult:
    """Fit on the window's training events, forecast its test period, score every model."""
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    ts = np.asarray(ts, dtype=np.float64)
    if not window.train_start < window.train_end <= window.test_start < window.test_end:
        raise ValueError("the training period must end before the test period, both non-empty")
    fit, scores = forecast_scores(grid, xs, ys, ts, window, settings)
    rows, cols, inside = grid.index(xs, ys)
    test = inside & (ts >= window.test_start) & (ts < window.test_end)
    test_counts = np.bincount(rows[test] * grid.nx + cols[test], minlength=grid.cells).astype(np.float64)
    train_events = int(np.sum(inside & (ts >= window.train_start) & (ts < window.train_end)))
    result = WindowResult(window, train_events, int(test.sum()), fit)
    for model, model_scores in scores.items():
        result.scores[model] = [score_forecast(model_scores, test_counts, c) for c in settings.coverages]
    return result


def rolling_windows(first: Window, count: int, step_days: float = 7.0) -> list[Window]:
    """`count` windows: `first`, then shifted by `step_days` each time."""
    if count < 1:
        raise ValueError("at least one window")
    return [first.shifted(i * step_days) for i in range(count)]


def mean_scores(results: Sequence[WindowResult]) -> dict[str, dict[float, dict[str, float]]]:
    """Mean hit rate, PAI and PEI* per model and coverage over windows with test events."""
    scored = [r for r in results if r.test_events > 0]
    means: dict[str, dict[float, dict[str, float]]] = {}
    if not scored:
        return means
    for model in scored[0].scores:
        means[model] = {}
        for i, first in enumerate(scored[0].scores[model]):
            rows = [r.scores[model][i] for r in scored]
            means[model][first.coverage] = {
                "hit_rate": float(np.mean([s.hit_rate for s in rows])),
                "pai": float(np.mean([s.pai for s in rows])),
                "pei_star": float(np.mean([s.pei_star for s in rows])),
                "windows": float(len(rows)),
            }
    return means


@dataclass(frozen=True)
class PairedDifference:
    """A model's PAI minus a baseline's, week by week (windows with test events)."""

    coverage: float
    mean: float
    standard_error: float
    better: int
    worse: int
    ties: int
    windows: int


def paired_difference(
    results: Sequence[WindowResult], model: str, baseline: str, coverage_index: int
) -> PairedDifference:
    """Mean and standard error (sample sd / √n) of the per-window PAI differences
    `model` − `baseline` at the coverage `coverage_index` of the settings."""
    scored = [r for r in results if r.test_events > 0]
    if not scored:
        return PairedDifference(0.0, 0.0, 0.0, 0, 0, 0, 0)
    coverage = scored[0].scores[model][coverage_index].coverage
    diffs = np.array(
        [r.scores[model][coverage_index].pai - r.scores[baseline][coverage_index].pai for r in scored]
    )
    se = float(diffs.std(ddof=1) / math.sqrt(diffs.size)) if diffs.size > 1 else 0.0
    return PairedDifference(
        coverage=coverage,
        mean=float(diffs.mean()),
        standard_error=se,
        better=int(np.sum(diffs > 1e-12)),
        worse=int(np.sum(diffs < -1e-12)),
        ties=int(np.sum(np.abs(diffs) <= 1e-12)),
        windows=int(diffs.size),
    )


def days_since(seconds: Array, epoch: float) -> Array:
    """POSIX seconds → days since `epoch` (POSIX seconds)."""
    return (np.asarray(seconds, dtype=np.float64) - epoch) / DAY_SECONDS
