"""The command room's campaign pages: the list, a campaign's page with its burn-down and items,
re-assigning, closing, the command board's section, and isolation between stations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import plan, selectors
from fengqiao.campaigns.models import Campaign, CampaignItem
from fengqiao.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def _items(campaign: Campaign) -> Any:
    return CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign)


def _database_tallies(campaign: Campaign, key: str) -> dict[str, dict[str, int]]:
    rows = _items(campaign).values(key).annotate(
        total=Count("pk"), done=Count("pk", filter=Q(state=plan.DONE)), visit=Count("pk", filter=Q(state=plan.VISIT)),
        late=Count("pk", filter=Q(late=True)))
    return {str(r[key] or ""): {"total": r["total"], "done": r["done"], "visit": r["visit"],
                                "open": r["total"] - r["done"], "late": r["late"]} for r in rows}


def _page_tallies(html: str, testid: str) -> dict[str, dict[str, int]]:
    found = {}
    for match in re.finditer(rf'data-testid="{testid}" data-key="([^"]*)"\s+data-total="(\d+)" data-done="(\d+)" '
                             r'data-visit="(\d+)" data-open="(\d+)" data-late="(\d+)"', html):
        key, *numbers = match.groups()
        found[key] = dict(zip(("total", "done", "visit", "open", "late"), map(int, numbers), strict=True))
    return found


def test_the_burn_down_per_officer_and_per_beat_equals_the_database(worked_a: Campaign, zhang_wei: Any) -> None:
    html = _client(zhang_wei).get(reverse("campaigns:detail", args=[worked_a.pk])).content.decode()
    by_officer = _database_tallies(worked_a, "officer_id")
    by_beat = _database_tallies(worked_a, "beat_id")
    assert len(by_officer) == 2 and len(by_beat) == 3  # 刘洋, 孙丽; beat A, beat A2, no beat
    assert _page_tallies(html, "burn-officer-row") == by_officer
    assert _page_tallies(html, "burn-beat-row") == by_beat
    assert 'data-testid="burn-done">1/5' in html
    assert 'id="burndown-data"' in html and "vendor/echarts/echarts.min.js" in html
    # The same figures from the selector, and the fragment the page refreshes live.
    burn = selectors.burn_down_for(worked_a, by="beat")
    assert (burn.total.total, burn.total.done, burn.total.visit, burn.total.late) == (5, 1, 1, 1)
    assert burn.remaining[0][1] == 5 and burn.remaining[-1][1] == 4 and burn.ideal[-1] == (worked_a.deadline, 0)
    part = _client(zhang_wei).get(reverse("campaigns:burndown", args=[worked_a.pk])).content.decode()
    assert _page_tallies(part, "burn-officer-row") == by_officer


def test_behind_schedule_is_shown(campaign_a: Campaign, items_a: list[CampaignItem], zhang_wei: Any) -> None:
    now = timezone.now()
    campaign_a.created_at, campaign_a.deadline = now - dt.timedelta(hours=3), now + dt.timedelta(hours=1)
    campaign_a.save()
    burn = selectors.burn_down_for(campaign_a, now=now)
    assert burn.expected_done == 2 and burn.behind and all(row["behind"] for row in burn.rows())
    html = _client(zhang_wei).get(reverse("campaigns:detail", args=[campaign_a.pk])).content.decode()
    assert 'data-testid="burn-behind"' in html


def test_the_list_shows_open_campaigns_first_in_chinese(worked_a: Campaign, make_campaign: Any, station_a: Any,
                                                         zhang_wei: Any, campaign_b: Campaign) -> None:
    old = make_campaign(station_a, title="上月流动人口核查", state=Campaign.State.CLOSED,
                        created_at=timezone.now() - dt.timedelta(days=30))
    page = _client(zhang_wei).get(reverse("campaigns:list"))
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="zh-hans"' in html
    assert _zh("Verification campaigns") in html and _zh("Deadline") in html
    numbers = re.findall(r'data-testid="campaign-row" data-number="([^"]+)"', html)
    assert numbers == [worked_a.number, old.number]  # 海棠溪's campaign is not listed
    assert campaign_b.title not in html or campaign_b.number not in numbers
    assert 'data-testid="campaign-progress">1/5' in html and 'data-testid="campaign-late"><strong class="is-overdue">1' in html
    closed = _client(zhang_wei).get(reverse("campaigns:list"), {"state": "closed"}).content.decode()
    assert re.findall(r'data-testid="campaign-row" data-number="([^"]+)"', closed) == [old.number]


def test_the_campaign_page_in_chinese_shows_masked_items_and_the_details(worked_a: Campaign, zhang_wei: Any) -> None:
    page = _client(zhang_wei).get(reverse("campaigns:detail", args=[worked_a.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert worked_a.title in html and worked_a.issuer in html and "逐一电话核查" in html
    for text in ("Burn-down", "Per officer", "Per beat", "Items", "Re-assign"):
        assert _zh(text) in html
    assert html.count('data-testid="item-row"') == 5
    assert "139****4321" in html and "500108" in html  # masked only (the privacy scan checks for clear numbers)
    assert 'data-testid="return-form"' in html and 'data-testid="campaign-close"' in html


@pytest.mark.parametrize(("query", "names"), [
    ({"state": "done"}, ["王秀英"]),
    ({"state": "visit"}, ["钱七"]),
    ({"outcome": "door_visit"}, ["钱七"]),
    ({"how": "round_robin"}, ["无名氏"]),
    ({"unmatched": "on"}, ["无名氏"]),
    ({"late": "on"}, ["孙八"]),
])
def test_the_item_filters(query: dict[str, str], names: list[str], worked_a: Campaign, zhang_wei: Any) -> None:
    html = _client(zhang_wei).get(reverse("campaigns:items", args=[worked_a.pk]), query).content.decode()
    rows = re.findall(r'data-testid="item-row" data-item="\d+" data-row="(\d+)"', html)
    by_row = {str(item.row): item.name for item in _items(worked_a)}
    assert [by_row[row] for row in rows] == names


def test_the_officer_and_beat_filters(worked_a: Campaign, zhang_wei: Any, sun_li: Any, beat_a: Any) -> None:
    client = _client(zhang_wei)
    html = client.get(reverse("campaigns:items", args=[worked_a.pk]), {"officer": sun_li.officer.pk}).content.decode()
    assert html.count('data-testid="item-row"') == 2
    html = client.get(reverse("campaigns:items", args=[worked_a.pk]), {"beat": beat_a.pk}).content.decode()
    assert html.count('data-testid="item-row"') == 2  # 王秀英 and 张三; the unknown person has no beat


def test_reassigning_from_the_page(worked_a: Campaign, zhang_wei: Any, sun_li: Any, liu_yang: Any) -> None:
    open_items = list(_items(worked_a).filter(officer=liu_yang.officer, state=plan.OPEN))
    response = _client(zhang_wei).post(reverse("campaigns:reassign", args=[worked_a.pk]),
                                       {"items": [i.pk for i in open_items], "officer_to": sun_li.officer.pk,
                                        "state": "open"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="items-message"' in html and 'data-testid="campaign-items"' in html
    assert html.count('data-testid="item-row"') == 3  # the filter kept: open items only
    assert set(_items(worked_a).filter(pk__in=[i.pk for i in open_items]).values_list("officer_id", "assigned_how")) == {
        (sun_li.officer.pk, "reassigned")}


def test_reassigning_to_another_stations_officer_is_refused_in_words(worked_a: Campaign, zhang_wei: Any,
                                                                     wang_qiang: Any) -> None:
    item = _items(worked_a).filter(state=plan.OPEN).first()
    response = _client(zhang_wei).post(reverse("campaigns:reassign", args=[worked_a.pk]),
                                       {"items": [item.pk], "officer_to": wang_qiang.officer.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and 'data-testid="items-error"' in response.content.decode()
    assert _items(worked_a).get(pk=item.pk).officer_id == item.officer_id


def test_a_community_officer_sees_but_may_not_command(worked_a: Campaign, liu_yang: Any, sun_li: Any) -> None:
    client = _client(liu_yang)
    html = client.get(reverse("campaigns:detail", args=[worked_a.pk])).content.decode()
    assert 'data-testid="reassign-submit"' not in html and 'data-testid="return-form"' not in html
    item = _items(worked_a).filter(state=plan.OPEN).first()
    response = client.post(reverse("campaigns:reassign", args=[worked_a.pk]),
                           {"items": [item.pk], "officer_to": sun_li.officer.pk})
    assert response.status_code == 403
    assert client.post(reverse("campaigns:close", args=[worked_a.pk])).status_code == 403


def test_closing_and_reopening_from_the_page(worked_a: Campaign, zhang_wei: Any) -> None:
    client = _client(zhang_wei)
    response = client.post(reverse("campaigns:close", args=[worked_a.pk]))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="campaign-reopen"' in html and 'data-testid="reassign-submit"' not in html
    client.post(reverse("campaigns:reopen", args=[worked_a.pk]))
    assert Campaign.objects.for_stations([worked_a.station_id]).get(pk=worked_a.pk).state == Campaign.State.OPEN


def test_another_stations_campaign_is_not_found(campaign_b: Campaign, zhang_wei: Any, liu_yang: Any) -> None:
    client = _client(zhang_wei)
    for name in ("detail", "burndown", "items", "items_export"):
        assert client.get(reverse(f"campaigns:{name}", args=[campaign_b.pk])).status_code == 404
    item = _items(campaign_b).get()
    for name, data in (("reassign", {"items": [item.pk], "officer_to": liu_yang.officer.pk}), ("close", {})):
        assert client.post(reverse(f"campaigns:{name}", args=[campaign_b.pk]), data).status_code == 404
    assert Campaign.objects.for_stations([campaign_b.station_id]).get(pk=campaign_b.pk).state == Campaign.State.OPEN
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_REFUSED, user=zhang_wei).exists()


def test_auxiliaries_see_no_campaign(worked_a: Campaign, chen_chen: Any) -> None:
    assert _client(chen_chen).get(reverse("campaigns:list")).status_code == 403


def test_the_board_shows_the_open_campaigns_with_their_counts(worked_a: Campaign, campaign_b: Campaign,
                                                              zhang_wei: Any, sun_li: Any) -> None:
    client = _client(zhang_wei)
    html = client.get(reverse("dispatch:board_live")).content.decode()
    assert 'data-testid="board-campaigns"' in html and _zh("Verification campaigns") in html
    rows = re.findall(r'data-testid="board-campaign"\s+data-campaign="(\d+)" data-done="(\d+)" data-total="(\d+)"', html)
    assert rows == [(str(worked_a.pk), "1", "5")]  # not 海棠溪's
    assert "刘洋 2" in html and "孙丽 2" in html
    # One outcome later, the live part says so.
    item = _items(worked_a).filter(state=plan.OPEN, officer=sun_li.officer).get()
    item.state, item.outcome, item.outcome_at = plan.DONE, plan.UNREACHABLE, timezone.now()
    item.save()
    html = client.get(reverse("dispatch:board")).content.decode()
    assert re.findall(r'data-testid="board-campaign"\s+data-campaign="(\d+)" data-done="(\d+)"', html) == [
        (str(worked_a.pk), "2")]
    closed = Campaign.objects.for_stations([worked_a.station_id]).get(pk=worked_a.pk)
    closed.state = Campaign.State.CLOSED
    closed.save()
    assert 'data-testid="board-campaign"' not in client.get(reverse("dispatch:board_live")).content.decode()
