"""The return (回传): the list sent back to the body that issued it.

Every row exactly as it was loaded — the original columns, in order, the cells as text —
followed by what the station found: the outcome, when, by which officer, notes, the
door-visit team and whether the item was still open at the deadline. The original rows
carry identity numbers and phones in the clear, so the file is a reveal: it needs
`campaigns.return_campaign` and a reason, and is written to the audit log as a reveal
(with a `CampaignLog` EXPORTED row and `Campaign.returned_at`, in the same transaction).

The masked items export (`items_table`) is the page's table: no clear identifier.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from fengqiao.audit.services import reveal
from fengqiao.core import events
from fengqiao.core.writing import author_of
from fengqiao.records.crypto import decrypt

from . import plan
from .models import Campaign, CampaignItem, CampaignLog

FORMATS = ("xlsx", "csv")
PERMISSION = "campaigns.return_campaign"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def result_headers() -> list[str]:
    return [_("Verification result"), _("Verified at"), _("Verifying officer"), _("Notes"), _("Door-visit team"),
            _("Late")]


def _time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def original_cells(item: CampaignItem, width: int) -> list[str]:
    """The item's row as loaded (as text), padded to the list's width."""
    cells = json.loads(decrypt(item.original)) if item.original else []
    cells = ["" if cell is None else str(cell) for cell in cells]
    return (cells + [""] * width)[:width]


def result_cells(item: CampaignItem) -> list[str]:
    officer = item.outcome_by or (item.officer if item.outcome else None)
    team = "、".join(name for name in (item.visit_officer, item.visit_worker, item.visit_medic) if name)
    if item.state == plan.VISIT and item.visit_at:
        team = f"{team} ({_time(item.visit_at)})"
    return [
        str(item.get_outcome_display()) if item.outcome else "",
        _time(item.outcome_at),
        officer.name if officer else "",
        item.notes,
        team,
        _("Yes") if item.late else "",
    ]


def result_table(campaign: Campaign) -> tuple[list[str], list[list[str]]]:
    """(headers, rows): the original columns exactly as loaded, then the result columns."""
    columns = [str(title) for title in campaign.columns]
    items = (CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign)
             .select_related("officer", "outcome_by").order_by("row"))
    rows = [original_cells(item, len(columns)) + result_cells(item) for item in items]
    return columns + result_headers(), rows


def table_bytes(headers: list[str], rows: list[list[str]], fmt: str, *, sheet: str = "Sheet1") -> bytes:
    """The table as XLSX (every cell written as text, so "=…" or "0012" stay as they came)
    or as CSV (UTF-8 with a byte-order mark, for Excel)."""
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        worksheet = book.create_sheet(title=sheet[:31] or "Sheet1")
        for line in [headers, *rows]:
            cells = []
            for value in line:
                cell = WriteOnlyCell(worksheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            worksheet.append(cells)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def filename_of(campaign: Campaign, fmt: str, now: dt.datetime) -> str:
    return f"{campaign.number}-return-{timezone.localtime(now).strftime('%Y%m%d-%H%M')}.{fmt}"


def return_file(campaign: Campaign, *, user: Any, reason: str, fmt: str = "xlsx",
                now: dt.datetime | None = None) -> tuple[bytes, str]:
    """(the file, its name). Raises `audit.services.RevealRefused` ("permission" or "reason").

    The caller has already checked that the campaign is one of the user's stations'."""
    fmt = fmt if fmt in FORMATS else "xlsx"
    now = now or timezone.now()

    def build() -> bytes:
        headers, rows = result_table(campaign)
        body = table_bytes(headers, rows, fmt, sheet=campaign.number)
        Campaign.objects.for_stations([campaign.station_id]).filter(pk=campaign.pk).update(returned_at=now)
        campaign.returned_at = now
        CampaignLog.objects.create(station_id=campaign.station_id, campaign=campaign, at=now,
                                   action=CampaignLog.Action.EXPORTED, author=author_of(user),
                                   text=reason.strip()[:300], data={"format": fmt, "rows": len(rows)})
        events.publish(campaign.station_id, "campaign", campaign=campaign.pk, state="exported")
        return body

    body = reveal(campaign, "original", user=user, reason=reason, permission=PERMISSION, read=build)
    return body, filename_of(campaign, fmt, now)


# -- the masked items export ---------------------------------------------------------------------------


def items_headers() -> list[str]:
    return [_("Row"), _("Name"), _("Identity number"), _("Phone"), _("Address as listed"), _("Matched"), _("Beat"),
            _("Officer"), _("Assigned"), _("State"), _("Outcome"), _("Outcome recorded at"), _("Late")]


def items_table(items: Any) -> list[list[Any]]:
    """The page's items as rows for `core.exporting`: masked identifiers only."""
    return [[
        item.row, item.name, item.id_number_masked, item.phone_masked, item.address_text,
        str(item.get_match_display()), item.beat.name if item.beat else "", item.officer.name if item.officer else "",
        str(item.get_assigned_how_display()), str(item.get_state_display()),
        str(item.get_outcome_display()) if item.outcome else "", item.outcome_at, _("Yes") if item.late else "",
    ] for item in items]
