"""Two commanders dispatch the same incident at the same moment, on a real server.

In-process tests cannot race on SQLite (its in-memory test database refuses a second
writer outright), so this runs `fengqiao serve` on a database file of its own (or a
PostgreSQL database of its own) and sends the two requests from two threads released
together. Exactly one order is made; the other commander is told who was sent.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.crash import harness

INCIDENTS = 6


def _script(database: harness.Database, *arguments: str) -> Any:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [harness.PYTHON, "-m", "tests.concurrency.station", *arguments], cwd=harness.REPO, env=database.env,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _dispatch(port: int, token: str, incident: int, officer: int) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"officer_id": officer})
    connection.request("POST", f"/api/v1/incidents/{incident}/dispatches", body=body,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    answer = connection.getresponse()
    payload = json.loads(answer.read() or b"{}")
    connection.close()
    return answer.status, payload


def test_two_commanders_at_the_same_moment_make_one_order(tmp_path: Path) -> None:
    database = harness.new_database(tmp_path, "race")
    try:
        station = _script(database, "setup", str(INCIDENTS))
        server = harness.Server(harness.REAL_SERVER, database, tmp_path / "server.log")
        with harness.running(server):
            for incident in station["incidents"]:
                barrier = threading.Barrier(2)
                answers: list[tuple[int, dict[str, Any]]] = []

                def send(token: str, officer: int, incident: int = incident, barrier: threading.Barrier = barrier,
                         answers: list[tuple[int, dict[str, Any]]] = answers) -> None:
                    barrier.wait()
                    answers.append(_dispatch(server.port, token, incident, officer))

                threads = [threading.Thread(target=send, args=(token, officer))
                           for token, officer in zip(station["tokens"], station["officers"], strict=True)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(60)
                statuses = sorted(status for status, _body in answers)
                assert statuses == [201, 409], answers
                refusal = next(body for status, body in answers if status == 409)
                winner = next(body for status, body in answers if status == 201)
                assert winner["officer"] in refusal["detail"], refusal
        orders = _script(database, "orders")
        assert len(orders) == INCIDENTS
        assert sorted(incident for incident, _officer, _state in orders) == sorted(station["incidents"])
    finally:
        harness.drop_database(database)
