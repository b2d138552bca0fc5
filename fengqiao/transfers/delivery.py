"""Sending new transfers to departments that have a system of their own, retried and counted.

A department with an active `DepartmentEndpoint` is POSTed each new transfer as JSON (the
Open311-like shape of `open311.py`, the caller's phone masked) with its bearer token. A
2xx answer marks the transfer delivered; anything else — an error status, a refused
connection, a timeout — counts a failure, keeps a short note of it and tries again after
1, 2, 4, 8 … minutes, at most an hour apart, until the department answers or the
transfer is closed. Departments without an endpoint work in the portal: their transfers
are delivered the moment they are made (`services.do_transfer`).

`send_due` runs in the ticker thread after each tick. Each transfer is first claimed
(`next_send_at` moved a lease ahead in a conditional UPDATE), so two server processes
never send the same one at once, and no database transaction is held open while the
department's server is slow. Requests go straight to the department's address (no
HTTP proxy from the environment): departments are reached on the government network.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fengqiao.core import events

from . import machine
from .models import DepartmentEndpoint, Transfer
from .open311 import as_open311

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
BACKOFF_MAX_MINUTES = 60
LEASE = dt.timedelta(seconds=60)  # a claimed transfer is left alone this long by other senders
BATCH = 50  # at most this many sends per tick; the rest wait for the next
ERROR_LENGTH = 300

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class SendReport:
    delivered: int = 0
    failed: int = 0


def backoff(failures: int) -> dt.timedelta:
    """How long to wait after the `failures`-th failure in a row: 1, 2, 4 … 60 minutes."""
    minutes = 2 ** max(failures - 1, 0) if failures < 8 else BACKOFF_MAX_MINUTES
    return dt.timedelta(minutes=min(minutes, BACKOFF_MAX_MINUTES))


def payload(transfer: Transfer) -> bytes:
    return json.dumps(as_open311(transfer), cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")


def post(url: str, body: bytes, *, token: str = "", timeout: float = TIMEOUT_SECONDS) -> str:
    """POST `body` to `url`; "" when the department answered 2xx, otherwise a short reason."""
    if not url.lower().startswith(("http://", "https://")):
        return "not an http(s) address"
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310  (http(s) only, checked above)
        "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code} {error.reason}"[:ERROR_LENGTH]
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"{type(error).__name__}: {reason}"[:ERROR_LENGTH]
    if 200 <= status < 300:
        return ""
    return f"HTTP {status}"


def _waiting(now: dt.datetime) -> list[int]:
    return list(
        Transfer.objects.unscoped("the sender pushes every station's transfers to the departments")
        .filter(delivered_at=None, next_send_at__lte=now, state__in=machine.OPEN,
                department__endpoint__active=True)
        .order_by("next_send_at", "pk").values_list("pk", flat=True)[:BATCH]
    )


def _claim(pk: int, now: dt.datetime) -> bool:
    """Take this transfer for one send; False when another sender took it first."""
    claimed = (Transfer.objects.unscoped("claiming one transfer to send")
               .filter(pk=pk, delivered_at=None, next_send_at__lte=now).update(next_send_at=now + LEASE))
    return claimed == 1


def send_one(transfer: Transfer, endpoint: DepartmentEndpoint, *, now: dt.datetime) -> bool:
    """Send one claimed transfer and write down how it went; True when delivered."""
    error = post(endpoint.url, payload(transfer), token=endpoint.token)
    rows = Transfer.objects.unscoped("writing down one send").filter(pk=transfer.pk)
    with transaction.atomic():
        if not error:
            rows.update(delivered_at=now, send_attempts=F("send_attempts") + 1, next_send_at=None, last_send_error="")
        else:
            failures = transfer.send_failures + 1
            rows.update(send_attempts=F("send_attempts") + 1, send_failures=F("send_failures") + 1,
                        last_send_error=error, next_send_at=now + backoff(failures))
        events.publish(transfer.station_id, "transfer", transfer=transfer.pk, incident=transfer.incident_id,
                       state="delivered" if not error else "send_failed")
    if error:
        log.warning("transfer %s not delivered to %s: %s", transfer.number, endpoint.url, error)
    return not error


def send_due(now: dt.datetime | None = None) -> SendReport:
    """Send every transfer whose (next) send is due; called by the ticker after each tick."""
    now = now or timezone.now()
    report = SendReport()
    for pk in _waiting(now):
        if not _claim(pk, now):
            continue
        transfer = (Transfer.objects.unscoped("sending one transfer")
                    .select_related("station", "incident__category", "department", "department__endpoint").get(pk=pk))
        endpoint = transfer.department.endpoint
        if send_one(transfer, endpoint, now=now):
            report.delivered += 1
        else:
            report.failed += 1
    return report
