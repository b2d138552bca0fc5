"""`POST /api/v1/imports/{kind}`: the import of basic records, for scripts.

A multipart request with the `file` (CSV or XLSX), optionally a `mapping` (JSON object
{"header as written in the file": "field", …}; "" leaves a column out; headers not named
keep their guess) and, for a user of several stations, the `station` code. `dry_run`
(query, default true) only checks: 200 with the per-row report. `dry_run=false` imports
the whole file in one transaction when no row is bad (201 with the report and the
`batch_id`), and otherwise keeps nothing and answers 422 with the same report. Values
in the report are masked like everywhere else.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.organisation.models import Station
from fengqiao.organisation.selectors import station_ids_for, stations_by_id

from . import importing

router = Router(tags=["records"])

PERMISSION = "records.import_records"
Kind = Literal["residents", "houses", "organisations"]


class ProblemOut(Schema):
    row: int = Field(description="row number as in the file (the header is row 1 when it is the first)")
    column: str = Field(description="the column as headed in the file")
    field: str
    level: Literal["error", "warning"]
    message: str
    value: str = Field(description="the cell as written, masked")
    suggestions: list[str] = Field(description="standard addresses that come closest, for an unknown address")


class ColumnOut(Schema):
    column: int
    header: str
    field: str = Field(description="the field the column fills; empty when it is not imported")


class RowOut(Schema):
    row: int
    action: Literal["new", "update", "unchanged", "bad"]
    values: dict[str, str] = Field(description="the cells by field, masked")
    problems: list[ProblemOut]


class CountsOut(Schema):
    rows: int
    new: int
    update: int
    unchanged: int
    bad: int
    warnings: int


class ImportOut(Schema):
    kind: str
    filename: str
    station: str
    dry_run: bool
    committed: bool
    batch_id: int | None
    format: str
    encoding: str
    header_row: int
    mapping: list[ColumnOut]
    counts: CountsOut
    file_errors: list[str]
    failure: str
    problems: list[ProblemOut] = Field(description=f"every problem, errors first (at most {importing.MAX_PROBLEMS:,})")
    problems_left_out: int
    rows: list[RowOut] = Field(description="the first 50 rows and what each will do")


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        record(AuditEntry.Action.ACCESS_REFUSED, user=request.user, outcome=AuditEntry.Outcome.REFUSED,
               reason=f"missing permission {PERMISSION}", object_type="path", object_repr=request.path[:200])
        raise HttpError(403, "your role may not import records")


def _station(request: HttpRequest, code: str) -> Station:
    stations = stations_by_id(station_ids_for(request.user))
    if code:
        found = next((station for station in stations if station.code == code), None)
        if found is None:
            raise HttpError(422, f"station: no station {code!r} among yours")
        return found
    if len(stations) == 1:
        return stations[0]
    if not stations:
        raise HttpError(403, "you belong to no station")
    raise HttpError(422, "station: you see several stations; name one by its code")


def _mapping(raw: str) -> dict[str, str] | None:
    if not raw.strip():
        return None
    try:
        chosen = json.loads(raw)
    except ValueError:
        raise HttpError(422, "mapping: not JSON; send an object {\"header in the file\": \"field\"}") from None
    if not isinstance(chosen, dict) or not all(isinstance(key, str) and isinstance(value, str | None)
                                               for key, value in chosen.items()):
        raise HttpError(422, "mapping: send an object {\"header in the file\": \"field\"}")
    return {key: value or "" for key, value in chosen.items()}


@router.post("/imports/{kind}", response={200: ImportOut, 201: ImportOut, 422: ImportOut})
def post_import(
    request: HttpRequest, kind: Kind, file: File[UploadedFile], dry_run: bool = True,
    mapping: Form[str] = "", station: Form[str] = "",
) -> Any:
    """Check a file of residents, houses or organisations (`dry_run=true`, the default) or import it whole."""
    _require(request)
    chosen = _station(request, station.strip())
    if file.size and file.size > importing.MAX_BYTES:
        raise HttpError(413, f"file: larger than {importing.MAX_BYTES // (1024 * 1024)} MB; split it into smaller files")
    report = importing.import_records(
        chosen, kind, file.read(), file.name or "upload", user=request.user, dry_run=dry_run, mapping=_mapping(mapping),
    )
    body = report.as_dict()
    if report.committed:
        return Status(201, body)
    if report.file_errors or report.header_errors or (not dry_run and report.has_errors):
        return Status(422, body)
    return Status(200, body)
