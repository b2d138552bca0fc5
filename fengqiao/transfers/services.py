"""Transfer writes: handing a non-police matter to a department, and every move after that.

Each `do_*` function is one transaction: it locks the incident and the transfer, asks the
machine (`machine.apply`) whether the move is allowed and stores what it returns (state,
the deadline that runs, extensions, chases), then writes the append-only
`TransferUpdate`, an entry on the incident's log, one audit row with the reason, and the
live event — which leaves only if the transaction commits.

Who moves a transfer: the department it was sent to (a `DepartmentMember` of exactly that
department, in the portal or through the API: receive, start, extend, report, return,
note) or the station's command room (`transfers.change_transfer`: confirm with the
caller, chase, withdraw). The ticker chases on its own when a department's deadline
passes (`deadlines.py`). A move that is not allowed raises `TransferRefused` with a
sentence saying why and the machine's code; bad input a `ValidationError` naming the field.

The incident follows its transfer: `transferred` while the transfer is open (no owner,
the transfer's deadline as its own), `closed` once the caller has been asked, and back
to the command room (`triaged`, with a dispatch deadline) when the department returns it
or the command room withdraws it.

Transfer rows change through `QuerySet.update` so that each move leaves one audit row with
its user, its reason and the fields before and after (the save signal would write a
second row without the reason); the caller's phone is never in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import RevealRefused, jsonable, record, reveal
from fengqiao.core import events, numbering
from fengqiao.core.masking import mask_identifiers_in
from fengqiao.core.writing import attributed_to as _attributed
from fengqiao.core.writing import author_of as _author
from fengqiao.core.writing import field_text
from fengqiao.core.writing import raise_field_errors as _raise
from fengqiao.intake import states
from fengqiao.intake.models import Category, Incident, IncidentLog
from fengqiao.intake.services import _log
from fengqiao.organisation.models import Department, Station, Team

from . import machine, routing, selectors, wording
from .models import (
    CallerAnswer,
    DepartmentMember,
    RoutingRule,
    Transfer,
    TransferSettings,
    TransferUpdate,
)

NUMBER_PREFIX = "移"  # 移2026-0001: a sequence per station and year
DESCRIPTION_LENGTH = 2000
REASON_LENGTH = 300
NOTES_LENGTH = 2000
RESULT_LENGTH = 4000
# Who is recorded as taking a move (TransferUpdate.actor).
ACTOR_DEPARTMENT, ACTOR_STATION, ACTOR_SYSTEM = "department", "station", "system"
DEPARTMENT_ACTIONS = ("receive", "start", "extend", "report", "return", "note")
STATION_ACTIONS = ("confirm", "chase", "withdraw")
# The caller's answers that close the loop; a dissatisfied caller sends it back (redo).
CLOSING_ANSWERS = (CallerAnswer.SATISFIED, CallerAnswer.FAIRLY, CallerAnswer.NO_RESULT)
# The fields a move may change, as audited before and after.
_TRACKED = ("state", "result_due", "due_step", "due_at", "extensions", "chases", "last_chased_at", "received_at",
            "received_by", "started_at", "reported_at", "result", "returned_at", "return_reason", "confirmed_at",
            "confirmed_by_id", "caller_answer", "withdrawn_at", "withdraw_reason")


class TransferRefused(Exception):
    """A move of a transfer that is not allowed, with a sentence for the person who tried."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _text(errors: dict[str, list[str]], name: str, value: str, *, required: str = "", limit: int = REASON_LENGTH) -> str:
    """Free text of a form or API body, checked into per-field errors."""
    return field_text(errors, name, value, limit=limit, required=required)


# -- the station's rules -------------------------------------------------------------------------


def seed_station_transfers(station: Station) -> TransferSettings:
    """Give a station its transfer settings and default routing rules (idempotent).

    The rules are made while the station has none: each non-police category of the
    station goes to an active department of the kind `routing.planned_for` names (the
    hotline when the city has none of that kind); the blank catch-all row to the hotline.
    With no department at all no rule is made, and the transfer form says so.
    """
    settings = TransferSettings.objects.for_stations([station.pk]).filter(station=station).first()
    if settings is None:
        try:
            with transaction.atomic():
                settings = TransferSettings.objects.create(station=station)
        except IntegrityError:  # another first transfer of the station at the same moment
            settings = TransferSettings.objects.for_stations([station.pk]).get(station=station)
    if not RoutingRule.objects.for_stations([station.pk]).exists():
        _seed_rules(station, settings)
    return settings


def _seed_rules(station: Station, settings: TransferSettings) -> None:
    departments_by_kind: dict[str, list[int]] = {}
    for department in selectors.active_departments():
        departments_by_kind.setdefault(department.kind, []).append(department.pk)
    codes = (Category.objects.for_stations([station.pk]).filter(route="transfer", active=True)
             .order_by("position", "code").values_list("code", flat=True))
    rows: list[RoutingRule] = []
    for code in codes:
        planned = routing.planned_for(code)
        department_id = routing.choose_department(planned.kind, departments_by_kind)
        if department_id is not None:
            rows.append(RoutingRule(station=station, category=code, department_id=department_id,
                                    result_hours=planned.result_hours))
    hotline = routing.choose_department(routing.HOTLINE, departments_by_kind)
    if hotline is not None:
        rows.append(RoutingRule(station=station, category="", department_id=hotline,
                                result_hours=routing.CATCH_ALL.result_hours))
    if not rows:
        return
    RoutingRule.objects.bulk_create(rows, ignore_conflicts=True)
    # bulk_create sends no save signals: one audit row names the rules made.
    record(AuditEntry.Action.CREATED, obj=settings, object_type="transfers.routingrule", object_repr=_("default routing rules"),
           changes={"rules": [[row.category or "*", row.department_id, row.result_hours] for row in rows]})


@dataclass(frozen=True)
class Route:
    """Where an incident's matter goes by the station's rules, and how long it has."""

    department: Department | None
    result_hours: int
    rule: RoutingRule | None
    matter: str = ""  # the category or family the rule names, as the station calls it

    @property
    def why(self) -> str:
        if self.rule is None:
            return _("No routing rule applies: choose the department.")
        if not self.rule.category:
            return _("By the station's catch-all rule.")
        return _("By the station's rule for %(category)s.") % {"category": self.matter or self.rule.category}


def route_for(incident: Incident) -> Route:
    """The department the station's rules send this incident's matter to (rules seeded on first use)."""
    seed_station_transfers(incident.station)
    rows = list(RoutingRule.objects.for_stations([incident.station_id]).select_related("department"))
    rule = routing.pick([routing.Rule(row.category, row.department_id, row.result_hours) for row in rows],
                        incident.category.code)
    if rule is None:
        return Route(department=None, result_hours=routing.DEFAULT_RESULT_HOURS, rule=None)
    row = next(row for row in rows if row.category == rule.category)
    department = row.department if row.department.active else None
    category = incident.category
    matter = category.label_zh if row.category == category.code else (
        category.family.label_zh if row.category == routing.family_of(category.code) else "")
    return Route(department=department, result_hours=row.result_hours, rule=row, matter=matter)


def may_transfer(incident: Incident, user: Any) -> bool:
    """Whether the incident page offers this user the form to transfer the incident."""
    return (user.has_perm("transfers.add_transfer") and states.can_move(incident.state, states.TRANSFERRED)
            and selectors.open_transfer_of(incident) is None)


# -- helpers -----------------------------------------------------------------------------------------


def _check_via(via: str) -> None:
    if via not in TransferUpdate.Via.values:
        raise ValueError(f"unknown via {via!r}")


def _locked_incident(incident_id: int, station_id: int) -> Incident:
    # Only the incident's own row is locked (not its category's or its station's).
    return (Incident.objects.for_stations([station_id]).select_for_update(of=("self",))
            .select_related("category", "category__family", "station", "address").get(pk=incident_id))


def _locked(transfer: Transfer) -> Transfer:
    """The transfer, locked after its incident (the order every move and the dispatch take)."""
    incident = _locked_incident(transfer.incident_id, transfer.station_id)
    fresh = (Transfer.objects.for_stations([transfer.station_id]).select_for_update(of=("self",))
             .select_related("department", "station").get(pk=transfer.pk))
    fresh.incident = incident
    return fresh


def _snapshot(transfer: Transfer) -> dict[str, Any]:
    return {name: jsonable(getattr(transfer, name)) for name in _TRACKED}


def _store(transfer: Transfer, before: dict[str, Any], *, user: Any, reason: str) -> None:
    """Write the fields that changed, and one audit row with them and the reason."""
    after = _snapshot(transfer)
    changed = [name for name in _TRACKED if before[name] != after[name]]
    if changed:
        Transfer.objects.for_stations([transfer.station_id]).filter(pk=transfer.pk).update(
            **{name: getattr(transfer, name) for name in changed})
    changes = {name.removesuffix("_id"): [before[name], after[name]] for name in changed}
    record(AuditEntry.Action.UPDATED, obj=transfer, user=user, reason=mask_identifiers_in(reason)[:300], changes=changes)


def _put(transfer: Transfer, item: machine.Item) -> None:
    """What the machine decided, on the row (not yet stored)."""
    transfer.state, transfer.result_due = item.state, item.result_due
    transfer.due_step, transfer.due_at = item.due_step, item.due_at
    transfer.reported_at, transfer.extensions, transfer.chases = item.reported_at, item.extensions, item.chases


def _update(transfer: Transfer, action: str, before_state: str, *, actor: str, user: Any, author_name: str, at: dt.datetime,
            via: str, notes: str = "", new_deadline: dt.datetime | None = None) -> TransferUpdate:
    return TransferUpdate.objects.create(
        station_id=transfer.station_id, transfer=transfer, at=at, action=action, state_before=before_state,
        state_after=transfer.state, notes=notes, new_deadline=new_deadline, actor=actor, author=_author(user),
        author_name=author_name[:50], via=via,
    )


def _note_on_incident(transfer: Transfer, text: str, *, user: Any, at: dt.datetime, kind: str = IncidentLog.Kind.NOTE,
                      automatic: bool = False) -> None:
    _log(transfer.incident, kind, _("Transfer %(number)s: %(text)s") % {
        "number": transfer.number, "text": mask_identifiers_in(text)}, author=_author(user), at=at, automatic=automatic)


def _publish(transfer: Transfer) -> None:
    events.publish(transfer.station_id, "transfer", transfer=transfer.pk, incident=transfer.incident_id, state=transfer.state)


def _incident_deadline(transfer: Transfer) -> dt.datetime | None:
    """The transferred incident's deadline: the department's result deadline, then the
    command room's call to the caller once the result is in."""
    if transfer.state == machine.RESULT:
        return transfer.due_at
    return transfer.result_due


def _follow_deadline(transfer: Transfer) -> None:
    incident = transfer.incident
    if incident.state != states.TRANSFERRED:
        return
    wanted = _incident_deadline(transfer)
    if incident.deadline != wanted:
        incident.deadline = wanted
        incident.save(update_fields=["deadline", "updated_at"])
        events.publish(incident.station_id, "incident", incident=incident.pk, state=incident.state)


def _command_team_id(station_id: int) -> int | None:
    return Team.objects.for_stations([station_id]).filter(kind=Team.Kind.COMMAND).values_list("pk", flat=True).first()


def _back_to_command_room(transfer: Transfer, text: str, *, user: Any, now: dt.datetime) -> None:
    """The incident is the command room's again, to be routed anew (like `dispatch.services.do_reopen`)."""
    from fengqiao.dispatch.services import due_for

    incident = transfer.incident
    if incident.state != states.TRANSFERRED:
        return
    states.check_move(incident.state, states.TRIAGED)
    incident.state, incident.owner = states.TRIAGED, None
    incident.owner_team_id = _command_team_id(incident.station_id)
    incident.deadline = due_for(incident, "dispatch", now).alert_at
    incident.save(update_fields=["state", "owner", "owner_team", "deadline", "updated_at"])
    _log(incident, IncidentLog.Kind.STATE, mask_identifiers_in(text), author=_author(user), at=now)
    record(AuditEntry.Action.UPDATED, obj=incident, user=user, reason=transfer.number,
           changes={"state": [states.TRANSFERRED, states.TRIAGED]})
    events.publish(incident.station_id, "incident", incident=incident.pk, state=incident.state)


def _close_incident(transfer: Transfer, *, user: Any, now: dt.datetime, answer: str) -> None:
    incident = transfer.incident
    states.check_move(incident.state, states.CLOSED)
    incident.state, incident.deadline = states.CLOSED, None
    incident.save(update_fields=["state", "deadline", "updated_at"])
    _log(incident, IncidentLog.Kind.STATE, _("Closed: transfer %(number)s confirmed with the caller (%(answer)s)") % {
        "number": transfer.number, "answer": CallerAnswer(answer).label}, author=_author(user), at=now)
    record(AuditEntry.Action.UPDATED, obj=incident, user=user, reason=transfer.number,
           changes={"state": [states.TRANSFERRED, states.CLOSED]})
    events.publish(incident.station_id, "incident", incident=incident.pk, state=incident.state)


_VERBS = {
    "receive": lambda: _("signed for"),
    "start": lambda: pgettext("transfer action", "started"),
    "extend": lambda: _("given more time"),
    "report": lambda: _("given a result"),
    "return": lambda: _("returned"),
    "note": lambda: _("given a note"),
    "chase": lambda: _("chased"),
    "confirm": lambda: _("confirmed"),
    "redo": lambda: _("sent back"),
    "withdraw": lambda: _("withdrawn"),
}


def _refusal(transfer: Transfer, action: str, error: machine.TransferError, clock: machine.Clock) -> Exception:
    """The machine's no as a sentence: a field error for a bad deadline, a refusal otherwise."""
    if error.code == "bad_deadline":
        if action == "extend":
            return ValidationError({"new_deadline": [_("The new deadline must be later than the current one (%(due)s).") % {
                "due": wording.moment(transfer.result_due)}]})
        return ValidationError({"new_deadline": [_("The new deadline must be in the future.")]})
    if error.code == "too_long":
        return ValidationError({"new_deadline": [_("One extension may add at most %(days)s days.") % {
            "days": clock.max_extension_days}]})
    if error.code == "too_many_extensions":
        return TransferRefused(_("At most %(count)s extensions are allowed; ask the command room.") % {
            "count": clock.max_extensions}, code=error.code)
    return TransferRefused(_("Transfer %(number)s is %(state)s: it cannot be %(action)s.") % {
        "number": transfer.number, "state": transfer.get_state_display(), "action": _VERBS[action]()}, code=error.code)


def _move(transfer: Transfer, action: str, *, actor: str, now: dt.datetime, new_deadline: dt.datetime | None = None) -> str:
    """Ask the machine for the transfer after `action` and put it on the row; the state before."""
    clock = selectors.clock_of(transfer.station_id)
    machine_actor = machine.DEPARTMENT if actor == ACTOR_DEPARTMENT else machine.STATION
    before = transfer.state
    try:
        item = machine.apply(transfer.as_item(), action, actor=machine_actor, now=now, clock=clock, new_deadline=new_deadline)
    except machine.TransferError as error:
        raise _refusal(transfer, action, error, clock) from None
    _put(transfer, item)
    return before


# -- handing a matter to a department ------------------------------------------------------------------


def _check_transferable(incident: Incident) -> None:
    existing = selectors.open_transfer_of(incident)
    if existing is not None:
        raise TransferRefused(_("Incident %(incident)s is already with %(department)s as transfer %(number)s.") % {
            "incident": incident.number, "department": existing.department.name, "number": existing.number},
            code="already_transferred")
    if not states.can_move(incident.state, states.TRANSFERRED):
        raise TransferRefused(_("Incident %(number)s is %(state)s and cannot be transferred.") % {
            "number": incident.number, "state": incident.get_state_display()}, code="wrong_state")
    if selectors.has_active_orders(incident):
        raise TransferRefused(_("Orders are still out for this incident: wait for their feedback or cancel them first."),
                              code="orders_out")


def _last_sequence(station_id: int, prefix: str) -> int:
    return numbering.last_sequence(Transfer.objects.for_stations([station_id]), prefix)


def _insert_numbered(transfer: Transfer) -> None:
    """Give the new transfer the station's next number of the year and insert it (see
    `core.numbering`); the other constraint (one open transfer per incident) is a refusal
    naming the transfer that won."""
    prefix = f"{NUMBER_PREFIX}{timezone.localtime(transfer.pushed_at).year}-"

    def already_transferred() -> None:
        existing = selectors.open_transfer_of(transfer.incident)
        if existing is not None:
            raise TransferRefused(_("This incident was transferred a moment ago as %(number)s; reload to see it.") % {
                "number": existing.number}, code="already_transferred") from None

    try:
        numbering.insert_numbered(
            transfer, lambda: f"{prefix}{_last_sequence(transfer.station_id, prefix) + 1:04d}",
            taken=lambda number: Transfer.objects.for_stations([transfer.station_id]).filter(number=number).exists(),
            other_conflict=already_transferred,
        )
    except numbering.NumbersExhausted:
        raise TransferRefused(_("No free transfer number was found; try again."), code="numbering") from None


@transaction.atomic
def do_transfer(incident: Incident, *, user: Any, description: str, department: Department | None = None,
                now: dt.datetime | None = None, via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """移交: hand the incident's matter to a department in one step.

    The department is the routed one unless `department` is given. The transfer carries
    the matter as the command room words it, the place, and the name and number of the
    caller of the incident's first call; its receipt deadline starts, and its result
    deadline comes from the station's routing rule. The incident is `transferred`: no
    owner of the station, the transfer's deadline as its own.
    """
    _check_via(via)
    errors: dict[str, list[str]] = {}
    description = _text(errors, "description", description, required=_("Say what the department is asked to do."),
                        limit=DESCRIPTION_LENGTH)
    if department is not None and not department.active:
        errors.setdefault("department", []).append(_("This department no longer takes transfers."))
    _raise(errors)
    if user is not None and not user.has_perm("transfers.add_transfer"):
        raise TransferRefused(_("Your role may not transfer incidents."), code="not_allowed")
    now = now or timezone.now()
    fresh = _locked_incident(incident.pk, incident.station_id)
    _check_transferable(fresh)
    settings = seed_station_transfers(fresh.station)
    route = route_for(fresh)
    chosen = department or route.department
    if chosen is None:
        raise ValidationError({"department": [_("No department is set up for this matter: choose one.")]})
    try:
        item = machine.push(now, result_hours=route.result_hours, clock=settings.as_clock())
    except machine.TransferError:
        raise ValidationError({"department": [_("The routing rule gives no time for the result.")]}) from None
    call = selectors.first_call(fresh)
    has_endpoint = selectors.endpoint_of(chosen.pk) is not None
    transfer = Transfer(
        station=fresh.station, incident=fresh, department=chosen, state=item.state,
        category_label=fresh.category.label_zh, description=description,
        address_text=(fresh.address.full_text if fresh.address_id else fresh.address_text)[:200],
        latitude=fresh.latitude, longitude=fresh.longitude,
        caller_name=(call.caller_name if call else "")[:50], caller_phone=(call.caller_phone if call else "")[:20],
        pushed_at=now, pushed_by=_author(user), result_due=item.result_due, due_step=item.due_step, due_at=item.due_at,
        # A department with its own system is sent the transfer by the ticker (delivery.py);
        # one without works in the portal, where the transfer is at once.
        delivered_at=None if has_endpoint else now, next_send_at=now if has_endpoint else None,
    )
    with _attributed(user):
        _insert_numbered(transfer)
    name = user.display_name if _author(user) else ""
    _update(transfer, "push", "", actor=ACTOR_STATION if user is not None else ACTOR_SYSTEM, user=user, author_name=name,
            at=now, via=via, notes=description)

    before = fresh.state
    states.check_move(before, states.TRANSFERRED)
    fresh.state, fresh.owner, fresh.owner_team, fresh.deadline = states.TRANSFERRED, None, None, _incident_deadline(transfer)
    fresh.save(update_fields=["state", "owner", "owner_team", "deadline", "updated_at"])
    _log(fresh, IncidentLog.Kind.STATE, _("Transferred to %(department)s as %(number)s; result due %(due)s") % {
        "department": chosen.name, "number": transfer.number, "due": wording.moment(transfer.result_due)},
        author=_author(user), at=now)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=transfer.number,
           changes={"state": [before, states.TRANSFERRED], "department": [None, chosen.name]})
    events.publish(fresh.station_id, "incident", incident=fresh.pk, state=fresh.state)
    _publish(transfer)
    return transfer


# -- the moves after that ------------------------------------------------------------------------------


@dataclass
class _Move:
    """A move under way: the locked transfer after the machine's answer, and what it was before."""

    transfer: Transfer
    action: str
    before: dict[str, Any]
    before_state: str
    actor: str
    author_name: str
    via: str


def _member_for(transfer: Transfer, user: Any) -> DepartmentMember:
    member = selectors.membership(user)
    if member is None or member.department_id != transfer.department_id or not user.has_perm("transfers.work_transfer"):
        raise TransferRefused(_("Only %(department)s may work on transfer %(number)s.") % {
            "department": transfer.department.name, "number": transfer.number}, code="not_yours")
    return member


def _begin(transfer: Transfer, action: str, *, user: Any, actor: str, now: dt.datetime, via: str,
           new_deadline: dt.datetime | None = None) -> _Move:
    """Lock the transfer, check who acts, and ask the machine (nothing stored yet).

    `actor` is ACTOR_DEPARTMENT (a member of the transfer's department) or ACTOR_STATION
    (the command room; the system when `user` is None)."""
    _check_via(via)
    if actor == ACTOR_STATION and user is not None and not user.has_perm("transfers.change_transfer"):
        raise TransferRefused(_("Your role may not change transfers."), code="not_allowed")
    fresh = _locked(transfer)
    if actor == ACTOR_DEPARTMENT:
        author_name = _member_for(fresh, user).name
    else:
        author_name = user.display_name if _author(user) else ""
        actor = ACTOR_STATION if user is not None else ACTOR_SYSTEM
    before = _snapshot(fresh)
    before_state = _move(fresh, action, actor=actor, now=now, new_deadline=new_deadline)
    return _Move(transfer=fresh, action=action, before=before, before_state=before_state, actor=actor,
                 author_name=author_name, via=via)


def _commit(move: _Move, *, user: Any, now: dt.datetime, notes: str = "", new_deadline: dt.datetime | None = None,
            reason: str = "") -> Transfer:
    """Store the move: the changed fields with one audit row, and the transfer's update row."""
    transfer = move.transfer
    _store(transfer, move.before, user=user, reason=reason or move.action)
    _update(transfer, move.action, move.before_state, actor=move.actor, user=user, author_name=move.author_name, at=now,
            via=move.via, notes=notes, new_deadline=new_deadline)
    return transfer


def _finish(transfer: Transfer, text: str, *, user: Any, now: dt.datetime, automatic: bool = False) -> Transfer:
    """The note on the incident's log, the incident's deadline, the live event."""
    _note_on_incident(transfer, text, user=user, at=now, automatic=automatic)
    _follow_deadline(transfer)
    _publish(transfer)
    return transfer


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@transaction.atomic
def do_receive(transfer: Transfer, *, user: Any, now: dt.datetime | None = None, via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """签收: the department has the matter; the result deadline runs."""
    now = now or timezone.now()
    move = _begin(transfer, "receive", user=user, actor=ACTOR_DEPARTMENT, now=now, via=via)
    fresh = move.transfer
    fresh.received_at, fresh.received_by = now, move.author_name[:50]
    _commit(move, user=user, now=now)
    return _finish(fresh, _("received by %(department)s (%(name)s); result due %(due)s") % {
        "department": fresh.department.name, "name": move.author_name, "due": wording.moment(fresh.result_due)},
        user=user, now=now)


@transaction.atomic
def do_start(transfer: Transfer, *, user: Any, notes: str = "", now: dt.datetime | None = None,
             via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """The department has started work on it."""
    errors: dict[str, list[str]] = {}
    notes = _text(errors, "notes", notes, limit=NOTES_LENGTH)
    _raise(errors)
    now = now or timezone.now()
    move = _begin(transfer, "start", user=user, actor=ACTOR_DEPARTMENT, now=now, via=via)
    fresh = move.transfer
    fresh.started_at = now
    _commit(move, user=user, now=now, notes=notes)
    text = _("%(department)s started work (%(name)s)") % {"department": fresh.department.name, "name": move.author_name}
    return _finish(fresh, text + (f": {notes}" if notes else ""), user=user, now=now)


@transaction.atomic
def do_extend(transfer: Transfer, *, user: Any, new_deadline: dt.datetime | None, reason: str,
              now: dt.datetime | None = None, via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """延期: the department needs more time, with a new deadline and the reason (within the station's limits)."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("Say why more time is needed."))
    if new_deadline is None:
        errors.setdefault("new_deadline", []).append(_("Give the new deadline."))
    _raise(errors)
    new_deadline = _aware(new_deadline)
    now = now or timezone.now()
    move = _begin(transfer, "extend", user=user, actor=ACTOR_DEPARTMENT, now=now, via=via, new_deadline=new_deadline)
    fresh = move.transfer
    if fresh.started_at is None:
        fresh.started_at = now
    _commit(move, user=user, now=now, notes=reason, new_deadline=new_deadline, reason=reason)
    return _finish(fresh, _("%(department)s asked for more time until %(due)s: %(reason)s") % {
        "department": fresh.department.name, "due": wording.moment(fresh.result_due), "reason": reason},
        user=user, now=now)


@transaction.atomic
def do_report(transfer: Transfer, *, user: Any, result: str, now: dt.datetime | None = None,
              via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """办结反馈: the department reports what it did; the command room is to ask the caller."""
    errors: dict[str, list[str]] = {}
    result = _text(errors, "result", result, required=_("Say what was done."), limit=RESULT_LENGTH)
    _raise(errors)
    now = now or timezone.now()
    move = _begin(transfer, "report", user=user, actor=ACTOR_DEPARTMENT, now=now, via=via)
    fresh = move.transfer
    fresh.result = result
    _commit(move, user=user, now=now, notes=result)
    return _finish(fresh, _("%(department)s reported the result: %(result)s — ask the caller by %(due)s") % {
        "department": fresh.department.name, "result": result, "due": wording.moment(fresh.due_at)},
        user=user, now=now)


@transaction.atomic
def do_return(transfer: Transfer, *, user: Any, reason: str, now: dt.datetime | None = None,
              via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """退回: not the department's matter, with the reason; the command room routes it anew."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("Say why this is not your department's matter."))
    _raise(errors)
    now = now or timezone.now()
    move = _begin(transfer, "return", user=user, actor=ACTOR_DEPARTMENT, now=now, via=via)
    fresh = move.transfer
    fresh.returned_at, fresh.return_reason = now, reason
    _commit(move, user=user, now=now, notes=reason, reason=reason)
    _note_on_incident(fresh, _("%(department)s returned it as not theirs: %(reason)s") % {
        "department": fresh.department.name, "reason": reason}, user=user, at=now)
    _back_to_command_room(fresh, _("Back to the command room: %(department)s says transfer %(number)s is not theirs") % {
        "department": fresh.department.name, "number": fresh.number}, user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_note(transfer: Transfer, *, user: Any, notes: str, now: dt.datetime | None = None,
            via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """A note from the department (progress, a question), with no change of state."""
    errors: dict[str, list[str]] = {}
    notes = _text(errors, "notes", notes, required=_("Write the note."), limit=NOTES_LENGTH)
    _raise(errors)
    now = now or timezone.now()
    move = _begin(transfer, "note", user=user, actor=ACTOR_DEPARTMENT, now=now, via=via)
    fresh = _commit(move, user=user, now=now, notes=notes)
    return _finish(fresh, _("note from %(department)s: %(notes)s") % {"department": fresh.department.name, "notes": notes},
                   user=user, now=now)


@transaction.atomic
def do_confirm(transfer: Transfer, *, user: Any, answer: str, notes: str = "", new_deadline: dt.datetime | None = None,
               now: dt.datetime | None = None, via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """回访: the command room has asked the caller about the department's result.

    Satisfied, fairly satisfied or no answer: the transfer is confirmed and the incident
    closed. Dissatisfied: the transfer goes back to the department (a new result deadline,
    `new_deadline` or the station's redo time) and the incident stays transferred.
    """
    errors: dict[str, list[str]] = {}
    if answer not in CallerAnswer.values:
        errors["answer"] = [_("Choose the caller's answer.")]
    notes = _text(errors, "notes", notes, limit=NOTES_LENGTH)
    if answer == CallerAnswer.DISSATISFIED and len(notes) < 2:
        errors.setdefault("notes", []).append(_("Say what the caller is dissatisfied with."))
    _raise(errors)
    new_deadline = _aware(new_deadline)
    now = now or timezone.now()
    label = CallerAnswer(answer).label
    if answer in CLOSING_ANSWERS:
        move = _begin(transfer, "confirm", user=user, actor=ACTOR_STATION, now=now, via=via)
        fresh = move.transfer
        fresh.confirmed_at, fresh.confirmed_by, fresh.caller_answer = now, _author(user), answer
        _commit(move, user=user, now=now, notes=notes, reason=str(label))
        text = _("confirmed with the caller: %(answer)s") % {"answer": label}
        _note_on_incident(fresh, text + (f" — {notes}" if notes else ""), user=user, at=now)
        _close_incident(fresh, user=user, now=now, answer=answer)
        _publish(fresh)
        return fresh
    move = _begin(transfer, "redo", user=user, actor=ACTOR_STATION, now=now, via=via, new_deadline=new_deadline)
    fresh = move.transfer
    fresh.caller_answer = answer
    _commit(move, user=user, now=now, notes=notes, new_deadline=fresh.result_due, reason=notes)
    return _finish(fresh, _("the caller is dissatisfied (%(notes)s): back to %(department)s, result due %(due)s") % {
        "notes": notes, "department": fresh.department.name, "due": wording.moment(fresh.result_due)},
        user=user, now=now)


@transaction.atomic
def do_withdraw(transfer: Transfer, *, user: Any, reason: str, now: dt.datetime | None = None,
                via: str = TransferUpdate.Via.PAGE) -> Transfer:
    """撤回: the command room takes the matter back from the department, with the reason."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("Say why the transfer is withdrawn."))
    _raise(errors)
    now = now or timezone.now()
    move = _begin(transfer, "withdraw", user=user, actor=ACTOR_STATION, now=now, via=via)
    fresh = move.transfer
    fresh.withdrawn_at, fresh.withdraw_reason = now, reason
    _commit(move, user=user, now=now, notes=reason, reason=reason)
    _note_on_incident(fresh, _("withdrawn from %(department)s: %(reason)s") % {
        "department": fresh.department.name, "reason": reason}, user=user, at=now)
    _back_to_command_room(fresh, _("Back to the command room: transfer %(number)s withdrawn") % {"number": fresh.number},
                          user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_chase(transfer: Transfer, *, user: Any = None, notes: str = "", now: dt.datetime | None = None,
             via: str | None = None) -> Transfer:
    """催办: the department is pressed to act; by the command room, or by the system (`user`
    None) when a department's deadline has passed."""
    errors: dict[str, list[str]] = {}
    notes = _text(errors, "notes", notes, limit=NOTES_LENGTH)
    _raise(errors)
    now = now or timezone.now()
    via = via or (TransferUpdate.Via.SYSTEM if user is None else TransferUpdate.Via.PAGE)
    move = _begin(transfer, "chase", user=user, actor=ACTOR_STATION, now=now, via=via)
    fresh = move.transfer
    fresh.last_chased_at = now
    _commit(move, user=user, now=now, notes=notes, reason=notes or "chase")
    if move.actor == ACTOR_SYSTEM:
        text = _("chased automatically: the %(step)s deadline has passed (time %(count)s)") % {
            "step": fresh.get_due_step_display(), "count": fresh.chases}
    else:
        text = _("chased by the command room (time %(count)s)") % {"count": fresh.chases}
    return _finish(fresh, text + (f": {notes}" if notes else ""), user=user, now=now, automatic=move.actor == ACTOR_SYSTEM)


def do_action(transfer: Transfer, action: str, *, user: Any, via: str = TransferUpdate.Via.PAGE, notes: str = "",
              reason: str = "", result: str = "", answer: str = "", new_deadline: dt.datetime | None = None,
              now: dt.datetime | None = None) -> Transfer:
    """One move by its name, with the fields the pages and the API collect."""
    if action == "receive":
        return do_receive(transfer, user=user, now=now, via=via)
    if action == "start":
        return do_start(transfer, user=user, notes=notes, now=now, via=via)
    if action == "extend":
        return do_extend(transfer, user=user, new_deadline=new_deadline, reason=reason or notes, now=now, via=via)
    if action == "report":
        return do_report(transfer, user=user, result=result or notes, now=now, via=via)
    if action == "return":
        return do_return(transfer, user=user, reason=reason or notes, now=now, via=via)
    if action == "note":
        return do_note(transfer, user=user, notes=notes, now=now, via=via)
    if action == "confirm":
        return do_confirm(transfer, user=user, answer=answer, notes=notes, new_deadline=new_deadline, now=now, via=via)
    if action == "chase":
        return do_chase(transfer, user=user, notes=notes, now=now, via=via)
    if action == "withdraw":
        return do_withdraw(transfer, user=user, reason=reason or notes, now=now, via=via)
    raise ValueError(f"unknown action {action!r}")


# -- what a user may do, and the caller's number ------------------------------------------------------


def allowed_actions(transfer: Transfer, user: Any) -> list[str]:
    """The moves this user may take on the transfer now (for the pages' buttons)."""
    item = transfer.as_item()
    member = selectors.membership(user)
    if member is not None and member.department_id == transfer.department_id and user.has_perm("transfers.work_transfer"):
        return [action for action in DEPARTMENT_ACTIONS if machine.allowed(item, action, machine.DEPARTMENT)]
    if user.has_perm("transfers.change_transfer"):
        return [action for action in STATION_ACTIONS if machine.allowed(item, action, machine.STATION)]
    return []


def reveal_caller_phone(transfer: Transfer, *, user: Any, reason: str) -> str:
    """The caller's full number, after the audit row that says who asked and why.

    The department the transfer was sent to may call the caller back; at the station the
    permission `transfers.reveal_transfer_caller` is needed. RevealRefused otherwise.
    """
    member = selectors.membership(user)
    if member is not None and member.department_id == transfer.department_id:
        permission = "transfers.work_transfer"
    else:
        permission = "transfers.reveal_transfer_caller"
    return reveal(transfer, "caller_phone", user=user, reason=reason, permission=permission,
                  read=lambda: transfer.caller_phone)


__all__ = [
    "RevealRefused", "Route", "TransferRefused", "allowed_actions", "do_action", "do_chase", "do_confirm", "do_extend", "do_note",
    "do_receive", "do_report", "do_return", "do_start", "do_transfer", "do_withdraw", "may_transfer",
    "reveal_caller_phone", "route_for", "seed_station_transfers",
]
