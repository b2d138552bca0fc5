"""The command board and the officer's phone, side by side: the commander dispatches from the
board; 刘洋 acknowledges, arrives and reports on his phone; the board shows each step within
one second without a reload; the incident resolves and its follow-up reaches his list."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from fengqiao.dispatch.models import FollowUp
from fengqiao.dispatch.tests.conftest import he_ping, noise_incident  # noqa: F401  (fixtures)
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)

from .conftest import _new_context, screenshot
from .test_phone import _end_live_streams, log_in, phone, zh  # noqa: F401  (phone: fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITHIN = 1000  # ms: every open board shows a change within one second of its commit


def _card(board: Page, column: str, number: str) -> Any:
    return board.get_by_test_id(f"column-{column}").get_by_test_id("incident-card").filter(has_text=number)


def test_the_board_follows_an_order_from_dispatch_to_resolution(
    page: Page, phone: Page, noise_incident: Incident, zhang_wei: Any, liu_yang: Any, he_ping: Any,  # noqa: F811
) -> None:
    board = page
    number = noise_incident.number
    log_in(board, "zhangwei")
    board.goto("/board/")
    expect(board.get_by_test_id("live-state")).to_have_attribute("data-state", "live")
    waiting = _card(board, "waiting", number)
    expect(waiting).to_be_visible()

    # The commander opens the incident: 刘洋 owns the beat and comes first, with his reasons.
    waiting.click()
    panel = board.get_by_test_id("dispatch-panel")
    first = panel.get_by_test_id("candidate").first
    expect(first).to_contain_text("刘洋")
    expect(first.locator(".reasons li").first).not_to_be_empty()
    first.get_by_test_id("dispatch-button").click()
    expect(panel.get_by_test_id("panel-message")).to_be_visible()
    expect(_card(board, "dispatched", number)).to_be_visible(timeout=WITHIN)
    screenshot(board, "board-dispatched-zh")

    # 刘洋's phone: the order is there; each tap shows on the board within a second.
    log_in(phone, "liuyang")
    phone.goto("/m/")
    card = phone.get_by_test_id("order-card").filter(has_text=number)
    expect(card).to_be_visible()
    expect(phone.get_by_test_id("live-state")).to_have_attribute("data-state", "live")

    card.get_by_test_id("step-acknowledge").tap()
    expect(card).to_have_attribute("data-state", "acknowledged")
    expect(_card(board, "acknowledged", number)).to_be_visible(timeout=WITHIN)
    expect(_card(board, "acknowledged", number).get_by_test_id("order-chip")).to_have_attribute("data-state", "acknowledged")

    card.get_by_test_id("step-arrive").tap()
    expect(card).to_have_attribute("data-state", "on_scene")
    expect(_card(board, "on_scene", number)).to_be_visible(timeout=WITHIN)
    # The open panel follows too.
    expect(panel.get_by_test_id("panel-order").first).to_have_attribute("data-state", "on_scene", timeout=WITHIN)

    card.get_by_test_id("step-feedback").tap()
    form = card.get_by_test_id("feedback-form")
    form.get_by_test_id("fb-disposition").select_option("mediated")
    form.get_by_test_id("fb-actions").fill("双方当面调解，约定晚十点后停止施工")
    started = time.monotonic()
    form.get_by_test_id("fb-submit").tap()
    expect(card).to_have_attribute("data-state", "reported")
    # Resolved: it leaves the board's open columns.
    expect(board.get_by_test_id("incident-card").filter(has_text=number)).to_have_count(0, timeout=WITHIN)
    assert time.monotonic() - started < 5
    expect(panel.get_by_test_id("panel-state")).to_have_text(zh(Incident.State.RESOLVED.label), timeout=WITHIN)
    screenshot(board, "board-zh")

    # The follow-up visit is in 刘洋's list.
    follow_up = FollowUp.objects.for_stations([noise_incident.station_id]).get(incident=noise_incident)
    expect(phone.locator(f'[data-follow-up-id="{follow_up.pk}"]')).to_be_visible(timeout=5000)


def test_a_second_commander_dispatching_the_same_incident_is_told_who_went(
    page: Page, phone: Page, browser: Browser, live_server: object, noise_incident: Incident, zhang_wei: Any,  # noqa: F811
    li_na: Any,
    liu_yang: Any, he_ping: Any,  # noqa: F811
) -> None:
    log_in(page, "zhangwei")
    page.goto("/board/")
    context, _outside = _new_context(browser, live_server, viewport={"width": 1440, "height": 900})
    other = context.new_page()
    try:
        log_in(other, "lina")
        other.goto("/board/")
        for board in (page, other):
            _card(board, "waiting", noise_incident.number).click()
            expect(board.get_by_test_id("candidate").first).to_be_visible()

        # The race under test: 李娜 presses before her panel has heard of 张伟's order. Under
        # load her panel's background refresh could come first (then it simply shows the
        # order), so it is held back until she has pressed.
        def hold_background_refresh(route: Route) -> None:
            if route.request.headers.get("x-fengqiao-background") == "1":
                route.abort()
            else:
                route.continue_()

        other.route("**/board/incidents/*/", hold_background_refresh)
        page.get_by_test_id("candidate").first.get_by_test_id("dispatch-button").click()
        expect(page.get_by_test_id("panel-message")).to_be_visible()
        # 李娜's panel still offered the dispatch when she opened it; now she presses it.
        other.get_by_test_id("candidate").first.get_by_test_id("dispatch-button").click()
        error = other.get_by_test_id("panel-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("刘洋")
        other.unroute("**/board/incidents/*/", hold_background_refresh)
        # 刘洋 acknowledges on his phone meanwhile: 李娜's panel follows, and still tells her who went.
        log_in(phone, "liuyang")
        phone.goto("/m/")
        phone.get_by_test_id("order-card").filter(has_text=noise_incident.number).get_by_test_id("step-acknowledge").tap()
        expect(other.get_by_test_id("panel-order").first).to_have_attribute("data-state", "acknowledged", timeout=3000)
        expect(other.get_by_test_id("panel-error")).to_contain_text("刘洋")
    finally:
        context.close()
        _end_live_streams()
