"""The command board and the dispatch panel, through the pages a commander uses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.core.testing import PASSWORD
from fengqiao.dispatch import services
from fengqiao.dispatch.models import Dispatch
from fengqiao.intake.models import Incident

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_board_shows_the_waiting_incident_with_its_deadline(noise_incident: Incident, zhang_wei: Any) -> None:
    page = _client(zhang_wei).get(reverse("dispatch:board"))
    assert page.status_code == 200
    html = page.content.decode()
    waiting = html.split('data-testid="column-waiting"')[1].split("</section>")[0]
    assert noise_incident.number in waiting
    assert 'data-due="' in waiting
    assert 'id="board-points"' in html and 'id="board-beats"' in html


def test_the_panel_recommends_the_beat_officer_with_reasons(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, he_ping: Any) -> None:
    html = _client(zhang_wei).get(reverse("dispatch:panel", args=[noise_incident.pk])).content.decode()
    candidates = html.split('data-testid="candidates"')[1]
    first = candidates.split('data-testid="candidate"')[1]
    assert "刘洋" in first
    assert 'data-testid="dispatch-button"' in first


def test_dispatching_from_the_panel_and_again_is_refused_in_words(noise_incident: Incident, zhang_wei: Any, liu_yang: Any, he_ping: Any) -> None:
    client = _client(zhang_wei)
    url = reverse("dispatch:dispatch", args=[noise_incident.pk])
    first = client.post(url, {"officer": liu_yang.officer.pk})
    assert first.status_code == 200 and 'data-testid="panel-message"' in first.content.decode()
    second = client.post(url, {"officer": he_ping.officer.pk})
    assert second.status_code == 409
    assert "刘洋" in second.content.decode().split('data-testid="panel-error"')[1].split("</p>")[0]
    assert Dispatch.objects.for_stations([noise_incident.station_id]).count() == 1


def test_the_live_part_moves_the_incident_to_its_new_column(noise_incident: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    services.do_dispatch(noise_incident, liu_yang.officer, user=zhang_wei)
    html = _client(zhang_wei).get(reverse("dispatch:board_live")).content.decode()
    dispatched = html.split('data-testid="column-dispatched"')[1].split("</section>")[0]
    assert noise_incident.number in dispatched and 'data-state="issued"' in dispatched


def test_another_stations_commander_gets_404(noise_incident: Incident, wang_qiang: Any, liu_yang: Any) -> None:
    client = _client(wang_qiang)
    assert client.get(reverse("dispatch:panel", args=[noise_incident.pk])).status_code == 404
    assert client.post(reverse("dispatch:dispatch", args=[noise_incident.pk]), {"officer": liu_yang.officer.pk}).status_code == 404
    assert noise_incident.number not in client.get(reverse("dispatch:board")).content.decode()


def test_a_community_officer_sees_the_board_but_cannot_dispatch(noise_incident: Incident, liu_yang: Any) -> None:
    client = _client(liu_yang)
    assert client.get(reverse("dispatch:board")).status_code == 200
    assert 'data-testid="candidates"' not in client.get(reverse("dispatch:panel", args=[noise_incident.pk])).content.decode()
    assert client.post(reverse("dispatch:dispatch", args=[noise_incident.pk]), {"officer": liu_yang.officer.pk}).status_code == 403


def test_an_auxiliary_cannot_open_the_board(chen_chen: Any) -> None:
    assert _client(chen_chen).get(reverse("dispatch:board")).status_code == 403
