"""Import of basic records (residents, houses, organisations) from a CSV or XLSX file.

One path for the page, the API and the benchmark: `import_records(station, kind, data,
filename, user=, mapping=, dry_run=)`.

1. **Read** the file (`fengqiao.core.tabular`: CSV in UTF-8, UTF-16 or GB18030/GBK, or the
   first sheet of an XLSX workbook) and find its header row.
2. **Map** columns to fields: guessed from Chinese or English headers (姓名/name,
   公民身份号码/身份证号/id_number, 现住址/地址/address …), or as the user chose them.
3. **Check** every row, naming the row as the user sees it in the file (header = row 1)
   and the column as headed there: a missing required value, a bad identity number
   (worded by `services.id_number_error`), a bad date or choice, an address that is not a
   standard address (with up to three suggestions from the station's address index), an
   identity number (or house address, or credit code) given twice in the file. A row
   whose identity number is already on record **updates** that record instead of making
   a second one ("enter once"); an empty cell leaves the recorded value as it is.
4. **Commit**, only when no row is bad and this is not a dry run: every new record and
   every changed one in ONE transaction, written in batches (`bulk_create`,
   `bulk_update`), then an `ImportBatch` row and ONE audit row (`IMPORTED`) with the
   counts and the ids touched. Bulk writes send no save signals, so the per-record audit
   rows of `audit.registry` are not written; the batch row and its audit row stand for
   them. Any failure keeps nothing.

Every value the report shows is masked (identity numbers 6+4, phones 3+4, and any such
number inside other text), so a report can be shown, returned and logged.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core import tabular
from fengqiao.core.masking import mask_id_number, mask_identifiers_in, mask_phone
from fengqiao.core.tabular import FileError, Problem, blank, cell_text, header_key
from fengqiao.organisation.models import Station

from . import crypto, idcard, services
from .models import Address, House, ImportBatch, Organisation, Resident

logger = logging.getLogger(__name__)

# -- limits -----------------------------------------------------------------------------------------

# A whole sub-district's register (100,000 people) fits in one file. All rows are written in
# one transaction; on SQLite that holds the write lock for the few seconds the writing takes
# (everything else — reading, checking, encrypting — is done before it starts).
MAX_ROWS = 200_000
MAX_BYTES = 64 * 1024 * 1024
# Rows per INSERT/UPDATE statement batch.
BATCH_SIZE = 2000
# Values asked for in one `IN (...)` query.
CHUNK = 900
# Address suggestions for a text that names no standard address for certain.
SUGGESTIONS = 3
# Problems the report keeps in full (the counts are always complete).
MAX_PROBLEMS = 10_000
EARLIEST_YEAR = 1900

# -- columns -------------------------------------------------------------------------------------------

ID_NUMBER = "id_number"
PHONE = "phone"


@dataclass(frozen=True)
class Column:
    """A field a file's column can fill: its Chinese header, other names, and how to read it."""

    field: str
    label_zh: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    secret: str = ""  # ID_NUMBER or PHONE: how its values are masked when shown
    title: Any = ""  # the field's name in the interface (lazy translation)


def _column(title: str) -> Any:
    """A field's name in the interface, translated in the context of import columns."""
    return pgettext_lazy("import column", title)


RESIDENT_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "人员姓名", "居民姓名", "name", "full_name"), required=True, max_length=50,
           title=_column("Name")),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号", "公民身份证号码",
                                       "证件号", "id_number", "id_card", "idcard", "id"), required=True, secret=ID_NUMBER,
           title=_column("Identity number")),
    Column("phone", "联系电话", ("手机号", "手机号码", "电话", "手机", "联系方式", "电话号码", "phone", "mobile"),
           max_length=20, secret=PHONE, title=_column("Phone")),
    Column("address", "现住址", ("居住地址", "地址", "住址", "现居住地址", "实际居住地址", "标准地址", "现住地址", "address"),
           max_length=200, title=_column("Current address")),
    Column("registration", "人员类型", ("户籍类型", "人口类型", "户籍性质", "户籍/流动", "registration"),
           title=_column("Registered or migrant")),
    Column("relation", "与房屋关系", ("居住关系", "与房主关系", "relation"), title=_column("Relation to the house")),
    Column("moved_in_on", "入住日期", ("迁入日期", "入住时间", "居住起始日期", "来本地日期", "moved_in_on", "moved_in"),
           title=_column("Moved in on")),
    Column("moved_out_on", "迁出日期", ("搬离日期", "离开日期", "迁出时间", "moved_out_on", "moved_out"),
           title=_column("Moved out on")),
    Column("notes", "备注", ("说明", "notes", "remark", "remarks"), max_length=2000, title=_column("Notes")),
)

HOUSE_COLUMNS: tuple[Column, ...] = (
    Column("address", "房屋地址", ("地址", "标准地址", "房屋坐落", "坐落", "address"), required=True, max_length=200,
           title=_column("Address of the house")),
    Column("use", "房屋用途", ("用途", "use"), title=_column("Use")),
    Column("tenure", "是否出租", ("居住类型", "出租情况", "房屋状态", "自住/出租", "tenure", "rented"),
           title=_column("Owner-occupied or rented")),
    Column("landlord_name", "房东姓名", ("房主姓名", "业主姓名", "出租人", "出租人姓名", "房东", "landlord", "landlord_name"),
           max_length=50, title=_column("Landlord's name")),
    Column("landlord_phone", "房东电话", ("房主电话", "业主电话", "出租人电话", "房东联系电话", "landlord_phone"),
           max_length=20, secret=PHONE, title=_column("Landlord's phone")),
    Column("rental_registered_on", "出租登记日期", ("登记日期", "租赁登记日期", "rental_registered_on"),
           title=_column("Rental registered on")),
    Column("rental_expires_on", "登记到期日期", ("到期日期", "租赁到期日期", "租期届满日期", "rental_expires_on"),
           title=_column("Rental registration expires on")),
    Column("notes", "备注", ("说明", "notes", "remark", "remarks"), max_length=2000, title=_column("Notes")),
)

ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "单位名称", ("名称", "企业名称", "店名", "商户名称", "场所名称", "name"), required=True, max_length=100,
           title=_column("Name of the organisation")),
    Column("kind", "类别", ("单位类别", "单位类型", "行业类别", "类型", "kind"), title=_column("Kind")),
    Column("address", "地址", ("单位地址", "经营地址", "场所地址", "address"), max_length=200, title=_column("Address")),
    Column("contact_name", "联系人", ("负责人", "法定代表人", "法人", "contact", "contact_name"), max_length=50,
           title=_column("Contact")),
    Column("contact_phone", "联系电话", ("电话", "手机", "负责人电话", "联系人电话", "contact_phone", "phone"), max_length=20,
           secret=PHONE, title=_column("Contact phone")),
    Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "credit_code"), max_length=30,
           title=_column("Unified social credit code")),
    Column("key_place", "重点单位", ("是否重点单位", "重点场所", "是否重点场所", "key_place"), title=_column("Key place")),
    Column("employees", "从业人数", ("员工人数", "职工人数", "人数", "employees"), title=_column("Employees")),
    Column("notes", "备注", ("说明", "notes", "remark", "remarks"), max_length=2000, title=_column("Notes")),
)

KIND_COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportBatch.Kind.RESIDENTS: RESIDENT_COLUMNS,
    ImportBatch.Kind.HOUSES: HOUSE_COLUMNS,
    ImportBatch.Kind.ORGANISATIONS: ORGANISATION_COLUMNS,
}
KINDS = tuple(KIND_COLUMNS)
# How each field's values are masked when shown (the same for every kind that has the field).
FIELD_SECRETS = {column.field: column.secret for columns in KIND_COLUMNS.values() for column in columns if column.secret}
# Fields of free text, where an identity number would be kept in the clear.
FREE_TEXT = frozenset({"name", "address", "notes", "landlord_name", "contact_name"})


def columns_of(kind: str) -> tuple[Column, ...]:
    try:
        return KIND_COLUMNS[kind]
    except KeyError:
        raise ValueError(f"unknown kind of records: {kind!r}") from None


def _column_keys(kind: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for column in columns_of(kind):
        for name in (column.label_zh, *column.aliases):
            keys.setdefault(header_key(name), column.field)
    return keys


_HEADER_KEYS: dict[str, dict[str, str]] = {kind: _column_keys(kind) for kind in KINDS}


def guess_field(kind: str, header: str) -> str:
    """The field a column headed `header` fills, or "" when the header is not known."""
    return _HEADER_KEYS[kind].get(header_key(header), "")


def template_csv(kind: str) -> bytes:
    """The header row of an import file of `kind`, in Chinese (UTF-8 with a BOM for Excel)."""
    return tabular.template_csv([column.label_zh for column in columns_of(kind)])


# -- values: choices, masks -----------------------------------------------------------------------------

# Choice codes by the ways registers write them (compared through `header_key`).
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "registration": {
        Resident.Registration.REGISTERED: ("户籍", "户籍人口", "常住", "常住人口", "本地", "户籍居民", "本地户籍", "registered"),
        Resident.Registration.MIGRANT: ("流动", "流动人口", "暂住", "暂住人口", "外来", "外来人口", "migrant"),
        Resident.Registration.OVERSEAS: ("境外", "境外人员", "外籍", "外籍人员", "overseas"),
    },
    "relation": {
        Resident.Relation.OWNER: ("户主", "业主", "房主", "产权人", "本人", "owner"),
        Resident.Relation.FAMILY: ("家属", "家庭成员", "亲属", "配偶", "子女", "父母", "family"),
        Resident.Relation.TENANT: ("租户", "租客", "承租人", "租住", "tenant"),
        Resident.Relation.OTHER: ("其他", "借住", "other"),
    },
    "use": {
        House.Use.RESIDENTIAL: ("住宅", "居住", "民用住宅", "residential"),
        House.Use.COMMERCIAL: ("商用", "商业", "商铺", "门面", "门市", "经营", "commercial"),
        House.Use.MIXED: ("商住", "商住两用", "mixed"),
        House.Use.DORMITORY: ("宿舍", "员工宿舍", "集体宿舍", "dormitory"),
        House.Use.VACANT: ("空置", "闲置", "vacant"),
    },
    "tenure": {
        House.Tenure.RENTED: ("出租", "是", "租住", "租赁", "出租房", "出租屋", "rented", "yes", "y", "1"),
        House.Tenure.OWNER_OCCUPIED: ("自住", "否", "自用", "非出租", "owner_occupied", "owner-occupied", "no", "n", "0"),
        House.Tenure.VACANT: ("空置", "空房", "闲置", "empty", "vacant"),
    },
    "kind": {
        Organisation.Kind.SHOP: ("商店", "商铺", "门店", "零售", "超市", "便利店", "shop"),
        Organisation.Kind.RESTAURANT: ("餐饮", "饭店", "餐馆", "餐厅", "restaurant"),
        Organisation.Kind.FIRM: ("公司", "企业", "firm"),
        Organisation.Kind.SCHOOL: ("学校", "幼儿园", "培训机构", "school"),
        Organisation.Kind.HOTEL: ("宾馆", "旅馆", "酒店", "民宿", "旅社", "hotel"),
        Organisation.Kind.HOSPITAL: ("医院", "诊所", "卫生院", "hospital"),
        Organisation.Kind.ENTERTAINMENT: ("娱乐场所", "ktv", "网吧", "酒吧", "歌舞厅", "entertainment"),
        Organisation.Kind.FINANCE: ("银行", "金融", "典当", "finance"),
        Organisation.Kind.MARKET: ("市场", "农贸市场", "market"),
        Organisation.Kind.CONSTRUCTION: ("工地", "建筑工地", "construction"),
        Organisation.Kind.OTHER: ("其他", "other"),
    },
}
_CHOICE_MODELS = {
    "registration": Resident.Registration, "relation": Resident.Relation, "use": House.Use,
    "tenure": House.Tenure, "kind": Organisation.Kind,
}
_CHOICE_KEYS: dict[str, dict[str, str]] = {}
for _name, _codes in CHOICES.items():
    _CHOICE_KEYS[_name] = {}
    for _code, _words in _codes.items():
        for _word in (_code, *_words):
            _CHOICE_KEYS[_name][header_key(_word)] = _code

_YES = {header_key(word) for word in ("是", "重点", "重点单位", "√", "✓", "yes", "y", "true", "1")}
_NO = {header_key(word) for word in ("否", "不是", "非重点", "×", "no", "n", "false", "0")}

# An identity number in a free-text cell: it would be stored in the clear.
_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def choice_labels(name: str) -> str:
    """The accepted values of a choice, as the report lists them: 户籍、流动、境外."""
    return "、".join(words[0] for words in CHOICES[name].values())


_CHOICES_READ: dict[tuple[str, str], str] = {}  # (choice, value as written) → code: registers repeat a few words


def parse_choice(name: str, value: str) -> str:
    """The code of a choice for the way a register writes it; ValueError naming the accepted ones."""
    found = _CHOICES_READ.get((name, value))
    if found is None:
        found = _parse_choice(name, value)
        if len(_CHOICES_READ) < 10_000:
            _CHOICES_READ[(name, value)] = found
    return found


def _parse_choice(name: str, value: str) -> str:
    code = _CHOICE_KEYS[name].get(header_key(value))
    if code is None:
        for choice_code, label in _CHOICE_MODELS[name].choices:
            if header_key(str(label)) == header_key(value):
                return str(choice_code)
        raise ValueError(_("Unknown value “%(value)s”; use one of: %(accepted)s.") % {
            "value": value, "accepted": choice_labels(name)})
    return code


def parse_yes_no(value: str) -> bool:
    key = header_key(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(_("Write 是 or 否, not “%(value)s”.") % {"value": value})


def credit_code_is_valid(code: str) -> bool:
    """The check character of a unified social credit code (GB 32100-2015)."""
    if len(code) != 18 or any(char not in _CREDIT_ALPHABET for char in code):
        return False
    total = sum(_CREDIT_ALPHABET.index(char) * weight for char, weight in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def _phone_digits(raw: str) -> str:
    return "".join(raw.split()).replace("-", "")


def masked(value: Any, secret: str = "") -> str:
    """A cell as the report may show it."""
    text = cell_text(value)
    if secret == ID_NUMBER:
        return mask_id_number(text)
    if secret == PHONE:
        return mask_phone(text)
    return mask_identifiers_in(text)


def normalised_address(text: str) -> str:
    """An address as compared for an exact match: width-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# -- the report ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding(Problem):
    """A problem of one row (or of the header), for people: error or warning, the value
    as written in the cell (masked) and, for an unknown address, the suggested ones."""

    level: str = "error"
    value: str = ""
    suggestions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "level": self.level,
                "message": self.message, "value": self.value, "suggestions": list(self.suggestions)}


NEW = "new"
UPDATE = "update"
UNCHANGED = "unchanged"
BAD = "bad"


@dataclass(slots=True)
class RowResult:
    """One data row: what it says (checked values), what it will do, and its problems."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # field → the cell as written (never shown as is)
    problems: list[Finding] = field(default_factory=list)
    action: str = ""
    existing_id: int | None = None
    key: Any = None  # what identifies the record: identity hash, address id, credit code …

    @property
    def errors(self) -> list[Finding]:
        return [problem for problem in self.problems if problem.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [problem for problem in self.problems if problem.level == "warning"]

    @property
    def bad(self) -> bool:
        return any(problem.level == "error" for problem in self.problems)

    @property
    def shown(self) -> dict[str, str]:
        """field → the cell as written, masked (worked out only for the rows a report shows)."""
        return {name: masked(text, FIELD_SECRETS.get(name, "")) for name, text in self.cells.items()}


@dataclass
class ImportReport:
    """What a check (or an import) of a file found and did."""

    kind: str
    filename: str
    station: Station
    dry_run: bool
    file_format: str = ""  # "csv" or "xlsx"
    encoding: str = ""
    header_row: int = 0
    headers: list[str] = field(default_factory=list)  # titles of the columns, masked
    mapping: list[str] = field(default_factory=list)  # column index → field ("" = not imported)
    samples: list[list[str]] = field(default_factory=list)  # column index → first values, masked
    file_errors: list[str] = field(default_factory=list)
    header_problems: list[Finding] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    committed: bool = False
    failure: str = ""
    batch_id: int | None = None
    created_ids: list[int] = field(default_factory=list, repr=False)
    updated_ids: list[int] = field(default_factory=list, repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        found = {"rows": len(self.rows), NEW: 0, UPDATE: 0, UNCHANGED: 0, BAD: 0, "warnings": 0}
        for row in self.rows:
            found[row.action or BAD] += 1
            if not row.bad and row.problems:
                found["warnings"] += 1
        return found

    @property
    def header_errors(self) -> list[Finding]:
        return [problem for problem in self.header_problems if problem.level == "error"]

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.header_errors or self.failure) or any(row.bad for row in self.rows)

    @property
    def can_commit(self) -> bool:
        return not self.has_errors and bool(self.rows) and not self.committed

    @property
    def fields(self) -> dict[str, str]:
        """field → the header of the column that fills it."""
        return {name: self.headers[index] for index, name in enumerate(self.mapping) if name}

    def problems(self, limit: int = MAX_PROBLEMS) -> list[Finding]:
        """Problems of the file and its rows, errors first, row by row."""
        found = list(self.header_problems)
        errors = (problem for row in self.rows for problem in row.problems if problem.level == "error")
        warnings = (problem for row in self.rows for problem in row.problems if problem.level == "warning")
        found.extend(itertools.islice(itertools.chain(errors, warnings), max(0, limit - len(found))))
        return found

    def problem_rows(self, limit: int) -> list[RowResult]:
        """Rows with a problem (bad ones first), at most `limit`."""
        bad = (row for row in self.rows if row.bad)
        warned = (row for row in self.rows if row.problems and not row.bad)
        return list(itertools.islice(itertools.chain(bad, warned), limit))

    def as_dict(self, *, rows: int = 50) -> dict[str, Any]:
        """The report as the API returns it: counts, mapping, every problem (up to
        MAX_PROBLEMS) and the first `rows` rows with what each will do."""
        problems = self.problems()
        total_problems = len(self.header_problems) + sum(len(row.problems) for row in self.rows)
        return {
            "kind": self.kind, "filename": mask_identifiers_in(self.filename), "station": self.station.code,
            "dry_run": self.dry_run, "committed": self.committed, "batch_id": self.batch_id,
            "format": self.file_format, "encoding": self.encoding, "header_row": self.header_row,
            "mapping": [{"column": index + 1, "header": header, "field": self.mapping[index] if index < len(self.mapping) else ""}
                        for index, header in enumerate(self.headers)],
            "counts": self.counts,
            "file_errors": list(self.file_errors),
            "failure": self.failure,
            "problems": [problem.as_dict() for problem in problems],
            "problems_left_out": total_problems - len(problems),
            "rows": [{"row": row.number, "action": row.action or BAD, "values": dict(row.shown),
                      "problems": [problem.as_dict() for problem in row.problems]} for row in self.rows[:rows]],
        }


# -- reading and mapping -------------------------------------------------------------------------------------


@dataclass
class Table:
    """The file as read: header titles (as written) and the data rows with their numbers."""

    file_format: str
    encoding: str
    header_row: int
    titles: list[str]
    rows: list[tuple[int, list[Any]]]
    title_rows: list[int]


def read_file(kind: str, data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> Table:
    """The header and rows of a file; FileError when it cannot be read as a whole."""
    file_format, encoding, table = tabular.read_table(data, filename, max_bytes=MAX_BYTES)
    known = _HEADER_KEYS[kind]
    titles_above, top = tabular.find_header(table, known.__contains__)
    if not top:
        raise FileError(_("The file has no header row and no records."))
    (header_number, header_cells), early = top[0], top[1:]
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in itertools.chain(early, table):
        if blank(cells):
            continue
        if len(rows) >= max_rows:
            raise FileError(_("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": f"{max_rows:,}"})
        rows.append((number, cells))
    if not rows:
        raise FileError(_("The file has a header row but no records."))
    titles = [cell_text(cell) for cell in header_cells]
    return Table(file_format, encoding, header_number, titles, rows, [number for number, _cells in titles_above])


def guess_mapping(kind: str, titles: list[str]) -> list[str]:
    """column index → field, from the headers; a field only for its first column."""
    mapping: list[str] = []
    taken: set[str] = set()
    for title in titles:
        name = guess_field(kind, title) if title else ""
        if name in taken:
            name = ""
        taken.add(name)
        mapping.append(name)
    return mapping


def mapping_from_names(kind: str, titles: list[str], chosen: dict[str, str]) -> list[str]:
    """column index → field from {header as written: field}; headers not named keep their
    guess. ValueError for an unknown field or header."""
    fields = {column.field for column in columns_of(kind)}
    mapping = guess_mapping(kind, titles)
    by_title = {title: index for index, title in reversed(list(enumerate(titles))) if title}
    for title, name in chosen.items():
        name = (name or "").strip()
        if name and name not in fields:
            raise ValueError(_("Unknown field “%(field)s”; the fields are: %(fields)s.") % {
                "field": name, "fields": ", ".join(sorted(fields))})
        index = by_title.get(title)
        if index is None and title.isdigit() and 1 <= int(title) <= len(titles):
            index = int(title) - 1  # a column by its number, for headers written twice
        if index is None:
            raise ValueError(_("The file has no column headed “%(header)s”.") % {"header": mask_identifiers_in(title)})
        mapping[index] = name
    return mapping


def _check_mapping(kind: str, table: Table, mapping: list[str]) -> list[Finding]:
    """Header problems: a field given by two columns, a required column missing,
    columns not imported (a warning each)."""
    problems: list[Finding] = []
    first: dict[str, int] = {}
    for index, name in enumerate(mapping):
        title = masked(table.titles[index]) if index < len(table.titles) else ""
        if not name:
            if title:
                problems.append(Finding(table.header_row, title, "", _("This column is not imported."), level="warning"))
            continue
        if name in first:
            problems.append(Finding(table.header_row, title, name, _("The column “%(first)s” already gives this field.") % {
                "first": masked(table.titles[first[name]])}))
            continue
        first[name] = index
    for column in columns_of(kind):
        if column.required and column.field not in first:
            problems.append(Finding(table.header_row, f"{column.label_zh} ({column.field})", column.field,
                                    _("This column is missing.")))
    for number in table.title_rows:
        problems.append(Finding(number, "", "", _("Taken as a title above the header and ignored."), level="warning"))
    return problems


# -- checking rows (no database) --------------------------------------------------------------------------------


# Translated only when a row needs them (a gettext call per row costs more than the row's check).
_MOVED_OUT_EARLY = gettext_lazy("Moved out before moving in.")
_EXPIRES_EARLY = gettext_lazy("The registration expires before it was made.")


class RowChecker:
    """Checks the cells of one row into values; `fail` and `warn` add findings."""

    def __init__(self, kind: str, headers: dict[str, str], *, encrypt: bool = False) -> None:
        self.kind = kind
        self.headers = headers
        self.columns = {column.field: column for column in columns_of(kind)}
        # For an import (not a dry run) identity numbers are encrypted as they are read,
        # so that each is parsed once, and outside the writing transaction.
        self.encrypt = encrypt
        self._check_kind = getattr(self, f"_check_{kind}")
        self._today = dt.date.today()
        self._required = [column.field for column in self.columns.values() if column.required and column.field != ID_NUMBER]

    def column_title(self, name: str) -> str:
        column = self.columns.get(name)
        return self.headers.get(name) or (f"{column.label_zh} ({name})" if column else name)

    def finding(self, row: RowResult, name: str, message: str, *, level: str = "error",
                suggestions: tuple[str, ...] = ()) -> Finding:
        found = Finding(row.number, self.column_title(name), name, mask_identifiers_in(message), level=level,
                        value=masked(row.cells.get(name, ""), FIELD_SECRETS.get(name, "")), suggestions=suggestions)
        row.problems.append(found)
        return found

    def check(self, row: RowResult, raw: dict[str, Any]) -> None:
        texts: dict[str, str] = {}
        cells = row.cells
        for name, value in raw.items():
            column = self.columns[name]
            text = cell_text(value)
            cells[name] = text
            if column.max_length is not None and len(text) > column.max_length:
                self.finding(row, name, _("Longer than %(limit)s characters.") % {"limit": column.max_length})
                continue
            if name in FREE_TEXT and len(text) >= 18 and _ID_IN_TEXT.search(text):
                self.finding(row, name, _("This looks like an identity number; it would be kept unencrypted here. "
                                          "Map the column of identity numbers to “%(field)s”.") % {"field": _("identity number")})
                continue
            texts[name] = text
        for name in self._required:
            if name in raw and not texts.get(name) and not any(problem.field == name for problem in row.problems):
                self.finding(row, name, _("This value is required."))
        self._check_kind(row, raw, texts)

    # -- shared pieces

    def _text(self, row: RowResult, texts: dict[str, str], name: str) -> None:
        value = texts.get(name, "")
        if value:
            row.values[name] = " ".join(value.split())

    def _phone(self, row: RowResult, texts: dict[str, str], name: str) -> None:
        phone = _phone_digits(texts.get(name, ""))
        if not phone:
            return
        if not (phone.isdigit() and 7 <= len(phone) <= 12):
            self.finding(row, name, _("A phone number is 7 to 12 digits."))
        else:
            row.values[name] = phone

    def _date(self, row: RowResult, raw: dict[str, Any], texts: dict[str, str], name: str) -> None:
        if not texts.get(name):
            return
        try:
            row.values[name] = tabular.parse_date(raw[name], earliest_year=EARLIEST_YEAR)
        except ValueError as error:
            self.finding(row, name, str(error))

    def _choice(self, row: RowResult, texts: dict[str, str], name: str) -> None:
        if not texts.get(name):
            return
        try:
            row.values[name] = parse_choice(name, texts[name])
        except ValueError as error:
            self.finding(row, name, str(error))

    def _dates_in_order(self, row: RowResult, first: str, then: str, message: Any) -> None:
        if row.values.get(first) and row.values.get(then) and row.values[then] < row.values[first]:
            self.finding(row, then, str(message))

    # -- the kinds

    def _check_residents(self, row: RowResult, raw: dict[str, Any], texts: dict[str, str]) -> None:
        self._text(row, texts, "name")
        self._identity(row, raw, texts)
        self._phone(row, texts, "phone")
        self._text(row, texts, "address")
        self._choice(row, texts, "registration")
        self._choice(row, texts, "relation")
        self._date(row, raw, texts, "moved_in_on")
        self._date(row, raw, texts, "moved_out_on")
        self._dates_in_order(row, "moved_in_on", "moved_out_on", _MOVED_OUT_EARLY)
        self._text(row, texts, "notes")

    def _identity(self, row: RowResult, raw: dict[str, Any], texts: dict[str, str]) -> None:
        value = raw.get(ID_NUMBER)
        text = texts.get(ID_NUMBER, "")
        if not text:
            return
        if isinstance(value, float):
            # Excel keeps 15 significant digits of a number: the last ones are gone.
            self.finding(row, ID_NUMBER, _("Excel stored this identity number as a number and lost its last digits; "
                                           "format the column as text and type the numbers again."))
            return
        if self.encrypt:
            try:
                identity = services.identity_fields(text)
            except ValidationError as invalid:
                self.finding(row, ID_NUMBER, " ".join(invalid.message_dict[ID_NUMBER]))
                return
            row.values[ID_NUMBER] = identity
            row.key = identity.id_number_hash
            return
        try:
            parsed = idcard.parse(text, today=self._today)
        except idcard.InvalidIdNumber as invalid:
            self.finding(row, ID_NUMBER, services.id_number_error(invalid.code))
            return
        row.values[ID_NUMBER] = parsed.number
        row.key = crypto.search_hash(parsed.number)

    def _check_houses(self, row: RowResult, raw: dict[str, Any], texts: dict[str, str]) -> None:
        self._text(row, texts, "address")
        self._choice(row, texts, "use")
        self._choice(row, texts, "tenure")
        self._text(row, texts, "landlord_name")
        self._phone(row, texts, "landlord_phone")
        self._date(row, raw, texts, "rental_registered_on")
        self._date(row, raw, texts, "rental_expires_on")
        self._dates_in_order(row, "rental_registered_on", "rental_expires_on", _EXPIRES_EARLY)
        self._text(row, texts, "notes")

    def _check_organisations(self, row: RowResult, raw: dict[str, Any], texts: dict[str, str]) -> None:
        self._text(row, texts, "name")
        self._choice(row, texts, "kind")
        self._text(row, texts, "address")
        self._text(row, texts, "contact_name")
        self._phone(row, texts, "contact_phone")
        code = "".join(texts.get("credit_code", "").split()).upper()
        if code:
            if not (len(code) == 18 and code.isalnum()):
                self.finding(row, "credit_code", _("A unified social credit code has 18 letters and digits."))
            else:
                row.values["credit_code"] = code
                if not credit_code_is_valid(code):
                    self.finding(row, "credit_code", _("The check character of this credit code is wrong; "
                                                       "check for a mistyped character."), level="warning")
        if texts.get("key_place"):
            try:
                row.values["key_place"] = parse_yes_no(texts["key_place"])
            except ValueError as error:
                self.finding(row, "key_place", str(error))
        employees = texts.get("employees", "")
        if employees:
            digits = unicodedata.normalize("NFKC", employees).removesuffix("人").strip()
            if digits.isdigit():
                row.values["employees"] = int(digits)
            else:
                self.finding(row, "employees", _("Give a number of employees of 0 or more."))
        self._text(row, texts, "notes")


def check_rows(kind: str, table: Table, mapping: list[str], *, encrypt: bool = False) -> list[RowResult]:
    """Every row of the table checked on its own (nothing that needs the station)."""
    headers = {name: masked(table.titles[index]) for index, name in enumerate(mapping) if name and index < len(table.titles)}
    checker = RowChecker(kind, headers, encrypt=encrypt)
    used = [(index, name) for index, name in enumerate(mapping) if name]
    results: list[RowResult] = []
    for number, cells in table.rows:
        row = RowResult(number)
        raw = {name: (cells[index] if index < len(cells) else None) for index, name in used}
        checker.check(row, raw)
        results.append(row)
    return results


# -- the station's side: addresses, records already kept -------------------------------------------------


class AddressBook:
    """The station's standard addresses, for reading the addresses of a file.

    An address is found by its exact written form first (spaces and widths aside, with or
    without the district and sub-district), through a dict; only a text that is not found
    so goes to the station's address index (`intake.services.station_address_index`),
    whose confident match is taken (with a warning saying so) and whose other
    candidates are offered as suggestions. Each distinct text is looked up once.
    """

    def __init__(self, station_id: int) -> None:
        self.station_id = station_id
        self.exact: dict[str, tuple[int, int | None, str]] = {}
        short: dict[str, tuple[int, int | None, str] | None] = {}
        rows = (Address.objects.for_stations([station_id]).order_by()
                .values_list("id", "full_text", "district", "street", "beat_id").iterator(chunk_size=5000))
        for pk, full_text, district, street, beat_id in rows:
            entry = (pk, beat_id, full_text)
            self.exact[normalised_address(full_text)] = entry
            prefix = f"{district}{street}"
            if prefix and full_text.startswith(prefix):
                key = normalised_address(full_text[len(prefix):])
                short[key] = None if key in short else entry  # a rest shared by two streets is no answer
        self.short = {key: entry for key, entry in short.items() if entry is not None}
        self._index: Any = None
        self._seen: dict[str, tuple[tuple[int, int | None, str] | None, bool, tuple[str, ...]]] = {}

    def find(self, text: str) -> tuple[tuple[int, int | None, str] | None, bool, tuple[str, ...]]:
        """((address id, beat id, full text) or None, read by the fuzzy matcher?, suggestions)."""
        found = self._seen.get(text)
        if found is None:
            found = self._find(text)
            self._seen[text] = found
        return found

    def _find(self, text: str) -> tuple[tuple[int, int | None, str] | None, bool, tuple[str, ...]]:
        key = normalised_address(text)
        entry = self.exact.get(key) or self.short.get(key)
        if entry is not None:
            return entry, False, ()
        if self._index is None:
            from fengqiao.intake.services import station_address_index

            self._index = station_address_index(self.station_id)
        candidates = self._index.match(text, limit=SUGGESTIONS)
        if candidates and candidates[0].confident:
            best = self.exact.get(normalised_address(candidates[0].full_text))
            if best is not None:
                return best, True, ()
        return None, False, tuple(candidate.full_text for candidate in candidates)


def _resolve_addresses(checker: RowChecker, rows: list[RowResult], book: AddressBook) -> None:
    for row in rows:
        text = row.values.get("address")
        if not text:
            continue
        entry, fuzzy, suggestions = book.find(text)
        if entry is None:
            if suggestions:
                message = _("No standard address matches “%(value)s”. Did you mean one of the suggested addresses?")
            else:
                message = _("No standard address matches “%(value)s”; add it to the standard addresses first.")
            checker.finding(row, "address", message % {"value": masked(row.cells.get("address", ""))}, suggestions=suggestions)
            continue
        row.values["address_id"], row.values["beat_id"] = entry[0], entry[1]
        if fuzzy:
            checker.finding(row, "address", _("Read as the standard address %(address)s.") % {"address": entry[2]},
                            level="warning")


def _in_chunks(values: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# What each kind compares and writes, field by field (the values of a row by these names).
RESIDENT_FIELDS = ("name", "phone", "registration", "address_id", "beat_id", "relation", "moved_in_on", "moved_out_on", "notes")
HOUSE_FIELDS = ("beat_id", "use", "tenure", "landlord_name", "landlord_phone", "rental_registered_on", "rental_expires_on", "notes")
ORGANISATION_FIELDS = ("name", "kind", "address_id", "beat_id", "contact_name", "contact_phone", "credit_code",
                       "key_place", "employees", "notes")


def _changes(kept: dict[str, Any], values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The values of the row that differ from the record kept (as `values()` reads it);
    absent (empty) values leave the record be."""
    return {name: values[name] for name in names if name in values and kept[name] != values[name]}


def _repeated(checker: RowChecker, rows: list[RowResult], name: str, message: str) -> None:
    """A key (identity number, address, credit code) may appear in one row only; later rows
    with it are bad, naming the first (also when one of them is bad for another reason)."""
    first: dict[Any, int] = {}
    for row in rows:
        if row.key is None:
            continue
        if row.key in first:
            checker.finding(row, name, message % {"row": first[row.key]})
        else:
            first[row.key] = row.number


def _plan_residents(station_id: int, checker: RowChecker, rows: list[RowResult]) -> dict[int, Any]:
    """Who each row is: the record with its identity number (the row's key is its keyed
    hash, set while checking), or for a person without one the record without a number of
    the same name at the same address; repeats within the file are bad; a new registered
    resident needs an identity number."""
    for row in rows:
        if row.key is None and not row.cells.get(ID_NUMBER) and row.values.get("name") and row.values.get("address_id"):
            row.key = ("name", row.values["name"], row.values["address_id"])
    with_number = [row for row in rows if isinstance(row.key, str)]
    _repeated(checker, with_number, ID_NUMBER, _("This identity number is also in row %(row)s."))
    _repeated(checker, [row for row in rows if isinstance(row.key, tuple)], "name",
              _("A person of this name at this address, without an identity number, is also in row %(row)s."))
    # No ordering: the model orders by station and name, which SQLite then reads the name
    # index for (every current resident, per chunk) instead of finding each number.
    scope = Resident.objects.for_stations([station_id]).filter(merged_into__isnull=True).order_by()
    columns = ("pk", "id_number_hash", *RESIDENT_FIELDS)
    existing: dict[Any, dict[str, Any]] = {}
    for chunk in _in_chunks({row.key for row in with_number if not row.bad}):
        existing.update((kept["id_number_hash"], kept) for kept in scope.filter(id_number_hash__in=chunk).values(*columns))
    for chunk in _in_chunks({row.key[1] for row in rows if isinstance(row.key, tuple) and not row.bad}):
        for kept in scope.filter(name__in=chunk, id_number_hash="").order_by("pk").values(*columns):
            existing.setdefault(("name", kept["name"], kept["address_id"]), kept)
    records: dict[int, Any] = {}
    for row in rows:
        if row.bad:
            continue
        kept = existing.get(row.key) if row.key is not None else None
        if kept is None:
            registration = row.values.get("registration", Resident.Registration.REGISTERED)
            if not row.values.get(ID_NUMBER) and registration == Resident.Registration.REGISTERED:
                checker.finding(row, ID_NUMBER, _("A registered resident needs an identity number."))
            continue
        row.existing_id = kept["pk"]
        records[kept["pk"]] = kept
        name = row.values.get("name")
        if name and name != kept["name"]:
            checker.finding(row, "name", _("This identity number is on record as %(name)s (No. %(id)s); the name will be changed.")
                            % {"name": kept["name"], "id": kept["pk"]}, level="warning")
    return records


def _plan_houses(station_id: int, checker: RowChecker, rows: list[RowResult]) -> dict[int, Any]:
    """One house per standard address: a row of an address with a house updates it."""
    for row in rows:
        row.key = row.values.get("address_id")
    _repeated(checker, rows, "address", _("This address is also in row %(row)s: one house per address."))
    address_ids = {row.key for row in rows if row.key is not None and not row.bad}
    existing: dict[int, dict[str, Any]] = {}
    scope = House.objects.for_stations([station_id]).order_by()
    for chunk in _in_chunks(address_ids):
        existing.update((kept["address_id"], kept) for kept in scope.filter(address_id__in=chunk).values("pk", "address_id", *HOUSE_FIELDS))
    records: dict[int, Any] = {}
    for row in rows:
        kept = existing.get(row.key) if not row.bad and row.key is not None else None
        if kept is not None:
            row.existing_id = kept["pk"]
            records[kept["pk"]] = kept
    return records


def _plan_organisations(station_id: int, checker: RowChecker, rows: list[RowResult]) -> dict[int, Any]:
    """An organisation is the same as one on record by its credit code, else by name and address."""
    for row in rows:
        code = row.values.get("credit_code")
        row.key = ("code", code) if code else ("name", row.values.get("name"), row.values.get("address_id"))
    _repeated(checker, rows, "name", _("This organisation is also in row %(row)s."))
    good = [row for row in rows if not row.bad]
    codes = {row.values["credit_code"] for row in good if row.values.get("credit_code")}
    names = {row.values.get("name") for row in good if not row.values.get("credit_code")}
    scope = Organisation.objects.for_stations([station_id]).order_by()
    columns = ("pk", *ORGANISATION_FIELDS)
    by_code: dict[str, dict[str, Any]] = {}
    for chunk in _in_chunks(codes):
        by_code.update((kept["credit_code"], kept) for kept in scope.filter(credit_code__in=chunk).values(*columns))
    by_name: dict[tuple[str, int | None], dict[str, Any]] = {}
    for chunk in _in_chunks(names):
        for kept in scope.filter(name__in=chunk).order_by("pk").values(*columns):
            by_name.setdefault((kept["name"], kept["address_id"]), kept)
    records: dict[int, Any] = {}
    for row in good:
        code = row.values.get("credit_code")
        found = by_code.get(code) if code else by_name.get((row.values.get("name"), row.values.get("address_id")))
        if found is not None:
            row.existing_id = found["pk"]
            records[found["pk"]] = found
    return records

_PLANS: dict[str, tuple[Callable[[int, RowChecker, list[RowResult]], dict[int, Any]], tuple[str, ...]]] = {
    ImportBatch.Kind.RESIDENTS: (_plan_residents, RESIDENT_FIELDS),
    ImportBatch.Kind.HOUSES: (_plan_houses, HOUSE_FIELDS),
    ImportBatch.Kind.ORGANISATIONS: (_plan_organisations, ORGANISATION_FIELDS),
}


def _decide(rows: list[RowResult], records: dict[int, Any], names: tuple[str, ...]) -> None:
    for row in rows:
        if row.bad:
            row.action = ""
        elif row.existing_id is None:
            row.action = NEW
        elif _changes(records[row.existing_id], row.values, names):
            row.action = UPDATE
        else:
            row.action = UNCHANGED


# -- the whole import ----------------------------------------------------------------------------------------------


def import_records(
    station: Station, kind: str, data: bytes, filename: str, *, user: Any, dry_run: bool,
    mapping: dict[str, str] | list[str] | None = None, max_rows: int = MAX_ROWS,
) -> ImportReport:
    """Check every row of the file; unless one is bad or this is a dry run, write all of
    them in one transaction with one audit row (see the module's docstring).

    `mapping` is {header as written: field} (headers not named keep their guess) or a
    list, column by column, of fields ("" = not imported); None guesses every column.
    """
    clock = _Clock()
    report = ImportReport(kind=kind, filename=filename, station=station, dry_run=dry_run)
    columns_of(kind)
    try:
        table = read_file(kind, data, filename, max_rows=max_rows)
    except FileError as error:
        report.file_errors.append(str(error))
        return report
    report.file_format, report.encoding, report.header_row = table.file_format, table.encoding, table.header_row
    report.headers = [masked(title) for title in table.titles]
    report.samples = _samples(kind, table)
    try:
        report.mapping = _mapping(kind, table.titles, mapping)
    except ValueError as error:
        report.mapping = guess_mapping(kind, table.titles)
        report.header_problems.append(Finding(table.header_row, "", "", str(error)))
        return report
    report.header_problems += _check_mapping(kind, table, report.mapping)
    clock.lap(report.timings, "read")
    if report.header_errors:  # a column missing or doubled: the rows cannot be judged
        return report
    report.rows = check_rows(kind, table, report.mapping, encrypt=not dry_run)
    del table
    checker = RowChecker(kind, {name: report.headers[index] for index, name in enumerate(report.mapping) if name})
    _resolve_addresses(checker, report.rows, AddressBook(station.pk))
    plan, names = _PLANS[kind]
    records = plan(station.pk, checker, report.rows)
    _decide(report.rows, records, names)
    clock.lap(report.timings, "check")
    if report.has_errors or dry_run:
        return report
    _commit(report, records, names, user=user)
    clock.lap(report.timings, "write")
    return report


def _mapping(kind: str, titles: list[str], mapping: dict[str, str] | list[str] | None) -> list[str]:
    if mapping is None:
        return guess_mapping(kind, titles)
    if isinstance(mapping, dict):
        return mapping_from_names(kind, titles, mapping)
    fields = {column.field for column in columns_of(kind)}
    chosen = [(name or "").strip() for name in mapping][: len(titles)]
    for name in chosen:
        if name and name not in fields:
            raise ValueError(_("Unknown field “%(field)s”; the fields are: %(fields)s.") % {
                "field": name, "fields": ", ".join(sorted(fields))})
    return chosen + [""] * (len(titles) - len(chosen))


def _samples(kind: str, table: Table, count: int = 3) -> list[list[str]]:
    """The first values of each column, masked (as the column's guessed field would show them)."""
    secrets = {column.field: column.secret for column in columns_of(kind)}
    samples: list[list[str]] = [[] for _title in table.titles]
    for index, title in enumerate(table.titles):
        secret = secrets.get(guess_field(kind, title), "")
        for _number, cells in table.rows[:count]:
            value = cells[index] if index < len(cells) else None
            text = masked(value, secret)
            # Whatever the column is said to be, a long run of digits is shown masked.
            samples[index].append(mask_id_number(text) if _looks_like_a_number(text) else text)
    return samples


def _looks_like_a_number(text: str) -> bool:
    """As long as a mobile or identity number (a date such as 2019-04-01 is not)."""
    compact = text.replace(" ", "").replace("-", "")
    return len(compact) >= 11 and compact[:-1].isdigit()


class _Clock:
    """Wall-clock and CPU seconds between laps, for the report's `timings` (the benchmark reads them)."""

    def __init__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, timings: dict[str, float], name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        timings[name], timings[f"{name}_cpu"] = round(wall - self._wall, 3), round(cpu - self._cpu, 3)
        self._wall, self._cpu = wall, cpu


# -- writing ----------------------------------------------------------------------------------------------------------


def _new_resident(station_id: int, values: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    row = {
        "station_id": station_id, "name": values["name"], "phone": values.get("phone", ""),
        "registration": values.get("registration", Resident.Registration.REGISTERED),
        "address_id": values.get("address_id"), "beat_id": values.get("beat_id"),
        "relation": values.get("relation", Resident.Relation.OWNER),
        "moved_in_on": values.get("moved_in_on"), "moved_out_on": values.get("moved_out_on"), "notes": values.get("notes", ""),
        "created_at": now, "updated_at": now,
        "id_number_cipher": "", "id_number_hash": "", "id_number_masked": "", "sex": "", "birth_date": None,
    }
    identity: services.IdentityFields | None = values.get(ID_NUMBER)
    if identity is not None:  # encrypted while checking, by services.identity_fields
        row.update(id_number_cipher=identity.id_number_cipher, id_number_hash=identity.id_number_hash,
                   id_number_masked=identity.id_number_masked, sex=identity.sex, birth_date=identity.birth_date)
    return row


def _new_house(station_id: int, values: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "station_id": station_id, "address_id": values["address_id"], "beat_id": values.get("beat_id"),
        "use": values.get("use", House.Use.RESIDENTIAL), "tenure": values.get("tenure", House.Tenure.OWNER_OCCUPIED),
        "landlord_name": values.get("landlord_name", ""), "landlord_phone": values.get("landlord_phone", ""),
        "rental_registered_on": values.get("rental_registered_on"), "rental_expires_on": values.get("rental_expires_on"),
        "notes": values.get("notes", ""), "created_at": now, "updated_at": now,
    }


def _new_organisation(station_id: int, values: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "station_id": station_id, "name": values["name"], "kind": values.get("kind", Organisation.Kind.SHOP),
        "address_id": values.get("address_id"), "beat_id": values.get("beat_id"),
        "contact_name": values.get("contact_name", ""), "contact_phone": values.get("contact_phone", ""),
        "credit_code": values.get("credit_code", ""), "key_place": values.get("key_place", False),
        "employees": values.get("employees"), "notes": values.get("notes", ""), "created_at": now, "updated_at": now,
    }


_MAKERS: dict[str, tuple[type[Any], Callable[[int, dict[str, Any], dt.datetime], dict[str, Any]]]] = {
    ImportBatch.Kind.RESIDENTS: (Resident, _new_resident),
    ImportBatch.Kind.HOUSES: (House, _new_house),
    ImportBatch.Kind.ORGANISATIONS: (Organisation, _new_organisation),
}


def insert_rows(model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """INSERT `rows` (attname → value; fields left out take their default), returning the
    new ids in order.

    What `bulk_create` does, without building a model instance per row and preparing
    every value through the SQL compiler, which cost more than the database's own work
    (100,000 residents: about half the import). On PostgreSQL the ids are drawn from the
    table's sequence first and the rows sent with COPY; elsewhere (SQLite) in multi-row
    INSERT … RETURNING statements. The values are checked already; like `bulk_create`,
    this sends no save signals.
    """
    if not rows:
        return []
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = [field.get_default() for field in fields]
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, defaults, rows)
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    # Table and column names come from the model, quoted; every value is a parameter.
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(model._meta.pk.column)}"
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(BATCH_SIZE, _max_parameters() // len(fields)))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for chunk in _in_chunks(rows, per_statement):
            params: list[Any] = []
            for row in chunk:
                for field, adapt, default in zip(fields, adapters, defaults, strict=True):
                    value = row.get(field.attname, default)
                    params.append(None if value is None else adapt(value))
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            ids.extend(found[0] for found in cursor.fetchall())
    return ids


def _copy_rows(model: type[Any], fields: list[Any], defaults: list[Any], rows: list[dict[str, Any]]) -> list[int]:
    """PostgreSQL: ids from the table's sequence, then COPY (psycopg adapts the values)."""
    from psycopg import sql

    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, len(rows)])
        ids = [found[0] for found in cursor.fetchall()]
        columns = sql.SQL(", ").join(sql.Identifier(name) for name in [pk, *(field.column for field in fields)])
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), columns)
        with cursor.cursor.copy(statement) as copy:
            for pk_value, row in zip(ids, rows, strict=True):
                copy.write_row([pk_value, *(row.get(field.attname, default) for field, default in zip(fields, defaults, strict=True))])
    return ids


def _adapter(field: Any) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if kind == "DateField":
        return connection.ops.adapt_datefield_value  # type: ignore[no-any-return]
    if kind in ("CharField", "TextField", "ForeignKey", "OneToOneField", "IntegerField", "PositiveIntegerField",
                "BigIntegerField", "FloatField", "BooleanField"):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


def _max_parameters() -> int:
    """Parameters one statement may carry: SQLite's compiled limit (32,766 since 3.32;
    Django assumes 999), PostgreSQL's 65,535."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return int(connection.features.max_query_params or 65_535)


def _commit(report: ImportReport, records: dict[int, Any], names: tuple[str, ...], *, user: Any) -> None:
    """Write every new and changed record, the batch row and its audit row, in one
    transaction. Everything that costs time (reading, checking, encrypting) is done
    before it begins, so that on SQLite the write lock is held only while writing."""
    model, make = _MAKERS[report.kind]
    station_id = report.station.pk
    now = timezone.now()
    new = [make(station_id, row.values, now) for row in report.rows if row.action == NEW]
    changes = {row.existing_id: _changes(records[row.existing_id], row.values, names)
               for row in report.rows if row.action == UPDATE}
    try:
        with transaction.atomic():
            created_ids = insert_rows(model, new)
            updated_ids = _update(model, station_id, changes, now)
            counts = report.counts
            batch = ImportBatch.objects.create(
                station_id=station_id, kind=report.kind, filename=report.filename[:200], rows=counts["rows"],
                created=counts[NEW], updated=counts[UPDATE], mapping=report.fields, imported_by=user,
            )
            # Bulk writes send no save signals, so the per-record audit rows are not
            # written: this row, with the ids as ranges, stands for them.
            record(
                AuditEntry.Action.IMPORTED, obj=batch, user=user,
                object_repr=f"import of {counts['rows']} {report.kind} from {report.filename}"[:200],
                changes={
                    "kind": report.kind, "file": report.filename, "rows": counts["rows"], "created": counts[NEW],
                    "updated": counts[UPDATE], "unchanged": counts[UNCHANGED],
                    "created_ids": id_ranges(created_ids), "updated_ids": id_ranges(updated_ids),
                },
            )
    except IntegrityError:
        logger.warning("import of %s into station %s collided with a concurrent change", report.kind, station_id, exc_info=True)
        report.failure = _("Nothing was imported: these records were changed by someone else while the file was "
                           "being imported. Check the file again.")
        return
    report.committed = True
    report.batch_id = batch.pk
    report.created_ids, report.updated_ids = created_ids, updated_ids


def _update(model: type[Any], station_id: int, changes: dict[int, dict[str, Any]], now: dt.datetime) -> list[int]:
    """Apply `changes` (record id → field → value) with `bulk_update`; the ids changed."""
    if not changes:
        return []
    scope = model.objects.for_stations([station_id]).order_by()
    targets: list[Any] = []
    fields: set[str] = {"updated_at"}
    for chunk in _in_chunks(sorted(changes)):
        for target in scope.filter(pk__in=chunk):
            for name, value in changes[target.pk].items():
                setattr(target, name, value)
            fields.update(changes[target.pk])
            target.updated_at = now
            targets.append(target)
    # Each batch is one UPDATE with a CASE per field: smaller batches keep those short.
    scope.bulk_update(targets, sorted(fields), batch_size=500)
    return sorted(target.pk for target in targets)


def id_ranges(ids: list[int]) -> list[list[int]]:
    """[1, 2, 3, 7, 9, 10] → [[1, 3], [7, 7], [9, 10]]: the ids an import touched, briefly."""
    ranges: list[list[int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges
