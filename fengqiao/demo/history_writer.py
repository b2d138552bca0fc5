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

Every incident that was dispatched gets its dispatch order (派警单), stamped from the
planned steps, as the dispatch services would have left it (`_Orders`): the officer the
recommender would have chosen, the stamps, the deadline of an order still out (and the
incident's owner and deadline after it), the feedback report of a finished order, the
follow-up visit of a resolved dispute or request for help (with its answer, and a
supervision order when the caller was dissatisfied), and each deadline the past passed
(`Violation`, as the ticker would have recorded it). Officers with an order still out
are left busy, and only they (with the auxiliaries who work beside them); a resolved
incident has no deadline.

Only a station without calls gets a past (the builder checks), so the calls inserted
here are the station's only ones and come back from the database in insertion order.
Raw inserts send no signals: the builder writes one summary audit row per station.
"""

from __future__ import annotations

import contextlib
import dataclasses
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

from fengqiao.dispatch import clocks, recommend, steps, wording
from fengqiao.dispatch import services as dispatch_services
from fengqiao.dispatch.models import (
    Dispatch,
    Disposition,
    Feedback,
    FollowUp,
    Satisfaction,
    Supervision,
    Violation,
)
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
    # A resolved incident has none (dispatch.services._resolve): a follow-up's is on its FollowUp row.
    history.TRANSFERRED: dt.timedelta(days=3),  # the department's answer
}
_TEAM_OF_ROUTE = {"community": "community", "case": "case", "command": "command", "transfer": "command"}

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Officer:
    """A police officer of the station, as the orders need them."""

    id: int
    name: str
    user_id: int | None
    team_id: int
    team_kind: str
    team_name: str
    duty: str


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
    beat_names: dict[str, str] = dataclasses.field(default_factory=dict)  # code → name
    officers: dict[int, _Officer] = dataclasses.field(default_factory=dict)  # police officers (no auxiliaries), by id
    leaders: list[int] = dataclasses.field(default_factory=list)  # user ids of the station's leaders (role leader)
    policies: list[clocks.Policy] = dataclasses.field(default_factory=list)  # the deadline table
    shift_starts: list[int] = dataclasses.field(default_factory=list)
    follow_up_days: dict[str, int] = dataclasses.field(default_factory=dict)  # category or family code → days
    area: str = clocks.URBAN


def write_history(station: Station, *, seed: int | str, start: dt.date, days: int) -> Counter[str]:
    """Plan and write `days` days of calls from `start` at `station` (which must have no
    calls yet); returns the rows written, by kind. Call inside a transaction."""
    with _no_cycle_collection():
        picture = station_picture(station)
        known = _read_station(station)
        judgements = _Judgements(known)
        planned = history.plan_history(
            seed, [_as_planned(picture.station, known)], picture.beats, picture.addresses, picture.categories,
            start, days, judge=judgements.judge,
        )
        if not planned:
            return Counter()
        end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time())
        with _roomy_cache():
            return _Writer(known, planned, judgements, seed=seed, end=end).write()


def _as_planned(info: history.StationInfo, known: _Station) -> history.StationInfo:
    """The station as the planner takes it, with the area and shifts its deadlines follow."""
    return dataclasses.replace(info, urban=known.area == clocks.URBAN, shift_starts=tuple(known.shift_starts))


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
    dispatch_settings = dispatch_services.station_settings(station.pk)
    return _Station(
        station=station, template=rules.settings.number_template,
        triage_minutes=rules.settings.triage_minutes, categories=dict(rules.categories),
        teams=teams, beats=beats, departments=dict(Department.objects.values_list("code", "name")),
        commanders=commanders, rules_key=rules_key,
        beat_names=dict(Beat.objects.for_stations([station.pk]).values_list("code", "name")),
        officers=_read_officers(station),
        leaders=list(
            Officer.objects.for_stations([station.pk]).filter(user__groups__name="leader")
            .order_by("badge_number").values_list("user_id", flat=True)
        ),
        policies=dispatch_services.station_policies(station.pk),
        shift_starts=list(dispatch_settings.shift_starts or clocks.DEFAULT_SHIFT_STARTS),
        follow_up_days={
            str(code): int(days) for code, days in (dispatch_settings.follow_up_days or {}).items() if days is not None
        },
        area=dispatch_services.area_of(station),
    )


def _read_officers(station: Station) -> dict[int, _Officer]:
    """The station's police officers by id, in badge order (auxiliaries are never sent alone)."""
    rows = (
        Officer.objects.for_stations([station.pk]).filter(rank=Officer.Rank.OFFICER)
        .order_by("badge_number")
        .values_list("id", "name", "user_id", "team_id", "team__kind", "team__name", "duty_status")
    )
    return {row[0]: _Officer(*row) for row in rows}


# Judgements of gists, by the rules they were made with (see _Station.rules_key).
_JUDGED: dict[str, dict[tuple[str, str], TriageResult]] = {}


class _Judgements:
    """The station's triage suggestion for a call's words. The gist reads the same as the
    text and is shared by many calls, so each is judged once (and kept for the next build
    with the same rules)."""

    def __init__(self, known: _Station) -> None:
        self.station = known.station
        if known.rules_key not in _JUDGED and len(_JUDGED) >= 4:
            _JUDGED.clear()
        self._found = _JUDGED.setdefault(known.rules_key, {})

    def suggestion(self, gist: str, sensor_kind: str) -> TriageResult:
        key = (gist, sensor_kind)
        found = self._found.get(key)
        if found is None:
            found = services.suggest(self.station, gist, sensor_kind=sensor_kind)
            self._found[key] = found
        return found

    def judge(self, station_code: str, gist: str, sensor_kind: str) -> tuple[str, int]:
        """What the planner asks (history.Judge): the suggested category and priority."""
        found = self.suggestion(gist, sensor_kind)
        return found.category, found.priority


def _log_texts() -> dict[str, str]:
    """The log's sentences in the active language, translated once for the whole past.
    The first four are intake's own (services._open_incident, _attach_to, do_mark_invalid);
    the "order" ones are dispatch's (do_dispatch, do_acknowledge, do_arrive)."""
    return {
        "received": _("Received from %(source)s: %(text)s"),
        "triaged": _("Suggested %(category)s, route %(route)s, priority %(priority)s (confidence %(confidence).2f): %(reasons)s"),
        "changed": _("The commander decided otherwise than suggested."),
        "call": _("Repeat call %(id)s attached: %(text)s"),
        history.INVALID: _("Marked invalid: %(reason)s"),
        history.DISPATCHED: _("Dispatched to %(team)s."),
        history.ACKNOWLEDGED: _("Acknowledged by %(team)s."),
        history.ON_SCENE: _("On scene: %(team)s."),
        # With an order, the dispatch services' own sentences (dispatch.services).
        "order " + history.DISPATCHED: _("Dispatched to %(officer)s (%(team)s)"),
        "order " + history.ACKNOWLEDGED: _("%(officer)s acknowledged the order%(by)s"),
        "order " + history.ON_SCENE: _("%(officer)s on scene, %(minutes).0f min after dispatch%(by)s"),
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
    def __init__(self, known: _Station, planned: Sequence[history.PlannedCall], judgements: _Judgements, *,
                 seed: int | str, end: dt.datetime) -> None:
        self.known = known
        self.planned = planned
        self.counts: Counter[str] = Counter()
        self.judgements = judgements
        self._json: dict[tuple[tuple[str, Any], ...], Prepared] = {}
        self._triage_json: dict[tuple[str, str], Prepared] = {}
        self._tz = timezone.get_current_timezone()
        self.texts = _log_texts()
        self.sources = {source: str(label) for source, label in Call.Source.choices}
        self.orders = _Orders(self, seed=seed, end=self._aware(end))  # end: midnight after the last day

    def write(self) -> Counter[str]:
        openers = [call for call in self.planned if call.opens_incident]
        for call in openers:
            self.orders.plan(call, *self.decision(call))
        incident_ids = self._incidents(openers)
        call_ids = self._calls(incident_ids)
        self._log(openers, incident_ids, call_ids)
        self.orders.write(incident_ids)
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
        """The station's triage of the call's words (judged once per gist)."""
        return self.judgements.suggestion(call.gist, call.sensor_kind)

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
            owner_team_id = team[0] if team else None
            owner_id = responsible if route == "community" else None
            deadline = self._deadline(call)
            order = self.orders.planned.get(call.incident)
            if order is not None:
                # The incident follows its order (dispatch.services._settle).
                owner_id, owner_team_id = order.officer.id, order.officer.team_id
                if order.due is not None:
                    deadline = order.due.alert_at
            rows.append({
                "station_id": station.pk, "number": number, "received_at": self._aware(call.received_at),
                "category_id": known.categories[call.category], "priority": priority, "route": route,
                "state": call.final_state, "summary": call.text, "address_text": call.address_text,
                "address_id": address_id, "place_unconfirmed": address_id is None,
                "latitude": call.latitude, "longitude": call.longitude, "beat_id": beat_id,
                "tags": sorted(call.tags), "triage": self.triage_json(call),
                "owner_team_id": owner_team_id, "owner_id": owner_id, "deadline": deadline,
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
            if call.steps and call.steps[0].at <= judged:
                judged = call.received_at + (call.steps[0].at - call.received_at) / 2  # decided before the order went out
            entries.append(self._entry(
                incident_id, judged, IncidentLog.Kind.CHANGED,
                self.texts["changed"],
                automatic=author is None, author_id=author, before=self.json(suggested), after=self.json(chosen),
            ))
        return entries

    def _state_entries(self, call: history.PlannedCall, incident_id: int) -> list[Row]:
        entries = []
        before = history.TRIAGED
        order = self.orders.planned.get(call.incident)
        if order is not None:
            team_name = order.officer.team_name
        else:
            team = self._team(self.decision(call)[1])
            team_name = team[1] if team else ""
        for step in call.steps:
            entries.append(self._entry(
                incident_id, step.at, IncidentLog.Kind.STATE, self._state_text(step, team_name, order),
                before=self.json({"state": before}), after=self.json({"state": step.state}),
            ))
            before = step.state
        return entries

    def _state_text(self, step: history.Step, team: str, order: _Order | None = None) -> str:
        if order is not None and "order " + step.state in self.texts:
            minutes = (self._aware(step.at) - order.issued_at).total_seconds() / 60
            return self.texts["order " + step.state] % {
                "officer": order.officer.name, "team": team, "minutes": minutes, "by": ""}
        department = self.known.departments.get(step.note, step.note)
        return self.texts[step.state] % {"team": team, "outcome": step.note, "reason": step.note, "department": department}


# -- dispatch orders -------------------------------------------------------------------------

# Share of a beat's past orders that went to its own officer; the rest went to whichever
# community officer was on shift.
BEAT_OFFICER_SHARE = 0.75
# Incident state at the end of the window → the state of the order still out.
_ORDER_STATE = {
    history.DISPATCHED: steps.ISSUED,
    history.ACKNOWLEDGED: steps.ACKNOWLEDGED,
    history.ON_SCENE: steps.ON_SCENE,
}
_WORKING = (Officer.DutyStatus.ON_DUTY, Officer.DutyStatus.BUSY)

# How the matter was dealt with, by the outcome the planner wrote (history.OUTCOMES, CASES).
DISPOSITIONS: dict[str, str] = {
    "已开具报案回执，告知报警人后续处理": Disposition.HANDLED,
    "经查证财物已找回，报警人不再追究": Disposition.HANDLED,
    "报警人撤销报警": Disposition.OTHER,
    "民警到场后已平息，当事人经批评教育后离开": Disposition.HANDLED,
    "对违法行为人予以批评教育": Disposition.WARNED,
    "当事人已离开现场，已做登记": Disposition.NOTHING_FOUND,
    "已通知交巡警处理，现场恢复通行": Disposition.HANDLED,
    "双方协商解决": Disposition.MEDIATED,
    "已移交交巡警大队": Disposition.TRANSFERRED,
    "已通知消防到场处置，无人员伤亡": Disposition.HANDLED,
    "现场核实为误报": Disposition.FALSE_REPORT,
    "险情已排除": Disposition.HANDLED,
    "经民警调解，双方达成一致": Disposition.MEDIATED,
    "双方协商一致，已签订调解协议": Disposition.MEDIATED,
    "告知双方通过法律途径解决": Disposition.ADVICE,
    "已移交社区人民调解委员会": Disposition.TRANSFERRED,
    "已帮助报警人解决": Disposition.HELPED,
    "人已找到，已安全送回家中": Disposition.HELPED,
    "已联系家属接回": Disposition.HELPED,
    "已送医治疗": Disposition.HELPED,
    "线索已核查，已移交相关部门": Disposition.TRANSFERRED,
    "到场核查未发现异常": Disposition.NOTHING_FOUND,
}
# An outcome the table does not know: by family.
FAMILY_DISPOSITIONS: dict[str, str] = {
    "dispute": Disposition.MEDIATED, "assistance": Disposition.HELPED, "non_police": Disposition.TRANSFERRED,
}
# The law a feedback report cites, for the dispositions that cite one.
LEGAL_BASIS: dict[tuple[str, str], str] = {
    (Disposition.CASE_ACCEPTED, "criminal"): "《中华人民共和国刑事诉讼法》",
    (Disposition.CASE_ACCEPTED, "tipoff"): "《中华人民共和国刑事诉讼法》",
    (Disposition.CASE_ACCEPTED, "public_order"): "《中华人民共和国治安管理处罚法》",
    (Disposition.CASE_ACCEPTED, "traffic"): "《中华人民共和国道路交通安全法》",
    (Disposition.WARNED, "public_order"): "《中华人民共和国治安管理处罚法》",
}
# The caller's answers at follow-up visits: cumulative share, answer, what the officer noted.
FOLLOW_UP_ANSWERS: tuple[tuple[float, str, str], ...] = (
    (0.80, Satisfaction.SATISFIED, "报警人对处理结果表示满意"),
    (0.93, Satisfaction.FAIRLY, "报警人表示基本满意"),
    (0.97, Satisfaction.DISSATISFIED, "报警人对处理结果不满意，称问题没有解决"),
    (1.00, Satisfaction.NO_RESULT, "多次电话联系报警人，均未接通"),
)
# Families whose incidents the station closes only after the follow-up (history.fate closes a
# dispute two days after resolving it): their follow-up was done before the closing.
CLOSED_AFTER_FOLLOW_UP = frozenset({"dispute"})
SUPERVISION_OPEN_DAYS = 14  # supervision orders opened this recently are still open
SUPERVISION_CONCLUSION = "已约谈责任民警，重新上门回访并调处，报警人表示理解"
HOME_VISIT_ANSWERS = ((0.6, Satisfaction.FAIRLY, "上门回访，报警人表示基本满意"),
                      (1.0, Satisfaction.SATISFIED, "上门回访，问题已解决，报警人表示满意"))


@dataclass(slots=True)
class _Order:
    """One planned dispatch order: who was sent, every stamp, and what came due."""

    call: history.PlannedCall
    priority: int  # the incident's, as intake kept it
    officer: _Officer
    tier: str
    reason: str
    state: str
    issued_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    departed_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None  # the incident's resolution (follow-ups count from it)
    closed_at: dt.datetime | None = None
    ending: history.Step | None = None  # the resolving or converting step
    due: clocks.Due | None = None  # the deadline of an order still out
    late: list[tuple[str, dt.datetime]] = dataclasses.field(default_factory=list)  # (step, alert time) passed before its stamp
    dispatch_late: dt.datetime | None = None  # the incident's dispatch deadline, when the order came after it


class _Orders:
    """The dispatch orders of the past, planned call by call and written in bulk."""

    def __init__(self, writer: _Writer, *, seed: int | str, end: dt.datetime) -> None:
        self.writer = writer
        self.known = writer.known
        self.end = end
        self.rng = history.Draws(f"{seed}:orders:{self.known.station.code}")
        self.planned: dict[int, _Order] = {}  # by planned incident index, in plan order
        self._policies: dict[tuple[str, str, int], clocks.Policy | None] = {}
        self._json: dict[Any, Prepared] = {}
        self._reasons: dict[tuple[str, str], str] = {}
        self.teams: dict[str, list[_Officer]] = {}
        for officer in self.known.officers.values():
            self.teams.setdefault(officer.team_kind, []).append(officer)

    @property
    def counts(self) -> Counter[str]:
        return self.writer.counts

    # -- planning ------------------------------------------------------------------------

    def plan(self, call: history.PlannedCall, priority: int, route: str) -> None:
        """Plan the order of `call`'s incident, if it was dispatched."""
        reached = {step.state: step for step in call.steps}
        dispatched = reached.get(history.DISPATCHED)
        if dispatched is None:
            return
        ending = reached.get(history.RESOLVED) or reached.get(history.CONVERTED)
        active = call.final_state in _ORDER_STATE
        if not active and ending is None:
            return  # not in the plan: an incident that left the main line after dispatch
        chosen = self._officer_for(call, route, active=active)
        if chosen is None:
            return
        officer, tier, reason = chosen
        aware = self.writer._aware
        order = _Order(call=call, priority=priority, officer=officer, tier=tier, reason=reason,
                       state=_ORDER_STATE.get(call.final_state, steps.REPORTED), issued_at=aware(dispatched.at))
        if history.ACKNOWLEDGED in reached:
            order.acknowledged_at = aware(reached[history.ACKNOWLEDGED].at)
        if history.ON_SCENE in reached:
            order.arrived_at = aware(reached[history.ON_SCENE].at)
            if order.acknowledged_at is not None:
                # Off a minute or so after signing for it, well before arriving.
                gap = (order.arrived_at - order.acknowledged_at) / 2
                order.departed_at = order.acknowledged_at + min(dt.timedelta(seconds=self.rng.randint(40, 120)), gap)
        if ending is not None and not active:
            order.ending = ending
            if ending.state == history.RESOLVED:
                order.resolved_at = aware(ending.at)
                order.reported_at = order.resolved_at  # the feedback resolved the incident
                if history.CLOSED in reached:
                    order.closed_at = aware(reached[history.CLOSED].at)
            else:
                # Became a case: the officer's feedback accepted it (the case itself goes on).
                order.reported_at = aware(ending.at)
        self._clocks(order)
        self.planned[call.incident] = order

    def _officer_for(self, call: history.PlannedCall, route: str, *, active: bool) -> tuple[_Officer, str, str] | None:
        """Whom the recommender would have sent: the beat's own officer, else another of the
        right team (the case team for case incidents). An order still out went to someone on duty."""
        kind = Team.Kind.CASE if route == "case" else Team.Kind.COMMUNITY
        team = self.teams.get(kind) or self.teams.get(Team.Kind.COMMUNITY) or self.teams.get(Team.Kind.CASE)
        if not team:
            return None
        kind = team[0].team_kind
        pool = team
        if active:
            pool = ([officer for officer in team if officer.duty in _WORKING]
                    or [officer for officer in team if officer.duty == Officer.DutyStatus.STANDBY] or team)
        if kind == Team.Kind.COMMUNITY and route != "case":
            _beat_id, responsible_id = self.known.beats.get(call.beat_code, (None, None))
            responsible = self.known.officers.get(responsible_id) if responsible_id is not None else None
            if responsible is not None and responsible in pool and (active or self.rng.random() < BEAT_OFFICER_SHARE):
                return responsible, recommend.TIER_BEAT, self._reason(
                    "owns_beat", self.known.beat_names.get(call.beat_code, call.beat_code))
            pool = [officer for officer in pool if officer is not responsible] or pool
        return self.rng.choice(pool), recommend.TIER_TEAM, self._reason("same_team_free", kind)

    def _reason(self, code: str, value: str) -> str:
        """The recommender's reason, in its own words (dispatch.wording), made once."""
        key = (code, value)
        found = self._reasons.get(key)
        if found is None:
            params = {"beat": value} if code == "owns_beat" else {"team": value}
            found = wording.reason_text(recommend.Reason(code, params))
            self._reasons[key] = found
        return found

    def _clocks(self, order: _Order) -> None:
        """The deadline of an order still out, and each deadline the past passed."""
        call, priority = order.call, order.priority
        ack = self._due("acknowledge", call.category, priority, order.issued_at)
        arrive = self._due("arrive", call.category, priority, order.issued_at)
        feedback = self._due("feedback", call.category, priority, order.arrived_at) if order.arrived_at else None
        for step, due, stamp in (("acknowledge", ack, order.acknowledged_at), ("arrive", arrive, order.arrived_at),
                                 ("feedback", feedback, order.reported_at)):
            if due is not None and stamp is not None and stamp > due.alert_at:
                order.late.append((step, due.alert_at))
        order.due = {steps.ISSUED: ack, steps.ACKNOWLEDGED: arrive, steps.ON_SCENE: feedback}.get(order.state)
        # What intake gave the command room to dispatch (the incident's first deadline).
        dispatch_by = self.writer._aware(call.received_at) + dt.timedelta(minutes=self.known.triage_minutes)
        if order.issued_at > dispatch_by:
            order.dispatch_late = dispatch_by

    def _due(self, step: str, category: str, priority: int, started: dt.datetime) -> clocks.Due:
        key = (step, category, priority)
        if key not in self._policies:
            self._policies[key] = clocks.pick(self.known.policies, step=step, category=category,
                                              priority=priority, area=self.known.area)
        return clocks.due(self._policies[key], started, step=step, shift_starts=self.known.shift_starts)

    def _prepared(self, model: type[models.Model], name: str, value: Any) -> Prepared:
        """A JSON value in the database's form, prepared once per distinct value."""
        key = (name, json.dumps(value, sort_keys=True, ensure_ascii=False))
        found = self._json.get(key)
        if found is None:
            found = Prepared(model._meta.get_field(name).get_db_prep_save(value, connection))
            self._json[key] = found
        return found

    # -- writing -------------------------------------------------------------------------

    def write(self, incident_ids: dict[int, int]) -> None:
        if self.planned:
            dispatch_ids = self._dispatches(incident_ids)
            self._feedback(dispatch_ids)
            self._follow_ups(incident_ids)
            self._violations(incident_ids, dispatch_ids)
        self._busy()

    def _dispatches(self, incident_ids: dict[int, int]) -> dict[int, int]:
        """Insert the orders; returns their ids by planned incident index."""
        station_id = self.known.station.pk
        commanders = self.known.commanders
        rows: list[Row] = []
        for index, order in self.planned.items():
            due = order.due
            rows.append({
                "station_id": station_id, "incident_id": incident_ids[index], "officer_id": order.officer.id,
                "team_kind": order.officer.team_kind, "backup": False, "state": order.state,
                "recommendation": self._prepared(Dispatch, "recommendation", {
                    "rank": 1, "tier": order.tier, "reasons": [order.reason]}),
                "issued_at": order.issued_at,
                "issued_by_id": commanders[index % len(commanders)] if commanders else None,
                "acknowledged_at": order.acknowledged_at,
                "acknowledged_by_id": order.officer.user_id if order.acknowledged_at else None,
                "departed_at": order.departed_at, "arrived_at": order.arrived_at, "reported_at": order.reported_at,
                "due_step": due.step if due else "", "warn_at": due.warn_at if due else None,
                "alert_at": due.alert_at if due else None,
            })
        insert(Dispatch, rows)
        self.counts["dispatch orders"] += len(rows)
        by_incident = dict(Dispatch.objects.for_stations([station_id]).values_list("incident_id", "id"))
        return {index: by_incident[incident_ids[index]] for index in self.planned}

    def _feedback(self, dispatch_ids: dict[int, int]) -> None:
        people = self._prepared(Feedback, "people", [])
        rows: list[Row] = []
        for index, order in self.planned.items():
            if order.reported_at is None or order.ending is None:
                continue
            family = clocks.family_of(order.call.category)
            if order.ending.state == history.CONVERTED:
                disposition = Disposition.CASE_ACCEPTED
            else:
                disposition = DISPOSITIONS.get(order.ending.note) or FAMILY_DISPOSITIONS.get(family, Disposition.HANDLED)
            rows.append({
                "station_id": self.known.station.pk, "dispatch_id": dispatch_ids[index], "disposition": disposition,
                "actions": order.ending.note, "legal_basis": LEGAL_BASIS.get((disposition, family), ""),
                "people": people, "resolves": True, "author_id": order.officer.user_id, "created_at": order.reported_at,
            })
        insert(Feedback, rows)
        self.counts["feedback reports"] += len(rows)

    def _follow_up_days(self, category: str) -> int | None:
        rules = self.known.follow_up_days
        for key in (category, clocks.family_of(category)):
            if key in rules:
                return rules[key]
        return None

    def _answer(self, answers: Sequence[tuple[float, str, str]]) -> tuple[str, str]:
        roll = self.rng.random()
        for share, outcome, notes in answers:
            if roll < share:
                return outcome, notes
        return answers[-1][1], answers[-1][2]

    def _follow_up_row(self, incident_id: int, order: _Order, level: str, scheduled: dt.datetime,
                       days: int) -> tuple[Row, str]:
        """A follow-up visit scheduled at `scheduled`, done (with an answer) if it was done before the
        end of the window: around its due time, or before the incident was closed."""
        due_at = scheduled + dt.timedelta(days=days)
        alert_at = self._due("follow_up", order.call.category, order.priority, due_at).alert_at
        row: Row = {
            "station_id": self.known.station.pk, "incident_id": incident_id, "officer_id": order.officer.id,
            "level": level, "state": FollowUp.State.DUE, "scheduled_at": scheduled, "due_at": due_at,
            "alert_at": alert_at,
        }
        done_at = due_at - dt.timedelta(minutes=self.rng.randint(0, 12 * 60))
        if (order.closed_at is not None and level == FollowUp.Level.CALL
                and clocks.family_of(order.call.category) in CLOSED_AFTER_FOLLOW_UP):
            done_at = min(done_at, order.closed_at - dt.timedelta(minutes=5))
        done_at = max(done_at, scheduled + dt.timedelta(minutes=30))
        outcome = ""
        if done_at <= self.end:
            answers = HOME_VISIT_ANSWERS if level == FollowUp.Level.HOME_VISIT else FOLLOW_UP_ANSWERS
            outcome, notes = self._answer(answers)
            row.update(state=FollowUp.State.DONE, done_at=done_at, done_by_id=order.officer.user_id,
                       outcome=outcome, notes=notes)
        return row, outcome

    def _follow_ups(self, incident_ids: dict[int, int]) -> None:
        """A follow-up for each resolved dispute or request for help; a dissatisfied answer
        opened a supervision order and a home visit the next day (dispatch.services)."""
        rows: list[Row] = []
        dissatisfied: list[tuple[int, _Order, Row]] = []
        for index, order in self.planned.items():
            if order.resolved_at is None:
                continue
            days = self._follow_up_days(order.call.category)
            if days is None:
                continue
            incident_id = incident_ids[index]
            row, outcome = self._follow_up_row(incident_id, order, FollowUp.Level.CALL, order.resolved_at, days)
            rows.append(row)
            if outcome == Satisfaction.DISSATISFIED:
                dissatisfied.append((incident_id, order, row))
                home, _outcome = self._follow_up_row(incident_id, order, FollowUp.Level.HOME_VISIT, row["done_at"], 1)
                rows.append(home)
        insert(FollowUp, rows)
        self.counts["follow-up visits"] += len(rows)
        if dissatisfied:
            self._supervisions(dissatisfied)

    def _supervisions(self, dissatisfied: list[tuple[int, _Order, Row]]) -> None:
        station_id = self.known.station.pk
        ids = dict(
            FollowUp.objects.for_stations([station_id]).filter(
                level=FollowUp.Level.CALL, outcome=Satisfaction.DISSATISFIED,
            ).values_list("incident_id", "id")
        )
        leaders = self.known.leaders
        recent = self.end - dt.timedelta(days=SUPERVISION_OPEN_DAYS)
        reason = _("The caller was dissatisfied at the follow-up: %(notes)s")
        rows: list[Row] = []
        for incident_id, order, follow_up in dissatisfied:
            opened_at = follow_up["done_at"]
            row: Row = {
                "station_id": station_id, "incident_id": incident_id, "follow_up_id": ids[incident_id],
                "officer_id": order.officer.id, "state": Supervision.State.OPEN,
                "reason": reason % {"notes": follow_up["notes"]}, "opened_at": opened_at,
            }
            if opened_at < recent:
                row.update(state=Supervision.State.CLOSED, conclusion=SUPERVISION_CONCLUSION,
                           closed_at=opened_at + dt.timedelta(hours=self.rng.randint(20, 120)),
                           closed_by_id=leaders[incident_id % len(leaders)] if leaders else None)
            rows.append(row)
        insert(Supervision, rows)
        self.counts["supervision orders"] += len(rows)

    def _violations(self, incident_ids: dict[int, int], dispatch_ids: dict[int, int]) -> None:
        """Each deadline a past stamp passed, as the ticker recorded it when it came due.
        The deadline an order still out has passed is left to the ticker's next round."""
        station_id = self.known.station.pk
        rows: list[Row] = []
        for index, order in self.planned.items():
            incident_id = incident_ids[index]
            if order.dispatch_late is not None:
                rows.append({
                    "station_id": station_id, "incident_id": incident_id, "step": "dispatch",
                    "level": Violation.Level.ALERT, "due_at": order.dispatch_late, "recorded_at": order.dispatch_late,
                    "subject": f"incident:{incident_id}",
                })
            dispatch_id = dispatch_ids[index]
            for step, due_at in order.late:
                rows.append({
                    "station_id": station_id, "incident_id": incident_id, "dispatch_id": dispatch_id,
                    "officer_id": order.officer.id, "step": step, "level": Violation.Level.ALERT,
                    "due_at": due_at, "recorded_at": due_at, "subject": f"dispatch:{dispatch_id}",
                })
        insert(Violation, rows)
        self.counts["deadline breaches"] += len(rows)

    def _busy(self) -> None:
        """Officers with an order still out are busy (dispatch.services.do_dispatch), and only they:
        the roster's picture (plan.py) marks officers busy who have nothing assigned in this past,
        and they are on duty again. Auxiliaries on duty go with their supervising officer."""
        out = sorted({order.officer.id for order in self.planned.values() if order.state in steps.ACTIVE})
        officers = Officer.objects.for_stations([self.known.station.pk])
        police = officers.filter(rank=Officer.Rank.OFFICER)
        auxiliaries = officers.filter(rank=Officer.Rank.AUXILIARY)
        working = [Officer.DutyStatus.ON_DUTY, Officer.DutyStatus.BUSY]
        police.filter(pk__in=out, duty_status__in=[Officer.DutyStatus.ON_DUTY, Officer.DutyStatus.STANDBY]).update(
            duty_status=Officer.DutyStatus.BUSY)
        police.filter(duty_status=Officer.DutyStatus.BUSY).exclude(pk__in=out).update(
            duty_status=Officer.DutyStatus.ON_DUTY)
        auxiliaries.filter(duty_status__in=working, supervisor_id__in=out).update(duty_status=Officer.DutyStatus.BUSY)
        auxiliaries.filter(duty_status=Officer.DutyStatus.BUSY).exclude(supervisor_id__in=out).update(
            duty_status=Officer.DutyStatus.ON_DUTY)


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
