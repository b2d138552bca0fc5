"""Demo geography: station outlines in Nan'an, beats cut from them, points inside beats.

Pure Python (shapely, no Django). Every random choice comes from the `random.Random`
the caller passes in, so the same seed draws the same map. Geometries leave this module
as GeoJSON dicts in WGS84 [longitude, latitude], snapped to a 1e-6 degree grid (about
10 cm) so that neighbouring beats share their edges exactly.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import shapely  # type: ignore[import-untyped]
from shapely.affinity import scale  # type: ignore[import-untyped]
from shapely.geometry import MultiPoint, Point, Polygon, shape  # type: ignore[import-untyped]

Coordinate = tuple[float, float]
"""A (longitude, latitude) pair in degrees."""

GeoJSON = dict[str, Any]

GRID = 1e-6
DECIMALS = 6

# The main station: the Nanping (南坪) business district of Nan'an, about 2.9 km², convex
# so that every clipped Voronoi cell stays one piece.
MAIN_STATION_OUTLINE: tuple[Coordinate, ...] = (
    (106.5591, 29.5210),
    (106.5695, 29.5214),
    (106.5740, 29.5264),
    (106.5736, 29.5345),
    (106.5686, 29.5390),
    (106.5596, 29.5386),
    (106.5560, 29.5327),
    (106.5564, 29.5255),
)

# The second, smaller station: Haitangxi (海棠溪), about 1 km², north-east of the first.
SECOND_STATION_OUTLINE: tuple[Coordinate, ...] = (
    (106.5770, 29.5462),
    (106.5850, 29.5455),
    (106.5895, 29.5490),
    (106.5885, 29.5540),
    (106.5800, 29.5548),
    (106.5762, 29.5510),
)

_LLOYD_ROUNDS = 4
_KM_PER_DEGREE_LATITUDE = 110.57
_KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.32


def polygon_geojson(outline: Sequence[Coordinate]) -> GeoJSON:
    """A closed GeoJSON Polygon through the points of `outline`."""
    return _to_geojson(_snap(Polygon(outline)))


def beat_polygons(outline: Sequence[Coordinate], count: int, rng: random.Random) -> list[GeoJSON]:
    """Cut the area inside `outline` into `count` beats of similar size.

    Voronoi cells of seeded points, relaxed a few times towards their centroids (Lloyd's
    algorithm) so that no beat is a sliver, clipped to the outline. The beats cover the
    outline without gaps or overlaps and come back in reading order, north-west first.
    """
    if count < 1:
        raise ValueError("a station needs at least one beat")
    area = _snap(Polygon(outline))
    if count == 1:
        return [_to_geojson(area)]
    sites = [Point(random_point_in(_to_geojson(area), rng)) for _ in range(count)]
    cells = _voronoi_cells(sites, area)
    for _ in range(_LLOYD_ROUNDS):
        sites = [cell.centroid for cell in cells]
        cells = _voronoi_cells(sites, area)
    snapped = [_snap(cell) for cell in cells]
    snapped.sort(key=_reading_order)
    return [_to_geojson(cell) for cell in snapped]


def _voronoi_cells(sites: list[Any], area: Any) -> list[Any]:
    """The Voronoi cell of each site (in the order of `sites`), clipped to `area`."""
    diagram = shapely.voronoi_polygons(MultiPoint(sites), extend_to=area)
    regions = list(diagram.geoms)
    cells: list[Any] = []
    for site in sites:
        region = next(region for region in regions if region.covers(site))
        cells.append(region.intersection(area))
    return cells


def _reading_order(cell: Any) -> tuple[float, float]:
    centre = cell.centroid
    # Rows of about 700 m from north to south, west to east within a row.
    row = math.floor((90.0 - float(centre.y)) / 0.0065)
    return (float(row), float(centre.x))


def random_point_in(polygon: Mapping[str, Any], rng: random.Random) -> Coordinate:
    """A point strictly inside `polygon`, uniformly drawn, rounded to the 1e-6 grid."""
    geometry = shape(polygon)
    shapely.prepare(geometry)
    min_x, min_y, max_x, max_y = (float(value) for value in geometry.bounds)
    for _ in range(10_000):
        longitude = round(rng.uniform(min_x, max_x), DECIMALS)
        latitude = round(rng.uniform(min_y, max_y), DECIMALS)
        if geometry.contains(Point(longitude, latitude)):
            return (longitude, latitude)
    raise ValueError("could not find a point inside the polygon; is it degenerate?")


def random_point_near(
    polygon: Mapping[str, Any], centre: Coordinate, radius_m: float, rng: random.Random
) -> Coordinate:
    """A point inside `polygon` within about `radius_m` metres of `centre`.

    Falls back to anywhere in the polygon when the neighbourhood hardly overlaps it.
    """
    geometry = shape(polygon)
    shapely.prepare(geometry)
    d_lat = radius_m / 1000.0 / _KM_PER_DEGREE_LATITUDE
    d_lon = radius_m / 1000.0 / _km_per_degree_longitude(centre[1])
    for _ in range(200):
        longitude = round(centre[0] + rng.uniform(-d_lon, d_lon), DECIMALS)
        latitude = round(centre[1] + rng.uniform(-d_lat, d_lat), DECIMALS)
        if geometry.contains(Point(longitude, latitude)):
            return (longitude, latitude)
    return random_point_in(polygon, rng)


def contains(polygon: Mapping[str, Any], point: Coordinate) -> bool:
    """Whether `point` lies strictly inside `polygon`."""
    return bool(shape(polygon).contains(Point(point)))


def centroid(polygon: Mapping[str, Any]) -> Coordinate:
    """The centre of mass of `polygon`, rounded to the 1e-6 grid."""
    centre = shape(polygon).centroid
    return (round(float(centre.x), DECIMALS), round(float(centre.y), DECIMALS))


def area_km2(polygon: Mapping[str, Any]) -> float:
    """The area of `polygon` in km², by a local equirectangular projection (fine at this scale)."""
    geometry = shape(polygon)
    latitude = float(geometry.centroid.y)
    projected = scale(
        geometry, _km_per_degree_longitude(latitude), _KM_PER_DEGREE_LATITUDE, origin=(0, 0)
    )
    return float(projected.area)


def overlap_km2(first: Mapping[str, Any], second: Mapping[str, Any]) -> float:
    """The area two polygons share, in km² (0.0 when they only touch or lie apart)."""
    common = shape(first).intersection(shape(second))
    if common.is_empty or common.area == 0:
        return 0.0
    return area_km2(common.__geo_interface__)


def _km_per_degree_longitude(latitude: float) -> float:
    return _KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(latitude))


def _snap(geometry: Any) -> Any:
    return shapely.set_precision(geometry, GRID)


def _to_geojson(polygon: Any) -> GeoJSON:
    """A GeoJSON Polygon dict with plain, rounded float coordinates."""
    if polygon.geom_type != "Polygon":
        raise ValueError(f"expected a polygon, got a {polygon.geom_type}")
    rings = [polygon.exterior, *polygon.interiors]
    coordinates = []
    for ring in rings:
        points = [[round(float(x), DECIMALS), round(float(y), DECIMALS)] for x, y in ring.coords]
        coordinates.append(points)
    return {"type": "Polygon", "coordinates": coordinates}
