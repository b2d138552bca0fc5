"""The officer's work on a campaign: outcomes, the one-tap resident update, the call, the ticker.

Every move is one transaction: the item is locked, `plan.record` decides, the item is
stored, one append-only `CampaignLog` row and one audit row are written and the live
event ("campaign", with the officer's id) is published — all or nothing.

Who may work an item:
- its officer (a user with `campaigns.change_campaignitem` whose officer record the item
  is assigned to), on their own items only;
- a user with `campaigns.change_campaign` of the item's station (the command room,
  recording on an officer's behalf).
Anyone else — another officer, another station — is refused (`CampaignRefused`, code
`not_yours` / `not_found`); the phone pages answer 404 for both. Wrong input raises
ValidationError naming the field.

The ticker (`remind_and_mark`, registered in `CampaignsConfig.ready`) reminds officers with
open items as the deadline nears ("soon", then "final", each once per campaign) and, at
the deadline, marks the items still open as late — once. Nothing is dropped: late items
stay on the officer's list until they are done.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import RevealRefused, record, reveal
from fengqiao.core import events
from fengqiao.core.masking import mask_phone
from fengqiao.core.scoping import allow_unscoped
from fengqiao.core.writing import attributed_to, author_of, field_text
from fengqiao.organisation.models import Officer
from fengqiao.organisation.selectors import officer_for, station_ids_for
from fengqiao.records import crypto
from fengqiao.records.models import Address, Resident

from . import plan
from .models import Campaign, CampaignItem, CampaignLog

WORK_OWN = "campaigns.change_campaignitem"
WORK_ANY = "campaigns.change_campaign"
CHANGE_RESIDENT = "records.change_resident"
NOTES_LENGTH = 2000
NAME_LENGTH = 50
# A door visit planned further ahead than this is a typing error.
VISIT_AHEAD = dt.timedelta(days=30)
OPEN_STATES = (plan.OPEN, plan.VISIT)

# The item's fields a move may change (what the audit row compares).
_TRACKED = ("state", "outcome", "outcome_at", "outcome_by_id", "attempts", "notes", "phone_masked",
            "visit_officer", "visit_worker", "visit_medic", "visit_at", "late")


class CampaignRefused(Exception):
    """A move on a campaign item that cannot be made, with a message for the person who tried."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# -- who may work an item ------------------------------------------------------------------------


def _locked_item(item_pk: int, user: Any) -> CampaignItem:
    """The item, locked for the move, among the user's stations (CampaignRefused if not there)."""
    stations = station_ids_for(user)
    item = CampaignItem.objects.for_stations(stations).select_for_update().filter(pk=item_pk).first()
    if item is None:
        raise CampaignRefused(_("No such campaign item."), code="not_found")
    return item


def _item_for(item_pk: int, user: Any) -> CampaignItem:
    item = (CampaignItem.objects.for_stations(station_ids_for(user)).select_related("campaign", "officer")
            .filter(pk=item_pk).first())
    if item is None:
        raise CampaignRefused(_("No such campaign item."), code="not_found")
    return item


def authority(user: Any, item: CampaignItem) -> tuple[Officer | None, str]:
    """(the user's officer record, the permission that lets them work `item`); CampaignRefused if none."""
    officer = officer_for(user)
    if officer is not None and officer.station_id != item.station_id:
        officer = None
    if officer is not None and item.officer_id == officer.pk and user.has_perm(WORK_OWN):
        return officer, WORK_OWN
    if user.has_perm(WORK_ANY) and item.station_id in station_ids_for(user):
        return officer, WORK_ANY
    raise CampaignRefused(_("This item is another officer's."), code="not_yours")


def _campaign(item: CampaignItem) -> Campaign:
    return Campaign.objects.for_stations([item.station_id]).get(pk=item.campaign_id)


def _tracked(item: CampaignItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in _TRACKED}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before[name], after[name]] for name in _TRACKED if before[name] != after[name]}


def _publish(item: CampaignItem, state: str) -> None:
    events.publish(item.station_id, "campaign", campaign=item.campaign_id, officer=item.officer_id, state=state)


# -- recording an outcome --------------------------------------------------------------------------


def _phone_digits(raw: str) -> str:
    return "".join((raw or "").split()).replace("-", "")


def _team(errors: dict[str, list[str]], visit_team: Any) -> tuple[str, str, str] | None:
    if visit_team is None:
        return None
    names = [str(name or "").strip() for name in visit_team]
    if len(names) != 3:
        errors.setdefault("visit_team", []).append(_("A door visit needs three names: the officer, the community worker and the medic."))
        return None
    if any(len(name) > NAME_LENGTH for name in names):
        errors.setdefault("visit_team", []).append(_("A name has at most %(limit)s characters.") % {"limit": NAME_LENGTH})
    if not any(names):
        return None
    return names[0], names[1], names[2]


def _refusal(error: plan.CampaignError) -> Exception:
    if error.code == "closed":
        return CampaignRefused(_("The campaign is closed; it takes no more outcomes."), code="closed")
    if error.code == "team":
        return ValidationError({"visit_team": [
            _("A door visit needs three names: the officer, the community worker and the medic.")]})
    return ValidationError({"outcome": [_("Choose one of the five outcomes.")]})


@transaction.atomic
def do_record_outcome(item_pk: int, *, user: Any, outcome: str, notes: str = "",
                      visit_team: tuple[str, str, str] | list[str] | None = None, visit_at: dt.datetime | None = None,
                      new_phone: str = "", now: dt.datetime | None = None) -> CampaignItem:
    """Record what the call (or the visit) found; the item as it now is.

    `outcome` is one of plan.OUTCOMES; "door_visit" needs `visit_team` (officer, community
    worker, medic — all three names) unless a team is already arranged, and may say when
    (`visit_at`). `notes` replaces the item's notes when given. `new_phone`: the number the
    person is really reached on (kept encrypted on the item; offered to the resident record
    by `resident_changes`). An item may be recorded again (a second call, a correction).
    """
    now = now or timezone.now()
    item = _locked_item(item_pk, user)
    officer, _permission = authority(user, item)
    campaign = _campaign(item)
    errors: dict[str, list[str]] = {}
    notes = field_text(errors, "notes", notes, limit=NOTES_LENGTH)
    team = _team(errors, visit_team)
    phone = _phone_digits(new_phone)
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors.setdefault("new_phone", []).append(_("A phone number is 7 to 12 digits."))
    if visit_at is not None and outcome == plan.DOOR_VISIT and visit_at > now + VISIT_AHEAD:
        errors.setdefault("visit_at", []).append(_("A door visit within the next 30 days."))
    try:
        moved = plan.record(item.as_item(), outcome, now, campaign_open=campaign.state == Campaign.State.OPEN,
                            visit_team=team)
    except plan.CampaignError as error:
        refusal = _refusal(error)
        if isinstance(refusal, CampaignRefused):
            raise refusal from None
        errors.update({field: errors.get(field, []) + texts for field, texts in refusal.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    before = _tracked(item)
    was_open = item.state != plan.DONE
    item.state, item.outcome, item.outcome_at, item.attempts = moved.state, moved.outcome, moved.outcome_at, moved.attempts
    item.outcome_by = officer if officer is not None else item.officer
    if moved.visit_team is not None:
        item.visit_officer, item.visit_worker, item.visit_medic = moved.visit_team
    if outcome == plan.DOOR_VISIT and visit_at is not None:
        item.visit_at = visit_at
    if notes:
        item.notes = notes
    if phone:
        item.phone, item.phone_masked = crypto.encrypt(phone), mask_phone(phone)
    # Recorded after the deadline, before the ticker came round: it was open at the deadline.
    item.late = item.late or (was_open and plan.late_at(plan.OPEN, campaign.deadline, now))
    item.save()

    changes = _changes(before, _tracked(item))
    if phone:
        changes["phone"] = ["(changed)", "(changed)"]
    record(AuditEntry.Action.UPDATED, obj=item, user=user, changes=changes,
           reason=f"campaign {campaign.number}: {outcome}")
    data: dict[str, Any] = {"state": item.state, "attempts": item.attempts}
    if moved.visit_team is not None and outcome == plan.DOOR_VISIT:
        data["visit_team"] = list(moved.visit_team)
        data["visit_at"] = item.visit_at.isoformat() if item.visit_at else None
    if phone:
        data["new_phone"] = item.phone_masked
    CampaignLog.objects.create(station_id=item.station_id, campaign=campaign, item=item, at=now,
                               action=CampaignLog.Action.OUTCOME, author=author_of(user), officer=item.officer,
                               outcome=outcome, text=notes, data=data)
    _publish(item, item.state)
    return item


# -- the one-tap resident update ---------------------------------------------------------------------


def resident_changes(item: CampaignItem) -> dict[str, tuple[Any, Any]]:
    """What one tap would change in the item's resident record: {field: (now, after)}; {} for nothing.

    Moved away → the date they moved out (the outcome's day) if none is on record.
    Verified at the address → the phone the item has (the list's, or the new one the
    officer gave) and the standard address it matched (with its beat), when they differ;
    a record marked as moved out is current again. `phone` values are clear numbers:
    show them masked.
    """
    resident = item.resident if item.resident_id else None
    if resident is None or resident.merged_into_id or item.state != plan.DONE:
        return {}
    changes: dict[str, tuple[Any, Any]] = {}
    if item.outcome == plan.MOVED:
        if resident.moved_out_on is None and item.outcome_at is not None:
            changes["moved_out_on"] = (None, timezone.localdate(item.outcome_at))
    elif item.outcome == plan.VERIFIED:
        phone = _phone_digits(crypto.decrypt(item.phone)) if item.phone else ""
        if phone and phone != resident.phone:
            changes["phone"] = (resident.phone, phone)
        if item.address_id and item.address_id != resident.address_id:
            changes["address"] = (resident.address, item.address)
            if item.address.beat_id != resident.beat_id:
                changes["beat"] = (resident.beat, item.address.beat)
        if resident.moved_out_on is not None:
            changes["moved_out_on"] = (resident.moved_out_on, None)
    return changes


@transaction.atomic
def do_update_resident(item_pk: int, *, user: Any, now: dt.datetime | None = None) -> Resident:
    """Bring the item's resident record up to date with what the outcome found (one tap).

    The resident's change is audited by the records registry (phone as "(changed)"); a
    CampaignLog RESIDENT row says which fields, and the event tells the boards.
    """
    now = now or timezone.now()
    item = _locked_item(item_pk, user)
    authority(user, item)
    if not user.has_perm(CHANGE_RESIDENT):
        raise CampaignRefused(_("You may not change resident records."), code="not_allowed")
    if item.resident_id is None:
        raise CampaignRefused(_("This item is not matched to a resident record."), code="no_resident")
    resident = Resident.objects.for_stations([item.station_id]).select_for_update().get(pk=item.resident_id)
    item.resident = resident
    changes = resident_changes(item)
    if not changes:
        raise CampaignRefused(_("The resident record already says this; nothing to update."), code="nothing")
    for name, (_old, new) in changes.items():
        setattr(resident, name, new)
    with attributed_to(user), allow_unscoped():
        resident.save()
    item.resident_updated_at = now
    item.save(update_fields=["resident_updated_at", "updated_at"])
    shown = {name: _shown(name, old, new) for name, (old, new) in changes.items()}
    CampaignLog.objects.create(station_id=item.station_id, campaign_id=item.campaign_id, item=item, at=now,
                               action=CampaignLog.Action.RESIDENT, author=author_of(user), officer=item.officer,
                               outcome=item.outcome, data={"resident": resident.pk, "changes": shown})
    _publish(item, "resident")
    return resident


def _shown(name: str, old: Any, new: Any) -> list[Any]:
    """A change as the log keeps it: phones masked, addresses by their text, dates as ISO."""

    def one(value: Any) -> Any:
        if value is None:
            return None
        if name == "phone":
            return mask_phone(value)
        if isinstance(value, Address):
            return value.full_text
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    return [one(old), one(new)]


def shown_changes(changes: dict[str, tuple[Any, Any]]) -> list[tuple[str, Any, Any]]:
    """The changes as a page shows them: (field, now, after), phones masked."""
    return [(name, *_shown(name, old, new)) for name, (old, new) in changes.items()]


# -- the call ------------------------------------------------------------------------------------------


def reveal_phone(item_pk: int, *, user: Any, now: dt.datetime | None = None) -> str:
    """The item's phone number in the clear, for the tel: link, after the audit row that says so."""
    item = _item_for(item_pk, user)
    _officer, permission = authority(user, item)
    if not item.phone:
        raise CampaignRefused(_("The list gives no phone number for this person."), code="no_phone")
    reason = f"campaign call: {item.campaign.number} row {item.row}"
    try:
        number = reveal(item, "phone", user=user, reason=reason, permission=permission,
                        read=lambda: crypto.decrypt(item.phone))
    except RevealRefused:
        raise CampaignRefused(_("You may not call from this list."), code="not_allowed") from None
    return _phone_digits(number)


# -- the ticker: reminders and the deadline ------------------------------------------------------------


def _open_by_officer(campaign: Campaign) -> Counter[int]:
    rows = (CampaignItem.objects.for_stations([campaign.station_id])
            .filter(campaign=campaign, state__in=OPEN_STATES, officer__isnull=False).values_list("officer_id", flat=True))
    return Counter(rows)


def _remind(campaign: Campaign, level: str, now: dt.datetime) -> int:
    counts = _open_by_officer(campaign)
    for officer_id, open_items in sorted(counts.items()):
        CampaignLog.objects.create(station_id=campaign.station_id, campaign=campaign, at=now,
                                   action=CampaignLog.Action.REMINDED, officer_id=officer_id,
                                   data={"level": level, "open": open_items, "deadline": campaign.deadline.isoformat()})
        events.publish(campaign.station_id, "campaign", campaign=campaign.pk, officer=officer_id, state=f"reminded_{level}")
    Campaign.objects.for_stations([campaign.station_id]).filter(pk=campaign.pk).update(reminded_at=now)
    return len(counts)


def _mark_late(campaign: Campaign, now: dt.datetime) -> int:
    late = CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign, state__in=OPEN_STATES,
                                                                          late=False)
    by_officer = Counter(late.values_list("officer_id", flat=True))
    marked = late.update(late=True)
    if marked:
        CampaignLog.objects.create(station_id=campaign.station_id, campaign=campaign, at=now, action=CampaignLog.Action.LATE,
                                   data={"items": marked, "by_officer": {str(key): n for key, n in by_officer.items()}})
        for officer_id in sorted(key for key in by_officer if key is not None):
            events.publish(campaign.station_id, "campaign", campaign=campaign.pk, officer=officer_id, state="late")
        events.publish(campaign.station_id, "campaign", campaign=campaign.pk, state="late")
    Campaign.objects.for_stations([campaign.station_id]).filter(pk=campaign.pk).update(deadline_marked_at=now)
    return marked


def remind_and_mark(now: dt.datetime, station_ids: list[int] | None = None) -> tuple[int, int]:
    """The ticker's campaign work: (officers reminded, items marked late).

    Runs inside the tick's transaction. Each open campaign: at the deadline its open items
    are marked late, once; before it, `plan.reminder_due` says whether to remind ("soon",
    then "final", each once) — one log row and one event per officer with open items.
    """
    campaigns = Campaign.objects.unscoped("the ticker reminds officers of every station's campaigns").filter(
        state=Campaign.State.OPEN, deadline_marked_at__isnull=True)
    if station_ids is not None:
        campaigns = campaigns.filter(station_id__in=station_ids)
    reminded = marked = 0
    for campaign in campaigns.select_for_update().order_by("deadline", "pk"):
        if now >= campaign.deadline:
            marked += _mark_late(campaign, now)
            continue
        level = plan.reminder_due(campaign.deadline, now, dt.timedelta(minutes=campaign.remind_before), campaign.reminded_at)
        if level:
            reminded += _remind(campaign, level, now)
    return reminded, marked
