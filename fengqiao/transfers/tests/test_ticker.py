"""Transfer deadlines on the ticker: warned at 80 % (or two hours before), breached at the
deadline, each once; a department's passed deadline chases it automatically."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fengqiao.dispatch import services as dispatch
from fengqiao.dispatch.models import Violation
from fengqiao.intake.models import IncidentLog
from fengqiao.transfers import services
from fengqiao.transfers.models import Transfer, TransferUpdate

from .conftest import fresh

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def _violations(transfer: Transfer) -> list[tuple[str, str]]:
    return sorted((v.subject, v.level) for v in Violation.objects.for_stations([transfer.station_id])
                  .filter(step="transfer", subject__startswith=f"transfer:{transfer.pk}:"))


def test_an_unreceived_transfer_is_warned_then_breached_and_chased_once(transfer_a: Transfer, published: list[Any]) -> None:
    pushed = transfer_a.pushed_at
    dispatch.tick(pushed + 95 * MINUTE)
    assert _violations(transfer_a) == []
    dispatch.tick(pushed + 97 * MINUTE)  # 80 % of the two hours to receive it
    assert _violations(transfer_a) == [(f"transfer:{transfer_a.pk}:receipt", "warning")]
    assert fresh(transfer_a).chases == 0
    dispatch.tick(pushed + 121 * MINUTE)
    assert _violations(transfer_a) == [(f"transfer:{transfer_a.pk}:receipt", "alert"),
                                       (f"transfer:{transfer_a.pk}:receipt", "warning")]
    chased = fresh(transfer_a)
    assert chased.chases == 1 and chased.last_chased_at == pushed + 121 * MINUTE
    update = TransferUpdate.objects.for_stations([transfer_a.station_id]).get(transfer=transfer_a, action="chase")
    assert (update.actor, update.via, update.author_id) == ("system", "system", None)
    assert IncidentLog.objects.for_stations([transfer_a.station_id]).filter(
        incident_id=transfer_a.incident_id, kind="deadline").count() == 2
    assert any(kind == "deadline" for kind, _ids in published)
    # the next ticks record nothing again and chase no more
    dispatch.tick(pushed + 130 * MINUTE)
    dispatch.tick(pushed + 200 * MINUTE)
    assert len(_violations(transfer_a)) == 2 and fresh(transfer_a).chases == 1


def test_a_late_result_is_chased_and_an_extension_starts_a_new_deadline(transfer_a: Transfer, xu_lan: Any) -> None:
    received = services.do_receive(transfer_a, user=xu_lan, now=transfer_a.pushed_at + 10 * MINUTE)
    due = received.result_due
    dispatch.tick(due - 3 * 60 * MINUTE)
    assert _violations(transfer_a) == []
    dispatch.tick(due - 119 * MINUTE)  # two hours before a 24-hour result
    assert _violations(transfer_a) == [(f"transfer:{transfer_a.pk}:result", "warning")]
    dispatch.tick(due + MINUTE)
    assert fresh(transfer_a).chases == 1
    extended = services.do_extend(fresh(transfer_a), user=xu_lan, new_deadline=due + dt.timedelta(days=1),
                                  reason="需协调", now=due + 2 * MINUTE)
    dispatch.tick(extended.result_due + MINUTE)
    assert Violation.objects.for_stations([transfer_a.station_id]).filter(
        subject=f"transfer:{transfer_a.pk}:result", level="alert").count() == 2
    assert fresh(transfer_a).chases == 2


def test_the_command_room_s_own_deadline_is_raised_but_not_chased(transfer_a: Transfer, xu_lan: Any) -> None:
    received = services.do_receive(transfer_a, user=xu_lan)
    reported = services.do_report(received, user=xu_lan, result="已处理")
    assert reported.due_at is not None
    dispatch.tick(reported.due_at + MINUTE)
    assert (f"transfer:{transfer_a.pk}:confirm", "alert") in _violations(transfer_a)
    assert fresh(transfer_a).chases == 0


def test_a_finished_transfer_is_not_watched(transfer_a: Transfer, zhang_wei: Any) -> None:
    services.do_withdraw(transfer_a, user=zhang_wei, reason="撤回")
    dispatch.tick(transfer_a.pushed_at + dt.timedelta(days=10))
    assert _violations(transfer_a) == []
