# ruff: noqa: F811  (fixtures imported from the transfer tests are used as parameters)
"""In the browser: the commander transfers a noise complaint from the incident's dispatch
panel; 徐岚 of urban management works it on her phone in the department portal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from playwright.sync_api import Browser, Page, expect

from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)
from fengqiao.transfers.models import Transfer
from fengqiao.transfers.tests.conftest import (  # noqa: F401  (fixtures)
    departments,
    hotline,
    market_regulation,
    noise_complaint,
    transfer_a,
    urban_management,
    xu_lan,
)

from .conftest import _new_context, screenshot
from .test_board import WITHIN, _card
from .test_phone import _end_live_streams, log_in, no_sideways_scrolling, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_commander_transfers_the_noise_complaint_from_the_incident_page(
        page: Page, noise_complaint: Incident, zhang_wei: Any, urban_management: Any) -> None:  # noqa: F811
    log_in(page, "zhangwei")
    page.goto(f"/incidents/{noise_complaint.pk}/")
    part = page.get_by_test_id("transfer-part")
    expect(part.get_by_test_id("transfer-form")).to_be_visible()
    expect(part.get_by_test_id("transfer-department")).to_have_value(str(urban_management.pk))
    expect(part.get_by_test_id("transfer-due")).to_be_visible()
    screenshot(page, "transfers-incident-form")
    part.get_by_test_id("transfer-submit").click()
    expect(part.get_by_test_id("incident-transfer-row")).to_be_visible()
    transfer = Transfer.objects.for_stations([noise_complaint.station_id]).get(incident=noise_complaint)
    expect(part.get_by_test_id("incident-transfer-link")).to_have_text(transfer.number)


def test_xu_lan_works_the_transfer_on_her_phone(small_phone: Page, transfer_a: Transfer, xu_lan: Any) -> None:
    log_in(small_phone, "xulan")
    expect(small_phone.get_by_test_id("portal-item")).to_have_count(1)
    expect(small_phone.get_by_test_id("portal-count-new")).to_have_text("1")
    no_sideways_scrolling(small_phone)
    screenshot(small_phone, "transfers-portal-list-phone")
    small_phone.get_by_test_id("portal-item-link").click()
    expect(small_phone.get_by_test_id("caller-phone")).to_have_text("139****2222")
    small_phone.get_by_test_id("portal-submit-receive").click()
    expect(small_phone.get_by_test_id("portal-item-main")).to_have_attribute("data-state", "received")

    small_phone.get_by_test_id("portal-open-extend").click()
    new_due = timezone.localtime(transfer_a.result_due + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form = small_phone.get_by_test_id("portal-action-extend")
    form.locator("input[name=new_deadline]").fill(new_due)
    form.locator("textarea[name=reason]").fill("需协调小区物业")
    small_phone.get_by_test_id("portal-submit-extend").click()
    expect(small_phone.get_by_test_id("portal-item-main")).to_have_attribute("data-state", "in_progress")
    expect(small_phone.get_by_test_id("transfer-timeline")).to_contain_text("需协调小区物业")

    small_phone.get_by_test_id("portal-open-report").click()
    small_phone.get_by_test_id("portal-action-report").locator("textarea[name=result]").fill("已约谈组织者，音量调低")
    small_phone.get_by_test_id("portal-submit-report").click()
    expect(small_phone.get_by_test_id("portal-item-main")).to_have_attribute("data-state", "result")
    no_sideways_scrolling(small_phone)
    screenshot(small_phone, "transfers-portal-item-phone")


def test_a_noise_complaint_goes_to_urban_management_and_comes_back_closed(
        page: Page, browser: Browser, live_server: object, noise_complaint: Incident, zhang_wei: Any,
        urban_management: Any, xu_lan: Any) -> None:
    """The issue's loop with two people at once: 张伟 on the command board, 徐岚 of urban
    management on her phone in the department portal."""
    board = page
    log_in(board, "zhangwei")
    board.goto("/board/")
    _card(board, "waiting", noise_complaint.number).click()
    part = board.get_by_test_id("dispatch-panel").get_by_test_id("transfer-part")
    expect(part.get_by_test_id("transfer-department")).to_have_value(str(urban_management.pk))
    part.get_by_test_id("transfer-submit").click()
    expect(part.get_by_test_id("incident-transfer-row")).to_have_attribute("data-state", "pushed")
    transfer = Transfer.objects.for_stations([noise_complaint.station_id]).get(incident=noise_complaint)
    # The incident left the waiting column; the transfer is on the board's loops, with urban management.
    expect(_card(board, "waiting", noise_complaint.number)).to_have_count(0, timeout=WITHIN * 3)
    row = board.get_by_test_id("board-loops").locator(f'[data-testid="loop-row"][data-number="{transfer.number}"]')
    expect(row).to_contain_text(urban_management.name)

    context, outside = _new_context(browser, live_server, viewport={"width": 360, "height": 800}, is_mobile=True,
                                    has_touch=True)
    phone = context.new_page()
    try:
        log_in(phone, "xulan")
        item = phone.get_by_test_id("portal-item").filter(has_text=transfer.number)
        expect(item).to_have_attribute("data-state", "pushed")
        item.get_by_test_id("portal-item-link").click()
        phone.get_by_test_id("portal-submit-receive").click()
        main = phone.get_by_test_id("portal-item-main")
        expect(main).to_have_attribute("data-state", "received")

        phone.get_by_test_id("portal-open-extend").click()
        new_due = timezone.localtime(transfer.result_due + dt.timedelta(days=1))
        extend = phone.get_by_test_id("portal-action-extend")
        extend.locator("input[name=new_deadline]").fill(new_due.strftime("%Y-%m-%dT%H:%M"))
        extend.locator("textarea[name=reason]").fill("需协调小区物业到场")
        phone.get_by_test_id("portal-submit-extend").click()
        expect(main).to_have_attribute("data-state", "in_progress")

        phone.get_by_test_id("portal-open-report").click()
        phone.get_by_test_id("portal-action-report").locator("textarea[name=result]").fill("已约谈装修户，夜间停止施工")
        phone.get_by_test_id("portal-submit-report").click()
        expect(main).to_have_attribute("data-state", "result")
        assert outside.seen == []
    finally:
        context.close()

    # The result reached the board: now the command room owes the caller a call.
    expect(row).to_contain_text(zh(gettext_lazy("Command room")), timeout=WITHIN * 3)
    row.get_by_role("link").click()
    expect(board.get_by_test_id("transfer-main")).to_have_attribute("data-state", "result")
    expect(board.get_by_test_id("transfer-timeline")).to_contain_text("需协调小区物业到场")
    board.get_by_test_id("confirm-answer-satisfied").click()
    board.get_by_test_id("transfer-submit-confirm").click()
    expect(board.get_by_test_id("transfer-main")).to_have_attribute("data-state", "confirmed")
    screenshot(board, "transfer-confirmed-zh")

    board.get_by_test_id("incident-link").click()
    expect(board.get_by_test_id("incident-state")).to_have_text(zh(Incident.State.CLOSED.label))
    noise_complaint.refresh_from_db()
    assert noise_complaint.state == "closed"
    _end_live_streams()
