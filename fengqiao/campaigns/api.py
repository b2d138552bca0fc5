"""Verification-campaign endpoints: load a list, follow its burn-down, work and re-assign its items.

Scoped like the pages: a station's people see their stations' campaigns (the sub-bureau all
of its stations'); another station's campaign or item answers 404, exactly like a missing
one. Identity numbers and phones are masked everywhere (the items keep the masked forms;
free text has any number in it masked); the original rows, which hold them in clear, are
not served here — the return (`/campaigns/<pk>/return/reveal/`) is the audited way out.

- `POST /campaigns` (multipart: `file` plus the details) checks a list (`dry_run=true`, the
  default: 200 with the report) or loads it whole (201 with the report and the campaign's
  id); any bad row keeps nothing and answers 422 with every problem (row, column, field,
  message; values masked). Bad details (title, issuer, deadline …) answer 422 naming the field.
- `POST /campaign-items/{id}/outcome` records what the call or the visit found: the item's
  officer for their own items, the command room for any (409 with `code` when the rules
  refuse, 403 when the item is another officer's, 422 naming a bad field).
- `POST /campaign-items/{id}/reassign` gives an item that is not done to another officer.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_identifiers_in
from fengqiao.intake.api import field_error, require, station_for

from . import commanding, loading, plan, selectors, services
from .models import Campaign, CampaignItem

router = Router(tags=["campaigns"])

MAX_LIMIT = 1000
VIEW = "campaigns.view_campaign"
VIEW_ITEMS = "campaigns.view_campaignitem"
ADD = "campaigns.add_campaign"
COMMAND = "campaigns.change_campaign"


class RefusedOut(Schema):
    detail: str
    code: str


# -- campaigns -----------------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    number: str
    station: str
    station_name: str
    title: str
    issuer: str
    deadline: dt.datetime
    remind_before: int = Field(description="minutes before the deadline officers with open items are reminded")
    state: Literal["open", "closed"]
    state_label: str
    loaded_at: dt.datetime
    loaded_by: str
    items: int
    done: int
    visit: int = Field(description="items waiting for a door visit")
    open: int = Field(description="items not done (door visits included)")
    late: int = Field(description="items that were still open at the deadline")
    percent: int
    behind: bool = Field(description="fewer done than an even pace to the deadline would have by now")
    overdue: bool
    closed_at: dt.datetime | None
    returned_at: dt.datetime | None


class GroupOut(Schema):
    key: int | None = Field(description="the officer's (or beat's) id; null: nobody's")
    name: str
    total: int
    done: int
    visit: int
    open: int
    late: int
    expected: int = Field(description="done by now at an even pace to the deadline")
    behind: bool


class BurnDownOut(Schema):
    by: Literal["officer", "beat"]
    now: dt.datetime
    start: dt.datetime
    deadline: dt.datetime
    total: int
    done: int
    visit: int
    open: int
    late: int
    percent: int
    expected_done: int
    behind: bool
    minutes_left: int = Field(description="negative once the deadline has passed")
    overdue: bool
    projected_finish: dt.datetime | None = Field(description="at the pace so far; null before the first outcome")
    remaining: list[tuple[dt.datetime, int]] = Field(description="(time, items still open) from loading to now")
    ideal: list[tuple[dt.datetime, int]]
    groups: list[GroupOut]


class CampaignDetailOut(CampaignOut):
    instructions: str
    filename: str
    columns: list[str] = Field(description="the list's column titles, in order (the return has them again)")
    mapping: dict[str, int | None] = Field(description="the column (0-based) of name, id_number, phone, address")
    by_match: dict[str, int]
    by_how: dict[str, int]
    burn_down: BurnDownOut


def campaign_out(campaign: Campaign, now: dt.datetime) -> dict[str, Any]:
    """One campaign as the list shows it; `campaign` annotated by `selectors.with_counts`."""
    selectors.decorate(campaign, now)
    return {
        "id": campaign.pk, "number": campaign.number, "station": campaign.station.code,
        "station_name": campaign.station.name, "title": campaign.title, "issuer": campaign.issuer,
        "deadline": campaign.deadline, "remind_before": campaign.remind_before, "state": campaign.state,
        "state_label": str(campaign.get_state_display()), "loaded_at": campaign.created_at,
        "loaded_by": campaign.created_by.display_name if campaign.created_by else "",
        "items": campaign.n_items, "done": campaign.n_done, "visit": campaign.n_visit,  # type: ignore[attr-defined]
        "open": campaign.n_open, "late": campaign.n_late, "percent": campaign.percent,  # type: ignore[attr-defined]
        "behind": campaign.behind, "overdue": campaign.overdue,  # type: ignore[attr-defined]
        "closed_at": campaign.closed_at, "returned_at": campaign.returned_at,
    }


def burn_down_out(campaign: Campaign, by: str, now: dt.datetime) -> dict[str, Any]:
    figures = selectors.burn_down_for(campaign, by=by, now=now)
    total = figures.total
    return {
        "by": by, "now": figures.now, "start": figures.start, "deadline": figures.deadline, "total": total.total,
        "done": total.done, "visit": total.visit, "open": total.open, "late": total.late, "percent": total.percent,
        "expected_done": figures.expected_done, "behind": figures.behind, "minutes_left": figures.minutes_left,
        "overdue": figures.overdue, "projected_finish": figures.projected_finish(),
        "remaining": figures.remaining, "ideal": figures.ideal,
        "groups": [
            {"key": row["key"], "name": row["name"], "total": row["tally"].total, "done": row["tally"].done,
             "visit": row["tally"].visit, "open": row["tally"].open, "late": row["tally"].late,
             "expected": row["expected"], "behind": row["behind"]}
            for row in figures.rows()
        ],
    }


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    require(request, VIEW)
    rows = selectors.with_counts(selectors.campaign_rows())
    return get_for_user_or_404(rows, request.user, pk=campaign_id)


def detail_out(campaign: Campaign, *, by: str, now: dt.datetime) -> dict[str, Any]:
    items = CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign)
    by_match: dict[str, int] = {}
    by_how: dict[str, int] = {}
    for match, how in items.values_list("match", "assigned_how"):
        by_match[match] = by_match.get(match, 0) + 1
        by_how[how] = by_how.get(how, 0) + 1
    return campaign_out(campaign, now) | {
        "instructions": mask_identifiers_in(campaign.instructions), "filename": mask_identifiers_in(campaign.filename),
        "columns": [mask_identifiers_in(str(title)) for title in campaign.columns],
        "mapping": {name: campaign.mapping.get(name) for name in loading.FIELDS},
        "by_match": by_match, "by_how": by_how, "burn_down": burn_down_out(campaign, by, now),
    }


class CampaignFilters(Schema):
    state: Literal["open", "closed", "all"] = Field("all", description="default: all, the open ones first")
    limit: int = Field(100, ge=1, le=500)


@router.get("/campaigns", response=list[CampaignOut],
            summary="Verification campaigns of your stations: open ones first (nearest deadline first), then closed")
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilters]) -> Any:
    require(request, VIEW)
    now = timezone.now()
    rows = selectors.with_counts(selectors.campaign_rows().for_user(request.user))
    if filters.state != "all":
        rows = rows.filter(state=filters.state)
    return [campaign_out(campaign, now) for campaign in selectors.ordered(rows)[:filters.limit]]


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut,
            summary="One campaign with its burn-down against the deadline, per officer or per beat")
def get_campaign(request: HttpRequest, campaign_id: int, by: Literal["officer", "beat"] = "officer") -> Any:
    campaign = _campaign(request, campaign_id)
    return detail_out(campaign, by=by, now=timezone.now())


# -- items -----------------------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    campaign_id: int
    row: int = Field(description="the row in the file as loaded (the header is row 1)")
    name: str
    id_number: str = Field(description="masked")
    phone: str = Field(description="masked")
    address_text: str = Field(description="the address as listed")
    match: str
    match_label: str
    resident_id: int | None
    address_id: int | None
    address: str = Field(description="the standard address it matched")
    beat_id: int | None
    beat: str
    officer_id: int | None
    officer: str
    assigned_how: str
    assigned_how_label: str
    state: Literal["open", "visit", "done"]
    state_label: str
    outcome: str
    outcome_label: str
    outcome_at: dt.datetime | None
    outcome_by: str
    attempts: int
    notes: str
    visit_team: list[str] | None = Field(description="officer, community worker, medic")
    visit_at: dt.datetime | None
    late: bool
    resident_updated_at: dt.datetime | None


def item_out(item: CampaignItem) -> dict[str, Any]:
    return {
        "id": item.pk, "campaign_id": item.campaign_id, "row": item.row, "name": item.name,
        "id_number": item.id_number_masked, "phone": item.phone_masked,
        "address_text": mask_identifiers_in(item.address_text), "match": item.match,
        "match_label": str(item.get_match_display()), "resident_id": item.resident_id, "address_id": item.address_id,
        "address": item.address.full_text if item.address else "", "beat_id": item.beat_id,
        "beat": item.beat.name if item.beat else "", "officer_id": item.officer_id,
        "officer": item.officer.name if item.officer else "", "assigned_how": item.assigned_how,
        "assigned_how_label": str(item.get_assigned_how_display()), "state": item.state,
        "state_label": str(item.get_state_display()), "outcome": item.outcome,
        "outcome_label": str(item.get_outcome_display()) if item.outcome else "", "outcome_at": item.outcome_at,
        "outcome_by": item.outcome_by.name if item.outcome_by else "", "attempts": item.attempts,
        "notes": mask_identifiers_in(item.notes),
        "visit_team": [item.visit_officer, item.visit_worker, item.visit_medic] if item.visit_officer else None,
        "visit_at": item.visit_at, "late": item.late, "resident_updated_at": item.resident_updated_at,
    }


class ItemFilters(Schema):
    officer: int | None = Field(None, description="an officer's id")
    nobody: bool = Field(False, description="only items nobody has")
    beat: int | None = Field(None, description="a beat's id")
    state: Literal["", "open", "visit", "done"] = ""
    outcome: Literal["", "verified", "moved", "unreachable", "wrong_data", "door_visit"] = ""
    how: Literal["", "beat", "round_robin", "reassigned", "unassigned"] = Field("", description="how it was assigned")
    unmatched: bool = Field(False, description="only items matched to no resident and no standard address")
    late: bool = Field(False, description="only items open at the deadline")
    offset: int = Field(0, ge=0)
    limit: int = Field(300, ge=1, le=MAX_LIMIT)


@router.get("/campaigns/{campaign_id}/items", response=list[ItemOut],
            summary="A campaign's items in the order of the file, masked, filtered")
def list_items(request: HttpRequest, campaign_id: int, filters: Query[ItemFilters]) -> Any:
    require(request, VIEW_ITEMS)
    campaign = _campaign(request, campaign_id)
    rows = selectors.filter_items(
        selectors.item_rows().for_stations([campaign.station_id]).filter(campaign=campaign),
        officer=filters.officer, beat=filters.beat, state=filters.state, outcome=filters.outcome, how=filters.how,
        unmatched=filters.unmatched, late=filters.late, nobody=filters.nobody,
    ).order_by("row")
    return [item_out(item) for item in rows[filters.offset:filters.offset + filters.limit]]


def _item(request: HttpRequest, item_id: int) -> CampaignItem:
    require(request, VIEW_ITEMS)
    return get_for_user_or_404(selectors.item_rows(), request.user, pk=item_id)


@router.get("/campaign-items/{item_id}", response=ItemOut, summary="One campaign item, masked")
def get_item(request: HttpRequest, item_id: int) -> Any:
    return item_out(_item(request, item_id))


class OutcomeIn(Schema):
    outcome: Literal["verified", "moved", "unreachable", "wrong_data", "door_visit"]
    notes: str = Field("", max_length=services.NOTES_LENGTH, description="replaces the item's notes when given")
    visit_team: list[str] | None = Field(None, description="door visit: [officer, community worker, medic]")
    visit_at: dt.datetime | None = Field(None, description="door visit: when; without a zone the station's local time")
    new_phone: str = Field("", max_length=20, description="the number the person is really reached on")


_REFUSAL_STATUS = {"not_found": 404, "not_yours": 403, "not_allowed": 403, "other_station": 404}


def _refused(error: services.CampaignRefused | commanding.CommandRefused) -> Any:
    status = _REFUSAL_STATUS.get(error.code, 409)
    if status == 404:
        raise HttpError(404, "Not Found")
    return Status(status, {"detail": error.message, "code": error.code})


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@router.post("/campaign-items/{item_id}/outcome", response={200: ItemOut, 403: RefusedOut, 409: RefusedOut},
             summary="Record what the call (or the door visit) found")
def post_outcome(request: HttpRequest, item_id: int, payload: OutcomeIn) -> Any:
    item = _item(request, item_id)
    try:
        services.do_record_outcome(
            item.pk, user=request.user, outcome=payload.outcome, notes=payload.notes, visit_team=payload.visit_team,
            visit_at=_aware(payload.visit_at), new_phone=payload.new_phone,
        )
    except services.CampaignRefused as error:
        return _refused(error)
    except ValidationError as error:
        raise field_error(error) from None
    return item_out(_item(request, item_id))


class ReassignIn(Schema):
    officer_id: int = Field(description="a police officer of the campaign's station")


@router.post("/campaign-items/{item_id}/reassign", response={200: ItemOut, 403: RefusedOut, 409: RefusedOut},
             summary="Give an item that is not done to another officer (the command room)")
def post_reassign(request: HttpRequest, item_id: int, payload: ReassignIn) -> Any:
    item = _item(request, item_id)
    require(request, COMMAND)
    if item.state == plan.DONE:
        return Status(409, {"detail": "the item is done; it keeps the officer who worked it", "code": "done"})
    try:
        commanding.do_reassign(item.campaign_id, [item.pk], payload.officer_id, user=request.user)
    except commanding.CommandRefused as error:
        if error.code == "officer":
            raise HttpError(422, f"officer_id: {error.message}") from None
        return _refused(error)
    return item_out(_item(request, item_id))


# -- loading a list --------------------------------------------------------------------------------------------


class ProblemOut(Schema):
    row: int = Field(description="row number as in the file (the header is row 1); 0: the file as a whole")
    column: str = Field(description="the column as headed in the file")
    field: str
    message: str


class OfficerCountOut(Schema):
    officer: int | None
    name: str
    items: int


class LoadOut(Schema):
    filename: str
    station: str
    dry_run: bool
    ok: bool
    format: str
    encoding: str
    header_row: int
    columns: list[str]
    mapping: dict[str, int | None]
    rows: int
    problems: list[ProblemOut]
    by_match: dict[str, int] = Field(description="items by how they matched: id_number, name_phone, address, none")
    by_how: dict[str, int] = Field(description="items by how they were assigned: beat, round_robin, unassigned")
    officers: list[OfficerCountOut]
    campaign: int | None = Field(description="the new campaign's id (a load that kept the list)")
    number: str | None


def _mapping(raw: str) -> dict[str, int | None] | None:
    if not raw.strip():
        return None
    try:
        chosen = json.loads(raw)
    except ValueError:
        raise HttpError(422, 'mapping: not JSON; send an object {"name": 1, "id_number": 2, …}') from None
    if not isinstance(chosen, dict) or not all(
        key in loading.FIELDS and (value is None or (isinstance(value, int) and not isinstance(value, bool)))
        for key, value in chosen.items()
    ):
        raise HttpError(422, f"mapping: an object of {', '.join(loading.FIELDS)} → a column number (0-based) or null")
    return {name: chosen.get(name) for name in loading.FIELDS}


@router.post("/campaigns", response={200: LoadOut, 201: LoadOut, 422: LoadOut},
             summary="Check a list (dry_run, the default) or load it as a campaign, all or nothing")
def post_campaign(
    request: HttpRequest, file: File[UploadedFile], title: Form[str], issuer: Form[str], deadline: Form[dt.datetime],
    instructions: Form[str] = "", remind_before: Form[int] = 60, mapping: Form[str] = "", station: Form[str] = "",
    dry_run: bool = True,
) -> Any:
    """A multipart request: the `file` (CSV or XLSX, a header row then one row per person), the
    details (`title`, `issuer`, `deadline` — ISO time, without a zone the station's local time —,
    `instructions`, `remind_before` minutes), optionally `mapping` (JSON {"name": column, …},
    columns counted from 0; default: guessed from the headers) and, for a user of several
    stations, the `station` code."""
    require(request, ADD)
    chosen = station_for(request, station.strip())
    if file.size and file.size > loading.MAX_BYTES:
        raise HttpError(413, f"file: larger than {loading.MAX_BYTES // (1024 * 1024)} MB; split the list")
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    details = loading.CampaignDetails(title=title, issuer=issuer, deadline=deadline,
                                      instructions=instructions, remind_before=remind_before)
    try:
        report = loading.load_campaign(chosen, file.read(), file.name or "upload", user=request.user, details=details,
                                       mapping=_mapping(mapping), dry_run=dry_run)
    except ValidationError as error:
        raise field_error(error) from None
    body = report.as_dict()
    if report.campaign is not None:
        return Status(201, body)
    if not report.ok:
        return Status(422, body)
    return Status(200, body)
