"""Writes the demo's verification campaigns (`campaigns_plan.py`) through the campaigns app itself.

Nothing is inserted behind the app's back: each list is written out as the file the bureau
sent (an XLSX workbook for the campaign in progress, a CSV file for the older one), loaded
with `loading.load_campaign` at the time it arrived (so the items are matched and shared
out by the real rules), and every outcome is recorded by the item's own officer through
`services.do_record_outcome` at the time the plan gives. The older list also goes through
the deadline tick (`services.remind_and_mark`: the reminder, then its two late items
marked), is closed (`commanding.do_close`) and returned (`returning.return_file`). Each of
those writes its own audit rows, log rows and events, as it would for people.

Only the main station gets campaigns, and only when it has residents and no campaign yet
(the builder checks).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.campaigns import commanding, loading, returning, services
from fengqiao.campaigns.models import Campaign, CampaignItem
from fengqiao.organisation.models import Officer, Station
from fengqiao.records import crypto
from fengqiao.records.models import Address, Resident

from . import campaigns_plan
from .campaigns_plan import CampaignDraft, Person
from .plan import DemoPlan

CANDIDATES = 1500  # residents the lists are drawn from: every n-th of the station's
RETURN_REASON = "按分局人口管理大队要求报送核查结果"


class CampaignDemoError(RuntimeError):
    """The demo's list did not load (a bug in the plan or in the loading)."""


def write_campaigns(station: Station, *, plan: DemoPlan, now: dt.datetime) -> Counter[str]:
    """The older, returned campaign and the one in progress at `now` (aware); the rows made, by kind."""
    counts: Counter[str] = Counter()
    commander = _commander(station)
    if commander is None:
        return counts
    local_now = timezone.localtime(now).replace(tzinfo=None)
    people, addresses = _people(station), _addresses(station)
    closed = campaigns_plan.plan_closed_list(people, addresses, seed=plan.seed, now=local_now)
    _write(station, closed, commander, seed=plan.seed, now=local_now, counts=counts, fmt="csv")
    current = campaigns_plan.plan_list(people, addresses, seed=plan.seed, now=local_now)
    _write(station, current, commander, seed=plan.seed, now=local_now, counts=counts, fmt="xlsx")
    return counts


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment)


def _commander(station: Station) -> User | None:
    """Who loads the lists: a command-room account of the station."""
    group = Group.objects.filter(name="commander").first()
    accounts = User.objects.filter(officer__station=station, is_active=True).order_by("pk")
    if group is not None:
        found = accounts.filter(groups=group).first()
        if found is not None:
            return found
    return next((user for user in accounts if user.has_perm("campaigns.add_campaign")), None)


def _people(station: Station) -> list[Person]:
    """Every n-th current resident with an identity number, a phone and an address."""
    rows = (
        Resident.objects.for_stations([station.pk])
        .filter(merged_into__isnull=True, moved_out_on__isnull=True, address__isnull=False)
        .exclude(id_number_cipher="").exclude(phone="")
        .order_by("pk")
    )
    total = rows.count()
    step = max(1, total // CANDIDATES)
    chosen = list(rows.values_list("pk", flat=True)[::step]) if step > 1 else list(rows.values_list("pk", flat=True))
    found = (
        Resident.objects.for_stations([station.pk]).filter(pk__in=chosen)
        .values_list("pk", "name", "id_number_cipher", "phone", "address__full_text", "sex").order_by("pk")
    )
    return [Person(key=pk, name=name, id_number=crypto.decrypt(cipher), phone=phone, address_text=address, sex=sex)
            for pk, name, cipher, phone, address, sex in found]


def _addresses(station: Station) -> list[str]:
    """The texts of the station's flats (new tenants live in one)."""
    return list(Address.objects.for_stations([station.pk]).exclude(room="").order_by("pk")
                .values_list("full_text", flat=True)[:3000])


def _file(draft: CampaignDraft, fmt: str) -> tuple[bytes, str]:
    name = f"{draft.title}名单（{draft.issuer}）.{fmt}"
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(draft.table())
        return text.getvalue().encode("gb18030"), name  # as Chinese Excel saves a CSV
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for cells in draft.table():
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), name


def _write(station: Station, draft: CampaignDraft, commander: User, *, seed: int, now: dt.datetime,
           counts: Counter[str], fmt: str) -> Campaign:
    data, filename = _file(draft, fmt)
    details = loading.CampaignDetails(title=draft.title, issuer=draft.issuer, deadline=_aware(draft.deadline),
                                      instructions=draft.instructions, remind_before=draft.remind_before)
    report = loading.load_campaign(station, data, filename, user=commander, details=details,
                                   now=_aware(draft.loaded_at))
    if report.campaign is None:
        raise CampaignDemoError(f"the demo list {draft.title!r} did not load: "
                                + "; ".join(str(problem) for problem in report.problems[:5]))
    campaign = report.campaign
    counts["verification campaigns"] += 1
    counts["campaign items"] += report.rows
    items = dict(CampaignItem.objects.for_stations([station.pk]).filter(campaign=campaign).values_list("row", "pk"))
    owners = dict(CampaignItem.objects.for_stations([station.pk]).filter(campaign=campaign)
                  .values_list("row", "officer_id"))
    officers = {pk: (name, user) for pk, name, user in
                Officer.objects.for_stations([station.pk]).values_list("pk", "name", "user_id")}
    users = {user.pk: user for user in User.objects.filter(pk__in=[user for _n, user in officers.values() if user])}
    outcomes = campaigns_plan.plan_outcomes(draft, owners, {pk: name for pk, (name, _u) in officers.items()},
                                            seed=seed, now=now)
    ticks = _ticks(draft)
    for outcome in outcomes:
        while ticks and ticks[0] <= outcome.at:
            services.remind_and_mark(_aware(ticks.pop(0)), [station.pk])
        user: Any = users.get(officers.get(outcome.officer, ("", None))[1]) if outcome.officer else None
        services.do_record_outcome(
            items[outcome.row], user=user or commander, outcome=outcome.outcome, notes=outcome.notes,
            visit_team=outcome.visit_team, visit_at=_aware(outcome.visit_at) if outcome.visit_at else None,
            new_phone=outcome.new_phone, now=_aware(outcome.at),
        )
        counts["campaign outcomes"] += 1
    if draft.closed:
        last = max((outcome.at for outcome in outcomes), default=draft.deadline)
        closed_at = last + dt.timedelta(minutes=25)
        commanding.do_close(campaign.pk, user=commander, now=_aware(closed_at))
        campaign.refresh_from_db()
        returning.return_file(campaign, user=commander, reason=RETURN_REASON, fmt="xlsx",
                              now=_aware(closed_at + dt.timedelta(minutes=8)))
    return campaign


def _ticks(draft: CampaignDraft) -> list[dt.datetime]:
    """When the ticker would have reminded officers and marked late items, for a list that is
    over: once the reminder is due, at its final quarter and at the deadline."""
    if not draft.closed:
        return []
    before = dt.timedelta(minutes=draft.remind_before)
    return [draft.deadline - before, draft.deadline - max(before / 4, dt.timedelta(minutes=5)), draft.deadline]
