# ruff: noqa: F811  (fixtures imported from the community tests are used as parameters)
"""In Chromium: the coverage map draws the beat's households from the API with no outside
request; 刘洋 logs a visit on a phone-sized screen; the commander opens a dispute from the
incident page in one step and 刘洋 adds a mediation step to it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from fengqiao.community.models import Dispute, Visit
from fengqiao.community.tests.conftest import (  # noqa: F401  (fixtures)
    flat_501,
    house_20,
    quarrel,
    visit_a,
    wang_xiuying,
)
from fengqiao.core.testing import PASSWORD
from fengqiao.intake.models import Incident

from .conftest import _new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(tab: Page, username: str) -> None:
    tab.goto("/accounts/login/")
    tab.locator("input[name=username]").fill(username)
    tab.locator("input[name=password]").fill(PASSWORD)
    tab.locator("button.primary[type=submit]").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_coverage_map_draws_the_households_of_the_beat(page: Page, liu_yang: Any, flat_501: Any, house_20: Any,  # noqa: F811
                                                           visit_a: Visit) -> None:
    log_in(page, "liuyang")
    page.goto("/community/coverage/")
    holder = page.locator("#coverage-map")
    expect(holder).to_have_attribute("data-ready", "1")
    # Two households at two positions: one visited today, one never.
    expect(holder).to_have_attribute("data-points", "2")
    expect(page.get_by_test_id("total-never")).to_have_text("1")
    page.locator("#band-legend input[value=never]").uncheck()
    expect(holder).to_have_attribute("data-points", "1")
    screenshot(page, "community-coverage")


def test_the_officer_logs_a_visit_on_the_phone(browser: Browser, live_server: Any, liu_yang: Any, flat_501: Any,  # noqa: F811
                                               wang_xiuying: Any) -> None:
    context, outside = _new_context(browser, live_server, viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(phone, "liuyang")
    phone.goto("/community/visits/new/")
    phone.get_by_test_id("due-households").locator("a").first.click()
    expect(phone.get_by_test_id("visit-place")).to_contain_text("南坪西路18号3栋2单元501")
    phone.get_by_test_id("purpose").locator("label").first.click()
    phone.get_by_test_id("people").get_by_text("王秀英").click()
    phone.locator("textarea[name=findings]").fill("讲解冒充客服退款诈骗")
    expect(phone.locator("input[name=follow_up_note]")).to_be_hidden()
    phone.locator("input[name=follow_up_needed]").check()
    phone.locator("input[name=follow_up_note]").fill("下周帮老人装反诈APP")
    phone.get_by_test_id("save-visit").click()
    expect(phone.get_by_test_id("people-met")).to_have_text("王秀英")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "community-visit-phone")
    context.close()
    visit = Visit.objects.for_stations([flat_501.station_id]).get()
    assert (visit.follow_up_note, list(visit.residents.all())) == ("下周帮老人装反诈APP", [wang_xiuying])
    assert outside.seen == [] and errors == []


def test_a_dispute_is_opened_from_the_incident_and_mediated_on_the_phone(
    browser: Browser, live_server: Any, page: Page, zhang_wei: Any, liu_yang: Any, quarrel: Incident,  # noqa: F811
) -> None:
    log_in(page, "zhangwei")
    page.goto(f"/incidents/{quarrel.pk}/")
    page.get_by_test_id("open-dispute").click()
    expect(page.get_by_test_id("dispute-number")).to_contain_text("纠")
    expect(page.get_by_test_id("parties")).to_contain_text("138****2222")
    expect(page.get_by_test_id("linked-incidents")).to_contain_text(quarrel.number)
    dispute = Dispute.objects.for_stations([quarrel.station_id]).get()

    context, outside = _new_context(browser, live_server, viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    log_in(phone, "liuyang")
    phone.goto(f"/community/disputes/{dispute.pk}/")
    form = phone.get_by_test_id("step-form")
    form.locator("select[name=method]").select_option("on_site")
    form.locator("textarea[name=result]").fill("双方同意晚十点后停止装修")
    phone.get_by_test_id("save-step").click()
    expect(phone.get_by_test_id("steps")).to_contain_text("双方同意晚十点后停止装修")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "community-dispute-phone")
    context.close()
    assert outside.seen == []
