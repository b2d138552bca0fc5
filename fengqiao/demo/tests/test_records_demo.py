"""The demo's basic records and community work: people with valid identity numbers, rented
houses, care subjects, a dispute ledger and visits that agree with the demo's past."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db.models import Count, F
from django.utils import timezone

from fengqiao.community.models import Dispute, DisputeParty, Visit
from fengqiao.core.masking import mask_id_number
from fengqiao.demo.builder import BuildReport, build_demo
from fengqiao.demo.history import TAG_REPEAT_DISPUTE
from fengqiao.demo.plan import DEFAULT_SEED, DemoPlan, plan_demo
from fengqiao.demo.records_plan import (
    LAGGING_BEATS,
    PastCall,
    PastIncident,
    StationRecords,
    plan_records,
    sex_of_name,
)
from fengqiao.intake.models import Call
from fengqiao.organisation.models import Beat
from fengqiao.records import crypto, idcard
from fengqiao.records.models import CareSubject, House, Organisation, Resident

WHY = "tests look at the whole demo"
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def demo_plan() -> DemoPlan:
    return plan_demo(DEFAULT_SEED)


@pytest.fixture(scope="module")
def second_station(demo_plan: DemoPlan) -> StationRecords:
    """The small station's records, with a few calls and a quarrel that came back."""
    flats = [address for address in demo_plan.addresses if address.station_code == "HTX" and address.room]
    home, other = flats[10], flats[200]
    at = dt.datetime(2026, 1, 5, 20, 15)
    calls = [
        PastCall(home.code, "dispute.family", at, "王秀英", "13912345678"),
        PastCall(home.code, "public_order.domestic_violence", at + dt.timedelta(days=20), "王秀英", "13912345678"),
        PastCall(other.code, "criminal.telecom_fraud", at, "李建国", "13800001111"),
    ]
    incidents = [
        PastIncident("HTX20260105001", "dispute.family", at, home.code, home.beat_code, "closed",
                     callers=(("王秀英", "13912345678"),), outcome="经民警调解，双方达成一致"),
        PastIncident("HTX20260125001", "public_order.domestic_violence", at + dt.timedelta(days=20), home.code,
                     home.beat_code, "converted", tags=(TAG_REPEAT_DISPUTE, "纠纷升级"),
                     callers=(("王秀英", "13912345678"),)),
    ]
    return plan_records(demo_plan, "HTX", today=TODAY, calls=calls, incidents=incidents)


# -- the plan, without a database ----------------------------------------------------------------------


def test_the_same_seed_plans_the_same_people_and_another_seed_others(demo_plan: DemoPlan,
                                                                      second_station: StationRecords) -> None:
    again = plan_records(demo_plan, "HTX", today=TODAY, calls=(), incidents=())
    assert again == plan_records(demo_plan, "HTX", today=TODAY, calls=(), incidents=())
    other = plan_records(demo_plan, "HTX", today=TODAY, seed=DEFAULT_SEED + 1)
    assert [person.id_number for person in other.people] != [person.id_number for person in again.people]
    assert second_station.people != again.people  # the callers live there


def test_every_identity_number_is_valid_and_is_the_persons(second_station: StationRecords) -> None:
    numbers = [person.id_number for person in second_station.people]
    assert len(numbers) == len(set(numbers))
    regions: Counter[str] = Counter()
    for person in second_station.people:
        parsed = idcard.parse(person.id_number, today=TODAY)
        assert (parsed.sex, parsed.birth_date) == (person.sex, person.birth_date), person
        regions[person.id_number[:2]] += 1
        if person.relation == "owner":
            assert person.age_on(TODAY) >= 18
    assert regions["50"] > regions["51"] > regions["43"] > 0  # Chongqing, Sichuan, Hunan


def test_callers_live_where_they_called_from(second_station: StationRecords) -> None:
    caller = next(person for person in second_station.people if person.phone == "13912345678")
    assert caller.name == "王秀英" and caller.sex == sex_of_name("王秀英") == "F"
    assert caller.moved_in_on is not None and caller.moved_in_on < dt.date(2026, 1, 5)
    care = {(subject.id_number, subject.reason) for subject in second_station.care}
    assert (caller.id_number, "domestic_violence") in care
    dispute = next(dispute for dispute in second_station.disputes if "HTX20260105001" in dispute.incident_numbers)
    assert dispute.incident_numbers == ("HTX20260105001", "HTX20260125001")
    assert dispute.kind == "family" and dispute.risk == "high" and dispute.outcome == "case"
    assert dispute.parties[0].id_number == caller.id_number and len(dispute.parties) >= 2
    assert any(visit.dispute_number == dispute.number and visit.purpose == "follow_up" for visit in second_station.visits)


def test_households_have_believable_ages(second_station: StationRecords) -> None:
    by_address: dict[str, list] = {}
    for person in second_station.current_people():
        by_address.setdefault(person.address_code, []).append(person)
    for people in by_address.values():
        assert any(person.age_on(TODAY) >= 18 for person in people)
    alone = [subject for subject in second_station.care if subject.reason == "elderly_alone"]
    people = {person.id_number: person for person in second_station.people}
    for subject in alone:
        assert people[subject.id_number].age_on(TODAY) >= 70
        assert len(by_address[people[subject.id_number].address_code]) == 1


def test_the_ledger_settles_most_disputes_and_keeps_some_open(demo_plan: DemoPlan) -> None:
    flats = [address for address in demo_plan.addresses if address.station_code == "HTX" and address.room]
    outcomes = ("经民警调解，双方达成一致", "双方协商一致，已签订调解协议", "告知双方通过法律途径解决", "已移交社区人民调解委员会")
    start = dt.datetime.combine(TODAY - dt.timedelta(days=365), dt.time(19))
    incidents = [
        PastIncident(f"HTX{index:05d}", kind, start + dt.timedelta(days=index * 0.9), flats[index % len(flats)].code,
                     flats[index % len(flats)].beat_code, "closed", outcome=outcomes[index % 4])
        for index, kind in enumerate(["dispute.neighbour", "dispute.family", "dispute.debt", "dispute.labour"] * 100)
    ]
    planned = plan_records(demo_plan, "HTX", today=TODAY, incidents=incidents)
    outcomes_found = Counter(dispute.outcome for dispute in planned.disputes)
    assert len(planned.disputes) == len(incidents)
    assert outcomes_found["resolved"] + outcomes_found["agreement"] > len(incidents) * 0.6
    assert 0 < outcomes_found["open"] < len(incidents) * 0.15
    assert 0 < outcomes_found["court"] < len(incidents) * 0.15 and outcomes_found["department"] > 0
    numbers = [dispute.number for dispute in planned.disputes]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"纠\d{4}-\d{4}", number) for number in numbers)  # as community.services numbers them
    for dispute in planned.disputes:
        assert (dispute.outcome == "open") == (dispute.follow_up_on is not None) == (dispute.closed_at is None)
        assert dispute.steps and dispute.steps[0].at >= dispute.opened_at - dt.timedelta(hours=3)


# -- the demo as built ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_holds_tens_of_thousands_of_residents_and_thousands_of_rented_houses(demo: BuildReport) -> None:
    residents = Resident.objects.unscoped(WHY).filter(moved_out_on=None)
    assert residents.count() >= 20_000
    assert House.objects.unscoped(WHY).filter(tenure=House.Tenure.RENTED).count() >= 2_000
    assert Organisation.objects.unscoped(WHY).filter(key_place=True).exists()
    assert set(CareSubject.objects.unscoped(WHY).values_list("reason", flat=True)) >= {
        "elderly_alone", "fraud_target", "disability",
    }
    assert Visit.objects.unscoped(WHY).count() > 10_000
    for code in ("NP", "HTX"):
        registrations = Counter(residents.filter(station__code=code).values_list("registration", flat=True))
        assert registrations[Resident.Registration.REGISTERED] and registrations[Resident.Registration.MIGRANT]
    assert demo.created["residents"] == Resident.objects.unscoped(WHY).count()


@pytest.mark.django_db
def test_building_again_writes_no_records(demo: BuildReport) -> None:
    counts = {model: model.objects.unscoped(WHY).count() for model in (Resident, House, Visit, Dispute, CareSubject)}

    again = build_demo(DEFAULT_SEED, days=0, campaigns=False, reports=False)

    assert not again.changed_anything
    assert again.existing["residents"] == counts[Resident]
    assert {model: model.objects.unscoped(WHY).count() for model in counts} == counts


@pytest.mark.django_db
def test_stored_identity_numbers_are_valid_encrypted_and_found_by_their_hash(demo: BuildReport) -> None:
    rows = Resident.objects.unscoped(WHY).values_list(
        "id_number_cipher", "id_number_hash", "id_number_masked", "sex", "birth_date")
    numbers = set()
    for cipher, _id_hash, masked, sex, birth in rows:
        number = crypto.decrypt(cipher)
        parsed = idcard.parse(number)
        assert (parsed.sex, parsed.birth_date) == (sex, birth)
        assert masked == mask_id_number(number) and number not in cipher
        numbers.add(number)
    for cipher, id_hash, *_rest in rows[::97]:
        assert id_hash == crypto.search_hash(crypto.decrypt(cipher))
    assert len(numbers) == len(rows)


@pytest.mark.django_db
def test_disputes_hang_on_dispute_incidents_at_their_address(demo: BuildReport) -> None:
    disputes = Dispute.objects.unscoped(WHY).prefetch_related("incidents__category")
    assert disputes.count() > 20
    for dispute in disputes:
        incidents = list(dispute.incidents.all())
        assert incidents, dispute
        for incident in incidents:
            assert incident.address_id == dispute.address_id
            assert incident.category.code.startswith("dispute.") or TAG_REPEAT_DISPUTE in incident.tags
        assert dispute.opened_at >= min(incident.received_at for incident in incidents)
        assert (dispute.outcome == Dispute.Outcome.OPEN) == (dispute.closed_at is None) == (dispute.follow_up_on is not None)
        assert dispute.steps.exists()
    assert DisputeParty.objects.unscoped(WHY).exclude(resident=None).exists()


@pytest.mark.django_db
def test_care_subjects_are_looked_after_by_their_beats_officer(demo: BuildReport) -> None:
    subjects = CareSubject.objects.unscoped(WHY).select_related("resident", "officer", "beat")
    assert subjects.count() > 100
    for subject in subjects:
        assert subject.officer is not None and subject.beat is not None
        assert subject.officer_id == subject.beat.responsible_officer_id
        assert subject.officer.beat_id == subject.beat_id == subject.resident.beat_id
        assert subject.started_on <= timezone.localdate()


@pytest.mark.django_db
def test_visits_stay_in_the_officers_beat(demo: BuildReport) -> None:
    visits = Visit.objects.unscoped(WHY)
    assert not visits.exclude(beat_id=F("officer__beat_id")).exists()
    assert not visits.exclude(beat_id=F("address__beat_id")).exists()
    assert not visits.filter(visited_at__gte=timezone.now()).exists()
    assert set(visits.values_list("purpose", flat=True)) >= {
        "anti_fraud", "record_check", "care_visit", "dispute_screening", "follow_up",
    }


@pytest.mark.django_db
def test_most_households_of_a_well_kept_beat_were_visited_in_the_last_90_days(demo: BuildReport) -> None:
    since = timezone.now() - dt.timedelta(days=90)
    shares = {}
    for beat in Beat.objects.unscoped(WHY).filter(station__code="NP"):
        households = set(Resident.objects.unscoped(WHY).filter(beat=beat, moved_out_on=None).values_list("address_id", flat=True))
        visited = set(Visit.objects.unscoped(WHY).filter(beat=beat, visited_at__gte=since).values_list("address_id", flat=True))
        shares[beat.code] = len(households & visited) / len(households)
    lagging = [code for code, share in shares.items() if share < 0.6]
    assert len(lagging) == LAGGING_BEATS["NP"], shares  # exactly the beats the plan let fall behind
    assert all(share > 0.75 for code, share in shares.items() if code not in lagging), shares


@pytest.mark.django_db
def test_callers_of_the_past_are_residents_found_by_phone(demo: BuildReport) -> None:
    phones = dict(Resident.objects.unscoped(WHY).exclude(phone="").values_list("phone", "address_id"))
    calls = Call.objects.unscoped(WHY).exclude(caller_phone="").exclude(address=None)
    matched = [(phone, address) for phone, address in calls.values_list("caller_phone", "address_id") if phone in phones]
    assert len(matched) > 50
    assert sum(phones[phone] == address for phone, address in matched) > len(matched) / 2


@pytest.mark.django_db
def test_rented_houses_have_a_landlord_and_some_registrations_lapsed(demo: BuildReport) -> None:
    rented = House.objects.unscoped(WHY).filter(tenure=House.Tenure.RENTED)
    assert not rented.filter(landlord=None, landlord_name="").exists()
    assert rented.exclude(landlord=None).exists()
    today = timezone.localdate()
    assert rented.filter(rental_expires_on__lt=today).exists()
    assert rented.filter(rental_registered_on=None).exists()
    assert rented.filter(rental_expires_on__gte=today).count() > rented.count() / 2
    crowded = (Resident.objects.unscoped(WHY).filter(moved_out_on=None).values("address_id")
               .annotate(people=Count("id")).filter(people__gte=6))
    assert crowded.exists()  # group rentals
