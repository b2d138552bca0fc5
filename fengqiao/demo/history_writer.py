"""Writes a station's planned past (`history.plan_history`) to the database, in bulk.

A year is tens of thousands of calls and ~100,000 log entries. Going through
`do_receive_call` one call at a time would take minutes, and even `bulk_create` spends
most of its time building model instances, so the rows are inserted with one
`executemany` per table, their values prepared by the models' own fields (times and JSON
the way each database wants them). What the rows hold is what intake would have
written: the call as it arrived, the station's triage suggestion for its words
(`services.suggest`), the incident with its number from the station's template, the log
entries ("received", "triaged", the commander's correction when there was one, a repeat
call attached, and the state changes up to the final state — every entry but the
commander's marked automatic), and the day counters, left at each day's last number so
that a call received live gets the next one.

Only a station without calls gets a past (the builder checks), so the calls inserted
here are the station's only ones and come back from the database in insertion order.
Raw inserts send no signals: the builder writes one summary audit row per station.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import operator
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.intake import services
from fengqiao.intake.models import Call, Incident, IncidentCounter, IncidentLog
from fengqiao.intake.numbering import format_number
from fengqiao.intake.triage import TriageResult
from fengqiao.organisation.models import Beat, Department, Officer, Station, Team

from . import history
from .selectors import station_picture

BATCH = 5000

# How long the owner has from the state the incident was left in (DESIGN.md §3).
_DEADLINES: dict[str, dt.timedelta] = {
    history.DISPATCHED: dt.timedelta(minutes=2),  # acknowledge
    history.ACKNOWLEDGED: dt.timedelta(minutes=15),  # be on scene
    history.ON_SCENE: dt.timedelta(hours=8),  # feedback the same shift
    history.RESOLVED: dt.timedelta(days=history.FOLLOW_UP_DAYS),  # follow-up visit
    history.TRANSFERRED: dt.timedelta(days=3),  # the department's answer
}
_TEAM_OF_ROUTE = {"community": "community", "case": "case", "command": "command", "transfer": "command"}

Row = dict[str, Any]


@dataclass
class _Station:
    """What the writer looks up about one station, read once."""

    station: Station
    template: str
    triage_minutes: int
    categories: dict[str, int]
    teams: dict[str, tuple[int, str]]  # kind → (id, name)
    beats: dict[str, tuple[int, int | None]]  # code → (id, responsible officer id)
    departments: dict[str, str]
    commanders: list[int]  # user ids of the station's command-room operators (role commander)
    rules_key: str  # what the station's triage depends on: stations with the same rules share judgements


def write_history(station: Station, *, seed: int | str, start: dt.date, days: int) -> Counter[str]:
    """Plan and write `days` days of calls from `start` at `station` (which must have no
    calls yet); returns the rows written, by kind. Call inside a transaction."""
    with _no_cycle_collection():
        picture = station_picture(station)
        planned = history.plan_history(
            seed, [picture.station], picture.beats, picture.addresses, picture.categories, start, days
        )
        if not planned:
            return Counter()
        with _roomy_cache():
            return _Writer(_read_station(station), planned).write()


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Hundreds of thousands of short-lived objects and no reference cycles worth
    chasing: the cyclic garbage collector would only walk them again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _roomy_cache() -> Iterator[None]:
    """SQLite's page cache is 2 MB by default: a year of rows in one transaction would
    spill to the WAL file again and again. Give this connection room while writing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -131072")  # 128 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _read_station(station: Station) -> _Station:
    rules = services.station_rules(station.pk)
    teams: dict[str, tuple[int, str]] = {}
    for pk, kind, name in Team.objects.for_stations([station.pk]).order_by("name").values_list("id", "kind", "name"):
        teams.setdefault(kind, (pk, name))
    beats = {
        code: (pk, officer)
        for code, pk, officer in Beat.objects.for_stations([station.pk]).values_list("code", "id", "responsible_officer_id")
    }
    commanders = list(
        Officer.objects.for_stations([station.pk])
        .filter(team__kind=Team.Kind.COMMAND, rank=Officer.Rank.OFFICER, user__groups__name="commander")
        .order_by("badge_number").values_list("user_id", flat=True)
    )
    taxonomy = rules.rules.taxonomy
    rules_key = json.dumps(
        [rules.settings.lexicon, rules.settings.sensor_map, taxonomy.to_data(),
         station.pk if services.station_model(station) is not None else None],
        sort_keys=True, ensure_ascii=False,
    )
    return _Station(
        station=station, template=rules.settings.number_template,
        triage_minutes=rules.settings.triage_minutes, categories=dict(rules.categories),
        teams=teams, beats=beats, departments=dict(Department.objects.values_list("code", "name")),
        commanders=commanders, rules_key=rules_key,
    )


# Judgements of gists, by the rules they were made with (see _Station.rules_key).
_JUDGED: dict[str, dict[tuple[str, str], TriageResult]] = {}


def _log_texts() -> dict[str, str]:
    """The log's sentences in the active language, translated once for the whole past.
    The first four are intake's own (services._open_incident, _attach_to, do_mark_invalid)."""
    return {
        "received": _("Received from %(source)s: %(text)s"),
        "triaged": _("Suggested %(category)s, route %(route)s, priority %(priority)s (confidence %(confidence).2f): %(reasons)s"),
        "changed": _("The commander decided otherwise than suggested."),
        "call": _("Repeat call %(id)s attached: %(text)s"),
        history.INVALID: _("Marked invalid: %(reason)s"),
        history.DISPATCHED: _("Dispatched to %(team)s."),
        history.ACKNOWLEDGED: _("Acknowledged by %(team)s."),
        history.ON_SCENE: _("On scene: %(team)s."),
        history.RESOLVED: _("Resolved: %(outcome)s"),
        history.TRANSFERRED: _("Transferred to %(department)s."),
        history.CONVERTED: _("Became a case: %(outcome)s"),
        history.CLOSED: _("Closed: %(outcome)s"),
    }


class Prepared:
    """A value already in the database's form: `insert` passes it through as it is."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Writer:
    def __init__(self, known: _Station, planned: Sequence[history.PlannedCall]) -> None:
        self.known = known
        self.planned = planned
        self.counts: Counter[str] = Counter()
        if known.rules_key not in _JUDGED and len(_JUDGED) >= 4:
            _JUDGED.clear()
        self._suggestions = _JUDGED.setdefault(known.rules_key, {})
        self._json: dict[tuple[tuple[str, Any], ...], Prepared] = {}
        self._triage_json: dict[tuple[str, str], Prepared] = {}
        self._tz = timezone.get_current_timezone()
        self.texts = _log_texts()
        self.sources = {source: str(label) for source, label in Call.Source.choices}

    def write(self) -> Counter[str]:
        openers = [call for call in self.planned if call.opens_incident]
        incident_ids = self._incidents(openers)
        call_ids = self._calls(incident_ids)
        self._log(openers, incident_ids, call_ids)
        return self.counts

    # -- helpers -------------------------------------------------------------------------

    def _aware(self, moment: dt.datetime) -> dt.datetime:
        # The planner's times are wall-clock times of the station (Asia/Shanghai keeps no
        # summer time, so none is ambiguous).
        return moment.replace(tzinfo=self._tz)

    def json(self, value: dict[str, Any]) -> Prepared:
        """A small JSON object in the database's form, prepared once."""
        key = tuple(sorted(value.items()))
        found = self._json.get(key)
        if found is None:
            found = Prepared(IncidentLog._meta.get_field("before").get_db_prep_save(value, connection))
            self._json[key] = found
        return found

    def suggestion(self, call: history.PlannedCall) -> TriageResult:
        """The station's triage of the call's words. The gist reads the same as the text
        and is shared by many calls, so each is judged once."""
        key = (call.gist, call.sensor_kind)
        found = self._suggestions.get(key)
        if found is None:
            found = services.suggest(self.known.station, call.gist, sensor_kind=call.sensor_kind)
            self._suggestions[key] = found
        return found

    def triage_json(self, call: history.PlannedCall) -> Prepared:
        """The suggestion as the triage column stores it, serialised once per gist."""
        key = (call.gist, call.sensor_kind)
        found = self._triage_json.get(key)
        if found is None:
            field = Incident._meta.get_field("triage")
            found = Prepared(field.get_db_prep_save(self.suggestion(call).to_dict(), connection))
            self._triage_json[key] = found
        return found

    def decision(self, call: history.PlannedCall) -> tuple[int, str]:
        """Priority and route as intake keeps them: the suggestion's when the commander kept
        its category (a transfer stays a transfer: its loop is planned), else the category's."""
        suggestion = self.suggestion(call)
        if suggestion.category == call.category and call.route != "transfer":
            return suggestion.priority, suggestion.route
        return call.priority, call.route

    def _team(self, route: str) -> tuple[int, str] | None:
        return self.known.teams.get(_TEAM_OF_ROUTE.get(route, "command"))

    # -- incidents -----------------------------------------------------------------------

    def _incidents(self, openers: Sequence[history.PlannedCall]) -> dict[int, int]:
        """Insert the incidents; returns their ids by planned index."""
        known = self.known
        station = known.station
        sequences = self._first_sequences(openers)
        numbers: dict[str, int] = {}
        rows: list[Row] = []
        for call in openers:
            day = call.received_at.date()
            sequences[day] += 1
            number = format_number(known.template, station_code=station.code, day=day, sequence=sequences[day])
            numbers[number] = call.incident
            priority, route = self.decision(call)
            beat_id, responsible = known.beats.get(call.beat_code, (None, None))
            address_id = call.address_id if (call.precise or call.final_state not in history.OPEN_STATES) else None
            team = self._team(route)
            rows.append({
                "station_id": station.pk, "number": number, "received_at": self._aware(call.received_at),
                "category_id": known.categories[call.category], "priority": priority, "route": route,
                "state": call.final_state, "summary": call.text, "address_text": call.address_text,
                "address_id": address_id, "place_unconfirmed": address_id is None,
                "latitude": call.latitude, "longitude": call.longitude, "beat_id": beat_id,
                "tags": sorted(call.tags), "triage": self.triage_json(call),
                "owner_team_id": team[0] if team else None,
                "owner_id": responsible if route == "community" else None,
                "deadline": self._deadline(call),
            })
        insert(Incident, rows)
        self.counts["incidents"] += len(rows)
        self._counters(sequences)
        found = Incident.objects.for_stations([station.pk]).filter(number__in=list(numbers)).values_list("number", "id")
        return {numbers[number]: pk for number, pk in found}

    def _first_sequences(self, openers: Sequence[history.PlannedCall]) -> Counter[dt.date]:
        """Each day's last number already used (normally none: the station had no calls)."""
        days = sorted({call.received_at.date() for call in openers})
        used = IncidentCounter.objects.for_stations([self.known.station.pk]).filter(day__in=days)
        return Counter(dict(used.values_list("day", "last")))

    def _counters(self, sequences: Counter[dt.date]) -> None:
        """Leave each day's counter at its last number, so live numbering continues after it."""
        station = self.known.station
        counters = IncidentCounter.objects.for_stations([station.pk])
        existing = set(counters.filter(day__in=list(sequences)).values_list("day", flat=True))
        for day in existing:
            counters.filter(day=day).update(last=sequences[day])
        IncidentCounter.objects.bulk_create(
            [IncidentCounter(station=station, day=day, last=last) for day, last in sorted(sequences.items()) if day not in existing],
            batch_size=500,
        )

    def _deadline(self, call: history.PlannedCall) -> dt.datetime | None:
        if call.final_state == history.TRIAGED:
            return self._aware(call.received_at) + dt.timedelta(minutes=self.known.triage_minutes)
        allowed = _DEADLINES.get(call.final_state)
        if allowed is None or not call.steps:
            return None
        return self._aware(call.steps[-1].at) + allowed

    # -- calls ---------------------------------------------------------------------------

    def _calls(self, incident_ids: dict[int, int]) -> list[int]:
        """Insert the calls; returns their ids in planned order."""
        known = self.known
        commanders = known.commanders
        rows: list[Row] = []
        for index, call in enumerate(self.planned):
            beat_id, _responsible = known.beats.get(call.beat_code, (None, None))
            taken_by = None
            if call.source in ("phone", "walk_in") and commanders:
                taken_by = commanders[index % len(commanders)]
            invalid_reason = ""
            if call.call_state == history.INVALID and call.steps:
                invalid_reason = call.steps[-1].note
            rows.append({
                "station_id": known.station.pk, "source": call.source, "sensor_kind": call.sensor_kind,
                "external_id": call.external_id, "received_at": self._aware(call.received_at),
                "caller_name": call.caller_name, "caller_phone": call.caller_phone, "text": call.text,
                "address_text": call.address_text, "latitude": call.latitude, "longitude": call.longitude,
                "address_id": call.address_id if call.precise else None,
                "address_score": 100.0 if call.precise else None, "beat_id": beat_id,
                "triage": self.triage_json(call), "state": call.call_state,
                "invalid_reason": invalid_reason, "incident_id": incident_ids[call.incident],
                "taken_by_id": taken_by,
            })
        insert(Call, rows)
        self.counts["calls"] += len(rows)
        ids = list(Call.objects.for_stations([known.station.pk]).order_by("id").values_list("id", flat=True))
        if len(ids) != len(rows):
            raise RuntimeError(f"station {known.station.code} had calls before its past was written")
        return ids

    # -- the log -------------------------------------------------------------------------

    def _log(self, openers: Sequence[history.PlannedCall], incident_ids: dict[int, int], call_ids: list[int]) -> None:
        rows: list[Row] = []
        for call in openers:
            incident_id = incident_ids[call.incident]
            rows += self._opening_entries(call, incident_id)
            rows += self._state_entries(call, incident_id)
        for call, call_id in zip(self.planned, call_ids, strict=True):
            if not call.opens_incident:
                rows.append(self._entry(
                    incident_ids[call.incident], call.received_at, IncidentLog.Kind.CALL,
                    self.texts["call"] % {"id": call_id, "text": call.text[:80]},
                ))
        insert(IncidentLog, rows)
        self.counts["incident log entries"] += len(rows)

    def _entry(self, incident_id: int, at: dt.datetime, kind: str, text: str, **more: Any) -> Row:
        row: Row = {
            "station_id": self.known.station.pk, "incident_id": incident_id, "at": self._aware(at),
            "kind": kind, "automatic": True, "text": text,
        }
        row.update(more)
        return row

    def _opening_entries(self, call: history.PlannedCall, incident_id: int) -> list[Row]:
        """What intake writes when a call opens an incident (services._open_incident)."""
        suggestion = self.suggestion(call)
        source = self.sources[call.source]
        entries = [
            self._entry(
                incident_id, call.received_at, IncidentLog.Kind.RECEIVED,
                self.texts["received"] % {"source": source, "text": call.text},
            ),
            self._entry(
                incident_id, call.received_at, IncidentLog.Kind.TRIAGED,
                self.texts["triaged"] % {
                    "category": suggestion.category_label, "route": suggestion.route,
                    "priority": suggestion.priority, "confidence": suggestion.confidence,
                    "reasons": "; ".join(suggestion.reasons[:4]),
                },
            ),
        ]
        priority, route = self.decision(call)
        chosen = {"category": call.category, "priority": priority, "route": route}
        suggested = {"category": suggestion.category, "priority": suggestion.priority, "route": suggestion.route}
        if chosen != suggested:
            commanders = self.known.commanders
            author = commanders[call.incident % len(commanders)] if commanders else None
            judged = call.received_at + dt.timedelta(seconds=20 + len(call.text) % 40)
            entries.append(self._entry(
                incident_id, judged, IncidentLog.Kind.CHANGED,
                self.texts["changed"],
                automatic=author is None, author_id=author, before=self.json(suggested), after=self.json(chosen),
            ))
        return entries

    def _state_entries(self, call: history.PlannedCall, incident_id: int) -> list[Row]:
        entries = []
        before = history.TRIAGED
        team = self._team(self.decision(call)[1])
        team_name = team[1] if team else ""
        for step in call.steps:
            entries.append(self._entry(
                incident_id, step.at, IncidentLog.Kind.STATE, self._state_text(step, team_name),
                before=self.json({"state": before}), after=self.json({"state": step.state}),
            ))
            before = step.state
        return entries

    def _state_text(self, step: history.Step, team: str) -> str:
        department = self.known.departments.get(step.note, step.note)
        return self.texts[step.state] % {"team": team, "outcome": step.note, "reason": step.note, "department": department}


# -- inserting -----------------------------------------------------------------------------


def insert(model: type[models.Model], rows: Sequence[Row]) -> None:
    """INSERT `rows` (attname → value) into `model`'s table with executemany.

    Values are prepared as the model's fields prepare them for this database (times to
    UTC text on SQLite, JSON to text or Jsonb); a field a row leaves out gets its
    default, `auto_now` fields get the present time. No model instances, no signals.
    """
    if not rows:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    defaults: Row = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()  # "" for text, None for nullable
    converters = [(index, convert) for index, field in enumerate(fields) if (convert := _converter(field))]
    pick = operator.itemgetter(*(field.attname for field in fields))
    quote = connection.ops.quote_name
    # Table and column names come from the model; values go as parameters.
    sql = "INSERT INTO {table} ({columns}) VALUES ({values})".format(  # noqa: S608
        table=quote(model._meta.db_table),
        columns=", ".join(quote(field.column) for field in fields),
        values=", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            values = []
            for row in rows[start:start + BATCH]:
                value = list(pick({**defaults, **row}))
                for index, convert in converters:
                    if value[index] is not None:
                        value[index] = convert(value[index])
                values.append(value)
            cursor.executemany(sql, values)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value of `field` goes to this database, for the fields where Python's value
    is not already what the driver takes (None for the rest)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":
            # What the SQLite backend does (UTC, as text), without its checks per value.
            return lambda value: str(value.astimezone(dt.UTC))[:-6]  # without "+00:00"
        return None
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: value.value if isinstance(value, Prepared) else field.get_db_prep_save(value, connection)
    return None
