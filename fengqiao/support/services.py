"""Support requests (警种支援): every move of a request, one transaction each.

The station asks a specialised unit of its sub-bureau for specific help; the unit accepts
(a named member answers for it) or declines, reports that it is at work, its progress and
its completion. `machine.apply` decides whether a move is allowed and which deadline runs
next; each `do_*` function here stores what it returns and writes the request's own
append-only `SupportUpdate`, an entry in the incident's log, one audit row and the live
event ("support"), all in one transaction.

Who may do what:
- Asking: people of the incident's station with `support.add_supportrequest`.
- Re-routing a declined request, cancelling, chasing: people of the request's station with
  `support.change_supportrequest`; the ticker chases with no user when a deadline the
  unit owes is breached (`deadlines.py`).
- The unit's moves: members (`UnitMember`, role `unit`) of the unit the request is
  addressed to, and no one else. Any member may accept it — and becomes the named member
  who answers for it — or decline it. Only that member reports it started and completed;
  any member of the unit may add a progress note (a colleague on the next shift keeps the
  station informed), and the note says who wrote it.

A move that is not allowed raises `SupportRefused` (a sentence for the person, and a
`code`: the machine's `wrong_state` / `not_yours`, or `other_unit`, `not_a_member`,
`not_allowed`, `other_station`, `closed_incident`); wrong input raises ValidationError
naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import jsonable, record
from fengqiao.cases.models import Case
from fengqiao.core import events, numbering
from fengqiao.core.writing import attributed_to as _attributed
from fengqiao.core.writing import author_of as _author
from fengqiao.core.writing import field_text
from fengqiao.core.writing import raise_field_errors as _raise
from fengqiao.intake import states
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.intake.services import _log
from fengqiao.organisation.models import Officer, Station
from fengqiao.organisation.selectors import station_ids_for

from . import machine, selectors
from .models import SupportRequest, SupportUpdate, Unit, UnitMember

# Request numbers: 援2026-0001, a sequence per station and year.
NUMBER_PREFIX = "援"
MAX_PEOPLE = 50
# Help needed further ahead than this is a typing error.
MAX_AHEAD = dt.timedelta(days=30)
# The form's first guess of when the help is needed.
DEFAULT_NEEDED_IN = dt.timedelta(minutes=30)
DETAILS_LENGTH = 2000
PLACE_LENGTH = 200
REASON_LENGTH = 300
NOTES_LENGTH = 4000
# An incident in one of these states needs no unit any more.
FINISHED_INCIDENT_STATES = frozenset({states.CLOSED, states.MERGED, states.INVALID, states.TRANSFERRED})
# The unit's moves that only the member who accepted the request may make.
ACCEPTING_MEMBER_ONLY = frozenset({"start", "complete"})
UNIT_ACTIONS = ("accept", "decline", "start", "progress", "complete")
STATION_ACTIONS = ("reroute", "chase", "cancel")
SYSTEM = "system"  # SupportUpdate.actor of the ticker's chase

# The row's fields a move may change (what the audit row compares).
_TRACKED = (
    "state", "unit_id", "needed_by", "requested_at", "accepted_by_id", "accepted_at", "started_at", "completed_at",
    "report", "declined_at", "decline_reason", "cancelled_at", "cancel_reason", "due_step", "due_at", "chases",
)

_ACTION_WORDS = {
    "accept": lambda: pgettext("support action", "accepted"),
    "decline": lambda: _("declined"),
    "start": lambda: pgettext("support action", "started"),
    "progress": lambda: _("given a progress note"),
    "complete": lambda: _("completed"),
    "reroute": lambda: _("re-routed"),
    "cancel": lambda: _("cancelled"),
    "chase": lambda: _("chased"),
}


class SupportRefused(Exception):
    """A move of a support request that cannot be made, with a message for the person who tried."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# -- small helpers -----------------------------------------------------------------------------------


def _text(errors: dict[str, list[str]], name: str, value: str | None, limit: int, *, required: str = "") -> str:
    return field_text(errors, name, value, limit=limit, required=required)


def clock_for(unit: Unit) -> machine.Clock:
    """The unit's own response time; the other clocks are the machine's defaults."""
    return machine.Clock(response_minutes=unit.response_minutes)


def _name_of(user: Any, member: UnitMember | None = None) -> str:
    if member is not None:
        return member.name
    if not getattr(user, "is_authenticated", False):
        return ""
    return str(user.display_name)[:50]


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M")


def _require(user: Any, permission: str, message: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise SupportRefused(message, code="not_allowed")


def _check_unit(errors: dict[str, list[str]], unit: Unit | None, station: Station) -> None:
    if unit is None:
        errors.setdefault("unit", []).append(_("Choose the unit to ask."))
    elif unit.bureau_id != station.bureau_id:
        errors.setdefault("unit", []).append(_("%(unit)s does not serve this station.") % {"unit": unit.name})
    elif not unit.active:
        errors.setdefault("unit", []).append(_("%(unit)s takes no requests at present.") % {"unit": unit.name})


def _check_needed_by(errors: dict[str, list[str]], needed_by: dt.datetime | None, now: dt.datetime) -> None:
    if needed_by is None:
        errors.setdefault("needed_by", []).append(_("Say by when the help is needed."))
    elif needed_by <= now:
        errors.setdefault("needed_by", []).append(_("The help must be needed at a later time."))
    elif needed_by > now + MAX_AHEAD:
        errors.setdefault("needed_by", []).append(_("That is more than 30 days ahead."))


def _locked(request: SupportRequest) -> SupportRequest:
    return (SupportRequest.objects.for_stations([request.station_id]).select_for_update()
            .select_related("unit", "incident", "station").get(pk=request.pk))


def _snapshot(request: SupportRequest) -> dict[str, Any]:
    return {name: jsonable(getattr(request, name)) for name in _TRACKED}


def _apply(fresh: SupportRequest, action: str, *, actor: str, now: dt.datetime, unit: Unit | None = None,
           member: int | None = None, needed_by: dt.datetime | None = None) -> machine.Item:
    """The machine's answer, its refusal worded for the person who tried."""
    try:
        return machine.apply(fresh.as_item(), action, actor=actor, now=now, clock=clock_for(unit or fresh.unit),
                             member=member, needed_by=needed_by)
    except machine.SupportError as error:
        if error.code == "wrong_state":
            message = _("Support request %(number)s is %(state)s: it cannot be %(action)s.") % {
                "number": fresh.number, "state": fresh.get_state_display(), "action": _ACTION_WORDS[action]()}
        else:
            message = _("Support request %(number)s cannot be %(action)s.") % {
                "number": fresh.number, "action": _ACTION_WORDS.get(action, lambda: action)()}
        raise SupportRefused(message, code=error.code) from None


def _take(fresh: SupportRequest, item: machine.Item) -> None:
    """Copy what the machine decided onto the row."""
    fresh.state, fresh.due_step, fresh.due_at = item.state, item.due_step, item.due_at
    fresh.accepted_by_id, fresh.chases = item.accepted_by, item.chases
    fresh.needed_by, fresh.requested_at = item.needed_by, item.requested_at


def _store(fresh: SupportRequest, before: dict[str, Any], *, user: Any, reason: str = "") -> None:
    """Write the fields that changed, and one audit row with them and the reason."""
    after = _snapshot(fresh)
    changed = [name for name in _TRACKED if before[name] != after[name]]
    if changed:
        SupportRequest.objects.for_stations([fresh.station_id]).filter(pk=fresh.pk).update(
            **{name: getattr(fresh, name) for name in changed})
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=reason,
           changes={name.removesuffix("_id"): [before[name], after[name]] for name in changed})


def _write_update(request: SupportRequest, action: str, *, state_before: str, actor: str, user: Any, now: dt.datetime,
                  notes: str = "", member: UnitMember | None = None) -> SupportUpdate:
    return SupportUpdate.objects.create(
        station_id=request.station_id, request=request, at=now, action=action, state_before=state_before,
        state_after=request.state, notes=notes, actor=actor, author=_author(user), author_name=_name_of(user, member),
    )


def _publish(request: SupportRequest) -> None:
    events.publish(request.station_id, "support", support=request.pk, incident=request.incident_id, state=request.state)


def _note_on_incident(request: SupportRequest, text: str, *, user: Any, now: dt.datetime, automatic: bool = False) -> None:
    _log(request.incident, IncidentLog.Kind.NOTE, text, author=_author(user), at=now, automatic=automatic)


# -- numbers -------------------------------------------------------------------------------------------


def _last_sequence(station_id: int, prefix: str) -> int:
    return numbering.last_sequence(SupportRequest.objects.for_stations([station_id]), prefix)


def _insert_numbered(request: SupportRequest) -> None:
    """Give the new request the station's next number of the year and insert it (see `core.numbering`)."""
    prefix = f"{NUMBER_PREFIX}{timezone.localtime(request.requested_at).year}-"
    numbering.insert_numbered(
        request, lambda: f"{prefix}{_last_sequence(request.station_id, prefix) + 1:04d}",
        taken=lambda number: SupportRequest.objects.for_stations([request.station_id]).filter(number=number).exists(),
    )


# -- asking ---------------------------------------------------------------------------------------------


def default_needed_by(now: dt.datetime | None = None) -> dt.datetime:
    """The form's first value: half an hour from now, to the minute."""
    moment = (now or timezone.now()) + DEFAULT_NEEDED_IN
    return moment.replace(second=0, microsecond=0)


@transaction.atomic
def do_request_support(
    incident: Incident, *, user: Any, unit: Unit | None, need: str, details: str, people: int | None,
    needed_by: dt.datetime | None, place: str, contact: Officer | None, case: Case | None = None,
    now: dt.datetime | None = None,
) -> SupportRequest:
    """Ask `unit` for help with `incident`: what, how many, by when, where, whom to call.

    The request is linked to the incident's case when it became one (unless `case` names it).
    """
    now = now or timezone.now()
    _require(user, "support.add_supportrequest", _("Your role may not ask units for help."))
    if user is not None and incident.station_id not in station_ids_for(user):
        raise SupportRefused(_("This incident is not of your station."), code="other_station")
    fresh = (Incident.objects.for_stations([incident.station_id]).select_for_update().select_related("station")
             .get(pk=incident.pk))
    if fresh.state in FINISHED_INCIDENT_STATES:
        raise SupportRefused(_("Incident %(number)s is %(state)s: no unit is asked for help any more.") % {
            "number": fresh.number, "state": fresh.get_state_display()}, code="closed_incident")
    errors: dict[str, list[str]] = {}
    _check_unit(errors, unit, fresh.station)
    if need not in SupportRequest.Need.values:
        errors["need"] = [_("Choose what is needed.")]
    details = _text(errors, "details", details, DETAILS_LENGTH, required=_("Say what the unit is asked to do."))
    if people is None or not 1 <= people <= MAX_PEOPLE:
        errors["people"] = [_("Between 1 and %(most)s people.") % {"most": MAX_PEOPLE}]
    _check_needed_by(errors, needed_by, now)
    place = _text(errors, "place", place, PLACE_LENGTH, required=_("Say where the help is needed."))
    if contact is None:
        errors["contact"] = [_("Name the officer the unit calls.")]
    elif contact.station_id != fresh.station_id:
        errors["contact"] = [_("No such officer at this station.")]
    elif contact.rank != Officer.Rank.OFFICER:
        errors["contact"] = [_("Name a police officer, not an auxiliary.")]
    if case is None:
        case = Case.objects.for_stations([fresh.station_id]).filter(incident=fresh).first()
    elif case.station_id != fresh.station_id or case.incident_id != fresh.pk:
        errors["case"] = [_("That case is not this incident's.")]
    _raise(errors)
    assert unit is not None and needed_by is not None and people is not None
    item = machine.request(now, needed_by, clock=clock_for(unit))

    request = SupportRequest(
        station=fresh.station, incident=fresh, case=case, unit=unit, need=need, details=details, people=people,
        needed_by=item.needed_by, place=place, contact=contact, state=item.state, requested_at=item.requested_at,
        requested_by=_author(user), due_step=item.due_step, due_at=item.due_at, chases=item.chases,
    )
    with _attributed(user):
        _insert_numbered(request)  # the save signal writes the audit row of the new request
    _write_update(request, "request", state_before="", actor=machine.STATION, user=user, now=now, notes=details)
    _note_on_incident(request, _(
        "Support requested from %(unit)s (%(number)s): %(need)s, %(people)s people, needed by %(at)s at %(place)s") % {
        "unit": unit.name, "number": request.number, "need": request.get_need_display(), "people": people,
        "at": _when(request.needed_by), "place": place}, user=user, now=now)
    _publish(request)
    return request


# -- the unit's moves ---------------------------------------------------------------------------------------


def _member_for(user: Any) -> UnitMember:
    member = selectors.member_of(user)
    if member is None:
        raise SupportRefused(_("Only a member of the unit the request was sent to may answer it."), code="not_a_member")
    return member


def _unit_move(request: SupportRequest, action: str, *, user: Any, now: dt.datetime | None, notes: str = "",
               reason: str = "", stamps: dict[str, Any] | None = None) -> tuple[SupportRequest, UnitMember, str]:
    """Lock, check, apply and store one of the unit's moves; (the request, the member, the state before)."""
    now = now or timezone.now()
    member = _member_for(user)
    fresh = _locked(request)
    if fresh.unit_id != member.unit_id:
        raise SupportRefused(_("Support request %(number)s was sent to %(unit)s, not to your unit.") % {
            "number": fresh.number, "unit": fresh.unit.name}, code="other_unit")
    if action in ACCEPTING_MEMBER_ONLY and fresh.accepted_by_id not in (None, member.pk):
        accepted = UnitMember.objects.filter(pk=fresh.accepted_by_id).values_list("name", flat=True).first()
        raise SupportRefused(_("Only %(member)s, who accepted support request %(number)s, may report it %(action)s.") % {
            "member": accepted, "number": fresh.number, "action": _ACTION_WORDS[action]()}, code="not_yours")
    before, state_before = _snapshot(fresh), fresh.state
    item = _apply(fresh, action, actor=machine.UNIT, now=now, member=member.pk if action == "accept" else None)
    _take(fresh, item)
    for name, value in (stamps or {}).items():
        setattr(fresh, name, value)
    _store(fresh, before, user=user, reason=reason or action)
    _write_update(fresh, action, state_before=state_before, actor=machine.UNIT, user=user, now=now, notes=notes,
                  member=member)
    return fresh, member, state_before


@transaction.atomic
def do_accept(request: SupportRequest, *, user: Any, notes: str = "", now: dt.datetime | None = None) -> SupportRequest:
    """The unit takes the request; the member who accepts it answers for it."""
    errors: dict[str, list[str]] = {}
    notes = _text(errors, "notes", notes, NOTES_LENGTH)
    _raise(errors)
    now = now or timezone.now()
    fresh, member, _before = _unit_move(request, "accept", user=user, now=now, notes=notes, stamps={"accepted_at": now})
    fresh.accepted_by = member
    _note_on_incident(fresh, _("%(unit)s accepted support request %(number)s; %(member)s answers for it, help in place by %(at)s") % {
        "unit": fresh.unit.name, "number": fresh.number, "member": member.name, "at": _when(fresh.needed_by)},
        user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_decline(request: SupportRequest, *, user: Any, reason: str, now: dt.datetime | None = None) -> SupportRequest:
    """The unit cannot help; the request is the station's again, to re-route or cancel."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, REASON_LENGTH, required=_("Say why the unit cannot help."))
    _raise(errors)
    now = now or timezone.now()
    fresh, _member, _before = _unit_move(request, "decline", user=user, now=now, notes=reason, reason=reason,
                                         stamps={"declined_at": now, "decline_reason": reason})
    _note_on_incident(fresh, _("%(unit)s declined support request %(number)s: %(reason)s") % {
        "unit": fresh.unit.name, "number": fresh.number, "reason": reason}, user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_start(request: SupportRequest, *, user: Any, notes: str = "", now: dt.datetime | None = None) -> SupportRequest:
    """The unit's help is in place and at work."""
    errors: dict[str, list[str]] = {}
    notes = _text(errors, "notes", notes, NOTES_LENGTH)
    _raise(errors)
    now = now or timezone.now()
    fresh, member, _before = _unit_move(request, "start", user=user, now=now, notes=notes, stamps={"started_at": now})
    _note_on_incident(fresh, _("%(unit)s is at work on support request %(number)s (%(member)s)") % {
        "unit": fresh.unit.name, "number": fresh.number, "member": member.name}, user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_progress(request: SupportRequest, *, user: Any, notes: str, now: dt.datetime | None = None) -> SupportRequest:
    """A progress note from the unit; the deadline that runs stays as it is."""
    errors: dict[str, list[str]] = {}
    notes = _text(errors, "notes", notes, NOTES_LENGTH, required=_("Write what has been done so far."))
    _raise(errors)
    now = now or timezone.now()
    fresh, member, _before = _unit_move(request, "progress", user=user, now=now, notes=notes)
    _note_on_incident(fresh, _("Support request %(number)s, progress from %(member)s (%(unit)s): %(notes)s") % {
        "number": fresh.number, "member": member.name, "unit": fresh.unit.name, "notes": notes}, user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_complete(request: SupportRequest, *, user: Any, report: str, now: dt.datetime | None = None) -> SupportRequest:
    """The unit's report of what it did; the request is done."""
    errors: dict[str, list[str]] = {}
    report = _text(errors, "report", report, NOTES_LENGTH, required=_("Write what the unit did and found."))
    _raise(errors)
    now = now or timezone.now()
    fresh, member, _before = _unit_move(request, "complete", user=user, now=now, notes=report,
                                       stamps={"completed_at": now, "report": report})
    _note_on_incident(fresh, _("%(unit)s completed support request %(number)s: %(report)s") % {
        "unit": fresh.unit.name, "number": fresh.number, "report": report}, user=user, now=now)
    _publish(fresh)
    return fresh


# -- the station's moves ------------------------------------------------------------------------------------


def _station_check(request: SupportRequest, user: Any) -> None:
    _require(user, "support.change_supportrequest", _("Your role may not change support requests."))
    if user is not None and request.station_id not in station_ids_for(user):
        raise SupportRefused(_("This support request is not of your station."), code="other_station")


@transaction.atomic
def do_reroute(request: SupportRequest, *, user: Any, unit: Unit | None, needed_by: dt.datetime | None = None,
               now: dt.datetime | None = None) -> SupportRequest:
    """Send a declined request to another unit (or the same one again), perhaps needed at a new time."""
    now = now or timezone.now()
    _station_check(request, user)
    fresh = _locked(request)
    errors: dict[str, list[str]] = {}
    _check_unit(errors, unit, fresh.station)
    if needed_by is not None:
        _check_needed_by(errors, needed_by, now)
    elif fresh.state == machine.DECLINED and fresh.needed_by <= now:
        errors["needed_by"] = [_("The time the help was needed has passed: give a new one.")]
    _raise(errors)
    assert unit is not None
    before, state_before, old_unit = _snapshot(fresh), fresh.state, fresh.unit.name
    item = _apply(fresh, "reroute", actor=machine.STATION, now=now, unit=unit, needed_by=needed_by)
    _take(fresh, item)
    fresh.unit = unit
    fresh.accepted_at = fresh.started_at = fresh.declined_at = None
    fresh.decline_reason = ""
    _store(fresh, before, user=user, reason="reroute")
    notes = _("From %(old)s to %(unit)s, needed by %(at)s") % {"old": old_unit, "unit": unit.name, "at": _when(fresh.needed_by)}
    _write_update(fresh, "reroute", state_before=state_before, actor=machine.STATION, user=user, now=now, notes=notes)
    _note_on_incident(fresh, _("Support request %(number)s re-routed: %(notes)s") % {"number": fresh.number, "notes": notes},
                      user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_cancel(request: SupportRequest, *, user: Any, reason: str, now: dt.datetime | None = None) -> SupportRequest:
    """The station no longer needs the help."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, REASON_LENGTH, required=_("Say why the request is cancelled."))
    _raise(errors)
    now = now or timezone.now()
    _station_check(request, user)
    fresh = _locked(request)
    before, state_before = _snapshot(fresh), fresh.state
    item = _apply(fresh, "cancel", actor=machine.STATION, now=now)
    _take(fresh, item)
    fresh.cancelled_at, fresh.cancel_reason = now, reason
    _store(fresh, before, user=user, reason=reason)
    _write_update(fresh, "cancel", state_before=state_before, actor=machine.STATION, user=user, now=now, notes=reason)
    _note_on_incident(fresh, _("Support request %(number)s to %(unit)s cancelled: %(reason)s") % {
        "number": fresh.number, "unit": fresh.unit.name, "reason": reason}, user=user, now=now)
    _publish(fresh)
    return fresh


@transaction.atomic
def do_chase(request: SupportRequest, *, user: Any = None, now: dt.datetime | None = None) -> SupportRequest:
    """Remind the unit (催办): by a person of the station, or by the system at a breached deadline."""
    now = now or timezone.now()
    if user is not None:
        _station_check(request, user)
    fresh = _locked(request)
    before, state_before = _snapshot(fresh), fresh.state
    item = _apply(fresh, "chase", actor=machine.STATION, now=now)
    _take(fresh, item)
    automatic = user is None
    step = fresh.get_due_step_display()
    due = _when(fresh.due_at) if fresh.due_at else "—"
    if automatic:
        notes = _("Chased automatically: %(step)s was due %(at)s") % {"step": step, "at": due}
    else:
        notes = _("Chased by %(name)s: %(step)s due %(at)s") % {"name": _name_of(user), "step": step, "at": due}
    _store(fresh, before, user=user, reason="chase")
    _write_update(fresh, "chase", state_before=state_before, actor=SYSTEM if automatic else machine.STATION, user=user,
                  now=now, notes=notes)
    _note_on_incident(fresh, _("Support request %(number)s: %(unit)s chased (%(count)s) — %(notes)s") % {
        "number": fresh.number, "unit": fresh.unit.name, "count": fresh.chases, "notes": notes},
        user=user, now=now, automatic=automatic)
    _publish(fresh)
    return fresh


# -- what the pages offer -----------------------------------------------------------------------------------


def station_actions(request: SupportRequest, user: Any) -> list[str]:
    """The station's moves `user` may make on `request` now."""
    if not user.has_perm("support.change_supportrequest") or request.station_id not in station_ids_for(user):
        return []
    item = request.as_item()
    return [action for action in STATION_ACTIONS if machine.allowed(item, action, machine.STATION)]


def unit_actions(request: SupportRequest, member: UnitMember | None) -> list[str]:
    """The unit's moves `member` may make on `request` now."""
    if member is None or member.unit_id != request.unit_id:
        return []
    item = request.as_item()
    actions = [action for action in UNIT_ACTIONS if machine.allowed(item, action, machine.UNIT)]
    if request.accepted_by_id is not None and request.accepted_by_id != member.pk:
        actions = [action for action in actions if action not in ACCEPTING_MEMBER_ONLY]
    return actions
