"""The demo's briefing and situation reports, issued through the analysis app (`issuing.issue`).

Each station gets today's briefing (the latest whose briefing time has come), last week's
and last month's situation reports, as the ticker would have issued them: automatically,
into the archive and the teams' inboxes, each with its PDF. A report already issued for
its period is kept (issuing answers it and writes nothing).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from fengqiao.analysis import issuing
from fengqiao.analysis.models import Report
from fengqiao.analysis.nearrepeat import settings_for
from fengqiao.organisation.models import Station


def write_reports(station: Station, *, now: dt.datetime) -> tuple[Counter[str], Counter[str]]:
    """(reports made, reports found), by kind of row."""
    made: Counter[str] = Counter()
    found: Counter[str] = Counter()
    briefing_time = settings_for(station.pk).briefing_time
    for kind in issuing.KINDS:
        start, end = issuing.latest_period(kind, now, briefing_time)
        if issuing.existing(station, kind, start, end) is not None:
            found["briefings and reports"] += 1
            continue
        issuing.issue(station, kind, start, end, now=now)
        made["briefings and reports"] += 1
        made["inbox messages"] += Report.objects.for_stations([station.pk]).get(
            kind=kind, period_start=start, period_end=end).messages.count()
    return made, found
