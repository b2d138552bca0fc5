"""The station-isolation tests that every station-owned model's pages and API inherit.

After NetBox's `test_get_object_with_constrained_permission`: a subclass names a fixture
that builds an object of station A, the URLs that show it and the requests that would
change it; the inherited tests then check, for each of them, that

- a person of station B gets 404 — never 403, never the object — and the attempt is
  written to the audit log as refused;
- a change attempt by a person of station B also gets 404 and leaves the database as
  it was;
- the person of station A gets 200 on every URL, and the answer the change names
  (`insider_status`) to the same change requests.

A subclass is a few lines::

    @pytest.fixture
    def officer_zhang_wei(zhang_wei: User) -> Officer:
        return zhang_wei.officer

    class TestOfficerApiKeepsToItsStation(StationIsolationTests):
        object_fixture = "officer_zhang_wei"
        urls = ("/api/v1/officers/{pk}",)
        changes = (Change("post", "/api/v1/officers/{pk}/reveal-phone", {"reason": "核实"}),)

URLs are templates with `{pk}`. The people are fixtures of the root conftest:
`person_of_station_a` / `_b` name them and default to the two station chiefs, 李娜 (南坪)
and 赵敏 (海棠溪), who may also use the admin site. Set `audits_refusal = False` for a
model whose pages do not fetch through `get_for_user_or_404` (the audit log itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.db import models
from django.test import Client

from fengqiao.audit.models import AuditEntry

# The password of every person of the root conftest's fixtures.
PASSWORD = "nanping-station-2026"


def square(longitude: float, latitude: float, size: float = 0.004) -> dict[str, Any]:
    """A small GeoJSON square whose south-west corner is at the point."""
    ring = [
        [longitude, latitude],
        [longitude + size, latitude],
        [longitude + size, latitude + size],
        [longitude, latitude + size],
        [longitude, latitude],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


# Actions that would mean the object was changed or disclosed.
_CHANGING_ACTIONS = (
    AuditEntry.Action.CREATED,
    AuditEntry.Action.UPDATED,
    AuditEntry.Action.DELETED,
    AuditEntry.Action.REVEALED,
)


@dataclass(frozen=True)
class Change:
    """A request that would change (or disclose) the object: method, URL template, data.

    API requests (URLs under /api/) send `data` as JSON; page requests as a form.
    `insider_status` is what the person of the object's own station gets for the same
    request, which proves the request is well formed and the 404 is the station's doing.
    """

    method: str
    url: str
    data: dict[str, Any] = field(default_factory=dict)
    insider_status: int = 200


def _send(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    send = getattr(client, method.lower())
    if method.lower() == "get":
        return send(url)
    if url.startswith("/api/"):
        return send(url, data=json.dumps(data or {}), content_type="application/json")
    return send(url, data=data or {})


def _row(obj: models.Model) -> dict[str, Any]:
    """The object's row as stored, read past the station scoping."""
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


class StationIsolationTests:
    """Mixin: an object of station A answers 404 to station B and 200 to station A."""

    # The fixtures below are fetched by name, so the database is asked for here.
    pytestmark = [pytest.mark.django_db]

    object_fixture: ClassVar[str]
    urls: ClassVar[tuple[str, ...]] = ()
    changes: ClassVar[tuple[Change, ...]] = ()
    person_of_station_a: ClassVar[str] = "li_na"
    person_of_station_b: ClassVar[str] = "zhao_min"
    # Whether a refused look is written to the audit log (as `get_for_user_or_404` does).
    audits_refusal: ClassVar[bool] = True

    @pytest.fixture
    def obj(self, request: pytest.FixtureRequest) -> models.Model:
        return request.getfixturevalue(self.object_fixture)

    @pytest.fixture
    def insider(self, request: pytest.FixtureRequest) -> Any:
        return request.getfixturevalue(self.person_of_station_a)

    @pytest.fixture
    def outsider(self, request: pytest.FixtureRequest) -> Any:
        return request.getfixturevalue(self.person_of_station_b)

    def _url(self, template: str, obj: models.Model) -> str:
        return template.format(pk=obj.pk)

    def _refusals(self, outsider: Any, obj: models.Model) -> int:
        return AuditEntry.objects.filter(
            user=outsider, action=AuditEntry.Action.ACCESS_REFUSED,
            object_type=obj._meta.label_lower, object_id=str(obj.pk),
        ).count()

    def test_subclass_names_something_to_check(self) -> None:
        assert self.urls or self.changes, f"{type(self).__name__} lists no URL and no change"

    def test_person_of_another_station_gets_404(self, client: Client, obj: models.Model, outsider: Any) -> None:
        client.force_login(outsider)
        for template in self.urls:
            url = self._url(template, obj)
            refusals_before = self._refusals(outsider, obj)
            response = client.get(url)
            assert response.status_code == 404, f"GET {url} by {outsider} answered {response.status_code}"
            assert str(obj) not in response.content.decode(), f"GET {url} shows {obj} to {outsider}"
            if self.audits_refusal:
                assert self._refusals(outsider, obj) == refusals_before + 1, f"GET {url}: refusal not audited"

    def test_change_by_person_of_another_station_gets_404_and_changes_nothing(
        self, client: Client, obj: models.Model, outsider: Any
    ) -> None:
        client.force_login(outsider)
        for change in self.changes:
            url = self._url(change.url, obj)
            before = _row(obj)
            response = _send(client, change.method, url, change.data)
            assert response.status_code == 404, (
                f"{change.method.upper()} {url} by {outsider} answered {response.status_code}"
            )
            assert str(obj) not in response.content.decode()
            assert _row(obj) == before, f"{change.method.upper()} {url} by {outsider} changed {obj}"
            assert not AuditEntry.objects.filter(
                user=outsider, action__in=_CHANGING_ACTIONS,
                object_type=obj._meta.label_lower, object_id=str(obj.pk),
            ).exists(), f"{change.method.upper()} {url} by {outsider} changed or disclosed {obj}"

    def test_person_of_the_station_gets_200(self, client: Client, obj: models.Model, insider: Any) -> None:
        client.force_login(insider)
        for template in self.urls:
            url = self._url(template, obj)
            response = client.get(url)
            assert response.status_code == 200, f"GET {url} by {insider} answered {response.status_code}"

    def test_person_of_the_station_gets_through_to_the_change(
        self, client: Client, obj: models.Model, insider: Any
    ) -> None:
        client.force_login(insider)
        for change in self.changes:
            url = self._url(change.url, obj)
            response = _send(client, change.method, url, change.data)
            assert response.status_code == change.insider_status, (
                f"{change.method.upper()} {url} by {insider} answered {response.status_code}, "
                f"expected {change.insider_status}"
            )
