"""`fengqiao bench campaigns`: loading and assigning a verification list of N items.

    fengqiao bench campaigns --items 1000           # SQLite in a throwaway data directory
    FENGQIAO_DB=postgres DATABASE_URL=postgres://fengqiao:fengqiao@127.0.0.1:5432/fengqiao \\
        fengqiao bench campaigns --items 1000       # a throwaway database on that PostgreSQL server
    fengqiao bench campaigns --items 1000 --residents 20000 --addresses 3000 --runs 5 --json

One throwaway database per invocation (a temporary data directory and, on PostgreSQL, a
temporary database `fengqiao_bench_…` dropped afterwards): `migrate`, then — in a
subprocess pointed at it (`fengqiao bench campaigns --here`) — a station with
`--addresses` standard addresses (the address benchmark's generator) in six beats, four of
them with a responsible community officer, a community team of eight officers with
accounts, a commander, and `--residents` residents (valid identity numbers, phones, at
those addresses). The list (CSV, UTF-8 with a BOM, Chinese headers, eight columns) has
`--items` rows: 60 % residents by identity number, 15 % residents by name and phone
without a number, 15 % only an address (half of them written without district and
sub-district), 10 % nobody known.

Timed through the page's own path (`campaigns.loading.load_campaign`): the dry run (read,
check, match, assign) and the load (the same, then encrypt every row and write campaign,
items, log, audit row and event in one transaction); `--runs` loads of the same list,
each a new campaign; the medians are reported. Target: 1,000 items in under 2 s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import statistics
import time
import uuid
from typing import Any

HELP = "campaigns: loading and assigning a verification list of N items (target < 2 s for 1,000)"

DEFAULT_ITEMS = 1_000
DEFAULT_RESIDENTS = 10_000
DEFAULT_ADDRESSES = 2_000
DEFAULT_RUNS = 5
DEFAULT_SEED = 1
TARGET_SECONDS = 2.0
TARGET_AT = 1_000
BEATS = 6
BEATS_WITH_OFFICER = 4
COMMUNITY_OFFICERS = 8

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华建国平刚桂兰玉梅红霞志文辉鹏飞斌宇浩凯俊峰婷雪琳晶燕萍丹蕾欣怡子涵思雨佳琪梓萱"
_REGIONS = ("500108", "500103", "500105", "500106", "500107", "500112", "510105", "511502", "430102", "420106")
HEADER = ["序号", "姓名", "公民身份号码", "联系电话", "现住址", "户籍地", "风险类别", "备注"]


# --- the station and the list -----------------------------------------------------------------------


def _person(rng: random.Random, numbers: set[str]) -> tuple[str, str, str]:
    from fengqiao.records.idcard import make

    while True:
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 28_000))
        number = make(rng.choice(_REGIONS), born, rng.randrange(500), rng.choice("MF"))
        if number not in numbers:
            numbers.add(number)
            break
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    phone = "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"
    return name, number, phone


def build_station(*, residents: int, addresses: int, seed: int) -> dict[str, Any]:
    """A station of its own: addresses in beats, community officers, a commander, residents."""
    from django.contrib.auth.models import Group

    from fengqiao.accounts.models import User
    from fengqiao.accounts.roles import sync_roles
    from fengqiao.bench.address import standard_addresses
    from fengqiao.intake.services import forget_station_caches
    from fengqiao.organisation.models import Beat, Bureau, Officer, Station, Team
    from fengqiao.records.models import Address, Resident
    from fengqiao.records.services import identity_fields

    rng = random.Random(f"{seed}:station")
    tag = uuid.uuid4().hex[:6].upper()
    sync_roles()
    bureau = Bureau.objects.create(name=f"基准分局 {tag}", code=f"BB{tag}")
    station = Station.objects.create(bureau=bureau, name=f"基准派出所 {tag}", code=f"C{tag}", address="南岸区南坪西路 18 号",
                                     latitude=29.53, longitude=106.56)
    beats = [Beat.objects.create(station=station, code=f"C{tag}-{n}", name=f"第{n}警务区", community=f"第{n}社区")
             for n in range(1, BEATS + 1)]
    command = Team.objects.create(station=station, kind=Team.Kind.COMMAND, name="指挥室")
    community = Team.objects.create(station=station, kind=Team.Kind.COMMUNITY, name="社区警务队")
    commander = User.objects.create(username=f"bench-c-{tag.lower()}")
    commander.groups.add(Group.objects.get(name="commander"))
    Officer.objects.create(user=commander, station=station, team=command, name="基准指挥员", badge_number=f"8{tag}")
    officers = []
    for n in range(COMMUNITY_OFFICERS):
        user = User.objects.create(username=f"bench-{n}-{tag.lower()}")
        user.groups.add(Group.objects.get(name="community_officer"))
        beat = beats[n] if n < BEATS_WITH_OFFICER else None
        officer = Officer.objects.create(user=user, station=station, team=community, name=f"社区民警{n + 1}",
                                         badge_number=f"7{n}{tag}", beat=beat)
        officers.append(officer)
        if beat is not None:
            beat.responsible_officer = officer
            beat.save(update_fields=["responsible_officer"])
    generated = standard_addresses(addresses, seed)
    roads = sorted({address.road for address in generated})
    beat_of_road = {road: beats[index % len(beats)] for index, road in enumerate(roads)}
    kept = Address.objects.bulk_create([
        Address(station=station, beat=beat_of_road[address.road], code=f"C{tag}-{address.id}",
                district=address.district, street=address.street, road=address.road, number=address.number,
                building=address.building, unit=address.unit, room=address.room, full_text=address.full_text)
        for address in generated
    ], batch_size=2000)
    if any(address.pk is None for address in kept):
        kept = list(Address.objects.for_stations([station.pk]).order_by("pk"))
    numbers: set[str] = set()
    people: list[tuple[str, str, str, int]] = []
    records = []
    for index in range(residents):
        name, number, phone = _person(rng, numbers)
        address = kept[rng.randrange(len(kept))]
        resident = Resident(station=station, name=name, phone=phone, address=address, beat_id=address.beat_id)
        identity_fields(number).apply(resident)
        records.append(resident)
        people.append((name, number, phone, index))
    Resident.objects.bulk_create(records, batch_size=2000)
    forget_station_caches(station.pk)
    prefix = len(generated[0].district + generated[0].street) if generated else 0
    places = [(address.full_text, address.full_text[prefix:]) for address in generated]
    return {"station": station, "commander": commander, "people": people, "places": places, "numbers": numbers}


def list_file(world: dict[str, Any], items: int, seed: int) -> bytes:
    """The list: see the module's docstring for its mix."""
    rng = random.Random(f"{seed}:list")
    people = rng.sample(world["people"], min(len(world["people"]), items))
    numbers: set[str] = set(world["numbers"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(items):
        share = rng.random()
        name, number, phone, _index = people[n % len(people)]
        full, short = rng.choice(world["places"])
        address = short if rng.random() < 0.5 else full
        if share < 0.60:
            row = [name, number, phone, rng.choice(world["places"])[0]]
        elif share < 0.75:
            row = [name, "", phone, ""]
        elif share < 0.90:
            stranger, stranger_number, stranger_phone = _person(rng, numbers)
            row = [stranger, stranger_number, stranger_phone, address]
        else:
            stranger, stranger_number, stranger_phone = _person(rng, numbers)
            row = [stranger, stranger_number if rng.random() < 0.5 else "", stranger_phone, f"外省某市某路{rng.randrange(999)}号"]
        writer.writerow([str(n + 1), *row, rng.choice(("重庆市南岸区", "四川省成都市", "湖北省武汉市")),
                         rng.choice(("涉诈", "涉赌", "重点关注")), ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def run_here(*, items: int, residents: int, addresses: int, runs: int, seed: int, migrate: bool = False) -> dict[str, Any]:
    """Build the station, load the list `runs` times; the figures of this database."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from fengqiao.campaigns.loading import CampaignDetails, load_campaign
    from fengqiao.core.dbstats import refresh_statistics

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    world = build_station(residents=residents, addresses=addresses, seed=seed)
    refresh_statistics(connection, vacuum=True)
    setup_seconds = time.perf_counter() - started
    data = list_file(world, items, seed)
    station, commander = world["station"], world["commander"]

    def details() -> CampaignDetails:
        return CampaignDetails(title="基准核查", issuer="基准分局", deadline=timezone.now() + dt.timedelta(hours=4))

    dry_times: list[float] = []
    load_times: list[float] = []
    report: Any = None
    for _run in range(runs):
        started = time.perf_counter()
        dry = load_campaign(station, data, "list.csv", user=commander, details=details(), dry_run=True)
        dry_times.append(time.perf_counter() - started)
        if not dry.ok:
            raise RuntimeError(f"the dry run found problems: {[str(problem) for problem in dry.problems[:5]]}")
        started = time.perf_counter()
        report = load_campaign(station, data, "list.csv", user=commander, details=details())
        load_times.append(time.perf_counter() - started)
        if report.campaign is None:
            raise RuntimeError(f"the load found problems: {[str(problem) for problem in report.problems[:5]]}")
    return {
        "database": connection.vendor, "items": items, "residents": residents, "addresses": addresses, "runs": runs,
        "setup_seconds": round(setup_seconds, 2), "file_kilobytes": round(len(data) / 1000, 1),
        "dry_run_seconds": [round(value, 3) for value in dry_times],
        "load_seconds": [round(value, 3) for value in load_times],
        "median_dry_run_seconds": round(statistics.median(dry_times), 3),
        "median_load_seconds": round(statistics.median(load_times), 3),
        "load_timings": report.timings,
        "by_match": report.by_match, "by_how": report.by_how,
        "officers": [[officer.name, officer.n] for officer in report.officers],
        "target_seconds": TARGET_SECONDS, "target_at": TARGET_AT,
        "target_met": statistics.median(load_times) < TARGET_SECONDS if items >= TARGET_AT else None,
    }


# --- a throwaway database ---------------------------------------------------------------------------


def run_in_throwaway(*, items: int, residents: int, addresses: int, runs: int, seed: int, data_parent: str | None,
                     keep: bool) -> dict[str, Any]:
    from fengqiao.bench.intake import machine
    from fengqiao.bench.throwaway import run_in_throwaway as run_bench

    before = machine()
    figures = run_bench("campaigns", ["--items", str(items), "--residents", str(residents), "--addresses", str(addresses),
                                      "--runs", str(runs), "--seed", str(seed)], data_parent=data_parent, keep=keep)
    figures.update(benchmark="campaigns", machine=before, machine_after=machine())
    return figures


# --- the command's side -------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--items", type=int, default=DEFAULT_ITEMS, help=f"rows of the list (default {DEFAULT_ITEMS:,})")
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS,
                        help=f"residents of the station (default {DEFAULT_RESIDENTS:,})")
    parser.add_argument("--addresses", type=int, default=DEFAULT_ADDRESSES,
                        help=f"standard addresses of the station (default {DEFAULT_ADDRESSES:,})")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"loads timed; medians are reported (default {DEFAULT_RUNS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the station and the list (default {DEFAULT_SEED})")
    parser.add_argument("--data-dir", default=None, help="where to make the throwaway data directory (default: the system's temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory and database")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # in this process's database
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)


def run_from_options(options: dict[str, Any]) -> dict[str, Any]:
    if options["items"] < 1 or options["residents"] < 1 or options["addresses"] < 1 or options["runs"] < 1:
        raise ValueError("--items, --residents, --addresses and --runs must be at least 1")
    arguments = {name: options[name] for name in ("items", "residents", "addresses", "runs", "seed")}
    if options.get("here"):
        return run_here(**arguments, migrate=options.get("migrate", False))
    return run_in_throwaway(**arguments, data_parent=options["data_dir"], keep=options["keep"])


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    box = figures.get("machine") or {}
    if box:
        rows.append(("machine", f"{box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), load {box['load_average']}"))
        if figures.get("machine_after"):
            rows.append(("  load after the runs", str(figures["machine_after"]["load_average"])))
    met = figures["target_met"]
    verdict = "not measured at that size" if met is None else "met" if met else "MISSED"
    rows += [
        ("database", f"{figures['database']}, medians of {figures['runs']} loads (one fresh database)"),
        ("station", f"{figures['residents']:,} residents at {figures['addresses']:,} addresses, "
                    f"{BEATS} beats ({BEATS_WITH_OFFICER} with an officer), {COMMUNITY_OFFICERS} community officers "
                    f"(set up in {figures['setup_seconds']:.1f} s)"),
        ("list", f"{figures['items']:,} items, CSV {figures['file_kilobytes']} kB"),
        ("check (dry run)", f"{figures['median_dry_run_seconds']:.3f} s  (each: {', '.join(f'{v:.3f}' for v in figures['dry_run_seconds'])})"),
        ("load and assign", f"{figures['median_load_seconds']:.3f} s  (each: {', '.join(f'{v:.3f}' for v in figures['load_seconds'])})"
                            f"  (target < {figures['target_seconds']:g} s at {figures['target_at']:,}: {verdict})"),
        ("  last load's parts", ", ".join(f"{key} {value:.3f} s" for key, value in figures.get("load_timings", {}).items())),
        ("matched", ", ".join(f"{key} {value}" for key, value in sorted(figures["by_match"].items()))),
        ("assigned", ", ".join(f"{key} {value}" for key, value in sorted(figures["by_how"].items()))),
    ]
    return rows
