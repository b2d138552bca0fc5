"""The officer's campaign list on the phone page (/m/campaigns/), through the test client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import plan, services
from fengqiao.campaigns.models import Campaign, CampaignItem
from fengqiao.dispatch.services import tick
from fengqiao.records.models import Resident

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fresh(item: CampaignItem) -> CampaignItem:
    return CampaignItem.objects.for_stations([item.station_id]).get(pk=item.pk)


def test_my_list_shows_my_open_items_masked(items_a: list[CampaignItem], campaign_a: Campaign, liu_yang: Any,
                                            sun_li: Any, make_item: Any) -> None:
    make_item(campaign_a, name="钱七", officer=sun_li.officer)  # a colleague's: not on my list
    response = _client(liu_yang).get(reverse("phone_campaigns:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert campaign_a.title in page and campaign_a.number in page and "逐一电话核查" in page
    assert page.count('data-testid="campaign-card"') == 3
    assert "王秀英" in page and "钱七" not in page
    assert "500108********" in page and "139****4321" in page and "13987654321" not in page
    assert reverse("phone_campaigns:reveal_call", args=[items_a[0].pk]) in page
    assert page.count('data-testid="outcome-door_visit"') == 3
    assert 'value="刘洋"' in page  # the door-visit officer: me, prefilled
    assert 'data-testid="update-resident"' not in page


def test_the_home_page_has_my_campaigns_region(items_a: list[CampaignItem], campaign_a: Campaign, liu_yang: Any) -> None:
    page = _client(liu_yang).get(reverse("phone:home")).content.decode()
    assert 'id="my-campaigns"' in page and 'data-kinds="campaign"' in page
    assert campaign_a.title in page and reverse("phone_campaigns:home") in page
    part = _client(liu_yang).get(reverse("phone_campaigns:summary_part"))
    assert part.status_code == 200 and "X-Fengqiao-Version-campaigns" in part.headers
    assert campaign_a.title in part.content.decode()


def test_a_user_with_no_campaign_work_gets_no_list(items_a: list[CampaignItem], chen_chen: Any) -> None:
    assert _client(chen_chen).get(reverse("phone_campaigns:home")).status_code == 403
    assert 'id="my-campaigns"' not in _client(chen_chen).get(reverse("phone:home")).content.decode()


def test_recording_an_outcome_answers_with_the_card(items_a: list[CampaignItem], liu_yang: Any) -> None:
    client = _client(liu_yang)
    item = items_a[1]
    response = client.post(reverse("phone_campaigns:outcome", args=[item.pk]),
                           {"outcome": plan.UNREACHABLE, "notes": "三次未接", "visit_officer": "刘洋"}, **HTMX)
    assert response.status_code == 200
    card = response.content.decode()
    assert 'data-testid="campaign-card"' in card and 'data-testid="card-message"' in card
    assert "X-Fengqiao-Version-campaign-items" in response.headers
    fresh = _fresh(item)
    assert (fresh.state, fresh.outcome, fresh.notes, fresh.visit_officer) == (plan.DONE, plan.UNREACHABLE, "三次未接", "")


def test_a_plain_form_post_comes_back_to_the_list(items_a: list[CampaignItem], liu_yang: Any) -> None:
    response = _client(liu_yang).post(reverse("phone_campaigns:outcome", args=[items_a[1].pk]), {"outcome": plan.WRONG_DATA})
    assert response.status_code == 302 and response.url.startswith(reverse("phone_campaigns:home"))
    assert _fresh(items_a[1]).outcome == plan.WRONG_DATA


def test_a_door_visit_without_the_team_shows_the_error_in_place(items_a: list[CampaignItem], liu_yang: Any) -> None:
    client = _client(liu_yang)
    url = reverse("phone_campaigns:outcome", args=[items_a[2].pk])
    response = client.post(url, {"outcome": plan.DOOR_VISIT, "visit_officer": "刘洋", "visit_worker": "周红"}, **HTMX)
    assert response.status_code == 422
    card = response.content.decode()
    assert 'data-testid="visit-team-error"' in card and 'value="周红"' in card
    assert _fresh(items_a[2]).state == plan.OPEN

    response = client.post(url, {"outcome": plan.DOOR_VISIT, "visit_officer": "刘洋", "visit_worker": "周红",
                                 "visit_medic": "吴医生", "visit_at": "2031-01-01T09:30"}, **HTMX)
    assert response.status_code == 422  # more than 30 days ahead
    response = client.post(url, {"outcome": plan.DOOR_VISIT, "visit_officer": "刘洋", "visit_worker": "周红",
                                 "visit_medic": "吴医生"}, **HTMX)
    assert response.status_code == 200
    assert _fresh(items_a[2]).state == plan.VISIT and "周红" in response.content.decode()


def test_an_unknown_outcome_answers_422(items_a: list[CampaignItem], liu_yang: Any) -> None:
    response = _client(liu_yang).post(reverse("phone_campaigns:outcome", args=[items_a[1].pk]), {"outcome": "nope"}, **HTMX)
    assert response.status_code == 422
    assert _fresh(items_a[1]).state == plan.OPEN


def test_a_closed_campaign_answers_409(items_a: list[CampaignItem], campaign_a: Campaign, liu_yang: Any) -> None:
    Campaign.objects.for_stations([campaign_a.station_id]).filter(pk=campaign_a.pk).update(state=Campaign.State.CLOSED)
    response = _client(liu_yang).post(reverse("phone_campaigns:outcome", args=[items_a[1].pk]),
                                      {"outcome": plan.VERIFIED}, **HTMX)
    assert response.status_code == 409 and 'data-testid="card-error"' in response.content.decode()
    # A closed list is not on the phone any more.
    assert 'data-testid="campaign-card"' not in _client(liu_yang).get(reverse("phone_campaigns:home")).content.decode()


def test_another_officers_item_answers_404_and_is_audited(items_a: list[CampaignItem], sun_li: Any,
                                                          zhang_wei: Any) -> None:
    item = items_a[1]
    for user in (sun_li, zhang_wei):  # the command room works items on its own pages, not on this phone page
        client = _client(user)
        assert client.get(reverse("phone_campaigns:card", args=[item.pk])).status_code == 404
        assert client.post(reverse("phone_campaigns:outcome", args=[item.pk]), {"outcome": plan.VERIFIED}).status_code == 404
        assert client.get(reverse("phone_campaigns:reveal_call", args=[item.pk])).status_code == 404
    assert _fresh(item).state == plan.OPEN
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_REFUSED, object_id=str(item.pk),
                                     reason="campaign item of another officer").count() == 6
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED).exists()


def test_another_stations_item_answers_404(campaign_b: Campaign, liu_yang: Any) -> None:
    item = CampaignItem.objects.for_stations([campaign_b.station_id]).get(campaign=campaign_b)
    client = _client(liu_yang)
    assert client.get(reverse("phone_campaigns:card", args=[item.pk])).status_code == 404
    assert client.post(reverse("phone_campaigns:outcome", args=[item.pk]), {"outcome": plan.VERIFIED}).status_code == 404
    assert client.post(reverse("phone_campaigns:update_resident", args=[item.pk])).status_code == 404
    assert client.get(reverse("phone_campaigns:reveal_call", args=[item.pk])).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_REFUSED, object_id=str(item.pk),
                                     reason="object of another station").count() == 4
    assert campaign_b.title not in client.get(reverse("phone_campaigns:home")).content.decode()


def test_the_call_link_reveals_the_number_and_redirects_to_tel(items_a: list[CampaignItem], liu_yang: Any) -> None:
    item = items_a[0]
    response = _client(liu_yang).get(reverse("phone_campaigns:reveal_call", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == "tel:13987654321"
    audit = AuditEntry.objects.get(action=AuditEntry.Action.REVEALED, object_id=str(item.pk))
    assert audit.user == liu_yang and audit.reason.startswith("campaign call: ")


def test_no_phone_no_call(items_a: list[CampaignItem], liu_yang: Any) -> None:
    response = _client(liu_yang).get(reverse("phone_campaigns:reveal_call", args=[items_a[2].pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("phone_campaigns:home"))


def test_moved_away_then_one_tap_updates_the_record(items_a: list[CampaignItem], liu_yang: Any,
                                                    wang_xiuying: Resident) -> None:
    client = _client(liu_yang)
    item = items_a[0]
    card = client.post(reverse("phone_campaigns:outcome", args=[item.pk]), {"outcome": plan.MOVED}, **HTMX).content.decode()
    assert 'data-testid="update-resident"' in card
    response = client.post(reverse("phone_campaigns:update_resident", args=[item.pk]), **HTMX)
    assert response.status_code == 200
    assert 'data-testid="update-resident"' not in response.content.decode()
    assert Resident.objects.for_stations([item.station_id]).get(pk=wang_xiuying.pk).moved_out_on is not None
    again = client.post(reverse("phone_campaigns:update_resident", args=[item.pk]), **HTMX)
    assert again.status_code == 409


def test_verified_with_a_new_phone_offers_the_masked_change(items_a: list[CampaignItem], liu_yang: Any,
                                                            wang_xiuying: Resident) -> None:
    client = _client(liu_yang)
    item = items_a[0]
    card = client.post(reverse("phone_campaigns:outcome", args=[item.pk]),
                       {"outcome": plan.VERIFIED, "new_phone": "13900001111"}, **HTMX).content.decode()
    assert "138****5678" in card and "139****1111" in card and 'data-testid="update-resident"' in card
    client.post(reverse("phone_campaigns:update_resident", args=[item.pk]), **HTMX)
    assert Resident.objects.for_stations([item.station_id]).get(pk=wang_xiuying.pk).phone == "13900001111"


def test_the_list_part_and_reminder_banner(items_a: list[CampaignItem], campaign_a: Campaign, liu_yang: Any) -> None:
    client = _client(liu_yang)
    part = client.get(reverse("phone_campaigns:items_part"))
    assert part.status_code == 200 and "X-Fengqiao-Version-campaign-items" in part.headers
    assert 'data-testid="campaign-reminder"' not in part.content.decode()
    services.do_record_outcome(items_a[0].pk, user=liu_yang, outcome=plan.VERIFIED)
    tick(campaign_a.deadline - dt.timedelta(minutes=30))
    again = client.get(reverse("phone_campaigns:items_part"))
    assert again.headers["X-Fengqiao-Version-campaign-items"] != part.headers["X-Fengqiao-Version-campaign-items"]
    page = again.content.decode()
    assert 'data-testid="campaign-reminder"' in page and 'data-testid="done-items"' in page


def test_the_page_is_in_chinese(items_a: list[CampaignItem], liu_yang: Any) -> None:
    page = _client(liu_yang).get(reverse("phone_campaigns:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh' in page
