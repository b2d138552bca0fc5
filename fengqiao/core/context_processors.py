"""Template context shared by every page: the navigation, showing only areas that exist."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.organisation.selectors import station_ids_for

# The station's areas in the order the command room thinks of them. An area appears in
# the navigation once its URL exists and the user holds its permission.
NAVIGATION: list[tuple[str, Any, str | None]] = [
    ("core:home", _("Station"), "station"),
    ("intake:new_call", _("Intake"), "station"),
    ("dispatch:board", _("Command"), "dispatch.view_dispatch"),
    ("phone:home", _("My orders"), "officer"),
    ("incidents:list", _("Incidents"), "station"),
    ("cases:list", _("Cases"), "cases.view_case"),
    ("transfers:list", _("Transfers"), "transfers.view_transfer"),
    ("support:list", _("Support"), "support.view_supportrequest"),
    ("records:home", _("Basic records"), "records.view_resident"),
    ("community:home", _("Community"), "community.view_visit"),
    ("campaigns:list", _("Verification"), "campaigns.view_campaign"),
    ("analysis:home", _("Analysis"), "analysis.view_analysis"),
    ("analysis:briefing", _("Morning briefing"), "analysis.view_report"),
    ("analysis:inbox", _("Inbox"), "analysis.view_inboxmessage"),
    ("roster:home", _("Duty roster"), None),
    ("assessment:home", _("Assessment"), None),
    ("audit:search", _("Audit log"), "audit.view_auditentry"),
    # Outside the station: a partner department's and a specialised unit's own lists.
    ("portal:home", _("Transfers received"), "department"),
    ("unit:home", _("Requests to my unit"), "unit"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for url_name, label, permission in NAVIGATION:
        if permission == "officer":
            # The phone page: for officers out on the street, not the command room.
            officer = getattr(user, "officer", None)
            if officer is None or officer.team.kind in ("command", "leadership"):
                continue
        elif permission in ("department", "unit"):
            # Only people without a station belong to a department or a unit (no query for the rest).
            membership = "department_membership" if permission == "department" else "unit_membership"
            if station_ids_for(user) or not hasattr(user, membership):
                continue
        elif permission == "station":
            # Station pages: for the people of a station or a bureau, not a department or a unit.
            if not station_ids_for(user):
                continue
        elif permission and not user.has_perm(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path == url or (url != "/" and request.path.startswith(url))})
    return {"navigation": items}
