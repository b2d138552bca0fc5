"""The care registry's pages: only leaders and the person's beat see a flag."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.records.models import CareSubject, Resident

pytestmark = pytest.mark.django_db


def names_listed(response: Any) -> list[str]:
    body = response.content.decode()
    table = body.split('data-testid="care-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/records/residents/\d+/">([^<]+)</a>', table)


@pytest.mark.parametrize(("who", "sees"), [("li_na", True), ("liu_yang", True), ("chen_chen", True),
                                           ("sun_li", False), ("zhang_wei", False)])
def test_the_care_list_shows_a_flag_to_leaders_and_the_beat_only(client: Client, request: pytest.FixtureRequest,
                                                                 who: str, sees: bool, care_a: CareSubject) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("records:care_list"))
    assert response.status_code == 200
    assert names_listed(response) == (["王秀英"] if sees else [])


def test_an_officer_of_another_beat_sees_no_care_flag_on_the_persons_page(client: Client, sun_li: Any,
                                                                         care_a: CareSubject) -> None:
    client.force_login(sun_li)
    body = client.get(reverse("records:resident_detail", args=[care_a.resident_id])).content.decode()
    assert "王秀英" in body
    assert 'data-testid="care-chip"' not in body and care_a.get_reason_display() not in body


def test_an_officer_of_another_beat_gets_404_for_the_flag(client: Client, sun_li: Any, care_a: CareSubject) -> None:
    client.force_login(sun_li)
    assert client.get(reverse("records:care_edit", args=[care_a.pk])).status_code == 404


def test_the_beat_officer_flags_a_person_and_sees_it_on_the_page(client: Client, liu_yang: Any,
                                                                 wang_xiuying: Resident) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:care_new") + f"?resident={wang_xiuying.pk}", {
        "reason": "fraud_target", "officer": "", "review_on": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
        "started_on": dt.date.today().isoformat(), "notes": "独居老人，接到过冒充公检法电话",
    })
    assert response.status_code == 302
    flag = CareSubject.objects.for_user(liu_yang).get(resident=wang_xiuying)
    assert flag.officer_id == liu_yang.officer.pk and flag.beat_id == wang_xiuying.beat_id  # the beat's officer
    body = client.get(reverse("records:resident_detail", args=[wang_xiuying.pk])).content.decode()
    assert 'data-testid="care-chip"' in body


def test_a_second_open_flag_for_the_same_reason_is_refused_naming_the_reason(client: Client, liu_yang: Any,
                                                                             care_a: CareSubject) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:care_new") + f"?resident={care_a.resident_id}", {
        "reason": care_a.reason, "review_on": "2030-01-01"})
    assert response.status_code == 422 and 'data-field="reason"' in response.content.decode()


def test_ending_a_flag_keeps_it_on_record(client: Client, liu_yang: Any, care_a: CareSubject) -> None:
    client.force_login(liu_yang)
    response = client.post(reverse("records:care_edit", args=[care_a.pk]), {
        "reason": care_a.reason, "review_on": care_a.review_on.isoformat(), "started_on": care_a.started_on.isoformat(),
        "ended_on": dt.date.today().isoformat(), "notes": "已搬去女儿家"})
    assert response.status_code == 302
    care_a.refresh_from_db()
    assert care_a.ended_on == dt.date.today()
    assert names_listed(client.get(reverse("records:care_list"))) == []
    assert names_listed(client.get(reverse("records:care_list") + "?ended=on")) == ["王秀英"]


def test_flagging_starts_with_an_audited_search(client: Client, liu_yang: Any, wang_xiuying: Resident) -> None:
    from fengqiao.audit.models import AuditEntry

    client.force_login(liu_yang)
    body = client.get(reverse("records:care_new") + "?q=王秀").content.decode()
    assert f"?resident={wang_xiuying.pk}" in body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED, user=liu_yang).count() == 1
