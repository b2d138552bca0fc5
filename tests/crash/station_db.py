"""Run in a subprocess against the crash test's own database (never the test runner's).

    python -m tests.crash.station_db setup   # migrate, one station with a feed account; prints its token
    python -m tests.crash.station_db dump    # the calls and idempotency records, as JSON

The database is whatever the environment configures (FENGQIAO_DB, FENGQIAO_DB_PATH,
DATABASE_URL), exactly as for `fengqiao serve`.
"""

from __future__ import annotations

import json
import os
import sys

# The standard addresses of the station, (road, number, building, unit, room, longitude,
# latitude), inside its one beat (106.560–106.564 E, 29.530–29.534 N). The harness writes
# its calls' addresses from the same list.
ADDRESSES = (
    ("南坪西路", "18号", "3栋", "2单元", "501", 106.5612, 29.5312),
    ("南坪西路", "18号", "1栋", "1单元", "302", 106.5611, 29.5311),
    ("南坪西路", "20号", "", "", "", 106.5621, 29.5321),
    ("南坪东路", "7号", "2栋", "", "1103", 106.5630, 29.5305),
    ("江南大道", "8号", "1栋", "", "", 106.5631, 29.5331),
    ("江南大道", "26号附3号", "", "", "", 106.5636, 29.5333),
    ("南城大道", "199号", "", "", "", 106.5635, 29.5335),
    ("响水路", "12号", "5栋", "3单元", "2104", 106.5603, 29.5302),
    ("后堡正街", "9号", "3栋", "3单元", "201", 106.5608, 29.5325),
    ("烟雨路", "31号", "", "", "", 106.5626, 29.5338),
)
USERNAME = "crash-feed"


def setup() -> str:
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from fengqiao.accounts.models import User
    from fengqiao.accounts.services import do_create_token
    from fengqiao.core.testing import square
    from fengqiao.organisation.models import Beat, Bureau, Officer, Station, Team
    from fengqiao.records.models import Address

    call_command("migrate", interactive=False, verbosity=0)
    bureau = Bureau.objects.create(name="南岸分局", code="NA")
    station = Station.objects.create(
        bureau=bureau, name="南坪派出所", code="NP", address="南岸区南坪西路 18 号",
        population=100_000, area_km2="2.90", latitude=29.530, longitude=106.560,
    )
    command_room = Team.objects.create(station=station, kind=Team.Kind.COMMAND, name="南坪综合指挥室")
    beat = Beat.objects.create(
        station=station, code="NP-01", name="南坪西路警务区", community="南坪西路社区",
        boundary=square(106.560, 29.530),
    )
    for road, number, building, unit, room, longitude, latitude in ADDRESSES:
        Address.objects.create(
            station=station, beat=beat, code=f"NP-{road}-{number}-{building}{unit}{room}",
            district="南岸区", street="南坪街道", road=road, number=number, building=building, unit=unit,
            room=room, latitude=latitude, longitude=longitude,
            full_text=Address.compose(district="南岸区", street="南坪街道", road=road, number=number,
                                      building=building, unit=unit, room=room),
        )
    user = User.objects.create_user(username=USERNAME, password=None)
    user.groups.add(Group.objects.get(name="commander"))
    Officer.objects.create(user=user, station=station, team=command_room, name="张伟", badge_number="050101")
    _token, plain = do_create_token(user, name="110 feed (crash test)")
    return plain


def dump() -> dict[str, list[list[object]]]:
    from fengqiao.intake.models import Call, IdempotencyRecord

    why = "the crash test counts every row"
    return {
        "calls": [list(row) for row in Call.objects.unscoped(why).values_list("id", "external_id").order_by("id")],
        "records": [
            list(row) for row in IdempotencyRecord.objects.unscoped(why).values_list("key", "call_id").order_by("id")
        ],
    }


def main(action: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    if action == "setup":
        print(setup())
    elif action == "dump":
        print(json.dumps(dump()))
    else:
        raise SystemExit(f"unknown action {action!r}: setup or dump")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
