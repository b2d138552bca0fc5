"""The hot-spot map's layers as GeoJSON (pure: numpy, the grid and `hotspots`).

`layer(lons, lats, method, cell=, bandwidth=)` puts the incidents on a grid of `cell`-metre
squares around them and answers a GeoJSON FeatureCollection of the cells worth drawing,
each a square polygon (WGS84) with its value and a colour class `level`:

- `counts`: incidents per cell (cells with at least one), `level` 1–5 by quantile breaks;
- `kde`: kernel density at the cell centre (incidents per km², quartic kernel, fixed
  bandwidth), cells above 5 % of the maximum, `level` 1–5;
- `gistar`: Getis-Ord Gi* of the cell counts (the cell and its eight neighbours), only the
  significant cells: |z| > 1.96 (p < 0.05); `level` +1/+2/+3 hot at 95/99/99.9 %, negative
  for cold;
- `forecast`: the expected incidents per cell over the next week from the self-exciting
  model of `forecast.py` fitted on the last `train_days` (when that module offers it), the
  top 5 % of the cells, `level` 1–5.

The `meta` member of the collection says the grid (cell, rows, columns), the number of
incidents placed and the class breaks, for the legend.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from fengqiao.analysis import geo, hotspots

Array = NDArray[np.float64]
Method = Literal["counts", "kde", "gistar", "forecast"]
METHODS: tuple[str, ...] = ("counts", "kde", "gistar", "forecast")
Z_95 = 1.96
Z_99 = 2.576
Z_999 = 3.291
KDE_FLOOR = 0.05
FORECAST_COVERAGE = 0.05
CLASSES = 5
# A grid is never made larger than this many cells (a bigger area gets bigger cells).
MAX_CELLS = 250_000


def forecast_available() -> bool:
    """Whether `forecast.py` offers what the forecast layer needs."""
    try:
        from fengqiao.analysis import forecast
    except ImportError:
        return False
    return all(hasattr(forecast, name) for name in ("forecast_scores", "Window", "Settings"))


def grid_around(xs: Array, ys: Array, cell: float, pad: int) -> geo.Grid:
    """The grid over the points, widened by `pad` cells, its cells enlarged if there would be too many."""
    grid = geo.grid_for(xs, ys, cell, pad=pad)
    while grid.cells > MAX_CELLS:
        cell *= 2
        grid = geo.grid_for(xs, ys, cell, pad=pad)
    return grid


def _breaks(values: Array) -> list[float]:
    """Upper bounds of CLASSES quantile classes of the positive values."""
    positive = values[values > 0]
    if positive.size == 0:
        return []
    qs = np.quantile(positive, np.linspace(0, 1, CLASSES + 1)[1:])
    return [float(q) for q in qs]


def _classes(values: Array, breaks: list[float]) -> NDArray[np.int64]:
    if not breaks:
        return np.zeros(values.shape, dtype=np.int64)
    level: NDArray[np.int64] = np.searchsorted(np.asarray(breaks), values, side="left").astype(np.int64) + 1
    return np.clip(level, 1, CLASSES)


def _square(grid: geo.Grid, origin: geo.Origin, row: int, col: int) -> list[list[list[float]]]:
    x0, y0, x1, y1 = grid.bounds(row, col)
    lons, lats = geo.unproject(np.array([x0, x1, x1, x0, x0]), np.array([y0, y0, y1, y1, y0]), origin)
    return [[[round(float(lon), 6), round(float(lat), 6)] for lon, lat in zip(lons, lats, strict=True)]]


def _collection(grid: geo.Grid, origin: geo.Origin, rows: NDArray[np.int64], cols: NDArray[np.int64],
                properties: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    features = [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": _square(grid, origin, int(r), int(c))},
         "properties": {"row": int(r), "col": int(c), **props}}
        for r, c, props in zip(rows, cols, properties, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features,
            "meta": {"cell": grid.cell, "rows": grid.ny, "cols": grid.nx, **meta}}


def layer(lons: Array, lats: Array, method: str, *, cell: float = 150.0, bandwidth: float = 300.0,
          times: Array | None = None, now: float | None = None, train_days: float = 84.0,
          origin: geo.Origin | None = None) -> dict[str, Any]:
    """The cells of one method as GeoJSON. `times` (days on any axis) and `now` (the same
    axis) are needed for the forecast."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    lons = np.asarray(lons, dtype=np.float64)
    lats = np.asarray(lats, dtype=np.float64)
    known = np.isfinite(lons) & np.isfinite(lats)
    lons, lats = lons[known], lats[known]
    empty = {"type": "FeatureCollection", "features": [],
             "meta": {"cell": cell, "rows": 0, "cols": 0, "method": method, "incidents": 0, "breaks": []}}
    if lons.size == 0:
        return empty
    if origin is None:
        origin = geo.origin_of(lons, lats)
    xs, ys = geo.project(lons, lats, origin)
    pad = max(1, math.ceil(bandwidth / cell)) if method == "kde" else 1
    grid = grid_around(xs, ys, cell, pad)
    base = {"method": method, "incidents": int(lons.size)}

    if method == "counts":
        counts = hotspots.grid_counts(grid, xs, ys)
        rows, cols = np.nonzero(counts > 0)
        values = counts[rows, cols]
        breaks = _breaks(values)
        levels = _classes(values, breaks)
        props: list[dict[str, Any]] = [{"value": int(v), "level": int(lv)} for v, lv in zip(values, levels, strict=True)]
        return _collection(grid, origin, rows, cols, props, {**base, "breaks": breaks})

    if method == "kde":
        density = hotspots.kde(grid, xs, ys, bandwidth)
        peak = float(density.max()) if density.size else 0.0
        if peak <= 0:
            return _collection(grid, origin, np.array([], dtype=np.int64), np.array([], dtype=np.int64), [],
                               {**base, "breaks": [], "bandwidth": bandwidth})
        rows, cols = np.nonzero(density > KDE_FLOOR * peak)
        values = density[rows, cols]
        breaks = _breaks(values)
        levels = _classes(values, breaks)
        props = [{"value": round(float(v), 2), "level": int(lv)} for v, lv in zip(values, levels, strict=True)]
        return _collection(grid, origin, rows, cols, props, {**base, "breaks": breaks, "bandwidth": bandwidth})

    if method == "gistar":
        counts = hotspots.grid_counts(grid, xs, ys)
        gi = hotspots.getis_ord(counts, radius_cells=1)
        rows, cols = np.nonzero(np.abs(gi.z) > Z_95)
        zs = gi.z[rows, cols]
        ps = gi.p[rows, cols]
        props = [
            {"value": round(float(z), 2), "p": float(f"{float(p):.3g}"), "count": int(counts[r, c]),
             "hot": bool(z > 0), "level": int(np.sign(z)) * (3 if abs(z) > Z_999 else 2 if abs(z) > Z_99 else 1)}
            for r, c, z, p in zip(rows, cols, zs, ps, strict=True)
        ]
        meta = {**base, "breaks": [Z_95, Z_99, Z_999], "hot": int(np.sum(zs > 0)), "cold": int(np.sum(zs < 0))}
        return _collection(grid, origin, rows, cols, props, meta)

    # forecast
    if times is None or now is None or not forecast_available():
        raise ValueError("the forecast needs the incidents' times, the present time and forecast.py")
    from fengqiao.analysis import forecast

    ts = np.asarray(times, dtype=np.float64)[known]
    window = forecast.Window(now - train_days, now, now, now + 7.0)
    _, scores = forecast.forecast_scores(grid, xs, ys, ts, window, forecast.Settings(kde_bandwidth=bandwidth))
    expected = np.asarray(scores["self_exciting"], dtype=np.float64).reshape(grid.shape)
    k = max(1, round(FORECAST_COVERAGE * grid.cells))
    flat = expected.ravel()
    order = np.argsort(-flat, kind="stable")[:k]
    order = order[flat[order] > 0]
    rows, cols = np.divmod(order, grid.nx)
    values = flat[order]
    breaks = _breaks(values)
    levels = _classes(values, breaks)
    props = [{"value": round(float(v), 3), "level": int(lv)} for v, lv in zip(values, levels, strict=True)]
    return _collection(grid, origin, rows.astype(np.int64), cols.astype(np.int64), props,
                       {**base, "breaks": breaks, "coverage": FORECAST_COVERAGE, "train_days": train_days,
                        "expected_total": round(float(expected.sum()), 1)})
