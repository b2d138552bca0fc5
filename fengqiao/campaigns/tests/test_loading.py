"""Loading a verification list: mapping, matching, assignment, the per-row report,
all-or-nothing, file formats, the kept original row, audit and event, isolation, and the
load page (upload with details → report → confirm → the campaign page)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import loading, plan
from fengqiao.campaigns.loading import CampaignDetails, guess_mapping, load_campaign
from fengqiao.campaigns.models import Campaign, CampaignItem, CampaignLog
from fengqiao.core import events
from fengqiao.core.testing import PASSWORD
from fengqiao.intake import services as intake_services
from fengqiao.organisation.models import Beat, Officer, Station, Team
from fengqiao.records import crypto, idcard
from fengqiao.records.models import Address, Resident
from fengqiao.records.services import identity_fields

pytestmark = pytest.mark.django_db

ID_ZHANG = idcard.make("500108", dt.date(1980, 3, 1), 11, "M")  # on record at 南坪 (beat A)
ID_WANGWU = idcard.make("500103", dt.date(1991, 7, 9), 12, "M")  # nobody's
ID_ZHAOLIU = idcard.make("510105", dt.date(1975, 1, 20), 13, "F")  # on record at 海棠溪 only
PHONE_LISI = "13900002222"
HEADER = ["序号", "姓名", "身份证号", "手机号", "地址", "备注"]


def details(**changes: Any) -> CampaignDetails:
    values: dict[str, Any] = {"title": "涉诈高风险人员电话核查", "issuer": "分局治安大队",
                              "deadline": timezone.now() + dt.timedelta(hours=4), "instructions": "逐一电话核实"}
    values.update(changes)
    return CampaignDetails(**values)


def csv_bytes(rows: list[list[Any]], *, header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_address(station: Station, beat: Beat | None, road: str, number: str) -> Address:
    full = Address.compose(district="南岸区", street="南坪街道", road=road, number=number)
    return Address.objects.create(station=station, beat=beat, code=f"{station.code}-{road}-{number}", district="南岸区",
                                  street="南坪街道", road=road, number=number, full_text=full)


def make_resident(station: Station, name: str, *, id_number: str = "", phone: str = "",
                  address: Address | None = None) -> Resident:
    resident = Resident(station=station, name=name, phone=phone, address=address,
                        beat=address.beat if address else None)
    if id_number:
        identity_fields(id_number).apply(resident)
    resident.save()
    return resident


@pytest.fixture
def south(station_a: Station, station_b: Station, beat_a: Beat, community_team_a: Team, liu_yang: User,
          zhang_wei: User, password_hash: str) -> dict[str, Any]:
    beat_a2 = Beat.objects.create(station=station_a, code="NP-02", name="江南大道警务区", community="江南社区")
    wang_fang_user = User.objects.create(username="wangfang", password=password_hash)
    wang_fang = Officer.objects.create(user=wang_fang_user, station=station_a, team=community_team_a, name="王芳",
                                       badge_number="050299")
    in_a = make_address(station_a, beat_a, "南坪西路", "20号")
    in_a2 = make_address(station_a, beat_a2, "江南大道", "8号")
    make_address(station_a, None, "南城大道", "199号")
    zhang = make_resident(station_a, "张三", id_number=ID_ZHANG, phone="13900001111", address=in_a)
    li = make_resident(station_a, "李四", phone=PHONE_LISI, address=in_a2)
    zhao_b = make_resident(station_b, "赵六", id_number=ID_ZHAOLIU, phone="13900004444")
    intake_services.forget_station_caches()
    return {"beat_a2": beat_a2, "wang_fang": wang_fang, "liu": liu_yang.officer, "in_a": in_a, "in_a2": in_a2,
            "zhang": zhang, "li": li, "zhao_b": zhao_b}


def good_rows() -> list[list[Any]]:
    return [
        ["1", "张三", ID_ZHANG, "13900001111", "某处", "老地址"],  # id → resident in beat A → 刘洋
        ["2", "李四", "", "139 0000 2222", "不知道", ""],  # name + phone → resident in A2 (no officer) → in turn
        ["3", "王五", ID_WANGWU, "", "南坪西路20号", ""],  # address only → beat A → 刘洋
        ["4", "赵六", ID_ZHAOLIU, "13900004444", "火星路1号", ""],  # 海棠溪's resident: not matched → in turn
        ["5", "钱七", "", "", "", "只有名字"],  # nothing → in turn
    ]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    def record(station_id: int, kind: str, **fields: Any) -> None:
        sent.append(events.make_event(station_id, kind, **fields).data)

    monkeypatch.setattr(events, "publish", record)
    return sent


def items_of(campaign: Campaign) -> dict[int, CampaignItem]:
    return {item.row: item for item in CampaignItem.objects.for_stations([campaign.station_id]).filter(campaign=campaign)}


# -- mapping --------------------------------------------------------------------------------------


def test_mapping_is_guessed_from_chinese_headers() -> None:
    assert guess_mapping(["序号", "姓名", "公民身份号码", "联系电话", "现住址"]) == {
        "name": 1, "id_number": 2, "phone": 3, "address": 4}
    assert guess_mapping(["身份证号", "手机号", "地址", "姓名（必填）"]) == {
        "name": 3, "id_number": 0, "phone": 1, "address": 2}
    # The first column of a field wins; unknown headers fill nothing.
    assert guess_mapping(["姓名", "名字", "备注"]) == {"name": 0, "id_number": None, "phone": None, "address": None}


def test_a_chosen_mapping_overrides_the_guess(station_a: Station, south: dict[str, Any], zhang_wei: User) -> None:
    data = csv_bytes([["1", "张三", ID_ZHANG, "13900001111", "x", "y"]], header=["序号", "人", "号", "电", "址", "备"])
    with translation.override("en"):
        guessed = load_campaign(station_a, data, "l.csv", user=zhang_wei, details=details(), dry_run=True)
    assert not guessed.ok
    assert any("name or the identity number" in problem.message for problem in guessed.problems)
    chosen = load_campaign(station_a, data, "l.csv", user=zhang_wei, details=details(), dry_run=True,
                           mapping={"name": 1, "id_number": 2, "phone": 3, "address": None})
    assert chosen.ok, chosen.problems
    assert chosen.by_match == {CampaignItem.Match.ID_NUMBER: 1}


# -- matching and assignment ----------------------------------------------------------------------


def test_load_matches_assigns_and_keeps(station_a: Station, south: dict[str, Any], zhang_wei: User,
                                        published: list[dict[str, Any]]) -> None:
    report = load_campaign(station_a, csv_bytes(good_rows()), "名单.csv", user=zhang_wei, details=details())
    assert report.ok, report.problems
    campaign = report.campaign
    assert campaign is not None
    assert re.fullmatch(rf"核{timezone.localtime().year}-0001", campaign.number)
    assert campaign.columns == HEADER
    assert campaign.mapping == {"name": 1, "id_number": 2, "phone": 3, "address": 4}
    items = items_of(campaign)
    assert sorted(items) == [2, 3, 4, 5, 6]  # rows as the user sees them: header = row 1
    liu, wang = south["liu"], south["wang_fang"]

    zhang = items[2]
    assert (zhang.match, zhang.resident_id, zhang.beat_id) == (CampaignItem.Match.ID_NUMBER, south["zhang"].pk, liu.beat_id)
    assert (zhang.officer_id, zhang.assigned_how) == (liu.pk, plan.BY_BEAT)
    assert zhang.id_number_masked == ID_ZHANG[:6] + "********" + ID_ZHANG[-4:]
    assert zhang.id_number_hash == crypto.search_hash(ID_ZHANG)

    li = items[3]
    assert (li.match, li.resident_id, li.beat_id) == (CampaignItem.Match.NAME_PHONE, south["li"].pk, south["beat_a2"].pk)
    assert li.assigned_how == plan.ROUND_ROBIN  # beat A2 has no officer
    assert crypto.decrypt(li.phone) == PHONE_LISI and li.phone_masked == "139****2222"

    wangwu = items[4]
    assert (wangwu.match, wangwu.resident_id, wangwu.address_id) == (CampaignItem.Match.ADDRESS, None, south["in_a"].pk)
    assert (wangwu.officer_id, wangwu.assigned_how) == (liu.pk, plan.BY_BEAT)

    zhao = items[5]
    assert (zhao.match, zhao.resident_id, zhao.beat_id) == (CampaignItem.Match.NONE, None, None)  # isolation
    qian = items[6]
    assert qian.match == CampaignItem.Match.NONE
    # In turn within the community team, in pk order, starting with the first (no earlier list).
    assert [li.officer_id, zhao.officer_id, qian.officer_id] == [liu.pk, wang.pk, liu.pk]
    assert {zhao.assigned_how, qian.assigned_how} == {plan.ROUND_ROBIN}

    assert report.by_match == {"id_number": 1, "name_phone": 1, "address": 1, "none": 2}
    assert report.by_how == {plan.BY_BEAT: 2, plan.ROUND_ROBIN: 3}
    assert [(o.name, o.n) for o in report.officers] == [("刘洋", 4), ("王芳", 1)]

    logs = list(CampaignLog.objects.for_stations([station_a.pk]).filter(campaign=campaign))
    assert [log.action for log in logs] == [CampaignLog.Action.LOADED]
    assert logs[0].author == zhang_wei and logs[0].data["rows"] == 5
    audits = list(AuditEntry.objects.filter(object_type__icontains="campaign"))
    assert len(audits) == 1
    audit = audits[0]
    assert audit.action == AuditEntry.Action.IMPORTED and audit.user == zhang_wei and audit.object_id == str(campaign.pk)
    assert audit.changes["rows"] == 5 and audit.changes["match"]["none"] == 2
    assert ID_ZHANG not in json.dumps(audit.changes, ensure_ascii=False)
    assert published == [dict(published[0], station=station_a.pk, kind="campaign", campaign=campaign.pk, officer=None,
                              state="loaded")]


def test_round_robin_starts_where_the_last_list_left_off(station_a: Station, south: dict[str, Any],
                                                         zhang_wei: User) -> None:
    rows = [["1", "甲", "", "", "", ""]]
    first = load_campaign(station_a, csv_bytes(rows), "a.csv", user=zhang_wei, details=details()).campaign
    second = load_campaign(station_a, csv_bytes(rows), "b.csv", user=zhang_wei, details=details()).campaign
    assert first is not None and second is not None
    assert second.number.endswith("-0002")
    assert items_of(first)[2].officer_id == south["liu"].pk
    assert items_of(second)[2].officer_id == south["wang_fang"].pk


def test_officers_on_leave_or_without_an_account_get_nothing(station_a: Station, south: dict[str, Any],
                                                             zhang_wei: User) -> None:
    liu = south["liu"]
    liu.duty_status = Officer.DutyStatus.ON_LEAVE
    liu.save()
    report = load_campaign(station_a, csv_bytes(good_rows()), "名单.csv", user=zhang_wei, details=details())
    assert report.by_how == {plan.ROUND_ROBIN: 5}
    assert {item.officer_id for item in items_of(report.campaign).values()} == {south["wang_fang"].pk}  # type: ignore[arg-type]


def test_without_a_community_team_items_stay_unassigned(station_b: Station, wang_qiang: User, beat_b: Beat) -> None:
    make_resident(station_b, "赵六", id_number=ID_ZHAOLIU)
    report = load_campaign(station_b, csv_bytes(good_rows()), "名单.csv", user=wang_qiang, details=details())
    assert report.ok, report.problems
    items = items_of(report.campaign)  # type: ignore[arg-type]
    assert {(item.officer_id, item.assigned_how) for item in items.values()} == {(None, plan.UNASSIGNED)}
    assert report.by_how == {plan.UNASSIGNED: 5} and report.officers == []
    # 赵六 is 海棠溪's own resident: found there.
    assert items[5].match == CampaignItem.Match.ID_NUMBER


def test_another_stations_residents_are_never_matched(station_a: Station, south: dict[str, Any], zhang_wei: User) -> None:
    zhao_b = south["zhao_b"]
    rows = [["1", "赵六", ID_ZHAOLIU, "13900004444", "", ""], ["2", "赵六", "", "13900004444", "", ""]]
    report = load_campaign(station_a, csv_bytes(rows), "名单.csv", user=zhang_wei, details=details())
    items = items_of(report.campaign)  # type: ignore[arg-type]
    assert all(item.resident_id is None and item.match == CampaignItem.Match.NONE for item in items.values())
    assert not CampaignItem.objects.for_stations([station_a.pk]).filter(resident=zhao_b).exists()


# -- the report and all-or-nothing ----------------------------------------------------------------


def test_a_bad_row_keeps_nothing_and_every_problem_is_named(station_a: Station, south: dict[str, Any], zhang_wei: User,
                                                            published: list[dict[str, Any]]) -> None:
    bad_check = ID_WANGWU[:17] + ("0" if ID_WANGWU[17] != "0" else "1")
    rows = [
        *good_rows(),
        ["6", "", "", "13900009999", "", ""],  # row 7: neither name nor number
        ["7", "孙八", bad_check, "", "", ""],  # row 8: check digit
        ["8", "周九", ID_ZHANG, "", "", ""],  # row 9: the same number as row 2
        ["9", "吴十", "12345", "", "", ""],  # row 10: too short
    ]
    with translation.override("en"):
        report = load_campaign(station_a, csv_bytes(rows), "名单.csv", user=zhang_wei, details=details())
    assert not report.ok and report.campaign is None
    found = {(problem.row, problem.column) for problem in report.problems}
    assert found == {(7, "姓名"), (8, "身份证号"), (9, "身份证号"), (10, "身份证号")}
    by_row = {problem.row: problem.message for problem in report.problems}
    assert "check digit" in by_row[8]
    assert bad_check[:6] + "********" + bad_check[-4:] in by_row[8] and bad_check not in by_row[8]
    assert "row 2" in by_row[9] and ID_ZHANG not in by_row[9]
    assert "18 characters" in by_row[10]
    assert not Campaign.objects.for_stations([station_a.pk]).exists()
    assert not CampaignItem.objects.for_stations([station_a.pk]).exists()
    assert not CampaignLog.objects.for_stations([station_a.pk]).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED).exists()
    assert published == []


def test_old_15_digit_numbers_are_read_as_18(station_a: Station, south: dict[str, Any], zhang_wei: User) -> None:
    old = ID_ZHANG[:6] + ID_ZHANG[8:17]  # 500108 800301 011
    report = load_campaign(station_a, csv_bytes([["1", "张三", old, "", "", ""]]), "l.csv", user=zhang_wei, details=details())
    assert report.ok, report.problems
    assert items_of(report.campaign)[2].resident_id == south["zhang"].pk  # type: ignore[arg-type]


def test_a_file_without_rows_is_bad(station_a: Station, zhang_wei: User, south: dict[str, Any]) -> None:
    report = load_campaign(station_a, csv_bytes([]), "empty.csv", user=zhang_wei, details=details())
    assert not report.ok and report.campaign is None and report.problems
    report = load_campaign(station_a, b"", "nothing.csv", user=zhang_wei, details=details())
    assert not report.ok and report.problems[0].row == 0


def test_too_many_rows(station_a: Station, zhang_wei: User, south: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "MAX_ROWS", 3)
    with translation.override("en"):
        report = load_campaign(station_a, csv_bytes(good_rows()), "l.csv", user=zhang_wei, details=details())
    assert not report.ok and "more than 3 rows" in report.problems[0].message


def test_bad_details_are_refused_by_field(station_a: Station, zhang_wei: User, south: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        load_campaign(station_a, csv_bytes(good_rows()), "l.csv", user=zhang_wei,
                      details=details(title=" ", issuer="", deadline=timezone.now() - dt.timedelta(minutes=1)))
    assert set(refused.value.message_dict) == {"title", "issuer", "deadline"}
    assert not Campaign.objects.for_stations([station_a.pk]).exists()


def test_a_dry_run_keeps_nothing(station_a: Station, south: dict[str, Any], zhang_wei: User) -> None:
    report = load_campaign(station_a, csv_bytes(good_rows()), "名单.csv", user=zhang_wei, details=details(), dry_run=True)
    assert report.ok and report.campaign is None and report.rows == 5
    assert report.by_how == {plan.BY_BEAT: 2, plan.ROUND_ROBIN: 3}
    assert not Campaign.objects.for_stations([station_a.pk]).exists()


# -- formats and the original row -------------------------------------------------------------------


def test_xlsx_input_and_the_original_row_is_kept_encrypted(station_a: Station, south: dict[str, Any],
                                                           zhang_wei: User) -> None:
    rows = [[1, "张三", ID_ZHANG, "13900001111", "南坪西路20号", "备注 一"], [2, "王五", ID_WANGWU, None, None, None]]
    report = load_campaign(station_a, xlsx_bytes(rows), "名单.xlsx", user=zhang_wei, details=details())
    assert report.ok, report.problems
    assert report.file_format == "xlsx"
    items = items_of(report.campaign)  # type: ignore[arg-type]
    assert ID_ZHANG not in items[2].original and items[2].original.startswith("v1:")
    assert json.loads(crypto.decrypt(items[2].original)) == ["1", "张三", ID_ZHANG, "13900001111", "南坪西路20号", "备注 一"]
    assert json.loads(crypto.decrypt(items[3].original)) == ["2", "王五", ID_WANGWU, "", "", ""]
    assert items[2].match == CampaignItem.Match.ID_NUMBER


def test_gb18030_csv_input(station_a: Station, south: dict[str, Any], zhang_wei: User) -> None:
    header = ["姓名", "公民身份号码", "联系电话", "现住址"]
    data = csv_bytes([["张三", ID_ZHANG, "13900001111", "南坪西路20号"], ["李四", "", PHONE_LISI, "江南大道8号"]],
                     header=header, encoding="gb18030")
    report = load_campaign(station_a, data, "名单.csv", user=zhang_wei, details=details())
    assert report.ok, report.problems
    assert report.encoding == "gb18030"
    items = items_of(report.campaign)  # type: ignore[arg-type]
    assert json.loads(crypto.decrypt(items[3].original)) == ["李四", "", PHONE_LISI, "江南大道8号"]
    assert items[3].match == CampaignItem.Match.NAME_PHONE and items[3].name == "李四"


def test_short_csv_rows_are_padded_to_the_header(station_a: Station, south: dict[str, Any], zhang_wei: User) -> None:
    data = "姓名,身份证号,备注\r\n张三\r\n".encode()
    report = load_campaign(station_a, data, "l.csv", user=zhang_wei, details=details())
    assert report.ok, report.problems
    assert json.loads(crypto.decrypt(items_of(report.campaign)[2].original)) == ["张三", "", ""]  # type: ignore[arg-type]


# -- the load page ------------------------------------------------------------------------------------


@pytest.fixture(autouse=False)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def commander(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page_form(file: SimpleUploadedFile, **changes: str) -> dict[str, Any]:
    deadline = timezone.localtime() + dt.timedelta(hours=4)
    form: dict[str, Any] = {"title": "涉诈高风险人员电话核查", "issuer": "分局治安大队", "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
                            "remind_before": "60", "instructions": "逐一电话核实", "file": file}
    form.update(changes)
    return form


def detail_url(pk: int) -> str:
    try:
        return reverse("campaigns:detail", args=[pk])
    except NoReverseMatch:
        return f"/campaigns/{pk}/"


def test_the_commander_loads_a_list_through_the_page(station_a: Station, south: dict[str, Any], zhang_wei: User,
                                                     data_dir: Path) -> None:
    client = commander(zhang_wei)
    assert client.get("/campaigns/new/").status_code == 200
    response = client.post("/campaigns/new/", page_form(SimpleUploadedFile("名单.csv", csv_bytes(good_rows()))))
    assert response.status_code == 302, response.content.decode()[:3000]
    check = response["Location"]
    assert re.fullmatch(r"/campaigns/new/[A-Za-z0-9_-]+/", check)
    assert not Campaign.objects.for_stations([station_a.pk]).exists()
    page = client.get(check)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="load-report"' in text and 'data-count="rows">5<' in text
    assert "刘洋" in text and "王芳" in text
    assert ID_ZHANG not in text and PHONE_LISI not in text
    response = client.post(f"{check}confirm/")
    campaign = Campaign.objects.for_stations([station_a.pk]).get()
    assert response.status_code == 302 and response["Location"] == detail_url(campaign.pk)
    assert campaign.title == "涉诈高风险人员电话核查" and campaign.created_by == zhang_wei
    assert CampaignItem.objects.for_stations([station_a.pk]).count() == 5
    assert list((data_dir / "imports" / "campaigns").glob("*.upload")) == []
    # The token is used up: confirming again keeps nothing more.
    again = client.post(f"{check}confirm/")
    assert again.status_code == 302 and again["Location"] == "/campaigns/new/"
    assert Campaign.objects.for_stations([station_a.pk]).count() == 1


def test_the_page_shows_bad_rows_and_keeps_nothing(station_a: Station, south: dict[str, Any], zhang_wei: User,
                                                   data_dir: Path) -> None:
    client = commander(zhang_wei)
    rows = [*good_rows(), ["6", "周九", ID_ZHANG, "13900009999", "", ""]]
    response = client.post("/campaigns/new/", page_form(SimpleUploadedFile("名单.csv", csv_bytes(rows))))
    check = response["Location"]
    text = client.get(check).content.decode()
    assert 'data-testid="load-problems"' in text and 'data-row="7"' in text
    assert ID_ZHANG[:6] + "********" + ID_ZHANG[-4:] in text
    assert 'data-testid="confirm-load"' not in text
    refused = client.post(f"{check}confirm/")
    assert refused.status_code == 422
    assert not Campaign.objects.for_stations([station_a.pk]).exists()


def test_the_page_lets_the_columns_be_chosen(station_a: Station, south: dict[str, Any], zhang_wei: User,
                                             data_dir: Path) -> None:
    client = commander(zhang_wei)
    data = csv_bytes([["1", "张三", ID_ZHANG, "13900001111", "x", "y"]], header=["序号", "人", "号", "电", "址", "备"])
    check = client.post("/campaigns/new/", page_form(SimpleUploadedFile("l.csv", data)))["Location"]
    assert 'data-testid="confirm-load"' not in client.get(check).content.decode()
    page = client.post(check, {"map-name": "1", "map-id_number": "2", "map-phone": "3", "map-address": ""})
    assert 'data-testid="confirm-load"' in page.content.decode()
    client.post(f"{check}confirm/")
    campaign = Campaign.objects.for_stations([station_a.pk]).get()
    assert campaign.mapping == {"name": 1, "id_number": 2, "phone": 3, "address": None}
    assert items_of(campaign)[2].match == CampaignItem.Match.ID_NUMBER


def test_the_page_refuses_bad_details(station_a: Station, south: dict[str, Any], zhang_wei: User, data_dir: Path) -> None:
    client = commander(zhang_wei)
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/campaigns/new/", page_form(SimpleUploadedFile("l.csv", csv_bytes(good_rows())),
                                                        title="", deadline=past))
    assert response.status_code == 400
    assert list((data_dir / "imports" / "campaigns").glob("*.upload")) == []


def test_only_people_who_may_add_campaigns_see_the_page(liu_yang: User, chen_chen: User, data_dir: Path) -> None:
    assert commander(liu_yang).get("/campaigns/new/").status_code == 403
    assert commander(chen_chen).get("/campaigns/new/").status_code == 403


def test_a_token_of_another_session_is_refused(station_a: Station, south: dict[str, Any], zhang_wei: User,
                                               li_na: User, data_dir: Path) -> None:
    check = commander(zhang_wei).post("/campaigns/new/", page_form(
        SimpleUploadedFile("l.csv", csv_bytes(good_rows()))))["Location"]
    other = commander(li_na)
    assert other.get(check)["Location"] == "/campaigns/new/"
    assert other.post(f"{check}confirm/")["Location"] == "/campaigns/new/"
    assert not Campaign.objects.for_stations([station_a.pk]).exists()


def test_the_report_for_the_api_is_masked(station_a: Station, south: dict[str, Any], zhang_wei: User) -> None:
    rows = [*good_rows(), ["6", "周九", ID_ZHANG, "13900009999", "", ""]]
    found = load_campaign(station_a, csv_bytes(rows), "名单.csv", user=zhang_wei, details=details(), dry_run=True).as_dict()
    text = json.dumps(found, ensure_ascii=False)
    assert found["ok"] is False and found["problems"][0]["row"] == 7 and found["campaign"] is None
    assert ID_ZHANG not in text and "13900009999" not in text
    bad = load_campaign(station_a, csv_bytes(rows), "名单.csv", user=zhang_wei, details=details(), dry_run=True,
                        mapping={"name": "x", "id_number": 2})
    assert [problem.field for problem in bad.problems] == ["name"]


def test_the_benchmark_runs_at_a_small_size(db: Any, settings: Any, tmp_path: Path) -> None:
    from fengqiao.bench import campaigns as bench

    settings.DATA_DIR = tmp_path
    figures = bench.run_here(items=60, residents=80, addresses=40, runs=1, seed=3)
    assert figures["items"] == 60 and len(figures["load_seconds"]) == 1
    assert sum(figures["by_match"].values()) == 60 and sum(figures["by_how"].values()) == 60
    assert figures["target_met"] is None
    assert any(label == "load and assign" for label, _value in bench.report_rows(figures))
