"""The dispute ledger's writes, transition by transition, and the one step from an incident."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.community import services
from fengqiao.community.models import Dispute, DisputeParty, MediationStep
from fengqiao.intake.models import Incident, IncidentLog

from .conftest import WANG_PHONE

pytestmark = pytest.mark.django_db


def year() -> int:
    return timezone.localtime().year


# -- opening ---------------------------------------------------------------------------------------


def test_a_new_dispute_gets_the_first_number_of_the_year_and_the_beats_officer(dispute_a: Dispute, liu_yang: Any, beat_a: Any) -> None:
    assert dispute_a.number == f"纠{year()}-0001"
    assert (dispute_a.beat_id, dispute_a.officer_id, dispute_a.outcome) == (beat_a.pk, liu_yang.officer.pk, "open")


def test_numbers_follow_on_per_station_and_start_again_elsewhere(dispute_a: Dispute, dispute_east: Dispute, dispute_b: Dispute) -> None:
    assert dispute_east.number == f"纠{year()}-0002"
    assert dispute_b.number == f"纠{year()}-0001"


def test_numbering_reads_past_9999(station_a: Any, li_na: Any) -> None:
    Dispute.objects.create(station=station_a, number=f"纠{year()}-9999", kind="other", summary="x",
                           opened_at=timezone.now(), opened_by=li_na)
    Dispute.objects.create(station=station_a, number=f"纠{year()}-0998", kind="other", summary="x",
                           opened_at=timezone.now(), opened_by=li_na)
    made = services.open_dispute(station_a, services.DisputeData(kind="other", summary="第一万个"), user=li_na)
    assert made.number == f"纠{year()}-10000"


def test_a_number_taken_in_a_race_is_retried_with_the_next(station_a: Any, li_na: Any, monkeypatch: Any) -> None:
    """The other officer's insert wins between our read and our insert: we take the next number."""
    real = services._last_sequence
    calls = {"n": 0}

    def stale_read(station_id: int, prefix: str) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            Dispute.objects.create(station=station_a, number=f"{prefix}0001", kind="other", summary="先到",
                                   opened_at=timezone.now(), opened_by=li_na)
            return 0  # what we read before the other insert landed
        return real(station_id, prefix)

    monkeypatch.setattr(services, "_last_sequence", stale_read)
    made = services.open_dispute(station_a, services.DisputeData(kind="other", summary="后到"), user=li_na)
    assert made.number == f"纠{year()}-0002" and calls["n"] == 2


def test_parties_are_kept_with_phones_and_audited_masked(dispute_a: Dispute, wang_xiuying: Any) -> None:
    parties = list(dispute_a.parties.order_by("pk"))
    assert [(p.resident_id, p.name, p.phone) for p in parties] == [
        (wang_xiuying.pk, "王秀英", ""), (None, "孙某", "13722223333")]
    rows = AuditEntry.objects.filter(object_type="community.disputeparty", action=AuditEntry.Action.CREATED)
    assert rows.count() == 2
    assert "13722223333" not in str([row.changes for row in rows]) and "137****3333" in str([row.changes for row in rows])


def test_bad_input_names_each_field_and_keeps_nothing(station_a: Any, li_na: Any, resident_b: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.open_dispute(station_a, services.DisputeData(
            kind="gossip", risk="extreme", summary="  ", officer_id=999999, address_id=999999,
            follow_up_on=timezone.localdate() - dt.timedelta(days=3),
            parties=[services.PartyData(), services.PartyData(name="某", phone="12ab"),
                     services.PartyData(resident_id=resident_b.pk)],
            incident_ids=[999999]), user=li_na)
    errors = caught.value.message_dict
    assert set(errors) == {"kind", "risk", "summary", "officer", "address", "follow_up_on", "parties", "incidents"}
    assert len(errors["parties"]) == 3  # a blank party, a bad phone, a resident of another station
    assert not Dispute.objects.for_stations([station_a.pk]).exists()
    assert not DisputeParty.objects.for_stations([station_a.pk]).exists()


def test_an_auxiliary_cannot_name_a_resident_outside_the_beat(station_a: Any, chen_chen: Any, flat_east: Any) -> None:
    from .conftest import make_resident

    outside = make_resident(station_a, "东路居民", flat_east, sequence=9)
    with pytest.raises(ValidationError) as caught:
        services.open_dispute(station_a, services.DisputeData(kind="other", summary="x", parties=[
            services.PartyData(resident_id=outside.pk)]), user=chen_chen)
    assert "parties" in caught.value.message_dict


# -- mediation steps ---------------------------------------------------------------------------------


def test_a_step_sets_the_next_follow_up_and_the_mediator(dispute_a: Dispute, liu_yang: Any) -> None:
    next_week = timezone.localdate() + dt.timedelta(days=7)
    step = services.add_step(dispute_a, services.StepData(method="on_site", result="双方同意晚上十点后停工", mediator="调解员老周",
                                                          next_follow_up_on=next_week), user=liu_yang)
    dispute_a.refresh_from_db()
    assert (step.officer_id, step.created_by_id) == (liu_yang.officer.pk, liu_yang.pk)
    assert (dispute_a.follow_up_on, dispute_a.mediator) == (next_week, "调解员老周")
    assert AuditEntry.objects.filter(object_type="community.mediationstep", object_id=str(step.pk),
                                     action=AuditEntry.Action.CREATED).exists()


def test_a_step_without_a_next_date_is_the_follow_up_that_was_due(dispute_a: Dispute, liu_yang: Any) -> None:
    Dispute.objects.for_stations([dispute_a.station_id]).filter(pk=dispute_a.pk).update(follow_up_on=timezone.localdate())
    services.add_step(dispute_a, services.StepData(method="phone", result="电话回访，已无噪音"), user=liu_yang)
    dispute_a.refresh_from_db()
    assert dispute_a.follow_up_on is None


def test_a_step_before_the_follow_up_day_leaves_it(dispute_a: Dispute, liu_yang: Any) -> None:
    later = timezone.localdate() + dt.timedelta(days=5)
    Dispute.objects.for_stations([dispute_a.station_id]).filter(pk=dispute_a.pk).update(follow_up_on=later)
    services.add_step(dispute_a, services.StepData(method="phone", result="电话了解情况"), user=liu_yang)
    dispute_a.refresh_from_db()
    assert dispute_a.follow_up_on == later


def test_a_bad_step_names_its_fields(dispute_a: Dispute, liu_yang: Any) -> None:
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.add_step(dispute_a, services.StepData(method="telepathy", result=" ", at=tomorrow, officer_id=999999,
                                                       next_follow_up_on=timezone.localdate() - dt.timedelta(days=1)),
                          user=liu_yang)
    assert set(caught.value.message_dict) == {"method", "result", "at", "officer", "next_follow_up_on"}
    assert not MediationStep.objects.for_stations([dispute_a.station_id]).exists()


# -- closing and reopening ----------------------------------------------------------------------------


@pytest.mark.parametrize(("outcome", "note"), [
    ("resolved", ""), ("agreement", "双方签订调解协议"), ("court", "南岸区人民法院"), ("department", "区住建委"), ("case", "转刑事案件 A2026-12"),
])
def test_a_dispute_closes_with_each_outcome(dispute_a: Dispute, liu_yang: Any, outcome: str, note: str) -> None:
    closed = services.close_dispute(dispute_a, outcome=outcome, note=note, user=liu_yang)
    closed.refresh_from_db()
    assert (closed.outcome, closed.outcome_note, closed.is_open) == (outcome, note, False)
    assert closed.closed_at is not None
    changed = AuditEntry.objects.filter(object_type="community.dispute", object_id=str(closed.pk), action=AuditEntry.Action.UPDATED)
    assert any((row.changes or {}).get("outcome") == ["open", outcome] for row in changed)


@pytest.mark.parametrize("outcome", ["court", "department", "case"])
def test_sending_a_dispute_elsewhere_needs_to_say_where(dispute_a: Dispute, liu_yang: Any, outcome: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.close_dispute(dispute_a, outcome=outcome, note="  ", user=liu_yang)
    assert list(caught.value.message_dict) == ["outcome_note"]
    dispute_a.refresh_from_db()
    assert dispute_a.is_open


def test_open_is_not_an_outcome_to_close_with(dispute_a: Dispute, liu_yang: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.close_dispute(dispute_a, outcome="open", user=liu_yang)
    assert "outcome" in caught.value.message_dict


def test_a_closed_dispute_takes_no_steps_and_no_second_close(dispute_a: Dispute, liu_yang: Any) -> None:
    services.close_dispute(dispute_a, outcome="resolved", user=liu_yang)
    with pytest.raises(services.Refused):
        services.add_step(dispute_a, services.StepData(method="phone", result="x"), user=liu_yang)
    with pytest.raises(services.Refused):
        services.close_dispute(dispute_a, outcome="agreement", user=liu_yang)
    with pytest.raises(services.Refused):
        services.change_dispute(dispute_a, services.DisputeChange(kind="other", risk="low", summary="x"), user=liu_yang)


def test_closing_sets_the_return_visit(dispute_a: Dispute, liu_yang: Any) -> None:
    day = timezone.localdate() + dt.timedelta(days=2)
    services.close_dispute(dispute_a, outcome="agreement", note="协议", follow_up_on=day, user=liu_yang)
    dispute_a.refresh_from_db()
    assert dispute_a.follow_up_on == day


def test_a_leader_reopens_a_closed_dispute_with_a_reason(dispute_a: Dispute, liu_yang: Any, li_na: Any) -> None:
    services.close_dispute(dispute_a, outcome="agreement", note="双方签字", user=liu_yang)
    reopened = services.reopen_dispute(dispute_a, reason="双方又起冲突", user=li_na)
    assert reopened.is_open and reopened.closed_at is None
    assert "双方又起冲突" in reopened.outcome_note and "双方签字" in reopened.outcome_note
    assert AuditEntry.objects.filter(object_type="community.dispute", object_id=str(dispute_a.pk), reason="双方又起冲突").exists()


def test_only_a_leader_reopens_and_only_with_a_reason(dispute_a: Dispute, liu_yang: Any, li_na: Any) -> None:
    with pytest.raises(services.Refused):
        services.reopen_dispute(dispute_a, reason="还开着", user=li_na)
    services.close_dispute(dispute_a, outcome="resolved", user=liu_yang)
    with pytest.raises(PermissionDenied):
        services.reopen_dispute(dispute_a, reason="我想重开", user=liu_yang)
    with pytest.raises(ValidationError) as caught:
        services.reopen_dispute(dispute_a, reason=" ", user=li_na)
    assert "reason" in caught.value.message_dict
    dispute_a.refresh_from_db()
    assert not dispute_a.is_open


def test_changing_the_risk_is_audited(dispute_a: Dispute, liu_yang: Any) -> None:
    services.change_dispute(dispute_a, services.DisputeChange(kind="neighbour", risk="high", summary=dispute_a.summary,
                                                              officer_id=liu_yang.officer.pk), user=liu_yang)
    row = AuditEntry.objects.filter(object_type="community.dispute", object_id=str(dispute_a.pk),
                                    action=AuditEntry.Action.UPDATED).latest("at")
    assert row.changes["risk"] == ["medium", "high"]


def test_linking_an_incident_by_number_writes_on_the_incident(dispute_a: Dispute, quarrel: Incident, liu_yang: Any) -> None:
    services.link_incident(dispute_a, quarrel.number, user=liu_yang)
    assert list(dispute_a.incidents.all()) == [quarrel]
    assert quarrel.log.filter(kind=IncidentLog.Kind.NOTE, text__contains=dispute_a.number).exists()
    with pytest.raises(ValidationError):
        services.link_incident(dispute_a, quarrel.number, user=liu_yang)
    with pytest.raises(ValidationError):
        services.link_incident(dispute_a, "no-such-number", user=liu_yang)


# -- one step from an incident ----------------------------------------------------------------------


def test_one_step_from_an_incident_fills_the_dispute_from_it(quarrel: Incident, zhang_wei: Any, liu_yang: Any, wang_xiuying: Any) -> None:
    dispute, created = services.open_dispute_from_incident(quarrel, user=zhang_wei)
    assert created
    assert list(dispute.incidents.all()) == [quarrel]
    assert (dispute.kind, dispute.address_id, dispute.beat_id) == ("neighbour", quarrel.address_id, quarrel.beat_id)
    assert dispute.officer_id == liu_yang.officer.pk  # the beat's responsible officer, not the commander
    assert dispute.opened_by_id == zhang_wei.pk
    assert dispute.summary == quarrel.summary
    assert dispute.follow_up_on == timezone.localdate() + dt.timedelta(days=services.FOLLOW_UP_DAYS)
    parties = list(dispute.parties.order_by("pk"))
    # The first caller is matched to 王秀英 by her phone; the second is not on record.
    assert [(p.resident_id, p.name, p.phone, p.role) for p in parties] == [
        (wang_xiuying.pk, "王秀英", WANG_PHONE, services.CALLER_ROLE),
        (None, "张先生", "13655556666", services.CALLER_ROLE)]
    assert quarrel.log.filter(text__contains=dispute.number, automatic=True).exists()


def test_the_second_press_returns_the_open_dispute_instead_of_another(quarrel: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    first, created = services.open_dispute_from_incident(quarrel, user=zhang_wei)
    again, created_again = services.open_dispute_from_incident(quarrel, user=liu_yang)
    assert created and not created_again and again.pk == first.pk
    assert Dispute.objects.for_stations([quarrel.station_id]).count() == 1


def test_after_the_dispute_closes_the_incident_can_open_a_new_one(quarrel: Incident, zhang_wei: Any, liu_yang: Any) -> None:
    first, _ = services.open_dispute_from_incident(quarrel, user=zhang_wei)
    services.close_dispute(first, outcome="resolved", user=liu_yang)
    second, created = services.open_dispute_from_incident(quarrel, user=zhang_wei)
    assert created and second.pk != first.pk


@pytest.mark.parametrize(("code", "kind"), [
    ("dispute.family", "family"), ("dispute.neighbour", "neighbour"), ("dispute.labour", "labour"),
    ("dispute.debt", "debt"), ("traffic.collision", "traffic"), ("public_order.fight", "other"),
])
def test_the_kind_is_guessed_from_the_incident_category(code: str, kind: str) -> None:
    assert services.kind_for_category(code) == kind


def test_a_caller_is_matched_only_when_it_is_clear_who(station_a: Any, wang_xiuying: Any, flat_501: Any) -> None:
    from .conftest import make_resident

    assert services.resident_by_phone(station_a.pk, "+86 138 1111 2222") == wang_xiuying
    make_resident(station_a, "王秀英的女儿", flat_501, phone=WANG_PHONE, sequence=8)
    assert services.resident_by_phone(station_a.pk, WANG_PHONE) is None  # two people share the number
    assert services.resident_by_phone(station_a.pk, WANG_PHONE, "王秀英") == wang_xiuying
    assert services.resident_by_phone(station_a.pk, "13000000000") is None


@pytest.mark.django_db
def test_an_officer_who_read_the_same_last_number_as_another_takes_the_next(
        station_a: Any, li_na: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race of two officers pressing at once, made certain: the second one's read of the
    last number is stale (0), the unique constraint refuses its insert, it retries and takes
    the next number; nothing is half-written. Runs on both databases."""
    first = services.open_dispute(station_a, services.DisputeData(kind="other", summary="先到"), user=li_na)
    stale = [0]
    real = services._last_sequence
    monkeypatch.setattr(services, "_last_sequence",
                        lambda station_id, prefix: stale.pop() if stale else real(station_id, prefix))
    second = services.open_dispute(station_a, services.DisputeData(kind="other", summary="同时"), user=li_na)
    assert (first.number, second.number) == (f"纠{year()}-0001", f"纠{year()}-0002")
    assert Dispute.objects.for_stations([station_a.pk]).count() == 2
    assert stale == []  # the stale read did happen


def test_a_caller_who_gave_only_a_phone_is_still_a_party(station_a: Any, quarrel: Incident, zhang_wei: Any) -> None:
    from fengqiao.intake.models import Call

    Call.objects.for_stations([station_a.pk]).filter(incident=quarrel, caller_name="张先生").update(caller_name="")
    Call.objects.for_stations([station_a.pk]).filter(incident=quarrel, caller_name="王秀英").update(caller_phone="110")
    dispute, created = services.open_dispute_from_incident(quarrel, user=zhang_wei)
    assert created
    assert [(p.resident_id, p.name, p.phone) for p in dispute.parties.order_by("pk")] == [
        (None, "王秀英", ""), (None, "", "13655556666")]
