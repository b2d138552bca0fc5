"""Identity-card numbers of the People's Republic (GB 11643-1999), pure and Django-free.

An 18-character number is a 6-digit region code, an 8-digit birth date, a 3-digit
sequence whose last digit is odd for men and even for women, and a check character
computed with ISO 7064 MOD 11-2 (``X`` stands for 10).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")

# Codes of the failures, worded for people by the records app.
LENGTH = "length"
CHARACTERS = "characters"
REGION = "region"
BIRTH_DATE = "birth_date"
CHECK_DIGIT = "check_digit"


class InvalidIdNumber(ValueError):
    """The number is not a valid identity-card number; `code` says why."""

    def __init__(self, code: str, number: str) -> None:
        super().__init__(f"{code}: {number!r}")
        self.code = code
        self.number = number


@dataclass(frozen=True)
class IdNumber:
    number: str
    region: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def normalise(raw: str) -> str:
    """Spaces and dashes removed, a lower-case x raised, full-width digits made ASCII."""
    text = "".join(raw.split()).replace("-", "")
    text = text.translate({0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF58: ord("X"), 0xFF38: ord("X")})
    return text.upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """The number's parts, or InvalidIdNumber naming the first thing wrong with it."""
    number = normalise(raw)
    if len(number) != 18:
        raise InvalidIdNumber(LENGTH, number)
    if not _SHAPE.match(number):
        raise InvalidIdNumber(CHARACTERS, number)
    if number[0] == "0" or number[:2] in {"00", "10", "20", "30"}:
        raise InvalidIdNumber(REGION, number)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(BIRTH_DATE, number) from None
    if birth.year < 1880 or birth > (today or dt.date.today()):
        raise InvalidIdNumber(BIRTH_DATE, number)
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(CHECK_DIGIT, number)
    sex = "M" if int(number[16]) % 2 else "F"
    return IdNumber(number=number, region=number[:6], birth_date=birth, sex=sex)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidIdNumber:
        return False
    return True


def make(region: str, birth_date: dt.date, sequence: int, sex: str) -> str:
    """A valid number (for demo data and tests): `sequence` 0–499 picks the serial."""
    serial = (sequence % 500) * 2 + (1 if sex == "M" else 0)
    first17 = f"{region}{birth_date:%Y%m%d}{serial:03d}"
    return first17 + check_character(first17)
