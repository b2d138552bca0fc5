"""A little 110 feed: posts calls to a running Fengqiao at a believable pace (pure, stdlib only).

`FeedClient.post_call` sends one call to ``POST /api/v1/calls`` with a bearer token and
an ``Idempotency-Key``. When the connection fails or the server answers 5xx it waits and
sends the same body with the same key again, so a call is received once even if an
answer was lost on the way back (the server replays its first answer, status 200).

`gap_seconds` draws the time to the next call: a Poisson process whose rate follows the
hour of the day (`history.HOURLY`), sped up by `speed` for demonstrations.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .history import HOURLY

Opener = Callable[..., Any]  # urllib.request.urlopen's shape: (request, timeout=…) → response

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class FeedError(RuntimeError):
    """The server refused the call (4xx) or could not be reached after every retry."""

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Answer:
    """The server's answer to one call: status 201 (new) or 200 (a replay), the receipt,
    and how many attempts it took."""

    status: int
    receipt: dict[str, Any]
    attempts: int
    key: str


def gap_seconds(rate_per_hour: float, hour: int, speed: float, rng: random.Random) -> float:
    """Seconds to the next call: exponential, at `rate_per_hour` shaped by the hour's
    share of the day (`HOURLY`), `speed` times faster."""
    mean_weight = sum(HOURLY) / len(HOURLY)
    rate = max(rate_per_hour, 0.001) * HOURLY[hour % 24] / mean_weight * max(speed, 0.001)
    return rng.expovariate(rate / 3600.0)


class FeedClient:
    """Posts calls to one server with one token."""

    def __init__(
        self, base_url: str, token: str, *, retries: int = 5, backoff: float = 0.5,
        timeout: float = 10.0, opener: Opener | None = None, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the server's URL must start with http:// or https://, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._open: Opener = opener or urllib.request.urlopen
        self._sleep = sleep

    def post_call(self, call: Mapping[str, Any], *, key: str = "") -> Answer:
        """Send `call`; retry with the same key and body on connection errors and 5xx."""
        key = key or f"demo-feed-{uuid.uuid4()}"
        body = json.dumps(call, ensure_ascii=False, sort_keys=True).encode()
        attempt = 0
        while True:
            attempt += 1
            try:
                status, text = self._send(body, key)
            except OSError as error:  # URLError, ConnectionError and TimeoutError are OSErrors
                if attempt > self.retries:
                    raise FeedError(f"no answer from {self.base_url} after {attempt} attempts: {error}") from error
                self._sleep(self.backoff * 2 ** (attempt - 1))
                continue
            if status in (200, 201):
                return Answer(status=status, receipt=json.loads(text), attempts=attempt, key=key)
            if status in RETRYABLE_STATUSES and attempt <= self.retries:
                self._sleep(self.backoff * 2 ** (attempt - 1))
                continue
            raise FeedError(f"the server answered {status}: {text[:300]}", status=status, body=text)

    def _send(self, body: bytes, key: str) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            f"{self.base_url}/api/v1/calls", data=body, method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": key,
            },
        )
        try:
            with self._open(request, timeout=self.timeout) as response:
                return int(response.status), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode("utf-8", "replace")

    def healthy(self) -> bool:
        """Whether ``GET /api/v1/health`` answers 200."""
        try:
            with self._open(f"{self.base_url}/api/v1/health", timeout=self.timeout) as response:
                return int(response.status) == 200
        except OSError:
            return False

    def wait_until_healthy(self, *, seconds: float = 30.0, stop: Callable[[], bool] | None = None) -> bool:
        """Poll the health endpoint until it answers, `seconds` at most."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if stop is not None and stop():
                return False
            if self.healthy():
                return True
            self._sleep(0.25)
        return False
