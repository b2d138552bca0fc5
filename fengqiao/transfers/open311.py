"""A transfer as a department's system sees it: an Open311-like service request.

The same shape answers `GET /api/v1/transfers` and is POSTed to a department's own system
(`delivery.py`). The caller's phone is masked, as everywhere: the department reveals it
with a reason (portal or `POST /api/v1/transfers/{id}/reveal`), and the reveal is audited.
Identity and mobile numbers written into the free text are masked too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fengqiao.core.masking import mask_identifiers_in, mask_phone

from .models import Transfer


def as_open311(transfer: Transfer, *, updated_at: dt.datetime | None = None) -> dict[str, Any]:
    """The transfer as a service request (`transfer.incident.category` and `.department` are read)."""
    return {
        "id": transfer.pk,
        "number": transfer.number,
        "service_code": transfer.incident.category.code,
        "service_name": transfer.category_label,
        "description": mask_identifiers_in(transfer.description),
        "address": transfer.address_text,
        "lat": transfer.latitude,
        "long": transfer.longitude,
        "requested_datetime": transfer.pushed_at,
        "expected_datetime": transfer.result_due,
        "status": transfer.state,
        "status_label": str(transfer.get_state_display()),
        "agency_responsible": transfer.department.name,
        "updated_datetime": updated_at or transfer.pushed_at,
        "caller_name": transfer.caller_name,
        "caller_phone": mask_phone(transfer.caller_phone),
        "deadline": transfer.due_at,
        "deadline_step": transfer.due_step,
        "extensions": transfer.extensions,
        "chases": transfer.chases,
        "last_chased_datetime": transfer.last_chased_at,
        "result": mask_identifiers_in(transfer.result),
        "station": transfer.station.name,
    }
