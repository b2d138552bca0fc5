"""The Knox test (pure) and `fengqiao knox` (no database)."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.analysis.knox import expected_under_permutation, knox, space_close_pairs


@pytest.fixture(scope="module")
def burkitt() -> list[list[object]]:
    """The Burkitt lymphoma cases of Uganda (188 rows: ID, X, Y, T days, AGE, DATE), shipped with libpysal."""
    import libpysal
    from libpysal import examples

    examples.load_example("burkitt")  # a built-in example: no download
    table = libpysal.io.open(examples.get_path("burkitt.dbf"))
    try:
        return [list(row) for row in table]
    finally:
        table.close()


def _xyt(rows: list[list[object]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = np.array([row[1:4] for row in rows], dtype=float)
    return data[:, 0], data[:, 1], data[:, 2]


# --- the published value -----------------------------------------------------------------------

# With 999 permutations the permuted mean stayed within 9.93–10.43 over 300 seeds (sd 0.094,
# p within 0.18–0.25); 0.35 is almost four standard deviations.
@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_burkitt_has_13_pairs_close_in_space_and_time_against_about_10_14_expected(burkitt, seed: int) -> None:
    xs, ys, ts = _xyt(burkitt)
    result = knox(xs, ys, ts, delta=20, tau=5, permutations=999, seed=seed)
    assert result.observed == 13
    assert result.expected == pytest.approx(10.14, abs=0.35)
    assert result.permutations == 999
    assert 0.1 < result.p < 0.35  # not significant, as published
    assert result.pairs_in_space == 3429


def test_burkitt_exact_permutation_expectation_is_the_published_10_14(burkitt) -> None:
    xs, ys, ts = _xyt(burkitt)
    pairs = len(space_close_pairs(xs, ys, 20))
    assert expected_under_permutation(ts, pairs, 5) == pytest.approx(10.1438, abs=1e-4)


# --- the test itself ---------------------------------------------------------------------------


def test_observed_count_equals_a_brute_force_count_including_the_boundaries() -> None:
    rng = np.random.default_rng(7)
    xs = np.round(rng.uniform(0, 100, 300))
    ys = np.round(rng.uniform(0, 100, 300))
    ts = np.round(rng.uniform(0, 60, 300))
    xs[:2] = [0.0, 10.0]  # exactly δ apart and exactly τ apart: counts
    ys[:2] = [0.0, 0.0]
    ts[:2] = [0.0, 3.0]
    dx = xs[:, None] - xs[None, :]
    dy = ys[:, None] - ys[None, :]
    close = (np.hypot(dx, dy) <= 10) & (np.abs(ts[:, None] - ts[None, :]) <= 3)
    want = int(np.triu(close, k=1).sum())
    result = knox(xs, ys, ts, delta=10, tau=3, permutations=9)
    assert result.observed == want
    assert result.pairs_in_space == int(np.triu(np.hypot(dx, dy) <= 10, k=1).sum())


def test_the_same_seed_gives_the_same_result_and_another_seed_the_same_observed_count() -> None:
    rng = np.random.default_rng(8)
    xs, ys, ts = rng.uniform(0, 1000, 500), rng.uniform(0, 1000, 500), rng.uniform(0, 100, 500)
    first = knox(xs, ys, ts, delta=50, tau=5, permutations=49, seed=3)
    assert knox(xs, ys, ts, delta=50, tau=5, permutations=49, seed=3) == first
    assert knox(xs, ys, ts, delta=50, tau=5, permutations=49, seed=4).observed == first.observed


def test_near_repeats_are_significant_at_the_smallest_p_the_permutations_allow() -> None:
    rng = np.random.default_rng(9)
    # 200 "first" burglaries scattered over a year; each followed within a week by one next door.
    xs0, ys0, ts0 = rng.uniform(0, 5000, 200), rng.uniform(0, 5000, 200), rng.uniform(0, 365, 200)
    xs = np.concatenate([xs0, xs0 + rng.uniform(-50, 50, 200)])
    ys = np.concatenate([ys0, ys0 + rng.uniform(-50, 50, 200)])
    ts = np.concatenate([ts0, ts0 + rng.uniform(0, 7, 200)])
    result = knox(xs, ys, ts, delta=100, tau=7, permutations=99)
    assert result.observed > 3 * result.expected
    assert result.p == pytest.approx(1 / 100)


def test_no_pairs_close_in_space_give_nothing_observed_nor_expected() -> None:
    xs = np.array([0.0, 1000.0, 2000.0])
    result = knox(xs, np.zeros(3), np.array([0.0, 1.0, 2.0]), delta=10, tau=5, permutations=19)
    assert (result.observed, result.expected, result.p, result.pairs_in_space) == (0, 0.0, 1.0, 0)


def test_the_mean_of_many_permutations_approaches_the_exact_expectation() -> None:
    rng = np.random.default_rng(10)
    xs, ys, ts = rng.uniform(0, 1000, 400), rng.uniform(0, 1000, 400), rng.uniform(0, 50, 400)
    result = knox(xs, ys, ts, delta=60, tau=2, permutations=2000, seed=1)
    exact = expected_under_permutation(ts, result.pairs_in_space, 2)
    assert result.expected == pytest.approx(exact, rel=0.02)


def test_knox_rejects_arrays_of_different_lengths_and_no_permutations() -> None:
    with pytest.raises(ValueError):
        knox(np.zeros(3), np.zeros(2), np.zeros(3), delta=1, tau=1)
    with pytest.raises(ValueError):
        knox(np.zeros(3), np.zeros(3), np.zeros(3), delta=1, tau=1, permutations=0)
    with pytest.raises(ValueError):
        knox(np.array([0.0, np.nan]), np.zeros(2), np.zeros(2), delta=1, tau=1)


# --- fengqiao knox ----------------------------------------------------------------------------


@pytest.fixture
def burkitt_csv(burkitt, tmp_path: Path) -> Path:
    path = tmp_path / "burkitt.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "X", "Y", "T", "AGE", "DATE"])
        for row in burkitt:
            writer.writerow([int(row[0]), row[1], row[2], row[3], row[4], row[5].isoformat()])  # type: ignore[attr-defined]
    return path


def _knox(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("knox", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_prints_the_burkitt_figures_as_json(burkitt_csv: Path) -> None:
    figures = _knox("--csv", str(burkitt_csv), "--x-col", "X", "--y-col", "Y", "--time-col", "T",
                    "--delta", "20", "--tau", "5", "--permutations", "999", "--seed", "1")
    assert figures["observed"] == 13
    assert figures["expected"] == pytest.approx(10.14, abs=0.35)
    assert figures["expected_exact"] == pytest.approx(10.1438, abs=1e-4)
    assert figures["permutations"] == 999
    assert figures["n"] == 188
    assert 0.1 < figures["p"] < 0.35  # type: ignore[operator]


def test_the_command_reads_a_date_column_in_days(burkitt_csv: Path) -> None:
    # DATE is the onset date; T counts the same days, so the pairs are the same.
    figures = _knox("--csv", str(burkitt_csv), "--x-col", "X", "--y-col", "Y", "--time-col", "DATE",
                    "--delta", "20", "--tau", "5", "--permutations", "99")
    assert figures["observed"] == 13


def test_the_command_measures_longitude_and_latitude_in_metres(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    # two burglaries ≈ 97 m apart (0.001° of longitude at 29.5° N) three days apart, one far away
    path.write_text("lon,lat,when\n"
                    "106.5600,29.5300,2026-03-01 22:00\n"
                    "106.5610,29.5300,2026-03-04 23:00\n"
                    "106.6000,29.5600,2026-03-02 01:00\n"
                    ",29.5,2026-03-02\n")
    near = _knox("--csv", str(path), "--x-col", "lon", "--y-col", "lat", "--time-col", "when",
                 "--crs", "wgs84", "--delta", "100", "--tau", "14", "--permutations", "9")
    assert (near["observed"], near["pairs_in_space"], near["n"], near["dropped"]) == (1, 1, 3, 1)
    far = _knox("--csv", str(path), "--x-col", "lon", "--y-col", "lat", "--time-col", "when",
                "--crs", "wgs84", "--delta", "90", "--tau", "14", "--permutations", "9")
    assert far["observed"] == 0


def test_the_command_names_a_missing_column(burkitt_csv: Path) -> None:
    with pytest.raises(CommandError, match="no column 'time'"):
        _knox("--csv", str(burkitt_csv), "--x-col", "X", "--y-col", "Y", "--time-col", "time",
              "--delta", "20", "--tau", "5")
