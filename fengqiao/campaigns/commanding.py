"""The command room's moves on a campaign: re-assign items, close, reopen.

Each `do_*` function is one transaction: it locks the campaign, checks who asks, stores
the change, appends the `CampaignLog` rows, writes one audit row (closing and reopening
through the audit registry, which watches `Campaign`) and publishes the live
event ("campaign"), so the board, the campaign page and the officers' phones refresh.

Who may: a user with `campaigns.change_campaign` whose stations include the campaign's.
A move that cannot be made raises `CommandRefused` (a sentence for the person and a
`code`: `not_allowed`, `closed`, `wrong_state`, `other_station`, `no_items`, `officer`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core import events
from fengqiao.core.writing import attributed_to, author_of
from fengqiao.organisation.models import Officer
from fengqiao.organisation.selectors import station_ids_for

from . import plan
from .models import Campaign, CampaignItem, CampaignLog

MAX_ITEMS = 5000  # items re-assigned in one move


class CommandRefused(Exception):
    """A command-room move that cannot be made, with a message for the person who tried."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _locked(campaign_pk: int, user: Any) -> Campaign:
    """The campaign, locked, if the user may command it; CommandRefused otherwise."""
    if not user.has_perm("campaigns.change_campaign"):
        raise CommandRefused(_("Your role may not change verification campaigns."), code="not_allowed")
    campaign = (Campaign.objects.unscoped("the station is checked against the user's just below")
                .select_for_update().filter(pk=campaign_pk).first())
    if campaign is None or campaign.station_id not in station_ids_for(user):
        raise CommandRefused(_("This campaign is not one of your station's."), code="other_station")
    return campaign


def do_reassign(campaign_pk: int, item_pks: Iterable[int], officer_pk: int, *, user: Any,
                now: dt.datetime | None = None) -> int:
    """Give the chosen items that are not done yet to another officer of the station;
    the number moved. Done items keep the officer who worked them."""
    now = now or timezone.now()
    wanted = sorted({int(pk) for pk in item_pks})
    if not wanted:
        raise CommandRefused(_("Choose the items to re-assign."), code="no_items")
    if len(wanted) > MAX_ITEMS:
        raise CommandRefused(_("Too many items at once."), code="no_items")
    with transaction.atomic():
        campaign = _locked(campaign_pk, user)
        if campaign.state != Campaign.State.OPEN:
            raise CommandRefused(_("The campaign is closed; reopen it first."), code="closed")
        officer = Officer.objects.for_stations([campaign.station_id]).filter(pk=officer_pk).first()
        if officer is None:
            raise CommandRefused(_("That officer is not of this campaign's station."), code="officer")
        if officer.rank == Officer.Rank.AUXILIARY:
            raise CommandRefused(_("Items go to police officers, not to auxiliaries."), code="officer")
        items = list(CampaignItem.objects.for_stations([campaign.station_id]).select_for_update()
                     .filter(campaign=campaign, pk__in=wanted).exclude(state=plan.DONE).order_by("row"))
        moved = [item for item in items if item.officer_id != officer.pk or item.assigned_how != plan.REASSIGNED]
        if not moved:
            return 0
        before = {item.pk: item.officer_id for item in moved}
        for item in moved:
            item.officer_id = officer.pk
            item.assigned_how = plan.REASSIGNED
            item.updated_at = now
        CampaignItem.objects.for_stations([campaign.station_id]).bulk_update(moved, ["officer", "assigned_how", "updated_at"])
        author = author_of(user)
        CampaignLog.objects.bulk_create([
            CampaignLog(station_id=campaign.station_id, campaign=campaign, item=item, at=now,
                        action=CampaignLog.Action.REASSIGNED, author=author, officer=officer,
                        data={"from": before[item.pk], "to": officer.pk})
            for item in moved
        ])
        record(AuditEntry.Action.UPDATED, obj=campaign, user=user,
               changes={"reassigned": len(moved), "officer": officer.pk, "items": [item.pk for item in moved],
                        "from": sorted({pk for pk in before.values() if pk}, key=int)})
        for previous in sorted({pk for pk in before.values() if pk and pk != officer.pk}):
            events.publish(campaign.station_id, "campaign", campaign=campaign.pk, officer=previous, state="reassigned")
        events.publish(campaign.station_id, "campaign", campaign=campaign.pk, officer=officer.pk, state="reassigned")
    return len(moved)


def _set_state(campaign_pk: int, *, user: Any, now: dt.datetime | None, closing: bool) -> Campaign:
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign_pk, user)
        wanted_from = Campaign.State.OPEN if closing else Campaign.State.CLOSED
        if campaign.state != wanted_from:
            raise CommandRefused(_("The campaign is already closed.") if closing else _("The campaign is open."),
                                 code="wrong_state")
        if closing:
            campaign.state, campaign.closed_at, campaign.closed_by = Campaign.State.CLOSED, now, author_of(user)
            open_items = (CampaignItem.objects.for_stations([campaign.station_id])
                          .filter(campaign=campaign).exclude(state=plan.DONE).count())
        else:
            campaign.state, campaign.closed_at, campaign.closed_by = Campaign.State.OPEN, None, None
            open_items = 0
        with attributed_to(user):  # the audit registry writes the campaign's change
            campaign.save(update_fields=["state", "closed_at", "closed_by"])
        CampaignLog.objects.create(station_id=campaign.station_id, campaign=campaign, at=now,
                                   action=CampaignLog.Action.CLOSED if closing else CampaignLog.Action.REOPENED,
                                   author=author_of(user), data={"open_items": open_items} if closing else {})
        events.publish(campaign.station_id, "campaign", campaign=campaign.pk, state=campaign.state)
    return campaign


def do_close(campaign_pk: int, *, user: Any, now: dt.datetime | None = None) -> Campaign:
    """Close the campaign: no more outcomes; items still open stay as they are (and say so)."""
    return _set_state(campaign_pk, user=user, now=now, closing=True)


def do_reopen(campaign_pk: int, *, user: Any, now: dt.datetime | None = None) -> Campaign:
    return _set_state(campaign_pk, user=user, now=now, closing=False)
