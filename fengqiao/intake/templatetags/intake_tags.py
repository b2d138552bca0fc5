"""Template filters of the intake pages."""

from __future__ import annotations

from django import template

from fengqiao.intake.wording import say_reason

register = template.Library()


@register.filter
def reason(text: str) -> str:
    """One triage reason in the interface's language."""
    return say_reason(text)
