"""Fetching one transfer for a department member: their department's, or 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record

from . import selectors
from .models import DepartmentMember, Transfer


def department_transfer_or_404(member: DepartmentMember, pk: int, *, user: Any) -> Transfer:
    """A transfer sent to the member's department; any other is answered like a missing one
    (404), and the attempt is written to the audit log as refused."""
    found = selectors.for_department(member.department_id).filter(pk=pk).first()
    if found is not None:
        return found
    elsewhere = Transfer.objects.unscoped("checking whether a refused lookup hit another department").filter(pk=pk).first()
    if elsewhere is not None:
        record(AuditEntry.Action.ACCESS_REFUSED, obj=elsewhere, user=user, outcome=AuditEntry.Outcome.REFUSED,
               reason="transfer of another department")
    raise Http404("No transfer matches the given query.")
