"""Import of basic records: every row checked and reported, then all kept or none.

The fixtures and file helpers here are shared with the page and API tests of the import.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from conftest import make_person
from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.core.privacy_scan import find_unmasked
from fengqiao.intake import services as intake_services
from fengqiao.organisation.models import Beat, Station, Team
from fengqiao.records import importing, selectors
from fengqiao.records.idcard import make
from fengqiao.records.importing import BAD, NEW, UNCHANGED, UPDATE, import_records
from fengqiao.records.models import Address, House, ImportBatch, Organisation, Resident

# Valid identity numbers (GB 11643 check digits) and their masked forms.
ID_WANG = make("500108", dt.date(1980, 5, 17), 12, "M")
ID_LI = make("500108", dt.date(1992, 11, 3), 40, "F")
ID_ZHAO = make("510105", dt.date(1975, 1, 30), 7, "M")
ID_BAD_CHECK = ID_WANG[:17] + ("0" if ID_WANG[17] != "0" else "1")

RESIDENT_HEADER = ["姓名", "公民身份号码", "联系电话", "现住址", "人员类型", "与房屋关系", "入住日期", "迁出日期", "备注"]
ADDRESS_501 = "南岸区南坪街道南坪西路18号3栋2单元501"
ADDRESS_20 = "南岸区南坪街道南坪西路20号"


# -- fixtures (shared with test_import_page and test_import_api) ---------------------------------------


def make_address(station: Station, beat: Beat | None, road: str, number: str, building: str = "", unit: str = "",
                 room: str = "") -> Address:
    full = Address.compose(district="南岸区", street="南坪街道", road=road, number=number, building=building, unit=unit, room=room)
    return Address.objects.create(
        station=station, beat=beat, code=f"{station.code}-{road}-{number}-{building}{unit}{room}",
        district="南岸区", street="南坪街道", road=road, number=number, building=building, unit=unit, room=room,
        full_text=full, latitude=29.532, longitude=106.562,
    )


@pytest.fixture
def addresses(station_a: Station, beat_a: Beat) -> list[Address]:
    """Standard addresses of 南坪, in beat A."""
    intake_services.forget_station_caches()
    return [
        make_address(station_a, beat_a, "南坪西路", "18号", "3栋", "2单元", "501"),
        make_address(station_a, beat_a, "南坪西路", "18号", "3栋", "2单元", "502"),
        make_address(station_a, beat_a, "南坪西路", "20号"),
        make_address(station_a, beat_a, "江南大道", "8号", "1栋"),
    ]


@pytest.fixture
def zheng_hua(roles: None, station_a: Station, password_hash: str) -> User:
    """郑华, desk clerk of 南坪, who keeps the registers and imports them."""
    team = Team.objects.create(station=station_a, kind=Team.Kind.DESK, name="南坪内勤")
    return make_person("zhenghua", "郑华", role="desk", station=station_a, team=team, badge_number="050301",
                       password_hash=password_hash)


@pytest.fixture
def in_english() -> Any:
    """Messages are checked in their English source form, whatever the translations say."""
    with translation.override("en"):
        yield


def resident_row(name: str = "王建国", id_number: str = ID_WANG, phone: str = "13812345678", address: str = ADDRESS_501,
                 registration: str = "户籍", relation: str = "户主", moved_in: str = "2015-03-01", moved_out: str = "",
                 notes: str = "") -> list[str]:
    return [name, id_number, phone, address, registration, relation, moved_in, moved_out, notes]


def good_rows() -> list[list[str]]:
    return [
        resident_row(),
        resident_row("李秀英", ID_LI, "13900002222", ADDRESS_501, relation="家属", moved_in="2016/8/1"),
        resident_row("赵强", ID_ZHAO, "", ADDRESS_20, registration="流动", relation="租户", moved_in="2024年3月1日"),
        resident_row("陈小明", "", "15800003333", ADDRESS_20, registration="流动人口", relation="租客", moved_in=""),
    ]


def csv_bytes(rows: list[list[Any]], *, header: list[str] = RESIDENT_HEADER, encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, header: list[str] = RESIDENT_HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def residents_at(station: Station) -> int:
    return Resident.objects.for_stations([station.pk]).count()


def problems_of(report: importing.ImportReport) -> list[tuple[int, str, str]]:
    return [(problem.row, problem.field, problem.level) for problem in report.problems()]


pytestmark = pytest.mark.usefixtures("in_english")


# -- mapping columns (no database) -------------------------------------------------------------------------


def test_chinese_headers_are_mapped_to_fields() -> None:
    titles = ["序号", "姓名", "身份证号", "手机号", "居住地址", "户籍类型", "与房屋关系", "迁入日期", "迁出日期", "备注（选填）"]
    assert importing.guess_mapping("residents", titles) == [
        "", "name", "id_number", "phone", "address", "registration", "relation", "moved_in_on", "moved_out_on", "notes",
    ]
    assert importing.guess_mapping("residents", ["证件号码", "公民身份号码", "NAME"]) == ["id_number", "", "name"]
    assert importing.guess_mapping("houses", ["地址", "房屋用途", "是否出租", "房东姓名", "房东电话", "出租登记日期", "登记到期日期"]) == [
        "address", "use", "tenure", "landlord_name", "landlord_phone", "rental_registered_on", "rental_expires_on",
    ]
    assert importing.guess_mapping("organisations", ["单位名称", "类别", "地址", "联系人", "联系电话", "统一社会信用代码", "重点单位"]) == [
        "name", "kind", "address", "contact_name", "contact_phone", "credit_code", "key_place",
    ]


def test_a_chosen_mapping_overrides_the_guess_and_unknown_names_are_refused() -> None:
    titles = ["姓名", "号码", "电话"]
    assert importing.mapping_from_names("residents", titles, {"号码": "id_number", "电话": ""}) == ["name", "id_number", ""]
    with pytest.raises(ValueError, match="Unknown field"):
        importing.mapping_from_names("residents", titles, {"号码": "passport"})
    with pytest.raises(ValueError, match="no column headed"):
        importing.mapping_from_names("residents", titles, {"证件": "id_number"})


def test_choices_are_read_in_the_words_registers_use() -> None:
    assert importing.parse_choice("registration", "流动人口") == "migrant"
    assert importing.parse_choice("registration", "户籍") == "registered"
    assert importing.parse_choice("tenure", "是") == "rented"
    assert importing.parse_choice("kind", "KTV") == "entertainment"
    with pytest.raises(ValueError, match="户籍、流动、境外"):
        importing.parse_choice("registration", "常驻外籍")


def test_a_credit_code_check_character_is_verified() -> None:
    assert importing.credit_code_is_valid("91350100M000100Y43")
    assert not importing.credit_code_is_valid("91350100M000100Y44")


# -- importing residents -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_file_is_imported_and_found_by_identity_number(station_a: Station, addresses: list[Address], zheng_hua: User) -> None:
    report = import_records(station_a, "residents", csv_bytes(good_rows()), "住户.csv", user=zheng_hua, dry_run=False)
    assert report.committed, report.problems()
    assert report.counts == {"rows": 4, NEW: 4, UPDATE: 0, UNCHANGED: 0, BAD: 0, "warnings": 0}
    assert residents_at(station_a) == 4

    query, found = selectors.search_residents(zheng_hua, ID_LI)
    assert query.kind == "id_number"
    li = found.get()
    assert (li.name, li.sex, li.birth_date, li.relation) == ("李秀英", "F", dt.date(1992, 11, 3), "family")
    assert li.address == addresses[0] and li.beat_id == addresses[0].beat_id
    assert li.moved_in_on == dt.date(2016, 8, 1)
    assert li.id_number_masked == ID_LI[:6] + "********" + ID_LI[-4:]
    assert ID_LI not in li.id_number_cipher and li.id_number_hash
    zhao = Resident.objects.for_stations([station_a.pk]).get(name="赵强")
    assert (zhao.registration, zhao.moved_in_on, zhao.phone) == ("migrant", dt.date(2024, 3, 1), "")
    chen = Resident.objects.for_stations([station_a.pk]).get(name="陈小明")
    assert chen.id_number_hash == "" and chen.registration == "migrant"


@pytest.mark.django_db
def test_bad_rows_keep_nothing_and_each_is_reported_by_row_and_field(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    rows = good_rows() + [
        resident_row("", ID_ZHAO[:-1] + "0" if ID_ZHAO[-1] != "0" else ID_ZHAO[:-1] + "1"),  # row 6: no name, bad check digit
        resident_row("周敏", make("500108", dt.date(1990, 1, 1), 3, "F"), moved_in="2020-13-01"),  # row 7: bad date
        resident_row("吴磊", make("500108", dt.date(1991, 2, 2), 4, "M"), address="南坪西路99号"),  # row 8: unknown address
        resident_row("郑洁", ID_LI),  # row 9: the same identity number as row 3
        resident_row("孙浩", "", registration="户籍"),  # row 10: a registered resident without a number
        resident_row("钱多", make("500108", dt.date(1991, 2, 2), 6, "M"), registration="常驻外籍"),  # row 11: bad choice
    ]
    report = import_records(station_a, "residents", csv_bytes(rows), "住户.csv", user=zheng_hua, dry_run=False)
    assert not report.committed
    assert residents_at(station_a) == 0
    assert not ImportBatch.objects.for_stations([station_a.pk]).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED).exists()
    errors = {(problem.row, problem.field): problem for problem in report.problems() if problem.level == "error"}
    assert set(errors) == {
        (6, "name"), (6, "id_number"), (7, "moved_in_on"), (8, "address"), (9, "id_number"), (10, "id_number"),
        (11, "registration"),
    }
    assert "check digit" in errors[(6, "id_number")].message
    assert errors[(6, "id_number")].column == "公民身份号码"
    assert "2020-13-01" in errors[(7, "moved_in_on")].message
    assert "row 3" in errors[(9, "id_number")].message
    assert "registered resident needs an identity number" in errors[(10, "id_number")].message
    assert report.counts[BAD] == 6 and report.counts[NEW] == 4


@pytest.mark.django_db
def test_every_value_in_a_report_is_masked(station_a: Station, addresses: list[Address], zheng_hua: User) -> None:
    rows = [
        resident_row(id_number=ID_BAD_CHECK, phone="13812345678", notes="邻居电话13900001111"),
        resident_row("李秀英", ID_LI, phone="1390000", address="南坪西路99号"),
    ]
    report = import_records(station_a, "residents", csv_bytes(rows), "住户.csv", user=zheng_hua, dry_run=True)
    text = repr(report.as_dict()).encode()
    assert not find_unmasked(text)
    assert ID_BAD_CHECK[:6] + "********" + ID_BAD_CHECK[-4:] in text.decode()
    assert "138****5678" in text.decode()


@pytest.mark.django_db
def test_an_identity_number_in_a_free_text_column_is_refused(station_a: Station, addresses: list[Address], zheng_hua: User) -> None:
    rows = [resident_row(notes=f"身份证 {ID_LI}")]
    report = import_records(station_a, "residents", csv_bytes(rows), "住户.csv", user=zheng_hua, dry_run=True)
    assert problems_of(report) == [(2, "notes", "error")]


@pytest.mark.django_db
def test_an_unknown_address_comes_with_suggestions_and_a_near_one_is_read_with_a_warning(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    rows = [
        resident_row(address="南坪西路18号3栋501"),  # no unit, but building 3 has one room 501 only
        resident_row("李秀英", ID_LI, address="南坪西路18号3栋2单元五零二室"),  # the same address in other words
        resident_row("赵强", ID_ZHAO, address=" 南坪西路20号 "),  # without district and street: exact after all
    ]
    report = import_records(station_a, "residents", csv_bytes(rows), "住户.csv", user=zheng_hua, dry_run=True)
    assert [row.values["address_id"] for row in report.rows] == [addresses[0].pk, addresses[1].pk, addresses[2].pk]
    assert problems_of(report) == [(2, "address", "warning"), (3, "address", "warning")]
    assert "Read as the standard address " + ADDRESS_501.replace("501", "502") in report.rows[1].problems[0].message
    assert report.can_commit

    unknown = import_records(station_a, "residents", csv_bytes([resident_row(address="南坪西路18号3栋2单元")]), "f.csv",
                             user=zheng_hua, dry_run=True)
    (problem,) = unknown.problems()
    assert (problem.row, problem.field, problem.level) == (2, "address", "error")
    assert problem.value == "南坪西路18号3栋2单元"
    assert set(problem.suggestions) == {ADDRESS_501, ADDRESS_501.replace("501", "502")}


@pytest.mark.django_db
def test_importing_the_same_file_again_updates_rather_than_duplicates(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    first = import_records(station_a, "residents", csv_bytes(good_rows()), "住户.csv", user=zheng_hua, dry_run=False)
    assert first.committed
    ids = set(Resident.objects.for_stations([station_a.pk]).values_list("pk", flat=True))

    # 陈小明 has no identity number: he is the person of his name at his address.
    again = import_records(station_a, "residents", csv_bytes(good_rows()), "住户.csv", user=zheng_hua, dry_run=False)
    assert again.committed and again.counts[UNCHANGED] == 4 and again.counts[NEW] == 0

    changed = good_rows()[:3]
    changed[0][2] = "13811110000"  # 王建国's new phone
    changed[1][3] = ""  # an empty cell leaves the recorded address alone
    changed[2][7] = "2025-06-30"  # 赵强 moved out
    third = import_records(station_a, "residents", csv_bytes(changed), "住户.csv", user=zheng_hua, dry_run=False)
    assert third.committed and (third.counts[UPDATE], third.counts[UNCHANGED]) == (2, 1)
    assert set(Resident.objects.for_stations([station_a.pk]).values_list("pk", flat=True)) == ids
    wang = Resident.objects.for_stations([station_a.pk]).get(name="王建国")
    assert wang.phone == "13811110000"
    assert Resident.objects.for_stations([station_a.pk]).get(name="李秀英").address == addresses[0]
    assert Resident.objects.for_stations([station_a.pk]).get(name="赵强").moved_out_on == dt.date(2025, 6, 30)
    assert third.updated_ids == sorted([wang.pk, Resident.objects.for_stations([station_a.pk]).get(name="赵强").pk])


@pytest.mark.django_db
def test_a_number_on_record_under_another_name_is_updated_with_a_warning(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    import_records(station_a, "residents", csv_bytes(good_rows()[:1]), "a.csv", user=zheng_hua, dry_run=False)
    report = import_records(station_a, "residents", csv_bytes([resident_row("王建军")]), "b.csv", user=zheng_hua, dry_run=True)
    (problem,) = report.problems()
    assert (problem.field, problem.level) == ("name", "warning") and "王建国" in problem.message
    assert report.rows[0].action == UPDATE


@pytest.mark.django_db
def test_one_import_writes_a_batch_and_one_audit_row_with_the_counts(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    before = AuditEntry.objects.count()
    report = import_records(station_a, "residents", csv_bytes(good_rows()), "住户.csv", user=zheng_hua, dry_run=False)
    batch = ImportBatch.objects.for_stations([station_a.pk]).get()
    assert (batch.kind, batch.filename, batch.rows, batch.created, batch.updated) == ("residents", "住户.csv", 4, 4, 0)
    assert batch.imported_by == zheng_hua and batch.mapping["id_number"] == "公民身份号码"
    assert AuditEntry.objects.count() == before + 1, "bulk writes: one row for the import, none per resident"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORTED)
    assert (entry.user, entry.station_id, entry.object_type, entry.object_id) == (zheng_hua, station_a.pk, "records.importbatch", str(batch.pk))
    assert entry.changes["created"] == 4 and entry.changes["updated"] == 0 and entry.changes["rows"] == 4
    assert entry.changes["created_ids"] == importing.id_ranges(report.created_ids)
    assert not find_unmasked(repr(entry.changes).encode())


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(station_a: Station, addresses: list[Address], zheng_hua: User) -> None:
    report = import_records(station_a, "residents", csv_bytes(good_rows()), "住户.csv", user=zheng_hua, dry_run=True)
    assert report.can_commit and report.counts[NEW] == 4
    assert residents_at(station_a) == 0 and not AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED).exists()


@pytest.mark.django_db
def test_records_are_per_station(station_a: Station, station_b: Station, addresses: list[Address], zheng_hua: User, zhao_min: User) -> None:
    import_records(station_a, "residents", csv_bytes(good_rows()[:1]), "a.csv", user=zheng_hua, dry_run=False)
    # The same person registered at station B is B's record; A's address means nothing there.
    report = import_records(station_b, "residents", csv_bytes([resident_row(address="")]), "b.csv", user=zhao_min, dry_run=False)
    assert report.committed and report.counts[NEW] == 1
    assert residents_at(station_a) == 1 and residents_at(station_b) == 1
    elsewhere = import_records(station_b, "residents", csv_bytes([resident_row("李秀英", ID_LI)]), "b.csv", user=zhao_min, dry_run=True)
    assert problems_of(elsewhere) == [(2, "address", "error")]


# -- file formats ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_xlsx_workbook_with_date_cells_and_numeric_phones_is_imported(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    rows = [["王建国", ID_WANG, 13812345678, ADDRESS_501, "户籍", "户主", dt.datetime(2015, 3, 1), None, None]]
    report = import_records(station_a, "residents", xlsx_bytes(rows), "住户.xlsx", user=zheng_hua, dry_run=False)
    assert report.committed and report.file_format == "xlsx"
    wang = Resident.objects.for_stations([station_a.pk]).get()
    assert (wang.phone, wang.moved_in_on) == ("13812345678", dt.date(2015, 3, 1))


@pytest.mark.django_db
def test_an_identity_number_excel_stored_as_a_number_is_explained(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    rows = [["王建国", float(ID_WANG[:17] + "0"), 13812345678, ADDRESS_501, "户籍", "户主", None, None, None]]
    report = import_records(station_a, "residents", xlsx_bytes(rows), "住户.xlsx", user=zheng_hua, dry_run=True)
    (problem,) = report.problems()
    assert problem.field == "id_number" and "format the column as text" in problem.message


@pytest.mark.django_db
def test_a_gbk_csv_from_chinese_excel_is_imported(station_a: Station, addresses: list[Address], zheng_hua: User) -> None:
    report = import_records(station_a, "residents", csv_bytes(good_rows(), encoding="gbk"), "住户.csv", user=zheng_hua, dry_run=False)
    assert report.encoding == "gb18030" and report.committed
    assert set(Resident.objects.for_stations([station_a.pk]).values_list("name", flat=True)) == {"王建国", "李秀英", "赵强", "陈小明"}


@pytest.mark.django_db
def test_a_missing_required_column_is_reported_on_the_header_row(station_a: Station, addresses: list[Address], zheng_hua: User) -> None:
    report = import_records(station_a, "residents", csv_bytes([["王建国", "x"]], header=["姓名", "住址"]), "f.csv",
                            user=zheng_hua, dry_run=True)
    assert [(p.row, p.field, p.level) for p in report.header_errors] == [(1, "id_number", "error")]
    assert not report.rows and not report.can_commit


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_says_why(station_a: Station, zheng_hua: User) -> None:
    report = import_records(station_a, "residents", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", user=zheng_hua, dry_run=False)
    assert report.file_errors and ".xls" in report.file_errors[0]


# -- houses and organisations ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_houses_are_imported_one_per_address_and_updated_again(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    header = ["地址", "房屋用途", "是否出租", "房东姓名", "房东电话", "出租登记日期", "登记到期日期"]
    rows = [
        [ADDRESS_501, "住宅", "是", "王建国", "13812345678", "2024-01-01", "2025-12-31"],
        [ADDRESS_20, "商铺", "否", "", "", "", ""],
    ]
    report = import_records(station_a, "houses", csv_bytes(rows, header=header), "房屋.csv", user=zheng_hua, dry_run=False)
    assert report.committed and report.counts[NEW] == 2
    house = House.objects.for_stations([station_a.pk]).get(address=addresses[0])
    assert (house.tenure, house.landlord_phone, house.rental_expires_on) == ("rented", "13812345678", dt.date(2025, 12, 31))
    assert house.beat_id == addresses[0].beat_id

    rows[0][6] = "2026-12-31"
    again = import_records(station_a, "houses", csv_bytes(rows + [rows[1]], header=header), "房屋.csv", user=zheng_hua, dry_run=False)
    assert not again.committed and problems_of(again) == [(4, "address", "error")]
    again = import_records(station_a, "houses", csv_bytes(rows, header=header), "房屋.csv", user=zheng_hua, dry_run=False)
    assert again.committed and (again.counts[UPDATE], again.counts[UNCHANGED]) == (1, 1)
    assert House.objects.for_stations([station_a.pk]).count() == 2
    house.refresh_from_db()
    assert house.rental_expires_on == dt.date(2026, 12, 31)


@pytest.mark.django_db
def test_organisations_are_matched_by_credit_code(station_a: Station, addresses: list[Address], zheng_hua: User) -> None:
    header = ["单位名称", "类别", "地址", "联系人", "联系电话", "统一社会信用代码", "重点单位", "从业人数"]
    rows = [
        ["南坪宾馆", "宾馆", ADDRESS_20, "刘经理", "13800001111", "91350100M000100Y43", "是", "12"],
        ["老王面馆", "餐饮", ADDRESS_20, "", "", "", "否", ""],
    ]
    report = import_records(station_a, "organisations", csv_bytes(rows, header=header), "单位.csv", user=zheng_hua, dry_run=False)
    assert report.committed and report.counts[NEW] == 2
    hotel = Organisation.objects.for_stations([station_a.pk]).get(credit_code="91350100M000100Y43")
    assert (hotel.kind, hotel.key_place, hotel.employees, hotel.address) == ("hotel", True, 12, addresses[2])

    rows[0][0] = "南坪商务宾馆"
    rows[1][6] = "是"
    again = import_records(station_a, "organisations", csv_bytes(rows, header=header), "单位.csv", user=zheng_hua, dry_run=False)
    assert again.committed and again.counts[UPDATE] == 2
    assert Organisation.objects.for_stations([station_a.pk]).count() == 2
    hotel.refresh_from_db()
    assert hotel.name == "南坪商务宾馆"

    typo = [["某公司", "公司", ADDRESS_20, "", "", "91350100M000100Y44", "否", "3人"]]
    checked = import_records(station_a, "organisations", csv_bytes(typo, header=header), "单位.csv", user=zheng_hua, dry_run=True)
    assert problems_of(checked) == [(2, "credit_code", "warning")]
    assert checked.rows[0].values["employees"] == 3


# -- the search the benchmark measures ------------------------------------------------------------------------


def test_a_phone_prefix_is_searched_as_a_range_of_digit_strings() -> None:
    assert selectors.phone_prefix("1381234") == {"phone__gte": "1381234", "phone__lt": "1381235"}
    assert selectors.phone_prefix("1381299") == {"phone__gte": "1381299", "phone__lt": "1381300"}
    assert selectors.phone_prefix("023619") == {"phone__gte": "023619", "phone__lt": "023620"}
    assert selectors.phone_prefix("99999") == {"phone__gte": "99999"}


@pytest.mark.django_db
def test_searches_by_phone_prefix_and_address_find_the_imported_people(
    station_a: Station, addresses: list[Address], zheng_hua: User,
) -> None:
    import_records(station_a, "residents", csv_bytes(good_rows()), "住户.csv", user=zheng_hua, dry_run=False)
    for text, names in (("1381234", {"王建国"}), ("13900002", {"李秀英"}), ("1390000222", {"李秀英"}), ("13999", set()),
                        ("南坪西路20号", {"赵强", "陈小明"}), ("18号3栋2单元501", {"王建国", "李秀英"})):
        _query, found = selectors.search_residents(zheng_hua, text)
        assert {resident.name for resident in found} == names, text
