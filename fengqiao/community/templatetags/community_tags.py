"""`{% load community_tags %}`: the dispute ledger's corner on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from fengqiao.community import selectors

register = template.Library()


@register.inclusion_tag("community/_incident_disputes.html", takes_context=True)
def incident_disputes(context: dict[str, Any], incident: Any) -> dict[str, Any]:
    """The incident's disputes, and the one-step button (or a link to the dispute already open)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.has_perm("community.view_dispute") and not user.has_perm("community.add_dispute"):
        return {"show": False}
    disputes = selectors.disputes_of_incident(user, incident) if user.has_perm("community.view_dispute") else []
    open_one = next((dispute for dispute in disputes if dispute.is_open), None)
    return {
        "show": True, "incident": incident, "disputes": disputes, "open_one": open_one,
        "may_open": user.has_perm("community.add_dispute"), "csrf_token": context.get("csrf_token"),
    }


@register.filter
def category_name(category: Any) -> str:
    """An incident category's name in the interface's language."""
    from django.utils.translation import get_language

    if category is None:
        return ""
    return str(category.label_en if get_language() == "en" else category.label_zh)
