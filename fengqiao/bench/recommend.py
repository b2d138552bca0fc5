"""Recommendation latency: `recommend_officers` on a synthetic station or city (pure, no Django).

`measure(n)` builds `n` officers around 南坪 (29.53 N, 106.56 E), spread over a disc of
10 km radius: mixed teams (community 40 %, case 25 %, desk 12 %, standby 10 %, command 8 %,
leadership 5 %), three in ten auxiliaries, duty states as on a working shift (45 % free,
20 % busy, 8 % on standby duty, the rest off duty or on leave), positions mostly recent,
some stale (over 30 minutes) and some never reported. Community police officers are grouped
into beats of 1–3 officers, and stay within about a kilometre of their beat's centre.

It then times one `recommend_officers` call per random incident (half community, 30 % case,
15 % command, 5 % transfer; nine in ten inside a beat; a few without a position) with
`time.perf_counter_ns`, after a short warm-up, in this thread. One station has 20–60
officers; a city-wide board may pass 1,000. The target is p99 under 5 ms at 1,000.

`python -m fengqiao.bench.recommend` prints the figures for 60 and 1,000 officers.
"""

from __future__ import annotations

import math
import random
import time

from fengqiao.dispatch.recommend import IncidentView, OfficerView, recommend_officers

CENTRE = (29.53, 106.56)  # 南坪
RADIUS_M = 10_000.0
METRES_PER_DEGREE = 111_195.0
WARM_UP = 50

TEAMS = (("community", 40), ("case", 25), ("desk", 12), ("standby", 10), ("command", 8), ("leadership", 5))
DUTIES = (("on_duty", 45), ("busy", 20), ("standby", 8), ("off_duty", 20), ("on_leave", 7))
ROUTES = (("community", 50), ("case", 30), ("command", 15), ("transfer", 5))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    names = [name for name, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(names, weights)[0]


def _point_near(rng: random.Random, centre: tuple[float, float], radius_m: float) -> tuple[float, float]:
    """A point uniformly spread over the disc of `radius_m` around `centre`."""
    distance = radius_m * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    north = distance * math.cos(bearing) / METRES_PER_DEGREE
    east = distance * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(centre[0])))
    return centre[0] + north, centre[1] + east


def _beats(rng: random.Random, officer_ids: list[int]) -> dict[int, int]:
    """Officer id → beat id, in beats of 1–3 officers."""
    rng.shuffle(officer_ids)
    beat_of: dict[int, int] = {}
    beat = 0
    index = 0
    while index < len(officer_ids):
        beat += 1
        size = rng.randint(1, 3)
        for officer_id in officer_ids[index:index + size]:
            beat_of[officer_id] = beat
        index += size
    return beat_of


def build_officers(count: int, rng: random.Random) -> tuple[list[OfficerView], dict[int, tuple[float, float]]]:
    """`count` officers, and the centre of every beat."""
    teams = [_pick(rng, TEAMS) for _ in range(count)]
    ranks = ["auxiliary" if rng.random() < 0.3 else "officer" for _ in range(count)]
    community = [n for n in range(1, count + 1) if teams[n - 1] == "community" and ranks[n - 1] == "officer"]
    beat_of = _beats(rng, community)
    centres = {beat: _point_near(rng, CENTRE, RADIUS_M) for beat in sorted(set(beat_of.values()))}

    officers: list[OfficerView] = []
    for number in range(1, count + 1):
        duty = _pick(rng, DUTIES)
        beat = beat_of.get(number)
        where = rng.random()
        latitude: float | None = None
        longitude: float | None = None
        age: float | None = None
        if where < 0.88:
            if beat is not None:
                latitude, longitude = _point_near(rng, centres[beat], 1_000)
            else:
                latitude, longitude = _point_near(rng, CENTRE, RADIUS_M)
            age = rng.uniform(0, 900) if where < 0.75 else rng.uniform(2_000, 7_200)
        open_orders = rng.randint(1, 3) if duty == "busy" else rng.randint(0, 1) if duty == "on_duty" else 0
        officers.append(OfficerView(
            id=number, name=f"警员{number:04d}", team=teams[number - 1], rank=ranks[number - 1],
            duty=duty, beat_ids=frozenset() if beat is None else frozenset({beat}),
            latitude=latitude, longitude=longitude, position_age_s=age, open_orders=open_orders,
        ))
    return officers, centres


def build_incidents(count: int, rng: random.Random, centres: dict[int, tuple[float, float]]) -> list[IncidentView]:
    beats = sorted(centres)
    incidents: list[IncidentView] = []
    for number in range(1, count + 1):
        beat = rng.choice(beats) if beats and rng.random() < 0.9 else None
        if beat is None:
            latitude, longitude = _point_near(rng, CENTRE, RADIUS_M)
        else:
            latitude, longitude = _point_near(rng, centres[beat], 800)
        located = rng.random() < 0.95
        incidents.append(IncidentView(
            id=number, route=_pick(rng, ROUTES), priority=rng.randint(1, 4), beat_id=beat,
            beat_name="" if beat is None else f"警区{beat}",
            latitude=latitude if located else None, longitude=longitude if located else None,
        ))
    return incidents


def percentile(ordered: list[float], percent: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


def measure(officers: int, runs: int = 2000, seed: int = 2026) -> dict[str, float]:
    """Latency of `recommend_officers` over `runs` random incidents among `officers` officers."""
    rng = random.Random(seed)
    staff, centres = build_officers(officers, rng)
    incidents = build_incidents(runs, rng, centres)
    for incident in incidents[:WARM_UP]:
        recommend_officers(incident, staff)

    timings: list[float] = []
    candidates = 0
    clock = time.perf_counter_ns
    for incident in incidents:
        started = clock()
        answer = recommend_officers(incident, staff)
        timings.append((clock() - started) / 1_000_000)
        candidates += len(answer.candidates)
    timings.sort()
    return {
        "officers": officers,
        "runs": runs,
        "p50_ms": round(percentile(timings, 50), 4),
        "p99_ms": round(percentile(timings, 99), 4),
        "max_ms": round(timings[-1], 4) if timings else 0.0,
        "mean_ms": round(sum(timings) / len(timings), 4) if timings else 0.0,
        "candidates_mean": round(candidates / runs, 2) if runs else 0.0,
    }


if __name__ == "__main__":
    for count in (60, 1_000):
        print(measure(count))
