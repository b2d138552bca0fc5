"""In the admin site a station chief's lists and drop-downs hold only her own station."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.organisation.models import Beat, Officer, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_stations(zhang_wei: User, li_na: User, wang_qiang: User, zhao_min: User, beat_a: Beat, beat_b: Beat) -> None:
    """Two staffed stations with a beat each."""


def test_li_na_lists_only_nanpings_officers(client: Client, li_na: User, both_stations: None) -> None:
    client.force_login(li_na)
    page = client.get("/admin/organisation/officer/").content.decode()
    assert "张伟" in page
    assert "王强" not in page
    assert "赵敏" not in page


def test_the_officer_list_shows_phones_masked(client: Client, li_na: User, both_stations: None) -> None:
    client.force_login(li_na)
    page = client.get("/admin/organisation/officer/").content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page


def test_li_nas_team_and_beat_choices_are_nanpings(client: Client, li_na: User, both_stations: None) -> None:
    client.force_login(li_na)
    page = client.get(f"/admin/organisation/officer/{li_na.officer.pk}/change/").content.decode()
    assert "南坪综合指挥室" in page
    assert "南坪西路警务区" in page
    assert "海棠溪综合指挥室" not in page
    assert "海棠溪正街警务区" not in page


def test_li_na_cannot_move_an_officer_to_a_team_of_haitangxi(
    client: Client, li_na: User, zhang_wei: User, command_room_b: Team, both_stations: None
) -> None:
    client.force_login(li_na)
    officer = zhang_wei.officer
    response = client.post(f"/admin/organisation/officer/{officer.pk}/change/", {
        "station": officer.station_id, "name": officer.name, "badge_number": officer.badge_number,
        "rank": officer.rank, "team": command_room_b.pk, "duty_status": officer.duty_status,
    })
    assert response.status_code == 200  # the form comes back with an error
    assert "errorlist" in response.content.decode()
    assert Officer.objects.unscoped("test").get(pk=officer.pk).team_id == officer.team_id


def test_li_na_changes_an_officer_of_her_station_and_it_is_audited(
    client: Client, li_na: User, zhang_wei: User, both_stations: None
) -> None:
    client.force_login(li_na)
    officer = zhang_wei.officer
    response = client.post(f"/admin/organisation/officer/{officer.pk}/change/", {
        "user": zhang_wei.pk, "station": officer.station_id, "name": officer.name,
        "badge_number": officer.badge_number, "rank": officer.rank, "team": officer.team_id,
        "phone": officer.phone, "duty_status": Officer.DutyStatus.BUSY,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Officer.objects.for_user(li_na).get(pk=officer.pk).duty_status == "busy"
    row = AuditEntry.objects.get(action=AuditEntry.Action.UPDATED, object_type="organisation.officer")
    assert (row.user, row.changes) == (li_na, {"duty_status": ["on_duty", "busy"]})


def test_only_an_administrator_may_link_an_account_to_an_officer(
    client: Client, li_na: User, administrator: User, liu_yang: User
) -> None:
    officer = liu_yang.officer
    client.force_login(li_na)
    page = client.get(f"/admin/organisation/officer/{officer.pk}/change/").content.decode()
    assert 'name="user"' not in page
    client.force_login(administrator)
    page = client.get(f"/admin/organisation/officer/{officer.pk}/change/").content.decode()
    assert 'name="user"' in page


def test_the_officer_form_shows_the_phone_masked_and_an_empty_field_keeps_it(
    client: Client, li_na: User, zhang_wei: User, both_stations: None
) -> None:
    client.force_login(li_na)
    officer = zhang_wei.officer
    page = client.get(f"/admin/organisation/officer/{officer.pk}/change/").content.decode()
    assert officer.phone not in page
    assert officer.phone[:3] + "****" + officer.phone[-4:] in page
    response = client.post(f"/admin/organisation/officer/{officer.pk}/change/", {
        "station": officer.station_id, "name": officer.name, "badge_number": officer.badge_number,
        "rank": officer.rank, "team": officer.team_id, "phone": "", "duty_status": officer.duty_status,
    })
    assert response.status_code == 302
    assert Officer.objects.for_user(li_na).get(pk=officer.pk).phone == officer.phone
