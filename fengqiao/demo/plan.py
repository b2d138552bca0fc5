"""The demo sub-bureau as plain data, drawn deterministically from a seed (no Django).

`plan_demo(seed)` decides everything the demo holds — stations, beats, teams, officers
and their accounts, standard addresses — as frozen dataclasses; `builder.py` writes the
plan to the database. Keeping the decisions here makes "same seed, same station" a
property of one pure function, testable without a database.

The main station follows DESIGN.md §1: 51 police officers (12 community officers, 24 case
officers, 6 desk officers and 6 clerks as the command room's fixed staff, 3 leaders), 2–4
auxiliaries for each community officer, ~100,000 residents on 2.9 km². Its neighbour is
the smaller station of 20 officers used by the isolation tests.

Natural keys (station code, beat code, badge number, username, address code) depend
only on each item's place in the plan, never on the seed, so building over an existing
demo with another seed fills gaps instead of duplicating.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from . import geometry
from .geometry import Coordinate, GeoJSON

DEFAULT_SEED = 2026

DISTRICT = "南岸区"
DISTRICT_CODE = "500108"  # the national administrative code of Nan'an district

# Officer.Rank, Officer.DutyStatus and Team.Kind values (kept as plain strings here).
OFFICER = "officer"
AUXILIARY = "auxiliary"
OFF_DUTY, ON_DUTY, BUSY, STANDBY, ON_LEAVE = "off_duty", "on_duty", "busy", "standby", "on_leave"

COMMAND_ROOM = "综合指挥室"
COMMUNITY_TEAM = "社区警务队"
CASE_TEAM = "案件办理队"
LEADERSHIP = "所领导"
STANDBY_GROUP = "备勤组"
TEAMS: tuple[tuple[str, str], ...] = (
    ("command", COMMAND_ROOM),
    ("community", COMMUNITY_TEAM),
    ("case", CASE_TEAM),
    ("leadership", LEADERSHIP),
    ("standby", STANDBY_GROUP),
)

BUREAU_CODE = "NA"
BUREAU_NAME = "南岸区分局"

DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("12345", "12345政务服务便民热线", "hotline"),
    ("NA-CGJ", "南岸区城市管理局", "urban_management"),
    ("NA-SCJGJ", "南岸区市场监督管理局", "market_regulation"),
    ("NA-ZJW", "南岸区住房和城乡建设委员会", "housing"),
    ("NA-YJJ", "南岸区应急管理局", "emergency"),
    ("NA-STHJJ", "南岸区生态环境局", "environment"),
    ("NA-WATER", "南岸区供水服务中心", "utilities"),
    ("NA-POWER", "国网重庆南岸供电公司", "utilities"),
    ("NA-GAS", "重庆燃气南岸分公司", "utilities"),
    ("NA-NPJD", "南坪街道办事处", "street_office"),
    ("NA-HTXJD", "海棠溪街道办事处", "street_office"),
)

# The department whose demo account (`department`) works the noise complaints of 南坪.
DEMO_DEPARTMENT = "NA-CGJ"

# The sub-bureau's specialised units (警种): code, name, support.Unit.Kind, minutes to
# accept a request, members. The first member of 刑侦大队 is the demo account `unit`.
UNITS: tuple[tuple[str, str, str, int, int], ...] = (
    ("NA-XZ", "刑侦大队", "criminal_investigation", 30, 4),
    ("NA-WA", "网安大队", "cyber", 60, 3),
    ("NA-JXJ", "交巡警大队", "traffic", 20, 3),
    ("NA-TJ", "特警支队", "special", 15, 3),
    ("NA-JS", "刑事科学技术室", "forensics", 45, 2),
)
DEMO_UNIT = "NA-XZ"
UNIT_TITLES = {
    "criminal_investigation": "刑侦民警", "cyber": "网安民警", "traffic": "交巡警", "special": "特警",
    "forensics": "技术民警",
}


@dataclass(frozen=True)
class StationSpec:
    """The hand-written facts of one demo station; the seed fills in the rest."""

    number: int  # 1, 2, …: part of badge numbers and address codes
    code: str
    name: str
    street: str  # 街道: the sub-district the station covers
    address: str
    population: int
    outline: tuple[Coordinate, ...]
    communities: tuple[tuple[str, tuple[str, ...]], ...]  # one beat each: (community, roads)
    leader_titles: tuple[str, ...]
    desk_officers: int
    clerks: int
    community_officers: int
    case_officers: int
    auxiliaries_per_community_officer: tuple[int, ...]  # drawn from, per officer
    standby_auxiliaries: int
    addresses: int  # about this many standard addresses

    @property
    def police_officers(self) -> int:
        return (
            len(self.leader_titles) + self.desk_officers + self.clerks
            + self.community_officers + self.case_officers
        )


MAIN_STATION = StationSpec(
    number=1,
    code="NP",
    name="南坪派出所",
    street="南坪街道",
    address="南岸区南坪正街66号",
    population=100_000,
    outline=geometry.MAIN_STATION_OUTLINE,
    communities=(
        ("后堡社区", ("南坪西路", "后堡正街")),
        ("南湖社区", ("南湖路", "学府大道")),
        ("响水路社区", ("响水路", "亚太路")),
        ("东路社区", ("南坪东路", "江南大道")),
        ("百子湾社区", ("南城大道", "百子湾路")),
        ("宏声路社区", ("宏声路", "工贸路")),
        ("珊瑚村社区", ("珊瑚路", "南坪正街")),
        ("丹龙路社区", ("丹龙路", "四公里支路")),
        ("工贸社区", ("工贸路", "福红路")),
        ("金紫山社区", ("江南大道", "金紫山路")),
    ),
    leader_titles=("所长", "教导员", "副所长"),
    desk_officers=6,
    clerks=6,
    community_officers=12,
    case_officers=24,
    auxiliaries_per_community_officer=(2, 3, 3, 4),
    standby_auxiliaries=6,
    addresses=8_000,  # room-level: flats enough for the 20,000+ residents of the demo's records
)

SECOND_STATION = StationSpec(
    number=2,
    code="HTX",
    name="海棠溪派出所",
    street="海棠溪街道",
    address="南岸区海棠溪正街28号",
    population=40_000,
    outline=geometry.SECOND_STATION_OUTLINE,
    communities=(
        ("海棠溪社区", ("海棠溪正街", "南滨路")),
        ("烟雨社区", ("烟雨路", "海棠溪正街")),
        ("罗家坝社区", ("罗家坝正街", "通江大道")),
        ("上浩社区", ("上浩正街", "南滨路")),
    ),
    leader_titles=("所长", "教导员"),
    desk_officers=3,
    clerks=2,
    community_officers=4,
    case_officers=9,
    auxiliaries_per_community_officer=(2, 3),
    standby_auxiliaries=2,
    addresses=400,
)

STATIONS = (MAIN_STATION, SECOND_STATION)


@dataclass(frozen=True)
class BureauPlan:
    code: str
    name: str


@dataclass(frozen=True)
class DepartmentPlan:
    code: str
    name: str
    kind: str
    phone: str


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    kind: str
    phone: str
    response_minutes: int


@dataclass(frozen=True)
class StationPlan:
    code: str
    name: str
    address: str
    area_km2: float
    population: int
    position: Coordinate
    outline: GeoJSON


@dataclass(frozen=True)
class TeamPlan:
    station_code: str
    kind: str
    name: str


@dataclass(frozen=True)
class BeatPlan:
    station_code: str
    code: str
    name: str
    community: str
    roads: tuple[str, ...]
    boundary: GeoJSON
    office_address: str
    responsible_badge: str


@dataclass(frozen=True)
class OfficerPlan:
    """A police officer or auxiliary and the user account that is theirs."""

    station_code: str
    badge: str
    name: str
    title: str  # 职务, e.g. 所长, 社区民警
    rank: str
    team_name: str
    beat_code: str | None
    supervisor_badge: str | None
    phone: str
    duty_status: str
    position: Coordinate | None
    username: str
    role: str  # the permission group, DESIGN.md §2
    is_staff: bool = False


@dataclass(frozen=True)
class StaffPlan:
    """A user account that is not an officer of a station: the administrator, bureau staff."""

    username: str
    name: str
    title: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False
    bureau_code: str | None = None
    department_code: str | None = None  # a member of this partner department
    unit_code: str | None = None  # a member of this specialised unit
    badge: str = ""  # a unit member's badge number


@dataclass(frozen=True)
class AddressPlan:
    station_code: str
    code: str
    beat_code: str
    district: str
    street: str
    community: str
    road: str
    number: str
    building: str
    unit: str
    room: str
    position: Coordinate


@dataclass(frozen=True)
class DemoAccount:
    """A memorable demo login, for the table `fengqiao demo` prints."""

    username: str
    title: str  # Chinese role title shown to the user
    role: str
    name: str
    station_code: str  # "" for accounts that are not one station's
    organisation: str = ""  # the department or unit of an account outside the stations


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    bureau: BureauPlan
    departments: tuple[DepartmentPlan, ...]
    stations: tuple[StationPlan, ...]
    teams: tuple[TeamPlan, ...]
    beats: tuple[BeatPlan, ...]
    officers: tuple[OfficerPlan, ...]
    staff: tuple[StaffPlan, ...]
    addresses: tuple[AddressPlan, ...]
    accounts: tuple[DemoAccount, ...]
    units: tuple[UnitPlan, ...] = ()


@dataclass
class _People:
    """Draws names and phone numbers that are unique across the whole demo."""

    fake: Any
    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def name(self) -> str:
        while True:
            name = str(self.fake.name())
            if name not in self.names:
                self.names.add(name)
                return name

    def phone(self) -> str:
        while True:
            phone = str(self.fake.phone_number())
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


def plan_demo(seed: int = DEFAULT_SEED) -> DemoPlan:
    """Everything the demo holds, decided by `seed` alone."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    people = _People(fake)
    rng = random.Random(f"{seed}:departments")
    departments = tuple(
        DepartmentPlan(code=code, name=name, kind=kind, phone=_department_phone(code, rng))
        for code, name, kind in DEPARTMENTS
    )

    stations: list[StationPlan] = []
    teams: list[TeamPlan] = []
    beats: list[BeatPlan] = []
    officers: list[OfficerPlan] = []
    addresses: list[AddressPlan] = []
    for spec in STATIONS:
        station = _plan_station(spec, random.Random(f"{seed}:{spec.code}:station"))
        stations.append(station)
        teams.extend(TeamPlan(spec.code, kind, name) for kind, name in TEAMS)
        station_beats = _plan_beats(spec, random.Random(f"{seed}:{spec.code}:beats"))
        station_officers = _plan_officers(
            spec, station, station_beats, people, random.Random(f"{seed}:{spec.code}:officers")
        )
        responsible = _responsible_badges(station_officers, station_beats)
        beats.extend(
            _with_responsible(beat, responsible[beat.code]) for beat in station_beats
        )
        officers.extend(station_officers)
        addresses.extend(
            _plan_addresses(spec, station_beats, random.Random(f"{seed}:{spec.code}:addresses"))
        )

    staff: tuple[StaffPlan, ...] = (
        StaffPlan(username="admin", name="系统管理员", title="系统管理员", role="admin",
                  is_staff=True, is_superuser=True),
        StaffPlan(username="bureau", name=people.name(), title="分局指挥中心民警", role="bureau",
                  bureau_code=BUREAU_CODE),
        StaffPlan(username="department", name=people.name(), title="城管执法队员", role="department",
                  department_code=DEMO_DEPARTMENT),
    )
    units = tuple(
        UnitPlan(code=code, name=name, kind=kind, phone=_department_phone(code, rng), response_minutes=minutes)
        for code, name, kind, minutes, _members in UNITS
    )
    staff += _unit_members(people)
    return DemoPlan(
        seed=seed,
        bureau=BureauPlan(code=BUREAU_CODE, name=BUREAU_NAME),
        departments=departments,
        stations=tuple(stations),
        teams=tuple(teams),
        beats=tuple(beats),
        officers=tuple(officers),
        staff=staff,
        addresses=tuple(addresses),
        accounts=_demo_accounts(officers, staff, departments, units),
        units=units,
    )


def unit_badge(unit_number: int, sequence: int) -> str:
    """Six digits in a range of their own (59…), apart from the stations' 50… and 58…"""
    return f"59{unit_number}{sequence:03d}"


def _unit_members(people: _People) -> tuple[StaffPlan, ...]:
    """The members of each unit: police officers of the sub-bureau who log in with their badge
    number, except the first of 刑侦大队, the demo account `unit`."""
    members = []
    for number, (code, _name, kind, _minutes, count) in enumerate(UNITS, start=1):
        for sequence in range(1, count + 1):
            badge = unit_badge(number, sequence)
            username = "unit" if code == DEMO_UNIT and sequence == 1 else badge
            members.append(StaffPlan(username=username, name=people.name(), title=UNIT_TITLES[kind], role="unit",
                                     unit_code=code, badge=badge))
    return tuple(members)


def _department_phone(code: str, rng: random.Random) -> str:
    if code == "12345":
        return "12345"
    return f"023-62{rng.randint(0, 999_999):06d}"


def _plan_station(spec: StationSpec, rng: random.Random) -> StationPlan:
    outline = geometry.polygon_geojson(spec.outline)
    position = geometry.random_point_near(outline, geometry.centroid(outline), 250, rng)
    return StationPlan(
        code=spec.code,
        name=spec.name,
        address=spec.address,
        area_km2=round(geometry.area_km2(outline), 2),
        population=spec.population,
        position=position,
        outline=outline,
    )


def _plan_beats(spec: StationSpec, rng: random.Random) -> list[BeatPlan]:
    boundaries = geometry.beat_polygons(spec.outline, len(spec.communities), rng)
    beats = []
    for index, ((community, roads), boundary) in enumerate(
        zip(spec.communities, boundaries, strict=True), start=1
    ):
        office = f"{DISTRICT}{spec.street}{roads[0]}{rng.randint(1, 200)}号{community}警务室"
        beats.append(
            BeatPlan(
                station_code=spec.code,
                code=f"{index:02d}",
                name=f"{community}警务区",
                community=community,
                roads=roads,
                boundary=boundary,
                office_address=office,
                responsible_badge="",  # filled in once the community officers exist
            )
        )
    return beats


def _with_responsible(beat: BeatPlan, badge: str) -> BeatPlan:
    return BeatPlan(
        station_code=beat.station_code, code=beat.code, name=beat.name, community=beat.community,
        roads=beat.roads, boundary=beat.boundary, office_address=beat.office_address,
        responsible_badge=badge,
    )


def police_badge(spec: StationSpec, sequence: int) -> str:
    """Six digits: 50 (Chongqing), the station's number, a three-digit sequence."""
    return f"50{spec.number}{sequence:03d}"


def auxiliary_badge(spec: StationSpec, sequence: int) -> str:
    """Six digits, in a range of their own so they never collide with police badges."""
    return f"58{spec.number}{sequence:03d}"


# Which generated officer each memorable account belongs to: (station, title, index).
_MEMORABLE = {
    (1, "所长", 0): "leader",
    (1, "指挥室民警", 0): "commander",
    (1, "内勤", 0): "desk",
    (1, "社区民警", 0): "community",
    (1, "办案民警", 0): "case",
    (1, "辅警", 0): "auxiliary",
    (2, "指挥室民警", 0): "commander2",
}


@dataclass
class _Roster:
    """Collects one station's officers while numbering badges and naming accounts."""

    spec: StationSpec
    people: _People
    police: list[OfficerPlan] = field(default_factory=list)
    auxiliaries: list[OfficerPlan] = field(default_factory=list)
    titles_seen: dict[str, int] = field(default_factory=dict)

    def add(
        self, *, title: str, rank: str, team: str, role: str, duty: str,
        position: Coordinate | None, beat: str | None = None, supervisor: str | None = None,
        is_staff: bool = False,
    ) -> OfficerPlan:
        if rank == OFFICER:
            badge = police_badge(self.spec, len(self.police) + 1)
        else:
            badge = auxiliary_badge(self.spec, len(self.auxiliaries) + 1)
        index = self.titles_seen.get(title, 0)
        self.titles_seen[title] = index + 1
        username = _MEMORABLE.get((self.spec.number, title, index), badge)
        officer = OfficerPlan(
            station_code=self.spec.code, badge=badge, name=self.people.name(), title=title,
            rank=rank, team_name=team, beat_code=beat, supervisor_badge=supervisor,
            phone=self.people.phone(), duty_status=duty,
            position=position if duty != OFF_DUTY and duty != ON_LEAVE else None,
            username=username, role=role, is_staff=is_staff,
        )
        (self.police if rank == OFFICER else self.auxiliaries).append(officer)
        return officer


def _plan_officers(
    spec: StationSpec, station: StationPlan, beats: Sequence[BeatPlan], people: _People,
    rng: random.Random,
) -> list[OfficerPlan]:
    """A believable weekday-morning picture: who is on duty, where, and who is off."""
    roster = _Roster(spec, people)

    def near_station(radius_m: float) -> Coordinate:
        return geometry.random_point_near(station.outline, station.position, radius_m, rng)

    for index, title in enumerate(spec.leader_titles):
        duty = ON_DUTY if index < 2 else OFF_DUTY
        roster.add(title=title, rank=OFFICER, team=LEADERSHIP, role="leader", duty=duty,
                   position=near_station(40), is_staff=True)

    # The command room runs around the clock; a third of its operators are on the day shift.
    on_shift = max(1, spec.desk_officers // 3)
    for index in range(spec.desk_officers):
        duty = ON_DUTY if index < on_shift else OFF_DUTY
        roster.add(title="指挥室民警", rank=OFFICER, team=COMMAND_ROOM, role="commander",
                   duty=duty, position=near_station(20))
    for index in range(spec.clerks):
        duty = ON_DUTY if index < (spec.clerks + 1) // 2 else OFF_DUTY
        roster.add(title="内勤", rank=OFFICER, team=COMMAND_ROOM, role="desk", duty=duty,
                   position=near_station(20))

    community_officers = _plan_community_officers(spec, beats, roster, rng)
    case_officers = _plan_case_officers(spec, beats, roster, rng, near_station)
    _plan_auxiliaries(spec, beats, community_officers, case_officers, roster, rng, near_station)
    return roster.police + roster.auxiliaries


def _plan_community_officers(
    spec: StationSpec, beats: Sequence[BeatPlan], roster: _Roster, rng: random.Random
) -> list[OfficerPlan]:
    """One community officer per beat; the extra officers share the first beats."""
    count = spec.community_officers
    duties = _duty_mix(count, rng, off=round(count * 0.17), leave=count // 10)
    officers = []
    for index in range(count):
        beat = beats[index % len(beats)]
        position = geometry.random_point_in(beat.boundary, rng)
        officers.append(
            roster.add(title="社区民警", rank=OFFICER, team=COMMUNITY_TEAM,
                       role="community_officer", duty=duties[index], position=position,
                       beat=beat.code)
        )
    return officers


def _plan_case_officers(
    spec: StationSpec, beats: Sequence[BeatPlan], roster: _Roster, rng: random.Random,
    near_station: Callable[[float], Coordinate],
) -> list[OfficerPlan]:
    """A third of the case team works the day; the night shift is asleep."""
    count = spec.case_officers
    on_duty = count // 3
    duties = _duty_mix(count, rng, off=count - on_duty, leave=0)
    officers = []
    for index in range(count):
        duty = duties[index]
        if duty == BUSY:
            position = geometry.random_point_in(rng.choice(beats).boundary, rng)
        else:
            position = near_station(300)
        officers.append(
            roster.add(title="办案民警", rank=OFFICER, team=CASE_TEAM, role="case_officer",
                       duty=duty, position=position)
        )
    return officers


def _duty_mix(count: int, rng: random.Random, *, off: int, leave: int) -> list[str]:
    """Duty states for `count` officers: `off` off duty, `leave` on leave, the rest
    working (about 40 % of them busy). The first officer is always on duty and free,
    so that the memorable demo account has something to do."""
    working = count - off - leave
    busy = round(working * 0.4)
    rest = [BUSY] * busy + [ON_DUTY] * (working - busy - 1) + [OFF_DUTY] * off + [ON_LEAVE] * leave
    rng.shuffle(rest)
    return [ON_DUTY, *rest][:count]


def _plan_auxiliaries(
    spec: StationSpec, beats: Sequence[BeatPlan], community_officers: Sequence[OfficerPlan],
    case_officers: Sequence[OfficerPlan], roster: _Roster, rng: random.Random,
    near_station: Callable[[float], Coordinate],
) -> None:
    """Auxiliaries work beside their community officer; the standby group waits at the station."""
    boundary_of = {beat.code: beat.boundary for beat in beats}
    for officer in community_officers:
        assert officer.beat_code is not None
        boundary = boundary_of[officer.beat_code]
        for _ in range(rng.choice(spec.auxiliaries_per_community_officer)):
            working = officer.duty_status in (ON_DUTY, BUSY)
            duty = officer.duty_status if working else OFF_DUTY
            position = None
            if working and officer.position is not None:
                position = geometry.random_point_near(boundary, officer.position, 150, rng)
            roster.add(title="辅警", rank=AUXILIARY, team=COMMUNITY_TEAM, role="auxiliary",
                       duty=duty, position=position, beat=officer.beat_code,
                       supervisor=officer.badge)
    # Standby auxiliaries go out with a case officer; each answers to one of them.
    for index in range(spec.standby_auxiliaries):
        supervisor = case_officers[index % len(case_officers)]
        roster.add(title="备勤辅警", rank=AUXILIARY, team=STANDBY_GROUP, role="auxiliary",
                   duty=STANDBY, position=near_station(30), supervisor=supervisor.badge)


def _responsible_badges(officers: Sequence[OfficerPlan], beats: Sequence[BeatPlan]) -> dict[str, str]:
    """Each beat's responsible community officer: the first one placed on it."""
    responsible: dict[str, str] = {}
    for officer in officers:
        if officer.title == "社区民警" and officer.beat_code not in responsible:
            assert officer.beat_code is not None
            responsible[officer.beat_code] = officer.badge
    missing = [beat.code for beat in beats if beat.code not in responsible]
    if missing:
        raise ValueError(f"beats without a community officer: {missing}")
    return responsible


def _plan_addresses(spec: StationSpec, beats: Sequence[BeatPlan], rng: random.Random) -> list[AddressPlan]:
    """Residential compounds (号 → 栋 → 单元 → 室) and street-front shops (附N号), in
    every beat in proportion to its area, numbered along each road across the station."""
    areas = [geometry.area_km2(beat.boundary) * rng.uniform(0.85, 1.15) for beat in beats]
    total_area = sum(areas)
    next_number: dict[str, int] = {}
    addresses: list[AddressPlan] = []
    for beat, area in zip(beats, areas, strict=True):
        target = round(spec.addresses * area / total_area)
        made = 0
        while made < target:
            road = rng.choice(beat.roads)
            number = next_number.get(road, rng.randint(1, 9))
            next_number[road] = number + rng.randint(2, 8)
            if rng.random() < 0.15:
                places = _shops(beat, road, number, rng)
            else:
                places = _compound(beat, road, number, target - made, rng)
            for number_text, building, unit, room, position in places:
                sequence = len(addresses) + 1
                addresses.append(
                    AddressPlan(
                        station_code=spec.code,
                        code=f"{DISTRICT_CODE}{spec.number:03d}{sequence:07d}",
                        beat_code=beat.code, district=DISTRICT, street=spec.street,
                        community=beat.community, road=road, number=number_text,
                        building=building, unit=unit, room=room, position=position,
                    )
                )
            made += len(places)
    return addresses


_Place = tuple[str, str, str, str, Coordinate]  # number, building, unit, room, position


def _shops(beat: BeatPlan, road: str, number: int, rng: random.Random) -> list[_Place]:
    """A row of street-front shops: 南坪西路22号附1号, 附2号, …"""
    front = geometry.random_point_in(beat.boundary, rng)
    places = []
    for shop in range(1, rng.randint(3, 8) + 1):
        position = geometry.random_point_near(beat.boundary, front, 25, rng)
        places.append((f"{number}号附{shop}号", "", "", "", position))
    return places


def _compound(beat: BeatPlan, road: str, number: int, budget: int, rng: random.Random) -> list[_Place]:
    """A residential compound: every room of every unit of every building, e.g. 3栋2单元1502."""
    buildings = rng.randint(1, 5)
    units = rng.randint(1, 3)
    rooms_per_floor = rng.randint(2, 4)
    per_floor = buildings * units * rooms_per_floor
    if per_floor * 2 > budget:
        buildings, units, per_floor = 1, 1, rooms_per_floor
    floors = min(rng.randint(6, 33), max(2, budget // per_floor))
    gate = geometry.random_point_in(beat.boundary, rng)
    places = []
    for building in range(1, buildings + 1):
        position = geometry.random_point_near(beat.boundary, gate, 60, rng)
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in range(1, rooms_per_floor + 1):
                    places.append(
                        (f"{number}号", f"{building}栋", f"{unit}单元", f"{floor}{room:02d}", position)
                    )
    return places


def _demo_accounts(
    officers: Sequence[OfficerPlan], staff: Sequence[StaffPlan], departments: Sequence[DepartmentPlan],
    units: Sequence[UnitPlan],
) -> tuple[DemoAccount, ...]:
    titles = {
        "admin": "系统管理员", "leader": "所长", "commander": "指挥室值班员",
        "community": "社区民警", "case": "办案民警", "auxiliary": "辅警", "desk": "内勤",
        "bureau": "分局民警", "commander2": "指挥室值班员", "department": "城管执法队员", "unit": "刑侦大队民警",
    }
    organisations = {department.code: department.name for department in departments}
    organisations.update((unit.code, unit.name) for unit in units)
    by_username: dict[str, DemoAccount] = {}
    for person in staff:
        if person.username not in titles:
            continue
        by_username[person.username] = DemoAccount(
            username=person.username, title=titles[person.username], role=person.role,
            name=person.name, station_code="",
            organisation=organisations.get(person.department_code or person.unit_code or "", ""),
        )
    for officer in officers:
        if officer.username in titles:
            by_username[officer.username] = DemoAccount(
                username=officer.username, title=titles[officer.username], role=officer.role,
                name=officer.name, station_code=officer.station_code,
            )
    return tuple(by_username[username] for username in titles)
