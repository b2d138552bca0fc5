"""The officer's work on a campaign: outcomes, the one-tap resident update, the call, the ticker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import plan, services
from fengqiao.campaigns.models import Campaign, CampaignItem, CampaignLog
from fengqiao.core import events
from fengqiao.dispatch.services import tick
from fengqiao.records import crypto
from fengqiao.records.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The events the services publish (as make_event builds them), in order."""
    seen: list[dict[str, Any]] = []
    original = events.publish

    def spy(station_id: int, kind: str, **fields: Any) -> None:
        seen.append({"station": station_id, "kind": kind, **fields})
        original(station_id, kind, **fields)

    monkeypatch.setattr(events, "publish", spy)
    yield seen


def _fresh(item: CampaignItem) -> CampaignItem:
    return CampaignItem.objects.for_stations([item.station_id]).get(pk=item.pk)


# -- outcomes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [plan.VERIFIED, plan.MOVED, plan.UNREACHABLE, plan.WRONG_DATA])
def test_an_outcome_finishes_the_item_with_its_log_audit_row_and_event(
        outcome: str, items_a: list[CampaignItem], liu_yang: Any, published: list[dict[str, Any]]) -> None:
    item = items_a[1]
    done = services.do_record_outcome(item.pk, user=liu_yang, outcome=outcome, notes="本人接听，确认在住")
    fresh = _fresh(done)
    assert (fresh.state, fresh.outcome, fresh.attempts) == (plan.DONE, outcome, 1)
    assert fresh.outcome_by_id == liu_yang.officer.pk and fresh.outcome_at is not None
    assert fresh.notes == "本人接听，确认在住"
    log = CampaignLog.objects.for_stations([item.station_id]).get(item=item)
    assert (log.action, log.outcome, log.author, log.officer_id) == ("outcome", outcome, liu_yang, liu_yang.officer.pk)
    audit = AuditEntry.objects.get(object_type="campaigns.campaignitem", object_id=str(item.pk))
    assert audit.action == AuditEntry.Action.UPDATED and audit.user == liu_yang
    assert audit.changes["state"] == [plan.OPEN, plan.DONE] and audit.changes["outcome"] == ["", outcome]
    assert published == [{"station": item.station_id, "kind": "campaign", "campaign": item.campaign_id,
                          "officer": liu_yang.officer.pk, "state": plan.DONE}]


def test_a_door_visit_needs_the_three_names(items_a: list[CampaignItem], liu_yang: Any) -> None:
    item = items_a[2]
    with pytest.raises(ValidationError) as refused:
        services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.DOOR_VISIT, visit_team=("刘洋", "", "吴医生"))
    assert "visit_team" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.DOOR_VISIT)
    assert _fresh(item).state == plan.OPEN and _fresh(item).attempts == 0
    assert not CampaignLog.objects.for_stations([item.station_id]).filter(item=item).exists()

    at = timezone.now() + dt.timedelta(hours=1)
    services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.DOOR_VISIT, visit_team=(" 刘洋", "社工周红", "吴医生 "),
                               visit_at=at)
    fresh = _fresh(item)
    assert fresh.state == plan.VISIT
    assert (fresh.visit_officer, fresh.visit_worker, fresh.visit_medic, fresh.visit_at) == ("刘洋", "社工周红", "吴医生", at)
    log = CampaignLog.objects.for_stations([item.station_id]).get(item=item)
    assert log.data["visit_team"] == ["刘洋", "社工周红", "吴医生"]

    # The visit's own outcome finishes it; the team stays on record.
    services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.VERIFIED)
    fresh = _fresh(item)
    assert (fresh.state, fresh.attempts, fresh.visit_worker) == (plan.DONE, 2, "社工周红")


def test_an_unknown_outcome_is_refused_by_field(items_a: list[CampaignItem], liu_yang: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.do_record_outcome(items_a[0].pk, user=liu_yang, outcome="gone_fishing")
    assert "outcome" in refused.value.message_dict
    assert _fresh(items_a[0]).state == plan.OPEN


def test_a_bad_new_phone_is_refused(items_a: list[CampaignItem], liu_yang: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.do_record_outcome(items_a[0].pk, user=liu_yang, outcome=plan.VERIFIED, new_phone="12ab")
    assert "new_phone" in refused.value.message_dict


def test_a_closed_campaign_takes_no_outcome(items_a: list[CampaignItem], campaign_a: Campaign, liu_yang: Any) -> None:
    Campaign.objects.for_stations([campaign_a.station_id]).filter(pk=campaign_a.pk).update(state=Campaign.State.CLOSED)
    with pytest.raises(services.CampaignRefused) as refused:
        services.do_record_outcome(items_a[0].pk, user=liu_yang, outcome=plan.VERIFIED)
    assert refused.value.code == "closed"
    assert _fresh(items_a[0]).state == plan.OPEN


def test_another_officers_item_is_refused(items_a: list[CampaignItem], sun_li: Any) -> None:
    with pytest.raises(services.CampaignRefused) as refused:
        services.do_record_outcome(items_a[0].pk, user=sun_li, outcome=plan.VERIFIED)
    assert refused.value.code == "not_yours"
    assert _fresh(items_a[0]).state == plan.OPEN


def test_another_stations_item_is_not_found(campaign_b: Campaign, liu_yang: Any, zhang_wei: Any) -> None:
    item = CampaignItem.objects.for_stations([campaign_b.station_id]).get(campaign=campaign_b)
    for user in (liu_yang, zhang_wei):
        with pytest.raises(services.CampaignRefused) as refused:
            services.do_record_outcome(item.pk, user=user, outcome=plan.VERIFIED)
        assert refused.value.code == "not_found"


def test_the_command_room_records_on_an_officers_behalf(items_a: list[CampaignItem], zhang_wei: Any,
                                                       published: list[dict[str, Any]]) -> None:
    services.do_record_outcome(items_a[1].pk, user=zhang_wei, outcome=plan.UNREACHABLE)
    fresh = _fresh(items_a[1])
    assert fresh.outcome_by_id == zhang_wei.officer.pk
    # The event names the item's officer: their phone page refreshes.
    assert published[-1]["officer"] == items_a[1].officer_id


def test_an_auxiliary_may_not_record(items_a: list[CampaignItem], chen_chen: Any) -> None:
    with pytest.raises(services.CampaignRefused):
        services.do_record_outcome(items_a[0].pk, user=chen_chen, outcome=plan.VERIFIED)


def test_recording_again_counts_the_attempts(items_a: list[CampaignItem], liu_yang: Any) -> None:
    services.do_record_outcome(items_a[1].pk, user=liu_yang, outcome=plan.UNREACHABLE)
    services.do_record_outcome(items_a[1].pk, user=liu_yang, outcome=plan.VERIFIED, notes="第二次接通")
    fresh = _fresh(items_a[1])
    assert (fresh.outcome, fresh.attempts, fresh.notes) == (plan.VERIFIED, 2, "第二次接通")
    assert CampaignLog.objects.for_stations([fresh.station_id]).filter(item=fresh, action="outcome").count() == 2


def test_an_outcome_after_the_deadline_marks_the_item_late(items_a: list[CampaignItem], campaign_a: Campaign,
                                                          liu_yang: Any) -> None:
    services.do_record_outcome(items_a[1].pk, user=liu_yang, outcome=plan.VERIFIED,
                               now=campaign_a.deadline + dt.timedelta(minutes=5))
    assert _fresh(items_a[1]).late is True


# -- the one-tap resident update -------------------------------------------------------------------------


def test_moved_away_offers_and_sets_moved_out_on(items_a: list[CampaignItem], liu_yang: Any,
                                                 wang_xiuying: Resident, published: list[dict[str, Any]]) -> None:
    item = items_a[0]
    assert services.resident_changes(_fresh(item)) == {}  # nothing recorded yet: nothing to tap
    services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.MOVED)
    today = timezone.localdate()
    assert services.resident_changes(_fresh(item)) == {"moved_out_on": (None, today)}

    resident = services.do_update_resident(item.pk, user=liu_yang)
    assert resident.moved_out_on == today
    assert Resident.objects.for_stations([resident.station_id]).get(pk=resident.pk).moved_out_on == today
    audit = AuditEntry.objects.filter(object_type="records.resident", object_id=str(resident.pk),
                                      action=AuditEntry.Action.UPDATED).get()
    assert audit.user == liu_yang and audit.changes["moved_out_on"] == [None, today.isoformat()]
    log = CampaignLog.objects.for_stations([item.station_id]).get(item=item, action="resident")
    assert log.data["changes"] == {"moved_out_on": [None, today.isoformat()]}
    assert _fresh(item).resident_updated_at is not None
    assert published[-1]["state"] == "resident" and published[-1]["officer"] == liu_yang.officer.pk
    # Done once: nothing more to tap.
    assert services.resident_changes(_fresh(item)) == {}
    with pytest.raises(services.CampaignRefused) as refused:
        services.do_update_resident(item.pk, user=liu_yang)
    assert refused.value.code == "nothing"


def test_verified_with_a_new_phone_updates_the_phone(items_a: list[CampaignItem], liu_yang: Any,
                                                     wang_xiuying: Resident) -> None:
    item = items_a[0]
    services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.VERIFIED, new_phone="139 0000 1111")
    fresh = _fresh(item)
    assert crypto.decrypt(fresh.phone) == "13900001111" and fresh.phone_masked == "139****1111"
    assert services.resident_changes(fresh) == {"phone": ("13812345678", "13900001111")}
    assert services.shown_changes(services.resident_changes(fresh)) == [("phone", "138****5678", "139****1111")]
    log = CampaignLog.objects.for_stations([item.station_id]).get(item=item, action="outcome")
    assert log.data["new_phone"] == "139****1111"

    services.do_update_resident(item.pk, user=liu_yang)
    assert Resident.objects.for_stations([item.station_id]).get(pk=wang_xiuying.pk).phone == "13900001111"
    audit = AuditEntry.objects.filter(object_type="records.resident", object_id=str(wang_xiuying.pk),
                                      action=AuditEntry.Action.UPDATED).get()
    assert audit.changes["phone"] == ["(changed)", "(changed)"]  # secret in the audit log too
    assert services.resident_changes(_fresh(item)) == {}


def test_verified_at_another_standard_address_moves_the_record(items_a: list[CampaignItem], liu_yang: Any,
                                                               wang_xiuying: Resident, flat_a2: Any) -> None:
    item = items_a[0]
    CampaignItem.objects.for_stations([item.station_id]).filter(pk=item.pk).update(address=flat_a2, phone="")
    services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.VERIFIED)
    changes = services.resident_changes(_fresh(item))
    assert set(changes) == {"address", "beat"}
    resident = services.do_update_resident(item.pk, user=liu_yang)
    assert (resident.address_id, resident.beat_id) == (flat_a2.pk, flat_a2.beat_id)


def test_no_tap_when_nothing_would_change(items_a: list[CampaignItem], liu_yang: Any, wang_xiuying: Resident) -> None:
    item = items_a[0]
    # The list gives the phone the record already has, at the same address.
    CampaignItem.objects.for_stations([item.station_id]).filter(pk=item.pk).update(phone=crypto.encrypt("13812345678"))
    services.do_record_outcome(item.pk, user=liu_yang, outcome=plan.VERIFIED)
    assert services.resident_changes(_fresh(item)) == {}
    # Unreachable, wrong data, door visit: never a change.
    for outcome in (plan.UNREACHABLE, plan.WRONG_DATA):
        services.do_record_outcome(item.pk, user=liu_yang, outcome=outcome)
        assert services.resident_changes(_fresh(item)) == {}
    # No resident matched: nothing to update.
    services.do_record_outcome(items_a[1].pk, user=liu_yang, outcome=plan.MOVED)
    assert services.resident_changes(_fresh(items_a[1])) == {}
    with pytest.raises(services.CampaignRefused) as refused:
        services.do_update_resident(items_a[1].pk, user=liu_yang)
    assert refused.value.code == "no_resident"


def test_the_command_room_cannot_change_resident_records(items_a: list[CampaignItem], liu_yang: Any,
                                                         zhang_wei: Any) -> None:
    services.do_record_outcome(items_a[0].pk, user=liu_yang, outcome=plan.MOVED)
    with pytest.raises(services.CampaignRefused) as refused:
        services.do_update_resident(items_a[0].pk, user=zhang_wei)
    assert refused.value.code == "not_allowed"


# -- the call ----------------------------------------------------------------------------------------------


def test_revealing_the_phone_is_audited_with_the_reason(items_a: list[CampaignItem], liu_yang: Any) -> None:
    item = items_a[0]
    assert services.reveal_phone(item.pk, user=liu_yang) == "13987654321"
    audit = AuditEntry.objects.get(action=AuditEntry.Action.REVEALED, object_id=str(item.pk))
    assert audit.outcome == "ok" and audit.user == liu_yang
    assert audit.reason == f"campaign call: {item.campaign.number} row {item.row}"
    assert audit.changes == {"field": "phone"}


def test_no_phone_no_call_and_not_for_another_officer(items_a: list[CampaignItem], liu_yang: Any, sun_li: Any) -> None:
    with pytest.raises(services.CampaignRefused) as refused:
        services.reveal_phone(items_a[2].pk, user=liu_yang)
    assert refused.value.code == "no_phone"
    with pytest.raises(services.CampaignRefused) as refused:
        services.reveal_phone(items_a[0].pk, user=sun_li)
    assert refused.value.code == "not_yours"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED, user=sun_li).exists()


# -- the ticker ----------------------------------------------------------------------------------------------


def _logs(campaign: Campaign, action: str) -> list[CampaignLog]:
    return list(CampaignLog.objects.for_stations([campaign.station_id]).filter(campaign=campaign, action=action))


def test_reminders_come_once_per_level_through_the_tick(items_a: list[CampaignItem], campaign_a: Campaign,
                                                        liu_yang: Any, sun_li: Any, make_item: Callable[..., Any],
                                                        published: list[dict[str, Any]]) -> None:
    make_item(campaign_a, name="钱七", officer=sun_li.officer)
    deadline = campaign_a.deadline  # remind_before = 60 min: "soon" from 60 min, "final" from 15 min
    services.do_record_outcome(items_a[0].pk, user=liu_yang, outcome=plan.VERIFIED)
    tick(deadline - dt.timedelta(minutes=61))
    assert _logs(campaign_a, "reminded") == []

    published.clear()
    tick(deadline - dt.timedelta(minutes=59))
    soon = _logs(campaign_a, "reminded")
    assert sorted((log.officer_id, log.data["open"], log.data["level"]) for log in soon) == sorted(
        [(liu_yang.officer.pk, 2, "soon"), (sun_li.officer.pk, 1, "soon")])
    assert sorted(event["officer"] for event in published) == sorted([liu_yang.officer.pk, sun_li.officer.pk])
    assert {event["state"] for event in published} == {"reminded_soon"}

    tick(deadline - dt.timedelta(minutes=30))
    tick(deadline - dt.timedelta(minutes=20))
    assert len(_logs(campaign_a, "reminded")) == 2  # once per level

    services.do_record_outcome(items_a[1].pk, user=liu_yang, outcome=plan.VERIFIED)
    services.do_record_outcome(items_a[2].pk, user=liu_yang, outcome=plan.UNREACHABLE)
    tick(deadline - dt.timedelta(minutes=10))
    final = [log for log in _logs(campaign_a, "reminded") if log.data["level"] == "final"]
    assert [(log.officer_id, log.data["open"]) for log in final] == [(sun_li.officer.pk, 1)]  # 刘洋 has none left
    tick(deadline - dt.timedelta(minutes=5))
    assert len(_logs(campaign_a, "reminded")) == 3


def test_items_open_at_the_deadline_are_marked_late_once(items_a: list[CampaignItem], campaign_a: Campaign,
                                                         liu_yang: Any, published: list[dict[str, Any]]) -> None:
    deadline = campaign_a.deadline
    services.do_record_outcome(items_a[0].pk, user=liu_yang, outcome=plan.VERIFIED, now=deadline - dt.timedelta(hours=1))
    services.do_record_outcome(items_a[1].pk, user=liu_yang, outcome=plan.DOOR_VISIT, visit_team=("刘洋", "周红", "吴医生"),
                               now=deadline - dt.timedelta(hours=1))
    tick(deadline - dt.timedelta(seconds=1))
    assert _logs(campaign_a, "late") == []

    published.clear()
    tick(deadline)
    assert [_fresh(item).late for item in items_a] == [False, True, True]
    late = _logs(campaign_a, "late")
    assert len(late) == 1 and late[0].data["items"] == 2
    assert {(event.get("officer"), event["state"]) for event in published} == {
        (liu_yang.officer.pk, "late"), (None, "late")}
    tick(deadline + dt.timedelta(minutes=5))
    assert len(_logs(campaign_a, "late")) == 1
    # Late items stay on the list; done later, they stay marked late.
    services.do_record_outcome(items_a[2].pk, user=liu_yang, outcome=plan.WRONG_DATA, now=deadline + dt.timedelta(minutes=6))
    assert _fresh(items_a[2]).late is True and _fresh(items_a[2]).state == plan.DONE


def test_the_tick_leaves_closed_campaigns_and_other_stations_alone(items_a: list[CampaignItem], campaign_a: Campaign,
                                                                   campaign_b: Campaign) -> None:
    Campaign.objects.for_stations([campaign_a.station_id]).filter(pk=campaign_a.pk).update(state=Campaign.State.CLOSED)
    assert services.remind_and_mark(campaign_a.deadline + dt.timedelta(hours=1), [campaign_b.station_id]) == (0, 1)
    assert not any(_fresh(item).late for item in items_a)
    assert services.remind_and_mark(campaign_a.deadline + dt.timedelta(hours=1)) == (0, 0)
