# ruff: noqa: F811  (fixtures imported from the case tests are used as parameters)
"""In the browser: the commander accepts a theft as a case from the incident page, the chief
files it on the case's page, and a case officer reads his list on the phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fengqiao.cases.models import Case
from fengqiao.cases.tests.conftest import (  # noqa: F401  (fixtures)
    case_team,
    case_team_a,
    sun_li,
    theft_incident,
    wu_min,
    zheng_kai,
)
from fengqiao.intake.models import Incident
from fengqiao.intake.tests.conftest import addresses_a, receive  # noqa: F401  (fixtures)

from .conftest import screenshot
from .test_phone import log_in, no_sideways_scrolling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_theft_becomes_a_case_and_is_filed(page: Page, theft_incident: Incident, zhang_wei: Any, li_na: Any,  # noqa: F811
                                             case_team: list[Any]) -> None:
    log_in(page, "zhangwei")
    page.goto(f"/incidents/{theft_incident.pk}/")
    part = page.get_by_test_id("case-part")
    expect(part.get_by_test_id("accept-case-form")).to_be_visible()
    expect(part.locator("input[name=kind][value=criminal]")).to_be_checked()
    part.get_by_test_id("case-complexity").select_option("complex")
    expect(part.get_by_test_id("case-recommendation").locator("ul.reasons li")).to_have_count(4)  # lead, two assistants, leaders
    screenshot(page, "cases-accept-form")
    part.get_by_test_id("accept-case").click()
    expect(part.get_by_test_id("incident-case-link")).to_be_visible()
    case = Case.objects.for_stations([theft_incident.station_id]).get(incident=theft_incident)
    expect(part.get_by_test_id("incident-case-link")).to_have_text(case.number)

    page.context.clear_cookies()
    log_in(page, "lina")
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_test_id("case-state")).to_have_text(case.get_state_display())
    page.locator("#action-file summary").click()
    page.get_by_test_id("action-file").locator("input[name=note]").fill("经审查符合立案条件")
    page.get_by_test_id("action-file").locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-main")).to_have_attribute("data-state", "filed")
    expect(page.get_by_test_id("case-message")).to_be_visible()
    expect(page.get_by_test_id("case-log")).to_contain_text("经审查符合立案条件")
    screenshot(page, "cases-detail-filed")


def test_sun_li_reads_his_cases_on_the_phone(small_phone: Page, theft_incident: Incident, li_na: Any,
                                             sun_li: Any) -> None:
    from fengqiao.cases import services

    case = services.do_accept_case(theft_incident, user=li_na, kind="criminal", complexity="simple", lead=sun_li.officer)
    log_in(small_phone, "sunli")
    small_phone.goto("/cases/")
    expect(small_phone.get_by_test_id("case-row")).to_have_count(1)
    expect(small_phone.get_by_test_id("case-row")).to_contain_text(case.number)
    no_sideways_scrolling(small_phone)
    screenshot(small_phone, "cases-list-phone")
