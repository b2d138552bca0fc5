# ruff: noqa: F811  (fixtures imported from the campaign tests are used as parameters)
"""In the browser, the issue's story: the commander loads a verification list, 刘洋 works
three of its items on a 360-px phone, and the burn-down on the command board moves live."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from fengqiao.campaigns.models import Campaign, CampaignItem
from fengqiao.campaigns.tests.conftest import (  # noqa: F401  (fixtures)
    NUMBER_A,
    addresses_a,
    flat_a,
    make_resident,
    wang_xiuying,
)
from fengqiao.records import idcard
from fengqiao.records.models import Address, Resident

from .conftest import _new_context, screenshot
from .test_phone import _end_live_streams, log_in, no_sideways_scrolling, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LI_NUMBER = idcard.make("500108", dt.date(1972, 8, 1), 31, "M")
ZHAO_NUMBER = idcard.make("500108", dt.date(1988, 2, 14), 42, "F")


def _list_csv(flat: Address, other: Address) -> bytes:
    rows = [
        ["序号", "姓名", "身份证号", "联系电话", "户籍地址", "下发备注"],
        ["1", "王秀英", NUMBER_A, "13987654321", flat.full_text, "涉诈预警"],
        ["2", "李建国", LI_NUMBER, "13800001111", flat.full_text, "涉诈预警"],
        ["3", "赵敏", ZHAO_NUMBER, "13700002222", other.full_text, ""],
        ["4", "周不详", "", "13900003333", "月亮湾99号", "地址不详"],
    ]
    return "\n".join(",".join(row) for row in rows).encode("utf-8")


def _card(phone: Page, name: str) -> Any:
    return phone.get_by_test_id("campaign-card").filter(has=phone.get_by_test_id("item-name").get_by_text(name, exact=True))


def test_the_commander_loads_a_list_liu_yang_works_three_items_and_the_board_burns_down(
        page: Page, browser: Browser, live_server: object, zhang_wei: Any, liu_yang: Any, wang_xiuying: Resident,
        make_resident: Callable[..., Resident], flat_a: Address, addresses_a: list[Address]) -> None:
    li = make_resident("李建国", address=flat_a, phone="13800001111", number=LI_NUMBER)
    make_resident("赵敏", address=addresses_a[1], number=ZHAO_NUMBER, sex="F")

    # The commander loads the list: details, the file, the report, confirm.
    log_in(page, "zhangwei")
    page.goto("/campaigns/new/")
    form = page.get_by_test_id("load-form")
    form.locator("input[name=title]").fill("涉诈高风险人员电话核查")
    form.locator("input[name=issuer]").fill("分局治安大队")
    deadline = timezone.localtime(timezone.now() + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    form.locator("input[name=deadline]").fill(deadline)
    form.locator("textarea[name=instructions]").fill("逐一电话核查，联系不上的上门核查。")
    form.locator("input[name=file]").set_input_files(
        {"name": "核查名单.csv", "mimeType": "text/csv", "buffer": _list_csv(flat_a, addresses_a[1])})
    page.get_by_test_id("check-list").click()
    report = page.get_by_test_id("load-report")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("load-counts")).to_contain_text("4")
    expect(page.get_by_test_id("officer-counts")).to_contain_text("刘洋")
    screenshot(page, "campaign-load-report")
    page.get_by_test_id("confirm-load").click()
    page.wait_for_url("**/campaigns/*/")
    campaign = Campaign.objects.for_user(zhang_wei).get()
    assert campaign.items.count() == 4
    assert set(campaign.items.values_list("officer__name", flat=True)) == {"刘洋"}
    unknown = campaign.items.get(name="周不详")
    assert unknown.assigned_how == CampaignItem.How.ROUND_ROBIN and unknown.match == CampaignItem.Match.NONE

    # The board shows the campaign with nothing done yet.
    page.goto("/board/")
    row = page.get_by_test_id("board-campaign")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("board-campaign-progress")).to_have_text("0/4")

    # 刘洋 works three items on his phone; the board follows each without a reload.
    context, outside = _new_context(browser, live_server, viewport={"width": 360, "height": 800}, is_mobile=True,
                                    has_touch=True)
    phone = context.new_page()
    try:
        log_in(phone, "liuyang")
        phone.goto("/m/campaigns/")
        expect(phone.get_by_test_id("campaign-card")).to_have_count(4)
        call = _card(phone, "王秀英").get_by_test_id("call-link")
        expect(call).to_have_text("☎ 139****4321")
        no_sideways_scrolling(phone)
        screenshot(phone, "campaign-phone-list")

        _card(phone, "王秀英").get_by_test_id("outcome-verified").click()
        expect(_card(phone, "王秀英").get_by_test_id("item-state")).to_have_text(zh(CampaignItem.State.DONE.label))
        expect(row.get_by_test_id("board-campaign-progress")).to_have_text("1/4")

        _card(phone, "李建国").locator("textarea[name=notes]").fill("本人称已于上月搬至江北区")
        _card(phone, "李建国").get_by_test_id("outcome-moved").click()
        expect(_card(phone, "李建国").get_by_test_id("update-resident")).to_be_visible()
        expect(row.get_by_test_id("board-campaign-progress")).to_have_text("2/4")
        _card(phone, "李建国").get_by_test_id("update-resident").click()
        expect(_card(phone, "李建国").get_by_test_id("update-resident")).to_have_count(0)
        li.refresh_from_db()
        assert li.moved_out_on == timezone.localdate()

        card = _card(phone, "周不详")
        card.locator("details.visit-team summary").click()
        card.get_by_test_id("visit-worker").fill("周红")
        card.get_by_test_id("visit-medic").fill("吴医生")
        card.get_by_test_id("outcome-door_visit").click()
        expect(_card(phone, "周不详").get_by_test_id("item-visit")).to_contain_text("周红")
        no_sideways_scrolling(phone)
        screenshot(phone, "campaign-phone-worked")
        assert outside.seen == []
    finally:
        context.close()

    # Two done, one door visit waiting, one still to call: what the board and the page say.
    expect(row.get_by_test_id("board-campaign-progress")).to_have_text("2/4")
    visit = campaign.items.get(name="周不详")
    assert (visit.state, visit.visit_worker, visit.visit_medic) == ("visit", "周红", "吴医生")
    page.goto(f"/campaigns/{campaign.pk}/")
    expect(page.get_by_test_id("burndown-chart").locator("svg")).to_be_visible()
    screenshot(page, "campaign-page")
    _end_live_streams()
