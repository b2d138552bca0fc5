"""The morning briefing (晨会简报): what the 09:00 meeting needs, as figures.

`build_briefing(station, now)` reads the station's data as it stands at `now`:

- the incidents of the last 24 hours by category (kind), family and beat (merged
  duplicates and invalid calls are not matters and are left out);
- dispatch orders still open, and those past their step's deadline;
- follow-up visits due today, and those already overdue;
- transfers and support requests still open, and those past their deadline;
- verification campaigns still open, nearest deadline first (`campaigns.selectors`);
- today's duty: each team's officers by duty status, with the names of those on duty
  (the roster is a later issue; the duty status is what the station has now);
- near-repeat alerts active at `now` (`nearrepeat.active_alerts`).

A few aggregate queries, whatever the size of the station's history: the windows are
small (24 hours, today, what is open) and every count is done by the database. The result
is plain JSON (numbers, strings, lists) so that it is archived with the report as issued.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from fengqiao.campaigns.selectors import open_campaigns_for_board
from fengqiao.dispatch import steps
from fengqiao.dispatch.models import Dispatch, FollowUp
from fengqiao.intake import states
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer, Station, Team
from fengqiao.support import machine as support_machine
from fengqiao.support.models import SupportRequest
from fengqiao.transfers import machine as transfer_machine
from fengqiao.transfers.models import Transfer

from .nearrepeat import active_alerts

WINDOW = dt.timedelta(hours=24)
NOT_MATTERS = (states.MERGED, states.INVALID)  # a duplicate or an invalid call is not counted
LIST_ROWS = 10  # overdue items named on the briefing; the counts are complete
NO_BEAT = "—"


def wall(at: dt.datetime | None) -> str:
    """A time as the station's people read it (local, to the minute)."""
    return timezone.localtime(at).strftime("%m-%d %H:%M") if at is not None else ""


def incidents_between(station_ids: list[int], start: dt.datetime, end: dt.datetime) -> Any:
    """The matters received in [start, end) (duplicates and invalid calls left out)."""
    return (Incident.objects.for_stations(station_ids).filter(received_at__gte=start, received_at__lt=end)
            .exclude(state__in=NOT_MATTERS))


def incident_counts(station_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Total, by category, by family and by beat, from one grouped query; each list largest first."""
    rows = (incidents_between(station_ids, start, end)
            .values("category__code", "category__label_zh", "category__family__code", "category__family__label_zh",
                    "beat_id", "beat__name")
            .annotate(n=Count("pk")))
    by_category: dict[str, dict[str, Any]] = {}
    by_family: dict[str, dict[str, Any]] = {}
    by_beat: dict[int | None, dict[str, Any]] = {}
    total = 0
    for row in rows:
        total += row["n"]
        category = by_category.setdefault(row["category__code"], {
            "code": row["category__code"], "label": row["category__label_zh"], "count": 0})
        category["count"] += row["n"]
        family = by_family.setdefault(row["category__family__code"], {
            "code": row["category__family__code"], "label": row["category__family__label_zh"], "count": 0})
        family["count"] += row["n"]
        beat = by_beat.setdefault(row["beat_id"], {"id": row["beat_id"], "label": row["beat__name"] or NO_BEAT, "count": 0})
        beat["count"] += row["n"]

    def ranked(values: Any) -> list[dict[str, Any]]:
        return sorted(values, key=lambda item: (-item["count"], item["label"]))

    return {"total": total, "by_category": ranked(by_category.values()), "by_family": ranked(by_family.values()),
            "by_beat": ranked(by_beat.values())}


def _orders(station_ids: list[int], now: dt.datetime) -> dict[str, Any]:
    active = Dispatch.objects.for_stations(station_ids).filter(state__in=steps.ACTIVE)
    counts = active.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(alert_at__lt=now)))
    late = (active.filter(alert_at__lt=now).select_related("incident", "officer").order_by("alert_at", "pk")[:LIST_ROWS])
    return counts | {"overdue_rows": [{
        "incident": order.incident.number, "officer": order.officer.name, "step": order.get_due_step_display(),
        "due": wall(order.alert_at)} for order in late]}


def _follow_ups(station_ids: list[int], now: dt.datetime) -> dict[str, Any]:
    today = timezone.localtime(now).date()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    end = start + dt.timedelta(days=1)
    due = FollowUp.objects.for_stations(station_ids).filter(state=FollowUp.State.DUE)
    counts = due.aggregate(due_today=Count("pk", filter=Q(due_at__gte=start, due_at__lt=end)),
                           overdue=Count("pk", filter=Q(alert_at__lt=now)))
    listed = (due.filter(Q(due_at__lt=end)).select_related("incident", "officer").order_by("due_at", "pk")[:LIST_ROWS])
    return counts | {"rows": [{
        "incident": follow_up.incident.number, "officer": follow_up.officer.name, "level": follow_up.get_level_display(),
        "due": wall(follow_up.due_at), "overdue": follow_up.alert_at < now} for follow_up in listed]}


def _transfers(station_ids: list[int], now: dt.datetime) -> dict[str, Any]:
    open_rows = Transfer.objects.for_stations(station_ids).filter(state__in=transfer_machine.OPEN)
    counts = open_rows.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    late = open_rows.filter(due_at__lt=now).select_related("department").order_by("due_at", "pk")[:LIST_ROWS]
    return counts | {"overdue_rows": [{
        "number": transfer.number, "department": transfer.department.name, "matter": transfer.category_label,
        "step": transfer.get_due_step_display(), "due": wall(transfer.due_at)} for transfer in late]}


def _support(station_ids: list[int], now: dt.datetime) -> dict[str, Any]:
    open_rows = SupportRequest.objects.for_stations(station_ids).filter(state__in=support_machine.OPEN)
    counts = open_rows.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    late = open_rows.filter(due_at__lt=now).select_related("unit").order_by("due_at", "pk")[:LIST_ROWS]
    return counts | {"overdue_rows": [{
        "number": request.number, "unit": request.unit.name, "need": request.get_need_display(),
        "step": request.get_due_step_display(), "due": wall(request.due_at)} for request in late]}


def _campaigns(station_ids: list[int], now: dt.datetime) -> list[dict[str, Any]]:
    return [{
        "number": row.campaign.number, "title": row.campaign.title, "deadline": wall(row.campaign.deadline),
        "total": row.total, "done": row.done, "open": row.open, "late": row.late, "percent": row.percent,
        "overdue": row.overdue, "behind": row.behind, "hours_left": round(row.minutes_left / 60, 1),
    } for row in open_campaigns_for_board(station_ids, now)]


def _duty(station_ids: list[int]) -> list[dict[str, Any]]:
    """Each team (in the station's order) with its officers counted by duty status and the
    names of those on duty; one query."""
    teams: dict[int, dict[str, Any]] = {}
    kinds = dict(Team.Kind.choices)
    officers = (Officer.objects.for_stations(station_ids)
                .values_list("team_id", "team__name", "team__kind", "name", "rank", "duty_status")
                .order_by("team__kind", "team__name", "badge_number"))
    for team_id, team_name, team_kind, name, rank, status in officers:
        team = teams.setdefault(team_id, {
            "team": team_name, "kind": team_kind, "kind_label": str(kinds.get(team_kind, team_kind)),
            "on_duty": 0, "busy": 0, "standby": 0, "off_duty": 0, "on_leave": 0, "officers": 0, "names": []})
        team["officers"] += 1
        team[status] = team.get(status, 0) + 1
        if status in Officer.ON_DUTY_STATUSES:
            team["names"].append({"name": name, "auxiliary": rank == Officer.Rank.AUXILIARY})
    for team in teams.values():
        team["present"] = team["on_duty"] + team["busy"] + team["standby"]
    return list(teams.values())


def _alert_row(alert: Any) -> dict[str, Any]:
    return {
        "incident": alert.incident.number, "category": alert.category.label_zh,
        "beat": alert.beat.name if alert.beat_id else NO_BEAT, "radius": alert.radius_metres,
        "until": wall(alert.ends_at), "earlier": alert.earlier,
        "latitude": alert.latitude, "longitude": alert.longitude,
    }


def _near_repeats(station_ids: list[int], now: dt.datetime) -> list[dict[str, Any]]:
    """The near-repeat alerts in force at `now` (`nearrepeat.active_alerts`)."""
    return [_alert_row(alert) for alert in active_alerts(station_ids, now)]


def build_briefing(station: Station, now: dt.datetime | None = None) -> dict[str, Any]:
    """The briefing's figures for `station` at `now` (aware; default: now)."""
    now = now or timezone.now()
    ids = [station.pk]
    start = now - WINDOW
    return {
        "station": {"id": station.pk, "name": station.name, "code": station.code},
        "at": now.isoformat(), "at_local": wall(now),
        "period": {"start": start.isoformat(), "end": now.isoformat(), "start_local": wall(start), "end_local": wall(now)},
        "incidents": incident_counts(ids, start, now),
        "orders": _orders(ids, now),
        "follow_ups": _follow_ups(ids, now),
        "transfers": _transfers(ids, now),
        "support": _support(ids, now),
        "campaigns": _campaigns(ids, now),
        "duty": _duty(ids),
        "near_repeats": _near_repeats(ids, now),
    }

