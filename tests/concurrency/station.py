"""Run in a subprocess against the race test's own database (never the test runner's).

    python -m tests.concurrency.station setup INCIDENTS
        migrate; one station with two commanders (tokens), two free community officers and
        INCIDENTS triaged incidents; prints {"tokens": [...], "officers": [...], "incidents": [...]}
    python -m tests.concurrency.station orders
        every dispatch order as [incident_id, officer_id, state]
"""

from __future__ import annotations

import json
import os
import sys


def setup(incidents: int) -> dict[str, list[object]]:
    import datetime as dt

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from fengqiao.accounts.models import User
    from fengqiao.accounts.services import do_create_token
    from fengqiao.core.testing import square
    from fengqiao.intake import services
    from fengqiao.organisation.models import Beat, Bureau, Officer, Station, Team
    from fengqiao.records.models import Address

    call_command("migrate", interactive=False, verbosity=0)
    station = Station.objects.create(bureau=Bureau.objects.create(name="南岸分局", code="NA"), name="南坪派出所", code="NP",
                                     latitude=29.530, longitude=106.560)
    command = Team.objects.create(station=station, kind=Team.Kind.COMMAND, name="综合指挥室")
    community = Team.objects.create(station=station, kind=Team.Kind.COMMUNITY, name="社区警务队")
    beat = Beat.objects.create(station=station, code="NP-01", name="南坪西路警务区", boundary=square(106.560, 29.530))
    Address.objects.create(station=station, beat=beat, code="NP-1", district="南岸区", street="南坪街道", road="南坪西路",
                           number="18号", full_text="南岸区南坪街道南坪西路18号", latitude=29.532, longitude=106.562)
    tokens = []
    for number, name in enumerate(("张伟", "刘芳"), start=1):
        user = User.objects.create_user(username=f"commander{number}", password=None)
        user.groups.add(Group.objects.get(name="commander"))
        Officer.objects.create(user=user, station=station, team=command, name=name, badge_number=f"05010{number}")
        tokens.append(do_create_token(user, name="race")[1])
    officers = []
    for number, name in enumerate(("刘洋", "何平"), start=1):
        user = User.objects.create_user(username=f"officer{number}", password=None)
        user.groups.add(Group.objects.get(name="community_officer"))
        officer = Officer.objects.create(user=user, station=station, team=community, name=name, badge_number=f"05020{number}",
                                         duty_status=Officer.DutyStatus.ON_DUTY, beat=beat if number == 1 else None)
        officers.append(officer.pk)
    made = []
    for index in range(incidents):
        data = services.CallData(source="phone", text=f"楼上邻居装修噪音扰民，第{index + 1}次", address_text="南坪西路18号",
                                 received_at=timezone.now() - dt.timedelta(seconds=30))
        made.append(services.receive_call(station, data, user=None, idempotency_key="", request_hash="").incident.pk)
    return {"tokens": tokens, "officers": officers, "incidents": made}


def orders() -> list[list[object]]:
    from fengqiao.dispatch.models import Dispatch

    rows = Dispatch.objects.unscoped("the race test counts every order").values_list("incident_id", "officer_id", "state")
    return [list(row) for row in rows.order_by("id")]


def main(arguments: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    if arguments[0] == "setup":
        print(json.dumps(setup(int(arguments[1]))))
    elif arguments[0] == "orders":
        print(json.dumps(orders()))
    else:
        raise SystemExit(f"unknown action {arguments[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
