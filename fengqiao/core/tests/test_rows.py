"""`rows.insert` stores the same row as `save()`, and steps aside when save() would do more."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models.signals import post_save

from fengqiao.audit.models import AuditEntry
from fengqiao.core import rows
from fengqiao.intake.models import Call
from fengqiao.organisation.models import Station

pytestmark = pytest.mark.django_db


AT = dt.datetime(2026, 11, 30, 9, 41, 7, 123456, tzinfo=dt.UTC)


def _call(station: Station, external_id: str) -> Call:
    return Call(
        station=station, source=Call.Source.FEED_110, external_id=external_id,
        received_at=AT, caller_name="王芳", caller_phone="13812345678",
        text="楼上漏水，滴到我家了", address_text="南坪西路18号", latitude=29.5321, longitude=106.5621,
        triage={"category": "non_police.leak", "reasons": ["“漏水” → 非警务/漏水"], "confidence": 0.8},
    )


def _stored(call_id: int, station: Station) -> dict[str, Any]:
    row = Call.objects.for_stations([station.pk]).filter(pk=call_id).values().get()
    return {name: value for name, value in row.items() if name not in ("id", "external_id")}


def test_a_row_inserted_is_the_row_save_would_store(station_a: Station) -> None:
    by_save = _call(station_a, "110-save")
    by_save.save(force_insert=True)
    fast = rows.insert(_call(station_a, "110-fast"))
    assert fast.pk is not None and fast.pk != by_save.pk
    assert not fast._state.adding
    stored = _stored(fast.pk, station_a)
    expected = _stored(by_save.pk, station_a)
    # created_at is each row's own moment (auto_now_add); everything else is equal.
    assert abs(stored.pop("created_at") - expected.pop("created_at")) < dt.timedelta(seconds=5)
    assert stored == expected
    assert stored["triage"]["reasons"] == ["“漏水” → 非警务/漏水"]


def test_an_audit_row_keeps_its_append_only_save_but_is_inserted_plainly(station_a: Station) -> None:
    entry = rows.insert(AuditEntry(action=AuditEntry.Action.CREATED, object_type="intake.call", object_id="7",
                                   changes={"source": [None, "feed_110"]}))
    assert AuditEntry.objects.get(pk=entry.pk).changes == {"source": [None, "feed_110"]}


def test_with_a_save_signal_listening_it_saves_so_the_listener_hears(station_a: Station) -> None:
    heard: list[int] = []

    def listener(sender: Any, instance: Call, created: bool, **kwargs: Any) -> None:
        heard.append(instance.pk)

    post_save.connect(listener, sender=Call, dispatch_uid="test-rows-listener")
    try:
        call = rows.insert(_call(station_a, "110-heard"))
    finally:
        post_save.disconnect(dispatch_uid="test-rows-listener", sender=Call)
    assert heard == [call.pk]
