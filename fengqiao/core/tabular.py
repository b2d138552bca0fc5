"""Tables that people upload: CSV and XLSX files read into rows, and kept between a
preview and its confirmation.

Shared by every batch import (calls in `fengqiao.intake.importing`, basic records in
`fengqiao.records.importing`); what the columns mean is theirs, reading the file is here.

- **Reading**: `read_table(data, filename, max_bytes=...)` tells CSV from XLSX by content
  (an XLSX file is a zip archive) and name, decodes CSV as UTF-8 with or without a BOM,
  else UTF-16 with a BOM, else GB18030 (what Chinese Excel writes), guesses the delimiter,
  and yields each row with its number as the user sees it in the file (the first row is 1).
  `find_header` passes over a title or two above the header, as Chinese registers often
  have. `FileError` is a file that cannot be read as a whole; its message is for people.
- **Cells**: `cell_text` (numbers typed into Excel without a trailing .0), `header_key`
  (a header as compared: width-folded, lower case, remarks such as （必填） dropped),
  `parse_time` and `parse_date` for the ways people type dates and Excel stores them.
- **Keeping an upload**: `UploadStore` keeps a checked file on the server (never in the
  database, never in the page) under a random token that only the uploading session
  knows, until it is confirmed or expires.

Nothing here touches the database; Django serves only to translate the messages and,
for `UploadStore`, the session and the data directory.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
# An XLSX file is a zip archive; refuse one that would unpack to more than this (zip bombs).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Rows above the header that may hold a title, as Chinese registers often do (接警登记表).
TITLE_ROWS = 5


class FileError(Exception):
    """The file as a whole cannot be read (not a row's fault): too big, unreadable, empty."""


@dataclass(frozen=True)
class Problem:
    """Something wrong (or worth a look) in one row: row number as in the file, the column
    as headed in the file, the field it fills, and the message."""

    row: int
    column: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.column}: " if self.column else ""
        return f"row {self.row}: {where}{self.message}"


# -- reading bytes into a table -------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls format

Table = Iterator[tuple[int, list[Any]]]


def detect_kind(data: bytes, filename: str) -> str:
    """'xlsx' or 'csv', by content first and by name second; FileError for anything else."""
    name = filename.lower()
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise FileError(_("This is an old Excel (.xls) file. Save it as .xlsx or as CSV and upload it again."))
    if name.endswith((".xlsx", ".xlsm")):
        raise FileError(_("The file is named .xlsx but is not an Excel workbook."))
    return "csv"


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16"), "utf-16"
    if b"\x00" in data:
        raise FileError(_("The file is not a CSV text file or an XLSX workbook."))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise FileError(_("The CSV file is neither UTF-8 nor GB18030 (GBK) text. Save it as “CSV UTF-8” and upload it again.")) from None


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise FileError(_("The CSV file is not valid %(encoding)s text.") % {"encoding": encoding.upper()}) from None


def csv_rows(text: str) -> Table:
    """(row number, cells) of a CSV text; a row is a record, as Excel shows it."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error as error:
        raise FileError(_("Row %(row)s cannot be read as CSV: %(error)s") % {"row": number + 1, "error": error}) from None


def xlsx_rows(data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> Table:
    """(row number, cell values) of the first sheet of a workbook; dates come as datetimes."""
    import openpyxl  # only XLSX files need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise FileError(_("The file looks like an XLSX workbook but cannot be opened.")) from None
    if unpacked > max_unpacked:
        raise FileError(_("The workbook is too large once unpacked; split it into smaller files."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise FileError(_("The XLSX workbook cannot be opened: %(error)s") % {"error": error}) from None
    try:
        if not workbook.worksheets:
            raise FileError(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, *, max_bytes: int) -> tuple[str, str, Table]:
    """(kind, encoding, rows) of a file; rows are (number as in the file, cells)."""
    if not data:
        raise FileError(_("The file is empty."))
    if len(data) > max_bytes:
        raise FileError(_("The file is larger than %(megabytes)s MB; split it into smaller files.") % {
            "megabytes": max_bytes // (1024 * 1024)})
    kind = detect_kind(data, filename)
    if kind == "xlsx":
        return kind, "", xlsx_rows(data)
    text, encoding = decode_csv(data)
    return kind, encoding, csv_rows(text)


def blank(cells: list[Any]) -> bool:
    for cell in cells:
        if cell is None:
            continue
        if isinstance(cell, str):
            if cell.strip():
                return False
        elif cell_text(cell):
            return False
    return True


def find_header(table: Table, known: Callable[[str], bool]) -> tuple[list[tuple[int, list[Any]]], list[tuple[int, list[Any]]]]:
    """(title rows, [header row, data rows read while looking for it]) from the top of a table.

    The header is the first row naming at least two known columns (`known(header_key)`)
    among the first few rows that are not blank; failing that, the first row that is not
    blank.
    """
    leading: list[tuple[int, list[Any]]] = []
    for number, cells in table:
        if blank(cells):
            continue
        leading.append((number, cells))
        if sum(1 for cell in cells if known(header_key(cell_text(cell)))) >= 2:
            return leading[:-1], leading[-1:]
        if len(leading) > TITLE_ROWS:
            break
    return [], leading


def template_csv(headers: list[str]) -> bytes:
    """A header row as UTF-8 with a BOM (so that Excel reads the Chinese right)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(headers)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# -- reading single values ------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0 (phones and ids typed into Excel)."""
    if isinstance(value, str):  # every cell of a CSV file
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).strip()


def header_key(text: str) -> str:
    """A header or name as compared: width-folded, lower case, without spaces, underscores,
    hyphens, asterisks and parenthesised remarks such as （必填）."""
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = re.sub(r"\([^)]*\)", "", folded)
    return re.sub(r"[\s_\-*]", "", folded)


_DATE_TIME = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*T\s*|\s*)"
    r"(?:(?P<H>\d{1,2})\s*[:时点]\s*(?P<M>\d{1,2})"
    r"(?:\s*[:分]\s*(?P<S>\d{1,2})(?:\.(?P<f>\d{1,6}))?\s*秒?|\s*分)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_COMPACT_DATE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
# Excel stores a date as days since 1899-12-30; this range is 1954–2119.
_EXCEL_SERIALS = (20000.0, 80000.0)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def parse_time(value: Any, *, tz: dt.tzinfo = SHANGHAI, earliest_year: int = 2000) -> dt.datetime:
    """An aware datetime for a cell; naive times are read in `tz`. ValueError says what is wrong.

    Accepts 2026-11-30 08:15, 2026/11/30 8:15:00, 2026.11.30 08:15, 2026年11月30日 8时15分,
    ISO 8601 with an offset, and Excel datetime cells (or their serial numbers).
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        raise ValueError(_("The time of day is missing."))
    elif isinstance(value, dt.time):
        raise ValueError(_("The date is missing."))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            raise ValueError(_("“%(value)s” is not a date and time.") % {"value": cell_text(value)})
        moment = _EXCEL_EPOCH + dt.timedelta(days=float(value))
        moment = moment.replace(microsecond=0)
    else:
        moment = _parse_time_text(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if moment.year < earliest_year:
        raise ValueError(_("%(value)s is too far in the past.") % {"value": f"{moment:%Y-%m-%d}"})
    return moment


def _parse_time_text(text: str) -> dt.datetime:
    folded = unicodedata.normalize("NFKC", text).strip()
    found = _DATE_TIME.match(folded)
    if found is None:
        raise ValueError(_("“%(value)s” is not a date and time; write it like 2026-11-30 08:15.") % {"value": text})
    if found["H"] is None:
        raise ValueError(_("“%(value)s” has no time of day; write it like 2026-11-30 08:15.") % {"value": text})
    try:
        moment = dt.datetime(
            int(found["y"]), int(found["m"]), int(found["d"]), int(found["H"]), int(found["M"]),
            int(found["S"] or 0), int((found["f"] or "0").ljust(6, "0")),
        )
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real date and time.") % {"value": text}) from None
    offset = found["tz"]
    if offset:
        if offset.upper() == "Z":
            return moment.replace(tzinfo=dt.UTC)
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return moment.replace(tzinfo=dt.timezone(sign * delta))
    return moment


def parse_date(value: Any, *, earliest_year: int = 1900) -> dt.date:
    """A date for a cell; ValueError says what is wrong.

    Accepts 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301, a date and time (whose
    time is dropped) and Excel date cells (or their serial numbers).
    """
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
        found = (_EXCEL_EPOCH + dt.timedelta(days=float(value))).date()
    else:
        found = _parse_date_text(cell_text(value))
    if found.year < earliest_year:
        raise ValueError(_("%(value)s is too far in the past.") % {"value": f"{found:%Y-%m-%d}"})
    return found


def _parse_date_text(text: str) -> dt.date:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # 2024-03-01, the usual case, quickly
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    folded = unicodedata.normalize("NFKC", text).strip()
    found = _COMPACT_DATE.match(folded) or _DATE_TIME.match(folded)
    if found is None:
        raise ValueError(_("“%(value)s” is not a date; write it like 2024-03-01.") % {"value": text})
    try:
        return dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real date.") % {"value": text}) from None


# -- an upload between preview and confirmation -------------------------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UploadStore:
    """Uploaded files kept on the server between a preview and its confirmation.

    Each file lies in `directory` as `<token>.upload` (mode 0600); the session holds the
    token with what was said of the file (`meta`: its name, station, …), the uploading
    user, the file's SHA-256 and when it was kept. A token is good only in the session
    that made it, for the user who made it, for `seconds`, and only while the file is
    unchanged on disk; each session keeps at most `per_session` files (the oldest go).
    Files nobody confirmed are swept away after `seconds`.
    """

    def __init__(self, session_key: str, directory: Callable[[], Path], *, seconds: int = 3600, per_session: int = 3) -> None:
        self.session_key = session_key
        self.directory = directory  # a callable, so that settings changed by tests are seen
        self.seconds = seconds
        self.per_session = per_session

    def keep(self, request: Any, data: bytes, meta: dict[str, Any]) -> str:
        """Keep `data` under a new random token that only this session knows."""
        directory = self.directory()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.sweep()
        token = secrets.token_urlsafe(24)
        descriptor = os.open(directory / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        pending: dict[str, Any] = dict(request.session.get(self.session_key, {}))
        pending[token] = {
            **meta, "user": request.user.pk, "sha256": hashlib.sha256(data).hexdigest(), "at": time.time(),
        }
        for old in sorted(pending, key=lambda key: pending[key]["at"])[:-self.per_session]:
            pending.pop(old)
            (directory / f"{old}.upload").unlink(missing_ok=True)
        request.session[self.session_key] = pending
        return token

    def peek(self, request: Any, token: str) -> tuple[bytes, dict[str, Any]] | None:
        """The kept file and its meta, left in place; None for an unknown, foreign,
        expired or altered one (which is then forgotten)."""
        if not _TOKEN.match(token or ""):
            return None
        pending: dict[str, Any] = request.session.get(self.session_key, {})
        meta = pending.get(token)
        if meta is None:
            return None
        path = self.directory() / f"{token}.upload"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.discard(request, token)
            return None
        fresh = time.time() - meta.get("at", 0) <= self.seconds
        if meta.get("user") != request.user.pk or not fresh or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            self.discard(request, token)
            return None
        return data, dict(meta)

    def peek_with_station(self, request: Any, token: str) -> tuple[bytes, dict[str, Any], Any] | None:
        """`peek`, plus the station kept in the meta (`station`), 404 unless it is the user's."""
        from fengqiao.core.access import get_for_user_or_404
        from fengqiao.organisation.models import Station

        found = self.peek(request, token)
        if found is None:
            return None
        data, meta = found
        return data, meta, get_for_user_or_404(Station.objects.all(), request.user, pk=meta["station"])

    def take(self, request: Any, token: str) -> tuple[bytes, dict[str, Any]] | None:
        """Like `peek`, but the file is removed: a token is confirmed once."""
        found = self.peek(request, token)
        self.discard(request, token)
        return found

    def update(self, request: Any, token: str, **meta: Any) -> None:
        """Change what is said of a kept file (a new column mapping)."""
        pending: dict[str, Any] = dict(request.session.get(self.session_key, {}))
        if token in pending:
            pending[token] = {**pending[token], **meta}
            request.session[self.session_key] = pending

    def discard(self, request: Any, token: str) -> None:
        pending: dict[str, Any] = dict(request.session.get(self.session_key, {}))
        known = pending.pop(token, None) is not None
        request.session[self.session_key] = pending
        if known and _TOKEN.match(token):
            (self.directory() / f"{token}.upload").unlink(missing_ok=True)

    def sweep(self) -> None:
        """Remove files of previews nobody confirmed."""
        directory = self.directory()
        if not directory.is_dir():
            return
        limit = time.time() - self.seconds
        for path in directory.glob("*.upload"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                continue
