"""Loading a verification list (核查名单) into a campaign: read, check, match, assign, keep.

One path for the page, the API, the demo and the benchmark:
`load_campaign(station, data, filename, user=, details=, mapping=, dry_run=)`.

1. **Read** the file through `core.tabular` (CSV in UTF-8 or GB18030, or the first sheet
   of an XLSX workbook) and find its header row; every column is kept as it came (the
   return has the original columns), four of them are *read*: the person's name, the
   identity number, the phone and the address. Which column is which is guessed from
   the headers (姓名, 公民身份号码/身份证号, 联系电话/手机号, 现住址/地址 …) or chosen.
2. **Check** every row, naming the row as the user sees it (header = row 1) and the
   column as headed; values shown are masked. A row is bad when it has neither a name
   nor an identity number, when its identity number is not a valid 18-character (or old
   15-digit) number, or when the same number is in an earlier row. A file without data
   rows, or with more than MAX_ROWS, is bad as a whole.
3. **Match** each row to the station's residents and standard addresses: by identity
   number; else by name and phone; else the address text to a standard address (its
   exact written form, then the intake address index's confident match).
4. **Assign** each item to the officer of its beat (the beat's responsible officer, else
   a community officer of that beat); items without one go round-robin within the
   community team (`plan.assign`, starting where the station's earlier lists left off)
   and say so; with no community team they stay unassigned for the commander.
5. **Keep**, only when no row is bad and this is not a dry run: the campaign, its items
   (`bulk_create`), one `CampaignLog` LOADED row, one audit row (IMPORTED) with the
   counts, and one "campaign" event — in one transaction. Any problem keeps nothing.

Each row's cells are kept encrypted (`records.crypto`) as JSON text: such lists carry
identity numbers and phones.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core import events, numbering, tabular
from fengqiao.core.masking import mask_id_number, mask_identifiers_in, mask_phone
from fengqiao.core.tabular import FileError, Problem, blank, cell_text, header_key
from fengqiao.organisation.models import Beat, Officer, Station, Team
from fengqiao.records import crypto, idcard
from fengqiao.records.importing import AddressBook
from fengqiao.records.models import Address, Resident
from fengqiao.records.services import id_number_error

from . import plan
from .models import Campaign, CampaignItem, CampaignLog

FIELDS = ("name", "id_number", "phone", "address")
MAX_ROWS = 20_000
MAX_BYTES = 16 * 1024 * 1024
# Campaign numbers: 核2026-0001, a sequence per station and year.
NUMBER_PREFIX = "核"
CHUNK = 900  # values per `IN (...)` query
BATCH_SIZE = 500  # items per INSERT
MAX_REMIND_BEFORE = 24 * 60
TITLE_LENGTH = 200
ISSUER_LENGTH = 100
INSTRUCTIONS_LENGTH = 4000
NAME_LENGTH = 50
ADDRESS_LENGTH = 200

# Headers each read field is known by (compared through `tabular.header_key`); the first
# column whose header is known fills the field.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "居民姓名", "核查对象", "对象姓名", "当事人", "name", "full_name"),
    "id_number": ("公民身份号码", "身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号", "公民身份证号码", "证件号",
                  "身份号码", "id_number", "id_card", "idcard"),
    "phone": ("联系电话", "手机号", "手机号码", "电话", "手机", "联系方式", "电话号码", "联系手机", "phone", "mobile"),
    "address": ("现住址", "地址", "居住地址", "住址", "现居住地址", "实际居住地址", "标准地址", "现住地址", "居住地",
                "address"),
}
_KNOWN: dict[str, str] = {header_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}


# -- what the list came with ------------------------------------------------------------------------


@dataclass
class CampaignDetails:
    title: str
    issuer: str
    deadline: dt.datetime
    instructions: str = ""
    remind_before: int = 60

    def cleaned(self, now: dt.datetime) -> CampaignDetails:
        """The details tidied, or ValidationError keyed by field."""
        errors: dict[str, list[str]] = {}
        title = " ".join((self.title or "").split())
        issuer = " ".join((self.issuer or "").split())
        instructions = (self.instructions or "").strip()
        if not title:
            errors["title"] = [_("Give the campaign a title.")]
        elif len(title) > TITLE_LENGTH:
            errors["title"] = [_("At most %(limit)s characters.") % {"limit": TITLE_LENGTH}]
        if not issuer:
            errors["issuer"] = [_("Say who issued the list (e.g. 分局治安大队).")]
        elif len(issuer) > ISSUER_LENGTH:
            errors["issuer"] = [_("At most %(limit)s characters.") % {"limit": ISSUER_LENGTH}]
        if len(instructions) > INSTRUCTIONS_LENGTH:
            errors["instructions"] = [_("At most %(limit)s characters.") % {"limit": INSTRUCTIONS_LENGTH}]
        deadline = self.deadline
        if deadline is None:
            errors["deadline"] = [_("Give the deadline.")]
        else:
            if timezone.is_naive(deadline):
                deadline = timezone.make_aware(deadline)
            if deadline <= now:
                errors["deadline"] = [_("The deadline has already passed.")]
            elif deadline - now > dt.timedelta(days=366):
                errors["deadline"] = [_("The deadline is more than a year away; check the date.")]
        remind = self.remind_before
        if remind is None or not 0 <= int(remind) <= MAX_REMIND_BEFORE:
            errors["remind_before"] = [_("Between 0 and %(limit)s minutes.") % {"limit": MAX_REMIND_BEFORE}]
        if errors:
            raise ValidationError(errors)
        return CampaignDetails(title=title, issuer=issuer, deadline=deadline, instructions=instructions,
                               remind_before=int(remind))

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "issuer": self.issuer, "deadline": self.deadline.isoformat(),
                "instructions": self.instructions, "remind_before": self.remind_before}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CampaignDetails:
        return cls(title=data.get("title", ""), issuer=data.get("issuer", ""),
                   deadline=dt.datetime.fromisoformat(data["deadline"]), instructions=data.get("instructions", ""),
                   remind_before=int(data.get("remind_before", 60)))


# -- the report -----------------------------------------------------------------------------------------


@dataclass
class OfficerCount:
    officer_id: int | None
    name: str
    n: int


@dataclass
class LoadReport:
    """What a check (or a load) of a list found and did. Everything in it is masked."""

    filename: str
    station: Station
    dry_run: bool
    file_format: str = ""
    encoding: str = ""
    header_row: int = 0
    columns: list[str] = field(default_factory=list)  # the headers, masked
    samples: list[list[str]] = field(default_factory=list)  # column → first values, masked
    mapping: dict[str, int | None] = field(default_factory=dict)
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    by_match: dict[str, int] = field(default_factory=dict)
    by_how: dict[str, int] = field(default_factory=dict)
    officers: list[OfficerCount] = field(default_factory=list)
    campaign: Campaign | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0

    @property
    def matched(self) -> int:
        return self.rows - self.by_match.get(CampaignItem.Match.NONE, 0)

    @property
    def assigned(self) -> int:
        return self.rows - self.by_how.get(plan.UNASSIGNED, 0)

    def column_title(self, index: int | None) -> str:
        if index is None or not 0 <= index < len(self.columns):
            return ""
        return self.columns[index] or _("column %(number)s") % {"number": index + 1}

    def as_dict(self) -> dict[str, Any]:
        """The report as the API returns it."""
        return {
            "filename": mask_identifiers_in(self.filename), "station": self.station.code, "dry_run": self.dry_run,
            "ok": self.ok, "format": self.file_format, "encoding": self.encoding, "header_row": self.header_row,
            "columns": list(self.columns), "mapping": dict(self.mapping), "rows": self.rows,
            "problems": [{"row": p.row, "column": p.column, "field": p.field, "message": p.message} for p in self.problems],
            "by_match": dict(self.by_match), "by_how": dict(self.by_how),
            "officers": [{"officer": o.officer_id, "name": o.name, "items": o.n} for o in self.officers],
            "campaign": self.campaign.pk if self.campaign else None,
            "number": self.campaign.number if self.campaign else None,
        }


@dataclass(slots=True)
class _Row:
    number: int
    cells: list[str]
    name: str = ""
    id_number: str = ""  # normalised 18 characters, valid
    id_hash: str = ""
    phone: str = ""  # digits when it is a phone number, else as written
    phone_digits: str = ""
    address_text: str = ""
    resident_id: int | None = None
    address_id: int | None = None
    beat_id: int | None = None
    match: str = CampaignItem.Match.NONE


# -- reading --------------------------------------------------------------------------------------------


def guess_mapping(titles: list[str]) -> dict[str, int | None]:
    """field → the column (0-based) whose header names it, or None; the first such column."""
    mapping: dict[str, int | None] = dict.fromkeys(FIELDS)
    for index, title in enumerate(titles):
        name = _KNOWN.get(header_key(cell_text(title)))
        if name is not None and mapping[name] is None:
            mapping[name] = index
    return mapping


def _read(data: bytes, filename: str) -> tuple[str, str, int, list[str], list[tuple[int, list[Any]]]]:
    file_format, encoding, table = tabular.read_table(data, filename, max_bytes=MAX_BYTES)
    _titles_above, top = tabular.find_header(table, _KNOWN.__contains__)
    if not top:
        raise FileError(_("The file has no header row and no rows."))
    (header_number, header_cells), early = top[0], top[1:]
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in _chain(early, table):
        if blank(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileError(_("The list has more than %(limit)s rows; split it into smaller lists.") % {"limit": f"{MAX_ROWS:,}"})
        rows.append((number, cells))
    titles = [cell_text(cell) for cell in header_cells]
    while titles and not titles[-1]:
        titles.pop()
    return file_format, encoding, header_number, titles, rows


def _chain(first: list[tuple[int, list[Any]]], rest: Any) -> Any:
    yield from first
    yield from rest


def _cells(cells: list[Any], width: int) -> list[str]:
    """The row's cells as text, as wide as the header (cells beyond it kept when not empty)."""
    texts = [cell_text(cell) for cell in cells]
    while len(texts) > width and not texts[-1]:
        texts.pop()
    texts.extend([""] * (width - len(texts)))
    return texts


def _check_mapping(mapping: dict[str, int | None] | None, titles: list[str], header_row: int
                   ) -> tuple[dict[str, int | None], list[Problem]]:
    chosen = guess_mapping(titles) if mapping is None else dict.fromkeys(FIELDS)
    problems: list[Problem] = []
    if mapping is not None:
        for name in FIELDS:
            value: Any = mapping.get(name)
            if value is None or value == "":
                continue
            try:
                chosen[name] = int(value)
            except (TypeError, ValueError):
                problems.append(Problem(header_row, "", name, _("“%(value)s” is not a column number.") % {
                    "value": mask_identifiers_in(str(value))}))
    width = max(len(titles), 1)
    used: dict[int, str] = {}
    for name in FIELDS:
        index = chosen[name]
        if index is None:
            continue
        if not 0 <= index < width:
            problems.append(Problem(header_row, "", name, _("The file has no column %(number)s.") % {"number": index + 1}))
            chosen[name] = None
            continue
        if index in used:
            problems.append(Problem(header_row, mask_identifiers_in(titles[index]) if index < len(titles) else "", name,
                                    _("This column is already read as another field.")))
        used[index] = name
    if chosen["name"] is None and chosen["id_number"] is None:
        problems.append(Problem(header_row, "", "name",
                                _("No column holds the name or the identity number; choose which columns hold them.")))
    return chosen, problems


def _upgrade_15(number: str) -> str:
    """An old 15-digit number (YYMMDD, no check digit) as its 18-character form."""
    first17 = f"{number[:6]}19{number[6:]}"
    return first17 + idcard.check_character(first17)


def _check_rows(raw_rows: list[tuple[int, list[Any]]], titles: list[str], mapping: dict[str, int | None]
                ) -> tuple[list[_Row], list[Problem]]:
    width = len(titles)
    column = {name: (mask_identifiers_in(titles[index]) if index is not None and index < len(titles) else "")
              for name, index in mapping.items()}
    for name, index in mapping.items():
        if index is not None and not column[name]:
            column[name] = _("column %(number)s") % {"number": index + 1}
    problems: list[Problem] = []
    rows: list[_Row] = []
    first_with: dict[str, int] = {}
    today = timezone.localdate()

    def cell(cells: list[Any], name: str) -> Any:
        index = mapping[name]
        return cells[index] if index is not None and index < len(cells) else None

    for number, raw in raw_rows:
        row = _Row(number, _cells(raw, width))
        row.name = " ".join(cell_text(cell(raw, "name")).split())[:NAME_LENGTH]
        raw_id = cell(raw, "id_number")
        id_text = cell_text(raw_id)
        if id_text:
            normal = idcard.normalise(id_text)
            if isinstance(raw_id, float) or (isinstance(raw_id, int) and len(normal) > 15):
                problems.append(Problem(number, column["id_number"], "id_number", _(
                    "“%(value)s”: Excel stored this identity number as a number and lost its last digits; "
                    "format the column as text and type the numbers again.") % {"value": mask_id_number(normal)}))
            else:
                if len(normal) == 15 and normal.isdigit():
                    normal = _upgrade_15(normal)
                try:
                    parsed = idcard.parse(normal, today=today)
                except idcard.InvalidIdNumber as invalid:
                    why = (id_number_error(invalid.code) if invalid.code != idcard.LENGTH
                           else _("An identity number has 18 characters (or 15 digits, the old form)."))
                    problems.append(Problem(number, column["id_number"], "id_number",
                                            f"“{mask_id_number(normal)}”: {why}"))
                else:
                    row.id_number = parsed.number
                    row.id_hash = crypto.search_hash(parsed.number)
                    earlier = first_with.setdefault(row.id_hash, number)
                    if earlier != number:
                        problems.append(Problem(number, column["id_number"], "id_number", _(
                            "“%(value)s”: this identity number is also in row %(row)s.") % {
                            "value": mask_id_number(parsed.number), "row": earlier}))
        if not row.name and not id_text:
            problems.append(Problem(number, column["name"] or column["id_number"], "name",
                                    _("This row has neither a name nor an identity number.")))
        phone = cell_text(cell(raw, "phone"))
        if phone:
            digits = "".join(phone.split()).replace("-", "")
            if digits.isdigit() and 7 <= len(digits) <= 12:
                row.phone = row.phone_digits = digits
            else:
                row.phone = phone
        row.address_text = " ".join(cell_text(cell(raw, "address")).split())[:ADDRESS_LENGTH]
        rows.append(row)
    return rows, problems


# -- matching and assigning -----------------------------------------------------------------------------


def _chunks(values: list[Any]) -> Any:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _match(station_id: int, rows: list[_Row]) -> None:
    residents = Resident.objects.for_stations([station_id]).filter(merged_into__isnull=True).order_by()
    by_hash: dict[str, tuple[int, int | None, int | None]] = {}
    for chunk in _chunks(sorted({row.id_hash for row in rows if row.id_hash})):
        for pk, id_hash, address_id, beat_id in residents.filter(id_number_hash__in=chunk).values_list(
                "pk", "id_number_hash", "address_id", "beat_id"):
            by_hash[id_hash] = (pk, address_id, beat_id)
    wanted = [row for row in rows if row.id_hash not in by_hash and row.name and row.phone_digits]
    by_name_phone: dict[tuple[str, str], tuple[int, int | None, int | None]] = {}
    for chunk in _chunks(sorted({row.name for row in wanted})):
        found = residents.filter(name__in=chunk).exclude(phone="").order_by("pk").values_list(
            "pk", "name", "phone", "address_id", "beat_id")
        for pk, name, phone, address_id, beat_id in found:
            by_name_phone.setdefault((name, "".join(phone.split()).replace("-", "")), (pk, address_id, beat_id))
    book: AddressBook | None = None
    for row in rows:
        resident = by_hash.get(row.id_hash) if row.id_hash else None
        if resident is not None:
            row.match = CampaignItem.Match.ID_NUMBER
        elif row.name and row.phone_digits:
            resident = by_name_phone.get((row.name, row.phone_digits))
            if resident is not None:
                row.match = CampaignItem.Match.NAME_PHONE
        if resident is not None:
            row.resident_id, row.address_id, row.beat_id = resident
        if row.address_id is None and row.address_text:
            if book is None:
                book = AddressBook(station_id)
            entry, _fuzzy, _suggestions = book.find(row.address_text)
            if entry is not None:
                row.address_id = entry[0]
                if row.beat_id is None:
                    row.beat_id = entry[1]
                if row.match == CampaignItem.Match.NONE:
                    row.match = CampaignItem.Match.ADDRESS
    # A resident on record at an address without their own beat: the address's beat.
    missing = sorted({row.address_id for row in rows if row.beat_id is None and row.address_id is not None})
    if missing:
        beats: dict[int, int | None] = {}
        for chunk in _chunks(missing):
            beats.update(Address.objects.for_stations([station_id]).filter(pk__in=chunk).values_list("pk", "beat_id"))
        for row in rows:
            if row.beat_id is None and row.address_id is not None:
                row.beat_id = beats.get(row.address_id)


def _active(officers: Any) -> Any:
    """Officers who can work a list: police officers with an active account, not on leave."""
    return (officers.filter(rank=Officer.Rank.OFFICER, user__isnull=False, user__is_active=True)
            .exclude(duty_status=Officer.DutyStatus.ON_LEAVE))


def _beat_officers(station_id: int, beat_ids: set[int]) -> dict[int, int]:
    """beat → its officer: the responsible officer, else a community officer of the beat."""
    if not beat_ids:
        return {}
    officers = _active(Officer.objects.for_stations([station_id]))
    found: dict[int, int] = {}
    beats = Beat.objects.for_stations([station_id]).filter(pk__in=beat_ids, responsible_officer__isnull=False)
    responsible = dict(beats.values_list("pk", "responsible_officer_id"))
    usable = set(officers.filter(pk__in=set(responsible.values())).values_list("pk", flat=True))
    for beat_id, officer_id in responsible.items():
        if officer_id in usable:
            found[beat_id] = officer_id
    rest = beat_ids - set(found)
    if rest:
        for officer_id, beat_id in (officers.filter(beat_id__in=rest, team__kind=Team.Kind.COMMUNITY)
                                    .order_by("pk").values_list("pk", "beat_id")):
            found.setdefault(beat_id, officer_id)
    return found


def community_pool(station_id: int) -> list[int]:
    """The community team's officers in turn order (pk)."""
    officers = _active(Officer.objects.for_stations([station_id])).filter(team__kind=Team.Kind.COMMUNITY)
    return list(officers.order_by("pk").values_list("pk", flat=True))


def _assign(station_id: int, rows: list[_Row]) -> list[plan.Assignment]:
    beat_officer = _beat_officers(station_id, {row.beat_id for row in rows if row.beat_id is not None})
    start = Campaign.objects.for_stations([station_id]).count()
    return plan.assign([row.beat_id for row in rows], beat_officer, community_pool(station_id), start=start)


# -- keeping ---------------------------------------------------------------------------------------------


def _insert_campaign(campaign: Campaign) -> None:
    """Insert the campaign with the station's next number (bulk insert: no save signal,
    the load's own audit row stands for it)."""
    prefix = f"{NUMBER_PREFIX}{timezone.localtime(campaign.created_at).year}-"
    scope = Campaign.objects.for_stations([campaign.station_id])
    for _attempt in range(numbering.ATTEMPTS):
        campaign.number = f"{prefix}{numbering.last_sequence(scope, prefix) + 1:04d}"
        try:
            with transaction.atomic():
                Campaign.objects.bulk_create([campaign])
            return
        except IntegrityError:
            if not scope.filter(number=campaign.number).exists():
                raise
            campaign.pk = None
    raise numbering.NumbersExhausted("no free campaign number")


def _commit(report: LoadReport, rows: list[_Row], assignments: list[plan.Assignment], *, user: Any,
            details: CampaignDetails, columns: list[str], mapping: dict[str, int | None], filename: str,
            now: dt.datetime) -> Campaign:
    station_id = report.station.pk
    # Encrypting is done before the transaction, so that SQLite's write lock is held briefly.
    items = [
        CampaignItem(
            station_id=station_id, row=row.number,
            original=crypto.encrypt(json.dumps(row.cells, ensure_ascii=False)),
            name=row.name, id_number_masked=mask_id_number(row.id_number) if row.id_number else "",
            id_number_hash=row.id_hash, phone=crypto.encrypt(row.phone), phone_masked=mask_phone(row.phone)[:20],
            address_text=row.address_text, match=row.match, resident_id=row.resident_id, address_id=row.address_id,
            beat_id=row.beat_id, officer_id=assignment.officer, assigned_how=assignment.how,
            state=CampaignItem.State.OPEN,
        )
        for row, assignment in zip(rows, assignments, strict=True)
    ]
    counts = {"rows": report.rows, "match": dict(report.by_match), "assigned": dict(report.by_how)}
    started = time.perf_counter()
    with transaction.atomic():
        campaign = Campaign(
            station_id=station_id, title=details.title, issuer=details.issuer, instructions=details.instructions,
            deadline=details.deadline, remind_before=details.remind_before, state=Campaign.State.OPEN,
            filename=filename[:200], columns=columns, mapping=mapping, created_by=user, created_at=now,
        )
        _insert_campaign(campaign)
        for item in items:
            item.campaign_id = campaign.pk
        CampaignItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
        CampaignLog.objects.create(
            station_id=station_id, campaign=campaign, at=now, action=CampaignLog.Action.LOADED, author=user,
            text=mask_identifiers_in(filename)[:200],
            data={**counts, "officers": {str(o.officer_id): o.n for o in report.officers if o.officer_id}},
        )
        record(
            AuditEntry.Action.IMPORTED, obj=campaign, user=user,
            object_repr=f"{campaign.number} {campaign.title}"[:200],
            changes={"file": mask_identifiers_in(filename), "title": campaign.title, "issuer": campaign.issuer,
                     "deadline": campaign.deadline.isoformat(), **counts},
        )
        events.publish(station_id, "campaign", campaign=campaign.pk, officer=None, state="loaded")
    report.timings["write"] = round(time.perf_counter() - started, 3)
    return campaign


# -- the whole load ----------------------------------------------------------------------------------------


def load_campaign(station: Station, data: bytes, filename: str, *, user: Any, details: CampaignDetails,
                  mapping: dict[str, int | None] | None = None, dry_run: bool = False,
                  now: dt.datetime | None = None) -> LoadReport:
    """Check the list; unless a row is bad or this is a dry run, keep it as a campaign
    (see the module's docstring). ValidationError (keyed by field) for bad details."""
    now = now or timezone.now()
    details = details.cleaned(now)
    clock = time.perf_counter()
    report = LoadReport(filename=filename, station=station, dry_run=dry_run)
    try:
        report.file_format, report.encoding, report.header_row, titles, raw_rows = _read(data, filename)
    except FileError as error:
        report.problems.append(Problem(0, "", "", str(error)))
        report.mapping = dict.fromkeys(FIELDS)
        return report
    report.columns = [mask_identifiers_in(title) for title in titles]
    report.samples = _samples(raw_rows, len(titles))
    report.mapping, header_problems = _check_mapping(mapping, titles, report.header_row)
    report.problems.extend(header_problems)
    report.rows = len(raw_rows)
    if not raw_rows:
        report.problems.append(Problem(report.header_row, "", "", _("The file has a header row but no rows.")))
        return report
    if header_problems:
        return report
    rows, problems = _check_rows(raw_rows, titles, report.mapping)
    report.problems.extend(problems)
    report.timings["check"] = round(time.perf_counter() - clock, 3)
    _match(station.pk, rows)
    assignments = _assign(station.pk, rows)
    report.timings["match"] = round(time.perf_counter() - clock - report.timings["check"], 3)
    report.by_match = dict(Counter(row.match for row in rows))
    report.by_how = dict(Counter(assignment.how for assignment in assignments))
    report.officers = _officer_counts(station.pk, assignments)
    if not report.ok or dry_run:
        return report
    report.campaign = _commit(report, rows, assignments, user=user, details=details, columns=titles,
                              mapping=report.mapping, filename=filename, now=now)
    report.timings["total"] = round(time.perf_counter() - clock, 3)
    return report


def _samples(raw_rows: list[tuple[int, list[Any]]], width: int, count: int = 3) -> list[list[str]]:
    samples: list[list[str]] = [[] for _ in range(width)]
    for _number, cells in raw_rows[:count]:
        for index in range(width):
            value = cell_text(cells[index]) if index < len(cells) else ""
            if value:
                samples[index].append(_masked_sample(value))
    return samples


def _masked_sample(value: str) -> str:
    """A value shown to choose columns by: long digit runs (ids, phones) masked."""
    compact = "".join(value.split())
    if len(compact) >= 15 and idcard.normalise(compact)[:17].isdigit():
        return mask_id_number(compact)
    if compact.isdigit() and len(compact) >= 7:
        return mask_phone(compact)
    return mask_identifiers_in(value)


def _officer_counts(station_id: int, assignments: list[plan.Assignment]) -> list[OfficerCount]:
    counts = Counter(assignment.officer for assignment in assignments if assignment.officer is not None)
    names = dict(Officer.objects.for_stations([station_id]).filter(pk__in=list(counts)).values_list("pk", "name"))
    found = [OfficerCount(pk, names.get(pk, ""), n) for pk, n in counts.items()]
    found.sort(key=lambda entry: (-entry.n, entry.name))
    return found


__all__ = ["FIELDS", "CampaignDetails", "LoadReport", "OfficerCount", "guess_mapping", "load_campaign", "community_pool",
           "MAX_ROWS", "MAX_BYTES"]
