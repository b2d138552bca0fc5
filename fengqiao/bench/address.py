"""`fengqiao bench address`: address matching against 100,000 standard addresses.

Pure Python, no Django: a seeded generator of standard addresses in the demo's style
(`fengqiao.demo.plan`: residential compounds 号 → 栋 → 单元 → room, and rows of street-front
shops 附N号, numbered along each road; the full text as `records.Address.compose` writes
it, 南岸区南坪街道南坪西路18号3栋2单元1502), a generator of the noisy ways a caller or a 110
operator writes those addresses, each keeping the id of its true address, and `run()`,
which measures the matcher of `fengqiao.intake.addressing` on them.

The figures:

- build time of the `AddressIndex`;
- matches per second: wall clock of `AddressIndex.match(text, limit=5)` over all queries,
  one after another in one thread (`best()` is `match()`'s first candidate when it is
  confident, so it costs the same);
- absent addresses: noisy spellings of addresses the station does not have (a room
  above the top floor, the next compound, another district's road); every confident
  answer to one of them is wrong;
- top-1: the share of queries whose first candidate is the true address, over all
  queries and over those that name one address only (see `NoisyQuery.ambiguous`);
- confident share: the share for which `best()` answers at all, and confident precision:
  the share of those answers that are right. A wrong confident answer sends an officer
  to the wrong door without anyone being asked, so precision matters more than the share.

Noise kinds are counted separately (`by_noise`), because some noise leaves a text that
names more than one address (a missing unit in a compound with two units): those should
be top-1 by luck at best, and never confident.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import rapidfuzz

from fengqiao.demo.plan import DISTRICT, MAIN_STATION, STATIONS
from fengqiao.intake.addressing import AddressIndex, Candidate

HELP = "address matching: matches per second against N standard addresses, top-1 accuracy on noisy variants"

DEFAULT_COUNT = 100_000
DEFAULT_QUERIES = 5_000
DEFAULT_SEED = 1

STREET = MAIN_STATION.street  # 南坪街道: one station, one sub-district, as in the demo


def _demo_roads() -> list[str]:
    roads: list[str] = []
    for station in STATIONS:
        for _, names in station.communities:
            roads.extend(name for name in names if name not in roads)
    return roads


# The demo's roads first, then more of Nan'an's, to spread 100,000 addresses over 44 roads.
ROADS: tuple[str, ...] = tuple(_demo_roads()) + tuple(
    road for road in (
        "南坪北路", "南坪南路", "万寿路", "江桥路", "惠工路", "腾龙大道", "弹子石正街",
        "泰昌路", "玉马路", "辅仁路", "回龙湾路", "黄桷垭正街", "涂山路", "纳溪沟路",
        "花园路", "龙腾大道", "南山路", "巴滨路", "长生桥路", "茶园路",
    )
    if road not in _demo_roads()
)

ROAD_WORDS = ("大道", "正街", "支路", "路", "街")


@dataclass(frozen=True)
class StandardAddress:
    """One standard address, in the parts `records.Address` keeps."""

    id: int
    district: str
    street: str
    road: str
    number: str  # "18号" or "22号附1号", as in the demo
    building: str  # "3栋" or ""
    unit: str  # "2单元" or ""
    room: str  # "1502" or ""

    @property
    def full_text(self) -> str:
        return compose(
            district=self.district, street=self.street, road=self.road, number=self.number,
            building=self.building, unit=self.unit, room=self.room,
        )


def compose(*, district: str, street: str, road: str, number: str, building: str = "", unit: str = "", room: str = "") -> str:
    """The full written form, exactly as `fengqiao.records.models.Address.compose` writes it
    (repeated here so that the benchmark needs no Django; a test keeps the two equal)."""
    return f"{district}{street}{road}{number}{building}{unit}{room}"


def standard_addresses(count: int, seed: int) -> list[StandardAddress]:
    """`count` distinct standard addresses, ids 1…count, the same for the same seed.

    Like the demo: along each road the house numbers rise by 2–8; 15 % of numbers are a
    row of 3–8 shops (22号附1号 …), the rest a compound of 1–5 buildings × 1–3 units ×
    6–33 floors × 2–4 rooms a floor (room 1502 is floor 15, room 2).
    """
    rng = random.Random(f"{seed}:standard-addresses")
    next_number: dict[str, int] = {}
    addresses: list[StandardAddress] = []
    while len(addresses) < count:
        road = rng.choice(ROADS)
        number = next_number.get(road, rng.randint(1, 9))
        next_number[road] = number + rng.randint(2, 8)
        if rng.random() < 0.15:
            places = [(f"{number}号附{shop}号", "", "", "") for shop in range(1, rng.randint(3, 8) + 1)]
        else:
            places = _compound(number, rng)
        for number_text, building, unit, room in places[: count - len(addresses)]:
            addresses.append(
                StandardAddress(
                    id=len(addresses) + 1, district=DISTRICT, street=STREET, road=road,
                    number=number_text, building=building, unit=unit, room=room,
                )
            )
    return addresses


def _compound(number: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    buildings = rng.randint(1, 5)
    units = rng.randint(1, 3)
    rooms_per_floor = rng.randint(2, 4)
    floors = rng.randint(6, 33)
    places = []
    for building in range(1, buildings + 1):
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in range(1, rooms_per_floor + 1):
                    places.append((f"{number}号", f"{building}栋", f"{unit}单元", f"{floor}{room:02d}"))
    return places


# --- noisy variants ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoisyQuery:
    """A free-text address as someone wrote it, with the id of the address it means."""

    address_id: int
    text: str
    noises: tuple[str, ...]
    ambiguous: bool = False  # the text fits other standard addresses just as well


@dataclass(frozen=True)
class _Spelling:
    """How one variant writes each part; `render` puts them together."""

    prefix: str
    road: str
    number: str
    number_mark: str
    annex: str
    building: str
    building_mark: str
    unit: str
    room: str
    room_mark: str
    separator: str = ""
    after_number: str = ""  # what follows a number written without 号
    dashed: str = ""  # "", "all" (18-3-2-1502) or "after_number" (18号3-2-1502)
    suffix: str = ""
    full_width: bool = False

    def render(self) -> str:
        if self.dashed:
            numbers = [part for part in (self.building, self.unit, self.room) if part]
            if self.dashed == "all":
                parts = "-".join([self.number, *numbers])
            else:
                parts = f"{self.number}号" + "-".join(numbers)
        else:
            pieces = [self.number + (self.number_mark or self.after_number)]
            if self.annex:
                pieces[0] += f"附{self.annex}号"
            if self.building:
                pieces.append(self.building + self.building_mark)
            if self.unit:
                pieces.append(self.unit + "单元")
            if self.room:
                pieces.append(self.room + self.room_mark)
            parts = self.separator.join(pieces)
        text = f"{self.prefix}{self.separator}{self.road}{self.separator}{parts}{self.suffix}"
        if self.full_width:
            text = text.translate(_FULL_WIDTH)
        return text


_FULL_WIDTH = str.maketrans({**{str(digit): chr(0xFF10 + digit) for digit in range(10)}, "-": "－", " ": "\u3000"})

_CHINESE = "零一二三四五六七八九"

# Characters a caller's accent or an operator's pinyin input turns into another one (a
# typo in the road name); numerals and the marks of numbered parts are left out.
_SOUND_ALIKE = {
    "坪": "平苹", "西": "溪希", "东": "冬", "北": "贝", "正": "政证", "江": "将姜",
    "南": "男楠", "城": "成程", "烟": "炎严", "雨": "语宇", "响": "想享", "水": "税",
    "工": "公功", "贸": "茂", "湖": "胡壶", "宏": "红洪", "声": "生升", "珊": "山杉",
    "瑚": "胡", "亚": "雅压", "太": "泰", "丹": "担", "龙": "隆", "学": "雪", "府": "富付",
    "子": "紫", "湾": "弯", "公": "工", "里": "理李", "福": "富", "红": "宏洪", "金": "今",
    "紫": "子", "山": "珊衫", "海": "还", "棠": "堂唐", "溪": "西", "滨": "宾", "罗": "萝",
    "家": "佳", "坝": "霸", "通": "同", "上": "尚", "浩": "豪", "万": "完", "寿": "受",
    "桥": "乔", "惠": "会", "腾": "藤", "弹": "谈", "石": "时", "泰": "太", "昌": "长",
    "玉": "鱼", "马": "码", "辅": "付", "仁": "人", "回": "会", "黄": "皇", "桷": "角",
    "垭": "压", "涂": "图", "花": "华", "园": "圆", "巴": "芭", "后": "厚", "堡": "宝",
    "纳": "那", "沟": "勾", "生": "声", "茶": "查", "长": "常", "百": "柏", "坚": "间",
}


def _to_chinese_quantity(value: str) -> str:
    """18 → 十八, 3 → 三, 20 → 二十, 105 → 一百零五 (numbers below 1,000)."""
    number = int(value)
    if number < 10:
        return _CHINESE[number]
    if number < 20:
        return "十" + (_CHINESE[number % 10] if number % 10 else "")
    if number < 100:
        return _CHINESE[number // 10] + "十" + (_CHINESE[number % 10] if number % 10 else "")
    hundreds, rest = divmod(number, 100)
    if rest == 0:
        return _CHINESE[hundreds] + "百"
    if rest < 10:
        return _CHINESE[hundreds] + "百零" + _CHINESE[rest]
    return _CHINESE[hundreds] + "百" + _to_chinese_quantity(str(rest))


def _to_chinese_digits(value: str, rng: random.Random) -> str:
    """1502 → 一五零二 (or 一五〇二): room numbers are read digit by digit."""
    zero = rng.choice("零〇")
    return "".join(zero if digit == "0" else _CHINESE[int(digit)] for digit in value)


def _road_name_part(road: str) -> tuple[str, str]:
    for word in ROAD_WORDS:
        if road.endswith(word) and len(road) > len(word):
            return road[: -len(word)], word
    return road, ""


def _typo_road(road: str, rng: random.Random) -> str | None:
    """The road with one character of its name misheard, or None if no such typo makes a
    road that does not exist (a typo that spells another real road is not a typo)."""
    name, word = _road_name_part(road)
    positions = [index for index, character in enumerate(name) if character in _SOUND_ALIKE]
    rng.shuffle(positions)
    for index in positions:
        typo = name[:index] + rng.choice(_SOUND_ALIKE[name[index]]) + name[index + 1:] + word
        if typo not in ROADS:
            return typo
    return None


_Noise = Callable[[_Spelling, random.Random], _Spelling | None]


def _no_prefix(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    return replace(spelling, prefix="")


def _other_prefix(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    return replace(spelling, prefix=rng.choice(("重庆市南岸区", "重庆南岸区南坪街道", "重庆市", STREET, DISTRICT)))


def _full_width(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    return replace(spelling, full_width=True)


def _chinese_numerals(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    number, building, unit, room = spelling.number, spelling.building, spelling.unit, spelling.room
    if number.isdigit() and rng.random() < 0.7:
        number = _to_chinese_quantity(number)
    if building.isdigit() and rng.random() < 0.7:
        building = _to_chinese_quantity(building)
    if unit.isdigit() and rng.random() < 0.7:
        unit = _to_chinese_quantity(unit)
    if room and rng.random() < 0.5:
        room = _to_chinese_digits(room, rng)
    if (number, building, unit, room) == (spelling.number, spelling.building, spelling.unit, spelling.room):
        number = _to_chinese_quantity(number)
    return replace(spelling, number=number, building=building, unit=unit, room=room)


def _building_word(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    if not spelling.building:
        return None
    return replace(spelling, building_mark=rng.choice(("幢", "号楼", "座", "#")))


def _room_word(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    if not spelling.room:
        return None
    return replace(spelling, room_mark=rng.choice(("室", "室", "房", "号房", "号")))


def _dashed(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    if not spelling.room:
        return None
    return replace(spelling, dashed=rng.choice(("all", "all", "after_number")))


def _no_unit(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    if not spelling.unit:
        return None
    return replace(spelling, unit="")


def _road_typo(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    typo = _typo_road(spelling.road, rng)
    return None if typo is None else replace(spelling, road=typo)


def _spaces(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    return replace(spelling, separator=rng.choice((" ", "  ", "\t")))


def _landmark(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    return replace(spelling, suffix=rng.choice(("附近", "旁边", "门口", "楼下", "这边")))


def _no_hao(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    if not spelling.building:
        return None
    return replace(spelling, number_mark="", after_number=rng.choice((" ", ",", "，")))


def _doubled_road_word(spelling: _Spelling, rng: random.Random) -> _Spelling | None:
    if not spelling.road.endswith("大道") or spelling.road not in ROADS:
        return None
    return replace(spelling, road=spelling.road + "路")


# (name, weight, how): the weights say how often each kind of noise is tried.
NOISES: tuple[tuple[str, float, _Noise], ...] = (
    ("no_prefix", 3.0, _no_prefix),
    ("other_prefix", 1.5, _other_prefix),
    ("full_width", 2.0, _full_width),
    ("chinese_numerals", 2.0, _chinese_numerals),
    ("building_word", 2.0, _building_word),
    ("room_word", 2.0, _room_word),
    ("dashed", 1.5, _dashed),
    ("no_unit", 1.0, _no_unit),
    ("road_typo", 1.5, _road_typo),
    ("spaces", 2.0, _spaces),
    ("landmark", 1.5, _landmark),
    ("no_hao", 1.0, _no_hao),
    ("doubled_road_word", 0.5, _doubled_road_word),
)

# Noises that write the numbered parts in words cannot be dashed, and the other way round.
_EXCLUSIVE = {
    "dashed": {"chinese_numerals", "building_word", "room_word", "no_hao"},
    "no_prefix": {"other_prefix"},
}


def _excludes(first: str, second: str) -> bool:
    return second in _EXCLUSIVE.get(first, set()) or first in _EXCLUSIVE.get(second, set())


def _spelling_of(address: StandardAddress) -> _Spelling:
    number, _, annex = address.number.partition("附")
    return _Spelling(
        prefix=address.district + address.street, road=address.road,
        number=number.removesuffix("号"), number_mark="号", annex=annex.removesuffix("号"),
        building=address.building.removesuffix("栋"), building_mark="栋",
        unit=address.unit.removesuffix("单元"), room=address.room, room_mark="",
    )


def noisy_variants(addresses: Sequence[StandardAddress], count: int, seed: int) -> list[NoisyQuery]:
    """`count` noisy spellings of randomly chosen `addresses`, 1–3 noises each.

    Every variant has at least one noise that changed something; which ones is recorded
    in `NoisyQuery.noises`. A variant is `ambiguous` when by construction it fits more
    than one address: its unit was dropped and another unit of the same building has a
    room of the same number (nobody can tell which unit "18号3栋1502" is).
    """
    rng = random.Random(f"{seed}:noisy-variants")
    without_unit = Counter((a.road, a.number, a.building, a.room) for a in addresses if a.unit)
    queries: list[NoisyQuery] = []
    while len(queries) < count:
        address = rng.choice(addresses)
        query = _noisy(address, rng)
        if query is not None:
            if "no_unit" in query.noises:
                fits = without_unit[(address.road, address.number, address.building, address.room)]
                query = replace(query, ambiguous=fits > 1)
            queries.append(query)
    return queries


def _noisy(address: StandardAddress, rng: random.Random, *, leave_out: tuple[str, ...] = ()) -> NoisyQuery | None:
    """`address` written with 1–3 noises, or None if none of the drawn noises applied."""
    names = [name for name, _, _ in NOISES if name not in leave_out]
    weights = [weight for name, weight, _ in NOISES if name not in leave_out]
    how = {name: noise for name, _, noise in NOISES}
    wanted = 1 + (rng.random() < 0.5) + (rng.random() < 0.2)
    spelling = _spelling_of(address)
    applied: list[str] = []
    for name in rng.choices(names, weights=weights, k=wanted * 2):
        if len(applied) == wanted:
            break
        if name in applied or any(_excludes(name, done) for done in applied):
            continue
        changed = how[name](spelling, rng)
        if changed is not None:
            spelling = changed
            applied.append(name)
    if not applied:
        return None
    return NoisyQuery(address_id=address.id, text=spelling.render(), noises=tuple(applied))


# Places that are not the station's: other districts of Chongqing, one road each. Some
# end like the station's roads (杨家坪正街, 南坪正街) to tempt a matcher into guessing.
OTHER_PLACES: tuple[tuple[str, str, str], ...] = (
    ("九龙坡区", "杨家坪街道", "杨家坪正街"),
    ("渝中区", "解放碑街道", "民族路"),
    ("江北区", "观音桥街道", "建新北路"),
    ("沙坪坝区", "小龙坎街道", "小龙坎正街"),
    ("渝北区", "龙溪街道", "松石北路"),
)


def absent_addresses(known: Sequence[StandardAddress], count: int, seed: int) -> list[StandardAddress]:
    """`count` addresses that are not among `known` (= `standard_addresses(len(known),
    seed)`), with id 0.

    A third each: the addresses the generator would have made next (often the next
    rooms of the last compound); real addresses with a room above the building's top
    floor (floors stop at 33); the same numbered parts on a road of another district.
    The only right answer to any of them is "no confident match".
    """
    rng = random.Random(f"{seed}:absent")
    compounds = [address for address in known if address.room]
    beyond = standard_addresses(len(known) + count, seed)[len(known):]
    absent: list[StandardAddress] = []
    for index in range(count):
        if index % 3 == 0:
            absent.append(replace(beyond[index], id=0))
        elif index % 3 == 1 and compounds:
            address = rng.choice(compounds)
            absent.append(replace(address, id=0, room=f"{rng.randint(40, 60)}{address.room[-2:]}"))
        else:
            address = rng.choice(known)
            district, street, road = rng.choice(OTHER_PLACES)
            absent.append(replace(address, id=0, district=district, street=street, road=road))
    return absent


# --- the measurement ----------------------------------------------------------------------


def run(count: int = DEFAULT_COUNT, queries: int = DEFAULT_QUERIES, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Build an index of `count` generated addresses, match `queries` noisy variants, and
    return the figures (see the module's docstring)."""
    addresses = standard_addresses(count, seed)
    variants = noisy_variants(addresses, queries, seed)
    rng = random.Random(f"{seed}:absent-variants")
    # Without dropping the unit: "福红路35号2栋2302" for an absent unit 2 fits the
    # indexed unit 1 exactly, and answering it is right, not a guess.
    strangers = [
        query
        for query in (
            _noisy(address, rng, leave_out=("no_unit",))
            for address in absent_addresses(addresses, max(1, queries // 10), seed)
        )
        if query is not None
    ]

    started = time.perf_counter()
    index = AddressIndex((address.id, address.full_text) for address in addresses)
    build_seconds = time.perf_counter() - started

    started = time.perf_counter()
    results = [index.match(variant.text, limit=5) for variant in variants]
    match_seconds = time.perf_counter() - started
    absent_confident = sum(1 for query in strangers if index.best(query.text) is not None)

    overall = _Tally()
    determinable = _Tally()
    by_noise: dict[str, _Tally] = {}
    for variant, candidates in zip(variants, results, strict=True):
        overall.add(variant.address_id, candidates)
        if not variant.ambiguous:
            determinable.add(variant.address_id, candidates)
        for noise in variant.noises:
            by_noise.setdefault(noise, _Tally()).add(variant.address_id, candidates)

    return {
        "benchmark": "address",
        "addresses": len(addresses),
        "roads": len(index.roads),
        "queries": len(variants),
        "seed": seed,
        "build_seconds": round(build_seconds, 3),
        "match_seconds": round(match_seconds, 3),
        "matches_per_second": round(len(variants) / match_seconds, 1),
        **overall.figures(),
        "ambiguous_queries": overall.queries - determinable.queries,
        "top1_accuracy_determinable": determinable.figures()["top1_accuracy"],
        "absent_queries": len(strangers),
        "absent_confident": absent_confident,
        "by_noise": {name: by_noise[name].figures() for name in sorted(by_noise)},
        "python": sys.version.split()[0],
        "rapidfuzz": rapidfuzz.__version__,
    }


@dataclass
class _Tally:
    queries: int = 0
    top1: int = 0
    confident: int = 0
    confident_right: int = 0
    no_candidate: int = 0

    def add(self, true_id: int, candidates: list[Candidate]) -> None:
        self.queries += 1
        if not candidates:
            self.no_candidate += 1
            return
        first = candidates[0]
        self.top1 += first.address_id == true_id
        if first.confident:
            self.confident += 1
            self.confident_right += first.address_id == true_id

    def figures(self) -> dict[str, Any]:
        return {
            "top1_accuracy": _share(self.top1, self.queries),
            "confident_share": _share(self.confident, self.queries),
            "confident_precision": _share(self.confident_right, self.confident),
            "wrong_confident": self.confident - self.confident_right,
            "no_candidate": self.no_candidate,
            "queries": self.queries,
        }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# --- the command's side ------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT,
                        help=f"standard addresses to index (default {DEFAULT_COUNT:,})")
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES,
                        help=f"noisy variants to match (default {DEFAULT_QUERIES:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of addresses and variants (default {DEFAULT_SEED})")


def run_from_options(options: dict[str, Any]) -> dict[str, Any]:
    if options["count"] < 1 or options["queries"] < 1:
        raise ValueError("--count and --queries must be at least 1")
    return run(count=options["count"], queries=options["queries"], seed=options["seed"])


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        ("standard addresses", f"{figures['addresses']:,} on {figures['roads']} roads"),
        ("noisy queries", f"{figures['queries']:,} (seed {figures['seed']})"),
        ("index build", f"{figures['build_seconds']:.2f} s"),
        ("matching", f"{figures['match_seconds']:.2f} s"),
        ("matches per second", f"{figures['matches_per_second']:,.0f}"),
        ("top-1 accuracy", _percent(figures["top1_accuracy"])),
        ("  without ambiguous", f"{_percent(figures['top1_accuracy_determinable'])} "
                                f"({figures['ambiguous_queries']} queries fit several addresses)"),
        ("confident answers", _percent(figures["confident_share"])),
        ("confident precision", f"{_percent(figures['confident_precision'])} ({figures['wrong_confident']} wrong)"),
        ("absent addresses", f"{figures['absent_queries']:,} queries, {figures['absent_confident']} answered confidently (all wrong)"),
    ]
    for name, noise in figures["by_noise"].items():
        rows.append((
            f"  {name}",
            f"{noise['queries']:>5}  top-1 {_percent(noise['top1_accuracy'])}  "
            f"confident {_percent(noise['confident_share'])}  wrong {noise['wrong_confident']}",
        ))
    return rows


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"
