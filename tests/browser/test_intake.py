"""The commander takes a call with the keyboard only, sees the suggestion and the beat before
saving, and finds the incident in the list; a second commander sees the edit lock."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from fengqiao.accounts.models import User
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Officer
from fengqiao.records.models import Address

from .conftest import _new_context, screenshot
from .test_home import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_station() -> None:
    call_command("demo", "--no-serve", "--seed", "7", "--days", "0", verbosity=0)


def test_a_call_is_taken_with_the_keyboard_only_and_found_in_the_list(page: Page, demo_station: None) -> None:
    address = Address.objects.unscoped("test").filter(station__code="NP", beat__isnull=False, room="").order_by("code").first()
    assert address is not None
    spoken = address.full_text.removeprefix(address.district).removeprefix(address.street)
    log_in(page, "commander")
    page.goto("/intake/")

    # The text box has the focus; everything from here on is typed.
    expect(page.locator("#id_text")).to_be_focused()
    page.keyboard.type("小区门口有两个人在打架，有一个人头上流血了")
    expect(page.get_by_test_id("suggested-category")).to_contain_text("打架")
    page.keyboard.press("Tab")
    expect(page.locator("#id_address_text")).to_be_focused()
    page.keyboard.type(spoken)
    first_option = page.locator("#address-options [role=option]").first
    expect(first_option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.locator("#id_address_text")).to_have_value(address.full_text)
    expect(page.get_by_test_id("matched-address")).to_contain_text(address.full_text)
    expect(page.get_by_test_id("beat")).to_contain_text(address.beat.name)
    page.keyboard.press("Tab")
    page.keyboard.type("13812345678")
    screenshot(page, "intake-zh")
    page.keyboard.press("Control+Enter")

    saved = page.get_by_test_id("saved-incident")
    expect(saved).to_be_visible()
    incident = Incident.objects.unscoped("test").get(station__code="NP", summary__contains="头上流血")
    expect(saved).to_contain_text(incident.number)
    assert incident.address_id == address.pk and incident.beat_id == address.beat_id
    assert incident.category.code == "public_order.fight"
    assert Call.objects.unscoped("test").get(incident=incident).caller_phone == "13812345678"
    # The form is ready for the next call.
    expect(page.locator("#id_text")).to_be_focused()
    expect(page.locator("#id_text")).to_have_value("")

    page.goto("/incidents/")
    row = page.get_by_test_id("incident-table").locator("tr", has_text=incident.number)
    expect(row).to_contain_text(address.beat.name)
    row.get_by_role("link", name=incident.number).click()
    expect(page.get_by_test_id("incident-number")).to_have_text(incident.number)
    expect(page.get_by_test_id("caller-phone")).to_have_text("138****5678")
    screenshot(page, "incident-zh")


def test_the_second_commander_sees_who_holds_the_edit_lock(page: Page, browser: Browser, live_server: object, demo_station: None) -> None:
    other = (
        Officer.objects.unscoped("test")
        .filter(station__code="NP", user__groups__name="commander").exclude(user__username="commander")
        .select_related("user").first()
    )
    assert other is not None and other.user is not None
    log_in(page, "commander")
    page.goto("/intake/")
    page.keyboard.type("楼上邻居半夜装修太吵了")
    page.keyboard.press("Control+Enter")
    page.get_by_test_id("saved-incident").click()
    page.get_by_test_id("edit-incident").click()
    expect(page.get_by_test_id("lock-banner")).to_be_visible()

    context, outside = _new_context(browser, live_server, viewport={"width": 1280, "height": 800})
    second = context.new_page()
    log_in(second, other.user.username)
    second.goto(page.url)
    holder = User.objects.get(username="commander").display_name
    expect(second.get_by_test_id("lock-banner")).to_contain_text(holder)
    expect(second.get_by_test_id("edit-incident")).to_have_count(0)
    screenshot(second, "incident-locked-zh")
    context.close()
    assert outside.seen == []
