"""Matching a free-text address to the station's standard addresses (标准地址). No Django.

A caller or a 110 operator writes "南平西路十八号3幢2单元1502室附近"; the station's record
says "南岸区南坪街道南坪西路18号3栋2单元1502". This module gets from the first to the
second, and — as important — knows when it cannot: "no confident match → flagged for the
commander, never guessed silently" (issue 3, point 4).

Two steps:

1. `normalise(text)` rewrites the many ways of writing the same address into one spelling
   (half-width digits, Arabic numerals, 栋 for every word for "building", no 室, no spaces,
   no shared district prefix, labelled dash forms …). Standard addresses and queries go
   through the same function, so whatever it does, it does to both sides.
2. `AddressIndex` splits each normalised address into a road (南坪西路) and its numbered
   parts — number (号), annex (附N号), building (栋), unit (单元), room — and looks the
   parts up in dictionaries, road by road. Only the road is ever matched fuzzily: road
   names are few (tens), so a typo costs a comparison against each road name, never a
   scan of 100,000 addresses. When the numbered parts do not agree with any address on a
   plausible road, a fuzzy comparison of the parts within that road's addresses still
   offers suggestions, but those are never confident.

A match is *confident* only when all of these hold:

- every part the caller gave agrees with the standard address (a missing part costs a
  little; a different part is never confident);
- the road is the one written, or one small typo away from it and clearly closer to it
  than to any other road of the station (南坪希路 is as close to 南坪西路 as to 南坪东路:
  not confident, even if only one of the two has the number); a different road word is
  a different road (南坪西街 is not 南坪西路), and a text that names a district or
  sub-district that is not the station's (九龙坡区…) is never confident;
- the score is at least `confident_score` (85) and leads the runner-up by at least
  `confident_margin` (5): "3栋1502" on a compound with two units has two equal answers,
  so neither is confident.

Scores run 0–100: half for the road (100 when written exactly, else rapidfuzz's ratio of
the road names), half for the numbered parts (100 when all agree, 10 less for each part
the standard address has and the caller left out, at most 60 for the fuzzy fallback).
"""

from __future__ import annotations

import functools
import heapq
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

#: Leading parts that every address of a station in Chongqing's Nan'an district shares;
#: `AddressIndex` adds the district and sub-district names found in its own addresses.
DEFAULT_PREFIXES: tuple[str, ...] = ("重庆市", "重庆", "南岸区")

# The numbered parts of an address, in the order they are written. A key is a 5-tuple of
# strings in this order; "" means "the address has no such part" (for a standard address)
# or "the caller did not say" (for a query).
NUMBER, ANNEX, BUILDING, UNIT, ROOM = range(5)
_PARTS = 5
_Key = tuple[str, str, str, str, str]
_Mask = tuple[bool, bool, bool, bool, bool]

ROAD_KINDS = "路街道巷"  # the last character says what kind of road it is

CONFIDENT_SCORE = 85.0
CONFIDENT_MARGIN = 5.0
ROAD_MARGIN = 10.0  # a fuzzily read road must beat every other road by this much
MISSING_PART_PENALTY = 10.0  # per part the standard address has and the caller left out
FUZZY_PARTS_CAP = 60.0  # numbered parts that only look alike: suggestions, never confident
ROAD_CUTOFF = 50.0  # roads less alike than this are not considered at all
OTHER_KIND_CAP = 50.0  # 南坪西街 is another road than 南坪西路, however alike they look
WRITTEN_ROAD_ELSEWHERE_CAP = 60.0  # the caller named an existing road: others only suggest
OTHER_PLACE_CAP = 60.0  # the text names a district or sub-district that is not the station's
FUZZY_ROADS = 3  # how many alike roads to search when the road is not written exactly


# --- normalisation ------------------------------------------------------------------

_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_CHARS = "".join(_CHINESE_DIGITS) + "".join(_CHINESE_MULTIPLIERS)

# Written forms of the same character or mark that NFKC leaves alone.
_VARIANTS = str.maketrans(
    {
        "號": "号",
        "棟": "栋",
        "幢": "栋",
        "單": "单",
        "層": "层",
        "樓": "楼",
        "—": "-",
        "–": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "~": "-",
        "_": "-",
    }
)

# Words a caller adds around an address that name no part of it ("南坪西路18号附近").
_TRAILING_WORDS = (
    "附近",
    "旁边",
    "边上",
    "对面",
    "门口",
    "楼下",
    "楼上",
    "一带",
    "周边",
    "周围",
    "这里",
    "那里",
    "这边",
    "那边",
    "里面",
    "外面",
    "小区",
    "处",
)
_FILLER = re.compile(r"附近|的")

# Whitespace and punctuation; between two numbers it separates them ("18 3栋" → "18-3栋").
_SEPARATORS = re.compile(r"[^\w#-]+")
_NUMERAL_SET = frozenset(_NUMERAL_CHARS)
_NUMBERISH = frozenset("0123456789" + _NUMERAL_CHARS)

# A run of Chinese numerals counts as a number only next to a numbered part's mark, so
# 四公里支路 and 五一路 keep their names while 十八号, 三栋, 二单元一五零二 become numbers.
_CHINESE_NUMBER = re.compile(
    rf"(?<=[号栋元附\-])[{_NUMERAL_CHARS}]+|[{_NUMERAL_CHARS}]+(?=[号栋单室房楼层附#\-]|$)"
)
_BUILDING_WORDS = re.compile(r"(?<=[0-9A-Z])(?:号楼|#楼|#|座)")
_ROOM_WORDS = re.compile(r"(?<=[0-9])(?:号房|室|房|户)")
_ROOM_NUMBER_HAO = re.compile(r"(?<=[栋元])([0-9]+)号(?=$|-)")
_FLOOR_AND_ROOM = re.compile(r"([0-9]+)[楼层]([0-9]+)号?(?=$|-)")
_DOUBLED_ROAD_WORD = re.compile(r"(大道|路|街)路(?=[0-9]|-|$)")
_ROAD_CORNER = re.compile(r"(?<=[路街道])口$")
_FOUR_DASHED = re.compile(r"(?<![0-9号栋元附\-])([0-9]+)-([0-9]+)-([0-9]+)-([0-9]+)(?![0-9\-])")
_THREE_DASHED_AFTER_NUMBER = re.compile(r"号([0-9]+)-([0-9]+)-([0-9]+)(?![0-9\-])")
_TWO_DASHED_AFTER_BUILDING = re.compile(r"栋([0-9]+)-([0-9]+)(?![0-9\-])")


def chinese_numeral(run: str) -> str:
    """The Arabic digits of a run of Chinese numerals.

    With 十/百/千 the run is read as a quantity, without them digit by digit (the way room
    numbers are spoken):

    >>> chinese_numeral("十八"), chinese_numeral("二十"), chinese_numeral("一百零五")
    ('18', '20', '105')
    >>> chinese_numeral("一五零二"), chinese_numeral("五〇一"), chinese_numeral("两")
    ('1502', '501', '2')
    """
    if not any(character in _CHINESE_MULTIPLIERS for character in run):
        return "".join(str(_CHINESE_DIGITS[character]) for character in run)
    total = 0
    current = 0
    for character in run:
        if character in _CHINESE_DIGITS:
            current = _CHINESE_DIGITS[character]
        else:
            total += (current or 1) * _CHINESE_MULTIPLIERS[character]
            current = 0
    return str(total + current)


def normalise(text: str, prefixes: Sequence[str] = DEFAULT_PREFIXES) -> str:
    """One spelling for the many ways of writing a Chinese street address.

    In order:

    1. NFKC: full-width digits, letters, dashes and spaces become half-width; letters are
       upper-cased; 號/棟/單 become 号/栋/单 and every dash-like mark becomes "-".
    2. Whitespace and punctuation go; between two numbers they become one "-", so numbers
       never run together ("18 3栋" → "18-3栋").
    3. Words around the address that name no part of it go: 附近, 旁边, 门口, 楼下, 小区,
       的 …; "南坪西路口" becomes "南坪西路".
    4. Leading `prefixes` go, as often as they occur, longest first (重庆市, 南岸区, …).
    5. Chinese numerals next to a part's mark become digits: 十八号 → 18号, 三栋 → 3栋,
       二单元 → 2单元, 一五零二室 → 1502室. Numerals inside road names stay (四公里支路).
    6. Every word for a building becomes 栋: 幢, 号楼, 座, 3# and 3#楼.
    7. Rooms lose their word: 1502室, 1502房, 1502号房 and 2单元1502号 all end in 1502;
       a floor and a room become the room: 15楼1502 → 1502, 5楼2号 → 502.
    8. A road word written twice goes: 江南大道路 → 江南大道.
    9. Dash forms are labelled where the reading is unambiguous: four numbers after the road
       are number-building-unit-room (南坪西路18-3-2-1502 → 南坪西路18号3栋2单元1502),
       three after a 号 are building-unit-room (18号3-2-1502 → 18号3栋2单元1502), two after
       a 栋 are unit-room (3栋2-1502 → 3栋2单元1502). Other dash forms keep their dashes:
       "18-3-1502" may be 18号3栋…1502 or 3栋…; `AddressIndex` tries every reading and is
       confident only if one of them fits a single address.

    Different roads stay different: 南坪西路 and 南坪西街 are two roads, and nothing here
    turns one into the other.

    >>> normalise("重庆市南岸区 南坪西路１８号３幢２单元１５０２室")
    '南坪西路18号3栋2单元1502'
    >>> normalise("南坪西路十八号三栋二单元一五零二")
    '南坪西路18号3栋2单元1502'
    >>> normalise("南坪西路18-3-2-1502附近")
    '南坪西路18号3栋2单元1502'
    >>> normalise("江南大道路6号A座15楼02")
    '江南大道6号A栋1502'
    >>> normalise("四公里支路22号附1号")
    '四公里支路22号附1号'
    """
    # Each rewrite runs only when its tell-tale characters occur: most text needs few.
    text = unicodedata.normalize("NFKC", text).upper().translate(_VARIANTS)
    text = _SEPARATORS.sub(lambda match: _separator(text, match), text)
    if "的" in text or "附近" in text:
        text = _FILLER.sub("", text)
    text = _strip_trailing_words(text)
    text = _strip_prefixes(text, _longest_first(tuple(prefixes)))
    if not _NUMERAL_SET.isdisjoint(text):
        text = _CHINESE_NUMBER.sub(lambda match: chinese_numeral(match.group()), text)
    if "楼" in text or "#" in text or "座" in text:
        text = _BUILDING_WORDS.sub("栋", text)
    if "室" in text or "房" in text or "户" in text:
        text = _ROOM_WORDS.sub("", text)
    if text.endswith("号") or "号-" in text:
        text = _ROOM_NUMBER_HAO.sub(r"\1", text)
    if "楼" in text or "层" in text:
        text = _FLOOR_AND_ROOM.sub(_floor_and_room, text)
    if "路路" in text or "道路" in text or "街路" in text:
        text = _DOUBLED_ROAD_WORD.sub(r"\1", text)
    if "-" in text:
        text = _FOUR_DASHED.sub(r"\1号\2栋\3单元\4", text)
        text = _THREE_DASHED_AFTER_NUMBER.sub(r"号\1栋\2单元\3", text)
        text = _TWO_DASHED_AFTER_BUILDING.sub(r"栋\1单元\2", text)
        text = re.sub(r"-{2,}", "-", text).strip("-")
    return text


def _separator(text: str, match: re.Match[str]) -> str:
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return "-" if before in _NUMBERISH and after in _NUMBERISH else ""


def _strip_trailing_words(text: str) -> str:
    while text.endswith(_TRAILING_WORDS):
        word = next(word for word in _TRAILING_WORDS if text.endswith(word))
        if len(text) == len(word):
            break
        text = text[: -len(word)].rstrip("-")
    if text.endswith("口"):
        text = _ROAD_CORNER.sub("", text)
    return text


@functools.lru_cache(maxsize=64)
def _longest_first(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted((prefix for prefix in prefixes if prefix), key=len, reverse=True))


def _strip_prefixes(text: str, ordered: tuple[str, ...]) -> str:
    while ordered and text.startswith(ordered):
        prefix = next(prefix for prefix in ordered if text.startswith(prefix))
        text = text[len(prefix):]
    return text


def _floor_and_room(match: re.Match[str]) -> str:
    floor, room = match.group(1), match.group(2)
    if room.startswith(floor) and len(room) > len(floor):
        return room  # 15楼1502: the floor is already in the room number
    if len(room) <= 2:
        return floor + room.zfill(2)  # 5楼2号 is room 502
    return room


# --- splitting a normalised address into its road and numbered parts ----------------

_PARTS_START = re.compile(r"[0-9]|[A-Z]栋|附[0-9]")
_TOKEN = re.compile(r"附([0-9]+)号?|([0-9]+)[楼层]|([0-9]+|[A-Z])(号|栋|单元)|([0-9]+)")
_MARKS = {"号": NUMBER, "栋": BUILDING, "单元": UNIT}
_ADMIN_UNIT = re.compile(
    r"^(.{1,7}?(?:省|自治区|市|区|县|街道|镇|乡))(?=.{2,}(?:路|街|大道|道|巷)$)"
)
_AREA = re.compile(r".{1,7}?(?:省|自治区|市|区|县|街道|镇|乡|社区)")
_NOT_AREAS = ("社区", "小区", "园区", "校区", "厂区", "片区", "景区")  # ours, or no place at all
_MAX_READINGS = 12


def split_road(normalised: str) -> tuple[str, str]:
    """The text before the numbered parts, and the numbered parts.

    >>> split_road("南坪西路18号3栋2单元1502")
    ('南坪西路', '18号3栋2单元1502')
    >>> split_road("南坪西路")
    ('南坪西路', '')
    """
    found = _PARTS_START.search(normalised)
    if found is None:
        return normalised, ""
    return normalised[: found.start()], normalised[found.start() :]


def split_area(head: str) -> tuple[list[str], str]:
    """Administrative units (区, 街道, 镇 …) at the front of a standard address, and its road.

    >>> split_area("南坪街道南坪西路")
    (['南坪街道'], '南坪西路')

    A unit is only split off while a road of at least two characters and a road word
    remains, so 工业园区路 stays one road.
    """
    units: list[str] = []
    while True:
        found = _ADMIN_UNIT.match(head)
        if found is None:
            return units, head
        units.append(found.group(1))
        head = head[found.end(1) :]


def readings(parts: str) -> list[_Key]:
    """Every way of reading the numbered parts, as (number, annex, building, unit, room).

    Parts with a mark (号, 附, 栋, 单元) are what they say; a bare number takes one of the
    free places between its marked neighbours, in order, and a bare number last is the
    room. "" is a part not given.

    >>> readings("18号3栋2单元1502")
    [('18', '', '3', '2', '1502')]
    >>> readings("22号附1号")
    [('22', '1', '', '', '')]
    >>> readings("18号3栋1502")  # no unit: the last number is the unit or the room
    [('18', '', '3', '1502', ''), ('18', '', '3', '', '1502')]
    """
    sequence: list[tuple[int | None, str]] = []
    fixed: dict[int, str] = {}
    for token in _TOKEN.finditer(parts):
        annex, floor, marked, mark, bare = token.groups()
        if floor is not None:
            continue  # a floor without a room names no single address
        if annex is not None:
            slot: int | None = ANNEX
            value = annex
        elif marked is not None:
            slot = _MARKS[mark]
            value = marked
        else:
            slot = None
            value = bare
        if slot is not None and slot not in fixed:
            fixed[slot] = value
            sequence.append((slot, value))
        else:
            sequence.append((None, value))
    results = []
    for placed in _place_bare_numbers(sequence, fixed):
        key = ["", "", "", "", ""]
        for slot, value in {**fixed, **placed}.items():
            key[slot] = value
        results.append((key[0], key[1], key[2], key[3], key[4]))
        if len(results) >= _MAX_READINGS:
            break
    return results


def _place_bare_numbers(
    sequence: list[tuple[int | None, str]],
    fixed: dict[int, str],
) -> Iterator[dict[int, str]]:
    """Each order-keeping assignment of the bare numbers to the free parts around them."""
    bare: list[tuple[str, list[int]]] = []
    for position, (slot, value) in enumerate(sequence):
        if slot is not None:
            continue
        before = [s for s, _ in sequence[:position] if s is not None]
        after = [s for s, _ in sequence[position + 1 :] if s is not None]
        lowest = max(before) + 1 if before else 0
        highest = min(after) - 1 if after else ROOM
        free = [s for s in range(lowest, highest + 1) if s != ANNEX and s not in fixed]
        bare.append((value, free))

    def place(index: int, above: int, chosen: dict[int, str]) -> Iterator[dict[int, str]]:
        if index == len(bare):
            yield dict(chosen)
            return
        value, free = bare[index]
        for slot in free:
            if slot > above:
                chosen[slot] = value
                yield from place(index + 1, slot, chosen)
                del chosen[slot]

    yield from place(0, -1, {})


# --- the index ------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A standard address offered for a free-text address, best first."""

    address_id: int
    full_text: str
    score: float  # 0–100
    confident: bool  # only ever true for the first candidate


@dataclass(frozen=True)
class _Road:
    name: str
    score: float
    written: bool  # the text names this road exactly


class AddressIndex:
    """The station's standard addresses, ready for matching free text against.

    >>> index = AddressIndex([
    ...     (1, "南岸区南坪街道南坪西路18号3栋2单元1502"),
    ...     (2, "南岸区南坪街道南坪西路18号3栋1单元1502"),
    ...     (3, "南岸区南坪街道南坪东路22号附1号"),
    ... ])
    >>> index.best("南平西路十八号三幢二单元1502室").address_id
    1
    >>> index.best("南坪西路18号3栋1502") is None   # which unit? the commander decides
    True
    >>> [candidate.address_id for candidate in index.match("南坪西路18号3栋1502")]
    [1, 2]

    Build it once and share it: it is read-only after construction. Lookups:

    - `_exact`: (road, parts) → addresses, for a text that gives every part;
    - `_by_number_and_room`, `_by_number_and_building`, `_by_number`: the smallest of
      these groups that the given parts allow is filtered when some parts are missing;
    - `_on_road`: road → addresses, filtered when even the number is missing, and the
      choices of the fuzzy fallback;
    - `_exact_without_road`: parts → addresses, when no road can be made out.
    """

    def __init__(
        self,
        addresses: Iterable[tuple[int, str]],
        *,
        prefixes: Sequence[str] = DEFAULT_PREFIXES,
        confident_score: float = CONFIDENT_SCORE,
        confident_margin: float = CONFIDENT_MARGIN,
    ) -> None:
        self.confident_score = confident_score
        self.confident_margin = confident_margin
        self._ids: list[int] = []
        self._texts: list[str] = []
        self._keys: list[_Key] = []
        self._roads_of: list[str] = []
        self._parts_text: list[str] = []
        units: set[str] = set()
        for address_id, full_text in addresses:
            head, parts = split_road(normalise(full_text, prefixes))
            area, road = _cached_split_area(head)
            units.update(area)
            found = _cached_readings(parts)
            self._ids.append(address_id)
            self._texts.append(full_text)
            self._keys.append(found[0] if found else _NO_PARTS)
            self._roads_of.append(road)
            self._parts_text.append(parts)
        self.prefixes: tuple[str, ...] = tuple(sorted(set(prefixes) | units, key=len, reverse=True))
        self.roads: frozenset[str] = frozenset(self._roads_of)
        self._road_lengths = sorted({len(road) for road in self.roads}, reverse=True)
        self._road_names = sorted(self.roads)

        self._exact: dict[tuple[str, _Key], list[int]] = {}
        self._exact_without_road: dict[_Key, list[int]] = {}
        self._by_number: dict[tuple[str, str], list[int]] = {}
        self._by_number_and_room: dict[tuple[str, str, str], list[int]] = {}
        self._by_number_and_building: dict[tuple[str, str, str], list[int]] = {}
        self._on_road: dict[str, list[int]] = {}
        self._values: list[set[str]] = [set() for _ in range(_PARTS)]
        for position, (road, key) in enumerate(zip(self._roads_of, self._keys, strict=True)):
            self._exact.setdefault((road, key), []).append(position)
            self._exact_without_road.setdefault(key, []).append(position)
            self._by_number.setdefault((road, key[NUMBER]), []).append(position)
            self._by_number_and_room.setdefault((road, key[NUMBER], key[ROOM]), []).append(position)
            self._by_number_and_building.setdefault((road, key[NUMBER], key[BUILDING]), []).append(position)
            self._on_road.setdefault(road, []).append(position)
            for slot in range(_PARTS):
                self._values[slot].add(key[slot])
        # Which sets of given parts leave no part that some address has: for those an exact
        # lookup finds every agreeing address.
        masks = {_mask(key) for key in set(self._keys)}
        self._complete_masks = frozenset(
            mask for mask in masks
            if not any(other != mask and all(o or not m for m, o in zip(mask, other, strict=True)) for other in masks)
        )

    def __len__(self) -> int:
        return len(self._ids)

    def best(self, text: str) -> Candidate | None:
        """The standard address `text` names, or None when no match is confident."""
        candidates = self.match(text, limit=1)
        if candidates and candidates[0].confident:
            return candidates[0]
        return None

    def match(self, text: str, limit: int = 5) -> list[Candidate]:
        """Up to `limit` standard addresses for `text`, best first; the first is marked
        confident when it may be used without asking (see the module's docstring)."""
        head, parts = split_road(normalise(text, self.prefixes))
        keys = _cached_readings(parts)
        roads = self._roads_for(head)
        if roads:
            scores = self._score_on_roads(roads, keys, parts)
        else:
            scores = self._score_without_road(keys)
        top = heapq.nlargest(max(limit, 2), scores.items(), key=lambda item: (item[1], -self._ids[item[0]]))
        if not top:
            return []
        first_score = top[0][1]
        runner_up = top[1][1] if len(top) > 1 else 0.0
        confident = (
            first_score >= self.confident_score
            and first_score - runner_up >= self.confident_margin
            and self._road_is_clear(roads, self._roads_of[top[0][0]])
        )
        return [
            Candidate(
                address_id=self._ids[position], full_text=self._texts[position],
                score=round(score, 1), confident=confident and rank == 0,
            )
            for rank, (position, score) in enumerate(top[:limit])
        ]

    # -- roads

    def _roads_for(self, head: str) -> list[_Road]:
        """The roads `head` may name: the one written exactly, else the most alike.

        Whatever stands before the road must not name another place: "九龙坡区杨家坪正街"
        is not 南坪正街, so a district or sub-district that is not the station's makes
        every road only a suggestion.
        """
        written, before = self._written_road(head)
        if written is not None:
            _, foreign = self._strip_areas(before)
            if foreign:
                return [_Road(written, OTHER_PLACE_CAP, written=False)]
            return [_Road(written, 100.0, written=True)]
        rest, foreign = self._strip_areas(head)
        roads = self._alike_roads(rest, FUZZY_ROADS)
        if foreign:
            return [_Road(road.name, min(road.score, OTHER_PLACE_CAP), written=False) for road in roads]
        return roads

    def _written_road(self, head: str) -> tuple[str | None, str]:
        """A road of the station that `head` ends with or, failing that, the one road it
        contains (南坪西路后堡小区); and what stands before it."""
        for length in self._road_lengths:
            if len(head) >= length and head[-length:] in self.roads:
                return head[-length:], head[:-length]
        named = [road for road in self.roads if road in head]
        named = [road for road in named if not any(road != other and road in other for other in named)]
        if len(named) == 1:
            return named[0], head[: head.index(named[0])]
        return None, head

    def _strip_areas(self, text: str) -> tuple[str, bool]:
        """`text` without the administrative areas it starts with, and whether any of them
        is not the station's own (its own ones end in one of `prefixes`; a community or a
        residential compound names no other place)."""
        foreign = False
        while (found := _AREA.match(text)) is not None and len(text) - found.end() >= 2:
            area = found.group()
            if not area.endswith(_NOT_AREAS) and not area.endswith(self.prefixes):
                foreign = True
            text = text[found.end():]
        return text, foreign

    def _alike_roads(self, head: str, limit: int, *, leave_out: str = "") -> list[_Road]:
        """The roads most like `head` as a whole: a wrong, missing or extra character costs
        a little (南平西路, 南坪西, 在南坪西路), a longer name costs more (杨家坪正街 is
        not much like 南坪正街), and a different road word is another road (南坪西街)."""
        if len(head) < 2:
            return []
        kind = head[-1] if head[-1] in ROAD_KINDS else ""
        ranked: list[tuple[str, float]] = []
        for name, score, _ in process.extract(
            head, self._road_names, scorer=fuzz.ratio, score_cutoff=ROAD_CUTOFF, limit=None,
        ):
            if name == leave_out:
                continue
            if kind and name[-1] != kind:
                score = min(score, OTHER_KIND_CAP)
            ranked.append((name, score))
        ranked.sort(key=lambda item: (-item[1], item[0]))
        if len(ranked) > limit:
            # Roads as alike as the last one kept are kept too: which of 南坪东路, 南坪西路,
            # 南坪北路 "南坪希路" means is not decided by the alphabet.
            last = ranked[limit - 1][1]
            ranked = [item for item in ranked if item[1] >= last]
        return [_Road(name, score, written=False) for name, score in ranked]

    def _road_is_clear(self, roads: list[_Road], road: str) -> bool:
        """The candidate's road is the written one, or clearly the closest to what was written."""
        if not roads or roads[0].name != road:
            return False
        if roads[0].written:
            return True
        return len(roads) == 1 or roads[0].score - roads[1].score >= ROAD_MARGIN

    # -- numbered parts

    def _score_on_roads(self, roads: list[_Road], keys: Sequence[_Key], parts: str) -> dict[int, float]:
        scores = self._agreeing(roads, keys)
        if scores:
            return scores
        if roads[0].written:
            # Nothing fits on the road the caller named: show what fits on alike roads, but
            # as suggestions only (another road than the one said is never confident).
            others = self._alike_roads(roads[0].name, FUZZY_ROADS - 1, leave_out=roads[0].name)
            capped = [_Road(road.name, min(road.score, WRITTEN_ROAD_ELSEWHERE_CAP), False) for road in others]
            roads.extend(capped)
            scores = self._agreeing(capped, keys)
            if scores:
                return scores
        return self._alike_parts(roads[:2], parts)

    def _agreeing(self, roads: list[_Road], keys: Sequence[_Key]) -> dict[int, float]:
        """Addresses on `roads` whose parts agree with every part of some reading."""
        scores: dict[int, float] = {}
        for road in roads:
            for key in keys:
                for position, missing in self._agreeing_on(road.name, key):
                    score = (road.score + 100.0 - MISSING_PART_PENALTY * missing) / 2
                    if score > scores.get(position, -1.0):
                        scores[position] = score
        return scores

    def _agreeing_on(self, road: str, key: _Key) -> Iterator[tuple[int, int]]:
        """(address, parts it has that `key` leaves out) for each agreeing address on `road`."""
        exact = self._exact.get((road, key), [])
        if _mask(key) in self._complete_masks:
            for position in exact:
                yield position, 0
            return
        given = [slot for slot in range(_PARTS) if key[slot]]
        if any(key[slot] not in self._values[slot] for slot in given):
            return  # a part no address has, e.g. unit 1502: nothing can agree
        if key[NUMBER] and key[ROOM]:
            group = self._by_number_and_room.get((road, key[NUMBER], key[ROOM]), [])
        elif key[NUMBER] and key[BUILDING]:
            group = self._by_number_and_building.get((road, key[NUMBER], key[BUILDING]), [])
        elif key[NUMBER]:
            group = self._by_number.get((road, key[NUMBER]), [])
        else:
            group = self._on_road.get(road, [])
        for position in group:
            candidate = self._keys[position]
            if all(candidate[slot] == key[slot] for slot in given):
                yield position, sum(1 for slot in range(_PARTS) if candidate[slot] and not key[slot])

    def _alike_parts(self, roads: list[_Road], parts: str) -> dict[int, float]:
        """Fallback: addresses on `roads` whose numbered parts look like `parts`."""
        scores: dict[int, float] = {}
        if not parts:
            return scores
        for road in roads:
            positions = self._on_road.get(road.name, [])
            choices = [self._parts_text[position] for position in positions]
            for _, similarity, index in process.extract(parts, choices, scorer=fuzz.ratio, limit=10):
                score = (road.score + similarity * FUZZY_PARTS_CAP / 100.0) / 2
                position = positions[index]
                if score > scores.get(position, -1.0):
                    scores[position] = score
        return scores

    def _score_without_road(self, keys: Sequence[_Key]) -> dict[int, float]:
        """No road given or none alike: addresses whose parts are exactly the ones given.
        The road counts 0, so these are never confident."""
        scores: dict[int, float] = {}
        for key in keys:
            for position in self._exact_without_road.get(key, []):
                scores[position] = 50.0
        return scores


_NO_PARTS: _Key = ("", "", "", "", "")


@functools.lru_cache(maxsize=4_096)
def _cached_split_area(head: str) -> tuple[tuple[str, ...], str]:
    units, road = split_area(head)
    return tuple(units), road


@functools.lru_cache(maxsize=65_536)
def _cached_readings(parts: str) -> tuple[_Key, ...]:
    """`readings`, remembered: the same numbered parts recur on every road."""
    return tuple(readings(parts))


def _mask(key: _Key) -> _Mask:
    return (bool(key[0]), bool(key[1]), bool(key[2]), bool(key[3]), bool(key[4]))
