"""The intake page, the incident list and the incident page, as a commander uses them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_person
from fengqiao.audit.models import AuditEntry
from fengqiao.intake import services
from fengqiao.intake.models import Call, Incident, IncidentLog

pytestmark = pytest.mark.django_db


def call_form(**overrides: Any) -> dict[str, Any]:
    form = {
        "text": "小区门口有两个人打架，有人流血了", "address_text": "南坪西路18号3栋2单元501", "address_id": "",
        "caller_phone": "13812345678", "caller_name": "王先生", "source": "phone", "received_at": "",
        "category": "", "priority": "", "route": "", "key": "k-1",
    }
    form.update(overrides)
    return form


@pytest.fixture
def commander(client: Client, zhang_wei: Any, addresses_a: Any) -> Client:
    client.force_login(zhang_wei)
    return client


@pytest.fixture
def second_commander(roles: None, station_a: Any, command_room_a: Any, password_hash: str) -> Any:
    return make_person("sunli", "孙丽", role="commander", station=station_a, team=command_room_a,
                       badge_number="050102", password_hash=password_hash)


def test_a_commander_records_a_call_and_the_page_names_the_incident(commander: Client, station_a: Any) -> None:
    response = commander.post("/intake/", call_form(), follow=True)
    assert response.status_code == 200
    incident = Incident.objects.for_stations([station_a.pk]).get()
    assert incident.number in response.content.decode()
    call = Call.objects.for_stations([station_a.pk]).get()
    assert (call.caller_phone, call.source, call.incident_id) == ("13812345678", "phone", incident.pk)
    assert incident.category.family.code == "public_order"
    assert incident.address is not None and incident.address.full_text.endswith("501")
    assert incident.beat is not None


def test_saving_the_same_form_twice_records_one_call(commander: Client, station_a: Any) -> None:
    commander.post("/intake/", call_form(key="twice"))
    second = commander.post("/intake/", call_form(key="twice"), follow=True)
    assert Call.objects.for_stations([station_a.pk]).count() == 1
    assert "已" in second.content.decode() or "already" in second.content.decode()


def test_bad_input_names_the_field_and_records_nothing(commander: Client, station_a: Any) -> None:
    future = (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    response = commander.post("/intake/", call_form(text="   ", received_at=future, caller_phone="13x"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) >= {"text", "received_at", "caller_phone"}
    assert not Call.objects.for_stations([station_a.pk]).exists()


def test_the_commander_overrides_the_suggestion_and_it_is_logged(commander: Client, station_a: Any) -> None:
    commander.post("/intake/", call_form(category="dispute.neighbour", priority="3", route="community"))
    incident = Incident.objects.for_stations([station_a.pk]).get()
    assert (incident.category.code, incident.priority, incident.route) == ("dispute.neighbour", 3, "community")
    changed = incident.log.get(kind=IncidentLog.Kind.CHANGED)
    assert changed.before["category"].startswith("public_order") and changed.after["category"] == "dispute.neighbour"


def test_the_assist_panel_suggests_places_and_finds_the_same_event(commander: Client, receive: Any) -> None:
    first = receive("小区门口有人打架", address_text="南坪西路18号3栋2单元501").incident
    panel = commander.post("/intake/assist/", {"text": "南坪西路那边有人打架了", "address_text": "南坪西路18号3栋2单元501"})
    assert panel.status_code == 200
    html = panel.content.decode()
    assert 'data-testid="suggested-category"' in html
    assert "南坪西路18号3栋2单元501" in html
    assert first.number in html  # offered as the same event
    unknown = commander.post("/intake/assist/", {"text": "有人打架", "address_text": "火星基地99号"}).content.decode()
    assert 'data-testid="place-unconfirmed"' in unknown


def test_joining_a_suggested_duplicate_keeps_both_calls_on_one_incident(commander: Client, receive: Any, station_a: Any) -> None:
    first = receive("小区门口有人打架", address_text="南坪西路18号3栋2单元501").incident
    commander.post("/intake/", call_form(text="门口又有人在打架", merge_into=str(first.pk)))
    assert Incident.objects.for_stations([station_a.pk]).count() == 1
    assert first.calls.count() == 2


def test_address_options_come_best_first(commander: Client) -> None:
    html = commander.get("/intake/addresses/", {"address_text": "南坪西路18号3栋2单元501"}).content.decode()
    assert 'class="confident"' in html
    assert html.index("南坪西路18号3栋2单元501") < html.index("</li>")
    nothing = commander.get("/intake/addresses/", {"address_text": "火星基地"}).content.decode()
    assert 'role="option"' not in nothing


def test_only_the_command_room_takes_calls(client: Client, liu_yang: Any) -> None:
    client.force_login(liu_yang)
    assert client.get("/intake/").status_code == 403
    assert client.post("/intake/", call_form()).status_code == 403


def test_the_list_shows_the_stations_incidents_filtered(client: Client, zhang_wei: Any, receive: Any, station_b: Any, command_room_b: Any) -> None:
    fight = receive("小区门口有人打架").incident
    noise = receive("楼上邻居半夜装修太吵了").incident
    theirs = services.receive_call(station_b, services.CallData(source="phone", text="海棠溪有人打架", received_at=timezone.now())).incident
    client.force_login(zhang_wei)
    html = client.get("/incidents/").content.decode()
    assert fight.number in html and noise.number in html and theirs.number not in html
    filtered = client.get("/incidents/", {"q": "装修"}).content.decode()
    assert noise.number in filtered and fight.number not in filtered
    by_category = client.get("/incidents/", {"category": fight.category.code, "state": "open"}).content.decode()
    assert fight.number in by_category and noise.number not in by_category


def test_the_incident_page_masks_callers_and_audits_the_look(client: Client, zhang_wei: Any, receive: Any, station_b: Any, command_room_b: Any) -> None:
    incident = receive("我家被盗了", caller_phone="13812345678", caller_name="赵女士").incident
    theirs = services.receive_call(station_b, services.CallData(source="phone", text="被盗", received_at=timezone.now())).incident
    client.force_login(zhang_wei)
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, username="zhangwei").exists()
    assert client.get(f"/incidents/{theirs.pk}/").status_code == 404


def test_revealing_a_phone_needs_a_reason_and_is_audited(client: Client, zhang_wei: Any, receive: Any) -> None:
    call = receive("我家被盗了", caller_phone="13812345678").call
    client.force_login(zhang_wei)
    refused = client.post(f"/incidents/calls/{call.pk}/reveal/", {"reason": ""}).content.decode()
    assert "13812345678" not in refused
    shown = client.post(f"/incidents/calls/{call.pk}/reveal/", {"reason": "回拨核实地址"}).content.decode()
    assert "13812345678" in shown
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED, reason="回拨核实地址", outcome="ok").exists()


def test_the_edit_lock_shows_its_holder_to_the_other_commander(client: Client, zhang_wei: Any, second_commander: Any, receive: Any) -> None:
    incident = receive("小区门口有人打架").incident
    client.force_login(zhang_wei)
    client.post(f"/incidents/{incident.pk}/lock/")
    mine = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'id="change-form"' in mine

    other = Client()
    other.force_login(second_commander)
    theirs = other.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'data-testid="lock-banner"' in theirs and "张伟" in theirs
    assert 'id="change-form"' not in theirs
    refused = other.post(f"/incidents/{incident.pk}/change/", {
        "category": "dispute.neighbour", "priority": 3, "route": "community", "summary": "改", "tags": "",
    }, follow=True)
    assert "张伟" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.category.code != "dispute.neighbour"


def test_a_change_releases_the_lock_and_keeps_before_and_after(client: Client, zhang_wei: Any, receive: Any, addresses_a: Any) -> None:
    incident = receive("有人打架", address_text="月球路1号").incident
    assert incident.place_unconfirmed
    client.force_login(zhang_wei)
    client.post(f"/incidents/{incident.pk}/lock/")
    response = client.post(f"/incidents/{incident.pk}/change/", {
        "category": "dispute.neighbour", "priority": 3, "route": "community", "summary": "邻里因噪音争吵",
        "tags": "夜间, 回访", "address_id": addresses_a[1].pk, "address_text": addresses_a[1].full_text,
    })
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.category.code, incident.address_id, incident.place_unconfirmed) == ("dispute.neighbour", addresses_a[1].pk, False)
    assert incident.tags == ["回访", "夜间"]
    assert incident.locked_by_id is None
    entry = incident.log.filter(kind=IncidentLog.Kind.CHANGED).last()
    assert entry.before["priority"] != 3 and entry.after["priority"] == 3


def test_notes_strike_through_merge_and_invalid_from_the_page(client: Client, zhang_wei: Any, receive: Any) -> None:
    first = receive("小区门口有人打架").incident
    second = receive("门口又有人打架", address_text="南坪西路20号").incident
    hoax = receive("我是开玩笑的，没什么事").incident
    client.force_login(zhang_wei)

    client.post(f"/incidents/{first.pk}/notes/", {"text": "已电话回访报警人"})
    note = first.log.get(kind=IncidentLog.Kind.NOTE, author=zhang_wei)
    client.post(f"/incidents/{first.pk}/log/{note.pk}/strike/", {"reason": "记错了警情"})
    note.refresh_from_db()
    assert note.struck_at is not None and note.strike_reason == "记错了警情"
    page = client.get(f"/incidents/{first.pk}/").content.decode()
    assert "<del>已电话回访报警人</del>" in page and "记错了警情" in page

    bad = client.post(f"/incidents/{second.pk}/merge/", {"into": "NO-SUCH-NUMBER"})
    assert bad.status_code == 422 and "NO-SUCH-NUMBER" in bad.content.decode()
    client.post(f"/incidents/{second.pk}/merge/", {"into": first.number, "reason": "同一起打架"})
    second.refresh_from_db()
    assert second.state == Incident.State.MERGED and first.calls.count() == 2

    assert client.post(f"/incidents/{hoax.pk}/invalid/", {"reason": ""}).status_code == 422
    client.post(f"/incidents/{hoax.pk}/invalid/", {"reason": "报警人承认谎报"})
    hoax.refresh_from_db()
    assert hoax.state == Incident.State.INVALID
    assert Call.objects.for_stations([hoax.station_id]).get(incident=hoax).state == Call.State.INVALID


def test_a_community_officer_reads_and_notes_but_does_not_change(client: Client, liu_yang: Any, receive: Any) -> None:
    incident = receive("小区门口有人打架").incident
    client.force_login(liu_yang)
    page = client.get(f"/incidents/{incident.pk}/")
    assert page.status_code == 200
    assert 'data-testid="edit-incident"' not in page.content.decode()
    assert client.post(f"/incidents/{incident.pk}/lock/").status_code == 403
    assert client.post(f"/incidents/{incident.pk}/notes/", {"text": "我已到场"}).status_code == 302


def test_triage_reasons_are_said_in_the_interfaces_language() -> None:
    from django.utils import translation

    from fengqiao.intake.templatetags.intake_tags import reason

    with translation.override("zh-hans"):
        assert reason("score 4 vs 1.5 for 刑事·故意伤害") == "得分 4，高于 刑事·故意伤害 的 1.5"
        assert reason("“刀” → route case") == "“刀” → 值班办案队"
        assert reason("“面包车” negated by “无” — ignored") == "“面包车”前有否定词“无”，不计"
        assert reason("something new") == "something new"
    with translation.override("en"):
        assert reason("“刀” → priority 1") == "“刀” → priority 1"


def test_sub_bureau_staff_choose_among_their_stations(client: Client, zhou_jie: Any, receive: Any, station_b: Any, command_room_b: Any) -> None:
    ours = receive("小区门口有人打架").incident
    theirs = services.receive_call(station_b, services.CallData(source="phone", text="海棠溪有人打架", received_at=timezone.now())).incident
    client.force_login(zhou_jie)
    first = client.get("/incidents/", {"station": ours.station.code}).content.decode()
    assert ours.number in first and theirs.number not in first
    assert f"?station={station_b.code}" in first
    second = client.get("/incidents/", {"station": station_b.code, "q": "打架"}).content.decode()
    assert theirs.number in second and ours.number not in second


def test_receiving_marking_invalid_and_striking_through_are_audited(client: Client, zhang_wei: Any, receive: Any) -> None:
    client.force_login(zhang_wei)
    client.post("/intake/", call_form(text="我是开玩笑的，没什么事", key="audit-1"))
    call = Call.objects.for_user(zhang_wei).get()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, object_type="intake.call", object_id=str(call.pk), username="zhangwei").exists()
    incident = call.incident
    client.post(f"/incidents/{incident.pk}/notes/", {"text": "回访"})
    note = incident.log.get(kind=IncidentLog.Kind.NOTE, author=zhang_wei)
    client.post(f"/incidents/{incident.pk}/log/{note.pk}/strike/", {"reason": "写错了"})
    client.post(f"/incidents/{incident.pk}/invalid/", {"reason": "报警人承认谎报"})
    updates = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATED, username="zhangwei")
    assert updates.filter(reason="写错了").exists()
    invalid = updates.get(reason="报警人承认谎报")
    assert invalid.changes["state"] == ["triaged", "invalid"]
