"""Batch import of calls from a CSV or XLSX file: every row checked, then all kept or none.

Two parts in one module, the first of which never touches the database (it is tested
without stations or calls; Django serves it only for translating its messages):

- **Reading and checking rows**: `parse_file(data, filename, now=...)` turns
  the bytes of a file into rows. The file itself is read by `fengqiao.core.tabular` (CSV
  or XLSX, UTF-8, UTF-16 or GB18030, shared with the import of basic records); this module
  accepts Chinese or English headers, sources by
  code or Chinese label and times in the forms people type or Excel stores, read as
  Asia/Shanghai. Each problem names the row as the user sees it in the file (the header is
  row 1, the first data row is row 2), the column as headed in the file, and what is wrong.

- **Importing** (database): `import_calls(station, file_bytes, filename, user=, dry_run=)`
  adds the checks that need the station (sensor kinds, 110 ids received before), judges
  every good row (`services.judge_call`: suggested category, standard address, beat) and
  then, only when no row has an error and it is not a dry run, records every call in ONE
  transaction through `services.record_call`, handing it those judgements so that the
  transaction only writes (on SQLite it holds the write lock every other intake waits for).
  Any failure in any row rolls everything back and is reported against that row: a batch
  is never half imported (DESIGN.md §5, "nothing partial is kept").
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core import tabular
from fengqiao.core.tabular import SHANGHAI, FileError, Problem, blank, cell_text, header_key
from fengqiao.organisation.models import Beat, Station

from . import services
from .models import Call, Route

logger = logging.getLogger(__name__)

# -- limits -----------------------------------------------------------------------------------

# All rows are recorded in one transaction, which on SQLite holds the database's one write
# lock throughout (about 8 ms a row): 1,000 rows keep it under the 10 s that other writers
# wait (busy_timeout) before they give up. Larger batches: split the file.
MAX_ROWS = 1000
MAX_BYTES = 10 * 1024 * 1024
# A received time further ahead than this is a clock or typing error.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
EARLIEST_YEAR = 2000

# -- columns and sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the import file: the field it fills, its Chinese header and other names."""

    field: str
    label_zh: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("source", "来源", ("报警来源", "警情来源", "接警来源", "接警方式", "source"), required=True),
    Column("received_at", "接警时间", ("报警时间", "时间", "received_at", "received", "time"), required=True),
    Column("text", "报警内容", ("内容", "简要警情", "警情内容", "text", "content"), required=True, max_length=4000),
    Column("address", "地址", ("发生地址", "事发地址", "案发地址", "地点", "address", "address_text"), max_length=200),
    Column("lat", "纬度", ("lat", "latitude")),
    Column("lon", "经度", ("lon", "lng", "longitude")),
    Column("caller_name", "报警人", ("报警人姓名", "姓名", "caller_name", "caller", "name"), max_length=50),
    Column("caller_phone", "联系电话", ("报警电话", "电话", "手机", "caller_phone", "phone"), max_length=20),
    Column("external_id", "110编号", ("110警情编号", "接警单编号", "警情编号", "external_id"), max_length=64),
    Column("sensor_kind", "传感器类型", ("传感器", "sensor_kind", "sensor"), max_length=40),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}

# Sources by code, Chinese label and the usual other ways of writing them.
SOURCE_NAMES: dict[str, tuple[str, ...]] = {
    "feed_110": ("110接警", "110", "110报警", "110指令", "110 call-centre feed", "110 feed"),
    "phone": ("电话", "电话报警", "来电", "phone"),
    "walk_in": ("来所", "来所报警", "报案接待", "front desk", "walk-in", "walk in"),
    "patrol": ("巡逻发现", "巡逻", "patrol finding"),
    "sensor": ("传感器", "传感器报警", "sensor alarm"),
    "chat_group": ("社区群", "群众群", "社区微信群", "community chat group", "chat group"),
    "video_patrol": ("视频巡查", "视频巡逻", "video patrol"),
}
SOURCE_LABELS_ZH = {code: names[0] for code, names in SOURCE_NAMES.items()}


_key = header_key


_HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.label_zh, *_column.aliases):
        _HEADER_KEYS[_key(_name)] = _column.field

_SOURCE_KEYS: dict[str, str] = {}
for _code, _names in SOURCE_NAMES.items():
    for _name in (_code, *_names):
        _SOURCE_KEYS[_key(_name)] = _code


def column_title(name: str) -> str:
    """How a field is named when its column is missing: the Chinese header and the code."""
    return f"{COLUMN_BY_FIELD[name].label_zh} ({name})"


# -- results of reading -------------------------------------------------------------------------


@dataclass
class Row:
    """One data row: the cells as written, the values as understood, and its problems."""

    number: int
    cells: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedFile:
    """What `parse_file` made of a file."""

    kind: str  # "csv" or "xlsx"
    encoding: str  # of a CSV file; "" for XLSX
    headers: dict[str, str]  # field → header as written in the file
    header_errors: list[Problem]
    header_warnings: list[Problem]
    rows: list[Row]

    @property
    def has_errors(self) -> bool:
        return bool(self.header_errors) or any(row.errors for row in self.rows)


# -- reading bytes into a table -------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> tuple[str, str, tabular.Table]:
    """(kind, encoding, rows) of a file; rows are (number as in the file, cells)."""
    return tabular.read_table(data, filename, max_bytes=MAX_BYTES)


# -- reading single values ------------------------------------------------------------------------


def parse_source(value: str) -> str:
    """The source code for a code or a label; ValueError naming the accepted ones."""
    code = _SOURCE_KEYS.get(_key(value))
    if code is None:
        accepted = "、".join(f"{label} ({code})" for code, label in SOURCE_LABELS_ZH.items())
        raise ValueError(_("Unknown source “%(value)s”; use one of: %(accepted)s.") % {"value": value, "accepted": accepted})
    return code


def parse_time(value: Any, *, tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    """An aware datetime for a cell (see `tabular.parse_time`); nothing before 2000."""
    return tabular.parse_time(value, tz=tz, earliest_year=EARLIEST_YEAR)


def parse_coordinate(value: Any, low: float, high: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not low <= number <= high:
        raise ValueError(_("%(value)s is outside %(low)s to %(high)s.") % {"value": f"{number:g}", "low": f"{low:g}", "high": f"{high:g}"})
    return number


_PHONE = re.compile(r"^[0-9+\- ]*$")

# -- reading the header -------------------------------------------------------------------------


def read_header(number: int, cells: list[Any]) -> tuple[dict[int, str], dict[str, str], list[Problem], list[Problem]]:
    """(column index → field, field → header as written, errors, warnings) of the header row."""
    by_index: dict[int, str] = {}
    headers: dict[str, str] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for index, cell in enumerate(cells):
        title = cell_text(cell)
        if not title:
            continue
        name = _HEADER_KEYS.get(_key(title))
        if name is None:
            warnings.append(Problem(number, title, "", _("This column is not used; it is ignored.")))
            continue
        if name in headers:
            errors.append(Problem(number, title, name, _("The column “%(first)s” already gives this field.") % {
                "first": headers[name]}))
            continue
        by_index[index] = name
        headers[name] = title
    for column in COLUMNS:
        if column.required and column.field not in headers:
            errors.append(Problem(number, column_title(column.field), column.field, _("This column is missing.")))
    return by_index, headers, errors, warnings


# -- checking one row -------------------------------------------------------------------------------


def check_row(row: Row, raw: dict[str, Any], headers: dict[str, str], *, now: dt.datetime, tz: dt.tzinfo) -> None:
    """Fill `row.values` from the raw cells, adding an error per field that is wrong."""

    def fail(name: str, message: str) -> None:
        row.errors.append(Problem(row.number, headers.get(name) or column_title(name), name, message))

    text_values: dict[str, str] = {}
    for name, value in raw.items():
        if name in ("received_at", "lat", "lon"):
            continue
        text = cell_text(value)
        limit = COLUMN_BY_FIELD[name].max_length
        if limit is not None and len(text) > limit:
            fail(name, _("Longer than %(limit)s characters.") % {"limit": limit})
            continue
        text_values[name] = text

    source = text_values.get("source", "")
    if not source:
        fail("source", _("The source is empty."))
    else:
        try:
            row.values["source"] = parse_source(source)
        except ValueError as error:
            fail("source", str(error))

    if "text" in text_values:
        if not text_values["text"]:
            fail("text", _("What the caller said is empty."))
        else:
            row.values["text"] = text_values["text"]

    when = raw.get("received_at")
    if when is None or cell_text(when) == "":
        fail("received_at", _("The time is empty."))
    else:
        try:
            moment = parse_time(when, tz=tz)
        except ValueError as error:
            fail("received_at", str(error))
        else:
            if moment > now + FUTURE_TOLERANCE:
                fail("received_at", _("%(value)s lies in the future.") % {
                    "value": moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")})
            else:
                row.values["received_at"] = moment

    _check_position(row, raw, fail)

    phone = text_values.get("caller_phone", "")
    if phone and not _PHONE.match(phone):
        fail("caller_phone", _("Only digits, +, - and spaces may be used in a phone number."))
    elif "caller_phone" in text_values:
        row.values["caller_phone"] = phone.replace(" ", "")

    for name in ("address", "caller_name", "external_id", "sensor_kind"):
        if name in text_values:
            row.values[name] = text_values[name]
    if row.values.get("source") == "sensor" and not text_values.get("sensor_kind"):
        fail("sensor_kind", _("A sensor alarm needs the sensor kind."))


def _check_position(row: Row, raw: dict[str, Any], fail: Any) -> None:
    lat_raw, lon_raw = raw.get("lat"), raw.get("lon")
    has_lat, has_lon = cell_text(lat_raw) != "", cell_text(lon_raw) != ""
    position: dict[str, float] = {}
    for name, value, given, low, high in (("lat", lat_raw, has_lat, -90.0, 90.0), ("lon", lon_raw, has_lon, -180.0, 180.0)):
        if not given:
            continue
        try:
            position[name] = parse_coordinate(value, low, high)
        except ValueError as error:
            message = str(error)
            if name == "lat" and has_lon and _swapped(lat_raw, lon_raw):
                message += " " + _("Are latitude and longitude swapped?")
            fail(name, message)
    if has_lat and not has_lon:
        fail("lon", _("A latitude needs a longitude."))
    elif has_lon and not has_lat:
        fail("lat", _("A longitude needs a latitude."))
    if len(position) == 2:
        row.values["lat"], row.values["lon"] = position["lat"], position["lon"]


def _swapped(lat: Any, lon: Any) -> bool:
    try:
        return abs(float(cell_text(lat))) > 90 >= abs(float(cell_text(lon)))
    except ValueError:
        return False


def mark_repeated_external_ids(rows: Iterable[Row], headers: dict[str, str]) -> None:
    """A 110 id may appear once in a file; later rows with it get an error naming the first."""
    first_seen: dict[str, int] = {}
    for row in rows:
        external_id = row.values.get("external_id", "")
        if not external_id:
            continue
        if external_id in first_seen:
            row.errors.append(Problem(
                row.number, headers.get("external_id") or column_title("external_id"), "external_id",
                _("110 id %(id)s is also in row %(row)s.") % {"id": external_id, "row": first_seen[external_id]},
            ))
        else:
            first_seen[external_id] = row.number


# -- the whole file ------------------------------------------------------------------------------------


def _find_header(table: tabular.Table) -> tuple[list[tuple[int, list[Any]]], list[tuple[int, list[Any]]]]:
    return tabular.find_header(table, _HEADER_KEYS.__contains__)


def parse_file(data: bytes, filename: str, *, now: dt.datetime, tz: dt.tzinfo = SHANGHAI, max_rows: int = MAX_ROWS) -> ParsedFile:
    """Read and check every row of a file; FileError when the file as a whole cannot be read.

    Blank rows are skipped (and keep their numbers). The header is normally the first row;
    a title or two above it are passed over with a warning.
    """
    kind, encoding, table = read_table(data, filename)
    titles, top = _find_header(table)
    if not top:
        raise FileError(_("The file has no header row and no calls."))
    (header_number, header_cells), early_rows = top[0], top[1:]
    by_index, headers, errors, warnings = read_header(header_number, header_cells)
    warnings = [
        Problem(number, "", "", _("Taken as a title above the header and ignored."))
        for number, _cells in titles
    ] + warnings
    rows: list[Row] = []
    for number, cells in itertools.chain(early_rows, table):
        if blank(cells):
            continue
        if len(rows) >= max_rows:
            raise FileError(_("The file has more than %(limit)s rows of calls; split it into smaller files.") % {"limit": max_rows})
        row = Row(number)
        raw: dict[str, Any] = {}
        for index, name in by_index.items():
            value = cells[index] if index < len(cells) else None
            raw[name] = value
            row.cells[name] = cell_text(value)
        if not errors:  # with a column missing or doubled, the rows cannot be judged
            check_row(row, raw, headers, now=now, tz=tz)
        rows.append(row)
    if not rows and not errors:
        raise FileError(_("The file has a header row but no calls."))
    mark_repeated_external_ids(rows, headers)
    return ParsedFile(kind, encoding, headers, errors, warnings, rows)


def template_csv() -> bytes:
    """The header row of an import file, in Chinese, as UTF-8 with a BOM (so Excel reads it)."""
    return tabular.template_csv([column.label_zh for column in COLUMNS])


# == the database part: checks against the station, and recording =========================


@dataclass
class RowReport:
    """One row of the report: its problems and, for a good row, what intake would make of it."""

    number: int
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    received_at: dt.datetime | None = None
    source: str = ""
    text: str = ""
    address_text: str = ""
    category: str = ""
    category_label: str = ""
    route: str = ""
    priority: int | None = None
    beat: str = ""
    address: str = ""
    incident_number: str = ""
    incident_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict, repr=False)
    judgement: services.Judgement | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        return "warning" if self.warnings else "ok"

    @property
    def problems(self) -> list[Problem]:
        return self.errors + self.warnings

    @property
    def source_label(self) -> str:
        return str(Call.Source(self.source).label) if self.source in Call.Source.values else self.source

    @property
    def route_label(self) -> str:
        return str(Route(self.route).label) if self.route in Route.values else self.route


@dataclass
class ImportReport:
    """What an import found and did: per-row status, counts and the incidents created."""

    filename: str
    station: Station
    dry_run: bool
    file_errors: list[str] = field(default_factory=list)
    header_errors: list[Problem] = field(default_factory=list)
    header_warnings: list[Problem] = field(default_factory=list)
    rows: list[RowReport] = field(default_factory=list)
    imported: bool = False
    failure: str = ""
    call_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def warning_count(self) -> int:
        return sum(1 for row in self.rows if row.warnings and not row.errors)

    @property
    def valid_count(self) -> int:
        return self.total - self.error_count

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.header_errors or self.failure) or self.error_count > 0

    @property
    def incident_numbers(self) -> list[str]:
        return [row.incident_number for row in self.rows if row.incident_number] if self.imported else []

    def lines(self) -> list[str]:
        """The report as plain text lines (the command prints these)."""
        out = [str(message) for message in self.file_errors]
        out += [str(problem) for problem in self.header_errors + self.header_warnings]
        for row in self.rows:
            head = f"row {row.number:>5}  {row.status:<7}"
            if row.incident_number:
                head += f"  {row.incident_number}"
            elif not row.errors and row.category:
                head += f"  {row.category_label} · {row.route} · P{row.priority}"
                if row.beat:
                    head += f" · {row.beat}"
            out.append(head.rstrip())
            for problem in row.problems:
                column = f"{problem.column}: " if problem.column else ""
                out.append(f"           {column}{problem.message}")
        if self.failure:
            out.append(self.failure)
        return out


def import_calls(
    station: Station, file_bytes: bytes, filename: str, *, user: Any, dry_run: bool,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Check every row of the file; unless one has an error or this is a dry run, record all
    of them in one transaction (a failure in any row keeps none) and write one audit row."""
    now = now or timezone.now()
    report = ImportReport(filename=filename, station=station, dry_run=dry_run)
    try:
        parsed = parse_file(file_bytes, filename, now=now, tz=timezone.get_default_timezone())
    except FileError as error:
        report.file_errors.append(str(error))
        return report
    report.header_errors, report.header_warnings = parsed.header_errors, parsed.header_warnings
    if report.header_errors:  # the rows could not be read, so there is nothing to say of them
        return report
    report.rows = [_row_report(row) for row in parsed.rows]
    _check_against_station(station, report, parsed.headers)
    if report.has_errors and not dry_run:
        return report  # judging the good rows would only take time: nothing will be recorded
    _judge_rows(station, report, parsed.headers)
    if report.has_errors or dry_run:
        return report
    _record_all(station, report, user=user)
    return report


def _row_report(row: Row) -> RowReport:
    values = row.values
    return RowReport(
        number=row.number, errors=list(row.errors), warnings=list(row.warnings),
        received_at=values.get("received_at"), source=values.get("source", row.cells.get("source", "")),
        text=values.get("text", row.cells.get("text", "")), address_text=values.get("address", row.cells.get("address", "")),
        values=dict(values),
    )


def _check_against_station(station: Station, report: ImportReport, headers: dict[str, str]) -> None:
    """The checks that need the station's data: sensor kinds and 110 ids received before."""
    rules = services.station_rules(station.pk)
    sensor_codes = {_key(code): code for code in rules.sensors}
    sensor_codes.update({_key(rule.label): code for code, rule in rules.sensors.items()})
    wanted_ids = [row.values["external_id"] for row in report.rows if row.values.get("external_id")]
    received_before = _received_before(station, wanted_ids)

    def column(name: str) -> str:
        return headers.get(name) or column_title(name)

    for row in report.rows:
        values = row.values
        kind = values.get("sensor_kind", "")
        if kind:
            code = sensor_codes.get(_key(kind))
            if code is None:
                row.errors.append(Problem(row.number, column("sensor_kind"), "sensor_kind",
                                          _("Unknown sensor kind “%(kind)s”; this station knows: %(known)s.") % {
                                              "kind": kind, "known": _known_sensors(rules.sensors) or "—"}))
            else:
                values["sensor_kind"] = code
        external_id = values.get("external_id", "")
        if external_id in received_before:
            row.errors.append(Problem(row.number, column("external_id"), "external_id",
                                      _("110 id %(id)s was already received, as call %(call)s.") % {
                                          "id": external_id, "call": received_before[external_id]}))


def _judge_rows(station: Station, report: ImportReport, headers: dict[str, str]) -> None:
    """Suggestion and place of every good row."""
    beat_names = dict(Beat.objects.for_stations([station.pk]).values_list("id", "name"))

    def column(name: str) -> str:
        return headers.get(name) or column_title(name)

    for row in report.rows:
        if not row.errors:
            _judge(station, row, beat_names, column)


def _received_before(station: Station, external_ids: list[str]) -> dict[str, int]:
    """110 id → call id of those already received at the station (asked 500 at a time)."""
    found: dict[str, int] = {}
    for start in range(0, len(external_ids), 500):
        chunk = external_ids[start:start + 500]
        # The exclude repeats the condition of the partial unique index, so SQLite uses it.
        rows = Call.objects.for_stations([station.pk]).filter(external_id__in=chunk).exclude(external_id="")
        found.update(rows.values_list("external_id", "id"))
    return found


def _known_sensors(sensors: dict[str, Any]) -> str:
    return "、".join(f"{rule.label} ({code})" for code, rule in sorted(sensors.items()))


def _judge(station: Station, row: RowReport, beat_names: dict[int, str], column: Any) -> None:
    """Suggestion and place of a good row, worked out before (and kept for) the transaction,
    which then only writes: on SQLite it holds the one write lock that the 110 feed needs."""
    row.judgement = services.judge_call(station, call_data(row.values))
    suggestion, place = row.judgement.suggestion, row.judgement.place
    row.category, row.category_label = suggestion.category, suggestion.category_label
    row.route, row.priority = suggestion.route, suggestion.priority
    row.beat = beat_names.get(place.beat_id, "") if place.beat_id else ""
    row.address = place.address.full_text if place.address is not None else ""
    if place.needs_confirming:
        if row.values.get("address"):
            message = _("No confident address match: the incident will ask the commander to confirm the place.")
        else:
            message = _("No address given: the incident will ask the commander to confirm the place.")
        row.warnings.append(Problem(row.number, column("address"), "address", message))


def call_data(values: dict[str, Any]) -> services.CallData:
    """The checked values of a row as the intake service takes them."""
    return services.CallData(
        source=values["source"], text=values["text"], received_at=values["received_at"],
        address_text=values.get("address", ""), latitude=values.get("lat"), longitude=values.get("lon"),
        external_id=values.get("external_id", ""), caller_name=values.get("caller_name", ""),
        caller_phone=values.get("caller_phone", ""), sensor_kind=values.get("sensor_kind", ""),
    )


class _RowFailed(Exception):
    def __init__(self, row: RowReport, problems: list[Problem]) -> None:
        super().__init__(f"row {row.number}")
        self.row, self.problems = row, problems


def _record_all(station: Station, report: ImportReport, *, user: Any) -> None:
    """Record every row in one transaction; the first failure undoes all of them."""
    incidents: dict[int, tuple[int, str]] = {}
    call_ids: list[int] = []
    try:
        with transaction.atomic():
            for row in report.rows:
                receipt = _record_one(station, row, user)
                incidents[row.number] = (receipt.incident.pk, receipt.incident.number)
                call_ids.append(receipt.call.pk)
            record(
                AuditEntry.Action.CREATED, obj=station, user=user,
                object_repr=f"import of {len(call_ids)} calls from {report.filename}"[:200],
                changes={"file": report.filename, "calls": call_ids, "incidents": [number for _pk, number in incidents.values()]},
            )
    except _RowFailed as failed:
        failed.row.errors.extend(failed.problems)
        report.failure = _("Nothing was imported: row %(row)s could not be recorded.") % {"row": failed.row.number}
        record(AuditEntry.Action.CREATED, obj=station, user=user, outcome=AuditEntry.Outcome.FAILED,
               object_repr=f"import of {report.total} calls from {report.filename}"[:200],
               reason=f"row {failed.row.number}: " + "; ".join(p.message for p in failed.problems))
        return
    for row in report.rows:
        row.incident_id, row.incident_number = incidents[row.number]
    report.call_ids = call_ids
    report.imported = True


def _record_one(station: Station, row: RowReport, user: Any) -> services.Receipt:
    """One row inside the batch's transaction; any failure becomes a `_RowFailed` naming it."""
    def problem(name: str, message: str) -> Problem:
        column = column_title(name) if name in COLUMN_BY_FIELD else name
        return Problem(row.number, column, name, message)

    try:
        return services.record_call(station, call_data(row.values), user=user, judgement=row.judgement)
    except services.ExternalIdTaken as taken:
        raise _RowFailed(row, [problem("external_id", _("110 id %(id)s was already received, as call %(call)s.") % {
            "id": row.values.get("external_id", ""), "call": taken.call.pk})]) from taken
    except ValidationError as error:
        if hasattr(error, "message_dict"):
            problems = [problem(name, " ".join(messages)) for name, messages in error.message_dict.items()]
        else:
            problems = [problem("", " ".join(error.messages))]
        raise _RowFailed(row, problems) from error
    except Exception as error:
        logger.exception("import of %s: row %s could not be recorded", row.values.get("external_id") or "a call", row.number)
        raise _RowFailed(row, [problem("", _("Could not be recorded: %(error)s") % {"error": error})]) from error
