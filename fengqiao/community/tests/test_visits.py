"""Logging visits: what is recorded, what is refused, and how a visit moves the coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.community import coverage, selectors, services
from fengqiao.community.models import Dispute, Visit
from fengqiao.records.models import CareSubject

pytestmark = pytest.mark.django_db


def test_a_visit_records_who_where_and_whom(visit_a: Visit, liu_yang: Any, flat_501: Any, wang_xiuying: Any, beat_a: Any) -> None:
    assert (visit_a.officer_id, visit_a.address_id, visit_a.beat_id, visit_a.target) == (
        liu_yang.officer.pk, flat_501.pk, beat_a.pk, "household")
    assert visit_a.house_id == flat_501.house.pk  # filed under the address's house
    assert list(visit_a.residents.all()) == [wang_xiuying]
    audited = AuditEntry.objects.filter(object_type="community.visit", object_id=str(visit_a.pk))
    assert set(audited.values_list("action", flat=True)) == {AuditEntry.Action.CREATED, AuditEntry.Action.UPDATED}
    assert audited.get(action=AuditEntry.Action.UPDATED).changes == {"residents": [[], [wang_xiuying.pk]]}


def test_a_shop_visit_takes_the_shops_address_and_is_a_shop_visit(station_a: Any, shop_8: Any, liu_yang: Any) -> None:
    visit = services.log_visit(station_a, services.VisitData(purpose="anti_fraud", organisation_id=shop_8.pk), user=liu_yang)
    assert (visit.address_id, visit.organisation_id, visit.target, visit.house_id) == (shop_8.address_id, shop_8.pk, "shop", None)


def test_an_auxiliary_logs_a_visit_in_the_beat(station_a: Any, chen_chen: Any, house_20: Any) -> None:
    visit = services.log_visit(station_a, services.VisitData(purpose="record_check", address_id=house_20.pk), user=chen_chen)
    assert visit.officer_id == chen_chen.officer.pk


def test_an_auxiliary_cannot_log_a_visit_outside_the_beat(station_a: Any, chen_chen: Any, flat_east: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.log_visit(station_a, services.VisitData(purpose="record_check", address_id=flat_east.pk), user=chen_chen)
    assert list(caught.value.message_dict) == ["address"]
    assert not Visit.objects.for_stations([station_a.pk]).exists()


def test_bad_input_names_each_field_and_keeps_nothing(station_a: Any, liu_yang: Any, flat_501: Any, resident_b: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.log_visit(station_a, services.VisitData(
            purpose="chat", target="castle", address_id=flat_501.pk, visited_at=timezone.now() + dt.timedelta(hours=3),
            follow_up_needed=True, follow_up_note="", resident_ids=[resident_b.pk]), user=liu_yang)
    assert set(caught.value.message_dict) == {"purpose", "target", "visited_at", "follow_up_note", "residents"}
    assert not Visit.objects.for_stations([station_a.pk]).exists()


def test_a_visit_needs_an_address(station_a: Any, liu_yang: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.log_visit(station_a, services.VisitData(purpose="anti_fraud"), user=liu_yang)
    assert list(caught.value.message_dict) == ["address"]


def test_a_house_elsewhere_than_the_address_is_refused(station_a: Any, liu_yang: Any, flat_501: Any, house_20: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.log_visit(station_a, services.VisitData(purpose="anti_fraud", address_id=flat_501.pk,
                                                         house_id=house_20.house.pk), user=liu_yang)
    assert "house" in caught.value.message_dict


def test_someone_without_an_officer_record_cannot_log_a_visit(station_a: Any, administrator: Any, flat_501: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.log_visit(station_a, services.VisitData(purpose="anti_fraud", address_id=flat_501.pk), user=administrator)
    assert "officer" in caught.value.message_dict


def test_a_care_visit_is_for_someone_the_user_may_see(station_a: Any, liu_yang: Any, wang_xiuying: Any, beat_a: Any,
                                                     beat_a2: Any, flat_east: Any) -> None:
    from .conftest import make_resident

    today = timezone.localdate()
    care = CareSubject.objects.create(station=station_a, resident=wang_xiuying, reason="elderly_alone", beat=beat_a,
                                      officer=liu_yang.officer, review_on=today, started_on=today)
    visit = services.log_visit(station_a, services.VisitData(purpose="care_visit", care_subject_id=care.pk,
                                                             resident_ids=[wang_xiuying.pk]), user=liu_yang)
    assert (visit.care_subject_id, visit.address_id) == (care.pk, wang_xiuying.address_id)
    # Another beat's care subject is not 刘洋's to visit (nor to learn about).
    elsewhere = CareSubject.objects.create(station=station_a, resident=make_resident(station_a, "东路老人", flat_east, sequence=11),
                                           reason="dementia", beat=beat_a2, review_on=today, started_on=today)
    with pytest.raises(ValidationError) as caught:
        services.log_visit(station_a, services.VisitData(purpose="care_visit", care_subject_id=elsewhere.pk), user=liu_yang)
    assert "care_subject" in caught.value.message_dict


def test_a_visit_about_a_dispute_is_its_follow_up(station_a: Any, dispute_a: Dispute, liu_yang: Any) -> None:
    Dispute.objects.for_stations([station_a.pk]).filter(pk=dispute_a.pk).update(follow_up_on=timezone.localdate())
    visit = services.log_visit(station_a, services.VisitData(purpose="follow_up", dispute_id=dispute_a.pk), user=liu_yang)
    dispute_a.refresh_from_db()
    assert visit.address_id == dispute_a.address_id and visit.dispute_id == dispute_a.pk
    assert dispute_a.follow_up_on is None


def test_a_dispute_visit_that_needs_more_follow_up_keeps_the_date(station_a: Any, dispute_a: Dispute, liu_yang: Any) -> None:
    today = timezone.localdate()
    Dispute.objects.for_stations([station_a.pk]).filter(pk=dispute_a.pk).update(follow_up_on=today)
    services.log_visit(station_a, services.VisitData(purpose="follow_up", dispute_id=dispute_a.pk, follow_up_needed=True,
                                                     follow_up_note="下周再去"), user=liu_yang)
    dispute_a.refresh_from_db()
    assert dispute_a.follow_up_on == today


# -- coverage -------------------------------------------------------------------------------------


def test_households_are_houses_to_live_in_or_addresses_with_residents(
    station_a: Any, li_na: Any, flat_501: Any, house_20: Any, shop_8: Any, flat_east: Any,
) -> None:
    found = {household.address_id for household in selectors.households(li_na, station_a)}
    assert found == {flat_501.pk, house_20.pk, flat_east.pk}  # not the shop's address


def test_an_address_with_a_resident_but_no_house_is_a_household(station_a: Any, li_na: Any, shop_8: Any) -> None:
    from .conftest import make_resident

    make_resident(station_a, "店主", shop_8.address, sequence=7)
    assert shop_8.address_id in {h.address_id for h in selectors.households(li_na, station_a)}


def test_logging_a_visit_moves_the_household_out_of_never_visited(station_a: Any, liu_yang: Any, flat_501: Any, house_20: Any,
                                                                  beat_a: Any) -> None:
    before = selectors.coverage_report(liu_yang, station_a, beat_a.pk)
    assert (before.overall.households, before.overall.counts[coverage.Band.NEVER]) == (2, 2)
    services.log_visit(station_a, services.VisitData(purpose="anti_fraud", address_id=house_20.pk), user=liu_yang)
    after = selectors.coverage_report(liu_yang, station_a, beat_a.pk)
    assert after.overall.counts[coverage.Band.NEVER] == 1 and after.overall.counts[coverage.Band.RECENT] == 1
    assert [row.counts.covered for row in after.rows] == [1]


def test_an_old_visit_leaves_the_household_stale(station_a: Any, liu_yang: Any, house_20: Any, beat_a: Any) -> None:
    visit = services.log_visit(station_a, services.VisitData(purpose="anti_fraud", address_id=house_20.pk), user=liu_yang)
    Visit.objects.for_stations([station_a.pk]).filter(pk=visit.pk).update(visited_at=timezone.now() - dt.timedelta(days=120))
    report = selectors.coverage_report(liu_yang, station_a, beat_a.pk)
    assert report.overall.counts[coverage.Band.STALE] == 1


def test_the_auxiliary_sees_only_the_beats_households(station_a: Any, chen_chen: Any, flat_501: Any, flat_east: Any) -> None:
    report = selectors.coverage_report(chen_chen, station_a)
    assert {h.address_id for h in report.households} == {flat_501.pk}
    assert [row.beat.code for row in report.rows if row.beat] == ["NP-01"]
