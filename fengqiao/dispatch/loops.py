"""The loops after dispatch as the command board and the leaders see them.

Open cases, transfers and support requests each carry one deadline (`due_at`); the board
lists those that are overdue or fall due within the horizon, soonest first, and counts
what is open and overdue per loop. The rows link to each item's page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases import machine as case_machine
from fengqiao.cases.models import Case
from fengqiao.support import machine as support_machine
from fengqiao.support.models import SupportRequest
from fengqiao.transfers import machine as transfer_machine
from fengqiao.transfers.models import Transfer

CASE, TRANSFER, SUPPORT = "case", "transfer", "support"
HORIZON = dt.timedelta(hours=24)


@dataclass(frozen=True)
class LoopRow:
    kind: str
    pk: int
    number: str
    title: str
    state_label: str
    owner: str
    due_label: str
    due_at: dt.datetime | None
    overdue: bool
    chases: int
    incident_number: str
    url: str


@dataclass
class LoopSummary:
    rows: list[LoopRow] = field(default_factory=list)
    open: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    send_failures: int = 0

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


def _url(name: str, pk: int, incident_id: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return reverse("incidents:detail", args=[incident_id])


def open_loops(station_ids: list[int], *, now: dt.datetime | None = None, horizon: dt.timedelta = HORIZON,
               limit: int = 30) -> LoopSummary:
    """What is open in each loop, what is overdue, and the items due soonest (a few queries)."""
    now = now or timezone.now()
    soon = now + horizon
    summary = LoopSummary()
    cases = Case.objects.for_stations(station_ids).filter(state__in=case_machine.OPEN)
    transfers = Transfer.objects.for_stations(station_ids).filter(state__in=transfer_machine.OPEN)
    requests = SupportRequest.objects.for_stations(station_ids).filter(state__in=support_machine.OPEN)
    for kind, queryset in ((CASE, cases), (TRANSFER, transfers), (SUPPORT, requests)):
        summary.open[kind] = queryset.count()
        summary.overdue[kind] = queryset.filter(due_at__lt=now).count()
    summary.send_failures = (transfers.filter(delivered_at=None, send_failures__gt=0).count())

    rows: list[LoopRow] = []
    for case in cases.filter(due_at__lte=soon).select_related("lead", "incident").order_by("due_at")[:limit]:
        rows.append(LoopRow(
            kind=CASE, pk=case.pk, number=case.number, title=case.title, state_label=str(case.get_state_display()),
            owner=case.lead.name, due_label=str(case.get_stage_display()), due_at=case.due_at,
            overdue=_overdue(case.due_at, now), chases=0, incident_number=case.incident.number,
            url=_url("cases:detail", case.pk, case.incident_id),
        ))
    for transfer in transfers.filter(due_at__lte=soon).select_related("department", "incident").order_by("due_at")[:limit]:
        owner = transfer.department.name if transfer.state in transfer_machine.WITH_DEPARTMENT else _("Command room")
        rows.append(LoopRow(
            kind=TRANSFER, pk=transfer.pk, number=transfer.number, title=transfer.category_label,
            state_label=str(transfer.get_state_display()), owner=owner, due_label=str(transfer.get_due_step_display()),
            due_at=transfer.due_at, overdue=_overdue(transfer.due_at, now), chases=transfer.chases,
            incident_number=transfer.incident.number, url=_url("transfers:detail", transfer.pk, transfer.incident_id),
        ))
    for request in requests.filter(due_at__lte=soon).select_related("unit", "incident").order_by("due_at")[:limit]:
        owner = request.unit.name if request.state in support_machine.WITH_UNIT else _("Command room")
        rows.append(LoopRow(
            kind=SUPPORT, pk=request.pk, number=request.number, title=str(request.get_need_display()),
            state_label=str(request.get_state_display()), owner=owner, due_label=str(request.get_due_step_display()),
            due_at=request.due_at, overdue=_overdue(request.due_at, now), chases=request.chases,
            incident_number=request.incident.number, url=_url("support:detail", request.pk, request.incident_id),
        ))
    rows.sort(key=lambda row: (row.due_at is None, row.due_at or now))
    summary.rows = rows[:limit]
    return summary


def _overdue(due_at: Any, now: dt.datetime) -> bool:
    return due_at is not None and due_at < now
