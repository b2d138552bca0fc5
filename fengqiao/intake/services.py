"""Intake writes: every change to calls and incidents happens here, in one transaction each.

- `do_receive_call` records a call and, in the same transaction, the incident it becomes
  (or the incident it repeats), the log entries, and for the feed the idempotency record
  that lets a retry get the same answer. The caller is answered only after it commits.
- `do_merge`, `do_mark_invalid`, `do_update_incident`, `do_add_note`, `do_strike_entry`,
  `do_take_lock` and `do_release_lock` are the other doors.

The station's rules (taxonomy, lexicon, sensor table, classifier, address index, beat
polygons) are read through the `station_*` helpers, cached per process and refreshed when
the station's data changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core import events, rows
from fengqiao.organisation.geo import BeatLocator
from fengqiao.organisation.models import Beat, Officer, Station, Team
from fengqiao.records.models import Address

from . import classifier, duplicates, states
from .addressing import AddressIndex, Candidate
from .models import (
    Call,
    Category,
    CategoryFamily,
    IdempotencyRecord,
    Incident,
    IncidentLog,
    IntakeSettings,
)
from .numbering import format_number
from .sensors import DEFAULT_SENSOR_MAP, SensorMapError, SensorRule, parse_sensor_map
from .taxonomy import Category as RuleCategory
from .taxonomy import Family as RuleFamily
from .taxonomy import Taxonomy, load_taxonomy, read_data_file
from .triage import LexiconError, Rules, TriageResult, parse_rules, triage
from .wording import route_label, say_reason

LOCK_MINUTES = 5

# -- the station's rules ------------------------------------------------------------------


def seed_station_intake(station: Station) -> IntakeSettings:
    """Give a station the shipped taxonomy, lexicon and sensor table, unless it has them."""
    existing = IntakeSettings.objects.filter(station=station).unscoped("seeding one station").first()
    if existing is not None:
        return existing
    taxonomy = load_taxonomy()
    # In bulk, without the save signals: the settings made below are the rules' first stamp.
    family_rows = CategoryFamily.objects.unscoped("seeding one station").filter(station=station)
    known_families = set(family_rows.values_list("code", flat=True))
    CategoryFamily.objects.bulk_create([
        CategoryFamily(station=station, code=family.code, label_zh=family.label_zh, label_en=family.label_en, position=position)
        for position, family in enumerate(taxonomy.families) if family.code not in known_families
    ])
    families = {family.code: family for family in family_rows}
    category_rows = Category.objects.unscoped("seeding one station").filter(station=station)
    known_categories = set(category_rows.values_list("code", flat=True))
    Category.objects.bulk_create([
        Category(
            station=station, code=category.code, family=families[category.family], label_zh=category.label_zh,
            label_en=category.label_en, route=category.route, priority=category.priority,
            repeat_prone=category.repeat_prone, position=position,
        )
        for position, category in enumerate(taxonomy.categories) if category.code not in known_categories
    ])
    forget_station_caches(station.pk)
    return IntakeSettings.objects.create(
        station=station,
        lexicon=json.loads(read_data_file("lexicon.json")),
        sensor_map=DEFAULT_SENSOR_MAP,
    )


def station_taxonomy(station_id: int) -> Taxonomy:
    """The station's categories as the pure triage module knows them (inactive ones left out)."""
    families = CategoryFamily.objects.for_stations([station_id]).order_by("position", "code")
    categories = (
        Category.objects.for_stations([station_id]).filter(active=True)
        .select_related("family").order_by("position", "code")
    )
    return Taxonomy(
        families=tuple(RuleFamily(f.code, f.label_zh, f.label_en) for f in families),
        categories=tuple(
            RuleCategory(c.code, c.label_zh, c.label_en, c.family.code, c.route, c.priority, c.repeat_prone)
            for c in categories
        ),
    )


def check_station_rules(intake_settings: IntakeSettings) -> None:
    """ValidationError naming the field, unless the lexicon and sensor table fit the station."""
    taxonomy = station_taxonomy(intake_settings.station_id)
    errors: dict[str, str] = {}
    try:
        parse_rules(taxonomy, intake_settings.lexicon)
    except (LexiconError, ValueError, KeyError, TypeError) as error:
        errors["lexicon"] = str(error)
    try:
        parse_sensor_map(intake_settings.sensor_map, {c.code for c in taxonomy.categories})
    except SensorMapError as error:
        errors["sensor_map"] = str(error)
    if errors:
        raise ValidationError(errors)


@dataclass
class StationRules:
    """Everything intake needs to judge and place a call, for one station, read-only."""

    settings: IntakeSettings
    rules: Rules
    sensors: dict[str, SensorRule]
    families: dict[str, str]  # category code → family code
    categories: dict[str, int]  # category code → Category id
    command_team_id: int | None
    # code → Category row, shared by the threads of the process: read, never changed
    category_rows: dict[str, Category] = field(default_factory=dict)
    stamp: Any = None


# How long a process trusts its cached rules and indexes before it reads their stamp again.
# A change made in this process is seen at once (the signals forget the caches); one made
# in another server process is seen within this many seconds. Reading the stamps on every
# call cost five queries per received call.
FRESH_SECONDS = 2.0


@dataclass
class _Cached:
    stamp: Any
    value: Any
    checked_at: float = 0.0


_cache: dict[tuple[str, int], _Cached] = {}
_cache_lock = threading.Lock()


def _cached(kind: str, station_id: int, stamp: Any, build: Any) -> Any:
    """The cached value for `stamp`, built again when the stamp has moved.

    `stamp` may be a function that reads it: it is then called only when the cached value
    is older than FRESH_SECONDS."""
    key = (kind, station_id)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and callable(stamp) and now - hit.checked_at < FRESH_SECONDS:
        return hit.value
    current = stamp() if callable(stamp) else stamp
    if hit is not None and hit.stamp == current:
        hit.checked_at = now
        return hit.value
    value = build()
    with _cache_lock:
        _cache[key] = _Cached(current, value, now)
    return value


def warm_station_caches() -> int:
    """Read every station's rules, address index and beats now, so that the first call
    of each station is not the one that waits for them; returns how many stations."""
    ids = list(Station.objects.unscoped("warming every station's intake caches").values_list("id", flat=True))
    for station_id in ids:
        station_rules(station_id)
        _station_addresses(station_id)
        station_beat_locator(station_id)
    return len(ids)


def forget_station_caches(station_id: int | None = None) -> None:
    """Drop cached rules and indexes (all stations when `station_id` is None)."""
    with _cache_lock:
        for key in list(_cache):
            if station_id is None or key[1] == station_id:
                del _cache[key]


def station_rules(station_id: int) -> StationRules:
    """The station's taxonomy, lexicon and sensor table, rebuilt when the settings change
    (saving a category touches the settings row, so all processes notice).

    Each call reads only the settings' stamp; the row itself, whose lexicon is a large
    JSON document, is read and parsed again only when the stamp has moved (reading it on
    every call cost a few milliseconds, three times per received call)."""
    def stamp() -> Any:
        found = IntakeSettings.objects.for_stations([station_id]).values_list("updated_at", flat=True).first()
        if found is None:
            found = seed_station_intake(Station.objects.for_stations([station_id]).get()).updated_at
        return found

    def build() -> StationRules:
        # Read after the stamp: if the row changed in between, the next call sees a newer
        # stamp than the one this is cached under and builds again.
        intake_settings = IntakeSettings.objects.for_stations([station_id]).select_related("station").get()
        taxonomy = station_taxonomy(station_id)
        rules = parse_rules(taxonomy, intake_settings.lexicon)
        sensors = parse_sensor_map(intake_settings.sensor_map, {c.code for c in taxonomy.categories})
        rows = {row.code: row for row in Category.objects.for_stations([station_id]).select_related("family")}
        command = Team.objects.for_stations([station_id]).filter(kind=Team.Kind.COMMAND).order_by("id").first()
        return StationRules(
            settings=intake_settings, rules=rules, sensors=sensors,
            families={c.code: c.family for c in taxonomy.categories},
            categories={code: row.pk for code, row in rows.items()}, command_team_id=command.pk if command else None,
            category_rows=rows,
        )

    found: StationRules = _cached("rules", station_id, stamp, build)
    return found


def _model_path(station: Station) -> Path:
    return Path(settings.DATA_DIR) / "models" / f"triage-{station.code}.joblib"


def station_model(station: Station) -> classifier.Model | None:
    """The station's trained classifier, if `fengqiao triage train` has made one."""
    path = _model_path(station)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None

    def build() -> classifier.Model | None:
        try:
            return classifier.load(path)
        except classifier.ModelError:
            return None

    model: classifier.Model | None = _cached("model", station.pk, stamp, build)
    return model


def suggest(station: Station, text: str, *, sensor_kind: str = "") -> TriageResult:
    """Category, route, priority and confidence for `text`, with the reasons.

    A sensor alarm takes its category and priority from the station's sensor table; any
    other call is read by the lexicon rules and, where it is more confident, the
    station's classifier.
    """
    station_rule = station_rules(station.pk)
    rules = station_rule.rules
    if sensor_kind:
        sensor = station_rule.sensors.get(sensor_kind)
        if sensor is not None:
            category = rules.taxonomy.category(sensor.category)
            return TriageResult(
                category=sensor.category, category_label=category.label_zh, route=category.route,
                priority=sensor.priority, confidence=1.0,
                reasons=[f"sensor {sensor.label} ({sensor_kind}) → {rules.taxonomy.full_label(sensor.category)}"],
            )
    result = triage(text, rules)
    model = station_model(station)
    if model is not None:
        result = classifier.combine(result, classifier.predict(model, text), text=text, rules=rules)
    return result


def train_station_model(station: Station, *, minimum: int = 50) -> tuple[Path, int]:
    """Train the classifier on the station's closed incidents; returns the file and the count."""
    closed = (
        Incident.objects.for_stations([station.pk])
        .filter(state__in=[states.CLOSED, states.RESOLVED, states.TRANSFERRED, states.CONVERTED])
        .select_related("category")
        .values_list("summary", "category__code")
    )
    pairs = [(text, code) for text, code in closed if text]
    if len(pairs) < minimum:
        raise ValueError(f"only {len(pairs)} closed incidents with a text; at least {minimum} are needed to train")
    model = classifier.train(pairs)
    path = _model_path(station)
    path.parent.mkdir(parents=True, exist_ok=True)
    classifier.save(model, path)
    return path, len(pairs)


# -- place ----------------------------------------------------------------------------------


def _address_stamp(station_id: int) -> tuple[int, int]:
    found = Address.objects.for_stations([station_id]).aggregate(count=Count("id"), newest=Max("id"))
    return (found["count"], found["newest"] or 0)


# address id → (beat id, latitude, longitude), read with the index so that a matched
# address needs no query of its own
AddressFacts = dict[int, tuple[int | None, float | None, float | None]]


def _station_addresses(station_id: int) -> tuple[AddressIndex, AddressFacts]:
    def build() -> tuple[AddressIndex, AddressFacts]:
        rows = list(
            Address.objects.for_stations([station_id])
            .values_list("id", "full_text", "beat_id", "latitude", "longitude").iterator(chunk_size=5000)
        )
        facts = {pk: (beat_id, lat, lon) for pk, _text, beat_id, lat, lon in rows}
        return AddressIndex((pk, text) for pk, text, *_rest in rows), facts

    found: tuple[AddressIndex, AddressFacts] = _cached("addresses", station_id, lambda: _address_stamp(station_id), build)
    return found


def station_address_index(station_id: int) -> AddressIndex:
    return _station_addresses(station_id)[0]


def station_beat_locator(station_id: int) -> BeatLocator | None:
    def beats() -> Any:
        return Beat.objects.for_stations([station_id]).exclude(boundary=None)

    def stamp() -> Any:
        # A changed boundary is seen at once in this process (the Beat signal forgets the
        # cache); other processes see new and removed beats by their ids.
        return tuple(beats().order_by("id").values_list("id", flat=True))

    def build() -> BeatLocator | None:
        rows = [(beat.pk, beat.boundary) for beat in beats().only("id", "boundary")]
        return BeatLocator(rows) if rows else None

    locator: BeatLocator | None = _cached("beats", station_id, stamp, build)
    return locator


@dataclass
class Place:
    """Where a call happened, as well as intake could tell."""

    station_id: int | None = None
    address_id: int | None = None
    score: float | None = None
    confident: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    beat_id: int | None = None
    _address: Address | None = field(default=None, repr=False)

    @property
    def address(self) -> Address | None:
        """The standard address, read when first asked for (receiving a call needs only its id)."""
        if self.address_id is None:
            return None
        if self._address is None or self._address.pk != self.address_id:
            self._address = Address.objects.for_stations([self.station_id or 0]).filter(pk=self.address_id).first()
        return self._address

    @property
    def needs_confirming(self) -> bool:
        return self.address_id is None


def locate(station_id: int, address_text: str, latitude: float | None, longitude: float | None, *, address_id: int | None = None) -> Place:
    """Match the address text to a standard address and the position to a beat.

    A chosen `address_id` (the commander picked it) wins; otherwise only a confident
    match is used. With no confident match the place is flagged, never guessed.
    """
    place = Place(station_id=station_id, latitude=latitude, longitude=longitude)
    known: tuple[int | None, float | None, float | None] | None = None
    if address_id is not None:
        chosen = Address.objects.for_stations([station_id]).filter(pk=address_id).first()
        if chosen is None:
            raise ValidationError({"address_id": _("No standard address %(id)s at this station.") % {"id": address_id}})
        place.address_id, place._address = chosen.pk, chosen
        place.confident, place.score = True, 100.0
        known = (chosen.beat_id, chosen.latitude, chosen.longitude)
    elif address_text.strip():
        index, facts = _station_addresses(station_id)
        place.candidates = index.match(address_text, limit=5)
        best = place.candidates[0] if place.candidates else None
        if best is not None and best.confident:
            place.address_id = best.address_id
            place.confident, place.score = True, best.score
            known = facts.get(best.address_id)
        elif best is not None:
            place.score = best.score
    beat_of_address, address_lat, address_lon = known or (None, None, None)
    if place.latitude is None and address_lat is not None:
        place.latitude, place.longitude = address_lat, address_lon
    if place.latitude is not None and place.longitude is not None:
        locator = station_beat_locator(station_id)
        if locator is not None:
            place.beat_id = locator.beat_at(place.longitude, place.latitude)
    if place.beat_id is None:
        place.beat_id = beat_of_address
    return place


# -- receiving a call -----------------------------------------------------------------------


@dataclass
class CallData:
    """A call as it arrived, already checked field by field (by the form, the API or the import)."""

    source: str
    text: str
    received_at: dt.datetime
    address_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    external_id: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    sensor_kind: str = ""


@dataclass
class Decision:
    """What the commander decided on the intake page; empty fields take the suggestion."""

    category: str = ""
    priority: int | None = None
    route: str = ""
    address_id: int | None = None
    tags: list[str] = field(default_factory=list)
    merge_into: Incident | None = None


@dataclass
class Receipt:
    call: Call
    incident: Incident
    created_incident: bool
    place: Place
    suggestion: TriageResult
    possible_duplicates: list[duplicates.Suggestion]
    replayed: bool = False
    response: dict[str, Any] | None = None


class IdempotencyConflict(Exception):
    """The key was used before with a different body."""

    def __init__(self, record_: IdempotencyRecord) -> None:
        super().__init__("this Idempotency-Key was used with a different body")
        self.record = record_


class ExternalIdTaken(Exception):
    """The 110 system id was received before, under another key."""

    def __init__(self, call: Call) -> None:
        super().__init__(f"external_id {call.external_id!r} was already received as call {call.pk}")
        self.call = call


def body_hash(body: bytes | str | dict[str, Any]) -> str:
    """A hash of the request body that ignores key order and whitespace."""
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except (ValueError, TypeError):
            raw = body if isinstance(body, bytes) else body.encode()
            return hashlib.sha256(raw).hexdigest()
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_idempotent(station_id: int, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.for_stations([station_id]).filter(key=key).first()


def receive_call(
    station: Station,
    data: CallData,
    *,
    user: Any = None,
    decision: Decision | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    respond: Any = None,
) -> Receipt:
    """`do_receive_call`, plus what a retry or a race needs: the earlier answer for a
    repeated key, a refusal for a reused key or a 110 id received before.

    A repeated key or 110 id is not looked up first: the unique constraints refuse it in
    the transaction, which rolls back, and only then is the earlier call looked up. A
    retry costs a little more that way, and each new call, which is nearly every call,
    two queries less."""
    try:
        return do_receive_call(
            station, data, user=user, decision=decision,
            idempotency_key=idempotency_key, request_hash=request_hash, respond=respond,
        )
    except IntegrityError:
        # Another request with the same key or 110 id committed first.
        if idempotency_key:
            earlier = find_idempotent(station.pk, idempotency_key)
            if earlier is not None:
                return _replay(earlier, request_hash)
        if data.external_id:
            taken = _by_external_id(station.pk, data.external_id)
            if taken is not None:
                raise ExternalIdTaken(taken) from None
        raise


def _by_external_id(station_id: int, external_id: str) -> Call | None:
    return Call.objects.for_stations([station_id]).exclude(external_id="").filter(external_id=external_id).first()


def _replay(earlier: IdempotencyRecord, request_hash: str) -> Receipt:
    if earlier.body_hash != request_hash:
        raise IdempotencyConflict(earlier)
    call = Call.objects.for_stations([earlier.station_id]).select_related("incident").get(pk=earlier.call_id)
    return Receipt(
        call=call, incident=call.incident, created_incident=False, place=Place(),
        suggestion=TriageResult("", "", "", 0, 0.0), possible_duplicates=[],
        replayed=True, response=earlier.response,
    )


@dataclass
class Judgement:
    """What intake makes of a call before recording it; worked out by reading only."""

    suggestion: TriageResult
    place: Place
    possible_duplicates: list[duplicates.Suggestion]


def judge_call(station: Station, data: CallData, decision: Decision | None = None) -> Judgement:
    """The suggestion (category, route, priority), the place (standard address, beat) and
    the possible duplicates of a call; nothing is written."""
    decision = decision or Decision()
    suggestion = suggest(station, data.text, sensor_kind=data.sensor_kind)
    place = locate(station.pk, data.address_text, data.latitude, data.longitude, address_id=decision.address_id)
    family = station_rules(station.pk).families.get(decision.category or suggestion.category, "")
    possible = possible_duplicates(station.pk, family, data.received_at, place.latitude, place.longitude,
                                   place.address_id)
    return Judgement(suggestion=suggestion, place=place, possible_duplicates=possible)


# SQLite lets one writer in at a time. Threads of one server process that find it busy
# wait in SQLite's busy handler, which sleeps and retries with growing pauses: under load
# some calls then wait for seconds, and a few give up after busy_timeout with "database
# is locked". Queueing first on a lock of the process's own lets them in one by one.
_sqlite_writer = threading.Lock()


@contextmanager
def _one_writer_at_a_time() -> Iterator[None]:
    if connection.vendor == "sqlite":
        with _sqlite_writer:
            yield
    else:
        yield


def do_receive_call(
    station: Station,
    data: CallData,
    *,
    user: Any = None,
    decision: Decision | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    respond: Any = None,
) -> Receipt:
    """Record the call and the incident it becomes (or joins), in one transaction of its
    own that has committed when this returns.

    The call is judged (`judge_call`: triage, fuzzy address matching, duplicates) before
    that transaction begins, because judging only reads and is the slow part: on SQLite
    a write transaction holds the database's one write lock from BEGIN to COMMIT, and
    every other call waits for it.

    `respond(receipt) -> dict` builds the answer the feed gets; it is stored with the
    idempotency key in the same transaction, so a retry gets exactly this answer.
    """
    judgement = judge_call(station, data, decision)
    with _one_writer_at_a_time(), transaction.atomic(durable=True):
        return record_call(
            station, data, user=user, decision=decision, idempotency_key=idempotency_key,
            request_hash=request_hash, respond=respond, judgement=judgement, precheck=False,
        )


def record_call(
    station: Station,
    data: CallData,
    *,
    user: Any = None,
    decision: Decision | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    respond: Any = None,
    judgement: Judgement | None = None,
    precheck: bool = True,
) -> Receipt:
    """`do_receive_call` inside a transaction the caller holds (a batch import of many
    calls, all or none); must be called within `transaction.atomic()`. The call is judged
    here unless `judgement` says already how.

    With `precheck` a 110 id received before is looked up first, so that a batch learns
    which row repeats one; without it (`do_receive_call`, whose transaction is its own)
    the unique constraint refuses the insert and `receive_call` finds the earlier call
    after the rollback, which spares every new call a query."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_call needs a transaction; use do_receive_call on its own")
    decision = decision or Decision()
    station_rule = station_rules(station.pk)
    if precheck and data.external_id:
        # `.exclude(external_id="")` lets SQLite use the partial unique index on the id;
        # without it the lookup scans the station's calls.
        taken = _by_external_id(station.pk, data.external_id)
        if taken is not None:
            raise ExternalIdTaken(taken)
    if data.sensor_kind and data.sensor_kind not in station_rule.sensors:
        raise ValidationError({"sensor_kind": _("Unknown sensor kind %(kind)s; this station knows: %(known)s.") % {
            "kind": data.sensor_kind, "known": ", ".join(sorted(station_rule.sensors)) or "—"}})

    judgement = judgement or judge_call(station, data, decision)
    suggestion, place, possible = judgement.suggestion, judgement.place, judgement.possible_duplicates
    now = timezone.now()
    author = user if getattr(user, "is_authenticated", False) else None

    call = Call(
        station=station, source=data.source, sensor_kind=data.sensor_kind, external_id=data.external_id,
        received_at=data.received_at, caller_name=data.caller_name, caller_phone=data.caller_phone,
        text=data.text, address_text=data.address_text, latitude=place.latitude, longitude=place.longitude,
        address_id=place.address_id, address_score=place.score, beat_id=place.beat_id,
        triage=suggestion.to_dict(), taken_by=author,
    )
    if decision.merge_into is not None:
        call.save(force_insert=True)
        incident = _attach_to(decision.merge_into, call, station, author, now)
        created = False
    else:
        # The incident first, so that the call is written once, already pointing at it.
        incident = _open_incident(station, station_rule, data, suggestion, decision, place, author, now)
        call.state, call.incident = Call.State.INCIDENT, incident
        rows.insert(call)
        created = True

    record(AuditEntry.Action.CREATED, obj=call, user=author, changes={
        "incident": [None, incident.number], "created_incident": [None, created], "source": [None, call.source]})
    # The board shows the new incident (or the repeat call) once this commits.
    events.publish(station.pk, "incident" if created else "call", incident=incident.pk, call=call.pk, state=incident.state)
    receipt = Receipt(call=call, incident=incident, created_incident=created, place=place,
                      suggestion=suggestion, possible_duplicates=possible)
    if idempotency_key:
        receipt.response = respond(receipt) if respond else {"call_id": call.pk, "incident_id": incident.pk}
        rows.insert(IdempotencyRecord(
            station=station, key=idempotency_key, body_hash=request_hash, call=call, response=receipt.response,
        ))
    return receipt


def _attach_to(incident: Incident, call: Call, station: Station, author: Any, now: dt.datetime) -> Incident:
    incident = Incident.objects.for_stations([station.pk]).select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        raise ValidationError({"merge_into": _("Incident %(number)s is no longer open.") % {"number": incident.number}})
    call.state, call.incident = Call.State.DUPLICATE, incident
    call.save(update_fields=["state", "incident"])
    _log(incident, IncidentLog.Kind.CALL, _("Repeat call %(id)s attached: %(text)s") % {"id": call.pk, "text": call.text[:80]},
         author=author, at=now, automatic=author is None)
    return incident


def _open_incident(
    station: Station, station_rule: StationRules, data: CallData, suggestion: TriageResult,
    decision: Decision, place: Place, author: Any, now: dt.datetime,
) -> Incident:
    category_code = decision.category or suggestion.category
    category = station_rule.category_rows.get(category_code)
    if category is None:
        raise ValidationError({"category": _("Unknown category %(code)s.") % {"code": category_code}})
    priority = decision.priority or (suggestion.priority if category_code == suggestion.category else category.priority)
    route = decision.route or (suggestion.route if category_code == suggestion.category else category.route)
    owner = getattr(author, "officer", None) if author is not None else None
    incident = rows.insert(Incident(
        station=station, number=next_incident_number(station, station_rule.settings.number_template, data.received_at),
        received_at=data.received_at, category=category, priority=priority, route=route,
        state=Incident.State.TRIAGED, summary=data.text, address_text=data.address_text,
        address_id=place.address_id, place_unconfirmed=place.needs_confirming,
        latitude=place.latitude, longitude=place.longitude, beat_id=place.beat_id,
        tags=sorted(set(decision.tags)), triage=suggestion.to_dict(),
        owner_team_id=station_rule.command_team_id,
        owner_id=owner.pk if owner is not None and owner.station_id == station.pk else None,
        deadline=now + dt.timedelta(minutes=station_rule.settings.triage_minutes),
    ))
    incident_saved(incident, created=True)
    source = dict(Call.Source.choices).get(data.source, data.source)
    entries = [_entry(incident, IncidentLog.Kind.RECEIVED, _("Received from %(source)s: %(text)s") % {
        "source": source, "text": data.text}, author=author, at=now, automatic=author is None)]
    reasons = "；".join(say_reason(text) for text in suggestion.reasons[:4])
    entries.append(_entry(
        incident, IncidentLog.Kind.TRIAGED,
        _("Suggested %(category)s, route %(route)s, priority %(priority)s (confidence %(confidence).2f): %(reasons)s") % {
            "category": suggestion.category_label, "route": route_label(suggestion.route), "priority": suggestion.priority,
            "confidence": suggestion.confidence, "reasons": reasons},
        at=now, automatic=True))
    chosen = {"category": category.code, "priority": priority, "route": route}
    suggested = {"category": suggestion.category, "priority": suggestion.priority, "route": suggestion.route}
    if chosen != suggested:
        entries.append(_entry(incident, IncidentLog.Kind.CHANGED, _("The commander decided otherwise than suggested."),
                              author=author, at=now, before=suggested, after=chosen))
    if place.needs_confirming:
        entries.append(_entry(incident, IncidentLog.Kind.NOTE,
                              _("No standard address matched with confidence: the place needs confirming."),
                              at=now, automatic=True))
    for entry in entries:
        rows.insert(entry)
    return incident


def next_incident_number(station: Station, template: str, received_at: dt.datetime) -> str:
    """The next number of the day, counted in the database so that two writers never share one."""
    day = timezone.localtime(received_at).date()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO intake_incidentcounter (station_id, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (station_id, day) DO UPDATE SET last = intake_incidentcounter.last + 1 "
            "RETURNING last",
            [station.pk, day],
        )
        sequence = cursor.fetchone()[0]
    return format_number(template, station_code=station.code, day=day, sequence=sequence)


def possible_duplicates(
    station_id: int, family: str, received_at: dt.datetime,
    latitude: float | None, longitude: float | None, address_id: int | None,
) -> list[duplicates.Suggestion]:
    """Open incidents of the same family near this place and time (the station's window).

    The database narrows the candidates to the window's box around the position (or the
    same standard address); `duplicates.suggest` measures the distances.
    """
    if not family or ((latitude is None or longitude is None) and address_id is None):
        return []
    rules = station_rules(station_id)
    window = rules.settings
    kinds = [pk for code, pk in rules.categories.items() if rules.families.get(code) == family]
    if not kinds:
        return []
    minutes = dt.timedelta(minutes=window.duplicate_minutes)
    box = None
    if latitude is not None and longitude is not None:
        # Degrees spanned by the radius, generously: the exact distance is measured below.
        dlat = window.duplicate_metres / 111_000 * 1.5
        dlon = dlat / max(0.2, math.cos(math.radians(latitude)))
        box = (latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon)
    rows = _open_incidents_near(station_id, kinds, received_at - minutes, received_at + minutes, box, address_id)
    sightings = [
        (pk, duplicates.Sighting(family, at, lat, lon, address))
        for pk, at, lat, lon, address in rows
    ]
    call = duplicates.Sighting(family, received_at, latitude, longitude, address_id)
    return duplicates.suggest(call, sightings, metres=window.duplicate_metres, minutes=window.duplicate_minutes)


def _open_incidents_near(
    station_id: int, kinds: list[int], since: dt.datetime, until: dt.datetime,
    box: tuple[float, float, float, float] | None, address_id: int | None,
) -> list[tuple[int, dt.datetime, float | None, float | None, int | None]]:
    """(id, received_at, latitude, longitude, address_id) of the station's open incidents of
    these categories received in the window, inside the box or at the address; newest first.

    Written in SQL: every received call asks this, and the ORM took six times as long to
    build the query as the database to answer it. The station is the first condition,
    as in every query of station data.
    """
    near, near_params = [], []
    if box is not None:
        near.append("(latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s)")
        near_params += list(box)
    if address_id is not None:
        near.append("address_id = %s")
        near_params.append(address_id)
    sql = (  # placeholders only: every value is a parameter
        "SELECT id, received_at, latitude, longitude, address_id FROM intake_incident"  # noqa: S608
        " WHERE station_id = %s AND received_at BETWEEN %s AND %s"
        f" AND state IN ({', '.join(['%s'] * len(states.OPEN_STATES))})"
        f" AND category_id IN ({', '.join(['%s'] * len(kinds))})"
        f" AND ({' OR '.join(near)})"
        " ORDER BY received_at DESC, id DESC LIMIT 200"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [station_id, adapt(since), adapt(until), *sorted(states.OPEN_STATES), *kinds, *near_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # SQLite gives the stored UTC time without its zone.
    return [(pk, at if at.tzinfo else at.replace(tzinfo=dt.UTC), lat, lon, address) for pk, at, lat, lon, address in rows]


# -- changing an incident ------------------------------------------------------------------


class LockHeld(Exception):
    """Somebody else is editing the incident."""

    def __init__(self, incident: Incident) -> None:
        holder = incident.locked_by.display_name if incident.locked_by else "?"
        super().__init__(f"incident {incident.number} is being edited by {holder} until {incident.lock_expires_at:%H:%M:%S}")
        self.incident = incident


def lock_holder(incident: Incident, *, now: dt.datetime | None = None) -> Any:
    """The user holding an unexpired edit lock, or None."""
    now = now or timezone.now()
    if incident.locked_by_id and incident.lock_expires_at and incident.lock_expires_at > now:
        return incident.locked_by
    return None


def _locked_for_change(incident: Incident, user: Any) -> Incident:
    """Re-read the incident under a row lock and refuse if another user holds the edit lock."""
    fresh = Incident.objects.for_stations([incident.station_id]).select_for_update(of=("self",)).select_related("locked_by").get(pk=incident.pk)
    holder = lock_holder(fresh)
    if holder is not None and holder.pk != getattr(user, "pk", None):
        raise LockHeld(fresh)
    return fresh


@transaction.atomic
def do_take_lock(incident: Incident, *, user: Any, minutes: int = LOCK_MINUTES) -> Incident:
    """Hold the edit lock for `minutes` (renewing one's own); LockHeld if someone else has it."""
    fresh = _locked_for_change(incident, user)
    fresh.locked_by = user
    fresh.lock_expires_at = timezone.now() + dt.timedelta(minutes=minutes)
    fresh.save(update_fields=["locked_by", "lock_expires_at", "updated_at"])
    return fresh


@transaction.atomic
def do_release_lock(incident: Incident, *, user: Any) -> Incident:
    fresh = Incident.objects.for_stations([incident.station_id]).select_for_update().get(pk=incident.pk)
    if fresh.locked_by_id == getattr(user, "pk", None):
        fresh.locked_by, fresh.lock_expires_at = None, None
        fresh.save(update_fields=["locked_by", "lock_expires_at", "updated_at"])
    return fresh


EDITABLE = ("category", "priority", "route", "address", "tags", "summary", "beat")


@transaction.atomic
def do_update_incident(incident: Incident, *, user: Any, **changes: Any) -> Incident:
    """Change what the commander may change at intake; the log keeps before and after."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    fresh = _locked_for_change(incident, user)
    if not fresh.is_open:
        raise ValidationError({"state": _("A %(state)s incident cannot be changed.") % {"state": fresh.get_state_display()}})
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("category", "address", "beat") and value is not None and value.station_id != fresh.station_id:
            raise ValidationError({name: _("This belongs to another station.")})
        if name == "priority" and value not in (1, 2, 3, 4):
            raise ValidationError({"priority": _("Priority must be 1, 2, 3 or 4.")})
        if name == "tags":
            value = sorted({str(tag).strip() for tag in value if str(tag).strip()})
        old = getattr(fresh, name)
        if old != value:
            before[name] = _plain(old)
            after[name] = _plain(value)
            setattr(fresh, name, value)
    if "address" in after and fresh.address is not None:
        fresh.place_unconfirmed = False
        if fresh.address.beat_id and "beat" not in changes:
            fresh.beat_id = fresh.address.beat_id
    if not after:
        return fresh
    fresh.save()
    incident_saved(fresh, created=False)
    _log(fresh, IncidentLog.Kind.CHANGED, _("Changed: %(fields)s") % {"fields": ", ".join(sorted(after))},
         author=user, before=before, after=after)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, changes={k: [before[k], after[k]] for k in after})
    events.publish(fresh.station_id, "incident", incident=fresh.pk, state=fresh.state)
    return fresh


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def do_merge(incident: Incident, *, into: Incident, user: Any, reason: str = "") -> Incident:
    """Merge a duplicate incident into another: both calls stay, linked to `into`."""
    if incident.pk == into.pk:
        raise ValidationError({"into": _("An incident cannot be merged into itself.")})
    if incident.station_id != into.station_id:
        raise ValidationError({"into": _("Incidents of different stations cannot be merged.")})
    fresh = _locked_for_change(incident, user)
    target = Incident.objects.for_stations([into.station_id]).select_for_update().get(pk=into.pk)
    if not target.is_open:
        raise ValidationError({"into": _("Incident %(number)s is no longer open.") % {"number": target.number}})
    states.check_move(fresh.state, states.MERGED)
    fresh.state, fresh.merged_into, fresh.deadline = Incident.State.MERGED, target, None
    fresh.locked_by, fresh.lock_expires_at = None, None
    fresh.save()
    moved = list(Call.objects.for_stations([fresh.station_id]).filter(incident=fresh).values_list("id", flat=True))
    Call.objects.for_stations([fresh.station_id]).filter(pk__in=moved).update(incident=target, state=Call.State.DUPLICATE)
    why = f" — {reason}" if reason else ""
    _log(fresh, IncidentLog.Kind.MERGED, _("Merged into %(number)s") % {"number": target.number} + why, author=user)
    _log(target, IncidentLog.Kind.MERGED,
         _("%(number)s merged into this incident; its calls %(calls)s are attached") % {
             "number": fresh.number, "calls": ", ".join(map(str, moved)) or "—"} + why, author=user)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=reason, changes={"state": ["", "merged"], "merged_into": [None, target.number]})
    events.publish(fresh.station_id, "incident", incident=fresh.pk, state=fresh.state)
    return fresh


@transaction.atomic
def do_mark_invalid(incident: Incident, *, user: Any, reason: str) -> Incident:
    """An invalid report (无效报警): kept and counted, never deleted."""
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": _("Say why the report is invalid.")})
    fresh = _locked_for_change(incident, user)
    states.check_move(fresh.state, states.INVALID)
    before = fresh.state
    fresh.state, fresh.deadline = Incident.State.INVALID, None
    fresh.save()
    Call.objects.for_stations([fresh.station_id]).filter(incident=fresh).update(state=Call.State.INVALID, invalid_reason=reason[:200])
    _log(fresh, IncidentLog.Kind.STATE, _("Marked invalid: %(reason)s") % {"reason": reason}, author=user)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=reason, changes={"state": [before, states.INVALID]})
    events.publish(fresh.station_id, "incident", incident=fresh.pk, state=fresh.state)
    return fresh


@transaction.atomic
def do_add_note(incident: Incident, *, user: Any, text: str) -> IncidentLog:
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    return _log(incident, IncidentLog.Kind.NOTE, text.strip(), author=user)


@transaction.atomic
def do_strike_entry(entry: IncidentLog, *, user: Any, reason: str) -> IncidentLog:
    """Strike a wrong log entry through; it stays readable, with who, when and why."""
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": _("Say why the entry is wrong.")})
    fresh = IncidentLog.objects.for_stations([entry.station_id]).select_for_update().get(pk=entry.pk)
    if fresh.struck_at is not None:
        raise ValidationError({"entry": _("This entry is already struck through.")})
    if fresh.automatic:
        raise ValidationError({"entry": _("Automatic entries record what the system did and cannot be struck through.")})
    fresh.struck_at, fresh.struck_by, fresh.strike_reason = timezone.now(), user, reason.strip()[:200]
    fresh.save(update_fields=["struck_at", "struck_by", "strike_reason"])
    _log(fresh.incident, IncidentLog.Kind.NOTE, _("Entry of %(at)s struck through: %(reason)s") % {
        "at": timezone.localtime(fresh.at).strftime("%H:%M:%S"), "reason": fresh.strike_reason}, author=user)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=fresh.strike_reason,
           changes={"struck_at": [None, fresh.struck_at.isoformat()]})
    return fresh


def _entry(
    incident: Incident, kind: str, text: str, *, author: Any = None, at: dt.datetime | None = None,
    automatic: bool = False, before: Any = None, after: Any = None,
) -> IncidentLog:
    """A log entry, not yet written."""
    author = author if getattr(author, "is_authenticated", False) else None
    return IncidentLog(
        station_id=incident.station_id, incident=incident, at=at or timezone.now(), kind=kind,
        automatic=automatic or author is None, author=author, text=text, before=before, after=after,
    )


def _log(
    incident: Incident, kind: str, text: str, *, author: Any = None, at: dt.datetime | None = None,
    automatic: bool = False, before: Any = None, after: Any = None,
) -> IncidentLog:
    entry = _entry(incident, kind, text, author=author, at=at, automatic=automatic, before=before, after=after)
    entry.save(force_insert=True)
    return entry


def officer_of(user: Any) -> Officer | None:
    return getattr(user, "officer", None) if getattr(user, "is_authenticated", False) else None


# -- other apps' work on an incident --------------------------------------------------------------

# Called in the same transaction when an incident is recorded (`created=True`) or changed by
# a person (category, place …): (incident, created) → None. Registered in the apps' `ready`
# (the near-repeat alerts of analysis). Explicit rather than a save signal, so that the
# intake path keeps its one-statement insert (`core.rows`).
INCIDENT_HOOKS: list[Callable[[Incident, bool], None]] = []


def register_incident_hook(hook: Callable[[Incident, bool], None]) -> None:
    if hook not in INCIDENT_HOOKS:
        INCIDENT_HOOKS.append(hook)


def incident_saved(incident: Incident, *, created: bool) -> None:
    for hook in INCIDENT_HOOKS:
        hook(incident, created)
