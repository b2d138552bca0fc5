"""The demo's past in the database: counts, numbers that live intake continues, stations apart."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from django.db.models import Count
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEntry
from fengqiao.demo.builder import BuildReport
from fengqiao.demo.tests.conftest import DEMO_TEST_DAYS
from fengqiao.intake import services, states
from fengqiao.intake.models import Call, Incident, IncidentCounter, IncidentLog
from fengqiao.organisation.models import Station

pytestmark = pytest.mark.django_db

WHY = "tests look at the demo's whole past"


def station(code: str) -> Station:
    return Station.objects.unscoped(WHY).get(code=code)


def test_each_station_has_two_weeks_of_calls_and_their_incidents(demo: BuildReport) -> None:
    today = timezone.localdate()
    for code in ("NP", "HTX"):
        calls = Call.objects.unscoped(WHY).filter(station__code=code)
        days = {timezone.localdate(moment) for moment in calls.values_list("received_at", flat=True)}
        assert min(days) == today - dt.timedelta(days=DEMO_TEST_DAYS)
        assert max(days) == today - dt.timedelta(days=1)
        assert 20 * DEMO_TEST_DAYS <= calls.count() <= 50 * DEMO_TEST_DAYS
        assert not calls.filter(incident=None).exists()
        assert calls.filter(state=Call.State.DUPLICATE).exists()
        assert calls.filter(state=Call.State.INVALID).exclude(invalid_reason="").exists()
        incidents = Incident.objects.unscoped(WHY).filter(station__code=code)
        assert incidents.count() == calls.exclude(state=Call.State.DUPLICATE).count()
        assert incidents.filter(state=states.CLOSED).count() > incidents.count() * 0.7
        # Whether anything is still open at midnight depends on the last evening (test_history_end).
        for incident in incidents.filter(state__in=states.OPEN_STATES):
            assert incident.owner_team_id is not None and incident.deadline is not None
        assert not incidents.filter(state__in=[states.RESOLVED, states.CLOSED, states.CONVERTED]).exclude(
            deadline=None).exists()
    assert demo.created["calls"] == Call.objects.unscoped(WHY).count()
    assert demo.created["incidents"] == Incident.objects.unscoped(WHY).count()


def test_every_incident_has_its_automatic_received_and_triaged_entries(demo: BuildReport) -> None:
    incidents = Incident.objects.unscoped(WHY).count()
    log = IncidentLog.objects.unscoped(WHY)
    kinds = Counter(log.values_list("kind", flat=True))
    assert kinds[IncidentLog.Kind.RECEIVED] == kinds[IncidentLog.Kind.TRIAGED] == incidents
    assert kinds[IncidentLog.Kind.CALL] == Call.objects.unscoped(WHY).filter(state=Call.State.DUPLICATE).count()
    assert kinds[IncidentLog.Kind.STATE] > incidents * 0.9
    # By people: the commander's corrections, and the loops' moves (test_loops_demo): a unit asked
    # for help, a transfer sent on after its department returned it.
    manual = log.exclude(kind=IncidentLog.Kind.CHANGED).filter(automatic=False)
    assert not manual.exclude(kind=IncidentLog.Kind.NOTE).exclude(
        before__state=states.TRIAGED, after__state=states.TRANSFERRED).exists()
    closing = log.filter(kind=IncidentLog.Kind.STATE, after__state=states.CLOSED)
    assert closing.exists() and not closing.filter(automatic=False).exists()
    # Where the commander decided otherwise than triage suggested, it is their entry.
    changed = log.filter(kind=IncidentLog.Kind.CHANGED).select_related("author")
    assert changed.exists()
    assert all(entry.author is not None and "commander" in entry.author.role_names for entry in changed)
    assert demo.created["incident log entries"] == log.count()


def test_incidents_are_numbered_day_by_day_and_the_counters_end_at_each_days_last(demo: BuildReport) -> None:
    for code in ("NP", "HTX"):
        numbers: dict[dt.date, list[int]] = defaultdict(list)
        for number, received in Incident.objects.unscoped(WHY).filter(station__code=code).values_list("number", "received_at"):
            day = timezone.localdate(received)
            match = re.fullmatch(rf"{code}{day:%Y%m%d}(\d{{4}})", number)
            assert match, number
            numbers[day].append(int(match.group(1)))
        counters = dict(IncidentCounter.objects.unscoped(WHY).filter(station__code=code).values_list("day", "last"))
        assert set(counters) == set(numbers)
        for day, sequence in numbers.items():
            assert sorted(sequence) == list(range(1, len(sequence) + 1))
            assert counters[day] == len(sequence)


def test_a_call_received_after_the_build_gets_the_next_number(demo: BuildReport) -> None:
    main = station("NP")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    last = IncidentCounter.objects.for_stations([main.pk]).get(day=yesterday).last
    late = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(23, 59, 30)))

    receipt = services.receive_call(main, services.CallData(
        source="phone", text="报警人称楼上邻居半夜还在装修，吵得睡不着", received_at=late,
        address_text="南坪西路1号",
    ))
    now = services.receive_call(main, services.CallData(
        source="phone", text="报警人称停在楼下的电动车被盗", received_at=timezone.now(),
    ))

    assert receipt.incident.number == f"NP{yesterday:%Y%m%d}{last + 1:04d}"
    assert now.incident.number == f"NP{timezone.localdate():%Y%m%d}0001"


def test_the_past_of_each_station_stays_at_its_station(demo: BuildReport) -> None:
    for code in ("NP", "HTX"):
        own = station(code)
        incidents = Incident.objects.for_stations([own.pk])
        for field in ("category__station", "beat__station", "address__station", "owner_team__station", "owner__station"):
            others = incidents.exclude(**{f"{field}__isnull": True}).exclude(**{field: own})
            assert not others.exists(), field
        calls = Call.objects.for_stations([own.pk])
        assert not calls.exclude(incident__station=own).exists()
        assert not calls.exclude(beat=None).exclude(beat__station=own).exists()
        assert not IncidentLog.objects.for_stations([own.pk]).exclude(incident__station=own).exists()
    commander = User.objects.get(username="commander")
    seen = Incident.objects.for_user(commander).values("station__code").annotate(n=Count("id"))
    assert [row["station__code"] for row in seen] == ["NP"]


def test_the_past_is_written_once_with_one_audit_row_per_station(demo: BuildReport) -> None:
    rows = AuditEntry.objects.filter(object_type="intake.call", reason__startswith="Demo builder:")
    assert sorted(rows.values_list("station__code", flat=True)) == ["HTX", "NP"]
    assert all(f"of {DEMO_TEST_DAYS} days" in reason for reason in rows.values_list("reason", flat=True))


def test_repeat_callers_and_addresses_show_in_the_past(demo: BuildReport) -> None:
    calls = Call.objects.unscoped(WHY).filter(station__code="NP").exclude(caller_phone="")
    phones = Counter(calls.values_list("caller_phone", flat=True))
    assert phones.most_common(1)[0][1] >= 3
    addresses = Counter(
        Incident.objects.unscoped(WHY).filter(station__code="NP").exclude(address=None).values_list("address_id", flat=True)
    )
    assert addresses.most_common(1)[0][1] >= 5


def test_the_commanders_correction_comes_before_anything_is_done(demo: BuildReport) -> None:
    log = IncidentLog.objects.unscoped(WHY)
    first_move = {}
    for incident_id, at in log.filter(kind=IncidentLog.Kind.STATE).order_by("at").values_list("incident_id", "at"):
        first_move.setdefault(incident_id, at)
    changed = log.filter(kind=IncidentLog.Kind.CHANGED).values_list("incident_id", "at")
    assert changed
    for incident_id, at in changed:
        assert incident_id not in first_move or at < first_move[incident_id]
