"""Batch import of calls: every row read and checked, then all recorded or none."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from fengqiao.audit.models import AuditEntry
from fengqiao.intake import importing, services
from fengqiao.intake.importing import FileError, parse_file, parse_time
from fengqiao.intake.models import Call, Incident, IncidentCounter, IncidentLog
from fengqiao.organisation.models import Station

SHANGHAI = importing.SHANGHAI
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
HEADER = ["来源", "接警时间", "报警内容", "地址", "纬度", "经度", "报警人", "联系电话", "110编号", "传感器类型"]


def csv_bytes(rows: list[list[Any]], *, header: list[str] = HEADER, encoding: str = "utf-8-sig", newline: str = "\r\n") -> bytes:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, header: list[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def call_row(text: str = "楼上邻居半夜装修，吵得睡不着", *, source: str = "电话", at: str = "2026-11-30 08:15",
             address: str = "南坪西路18号3栋2单元501", lat: str = "", lon: str = "", name: str = "张先生",
             phone: str = "13800001111", external_id: str = "", sensor: str = "") -> list[str]:
    return [source, at, text, address, lat, lon, name, phone, external_id, sensor]


@pytest.fixture(autouse=True)
def in_english() -> Any:
    """Messages are checked in their English source form, whatever the translations say."""
    with translation.override("en"):
        yield


def errors_of(parsed: importing.ParsedFile) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.field) for row in parsed.rows for p in row.errors]


# -- reading files (no database) -------------------------------------------------------------------


def test_a_utf8_csv_with_bom_and_chinese_headers_is_read() -> None:
    parsed = parse_file(csv_bytes([call_row(), call_row("有人打架", source="110接警", external_id="J2026-1")]), "calls.csv", now=NOW)
    assert (parsed.kind, parsed.encoding) == ("csv", "utf-8-sig")
    assert parsed.headers["received_at"] == "接警时间"
    first, second = parsed.rows
    assert (first.number, second.number) == (2, 3)
    assert first.ok and second.ok
    assert first.values["source"] == "phone" and second.values["source"] == "feed_110"
    assert first.values["received_at"] == dt.datetime(2026, 11, 30, 8, 15, tzinfo=SHANGHAI)
    assert first.values["text"] == "楼上邻居半夜装修，吵得睡不着"
    assert first.values["address"] == "南坪西路18号3栋2单元501"
    assert second.values["external_id"] == "J2026-1"


def test_a_csv_without_bom_is_read_as_utf8() -> None:
    parsed = parse_file(csv_bytes([call_row()], encoding="utf-8"), "calls.csv", now=NOW)
    assert parsed.encoding == "utf-8" and parsed.rows[0].ok


def test_a_gb18030_csv_from_chinese_excel_is_read() -> None:
    data = csv_bytes([call_row("电动车被偷了", address="江南大道8号1栋")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse_file(data, "来自Excel.csv", now=NOW)
    assert parsed.encoding == "gb18030"
    assert parsed.rows[0].values["text"] == "电动车被偷了"
    assert parsed.rows[0].values["address"] == "江南大道8号1栋"


def test_english_headers_source_codes_and_a_tab_separated_utf16_file_are_read() -> None:
    header = ["source", "received_at", "text", "address", "lat", "lon", "caller_name", "caller_phone", "external_id", "sensor_kind"]
    lines = ["\t".join(header), "\t".join(["walk_in", "2026-11-30T08:15:00+08:00", "钱包丢了", "", "", "", "", "", "", ""])]
    data = ("\r\n".join(lines) + "\r\n").encode("utf-16")
    parsed = parse_file(data, "calls.txt", now=NOW)
    assert parsed.encoding == "utf-16"
    assert parsed.rows[0].values["source"] == "walk_in"
    assert parsed.rows[0].values["received_at"] == dt.datetime(2026, 11, 30, 8, 15, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("label", "code"), [
    ("110接警", "feed_110"), ("电话", "phone"), ("来所", "walk_in"), ("巡逻发现", "patrol"),
    ("传感器", "sensor"), ("社区群", "chat_group"), ("视频巡查", "video_patrol"), ("video_patrol", "video_patrol"),
    (" 电话 ", "phone"), ("PHONE", "phone"),
])
def test_sources_are_accepted_by_chinese_label_or_code(label: str, code: str) -> None:
    assert importing.parse_source(label) == code


def test_an_unknown_source_names_the_accepted_ones() -> None:
    parsed = parse_file(csv_bytes([call_row(source="微博")]), "calls.csv", now=NOW)
    problem = parsed.rows[0].errors[0]
    assert (problem.row, problem.column, problem.field) == (2, "来源", "source")
    assert "微博" in problem.message and "110接警" in problem.message


def test_an_xlsx_workbook_with_datetime_cells_and_numeric_phones_is_read() -> None:
    data = xlsx_bytes([
        ["电话", dt.datetime(2026, 11, 30, 8, 15), "楼上漏水", "南坪西路20号", None, None, "李女士", 13800002222, 110123, None],
        ["传感器", "2026/11/30 9:05:00", "烟感报警", None, 29.5331, 106.5631, None, None, None, "smoke"],
        ["巡逻发现", 46356.5, "路边井盖缺失", "南城大道199号", None, None, None, None, None, None],
    ])
    parsed = parse_file(data, "calls.xlsx", now=NOW)
    assert parsed.kind == "xlsx"
    first, second, third = parsed.rows
    assert first.ok and second.ok and third.ok, errors_of(parsed)
    assert first.values["received_at"] == dt.datetime(2026, 11, 30, 8, 15, tzinfo=SHANGHAI)
    assert first.values["caller_phone"] == "13800002222" and first.values["external_id"] == "110123"
    assert (second.values["lat"], second.values["lon"]) == (29.5331, 106.5631)
    assert second.values["sensor_kind"] == "smoke"
    assert third.values["received_at"] == dt.datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)  # Excel serial 46356.5


def test_an_xlsx_is_recognised_by_content_whatever_its_name() -> None:
    parsed = parse_file(xlsx_bytes([call_row()]), "download", now=NOW)
    assert parsed.kind == "xlsx" and parsed.rows[0].ok


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-30 08:15", dt.datetime(2026, 11, 30, 8, 15)),
    ("2026/11/30 8:15:00", dt.datetime(2026, 11, 30, 8, 15)),
    ("2026/11/30 8:15", dt.datetime(2026, 11, 30, 8, 15)),
    ("2026.11.30 08:15:07", dt.datetime(2026, 11, 30, 8, 15, 7)),
    ("2026年11月30日 8时15分", dt.datetime(2026, 11, 30, 8, 15)),
    ("２０２６－１１－３０　０８：１５", dt.datetime(2026, 11, 30, 8, 15)),
])
def test_times_in_common_forms_are_read_as_beijing_time(text: str, expected: dt.datetime) -> None:
    assert parse_time(text) == expected.replace(tzinfo=SHANGHAI)


def test_a_time_with_an_offset_keeps_it() -> None:
    assert parse_time("2026-11-30T00:15:00Z") == dt.datetime(2026, 11, 30, 8, 15, tzinfo=SHANGHAI)


@pytest.mark.parametrize("text", ["明天早上", "30/11/2026 08:15", "2026-11-30", "2026-02-30 08:15", "2026-11-30 25:00", "1999-12-31 23:00"])
def test_bad_times_are_errors_naming_row_and_column(text: str) -> None:
    parsed = parse_file(csv_bytes([call_row(), call_row(at=text)]), "calls.csv", now=NOW)
    assert parsed.rows[0].ok
    assert errors_of(parsed) == [(3, "接警时间", "received_at")]
    assert text in parsed.rows[1].errors[0].message or "1999" in parsed.rows[1].errors[0].message


def test_a_time_more_than_ten_minutes_ahead_is_an_error_but_a_slow_clock_is_not() -> None:
    soon = (NOW + dt.timedelta(minutes=9)).strftime("%Y-%m-%d %H:%M")
    later = (NOW + dt.timedelta(minutes=11)).strftime("%Y-%m-%d %H:%M")
    parsed = parse_file(csv_bytes([call_row(at=soon), call_row(at=later)]), "calls.csv", now=NOW)
    assert parsed.rows[0].ok
    assert errors_of(parsed) == [(3, "接警时间", "received_at")]
    assert "future" in parsed.rows[1].errors[0].message


def test_row_numbers_are_as_the_user_sees_them_blank_rows_and_multiline_cells_included() -> None:
    data = (
        ",".join(HEADER) + "\r\n"
        + ",".join(call_row()) + "\r\n"
        + ",,,,,,,,,\r\n"  # a blank row (row 3) is skipped but counted
        + '电话,2026-11-30 08:20,"第一行\n第二行",,,,,,,\r\n'  # row 4 spans two lines
        + ",".join(call_row(at="")) + "\r\n"  # row 5: no time
    ).encode("utf-8")
    parsed = parse_file(data, "calls.csv", now=NOW)
    assert [row.number for row in parsed.rows] == [2, 4, 5]
    assert parsed.rows[1].values["text"] == "第一行\n第二行"
    assert errors_of(parsed) == [(5, "接警时间", "received_at")]


def test_empty_text_and_a_latitude_without_longitude_are_errors() -> None:
    parsed = parse_file(csv_bytes([call_row(text=""), call_row(lat="29.532")]), "calls.csv", now=NOW)
    assert errors_of(parsed) == [(2, "报警内容", "text"), (3, "经度", "lon")]


def test_swapped_coordinates_are_pointed_out() -> None:
    parsed = parse_file(csv_bytes([call_row(lat="106.562", lon="29.532")]), "calls.csv", now=NOW)
    problem = parsed.rows[0].errors[0]
    assert problem.field == "lat" and "106.562" in problem.message
    assert "swapped" in problem.message


def test_a_sensor_alarm_needs_its_kind_and_a_phone_only_digits() -> None:
    parsed = parse_file(csv_bytes([call_row(source="传感器"), call_row(phone="138-0000 1111"), call_row(phone="打不通")]),
                        "calls.csv", now=NOW)
    assert errors_of(parsed) == [(2, "传感器类型", "sensor_kind"), (4, "联系电话", "caller_phone")]
    assert parsed.rows[1].values["caller_phone"] == "138-00001111"


def test_a_110_id_twice_in_one_file_is_an_error_on_the_later_row() -> None:
    parsed = parse_file(csv_bytes([call_row(external_id="J1"), call_row(external_id="J2"), call_row(external_id="J1")]),
                        "calls.csv", now=NOW)
    assert errors_of(parsed) == [(4, "110编号", "external_id")]
    assert "2" in parsed.rows[2].errors[0].message


def test_a_missing_required_column_is_reported_on_the_header_row() -> None:
    header = ["来源", "报警内容", "序号"]
    parsed = parse_file(csv_bytes([["电话", "有人打架", "1"]], header=header), "calls.csv", now=NOW)
    assert [(p.row, p.field) for p in parsed.header_errors] == [(1, "received_at")]
    assert [(p.row, p.column) for p in parsed.header_warnings] == [(1, "序号")]
    assert parsed.has_errors


def test_a_title_above_the_header_is_passed_over_with_a_warning() -> None:
    data = ("南坪派出所接警登记表,,\r\n\r\n" + ",".join(HEADER) + "\r\n" + ",".join(call_row()) + "\r\n").encode("utf-8")
    parsed = parse_file(data, "登记表.csv", now=NOW)
    assert not parsed.header_errors
    assert [(p.row, p.column) for p in parsed.header_warnings] == [(1, "")]
    assert [row.number for row in parsed.rows] == [4] and parsed.rows[0].ok


def test_a_file_without_a_header_says_which_columns_are_missing() -> None:
    data = csv_bytes([call_row(), call_row()], header=call_row("有人打架"))
    parsed = parse_file(data, "calls.csv", now=NOW)
    assert {p.field for p in parsed.header_errors} == {"source", "received_at", "text"}
    assert all(p.row == 1 for p in parsed.header_errors)
    assert [row.number for row in parsed.rows] == [2, 3] and not any(row.errors for row in parsed.rows)


def test_headers_with_remarks_and_asterisks_are_understood() -> None:
    header = ["来源*", "接警时间（必填）", " 报警内容 ", "Address"]
    parsed = parse_file(csv_bytes([["电话", "2026-11-30 08:15", "有人打架", "江南大道8号"]], header=header), "calls.csv", now=NOW)
    assert not parsed.header_errors
    assert parsed.rows[0].ok and parsed.rows[0].values["address"] == "江南大道8号"


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"", "calls.csv", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "calls.xls", ".xls"),
    (b"not a workbook", "calls.xlsx", ".xlsx"),
    (b"PK\x03\x04broken", "calls.xlsx", "XLSX"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "photo.jpg", "CSV"),
    ("来源,接警时间,报警内容\r\n".encode(), "calls.csv", "no calls"),
])
def test_files_that_cannot_be_read_say_why(data: bytes, name: str, words: str) -> None:
    with pytest.raises(FileError) as error:
        parse_file(data, name, now=NOW)
    assert words in str(error.value)


def test_a_file_with_more_calls_than_the_limit_is_refused_whole() -> None:
    rows = [call_row(f"第{n}条") for n in range(importing.MAX_ROWS + 1)]
    with pytest.raises(FileError) as error:
        parse_file(csv_bytes(rows), "calls.csv", now=NOW)
    assert str(importing.MAX_ROWS) in str(error.value)
    assert len(parse_file(csv_bytes(rows[:-1]), "calls.csv", now=NOW).rows) == importing.MAX_ROWS


def test_the_template_has_the_chinese_headers_and_a_bom() -> None:
    data = importing.template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip().split(",") == HEADER
    parsed = parse_file(data + ",".join(call_row()).encode() + b"\r\n", "template.csv", now=NOW)
    assert parsed.rows[0].ok and not parsed.header_warnings


# -- importing into a station ----------------------------------------------------------------------



def recent(minutes: int) -> str:
    return timezone.localtime(timezone.now() - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def good_rows(count: int) -> list[list[str]]:
    texts = ["楼上邻居半夜装修，吵得睡不着", "有人在小区门口打架", "电动车被偷了", "钱包丢了", "老人走失了", "门口有人吵架", "下水道井盖没了", "商铺门口乱停车"]
    addresses = ["南坪西路18号3栋2单元501", "南坪西路20号", "江南大道8号1栋", "南城大道199号"]
    return [
        call_row(texts[n % len(texts)], at=recent(60 - n), address=addresses[n % len(addresses)], external_id=f"J-{n}")
        for n in range(count)
    ]


def counts(station: Station) -> tuple[int, int, int]:
    return (
        Call.objects.for_stations([station.pk]).count(),
        Incident.objects.for_stations([station.pk]).count(),
        IncidentLog.objects.for_stations([station.pk]).count(),
    )


@pytest.mark.django_db
def test_a_good_file_creates_one_call_and_one_incident_per_row(station_a: Station, addresses_a: Any, zhang_wei: Any) -> None:
    report = importing.import_calls(station_a, csv_bytes(good_rows(8)), "calls.csv", user=zhang_wei, dry_run=False)
    assert report.imported and not report.has_errors
    assert (report.total, report.valid_count, report.error_count) == (8, 8, 0)
    calls, incidents, _log = counts(station_a)
    assert (calls, incidents) == (8, 8)
    numbers = report.incident_numbers
    assert len(set(numbers)) == 8
    assert set(numbers) == set(Incident.objects.for_stations([station_a.pk]).values_list("number", flat=True))
    call = Call.objects.for_stations([station_a.pk]).get(external_id="J-2")
    assert call.taken_by == zhang_wei and call.state == Call.State.INCIDENT
    assert call.incident.number == report.rows[2].incident_number
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, object_repr__startswith="import of")
    assert audit.count() == 1
    entry = audit.get()
    assert entry.object_repr == "import of 8 calls from calls.csv" and entry.user == zhang_wei
    assert entry.station_id == station_a.pk and len(entry.changes["calls"]) == 8


@pytest.mark.django_db
def test_a_dry_run_suggests_category_and_beat_and_records_nothing(station_a: Station, addresses_a: Any, beat_a: Any, zhang_wei: Any) -> None:
    rows = [call_row("小区广场舞音响太吵了", at=recent(5), address="南坪西路１８号３幢２单元５０１室")]
    report = importing.import_calls(station_a, csv_bytes(rows), "calls.csv", user=zhang_wei, dry_run=True)
    assert not report.imported and not report.has_errors
    row = report.rows[0]
    assert row.status == "ok"
    assert row.category == "non_police.noise" and row.route == "transfer"
    assert row.beat == beat_a.name and row.address.endswith("501")
    assert counts(station_a) == (0, 0, 0)
    assert not AuditEntry.objects.filter(object_repr__startswith="import of").exists()


@pytest.mark.django_db
def test_a_row_without_a_confident_address_is_a_warning_and_its_incident_is_flagged(
    station_a: Station, addresses_a: Any, zhang_wei: Any,
) -> None:
    rows = [call_row(at=recent(3)), call_row("门口有人吵架", at=recent(2), address="学府大道66号"), call_row("有人打架", at=recent(1), address="")]
    report = importing.import_calls(station_a, csv_bytes(rows), "calls.csv", user=zhang_wei, dry_run=False)
    assert report.imported
    assert [row.status for row in report.rows] == ["ok", "warning", "warning"]
    assert report.rows[1].warnings[0].field == "address"
    flagged = Incident.objects.for_stations([station_a.pk]).get(number=report.rows[1].incident_number)
    assert flagged.place_unconfirmed and flagged.address is None


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_the_report_names_row_7_and_the_field(
    station_a: Station, addresses_a: Any, zhang_wei: Any,
) -> None:
    rows = good_rows(10)
    rows[5][1] = "2026-13-45 99:99"  # the 6th data row is row 7 of the file
    report = importing.import_calls(station_a, csv_bytes(rows), "calls.csv", user=zhang_wei, dry_run=False)
    assert not report.imported and report.has_errors
    assert counts(station_a) == (0, 0, 0)
    bad = [(row.number, problem.column, problem.field) for row in report.rows for problem in row.errors]
    assert bad == [(7, "接警时间", "received_at")]
    assert report.rows[5].status == "error" and report.error_count == 1 and report.valid_count == 9
    assert report.incident_numbers == []
    assert not AuditEntry.objects.filter(object_repr__startswith="import of").exists()


@pytest.mark.django_db
def test_a_failure_while_recording_the_third_row_leaves_nothing_behind(
    station_a: Station, addresses_a: Any, zhang_wei: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = services.record_call
    seen: list[str] = []

    def failing_on_the_third(station: Station, data: services.CallData, **kwargs: Any) -> services.Receipt:
        seen.append(data.external_id)
        if len(seen) == 3:
            raise RuntimeError("disk full")
        return real(station, data, **kwargs)

    monkeypatch.setattr(services, "record_call", failing_on_the_third)
    report = importing.import_calls(station_a, csv_bytes(good_rows(6)), "calls.csv", user=zhang_wei, dry_run=False)
    assert len(seen) == 3, "the first two rows were recorded before the failure"
    assert not report.imported and report.has_errors and report.incident_numbers == []
    assert counts(station_a) == (0, 0, 0)
    assert IncidentCounter.objects.for_stations([station_a.pk]).count() == 0
    failed = report.rows[2]
    assert failed.number == 4 and failed.status == "error" and "disk full" in failed.errors[0].message
    assert "4" in report.failure
    assert [row.incident_number for row in report.rows] == [""] * 6
    entries = AuditEntry.objects.filter(object_repr__startswith="import of")
    assert [(e.outcome, e.object_repr) for e in entries] == [(AuditEntry.Outcome.FAILED, "import of 6 calls from calls.csv")]


@pytest.mark.django_db
def test_a_field_error_while_recording_is_reported_against_its_row_and_field(
    station_a: Station, addresses_a: Any, zhang_wei: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = services.record_call

    def refusing_row_three(station: Station, data: services.CallData, **kwargs: Any) -> services.Receipt:
        if data.external_id == "J-1":
            raise ValidationError({"address_id": "no such address"})
        return real(station, data, **kwargs)

    monkeypatch.setattr(services, "record_call", refusing_row_three)
    report = importing.import_calls(station_a, csv_bytes(good_rows(3)), "calls.csv", user=zhang_wei, dry_run=False)
    assert not report.imported and counts(station_a) == (0, 0, 0)
    problem = report.rows[1].errors[0]
    assert (problem.row, problem.field, problem.message) == (3, "address_id", "no such address")


@pytest.mark.django_db
def test_a_110_id_received_before_or_repeated_in_the_file_is_an_error(
    station_a: Station, addresses_a: Any, receive: Any, zhang_wei: Any,
) -> None:
    earlier = receive("有人打架", external_id="J-1").call
    rows = good_rows(3) + [call_row("又有人打架", at=recent(1), external_id="J-0")]
    report = importing.import_calls(station_a, csv_bytes(rows), "calls.csv", user=zhang_wei, dry_run=False)
    assert not report.imported
    bad = {(row.number, problem.field) for row in report.rows for problem in row.errors}
    assert bad == {(3, "external_id"), (5, "external_id")}
    assert str(earlier.pk) in report.rows[1].errors[0].message
    assert counts(station_a)[0] == 1  # only the call received before


@pytest.mark.django_db
def test_110_ids_are_per_station(station_a: Station, station_b: Station, addresses_a: Any, zhang_wei: Any) -> None:
    other = services.CallData(source="feed_110", text="有人打架", received_at=timezone.now(), external_id="J-0")
    services.do_receive_call(station_b, other)
    report = importing.import_calls(station_a, csv_bytes(good_rows(2)), "calls.csv", user=zhang_wei, dry_run=False)
    assert report.imported
    assert counts(station_a)[:2] == (2, 2)
    assert Call.objects.for_stations([station_b.pk]).count() == 1


@pytest.mark.django_db
def test_sensor_kinds_are_checked_against_the_station_and_accepted_by_label(
    station_a: Station, addresses_a: Any, zhang_wei: Any,
) -> None:
    rows = [
        call_row("烟感报警", source="传感器", at=recent(3), sensor="烟感报警", address="江南大道8号1栋"),
        call_row("井盖报警", source="sensor", at=recent(2), sensor="manhole_cover"),
        call_row("报警", source="传感器", at=recent(1), sensor="gas_leak"),
    ]
    report = importing.import_calls(station_a, csv_bytes(rows), "calls.csv", user=zhang_wei, dry_run=True)
    assert [row.status for row in report.rows][:2] == ["ok", "ok"]
    assert report.rows[0].values["sensor_kind"] == "smoke" and report.rows[0].category == "fire.fire"
    problem = report.rows[2].errors[0]
    assert (problem.row, problem.field) == (4, "sensor_kind") and "smoke" in problem.message
    del rows[2]
    report = importing.import_calls(station_a, csv_bytes(rows), "calls.csv", user=zhang_wei, dry_run=False)
    assert report.imported
    assert Call.objects.for_stations([station_a.pk]).filter(sensor_kind="smoke").count() == 1


@pytest.mark.django_db
def test_an_xlsx_file_is_imported(station_a: Station, addresses_a: Any, zhang_wei: Any) -> None:
    at = timezone.localtime().replace(tzinfo=None, microsecond=0) - dt.timedelta(minutes=30)
    data = xlsx_bytes([["电话", at, "电动车被偷了", "江南大道8号1栋", None, None, "王先生", 13800003333, "X-1", None]])
    report = importing.import_calls(station_a, data, "calls.xlsx", user=zhang_wei, dry_run=False)
    assert report.imported
    call = Call.objects.for_stations([station_a.pk]).get()
    assert call.caller_phone == "13800003333" and call.external_id == "X-1"
    assert call.received_at == at.replace(tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_is_reported_and_imports_nothing(station_a: Station, addresses_a: Any, zhang_wei: Any) -> None:
    report = importing.import_calls(station_a, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", user=zhang_wei, dry_run=False)
    assert report.file_errors and report.has_errors and not report.rows
    assert counts(station_a) == (0, 0, 0)
