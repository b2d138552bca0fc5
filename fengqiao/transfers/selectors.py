"""Reads of transfers: a station's, a department's, one incident's; and what they need.

Station users see the transfers of their stations (`Transfer.objects.for_user`). A
department's members see only the transfers sent to their department, never a station's
other data: `for_department` is the one place that looks across stations for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Max, QuerySet

from fengqiao.dispatch import steps as dispatch_steps
from fengqiao.dispatch.models import Dispatch
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Department

from . import machine
from .models import DepartmentEndpoint, DepartmentMember, Transfer, TransferSettings, TransferUpdate

# The department portal's tabs and the states each shows.
NEW, DOING, REPORTED, CLOSED = "new", "doing", "reported", "closed"
TABS: dict[str, tuple[str, ...]] = {
    NEW: (machine.PUSHED,),
    DOING: (machine.RECEIVED, machine.IN_PROGRESS),
    REPORTED: (machine.RESULT,),
    CLOSED: tuple(sorted(machine.FINISHED)),
}
# The station list's state filter, besides the single states.
OPEN, FINISHED, ALL = "open", "finished", "all"


def transfer_rows() -> QuerySet[Transfer]:
    return Transfer.objects.select_related("station", "incident", "incident__category", "department", "pushed_by",
                                           "confirmed_by")


def membership(user: Any) -> DepartmentMember | None:
    """The user's department membership, if the user works for a partner department."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.department_membership  # type: ignore[no-any-return]
    except DepartmentMember.DoesNotExist:
        return None


def for_department(department_id: int) -> QuerySet[Transfer]:
    """Every transfer sent to one department, from any station."""
    return transfer_rows().unscoped("a department sees what was sent to it").filter(department_id=department_id)


def with_last_update(rows: QuerySet[Transfer]) -> QuerySet[Transfer]:
    return rows.annotate(last_update_at=Max("updates__at"))


def in_tab(rows: QuerySet[Transfer], tab: str) -> QuerySet[Transfer]:
    rows = rows.filter(state__in=TABS.get(tab, TABS[NEW]))
    if tab == CLOSED:
        return rows.order_by("-pushed_at", "-id")
    return rows.order_by(F("due_at").asc(nulls_last=True), "pushed_at", "id")


def tab_counts(rows: QuerySet[Transfer]) -> dict[str, int]:
    counts = dict.fromkeys(TABS, 0)
    state_counts: dict[str, int] = {}
    for state in rows.values_list("state", flat=True):
        state_counts[state] = state_counts.get(state, 0) + 1
    for tab, states in TABS.items():
        counts[tab] = sum(state_counts.get(state, 0) for state in states)
    return counts


def filter_station_rows(rows: QuerySet[Transfer], *, state: str = OPEN, department: int | None = None,
                        overdue: bool = False, failing: bool = False, now: dt.datetime) -> QuerySet[Transfer]:
    if state == OPEN:
        rows = rows.filter(state__in=machine.OPEN)
    elif state == FINISHED:
        rows = rows.filter(state__in=machine.FINISHED)
    elif state in machine.ALL:
        rows = rows.filter(state=state)
    if department is not None:
        rows = rows.filter(department_id=department)
    if overdue:
        rows = rows.filter(state__in=machine.OPEN, due_at__lt=now)
    if failing:
        rows = rows.filter(delivered_at=None, send_failures__gt=0)
    return rows


def updates_of(transfer: Transfer) -> list[TransferUpdate]:
    """The transfer's moves, oldest first, each with its label and who took it, as the timeline shows them."""
    from . import wording

    updates = list(transfer.updates.select_related("author").order_by("at", "id"))
    for update in updates:
        update.label = wording.action_label(update.action)  # type: ignore[attr-defined]
        update.actor_label = wording.actor_label(update.actor)  # type: ignore[attr-defined]
    return updates


def transfers_of(incident: Incident) -> list[Transfer]:
    return list(transfer_rows().for_stations([incident.station_id]).filter(incident=incident).order_by("-pushed_at", "-id"))


def open_transfer_of(incident: Incident) -> Transfer | None:
    return (transfer_rows().for_stations([incident.station_id])
            .filter(incident=incident, state__in=machine.OPEN).first())


def first_call(incident: Incident) -> Call | None:
    """The call that opened the incident: whose name and number the department is given."""
    return Call.objects.for_stations([incident.station_id]).filter(incident=incident).order_by("received_at", "pk").first()


def has_active_orders(incident: Incident) -> bool:
    return Dispatch.objects.for_stations([incident.station_id]).filter(
        incident=incident, state__in=dispatch_steps.ACTIVE).exists()


def clock_of(station_id: int) -> machine.Clock:
    settings = TransferSettings.objects.for_stations([station_id]).first()
    return settings.as_clock() if settings is not None else machine.Clock()


def active_departments() -> list[Department]:
    return list(Department.objects.filter(active=True).order_by("kind", "name", "pk"))


def endpoint_of(department_id: int) -> DepartmentEndpoint | None:
    return DepartmentEndpoint.objects.filter(department_id=department_id, active=True).first()


def is_overdue(transfer: Transfer, now: dt.datetime) -> bool:
    return transfer.is_open and transfer.due_at is not None and transfer.due_at < now
