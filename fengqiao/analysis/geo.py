"""Positions in metres and the square grid every analysis counts on (pure: numpy only).

Incidents carry WGS84 longitude and latitude. Within a station or a city (tens of
kilometres) a local equirectangular projection around an origin is accurate to well under
a metre per kilometre, which is all a 100–500 m grid needs; data already in a projected
system (metres) is used as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Origin:
    """The point the local projection is centred on (degrees)."""

    lon: float
    lat: float


def origin_of(lons: Array, lats: Array) -> Origin:
    return Origin(float(np.nanmean(lons)), float(np.nanmean(lats)))


def project(lons: Array, lats: Array, origin: Origin) -> tuple[Array, Array]:
    """Longitude/latitude (degrees) → x, y in metres east and north of `origin`."""
    k = math.pi / 180 * EARTH_RADIUS_M
    x = (np.asarray(lons, dtype=np.float64) - origin.lon) * k * math.cos(math.radians(origin.lat))
    y = (np.asarray(lats, dtype=np.float64) - origin.lat) * k
    return x, y


def unproject(xs: Array, ys: Array, origin: Origin) -> tuple[Array, Array]:
    """x, y in metres → longitude/latitude (degrees)."""
    k = math.pi / 180 * EARTH_RADIUS_M
    lons = np.asarray(xs, dtype=np.float64) / (k * math.cos(math.radians(origin.lat))) + origin.lon
    lats = np.asarray(ys, dtype=np.float64) / k + origin.lat
    return lons, lats


@dataclass(frozen=True)
class Grid:
    """Square cells of `cell` metres; cell (row, col) covers
    [x0 + col·cell, x0 + (col+1)·cell) × [y0 + row·cell, y0 + (row+1)·cell)."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int

    @property
    def shape(self) -> tuple[int, int]:
        return (self.ny, self.nx)

    @property
    def cells(self) -> int:
        return self.nx * self.ny

    def centres(self) -> tuple[Array, Array]:
        """x and y of every cell centre, each of shape (ny, nx)."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell
        gx, gy = np.meshgrid(xs, ys)
        return gx, gy

    def index(self, xs: Array, ys: Array) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
        """Row and column of each point, and which points fall inside the grid."""
        cols = np.floor((np.asarray(xs) - self.x0) / self.cell).astype(np.int64)
        rows = np.floor((np.asarray(ys) - self.y0) / self.cell).astype(np.int64)
        inside = (cols >= 0) & (cols < self.nx) & (rows >= 0) & (rows < self.ny)
        return rows, cols, inside

    def bounds(self, row: int, col: int) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of one cell in metres."""
        x = self.x0 + col * self.cell
        y = self.y0 + row * self.cell
        return (x, y, x + self.cell, y + self.cell)


def grid_for(xs: Array, ys: Array, cell: float, *, pad: int = 0) -> Grid:
    """The smallest grid of `cell`-metre squares covering the points, `pad` cells wider each side."""
    if cell <= 0:
        raise ValueError("cell must be positive")
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if xs.size == 0:
        return Grid(0.0, 0.0, cell, 1, 1)
    x0 = math.floor(float(np.min(xs)) / cell) * cell - pad * cell
    y0 = math.floor(float(np.min(ys)) / cell) * cell - pad * cell
    nx = int(math.floor((float(np.max(xs)) - x0) / cell)) + 1 + pad
    ny = int(math.floor((float(np.max(ys)) - y0) / cell)) + 1 + pad
    return Grid(x0, y0, cell, nx, ny)
