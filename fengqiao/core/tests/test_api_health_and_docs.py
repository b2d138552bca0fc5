"""The health check answers without login; the API documentation works with no internet."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_answers_ok_without_login(client: Client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == connection.vendor


def test_health_answers_503_with_the_reason_when_the_database_is_down(client: Client) -> None:
    down = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connection, "cursor", side_effect=down):
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "database unreachable" in body["detail"]
    assert "Connection refused" in body["detail"]
    # The patch is gone and the database answers again.
    assert client.get("/api/v1/health").status_code == 200


def test_the_openapi_schema_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Fengqiao API"
    assert "/api/v1/officers/{officer_id}/reveal-phone" in schema["paths"]
    assert "/api/v1/health" in schema["paths"]


def test_the_api_docs_load_only_files_from_this_machine(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert any(source.endswith(".js") for source in sources), page
    outside = [source for source in sources if re.match(r"(https?:)?//", source)]
    assert outside == []
    for source in sources:
        assert client.get(source).status_code == 200, f"{source} is not served"
