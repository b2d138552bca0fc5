"""Beat geometry: checking GeoJSON polygons and finding the beat of a point (pure, no Django)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shapely.geometry import Point, shape
from shapely.strtree import STRtree


class GeometryError(ValueError):
    """A boundary that is not a valid WGS84 polygon."""


def check_polygon(geometry: Mapping[str, Any]) -> None:
    """Raise GeometryError unless `geometry` is a valid GeoJSON (Multi)Polygon in lon/lat."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError("The boundary must be a GeoJSON Polygon or MultiPolygon geometry.")
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise GeometryError(f"The boundary is not readable GeoJSON: {exc}") from None
    if polygon.is_empty or not polygon.is_valid:
        raise GeometryError("The boundary polygon is empty or crosses itself.")
    min_x, min_y, max_x, max_y = polygon.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise GeometryError("The boundary's coordinates are not longitude/latitude.")


class BeatLocator:
    """Answers "which beat is this point in?" through an R-tree over the beat polygons."""

    def __init__(self, beats: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        self._ids: list[int] = []
        polygons = []
        for beat_id, geometry in beats:
            self._ids.append(beat_id)
            polygons.append(shape(geometry))
        self._polygons = polygons
        self._tree = STRtree(polygons)

    def beat_at(self, longitude: float, latitude: float) -> int | None:
        """The id of the beat containing the point, or None outside every beat."""
        point = Point(longitude, latitude)
        for index in self._tree.query(point, predicate="intersects"):
            return self._ids[int(index)]
        return None
