"""Sending transfers to a department's own system: failed sends are retried with backoff and
counted, and each transfer is delivered once — against a real HTTP server in a thread."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command

from fengqiao.dispatch import ticker
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Department
from fengqiao.transfers import delivery, services
from fengqiao.transfers.models import DepartmentEndpoint, Transfer

from .conftest import CALLER_PHONE, fresh

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


class Department311:
    """The urban management department's system: fails the first `failures` requests, then answers 201."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                       "type": self.headers.get("Content-Type"), "body": json.loads(body)})
                status = 500 if len(owner.requests) <= owner.failures else 201
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"service_request_id": "CG-1"}' if status == 201 else b'{"error": "busy"}')

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/open311/requests"

    def __enter__(self) -> Department311:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def department_system(urban_management: Department) -> Iterator[Department311]:
    with Department311(failures=2) as system:
        DepartmentEndpoint.objects.create(department=urban_management, url=system.url, token="cg-secret-token")
        yield system


def test_two_failed_sends_are_retried_counted_and_the_third_delivers_once(
        department_system: Department311, noise_complaint: Incident, zhang_wei: Any) -> None:
    transfer = services.do_transfer(noise_complaint, user=zhang_wei, description="请城管处理广场舞噪音")
    assert transfer.delivered_at is None and transfer.next_send_at == transfer.pushed_at
    start = transfer.pushed_at

    first = delivery.send_due(start)
    row = fresh(transfer)
    assert (first.delivered, first.failed) == (0, 1)
    assert (row.send_attempts, row.send_failures, row.delivered_at) == (1, 1, None)
    assert row.last_send_error.startswith("HTTP 500") and row.next_send_at == start + MINUTE

    assert delivery.send_due(start + 30 * dt.timedelta(seconds=1)).failed == 0  # not due yet: nothing sent
    assert len(department_system.requests) == 1

    delivery.send_due(start + MINUTE)
    row = fresh(transfer)
    assert (row.send_attempts, row.send_failures) == (2, 2) and row.next_send_at == start + 3 * MINUTE

    third = delivery.send_due(start + 3 * MINUTE)
    row = fresh(transfer)
    assert (third.delivered, third.failed) == (1, 0)
    assert (row.send_attempts, row.send_failures) == (3, 2)
    assert row.delivered_at == start + 3 * MINUTE and row.next_send_at is None and row.last_send_error == ""

    delivery.send_due(start + dt.timedelta(hours=5))
    assert len(department_system.requests) == 3  # delivered once, never sent again
    sent = department_system.requests[-1]
    assert sent["auth"] == "Bearer cg-secret-token" and sent["type"].startswith("application/json")
    body = sent["body"]
    assert body["number"] == transfer.number and body["service_code"] == "non_police.noise"
    assert body["agency_responsible"] == "南岸区城市管理局" and body["status"] == "pushed"
    assert body["caller_name"] == "钱女士" and body["caller_phone"] == "139****2222"
    assert CALLER_PHONE not in json.dumps(body)


def test_a_department_that_does_not_answer_counts_a_failure_with_a_short_reason(
        urban_management: Department, noise_complaint: Incident, zhang_wei: Any) -> None:
    with Department311(failures=0) as closed:
        url = closed.url  # the port is closed again when the block ends
    DepartmentEndpoint.objects.create(department=urban_management, url=url)
    transfer = services.do_transfer(noise_complaint, user=zhang_wei, description="请处理")
    report = delivery.send_due(transfer.pushed_at)
    row = fresh(transfer)
    assert report.failed == 1 and row.send_failures == 1 and row.delivered_at is None
    assert 0 < len(row.last_send_error) <= 300


def test_a_withdrawn_transfer_is_not_sent_any_more(department_system: Department311, noise_complaint: Incident,
                                                   zhang_wei: Any) -> None:
    transfer = services.do_transfer(noise_complaint, user=zhang_wei, description="请处理")
    services.do_withdraw(transfer, user=zhang_wei, reason="已自行解决")
    assert delivery.send_due(transfer.pushed_at + MINUTE).failed == 0
    assert department_system.requests == []


def test_a_department_without_a_system_has_its_transfers_at_once(transfer_a: Transfer) -> None:
    assert transfer_a.delivered_at == transfer_a.pushed_at and transfer_a.next_send_at is None
    assert delivery.send_due(transfer_a.pushed_at + MINUTE).delivered == 0


def test_a_claimed_transfer_is_not_sent_twice_by_two_senders(department_system: Department311, noise_complaint: Incident,
                                                             zhang_wei: Any) -> None:
    transfer = services.do_transfer(noise_complaint, user=zhang_wei, description="请处理")
    assert delivery._claim(transfer.pk, transfer.pushed_at)
    assert not delivery._claim(transfer.pk, transfer.pushed_at)  # the other sender finds it taken
    assert delivery.send_due(transfer.pushed_at).failed == 0 and department_system.requests == []


def test_the_ticker_sends_after_each_tick_and_never_stops_for_a_failure(monkeypatch: pytest.MonkeyPatch,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []
    monkeypatch.setattr(delivery, "send_due", lambda: calls.append("sent") or delivery.SendReport(delivered=1))
    ticker.send_transfers()

    def broken() -> delivery.SendReport:
        raise RuntimeError("department system misconfigured")

    monkeypatch.setattr(delivery, "send_due", broken)
    with caplog.at_level(logging.ERROR):
        ticker.send_transfers()  # logged, not raised
    assert calls == ["sent"] and "could not be sent" in caplog.text


def test_the_tick_command_sends_a_transfer_due_for_sending(urban_management: Department, noise_complaint: Incident,
                                                           zhang_wei: Any) -> None:
    with Department311(failures=0) as system:
        DepartmentEndpoint.objects.create(department=urban_management, url=system.url)
        transfer = services.do_transfer(noise_complaint, user=zhang_wei, description="请城管处理广场舞噪音")
        call_command("tick", "--once")
    assert [request["body"]["number"] for request in system.requests] == [transfer.number]
    assert fresh(transfer).delivered_at is not None
