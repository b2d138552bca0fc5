"""`{% load masking_tags %}`: personal identifiers as every page shows them, masked."""

from __future__ import annotations

from django import template

from fengqiao.core import masking

register = template.Library()


@register.filter
def masked_phone(value: str | None) -> str:
    """138****5678"""
    return masking.mask_phone(value)


@register.filter
def masked_id(value: str | None) -> str:
    """500108********1234"""
    return masking.mask_id_number(value)


@register.filter
def masked_text(value: object) -> str:
    """Free text with any identity or mobile number in it masked."""
    return masking.mask_identifiers_in(str(value) if value is not None else "")
