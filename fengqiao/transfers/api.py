"""Transfer endpoints, Open311-like: departments read what was sent to them and post updates;
the station transfers incidents, confirms with the caller, withdraws and chases.

    GET  /transfers?status=pushed|received|in_progress|result|confirmed|returned|withdrawn|open|finished|all
                                                  a department's items (its token) or a station's
    GET  /transfers/{id}                          one transfer with its updates
    POST /transfers/{id}/updates                  the department: {"status": "received" | "in_progress" |
                                                  "extended" | "result" | "returned" | "note", "notes": "…",
                                                  "new_deadline": "…" (extended)}
    POST /transfers/{id}/reveal                   the caller's full number, with a reason (audited)
    POST /incidents/{id}/transfer                 the station: {"department_id": … (routed if left out),
                                                  "description": "…"}
    POST /transfers/{id}/confirm                  {"answer": "satisfied" | "fairly" | "dissatisfied" |
                                                  "no_result", "notes": "…", "new_deadline": …}
    POST /transfers/{id}/withdraw                 {"reason": "…"}
    POST /transfers/{id}/chase                    {"notes": "…"}

Department members see only their department's transfers, station users only their
stations': anything else answers 404. A move the transfer's state does not allow answers
409 with `detail` and the machine's `code`; a bad field 422 naming it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fengqiao.audit.services import RevealRefused
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_identifiers_in
from fengqiao.intake.api import field_error, require
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Department

from . import machine, selectors, services, wording
from .access import department_transfer_or_404
from .models import CallerAnswer, Transfer, TransferUpdate
from .open311 import as_open311

router = Router(tags=["transfers"])

MAX_LIMIT = 500
StatusFilter = Literal["pushed", "received", "in_progress", "result", "confirmed", "returned", "withdrawn",
                       "open", "finished", "all"]
# What a department posts, and the move each status is.
UpdateStatus = Literal["received", "in_progress", "extended", "result", "returned", "note"]
ACTION_OF_STATUS = {"received": "receive", "in_progress": "start", "extended": "extend", "result": "report",
                    "returned": "return", "note": "note"}


class TransferOut(Schema):
    id: int
    number: str
    service_code: str
    service_name: str
    description: str
    address: str
    lat: float | None
    long: float | None
    requested_datetime: dt.datetime
    expected_datetime: dt.datetime
    status: str
    status_label: str
    agency_responsible: str
    updated_datetime: dt.datetime
    caller_name: str
    caller_phone: str = Field(..., description="masked; POST /transfers/{id}/reveal with a reason for the full number")
    deadline: dt.datetime | None
    deadline_step: str
    extensions: int
    chases: int
    last_chased_datetime: dt.datetime | None
    result: str
    station: str


class UpdateOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    state_before: str
    state_after: str
    notes: str
    new_deadline: dt.datetime | None
    actor: str
    author_name: str
    via: str


class TransferDetailOut(TransferOut):
    incident_id: int | None = Field(None, description="for station users only")
    incident_number: str = ""
    delivered_datetime: dt.datetime | None = None
    send_attempts: int = 0
    send_failures: int = 0
    updates: list[UpdateOut]


class RefusedOut(Schema):
    detail: str
    code: str


def _out(transfer: Transfer) -> dict[str, Any]:
    return as_open311(transfer, updated_at=getattr(transfer, "last_update_at", None))


def _detail(transfer: Transfer, *, for_station: bool) -> dict[str, Any]:
    updates = selectors.updates_of(transfer)
    detail = as_open311(transfer, updated_at=updates[-1].at if updates else None)
    detail["updates"] = [{
        "at": update.at, "action": update.action, "action_label": wording.action_label(update.action),
        "state_before": update.state_before, "state_after": update.state_after, "notes": mask_identifiers_in(update.notes),
        "new_deadline": update.new_deadline, "actor": update.actor, "author_name": update.author_name, "via": update.via,
    } for update in updates]
    if for_station:
        detail.update(incident_id=transfer.incident_id, incident_number=transfer.incident.number,
                      delivered_datetime=transfer.delivered_at, send_attempts=transfer.send_attempts,
                      send_failures=transfer.send_failures)
    return detail


def _is_department(request: HttpRequest) -> bool:
    member = selectors.membership(request.user)
    return member is not None and request.user.has_perm("transfers.work_transfer")


def _visible(request: HttpRequest) -> QuerySet[Transfer]:
    """What the user may read: their department's transfers, or their stations'."""
    member = selectors.membership(request.user)
    if member is not None and request.user.has_perm("transfers.work_transfer"):
        return selectors.for_department(member.department_id)
    require(request, "transfers.view_transfer")
    return selectors.transfer_rows().for_user(request.user)


def _transfer(request: HttpRequest, transfer_id: int) -> Transfer:
    member = selectors.membership(request.user)
    if member is not None and request.user.has_perm("transfers.work_transfer"):
        return department_transfer_or_404(member, transfer_id, user=request.user)
    require(request, "transfers.view_transfer")
    return get_for_user_or_404(selectors.transfer_rows(), request.user, pk=transfer_id)


def _attempt(do: Callable[[], Transfer]) -> tuple[Transfer | None, Status[dict[str, str]] | None]:
    """A service call: (the transfer, None), or (None, the 409 answer); a bad field raises 422."""
    try:
        return do(), None
    except services.TransferRefused as refused:
        return None, Status(409, {"detail": refused.message, "code": refused.code})
    except ValidationError as error:
        raise field_error(error) from None


def _answer(request: HttpRequest, do: Callable[[], Transfer], *, status: int = 200) -> Any:
    transfer, refusal = _attempt(do)
    if refusal is not None:
        return refusal
    assert transfer is not None
    fresh = _transfer(request, transfer.pk)
    return Status(status, _detail(fresh, for_station=not _is_department(request)))


# -- reading ------------------------------------------------------------------------------------------


class ListFilters(Schema):
    status: StatusFilter = Field("open", description="a state, or open / finished / all")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("/transfers", response=list[TransferOut], summary="Transfers: a department's own, or a station's")
def list_transfers(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    rows = _visible(request)
    if filters.status == "open":
        rows = rows.filter(state__in=machine.OPEN)
    elif filters.status == "finished":
        rows = rows.filter(state__in=machine.FINISHED)
    elif filters.status != "all":
        rows = rows.filter(state=filters.status)
    rows = selectors.with_last_update(rows).order_by(F("due_at").asc(nulls_last=True), "pushed_at", "id")
    return [_out(transfer) for transfer in rows[filters.offset:filters.offset + filters.limit]]


@router.get("/transfers/{transfer_id}", response=TransferDetailOut, summary="One transfer with its updates")
def get_transfer(request: HttpRequest, transfer_id: int) -> Any:
    transfer = _transfer(request, transfer_id)
    return _detail(transfer, for_station=not _is_department(request))


class RevealIn(Schema):
    reason: str = Field(..., description="why the full number is needed, e.g. to call the caller back")


class RevealOut(Schema):
    caller_phone: str


@router.post("/transfers/{transfer_id}/reveal", response={200: RevealOut, 403: RefusedOut, 422: RefusedOut},
             summary="The caller's full number (audited)")
def reveal_caller(request: HttpRequest, transfer_id: int, payload: RevealIn) -> Any:
    transfer = _transfer(request, transfer_id)
    try:
        phone = services.reveal_caller_phone(transfer, user=request.user, reason=payload.reason)
    except RevealRefused as refused:
        if str(refused) == "reason":
            return Status(422, {"detail": "reason: give the reason for revealing this number", "code": "reason"})
        return Status(403, {"detail": "your role may not reveal callers' numbers", "code": "not_allowed"})
    return {"caller_phone": phone}


# -- the department ------------------------------------------------------------------------------------


class UpdateIn(Schema):
    status: UpdateStatus
    notes: str = Field("", max_length=4000, description="the result, the reason, or the note")
    new_deadline: dt.datetime | None = Field(None, description="with status extended")


@router.post("/transfers/{transfer_id}/updates", response={200: TransferDetailOut, 409: RefusedOut},
             summary="The department's update: received, in progress, extended, result, returned, note")
def post_update(request: HttpRequest, transfer_id: int, payload: UpdateIn) -> Any:
    if not _is_department(request):
        require(request, "transfers.work_transfer")
        raise HttpError(403, "only the department the transfer was sent to posts its updates")
    transfer = _transfer(request, transfer_id)
    action = ACTION_OF_STATUS[payload.status]
    return _answer(request, lambda: services.do_action(
        transfer, action, user=request.user, via=TransferUpdate.Via.API, notes=payload.notes,
        new_deadline=payload.new_deadline))


# -- the station ------------------------------------------------------------------------------------------


class TransferIn(Schema):
    department_id: int | None = Field(None, description="left out: the department the station's rules route to")
    description: str = Field(..., max_length=2000, description="what the department is asked to do")


@router.post("/incidents/{incident_id}/transfer", response={201: TransferDetailOut, 409: RefusedOut},
             summary="移交: transfer the incident to a department")
def transfer_incident(request: HttpRequest, incident_id: int, payload: TransferIn) -> Any:
    require(request, "transfers.add_transfer")
    incident = get_for_user_or_404(Incident.objects.select_related("category", "category__family", "station", "address"), request.user,
                                   pk=incident_id)
    department = None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise HttpError(422, f"department_id: no department {payload.department_id}")
    return _answer(request, lambda: services.do_transfer(
        incident, user=request.user, description=payload.description, department=department,
        via=TransferUpdate.Via.API), status=201)


class ConfirmIn(Schema):
    answer: Literal["satisfied", "fairly", "dissatisfied", "no_result"] = Field(
        ..., description=" / ".join(f"{value}: {label}" for value, label in CallerAnswer.choices))
    notes: str = Field("", max_length=2000)
    new_deadline: dt.datetime | None = Field(None, description="when dissatisfied: the department's new deadline")


@router.post("/transfers/{transfer_id}/confirm", response={200: TransferDetailOut, 409: RefusedOut},
             summary="回访: the caller's answer; closes the incident unless dissatisfied")
def confirm(request: HttpRequest, transfer_id: int, payload: ConfirmIn) -> Any:
    require(request, "transfers.change_transfer")
    transfer = _transfer(request, transfer_id)
    return _answer(request, lambda: services.do_confirm(
        transfer, user=request.user, answer=payload.answer, notes=payload.notes, new_deadline=payload.new_deadline,
        via=TransferUpdate.Via.API))


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


@router.post("/transfers/{transfer_id}/withdraw", response={200: TransferDetailOut, 409: RefusedOut},
             summary="撤回: the command room takes the matter back")
def withdraw(request: HttpRequest, transfer_id: int, payload: ReasonIn) -> Any:
    require(request, "transfers.change_transfer")
    transfer = _transfer(request, transfer_id)
    return _answer(request, lambda: services.do_withdraw(transfer, user=request.user, reason=payload.reason,
                                                         via=TransferUpdate.Via.API))


class ChaseIn(Schema):
    notes: str = Field("", max_length=2000)


@router.post("/transfers/{transfer_id}/chase", response={200: TransferDetailOut, 409: RefusedOut},
             summary="催办: press the department to act")
def chase(request: HttpRequest, transfer_id: int, payload: ChaseIn) -> Any:
    require(request, "transfers.change_transfer")
    transfer = _transfer(request, transfer_id)
    return _answer(request, lambda: services.do_chase(transfer, user=request.user, notes=payload.notes,
                                                      via=TransferUpdate.Via.API))
