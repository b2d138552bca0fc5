"""Simulated officers for the live demo: the command room dispatches, officers acknowledge,
drive, arrive and report, so the command board moves by itself.

Everything goes through the HTTP API, as real phones and a real commander would: the
commander's token dispatches the top recommendation of an incident that has waited a
little (so a person at the board can dispatch first), and each officer acts with a token
of their own (made for the run, revoked after it). Officers who log in with a demo
account of their own (`community`, `case` …) are left to the person playing them; only
officers who log in with their badge number are simulated.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from fengqiao.accounts.models import ApiToken
from fengqiao.accounts.services import do_create_token, do_revoke_token
from fengqiao.organisation.models import Officer

from .live import DEFAULT_URL, account_station

TOKEN_NAME = "demo live officers"
ROUTES_DISPATCHED = ("community", "case", "command")
FEEDBACK = {
    "dispute": ("mediated", ("现场调解，双方达成谅解", "告知双方通过社区人民调解委员会解决，已登记", "劝解后双方情绪平稳，约定回访")),
    "assistance": ("helped", ("已协助报警人解决", "已联系家属接回", "帮助开锁并核实身份")),
    "public_order": ("warned", ("对当事人批评教育，现场秩序恢复", "已劝离围观人员")),
    "criminal": ("case_accepted", ("现场勘查并制作笔录，已受案", "调取监控，移交办案队")),
    "traffic": ("handled", ("现场疏导交通，通知交巡警处理",)),
    "fire": ("handled", ("配合消防处置完毕，无人员伤亡",)),
    "non_police": ("transferred", ("已告知报警人联系相关职能部门",)),
}
DEFAULT_FEEDBACK = ("handled", ("现场处置完毕",))


class Api:
    """A small JSON client for one token."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (our own server's URL)
            f"{self.base_url}/api/v1{path}", data=data, method=method,
            headers={"Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return int(response.status), json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            try:
                return int(error.code), json.loads(text)
            except ValueError:
                return int(error.code), {"detail": text[:300]}


@dataclass
class CrewOptions:
    url: str = DEFAULT_URL
    username: str = "commander"
    station_code: str = ""
    speed: float = 1.0
    seed: int | None = None
    think: tuple[float, float] = (25.0, 75.0)  # seconds an incident waits before the crew dispatches it
    poll: float = 2.0


@dataclass(order=True)
class _Step:
    due: float
    order: int
    dispatch_id: int = field(compare=False)
    action: str = field(compare=False)
    officer_id: int = field(compare=False)
    incident_id: int = field(compare=False)


class Crew:
    """The command room's routine and the simulated officers' phones, stepped by `tick`."""

    def __init__(self, options: CrewOptions, *, write: Callable[[str], None] = print,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.options = options
        self.write = write
        self.clock = clock
        user, station = account_station(options.username, options.station_code)
        self.station = station
        self.rng = random.Random(f"{options.seed if options.seed is not None else time.time_ns()}:officers")
        self._commander_row, token = do_create_token(user, name=TOKEN_NAME)
        self.commander = Api(options.url, token)
        self._tokens: dict[int, tuple[ApiToken, Api]] = {}
        self.simulated = {
            officer.pk: officer for officer in Officer.objects.for_stations([station.pk]).select_related("user")
            if officer.user is not None and officer.user.username.isdigit()
        }
        self.plan: list[_Step] = []
        self.known_orders: set[int] = set()
        self.first_seen: dict[int, float] = {}
        self.patience: dict[int, float] = {}
        self._sequence = itertools.count()
        self._next_poll = 0.0
        self._next_sweep = 0.0
        self.done: list[tuple[str, int]] = []  # (action, dispatch id), for tests and the console

    def close(self) -> None:
        for row, _api in self._tokens.values():
            do_revoke_token(row, reason="the demo officers stopped")
        do_revoke_token(self._commander_row, reason="the demo officers stopped")
        self._tokens.clear()

    def seconds(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high) / max(self.options.speed, 0.001)

    def officer_api(self, officer_id: int) -> Api:
        if officer_id not in self._tokens:
            row, token = do_create_token(self.simulated[officer_id].user, name=TOKEN_NAME)
            self._tokens[officer_id] = (row, Api(self.options.url, token))
        return self._tokens[officer_id][1]

    # -- the command room ------------------------------------------------------------------

    def tick(self) -> None:
        now = self.clock()
        if now >= self._next_poll:
            self._next_poll = now + self.options.poll / max(self.options.speed, 1.0)
            self._dispatch_waiting(now)
        if now >= self._next_sweep:
            self._next_sweep = now + 10 * self.options.poll / max(self.options.speed, 1.0)
            self._pick_up_orders(now)
        while self.plan and self.plan[0].due <= now:
            self._take(heapq.heappop(self.plan))

    def _dispatch_waiting(self, now: float) -> None:
        status, incidents = self.commander.call(
            "GET", "/incidents?state=received&state=triaged&limit=50")
        if status != 200:
            return
        for incident in incidents:
            if incident["station_id"] != self.station.pk or incident["route"] not in ROUTES_DISPATCHED:
                continue
            first = self.first_seen.setdefault(incident["id"], now)
            wait = self.patience.setdefault(incident["id"], self.seconds(*self.options.think))
            if now - first >= wait:
                self._dispatch(incident)

    def _dispatch(self, incident: dict[str, Any]) -> None:
        status, answer = self.commander.call("GET", f"/incidents/{incident['id']}/recommendations")
        if status != 200 or not answer["candidates"]:
            return
        candidates = answer["candidates"]
        chosen = next((c for c in candidates if c["officer_id"] in self.simulated), candidates[0])
        status, order = self.commander.call("POST", f"/incidents/{incident['id']}/dispatches", {"officer_id": chosen["officer_id"]})
        if status != 201:
            return
        self.first_seen.pop(incident["id"], None)
        self.write(f"{timezone.localtime():%H:%M:%S}  {incident['number']}  → {chosen['name']}  ({'；'.join(chosen['reasons'][:1])})")
        self._follow(order, eta=chosen.get("eta_minutes"))

    def _pick_up_orders(self, now: float) -> None:
        """Orders a person dispatched to a simulated officer are worked too."""
        status, incidents = self.commander.call(
            "GET", "/incidents?state=dispatched&state=acknowledged&state=on_scene&limit=100")
        if status != 200:
            return
        for incident in incidents:
            for order in incident.get("orders") or self._orders_of(incident["id"]):
                if order["id"] not in self.known_orders and order["state"] in ("issued", "acknowledged", "departed", "on_scene"):
                    self._follow(order, eta=None)

    def _orders_of(self, incident_id: int) -> list[dict[str, Any]]:
        status, orders = self.commander.call("GET", f"/incidents/{incident_id}/dispatches")
        return orders if status == 200 else []

    # -- the officers ------------------------------------------------------------------------

    def _follow(self, order: dict[str, Any], *, eta: float | None) -> None:
        self.known_orders.add(order["id"])
        if order["officer_id"] not in self.simulated:
            return
        travel = max(1.5, float(eta or 6.0)) * 60
        state = order["state"]
        schedule: list[tuple[str, float]] = []
        if state == "issued":
            if self.rng.random() < 0.04:
                schedule.append(("return", self.seconds(20, 60)))
            else:
                schedule += [("acknowledge", self.seconds(10, 80)), ("depart", self.seconds(10, 40))]
                state = "departed"
        if state in ("acknowledged", "departed"):
            schedule.append(("arrive", self.seconds(travel * 0.8, travel * 1.3)))
            state = "on_scene"
        if state == "on_scene":
            schedule.append(("feedback", self.seconds(4 * 60, 20 * 60)))
        due = self.clock()
        for action, after in schedule:
            due += after
            heapq.heappush(self.plan, _Step(due, next(self._sequence), order["id"], action, order["officer_id"], order["incident_id"]))

    def _take(self, step: _Step) -> None:
        api = self.officer_api(step.officer_id)
        body: dict[str, Any] | None = None
        if step.action == "return":
            body = {"reason": self.rng.choice(("正在处置另一起警情", "车辆故障，无法及时到达"))}
        elif step.action == "feedback":
            body = self._feedback(step.incident_id)
        status, _answer = api.call("POST", f"/dispatches/{step.dispatch_id}/{step.action}", body)
        if status == 200:
            self.done.append((step.action, step.dispatch_id))
            if step.action == "arrive":
                self._move_to(step.incident_id, api)
        # 409: someone else moved the order on (a person at the board or on the phone page): leave it.

    def _feedback(self, incident_id: int) -> dict[str, Any]:
        status, incident = self.commander.call("GET", f"/incidents/{incident_id}")
        family = incident.get("family", "") if status == 200 else ""
        disposition, texts = FEEDBACK.get(family, DEFAULT_FEEDBACK)
        return {"disposition": disposition, "actions": self.rng.choice(texts)}

    def _move_to(self, incident_id: int, api: Api) -> None:
        status, incident = self.commander.call("GET", f"/incidents/{incident_id}")
        if status == 200 and incident.get("lat") is not None:
            api.call("POST", "/me/position", {"lat": incident["lat"], "lon": incident["lon"]})


def run_crew(options: CrewOptions, *, write: Callable[[str], None] = print, stop: threading.Event) -> Crew:
    """Tick the crew until `stop` is set; tokens are revoked at the end."""
    crew = Crew(options, write=write)
    try:
        while not stop.is_set():
            try:
                crew.tick()
            except OSError as error:  # the server is restarting or gone
                write(f"demo officers: no answer ({error})")
                stop.wait(2.0)
            stop.wait(0.25)
    finally:
        crew.close()
    return crew


def run_crew_in_thread(options: CrewOptions, *, write: Callable[[str], None], stop: threading.Event) -> threading.Thread:
    def work() -> None:
        try:
            run_crew(options, write=write, stop=stop)
        except Exception as error:  # noqa: BLE001 — the demo server keeps running without the crew
            write(f"The demo officers stopped: {error}")
        finally:
            connection.close()

    thread = threading.Thread(target=work, name="fengqiao-demo-officers", daemon=True)
    thread.start()
    return thread
