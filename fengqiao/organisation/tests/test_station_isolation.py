"""Every organisation object of 南坪 answers 404 to 海棠溪, in the API and in the admin site."""

from __future__ import annotations

import pytest

from fengqiao.accounts.models import User
from fengqiao.core.testing import Change, StationIsolationTests
from fengqiao.organisation.models import Officer


@pytest.fixture
def officer_zhang_wei(zhang_wei: User) -> Officer:
    return zhang_wei.officer


# -- API ----------------------------------------------------------------------------------


class TestStationApiKeepsToItsStation(StationIsolationTests):
    object_fixture = "station_a"
    urls = ("/api/v1/stations/{pk}",)


class TestTeamApiKeepsToItsStation(StationIsolationTests):
    object_fixture = "command_room_a"
    urls = ("/api/v1/teams/{pk}",)


class TestBeatApiKeepsToItsStation(StationIsolationTests):
    object_fixture = "beat_a"
    urls = ("/api/v1/beats/{pk}",)


class TestOfficerApiKeepsToItsStation(StationIsolationTests):
    object_fixture = "officer_zhang_wei"
    urls = ("/api/v1/officers/{pk}",)
    changes = (Change("post", "/api/v1/officers/{pk}/reveal-phone", {"reason": "核实值班员身份"}),)


class TestOfficerApiKeepsToItsStationForCommanders(StationIsolationTests):
    """The same, between the two command rooms (张伟 of 南坪 and 王强 of 海棠溪)."""

    object_fixture = "officer_zhang_wei"
    person_of_station_a = "zhang_wei"
    person_of_station_b = "wang_qiang"
    urls = ("/api/v1/officers/{pk}",)
    changes = (Change("post", "/api/v1/officers/{pk}/reveal-phone", {"reason": "联系值班员"}),)


# -- admin site (station chiefs 李娜 and 赵敏 are staff) -------------------------------------


class TestStationAdminKeepsToItsStation(StationIsolationTests):
    object_fixture = "station_a"
    urls = ("/admin/organisation/station/{pk}/change/", "/admin/organisation/station/{pk}/history/")
    changes = (
        # 李娜 may only view stations: her change is refused, but the page exists for her.
        Change("post", "/admin/organisation/station/{pk}/change/", {"name": "改名派出所", "code": "NP"}, 403),
        Change("post", "/admin/organisation/station/{pk}/delete/", {"post": "yes"}, 403),
    )


class TestTeamAdminKeepsToItsStation(StationIsolationTests):
    object_fixture = "command_room_a"
    urls = ("/admin/organisation/team/{pk}/change/", "/admin/organisation/team/{pk}/history/")
    changes = (
        # An incomplete form: 李娜 gets it back with errors (200), nothing is saved.
        Change("post", "/admin/organisation/team/{pk}/change/", {"name": "改名指挥室"}),
        Change("post", "/admin/organisation/team/{pk}/delete/", {"post": "yes"}, 403),
    )


class TestBeatAdminKeepsToItsStation(StationIsolationTests):
    object_fixture = "beat_a"
    urls = ("/admin/organisation/beat/{pk}/change/", "/admin/organisation/beat/{pk}/history/")
    changes = (
        Change("post", "/admin/organisation/beat/{pk}/change/", {"name": "改名警务区"}),
        Change("post", "/admin/organisation/beat/{pk}/delete/", {"post": "yes"}, 403),
    )


class TestOfficerAdminKeepsToItsStation(StationIsolationTests):
    object_fixture = "officer_zhang_wei"
    urls = ("/admin/organisation/officer/{pk}/change/", "/admin/organisation/officer/{pk}/history/")
    changes = (
        Change("post", "/admin/organisation/officer/{pk}/change/", {"name": "改名"}),
        Change("post", "/admin/organisation/officer/{pk}/delete/", {"post": "yes"}, 403),
    )
