"""Visit coverage of a beat (走访覆盖): which households were visited lately, and which not.

Pure Python, no Django: the selectors read addresses and their last visit from the
database and hand them here as `Household` rows; this module sorts each into a band by
the days since its last visit, counts the bands per beat, and draws the households as
GeoJSON points for the coverage map.

The bands follow what a community officer is held to ("households not visited in 90
days"): visited in the last 30 days, in the last 90, longer ago, or never.
"""

from __future__ import annotations

import datetime as dt
import os.path
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

WINDOW_DAYS = 90
RECENT_DAYS = 30


class Band(StrEnum):
    """How lately a household was visited."""

    RECENT = "recent"  # within RECENT_DAYS
    VISITED = "visited"  # within WINDOW_DAYS, but not within RECENT_DAYS
    STALE = "stale"  # longer ago than WINDOW_DAYS
    NEVER = "never"  # no visit on record

    @property
    def covered(self) -> bool:
        """Visited within the window (the measure the station is held to)."""
        return self in (Band.RECENT, Band.VISITED)


BANDS: tuple[Band, ...] = (Band.RECENT, Band.VISITED, Band.STALE, Band.NEVER)


@dataclass(frozen=True)
class Household:
    """One household's address, where it is, and the day of its last visit (None: never)."""

    address_id: int
    beat_id: int | None
    latitude: float | None
    longitude: float | None
    last_visit: dt.date | None
    label: str = ""


def days_since(last_visit: dt.date | None, today: dt.date) -> int | None:
    """Whole days from the last visit to today; a visit dated after today counts as today."""
    if last_visit is None:
        return None
    return max((today - last_visit).days, 0)


def classify(
    last_visit: dt.date | None, today: dt.date, *, window: int = WINDOW_DAYS, recent: int = RECENT_DAYS,
) -> Band:
    """The band of a household last visited on `last_visit`, as seen on `today`.

    A visit exactly `window` days ago still counts as within the window.
    """
    if recent > window:
        raise ValueError("the recent band cannot be longer than the window")
    days = days_since(last_visit, today)
    if days is None:
        return Band.NEVER
    if days <= recent:
        return Band.RECENT
    if days <= window:
        return Band.VISITED
    return Band.STALE


@dataclass
class BeatCoverage:
    """The counts of one beat (or of households with no beat, `beat_id` None)."""

    beat_id: int | None
    counts: dict[Band, int] = field(default_factory=lambda: {band: 0 for band in BANDS})

    @property
    def households(self) -> int:
        return sum(self.counts.values())

    @property
    def covered(self) -> int:
        """Visited within the window."""
        return self.counts[Band.RECENT] + self.counts[Band.VISITED]

    @property
    def not_covered(self) -> int:
        """Not visited within the window: stale or never visited."""
        return self.counts[Band.STALE] + self.counts[Band.NEVER]

    @property
    def share_covered(self) -> float:
        """Covered households as a share of all, 0.0 for a beat with none."""
        return self.covered / self.households if self.households else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "beat_id": self.beat_id,
            "households": self.households,
            "covered": self.covered,
            "not_covered": self.not_covered,
            "share_covered": round(self.share_covered, 4),
            **{band.value: self.counts[band] for band in BANDS},
        }


def summarise(
    households: Iterable[Household], today: dt.date, *, window: int = WINDOW_DAYS, recent: int = RECENT_DAYS,
) -> dict[int | None, BeatCoverage]:
    """The counts per beat, in the order the beats first appear."""
    per_beat: dict[int | None, BeatCoverage] = {}
    for household in households:
        coverage = per_beat.get(household.beat_id)
        if coverage is None:
            coverage = per_beat[household.beat_id] = BeatCoverage(household.beat_id)
        coverage.counts[classify(household.last_visit, today, window=window, recent=recent)] += 1
    return per_beat


def total(per_beat: Iterable[BeatCoverage]) -> BeatCoverage:
    """All beats' counts added up (beat_id None)."""
    overall = BeatCoverage(None)
    for coverage in per_beat:
        for band, count in coverage.counts.items():
            overall.counts[band] += count
    return overall


def overdue(households: Iterable[Household], today: dt.date, *, window: int = WINDOW_DAYS, limit: int = 20) -> list[Household]:
    """The households longest without a visit (never visited first), at most `limit`."""
    waiting = []
    for household in households:
        days = days_since(household.last_visit, today)
        if days is None or days > window:
            waiting.append(household)
    # Never visited first; then the oldest last visit; the address id keeps the order stable.
    waiting.sort(key=lambda h: (h.last_visit is not None, h.last_visit or dt.date.min, h.address_id))
    return waiting[:limit]


def feature_collection(
    households: Iterable[Household], today: dt.date, *, window: int = WINDOW_DAYS, recent: int = RECENT_DAYS,
) -> dict[str, Any]:
    """The households with a position as GeoJSON points, one per position (the flats of a
    building share one), kept small for thousands of households.

    Each point's properties: `beat` (the beat id of its first household), `place` (what
    the labels of its households have in common, e.g. the building) and `households`, a
    list of `[address id, band, days since the last visit (None: never), the rest of the
    label]`, the longest without a visit first.
    """
    by_position: dict[tuple[float, float], list[Household]] = {}
    for household in households:
        if household.latitude is None or household.longitude is None:
            continue
        key = (round(household.longitude, 6), round(household.latitude, 6))
        by_position.setdefault(key, []).append(household)
    features: list[dict[str, Any]] = []
    for (longitude, latitude), group in by_position.items():
        place = os.path.commonprefix([household.label for household in group]) if len(group) > 1 else group[0].label
        # Never visited first, then the longest ago.
        ordered = sorted(group, key=lambda h: (h.last_visit is not None, h.last_visit or dt.date.min, h.address_id))
        rows: list[list[Any]] = []
        for household in ordered:
            band = classify(household.last_visit, today, window=window, recent=recent)
            rows.append([household.address_id, band.value, days_since(household.last_visit, today), household.label[len(place):]])
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": {"beat": group[0].beat_id, "place": place, "households": rows},
        })
    return {"type": "FeatureCollection", "features": features}
