"""The campaigns region of the officer's phone home page (/m/): my open lists, one line each."""

from __future__ import annotations

from typing import Any

from django import template

from fengqiao.organisation.models import Officer

register = template.Library()


@register.inclusion_tag("campaigns/phone/_summary_region.html", takes_context=True)
def phone_campaigns_region(context: template.Context) -> dict[str, Any]:
    """The region (refreshed live on "campaign" events), or nothing for a user with no campaign work."""
    from fengqiao.campaigns.phone_views import VIEW_ITEMS, summary_context

    request = context.get("request")
    phone = context.get("phone")
    officer = getattr(phone, "officer", None)
    user = getattr(request, "user", None)
    if officer is None or user is None or officer.rank == Officer.Rank.AUXILIARY or not user.has_perm(VIEW_ITEMS):
        return {"show": False}
    return {"show": True, **summary_context(officer)}
