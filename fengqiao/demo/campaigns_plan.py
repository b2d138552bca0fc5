"""The demo's verification campaigns (核查任务), planned without a database.

Two lists from the sub-bureau at the main station:

- **In progress**: "300 records within 4 hours" — 涉诈高风险人员电话核查 from 分局治安大队,
  loaded an hour and three quarters before the demo's present, due four hours after
  loading. Most rows are residents of the station as its records hold them (their real
  identity numbers); some carry a phone newer than the record (the officer confirms it,
  and one tap would update the record), some an old phone or an old address; a few name
  people by name and phone only, a few new tenants at a standard address the records do
  not know yet, and a few people and addresses the station does not know at all (they go
  round the community team in turn). About half of the items are done by the present, at
  each officer's own pace (one lags behind), with a realistic mix of outcomes; a few door
  visits are arranged with their three-person teams.
- **Closed and returned**: an older, smaller list (出租屋流动人口信息核查) worked to the
  end a week ago; two items were finished after its deadline.

`plan_list` draws a list (its columns and rows, as the file the bureau sent holds them);
`plan_outcomes` what the officers recorded, once the writer knows who each row went to
(the real loading shares the list out). Everything is drawn from the seed: the same seed,
people and present give the same campaigns.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from faker import Faker

from fengqiao.campaigns import plan as rules
from fengqiao.records import idcard

# The file's columns, as the bureau's spreadsheet heads them.
COLUMNS = ("序号", "姓名", "性别", "公民身份号码", "联系电话", "现住地址", "核查事项")
NAME, SEX, ID_NUMBER, PHONE, ADDRESS = 1, 2, 3, 4, 5

ISSUER = "分局治安大队"
TITLE = "涉诈高风险人员电话核查"
INSTRUCTIONS = (
    "根据分局部署，对名单内人员逐一电话核查：核实本人身份、现住地址及联系电话，告知近期高发电信诈骗手法，"
    "提醒其不要向陌生账户转账。电话无法联系或信息不符的，安排社区民警、网格员、社区医生三人上门核查。"
    "请于截止时间前在系统内录入核查结果，逾期未核查的将予以通报。"
)
MATTERS = ("涉诈高风险人员回访", "疑似被骗人员预警劝阻", "涉诈账户关联人员核查", "境外可疑来电接听人员")

CLOSED_ISSUER = "分局人口管理大队"
CLOSED_TITLE = "出租屋流动人口信息核查"
CLOSED_INSTRUCTIONS = "核实出租屋内流动人口居住情况，更新联系电话，已搬离的注明去向。"
CLOSED_MATTERS = ("流动人口居住登记核实", "出租屋承租人核实")

SIZE = 300
CLOSED_SIZE = 60
HOURS = 4  # loading to deadline
LOADED_BEFORE = dt.timedelta(hours=1, minutes=45)  # loading to the demo's present
CLOSED_LOADED_BEFORE = dt.timedelta(days=7)
CLOSED_HOURS = 28
DONE_SHARE = 0.5  # of the list, done by the present
DOOR_VISITS = 4  # arranged and waiting at the present

# What each row is (what the officer will find).
RESIDENT = "resident"  # as the records hold them
NEW_PHONE = "new_phone"  # the list has a newer phone than the record
OLD_PHONE = "old_phone"  # the list has a phone that no longer works
OLD_ADDRESS = "old_address"  # the list has an address they left
MOVED = "moved"  # moved away from the station's area
NAME_PHONE = "name_phone"  # no identity number on the list: found by name and phone
NEW_TENANT = "new_tenant"  # not in the records, at a standard address
UNKNOWN = "unknown"  # nobody and nowhere the station knows
# How many rows of each kind (the rest are plain residents), for a list of SIZE.
MIX = {NEW_PHONE: 14, OLD_PHONE: 12, OLD_ADDRESS: 10, MOVED: 9, NAME_PHONE: 12, NEW_TENANT: 8, UNKNOWN: 8}

OUTSIDE_REGIONS = ("500105", "500112", "500106", "510722", "511602")  # 江北, 渝北, 沙坪坝, 三台, 广安
OUTSIDE_ADDRESSES = (
    "江北区观音桥街道建新北路{n}号", "渝北区龙溪街道金紫山路{n}号", "沙坪坝区三峡广场{n}号附{m}号",
    "九龙坡区杨家坪正街{n}号", "南岸区弹子石街道泰昌路{n}号", "巴南区李家沱正街{n}号",
)
MOVED_TO = ("江北区", "渝北区", "九龙坡区", "沙坪坝区", "巴南区", "成都市", "广安市")


@dataclass(frozen=True)
class Person:
    """A resident of the station as the list may name them."""

    key: int  # the writer's id for the person (the resident's pk)
    name: str
    id_number: str
    phone: str
    address_text: str
    sex: str = ""  # "M" / "F" / ""


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]  # in COLUMNS order, as text
    kind: str
    person: int | None = None  # Person.key
    new_phone: str = ""  # the phone the officer confirms (NEW_PHONE rows)

    @property
    def name(self) -> str:
        return self.cells[NAME]


@dataclass(frozen=True)
class CampaignDraft:
    title: str
    issuer: str
    instructions: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    loaded_at: dt.datetime
    deadline: dt.datetime
    remind_before: int = 60
    closed: bool = False

    def file_row(self, index: int) -> int:
        """The row number of `rows[index]` as the file shows it (the header is row 1)."""
        return index + 2

    def table(self) -> list[list[str]]:
        """The file's cells: the header, then the rows."""
        return [list(self.columns), *(list(row.cells) for row in self.rows)]


@dataclass(frozen=True)
class Outcome:
    """What an officer recorded for a row, and when."""

    row: int  # file row number
    officer: int | None  # who recorded it (the item's officer)
    outcome: str
    at: dt.datetime
    notes: str = ""
    visit_team: tuple[str, str, str] | None = None
    visit_at: dt.datetime | None = None
    new_phone: str = ""


# -- the lists ------------------------------------------------------------------------------------


def plan_list(people: Sequence[Person], addresses: Sequence[str], *, seed: int, now: dt.datetime,
              size: int = SIZE) -> CampaignDraft:
    """The campaign in progress at `now`: `size` rows drawn from `people` (the station's
    residents) and `addresses` (its standard addresses' texts, for new tenants)."""
    loaded_at = _minute(now - LOADED_BEFORE)
    rows = _Drawer(people, addresses, seed=seed, salt="open").rows(size, MATTERS)
    return CampaignDraft(title=TITLE, issuer=ISSUER, instructions=INSTRUCTIONS, columns=COLUMNS, rows=tuple(rows),
                         loaded_at=loaded_at, deadline=loaded_at + dt.timedelta(hours=HOURS))


def plan_closed_list(people: Sequence[Person], addresses: Sequence[str], *, seed: int, now: dt.datetime,
                     size: int = CLOSED_SIZE) -> CampaignDraft:
    """The older list, loaded a week before `now` at nine in the morning and worked to the end."""
    day = (now - CLOSED_LOADED_BEFORE).replace(hour=9, minute=0, second=0, microsecond=0)
    rows = _Drawer(people, addresses, seed=seed, salt="closed").rows(size, CLOSED_MATTERS)
    return CampaignDraft(title=CLOSED_TITLE, issuer=CLOSED_ISSUER, instructions=CLOSED_INSTRUCTIONS, columns=COLUMNS,
                         rows=tuple(rows), loaded_at=day, deadline=day + dt.timedelta(hours=CLOSED_HOURS),
                         closed=True)


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


class _Drawer:
    def __init__(self, people: Sequence[Person], addresses: Sequence[str], *, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{seed}:campaigns:{salt}")
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(f"{seed}:campaigns:{salt}")
        self.people = sorted(people, key=lambda person: person.key)
        self.addresses = sorted(set(addresses))
        self.known_ids = {person.id_number for person in people}
        self.known_phones = {person.phone for person in people if person.phone}
        self.known_addresses = set(self.addresses)

    def rows(self, size: int, matters: Sequence[str]) -> list[Row]:
        wanted = _scaled(MIX, size)
        kinds = [kind for kind, count in wanted.items() for _ in range(count)]
        kinds += [RESIDENT] * (size - len(kinds))
        self.rng.shuffle(kinds)
        needs_person = sum(kind not in (NEW_TENANT, UNKNOWN) for kind in kinds)
        with_phone = [person for person in self.people if person.phone]
        chosen = self.rng.sample(with_phone, min(needs_person, len(with_phone)))
        drawn = iter(chosen)
        rows = []
        for index, kind in enumerate(kinds):
            person = next(drawn, None) if kind not in (NEW_TENANT, UNKNOWN) else None
            if person is None and kind not in (NEW_TENANT, UNKNOWN):
                kind = UNKNOWN  # fewer residents than the list wants
            if kind == NEW_TENANT and not self.addresses:
                kind = UNKNOWN
            rows.append(self._row(index + 1, kind, person, self.rng.choice(matters)))
        return rows

    def _row(self, number: int, kind: str, person: Person | None, matter: str) -> Row:
        if person is not None:
            sex = {"M": "男", "F": "女"}.get(person.sex, "")
            name, id_number, phone, address = person.name, person.id_number, person.phone, person.address_text
            new_phone = ""
            if kind == NEW_PHONE:
                phone = new_phone = self._phone()
            elif kind == OLD_PHONE:
                phone = self._phone()
            elif kind == OLD_ADDRESS and len(self.addresses) > 1:
                address = self.rng.choice([text for text in self.addresses[:200] if text != person.address_text])
            elif kind == NAME_PHONE:
                id_number = ""
            cells = (str(number), name, sex, id_number, phone, address, matter)
            return Row(cells=cells, kind=kind, person=person.key, new_phone=new_phone)
        sex_code = self.rng.choice("MF")
        name = self.fake.name_male() if sex_code == "M" else self.fake.name_female()
        id_number = self._outside_id(sex_code)
        if kind == NEW_TENANT:
            address = self.rng.choice(self.addresses)
        else:
            address = self.rng.choice(OUTSIDE_ADDRESSES).format(n=self.rng.randint(1, 199), m=self.rng.randint(1, 9))
        cells = (str(number), name, "男" if sex_code == "M" else "女", id_number, self._phone(), address, matter)
        return Row(cells=cells, kind=kind)

    def _phone(self) -> str:
        while True:
            phone = "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))
            if phone not in self.known_phones:
                self.known_phones.add(phone)
                return phone

    def _outside_id(self, sex: str) -> str:
        while True:
            born = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 52))
            number = idcard.make(self.rng.choice(OUTSIDE_REGIONS), born, self.rng.randint(0, 499), sex)
            if number not in self.known_ids:
                self.known_ids.add(number)
                return number


def _scaled(mix: Mapping[str, int], size: int) -> dict[str, int]:
    """`mix` (counts for a list of SIZE) for a list of `size`; at least one of each kind on a
    list of twenty rows or more."""
    scaled = {kind: round(count * size / SIZE) for kind, count in mix.items()}
    if size >= 20:
        scaled = {kind: max(1, count) for kind, count in scaled.items()}
    return scaled


# -- what the officers recorded ------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """Names the door-visit teams are made of."""

    workers: tuple[str, ...]  # community workers (网格员)
    medics: tuple[str, ...]  # doctors of the community health centre


def visit_team_names(seed: int) -> Team:
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}:campaigns:teams")
    return Team(workers=tuple(str(fake.name()) for _ in range(6)), medics=tuple(str(fake.name()) for _ in range(4)))


def plan_outcomes(draft: CampaignDraft, officer_of_row: Mapping[int, int | None], officer_names: Mapping[int, str], *,
                  seed: int, now: dt.datetime, share: float = DONE_SHARE, door_visits: int = DOOR_VISITS) -> list[Outcome]:
    """What the officers recorded between loading and `now` (in time order), given who each
    file row went to. A closed list is finished: everything done by its deadline, but for two
    items done the morning after. An open one has about `share` done, each officer at their own
    pace (the slowest at a third of the pace of the rest), and `door_visits` visits waiting."""
    rng = random.Random(f"{seed}:campaigns:outcomes:{draft.title}")
    team = visit_team_names(seed)
    rows = {draft.file_row(index): row for index, row in enumerate(draft.rows)}
    by_officer: dict[int | None, list[int]] = defaultdict(list)
    for number in sorted(rows):
        by_officer[officer_of_row.get(number)].append(number)
    start = draft.loaded_at + dt.timedelta(minutes=6)
    if draft.closed:
        end = draft.deadline - dt.timedelta(minutes=20)
    else:
        end = min(now, draft.deadline) - dt.timedelta(minutes=2)
    if end <= start:
        return []
    paces = _paces(sorted(key for key in by_officer if key is not None), rng, closed=draft.closed)
    outcomes: list[Outcome] = []
    waiting: list[Outcome] = []
    for officer in sorted(by_officer, key=lambda key: (key is None, key or 0)):
        if officer is None:
            continue  # nobody's: waits for the commander
        numbers = list(by_officer[officer])
        rng.shuffle(numbers)
        done = len(numbers) if draft.closed else round(len(numbers) * min(0.95, share * paces[officer]))
        times = sorted(_moment(start, end, rng) for _ in range(done))
        name = officer_names.get(officer, "")
        for number, at in zip(numbers[:done], times, strict=True):
            outcomes.append(_outcome(rows[number], number, officer, at, rng))
        if not draft.closed:
            # Some of those not yet done wait for a door visit, arranged after a call that failed.
            for number in numbers[done:]:
                if rows[number].kind in (OLD_PHONE, UNKNOWN, RESIDENT) and name:
                    waiting.append(_visit(number, officer, name, _moment(start, end, rng), draft.deadline, team, rng))
    rng.shuffle(waiting)
    outcomes += waiting[:door_visits]
    if draft.closed:
        outcomes = _two_late(outcomes, draft.deadline, rng)
    outcomes.sort(key=lambda outcome: (outcome.at, outcome.row))
    return outcomes


def _paces(officers: Sequence[int], rng: random.Random, *, closed: bool) -> dict[int, float]:
    """Each officer's pace against the average (1.0); one lags far behind."""
    paces = {officer: rng.uniform(0.75, 1.3) for officer in officers}
    if officers and not closed:
        paces[rng.choice(list(officers))] = 0.3
    mean = sum(paces.values()) / len(paces) if paces else 1.0
    return {officer: pace / mean for officer, pace in paces.items()}


def _moment(start: dt.datetime, end: dt.datetime, rng: random.Random) -> dt.datetime:
    seconds = (end - start).total_seconds()
    return (start + dt.timedelta(seconds=rng.uniform(0, seconds))).replace(microsecond=0)


def _outcome(row: Row, number: int, officer: int, at: dt.datetime, rng: random.Random) -> Outcome:
    kind = row.kind
    if kind == NEW_PHONE:
        return Outcome(number, officer, rules.VERIFIED, at, "名单号码为本人新号码，原登记号码已停用；本人在家，已开展反诈提醒。",
                       new_phone=row.new_phone)
    if kind == OLD_PHONE:
        if rng.random() < 0.6:
            return Outcome(number, officer, rules.VERIFIED, at, "名单号码已停机，按户籍登记电话联系到本人，信息属实，已开展反诈提醒。")
        return Outcome(number, officer, rules.UNREACHABLE, at, "名单号码为空号，登记电话无人接听。")
    if kind == OLD_ADDRESS:
        return Outcome(number, officer, rules.VERIFIED, at, "名单地址为旧址，本人现住址与系统登记一致，已开展反诈提醒。")
    if kind == MOVED:
        return Outcome(number, officer, rules.MOVED, at, f"本人已搬离辖区，现居{rng.choice(MOVED_TO)}，已电话告知反诈注意事项。")
    if kind == NEW_TENANT:
        return Outcome(number, officer, rules.VERIFIED, at, "新入住租户，已核实身份并提醒其办理居住登记。")
    if kind == UNKNOWN:
        if rng.random() < 0.6:
            return Outcome(number, officer, rules.WRONG_DATA, at, "电话为他人使用，查无此人，名单地址不在本辖区。")
        return Outcome(number, officer, rules.UNREACHABLE, at, "多次拨打无人接听，地址不在本辖区，建议退回分局。")
    draw = rng.random()
    if draw < 0.82:
        notes = rng.choice(("本人接听，信息属实，已开展反诈提醒。", "本人接听，已告知近期高发诈骗手法，表示知晓。",
                            "家属接听后转本人，信息属实，已提醒不向陌生账户转账。", ""))
        return Outcome(number, officer, rules.VERIFIED, at, notes)
    if draw < 0.94:
        return Outcome(number, officer, rules.UNREACHABLE, at, rng.choice(("三次拨打均无人接听。", "关机。", "无人接听，已发短信提醒回电。")))
    return Outcome(number, officer, rules.WRONG_DATA, at, "名单性别与本人不符，身份信息已与户籍核对。")


def _visit(number: int, officer: int, officer_name: str, at: dt.datetime, deadline: dt.datetime, team: Team,
           rng: random.Random) -> Outcome:
    """A door visit arranged at `at`, within the next hour or two but before the deadline."""
    planned = min(at + dt.timedelta(minutes=rng.choice((40, 60, 90, 120))), deadline - dt.timedelta(minutes=15))
    visit_at = planned.replace(second=0) - dt.timedelta(minutes=planned.minute % 10)
    if visit_at <= at:
        visit_at = at + dt.timedelta(minutes=10)
    return Outcome(number, officer, rules.DOOR_VISIT, at, "电话无法联系，已约社区网格员、社区医生上门核查。",
                   visit_team=(officer_name, rng.choice(team.workers), rng.choice(team.medics)), visit_at=visit_at)


def _two_late(outcomes: list[Outcome], deadline: dt.datetime, rng: random.Random) -> list[Outcome]:
    """Two items of a finished list were done the morning after its deadline."""
    if len(outcomes) < 4:
        return outcomes
    late = sorted(rng.sample(range(len(outcomes)), 2))
    morning = deadline.replace(hour=9, minute=0) + (dt.timedelta(days=1) if deadline.hour >= 9 else dt.timedelta())
    changed = list(outcomes)
    for turn, index in enumerate(late, start=1):
        found = outcomes[index]
        changed[index] = Outcome(found.row, found.officer, rules.VERIFIED, morning + dt.timedelta(minutes=37 * turn),
                                 "截止前未能联系，次日上门核实，信息属实。")
    return changed
