"""Which officers to send to an incident, and why (pure, no Django).

The stations' order of preference (DESIGN.md §3):

1. the beat's own community officer, if on duty and free (tier "beat");
2. another free officer of the right team, nearest first (tier "team"): the community
   team for community incidents, the case team on duty for case incidents; incidents the
   command room coordinates itself take community officers first, then case officers;
3. the standby group (备勤, tier "standby"), nearest first.

Transfer incidents go to a department, not to an officer: no candidates.

Auxiliaries (辅警) work under a police officer and are never recommended on their own.
Officers off duty or on leave are never candidates; busy officers are not candidates
either, but they explain the shortfall ("the beat officer is busy", "all 4 case officers
on duty are busy").

Distance is the great-circle (haversine) distance between the incident and the officer's
last reported position; the road distance is estimated as that × `detour_factor`, and the
ETA as road distance ÷ `speed_kmh`. (At city scale an equirectangular approximation would
do as well; haversine costs about a microsecond per officer, which the 5 ms budget for
1,000 officers easily affords.) A position older than `position_max_age_s`, or none at
all, gives no distance: such officers come after those with one in the same tier, and the
candidate says so. Within a tier the order is: distance, then fewer open orders, then id,
so the answer is the same every time for the same input.

Every candidate carries `Reason`s and the answer carries `Shortfall`s: a code and the
values of its sentence. `text()` gives the English sentence; the Django layer translates by
code (`REASON_TEXTS`, `SHORTFALL_TEXTS` and `DISTANCE_TEXT` are the source strings).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

EARTH_RADIUS_M = 6_371_000.0

# Team kinds, ranks, duty states and routes as organisation.Officer / intake.Incident spell them.
COMMUNITY, CASE, STANDBY, COMMAND = "community", "case", "standby", "command"
OFFICER, AUXILIARY = "officer", "auxiliary"
OFF_DUTY, ON_DUTY, BUSY, ON_LEAVE = "off_duty", "on_duty", "busy", "on_leave"
TRANSFER = "transfer"

TIER_BEAT, TIER_TEAM, TIER_STANDBY = "beat", "team", "standby"

Params = dict[str, str | int | float]


@dataclass(frozen=True, slots=True)
class OfficerView:
    """What the recommender needs to know of an officer."""

    id: int
    name: str
    team: str  # team kind: community | case | standby | command | leadership | desk
    rank: str  # officer | auxiliary
    duty: str  # off_duty | on_duty (free) | busy | standby | on_leave
    beat_ids: frozenset[int]  # beats this officer is responsible for
    latitude: float | None
    longitude: float | None
    position_age_s: float | None  # seconds since the position was reported (None: never)
    open_orders: int = 0  # orders not yet finished


@dataclass(frozen=True, slots=True)
class IncidentView:
    """What the recommender needs to know of an incident."""

    id: int
    route: str  # community | case | command | transfer
    priority: int  # 1..4
    beat_id: int | None
    beat_name: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """A station's travel assumptions (dispatch.DispatchSettings) and the answer's length."""

    detour_factor: float = 1.4  # road distance ≈ straight line × this
    speed_kmh: float = 30.0  # urban driving speed
    position_max_age_s: float = 1800  # older positions are not trusted for distance
    limit: int = 5  # candidates returned


DEFAULT_SETTINGS = Settings()

# The English sentences, by code. Named placeholders, so translators can move them.
REASON_TEXTS: dict[str, str] = {
    "owns_beat": "Responsible for beat {beat}",
    "nearest_free": "Nearest free {team} officer",
    "same_team_free": "Free {team} officer",
    "case_team_on_duty": "Case team on duty",
    "standby_group": "In the standby group",
    "position_unknown": "Position unknown, ranked after officers with a known position",
    "position_stale": "Last position {age_min} min old, ranked after officers with a recent one",
}
# Appended to a reason's sentence when the candidate's distance is known.
DISTANCE_TEXT = ", {distance_km} km, ETA {eta_min} min"

SHORTFALL_TEXTS: dict[str, str] = {
    "transfer_route": "Transfer incidents go to a department, not to an officer",
    "no_beat": "The incident is in no known beat, so there is no beat officer to prefer",
    "no_beat_officer": "Nobody is responsible for beat {beat}",
    "beat_officer_off_duty": "{name}, responsible for beat {beat}, is not on duty",
    "beat_officer_busy": "{name}, responsible for beat {beat}, is busy with another order",
    "beat_officer_on_standby": "{name}, responsible for beat {beat}, is in the standby group",
    "team_all_busy": "Every {team} officer on duty is busy ({busy})",
    "team_none_on_duty": "No {team} officer is on duty",
    "incident_position_unknown": "The incident has no position: no distances or ETAs, ordered by workload",
    "no_position": "Free officers without a recent position, ranked last in their tier: {n}",
    "no_standby": "Nobody is in the standby group",
    "nobody_available": "Nobody can be recommended: dispatch by hand or call for support",
}

# How the English sentences name a team kind.
TEAM_WORDS: dict[str, str] = {
    COMMUNITY: "community",
    CASE: "case",
    STANDBY: "standby",
    COMMAND: "command room",
    "leadership": "leadership",
    "desk": "desk",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an officer is recommended: a code and the values of its sentence."""

    code: str  # owns_beat, nearest_free, same_team_free, case_team_on_duty, standby_group, position_unknown, position_stale
    params: Params = field(default_factory=dict, hash=False)  # e.g. {"beat": "…", "distance_km": 1.2, "eta_min": 4}

    def text(self) -> str:
        return _sentence(REASON_TEXTS, self.code, self.params)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Why a preferred tier is missing (or why nobody at all can be recommended)."""

    code: str
    params: Params = field(default_factory=dict, hash=False)

    def text(self) -> str:
        return _sentence(SHORTFALL_TEXTS, self.code, self.params)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One recommended officer. `distance_m` is the straight line; `road_m` the estimate."""

    officer_id: int
    name: str
    team: str
    tier: str  # beat | team | standby
    reasons: tuple[Reason, ...]
    distance_m: float | None
    eta_minutes: float | None
    road_m: float | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    candidates: tuple[Candidate, ...]
    shortfall: tuple[Shortfall, ...]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def recommend_officers(
    incident: IncidentView,
    officers: Sequence[OfficerView],
    settings: Settings = DEFAULT_SETTINGS,
) -> Recommendation:
    """The officers to send to `incident`, best first, and why the preferred ones are missing."""
    if incident.route == TRANSFER:
        return Recommendation((), (Shortfall("transfer_route"),))

    sort = _Sorter(incident, settings)
    # Routes other than case and transfer (community, command, or not yet triaged) prefer
    # the beat's community officer; the command room may also use the case team.
    if incident.route == CASE:
        teams: tuple[str, ...] = (CASE,)
        beat_id = None
    else:
        teams = (COMMUNITY, CASE) if incident.route == COMMAND else (COMMUNITY,)
        beat_id = incident.beat_id
    prefer_beat = incident.route != CASE

    # One pass: sort every officer into the group they could be sent from, and keep
    # what the shortfall needs of the others.
    beat_free: list[OfficerView] = []
    team_free: dict[str, list[OfficerView]] = {team: [] for team in teams}
    standby: list[OfficerView] = []
    owners_unavailable: list[OfficerView] = []
    owners = 0
    busy: dict[str, int] = {team: 0 for team in teams}
    on_duty: dict[str, int] = {team: 0 for team in teams}
    for officer in officers:
        if officer.rank == AUXILIARY:
            continue
        duty = officer.duty
        team = officer.team
        owns = beat_id is not None and team == COMMUNITY and beat_id in officer.beat_ids
        if owns:
            owners += 1
            if duty != ON_DUTY:
                owners_unavailable.append(officer)
        if duty == ON_DUTY:
            if owns:
                beat_free.append(officer)
            elif team in team_free:
                team_free[team].append(officer)
            elif team == STANDBY:
                standby.append(officer)
        elif duty == STANDBY:
            standby.append(officer)
        elif duty == BUSY and team in busy:
            busy[team] += 1
        if team in on_duty and duty in (ON_DUTY, BUSY, STANDBY):
            on_duty[team] += 1

    chosen: list[Candidate] = []
    limit = settings.limit
    if beat_free:
        for officer in sort.best(beat_free, limit):
            chosen.append(sort.candidate(officer, TIER_BEAT, _owns_beat(incident)))
    for team in teams:
        nearest_named = False
        for officer in sort.best(team_free[team], limit - len(chosen)):
            if team != teams[0]:
                # The command room's second choice: the case team after the community team.
                reason = Reason("case_team_on_duty")
            elif not nearest_named and sort.has_distance(officer):
                reason = Reason("nearest_free", {"team": team})
                nearest_named = True
            else:
                reason = Reason("same_team_free", {"team": team})
            chosen.append(sort.candidate(officer, TIER_TEAM, reason))
    preferred_found = bool(chosen)
    for officer in sort.best(standby, limit - len(chosen)):
        reasons = [Reason("standby_group")]
        if beat_id is not None and officer.team == COMMUNITY and beat_id in officer.beat_ids:
            reasons.append(_owns_beat(incident))
        chosen.append(sort.candidate(officer, TIER_STANDBY, *reasons))

    shortfall: list[Shortfall] = []
    if prefer_beat and not beat_free:
        shortfall.extend(_beat_shortfall(incident, owners, owners_unavailable))
    if not preferred_found:
        for team in teams:
            if busy[team]:
                shortfall.append(Shortfall("team_all_busy", {"team": team, "busy": busy[team]}))
            elif not on_duty[team]:
                shortfall.append(Shortfall("team_none_on_duty", {"team": team}))
    if not sort.incident_located:
        shortfall.append(Shortfall("incident_position_unknown"))
    else:
        unplaced = sum(sort.unplaced(group) for group in (beat_free, standby, *team_free.values()))
        if unplaced:
            shortfall.append(Shortfall("no_position", {"n": unplaced}))
    if not preferred_found and not standby:
        shortfall.append(Shortfall("no_standby"))
    if not chosen:
        shortfall.append(Shortfall("nobody_available"))
    return Recommendation(tuple(chosen), tuple(shortfall))


class _Sorter:
    """Distances from one incident, computed once per officer, and the order within a tier."""

    __slots__ = ("detour", "incident_located", "latitude", "longitude", "max_age", "metres_per_minute", "straight")

    def __init__(self, incident: IncidentView, settings: Settings) -> None:
        self.latitude = incident.latitude
        self.longitude = incident.longitude
        self.incident_located = incident.latitude is not None and incident.longitude is not None
        self.detour = settings.detour_factor
        self.metres_per_minute = settings.speed_kmh * 1000 / 60
        self.max_age = settings.position_max_age_s
        self.straight: dict[int, float] = {}

    def usable(self, officer: OfficerView) -> bool:
        """Whether the officer's position is known and recent enough to measure from."""
        return (
            officer.latitude is not None
            and officer.longitude is not None
            and officer.position_age_s is not None
            and officer.position_age_s <= self.max_age
        )

    def has_distance(self, officer: OfficerView) -> bool:
        return officer.id in self.straight

    def unplaced(self, group: list[OfficerView]) -> int:
        count = 0
        for officer in group:
            if not self.usable(officer):
                count += 1
        return count

    def best(self, group: list[OfficerView], count: int) -> list[OfficerView]:
        """The `count` best of `group`: by distance (unknown last), open orders, id."""
        if count <= 0 or not group:
            return []
        keyed: list[tuple[int, float, int, int, OfficerView]] = []
        located = self.incident_located
        for officer in group:
            if located and self.usable(officer):
                straight = self._straight(officer)
                keyed.append((0, straight, officer.open_orders, officer.id, officer))
            else:
                keyed.append((1 if located else 0, 0.0, officer.open_orders, officer.id, officer))
        keyed.sort(key=_without_officer)
        return [row[4] for row in keyed[:count]]

    def _straight(self, officer: OfficerView) -> float:
        metres = self.straight.get(officer.id)
        if metres is None:
            assert self.latitude is not None and self.longitude is not None
            assert officer.latitude is not None and officer.longitude is not None
            metres = distance_m(self.latitude, self.longitude, officer.latitude, officer.longitude)
            self.straight[officer.id] = metres
        return metres

    def candidate(self, officer: OfficerView, tier: str, *reasons: Reason) -> Candidate:
        """The candidate, the distance and ETA added to its first reason's sentence."""
        straight = self.straight.get(officer.id)
        if straight is None:
            extra: tuple[Reason, ...] = ()
            if self.incident_located:
                extra = (self._position_reason(officer),)
            return Candidate(officer.id, officer.name, officer.team, tier, reasons + extra, None, None)
        road = straight * self.detour
        eta = road / self.metres_per_minute
        first = reasons[0]
        params: Params = {
            **first.params,
            "distance_km": round(straight / 1000, 1),
            "eta_min": max(1, math.ceil(round(eta, 2))),
        }
        reasons = (Reason(first.code, params), *reasons[1:])
        return Candidate(
            officer.id, officer.name, officer.team, tier, reasons,
            round(straight), round(eta, 1), round(road),
        )

    def _position_reason(self, officer: OfficerView) -> Reason:
        if officer.latitude is None or officer.longitude is None or officer.position_age_s is None:
            return Reason("position_unknown")
        return Reason("position_stale", {"age_min": int(officer.position_age_s // 60)})


def _without_officer(row: tuple[int, float, int, int, OfficerView]) -> tuple[int, float, int, int]:
    return row[0], row[1], row[2], row[3]


def _owns_beat(incident: IncidentView) -> Reason:
    return Reason("owns_beat", {"beat": _beat_label(incident)})


def _beat_label(incident: IncidentView) -> str:
    return incident.beat_name or f"#{incident.beat_id}"


def _beat_shortfall(incident: IncidentView, owners: int, unavailable: list[OfficerView]) -> list[Shortfall]:
    """Why the beat tier is empty: no beat, nobody owns it, or its officers are away or busy."""
    if incident.beat_id is None:
        return [Shortfall("no_beat")]
    beat = _beat_label(incident)
    if not owners:
        return [Shortfall("no_beat_officer", {"beat": beat})]
    codes = {BUSY: "beat_officer_busy", STANDBY: "beat_officer_on_standby"}
    found = []
    for officer in sorted(unavailable, key=lambda o: o.id):
        code = codes.get(officer.duty, "beat_officer_off_duty")
        found.append(Shortfall(code, {"beat": beat, "name": officer.name}))
    return found


def _sentence(texts: dict[str, str], code: str, params: Params) -> str:
    template = texts.get(code, code)
    words = dict(params)
    team = params.get("team")
    if isinstance(team, str):
        words["team"] = TEAM_WORDS.get(team, team)
    sentence = template.format_map(_Blank(words))
    if "distance_km" in params and "eta_min" in params:
        sentence += DISTANCE_TEXT.format_map(_Blank(words))
    return sentence


class _Blank(dict[str, str | int | float]):
    """A format map that leaves a missing value blank rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""
