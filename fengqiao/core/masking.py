"""Masking of personal identifiers for display (pure, no Django).

Identity-card numbers show their first 6 and last 4 characters, phone numbers their
first 3 and last 4; everything between is replaced by asterisks. Short or empty values
are masked whole, so a mistyped number never leaks by being too short to mask.
"""

from __future__ import annotations

import re


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    text = "".join(value.split())
    if not text:
        return ""
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + "*" * hidden + text[len(text) - keep_end :]


def mask_phone(value: str | None) -> str:
    """138****5678 for a mobile number; landlines keep their first 3 and last 4."""
    return _mask(value or "", 3, 4)


def mask_id_number(value: str | None) -> str:
    """500108********1234 for an 18-character identity-card number."""
    return _mask(value or "", 6, 4)


def mask_name(value: str | None) -> str:
    """张** for 张三丰: the family name stays, the given name is hidden."""
    text = (value or "").strip()
    if len(text) <= 1:
        return text
    return text[0] + "*" * (len(text) - 1)


_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9.])1[3-9]\d{9}(?![0-9])")


def mask_identifiers_in(text: str | None) -> str:
    """Free text (a caller's words, an audit diff) with any identity or mobile number in it masked."""
    if not text:
        return ""
    text = _ID_IN_TEXT.sub(lambda match: mask_id_number(match.group()), text)
    return _MOBILE_IN_TEXT.sub(lambda match: mask_phone(match.group()), text)
