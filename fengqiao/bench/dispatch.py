"""`fengqiao bench dispatch`: how fast officers are recommended, and how soon boards see an order move.

    fengqiao bench dispatch                       # SQLite, a throwaway demo station
    fengqiao bench dispatch --samples 300 --json
    FENGQIAO_DB=postgres DATABASE_URL=postgres://fengqiao:fengqiao@127.0.0.1:5432/fengqiao \\
        fengqiao bench dispatch --workers 2       # boards spread over two server workers

Two figures, with the targets of the dispatch issue:

- **Recommendation latency** — `recommend.recommend_officers` for a random incident among
  60 and among 1,000 officers (pure, in this process; `bench.recommend.measure`), p50/p99.
  Target: p99 under 5 ms with 1,000 officers.
- **Board update latency** — from an order step made through the API to the event's arrival
  at every connected board (`GET /events/`, as the command board listens), p50/p95, on a
  real `fengqiao serve` of a throwaway demo station (`bench.events.run`). Each sample is
  one step of one order, alternately dispatching an officer to an incident and cancelling
  the order (`POST /api/v1/incidents/{id}/dispatches`, `POST /api/v1/dispatches/{id}/cancel`).
  The delay is counted from the moment the request left (an upper bound of commit → board).
  Target: p95 under 1 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
from typing import Any

from fengqiao.bench import events as events_bench
from fengqiao.bench import recommend as recommend_bench

HELP = "dispatch: recommendation latency (60 and 1,000 officers) and order step → board event latency"
TARGET_RECOMMEND_P99_MS = 5.0


class OrderSteps:
    """Dispatch an officer to one incident, cancel, dispatch again …: one event-making step per call."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.token = token
        self.incident_id = self._incident()
        self.officer_id = self._officer()
        self.order_id: int | None = None

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        all_headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **(headers or {})}
        self.connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=all_headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"null")

    def _incident(self) -> int:
        status, receipt = self._send("POST", "/api/v1/calls", {
            "source": "phone", "text": "楼上邻居吵架摔东西，声音很大，怕出事", "address": "南坪西路18号"},
            headers={"Idempotency-Key": f"bench-dispatch-{time.time_ns()}"})
        if status != 201:
            raise ValueError(f"POST /api/v1/calls answered {status}: {receipt}")
        return int(receipt["incident_id"])

    def _officer(self) -> int:
        status, answer = self._send("GET", f"/api/v1/incidents/{self.incident_id}/recommendations")
        if status != 200 or not answer["candidates"]:
            raise ValueError(f"no officer to recommend for the benchmark's incident: {answer}")
        return int(answer["candidates"][0]["officer_id"])

    def __call__(self) -> events_bench.Change:
        sent = time.monotonic()
        if self.order_id is None:
            status, order = self._send("POST", f"/api/v1/incidents/{self.incident_id}/dispatches", {"officer_id": self.officer_id})
            wanted_state = "issued"
        else:
            status, order = self._send("POST", f"/api/v1/dispatches/{self.order_id}/cancel", {"reason": "基准测试撤销"})
            wanted_state = "cancelled"
        done = time.monotonic()
        if status not in (200, 201):
            raise ValueError(f"the order step answered {status}: {order}")
        order_id = int(order["id"])
        self.order_id = order_id if wanted_state == "issued" else None

        def matches(kind: str, data: dict[str, Any]) -> bool:
            return kind == "dispatch" and data.get("dispatch") == order_id and data.get("state") == wanted_state

        return events_bench.Change(sent, done, matches)

    def close(self) -> None:
        self.connection.close()


def run(*, samples: int, boards: int, workers: int, runs: int, seed: int, data_parent: str | None, keep: bool) -> dict[str, Any]:
    recommendation = {str(n): recommend_bench.measure(n, runs=runs, seed=seed) for n in (60, 1000)}
    board = events_bench.run(
        samples=samples, boards=boards, workers=workers, seed=seed, data_parent=data_parent, keep=keep,
        publisher=lambda station, _station_id: OrderSteps("127.0.0.1", station.port, station.token),
    )
    return {
        "benchmark": "dispatch",
        "recommendation": recommendation,
        "board": board,
        "targets": {
            "recommend_p99_ms_below": TARGET_RECOMMEND_P99_MS,
            "recommend_met": recommendation["1000"]["p99_ms"] < TARGET_RECOMMEND_P99_MS,
            "board_p95_ms_below": events_bench.TARGET_P95_MS,
            "board_met": bool(board["targets"]["met"]),
        },
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=200, help="order steps measured at the boards (default 200)")
    parser.add_argument("--boards", type=int, default=4, help="connected boards (default 4)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1; PostgreSQL for more)")
    parser.add_argument("--runs", type=int, default=2000, help="recommendations timed per officer count (default 2000)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the demo, the officers and the incidents (default 2026)")
    parser.add_argument("--data-dir", default=None, help="where to make the throwaway data directory")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory and database")


def run_from_options(options: dict[str, Any]) -> dict[str, Any]:
    if options["samples"] < 1 or options["runs"] < 1 or options["boards"] < 1:
        raise ValueError("--samples, --runs and --boards must be at least 1")
    return run(samples=options["samples"], boards=options["boards"], workers=options["workers"], runs=options["runs"],
               seed=options["seed"], data_parent=options["data_dir"], keep=options["keep"])


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for officers, found in figures["recommendation"].items():
        rows.append((f"recommend, {officers} officers", f"p50 {found['p50_ms']:.3f} ms, p99 {found['p99_ms']:.3f} ms, max {found['max_ms']:.3f} ms"))
    board = figures["board"]
    request = board["from_request_ms"]
    rows += [
        ("database", str(board["database"])),
        ("boards, workers", f"{board['boards']}, {board['server']['workers']}"),
        ("order step → boards", f"p50 {request['p50']} ms, p95 {request['p95']} ms, p99 {request['p99']} ms, "
                                f"max {request['max']} ms ({board['arrivals']} arrivals, {board['lost']} lost)"),
        ("order step request", f"p50 {board['request_ms']['p50']} ms, p95 {board['request_ms']['p95']} ms"),
    ]
    targets = figures["targets"]
    rows.append(("targets", f"recommend p99 < {targets['recommend_p99_ms_below']:g} ms: {'met' if targets['recommend_met'] else 'MISSED'}; "
                            f"board p95 < {targets['board_p95_ms_below']:g} ms: {'met' if targets['board_met'] else 'MISSED'}"))
    return rows
