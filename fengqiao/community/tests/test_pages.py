"""The community pages as the people of 南坪 use them: the officer, the auxiliary, the
commander on the incident page, the chief; and the exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.community import services
from fengqiao.community.models import (
    Dispute,
    MediationStep,
    Visit,
    VolunteerActivity,
    VolunteerTeam,
)
from fengqiao.intake.models import Incident

from .conftest import LI_PHONE, WANG_PHONE

pytestmark = pytest.mark.django_db


def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# -- the overview and the map ------------------------------------------------------------------------


def test_the_officer_sees_the_beat_at_a_glance(client: Client, liu_yang: Any, visit_a: Visit, dispute_a: Dispute,
                                               house_20: Any, team_a: VolunteerTeam) -> None:
    Dispute.objects.for_stations([dispute_a.station_id]).filter(pk=dispute_a.pk).update(follow_up_on=timezone.localdate())
    services.record_activity(team_a, services.ActivityData(kind="patrol", participants=4), user=liu_yang)
    response = logged_in(client, liu_yang).get("/community/")
    assert response.status_code == 200
    overview = response.context["o"]
    assert overview.beat.code == "NP-01"  # 刘洋's own beat, not the whole station
    assert (overview.visits_this_month, overview.coverage.households, overview.coverage.not_covered) == (1, 2, 1)
    assert (overview.open_disputes, overview.open_by_risk["medium"], overview.due_count) == (1, 1, 1)
    assert (overview.activities, overview.participants) == (1, 4)
    page = response.content.decode()
    assert dispute_a.number in page and "南坪西路20号" in page


def test_the_chief_sees_the_whole_station_and_can_pick_a_beat(client: Client, li_na: Any, visit_a: Visit, visit_east: Visit,
                                                              beat_a2: Any) -> None:
    logged_in(client, li_na)
    assert client.get("/community/").context["o"].visits_this_month == 2
    assert client.get(f"/community/?beat={beat_a2.pk}").context["o"].visits_this_month == 1


def test_the_coverage_page_counts_per_beat(client: Client, li_na: Any, visit_a: Visit, house_20: Any, flat_east: Any) -> None:
    response = logged_in(client, li_na).get("/community/coverage/")
    assert response.status_code == 200
    rows = {row.beat.code: row.counts for row in response.context["report"].rows}
    assert (rows["NP-01"].households, rows["NP-01"].covered, rows["NP-02"].counts["never"]) == (2, 1, 1)
    assert 'id="coverage-map"' in response.content.decode() and "/api/v1/coverage" in response.content.decode()


def test_the_auxiliary_sees_only_the_beat_even_when_asking_for_the_station(client: Client, chen_chen: Any, visit_a: Visit,
                                                                           visit_east: Visit, beat_a2: Any) -> None:
    logged_in(client, chen_chen)
    for url in ("/community/?beat=all", f"/community/?beat={beat_a2.pk}"):
        assert client.get(url).context["o"].visits_this_month == 1
    report = client.get(f"/community/coverage/?beat={beat_a2.pk}").context["report"]
    assert [row.beat.code for row in report.rows] == ["NP-01"]


# -- visits --------------------------------------------------------------------------------------------


def test_the_visit_form_asks_for_the_address_first_and_finds_it(client: Client, liu_yang: Any, flat_501: Any, house_20: Any) -> None:
    logged_in(client, liu_yang)
    first = client.get("/community/visits/new/")
    assert first.status_code == 200 and first.templates[0].name == "community/visit_address.html"
    assert {h.address_id for h in first.context["due"]} == {flat_501.pk, house_20.pk}  # never visited, in 刘洋's beat
    found = client.get("/community/visits/new/?q=南坪西路 20号")
    assert [a.pk for a in found.context["matches"]] == [house_20.pk]


def test_the_officer_logs_a_visit_from_the_phone_form(client: Client, liu_yang: Any, flat_501: Any, wang_xiuying: Any,
                                                      li_jianguo: Any) -> None:
    logged_in(client, liu_yang)
    form = client.get(f"/community/visits/new/?address={flat_501.pk}")
    page = form.content.decode()
    assert "王秀英" in page and "李建国" in page  # people at the address, by name
    assert WANG_PHONE not in page and wang_xiuying.id_number_masked not in page  # no numbers of theirs at all
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, user=liu_yang,
                                     object_type="records.resident", object_id=str(wang_xiuying.pk)).exists()
    response = client.post("/community/visits/new/", {
        "address": flat_501.pk, "purpose": "anti_fraud", "residents": [wang_xiuying.pk, li_jianguo.pk],
        "findings": "发放反诈宣传单", "follow_up_needed": "on", "follow_up_note": "帮老人装国家反诈中心APP", "companions": "陈晨",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "target": ""})
    visit = Visit.objects.for_stations([flat_501.station_id]).get()
    assert response.status_code == 302 and response["Location"] == f"/community/visits/{visit.pk}/"
    assert (visit.purpose, visit.follow_up_needed, visit.companions) == ("anti_fraud", True, "陈晨")
    assert set(visit.residents.all()) == {wang_xiuying, li_jianguo}
    detail = client.get(response["Location"]).content.decode()
    assert "发放反诈宣传单" in detail and "李建国" in detail


def test_a_bad_visit_comes_back_with_the_fields_named(client: Client, liu_yang: Any, flat_501: Any) -> None:
    response = logged_in(client, liu_yang).post("/community/visits/new/", {
        "address": flat_501.pk, "purpose": "", "follow_up_needed": "on", "follow_up_note": ""})
    assert response.status_code == 422
    assert {"purpose", "follow_up_note"} <= set(response.context["form"].errors)
    assert not Visit.objects.for_stations([flat_501.station_id]).exists()


def test_opening_the_form_for_a_record_out_of_reach_is_404(client: Client, chen_chen: Any, flat_east: Any, dispute_east: Dispute) -> None:
    logged_in(client, chen_chen)
    assert client.get(f"/community/visits/new/?address={flat_east.pk}").status_code == 404
    assert client.get(f"/community/visits/new/?dispute={dispute_east.pk}").status_code == 404


def test_the_dispute_link_opens_the_form_on_the_disputes_address(client: Client, liu_yang: Any, dispute_a: Dispute) -> None:
    response = logged_in(client, liu_yang).get(f"/community/visits/new/?dispute={dispute_a.pk}")
    assert response.status_code == 200
    assert response.context["form"].initial["purpose"] == "follow_up"
    assert response.context["prefill"].address.pk == dispute_a.address_id


def test_the_visit_list_filters_and_exports(client: Client, li_na: Any, visit_a: Visit, visit_east: Visit, beat_a: Any) -> None:
    logged_in(client, li_na)
    assert client.get("/community/visits/").context["page"].paginator.count == 2
    assert client.get(f"/community/visits/?beat={beat_a.pk}").context["page"].paginator.count == 1
    exported = client.get(f"/community/visits/?beat={beat_a.pk}&export=csv")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and "南坪西路18号3栋2单元501" in rows[1][2] and "王秀英" in rows[1][8]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED, object_type="community.visit").get()
    assert entry.changes["rows"] == 1 and entry.changes["format"] == "csv"


def test_an_auxiliary_can_log_visits_but_not_open_disputes(client: Client, chen_chen: Any, house_20: Any) -> None:
    logged_in(client, chen_chen)
    assert client.get(f"/community/visits/new/?address={house_20.pk}").status_code == 200
    assert client.get("/community/disputes/new/").status_code == 403
    assert client.get("/community/volunteers/new/").status_code == 403


# -- disputes -------------------------------------------------------------------------------------------


def test_the_incident_page_offers_the_one_step_and_then_links_the_dispute(client: Client, zhang_wei: Any, quarrel: Incident,
                                                                         liu_yang: Any) -> None:
    logged_in(client, zhang_wei)
    page = client.get(f"/incidents/{quarrel.pk}/").content.decode()
    assert 'data-testid="open-dispute"' in page and f"/community/disputes/from-incident/{quarrel.pk}/" in page
    response = client.post(f"/community/disputes/from-incident/{quarrel.pk}/")
    dispute = Dispute.objects.for_stations([quarrel.station_id]).get()
    assert response.status_code == 302 and response["Location"] == f"/community/disputes/{dispute.pk}/"
    again = client.post(f"/community/disputes/from-incident/{quarrel.pk}/")
    assert again["Location"] == f"/community/disputes/{dispute.pk}/"
    assert Dispute.objects.for_stations([quarrel.station_id]).count() == 1
    page = client.get(f"/incidents/{quarrel.pk}/").content.decode()
    assert 'data-testid="open-dispute"' not in page and 'data-testid="open-dispute-link"' in page and dispute.number in page


def test_the_one_step_needs_the_permission(client: Client, quarrel: Incident, roles: None, station_a: Any, community_team_a: Any,
                                           password_hash: str) -> None:
    from conftest import make_person

    case_officer = make_person("caseofficer", "办案员", role="case_officer", station=station_a, team=community_team_a,
                               badge_number="050399", password_hash=password_hash)
    logged_in(client, case_officer)
    assert 'data-testid="open-dispute"' not in client.get(f"/incidents/{quarrel.pk}/").content.decode()
    assert client.post(f"/community/disputes/from-incident/{quarrel.pk}/").status_code == 403


def test_the_new_dispute_form_takes_the_incident_and_keeps_callers_phones_off_the_page(
    client: Client, liu_yang: Any, quarrel: Incident, wang_xiuying: Any,
) -> None:
    logged_in(client, liu_yang)
    form = client.get(f"/community/disputes/new/?incident={quarrel.pk}")
    page = form.content.decode()
    assert form.status_code == 200 and "138****2222" in page and "136****6666" in page
    assert WANG_PHONE not in page
    assert form.context["form"].initial["kind"] == "neighbour"
    management = {"party-TOTAL_FORMS": "3", "party-INITIAL_FORMS": "2", "party-MIN_NUM_FORMS": "0", "party-MAX_NUM_FORMS": "12"}
    calls = list(quarrel.calls.order_by("received_at"))
    response = client.post(f"/community/disputes/new/?incident={quarrel.pk}", {
        **management, "incident": quarrel.pk, "address": quarrel.address_id, "beat": quarrel.beat_id,
        "kind": "neighbour", "risk": "high", "summary": "装修噪音引发争吵", "officer": liu_yang.officer.pk, "mediator": "",
        "follow_up_on": "",
        "party-0-resident": wang_xiuying.pk, "party-0-call": calls[0].pk, "party-0-name": "王秀英", "party-0-role": "楼下住户",
        "party-1-call": calls[1].pk, "party-1-name": "张先生", "party-1-role": "楼上住户", "party-1-DELETE": "",
        "party-2-name": "物业王经理", "party-2-phone": "023-62345678", "party-2-role": "物业",
    })
    dispute = Dispute.objects.for_stations([quarrel.station_id]).get()
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert (dispute.risk, list(dispute.incidents.all())) == ("high", [quarrel])
    assert [(p.name, p.phone) for p in dispute.parties.order_by("pk")] == [
        ("王秀英", WANG_PHONE), ("张先生", "13655556666"), ("物业王经理", "02362345678")]


def test_the_dispute_page_shows_parties_masked_and_audits_the_residents(client: Client, li_na: Any, dispute_a: Dispute,
                                                                        wang_xiuying: Any) -> None:
    response = logged_in(client, li_na).get(f"/community/disputes/{dispute_a.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and "王秀英" in page and "孙某" in page and "137****3333" in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEWED_PERSONAL, user=li_na, object_type="records.resident",
                                     object_id=str(wang_xiuying.pk)).exists()


def test_steps_close_and_reopen_from_the_page(client: Client, liu_yang: Any, li_na: Any, dispute_a: Dispute) -> None:
    url = f"/community/disputes/{dispute_a.pk}/"
    logged_in(client, liu_yang)
    step = client.post(url + "steps/", {"method": "on_site", "result": "现场调解，双方同意", "officer": liu_yang.officer.pk,
                                        "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "mediator": "", "next_follow_up_on": ""})
    assert step.status_code == 302 and MediationStep.objects.for_stations([dispute_a.station_id]).count() == 1
    bad = client.post(url + "close/", {"outcome": "court", "outcome_note": ""})
    assert bad.status_code == 422 and "outcome_note" in bad.context["close_form"].errors
    closed = client.post(url + "close/", {"outcome": "agreement", "outcome_note": "签订调解协议书", "follow_up_on": ""})
    assert closed.status_code == 302
    dispute_a.refresh_from_db()
    assert dispute_a.outcome == "agreement"
    late = client.post(url + "steps/", {"method": "phone", "result": "再打一次"})
    assert late.status_code == 409
    assert client.post(url + "reopen/", {"reason": "我想重开"}).status_code == 403  # an officer, not a leader
    logged_in(client, li_na)
    assert client.post(url + "reopen/", {"reason": "双方再次发生冲突"}).status_code == 302
    dispute_a.refresh_from_db()
    assert dispute_a.is_open


def test_the_ledger_opens_on_open_disputes_and_filters(client: Client, li_na: Any, dispute_a: Dispute, dispute_east: Dispute,
                                                       liu_yang: Any, beat_a2: Any) -> None:
    services.close_dispute(dispute_east, outcome="resolved", user=li_na)
    logged_in(client, li_na)
    assert [d.pk for d in client.get("/community/disputes/").context["page"]] == [dispute_a.pk]
    assert client.get("/community/disputes/?outcome=").context["page"].paginator.count == 2
    assert [d.pk for d in client.get("/community/disputes/?outcome=closed").context["page"]] == [dispute_east.pk]
    assert [d.pk for d in client.get(f"/community/disputes/?outcome=&beat={beat_a2.pk}").context["page"]] == [dispute_east.pk]
    assert [d.pk for d in client.get("/community/disputes/?outcome=&risk=medium").context["page"]] == [dispute_a.pk]
    assert client.get("/community/disputes/?outcome=&due=on").context["page"].paginator.count == 0
    assert [d.pk for d in client.get("/community/disputes/?q=孙某").context["page"]] == [dispute_a.pk]


def test_the_ledger_exports_as_xlsx_with_phones_masked(client: Client, li_na: Any, dispute_a: Dispute) -> None:
    response = logged_in(client, li_na).get("/community/disputes/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][0] == dispute_a.number
    parties = rows[1][6]
    assert "王秀英" in parties and "137****3333" in parties and "13722223333" not in parties
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED, object_type="community.dispute").exists()


# -- volunteers -----------------------------------------------------------------------------------------


def test_volunteer_pages_set_up_a_team_and_record_a_patrol(client: Client, liu_yang: Any, beat_a: Any) -> None:
    logged_in(client, liu_yang)
    made = client.post("/community/volunteers/new/", {"name": "江南大道巡逻队", "kind": "patrol", "beat": beat_a.pk,
                                                      "officer": liu_yang.officer.pk, "leader_name": "孙队长",
                                                      "leader_phone": LI_PHONE, "founded_on": ""})
    team = VolunteerTeam.objects.for_stations([beat_a.station_id]).get()
    assert made.status_code == 302 and made["Location"] == f"/community/volunteers/{team.pk}/"
    assert client.post(f"/community/volunteers/{team.pk}/members/", {"name": "老刘", "phone": "13512345678"}).status_code == 302
    member = team.members.get()
    patrol = client.post(f"/community/volunteers/{team.pk}/activities/", {
        "kind": "patrol", "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "ended_at": "", "area": "江南大道",
        "participants": "3", "members": [member.pk], "notes": "夜巡"})
    assert patrol.status_code == 302
    activity = VolunteerActivity.objects.for_stations([beat_a.station_id]).get()
    assert (activity.participants, activity.officer_id) == (3, liu_yang.officer.pk)
    page = client.get(f"/community/volunteers/{team.pk}/").content.decode()
    assert "老刘" in page and "135****5678" in page and "139****4444" in page
    listing = client.get("/community/volunteers/").content.decode()
    assert "江南大道巡逻队" in listing


def test_a_bad_member_phone_is_asked_for_again_not_echoed(client: Client, liu_yang: Any, team_a: VolunteerTeam) -> None:
    response = logged_in(client, liu_yang).post(f"/community/volunteers/{team_a.pk}/members/", {"name": "", "phone": "13512345678"})
    assert response.status_code == 422 and "name" in response.context["member_form"].errors
