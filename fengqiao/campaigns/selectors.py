"""What the command room reads about campaigns: the list, one campaign's burn-down per
officer or per beat, its items (filtered), and the open campaigns for the command board.

The figures come from `plan.tally` / `plan.burn_down` over one small query of the items'
(key, state, outcome time, late) — the same rows whatever draws them (page, board, API).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone

from fengqiao.organisation.models import Beat, Officer

from . import plan
from .models import Campaign, CampaignItem

BY_OFFICER = "officer"
BY_BEAT = "beat"
GROUPINGS = (BY_OFFICER, BY_BEAT)
# How many officers with the most open items the board names per campaign.
BOARD_OFFICERS = 3


def campaign_rows() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("station", "created_by", "closed_by")


def item_rows() -> QuerySet[CampaignItem]:
    return CampaignItem.objects.select_related("officer", "beat", "outcome_by", "address")


# -- burn-down ---------------------------------------------------------------------------------------


@dataclass
class NamedBurnDown(plan.BurnDown):
    """`plan.BurnDown` with the names of its group keys (officers or beats) and the grouping."""

    by: str = BY_OFFICER
    names: dict[int | None, str] = field(default_factory=dict)

    def name_of(self, key: int | None) -> str:
        return self.names.get(key, "")

    @property
    def elapsed(self) -> float:
        """The share of the time from loading to the deadline that has gone (0…1)."""
        span = (self.deadline - self.start).total_seconds()
        if span <= 0:
            return 1.0
        return min(1.0, max(0.0, (self.now - self.start).total_seconds() / span))

    def group_expected(self, tally: plan.Tally) -> int:
        return tally.total if self.now >= self.deadline else int(tally.total * self.elapsed)

    def group_behind(self, tally: plan.Tally) -> bool:
        return tally.done < self.group_expected(tally)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per group for the tables: name, the tally, expected by now, behind."""
        return [
            {"key": tally.key, "name": self.name_of(tally.key), "tally": tally,
             "expected": self.group_expected(tally), "behind": self.group_behind(tally)}
            for tally in self.groups
        ]

    def chart(self) -> dict[str, Any]:
        """What the burn-down chart draws: times as the station's wall-clock ISO text with no
        offset, so the axis reads as the deadline does on the page whatever the browser's zone."""
        return {
            "remaining": [[_wall(at), n] for at, n in self.remaining],
            "ideal": [[_wall(at), n] for at, n in self.ideal],
            "now": _wall(self.now), "deadline": _wall(self.deadline), "total": self.total.total,
        }


def _wall(at: dt.datetime) -> str:
    return timezone.localtime(at).replace(tzinfo=None).isoformat(timespec="seconds")


def _rows_of(campaign: Campaign, by: str) -> list[plan.Row]:
    key = "beat_id" if by == BY_BEAT else "officer_id"
    values = (CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign)
              .values_list(key, "state", "outcome_at", "late"))
    return [plan.Row(key=k, state=state, done_at=at if state == plan.DONE else None, late=late)
            for k, state, at, late in values]


def burn_down_for(campaign: Campaign, *, by: str = BY_OFFICER, now: dt.datetime | None = None) -> NamedBurnDown:
    """The campaign's progress against its deadline, grouped per officer or per beat."""
    if by not in GROUPINGS:
        raise ValueError(by)
    now = now or timezone.now()
    base = plan.burn_down(_rows_of(campaign, by), campaign.created_at, campaign.deadline, now)
    keys = [tally.key for tally in base.groups if tally.key is not None]
    if by == BY_BEAT:
        names = dict(Beat.objects.for_stations([campaign.station_id]).filter(pk__in=keys).values_list("pk", "name"))
    else:
        names = dict(Officer.objects.for_stations([campaign.station_id]).filter(pk__in=keys).values_list("pk", "name"))
    return NamedBurnDown(start=base.start, deadline=base.deadline, now=base.now, total=base.total, groups=base.groups,
                         remaining=base.remaining, ideal=base.ideal, by=by, names=names)


# -- the list ----------------------------------------------------------------------------------------


def with_counts(rows: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return rows.annotate(
        n_items=Count("items"),
        n_done=Count("items", filter=Q(items__state=plan.DONE)),
        n_visit=Count("items", filter=Q(items__state=plan.VISIT)),
        n_late=Count("items", filter=Q(items__late=True)),
    )


def ordered(rows: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Open campaigns first, the nearest deadline first; then closed ones, latest first."""
    open_deadline = Case(When(state=Campaign.State.OPEN, then=F("deadline")), default=None)
    return rows.order_by(open_deadline.asc(nulls_last=True), "-deadline", "-pk")


def decorate(campaign: Campaign, now: dt.datetime) -> Campaign:
    """Figures the list shows for one annotated campaign."""
    total = getattr(campaign, "n_items", 0)
    done = getattr(campaign, "n_done", 0)
    campaign.n_open = total - done
    campaign.percent = 100 * done // total if total else 100
    campaign.is_open = campaign.state == Campaign.State.OPEN
    campaign.overdue = campaign.is_open and now >= campaign.deadline and total > done
    span = (campaign.deadline - campaign.created_at).total_seconds()
    share = 1.0 if span <= 0 else min(1.0, max(0.0, (now - campaign.created_at).total_seconds() / span))
    campaign.behind = campaign.is_open and done < int(total * share)
    return campaign


# -- items -------------------------------------------------------------------------------------------


def filter_items(rows: QuerySet[CampaignItem], *, officer: int | None = None, beat: int | None = None,
                 state: str = "", outcome: str = "", how: str = "", unmatched: bool = False,
                 late: bool = False, nobody: bool = False) -> QuerySet[CampaignItem]:
    if officer:
        rows = rows.filter(officer_id=officer)
    if nobody:
        rows = rows.filter(officer__isnull=True)
    if beat:
        rows = rows.filter(beat_id=beat)
    if state:
        rows = rows.filter(state=state)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if how:
        rows = rows.filter(assigned_how=how)
    if unmatched:
        rows = rows.filter(match=CampaignItem.Match.NONE)
    if late:
        rows = rows.filter(late=True)
    return rows


def officers_of(campaign: Campaign) -> QuerySet[Officer]:
    """Who may be given items: the station's officers (not auxiliaries), by team and name."""
    return (Officer.objects.for_stations([campaign.station_id]).exclude(rank=Officer.Rank.AUXILIARY)
            .select_related("team").order_by("team__kind", "team__name", "name"))


def beats_in(campaign: Campaign) -> QuerySet[Beat]:
    return Beat.objects.for_stations([campaign.station_id]).order_by("code")


# -- the command board -------------------------------------------------------------------------------


@dataclass
class BoardCampaign:
    campaign: Campaign
    total: int
    done: int
    visit: int
    late: int
    expected: int
    minutes_left: int
    officers: list[tuple[str, int]]  # (name, open items), the most open first

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def behind(self) -> bool:
        return self.done < self.expected

    @property
    def overdue(self) -> bool:
        return self.minutes_left < 0 and self.open > 0

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


def open_campaigns_for_board(station_ids: list[int], now: dt.datetime | None = None) -> list[BoardCampaign]:
    """Every open campaign of the stations, the nearest deadline first, with its figures
    and the officers with the most open items (two queries whatever the number)."""
    now = now or timezone.now()
    campaigns = list(Campaign.objects.for_stations(station_ids).filter(state=Campaign.State.OPEN)
                     .order_by("deadline", "pk"))
    if not campaigns:
        return []
    counts = (CampaignItem.objects.for_stations(station_ids).filter(campaign__in=campaigns)
              .values("campaign_id", "officer_id", "officer__name")
              .annotate(total=Count("pk"), done=Count("pk", filter=Q(state=plan.DONE)),
                        visit=Count("pk", filter=Q(state=plan.VISIT)), late=Count("pk", filter=Q(late=True))))
    per: dict[int, list[dict[str, Any]]] = {}
    for row in counts:
        per.setdefault(row["campaign_id"], []).append(row)
    result = []
    for campaign in campaigns:
        rows = per.get(campaign.pk, [])
        total = sum(r["total"] for r in rows)
        span = (campaign.deadline - campaign.created_at).total_seconds()
        share = 1.0 if span <= 0 or now >= campaign.deadline else max(
            0.0, (now - campaign.created_at).total_seconds() / span)
        busiest = sorted((r for r in rows if r["officer_id"] and r["total"] > r["done"]),
                         key=lambda r: (r["done"] - r["total"], r["officer__name"]))[:BOARD_OFFICERS]
        result.append(BoardCampaign(
            campaign=campaign, total=total, done=sum(r["done"] for r in rows), visit=sum(r["visit"] for r in rows),
            late=sum(r["late"] for r in rows), expected=int(total * share),
            minutes_left=int((campaign.deadline - now).total_seconds() // 60),
            officers=[(r["officer__name"], r["total"] - r["done"]) for r in busiest],
        ))
    return result
