"""刘洋, the community officer, on his phone in a stairwell (360×800): he opens a house, sees
its residents masked, reveals one with a reason, logs a visit, and opens a dispute."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fengqiao.audit.models import AuditEntry
from fengqiao.community.models import Dispute, Visit
from fengqiao.records.models import House, Resident
from fengqiao.records.tests.conftest import (  # noqa: F401  (fixtures)
    NUMBER_A,
    PHONE_A,
    addresses_a,
    flat_a,
    house_a,
    make_resident,
    wang_xiuying,
)

from .conftest import screenshot
from .test_phone import log_in, no_sideways_scrolling, phone  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_community_officer_works_a_house_on_his_phone(
        phone: Page, house_a: House, wang_xiuying: Resident, make_resident: Any, liu_yang: Any) -> None:  # noqa: F811
    tenant = make_resident("李建华", address=house_a.address, born=dt.date(1992, 7, 1), sex="M",
                           phone="13700001111", relation=Resident.Relation.TENANT)
    log_in(phone, "liuyang")

    # The house: both residents, their numbers masked.
    phone.goto(f"/records/houses/{house_a.pk}/")
    cards = phone.get_by_test_id("person-card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="王秀英")).to_contain_text(NUMBER_A[:6] + "********" + NUMBER_A[-4:])
    expect(cards.filter(has_text="李建华")).to_contain_text("137****1111")
    page_text = phone.content()
    assert NUMBER_A not in page_text and PHONE_A not in page_text and tenant.phone not in page_text
    no_sideways_scrolling(phone)
    screenshot(phone, "records-house-phone")

    # Reveal 王秀英's numbers, with a reason: one audit row says who, whom and why.
    cards.filter(has_text="王秀英").get_by_role("link", name="王秀英").click()
    phone.get_by_test_id("reveal-form").locator("input[name=reason]").fill("上门核实身份")
    phone.get_by_test_id("reveal-form").get_by_role("button").click()
    expect(phone.get_by_test_id("revealed-id-number")).to_have_text(NUMBER_A)
    expect(phone.get_by_test_id("revealed-phone")).to_have_text(PHONE_A)
    reveals = AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED, object_id=str(wang_xiuying.pk))
    assert [(row.user_id, row.reason) for row in reveals] == [(liu_yang.pk, "上门核实身份")]

    # Log a visit from the house page: anti-fraud publicity, 王秀英 met.
    phone.goto(f"/records/houses/{house_a.pk}/")
    phone.get_by_test_id("log-visit").click()
    phone.get_by_test_id("purpose").locator("input[value=anti_fraud]").check()
    phone.get_by_test_id("people").locator(f"input[value='{wang_xiuying.pk}']").check()
    phone.locator("textarea[name=findings]").fill("讲解冒充公检法诈骗手法，老人表示接到过可疑电话，已提醒不要转账。")
    phone.get_by_test_id("save-visit").click()
    expect(phone.locator("body")).to_contain_text("讲解冒充公检法诈骗手法")
    visit = Visit.objects.for_stations([house_a.station_id]).get()
    assert (visit.address_id, visit.officer.user_id, visit.purpose) == (house_a.address_id, liu_yang.pk, "anti_fraud")
    assert list(visit.residents.values_list("pk", flat=True)) == [wang_xiuying.pk]

    # Open a dispute at the same address.
    phone.goto(f"/records/houses/{house_a.pk}/")
    phone.get_by_test_id("open-dispute").click()
    phone.locator("select[name=kind]").select_option("property")
    phone.locator("textarea[name=summary]").fill("租客李建华与房东因押金退还发生争执。")
    phone.get_by_test_id("save-dispute").click()
    dispute = Dispute.objects.for_stations([house_a.station_id]).get()
    expect(phone.locator("body")).to_contain_text(dispute.number)
    assert (dispute.address_id, dispute.kind, dispute.outcome) == (house_a.address_id, "property", Dispute.Outcome.OPEN)
    no_sideways_scrolling(phone)
    screenshot(phone, "records-dispute-phone")
