"""The command room's moves: re-assign, close, reopen — one transaction each, logged, audited, announced."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import commanding, plan
from fengqiao.campaigns.models import Campaign, CampaignItem, CampaignLog
from fengqiao.core import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every live event the moves publish (checked by `make_event` like the real thing)."""
    found: list[dict[str, Any]] = []
    monkeypatch.setattr(events, "publish",
                        lambda station_id, kind, **fields: found.append(events.make_event(station_id, kind, **fields).data))
    yield found


def _items(campaign: Campaign) -> list[CampaignItem]:
    return list(CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign).order_by("row"))


def test_reassign_moves_open_items_logs_audits_and_announces(worked_a: Campaign, zhang_wei: Any, sun_li: Any,
                                                             liu_yang: Any, sent: list[dict[str, Any]]) -> None:
    items = _items(worked_a)
    done, open_one, open_two = items[0], items[1], items[2]
    assert done.state == plan.DONE
    moved = commanding.do_reassign(worked_a.pk, [done.pk, open_one.pk, open_two.pk], sun_li.officer.pk, user=zhang_wei)
    assert moved == 2  # the done item keeps the officer who worked it
    after = {item.pk: item for item in _items(worked_a)}
    assert after[done.pk].officer_id == liu_yang.officer.pk and after[done.pk].assigned_how != plan.REASSIGNED
    for pk in (open_one.pk, open_two.pk):
        assert after[pk].officer_id == sun_li.officer.pk
        assert after[pk].assigned_how == CampaignItem.How.REASSIGNED
    log = list(CampaignLog.objects.for_stations([worked_a.station_id]).filter(action=CampaignLog.Action.REASSIGNED))
    assert sorted(entry.item_id for entry in log) == sorted([open_one.pk, open_two.pk])
    assert all(e.officer_id == sun_li.officer.pk and e.author == zhang_wei for e in log)
    assert all(e.data == {"from": liu_yang.officer.pk, "to": sun_li.officer.pk} for e in log)
    audit = AuditEntry.objects.filter(object_type="campaigns.campaign", object_id=str(worked_a.pk),
                                      action=AuditEntry.Action.UPDATED).get()
    assert audit.user == zhang_wei and audit.changes["reassigned"] == 2
    assert sorted(audit.changes["items"]) == sorted([open_one.pk, open_two.pk])
    # Both the officer who lost the items and the one who got them hear of it.
    assert {(e["kind"], e["campaign"], e["officer"], e["state"]) for e in sent} == {
        ("campaign", worked_a.pk, liu_yang.officer.pk, "reassigned"),
        ("campaign", worked_a.pk, sun_li.officer.pk, "reassigned"),
    }


def test_reassign_refuses_another_stations_officer_and_changes_nothing(worked_a: Campaign, zhang_wei: Any,
                                                                       wang_qiang: Any, sent: list[Any]) -> None:
    items = _items(worked_a)
    before = [(item.officer_id, item.assigned_how) for item in items]
    with pytest.raises(commanding.CommandRefused) as refused:
        commanding.do_reassign(worked_a.pk, [item.pk for item in items], wang_qiang.officer.pk, user=zhang_wei)
    assert refused.value.code == "officer"
    assert [(item.officer_id, item.assigned_how) for item in _items(worked_a)] == before
    assert not CampaignLog.objects.for_stations([worked_a.station_id]).filter(action=CampaignLog.Action.REASSIGNED).exists()
    assert sent == []


def test_reassign_refuses_auxiliaries_other_stations_users_and_roles_without_the_right(
        worked_a: Campaign, zhang_wei: Any, chen_chen: Any, wang_qiang: Any, liu_yang: Any, sun_li: Any) -> None:
    pks = [item.pk for item in _items(worked_a)]
    with pytest.raises(commanding.CommandRefused) as refused:
        commanding.do_reassign(worked_a.pk, pks, chen_chen.officer.pk, user=zhang_wei)
    assert refused.value.code == "officer"
    with pytest.raises(commanding.CommandRefused) as refused:  # 海棠溪's commander, 南坪's campaign
        commanding.do_reassign(worked_a.pk, pks, sun_li.officer.pk, user=wang_qiang)
    assert refused.value.code == "other_station"
    with pytest.raises(commanding.CommandRefused) as refused:  # a community officer works items, does not share them
        commanding.do_reassign(worked_a.pk, pks, sun_li.officer.pk, user=liu_yang)
    assert refused.value.code == "not_allowed"
    with pytest.raises(commanding.CommandRefused) as refused:
        commanding.do_reassign(worked_a.pk, [], sun_li.officer.pk, user=zhang_wei)
    assert refused.value.code == "no_items"


def test_items_of_another_campaign_are_not_touched(worked_a: Campaign, campaign_b: Campaign, zhang_wei: Any,
                                                   sun_li: Any) -> None:
    other = _items(campaign_b)[0]
    assert commanding.do_reassign(worked_a.pk, [other.pk], sun_li.officer.pk, user=zhang_wei) == 0
    again = CampaignItem.objects.for_stations([campaign_b.station_id]).get(pk=other.pk)
    assert again.officer_id == other.officer_id


def test_close_and_reopen(worked_a: Campaign, zhang_wei: Any, sun_li: Any, sent: list[dict[str, Any]]) -> None:
    closed = commanding.do_close(worked_a.pk, user=zhang_wei)
    assert closed.state == Campaign.State.CLOSED and closed.closed_by == zhang_wei and closed.closed_at
    stored = Campaign.objects.for_stations([worked_a.station_id]).get(pk=worked_a.pk)
    assert stored.state == Campaign.State.CLOSED
    log = CampaignLog.objects.for_stations([worked_a.station_id]).get(action=CampaignLog.Action.CLOSED)
    assert log.author == zhang_wei and log.data == {"open_items": 4}
    with pytest.raises(commanding.CommandRefused) as refused:
        commanding.do_close(worked_a.pk, user=zhang_wei)
    assert refused.value.code == "wrong_state"
    with pytest.raises(commanding.CommandRefused) as refused:  # a closed campaign takes no re-assigning
        commanding.do_reassign(worked_a.pk, [item.pk for item in _items(worked_a)], sun_li.officer.pk, user=zhang_wei)
    assert refused.value.code == "closed"
    reopened = commanding.do_reopen(worked_a.pk, user=zhang_wei)
    assert reopened.state == Campaign.State.OPEN and reopened.closed_at is None and reopened.closed_by is None
    assert CampaignLog.objects.for_stations([worked_a.station_id]).filter(action=CampaignLog.Action.REOPENED).count() == 1
    with pytest.raises(commanding.CommandRefused):
        commanding.do_reopen(worked_a.pk, user=zhang_wei)
    audits = AuditEntry.objects.filter(object_type="campaigns.campaign", object_id=str(worked_a.pk),
                                       action=AuditEntry.Action.UPDATED).order_by("pk")
    assert [(a.user, a.changes["state"]) for a in audits] == [(zhang_wei, ["open", "closed"]),
                                                              (zhang_wei, ["closed", "open"])]
    assert [e["state"] for e in sent] == ["closed", "open"]


def test_close_refused_for_another_station(worked_a: Campaign, wang_qiang: Any) -> None:
    with pytest.raises(commanding.CommandRefused) as refused:
        commanding.do_close(worked_a.pk, user=wang_qiang)
    assert refused.value.code == "other_station"
    assert Campaign.objects.for_stations([worked_a.station_id]).get(pk=worked_a.pk).state == Campaign.State.OPEN
