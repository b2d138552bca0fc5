"""Finding likely duplicate residents (pure: no database)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest

from fengqiao.records import dedupe
from fengqiao.records.dedupe import Person

BORN = dt.date(1950, 3, 12)
FLAT = "南岸区南坪街道南坪西路18号3栋2单元501"


def reasons(first: Person, second: Person) -> tuple[str, ...]:
    found = dedupe.match(first, second)
    return found.reasons if found else ()


def test_the_same_identity_number_is_always_a_pair() -> None:
    found = dedupe.match(Person(1, "王秀英", id_hash="abc"), Person(2, "李四", id_hash="abc"))

    assert found is not None and found.score == 100 and found.reasons == (dedupe.SAME_ID_NUMBER,)


def test_the_same_name_at_the_same_address() -> None:
    found = dedupe.match(Person(1, "王秀英", address_id=7), Person(2, "王 秀英", address_id=7))

    assert found is not None and dedupe.SAME_NAME_SAME_ADDRESS in found.reasons and found.score >= 80


def test_a_similar_name_and_the_same_birth_date() -> None:
    assert reasons(Person(1, "王秀英", birth_date=BORN), Person(2, "王秀瑛", birth_date=BORN)) == (
        dedupe.SIMILAR_NAME_SAME_BIRTH_DATE,)


def test_the_same_phone_and_a_similar_name() -> None:
    assert reasons(Person(1, "王秀英", phone="13812345678"), Person(2, "王秀瑛", phone="+86 138 1234 5678")) == (
        dedupe.SAME_PHONE_SIMILAR_NAME,)


def test_a_similar_name_and_a_similar_written_address() -> None:
    found = dedupe.match(Person(1, "王秀英", address_text=FLAT), Person(2, "王秀瑛", address_text="南岸区南坪街道南平西路18号3-2-501"))

    assert found is not None and found.reasons == (dedupe.SIMILAR_NAME_SIMILAR_ADDRESS,)


def test_neighbours_in_another_flat_are_not_a_similar_address() -> None:
    assert dedupe.match(Person(1, "王秀英", address_text=FLAT), Person(2, "王秀瑛", address_text=FLAT[:-3] + "502")) is None


def test_two_character_names_one_character_apart_are_not_similar() -> None:
    # 王伟 and 王玮 at one phone are as likely two brothers as one man typed twice.
    assert dedupe.match(Person(1, "王伟", phone="13812345678"), Person(2, "王玮", phone="13812345678")) is None
    assert dedupe.name_similarity("王伟", "王玮") < dedupe.SIMILAR_NAME <= dedupe.name_similarity("王秀英", "王秀瑛")


def test_family_sharing_a_phone_is_not_a_pair() -> None:
    assert dedupe.match(Person(1, "王建国", phone="13812345678", address_id=7),
                        Person(2, "李秀兰", phone="13812345678", address_id=7)) is None


def test_several_reasons_score_higher_than_one() -> None:
    one = dedupe.match(Person(1, "王秀英", birth_date=BORN), Person(2, "王秀瑛", birth_date=BORN))
    three = dedupe.match(Person(1, "王秀英", birth_date=BORN, phone="13812345678", address_text=FLAT),
                         Person(2, "王秀瑛", birth_date=BORN, phone="13812345678", address_text=FLAT))
    assert one is not None and three is not None and three.score > one.score and len(three.reasons) == 3


def test_twins_with_their_own_identity_numbers_are_not_a_pair() -> None:
    first = Person(1, "王秀英", id_hash="a", birth_date=BORN, address_id=7, sex="F")
    second = Person(2, "王秀瑛", id_hash="b", birth_date=BORN, address_id=7, sex="F")

    assert dedupe.match(first, second) is None
    doubted = dedupe.match(first, second, min_score=0)
    assert doubted is not None and dedupe.DIFFERENT_ID_NUMBERS in doubted.doubts


def test_a_different_sex_and_birth_date_count_against_a_pair() -> None:
    found = dedupe.match(Person(1, "王伟", address_id=7, sex="M", birth_date=BORN),
                         Person(2, "王伟", address_id=7, sex="F", birth_date=dt.date(1980, 1, 1)), min_score=0)

    assert found is not None and set(found.doubts) == {dedupe.DIFFERENT_SEX, dedupe.DIFFERENT_BIRTH_DATES}
    assert found.score < dedupe.MIN_SCORE


def test_a_person_is_never_their_own_duplicate() -> None:
    assert dedupe.match(Person(1, "王秀英", id_hash="a"), Person(1, "王秀英", id_hash="a")) is None


def test_find_duplicates_lists_each_pair_once_best_first() -> None:
    people = [
        Person(1, "王秀英", id_hash="x", birth_date=BORN, address_id=7, phone="13812345678"),
        Person(2, "王秀瑛", birth_date=BORN, address_id=7, phone="13812345678"),
        Person(3, "李四", address_id=8),
        Person(4, "李四", address_id=8),
        Person(5, "张三", address_id=9),
    ]

    found = dedupe.find_duplicates(people)

    assert [(c.first, c.second) for c in found] == [(1, 2), (3, 4)]
    assert found[0].score >= found[1].score


def test_duplicates_of_one_person() -> None:
    me = Person(1, "王秀英", birth_date=BORN)
    found = dedupe.duplicates_of(me, [Person(2, "王秀瑛", birth_date=BORN), Person(3, "赵六", birth_date=BORN), me])

    assert [(c.first, c.second, c.other(1)) for c in found] == [(1, 2, 2)]


def test_a_huge_block_is_compared_by_neighbourhood_not_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    judged = []
    real = dedupe._judge

    def counting(a: object, b: object, min_score: int = dedupe.MIN_SCORE) -> object:
        judged.append(1)
        return real(a, b, min_score)  # type: ignore[arg-type]

    monkeypatch.setattr(dedupe, "_judge", counting)
    # A dormitory of 2,000 workers sharing one phone, all named alike.
    people = [Person(i, f"李{i:04d}", phone="02362888888") for i in range(2000)]

    dedupe.find_duplicates(people)

    assert len(judged) <= 2000 * dedupe.WINDOW


def test_a_large_household_is_compared_by_name_without_missing_a_similar_pair() -> None:
    rng = random.Random(1)
    letters = "王李张秀英瑛华明伟芳"
    block = [dedupe._prepare(Person(i, "".join(rng.choice(letters) for _ in range(rng.choice((1, 2, 3, 3, 4)))), address_id=1))
             for i in range(120)]

    everything = {(a.person.id, b.person.id) for a, b in itertools.combinations(block, 2) if dedupe._worth_judging(a, b)}
    by_name = {tuple(sorted((a.person.id, b.person.id))) for a, b in dedupe._pairs_by_name(block)}

    assert everything and everything <= by_name
    assert len(by_name) < 120 * 119 / 2


def _population(size: int, seed: int = 5) -> list[Person]:
    rng = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建华国"
    people = []
    for index in range(size):
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))
        people.append(Person(
            id=index + 1, name=name, id_hash=f"h{index}" if rng.random() < 0.8 else "",
            birth_date=dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(33_000)), sex=rng.choice("MF"),
            phone=f"13{rng.randrange(10**9):09d}" if rng.random() < 0.7 else "",
            address_id=rng.randrange(size // 2),
            address_text=f"南岸区南坪街道南坪西路{rng.randrange(1, 300)}号{rng.randrange(1, 12)}栋{rng.randrange(1, 5)}单元{rng.randrange(1, 30)}0{rng.randrange(1, 5)}",
        ))
    return people


def test_planted_duplicates_are_found_among_many() -> None:
    people = _population(20_000)
    planted = []
    for index in range(0, 2000, 20):
        source = people[index]
        copy = Person(id=100_000 + index, name=source.name, birth_date=source.birth_date, sex=source.sex,
                      address_id=source.address_id, address_text=source.address_text)
        people.append(copy)
        planted.append((source.id, copy.id))

    found = {(c.first, c.second) for c in dedupe.find_duplicates(people)}

    assert set(planted) <= found


def test_it_scales_with_the_number_of_people_not_its_square(monkeypatch: pytest.MonkeyPatch) -> None:
    people = _population(20_000)
    compared = 0
    worth_judging = dedupe._worth_judging

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal compared
        compared += 1
        return worth_judging(*args, **kwargs)

    monkeypatch.setattr(dedupe, "_worth_judging", counting)
    dedupe.find_duplicates(people)
    # All pairs would be 200 million comparisons; blocking compares about one pair per person
    # (the time it takes is the benchmark's to measure, not a test's).
    assert 0 < compared < 20 * len(people)
