"""Intake endpoints: the 110 feed and sensors post calls; the command room works incidents.

`POST /calls` is the one the outside world uses. It needs an `Idempotency-Key` header:
the same key with the same body returns the first answer (200, same ids), the same key
with another body is refused (422), a missing key is 400. The answer leaves only after
the call is committed, so a feed that got no answer can always retry safely.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import model_validator

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import RevealRefused, record, record_personal_view, reveal
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_phone
from fengqiao.organisation.models import Station
from fengqiao.organisation.selectors import station_ids_for, stations_by_id
from fengqiao.records.models import Address

from . import services, states
from .models import Call, Category, Incident, IncidentLog

router = Router(tags=["intake"])

# A received_at further ahead than this is a clock error on the sender's side.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)

Source = Literal["feed_110", "phone", "walk_in", "patrol", "sensor", "chat_group", "video_patrol"]


def require(request: HttpRequest, permission: str) -> None:
    """403 unless the user's role allows it; the refusal is audited."""
    if not request.user.has_perm(permission):
        record(AuditEntry.Action.ACCESS_REFUSED, user=request.user, outcome=AuditEntry.Outcome.REFUSED,
               reason=f"missing permission {permission}", object_type="path", object_repr=request.path[:200])
        raise HttpError(403, "your role may not do this")


def field_error(error: ValidationError) -> HttpError:
    """A Django ValidationError as a 422 whose detail starts with the field's name."""
    if hasattr(error, "message_dict"):
        name, messages = next(iter(error.message_dict.items()))
        return HttpError(422, f"{name}: {' '.join(str(m) for m in messages)}")
    return HttpError(422, " ".join(str(m) for m in error.messages))


def station_for(request: HttpRequest, code: str) -> Station:
    """The station the request acts for: the user's own, or the one named among theirs."""
    stations = stations_by_id(station_ids_for(request.user))
    if code:
        found = next((station for station in stations if station.code == code), None)
        if found is None:
            raise HttpError(422, f"station: no station {code!r} among yours")
        return found
    if len(stations) == 1:
        return stations[0]
    if not stations:
        raise HttpError(403, "you belong to no station")
    raise HttpError(422, "station: you see several stations; name one by its code")


# -- the feed ------------------------------------------------------------------------------


class CallIn(Schema):
    source: Source = "feed_110"
    external_id: str = Field("", max_length=64, description="the 110 system's id; unique per station")
    received_at: dt.datetime | None = Field(None, description="when the call came in (default: now)")
    text: str = Field(..., min_length=1, max_length=4000, description="what the caller said")
    address: str = Field("", max_length=200, description="the address as given")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    caller_name: str = Field("", max_length=50)
    caller_phone: str = Field("", max_length=20, pattern=r"^[0-9+\- ]*$")
    sensor_kind: str = Field("", max_length=40, description="smoke, water_pressure, manhole_cover, electrical_arc …")
    station: str = Field("", max_length=20, description="station code; needed only by users who see several")

    @model_validator(mode="after")
    def _consistent(self) -> CallIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together")
        if self.source == "sensor" and not self.sensor_kind:
            raise ValueError("sensor_kind is required when source is sensor")
        if not self.text.strip():
            raise ValueError("text is empty")
        return self


class Suggestion(Schema):
    category: str
    category_label: str
    route: str
    priority: int
    confidence: float
    reasons: list[str]


class CallReceipt(Schema):
    call_id: int
    incident_id: int
    incident_number: str
    created_incident: bool
    state: str
    category: str
    route: str
    priority: int
    beat_id: int | None
    address_id: int | None
    place_unconfirmed: bool
    possible_duplicates: list[int]
    suggestion: Suggestion


def _receipt(receipt: services.Receipt) -> dict[str, Any]:
    incident = receipt.incident
    return {
        "call_id": receipt.call.pk,
        "incident_id": incident.pk,
        "incident_number": incident.number,
        "created_incident": receipt.created_incident,
        "state": incident.state,
        "category": incident.category.code,
        "route": incident.route,
        "priority": incident.priority,
        "beat_id": incident.beat_id,
        "address_id": incident.address_id,
        "place_unconfirmed": incident.place_unconfirmed,
        "possible_duplicates": [s.incident_id for s in receipt.possible_duplicates],
        "suggestion": receipt.suggestion.to_dict(),
    }


@router.post(
    "/calls",
    response={200: CallReceipt, 201: CallReceipt},
    summary="Receive a call (110 feed, sensors)",
    openapi_extra={"parameters": [{
        "in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string", "maxLength": 200},
        "description": "One key per call; a retry sends the same key and body.",
    }]},
)
def post_call(request: HttpRequest, payload: CallIn) -> Any:
    """Record a call and the incident it becomes; answered only once both are committed.

    201 the first time, 200 with the same answer for a retry with the same key and body.
    400 without an Idempotency-Key, 422 for the same key with another body or a bad field
    (the detail starts with the field's name), 409 when the 110 id was received before.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise HttpError(400, "Idempotency-Key: this header is required; send one key per call and reuse it on retry")
    if len(key) > 200:
        raise HttpError(400, "Idempotency-Key: at most 200 characters")
    require(request, "intake.add_call")
    station = station_for(request, payload.station)
    received_at = payload.received_at or timezone.now()
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > timezone.now() + FUTURE_TOLERANCE:
        raise HttpError(422, "received_at: lies in the future")
    data = services.CallData(
        source=payload.source, text=payload.text.strip(), received_at=received_at,
        address_text=payload.address.strip(), latitude=payload.lat, longitude=payload.lon,
        external_id=payload.external_id.strip(), caller_name=payload.caller_name.strip(),
        caller_phone=payload.caller_phone.replace(" ", ""), sensor_kind=payload.sensor_kind.strip(),
    )
    try:
        receipt = services.receive_call(
            station, data, user=request.user, idempotency_key=key,
            request_hash=services.body_hash(request.body), respond=_receipt,
        )
    except services.IdempotencyConflict:
        raise HttpError(422, "Idempotency-Key: this key was used before with a different body") from None
    except services.ExternalIdTaken as taken:
        raise HttpError(409, f"external_id: {data.external_id} was already received as call {taken.call.pk}") from None
    except ValidationError as error:
        raise field_error(error) from None
    # The receipt was built by `_receipt` (the CallReceipt fields) and stored with the key:
    # sent as it is, without validating it against the schema a second time.
    return JsonResponse(receipt.response, status=200 if receipt.replayed else 201)


class CallOut(Schema):
    id: int
    station_id: int
    source: str
    sensor_kind: str
    external_id: str
    received_at: dt.datetime
    caller_name: str
    caller_phone_masked: str
    text: str
    address_text: str
    lat: float | None
    lon: float | None
    address_id: int | None
    address_score: float | None
    beat_id: int | None
    state: str
    invalid_reason: str
    incident_id: int | None
    triage: dict[str, Any]


def _call_out(call: Call) -> dict[str, Any]:
    return {
        "id": call.pk, "station_id": call.station_id, "source": call.source, "sensor_kind": call.sensor_kind,
        "external_id": call.external_id, "received_at": call.received_at, "caller_name": call.caller_name,
        "caller_phone_masked": mask_phone(call.caller_phone), "text": call.text, "address_text": call.address_text,
        "lat": call.latitude, "lon": call.longitude, "address_id": call.address_id, "address_score": call.address_score,
        "beat_id": call.beat_id, "state": call.state, "invalid_reason": call.invalid_reason,
        "incident_id": call.incident_id, "triage": call.triage,
    }


@router.get("/calls/{call_id}", response=CallOut)
def get_call(request: HttpRequest, call_id: int) -> Any:
    """One call, the caller's phone masked. Showing the caller is written to the audit log."""
    require(request, "intake.view_call")
    call = get_for_user_or_404(Call.objects.all(), request.user, pk=call_id)
    if call.caller_name or call.caller_phone:
        record_personal_view(call, fields=["caller_name", "caller_phone"], user=request.user)
    return _call_out(call)


class ReasonIn(Schema):
    reason: str = ""


class PhoneOut(Schema):
    phone: str


@router.post("/calls/{call_id}/reveal-phone", response=PhoneOut)
def reveal_caller_phone(request: HttpRequest, call_id: int, payload: ReasonIn) -> Any:
    """The caller's full number, for calling back. Needs the permission and a reason; audited."""
    call = get_for_user_or_404(Call.objects.all(), request.user, pk=call_id)
    try:
        phone = reveal(call, "caller_phone", user=request.user, reason=payload.reason,
                       permission="intake.reveal_caller_phone", read=lambda: call.caller_phone)
    except RevealRefused as refused:
        if str(refused) == "reason":
            raise HttpError(422, "reason: give the reason for revealing this number") from None
        raise HttpError(403, "you may not reveal callers' phone numbers") from None
    return {"phone": phone}


# -- triage and places -----------------------------------------------------------------------


class TriageIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)
    sensor_kind: str = Field("", max_length=40)
    station: str = Field("", max_length=20)


@router.post("/triage", response=Suggestion, summary="Suggest category, route and priority for a text")
def post_triage(request: HttpRequest, payload: TriageIn) -> Any:
    """What intake would suggest, with the words that decided it. Nothing is recorded."""
    require(request, "intake.view_incident")
    station = station_for(request, payload.station)
    if payload.sensor_kind and payload.sensor_kind not in services.station_rules(station.pk).sensors:
        raise HttpError(422, f"sensor_kind: unknown sensor kind {payload.sensor_kind!r}")
    return services.suggest(station, payload.text, sensor_kind=payload.sensor_kind).to_dict()


class AddressMatch(Schema):
    id: int
    full_text: str
    score: float
    confident: bool
    beat_id: int | None


@router.get("/addresses/match", response=list[AddressMatch], summary="Standard addresses matching a free text")
def match_addresses(request: HttpRequest, q: str, limit: int = 8, station: str = "") -> Any:
    """Candidates for an address as a caller said it, best first (normalised, fuzzy)."""
    require(request, "intake.view_incident")
    chosen = station_for(request, station)
    candidates = services.station_address_index(chosen.pk).match(q, limit=max(1, min(limit, 20)))
    beats = dict(
        Address.objects.for_stations([chosen.pk]).filter(pk__in=[c.address_id for c in candidates]).values_list("id", "beat_id")
    )
    return [
        {"id": c.address_id, "full_text": c.full_text, "score": round(c.score, 1), "confident": c.confident,
         "beat_id": beats.get(c.address_id)}
        for c in candidates
    ]


# -- incidents ---------------------------------------------------------------------------------


class LogOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    automatic: bool
    author: str
    text: str
    before: Any = None
    after: Any = None
    struck_at: dt.datetime | None
    struck_by: str
    strike_reason: str


class IncidentOut(Schema):
    id: int
    station_id: int
    number: str
    received_at: dt.datetime
    category: str
    category_label: str
    family: str
    priority: int
    route: str
    state: str
    summary: str
    address_text: str
    address_id: int | None
    address: str
    place_unconfirmed: bool
    lat: float | None
    lon: float | None
    beat_id: int | None
    tags: list[str]
    owner_team_id: int | None
    owner_id: int | None
    deadline: dt.datetime | None
    merged_into_id: int | None
    locked_by: str | None
    lock_expires_at: dt.datetime | None
    call_ids: list[int] = []
    log: list[LogOut] = []
    orders: list[dict[str, Any]] = Field(default_factory=list, description="dispatch orders with their stamps")
    follow_ups: list[dict[str, Any]] = Field(default_factory=list)


# What other apps add to one incident's detail (dispatch: its orders and follow-ups).
DETAIL_PARTS: list[Callable[[Incident], dict[str, Any]]] = []


def _incident_out(incident: Incident, *, detail: bool = False) -> dict[str, Any]:
    holder = services.lock_holder(incident)
    out = {
        "id": incident.pk, "station_id": incident.station_id, "number": incident.number,
        "received_at": incident.received_at, "category": incident.category.code,
        "category_label": incident.category.label_zh, "family": incident.category.family.code,
        "priority": incident.priority, "route": incident.route, "state": incident.state,
        "summary": incident.summary, "address_text": incident.address_text, "address_id": incident.address_id,
        "address": incident.address.full_text if incident.address else "",
        "place_unconfirmed": incident.place_unconfirmed, "lat": incident.latitude, "lon": incident.longitude,
        "beat_id": incident.beat_id, "tags": incident.tags, "owner_team_id": incident.owner_team_id,
        "owner_id": incident.owner_id, "deadline": incident.deadline, "merged_into_id": incident.merged_into_id,
        "locked_by": holder.display_name if holder else None,
        "lock_expires_at": incident.lock_expires_at if holder else None,
    }
    if detail:
        out["call_ids"] = list(incident.calls.order_by("received_at", "id").values_list("id", flat=True))
        out["log"] = [
            {"id": e.pk, "at": e.at, "kind": e.kind, "automatic": e.automatic,
             "author": e.author.display_name if e.author else "", "text": e.text, "before": e.before,
             "after": e.after, "struck_at": e.struck_at, "struck_by": e.struck_by.display_name if e.struck_by else "",
             "strike_reason": e.strike_reason}
            for e in incident.log.select_related("author", "struck_by").order_by("at", "id")
        ]
        for part in DETAIL_PARTS:
            out.update(part(incident))
    return out


class IncidentFilter(Schema):
    state: list[str] = Field(default_factory=list, description="one or more states; `open` means every open state")
    category: str = ""
    family: str = ""
    beat_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    q: str = Field("", description="words in the summary, the place or the number")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _incident_rows() -> Any:
    return Incident.objects.select_related("category__family", "address", "locked_by")


def _incidents(request: HttpRequest) -> Any:
    return _incident_rows().for_user(request.user)


@router.get("/incidents", response=list[IncidentOut])
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> Any:
    """The user's stations' incidents, newest first."""
    require(request, "intake.view_incident")
    rows = _incidents(request)
    wanted = set(filters.state)
    if "open" in wanted:
        wanted = (wanted - {"open"}) | set(states.OPEN_STATES)
    unknown = wanted - set(states.ALL_STATES)
    if unknown:
        raise HttpError(422, f"state: unknown state {sorted(unknown)[0]!r}")
    if wanted:
        rows = rows.filter(state__in=wanted)
    if filters.category:
        rows = rows.filter(category__code=filters.category)
    if filters.family:
        rows = rows.filter(category__family__code=filters.family)
    if filters.beat_id is not None:
        rows = rows.filter(beat_id=filters.beat_id)
    if filters.since:
        rows = rows.filter(received_at__gte=filters.since)
    if filters.until:
        rows = rows.filter(received_at__lt=filters.until)
    if filters.q.strip():
        from django.db.models import Q

        word = filters.q.strip()
        rows = rows.filter(Q(summary__contains=word) | Q(address_text__contains=word) | Q(number__contains=word))
    rows = rows.order_by("-received_at", "-id")[filters.offset: filters.offset + filters.limit]
    return [_incident_out(incident) for incident in rows]


@router.get("/incidents/{incident_id}", response=IncidentOut)
def get_incident(request: HttpRequest, incident_id: int) -> Any:
    """One incident with its calls and its whole log (struck entries included)."""
    require(request, "intake.view_incident")
    return _incident_out(get_for_user_or_404(_incident_rows(), request.user, pk=incident_id), detail=True)


class IncidentChange(Schema):
    category: str | None = None
    priority: int | None = Field(None, ge=1, le=4)
    route: Literal["community", "case", "command", "transfer"] | None = None
    address_id: int | None = None
    tags: list[str] | None = None
    summary: str | None = Field(None, min_length=1, max_length=4000)


def _incident_for_change(request: HttpRequest, incident_id: int) -> Incident:
    incident = get_for_user_or_404(_incident_rows(), request.user, pk=incident_id)
    require(request, "intake.change_incident")
    return incident


@router.patch("/incidents/{incident_id}", response=IncidentOut)
def change_incident(request: HttpRequest, incident_id: int, payload: IncidentChange) -> Any:
    """Change category, priority, route, standard address, tags or summary; logged before/after.

    409 while another commander holds the edit lock.
    """
    incident = _incident_for_change(request, incident_id)
    changes: dict[str, Any] = {}
    given = payload.model_dump(exclude_unset=True)
    if given.get("category") is not None:
        category = Category.objects.for_stations([incident.station_id]).filter(code=given["category"], active=True).first()
        if category is None:
            raise HttpError(422, f"category: unknown category {given['category']!r}")
        changes["category"] = category
    if given.get("address_id") is not None:
        address = Address.objects.for_stations([incident.station_id]).filter(pk=given["address_id"]).first()
        if address is None:
            raise HttpError(422, f"address_id: no standard address {given['address_id']} at this station")
        changes["address"] = address
    for name in ("priority", "route", "tags", "summary"):
        if given.get(name) is not None:
            changes[name] = given[name]
    try:
        services.do_update_incident(incident, user=request.user, **changes)
    except services.LockHeld as held:
        raise HttpError(409, str(held)) from None
    except ValidationError as error:
        raise field_error(error) from None
    return _incident_out(_incidents(request).get(pk=incident.pk), detail=True)


@router.post("/incidents/{incident_id}/lock", response=IncidentOut, summary="Take (or renew) the edit lock")
def take_lock(request: HttpRequest, incident_id: int) -> Any:
    """Hold the incident for editing for a few minutes; 409 naming the holder if someone else has it."""
    incident = _incident_for_change(request, incident_id)
    try:
        services.do_take_lock(incident, user=request.user)
    except services.LockHeld as held:
        raise HttpError(409, str(held)) from None
    return _incident_out(_incidents(request).get(pk=incident.pk))


@router.delete("/incidents/{incident_id}/lock", response=IncidentOut, summary="Release one's edit lock")
def release_lock(request: HttpRequest, incident_id: int) -> Any:
    incident = _incident_for_change(request, incident_id)
    services.do_release_lock(incident, user=request.user)
    return _incident_out(_incidents(request).get(pk=incident.pk))


class MergeIn(Schema):
    into: int = Field(..., description="id of the incident that stays")
    reason: str = ""


@router.post("/incidents/{incident_id}/merge", response=IncidentOut)
def merge_incident(request: HttpRequest, incident_id: int, payload: MergeIn) -> Any:
    """Merge a duplicate into another open incident: both calls stay, linked to the one kept."""
    incident = _incident_for_change(request, incident_id)
    target = _incidents(request).filter(pk=payload.into).first()
    if target is None:
        raise HttpError(422, f"into: no incident {payload.into} among yours")
    try:
        services.do_merge(incident, into=target, user=request.user, reason=payload.reason)
    except services.LockHeld as held:
        raise HttpError(409, str(held)) from None
    except states.StateError as error:
        raise HttpError(422, f"state: {error}") from None
    except ValidationError as error:
        raise field_error(error) from None
    return _incident_out(_incidents(request).get(pk=incident.pk), detail=True)


@router.post("/incidents/{incident_id}/invalid", response=IncidentOut, summary="Mark an invalid report")
def mark_invalid(request: HttpRequest, incident_id: int, payload: ReasonIn) -> Any:
    incident = _incident_for_change(request, incident_id)
    try:
        services.do_mark_invalid(incident, user=request.user, reason=payload.reason)
    except services.LockHeld as held:
        raise HttpError(409, str(held)) from None
    except states.StateError as error:
        raise HttpError(422, f"state: {error}") from None
    except ValidationError as error:
        raise field_error(error) from None
    return _incident_out(_incidents(request).get(pk=incident.pk), detail=True)


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)


@router.post("/incidents/{incident_id}/notes", response={201: LogOut})
def add_note(request: HttpRequest, incident_id: int, payload: NoteIn) -> Any:
    incident = get_for_user_or_404(_incident_rows(), request.user, pk=incident_id)
    require(request, "intake.add_incidentlog")
    try:
        entry = services.do_add_note(incident, user=request.user, text=payload.text)
    except ValidationError as error:
        raise field_error(error) from None
    return Status(201, _log_out(entry))


@router.post("/incidents/{incident_id}/log/{entry_id}/strike", response=LogOut, summary="Strike a wrong entry through")
def strike_entry(request: HttpRequest, incident_id: int, entry_id: int, payload: ReasonIn) -> Any:
    """The entry stays readable, struck through, with who, when and why. Its author or a commander may."""
    incident = get_for_user_or_404(_incident_rows(), request.user, pk=incident_id)
    entry = incident.log.filter(pk=entry_id).select_related("author").first()
    if entry is None:
        raise HttpError(404, "no such entry in this incident's log")
    if entry.author_id != request.user.pk and not request.user.has_perm("intake.change_incident"):
        raise HttpError(403, "only the author or a commander may strike an entry through")
    try:
        struck = services.do_strike_entry(entry, user=request.user, reason=payload.reason)
    except ValidationError as error:
        raise field_error(error) from None
    return _log_out(struck)


def _log_out(entry: IncidentLog) -> dict[str, Any]:
    return {
        "id": entry.pk, "at": entry.at, "kind": entry.kind, "automatic": entry.automatic,
        "author": entry.author.display_name if entry.author else "", "text": entry.text,
        "before": entry.before, "after": entry.after, "struck_at": entry.struck_at,
        "struck_by": entry.struck_by.display_name if entry.struck_by else "", "strike_reason": entry.strike_reason,
    }
