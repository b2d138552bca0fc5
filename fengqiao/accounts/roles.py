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

# Basic records (一标三实), masked; the care registry is narrowed further by beat (records.selectors).
_VIEW_RECORDS = [
    "records.view_address",
    "records.view_house",
    "records.view_resident",
    "records.view_organisation",
    "records.view_caresubject",
    "community.view_visit",
    "community.view_dispute",
    "community.view_volunteerteam",
]
# Keeping the records and doing the community work of a beat.
_KEEP_RECORDS = _VIEW_RECORDS + [
    "records.add_house", "records.change_house",
    "records.add_resident", "records.change_resident",
    "records.add_organisation", "records.change_organisation",
    "records.add_caresubject", "records.change_caresubject",
    "community.add_visit",
    "community.add_dispute", "community.change_dispute", "community.add_mediationstep",
    "community.add_volunteerteam", "community.change_volunteerteam", "community.add_volunteeractivity",
]
_REVEAL_RECORDS = ["records.reveal_resident_identifiers"]

# The loops after dispatch: cases, transfers to departments, support requests.
_VIEW_LOOPS = [
    "cases.view_case", "cases.view_caselog",
    "transfers.view_transfer", "transfers.view_transferupdate",
    "support.view_supportrequest", "support.view_supportupdate", "support.view_unit",
]
# The command room opens and follows them: accepts cases, transfers, asks units for help.
_RUN_LOOPS = _VIEW_LOOPS + [
    "cases.add_case",
    "transfers.add_transfer", "transfers.change_transfer", "transfers.reveal_transfer_caller",
    "support.add_supportrequest", "support.change_supportrequest",
]

# Verification campaigns: the command room and the desk load lists, share them out and
# return them; community officers work the items that are theirs (the services check which).
_VIEW_CAMPAIGNS = ["campaigns.view_campaign", "campaigns.view_campaignitem"]
_RUN_CAMPAIGNS = _VIEW_CAMPAIGNS + [
    "campaigns.add_campaign", "campaigns.change_campaign", "campaigns.return_campaign",
]
_WORK_CAMPAIGNS = _VIEW_CAMPAIGNS + ["campaigns.change_campaignitem"]

# Analysis: statistics, hot spots, forecasts, repeats, the briefing and situation reports.
_VIEW_ANALYSIS = ["analysis.view_analysis", "analysis.view_report", "analysis.view_nearrepeatalert",
                  "analysis.view_inboxmessage"]
# The command room issues reports by hand too; leaders also set the station's analysis settings.
_RUN_ANALYSIS = _VIEW_ANALYSIS + ["analysis.add_report"]

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
    ] + _KEEP_RECORDS + _REVEAL_RECORDS + [
        "records.view_all_care_subjects", "records.merge_resident", "records.import_records",
        "records.view_residentmerge", "records.view_importbatch",
    ] + _RUN_LOOPS + [
        "cases.change_case", "cases.extend_case", "cases.assign_case",
        "cases.view_caselimit", "cases.change_caselimit", "cases.view_casesettings", "cases.change_casesettings",
        "transfers.view_routingrule", "transfers.add_routingrule", "transfers.change_routingrule",
        "transfers.view_transfersettings", "transfers.change_transfersettings",
    ] + _RUN_CAMPAIGNS + _RUN_ANALYSIS + ["analysis.view_analysissettings", "analysis.change_analysissettings"],
    "commander": _VIEW_ORGANISATION + _INTAKE + _DISPATCH + ["organisation.reveal_officer_phone"]
    + _VIEW_RECORDS + _REVEAL_RECORDS + ["community.add_dispute"] + _RUN_LOOPS + ["transfers.view_routingrule"]
    + _RUN_CAMPAIGNS + _RUN_ANALYSIS,
    "community_officer": _VIEW_ORGANISATION + _VIEW_INCIDENTS + _VIEW_DISPATCH + ["intake.add_incidentlog"]
    + _KEEP_RECORDS + _REVEAL_RECORDS + _VIEW_LOOPS + _WORK_CAMPAIGNS + _VIEW_ANALYSIS,
    # A case officer works the cases they lead or assist (the services check which).
    "case_officer": _VIEW_ORGANISATION + _VIEW_INCIDENTS + _VIEW_DISPATCH + ["intake.add_incidentlog"]
    + _VIEW_RECORDS + _REVEAL_RECORDS + _VIEW_LOOPS + [
        "cases.add_case", "cases.change_case", "support.add_supportrequest", "support.change_supportrequest",
    ] + _VIEW_ANALYSIS,
    # An auxiliary sees the records of their officer's beat, masked, and records visits.
    "auxiliary": ["organisation.view_beat", "organisation.view_station"] + _VIEW_RECORDS + ["community.add_visit"],
    "desk": _VIEW_ORGANISATION + _VIEW_INCIDENTS + [
        "organisation.change_officer", "organisation.add_officer", "intake.add_call", "intake.view_call",
    ] + _KEEP_RECORDS + _REVEAL_RECORDS + [
        "records.add_address", "records.change_address", "records.merge_resident", "records.import_records",
        "records.view_residentmerge", "records.view_importbatch",
    ] + _RUN_CAMPAIGNS + ["analysis.view_report", "analysis.view_inboxmessage"],
    "bureau": _VIEW_ORGANISATION + _VIEW_INCIDENTS + _VIEW_DISPATCH + _VIEW_RECORDS + _VIEW_LOOPS + _VIEW_CAMPAIGNS
    + _VIEW_ANALYSIS,
    # Outside the station: each sees only what was sent to its own unit or department
    # (support.selectors, transfers.selectors), never a station's other data.
    "unit": ["support.work_supportrequest"],
    "department": ["transfers.work_transfer"],
    "admin": [],  # administrators are superusers
}


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    wanted = {tuple(code.split(".")) for codes in ROLE_PERMISSIONS.values() for code in codes}
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.filter(codename__in={codename for _app, codename in wanted})
        .select_related("content_type")
    }
    missing = sorted(".".join(code) for code in wanted - found.keys())
    if missing:
        raise Permission.DoesNotExist(f"unknown permissions in ROLE_PERMISSIONS: {', '.join(missing)}")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([found[tuple(code.split("."))] for code in codes])


def roles_in_step() -> bool:
    """Whether every role group exists with exactly its permissions (one query)."""
    from django.contrib.auth.models import Group
    from django.db.models import Count

    counts = dict(Group.objects.filter(name__in=ROLE_PERMISSIONS).annotate(size=Count("permissions"))
                  .values_list("name", "size"))
    return counts == {role: len(set(codes)) for role, codes in ROLE_PERMISSIONS.items()}


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps
    from django.contrib.auth.models import Permission

    # Run once, after the last app has had its permissions created.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return

    # Permissions are created by contenttypes/auth post_migrate handlers; on a partial
    # migrate (tests of single apps) some may not exist yet.
    if Permission.objects.filter(codename__in=["reveal_officer_phone", "reveal_caller_phone",
                                               "reveal_resident_identifiers", "work_transfer",
                                               "work_supportrequest"]).count() == 5:
        sync_roles()


def role_title(role: str) -> str:
    return str(ROLE_TITLES.get(role, role))
