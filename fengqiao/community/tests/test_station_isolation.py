"""Every community page and endpoint of 南坪 answers 404 to 海棠溪, and to an auxiliary
outside their officer's beat."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.community.models import Dispute, Visit, VolunteerTeam
from fengqiao.core.testing import Change, StationIsolationTests


class TestDisputeKeepsToItsStation(StationIsolationTests):
    object_fixture = "dispute_a"
    urls = ("/community/disputes/{pk}/", "/api/v1/disputes/{pk}")
    # In turn for the insider: a step, a change, then closed; the API's close after that is refused (409).
    changes = (
        Change("post", "/api/v1/disputes/{pk}/steps", {"method": "phone", "result": "电话回访"}, 201),
        Change("post", "/community/disputes/{pk}/steps/", {"method": "phone", "result": "电话回访"}, 302),
        Change("post", "/community/disputes/{pk}/parties/", {"new-name": "第三方"}, 302),
        Change("post", "/community/disputes/{pk}/close/", {"outcome": "resolved"}, 302),
        Change("post", "/api/v1/disputes/{pk}/close", {"outcome": "resolved"}, 409),
        Change("post", "/api/v1/disputes/{pk}/reopen", {"reason": "再次冲突"}, 200),
    )


class TestVisitKeepsToItsStation(StationIsolationTests):
    object_fixture = "visit_a"
    urls = ("/community/visits/{pk}/", "/api/v1/visits/{pk}")


class TestVolunteerTeamKeepsToItsStation(StationIsolationTests):
    object_fixture = "team_a"
    urls = ("/community/volunteers/{pk}/",)
    changes = (
        Change("post", "/community/volunteers/{pk}/activities/", {"kind": "patrol", "participants": "2"}, 302),
        Change("post", "/community/volunteers/{pk}/members/", {"name": "新队员"}, 302),
    )


class TestOneStepDisputeKeepsToItsStation(StationIsolationTests):
    """海棠溪 cannot open a dispute from 南坪's incident; 南坪's first press opens it, the second finds it."""

    object_fixture = "quarrel"
    changes = (
        Change("post", "/community/disputes/from-incident/{pk}/", {}, 302),
        Change("post", "/api/v1/incidents/{pk}/dispute", {}, 200),
    )

    def test_nothing_was_opened_for_the_outsider(self, client: Client, obj: Any, outsider: Any) -> None:
        client.force_login(outsider)
        client.post(f"/community/disputes/from-incident/{obj.pk}/")
        client.post(f"/api/v1/incidents/{obj.pk}/dispute")
        assert not Dispute.objects.unscoped("test: across stations").exists()


# -- an auxiliary and the beat of their officer ------------------------------------------------------


@pytest.mark.django_db
def test_the_auxiliary_gets_404_outside_the_beat_and_200_inside(
    client: Client, chen_chen: Any, dispute_a: Dispute, dispute_east: Dispute, visit_a: Visit, visit_east: Visit,
    team_a: VolunteerTeam, team_east: VolunteerTeam,
) -> None:
    client.force_login(chen_chen)
    inside = [f"/community/disputes/{dispute_a.pk}/", f"/api/v1/disputes/{dispute_a.pk}", f"/community/visits/{visit_a.pk}/",
              f"/api/v1/visits/{visit_a.pk}", f"/community/volunteers/{team_a.pk}/"]
    outside = [f"/community/disputes/{dispute_east.pk}/", f"/api/v1/disputes/{dispute_east.pk}",
               f"/community/visits/{visit_east.pk}/", f"/api/v1/visits/{visit_east.pk}", f"/community/volunteers/{team_east.pk}/"]
    for url in inside:
        assert client.get(url).status_code == 200, url
    for url in outside:
        response = client.get(url)
        assert response.status_code == 404, url
        assert dispute_east.number not in response.content.decode()


@pytest.mark.django_db
def test_the_auxiliarys_lists_hold_only_the_beat(client: Client, chen_chen: Any, dispute_a: Dispute, dispute_east: Dispute,
                                                 visit_a: Visit, visit_east: Visit, team_a: VolunteerTeam,
                                                 team_east: VolunteerTeam) -> None:
    client.force_login(chen_chen)
    assert [d["id"] for d in client.get("/api/v1/disputes").json()] == [dispute_a.pk]
    assert [v["id"] for v in client.get("/api/v1/visits").json()] == [visit_a.pk]
    assert [t["id"] for t in client.get("/api/v1/volunteer-teams").json()] == [team_a.pk]
    assert [d.pk for d in client.get("/community/disputes/").context["page"]] == [dispute_a.pk]
    assert [v.pk for v in client.get("/community/visits/").context["page"]] == [visit_a.pk]
    exported = client.get("/community/disputes/?export=csv").content.decode("utf-8-sig")
    assert dispute_a.number in exported and dispute_east.number not in exported


@pytest.mark.django_db
def test_another_stations_lists_and_map_hold_nothing_of_ours(client: Client, zhao_min: Any, dispute_a: Dispute, visit_a: Visit,
                                                             team_a: VolunteerTeam) -> None:
    client.force_login(zhao_min)
    assert client.get("/api/v1/disputes").json() == []
    assert client.get("/api/v1/visits").json() == []
    assert client.get("/api/v1/volunteer-teams").json() == []
    coverage = client.get("/api/v1/coverage").json()
    assert coverage["total"]["households"] == 0 and coverage["households"]["features"] == []
    assert dispute_a.number not in client.get("/community/disputes/?outcome=").content.decode()
