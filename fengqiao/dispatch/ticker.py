"""The deadline ticker: `services.tick` every few seconds, in a thread or as its own process."""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, close_old_connections, connection

from . import services

log = logging.getLogger(__name__)
DEFAULT_EVERY = 10.0  # seconds; the board's own timers colour a breach the second it comes


def run(stop: threading.Event, *, every: float = DEFAULT_EVERY) -> None:
    """Tick until `stop` is set; a database error is logged and the next tick tries again."""
    while not stop.is_set():
        close_old_connections()
        try:
            report = services.tick()
            if report.warnings or report.alerts:
                log.info("deadlines: %d warnings, %d breaches", report.warnings, report.alerts)
        except DatabaseError:
            log.exception("the ticker could not read or write the database; trying again")
        send_transfers()
        stop.wait(every)
    connection.close()


def send_transfers() -> None:
    """New transfers to the departments' own systems (`transfers.delivery`), retried there;
    a failure here is logged and never stops the ticker."""
    try:
        from fengqiao.transfers import delivery

        sent = delivery.send_due()
        if sent.delivered or sent.failed:
            log.info("transfers: %d delivered, %d failed sends", sent.delivered, sent.failed)
    except Exception:
        log.exception("transfers could not be sent to the departments; trying again at the next tick")


def start_in_thread(*, every: float = DEFAULT_EVERY) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(stop,), kwargs={"every": every}, name="fengqiao-ticker", daemon=True)
    thread.start()
    return thread, stop
