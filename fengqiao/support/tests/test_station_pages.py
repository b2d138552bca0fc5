"""The station's support pages, the incident's part, and the sub-bureau's view of all its stations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.core.testing import Change, StationIsolationTests
from fengqiao.intake.models import Incident
from fengqiao.support import machine, services
from fengqiao.support.models import SupportRequest, Unit

from .conftest import ask, fresh

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def overdue(request: SupportRequest) -> None:
    SupportRequest.objects.for_stations([request.station_id]).filter(pk=request.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=5))


# -- the list --------------------------------------------------------------------------------------------


def test_zhang_wei_sees_his_stations_requests_only(zhang_wei: Any, asked: SupportRequest, asked_b: SupportRequest) -> None:
    answer = logged_in(zhang_wei).get("/support/")
    page = answer.content.decode()
    assert answer.status_code == 200 and 'lang="zh-hans"' in page
    assert f'data-number="{asked.number}" data-station="NP"' in page
    assert 'data-station="HTX"' not in page
    assert 'data-testid="support-station"' not in page  # one station: no station column
    assert "刑侦大队" in page


def test_the_list_filters_by_state_unit_and_overdue(zhang_wei: Any, ma_jun: Any, theft_incident: Incident, xingzhen: Unit,
                                                    wangan: Unit, asked: SupportRequest) -> None:
    second = ask(theft_incident, zhang_wei, wangan, need=SupportRequest.Need.TRACE)
    services.do_decline(asked, user=ma_jun, reason="无法支援")
    client = logged_in(zhang_wei)

    def numbers(query: str) -> set[str]:
        page = client.get(f"/support/?{query}").content.decode()
        return {number for number in (asked.number, second.number) if f'data-number="{number}"' in page}

    assert numbers("") == {asked.number, second.number}
    assert numbers("state=declined") == {asked.number}
    assert numbers(f"unit={wangan.pk}") == {second.number}
    assert numbers("overdue=on") == set()
    overdue(second)
    assert numbers("overdue=on") == {second.number}
    services.do_cancel(second, user=zhang_wei, reason="不需要了")
    assert numbers("state=open") == {asked.number}
    assert numbers("state=all") == {asked.number, second.number}


def test_zhou_jie_sees_both_stations_with_the_overdue_at_the_top(zhou_jie: Any, asked: SupportRequest, asked_b: SupportRequest) -> None:
    overdue(asked_b)
    page = logged_in(zhou_jie).get("/support/").content.decode()
    assert 'data-testid="support-station"' in page and "南坪派出所" in page and "海棠溪派出所" in page
    assert page.index(f'data-number="{asked_b.number}" data-station="HTX"') < page.index(f'data-number="{asked.number}" data-station="NP"')
    assert 'data-testid="support-overdue-total"' in page
    only_b = logged_in(zhou_jie).get("/support/?station=HTX").content.decode()
    assert 'data-station="HTX"' in only_b and 'data-station="NP"' not in only_b


def test_a_unit_member_has_no_station_list(ma_jun: Any, asked: SupportRequest) -> None:
    assert logged_in(ma_jun).get("/support/").status_code == 403
    assert logged_in(ma_jun).get(f"/support/{asked.pk}/").status_code == 403


# -- one request ------------------------------------------------------------------------------------------


def test_the_request_page_shows_the_timeline_and_links_back(zhang_wei: Any, ma_jun: Any, asked: SupportRequest) -> None:
    services.do_accept(asked, user=ma_jun, notes="马上调取")
    page = logged_in(zhang_wei).get(f"/support/{asked.pk}/").content.decode()
    assert asked.number in page and "马骏" in page and "马上调取" in page
    assert f'href="/incidents/{asked.incident_id}/"' in page
    assert page.count('data-testid="support-update"') == 2
    assert "138****5678" in page and "13812345678" not in page
    assert 'data-testid="support-action-chase"' in page and 'data-testid="support-action-cancel"' in page
    assert 'data-testid="support-action-reroute"' not in page


def test_zhang_wei_chases_and_cancels_with_htmx(zhang_wei: Any, asked: SupportRequest) -> None:
    client = logged_in(zhang_wei)
    chased = client.post(f"/support/{asked.pk}/chase/", HTTP_HX_REQUEST="true")
    assert chased.status_code == 200 and 'data-testid="support-message"' in chased.content.decode()
    assert 'data-testid="support-chased"' in chased.content.decode()
    assert fresh(asked).chases == 1
    empty = client.post(f"/support/{asked.pk}/cancel/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 422
    done = client.post(f"/support/{asked.pk}/cancel/", {"reason": "嫌疑人已抓获"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and fresh(asked).state == machine.CANCELLED
    again = client.post(f"/support/{asked.pk}/chase/", HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and 'data-testid="support-error"' in again.content.decode()


def test_a_declined_request_is_rerouted_from_its_page(zhang_wei: Any, ma_jun: Any, asked: SupportRequest, wangan: Unit) -> None:
    services.do_decline(asked, user=ma_jun, reason="不属于本队职责")
    client = logged_in(zhang_wei)
    page = client.get(f"/support/{asked.pk}/").content.decode()
    assert 'data-testid="support-action-reroute"' in page and "不属于本队职责" in page
    later = timezone.localtime(timezone.now() + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(f"/support/{asked.pk}/reroute/", {"unit": str(wangan.pk), "needed_by": later})
    assert answer.status_code == 302 and answer["Location"] == f"/support/{asked.pk}/"
    row = fresh(asked)
    assert row.state == machine.REQUESTED and row.unit == wangan


def test_the_bureau_sees_a_request_but_has_no_moves(zhou_jie: Any, asked: SupportRequest) -> None:
    client = logged_in(zhou_jie)
    page = client.get(f"/support/{asked.pk}/").content.decode()
    assert 'data-testid="support-no-actions"' in page
    assert client.post(f"/support/{asked.pk}/chase/", HTTP_HX_REQUEST="true").status_code == 409
    assert fresh(asked).chases == 0


# -- the incident's part -------------------------------------------------------------------------------------------


def test_the_incident_page_loads_the_support_part(zhang_wei: Any, theft_incident: Incident) -> None:
    # The command room sees it in the incident's dispatch panel (which the incident page loads).
    panel = logged_in(zhang_wei).get(reverse("dispatch:panel", args=[theft_incident.pk])).content.decode()
    assert f'hx-get="/support/incident/{theft_incident.pk}/"' in panel


def test_the_part_offers_zhang_wei_the_form_with_sensible_defaults(zhang_wei: Any, theft_incident: Incident, xingzhen: Unit,
                                                                  unit_elsewhere: Unit) -> None:
    page = logged_in(zhang_wei).get(f"/support/incident/{theft_incident.pk}/").content.decode()
    assert 'data-testid="ask-unit-form"' in page
    assert "刑侦大队" in page and "渝中交巡警支队" not in page
    assert f'value="{theft_incident.address_text}"' in page
    assert f'<option value="{zhang_wei.officer.pk}" selected>' in page
    assert 'type="datetime-local"' in page


def test_zhang_wei_asks_from_the_incident_with_htmx(zhang_wei: Any, theft_incident: Incident, xingzhen: Unit) -> None:
    client = logged_in(zhang_wei)
    needed = timezone.localtime(timezone.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"unit": str(xingzhen.pk), "need": "video", "details": "调取监控", "people": "2", "needed_by": needed,
            "place": "南坪西路18号", "contact": str(zhang_wei.officer.pk)}
    wrong = client.post(f"/support/incident/{theft_incident.pk}/new/", {**data, "details": ""}, HTTP_HX_REQUEST="true")
    assert wrong.status_code == 422 and 'role="alert"' in wrong.content.decode()
    answer = client.post(f"/support/incident/{theft_incident.pk}/new/", data, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    page = answer.content.decode()
    request = SupportRequest.objects.for_stations([theft_incident.station_id]).get(incident=theft_incident)
    assert 'data-testid="support-part-message"' in page and f'data-number="{request.number}"' in page
    assert request.people == 2 and request.unit == xingzhen and request.requested_by == zhang_wei


def test_asking_without_htmx_goes_to_the_new_request(zhang_wei: Any, theft_incident: Incident, xingzhen: Unit) -> None:
    needed = timezone.localtime(timezone.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    answer = logged_in(zhang_wei).post(f"/support/incident/{theft_incident.pk}/new/", {
        "unit": str(xingzhen.pk), "need": "scene", "details": "现场勘查", "people": "1", "needed_by": needed,
        "place": "南坪西路18号", "contact": str(zhang_wei.officer.pk)})
    request = SupportRequest.objects.for_stations([theft_incident.station_id]).get(incident=theft_incident)
    assert answer.status_code == 302 and answer["Location"] == f"/support/{request.pk}/"


def test_liu_yang_sees_the_requests_but_no_form(liu_yang: Any, asked: SupportRequest) -> None:
    page = logged_in(liu_yang).get(f"/support/incident/{asked.incident_id}/").content.decode()
    assert f'data-number="{asked.number}"' in page and 'data-testid="ask-unit-form"' not in page
    assert logged_in(liu_yang).post(f"/support/incident/{asked.incident_id}/new/", {}).status_code == 403


# -- isolation: 海棠溪 gets 404 for everything of 南坪 ---------------------------------------------------------------


class TestSupportPagesKeepToTheirStation(StationIsolationTests):
    object_fixture = "asked"
    person_of_station_a = "zhang_wei"
    person_of_station_b = "wang_qiang"
    urls = ("/support/{pk}/", "/api/v1/support-requests/{pk}")
    changes = (
        Change("post", "/support/{pk}/chase/", {}, 302),
        Change("post", "/api/v1/support-requests/{pk}/chase", {}, 200),
        Change("post", "/support/{pk}/cancel/", {"reason": "不需要了"}, 302),
        Change("post", "/api/v1/support-requests/{pk}/cancel", {"reason": "不需要了"}, 409),
    )


class TestTheIncidentsSupportPartKeepsToItsStation(StationIsolationTests):
    object_fixture = "theft_incident"
    person_of_station_a = "zhang_wei"
    person_of_station_b = "wang_qiang"
    urls = ("/support/incident/{pk}/",)
    changes = (
        Change("post", "/support/incident/{pk}/new/", {"unit": "", "details": ""}, 422),
        Change("post", "/api/v1/incidents/{pk}/support-requests", {"unit_id": 0, "need": "video", "details": "x",
                                                                    "needed_by": "2030-01-01T10:00:00"}, 422),
    )


def test_the_request_page_links_to_the_case(zhang_wei: Any, sun_li: Any, theft_incident: Incident, xingzhen: Unit) -> None:
    case = Case.objects.create(station=theft_incident.station, number="NPXS20260001", incident=theft_incident, kind="criminal",
                               category_id=theft_incident.category_id, title="电动车被盗", lead=sun_li.officer,
                               accepted_at=timezone.now())
    request = ask(theft_incident, zhang_wei, xingzhen)
    page = logged_in(zhang_wei).get(f"/support/{request.pk}/").content.decode()
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in page and "NPXS20260001" in page
