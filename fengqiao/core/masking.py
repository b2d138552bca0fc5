"""Masking of personal identifiers for display (pure, no Django).

Identity-card numbers show their first 6 and last 4 characters, phone numbers their
first 3 and last 4; everything between is replaced by asterisks. Short or empty values
are masked whole, so a mistyped number never leaks by being too short to mask.
"""

from __future__ import annotations


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
