"""Sensor alarms mapped to categories and priorities by the station's configuration (pure).

The configuration is a JSON object keyed by the sensor kind the feed sends:

    {"smoke": {"category": "fire.fire", "priority": 1, "label": "烟感报警"}, ...}

A call whose `source` is `sensor` names its kind in `sensor_kind`; its category and
priority then come from this table instead of from the words of the alarm text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_SENSOR_MAP: dict[str, dict[str, Any]] = {
    "smoke": {"category": "fire.fire", "priority": 1, "label": "烟感报警"},
    "water_pressure": {"category": "non_police.utilities", "priority": 3, "label": "消防水压异常"},
    "manhole_cover": {"category": "traffic.obstruction", "priority": 3, "label": "井盖位移"},
    "electrical_arc": {"category": "fire.fire", "priority": 2, "label": "电气电弧报警"},
}


class SensorMapError(ValueError):
    """A sensor table that cannot be used; the message names the sensor and the field."""


@dataclass(frozen=True)
class SensorRule:
    kind: str
    category: str
    priority: int
    label: str


def parse_sensor_map(data: Any, known_categories: set[str]) -> dict[str, SensorRule]:
    """Check the station's sensor table against its categories."""
    if not isinstance(data, Mapping):
        raise SensorMapError("the sensor table must be a JSON object keyed by sensor kind")
    rules: dict[str, SensorRule] = {}
    for kind, raw in data.items():
        if not isinstance(raw, Mapping):
            raise SensorMapError(f"sensor {kind!r}: must be an object with category and priority")
        category = raw.get("category")
        if category not in known_categories:
            raise SensorMapError(f"sensor {kind!r}, field 'category': {category!r} is not a category of this station")
        priority = raw.get("priority")
        if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 4:
            raise SensorMapError(f"sensor {kind!r}, field 'priority': must be 1, 2, 3 or 4")
        rules[str(kind)] = SensorRule(str(kind), str(category), priority, str(raw.get("label", kind)))
    return rules
