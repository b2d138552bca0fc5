"""Grid counts, kernel density and Getis-Ord Gi* (pure: no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fengqiao.analysis import hotspots
from fengqiao.analysis.geo import Grid, grid_for
from fengqiao.analysis.hotspots import GiStar, getis_ord, grid_counts, kde

# --- grid counts -------------------------------------------------------------------------------


def test_grid_counts_puts_each_point_in_its_cell_and_ignores_points_outside() -> None:
    grid = Grid(0.0, 0.0, 100.0, nx=3, ny=2)
    xs = np.array([10.0, 20.0, 150.0, 299.0, 250.0, -1.0, 300.0])
    ys = np.array([10.0, 90.0, 50.0, 199.0, 150.0, 50.0, 50.0])
    counts = grid_counts(grid, xs, ys)
    assert counts.shape == (2, 3)
    assert counts.tolist() == [[2.0, 1.0, 0.0], [0.0, 0.0, 2.0]]


def test_grid_counts_sums_weights() -> None:
    grid = Grid(0.0, 0.0, 100.0, nx=2, ny=1)
    counts = grid_counts(grid, np.array([10.0, 20.0, 150.0]), np.array([5.0, 5.0, 5.0]),
                         weights=np.array([0.5, 2.0, 3.0]))
    assert counts.tolist() == [[2.5, 3.0]]


# --- kernel density --------------------------------------------------------------------------


def _direct_density(grid: Grid, xs: np.ndarray, ys: np.ndarray, h: float, kernel: str) -> np.ndarray:
    """The textbook sum of kernels at every cell centre, events per km² (slow, for checking)."""
    cx, cy = grid.centres()
    d2 = (cx[..., None] - xs) ** 2 + (cy[..., None] - ys) ** 2
    if kernel == "quartic":
        k = 3 / (math.pi * h * h) * np.clip(1 - d2 / (h * h), 0, None) ** 2
    else:
        k = np.exp(-d2 / (2 * h * h)) / (2 * math.pi * h * h)
    return k.sum(axis=-1) * 1e6


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_kde_equals_the_direct_sum_when_points_sit_on_bin_centres(kernel: str) -> None:
    rng = np.random.default_rng(3)
    grid = Grid(0.0, 0.0, 100.0, nx=30, ny=20)
    bin_width = 100.0 / 5
    xs = (np.floor(rng.uniform(-200, 3200, 400) / bin_width) + 0.5) * bin_width
    ys = (np.floor(rng.uniform(-200, 2200, 400) / bin_width) + 0.5) * bin_width
    got = kde(grid, xs, ys, 300.0, kernel=kernel, oversample=5)  # type: ignore[arg-type]
    want = _direct_density(grid, xs, ys, 300.0, kernel)
    # Only the kernel's discretisation (scaled to sum to one) differs: well under 0.1 %.
    assert np.abs(got - want).max() < 1e-3 * want.max()


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_kde_of_scattered_points_is_close_to_the_direct_sum(kernel: str) -> None:
    rng = np.random.default_rng(4)
    grid = Grid(0.0, 0.0, 150.0, nx=20, ny=20)
    xs = rng.uniform(0, 3000, 2000)
    ys = rng.uniform(0, 3000, 2000)
    got = kde(grid, xs, ys, 300.0, kernel=kernel)  # type: ignore[arg-type]
    want = _direct_density(grid, xs, ys, 300.0, kernel)
    # Binning moves each point by at most half a fine bin (bandwidth / 10).
    assert np.abs(got - want).max() < 0.02 * want.max()
    assert np.abs(got - want).mean() < 0.005 * want.mean()


def test_simple_binning_is_close_to_linear_binning_for_many_points() -> None:
    rng = np.random.default_rng(11)
    xs = rng.uniform(0, 3000, 50_000)
    ys = rng.uniform(0, 3000, 50_000)
    grid = Grid(0.0, 0.0, 150.0, nx=20, ny=20)
    linear = kde(grid, xs, ys, 300.0, binning="linear")
    simple = kde(grid, xs, ys, 300.0, binning="simple")
    assert np.abs(simple - linear).max() < 0.01 * linear.max()
    assert np.array_equal(kde(grid, xs, ys, 300.0), linear)  # "auto": linear below a million points


def test_a_huge_grid_is_binned_more_coarsely_rather_than_running_out_of_memory() -> None:
    city = Grid(0.0, 0.0, 150.0, nx=300, ny=300)
    assert hotspots._oversample_for(city, 300.0, "quartic") == 5  # bins of 30 m: bandwidth / 10
    province = Grid(0.0, 0.0, 100.0, nx=3000, ny=3000)  # 300 km square at 100 m
    s = hotspots._oversample_for(province, 50.0, "quartic")  # would want 15 bins a cell
    assert s % 2 == 1
    assert (3000 * s + 2) ** 2 <= hotspots._MAX_FINE_BINS


def test_kde_of_one_point_peaks_at_its_cell_with_the_quartic_height_in_events_per_km2() -> None:
    grid = Grid(0.0, 0.0, 50.0, nx=21, ny=21)
    density = kde(grid, np.array([525.0]), np.array([525.0]), 200.0)
    assert np.unravel_index(np.argmax(density), density.shape) == (10, 10)
    assert density[10, 10] == pytest.approx(3 / (math.pi * 200.0**2) * 1e6, rel=0.01)  # ≈ 23.9 per km²
    assert density[10, 15] == 0.0  # 250 m away: beyond the quartic's support


def test_kde_keeps_the_number_of_events() -> None:
    rng = np.random.default_rng(5)
    xs = rng.normal(0, 500, 10_000)
    ys = rng.normal(0, 500, 10_000)
    grid = grid_for(xs, ys, 100.0, pad=4)  # the kernels (300 m) all fall on the grid
    density = kde(grid, xs, ys, 300.0)
    assert float(density.sum()) * 0.01 == pytest.approx(10_000, rel=0.01)  # per km² × 0.01 km² a cell


def test_kde_counts_points_just_outside_the_grid() -> None:
    grid = Grid(0.0, 0.0, 100.0, nx=2, ny=2)
    density = kde(grid, np.array([-50.0]), np.array([50.0]), 300.0)
    assert density[0, 0] > 0
    assert density[0, 0] > density[0, 1] > 0


def test_kde_weights_scale_the_density() -> None:
    grid = Grid(0.0, 0.0, 100.0, nx=5, ny=5)
    xs = np.array([120.0, 380.0])
    ys = np.array([250.0, 250.0])
    once = kde(grid, xs, ys, 250.0)
    weighted = kde(grid, xs, ys, 250.0, weights=np.array([2.0, 2.0]))
    assert np.allclose(weighted, 2 * once)


def test_kde_rejects_a_bandwidth_that_is_not_positive_and_an_even_oversample() -> None:
    grid = Grid(0.0, 0.0, 100.0, nx=2, ny=2)
    with pytest.raises(ValueError):
        kde(grid, np.array([1.0]), np.array([1.0]), 0.0)
    with pytest.raises(ValueError):
        kde(grid, np.array([1.0]), np.array([1.0]), 100.0, oversample=4)


def test_kde_of_no_points_is_zero() -> None:
    grid = Grid(0.0, 0.0, 100.0, nx=3, ny=3)
    assert not kde(grid, np.array([]), np.array([]), 200.0).any()


# --- Getis-Ord Gi* ----------------------------------------------------------------------------

HAND_GRID = np.array([
    [1.0, 2.0, 0.0, 0.0],
    [3.0, 9.0, 1.0, 0.0],
    [0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 4.0],
])
# n = 16, Σx = 21, x̄ = 21/16 = 1.3125, Σx² = 113, S = √(113/16 − 1.3125²) = √5.33984375
S_HAND = math.sqrt(113 / 16 - 1.3125**2)


def test_getis_ord_matches_the_hand_computed_cells() -> None:
    gi = getis_ord(HAND_GRID)
    # centre cell (1, 1): window rows 0–2 × cols 0–2 sums to 17 over 9 cells
    z_centre = (17 - 1.3125 * 9) / (S_HAND * math.sqrt((16 * 9 - 9**2) / 15))
    # edge cell (0, 1): rows 0–1 × cols 0–2, 6 cells, sum 16
    z_edge = (16 - 1.3125 * 6) / (S_HAND * math.sqrt((16 * 6 - 6**2) / 15))
    # corner cell (3, 3): rows 2–3 × cols 2–3, 4 cells, sum 4
    z_corner = (4 - 1.3125 * 4) / (S_HAND * math.sqrt((16 * 4 - 4**2) / 15))
    assert z_centre == pytest.approx(1.0954, abs=1e-4)
    assert z_edge == pytest.approx(1.7581, abs=1e-4)
    assert z_corner == pytest.approx(-0.3024, abs=1e-4)
    assert gi.z[1, 1] == pytest.approx(z_centre)
    assert gi.z[0, 1] == pytest.approx(z_edge)
    assert gi.z[3, 3] == pytest.approx(z_corner)
    # two-sided normal p: 2·(1 − Φ(|z|)) = erfc(|z|/√2)
    assert gi.p[0, 1] == pytest.approx(math.erfc(z_edge / math.sqrt(2)))
    assert gi.p[0, 1] == pytest.approx(0.0787, abs=1e-4)


def _gi_star_by_weight_matrix(values: np.ndarray, radius: int) -> np.ndarray:
    """Gi* from an explicit n × n binary weight matrix, cell by cell (slow, for checking)."""
    ny, nx = values.shape
    x = values.ravel()
    n = x.size
    mean = x.mean()
    s = math.sqrt((x**2).sum() / n - mean**2)
    z = np.zeros(n)
    for i in range(n):
        ri, ci = divmod(i, nx)
        w = np.zeros(n)
        for j in range(n):
            rj, cj = divmod(j, nx)
            if abs(ri - rj) <= radius and abs(ci - cj) <= radius:
                w[j] = 1.0
        numerator = (w * x).sum() - mean * w.sum()
        denominator = s * math.sqrt((n * (w**2).sum() - w.sum() ** 2) / (n - 1))
        z[i] = numerator / denominator
    return z.reshape(ny, nx)


@pytest.mark.parametrize("radius", [1, 2])
def test_getis_ord_equals_the_weight_matrix_formula_on_a_random_grid(radius: int) -> None:
    values = np.random.default_rng(6).poisson(2.0, (7, 9)).astype(float)
    assert np.allclose(getis_ord(values, radius_cells=radius).z, _gi_star_by_weight_matrix(values, radius))


def test_a_cluster_of_high_counts_is_a_significant_hot_spot() -> None:
    values = np.ones((15, 15))
    values[6:9, 6:9] = 12.0
    gi = getis_ord(values)
    assert gi.z[7, 7] > 2.58 and gi.p[7, 7] < 0.01
    assert gi.levels()[7, 7] == 3
    assert gi.levels()[0, 0] <= 0


def test_levels_grade_hot_and_cold_spots_by_confidence() -> None:
    z = np.array([[3.0, -2.0, 1.7, 0.5]])
    p = np.array([[0.003, 0.046, 0.089, 0.62]])
    assert GiStar(z, p).levels().tolist() == [[3, -2, 1, 0]]


def test_a_flat_grid_has_no_hot_spots() -> None:
    gi = getis_ord(np.full((4, 4), 3.0))
    assert not gi.z.any()
    assert (gi.p == 1.0).all()
