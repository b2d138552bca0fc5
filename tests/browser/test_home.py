"""The demo commander logs in, sees the station in Chinese with its beats drawn, switches to English."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from fengqiao.organisation.models import Beat, Officer

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_station() -> None:
    call_command("demo", "--no-serve", "--seed", "7", "--days", "0", verbosity=0)


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名或警号").fill(username)
    page.get_by_label("密码").fill(settings.FENGQIAO_DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_demo_commander_sees_the_station_in_chinese_with_its_beats(page: Page, demo_station: None) -> None:
    log_in(page, "commander")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("station-name")).to_have_text(re.compile("派出所"))
    expect(page.get_by_text("当前在岗")).to_be_visible()
    expect(page.get_by_text("指挥室值班员").first).to_be_visible()

    station_beats = Beat.objects.unscoped("test").filter(station__officers__user__username="commander").count()
    assert 7 <= station_beats <= 12
    # Leaflet draws one interactive path per beat polygon, and a label per beat.
    expect(page.locator("#beat-map path.leaflet-interactive:not(.officer-dot)")).to_have_count(station_beats)
    expect(page.locator("#beat-map .beat-label")).to_have_count(station_beats)
    placed_on_duty = Officer.objects.unscoped("test").filter(
        station__officers__user__username="commander", duty_status__in=Officer.ON_DUTY_STATUSES,
        latitude__isnull=False,
    ).count()
    assert placed_on_duty > 0
    expect(page.locator("#beat-map path.officer-dot")).to_have_count(placed_on_duty)
    screenshot(page, "home-zh")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("On duty now")).to_be_visible()
    expect(page.locator("#beat-map path.leaflet-interactive:not(.officer-dot)")).to_have_count(station_beats)
    screenshot(page, "home-en")


def test_wrong_password_is_refused_in_chinese(page: Page, demo_station: None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名或警号").fill("commander")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码不正确。")
