"""The demo's loops after dispatch: a case for every converted incident, a transfer story for every
transferred one, support requests from the cases — each moved by its machine, so the deadlines the
rows hold are the ones the rules give."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.contrib.auth import authenticate

from fengqiao.accounts.models import User
from fengqiao.cases import machine as cases
from fengqiao.cases.models import Case, CaseLimit, CaseLog, CaseSettings
from fengqiao.demo.builder import BuildReport, build_demo
from fengqiao.demo.loops_plan import (
    CLOSED,
    CONVERTED,
    HOTLINE,
    OVERDUE_CASES,
    TRANSFERRED,
    DepartmentInfo,
    LoopIncident,
    Person,
    StationInfo,
    StationLoops,
    UnitInfo,
    on_duty,
    plan_loops,
    route_for,
)
from fengqiao.demo.plan import DEFAULT_SEED, DEPARTMENTS
from fengqiao.dispatch.models import Violation
from fengqiao.intake.models import Incident, IncidentLog
from fengqiao.support import machine as support
from fengqiao.support.models import SupportRequest, UnitMember
from fengqiao.transfers import machine as transfers
from fengqiao.transfers.models import (
    DepartmentMember,
    RoutingRule,
    Transfer,
    TransferSettings,
    TransferUpdate,
)

WHY = "tests look at the whole demo"
END = dt.datetime(2026, 3, 2)  # midnight after the last day of the past
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
PHONE = re.compile(r"1[3-9]\d{9}")

CONVERTING = ("criminal.theft", "criminal.burglary", "criminal.telecom_fraud", "criminal.robbery",
              "public_order.fight", "public_order.drunk", "traffic.hit_and_run")
# Non-police categories and the departments the past sent them to (history.DEPARTMENT_FOR).
TRANSFERRING = {
    "non_police.noise": ("12345", "NA-CGJ", "NA-STHJJ"), "non_police.leak": ("NA-WATER", "NA-ZJW"),
    "non_police.parking": ("NA-CGJ", "12345"), "non_police.market": ("NA-SCJGJ", "NA-CGJ"),
}


def station_info() -> StationInfo:
    units = tuple(
        UnitInfo(id=number, kind=kind, name=name, response_minutes=minutes,
                 members=tuple(Person(number * 10 + index, f"{name}{index}", 5000 + number * 10 + index)
                               for index in range(3)))
        for number, (kind, name, minutes) in enumerate((
            ("criminal_investigation", "刑侦大队", 30), ("cyber", "网安大队", 60), ("traffic", "交巡警大队", 20),
            ("special", "特警支队", 15), ("forensics", "刑事科学技术室", 45)), start=1)
    )
    return StationInfo(
        code="NP", name="南坪派出所",
        case_officers=tuple(Person(100 + index, f"办案民警{index}", 1000 + index) for index in range(24)),
        commanders=(2000, 2001), leaders=(3000, 3001),
        departments=tuple(DepartmentInfo(code, name, kind, accounts=((900, "魏莉"),) if code == "NA-CGJ" else ())
                          for code, name, kind in DEPARTMENTS),
        units=units,
    )


def past(days: int, *, seed: int = 1) -> list[LoopIncident]:
    """`days` days of incidents before END that became cases or were transferred, as the
    history leaves them: the recent transfers still open, a few older ones never answered."""
    rng = random.Random(seed)
    incidents: list[LoopIncident] = []
    start = END - days * DAY
    for day in range(days):
        for _ in range(4):
            category = rng.choice(CONVERTING)
            received = start + day * DAY + dt.timedelta(minutes=rng.randint(0, 1439))
            converted = received + dt.timedelta(minutes=rng.randint(40, 180))
            if converted < END:
                incidents.append(incident(len(incidents), category, received, CONVERTED, converted_at=converted))
        for _ in range(12):
            category = rng.choice(sorted(TRANSFERRING))
            received = start + day * DAY + dt.timedelta(minutes=rng.randint(0, 1439))
            transferred = received + dt.timedelta(minutes=rng.randint(5, 30))
            if transferred >= END:
                continue
            closed = transferred + dt.timedelta(hours=rng.uniform(20, 120))
            open_ = closed > END or rng.random() < 0.015
            incidents.append(incident(len(incidents), category, received, TRANSFERRED if open_ else CLOSED,
                                      transferred_at=transferred, transferred_to=rng.choice(TRANSFERRING[category]),
                                      closed_at=None if open_ else closed))
    return incidents


def incident(index: int, category: str, received: dt.datetime, state: str, **more: object) -> LoopIncident:
    return LoopIncident(
        id=10_000 + index, number=f"NP{received:%Y%m%d}{index:04d}", category=category, category_label=category,
        state=state, received_at=received, summary="报警人称有情况", address_text="南坪西路18号",
        place="南坪西路18号", community="后堡社区", caller_name="王秀英", caller_phone="13912345678",
        officer_user=1000 + index % 24, **more,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def year() -> tuple[list[LoopIncident], StationLoops]:
    incidents = past(120)
    return incidents, plan_loops(DEFAULT_SEED, station_info(), incidents, end=END)


# -- the plan, without a database ----------------------------------------------------------------------


def test_every_converted_incident_has_one_case_numbered_per_kind_and_year(year) -> None:
    incidents, planned = year
    converted = {item.id: item for item in incidents if item.state == CONVERTED}
    assert sorted(case.incident_id for case in planned.cases) == sorted(converted)
    numbers = [case.number for case in planned.cases]
    assert len(set(numbers)) == len(numbers)
    for case in planned.cases:
        family = converted[case.incident_id].family
        assert case.kind == (cases.CRIMINAL if family == "criminal" else cases.ADMINISTRATIVE)
        assert re.fullmatch(r"NP(XS|XZ)\d{8}", case.number)
        assert case.number[2:4] == ("XS" if case.kind == cases.CRIMINAL else "XZ")
        assert case.accepted_at == converted[case.incident_id].converted_at
    assert {case.number for case in planned.cases} >= {"NPXS20250001", "NPXZ20250001", "NPXS20260001"}


def test_case_deadlines_are_the_machines(year) -> None:
    """Replaying each case's log through cases.machine gives the state and clock it holds."""
    _incidents, planned = year
    for case in planned.cases:
        item = cases.accept(case.kind, case.lead, case.accepted_at)
        assert case.log[0].action == "accept"
        for entry in case.log[1:]:
            item = cases.apply(item, entry.action, now=entry.at)
        assert (item.state, item.stage, item.stage_started_at, item.due_at, item.extensions) == (
            case.state, case.stage, case.stage_started_at, case.due_at, case.extensions), case.number
        assert [entry.at for entry in case.log] == sorted(entry.at for entry in case.log)
        assert all(entry.at <= END for entry in case.log)


def test_cases_go_by_age_with_a_few_overdue_and_some_due_today(year) -> None:
    _incidents, planned = year
    states = Counter((case.kind, case.state) for case in planned.cases)
    assert states[(cases.CRIMINAL, cases.CLOSED)] > states[(cases.CRIMINAL, cases.FILED)] > 0
    assert states[(cases.CRIMINAL, cases.NOT_FILED)] > 0 and states[(cases.ADMINISTRATIVE, cases.CLOSED)] > 0
    for case in planned.cases:
        if case.state == cases.NOT_FILED:
            assert case.not_filed_reason and case.filed_at is None
        if case.state == cases.CLOSED and case.cleared_at is not None:
            assert case.cleared_how and case.cleared_note and case.close_note
        if case.is_open:
            assert case.lead and case.due_at is not None  # an owner and a deadline
        if case.accepted_at < END - 200 * DAY:
            assert not case.is_open
    overdue = [case for case in planned.cases if case.is_open and case.due_at < END]
    assert len(overdue) == OVERDUE_CASES
    assert all(case.state == cases.ACCEPTED and case.stage == cases.STAGE_FILING for case in overdue)
    assert any(case.is_open and END <= case.due_at < END + DAY for case in planned.cases)
    assert any(entry.action == "extend" for case in planned.cases for entry in case.log)
    complexities = Counter(case.complexity for case in planned.cases)
    assert complexities[cases.ORDINARY] > complexities[cases.SIMPLE] > 0 and complexities[cases.COMPLEX] > 0


def test_the_lead_is_a_case_officer_on_duty_chosen_by_load(year) -> None:
    _incidents, planned = year
    team = station_info().case_officers
    index = {officer.id: position for position, officer in enumerate(team)}
    leads = Counter(case.lead for case in planned.cases)
    assert len(leads) == len(team) and max(leads.values()) <= 3 * min(leads.values())
    for case in planned.cases:
        assert set(case.assistants).isdisjoint({case.lead}) and case.assignment["lead"] == case.lead
        if case.complexity != cases.COMPLEX:
            assert on_duty(index[case.lead], case.accepted_at)
        assert len(case.assistants) == {"simple": 0, "ordinary": 1, "complex": 2}[case.complexity]


def test_every_transferred_incident_has_one_transfer_story(year) -> None:
    incidents, planned = year
    by_incident = defaultdict(list)
    for transfer in planned.transfers:
        by_incident[transfer.incident_id].append(transfer)
    transferred = [item for item in incidents if item.transferred_at is not None]
    assert set(by_incident) == {item.id for item in transferred}
    for item in transferred:
        story = sorted(by_incident[item.id], key=lambda transfer: transfer.pushed_at)
        *returned, last = story
        assert story[0].pushed_at == item.transferred_at and story[0].department == item.transferred_to
        assert all(transfer.state == transfers.RETURNED and transfer.return_reason for transfer in returned)
        if item.state == CLOSED:
            assert last.state == transfers.CONFIRMED and last.confirmed_at == item.closed_at and last.caller_answer
        else:
            assert last.is_open and last.due_at is not None  # an owner and a deadline
    numbers = [transfer.number for transfer in planned.transfers]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"移\d{4}-\d{4}", number) for number in numbers)


def test_a_returned_transfer_sends_the_incident_back_to_the_command_room_and_on_to_the_right_department(year) -> None:
    incidents, planned = year
    routes = station_info().routes
    by_id = {item.id: item for item in incidents}
    returned = [transfer for transfer in planned.transfers if transfer.state == transfers.RETURNED]
    assert 0.02 * len(planned.transfers) < len(returned) < 0.12 * len(planned.transfers)
    entries = defaultdict(list)
    for entry in planned.entries:
        if entry.state_after:
            entries[entry.incident_id].append((entry.at, entry.state_before, entry.state_after))
    for transfer in returned:
        item = by_id[transfer.incident_id]
        route = route_for(routes, item.category)
        assert transfer.department not in (route.department, HOTLINE)
        after = next(other for other in planned.transfers if other.incident_id == item.id and other is not transfer)
        assert after.department == route.department and after.pushed_at > transfer.returned_at
        assert entries[item.id] == [(transfer.returned_at, TRANSFERRED, "triaged"),
                                    (after.pushed_at, "triaged", TRANSFERRED)]


def test_transfer_deadlines_are_the_machines(year) -> None:
    incidents, planned = year
    info = station_info()
    by_id = {item.id: item for item in incidents}
    for transfer in planned.transfers:
        hours = route_for(info.routes, by_id[transfer.incident_id].category).result_hours
        item = transfers.push(transfer.pushed_at, result_hours=hours)
        assert transfer.updates[0].action == "push"
        for update in transfer.updates[1:]:
            actor = "station" if update.actor == "system" else update.actor
            item = transfers.apply(item, update.action, actor=actor, now=update.at, new_deadline=update.new_deadline)
            assert item.state == update.state_after
        assert (item.state, item.due_step, item.due_at, item.result_due, item.extensions, item.chases) == (
            transfer.state, transfer.due_step, transfer.due_at, transfer.result_due, transfer.extensions,
            transfer.chases), transfer.number
        assert [update.at for update in transfer.updates] == sorted(update.at for update in transfer.updates)
        assert transfer.updates[-1].at <= END


def test_transfers_are_mostly_confirmed_some_extended_redone_or_overdue_and_chased(year) -> None:
    _incidents, planned = year
    states = Counter(transfer.state for transfer in planned.transfers)
    assert states[transfers.CONFIRMED] > 0.8 * len(planned.transfers)
    assert {transfers.IN_PROGRESS, transfers.RESULT} <= set(states)
    extensions = Counter(transfer.extensions for transfer in planned.transfers)
    assert 0.03 * len(planned.transfers) < extensions[1] < 0.3 * len(planned.transfers) and extensions[2] > 0
    for transfer in planned.transfers:
        for update in transfer.updates:
            if update.action == "extend":
                assert update.notes and update.new_deadline is not None
    answers = Counter(transfer.caller_answer for transfer in planned.transfers if transfer.confirmed_at)
    assert answers["satisfied"] > 0.7 * answers.total() and answers["dissatisfied"] > 0
    assert any(update.action == "redo" for transfer in planned.transfers for update in transfer.updates)
    overdue = [transfer for transfer in planned.transfers if transfer.is_open and transfer.due_at < END]
    assert len(overdue) >= 2 and all(transfer.chases and transfer.breaches for transfer in overdue)
    noise = [transfer for transfer in planned.transfers if transfer.department == "NA-CGJ" and transfer.result]
    assert noise and all(transfer.result for transfer in noise)


def test_support_requests_come_from_cases_mostly_completed_one_declined_one_overdue(year) -> None:
    _incidents, planned = year
    info = station_info()
    units = {unit.id: unit for unit in info.units}
    case_of = {case.incident_id: case for case in planned.cases}
    requests = planned.support
    assert len(requests) >= 6
    states = Counter(request.state for request in requests)
    assert states[support.COMPLETED] > len(requests) / 2
    open_today = [request for request in requests if request.is_open and request.due_at >= END]
    assert len(open_today) >= 2 and all(request.requested_at > END - DAY for request in open_today)
    overdue = [request for request in requests if request.is_open and request.due_at < END]
    assert len(overdue) == 1 and overdue[0].chases == 1 and overdue[0].breaches
    declined = [request for request in requests if request.declined_at is not None]
    assert len(declined) == 1 and [update.action for update in declined[0].updates][:4] == [
        "request", "decline", "reroute", "accept"]
    for request in requests:
        case = case_of[request.incident_id]
        assert request.contact == case.lead and request.requested_at >= case.accepted_at
        if not case.is_open:
            assert request.requested_at < case.log[-1].at
        unit = units[request.unit]
        if request.accepted_by is not None:
            assert request.accepted_by in {member.id for member in unit.members}
        # Replayed through the machine with the unit's clock.
        clock = support.Clock(response_minutes=unit.response_minutes)
        item = support.request(request.requested_at, request.needed_by, clock=clock)
        for update in request.updates[1:]:
            actor = "station" if update.actor == "system" else update.actor
            item = support.apply(item, update.action, actor=actor, now=update.at, clock=clock,
                                 member=request.accepted_by, needed_by=request.needed_by)
        assert (item.state, item.due_step, item.due_at) == (request.state, request.due_step, request.due_at)
    numbers = [request.number for request in requests]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"援\d{4}-\d{4}", number) for number in numbers)


def test_the_same_seed_plans_the_same_loops_and_two_weeks_are_enough(year) -> None:
    incidents, planned = year
    again = plan_loops(DEFAULT_SEED, station_info(), incidents, end=END)
    assert again == planned
    other = plan_loops(DEFAULT_SEED + 1, station_info(), incidents, end=END)
    assert [case.lead for case in other.cases] != [case.lead for case in planned.cases] or other != planned
    short = plan_loops(DEFAULT_SEED, station_info(), past(14), end=END)
    assert any(case.is_open and case.due_at < END for case in short.cases)
    assert any(transfer.is_open and transfer.due_at < END for transfer in short.transfers)
    assert any(request.is_open and request.due_at < END for request in short.support)
    assert any(request.declined_at for request in short.support)


def test_no_text_holds_a_phone_number(year) -> None:
    _incidents, planned = year
    texts = [entry.text for case in planned.cases for entry in case.log]
    texts += [case.title + case.cleared_note + case.close_note for case in planned.cases]
    texts += [update.notes for transfer in planned.transfers for update in transfer.updates]
    texts += [update.notes for request in planned.support for update in request.updates]
    texts += [value for entry in planned.entries for _key, value in entry.args]
    assert texts and not any(PHONE.search(text) for text in texts)


# -- the demo as built ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_loops_agree_with_their_incidents(demo: BuildReport) -> None:
    converted = Incident.objects.unscoped(WHY).filter(state=CONVERTED)
    assert Case.objects.unscoped(WHY).count() == converted.count() > 0
    assert not Case.objects.unscoped(WHY).exclude(incident__state=CONVERTED).exists()
    assert CaseLog.objects.unscoped(WHY).filter(action="accept").count() == converted.count()
    found = Transfer.objects.unscoped(WHY)
    assert not found.filter(state__in=transfers.OPEN).exclude(incident__state=TRANSFERRED).exists()
    assert not found.filter(state=transfers.CONFIRMED).exclude(incident__state=CLOSED).exists()
    for transfer in found.filter(state=transfers.RETURNED).select_related("incident"):
        later = found.filter(incident=transfer.incident, pushed_at__gt=transfer.returned_at)
        assert later.exclude(department=transfer.department).exists()
        assert IncidentLog.objects.unscoped(WHY).filter(incident=transfer.incident, kind=IncidentLog.Kind.STATE,
                                                       after__state="triaged", at=transfer.returned_at).exists()
    transferred = Incident.objects.unscoped(WHY).filter(state=TRANSFERRED)
    assert found.filter(state__in=transfers.OPEN).count() == transferred.count() > 0
    assert TransferUpdate.objects.unscoped(WHY).filter(action="push").count() == found.count()
    requests = SupportRequest.objects.unscoped(WHY)
    assert requests.exists() and not requests.filter(case=None).exists()
    breaches = Violation.objects.unscoped(WHY).filter(step__in=["transfer", "support"])
    assert breaches.exists()
    assert all(re.fullmatch(r"(transfer|support):\d+:\w+", subject) for subject in breaches.values_list("subject", flat=True))
    for code in ("NP", "HTX"):
        assert CaseSettings.objects.unscoped(WHY).filter(station__code=code).exists()
        assert CaseLimit.objects.unscoped(WHY).filter(station__code=code).count() == len(cases.DEFAULT_LIMITS)
        assert TransferSettings.objects.unscoped(WHY).filter(station__code=code).exists()
        rules = dict(RoutingRule.objects.unscoped(WHY).filter(station__code=code).values_list("category", "department__code"))
        assert rules["non_police.noise"] == "NA-CGJ" and rules[""] == HOTLINE
        assert Case.objects.unscoped(WHY).filter(station__code=code).exists()


@pytest.mark.django_db
def test_the_department_and_unit_accounts_log_in_and_belong_to_theirs(demo: BuildReport) -> None:
    password = settings.FENGQIAO_DEMO_PASSWORD
    department = authenticate(username="department", password=password)
    unit = authenticate(username="unit", password=password)
    assert isinstance(department, User) and isinstance(unit, User)
    assert department.role_names == ["department"] and unit.role_names == ["unit"]
    member = DepartmentMember.objects.select_related("department").get(user=department)
    assert member.department.code == "NA-CGJ" and member.department.name == "南岸区城市管理局"
    assert Transfer.objects.unscoped(WHY).filter(department=member.department, incident__category__code="non_police.noise",
                                                 incident__station__code="NP").exists()
    unit_member = UnitMember.objects.select_related("unit").get(user=unit)
    assert unit_member.unit.name == "刑侦大队" and unit_member.unit.bureau.code == "NA"
    assert SupportRequest.objects.unscoped(WHY).filter(unit=unit_member.unit).exists()
    assert {account.username: account.organisation for account in demo.plan.accounts}["unit"] == "刑侦大队"


@pytest.mark.django_db
def test_building_again_writes_no_loop_rows(demo: BuildReport) -> None:
    counts = [model.objects.unscoped(WHY).count() for model in (Case, Transfer, SupportRequest, TransferUpdate)]
    case = Case.objects.unscoped(WHY).filter(station__code="HTX").first()
    assert case is not None
    Case.objects.unscoped(WHY).filter(pk=case.pk).update(title="已改名")  # people worked in it

    again = build_demo(DEFAULT_SEED, campaigns=False, reports=False)

    assert [model.objects.unscoped(WHY).count() for model in (Case, Transfer, SupportRequest, TransferUpdate)] == counts
    assert not {"cases", "transfers", "support requests", "units", "unit members"} & set(again.created)
    assert again.existing["cases"] == counts[0]
    assert Case.objects.unscoped(WHY).get(pk=case.pk).title == "已改名"


def test_a_station_without_case_officers_gets_no_cases_but_its_transfers() -> None:
    incidents = past(10)
    info = dataclasses.replace(station_info(), case_officers=())
    planned = plan_loops(DEFAULT_SEED, info, incidents, end=END)
    assert planned.cases == () and planned.support == () and planned.transfers
