"""Writes a station's planned loops after dispatch (`loops_plan.py`) in bulk.

The planner reads the station's past first — the incidents that became cases or were
transferred, with the times and departments their logs name, their callers and the officer
whose order it was — so every case and transfer agrees with its incident. The rows go in
with one `executemany` per table (`history_writer.insert`): cases with their assisting
officers and case log, transfers with their updates, support requests with theirs, the
incident log entries of the moves that concern the incidents (a department's result, a
transfer returned and sent on, a unit asked for help), and the breaches the ticker recorded
when it chased an item. Raw inserts send no signals: one summary audit row says what was
written.

`ensure_settings` gives each station what the loops run on — its case number template and
legal time limits, its transfer clock and the routing of non-police matters to departments
— where the station has none yet. Only a station without cases, transfers or support
requests gets its loops (the builder checks).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.cases import machine as case_machine
from fengqiao.cases.models import Case, CaseLimit, CaseLog, CaseSettings
from fengqiao.dispatch.models import BreachStep, Dispatch, Violation
from fengqiao.intake.models import Call, Incident, IncidentLog
from fengqiao.organisation.models import Department, Officer, Station, Team
from fengqiao.support.models import SupportRequest, SupportUpdate, Unit, UnitMember
from fengqiao.transfers.models import (
    DepartmentMember,
    RoutingRule,
    Transfer,
    TransferSettings,
    TransferUpdate,
)

from . import loops_plan
from .history_writer import Row, insert
from .loops_plan import (
    CLOSED,
    CONVERTED,
    TRANSFERRED,
    DepartmentInfo,
    LoopIncident,
    Person,
    Route,
    StationInfo,
    StationLoops,
    UnitInfo,
    plan_loops,
)
from .plan import DemoPlan
from .records_writer import bulk_insert

WHY = "the demo builder writes every station's loops"


def ensure_settings(station: Station) -> tuple[Counter[str], Counter[str]]:
    """The station's case settings and time limits, transfer settings and routing rules, made
    where missing (the defaults of the machines, the routing of `loops_plan.ROUTES`); returns
    the rows created and the rows found, by kind."""
    created: Counter[str] = Counter()
    found: Counter[str] = Counter()

    def count(label: str, made: bool) -> None:
        (created if made else found)[label] += 1

    _settings, made = CaseSettings.objects.unscoped(WHY).get_or_create(station=station)
    count("case settings", made)
    for (kind, stage), limit in case_machine.DEFAULT_LIMITS.items():
        _limit, made = CaseLimit.objects.unscoped(WHY).get_or_create(
            station=station, kind=kind, stage=stage,
            defaults={"days": limit.days, "extension_days": limit.extension_days,
                      "max_extensions": limit.max_extensions},
        )
        count("case time limits", made)
    _clock, made = TransferSettings.objects.unscoped(WHY).get_or_create(station=station)
    count("transfer settings", made)
    departments = {department.code: department for department in Department.objects.all()}
    for route in loops_plan.ROUTES:
        department = departments.get(route.department)
        if department is None:
            continue
        _rule, made = RoutingRule.objects.unscoped(WHY).get_or_create(
            station=station, category=route.category,
            defaults={"department": department, "result_hours": route.result_hours},
        )
        count("routing rules", made)
    return created, found


def write_loops(station: Station, *, plan: DemoPlan, end: dt.datetime) -> Counter[str]:
    """Plan and write `station`'s cases, transfers and support requests as they stand at `end`
    (an aware time, normally midnight today); the station must have none yet. Returns the rows
    written, by kind."""
    with _no_cycle_collection(), transaction.atomic():
        known = _Known(station)
        planned = plan_loops(plan.seed, known.station_info(), known.incidents(), end=known.local(end))
        counts = _Writer(known, planned).write()
        if counts:
            record(
                AuditEntry.Action.CREATED, obj=station, object_type="cases.case",
                object_id=f"{station.code}:{timezone.localtime(end):%Y-%m-%d}",
                object_repr=f"{station.name}: {counts['cases']} / {counts['transfers']} / {counts['support requests']}",
                reason="Demo builder: " + ", ".join(f"{count} {label}" for label, count in counts.items())
                       + " created in bulk.",
            )
        return counts


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sentences() -> dict[str, str]:
    """The incident log's sentences for the loops' moves, in the active language."""
    return {
        loops_plan.SENTENCE_CASE: _("Case %(number)s accepted: %(title)s, lead officer %(lead)s."),
        loops_plan.SENTENCE_RESULT: _("%(department)s reported its result: %(result)s"),
        loops_plan.SENTENCE_RETURNED: _("%(department)s returned the transfer as not theirs: %(reason)s"),
        loops_plan.SENTENCE_TRANSFERRED: _("Transferred to %(department)s."),  # as history_writer words it
        loops_plan.SENTENCE_SUPPORT: _("Asked %(unit)s for support: %(details)s"),
        loops_plan.SENTENCE_SUPPORT_DONE: _("%(unit)s completed the support: %(report)s"),
    }


class _Known:
    """What the writer looks up about one station, read once."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.ids = [station.pk]
        self.tz = timezone.get_current_timezone()
        self.departments = {code: pk for code, pk in Department.objects.values_list("code", "id")}
        self.categories: dict[int, int] = {}  # incident id → category id

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def aware(self, moment: dt.datetime | None) -> dt.datetime | None:
        # Asia/Shanghai keeps no summer time: no wall-clock time is ambiguous.
        return moment.replace(tzinfo=self.tz) if moment is not None else None

    def _users(self, role: str, team: str) -> tuple[int, ...]:
        return tuple(
            user for user in Officer.objects.for_stations(self.ids)
            .filter(team__kind=team, rank=Officer.Rank.OFFICER, user__groups__name=role)
            .order_by("badge_number").values_list("user_id", flat=True) if user is not None
        )

    def station_info(self) -> StationInfo:
        station = self.station
        case_officers = tuple(
            Person(pk, name, user) for pk, name, user in Officer.objects.for_stations(self.ids)
            .filter(team__kind=Team.Kind.CASE, rank=Officer.Rank.OFFICER).order_by("badge_number")
            .values_list("id", "name", "user_id")
        )
        accounts: dict[str, list[tuple[int, str]]] = {}
        for code, user, name in DepartmentMember.objects.order_by("user__username").values_list(
                "department__code", "user_id", "name"):
            accounts.setdefault(code, []).append((user, name))
        departments = tuple(
            DepartmentInfo(code=code, name=name, kind=kind, accounts=tuple(accounts.get(code, ())))
            for code, name, kind in Department.objects.filter(active=True).order_by("code").values_list("code", "name", "kind")
        )
        members: dict[int, list[Person]] = {}
        for unit_id, pk, name, user in UnitMember.objects.filter(unit__bureau_id=station.bureau_id).order_by(
                "badge_number", "id").values_list("unit_id", "id", "name", "user_id"):
            members.setdefault(unit_id, []).append(Person(pk, name, user))
        units = tuple(
            UnitInfo(id=pk, kind=kind, name=name, response_minutes=minutes, members=tuple(members.get(pk, ())))
            for pk, kind, name, minutes in Unit.objects.filter(bureau_id=station.bureau_id, active=True)
            .order_by("code").values_list("id", "kind", "name", "response_minutes")
        )
        routes = tuple(
            Route(category, department, hours) for category, department, hours in
            RoutingRule.objects.for_stations(self.ids).order_by("category").values_list(
                "category", "department__code", "result_hours")
        ) or loops_plan.ROUTES
        limits = {
            (kind, stage): case_machine.Limit(days=days, extension_days=extension, max_extensions=most)
            for kind, stage, days, extension, most in CaseLimit.objects.for_stations(self.ids).values_list(
                "kind", "stage", "days", "extension_days", "max_extensions")
        }
        settings = CaseSettings.objects.for_stations(self.ids).first()
        clock = TransferSettings.objects.for_stations(self.ids).first()
        return StationInfo(
            code=station.code, name=station.name, case_officers=case_officers,
            commanders=self._users("commander", Team.Kind.COMMAND),
            leaders=tuple(
                user for user in Officer.objects.for_stations(self.ids).filter(user__groups__name="leader")
                .order_by("badge_number").values_list("user_id", flat=True) if user is not None
            ),
            departments=departments, units=units,
            number_template=settings.number_template if settings else loops_plan.DEFAULT_NUMBER_TEMPLATE,
            routes=routes, limits=case_machine.Limits(table={**case_machine.DEFAULT_LIMITS, **limits}),
            clock=clock.as_clock() if clock else loops_plan.transfers.Clock(),
        )

    def incidents(self) -> list[LoopIncident]:
        """The incidents that became cases or were transferred, with what their logs say. Only
        the rows the loops need are read (chunks of ids): a year holds tens of thousands."""
        names = sorted(Department.objects.values_list("name", "code"), key=lambda pair: (-len(pair[0]), pair[1]))
        log = IncidentLog.objects.for_stations(self.ids).filter(kind=IncidentLog.Kind.STATE)
        transferred: dict[int, tuple[dt.datetime, str]] = {}
        for incident_id, at, text in log.filter(after__state=TRANSFERRED).order_by("at", "id").values_list(
                "incident_id", "at", "text"):
            if incident_id not in transferred:
                department = next((code for name, code in names if name in text), "")
                transferred[incident_id] = (self.local(at), department)
        converted: dict[int, dt.datetime] = {}
        for incident_id, at in log.filter(after__state=CONVERTED).order_by("at", "id").values_list("incident_id", "at"):
            converted.setdefault(incident_id, self.local(at))
        wanted = sorted(transferred)
        closed: dict[int, dt.datetime] = {}
        callers: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(wanted):
            for incident_id, at in log.filter(after__state=CLOSED, incident_id__in=chunk).order_by("at", "id").values_list(
                    "incident_id", "at"):
                closed[incident_id] = self.local(at)  # the last closing
            for incident_id, name, phone in (
                Call.objects.for_stations(self.ids).filter(state=Call.State.INCIDENT, incident_id__in=chunk)
                .order_by("id").values_list("incident_id", "caller_name", "caller_phone")
            ):
                callers.setdefault(incident_id, (name, phone))
        officers: dict[int, int | None] = {}
        for incident_id, user in (
            Dispatch.objects.for_stations(self.ids).filter(incident__state=CONVERTED).order_by("issued_at", "id")
            .values_list("incident_id", "officer__user_id")
        ):
            officers.setdefault(incident_id, user)
        incidents = Incident.objects.for_stations(self.ids).order_by("id")
        fields = ("id", "number", "category_id", "category__code", "category__label_zh", "state", "received_at",
                  "summary", "address_text", "address__road", "address__number", "beat__community", "latitude",
                  "longitude")
        rows = list(incidents.filter(state=CONVERTED).values_list(*fields))
        for chunk in _chunks(wanted):
            rows += incidents.filter(id__in=chunk, state__in=[TRANSFERRED, CLOSED]).values_list(*fields)
        found = []
        for (pk, number, category_id, category, label, state, received, summary, address_text, road, road_number,
             community, latitude, longitude) in sorted(rows):
            self.categories[pk] = category_id
            name, phone = callers.get(pk, ("", ""))
            at, department = transferred.get(pk, (None, ""))
            found.append(LoopIncident(
                id=pk, number=number, category=category, category_label=label, state=state,
                received_at=self.local(received), summary=summary, address_text=address_text,
                place=f"{road}{road_number}" if road else "", community=community or "",
                latitude=latitude, longitude=longitude, caller_name=name, caller_phone=phone,
                converted_at=converted.get(pk), transferred_at=at, transferred_to=department,
                closed_at=closed.get(pk) if state == CLOSED else None, officer_user=officers.get(pk),
            ))
        return found


def _chunks(ids: Sequence[int], size: int = 900) -> Iterator[list[int]]:
    """`ids` a few hundred at a time: a query's parameters stay well within SQLite's limit."""
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


class _Writer:
    def __init__(self, known: _Known, planned: StationLoops) -> None:
        self.known = known
        self.planned = planned
        self.station_id = known.station.pk
        self.counts: Counter[str] = Counter()
        self.sentences = _sentences()
        self.breaches: list[Row] = []

    def write(self) -> Counter[str]:
        case_ids = self._cases()
        self._transfers()
        self._support(case_ids)
        self._entries()
        self._insert(Violation, self.breaches, "deadline breaches")
        return self.counts

    def _insert(self, model: type[models.Model], rows: Sequence[Row], label: str) -> None:
        """Insert `rows` in one go: a COPY on PostgreSQL where the table holds no JSON."""
        if any(isinstance(field, models.JSONField) for field in model._meta.concrete_fields):
            insert(model, rows)
        else:
            bulk_insert(model, rows)
        if rows:
            self.counts[label] += len(rows)

    def _breach(self, loop: str, pk: int, incident_id: int, breach: loops_plan.Breach) -> None:
        aware = self.known.aware
        self.breaches.append({
            "station_id": self.station_id, "incident_id": incident_id, "step": loop, "level": Violation.Level.ALERT,
            "due_at": aware(breach.due_at), "recorded_at": aware(breach.recorded_at),
            "subject": f"{loop}:{pk}:{breach.step}",
        })

    def _cases(self) -> dict[int, int]:
        """Insert the cases, their assisting officers and logs; returns case ids by incident id."""
        aware = self.known.aware
        planned = self.planned.cases
        self._insert(Case, [{
            "station_id": self.station_id, "number": case.number, "incident_id": case.incident_id, "kind": case.kind,
            "category_id": self.known.categories[case.incident_id], "title": case.title[:200],
            "complexity": case.complexity, "state": case.state, "lead_id": case.lead,
            "assignment": dict(case.assignment), "accepted_at": aware(case.accepted_at),
            "accepted_by_id": case.accepted_by, "filed_at": aware(case.filed_at),
            "not_filed_reason": case.not_filed_reason, "cleared_at": aware(case.cleared_at),
            "cleared_how": case.cleared_how, "cleared_note": case.cleared_note, "closed_at": aware(case.closed_at),
            "close_note": case.close_note, "stage": case.stage, "stage_started_at": aware(case.stage_started_at),
            "due_at": aware(case.due_at), "extensions": case.extensions,
        } for case in planned], "cases")
        ids = dict(Case.objects.for_stations([self.station_id]).values_list("incident_id", "id"))
        self._insert(Case.assistants.through, [
            {"case_id": ids[case.incident_id], "officer_id": officer} for case in planned for officer in case.assistants
        ], "assisting officers")
        self._insert(CaseLog, [{
            "station_id": self.station_id, "case_id": ids[case.incident_id], "at": aware(entry.at),
            "action": entry.action, "text": entry.text, "author_id": entry.author, "automatic": False,
        } for case in planned for entry in case.log], "case log entries")
        return ids

    def _transfers(self) -> None:
        aware = self.known.aware
        departments = self.known.departments
        planned = self.planned.transfers
        self._insert(Transfer, [{
            "station_id": self.station_id, "number": transfer.number, "incident_id": transfer.incident_id,
            "department_id": departments[transfer.department], "state": transfer.state,
            "category_label": transfer.category_label[:100], "description": transfer.description or transfer.category_label,
            "address_text": transfer.address_text[:200], "latitude": transfer.latitude, "longitude": transfer.longitude,
            "caller_name": transfer.caller_name, "caller_phone": transfer.caller_phone,
            "pushed_at": aware(transfer.pushed_at), "pushed_by_id": transfer.pushed_by,
            "received_at": aware(transfer.received_at), "received_by": transfer.received_by,
            "started_at": aware(transfer.started_at), "reported_at": aware(transfer.reported_at),
            "result": transfer.result, "returned_at": aware(transfer.returned_at),
            "return_reason": transfer.return_reason, "confirmed_at": aware(transfer.confirmed_at),
            "confirmed_by_id": transfer.confirmed_by, "caller_answer": transfer.caller_answer,
            "result_due": aware(transfer.result_due), "due_step": transfer.due_step, "due_at": aware(transfer.due_at),
            "extensions": transfer.extensions, "chases": transfer.chases,
            "last_chased_at": aware(transfer.last_chased_at),
        } for transfer in planned], "transfers")
        ids = dict(Transfer.objects.for_stations([self.station_id]).values_list("number", "id"))
        rows: list[Row] = []
        for transfer in planned:
            pk = ids[transfer.number]
            rows.extend({
                "station_id": self.station_id, "transfer_id": pk, "at": aware(update.at), "action": update.action,
                "state_before": update.state_before, "state_after": update.state_after, "notes": update.notes,
                "new_deadline": aware(update.new_deadline), "actor": update.actor, "author_id": update.author,
                "author_name": update.author_name, "via": update.via,
            } for update in transfer.updates)
            for breach in transfer.breaches:
                self._breach(BreachStep.TRANSFER, pk, transfer.incident_id, breach)
        self._insert(TransferUpdate, rows, "transfer updates")

    def _support(self, case_ids: dict[int, int]) -> None:
        aware = self.known.aware
        planned = self.planned.support
        self._insert(SupportRequest, [{
            "station_id": self.station_id, "number": request.number, "incident_id": request.incident_id,
            "case_id": case_ids.get(request.incident_id), "unit_id": request.unit, "need": request.need,
            "details": request.details, "people": request.people, "needed_by": aware(request.needed_by),
            "place": request.place[:200], "contact_id": request.contact, "state": request.state,
            "requested_at": aware(request.requested_at), "requested_by_id": request.requested_by,
            "accepted_by_id": request.accepted_by, "accepted_at": aware(request.accepted_at),
            "started_at": aware(request.started_at), "completed_at": aware(request.completed_at),
            "report": request.report, "declined_at": aware(request.declined_at),
            "decline_reason": request.decline_reason, "due_step": request.due_step, "due_at": aware(request.due_at),
            "chases": request.chases,
        } for request in planned], "support requests")
        ids = dict(SupportRequest.objects.for_stations([self.station_id]).values_list("number", "id"))
        rows: list[Row] = []
        for request in planned:
            pk = ids[request.number]
            rows.extend({
                "station_id": self.station_id, "request_id": pk, "at": aware(update.at), "action": update.action,
                "state_before": update.state_before, "state_after": update.state_after, "notes": update.notes,
                "actor": update.actor, "author_id": update.author, "author_name": update.author_name,
            } for update in request.updates)
            for breach in request.breaches:
                self._breach(BreachStep.SUPPORT, pk, request.incident_id, breach)
        self._insert(SupportUpdate, rows, "support updates")

    def _entries(self) -> None:
        aware = self.known.aware
        rows: list[Row] = []
        for entry in self.planned.entries:
            row: dict[str, Any] = {
                "station_id": self.station_id, "incident_id": entry.incident_id, "at": aware(entry.at),
                "kind": IncidentLog.Kind.STATE if entry.state_after else IncidentLog.Kind.NOTE,
                "automatic": entry.author is None, "author_id": entry.author,
                "text": self.sentences[entry.sentence] % dict(entry.args),
            }
            if entry.state_after:
                row.update(before={"state": entry.state_before}, after={"state": entry.state_after})
            rows.append(row)
        self._insert(IncidentLog, rows, "incident log entries")
