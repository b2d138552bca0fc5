"""What the statistics page, the hot-spot map and their API read: a checked query
(station, period, category, beat) and the figures or map layer for it.

The station must be one of the user's (another station, or a beat of another station,
answers 404, like a missing one). Periods are whole days in station local time; the end
date is included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.intake.models import Category, CategoryFamily
from fengqiao.organisation.models import Beat, Station
from fengqiao.organisation.selectors import station_ids_for, stations_by_id

from . import frame as frames
from . import hotmap, stats
from .models import AnalysisSettings

PRESETS = [
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_year", _("This year")),
    ("last_year", _("Last year")),
    ("custom", _("Chosen dates")),
]
DEFAULT_PRESET = "30d"
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Query:
    station: Station
    start: dt.datetime  # local, naive
    end: dt.datetime  # local, naive, exclusive
    preset: str = DEFAULT_PRESET
    categories: tuple[str, ...] = ()
    beat: Beat | None = None
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def beats(self) -> tuple[int, ...]:
        return (self.beat.pk,) if self.beat is not None else ()

    def aware(self, when: dt.datetime) -> dt.datetime:
        return timezone.make_aware(when, frames.local_zone())


def preset_period(preset: str, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a preset, local and naive, up to the end of `today`."""
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    if preset == "7d":
        return tomorrow - dt.timedelta(days=7), tomorrow
    if preset == "this_month":
        return dt.datetime(today.year, today.month, 1), tomorrow
    if preset == "last_month":
        first = dt.datetime(today.year, today.month, 1)
        return stats.shift_months(first, -1), first
    if preset == "this_year":
        return dt.datetime(today.year, 1, 1), tomorrow
    if preset == "last_year":
        return dt.datetime(today.year - 1, 1, 1), dt.datetime(today.year, 1, 1)
    return tomorrow - dt.timedelta(days=30), tomorrow


class FilterForm(forms.Form):
    station = forms.CharField(required=False, max_length=40)
    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label=_("Category"), required=False)
    beat = forms.ChoiceField(label=_("Beat"), required=False)

    def __init__(self, data: Any, *, station: Station) -> None:
        data = data.copy() if hasattr(data, "copy") else dict(data)
        if not data.get("period"):  # shown as what it is: chosen dates, or the default preset
            data["period"] = "custom" if (data.get("start") or data.get("end")) else DEFAULT_PRESET
        elif data.get("period") != "custom":  # a preset: the dates left in the form do not count
            data["start"] = data["end"] = ""
        super().__init__(data)
        families = list(CategoryFamily.objects.for_stations([station.pk]).order_by("position", "code"))
        categories = list(Category.objects.for_stations([station.pk]).select_related("family")
                          .order_by("family__position", "position", "code"))
        choices: list[tuple[str, Any]] = [("", _("All categories"))]
        for family in families:
            choices.append((family.code, f"{family.label_zh}（{_('all')}）"))
            choices.extend((c.code, f"— {c.label_zh}") for c in categories if c.family_id == family.pk)
        self.fields["category"].choices = choices
        self.fields["beat"].choices = [("", _("All beats"))] + [
            (str(b.pk), b.name) for b in Beat.objects.for_stations([station.pk]).order_by("code")]
        self.fields["beat"].validators = []

    def clean_beat(self) -> str:
        return str(self.cleaned_data.get("beat") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if (data.get("period") == "custom" or start or end) and not (start and end):
            raise forms.ValidationError(_("Give both dates of the period."))
        if start and end:
            if end < start:
                self.add_error("end", _("The period must end after it starts."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("At most three years at a time."))
        return data


def station_for(user: Any, code: str) -> Station:
    """The user's station named by its code, or their first; 404 for a station not theirs."""
    stations = stations_by_id(station_ids_for(user))
    if not stations:
        raise Http404
    if code:
        found = next((s for s in stations if s.code == code), None)
        if found is None:
            raise Http404
        return found
    return stations[0]


class BadFilters(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _beat_of(station: Station, value: str) -> Beat | None:
    """The beat chosen (None: all); 404 when it is not the station's (another's or none)."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    beat = Beat.objects.for_stations([station.pk]).filter(pk=int(value)).first()
    if beat is None:
        raise Http404
    return beat


def parse(user: Any, data: Any, *, today: dt.date | None = None) -> tuple[Query, FilterForm]:
    """The query the request asks for, with the bound form (its errors raise BadFilters)."""
    station = station_for(user, str(data.get("station", "") or ""))
    beat = _beat_of(station, str(data.get("beat", "") or ""))
    form = FilterForm(data, station=station)
    if not form.is_valid():
        raise BadFilters({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    cleaned = form.cleaned_data
    today = today or timezone.localdate()
    preset = cleaned.get("period") or DEFAULT_PRESET
    if cleaned.get("start") and cleaned.get("end"):
        preset = "custom"
        start = dt.datetime.combine(cleaned["start"], dt.time())
        end = dt.datetime.combine(cleaned["end"] + dt.timedelta(days=1), dt.time())
    else:
        start, end = preset_period(preset, today)
    category = cleaned.get("category") or ""
    filters = {"period": preset, "start": start.date().isoformat(), "end": (end - dt.timedelta(days=1)).date().isoformat(),
               "category": category, "beat": str(beat.pk) if beat else ""}
    return Query(station, start, end, preset, (category,) if category else (), beat, filters), form


def query_frame(query: Query, start: dt.datetime) -> Any:
    return frames.incident_frame([query.station.pk], query.aware(start), query.aware(query.end),
                                 categories=query.categories, beats=query.beats)


def statistics(query: Query) -> dict[str, Any]:
    """The figures of the query's period (with what the changes compare with)."""
    # The period in full; before it only the times, which is all the changes and the
    # monthly series need (a station's two years of orders are not read for a week's figures).
    period = query_frame(query, query.start)
    before = frames.incident_times([query.station.pk], query.aware(stats.load_start(query.start, query.end)),
                                   query.aware(query.start), categories=query.categories, beats=query.beats)
    data = pd.concat([before, period], ignore_index=True) if len(before) else period
    figures = stats.figures(data, query.start, query.end, categories=query.categories, beats=query.beats)
    figures["station"] = {"code": query.station.code, "name": query.station.name}
    figures["filters"] = query.filters
    return figures


def settings_of(station: Station) -> AnalysisSettings:
    found = AnalysisSettings.objects.for_stations([station.pk]).first()
    return found if found is not None else AnalysisSettings(station=station)


def hotspot_layer(query: Query, method: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The map layer of one method over the query's period (the forecast: from the last
    twelve weeks up to now, for the next seven days)."""
    options = settings_of(query.station)
    origin = None
    if query.station.longitude is not None and query.station.latitude is not None:
        from .geo import Origin

        origin = Origin(float(query.station.longitude), float(query.station.latitude))
    if method == "forecast":
        now = now or timezone.now()
        local_now = timezone.localtime(now, frames.local_zone()).replace(tzinfo=None)
        start = local_now - dt.timedelta(days=84)
        data = frames.incident_times([query.station.pk], query.aware(start), now,
                                     categories=query.categories, beats=query.beats)
        known = data["lon"].notna() & data["lat"].notna()
        days = ((data.loc[known, "received_at"] - start).dt.total_seconds() / 86400).to_numpy(dtype=np.float64)
        result = hotmap.layer(data.loc[known, "lon"].to_numpy(), data.loc[known, "lat"].to_numpy(), "forecast",
                              cell=options.cell_metres, bandwidth=options.bandwidth_metres, times=days,
                              now=84.0, origin=origin)
    else:
        data = frames.incident_times([query.station.pk], query.aware(query.start), query.aware(query.end),
                                     categories=query.categories, beats=query.beats)
        lons, lats = frames.coordinates(data)
        result = hotmap.layer(lons, lats, method, cell=options.cell_metres, bandwidth=options.bandwidth_metres,
                              origin=origin)
    result["meta"]["station"] = query.station.code
    result["meta"]["filters"] = query.filters
    return result


def beats_geojson(station: Station) -> dict[str, Any]:
    beats = Beat.objects.for_stations([station.pk]).order_by("code")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": beat.boundary, "properties": {"id": beat.pk, "name": beat.name}}
        for beat in beats if beat.boundary]}


def near_repeat_circles(station: Station, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The near-repeat alerts in force, as circles, when the repeats part offers them."""
    try:
        from fengqiao.analysis import nearrepeat
    except ImportError:
        return []
    active = getattr(nearrepeat, "active_alerts", None)
    if active is None:
        return []
    circles = []
    for alert in active([station.pk], now or timezone.now()):
        circles.append({
            "lat": alert.latitude, "lon": alert.longitude, "radius": alert.radius_metres,
            "until": timezone.localtime(alert.ends_at).strftime("%m-%d %H:%M"),
            "category": getattr(getattr(alert, "category", None), "label_zh", ""), "earlier": alert.earlier,
        })
    return circles
