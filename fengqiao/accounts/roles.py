"""The roles of DESIGN.md §2 as permission groups, kept in step with this table on every migrate."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ROLE_TITLES = {
    "leader": _("Station leader"),
    "commander": _("Command-room operator"),
    "community_officer": _("Community officer"),
    "case_officer": _("Case officer"),
    "auxiliary": _("Auxiliary"),
    "desk": _("Desk officer / clerk"),
    "bureau": _("Sub-bureau staff"),
    "unit": _("Specialised unit member"),
    "department": _("Partner department"),
    "admin": _("Administrator"),
}

_VIEW_ORGANISATION = [
    "organisation.view_station",
    "organisation.view_beat",
    "organisation.view_team",
    "organisation.view_officer",
    "organisation.view_department",
]

# Reading incidents and the categories they are filed under.
_VIEW_INCIDENTS = [
    "intake.view_incident",
    "intake.view_incidentlog",
    "intake.view_category",
    "intake.view_categoryfamily",
]
# Taking calls and working incidents in the command room.
_INTAKE = _VIEW_INCIDENTS + [
    "intake.add_call",
    "intake.view_call",
    "intake.change_incident",
    "intake.add_incidentlog",
    "intake.reveal_caller_phone",
]

# Following orders on the board, and the follow-ups and breaches they lead to.
_VIEW_DISPATCH = [
    "dispatch.view_dispatch",
    "dispatch.view_feedback",
    "dispatch.view_followup",
    "dispatch.view_violation",
]
# Sending officers and acting on orders for them.
_DISPATCH = _VIEW_DISPATCH + [
    "dispatch.add_dispatch",
    "dispatch.change_dispatch",
    "dispatch.change_followup",
    "dispatch.view_supervision",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "leader": _VIEW_ORGANISATION + _INTAKE + _DISPATCH + [
        "dispatch.change_supervision",
        "dispatch.view_deadlinepolicy",
        "dispatch.change_deadlinepolicy",
        "dispatch.add_deadlinepolicy",
        "dispatch.view_dispatchsettings",
        "dispatch.change_dispatchsettings",
        "intake.add_category",
        "intake.change_category",
        "intake.change_categoryfamily",
        "intake.view_intakesettings",
        "intake.change_intakesettings",
        "organisation.change_officer",
        "organisation.change_beat",
        "organisation.change_team",
        "organisation.reveal_officer_phone",
        "audit.view_auditentry",
    ],
    "commander": _VIEW_ORGANISATION + _INTAKE + _DISPATCH + ["organisation.reveal_officer_phone"],
    "community_officer": _VIEW_ORGANISATION + _VIEW_INCIDENTS + _VIEW_DISPATCH + ["intake.add_incidentlog"],
    "case_officer": _VIEW_ORGANISATION + _VIEW_INCIDENTS + _VIEW_DISPATCH + ["intake.add_incidentlog"],
    "auxiliary": ["organisation.view_beat", "organisation.view_station"],
    "desk": _VIEW_ORGANISATION + _VIEW_INCIDENTS + [
        "organisation.change_officer", "organisation.add_officer", "intake.add_call", "intake.view_call",
    ],
    "bureau": _VIEW_ORGANISATION + _VIEW_INCIDENTS + _VIEW_DISPATCH,
    "unit": [],
    "department": [],
    "admin": [],  # administrators are superusers
}


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps
    from django.contrib.auth.models import Permission

    # Run once, after the last app has had its permissions created.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return

    # Permissions are created by contenttypes/auth post_migrate handlers; on a partial
    # migrate (tests of single apps) some may not exist yet.
    if Permission.objects.filter(codename__in=["reveal_officer_phone", "reveal_caller_phone"]).count() == 2:
        sync_roles()


def role_title(role: str) -> str:
    return str(ROLE_TITLES.get(role, role))
