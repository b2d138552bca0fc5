"""Identity numbers at rest: encrypted with a key outside the database, found by keyed hash,
never written in the clear to the table or the audit log; revealed only with a reason."""

from __future__ import annotations

import base64
import datetime as dt
import os
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import RevealRefused
from fengqiao.intake.tests.conftest import make_address
from fengqiao.records import crypto, idcard, selectors, services
from fengqiao.records.models import Resident

pytestmark = pytest.mark.django_db

NUMBER = idcard.make("500108", dt.date(1985, 3, 12), 7, "F")


@pytest.fixture
def flat(station_a: Any, beat_a: Any) -> Any:
    return make_address(station_a, beat_a, "南坪西路", "18号", "3栋", "2单元", "501")


@pytest.fixture
def resident(station_a: Any, flat: Any) -> Resident:
    return services.save_resident(station_a.pk, services.ResidentData(
        name="王秀英", id_number=NUMBER, phone="13812345678", address_id=flat.pk))


def test_the_table_holds_no_clear_identity_number(resident: Resident) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM records_resident WHERE id = %s", [resident.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert NUMBER not in row
    assert NUMBER[:6] + "********" + NUMBER[-4:] in row  # the masked form is kept for display
    assert crypto.decrypt(resident.id_number_cipher) == NUMBER
    assert resident.id_number_hash == crypto.search_hash(NUMBER)


def test_sex_and_birth_date_come_from_the_number_and_the_beat_from_the_address(resident: Resident, beat_a: Any) -> None:
    assert (resident.sex, resident.birth_date, resident.beat_id) == ("F", dt.date(1985, 3, 12), beat_a.pk)


def test_the_audit_log_of_the_new_record_has_no_number_at_all(resident: Resident) -> None:
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATED, object_type="records.resident", object_id=str(resident.pk))
    text = str(entry.changes)
    assert NUMBER not in text and "id_number_cipher" not in text and "13812345678" not in text


def test_a_different_key_cannot_read_the_number(resident: Resident, settings: Any) -> None:
    settings.FENGQIAO_RECORDS_KEY = base64.b64encode(os.urandom(64)).decode()
    crypto.forget_keys()
    try:
        with pytest.raises(Exception):  # noqa: B017 - AES-GCM's InvalidTag
            crypto.decrypt(resident.id_number_cipher)
        assert crypto.search_hash(NUMBER) != resident.id_number_hash
    finally:
        crypto.forget_keys()


def test_a_bad_check_digit_is_refused_naming_the_field_and_nothing_is_kept(station_a: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.save_resident(station_a.pk, services.ResidentData(name="李四", id_number=NUMBER[:-1] + "0"))
    assert refused.value.message_dict["id_number"] == [services.id_number_error(idcard.CHECK_DIGIT)]
    assert not Resident.objects.for_stations([station_a.pk]).exists()


def test_one_record_per_identity_number(station_a: Any, resident: Resident) -> None:
    with pytest.raises(ValidationError) as refused:
        services.save_resident(station_a.pk, services.ResidentData(name="王秀英", id_number=NUMBER.lower()))
    assert "王秀英" in refused.value.message_dict["id_number"][0]


def test_the_same_person_may_be_on_record_at_another_station(station_b: Any, resident: Resident) -> None:
    other = services.save_resident(station_b.pk, services.ResidentData(name="王秀英", id_number=NUMBER))
    assert other.pk != resident.pk


def test_search_by_the_full_number_finds_the_person_and_logs_the_query_masked(resident: Resident, li_na: Any) -> None:
    query, found = selectors.search_residents(li_na, NUMBER)
    assert query.kind == "id_number"
    assert list(found) == [resident]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED).latest("pk")
    assert entry.user == li_na
    assert NUMBER not in entry.reason and entry.reason == NUMBER[:6] + "********" + NUMBER[-4:]


@pytest.mark.parametrize(("text", "kind"), [("王秀", "name"), ("138123", "phone"), ("5678", "last_four"), ("南坪西路18号", "address")])
def test_search_by_name_phone_and_address(resident: Resident, li_na: Any, text: str, kind: str) -> None:
    query, found = selectors.search_residents(li_na, text)
    assert query.kind == kind
    assert resident in list(found)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCHED, user=li_na).count() == 1


def test_revealing_writes_one_audit_row_with_the_reason_then_returns_the_numbers(resident: Resident, liu_yang: Any) -> None:
    clear = services.reveal_identifiers(resident, ["id_number", "phone"], user=liu_yang, reason="核实身份")
    assert clear == {"id_number": NUMBER, "phone": "13812345678"}
    rows = AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED, object_id=str(resident.pk))
    assert [(row.user, row.reason, row.outcome) for row in rows] == [(liu_yang, "核实身份", AuditEntry.Outcome.OK)]


def test_no_reason_no_reveal(resident: Resident, liu_yang: Any) -> None:
    with pytest.raises(RevealRefused):
        services.reveal_identifiers(resident, ["id_number"], user=liu_yang, reason=" ")


def test_an_auxiliary_may_not_reveal_and_the_refusal_is_written_down(resident: Resident, chen_chen: Any) -> None:
    with pytest.raises(RevealRefused):
        services.reveal_identifiers(resident, ["id_number"], user=chen_chen, reason="想看看")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEALED, outcome=AuditEntry.Outcome.REFUSED,
                                      user=chen_chen).count() == 1


def test_if_the_audit_row_cannot_be_written_nothing_is_revealed(resident: Resident, liu_yang: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    monkeypatch.setattr(services, "clear_identifier", lambda res, name: read.append(name) or "x")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("fengqiao.audit.services.rows.insert", broken)
    with pytest.raises(RuntimeError):
        services.reveal_identifiers(resident, ["id_number"], user=liu_yang, reason="核实身份")
    assert read == []


def test_an_auxiliary_sees_only_the_beat_of_the_officer_they_work_under(
        station_a: Any, beat_a: Any, beat_b: Any, resident: Resident, chen_chen: Any) -> None:
    elsewhere_beat = type(beat_a).objects.for_stations([station_a.pk]).exclude(pk=beat_a.pk).first()
    if elsewhere_beat is None:
        elsewhere_beat = type(beat_a).objects.create(station=station_a, code="A9", name="别的警务区", boundary=beat_a.boundary)
    elsewhere = make_address(station_a, elsewhere_beat, "南城大道", "1号")
    stranger = services.save_resident(station_a.pk, services.ResidentData(
        name="赵六", id_number=idcard.make("500108", dt.date(1970, 1, 1), 3, "M"), address_id=elsewhere.pk))
    visible = list(selectors.residents_for(chen_chen))
    assert resident in visible and stranger not in visible
