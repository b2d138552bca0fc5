"""Dispatch writes: every step of an order, of the incident it serves, and of its follow-up.

Each `do_*` function is one transaction: it checks the move, changes the rows, writes the
incident log entry and the audit row, and publishes the board event — which leaves only
if the transaction commits. An incident's state, owner and deadline follow its orders
(`_settle`): the most advanced active order decides, and an incident whose orders all
came back is the command room's again, with a deadline to dispatch it anew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core import events
from fengqiao.intake import states
from fengqiao.intake.models import Category, Incident, IncidentLog
from fengqiao.intake.services import _log, incident_saved
from fengqiao.organisation.models import Officer, Station, Team

from . import clocks, steps
from .models import (
    DeadlinePolicy,
    Dispatch,
    DispatchSettings,
    Disposition,
    Feedback,
    FollowUp,
    Satisfaction,
    Supervision,
    Violation,
)

DEFAULT_FOLLOW_UP_DAYS = {"dispute": 2, "assistance": 2}
# Incident states that follow from the most advanced active order.
_INCIDENT_STATE_OF_ORDER = {
    steps.ISSUED: states.DISPATCHED,
    steps.ACKNOWLEDGED: states.ACKNOWLEDGED,
    steps.DEPARTED: states.ACKNOWLEDGED,
    steps.ON_SCENE: states.ON_SCENE,
}
_PROGRESS = {steps.ISSUED: 0, steps.ACKNOWLEDGED: 1, steps.DEPARTED: 2, steps.ON_SCENE: 3}


class DispatchRefused(Exception):
    """A dispatch step that cannot be taken, with a message for the person who tried."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# -- station rules ---------------------------------------------------------------------------


def seed_station_dispatch(station: Station) -> DispatchSettings:
    """Give a station its dispatch settings and the default deadline table (idempotent)."""
    settings, _created = DispatchSettings.objects.for_stations([station.pk]).get_or_create(
        station=station,
        defaults={"shift_starts": list(clocks.DEFAULT_SHIFT_STARTS), "follow_up_days": dict(DEFAULT_FOLLOW_UP_DAYS)},
    )
    if not DeadlinePolicy.objects.for_stations([station.pk]).exists():
        DeadlinePolicy.objects.bulk_create([
            DeadlinePolicy(
                station=station, step=policy.step, category=policy.category, priority=policy.priority,
                area=policy.area, warning_minutes=policy.warning_minutes, alert_minutes=policy.alert_minutes,
                until_shift_end=policy.until_shift_end,
            )
            for policy in clocks.DEFAULT_POLICIES
        ])
    return settings


def station_settings(station_id: int) -> DispatchSettings:
    found = DispatchSettings.objects.for_stations([station_id]).first()
    if found is not None:
        return found
    return seed_station_dispatch(Station.objects.get(pk=station_id))


def station_policies(station_id: int) -> list[clocks.Policy]:
    rows = [row.as_policy() for row in DeadlinePolicy.objects.for_stations([station_id])]
    return rows or list(clocks.DEFAULT_POLICIES)


def area_of(station: Station) -> str:
    return clocks.URBAN if station.urban else clocks.SUBURBAN


def due_for(incident: Incident, step: str, started_at: dt.datetime) -> clocks.Due:
    """When `step` of `incident`, started at `started_at`, warns and falls due."""
    settings = station_settings(incident.station_id)
    policy = clocks.pick(
        station_policies(incident.station_id), step=step, category=incident.category.code,
        priority=incident.priority, area=area_of(incident.station),
    )
    shift_starts = settings.shift_starts or clocks.DEFAULT_SHIFT_STARTS
    local_start = timezone.localtime(started_at)
    return clocks.due(policy, local_start, step=step, shift_starts=shift_starts)


# -- helpers ---------------------------------------------------------------------------------


def _locked_incident(incident: Incident) -> Incident:
    return (Incident.objects.for_stations([incident.station_id]).select_for_update()
            .select_related("category", "station").get(pk=incident.pk))


def _locked_order(order: Dispatch) -> Dispatch:
    return (Dispatch.objects.for_stations([order.station_id]).select_for_update()
            .select_related("officer", "officer__team", "incident", "incident__category", "incident__station")
            .get(pk=order.pk))


def _active_orders(incident: Incident) -> list[Dispatch]:
    return list(Dispatch.objects.for_stations([incident.station_id])
                .filter(incident=incident, state__in=steps.ACTIVE).select_related("officer", "officer__team"))


def _acting_for(order: Dispatch, user: Any) -> str:
    """Who is pressing the button: the officer of the order, or the command room for them."""
    officer = getattr(user, "officer", None) if getattr(user, "is_authenticated", False) else None
    if officer is not None and officer.pk == order.officer_id:
        return ""
    if user is None or user.has_perm("dispatch.change_dispatch"):
        return _(" (entered by the command room)") if user is not None else _(" (system)")
    raise DispatchRefused(_("Only %(officer)s or the command room may act on this order.") % {"officer": order.officer.name},
                          code="not_yours")


def _set_due(order: Dispatch, now: dt.datetime) -> None:
    step = steps.NEXT_STEP.get(order.state)
    if step is None:
        order.due_step, order.warn_at, order.alert_at = "", None, None
        return
    # On scene is counted from the issue of the order, as the 110 targets are.
    started = {"acknowledge": order.issued_at, "arrive": order.issued_at, "feedback": order.arrived_at or now}[step]
    due = due_for(order.incident, step, started)
    order.due_step, order.warn_at, order.alert_at = step, due.warn_at, due.alert_at


def _free_if_idle(officer: Officer) -> None:
    """An officer with no active order left is free again."""
    if officer.duty_status != Officer.DutyStatus.BUSY:
        return
    busy = Dispatch.objects.for_stations([officer.station_id]).filter(officer=officer, state__in=steps.ACTIVE).exists()
    if not busy:
        Officer.objects.for_stations([officer.station_id]).filter(pk=officer.pk).update(duty_status=Officer.DutyStatus.ON_DUTY)
        officer.duty_status = Officer.DutyStatus.ON_DUTY
        events.publish(officer.station_id, "officer", officer=officer.pk, state=officer.duty_status)


def _settle(incident: Incident, now: dt.datetime, *, user: Any) -> Incident:
    """Bring the incident's state, owner and deadline in line with its active orders."""
    if not states.is_open(incident.state):
        return incident
    active = _active_orders(incident)
    before = incident.state
    if active:
        lead = max(active, key=lambda order: (_PROGRESS[order.state], not order.backup, -order.pk))
        wanted = _INCIDENT_STATE_OF_ORDER[lead.state]
        incident.owner_id, incident.owner_team_id = lead.officer_id, lead.officer.team_id
        incident.deadline = min(order.alert_at for order in active if order.alert_at is not None)
    else:
        wanted = states.TRIAGED
        incident.owner_id = None
        incident.owner_team_id = Team.objects.for_stations([incident.station_id]).filter(kind=Team.Kind.COMMAND).values_list("pk", flat=True).first()
        incident.deadline = due_for(incident, "dispatch", now).alert_at
    if wanted != before:
        states.check_move(before, wanted)
        incident.state = wanted
        _log(incident, IncidentLog.Kind.STATE, _("State: %(before)s → %(after)s") % {
            "before": Incident.State(before).label, "after": Incident.State(wanted).label}, author=user, at=now, automatic=True)
    incident.save(update_fields=["state", "owner", "owner_team", "deadline", "updated_at"])
    events.publish(incident.station_id, "incident", incident=incident.pk, state=incident.state)
    return incident


# -- recommending and dispatching --------------------------------------------------------------


def do_dispatch(
    incident: Incident, officer: Officer, *, user: Any, backup: bool = False,
    recommendation: dict[str, Any] | None = None, now: dt.datetime | None = None,
) -> Dispatch:
    """Send `officer` to `incident`.

    One team has one first order per incident: a second commander dispatching the same
    incident at the same moment is told who was sent, by whom and when (`backup=True`
    sends an additional unit on purpose).
    """
    with transaction.atomic():
        now = now or timezone.now()
        fresh = _locked_incident(incident)
        if officer.station_id != fresh.station_id:
            raise DispatchRefused(_("%(officer)s belongs to another station.") % {"officer": officer.name}, code="other_station")
        officer = Officer.objects.for_stations([fresh.station_id]).select_for_update().select_related("team").get(pk=officer.pk)
        if not states.is_open(fresh.state):
            raise DispatchRefused(_("Incident %(number)s is %(state)s and can no longer be dispatched.") % {
                "number": fresh.number, "state": fresh.get_state_display()}, code="closed")
        if officer.rank == Officer.Rank.AUXILIARY:
            raise DispatchRefused(_("%(officer)s is an auxiliary: send the supervising officer.") % {"officer": officer.name},
                                  code="auxiliary")
        if not officer.on_duty:
            raise DispatchRefused(_("%(officer)s is %(status)s.") % {
                "officer": officer.name, "status": officer.get_duty_status_display()}, code="off_duty")
        active = _active_orders(fresh)
        if any(order.officer_id == officer.pk for order in active):
            raise DispatchRefused(_("%(officer)s already has an order for this incident.") % {"officer": officer.name},
                                  code="already_sent")
        first = next((order for order in active if order.team_kind == officer.team.kind and not order.backup), None)
        if first is not None and not backup:
            raise DispatchRefused(_already_dispatched(first), code="already_dispatched")
        order = Dispatch(
            station_id=fresh.station_id, incident=fresh, officer=officer, team_kind=officer.team.kind,
            backup=first is not None, state=Dispatch.State.ISSUED, recommendation=recommendation or {},
            issued_at=now, issued_by=user if getattr(user, "is_authenticated", False) else None,
        )
        _set_due(order, now)
        try:
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:
            raise DispatchRefused(_("This incident was dispatched a moment ago; reload to see the order."),
                                  code="already_dispatched") from None
        if officer.duty_status == Officer.DutyStatus.ON_DUTY or officer.duty_status == Officer.DutyStatus.STANDBY:
            officer.duty_status = Officer.DutyStatus.BUSY
            officer.save(update_fields=["duty_status"])
            events.publish(officer.station_id, "officer", officer=officer.pk, state=officer.duty_status)
        why = "；".join(recommendation.get("reasons", [])) if recommendation else ""
        text = _("Dispatched to %(officer)s (%(team)s)") % {"officer": officer.name, "team": officer.team.name}
        if order.backup:
            text += _(", as an additional unit")
        _log(fresh, IncidentLog.Kind.DISPATCH, text + (f" — {why}" if why else ""), author=user, at=now)
        record(AuditEntry.Action.CREATED, obj=order, user=user, changes={"officer": [None, officer.name], "state": [None, order.state]})
        events.publish(fresh.station_id, "dispatch", incident=fresh.pk, dispatch=order.pk, officer=officer.pk, state=order.state)
        _settle(fresh, now, user=user)
        return order


def _already_dispatched(order: Dispatch) -> str:
    by = order.issued_by.get_full_name() or order.issued_by.username if order.issued_by else _("the system")
    return _("Already dispatched to %(officer)s by %(by)s at %(at)s; send an additional unit if one is needed.") % {
        "officer": order.officer.name, "by": by, "at": timezone.localtime(order.issued_at).strftime("%H:%M:%S")}


# -- the officer's steps -------------------------------------------------------------------------


def _advance(order: Dispatch, action: str, *, user: Any, now: dt.datetime | None = None, **stamps: Any) -> tuple[Dispatch, str]:
    """Move the order by `action`, with the incident locked first (the order dispatching locks in)."""
    now = now or timezone.now()
    incident = (Incident.objects.for_stations([order.station_id]).select_for_update()
                .select_related("category", "station").get(pk=order.incident_id))
    fresh = _locked_order(order)
    fresh.incident = incident
    by = _acting_for(fresh, user)
    try:
        target = steps.after(action, fresh.state)
    except steps.StepError:
        raise DispatchRefused(_("This order is %(state)s: it cannot be %(action)s.") % {
            "state": fresh.get_state_display(), "action": _ACTION_LABELS[action]()}, code="wrong_step") from None
    before = fresh.state
    fresh.state = target
    for name, value in stamps.items():
        setattr(fresh, name, value)
    _set_due(fresh, now)
    fresh.save()
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=stamps.get("return_reason", "") or stamps.get("cancel_reason", ""),
           changes={"state": [before, target]})
    events.publish(fresh.station_id, "dispatch", incident=fresh.incident_id, dispatch=fresh.pk, officer=fresh.officer_id, state=target)
    return fresh, by


_ACTION_LABELS = {
    "acknowledge": lambda: _("acknowledged"),
    "depart": lambda: _("marked as on the way"),
    "arrive": lambda: _("marked as on scene"),
    "feedback": lambda: _("given feedback"),
    "return": lambda: _("returned"),
    "cancel": lambda: _("cancelled"),
}


@transaction.atomic
def do_acknowledge(order: Dispatch, *, user: Any, now: dt.datetime | None = None) -> Dispatch:
    """签收: the officer has seen the order."""
    now = now or timezone.now()
    acknowledger = user if getattr(user, "is_authenticated", False) else None
    fresh, by = _advance(order, "acknowledge", user=user, now=now, acknowledged_at=now, acknowledged_by=acknowledger)
    _log(fresh.incident, IncidentLog.Kind.DISPATCH, _("%(officer)s acknowledged the order%(by)s") % {"officer": fresh.officer.name, "by": by},
         author=user, at=now)
    _settle(fresh.incident, now, user=user)
    return fresh


@transaction.atomic
def do_depart(order: Dispatch, *, user: Any, now: dt.datetime | None = None) -> Dispatch:
    now = now or timezone.now()
    fresh, by = _advance(order, "depart", user=user, now=now, departed_at=now)
    _log(fresh.incident, IncidentLog.Kind.DISPATCH, _("%(officer)s is on the way%(by)s") % {"officer": fresh.officer.name, "by": by},
         author=user, at=now)
    _settle(fresh.incident, now, user=user)
    return fresh


@transaction.atomic
def do_arrive(order: Dispatch, *, user: Any, now: dt.datetime | None = None) -> Dispatch:
    """到场: the officer is on scene; the feedback is due by the end of the shift."""
    now = now or timezone.now()
    fresh, by = _advance(order, "arrive", user=user, now=now, arrived_at=now)
    minutes = (now - fresh.issued_at).total_seconds() / 60
    _log(fresh.incident, IncidentLog.Kind.DISPATCH, _("%(officer)s on scene, %(minutes).0f min after dispatch%(by)s") % {
        "officer": fresh.officer.name, "minutes": minutes, "by": by}, author=user, at=now)
    _settle(fresh.incident, now, user=user)
    return fresh


@dataclass
class FeedbackData:
    disposition: str
    actions: str
    legal_basis: str = ""
    people: Sequence[dict[str, str]] = field(default_factory=list)
    reclassify_to: str = ""  # category code
    resolves: bool = True


def _clean_feedback(incident: Incident, data: FeedbackData) -> tuple[list[dict[str, str]], Category | None]:
    errors: dict[str, str] = {}
    if data.disposition not in Disposition.values:
        errors["disposition"] = _("Choose how the matter was dealt with.")
    if not data.actions.strip():
        errors["actions"] = _("Say what was done.")
    people = []
    for number, person in enumerate(data.people, start=1):
        name = str(person.get("name", "")).strip()
        if not name:
            errors["people"] = _("Person %(number)d has no name.") % {"number": number}
            break
        people.append({"name": name[:50], "role": str(person.get("role", "")).strip()[:30]})
    category = None
    if data.reclassify_to and data.reclassify_to != incident.category.code:
        category = Category.objects.for_stations([incident.station_id]).filter(code=data.reclassify_to, active=True).first()
        if category is None:
            errors["reclassify_to"] = _("Unknown category %(code)s.") % {"code": data.reclassify_to}
    if errors:
        raise ValidationError(errors)
    return people, category


@transaction.atomic
def do_feedback(order: Dispatch, data: FeedbackData, *, user: Any, now: dt.datetime | None = None) -> Feedback:
    """反馈: what was found and done. The last order's feedback resolves the incident."""
    now = now or timezone.now()
    people, category = _clean_feedback(order.incident, data)
    fresh, by = _advance(order, "feedback", user=user, now=now, reported_at=now)
    incident = fresh.incident
    report = Feedback.objects.create(
        station_id=fresh.station_id, dispatch=fresh, disposition=data.disposition, actions=data.actions.strip(),
        legal_basis=data.legal_basis.strip()[:300], people=people, reclassified_to=category, resolves=data.resolves,
        author=user if getattr(user, "is_authenticated", False) else None, created_at=now,
    )
    _log(incident, IncidentLog.Kind.FEEDBACK, _("Feedback from %(officer)s: %(disposition)s — %(actions)s%(by)s") % {
        "officer": fresh.officer.name, "disposition": report.get_disposition_display(), "actions": report.actions, "by": by},
        author=user, at=now)
    if category is not None:
        before = {"category": incident.category.code}
        incident.category = category
        incident.save(update_fields=["category", "updated_at"])
        incident_saved(incident, created=False)
        _log(incident, IncidentLog.Kind.CHANGED, _("Re-classified at feedback as %(category)s") % {"category": category.label_zh},
             author=user, at=now, before=before, after={"category": category.code})
    record(AuditEntry.Action.CREATED, obj=report, user=user, changes={"disposition": [None, data.disposition]})
    _free_if_idle(fresh.officer)
    if data.resolves and not _active_orders(incident):
        _resolve(incident, now, user=user, officer=fresh.officer, text=report.get_disposition_display())
    else:
        _settle(incident, now, user=user)
    return report


@transaction.atomic
def do_return(order: Dispatch, *, user: Any, reason: str, now: dt.datetime | None = None) -> Dispatch:
    """退单: the officer cannot take the order; the command room must send someone else."""
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": _("Say why the order is returned.")})
    now = now or timezone.now()
    fresh, by = _advance(order, "return", user=user, now=now, returned_at=now, return_reason=reason.strip()[:200])
    _log(fresh.incident, IncidentLog.Kind.DISPATCH, _("%(officer)s returned the order: %(reason)s%(by)s") % {
        "officer": fresh.officer.name, "reason": fresh.return_reason, "by": by}, author=user, at=now)
    _free_if_idle(fresh.officer)
    _settle(fresh.incident, now, user=user)
    return fresh


@transaction.atomic
def do_cancel(order: Dispatch, *, user: Any, reason: str, now: dt.datetime | None = None) -> Dispatch:
    """The command room calls an order off."""
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    if user is not None and not user.has_perm("dispatch.change_dispatch"):
        raise DispatchRefused(_("Only the command room may cancel an order."), code="not_allowed")
    now = now or timezone.now()
    fresh, _by = _advance(order, "cancel", user=user, now=now, cancelled_at=now, cancel_reason=reason.strip()[:200],
                          cancelled_by=user if getattr(user, "is_authenticated", False) else None)
    _log(fresh.incident, IncidentLog.Kind.DISPATCH, _("Order to %(officer)s cancelled: %(reason)s") % {
        "officer": fresh.officer.name, "reason": fresh.cancel_reason}, author=user, at=now)
    _free_if_idle(fresh.officer)
    _settle(fresh.incident, now, user=user)
    return fresh


# -- the incident's end ------------------------------------------------------------------------


def _resolve(incident: Incident, now: dt.datetime, *, user: Any, officer: Officer | None, text: str) -> Incident:
    before = incident.state
    states.check_move(before, states.RESOLVED)
    incident.state, incident.deadline = Incident.State.RESOLVED, None
    incident.save(update_fields=["state", "deadline", "updated_at"])
    _log(incident, IncidentLog.Kind.STATE, _("Resolved: %(text)s") % {"text": text}, author=user, at=now, automatic=user is None)
    record(AuditEntry.Action.UPDATED, obj=incident, user=user, changes={"state": [before, states.RESOLVED]})
    events.publish(incident.station_id, "incident", incident=incident.pk, state=incident.state)
    responsible = officer or (incident.owner if incident.owner_id else None)
    if responsible is not None:
        schedule_follow_up(incident, responsible, now)
    return incident


def follow_up_days(incident: Incident) -> int | None:
    rules = station_settings(incident.station_id).follow_up_days or {}
    code = incident.category.code
    for key in (code, clocks.family_of(code)):
        if key in rules and rules[key] is not None:
            return int(rules[key])
    return None


def schedule_follow_up(incident: Incident, officer: Officer, now: dt.datetime, *, days: int | None = None,
                       level: str = FollowUp.Level.CALL) -> FollowUp | None:
    """A follow-up visit for a resolved dispute or request for help (none for other kinds)."""
    days = follow_up_days(incident) if days is None else days
    if days is None:
        return None
    due_at = now + dt.timedelta(days=days)
    alert_at = due_for(incident, "follow_up", due_at).alert_at
    follow_up = FollowUp.objects.create(
        station_id=incident.station_id, incident=incident, officer=officer, level=level,
        scheduled_at=now, due_at=due_at, alert_at=alert_at,
    )
    _log(incident, IncidentLog.Kind.FOLLOW_UP, _("Follow-up (%(level)s) by %(officer)s due %(due)s") % {
        "level": follow_up.get_level_display(), "officer": officer.name,
        "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")}, at=now, automatic=True)
    events.publish(incident.station_id, "followup", incident=incident.pk, officer=officer.pk, state=follow_up.state)
    return follow_up


@transaction.atomic
def do_resolve(incident: Incident, *, user: Any, text: str, now: dt.datetime | None = None) -> Incident:
    """The command room resolves an incident itself (settled on the telephone, or after the orders)."""
    if len(text.strip()) < 2:
        raise ValidationError({"text": _("Say how the matter was resolved.")})
    now = now or timezone.now()
    fresh = _locked_incident(incident)
    if _active_orders(fresh):
        raise DispatchRefused(_("Orders are still out for this incident: wait for their feedback or cancel them."),
                              code="orders_out")
    if not states.can_move(fresh.state, states.RESOLVED):
        raise DispatchRefused(_("Incident %(number)s is %(state)s and cannot be resolved.") % {
            "number": fresh.number, "state": fresh.get_state_display()}, code="wrong_state")
    last = (Dispatch.objects.for_stations([fresh.station_id]).filter(incident=fresh, state=Dispatch.State.REPORTED)
            .select_related("officer").order_by("-reported_at").first())
    return _resolve(fresh, now, user=user, officer=last.officer if last else None, text=text.strip())


@transaction.atomic
def do_close(incident: Incident, *, user: Any, now: dt.datetime | None = None) -> Incident:
    """结案 (closed): the command room has reviewed the resolved incident."""
    now = now or timezone.now()
    fresh = _locked_incident(incident)
    if not states.can_move(fresh.state, states.CLOSED):
        raise DispatchRefused(_("Incident %(number)s is %(state)s: only a resolved incident can be closed.") % {
            "number": fresh.number, "state": fresh.get_state_display()}, code="wrong_state")
    before = fresh.state
    fresh.state, fresh.deadline = Incident.State.CLOSED, None
    fresh.save(update_fields=["state", "deadline", "updated_at"])
    _log(fresh, IncidentLog.Kind.STATE, _("Closed"), author=user, at=now)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, changes={"state": [before, states.CLOSED]})
    events.publish(fresh.station_id, "incident", incident=fresh.pk, state=fresh.state)
    return fresh


@transaction.atomic
def do_reopen(incident: Incident, *, user: Any, reason: str, now: dt.datetime | None = None) -> Incident:
    """A resolved or closed incident needs work again: back to the command room with a deadline."""
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": _("Say why the incident is reopened.")})
    now = now or timezone.now()
    fresh = _locked_incident(incident)
    if fresh.state not in (states.RESOLVED, states.CLOSED):
        raise DispatchRefused(_("Incident %(number)s is %(state)s: only a resolved or closed incident can be reopened.") % {
            "number": fresh.number, "state": fresh.get_state_display()}, code="wrong_state")
    before = fresh.state
    fresh.state = Incident.State.TRIAGED
    fresh.owner = None
    fresh.owner_team_id = Team.objects.for_stations([fresh.station_id]).filter(kind=Team.Kind.COMMAND).values_list("pk", flat=True).first()
    fresh.deadline = due_for(fresh, "dispatch", now).alert_at
    fresh.save(update_fields=["state", "owner", "owner_team", "deadline", "updated_at"])
    _log(fresh, IncidentLog.Kind.STATE, _("Reopened: %(reason)s") % {"reason": reason.strip()}, author=user, at=now)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, reason=reason.strip(), changes={"state": [before, states.TRIAGED]})
    events.publish(fresh.station_id, "incident", incident=fresh.pk, state=fresh.state)
    return fresh


# -- follow-ups and supervision -------------------------------------------------------------------


@transaction.atomic
def do_record_follow_up(follow_up: FollowUp, *, user: Any, outcome: str, notes: str = "", level: str = "",
                        now: dt.datetime | None = None) -> FollowUp:
    """The answer of a follow-up visit; a dissatisfied one opens a supervision order and a home visit."""
    if outcome not in Satisfaction.values:
        raise ValidationError({"outcome": _("Choose the caller's answer.")})
    if level and level not in FollowUp.Level.values:
        raise ValidationError({"level": _("Unknown kind of follow-up.")})
    now = now or timezone.now()
    fresh = (FollowUp.objects.for_stations([follow_up.station_id]).select_for_update()
             .select_related("incident", "incident__category", "incident__station", "officer").get(pk=follow_up.pk))
    officer = getattr(user, "officer", None) if getattr(user, "is_authenticated", False) else None
    if not (officer is not None and officer.pk == fresh.officer_id) and not user.has_perm("dispatch.change_dispatch"):
        raise DispatchRefused(_("Only %(officer)s or the command room may record this follow-up.") % {"officer": fresh.officer.name},
                              code="not_yours")
    if fresh.state == FollowUp.State.DONE:
        raise DispatchRefused(_("This follow-up was already recorded."), code="done")
    fresh.state, fresh.outcome, fresh.notes, fresh.done_at = FollowUp.State.DONE, outcome, notes.strip(), now
    fresh.done_by = user if getattr(user, "is_authenticated", False) else None
    if level:
        fresh.level = level
    fresh.save()
    _log(fresh.incident, IncidentLog.Kind.FOLLOW_UP, _("Follow-up by %(officer)s: %(outcome)s%(notes)s") % {
        "officer": fresh.officer.name, "outcome": Satisfaction(outcome).label, "notes": f" — {fresh.notes}" if fresh.notes else ""},
        author=user, at=now)
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, changes={"outcome": ["", outcome]})
    if outcome == Satisfaction.DISSATISFIED:
        supervision = Supervision.objects.create(
            station_id=fresh.station_id, incident=fresh.incident, follow_up=fresh, officer=fresh.officer,
            reason=_("The caller was dissatisfied at the follow-up: %(notes)s") % {"notes": fresh.notes or "—"}, opened_at=now,
        )
        record(AuditEntry.Action.CREATED, obj=supervision, user=user)
        _log(fresh.incident, IncidentLog.Kind.FOLLOW_UP, _("Supervision order opened for the leaders"), at=now, automatic=True)
        if fresh.level != FollowUp.Level.HOME_VISIT:
            schedule_follow_up(fresh.incident, fresh.officer, now, days=1, level=FollowUp.Level.HOME_VISIT)
        events.publish(fresh.station_id, "supervision", incident=fresh.incident_id, officer=fresh.officer_id, state="open")
    events.publish(fresh.station_id, "followup", incident=fresh.incident_id, officer=fresh.officer_id, state=fresh.state)
    return fresh


@transaction.atomic
def do_close_supervision(supervision: Supervision, *, user: Any, conclusion: str, now: dt.datetime | None = None) -> Supervision:
    if len(conclusion.strip()) < 2:
        raise ValidationError({"conclusion": _("Write the conclusion.")})
    now = now or timezone.now()
    fresh = Supervision.objects.for_stations([supervision.station_id]).select_for_update().get(pk=supervision.pk)
    if fresh.state == Supervision.State.CLOSED:
        raise DispatchRefused(_("This supervision order is already closed."), code="done")
    fresh.state, fresh.closed_at, fresh.conclusion = Supervision.State.CLOSED, now, conclusion.strip()
    fresh.closed_by = user if getattr(user, "is_authenticated", False) else None
    fresh.save()
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, changes={"state": ["open", "closed"]})
    events.publish(fresh.station_id, "supervision", incident=fresh.incident_id, officer=fresh.officer_id, state="closed")
    return fresh


# -- the officer's own status --------------------------------------------------------------------


@transaction.atomic
def do_set_duty(officer: Officer, status: str, *, user: Any) -> Officer:
    if status not in Officer.DutyStatus.values:
        raise ValidationError({"duty_status": _("Unknown duty status.")})
    fresh = Officer.objects.for_stations([officer.station_id]).select_for_update().get(pk=officer.pk)
    if status in (Officer.DutyStatus.OFF_DUTY, Officer.DutyStatus.ON_LEAVE) and Dispatch.objects.for_stations(
            [fresh.station_id]).filter(officer=fresh, state__in=steps.ACTIVE).exists():
        raise DispatchRefused(_("Orders are still open: give feedback or return them before going off duty."), code="orders_out")
    if status in (Officer.DutyStatus.ON_DUTY, Officer.DutyStatus.STANDBY) and Dispatch.objects.for_stations(
            [fresh.station_id]).filter(officer=fresh, state__in=steps.ACTIVE).exists():
        status = Officer.DutyStatus.BUSY  # busy until the last order is finished (`_free_if_idle`)
    before = fresh.duty_status
    fresh.duty_status = status
    fresh.save(update_fields=["duty_status"])
    record(AuditEntry.Action.UPDATED, obj=fresh, user=user, changes={"duty_status": [before, status]})
    events.publish(fresh.station_id, "officer", officer=fresh.pk, state=status)
    return fresh


def do_report_position(officer: Officer, latitude: float, longitude: float, *, now: dt.datetime | None = None) -> None:
    """The officer's phone reports where they are (used for distances, shown on the board)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError({"latitude": _("Not a position on Earth.")})
    now = now or timezone.now()
    with transaction.atomic():
        Officer.objects.for_stations([officer.station_id]).filter(pk=officer.pk).update(
            latitude=latitude, longitude=longitude, position_at=now)
        events.publish(officer.station_id, "officer", officer=officer.pk, state="position")


# -- the ticker --------------------------------------------------------------------------------------


@dataclass
class TickReport:
    warnings: int = 0
    alerts: int = 0
    stations: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class LoopDeadline:
    """A deadline of a loop after dispatch (a case, a transfer, a support request) for the
    ticker: breached like an order's, once per level; `on_alert` runs in the same
    transaction when the alert is first recorded (a transfer is chased, for instance)."""

    subject: str
    step: str
    incident: Incident
    officer: Officer | None
    warn_at: dt.datetime | None
    alert_at: dt.datetime | None
    on_alert: Callable[[dt.datetime], None] | None = None


# Each source gives the loop deadlines whose warning time has come: (now, station ids or
# None for all) → LoopDeadline…  Apps register theirs in `AppConfig.ready`.
LOOP_DEADLINE_SOURCES: list[Callable[[dt.datetime, list[int] | None], Iterable[LoopDeadline]]] = []


def register_loop_deadlines(source: Callable[[dt.datetime, list[int] | None], Iterable[LoopDeadline]]) -> None:
    if source not in LOOP_DEADLINE_SOURCES:
        LOOP_DEADLINE_SOURCES.append(source)


# Other timed work of the ticker: (now, station ids or None for all) → None, run in the
# tick's transaction after the deadlines (campaign reminders, items late at a deadline).
TICK_TASKS: list[Callable[[dt.datetime, list[int] | None], None]] = []


def register_tick_task(task: Callable[[dt.datetime, list[int] | None], None]) -> None:
    if task not in TICK_TASKS:
        TICK_TASKS.append(task)


def tick(now: dt.datetime | None = None, *, station_ids: Iterable[int] | None = None) -> TickReport:
    """Raise every deadline that came due since the last tick, each once.

    Orders, incidents waiting for dispatch, follow-ups and the registered loop deadlines
    are checked; a breach becomes a `Violation` (warning or alert), an automatic log entry
    and a board event.
    """
    now = now or timezone.now()
    report = TickReport()
    ids = list(station_ids) if station_ids is not None else None
    with transaction.atomic():
        orders = Dispatch.objects.unscoped("the ticker watches every station's deadlines")
        incidents = Incident.objects.unscoped("the ticker watches every station's deadlines")
        follow_ups = FollowUp.objects.unscoped("the ticker watches every station's deadlines")
        if ids is not None:
            orders, incidents, follow_ups = orders.filter(station_id__in=ids), incidents.filter(station_id__in=ids), follow_ups.filter(station_id__in=ids)
        for order in orders.filter(state__in=steps.ACTIVE, warn_at__lte=now).select_related("incident", "officer"):
            _breach(report, now, subject=f"dispatch:{order.pk}", step=order.due_step, incident=order.incident, dispatch=order,
                    officer=order.officer, warn_at=order.warn_at, alert_at=order.alert_at)
        waiting = (incidents.filter(state__in=[states.RECEIVED, states.TRIAGED], deadline__isnull=False)
                   .select_related("category", "station"))
        for incident in waiting.filter(deadline__lte=now + dt.timedelta(minutes=1)):
            warn_at = incident.deadline - dt.timedelta(minutes=1)
            if warn_at <= now:
                _breach(report, now, subject=f"incident:{incident.pk}", step="dispatch", incident=incident, dispatch=None,
                        officer=None, warn_at=warn_at, alert_at=incident.deadline)
        for follow_up in follow_ups.filter(state=FollowUp.State.DUE, due_at__lte=now).select_related("incident", "officer"):
            _breach(report, now, subject=f"followup:{follow_up.pk}", step="follow_up", incident=follow_up.incident, dispatch=None,
                    officer=follow_up.officer, warn_at=follow_up.due_at, alert_at=follow_up.alert_at, follow_up=follow_up)
        for source in LOOP_DEADLINE_SOURCES:
            for due in source(now, ids):
                recorded = _breach(report, now, subject=due.subject, step=due.step, incident=due.incident, dispatch=None,
                                   officer=due.officer, warn_at=due.warn_at, alert_at=due.alert_at)
                if clocks.ALERT in recorded and due.on_alert is not None:
                    due.on_alert(now)
        for task in TICK_TASKS:
            task(now, ids)
    return report


def _breach(report: TickReport, now: dt.datetime, *, subject: str, step: str, incident: Incident, dispatch: Dispatch | None,
            officer: Officer | None, warn_at: dt.datetime | None, alert_at: dt.datetime | None,
            follow_up: FollowUp | None = None) -> list[str]:
    """Record the levels of this deadline that `now` has reached and were not yet recorded;
    the levels recorded now."""
    recorded: list[str] = []
    found = clocks.level(now, warn_at, alert_at)
    levels = [clocks.WARNING] + ([clocks.ALERT] if found == clocks.ALERT else [])
    for level in levels:
        due_at = alert_at if level == clocks.ALERT else warn_at
        if due_at is None or Violation.objects.for_stations([incident.station_id]).filter(
                subject=subject, step=step, level=level, due_at=due_at).exists():
            continue
        try:
            with transaction.atomic():  # another ticker may record the same breach at the same moment
                Violation.objects.create(
                    station_id=incident.station_id, incident=incident, dispatch=dispatch, follow_up=follow_up, officer=officer,
                    step=step, level=level, due_at=due_at, recorded_at=now, subject=subject,
                )
        except IntegrityError:
            continue
        label = Violation.Level(level).label
        who = f" ({officer.name})" if officer is not None else ""
        _log(incident, IncidentLog.Kind.DEADLINE, _("%(level)s: %(step)s due %(due)s%(who)s") % {
            "level": label, "step": _step_label(step), "due": timezone.localtime(due_at).strftime("%H:%M:%S"), "who": who},
            at=now, automatic=True)
        events.publish(incident.station_id, "deadline", incident=incident.pk, dispatch=dispatch.pk if dispatch else None,
                       officer=officer.pk if officer else None, state=level)
        recorded.append(level)
        report.stations.add(incident.station_id)
        if level == clocks.ALERT:
            report.alerts += 1
        else:
            report.warnings += 1
    return recorded


def _step_label(step: str) -> str:
    from .models import BreachStep

    try:
        return str(BreachStep(step).label)
    except ValueError:
        return step
