"""The officer's phone page (警务通): my orders only, one tap per step, feedback, follow-ups, my status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.dispatch import services
from fengqiao.dispatch.models import Dispatch, Feedback, FollowUp, Satisfaction, Supervision
from fengqiao.dispatch.services import FeedbackData
from fengqiao.intake import services as intake_services
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _order(order: Dispatch) -> Dispatch:
    return Dispatch.objects.for_stations([order.station_id]).get(pk=order.pk)


def _officer(user: Any) -> Officer:
    return Officer.objects.for_stations([user.officer.station_id]).get(pk=user.officer.pk)


@pytest.fixture
def my_order(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> Dispatch:
    """The noise dispute in beat A, dispatched to 刘洋."""
    return services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)


@pytest.fixture
def his_order(receive: Any, zhang_wei: Any, he_ping: Any) -> Dispatch:
    """Another dispute of 南坪, dispatched to 何平."""
    receipt = receive("江南大道8号有老人走失，家属请求帮助寻找", user=zhang_wei, address_text="江南大道8号1栋")
    incident = Incident.objects.for_stations([receipt.incident.station_id]).get(pk=receipt.incident.pk)
    return services.do_dispatch(incident, he_ping.officer, user=zhang_wei)


@pytest.fixture
def their_order(station_b: Any, wang_qiang: Any) -> Dispatch:
    """An order of 海棠溪 (station B)."""
    data = intake_services.CallData(source="phone", text="海棠溪正街有人吵架", received_at=timezone.now())
    incident = intake_services.receive_call(station_b, data, user=wang_qiang).incident
    return services.do_dispatch(incident, wang_qiang.officer, user=wang_qiang)


@pytest.fixture
def officer_client(client: Client, liu_yang: Any) -> Client:
    client.force_login(liu_yang)
    return client


def _on_scene(order: Dispatch, user: Any) -> Dispatch:
    order = services.do_acknowledge(order, user=user)
    return services.do_arrive(order, user=user)


def _reported(order: Dispatch, user: Any) -> Dispatch:
    order = _on_scene(order, user)
    services.do_feedback(order, FeedbackData(disposition="mediated", actions="当面调解，双方同意晚十点后停工"), user=user)
    return _order(order)


# -- the list -------------------------------------------------------------------------------------


def test_the_officer_sees_only_their_own_orders(officer_client: Client, my_order: Dispatch, his_order: Dispatch) -> None:
    page = officer_client.get("/m/")

    assert page.status_code == 200
    text = page.content.decode()
    assert my_order.incident.number in text
    assert his_order.incident.number not in text
    assert 'data-testid="step-acknowledge"' in text
    assert f'data-alert-at="{_order(my_order).alert_at.isoformat(timespec="seconds")}"' in text
    assert f'data-officer="{my_order.officer_id}"' in text


def test_the_list_fragment_carries_its_version_so_the_page_skips_empty_refreshes(officer_client: Client, my_order: Dispatch) -> None:
    first = officer_client.get("/m/part/orders/", **HTMX)
    again = officer_client.get("/m/part/orders/", **HTMX)
    assert first["X-Fengqiao-Version-orders"] == again["X-Fengqiao-Version-orders"]

    officer_client.post(f"/m/orders/{my_order.pk}/acknowledge/", **HTMX)

    assert officer_client.get("/m/part/orders/", **HTMX)["X-Fengqiao-Version-orders"] != first["X-Fengqiao-Version-orders"]


def test_a_user_without_an_officer_record_is_told_the_page_is_for_officers(client: Client, zhou_jie: Any) -> None:
    client.force_login(zhou_jie)

    page = client.get("/m/")

    assert page.status_code == 403
    assert 'data-testid="not-officer"' in page.content.decode()
    assert client.post("/m/me/position/", {"lat": "29.53", "lon": "106.56"}).status_code == 403


def test_the_page_needs_a_login(client: Client) -> None:
    page = client.get("/m/")

    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


# -- the steps ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("before, action, after", [
    ([], "acknowledge", Dispatch.State.ACKNOWLEDGED),
    (["acknowledge"], "depart", Dispatch.State.DEPARTED),
    (["acknowledge", "depart"], "arrive", Dispatch.State.ON_SCENE),
    (["acknowledge"], "arrive", Dispatch.State.ON_SCENE),
])
def test_each_step_button_moves_the_order(officer_client: Client, my_order: Dispatch, liu_yang: Any,
                                         before: list[str], action: str, after: str) -> None:
    order = my_order
    for step in before:
        order = {"acknowledge": services.do_acknowledge, "depart": services.do_depart}[step](order, user=liu_yang)

    answer = officer_client.post(f"/m/orders/{order.pk}/{action}/", **HTMX)

    assert answer.status_code == 200
    assert _order(order).state == after
    card = answer.content.decode()
    assert card.lstrip().startswith("<article") and f'data-state="{after}"' in card
    assert answer["X-Fengqiao-Version-orders"]


def test_acknowledging_stamps_who_and_when(officer_client: Client, my_order: Dispatch, liu_yang: Any) -> None:
    officer_client.post(f"/m/orders/{my_order.pk}/acknowledge/", **HTMX)

    order = _order(my_order)
    assert order.acknowledged_by == liu_yang and order.acknowledged_at is not None
    assert order.due_step == "arrive"


def test_a_step_the_order_is_not_ready_for_is_refused_in_the_card(officer_client: Client, my_order: Dispatch) -> None:
    answer = officer_client.post(f"/m/orders/{my_order.pk}/depart/", **HTMX)

    assert answer.status_code == 409
    text = answer.content.decode()
    assert 'data-testid="card-error"' in text
    assert _order(my_order).state == Dispatch.State.ISSUED
    # The card still offers the step that is due.
    assert 'data-testid="step-acknowledge"' in text


def test_a_second_tap_on_acknowledge_says_the_order_was_already_acknowledged(officer_client: Client, my_order: Dispatch) -> None:
    officer_client.post(f"/m/orders/{my_order.pk}/acknowledge/", **HTMX)

    again = officer_client.post(f"/m/orders/{my_order.pk}/acknowledge/", **HTMX)

    assert again.status_code == 409 and 'data-testid="card-error"' in again.content.decode()


def test_without_javascript_a_step_comes_back_to_the_page(officer_client: Client, my_order: Dispatch) -> None:
    answer = officer_client.post(f"/m/orders/{my_order.pk}/acknowledge/", {"next": f"/m/orders/{my_order.pk}/"})

    assert answer.status_code == 302 and answer["Location"] == f"/m/orders/{my_order.pk}/"
    assert _order(my_order).state == Dispatch.State.ACKNOWLEDGED
    refused = officer_client.post(f"/m/orders/{my_order.pk}/acknowledge/", {"next": "https://elsewhere.example/"}, follow=True)
    assert refused.redirect_chain[-1][0] == "/m/"
    assert my_order.incident.number in refused.content.decode()


def test_returning_the_order_needs_a_reason_and_hands_it_back(officer_client: Client, my_order: Dispatch, noise_incident: Incident) -> None:
    refused = officer_client.post(f"/m/orders/{my_order.pk}/return/", {"reason": ""}, **HTMX)
    assert refused.status_code == 422
    assert 'class="field-error"' in refused.content.decode()
    assert _order(my_order).state == Dispatch.State.ISSUED

    answer = officer_client.post(f"/m/orders/{my_order.pk}/return/", {"reason": "正在处理另一起警情，无法前往"}, **HTMX)

    assert answer.status_code == 200
    order = _order(my_order)
    assert order.state == Dispatch.State.RETURNED and order.return_reason == "正在处理另一起警情，无法前往"
    assert "正在处理另一起警情" in answer.content.decode()
    assert Incident.objects.for_stations([noise_incident.station_id]).get(pk=noise_incident.pk).owner_id is None


# -- feedback -----------------------------------------------------------------------------------------


def test_the_feedback_button_opens_the_form_in_the_card(officer_client: Client, my_order: Dispatch, liu_yang: Any) -> None:
    order = _on_scene(my_order, liu_yang)
    listing = officer_client.get("/m/").content.decode()
    assert 'data-testid="step-feedback"' in listing

    card = officer_client.get(f"/m/orders/{order.pk}/feedback/", **HTMX).content.decode()

    assert 'data-testid="feedback-form"' in card
    assert 'name="disposition"' in card and 'value="mediated"' in card
    assert 'name="reclassify_to"' in card and "dispute.neighbour" in card
    assert 'name="resolves" value="1" checked' in card


def test_feedback_is_sent_with_the_people_involved_and_resolves_the_dispute(
    officer_client: Client, my_order: Dispatch, liu_yang: Any, noise_incident: Incident,
) -> None:
    order = _on_scene(my_order, liu_yang)

    answer = officer_client.post(f"/m/orders/{order.pk}/feedback/", {
        "disposition": "mediated", "actions": "双方当面调解，约定晚十点后停止施工", "legal_basis": "《治安管理处罚法》第五十八条",
        "person_name": ["王某", "", "李某"], "person_role": ["楼上住户", "", "报警人"], "reclassify_to": "", "resolves": "1",
    }, **HTMX)

    assert answer.status_code == 200
    assert 'data-state="reported"' in answer.content.decode()
    report = Feedback.objects.for_stations([order.station_id]).get(dispatch=order)
    assert report.disposition == "mediated" and report.resolves
    assert report.people == [{"name": "王某", "role": "楼上住户"}, {"name": "李某", "role": "报警人"}]
    assert Incident.objects.for_stations([noise_incident.station_id]).get(pk=noise_incident.pk).state == "resolved"


def test_feedback_with_missing_fields_names_them_and_saves_nothing(officer_client: Client, my_order: Dispatch, liu_yang: Any) -> None:
    order = _on_scene(my_order, liu_yang)

    answer = officer_client.post(f"/m/orders/{order.pk}/feedback/", {
        "disposition": "", "actions": "  ", "legal_basis": "第五十八条", "person_name": ["", ""], "person_role": ["证人", ""],
        "resolves": "1",
    }, **HTMX)

    assert answer.status_code == 422
    text = answer.content.decode()
    assert 'data-testid="error-disposition"' in text and 'data-testid="error-actions"' in text
    assert 'data-testid="error-people"' in text
    # What was typed is still there.
    assert 'value="第五十八条"' in text and "证人" in text
    assert not Feedback.objects.for_stations([order.station_id]).filter(dispatch=order).exists()
    assert _order(order).state == Dispatch.State.ON_SCENE


def test_feedback_before_arriving_is_refused(officer_client: Client, my_order: Dispatch) -> None:
    answer = officer_client.post(f"/m/orders/{my_order.pk}/feedback/", {"disposition": "handled", "actions": "处理"}, **HTMX)

    assert answer.status_code == 409
    assert 'data-testid="card-error"' in answer.content.decode()
    assert not Feedback.objects.for_stations([my_order.station_id]).filter(dispatch=my_order).exists()


def test_feedback_without_javascript_shows_the_errors_on_the_order_page(officer_client: Client, my_order: Dispatch, liu_yang: Any) -> None:
    order = _on_scene(my_order, liu_yang)

    page = officer_client.post(f"/m/orders/{order.pk}/feedback/", {"disposition": "mediated", "actions": ""})

    assert page.status_code == 422
    assert 'data-testid="error-actions"' in page.content.decode()
    done = officer_client.post(f"/m/orders/{order.pk}/feedback/", {"disposition": "mediated", "actions": "调解完毕", "resolves": "1"})
    assert done.status_code == 302 and done["Location"] == f"/m/orders/{order.pk}/"
    assert 'data-testid="feedback-report"' in officer_client.get(done["Location"]).content.decode()


# -- the order page -------------------------------------------------------------------------------------


def test_the_order_page_shows_stamps_the_incident_and_the_context_pack(
    officer_client: Client, receive: Any, zhang_wei: Any, liu_yang: Any,
) -> None:
    earlier = receive("南坪西路18号楼上漏水到楼下，双方争执", user=zhang_wei, caller_phone="13912345678",
                      received_at=timezone.now() - dt.timedelta(days=20)).incident
    now = receive("南坪西路18号楼上邻居半夜还在装修，吵得睡不着", user=zhang_wei, caller_phone="13912345678").incident
    assert earlier.address_id == now.address_id
    order = services.do_dispatch(now, liu_yang.officer, user=zhang_wei)

    page = officer_client.get(f"/m/orders/{order.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="stamps"' in text and 'data-testid="incident-facts"' in text
    pack = text.split('data-testid="context-pack"')[1]
    assert earlier.number in pack
    assert 'data-testid="repeat-callers"' in pack
    # The caller's number is never shown, masked or not.
    assert "13912345678" not in text and "139****5678" not in text


def test_the_context_pack_shows_what_other_apps_add(officer_client: Client, my_order: Dispatch, monkeypatch: Any) -> None:
    from fengqiao.dispatch import selectors

    monkeypatch.setattr(selectors, "CONTEXT_PROVIDERS", [lambda incident, user: [{"title": "关注人员", "text": "独居老人一名"}]])

    text = officer_client.get(f"/m/orders/{my_order.pk}/").content.decode()

    assert 'data-testid="pack-extra"' in text and "独居老人一名" in text


def test_another_officers_order_answers_404_and_is_audited(officer_client: Client, his_order: Dispatch, liu_yang: Any) -> None:
    assert officer_client.get(f"/m/orders/{his_order.pk}/").status_code == 404
    assert officer_client.get(f"/m/orders/{his_order.pk}/card/", **HTMX).status_code == 404
    assert officer_client.post(f"/m/orders/{his_order.pk}/acknowledge/", **HTMX).status_code == 404
    assert officer_client.post(f"/m/orders/{his_order.pk}/return/", {"reason": "不是我的"}, **HTMX).status_code == 404

    assert _order(his_order).state == Dispatch.State.ISSUED
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_REFUSED, user=liu_yang,
                                     object_type="dispatch.dispatch", object_id=str(his_order.pk)).exists()


def test_an_order_of_another_station_answers_404(officer_client: Client, their_order: Dispatch, my_order: Dispatch) -> None:
    assert officer_client.get(f"/m/orders/{their_order.pk}/").status_code == 404
    assert officer_client.post(f"/m/orders/{their_order.pk}/acknowledge/", **HTMX).status_code == 404
    assert officer_client.post(f"/m/orders/{their_order.pk}/feedback/", {"disposition": "handled", "actions": "x"}, **HTMX).status_code == 404
    assert their_order.incident.number not in officer_client.get("/m/").content.decode()
    assert _order(their_order).state == Dispatch.State.ISSUED


def test_the_auxiliary_sees_the_supervisors_orders_read_only(client: Client, chen_chen: Any, my_order: Dispatch) -> None:
    client.force_login(chen_chen)

    page = client.get("/m/").content.decode()

    assert my_order.incident.number in page and 'data-testid="read-only-note"' in page
    assert 'data-testid="step-acknowledge"' not in page
    order_page = client.get(f"/m/orders/{my_order.pk}/").content.decode()
    assert 'data-testid="context-pack"' not in order_page
    assert client.post(f"/m/orders/{my_order.pk}/acknowledge/", **HTMX).status_code == 403
    assert _order(my_order).state == Dispatch.State.ISSUED


# -- follow-ups -------------------------------------------------------------------------------------------


@pytest.fixture
def follow_up(my_order: Dispatch, liu_yang: Any) -> FollowUp:
    """Resolving the noise dispute scheduled a follow-up call for 刘洋."""
    _reported(my_order, liu_yang)
    return FollowUp.objects.for_stations([my_order.station_id]).get(incident=my_order.incident_id)


def test_the_follow_up_due_is_listed_with_its_form(officer_client: Client, follow_up: FollowUp) -> None:
    text = officer_client.get("/m/").content.decode()

    block = text.split('id="my-follow-ups"')[1]
    assert follow_up.incident.number in block
    assert 'data-testid="outcome-dissatisfied"' in block


def test_a_satisfied_answer_is_recorded(officer_client: Client, follow_up: FollowUp, liu_yang: Any) -> None:
    answer = officer_client.post(f"/m/follow-ups/{follow_up.pk}/", {"outcome": "satisfied", "level": "call", "notes": "电话回访"}, **HTMX)

    assert answer.status_code == 200 and 'data-testid="follow-up-message"' in answer.content.decode()
    done = FollowUp.objects.for_stations([follow_up.station_id]).get(pk=follow_up.pk)
    assert done.state == FollowUp.State.DONE and done.outcome == Satisfaction.SATISFIED and done.done_by == liu_yang
    assert not Supervision.objects.for_stations([follow_up.station_id]).exists()


def test_a_dissatisfied_answer_opens_a_supervision_order_and_a_home_visit(officer_client: Client, follow_up: FollowUp) -> None:
    answer = officer_client.post(f"/m/follow-ups/{follow_up.pk}/", {"outcome": "dissatisfied", "level": "call",
                                                                     "notes": "报警人认为施工仍在继续"}, **HTMX)

    assert answer.status_code == 200
    supervision = Supervision.objects.for_stations([follow_up.station_id]).get(follow_up=follow_up)
    assert supervision.state == Supervision.State.OPEN and supervision.officer_id == follow_up.officer_id
    home_visit = FollowUp.objects.for_stations([follow_up.station_id]).get(incident=follow_up.incident_id, state=FollowUp.State.DUE)
    assert home_visit.level == FollowUp.Level.HOME_VISIT
    # The new home visit is in the list that came back.
    assert f'data-follow-up-id="{home_visit.pk}"' in answer.content.decode()


def test_a_follow_up_without_an_answer_is_refused_and_nothing_recorded(officer_client: Client, follow_up: FollowUp) -> None:
    answer = officer_client.post(f"/m/follow-ups/{follow_up.pk}/", {"outcome": "", "notes": "没接电话"}, **HTMX)

    assert answer.status_code == 422
    text = answer.content.decode()
    assert 'data-testid="error-outcome"' in text and "没接电话" in text
    assert FollowUp.objects.for_stations([follow_up.station_id]).get(pk=follow_up.pk).state == FollowUp.State.DUE


def test_another_officers_follow_up_answers_404(client: Client, he_ping: Any, follow_up: FollowUp) -> None:
    client.force_login(he_ping)

    assert client.post(f"/m/follow-ups/{follow_up.pk}/", {"outcome": "satisfied"}, **HTMX).status_code == 404
    assert follow_up.incident.number not in client.get("/m/").content.decode()


# -- my status and position ----------------------------------------------------------------------------------


def test_the_position_report_stores_latitude_and_longitude(officer_client: Client, liu_yang: Any) -> None:
    answer = officer_client.post("/m/me/position/", {"lat": "29.5321", "lon": "106.5622"}, **HTMX)

    assert answer.status_code == 200
    officer = _officer(liu_yang)
    assert (officer.latitude, officer.longitude) == (29.5321, 106.5622)
    assert officer.position_at is not None
    assert 'data-testid="position-time"' in answer.content.decode()


@pytest.mark.parametrize("lat, lon", [("", "106.56"), ("abc", "106.56"), ("nan", "106.56"), ("95", "106.56")])
def test_a_position_that_makes_no_sense_is_refused(officer_client: Client, liu_yang: Any, lat: str, lon: str) -> None:
    answer = officer_client.post("/m/me/position/", {"lat": lat, "lon": lon}, **HTMX)

    assert answer.status_code == 422 and 'data-testid="me-error"' in answer.content.decode()
    assert _officer(liu_yang).latitude is None


def test_the_officer_switches_to_standby_and_back(officer_client: Client, liu_yang: Any) -> None:
    answer = officer_client.post("/m/me/duty/", {"duty_status": "standby"}, **HTMX)

    assert answer.status_code == 200 and _officer(liu_yang).duty_status == Officer.DutyStatus.STANDBY
    assert 'id="duty-chip"' in answer.content.decode() and 'hx-swap-oob="true"' in answer.content.decode()
    officer_client.post("/m/me/duty/", {"duty_status": "on_duty"}, **HTMX)
    assert _officer(liu_yang).duty_status == Officer.DutyStatus.ON_DUTY


def test_going_off_duty_with_an_open_order_is_refused(officer_client: Client, my_order: Dispatch, liu_yang: Any) -> None:
    answer = officer_client.post("/m/me/duty/", {"duty_status": "off_duty"}, **HTMX)

    assert answer.status_code == 409 and 'data-testid="me-error"' in answer.content.decode()
    assert _officer(liu_yang).duty_status == Officer.DutyStatus.BUSY


def test_pressing_on_duty_while_busy_keeps_the_officer_busy(officer_client: Client, my_order: Dispatch, liu_yang: Any) -> None:
    officer_client.post("/m/me/duty/", {"duty_status": "on_duty"}, **HTMX)

    assert _officer(liu_yang).duty_status == Officer.DutyStatus.BUSY
