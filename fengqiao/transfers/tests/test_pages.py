"""The station's transfer pages as the people of 南坪 use them: the incident page's part that
transfers in one step, the list, one transfer's page and the command room's moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.dispatch import services as dispatch
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Department
from fengqiao.transfers import services
from fengqiao.transfers.models import Transfer

from .conftest import CALLER_PHONE, fresh

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _incident_state(incident_id: int, station_id: int) -> str:
    return Incident.objects.for_stations([station_id]).get(pk=incident_id).state


# -- the incident's part --------------------------------------------------------------------------------


def test_zhang_wei_sees_the_routed_department_preselected_with_its_deadline(
        client: Client, noise_complaint: Incident, zhang_wei: Any, urban_management: Department) -> None:
    response = logged_in(client, zhang_wei).get(f"/transfers/incident/{noise_complaint.pk}/", **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="transfer-form"' in page and "南岸区城市管理局" in page
    assert f'<option value="{urban_management.pk}" selected>' in page
    assert response.context["route"].result_hours == 24 and 'data-testid="transfer-due"' in page
    assert "广场舞" in page and CALLER_PHONE not in page  # the description starts from the summary


def test_zhang_wei_transfers_the_incident_from_its_page(client: Client, noise_complaint: Incident, zhang_wei: Any,
                                                        hotline: Department) -> None:
    response = logged_in(client, zhang_wei).post(
        f"/transfers/incident/{noise_complaint.pk}/transfer/",
        {"department": str(hotline.pk), "description": "请热线转办广场舞噪音"}, **HTMX)
    assert response.status_code == 200
    transfer = Transfer.objects.for_stations([noise_complaint.station_id]).get(incident=noise_complaint)
    assert transfer.department == hotline and transfer.description == "请热线转办广场舞噪音"
    page = response.content.decode()
    assert transfer.number in page and 'data-testid="incident-transfer-row"' in page
    assert 'data-testid="transfer-form"' not in page  # one open transfer at a time
    assert _incident_state(noise_complaint.pk, noise_complaint.station_id) == "transferred"


def test_without_htmx_the_transfer_lands_on_its_page(client: Client, noise_complaint: Incident, zhang_wei: Any,
                                                     urban_management: Department) -> None:
    response = logged_in(client, zhang_wei).post(
        f"/transfers/incident/{noise_complaint.pk}/transfer/",
        {"department": str(urban_management.pk), "description": "请城管处理"})
    transfer = Transfer.objects.for_stations([noise_complaint.station_id]).get(incident=noise_complaint)
    assert response.status_code == 302 and response["Location"] == f"/transfers/{transfer.pk}/"


def test_a_transfer_with_orders_out_is_refused_with_409_saying_why(client: Client, noise_complaint: Incident,
                                                                    zhang_wei: Any, liu_yang: Any,
                                                                    urban_management: Department) -> None:
    dispatch.do_dispatch(noise_complaint, liu_yang.officer, user=zhang_wei)
    logged_in(client, zhang_wei)
    part = client.get(f"/transfers/incident/{noise_complaint.pk}/", **HTMX).content.decode()
    assert 'data-testid="transfer-orders-out"' in part
    response = client.post(f"/transfers/incident/{noise_complaint.pk}/transfer/",
                           {"department": str(urban_management.pk), "description": "请城管处理"}, **HTMX)
    assert response.status_code == 409 and 'data-testid="transfer-part-error"' in response.content.decode()


def test_an_empty_description_is_422_naming_the_field(client: Client, noise_complaint: Incident, zhang_wei: Any,
                                                      urban_management: Department) -> None:
    response = logged_in(client, zhang_wei).post(
        f"/transfers/incident/{noise_complaint.pk}/transfer/", {"department": str(urban_management.pk), "description": ""},
        **HTMX)
    assert response.status_code == 422 and response.context["form"].errors["description"]


def test_liu_yang_sees_the_transfers_but_may_not_transfer(client: Client, transfer_a: Transfer, liu_yang: Any,
                                                          urban_management: Department) -> None:
    logged_in(client, liu_yang)
    part = client.get(f"/transfers/incident/{transfer_a.incident_id}/", **HTMX)
    assert part.status_code == 200 and transfer_a.number in part.content.decode()
    assert "form" not in part.context
    response = client.post(f"/transfers/incident/{transfer_a.incident_id}/transfer/",
                           {"department": str(urban_management.pk), "description": "x"}, **HTMX)
    assert response.status_code == 403


def test_the_incident_s_dispatch_panel_loads_the_transfer_part(client: Client, noise_complaint: Incident,
                                                               zhang_wei: Any) -> None:
    panel = logged_in(client, zhang_wei).get(f"/board/incidents/{noise_complaint.pk}/", **HTMX).content.decode()
    assert f"/transfers/incident/{noise_complaint.pk}/" in panel


# -- the list ----------------------------------------------------------------------------------------------


def test_li_na_lists_the_open_transfers_with_overdue_ones_in_red(client: Client, transfer_a: Transfer,
                                                                li_na: Any) -> None:
    Transfer.objects.for_stations([transfer_a.station_id]).filter(pk=transfer_a.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=5))
    logged_in(client, li_na)
    response = client.get("/transfers/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and "南岸区城市管理局" in page and "噪音扰民" in page
    assert f'data-number="{transfer_a.number}"' in page and "overdue" in page
    assert [t.number for t in client.get("/transfers/?overdue=on").context["page"]] == [transfer_a.number]
    assert list(client.get("/transfers/?state=finished").context["page"]) == []
    assert [t.number for t in client.get(f"/transfers/?department={transfer_a.department_id}").context["page"]] == [
        transfer_a.number]


def test_the_list_shows_failed_sends(client: Client, transfer_a: Transfer, li_na: Any) -> None:
    Transfer.objects.for_stations([transfer_a.station_id]).filter(pk=transfer_a.pk).update(
        delivered_at=None, send_failures=3, send_attempts=3, last_send_error="HTTP 503")
    logged_in(client, li_na)
    page = client.get("/transfers/?failing=on").content.decode()
    assert 'data-testid="transfer-send-failures"' in page and transfer_a.number in page


# -- one transfer --------------------------------------------------------------------------------------------


def test_the_transfer_page_shows_the_matter_the_masked_caller_and_the_timeline(client: Client, transfer_a: Transfer,
                                                                               zhang_wei: Any) -> None:
    response = logged_in(client, zhang_wei).get(f"/transfers/{transfer_a.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "139****2222" in page and CALLER_PHONE not in page and "钱女士" in page
    assert 'data-testid="transfer-timeline"' in page and 'data-action="push"' in page
    assert f"/incidents/{transfer_a.incident_id}/" in page
    assert [action for action, _label, _form in response.context["actions"]] == ["chase", "withdraw"]
    assert AuditEntry.objects.filter(action="viewed_personal", object_type="transfers.transfer",
                                     object_id=str(transfer_a.pk), user=zhang_wei).exists()


def test_zhang_wei_confirms_with_the_caller_and_the_incident_closes(client: Client, transfer_a: Transfer,
                                                                    zhang_wei: Any, xu_lan: Any) -> None:
    services.do_report(services.do_receive(transfer_a, user=xu_lan), user=xu_lan, result="已处理")
    logged_in(client, zhang_wei)
    page = client.get(f"/transfers/{transfer_a.pk}/").content.decode()
    assert 'data-testid="confirm-answer-satisfied"' in page and 'data-testid="transfer-submit-confirm"' in page
    response = client.post(f"/transfers/{transfer_a.pk}/actions/confirm/", {"answer": "satisfied", "notes": "满意"}, **HTMX)
    assert response.status_code == 200 and 'data-testid="transfer-message"' in response.content.decode()
    assert fresh(transfer_a).state == "confirmed"
    assert _incident_state(transfer_a.incident_id, transfer_a.station_id) == "closed"


def test_a_dissatisfied_answer_without_notes_is_422_and_a_wrong_move_409(client: Client, transfer_a: Transfer,
                                                                         zhang_wei: Any, xu_lan: Any) -> None:
    logged_in(client, zhang_wei)
    wrong = client.post(f"/transfers/{transfer_a.pk}/actions/confirm/", {"answer": "satisfied"}, **HTMX)
    assert wrong.status_code == 409 and 'data-testid="transfer-error"' in wrong.content.decode()
    services.do_report(services.do_receive(transfer_a, user=xu_lan), user=xu_lan, result="已处理")
    missing = client.post(f"/transfers/{transfer_a.pk}/actions/confirm/", {"answer": "dissatisfied"}, **HTMX)
    assert missing.status_code == 422 and fresh(transfer_a).state == "result"
    assert client.post(f"/transfers/{transfer_a.pk}/actions/escalate/", {}, **HTMX).status_code == 404


def test_zhang_wei_chases_and_withdraws_from_the_page(client: Client, transfer_a: Transfer, zhang_wei: Any) -> None:
    logged_in(client, zhang_wei)
    chased = client.post(f"/transfers/{transfer_a.pk}/actions/chase/", {"notes": "请尽快签收"})
    assert chased.status_code == 302 and fresh(transfer_a).chases == 1
    withdrawn = client.post(f"/transfers/{transfer_a.pk}/actions/withdraw/", {"reason": "报警人已撤销"}, **HTMX)
    assert withdrawn.status_code == 200 and fresh(transfer_a).state == "withdrawn"
    assert _incident_state(transfer_a.incident_id, transfer_a.station_id) == "triaged"


def test_revealing_the_caller_needs_a_reason_and_the_permission(client: Client, transfer_a: Transfer, zhang_wei: Any,
                                                                liu_yang: Any) -> None:
    logged_in(client, zhang_wei)
    revealed = client.post(f"/transfers/{transfer_a.pk}/reveal/", {"reason": "回访报警人"})
    assert revealed.status_code == 200 and CALLER_PHONE in revealed.content.decode()
    assert client.post(f"/transfers/{transfer_a.pk}/reveal/", {"reason": ""}).status_code == 422
    other = Client()
    other.force_login(liu_yang)
    refused = other.post(f"/transfers/{transfer_a.pk}/reveal/", {"reason": "看看"})
    assert refused.status_code == 403 and CALLER_PHONE not in refused.content.decode()
    assert AuditEntry.objects.filter(action="revealed", object_id=str(transfer_a.pk), outcome="ok",
                                     user=zhang_wei).count() == 1


def test_the_board_lists_the_transfer_with_a_link_to_its_page(client: Client, transfer_a: Transfer, li_na: Any) -> None:
    Transfer.objects.for_stations([transfer_a.station_id]).filter(pk=transfer_a.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1))
    page = logged_in(client, li_na).get("/").content.decode()
    assert f"/transfers/{transfer_a.pk}/" in page
