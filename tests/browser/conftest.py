"""Playwright in Debian's Chromium against the live test server, with no outside requests.

Every page a browser test opens is watched: a request to any address other than the
test server fails the test, because police networks have no internet.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

CHROMIUM = os.environ.get("FENGQIAO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the test's own database
# calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh --test (installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OutsideRequests:
    """Collects every request that would leave the test server."""

    def __init__(self, allowed_netloc: str) -> None:
        self.allowed_netloc = allowed_netloc
        self.seen: list[str] = []

    def __call__(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == self.allowed_netloc:
            route.continue_()
        else:
            self.seen.append(url)
            route.abort()


def _new_context(browser: Browser, live_server: object, **options: object) -> tuple[BrowserContext, OutsideRequests]:
    server_url = str(live_server.url)  # type: ignore[attr-defined]
    context = browser.new_context(base_url=server_url, locale="zh-CN", **options)  # type: ignore[arg-type]
    outside = OutsideRequests(urlsplit(server_url).netloc)
    context.route("**/*", outside)
    return context, outside


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    """A desktop-sized page on the live server; fails the test if anything outside is requested."""
    context, outside = _new_context(browser, live_server, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    # Streams of live pages notice a closed browser only at their next heartbeat.
    from fengqiao.core import events

    events.close_all()
    let_requests_finish()
    assert outside.seen == [], f"pages requested addresses outside the test server: {outside.seen}"
    assert errors == [], f"JavaScript errors on the page: {errors}"


def let_requests_finish(timeout: float = 5.0) -> None:
    """Wait for the live server's requests still in flight when the browser closed (a panel's
    lazy parts, say): the test database is emptied next, and SQLite refuses to empty a table
    another connection is reading ("database table is locked")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
            "process_request_thread" in thread.name for thread in threading.enumerate()):
        time.sleep(0.05)


@pytest.fixture
def small_phone(browser: Browser, live_server: object) -> Iterator[Page]:
    """A 360-pixel touch phone on the live server, held to the same rules as `page`."""
    context, outside = _new_context(browser, live_server, viewport={"width": 360, "height": 800}, is_mobile=True,
                                    has_touch=True)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    yield phone
    context.close()
    from .test_phone import _end_live_streams

    _end_live_streams()
    let_requests_finish()
    assert outside.seen == [], f"pages requested addresses outside the test server: {outside.seen}"
    assert errors == [], f"JavaScript errors on the page: {errors}"


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
