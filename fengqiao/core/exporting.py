"""Exporting a list as CSV or XLSX: the columns a person sees on the page, masked as there.

`export_response(...)` builds the whole file in memory (so the test suite's privacy scan
reads it) and writes one audit row naming the list, the filter and the number of rows.
Callers pass values already masked; nothing here looks at what the values are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record

FORMATS = ("csv", "xlsx")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value if isinstance(value, int | float) else str(value)


def table_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, *, sheet: str = "Sheet1") -> bytes:
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        worksheet = book.create_sheet(title=sheet[:31])
        worksheet.append([str(header) for header in headers])
        for row in rows:
            worksheet.append([_cell(value) for value in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([str(header) for header in headers])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    # With a byte-order mark, so that Excel opens the Chinese as UTF-8.
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def export_response(
    *, user: Any, what: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str,
    filename: str, filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """The list as a download, after an audit row (EXPORTED) naming `what`, the filters and the count."""
    fmt = fmt if fmt in FORMATS else "csv"
    materialised = [list(row) for row in rows]
    body = table_bytes(headers, materialised, fmt, sheet=what)
    record(AuditEntry.Action.EXPORTED, user=user, object_type=what,
           changes={"format": fmt, "rows": len(materialised), "filters": filters or {}})
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                    else "text/csv; charset=utf-8")
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    return response
