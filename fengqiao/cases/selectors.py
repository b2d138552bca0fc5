"""Case reads: scoped to the user's stations, with the load of each case officer.

Every query here names its station (`for_user`, `for_stations`); another station's case
is never found. The incident's calls come with their callers' phones masked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from fengqiao.core.masking import mask_phone
from fengqiao.dispatch.models import Dispatch
from fengqiao.intake import states
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Officer, Team

from . import assign, machine
from .models import Case, CaseLimit, CaseLog

# Filters of the case list (besides one state): what is still open, what is finished, all.
OPEN, FINISHED, ALL = "open", "finished", "all"
# Incident states from which a case may be accepted (intake.states: open ones and resolved).
ACCEPTABLE_STATES = frozenset(state for state in states.ALL_STATES if states.can_move(state, states.CONVERTED))


def case_rows() -> QuerySet[Case]:
    return Case.objects.select_related("station", "incident", "category", "lead", "lead__team", "accepted_by")


def cases_for(user: Any) -> QuerySet[Case]:
    return case_rows().for_user(user)


def filter_cases(rows: QuerySet[Case], *, state: str = OPEN, kind: str = "", lead: Officer | int | None = None,
                 mine: Officer | None = None, overdue: bool = False, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The case list's filters: state (open, finished, all or one state), kind, lead officer,
    the user's own (as lead or assistant), overdue (open and past the deadline)."""
    if state == OPEN:
        rows = rows.filter(state__in=machine.OPEN)
    elif state == FINISHED:
        rows = rows.filter(state__in=machine.FINISHED)
    elif state in machine.ALL:
        rows = rows.filter(state=state)
    if kind in machine.KINDS:
        rows = rows.filter(kind=kind)
    if lead is not None:
        rows = rows.filter(lead_id=lead.pk if isinstance(lead, Officer) else lead)
    if mine is not None:
        rows = rows.filter(Q(lead=mine) | Q(assistants=mine)).distinct()
    if overdue:
        rows = rows.filter(state__in=machine.OPEN, due_at__lt=now or timezone.now())
    return rows


def ordered(rows: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases by their deadline, soonest first; then the rest, newest first."""
    return rows.order_by(F("due_at").asc(nulls_last=True), "-accepted_at", "-id")


# -- the case team and its load ------------------------------------------------------------------


def case_officers(station_id: int) -> QuerySet[Officer]:
    """The police officers of the station's case team(s) (auxiliaries lead no case)."""
    return (Officer.objects.for_stations([station_id])
            .filter(team__kind=Team.Kind.CASE, rank=Officer.Rank.OFFICER)
            .select_related("team").order_by("name", "pk"))


def police_officers(station_id: int) -> QuerySet[Officer]:
    """Every police officer of the station: whom a leader may name as lead officer."""
    return (Officer.objects.for_stations([station_id]).filter(rank=Officer.Rank.OFFICER)
            .select_related("team").order_by("team__kind", "name", "pk"))


def open_cases_by_officer(station_id: int, officer_ids: list[int]) -> dict[int, dict[str, int]]:
    """officer id → {complexity: open cases they lead}."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (Case.objects.for_stations([station_id]).filter(lead_id__in=officer_ids, state__in=machine.OPEN)
            .values("lead_id", "complexity").annotate(count=Count("id")).order_by())
    for row in rows:
        found[row["lead_id"]][row["complexity"]] = row["count"]
    return dict(found)


def as_candidates(station_id: int, officers: list[Officer]) -> list[assign.CaseOfficer]:
    loads = open_cases_by_officer(station_id, [officer.pk for officer in officers])
    return [assign.CaseOfficer(id=officer.pk, name=officer.name, on_duty=officer.on_duty,
                               open_cases=loads.get(officer.pk, {})) for officer in officers]


def recommend(station_id: int, complexity: str, *, chosen: Officer | None = None) -> assign.Choice:
    """Whom the rules put in charge of a new case of `complexity` (or around `chosen`)."""
    team = list(case_officers(station_id))
    people = team + ([chosen] if chosen is not None and all(o.pk != chosen.pk for o in team) else [])
    candidates = as_candidates(station_id, people)
    by_id = {candidate.id: candidate for candidate in candidates}
    pool = [by_id[officer.pk] for officer in team]
    return assign.choose(pool, complexity, chosen=by_id[chosen.pk] if chosen is not None else None)


# -- limits ----------------------------------------------------------------------------------------


def station_limits(station_id: int) -> machine.Limits:
    """The station's time limits (the defaults for any stage it has not set)."""
    table = {(row.kind, row.stage): machine.Limit(days=row.days, extension_days=row.extension_days,
                                                   max_extensions=row.max_extensions)
             for row in CaseLimit.objects.for_stations([station_id])}
    return machine.Limits(table={**machine.DEFAULT_LIMITS, **table})


# -- one case and its incident ---------------------------------------------------------------------


def case_of(incident: Incident) -> Case | None:
    return case_rows().for_stations([incident.station_id]).filter(incident=incident).first()


def log_of(case: Case) -> list[CaseLog]:
    return list(CaseLog.objects.for_stations([case.station_id]).filter(case=case).select_related("author")
                .order_by("at", "id"))


def calls_of(incident: Incident) -> list[Call]:
    """The incident's calls, each with `masked_phone` (the number itself never leaves)."""
    calls = list(Call.objects.for_stations([incident.station_id]).filter(incident=incident).order_by("received_at", "id"))
    for call in calls:
        call.masked_phone = mask_phone(call.caller_phone)
    return calls


def orders_of(incident: Incident) -> list[Dispatch]:
    """The incident's dispatch orders, with their feedback."""
    return list(Dispatch.objects.for_stations([incident.station_id]).filter(incident=incident)
                .select_related("officer", "officer__team", "feedback").order_by("issued_at", "id"))


def active_orders(incident: Incident) -> bool:
    from fengqiao.dispatch import steps

    return Dispatch.objects.for_stations([incident.station_id]).filter(incident=incident, state__in=steps.ACTIVE).exists()


def may_accept(incident: Incident, user: Any) -> bool:
    """Whether the user may accept this incident as a case now (the role, and its state)."""
    return bool(user.has_perm("cases.add_case")) and incident.state in ACCEPTABLE_STATES


def is_supervisor(user: Any) -> bool:
    """A leader (or the administrator): may work on any case of the station."""
    return bool(user.has_perm("cases.change_case") and user.has_perm("cases.assign_case"))


def on_the_case(case: Case, user: Any) -> bool:
    """Whether the user is the case's lead officer or one of its assistants."""
    officer = getattr(user, "officer", None) if getattr(user, "is_authenticated", False) else None
    if officer is None:
        return False
    return officer.pk == case.lead_id or case.assistants.filter(pk=officer.pk).exists()


def may_work(case: Case, user: Any) -> bool:
    """Who may move a case: its lead officer, its assistants, or a leader."""
    return user is None or on_the_case(case, user) or is_supervisor(user)
