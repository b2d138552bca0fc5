"""The demo's verification campaigns: a 300-row list half-way through its four hours, and an
older one closed and returned — loaded and worked through the campaigns app's own services."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.campaigns import plan as rules
from fengqiao.campaigns.models import Campaign, CampaignItem, CampaignLog
from fengqiao.campaigns.selectors import burn_down_for
from fengqiao.demo import campaigns_plan as lists
from fengqiao.demo.builder import BuildReport, build_demo
from fengqiao.demo.plan import DEFAULT_SEED
from fengqiao.records import crypto, idcard

WHY = "tests look at the whole demo"
DEMO_CAMPAIGNS = True  # the module's demo (conftest) is built with its verification lists

NOW = dt.datetime(2026, 3, 2, 11, 30)


def people(count: int = 600) -> list[lists.Person]:
    return [
        lists.Person(key=index + 1, name=f"居民{index}", id_number=idcard.make("500108", dt.date(1960, 1, 1)
                                                                               + dt.timedelta(days=index * 13), index % 500,
                                                                               "MF"[index % 2]),
                    phone=f"139{index:08d}", address_text=f"南岸区南坪街道南坪西路{index % 90 + 1}号", sex="MF"[index % 2])
        for index in range(count)
    ]


ADDRESSES = [f"南岸区南坪街道南坪西路{number}号" for number in range(1, 91)]


# -- the plan, without a database ----------------------------------------------------------------------


def test_the_list_is_three_hundred_rows_of_mostly_known_people_and_a_few_strangers() -> None:
    residents = people()
    draft = lists.plan_list(residents, ADDRESSES, seed=2026, now=NOW)
    assert draft == lists.plan_list(residents, ADDRESSES, seed=2026, now=NOW)  # drawn from the seed
    assert draft.rows != lists.plan_list(residents, ADDRESSES, seed=2027, now=NOW).rows
    assert len(draft.rows) == 300 and draft.columns == lists.COLUMNS
    assert draft.loaded_at == dt.datetime(2026, 3, 2, 9, 45) and draft.deadline == dt.datetime(2026, 3, 2, 13, 45)
    kinds = Counter(row.kind for row in draft.rows)
    assert kinds == Counter({lists.RESIDENT: 300 - sum(lists.MIX.values()), **lists.MIX})
    known = {person.key: person for person in residents}
    assert len({row.person for row in draft.rows if row.person}) == 300 - kinds[lists.NEW_TENANT] - kinds[lists.UNKNOWN]
    numbers = [row.cells[lists.ID_NUMBER] for row in draft.rows if row.cells[lists.ID_NUMBER]]
    assert len(numbers) == len(set(numbers)) == 300 - kinds[lists.NAME_PHONE]
    assert all(idcard.is_valid(number) for number in numbers)
    for row in draft.rows:
        assert [cell for cell in row.cells if cell] and row.cells[0] == str(draft.rows.index(row) + 1)
        if row.kind == lists.RESIDENT:
            person = known[row.person]
            assert row.cells[lists.ID_NUMBER] == person.id_number and row.cells[lists.PHONE] == person.phone
        elif row.kind == lists.NEW_PHONE:
            assert row.new_phone == row.cells[lists.PHONE] != known[row.person].phone
        elif row.kind == lists.UNKNOWN:
            assert row.cells[lists.ID_NUMBER][:6] in lists.OUTSIDE_REGIONS
            assert row.cells[lists.ADDRESS] not in ADDRESSES
        elif row.kind == lists.NEW_TENANT:
            assert row.cells[lists.ADDRESS] in ADDRESSES and row.person is None


def test_about_half_is_done_by_now_each_officer_at_their_pace_with_door_visits_waiting() -> None:
    draft = lists.plan_list(people(), ADDRESSES, seed=2026, now=NOW)
    officers = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    owner = {draft.file_row(index): officers[index % len(officers)] for index in range(len(draft.rows))}
    owner[draft.file_row(0)] = None  # nobody's: waits for the commander
    names = {officer: f"民警{officer}" for officer in officers}
    outcomes = lists.plan_outcomes(draft, owner, names, seed=2026, now=NOW)
    assert outcomes == lists.plan_outcomes(draft, owner, names, seed=2026, now=NOW)
    assert [o.at for o in outcomes] == sorted(o.at for o in outcomes)
    assert all(draft.loaded_at < o.at < NOW for o in outcomes)
    assert len({o.row for o in outcomes}) == len(outcomes) and draft.file_row(0) not in {o.row for o in outcomes}
    assert all(o.officer == owner[o.row] for o in outcomes)
    done = [o for o in outcomes if o.outcome != rules.DOOR_VISIT]
    assert 0.45 * 300 <= len(done) <= 0.55 * 300
    visits = [o for o in outcomes if o.outcome == rules.DOOR_VISIT]
    assert len(visits) == lists.DOOR_VISITS
    for visit in visits:
        assert visit.visit_team is not None and visit.visit_team[0] == names[visit.officer] and all(visit.visit_team)
        assert visit.visit_at is not None and visit.at < visit.visit_at < draft.deadline
    mix = Counter(o.outcome for o in done)
    assert mix[rules.VERIFIED] > 0.7 * len(done) and mix[rules.MOVED] and mix[rules.UNREACHABLE] and mix[rules.WRONG_DATA]
    rows = {draft.file_row(index): row for index, row in enumerate(draft.rows)}
    assert all(o.new_phone == rows[o.row].new_phone for o in outcomes)
    assert any(o.new_phone for o in outcomes)
    per_officer = Counter(o.officer for o in done)
    assigned = Counter(officer for officer in owner.values() if officer)
    shares = sorted(per_officer[officer] / assigned[officer] for officer in officers)
    assert shares[0] < 0.3 < 0.4 < shares[-1]  # one lags far behind


def test_the_older_list_is_finished_two_items_after_its_deadline() -> None:
    residents = people()
    draft = lists.plan_closed_list(residents, ADDRESSES, seed=2026, now=NOW)
    assert draft.closed and len(draft.rows) == lists.CLOSED_SIZE
    assert draft.loaded_at == dt.datetime(2026, 2, 23, 9, 0) and draft.deadline == dt.datetime(2026, 2, 24, 13, 0)
    owner = {draft.file_row(index): 11 + index % 4 for index in range(len(draft.rows))}
    outcomes = lists.plan_outcomes(draft, owner, {}, seed=2026, now=NOW)
    assert sorted(o.row for o in outcomes) == sorted(owner)
    assert all(o.outcome != rules.DOOR_VISIT for o in outcomes)
    late = [o for o in outcomes if o.at > draft.deadline]
    assert len(late) == 2 and all(o.at.date() == dt.date(2026, 2, 25) for o in late)


def test_a_small_station_gets_a_shorter_list_of_strangers() -> None:
    draft = lists.plan_list(people(5), [], seed=1, now=NOW, size=30)
    assert len(draft.rows) == 30
    assert sum(row.person is not None for row in draft.rows) == 5
    assert all(row.kind != lists.NEW_TENANT for row in draft.rows)


# -- the demo database -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_main_station_has_a_list_half_way_through_and_an_older_one_returned(demo: BuildReport) -> None:
    campaigns = list(Campaign.objects.unscoped(WHY).select_related("station").order_by("pk"))
    assert [(c.station.code, c.title, c.state) for c in campaigns] == [
        ("NP", "出租屋流动人口信息核查", "closed"), ("NP", "涉诈高风险人员电话核查", "open")]
    closed, current = campaigns
    assert demo_report_counts(demo) == {"verification campaigns": 2, "campaign items": 360}

    now = timezone.now()
    assert dt.timedelta(hours=1, minutes=44) <= now - current.created_at <= dt.timedelta(hours=1, minutes=50)
    assert current.deadline - current.created_at == dt.timedelta(hours=4) and current.number == f"核{current.created_at.year}-0002"
    assert current.filename.endswith(".xlsx") and current.columns == list(lists.COLUMNS)
    items = CampaignItem.objects.unscoped(WHY).filter(campaign=current)
    assert items.count() == 300
    assert Counter(items.values_list("state", flat=True))[rules.VISIT] == lists.DOOR_VISITS
    burn = burn_down_for(current, now=now)
    assert 0.45 * 300 <= burn.total.done <= 0.55 * 300 and not burn.overdue and burn.total.late == 0
    assert any(burn.group_behind(tally) for tally in burn.groups)  # one officer lags
    matches = Counter(items.values_list("match", flat=True))
    assert matches["none"] >= 5 and matches["id_number"] > 250 and matches["name_phone"] and matches["address"]
    assert items.filter(match="none", assigned_how=rules.ROUND_ROBIN).count() == matches["none"]
    assert not items.filter(officer__isnull=True).exists()
    done = items.filter(state=rules.DONE)
    assert not done.filter(outcome_by__isnull=True).exists()
    assert all(current.created_at < at < now for at in done.values_list("outcome_at", flat=True))
    # The real path: one log row and one audit row per outcome.
    logged = CampaignLog.objects.unscoped(WHY).filter(campaign=current, action=CampaignLog.Action.OUTCOME).count()
    assert logged == done.count() + lists.DOOR_VISITS
    assert AuditEntry.objects.filter(object_type="campaigns.campaignitem").count() >= logged
    visit = items.filter(state=rules.VISIT).select_related("officer").first()
    assert visit.visit_officer == visit.officer.name and visit.visit_worker and visit.visit_medic
    assert current.created_at < visit.visit_at < current.deadline
    # The original rows are the file's, kept encrypted: a resident's real identity number.
    first = items.filter(match="id_number").select_related("resident").first()
    cells = json.loads(crypto.decrypt(first.original))
    assert crypto.search_hash(cells[lists.ID_NUMBER]) == first.resident.id_number_hash

    assert closed.returned_at is not None and closed.closed_at is not None and closed.deadline < closed.closed_at
    old = CampaignItem.objects.unscoped(WHY).filter(campaign=closed)
    assert old.count() == lists.CLOSED_SIZE and not old.exclude(state=rules.DONE).exists()
    assert old.filter(late=True).count() == 2
    actions = Counter(CampaignLog.objects.unscoped(WHY).filter(campaign=closed).values_list("action", flat=True))
    assert actions["reminded"] and actions["late"] and actions["closed"] == actions["exported"] == 1

    again = build_demo(DEFAULT_SEED, days=0, reports=False)
    assert again.existing["verification campaigns"] == 2 and "verification campaigns" not in again.created
    assert Campaign.objects.unscoped(WHY).count() == 2


def demo_report_counts(report: BuildReport) -> dict[str, int]:
    return {label: report.created[label] for label in ("verification campaigns", "campaign items")}
