"""Transfer deadlines on the command board: the ticker's source of them.

An open transfer has one deadline at a time (`Transfer.due_at`): the department's receipt
(签收), then its result, then the command room's call to the caller. The ticker warns when
80 % of the step's time has gone, but never earlier than two hours before the deadline —
so a two-hour receipt warns after 96 minutes and a three-day result two hours before it —
and records the breach at the deadline itself, each once (`dispatch.services.tick`).

When a department's deadline (receipt or result) passes, the transfer is chased (催办) by
the system in the same transaction: the department sees it marked on its item. The
command room's own deadline (asking the caller) is raised on the board, not chased.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fengqiao.dispatch.services import LoopDeadline

    from .models import Transfer

log = logging.getLogger(__name__)

WARN_SHARE = 0.8  # of the step's time
WARN_BEFORE = dt.timedelta(hours=2)  # never earlier than this before the deadline


def warning_time(started_at: dt.datetime | None, due_at: dt.datetime) -> dt.datetime:
    """When the ticker warns: at 80 % of the step, but no earlier than two hours before it ends."""
    latest_warning = due_at - WARN_BEFORE
    if started_at is None or started_at >= due_at:
        return latest_warning
    return max(latest_warning, started_at + (due_at - started_at) * WARN_SHARE)


def step_started(transfer: Transfer) -> dt.datetime | None:
    """When the running step's clock started (an extension or a redo keeps the step's start)."""
    from . import machine

    if transfer.due_step == machine.STEP_RECEIPT:
        return transfer.pushed_at
    if transfer.due_step == machine.STEP_RESULT:
        return transfer.received_at or transfer.pushed_at
    return transfer.reported_at


def _chase(transfer_id: int, station_id: int) -> Callable[[dt.datetime], None]:
    def chase(now: dt.datetime) -> None:
        from . import services
        from .models import Transfer

        transfer = Transfer.objects.for_stations([station_id]).get(pk=transfer_id)
        try:
            services.do_chase(transfer, user=None, now=now)
        except services.TransferRefused as refused:  # moved on since the ticker read it
            log.info("transfer %s not chased: %s", transfer.number, refused.message)

    return chase


def transfer_deadlines(now: dt.datetime, station_ids: list[int] | None) -> Iterator[LoopDeadline]:
    """The deadlines of open transfers whose warning time has come (`dispatch.services.LoopDeadline`)."""
    from fengqiao.dispatch.services import LoopDeadline

    from . import machine
    from .models import Transfer

    transfers = Transfer.objects.unscoped("the ticker watches every station's transfer deadlines").filter(
        state__in=machine.OPEN, due_at__isnull=False, due_at__lte=now + WARN_BEFORE)
    if station_ids is not None:
        transfers = transfers.filter(station_id__in=station_ids)
    for transfer in transfers.select_related("incident").order_by("due_at", "pk"):
        assert transfer.due_at is not None
        warn_at = warning_time(step_started(transfer), transfer.due_at)
        if warn_at > now:
            continue
        with_department = transfer.state in machine.WITH_DEPARTMENT
        yield LoopDeadline(
            subject=f"transfer:{transfer.pk}:{transfer.due_step}", step="transfer", incident=transfer.incident,
            officer=None, warn_at=warn_at, alert_at=transfer.due_at,
            on_alert=_chase(transfer.pk, transfer.station_id) if with_department else None,
        )
