"""Residents who are probably one person entered twice (pure: no Django).

"Enter once, use everywhere" fails quietly when the same person is typed in twice: once
from the household register, once by an officer at the door with a mistyped name. This
module finds the likely pairs among light records (`Person`) and says why, as codes the
pages put into words:

- ``same_id_number``: the same identity number (possible only when a record was merged
  badly or the numbers were loaded across a gap in the data);
- ``same_name_same_address``: the same name at the same standard address;
- ``similar_name_same_birth_date``: a similar name and the same birth date;
- ``same_phone_similar_name``: the same phone number and a similar name;
- ``similar_name_similar_address``: a similar name and a similar written address.

It never compares all pairs. Each person is put in a few *blocks* (same identity number,
same address, same birth date, same phone, same surname and house numbers) and only
people sharing a block are compared. A block larger than `MAX_BLOCK` (a dormitory's
shared phone, a common birth date in messy data) is compared by *sorted neighbourhood*:
sorted by name, each person against the next `WINDOW` only. So the work grows with the
number of people, not with its square.

"Similar" is measured with rapidfuzz on normalised text. For Chinese names one character
in three (王秀英 / 王秀瑛) is similar; one in two (王伟 / 王玮) is not, because a
two-character name with one character changed is as often another person as a typo.
Evidence against a pair (two different identity numbers, birth dates or sexes) lowers
its score and is reported as a doubt.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

SAME_ID_NUMBER = "same_id_number"
SAME_NAME_SAME_ADDRESS = "same_name_same_address"
SIMILAR_NAME_SAME_BIRTH_DATE = "similar_name_same_birth_date"
SAME_PHONE_SIMILAR_NAME = "same_phone_similar_name"
SIMILAR_NAME_SIMILAR_ADDRESS = "similar_name_similar_address"
REASONS = (SAME_ID_NUMBER, SAME_NAME_SAME_ADDRESS, SIMILAR_NAME_SAME_BIRTH_DATE,
           SAME_PHONE_SIMILAR_NAME, SIMILAR_NAME_SIMILAR_ADDRESS)

DIFFERENT_ID_NUMBERS = "different_id_numbers"
DIFFERENT_BIRTH_DATES = "different_birth_dates"
DIFFERENT_SEX = "different_sex"
DOUBTS = (DIFFERENT_ID_NUMBERS, DIFFERENT_BIRTH_DATES, DIFFERENT_SEX)

# A name this similar (0–1, rapidfuzz's normalised Indel similarity) counts as "similar".
SIMILAR_NAME = 0.65
# A written address this similar, with the same house numbers, counts as "similar".
SIMILAR_ADDRESS = 0.8
# Pairs scoring below this are not worth an officer's look.
MIN_SCORE = 50
# Blocks larger than this are compared by sorted neighbourhood, each with the next WINDOW.
MAX_BLOCK = 150
WINDOW = 12
# Blocks up to this size are compared pair by pair; larger ones only where names can be similar.
SMALL_BLOCK = 6

# What each doubt takes off the score.
PENALTIES = {DIFFERENT_ID_NUMBERS: 40, DIFFERENT_BIRTH_DATES: 25, DIFFERENT_SEX: 25}
# Each reason beyond the strongest adds this much.
MORE_REASONS_BONUS = 8


@dataclass(frozen=True)
class Person:
    """A resident as this module sees them: no identity number, only its keyed hash."""

    id: int
    name: str
    id_hash: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    phone: str = ""
    address_id: int | None = None
    address_text: str = ""


@dataclass(frozen=True)
class Candidate:
    """A pair that is probably one person: `first` < `second`, a score of 0–100, and why."""

    first: int
    second: int
    score: int
    reasons: tuple[str, ...]
    doubts: tuple[str, ...] = ()

    def other(self, person_id: int) -> int:
        return self.second if person_id == self.first else self.first


# -- normalising ---------------------------------------------------------------------------------

_NAME_NOISE = re.compile(r"[\s·•・．.\-_'’]+")
_ADDRESS_NOISE = re.compile(r"[\s,，、]+")
_DIGITS = re.compile(r"\d+")
_NOT_DIGIT = re.compile(r"\D+")


def _nfkc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def normalise_name(name: str) -> str:
    """张 三 → 张三, 阿卜杜拉·艾力 → 阿卜杜拉艾力, Ｗａｎｇ → wang."""
    return _NAME_NOISE.sub("", _nfkc(name)).lower()


def normalise_address(text: str) -> str:
    return _ADDRESS_NOISE.sub("", _nfkc(text)).lower()


def house_numbers(address_text: str) -> tuple[str, ...]:
    """The numbers of a written address, in order: 南坪西路18号3栋2单元501 → ("18", "3", "2", "501")."""
    return _numbers_of(normalise_address(address_text))


def _numbers_of(normalised_address: str) -> tuple[str, ...]:
    return tuple(_DIGITS.findall(normalised_address))


def normalise_phone(phone: str) -> str:
    """Digits only, without a +86 prefix; empty when too short to be anyone's number."""
    digits = phone if phone.isdigit() and phone.isascii() else _NOT_DIGIT.sub("", _nfkc(phone))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


@dataclass(frozen=True, slots=True)
class _Prepared:
    person: Person
    name: str
    surname: str
    phone: str
    address: str
    numbers: tuple[str, ...]


def _prepare(person: Person) -> _Prepared:
    name = normalise_name(person.name)
    address = normalise_address(person.address_text) if person.address_text else ""
    return _Prepared(
        person=person, name=name, surname=name[:1], phone=normalise_phone(person.phone) if person.phone else "",
        address=address, numbers=_numbers_of(address) if address else (),
    )


# -- comparing one pair ----------------------------------------------------------------------------


def name_similarity(first: str, second: str) -> float:
    """0–1 similarity of two names after normalising (1.0: the same name)."""
    a, b = normalise_name(first), normalise_name(second)
    if not a or not b:
        return 0.0
    return _ratio(a, b)


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return float(fuzz.ratio(a, b)) / 100.0


def _address_similarity(a: _Prepared, b: _Prepared) -> float:
    """1.0 at the same standard address; else the written forms' similarity when both carry
    the same house numbers (南坪西路18号3栋2单元501 and 南平西路18号3-2-501), else 0."""
    if a.person.address_id is not None and a.person.address_id == b.person.address_id:
        return 1.0
    if not a.numbers or a.numbers != b.numbers or not a.address or not b.address:
        return 0.0
    return _ratio(a.address, b.address)


def _judge(a: _Prepared, b: _Prepared, min_score: int = MIN_SCORE) -> Candidate | None:
    first, second = (a, b) if a.person.id < b.person.id else (b, a)
    one, two = first.person, second.person
    same_id = bool(one.id_hash) and one.id_hash == two.id_hash
    names = _ratio(first.name, second.name) if first.name and second.name else 0.0
    same_name = names == 1.0
    similar_name = names >= SIMILAR_NAME
    if not same_id and not similar_name:
        return None
    same_address = one.address_id is not None and one.address_id == two.address_id
    places = _address_similarity(first, second)

    scores: dict[str, float] = {}
    if same_id:
        scores[SAME_ID_NUMBER] = 100
    if same_name and same_address:
        scores[SAME_NAME_SAME_ADDRESS] = 80
    if similar_name and one.birth_date is not None and one.birth_date == two.birth_date:
        scores[SIMILAR_NAME_SAME_BIRTH_DATE] = 45 + 30 * names
    if similar_name and first.phone and first.phone == second.phone:
        scores[SAME_PHONE_SIMILAR_NAME] = 55 + 25 * names
    if similar_name and places >= SIMILAR_ADDRESS and SAME_NAME_SAME_ADDRESS not in scores:
        scores[SIMILAR_NAME_SIMILAR_ADDRESS] = 30 + 20 * names + 20 * places
    if not scores:
        return None

    doubts: list[str] = []
    if not same_id:
        if one.id_hash and two.id_hash:
            doubts.append(DIFFERENT_ID_NUMBERS)
        if one.birth_date is not None and two.birth_date is not None and one.birth_date != two.birth_date:
            doubts.append(DIFFERENT_BIRTH_DATES)
        if one.sex and two.sex and one.sex != two.sex:
            doubts.append(DIFFERENT_SEX)
    score = max(scores.values()) + MORE_REASONS_BONUS * (len(scores) - 1)
    score -= sum(PENALTIES[doubt] for doubt in doubts)
    final = max(0, min(100, round(score)))
    if final < min_score:
        return None
    reasons = tuple(reason for reason in REASONS if reason in scores)
    return Candidate(first=one.id, second=two.id, score=final, reasons=reasons, doubts=tuple(doubts))


def match(first: Person, second: Person, *, min_score: int = MIN_SCORE) -> Candidate | None:
    """The two as a candidate pair, or None when nothing suggests they are one person."""
    if first.id == second.id:
        return None
    return _judge(_prepare(first), _prepare(second), min_score)


# -- blocking --------------------------------------------------------------------------------------


def _blocks(people: Sequence[_Prepared]) -> Iterator[tuple[bool, list[_Prepared]]]:
    """Groups of people worth comparing with each other: the same identity number, address,
    birth date, phone, or surname and house numbers. Each comes with whether its pairs need
    similar names (all but the identity-number block)."""
    # Most keys belong to one person only: a list is made only from the second one on, so
    # that 100,000 people do not make half a million one-item lists to collect.
    first: list[dict[Hashable, _Prepared]] = [{} for _kind in range(5)]
    shared: list[dict[Hashable, list[_Prepared]]] = [{} for _kind in range(5)]
    for person in people:
        raw = person.person
        keys = (
            raw.id_hash or None, raw.address_id, raw.birth_date, person.phone or None,
            (person.surname, person.numbers) if person.numbers and person.surname else None,
        )
        for kind, key in enumerate(keys):
            if key is None:
                continue
            earlier = first[kind].setdefault(key, person)
            if earlier is person:
                continue
            group = shared[kind].get(key)
            if group is None:
                shared[kind][key] = [earlier, person]
            else:
                group.append(person)
    for kind, blocks in enumerate(shared):
        for block in blocks.values():
            yield kind != 0, block


def _name_keys(name: str) -> set[str]:
    """Every ordered pair of the name's characters: 王秀英 → 王秀, 王英, 秀英.

    Two names of two or more characters that are similar (rapidfuzz ratio ≥ 0.65, that is
    twice their longest common subsequence ≥ 0.65 of their lengths together) have at
    least two characters in common in the same order, so they share one of these keys.
    """
    return {name[i] + name[j] for i in range(len(name)) for j in range(i + 1, len(name))}


def _pairs(block: list[_Prepared], *, by_name: bool) -> Iterator[tuple[_Prepared, _Prepared]]:
    if len(block) <= SMALL_BLOCK or (not by_name and len(block) <= MAX_BLOCK):
        for index, first in enumerate(block):
            for second in block[index + 1:]:
                yield first, second
    elif len(block) <= MAX_BLOCK:
        yield from _pairs_by_name(block)
    else:
        ordered = sorted(block, key=lambda person: (person.name, person.person.id))
        for index, first in enumerate(ordered):
            for second in ordered[index + 1:index + 1 + WINDOW]:
                yield first, second


def _pairs_by_name(block: list[_Prepared]) -> Iterator[tuple[_Prepared, _Prepared]]:
    """The pairs of a household-sized block whose names can be similar at all: those sharing
    two characters in order (one-character names, a data error, meet everyone)."""
    buckets: dict[str, list[int]] = {}
    short: list[int] = []
    for index, person in enumerate(block):
        if len(person.name) < 2:
            short.append(index)
            continue
        for key in _name_keys(person.name):
            buckets.setdefault(key, []).append(index)
    seen: set[tuple[int, int]] = set()
    for members in buckets.values():
        for position, first in enumerate(members):
            for second in members[position + 1:]:
                seen.add((first, second))
    for first in short:
        for second in range(len(block)):
            if second != first:
                seen.add((min(first, second), max(first, second)))
    for first, second in seen:
        yield block[first], block[second]


def _worth_judging(a: _Prepared, b: _Prepared) -> bool:
    """A cheap first look: every reason needs the same identity number or a similar name."""
    if a.person.id_hash and a.person.id_hash == b.person.id_hash:
        return True
    if not a.name or not b.name:
        return False
    return a.name == b.name or fuzz.ratio(a.name, b.name, score_cutoff=_SIMILAR_NAME_PERCENT) > 0


_SIMILAR_NAME_PERCENT = SIMILAR_NAME * 100


def find_duplicates(people: Iterable[Person], *, min_score: int = MIN_SCORE) -> list[Candidate]:
    """Every likely pair among `people`, best first (score, then ids)."""
    prepared = [_prepare(person) for person in people]
    seen: set[tuple[int, int]] = set()
    found: list[Candidate] = []
    for by_name, block in _blocks(prepared):
        for a, b in _pairs(block, by_name=by_name):
            if a.person.id == b.person.id or not _worth_judging(a, b):
                continue
            ids = (a.person.id, b.person.id) if a.person.id < b.person.id else (b.person.id, a.person.id)
            if ids in seen:
                continue
            seen.add(ids)
            candidate = _judge(a, b, min_score)
            if candidate is not None:
                found.append(candidate)
    found.sort(key=lambda candidate: (-candidate.score, candidate.first, candidate.second))
    return found


def duplicates_of(person: Person, others: Iterable[Person], *, min_score: int = MIN_SCORE) -> list[Candidate]:
    """The likely duplicates of one person among `others` (already narrowed by the caller)."""
    mine = _prepare(person)
    found: list[Candidate] = []
    for other in others:
        if other.id == person.id:
            continue
        candidate = _judge(mine, _prepare(other), min_score)
        if candidate is not None:
            found.append(candidate)
    found.sort(key=lambda candidate: (-candidate.score, candidate.first, candidate.second))
    return found
