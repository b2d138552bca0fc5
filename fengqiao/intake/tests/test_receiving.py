"""Receiving a call: one transaction makes the call, the incident, its number and its log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fengqiao.intake import services
from fengqiao.intake.models import Call, Category, Incident, IncidentLog, IntakeSettings
from fengqiao.organisation.models import Station

pytestmark = pytest.mark.django_db


def test_a_call_becomes_a_triaged_incident_placed_in_its_beat(receive: Any, beat_a: Any, command_room_a: Any) -> None:
    receipt = receive("小区广场舞音响太吵了，每天晚上放到十点", address_text="南坪西路１８号３幢２单元５０１室")
    incident, call = receipt.incident, receipt.call
    assert receipt.created_incident
    assert call.state == Call.State.INCIDENT and call.incident == incident
    assert incident.state == Incident.State.TRIAGED
    assert incident.category.code == "non_police.noise"
    assert incident.route == "transfer"
    assert incident.address.full_text == "南岸区南坪街道南坪西路18号3栋2单元501"
    assert incident.beat == beat_a and not incident.place_unconfirmed
    assert incident.owner_team == command_room_a
    assert incident.deadline is not None and incident.deadline > timezone.now()
    kinds = list(incident.log.order_by("id").values_list("kind", "automatic"))
    assert kinds[:2] == [(IncidentLog.Kind.RECEIVED, True), (IncidentLog.Kind.TRIAGED, True)]


def test_the_number_follows_the_template_and_counts_per_day(receive: Any, station_a: Station) -> None:
    today = timezone.localtime().strftime("%Y%m%d")
    first = receive("有人打架", address_text="江南大道8号").incident
    second = receive("电动车被偷了", address_text="江南大道8号").incident
    assert first.number == f"NP{today}0001"
    assert second.number == f"NP{today}0002"
    yesterday = timezone.now() - dt.timedelta(days=1)
    earlier = receive("钱包丢了", received_at=yesterday).incident
    assert earlier.number == f"NP{timezone.localtime(yesterday):%Y%m%d}0001"


def test_a_station_template_is_used_and_a_bad_one_refused(receive: Any, station_a: Station) -> None:
    intake_settings = IntakeSettings.objects.for_stations([station_a.pk]).get()
    intake_settings.number_template = "{station}-{YYYY}-{MM}{DD}-{NNN}"
    intake_settings.full_clean()
    intake_settings.save()
    number = receive("有人打架").incident.number
    assert number.startswith("NP-") and number.endswith("-001")
    intake_settings.number_template = "{station}{NNNN}"
    with pytest.raises(ValidationError) as error:
        intake_settings.full_clean()
    assert "number_template" in error.value.message_dict


def test_an_unmatched_address_is_flagged_not_guessed(receive: Any) -> None:
    incident = receive("门口有人吵架", address_text="学府大道66号").incident
    assert incident.address is None
    assert incident.place_unconfirmed
    assert incident.log.filter(kind=IncidentLog.Kind.NOTE, text__contains="confirm").exists() or \
        incident.log.filter(kind=IncidentLog.Kind.NOTE, text__contains="确认").exists()


def test_a_position_outside_every_beat_leaves_the_beat_empty(receive: Any) -> None:
    incident = receive("有人打架", address_text="", latitude=29.70, longitude=106.70).incident
    assert incident.beat is None and incident.place_unconfirmed


def test_the_commanders_decision_overrides_the_suggestion_and_is_logged(receive: Any, zhang_wei: Any) -> None:
    decision = services.Decision(category="dispute.neighbour", priority=2, route="community", tags=["重复报警"])
    incident = receive("小区广场舞音响太吵了", user=zhang_wei, decision=decision).incident
    assert (incident.category.code, incident.priority, incident.route) == ("dispute.neighbour", 2, "community")
    assert incident.tags == ["重复报警"]
    change = incident.log.get(kind=IncidentLog.Kind.CHANGED)
    assert change.before["category"] == "non_police.noise" and change.after["category"] == "dispute.neighbour"
    assert change.author == zhang_wei and not change.automatic


def test_an_unknown_category_is_refused_and_nothing_is_kept(receive: Any, station_a: Station) -> None:
    with pytest.raises(ValidationError) as error:
        receive("有人打架", decision=services.Decision(category="crime.piracy"))
    assert "category" in error.value.message_dict
    assert Call.objects.for_stations([station_a.pk]).count() == 0
    assert Incident.objects.for_stations([station_a.pk]).count() == 0


def test_a_sensor_alarm_takes_category_and_priority_from_the_table(receive: Any) -> None:
    receipt = receive("1号楼3层烟感报警", source="sensor", sensor_kind="smoke")
    assert receipt.incident.category.code == "fire.fire" and receipt.incident.priority == 1
    assert receipt.suggestion.confidence == 1.0
    with pytest.raises(ValidationError) as error:
        receive("井盖位移", source="sensor", sensor_kind="seismic")
    assert "sensor_kind" in error.value.message_dict


def test_a_repeat_call_nearby_is_suggested_and_can_join_the_incident(receive: Any) -> None:
    first = receive("两伙人在烧烤摊打架", address_text="南坪西路18号").incident
    receipt = receive("烧烤摊那边有人打起来了", address_text="南坪西路20号")
    assert [s.incident_id for s in receipt.possible_duplicates] == [first.pk]
    joined = receive("又有人报打架", address_text="南坪西路20号", decision=services.Decision(merge_into=first))
    assert not joined.created_incident and joined.incident == first
    assert joined.call.state == Call.State.DUPLICATE
    assert first.calls.count() == 2


def test_only_open_incidents_of_the_same_family_near_in_time_are_suggested(receive: Any, station_a: Station) -> None:
    now = timezone.now()
    fight = receive("两伙人在烧烤摊打架", address_text="南坪西路20号", received_at=now - dt.timedelta(minutes=25)).incident
    assert fight.address_id is not None
    receive("楼上装修太吵了", address_text="南坪西路20号", received_at=now - dt.timedelta(minutes=5))  # another family
    closed = receive("有人打架", address_text="南坪西路20号", received_at=now - dt.timedelta(minutes=10)).incident
    Incident.objects.for_stations([station_a.pk]).filter(pk=closed.pk).update(state=Incident.State.CLOSED)
    receive("有人打架", address_text="南坪西路20号", received_at=now - dt.timedelta(minutes=40))  # outside the 30-minute window
    # No position, only the same standard address: still found, by the address.
    by_address = services.possible_duplicates(
        station_a.pk, "public_order", now, None, None, fight.address_id)
    assert [s.incident_id for s in by_address] == [fight.pk]
    assert by_address[0].distance_m is None
    by_position = services.possible_duplicates(
        station_a.pk, "public_order", now, fight.latitude, fight.longitude, None)
    assert [s.incident_id for s in by_position] == [fight.pk]
    assert services.possible_duplicates(station_a.pk, "criminal", now, fight.latitude, fight.longitude, None) == []


def test_a_far_or_late_call_is_not_suggested(receive: Any) -> None:
    receive("两伙人在烧烤摊打架", address_text="南坪西路18号")
    far = receive("有人打架", address_text="", latitude=29.5339, longitude=106.5680)
    late = receive("有人打架", received_at=timezone.now() + dt.timedelta(hours=2))
    assert far.possible_duplicates == [] and late.possible_duplicates == []


# -- idempotency ---------------------------------------------------------------------------


def test_the_same_key_and_body_give_the_first_result(receive: Any, station_a: Station) -> None:
    body = {"external_id": "110-1", "text": "有人打架"}
    first = receive("有人打架", key="k-1", body=body, external_id="110-1")
    again = receive("有人打架", key="k-1", body=dict(reversed(body.items())), external_id="110-1")
    assert again.replayed and again.call.pk == first.call.pk and again.incident.pk == first.incident.pk
    assert again.response == first.response
    assert Call.objects.for_stations([station_a.pk]).count() == 1


def test_the_same_key_with_another_body_is_a_conflict(receive: Any, station_a: Station) -> None:
    receive("有人打架", key="k-1", body={"text": "有人打架"})
    with pytest.raises(services.IdempotencyConflict):
        receive("有人吵架", key="k-1", body={"text": "有人吵架"})
    assert Call.objects.for_stations([station_a.pk]).count() == 1


def test_a_110_id_received_under_another_key_is_refused(receive: Any, station_a: Station) -> None:
    receive("有人打架", key="k-1", external_id="110-7")
    with pytest.raises(services.ExternalIdTaken):
        receive("有人打架", key="k-2", external_id="110-7")
    assert Call.objects.for_stations([station_a.pk]).count() == 1


def test_a_failure_after_the_call_is_written_keeps_nothing(receive: Any, station_a: Station, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "next_incident_number", broken)
    with pytest.raises(RuntimeError):
        receive("有人打架", key="k-1")
    assert Call.objects.for_stations([station_a.pk]).count() == 0
    assert services.find_idempotent(station_a.pk, "k-1") is None


# -- changing an incident ------------------------------------------------------------------


def test_the_edit_lock_shows_its_holder_and_keeps_others_out(receive: Any, zhang_wei: Any, li_na: Any) -> None:
    incident = receive("有人打架").incident
    locked = services.do_take_lock(incident, user=zhang_wei)
    assert services.lock_holder(locked) == zhang_wei
    with pytest.raises(services.LockHeld) as held:
        services.do_take_lock(incident, user=li_na)
    assert "张伟" in str(held.value)
    with pytest.raises(services.LockHeld):
        services.do_update_incident(incident, user=li_na, priority=1)
    services.do_update_incident(incident, user=zhang_wei, priority=1)
    later = timezone.now() + dt.timedelta(minutes=services.LOCK_MINUTES + 1)
    assert services.lock_holder(locked, now=later) is None
    services.do_release_lock(incident, user=zhang_wei)
    assert services.do_take_lock(incident, user=li_na).locked_by == li_na


def test_a_change_is_logged_with_before_and_after(receive: Any, zhang_wei: Any, station_a: Station) -> None:
    incident = receive("有人打架").incident
    fight = incident.category
    theft = Category.objects.for_stations([station_a.pk]).get(code="criminal.theft")
    services.do_update_incident(incident, user=zhang_wei, category=theft, priority=2)
    entry = incident.log.get(kind=IncidentLog.Kind.CHANGED)
    assert entry.before == {"category": str(fight), "priority": incident.priority}
    assert entry.after == {"category": str(theft), "priority": 2}
    with pytest.raises(ValidationError) as error:
        services.do_update_incident(incident, user=zhang_wei, state="closed")
    assert "state" in error.value.message_dict


def test_merging_keeps_both_calls_on_one_incident(receive: Any, zhang_wei: Any) -> None:
    kept = receive("两伙人在烧烤摊打架", address_text="南坪西路18号").incident
    duplicate = receive("烧烤摊有人打架", address_text="南坪西路20号").incident
    merged = services.do_merge(duplicate, into=kept, user=zhang_wei, reason="同一起")
    assert merged.state == Incident.State.MERGED and merged.merged_into == kept
    assert kept.calls.count() == 2
    assert set(kept.calls.values_list("state", flat=True)) == {Call.State.INCIDENT, Call.State.DUPLICATE}
    assert kept.log.filter(kind=IncidentLog.Kind.MERGED).exists()
    with pytest.raises(ValidationError):
        services.do_merge(kept, into=kept, user=zhang_wei)


def test_an_invalid_report_is_kept_and_counted(receive: Any, zhang_wei: Any) -> None:
    incident = receive("喂喂喂").incident
    with pytest.raises(ValidationError):
        services.do_mark_invalid(incident, user=zhang_wei, reason="")
    invalid = services.do_mark_invalid(incident, user=zhang_wei, reason="小孩拨打，无警情")
    assert invalid.state == Incident.State.INVALID
    assert invalid.calls.get().state == Call.State.INVALID


# -- the append-only log -------------------------------------------------------------------


def test_a_wrong_entry_is_struck_through_not_deleted(receive: Any, zhang_wei: Any) -> None:
    incident = receive("有人打架").incident
    note = services.do_add_note(incident, user=zhang_wei, text="报警人称对方持刀")
    struck = services.do_strike_entry(note, user=zhang_wei, reason="听错了，是持棍")
    assert struck.struck_by == zhang_wei and struck.text == "报警人称对方持刀"
    with pytest.raises(ValidationError):
        services.do_strike_entry(note, user=zhang_wei, reason="再划一次")
    automatic = incident.log.filter(automatic=True).first()
    with pytest.raises(ValidationError):
        services.do_strike_entry(automatic, user=zhang_wei, reason="不对")


def test_the_database_refuses_to_delete_or_rewrite_a_log_entry(receive: Any, zhang_wei: Any) -> None:
    incident = receive("有人打架").incident
    entry = services.do_add_note(incident, user=zhang_wei, text="报警人称对方持刀")
    table = IncidentLog._meta.db_table
    for statement in (f"DELETE FROM {table} WHERE id = %s", f"UPDATE {table} SET text = 'x' WHERE id = %s"):
        with pytest.raises(Exception) as refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
        assert "append-only" in str(refused.value) or "struck" in str(refused.value)
    assert IncidentLog.objects.for_stations([incident.station_id]).get(pk=entry.pk).text == "报警人称对方持刀"


def test_two_stations_count_their_numbers_apart(receive: Any, station_b: Station) -> None:
    receive("有人打架")
    number = services.next_incident_number(station_b, "{station}{YYYYMMDD}{NNNN}", timezone.now())
    assert number.startswith("HTX") and number.endswith("0001")
    Incident.objects.create(
        station=station_b, number=number, received_at=timezone.now(),
        category=Category.objects.for_stations([station_b.pk]).first(), priority=3, route="command",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(
            station=station_b, number=number, received_at=timezone.now(),
            category=Category.objects.for_stations([station_b.pk]).first(), priority=3, route="command",
        )
