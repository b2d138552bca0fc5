"""Through the services and the database: no sequence of moves — valid or refused — leaves an
open transfer without an owner and a deadline, or its incident out of step with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fengqiao.intake import services as intake
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Team
from fengqiao.transfers import machine, services
from fengqiao.transfers.models import Transfer
from fengqiao.transfers.services import TransferRefused

from .conftest import NOISE_TEXT

pytestmark = pytest.mark.django_db

# Where the random moves start from, so that few examples still reach the later states.
PREFIXES = ([], ["receive"], ["receive", "start"], ["receive", "report"], ["receive", "extend", "report"],
            ["receive", "report", "dissatisfied"], ["receive", "report", "satisfied"], ["return"], ["withdraw"])
MOVES = ("receive", "start", "extend", "report", "return", "note", "chase", "withdraw", "satisfied", "dissatisfied",
         "transfer")


def _take(move: str, transfer: Transfer, incident: Incident, *, at: dt.datetime, days: int, xu_lan: Any,
          zhang_wei: Any) -> Transfer | None:
    if move == "transfer":
        return services.do_transfer(incident, user=zhang_wei, description="再次移交", now=at)
    if move == "extend":
        return services.do_extend(transfer, user=xu_lan, new_deadline=transfer.result_due + dt.timedelta(days=days),
                                  reason="需要协调", now=at)
    if move in ("satisfied", "dissatisfied"):
        return services.do_confirm(transfer, user=zhang_wei, answer=move, notes="回访报警人", now=at)
    if move in ("chase", "withdraw"):
        return services.do_action(transfer, move, user=zhang_wei, reason="撤回", now=at)
    return services.do_action(transfer, move, user=xu_lan, reason="非本部门职责", result="已处理", notes="进展", now=at)


def _check(incident: Incident, command_team: int) -> None:
    incident = Incident.objects.for_stations([incident.station_id]).get(pk=incident.pk)
    open_ones = list(Transfer.objects.for_stations([incident.station_id]).filter(incident=incident,
                                                                                  state__in=machine.OPEN))
    assert len(open_ones) <= 1
    if open_ones:
        transfer = open_ones[0]
        item = transfer.as_item()
        assert item.owner in (machine.DEPARTMENT, machine.COMMAND_ROOM)
        assert transfer.due_at is not None and transfer.due_step == machine.DUE_STEP[transfer.state]
        assert incident.state == "transferred" and incident.owner_team_id is None and incident.owner_id is None
        wanted = transfer.due_at if transfer.state == machine.RESULT else transfer.result_due
        assert incident.deadline == wanted
    elif incident.state == "closed":
        assert incident.deadline is None
    else:
        assert incident.state == "triaged" and incident.owner_team_id == command_team and incident.deadline is not None
    for finished in Transfer.objects.for_stations([incident.station_id]).filter(incident=incident,
                                                                                state__in=machine.FINISHED):
        assert finished.due_at is None and finished.due_step == ""


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), moves=st.lists(st.tuples(st.sampled_from(MOVES), st.integers(0, 3 * 24 * 60), st.integers(1, 9)),
                      min_size=1, max_size=12))
def test_no_sequence_of_moves_leaves_an_open_transfer_without_an_owner_and_a_deadline(
        prefix: list[str], moves: list[tuple[str, int, int]], receive: Any, zhang_wei: Any, xu_lan: Any, departments: Any,
        command_room_a: Team) -> None:
    receipt = receive(NOISE_TEXT, user=zhang_wei, caller_name="钱女士", caller_phone="13911112222",
                      decision=intake.Decision(category="non_police.noise", route="transfer"))
    incident = Incident.objects.for_stations([receipt.call.station_id]).select_related("category", "station").get(
        pk=receipt.incident.pk)
    at = timezone.now()
    transfer = services.do_transfer(incident, user=zhang_wei, description="请城管处理", now=at)
    _check(incident, command_room_a.pk)
    for move, minutes, days in [(move, 30, 1) for move in prefix] + moves:
        at += dt.timedelta(minutes=minutes)
        try:
            moved = _take(move, transfer, incident, at=at, days=days, xu_lan=xu_lan, zhang_wei=zhang_wei)
        except (TransferRefused, ValidationError):
            moved = None
            event(f"{move} refused")
        else:
            event(f"{move} taken")
        if moved is not None:
            transfer = moved
        _check(incident, command_room_a.pk)
