"""Shared fixtures: two stations of one sub-bureau and the people who work in them.

Station A is 南坪派出所, station B is 海棠溪派出所; both belong to 南岸分局. The people:

| fixture       | name  | where                    | role                      |
| ------------- | ----- | ------------------------ | ------------------------- |
| `zhang_wei`   | 张伟  | A, command room          | commander                 |
| `li_na`       | 李娜  | A, leadership (staff)    | leader                    |
| `liu_yang`    | 刘洋  | A, community team        | community officer, beat A |
| `chen_chen`   | 陈晨  | A, community team        | auxiliary under 刘洋      |
| `wang_qiang`  | 王强  | B, command room          | commander                 |
| `zhao_min`    | 赵敏  | B, leadership (staff)    | leader                    |
| `zhou_jie`    | 周杰  | 南岸分局                 | bureau staff              |
| `administrator` | 管理员 | —                     | superuser                 |

Every user's password is `PASSWORD`; it is hashed once per test session because Argon2
is deliberately slow. The test client's host, `testserver`, needs no fixture: Django's
`setup_test_environment` (run by pytest-django) adds it to ALLOWED_HOSTS.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.signals import post_migrate

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import roles_in_step, sync_roles
from fengqiao.core.testing import PASSWORD, square
from fengqiao.organisation.models import Beat, Bureau, BureauMember, Officer, Station, Team

# -- the append-only tables and transactional tests -----------------------------------------
#
# The triggers of the append-only tables (the audit log, the incident log) refuse DELETE
# and TRUNCATE, which is what Django's `flush` runs after every transactional test
# (live_server, transaction=True). Such tests lift the triggers just before the flush;
# the flush's post_migrate signal puts them back.

# (app label, migration module) of every append-only table's triggers.
_TRIGGER_MIGRATIONS = (
    ("audit", "fengqiao.audit.migrations.0002_append_only_triggers"),
    ("intake", "fengqiao.intake.migrations.0002_incident_log_append_only"),
)


def _trigger_sql(app_label: str | None = None) -> tuple[list[str], list[str]]:
    down: list[str] = []
    up: list[str] = []
    vendor = {"sqlite": "SQLITE", "postgresql": "POSTGRES"}.get(connection.vendor)
    if vendor is None:
        return down, up
    for label, module_name in _TRIGGER_MIGRATIONS:
        if app_label is not None and label != app_label:
            continue
        module = importlib.import_module(module_name)
        down += getattr(module, f"{vendor}_DOWN")
        up += getattr(module, f"{vendor}_UP")
    return down, up


def _run_trigger_sql(*, lift: bool, restore: bool, app_label: str | None = None) -> None:
    down, up = _trigger_sql(app_label)
    with connection.cursor() as cursor:
        for statement in (down if lift else []) + (up if restore else []):
            cursor.execute(statement)


def _restore_audit_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label in {label for label, _module in _TRIGGER_MIGRATIONS}:
        _run_trigger_sql(lift=True, restore=True, app_label=sender.label)


post_migrate.connect(_restore_audit_triggers, dispatch_uid="tests-restore-audit-triggers")


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return "transactional_db" in request.fixturenames or "live_server" in request.fixturenames


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Every response of the suite is scanned for unmasked identity and mobile numbers.
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "fengqiao.core.privacy_scan.PrivacyScanMiddleware"]


@pytest.fixture(autouse=True)
def _no_unmasked_identifiers() -> Iterator[None]:
    """Fail the test whose responses showed an identity or mobile number outside a reveal."""
    from fengqiao.core.privacy_scan import take_leaks

    take_leaks()
    yield
    leaks = take_leaks()
    if leaks:
        pytest.fail("unmasked personal identifiers left the server:\n" + "\n".join(str(leak) for leak in leaks[:10]),
                    pytrace=False)


@pytest.fixture(autouse=True)
def _audit_log_flushable_after_transactional_tests(
    request: pytest.FixtureRequest, django_db_blocker: Any
) -> Iterator[None]:
    if not _is_transactional(request):
        yield
        return
    # Set up after the database helper, so this teardown runs before its flush.
    request.getfixturevalue("_django_db_helper")
    yield
    with django_db_blocker.unblock():
        _run_trigger_sql(lift=True, restore=False)


# -- people and places ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """The test database, and at the end of the session no live-event listener left holding a
    session on it (PostgreSQL will not drop a database somebody is connected to)."""
    yield
    from fengqiao.core import events

    events.close_all()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return make_password(PASSWORD)


@pytest.fixture
def roles(db: None) -> None:
    """The role groups (made by post_migrate; made again after a transactional test's flush)."""
    if not roles_in_step():
        sync_roles()


@pytest.fixture
def bureau(db: None) -> Bureau:
    return Bureau.objects.create(name="南岸分局", code="NA")


@pytest.fixture
def station_a(bureau: Bureau) -> Station:
    return Station.objects.create(
        bureau=bureau, name="南坪派出所", code="NP", address="南岸区南坪西路 18 号",
        population=100_000, area_km2="2.90", latitude=29.530, longitude=106.560,
    )


@pytest.fixture
def station_b(bureau: Bureau) -> Station:
    return Station.objects.create(
        bureau=bureau, name="海棠溪派出所", code="HTX", address="南岸区海棠溪正街 1 号",
        population=40_000, latitude=29.550, longitude=106.580,
    )


@pytest.fixture
def command_room_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.COMMAND, name="南坪综合指挥室")


@pytest.fixture
def community_team_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.COMMUNITY, name="南坪社区警务队")


@pytest.fixture
def leadership_a(station_a: Station) -> Team:
    return Team.objects.create(station=station_a, kind=Team.Kind.LEADERSHIP, name="南坪所领导")


@pytest.fixture
def command_room_b(station_b: Station) -> Team:
    return Team.objects.create(station=station_b, kind=Team.Kind.COMMAND, name="海棠溪综合指挥室")


@pytest.fixture
def leadership_b(station_b: Station) -> Team:
    return Team.objects.create(station=station_b, kind=Team.Kind.LEADERSHIP, name="海棠溪所领导")


@pytest.fixture
def beat_a(station_a: Station) -> Beat:
    return Beat.objects.create(
        station=station_a, code="NP-01", name="南坪西路警务区", community="南坪西路社区",
        boundary=square(106.560, 29.530),
    )


@pytest.fixture
def beat_b(station_b: Station) -> Beat:
    return Beat.objects.create(
        station=station_b, code="HTX-01", name="海棠溪正街警务区", community="海棠溪社区",
        boundary=square(106.580, 29.550),
    )


def make_person(
    username: str, name: str, *, role: str, password_hash: str, station: Station | None = None,
    team: Team | None = None, badge_number: str = "", is_staff: bool = False, **officer: Any,
) -> User:
    """A user account in `role`, with an officer record of `station` when one is given."""
    user = User.objects.create(username=username, password=password_hash, is_staff=is_staff)
    user.groups.add(Group.objects.get(name=role))
    if station is not None:
        assert team is not None
        Officer.objects.create(
            user=user, station=station, team=team, name=name, badge_number=badge_number, **officer
        )
    return user


@pytest.fixture
def zhang_wei(roles: None, station_a: Station, command_room_a: Team, password_hash: str) -> User:
    """张伟, command-room operator of 南坪, on duty."""
    return make_person(
        "zhangwei", "张伟", role="commander", station=station_a, team=command_room_a,
        badge_number="050101", phone="13812345678", duty_status=Officer.DutyStatus.ON_DUTY,
        password_hash=password_hash,
    )


@pytest.fixture
def li_na(roles: None, station_a: Station, leadership_a: Team, password_hash: str) -> User:
    """李娜, chief of 南坪; may use the admin site."""
    return make_person(
        "lina", "李娜", role="leader", station=station_a, team=leadership_a, is_staff=True,
        badge_number="050001", phone="13900001111", password_hash=password_hash,
    )


@pytest.fixture
def liu_yang(roles: None, station_a: Station, community_team_a: Team, beat_a: Beat, password_hash: str) -> User:
    """刘洋, community officer of 南坪 who owns beat A; on duty."""
    user = make_person(
        "liuyang", "刘洋", role="community_officer", station=station_a, team=community_team_a,
        beat=beat_a, badge_number="050201", phone="13700002222",
        duty_status=Officer.DutyStatus.ON_DUTY, password_hash=password_hash,
    )
    beat_a.responsible_officer = user.officer
    beat_a.save()
    return user


@pytest.fixture
def chen_chen(roles: None, liu_yang: User, password_hash: str) -> User:
    """陈晨, auxiliary working under 刘洋."""
    officer = liu_yang.officer
    return make_person(
        "chenchen", "陈晨", role="auxiliary", station=officer.station, team=officer.team,
        beat=officer.beat, badge_number="F050201", rank=Officer.Rank.AUXILIARY,
        supervisor=officer, phone="13600003333", password_hash=password_hash,
    )


@pytest.fixture
def wang_qiang(roles: None, station_b: Station, command_room_b: Team, password_hash: str) -> User:
    """王强, command-room operator of 海棠溪, on duty."""
    return make_person(
        "wangqiang", "王强", role="commander", station=station_b, team=command_room_b,
        badge_number="060101", phone="13598765432", duty_status=Officer.DutyStatus.ON_DUTY,
        password_hash=password_hash,
    )


@pytest.fixture
def zhao_min(roles: None, station_b: Station, leadership_b: Team, password_hash: str) -> User:
    """赵敏, chief of 海棠溪; may use the admin site."""
    return make_person(
        "zhaomin", "赵敏", role="leader", station=station_b, team=leadership_b, is_staff=True,
        badge_number="060001", phone="13500004444", password_hash=password_hash,
    )


@pytest.fixture
def zhou_jie(roles: None, bureau: Bureau, station_a: Station, station_b: Station, password_hash: str) -> User:
    """周杰, analyst of 南岸分局, which oversees both stations."""
    user = make_person("zhoujie", "周杰", role="bureau", password_hash=password_hash)
    BureauMember.objects.create(user=user, bureau=bureau, name="周杰", title="情报分析")
    return user


@pytest.fixture
def administrator(roles: None, password_hash: str) -> User:
    """The system administrator: a superuser with no station of their own."""
    user = User.objects.create(
        username="guanliyuan", password=password_hash, is_staff=True, is_superuser=True
    )
    user.groups.add(Group.objects.get(name="admin"))
    return user
