# ruff: noqa: F811  (fixtures imported from the campaign tests are used as parameters)
"""In the browser: a campaign's page in the command room draws its burn-down (ECharts, no
outside request, no script error) and re-assigns chosen items with htmx."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fengqiao.campaigns.models import Campaign, CampaignItem
from fengqiao.campaigns.tests.conftest import (  # noqa: F401  (fixtures)
    addresses_a,
    beat_a2,
    campaign_a,
    flat_a,
    flat_a2,
    items_a,
    make_campaign,
    make_item,
    make_resident,
    sun_li,
    wang_xiuying,
    worked_a,
)

from .conftest import screenshot
from .test_phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_campaign_page_draws_the_burn_down_and_reassigns(page: Page, worked_a: Campaign, zhang_wei: Any,
                                                             sun_li: Any) -> None:
    log_in(page, "zhangwei")
    page.goto(f"/campaigns/{worked_a.pk}/")
    expect(page.get_by_test_id("burndown-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("item-row")).to_have_count(5)
    screenshot(page, "campaign-room")
    page.locator("#campaign-items input[name=items]").first.check()
    page.get_by_test_id("reassign-officer").select_option(str(sun_li.officer.pk))
    page.get_by_test_id("reassign-submit").click()
    expect(page.get_by_test_id("items-message")).to_be_visible()
    moved = CampaignItem.objects.for_stations([worked_a.station_id]).filter(campaign=worked_a, assigned_how="reassigned")
    assert moved.count() == 1
