"""Case time limits on the command board: the ticker's source of case deadlines.

An open case has one deadline, the end of its stage (`Case.due_at`). The ticker warns a day
before it — or, for a stage shorter than five days, once 80 % of the stage has gone, so a
three-day filing review is not raised on its second morning — and records the breach at
the deadline itself, each once (`dispatch.services.tick`). The breach names the lead
officer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fengqiao.dispatch.services import LoopDeadline

WARN_BEFORE = dt.timedelta(days=1)
WARN_SHARE = 0.8  # of a short stage


def warning_time(stage_started_at: dt.datetime | None, due_at: dt.datetime) -> dt.datetime:
    """When the ticker warns of a case deadline: a day before, or at 80 % of a short stage
    (whichever is later)."""
    day_before = due_at - WARN_BEFORE
    if stage_started_at is None or stage_started_at >= due_at:
        return day_before
    return max(day_before, stage_started_at + (due_at - stage_started_at) * WARN_SHARE)


def case_deadlines(now: dt.datetime, station_ids: list[int] | None) -> Iterator[LoopDeadline]:
    """The deadlines of open cases whose warning time has come (`dispatch.services.LoopDeadline`)."""
    from fengqiao.dispatch.services import LoopDeadline

    from . import machine
    from .models import Case

    cases = Case.objects.unscoped("the ticker watches every station's case deadlines").filter(
        state__in=machine.OPEN, due_at__isnull=False, due_at__lte=now + WARN_BEFORE)
    if station_ids is not None:
        cases = cases.filter(station_id__in=station_ids)
    for case in cases.select_related("incident", "lead").order_by("due_at", "pk"):
        assert case.due_at is not None
        warn_at = warning_time(case.stage_started_at, case.due_at)
        if warn_at <= now:
            yield LoopDeadline(subject=f"case:{case.pk}:{case.stage}", step="case", incident=case.incident,
                               officer=case.lead, warn_at=warn_at, alert_at=case.due_at)
