"""Case writes: accepting an incident as a case, and every move of the case after that.

Each `do_*` function is one transaction: it locks the case, asks the machine
(`machine.apply`) whether the move is allowed and stores what the machine returns (state,
stage, deadline, lead), then writes the case log row, a note on the incident's log, the
audit row and the live event — which leaves only if the transaction commits.

Who may move a case: its lead officer, its assisting officers, or a leader (a user who may
change and assign cases); extending a time limit needs `cases.extend_case` and handing a
case to another officer `cases.assign_case` — the station's leaders. A move that is not
allowed raises `CaseRefused` with a sentence saying why; bad input a `ValidationError`
naming the field.

Case rows change through `QuerySet.update` so that each move leaves one audit row with
its user, its reason and the fields before and after (the save signal would write a
second row without the reason).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import jsonable, record
from fengqiao.core import events
from fengqiao.core import numbering as core_numbering
from fengqiao.core.writing import attributed_to as _attributed
from fengqiao.core.writing import author_of as _author
from fengqiao.core.writing import field_text
from fengqiao.core.writing import raise_field_errors as _raise
from fengqiao.intake import states
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.intake.services import _log
from fengqiao.organisation.models import Officer, Station

from . import assign, machine, numbering, selectors
from .models import DEFAULT_NUMBER_TEMPLATE, Case, CaseLimit, CaseLog, CaseSettings

TITLE_LENGTH = 200
REASON_LENGTH = 300
# The fields a move may change, as audited before and after.
_TRACKED = ("state", "stage", "stage_started_at", "due_at", "extensions", "lead_id", "filed_at", "not_filed_reason",
            "cleared_at", "cleared_how", "cleared_note", "closed_at", "close_note", "assignment")


class CaseRefused(Exception):
    """A move of a case that is not allowed, with a sentence for the person who tried."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _text(errors: dict[str, list[str]], name: str, value: str, *, required: str = "", limit: int = REASON_LENGTH) -> str:
    """Free text of a form or API body, checked into per-field errors."""
    return field_text(errors, name, value, limit=limit, required=required)


# -- the station's rules -------------------------------------------------------------------------


def seed_station_cases(station: Station) -> CaseSettings:
    """Give a station its case settings and the default time limits (idempotent)."""
    settings = CaseSettings.objects.for_stations([station.pk]).filter(station=station).first()
    if settings is None:
        try:
            with transaction.atomic():
                settings = CaseSettings.objects.create(station=station)
        except IntegrityError:  # another first case of the station at the same moment
            settings = CaseSettings.objects.for_stations([station.pk]).get(station=station)
    if not CaseLimit.objects.for_stations([station.pk]).exists():
        CaseLimit.objects.bulk_create([
            CaseLimit(station=station, kind=kind, stage=stage, days=limit.days, extension_days=limit.extension_days,
                      max_extensions=limit.max_extensions)
            for (kind, stage), limit in machine.DEFAULT_LIMITS.items()
        ], ignore_conflicts=True)
    return settings


def _number_template(settings: CaseSettings) -> str:
    """The station's template, or the default one if a leader saved one that cannot work."""
    try:
        numbering.check_template(settings.number_template)
    except numbering.TemplateError:
        return DEFAULT_NUMBER_TEMPLATE
    return settings.number_template


def _last_sequence(station: Station, template: str, kind: str, year: int) -> int:
    return core_numbering.last_sequence(
        Case.objects.for_stations([station.pk]), numbering.prefix(template, station_code=station.code, kind=kind, year=year),
        sequence_of=lambda number: numbering.sequence_of(template, number, station_code=station.code, kind=kind, year=year),
    )


def _insert_numbered(case: Case, template: str) -> None:
    """Give the new case the next number of its station, kind and year, and insert it (see
    `core.numbering`); a case made for the same incident meanwhile is a refusal."""
    year = timezone.localtime(case.accepted_at).year

    def next_number() -> str:
        sequence = _last_sequence(case.station, template, case.kind, year) + 1
        return numbering.format_number(template, station_code=case.station.code, kind=case.kind, year=year, sequence=sequence)

    def already_a_case() -> None:
        if Case.objects.for_stations([case.station_id]).filter(incident_id=case.incident_id).exists():
            raise CaseRefused(_("This incident became a case a moment ago; reload to see it."), code="already_a_case") from None

    try:
        core_numbering.insert_numbered(
            case, next_number, other_conflict=already_a_case,
            taken=lambda number: Case.objects.for_stations([case.station_id]).filter(number=number).exists(),
        )
    except core_numbering.NumbersExhausted:
        raise CaseRefused(_("No free case number was found; try again."), code="numbering") from None


# -- helpers ---------------------------------------------------------------------------------------


def _locked(case: Case) -> Case:
    return (Case.objects.for_stations([case.station_id]).select_for_update(of=("self",))
            .select_related("station", "incident", "incident__station", "lead", "lead__team").get(pk=case.pk))


def _snapshot(case: Case) -> dict[str, Any]:
    return {name: jsonable(getattr(case, name)) for name in _TRACKED}


def _store(case: Case, before: dict[str, Any], *, user: Any, reason: str = "", action: str = "") -> dict[str, list[Any]]:
    """Write the fields that changed, and one audit row with them and the reason."""
    after = _snapshot(case)
    changed = [name for name in _TRACKED if before[name] != after[name]]
    if changed:
        Case.objects.for_stations([case.station_id]).filter(pk=case.pk).update(
            **{name: getattr(case, name) for name in changed})
    changes = {name.removesuffix("_id"): [before[name], after[name]] for name in changed}
    record(AuditEntry.Action.UPDATED, obj=case, user=user, reason=reason or action, changes=changes)
    return changes


def _case_log(case: Case, action: str, text: str, *, user: Any, at: dt.datetime, automatic: bool = False) -> CaseLog:
    return CaseLog.objects.create(station_id=case.station_id, case=case, at=at, action=action, text=text,
                                  author=None if automatic else _author(user), automatic=automatic)


def _publish(case: Case) -> None:
    events.publish(case.station_id, "case", case=case.pk, incident=case.incident_id, officer=case.lead_id,
                   state=case.state)


def _may_work(case: Case, user: Any) -> None:
    if not selectors.may_work(case, user):
        raise CaseRefused(_("Only the lead officer %(lead)s, the assisting officers or a leader may work on case "
                            "%(number)s.") % {"lead": case.lead.name, "number": case.number}, code="not_yours")


def _require(user: Any, permission: str, message: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise CaseRefused(message, code="not_allowed")


_ACTION_LABELS = {
    "file": lambda: _("filed"),
    "not_file": lambda: _("closed without filing"),
    "clear": lambda: _("cleared"),
    "decide": lambda: _("decided"),
    "close": lambda: pgettext("case action", "closed"),
    "terminate": lambda: _("terminated"),
    "extend": lambda: _("given more time"),
    "reassign": lambda: _("handed to another officer"),
}


def _refusal(case: Case, action: str, error: machine.CaseError, limits: machine.Limits) -> CaseRefused:
    label = _ACTION_LABELS[action]()
    if error.code == "wrong_kind":
        message = _("A case of kind %(kind)s cannot be %(action)s.") % {"kind": case.get_kind_display(), "action": label}
    elif error.code == "no_more_extensions":
        limit = limits.of(case.kind, case.stage)
        message = _("The time limit of this stage (%(stage)s) cannot be extended any further: %(allowed)s extension(s) "
                    "allowed.") % {"stage": case.get_stage_display(), "allowed": limit.max_extensions}
    else:
        message = _("Case %(number)s is %(state)s: it cannot be %(action)s.") % {
            "number": case.number, "state": case.get_state_display(), "action": label}
    return CaseRefused(message, code=error.code)


def _move(case: Case, action: str, *, now: dt.datetime, starts: dt.datetime | None = None,
          lead: int | None = None) -> machine.Item:
    """Ask the machine for the case after `action`, and put it on the case (not yet stored).

    `starts` is when the next stage's clock starts, if not `now` (a case cleared yesterday)."""
    limits = selectors.station_limits(case.station_id)
    try:
        item = machine.apply(case.as_item(), action, now=starts or now, limits=limits, lead=lead)
    except machine.CaseError as error:
        raise _refusal(case, action, error, limits) from None
    case.state, case.stage, case.stage_started_at = item.state, item.stage, item.stage_started_at
    case.due_at, case.extensions = item.due_at, item.extensions
    if item.lead is not None:
        case.lead_id = item.lead
    return item


def _note_on_incident(case: Case, text: str, *, user: Any, at: dt.datetime) -> None:
    _log(case.incident, IncidentLog.Kind.NOTE, _("Case %(number)s: %(text)s") % {"number": case.number, "text": text},
         author=_author(user), at=at)


def _finish_move(case: Case, before: dict[str, Any], action: str, text: str, *, user: Any, now: dt.datetime,
                 reason: str = "") -> Case:
    _store(case, before, user=user, reason=reason, action=action)
    _case_log(case, action, text, user=user, at=now)
    _note_on_incident(case, text, user=user, at=now)
    _publish(case)
    return case


def _due_text(case: Case) -> str:
    if case.due_at is None:
        return ""
    return _(" — %(stage)s due %(due)s") % {"stage": case.get_stage_display(),
                                            "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")}


# -- accepting a case ------------------------------------------------------------------------------


def default_title(incident: Incident) -> str:
    place = incident.address.full_text if incident.address_id else incident.address_text
    return f"{incident.category.label_zh} {place}".strip()[:TITLE_LENGTH]


def default_kind(incident: Incident) -> str:
    """Criminal for the incident categories of the criminal family, administrative otherwise."""
    return machine.CRIMINAL if incident.category.family.code == "criminal" else machine.ADMINISTRATIVE


def _check_acceptance(incident: Incident) -> None:
    existing = Case.objects.for_stations([incident.station_id]).filter(incident=incident).first()
    if existing is not None:
        raise CaseRefused(_("Incident %(incident)s is already case %(number)s.") % {
            "incident": incident.number, "number": existing.number}, code="already_a_case")
    if not states.can_move(incident.state, states.CONVERTED):
        raise CaseRefused(_("Incident %(number)s is %(state)s and cannot become a case.") % {
            "number": incident.number, "state": incident.get_state_display()}, code="wrong_state")
    if selectors.active_orders(incident):
        raise CaseRefused(_("Orders are still out for this incident: wait for their feedback or cancel them first."),
                          code="orders_out")


def _lead_for(incident: Incident, lead: Officer | None, complexity: str) -> tuple[Officer, assign.Choice]:
    if lead is not None:
        officer = selectors.police_officers(incident.station_id).filter(pk=lead.pk).first()
        if officer is None:
            raise ValidationError({"lead": [_("Choose a police officer of this station as lead officer.")]})
        return officer, selectors.recommend(incident.station_id, complexity, chosen=officer)
    choice = selectors.recommend(incident.station_id, complexity)
    if choice.lead is None:
        why = " ".join(reason.render(_) for reason in choice.reasons)
        raise ValidationError({"lead": [_("%(why)s Choose the lead officer yourself.") % {"why": why}]})
    officer = selectors.case_officers(incident.station_id).get(pk=choice.lead.id)
    return officer, choice


@transaction.atomic
def do_accept_case(incident: Incident, *, user: Any, kind: str, complexity: str, title: str = "",
                   lead: Officer | None = None, now: dt.datetime | None = None) -> Case:
    """受案: the incident becomes a case of the case team, in one step.

    The case is numbered from the station's template, its lead officer chosen by load and
    complexity (`assign.py`) unless `lead` is given, and its first time limit starts. The
    incident leaves the command room: converted, owned by the lead officer and the case
    team, with no deadline of its own any more (the case has one).
    """
    errors: dict[str, list[str]] = {}
    if kind not in machine.KINDS:
        errors["kind"] = [_("Choose criminal or administrative.")]
    if complexity not in machine.COMPLEXITIES:
        errors["complexity"] = [_("Choose simple, ordinary or complex.")]
    title = _text(errors, "title", title, limit=TITLE_LENGTH)
    _raise(errors)
    _require(user, "cases.add_case", _("Your role may not accept cases."))
    now = now or timezone.now()
    fresh = (Incident.objects.for_stations([incident.station_id]).select_for_update(of=("self",))
             .select_related("category", "category__family", "station", "address").get(pk=incident.pk))
    _check_acceptance(fresh)
    settings = seed_station_cases(fresh.station)
    officer, choice = _lead_for(fresh, lead, complexity)
    item = machine.accept(kind, officer.pk, now, limits=selectors.station_limits(fresh.station_id))

    case = Case(
        station=fresh.station, incident=fresh, kind=kind, category=fresh.category, title=title or default_title(fresh),
        complexity=complexity, state=item.state, lead=officer, assignment=choice.as_json(), accepted_at=now,
        accepted_by=_author(user), stage=item.stage, stage_started_at=item.stage_started_at, due_at=item.due_at,
        extensions=item.extensions,
    )
    with _attributed(user):
        _insert_numbered(case, _number_template(settings))
    assistants = [candidate.id for candidate in choice.assistants]
    if assistants:
        case.assistants.set(selectors.case_officers(fresh.station_id).filter(pk__in=assistants))

    why = " ".join(reason.render(_) for reason in choice.reasons)
    text = _("Accepted from incident %(incident)s as a %(kind)s case (%(complexity)s); lead officer %(lead)s — %(why)s") % {
        "incident": fresh.number, "kind": case.get_kind_display(), "complexity": case.get_complexity_display(),
        "lead": officer.name, "why": why}
    _case_log(case, "accept", text + _due_text(case), user=user, at=now)

    before = fresh.state
    states.check_move(before, states.CONVERTED)
    fresh.state, fresh.owner, fresh.owner_team_id, fresh.deadline = states.CONVERTED, officer, officer.team_id, None
    with _attributed(user):
        fresh.save(update_fields=["state", "owner", "owner_team", "deadline", "updated_at"])
    _log(fresh, IncidentLog.Kind.STATE, _("Became case %(number)s (%(kind)s), lead officer %(lead)s") % {
        "number": case.number, "kind": case.get_kind_display(), "lead": officer.name}, author=_author(user), at=now)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=case.number,
           changes={"state": [before, states.CONVERTED], "owner": [None, officer.name]})
    events.publish(fresh.station_id, "incident", incident=fresh.pk, officer=officer.pk, state=fresh.state)
    _publish(case)
    return case


# -- the moves of a case ---------------------------------------------------------------------------


def _begin(case: Case, user: Any) -> tuple[Case, dict[str, Any]]:
    fresh = _locked(case)
    _may_work(fresh, user)
    return fresh, _snapshot(fresh)


@transaction.atomic
def do_file(case: Case, *, user: Any, note: str = "", now: dt.datetime | None = None) -> Case:
    """立案: a criminal case is filed; the investigation's time limit starts."""
    errors: dict[str, list[str]] = {}
    note = _text(errors, "note", note)
    _raise(errors)
    now = now or timezone.now()
    fresh, before = _begin(case, user)
    _move(fresh, "file", now=now)
    fresh.filed_at = now
    text = _("Filed") + (f": {note}" if note else "") + _due_text(fresh)
    return _finish_move(fresh, before, "file", text, user=user, now=now, reason=note)


@transaction.atomic
def do_not_file(case: Case, *, user: Any, reason: str, now: dt.datetime | None = None) -> Case:
    """不予立案: a criminal case is not filed, with the reason."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("Say why the case is not filed."))
    _raise(errors)
    now = now or timezone.now()
    fresh, before = _begin(case, user)
    _move(fresh, "not_file", now=now)
    fresh.not_filed_reason = reason
    return _finish_move(fresh, before, "not_file", _("Not filed: %(reason)s") % {"reason": reason}, user=user, now=now,
                        reason=reason)


def _cleared_moment(cleared_at: dt.date | dt.datetime | None, case: Case, now: dt.datetime,
                    errors: dict[str, list[str]]) -> dt.datetime:
    """When the case was cleared: now, or the day (or moment) given, neither ahead nor before filing."""
    if cleared_at is None:
        return now
    if isinstance(cleared_at, dt.datetime):
        moment = cleared_at if timezone.is_aware(cleared_at) else timezone.make_aware(cleared_at)
    elif cleared_at == timezone.localtime(now).date():
        moment = now
    else:
        moment = timezone.make_aware(dt.datetime.combine(cleared_at, dt.time(12, 0)))
    started = case.filed_at or case.accepted_at
    if moment > now:
        errors.setdefault("cleared_at", []).append(_("The case cannot be cleared in the future."))
    elif timezone.localtime(moment).date() < timezone.localtime(started).date():
        errors.setdefault("cleared_at", []).append(_("The case cannot be cleared before it was filed."))
    return max(moment, started)


@transaction.atomic
def do_clear(case: Case, *, user: Any, how: str, note: str = "", cleared_at: dt.date | dt.datetime | None = None,
             now: dt.datetime | None = None) -> Case:
    """破案: a filed case is cleared, how and when; the time limit for closing the file starts then."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if how not in Case.ClearedHow.values or how == Case.ClearedHow.DECISION:
        errors["how"] = [_("Choose how the case was cleared.")]
    note = _text(errors, "note", note, limit=2000)
    fresh, before = _begin(case, user)
    moment = _cleared_moment(cleared_at, fresh, now, errors)
    _raise(errors)
    _move(fresh, "clear", now=now, starts=moment)
    fresh.cleared_at, fresh.cleared_how, fresh.cleared_note = moment, how, note
    text = _("Cleared on %(day)s: %(how)s") % {"day": timezone.localtime(moment).strftime("%Y-%m-%d"),
                                               "how": fresh.get_cleared_how_display()}
    text += (f" — {note}" if note else "") + _due_text(fresh)
    return _finish_move(fresh, before, "clear", text, user=user, now=now, reason=note)


@transaction.atomic
def do_decide(case: Case, *, user: Any, decision: str, now: dt.datetime | None = None) -> Case:
    """查结: an administrative case is decided (the decision in words); closing the file is next."""
    errors: dict[str, list[str]] = {}
    decision = _text(errors, "decision", decision, required=_("Write the decision."), limit=2000)
    _raise(errors)
    now = now or timezone.now()
    fresh, before = _begin(case, user)
    _move(fresh, "decide", now=now)
    fresh.cleared_at, fresh.cleared_how, fresh.cleared_note = now, Case.ClearedHow.DECISION, decision
    text = _("Decided: %(decision)s") % {"decision": decision} + _due_text(fresh)
    return _finish_move(fresh, before, "decide", text, user=user, now=now, reason=decision[:REASON_LENGTH])


@transaction.atomic
def do_close(case: Case, *, user: Any, note: str = "", now: dt.datetime | None = None) -> Case:
    """结案: a cleared case's file is closed."""
    errors: dict[str, list[str]] = {}
    note = _text(errors, "note", note)
    _raise(errors)
    now = now or timezone.now()
    fresh, before = _begin(case, user)
    _move(fresh, "close", now=now)
    fresh.closed_at, fresh.close_note = now, note
    text = _("Closed") + (f": {note}" if note else "")
    return _finish_move(fresh, before, "close", text, user=user, now=now, reason=note)


@transaction.atomic
def do_terminate(case: Case, *, user: Any, reason: str, now: dt.datetime | None = None) -> Case:
    """撤案: a filed criminal case is terminated without being cleared, with the reason."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("Say why the case is terminated."))
    _raise(errors)
    now = now or timezone.now()
    fresh, before = _begin(case, user)
    _move(fresh, "terminate", now=now)
    fresh.closed_at, fresh.close_note = now, reason
    return _finish_move(fresh, before, "terminate", _("Terminated: %(reason)s") % {"reason": reason}, user=user, now=now,
                        reason=reason)


@transaction.atomic
def do_extend(case: Case, *, user: Any, reason: str, now: dt.datetime | None = None) -> Case:
    """延长期限: a leader gives the current stage more time, with the reason, as often as the station's limits allow."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("Say why the time limit is extended."))
    _raise(errors)
    _require(user, "cases.extend_case", _("Only a leader may extend a case's time limit."))
    now = now or timezone.now()
    fresh, before = _begin(case, user)
    previous = fresh.due_at
    _move(fresh, "extend", now=now)
    text = _("Time limit of %(stage)s extended from %(before)s to %(after)s: %(reason)s") % {
        "stage": fresh.get_stage_display(),
        "before": timezone.localtime(previous).strftime("%Y-%m-%d %H:%M") if previous else "—",
        "after": timezone.localtime(fresh.due_at).strftime("%Y-%m-%d %H:%M") if fresh.due_at else "—",
        "reason": reason}
    return _finish_move(fresh, before, "extend", text, user=user, now=now, reason=reason)


@transaction.atomic
def do_reassign(case: Case, *, user: Any, officer: Officer, reason: str, now: dt.datetime | None = None) -> Case:
    """改派: a leader hands the case to another police officer of the station, with the reason;
    the incident follows its new lead officer."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("Say why the case is handed to another officer."))
    _require(user, "cases.assign_case", _("Only a leader may hand a case to another officer."))
    now = now or timezone.now()
    fresh, before = _begin(case, user)
    new_lead = selectors.police_officers(fresh.station_id).filter(pk=getattr(officer, "pk", None)).first()
    if new_lead is None:
        errors["officer"] = [_("Choose a police officer of this station.")]
    elif new_lead.pk == fresh.lead_id:
        errors["officer"] = [_("%(name)s already leads this case.") % {"name": new_lead.name}]
    _raise(errors)
    assert new_lead is not None
    previous = fresh.lead
    _move(fresh, "reassign", now=now, lead=new_lead.pk)
    message = assign.Message(assign.gettext_noop("Handed from %(before)s to %(after)s by %(by)s: %(reason)s"), {
        "before": previous.name, "after": new_lead.name, "by": _author(user).display_name if _author(user) else "—",
        "reason": reason})
    fresh.assignment = {**fresh.assignment, "lead": new_lead.pk,
                        "reasons": [*fresh.assignment.get("reasons", []), message.as_json()]}
    fresh.assistants.remove(new_lead)
    fresh.lead = new_lead
    text = message.render(_)
    result = _finish_move(fresh, before, "reassign", text, user=user, now=now, reason=reason)

    incident = Incident.objects.for_stations([fresh.station_id]).select_for_update(of=("self",)).get(pk=fresh.incident_id)
    incident.owner, incident.owner_team_id = new_lead, new_lead.team_id
    with _attributed(user):
        incident.save(update_fields=["owner", "owner_team", "updated_at"])
    events.publish(incident.station_id, "incident", incident=incident.pk, officer=new_lead.pk, state=incident.state)
    return result


# -- one entry point for the pages and the API -----------------------------------------------------

ACTIONS = ("file", "not_file", "clear", "decide", "close", "terminate", "extend", "reassign")


def do_action(case: Case, action: str, *, user: Any, reason: str = "", note: str = "", how: str = "",
              decision: str = "", officer: Officer | None = None, cleared_at: dt.date | dt.datetime | None = None,
              now: dt.datetime | None = None) -> Case:
    """The move named `action`, with the fields it uses (the others are ignored)."""
    if action == "file":
        return do_file(case, user=user, note=note, now=now)
    if action == "not_file":
        return do_not_file(case, user=user, reason=reason, now=now)
    if action == "clear":
        return do_clear(case, user=user, how=how, note=note, cleared_at=cleared_at, now=now)
    if action == "decide":
        return do_decide(case, user=user, decision=decision or note, now=now)
    if action == "close":
        return do_close(case, user=user, note=note, now=now)
    if action == "terminate":
        return do_terminate(case, user=user, reason=reason, now=now)
    if action == "extend":
        return do_extend(case, user=user, reason=reason, now=now)
    if action == "reassign":
        if officer is None:
            raise ValidationError({"officer": [_("Choose the officer who takes the case over.")]})
        return do_reassign(case, user=user, officer=officer, reason=reason, now=now)
    raise ValidationError({"action": [_("Unknown action %(action)s.") % {"action": action}]})


def allowed_actions(case: Case, user: Any) -> list[str]:
    """The moves the case's state allows and the user may make (for the page's buttons)."""
    if not case.is_open or not selectors.may_work(case, user):
        return []
    item = case.as_item()
    found = []
    for action in ACTIONS:
        if not machine.allowed(item, action):
            continue
        if action == "extend":
            limit = selectors.station_limits(case.station_id).of(case.kind, case.stage)
            if not user.has_perm("cases.extend_case") or case.extensions >= limit.max_extensions:
                continue
        if action == "reassign" and not user.has_perm("cases.assign_case"):
            continue
        found.append(action)
    return found
