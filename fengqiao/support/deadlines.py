"""Support-request deadlines on the command board: the ticker's source of them.

An open request has one deadline at a time (`SupportRequest.due_at`, from `machine.py`):
to accept, to be there by the time the help is needed, to report completion, or — once
declined — for the station to re-route or cancel it. The ticker warns once 80 % of the
step's time has gone (counted from when the step began: requested, accepted, started,
declined) and records the breach at the deadline itself, each once
(`dispatch.services.tick`). When a step the unit owes is breached, the system chases the
unit (`services.do_chase` with no user: a `chase` update, `chases` + 1), once per breach.

A support deadline is the unit's (or the command room's, for a declined request), not a
station officer's: the breach names no officer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fengqiao.dispatch.services import LoopDeadline

WARN_SHARE = 0.8


def warning_time(step_started_at: dt.datetime | None, due_at: dt.datetime) -> dt.datetime:
    """When the ticker warns: once 80 % of the time from the step's start to its deadline
    has gone (at the deadline itself when the step has no length)."""
    if step_started_at is None or step_started_at >= due_at:
        return due_at
    return step_started_at + (due_at - step_started_at) * WARN_SHARE


def support_deadlines(now: dt.datetime, station_ids: list[int] | None) -> Iterator[LoopDeadline]:
    """The deadlines of open support requests whose warning time has come."""
    from fengqiao.dispatch.services import LoopDeadline

    from . import machine
    from .models import SupportRequest
    from .selectors import step_started

    rows = SupportRequest.objects.unscoped("the ticker watches every station's support requests").filter(
        state__in=machine.OPEN, due_at__isnull=False)
    if station_ids is not None:
        rows = rows.filter(station_id__in=station_ids)
    # Open requests are few; the warning time needs each one's step start, so read the
    # times first and the incidents only of those that are due.
    due: dict[int, dt.datetime] = {}
    for request in rows.only("pk", "state", "due_at", "requested_at", "accepted_at", "started_at", "declined_at"):
        assert request.due_at is not None
        warn_at = warning_time(step_started(request), request.due_at)
        if warn_at <= now:
            due[request.pk] = warn_at
    if not due:
        return
    for request in rows.filter(pk__in=list(due)).select_related("incident").order_by("due_at", "pk"):
        yield LoopDeadline(
            subject=f"support:{request.pk}:{request.due_step}", step="support", incident=request.incident, officer=None,
            warn_at=due[request.pk], alert_at=request.due_at,
            on_alert=_chaser(request.pk, request.station_id) if request.state in machine.WITH_UNIT else None,
        )


def _chaser(pk: int, station_id: int) -> Callable[[dt.datetime], None]:
    """What the ticker runs when a step the unit owes is breached: the system chases the unit."""

    def chase(now: dt.datetime) -> None:
        from . import services
        from .models import SupportRequest

        request = SupportRequest.objects.for_stations([station_id]).filter(pk=pk).first()
        if request is None:
            return
        # Answered or cancelled in the meantime: nothing to chase.
        with contextlib.suppress(services.SupportRefused):
            services.do_chase(request, user=None, now=now)

    return chase
