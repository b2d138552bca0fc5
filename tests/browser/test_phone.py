"""刘洋 on his phone (360×800): the order sent to him appears by itself; he acknowledges, arrives,
gives feedback, and the follow-up visit appears in his list; he reports his position."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from fengqiao.core import events
from fengqiao.core.testing import PASSWORD
from fengqiao.dispatch import services
from fengqiao.dispatch.models import Dispatch, Feedback, FollowUp, Supervision
from fengqiao.dispatch.tests.conftest import noise_incident  # noqa: F401  (fixture)
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)
from fengqiao.organisation.models import Officer

from .conftest import _new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where 刘洋 stands: inside beat A.
STAIRWELL = {"latitude": 29.5322, "longitude": 106.5623}


@pytest.fixture
def phone(browser: Browser, live_server: object) -> Iterator[Page]:
    """A phone-sized page (360×800, touch) that may use its position; fails on outside requests and JS errors."""
    context, outside = _new_context(
        browser, live_server, viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True,
        geolocation=STAIRWELL, permissions=["geolocation"],
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    _end_live_streams()
    assert outside.seen == [], f"pages requested addresses outside the test server: {outside.seen}"
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _end_live_streams(wait: float = 5.0) -> None:
    """End the event streams the closed page left on the live server: a stream notices a gone
    browser only at its next heartbeat, and until then its thread (and the listener) hold
    database sessions, which PostgreSQL will not drop the test database under."""
    events.close_all(wait)


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名或警号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def no_sideways_scrolling(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px screen"


def zh(text: Any) -> str:
    with translation.override("zh-hans"):
        return str(text)


def test_the_officer_works_an_order_on_the_phone(phone: Page, noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:  # noqa: F811
    log_in(phone, "liuyang")
    phone.goto("/m/")
    expect(phone.get_by_test_id("no-orders")).to_be_visible()
    expect(phone.get_by_test_id("live-state")).to_have_attribute("data-state", "live")

    # The command room dispatches: the card appears without a reload, highlighted.
    order = services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    card = phone.get_by_test_id("order-card").filter(has_text=noise_incident.number)
    expect(card).to_be_visible(timeout=5000)
    expect(card).to_have_class(re.compile(r"\bis-new\b"))
    expect(card.get_by_test_id("countdown")).to_contain_text(":")
    no_sideways_scrolling(phone)
    screenshot(phone, "phone-new-order-zh")

    card.get_by_test_id("step-acknowledge").tap()
    expect(card).to_have_attribute("data-state", "acknowledged")
    expect(card.get_by_test_id("order-state")).to_have_text(zh(Dispatch.State.ACKNOWLEDGED.label))
    card.get_by_test_id("step-arrive").tap()
    expect(card).to_have_attribute("data-state", "on_scene")

    card.get_by_test_id("step-feedback").tap()
    form = card.get_by_test_id("feedback-form")
    expect(form).to_be_visible()
    no_sideways_scrolling(phone)
    # Sent empty, it says what is missing next to the fields, and nothing is saved.
    form.get_by_test_id("fb-submit").tap()
    expect(card.get_by_test_id("error-disposition")).to_be_visible()
    expect(card.get_by_test_id("error-actions")).to_be_visible()
    assert not Feedback.objects.for_stations([order.station_id]).exists()

    form = card.get_by_test_id("feedback-form")
    form.get_by_test_id("fb-disposition").select_option("mediated")
    form.get_by_test_id("fb-actions").fill("双方当面调解，约定晚十点后停止施工")
    form.locator("input[name=person_name]").first.fill("王某")
    form.locator("input[name=person_role]").first.fill("楼上住户")
    form.get_by_test_id("add-person").tap()
    form.locator("input[name=person_name]").nth(1).fill("李某")
    expect(form.get_by_test_id("fb-resolves")).to_be_checked()
    screenshot(phone, "phone-feedback-zh")
    form.get_by_test_id("fb-submit").tap()

    expect(card).to_have_attribute("data-state", "reported")
    expect(card.get_by_test_id("order-state")).to_have_text(zh(Dispatch.State.REPORTED.label))
    report = Feedback.objects.for_stations([order.station_id]).get(dispatch=order)
    assert report.people == [{"name": "王某", "role": "楼上住户"}, {"name": "李某", "role": ""}]
    # The dispute is resolved, and its follow-up call shows up in 我的回访 by itself.
    follow_up = FollowUp.objects.for_stations([order.station_id]).get(incident=noise_incident)
    expect(phone.locator(f'[data-follow-up-id="{follow_up.pk}"]')).to_be_visible(timeout=5000)
    no_sideways_scrolling(phone)
    screenshot(phone, "phone-zh")

    # Two days later the caller is not satisfied: a supervision order, and a home visit is due.
    answer = phone.locator(f'[data-follow-up-id="{follow_up.pk}"]')
    answer.get_by_test_id("follow-up-open").tap()
    answer.get_by_test_id("outcome-dissatisfied").check()
    answer.locator("textarea[name=notes]").fill("报警人反映晚上仍在施工")
    screenshot(phone, "phone-follow-up-zh")
    answer.get_by_test_id("follow-up-submit").tap()
    expect(phone.get_by_test_id("follow-up-message")).to_be_visible()
    assert Supervision.objects.for_stations([order.station_id]).filter(follow_up=follow_up).exists()
    home_visit = FollowUp.objects.for_stations([order.station_id]).get(incident=noise_incident, state=FollowUp.State.DUE)
    expect(phone.locator(f'[data-follow-up-id="{home_visit.pk}"]')).to_contain_text(zh(FollowUp.Level.HOME_VISIT.label))

    # The order page: its stamps, the incident, and what the station knows about the place.
    card.get_by_test_id("order-number").tap()
    expect(phone.get_by_test_id("stamps")).to_be_visible()
    expect(phone.get_by_test_id("context-pack")).to_be_visible()
    expect(phone.get_by_test_id("feedback-report")).to_contain_text("王某")
    no_sideways_scrolling(phone)
    screenshot(phone, "phone-order-zh")


def test_the_officer_reports_the_position_and_goes_on_standby(phone: Page, liu_yang: Any) -> None:
    log_in(phone, "liuyang")
    phone.goto("/m/")

    phone.get_by_test_id("report-position").tap()

    expect(phone.get_by_test_id("me-message")).to_be_visible()
    officer = Officer.objects.for_stations([liu_yang.officer.station_id]).get(pk=liu_yang.officer.pk)
    assert (round(officer.latitude, 4), round(officer.longitude, 4)) == (STAIRWELL["latitude"], STAIRWELL["longitude"])
    expect(phone.get_by_test_id("position-time")).not_to_contain_text(zh("No position reported yet."))

    phone.get_by_test_id("duty-standby").tap()
    expect(phone.get_by_test_id("duty-standby")).to_have_attribute("aria-pressed", "true")
    expect(phone.get_by_test_id("duty-chip")).to_have_text(zh(Officer.DutyStatus.STANDBY.label))
    assert Officer.objects.for_stations([officer.station_id]).get(pk=officer.pk).duty_status == Officer.DutyStatus.STANDBY
    no_sideways_scrolling(phone)
