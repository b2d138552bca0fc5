"""The demo as plain data, by natural keys: two builds can be compared row for row."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, CaseLog
from fengqiao.dispatch.models import Dispatch, Feedback, FollowUp, Supervision, Violation
from fengqiao.intake.models import Call, Incident, IncidentCounter, IncidentLog
from fengqiao.organisation.models import (
    Beat,
    Bureau,
    BureauMember,
    Department,
    Officer,
    Station,
    Team,
)
from fengqiao.records.models import Address
from fengqiao.support.models import SupportRequest, Unit, UnitMember
from fengqiao.transfers.models import DepartmentMember, Transfer, TransferUpdate

WHY = "tests compare whole demo builds"


def demo_snapshot() -> dict[str, list[Any]]:
    """Every demo row without database ids, salts or clock times."""
    return {
        "bureaus": list(Bureau.objects.order_by("code").values("code", "name")),
        "departments": list(Department.objects.order_by("code").values("code", "name", "kind", "phone")),
        "stations": list(
            Station.objects.unscoped(WHY).order_by("code").values(
                "code", "name", "bureau__code", "address", "area_km2", "population", "urban",
                "latitude", "longitude",
            )
        ),
        "teams": list(
            Team.objects.unscoped(WHY).order_by("station__code", "name").values("station__code", "name", "kind")
        ),
        "beats": list(
            Beat.objects.unscoped(WHY).order_by("station__code", "code").values(
                "station__code", "code", "name", "community", "boundary", "office_address",
                "responsible_officer__badge_number",
            )
        ),
        "officers": list(
            Officer.objects.unscoped(WHY).order_by("badge_number").values(
                "badge_number", "station__code", "name", "rank", "team__name", "beat__code",
                "supervisor__badge_number", "phone", "duty_status", "latitude", "longitude",
                "user__username",
            )
        ),
        "users": list(
            User.objects.order_by("username").values(
                "username", "first_name", "is_staff", "is_superuser", "is_active"
            )
        ),
        "memberships": sorted(
            User.groups.through.objects.values_list("user__username", "group__name")
        ),
        "bureau_members": list(
            BureauMember.objects.order_by("user__username").values("user__username", "bureau__code", "name", "title")
        ),
        "addresses": list(
            Address.objects.unscoped(WHY).order_by("station__code", "code").values_list(
                "station__code", "code", "beat__code", "district", "street", "community", "road",
                "number", "building", "unit", "room", "full_text", "latitude", "longitude",
            )
        ),
        "calls": list(
            Call.objects.unscoped(WHY).order_by("station__code", "received_at", "text").values_list(
                "station__code", "received_at", "source", "sensor_kind", "external_id", "caller_name",
                "caller_phone", "text", "address_text", "address__code", "beat__code", "state",
                "incident__number", "triage", "taken_by__username",
            )
        ),
        "incidents": list(
            Incident.objects.unscoped(WHY).order_by("station__code", "number").values_list(
                "station__code", "number", "received_at", "category__code", "priority", "route", "state",
                "summary", "address__code", "place_unconfirmed", "beat__code", "tags", "owner_team__name",
                "owner__badge_number", "deadline",
            )
        ),
        # Without texts: a repeat call's entry names the call's database id.
        "log": list(
            IncidentLog.objects.unscoped(WHY).order_by("incident__station__code", "incident__number", "at", "kind").values_list(
                "incident__station__code", "incident__number", "at", "kind", "automatic", "author__username",
                "before", "after",
            )
        ),
        "counters": list(
            IncidentCounter.objects.unscoped(WHY).order_by("station__code", "day").values_list("station__code", "day", "last")
        ),
        "dispatch orders": list(
            Dispatch.objects.unscoped(WHY).order_by("incident__number", "issued_at").values_list(
                "incident__number", "officer__badge_number", "team_kind", "backup", "state", "recommendation",
                "issued_at", "issued_by__username", "acknowledged_at", "acknowledged_by__username", "departed_at",
                "arrived_at", "reported_at", "due_step", "warn_at", "alert_at",
            )
        ),
        "feedback": list(
            Feedback.objects.unscoped(WHY).order_by("dispatch__incident__number", "created_at").values_list(
                "dispatch__incident__number", "disposition", "actions", "legal_basis", "people", "resolves",
                "author__username", "created_at",
            )
        ),
        "follow-ups": list(
            FollowUp.objects.unscoped(WHY).order_by("incident__number", "scheduled_at", "level").values_list(
                "incident__number", "officer__badge_number", "level", "state", "scheduled_at", "due_at", "alert_at",
                "done_at", "done_by__username", "outcome", "notes",
            )
        ),
        "supervisions": list(
            Supervision.objects.unscoped(WHY).order_by("incident__number", "opened_at").values_list(
                "incident__number", "officer__badge_number", "state", "reason", "opened_at", "closed_at",
                "closed_by__username", "conclusion",
            )
        ),
        "units": list(Unit.objects.order_by("code").values_list("code", "name", "kind", "bureau__code", "phone",
                                                               "response_minutes")),
        "unit members": list(UnitMember.objects.order_by("badge_number").values_list(
            "badge_number", "user__username", "unit__code", "name")),
        "department members": list(DepartmentMember.objects.order_by("user__username").values_list(
            "user__username", "department__code", "name", "title")),
        "cases": list(
            Case.objects.unscoped(WHY).order_by("station__code", "number").values_list(
                "station__code", "number", "incident__number", "kind", "category__code", "title", "complexity", "state",
                "lead__badge_number", "accepted_at", "accepted_by__username", "filed_at", "cleared_at", "cleared_how",
                "closed_at", "stage", "due_at", "extensions",
            )
        ),
        "case log": list(
            CaseLog.objects.unscoped(WHY).order_by("case__station__code", "case__number", "at", "action").values_list(
                "case__station__code", "case__number", "at", "action", "text", "author__username",
            )
        ),
        "transfers": list(
            Transfer.objects.unscoped(WHY).order_by("station__code", "number").values_list(
                "station__code", "number", "incident__number", "department__code", "state", "pushed_at", "received_at",
                "reported_at", "result", "returned_at", "confirmed_at", "caller_answer", "result_due", "due_step", "due_at",
                "extensions", "chases",
            )
        ),
        "transfer updates": list(
            TransferUpdate.objects.unscoped(WHY).order_by("station__code", "transfer__number", "at", "action").values_list(
                "station__code", "transfer__number", "at", "action", "state_after", "notes", "actor", "author__username",
                "author_name", "via", "new_deadline",
            )
        ),
        "support requests": list(
            SupportRequest.objects.unscoped(WHY).order_by("station__code", "number").values_list(
                "station__code", "number", "incident__number", "case__number", "unit__code", "need", "state",
                "requested_at", "needed_by", "accepted_by__badge_number", "completed_at", "due_step", "due_at",
            )
        ),
        # The subject names a database id: compared by what it hangs on instead.
        "violations": list(
            Violation.objects.unscoped(WHY).order_by("incident__number", "step", "due_at").values_list(
                "incident__number", "dispatch__officer__badge_number", "officer__badge_number", "step", "level",
                "due_at", "recorded_at",
            )
        ),
    }
