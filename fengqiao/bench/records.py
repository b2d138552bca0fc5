"""`fengqiao bench records`: importing 100,000 residents, and finding a person among them.

    fengqiao bench records                          # SQLite in a throwaway data directory
    FENGQIAO_DB=postgres DATABASE_URL=postgres://fengqiao:fengqiao@127.0.0.1:5432/fengqiao \\
        fengqiao bench records                      # a throwaway database on that PostgreSQL server
    fengqiao bench records --residents 100000 --addresses 5000 --queries 2000 --runs 3 --json

Each run builds its own station in a fresh throwaway database (a temporary data directory
and, on PostgreSQL, a temporary database `fengqiao_bench_…` on the server of DATABASE_URL,
dropped afterwards): `migrate`, then — in a subprocess pointed at that database
(`fengqiao bench records --here`) — a station with `--addresses` standard addresses (the
address benchmark's generator) in four beats, a desk clerk, and a CSV register of
`--residents` people with valid identity numbers (`idcard.make`) living at those
addresses (a third written without district and sub-district, as registers do).

The figures, each the median of `--runs` runs:

1. **Import** through the page's own path (`records.importing.import_records`): the
   dry run the preview shows (read + check), then the commit (read + check again +
   write, in one transaction), then the same file again (every row found on record and
   unchanged: "enter once"). Target: the commit of 100,000 residents under 60 s.
2. **Person search** at that size through `records.selectors.search_residents` as the
   clerk, as the residents list asks it: the audited search (its audit row written), then
   the first page ordered by name with address and beat (25 rows and one more; the list
   does not count the whole result), for name prefixes (a surname and the first character
   of a given name), full identity numbers, phone prefixes (7 digits) and addresses (half
   a building — road, number, building —, half one flat without district and
   sub-district), shuffled; p50/p95/p99/max per kind and overall. Target: p99 under 100 ms.

Times are wall-clock; the import also reports the CPU seconds of the process (SQLite
works inside it), which say more than the wall clock on a machine others are using.
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

HELP = "records: import of N residents (target < 60 s for 100,000) and person search among them (p99 < 100 ms)"

DEFAULT_RESIDENTS = 100_000
DEFAULT_ADDRESSES = 5_000
DEFAULT_QUERIES = 2_000
DEFAULT_RUNS = 3
DEFAULT_SEED = 1
TARGET_IMPORT_SECONDS = 60.0
TARGET_IMPORT_AT = 100_000
TARGET_SEARCH_P99_MS = 100.0
PAGE_ROWS = 25  # the residents list's page (and one more row, which says there is a next page)
QUERY_KINDS = ("name", "id_number", "phone", "address")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华建国平刚桂兰玉梅红霞志文辉鹏飞斌宇浩凯俊峰婷雪琳晶燕萍丹蕾欣怡子涵思雨佳琪梓萱"
# Region codes of Chongqing's districts and a few places migrants come from.
_REGIONS = ("500108", "500103", "500105", "500106", "500107", "500112", "510105", "511502", "430102", "420106", "522401", "532101")


# --- the register ----------------------------------------------------------------------------


def resident_file(addresses: list[tuple[str, str]], count: int, seed: int) -> bytes:
    """A CSV register (UTF-8 with a BOM, Chinese headers) of `count` people at `addresses`
    ((full text, the same without district and sub-district)); the same for the same seed."""
    from fengqiao.records.idcard import make

    rng = random.Random(f"{seed}:residents")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["姓名", "公民身份号码", "联系电话", "现住址", "人员类型", "与房屋关系", "入住日期", "迁出日期", "备注"])
    numbers: set[str] = set()
    phones: set[str] = set()
    for _ in range(count):
        sex = rng.choice("MF")
        while True:
            born = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 32_000))
            number = make(rng.choice(_REGIONS), born, rng.randrange(500), sex)
            if number not in numbers:
                numbers.add(number)
                break
        phone = ""
        if rng.random() < 0.9:
            while not phone or phone in phones:
                phone = "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"
            phones.add(phone)
        full, short = rng.choice(addresses)
        migrant = rng.random() < 0.25
        moved_in = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 9_000))
        moved_out = moved_in + dt.timedelta(days=rng.randrange(30, 900)) if rng.random() < 0.05 else None
        writer.writerow([
            rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2)))),
            number, phone, short if rng.random() < 0.33 else full,
            "流动" if migrant else "户籍", "租户" if migrant else rng.choice(("户主", "家属", "家属")),
            moved_in.isoformat(), moved_out.isoformat() if moved_out else "", "",
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def search_queries(data: bytes, addresses: list[tuple[str, str]], count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, text) of `count` searches, a quarter of each kind, shuffled; from the register
    itself, so that most find someone (and some identity numbers nobody has)."""
    from fengqiao.records.idcard import make

    rng = random.Random(f"{seed}:queries")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    queries: list[tuple[str, str]] = []
    per_kind = max(1, count // len(QUERY_KINDS))
    for _ in range(per_kind):
        name = rng.choice(rows)[0]
        queries.append(("name", name[:2]))
        number = rng.choice(rows)[1] if rng.random() < 0.9 else make("500108", dt.date(1950, 1, 1), rng.randrange(500), "F")
        queries.append(("id_number", number))
        phone = ""
        while not phone:
            phone = rng.choice(rows)[2]
        queries.append(("phone", phone[:7]))
        _full, short = rng.choice(addresses)
        if rng.random() < 0.5 and "栋" in short:
            short = short.split("栋", 1)[0] + "栋"  # the building: 南坪西路18号3栋
        queries.append(("address", short))
    rng.shuffle(queries)
    return queries


# --- one run, in the database of this process ----------------------------------------------------


def run_here(*, residents: int, addresses: int, queries: int, seed: int, migrate: bool = False) -> dict[str, Any]:
    """Build the station, import the register, search it; the figures of this one run.

    Uses the database this process is configured for (a throwaway one when the command
    runs it; the test database in the benchmark's test)."""
    from django.core.management import call_command
    from django.db import connection

    from fengqiao.core.dbstats import refresh_statistics
    from fengqiao.records.importing import import_records

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    station, clerk, places = _station(addresses, seed)
    data = resident_file(places, residents, seed)

    started = time.perf_counter()
    dry = import_records(station, "residents", data, "register.csv", user=clerk, dry_run=True)
    dry_seconds = time.perf_counter() - started
    _expect(dry, "the dry run")
    started = time.perf_counter()
    done = import_records(station, "residents", data, "register.csv", user=clerk, dry_run=False)
    commit_seconds = time.perf_counter() - started
    _expect(done, "the import")
    started = time.perf_counter()
    again = import_records(station, "residents", data, "register.csv", user=clerk, dry_run=False)
    again_seconds = time.perf_counter() - started
    _expect(again, "the import of the same file")
    if again.counts["unchanged"] != residents:
        raise RuntimeError(f"importing the same file again changed records: {again.counts}")
    # What autovacuum has done by the time anyone searches in a deployment. (Without the
    # visibility map the first searches read every row, and autovacuum starting in the
    # middle of the measurement made the p99 jump by hundreds of milliseconds.)
    refresh_statistics(connection, vacuum=True)

    search = _search(clerk, search_queries(data, places, queries, seed))
    return {
        "database": connection.vendor,
        "residents": residents,
        "addresses": addresses,
        "file_megabytes": round(len(data) / 1e6, 1),
        "import": {
            "dry_run_seconds": round(dry_seconds, 2),
            "commit_seconds": round(commit_seconds, 2),
            "commit_timings": done.timings,
            "commit_cpu_seconds": round(sum(value for name, value in done.timings.items() if name.endswith("_cpu")), 2),
            "again_seconds": round(again_seconds, 2),
            "counts": done.counts,
            "again_counts": again.counts,
        },
        "search": search,
    }


def _expect(report: Any, what: str) -> None:
    if report.has_errors:
        problems = [str(problem) for problem in report.problems(limit=5)]
        raise RuntimeError(f"{what} found problems: {report.file_errors or problems or report.failure}")


def _station(count: int, seed: int) -> tuple[Any, Any, list[tuple[str, str]]]:
    """A station of its own (a fresh code), `count` standard addresses in four beats, a desk clerk."""
    from django.contrib.auth.models import Group

    from fengqiao.accounts.models import User
    from fengqiao.accounts.roles import sync_roles
    from fengqiao.bench.address import standard_addresses
    from fengqiao.intake.services import forget_station_caches
    from fengqiao.organisation.models import Beat, Bureau, Officer, Station, Team
    from fengqiao.records.models import Address

    tag = uuid.uuid4().hex[:6].upper()
    sync_roles()
    bureau = Bureau.objects.create(name=f"基准分局 {tag}", code=f"BB{tag}")
    station = Station.objects.create(bureau=bureau, name=f"基准派出所 {tag}", code=f"B{tag}", address="南岸区南坪西路 18 号",
                                     latitude=29.53, longitude=106.56)
    beats = [Beat.objects.create(station=station, code=f"B{tag}-{n}", name=f"第{n}警务区", community=f"第{n}社区")
             for n in range(1, 5)]
    team = Team.objects.create(station=station, kind=Team.Kind.DESK, name="内勤")
    clerk = User.objects.create(username=f"bench-{tag.lower()}")
    clerk.groups.add(Group.objects.get(name="desk"))
    Officer.objects.create(user=clerk, station=station, team=team, name="基准内勤", badge_number=f"9{tag}")
    generated = standard_addresses(count, seed)
    roads = sorted({address.road for address in generated})
    beat_of_road = {road: beats[index % len(beats)] for index, road in enumerate(roads)}
    Address.objects.bulk_create([
        Address(station=station, beat=beat_of_road[address.road], code=f"B{tag}-{address.id}",
                district=address.district, street=address.street, road=address.road, number=address.number,
                building=address.building, unit=address.unit, room=address.room, full_text=address.full_text)
        for address in generated
    ], batch_size=2000)
    forget_station_caches(station.pk)
    prefix = len(generated[0].district + generated[0].street) if generated else 0
    places = [(address.full_text, address.full_text[prefix:]) for address in generated]
    return station, clerk, places


def _search(user: Any, queries: list[tuple[str, str]]) -> dict[str, Any]:
    from fengqiao.records.selectors import search_residents

    def one(text: str) -> tuple[float, int]:
        started = time.perf_counter()
        _query, found = search_residents(user, text)
        page = list(found.order_by("name", "pk")[:PAGE_ROWS + 1])
        return time.perf_counter() - started, len(page)

    for _kind, text in queries[:20]:  # warm-up: connections, caches, code paths
        one(text)
    times: dict[str, list[float]] = {kind: [] for kind in QUERY_KINDS}
    found_some: dict[str, int] = dict.fromkeys(QUERY_KINDS, 0)
    for kind, text in queries:
        seconds, total = one(text)
        times[kind].append(seconds)
        found_some[kind] += total > 0
    everything = sorted(seconds for kind_times in times.values() for seconds in kind_times)
    return {
        "queries": len(queries),
        "overall": _latency(everything),
        "by_kind": {kind: {**_latency(sorted(times[kind])), "queries": len(times[kind]), "found_some": found_some[kind]}
                    for kind in QUERY_KINDS},
    }


def _latency(ordered: list[float]) -> dict[str, float]:
    from fengqiao.bench.intake import percentile

    return {name: round(percentile(ordered, share) * 1000, 2) for name, share in (("p50", 50), ("p95", 95), ("p99", 99))} | {
        "max": round((ordered[-1] if ordered else 0.0) * 1000, 2)}


# --- runs in throwaway databases -----------------------------------------------------------------


def run_in_throwaway(*, residents: int, addresses: int, queries: int, seed: int, data_parent: str | None = None,
                     keep: bool = False) -> dict[str, Any]:
    """One run in a fresh throwaway database, in a subprocess pointed at it."""
    from fengqiao.bench.throwaway import run_in_throwaway as run_bench

    return run_bench("records", ["--residents", str(residents), "--addresses", str(addresses), "--queries", str(queries),
                                 "--seed", str(seed)], data_parent=data_parent, keep=keep)


def run(*, residents: int, addresses: int, queries: int, runs: int, seed: int, data_parent: str | None, keep: bool) -> dict[str, Any]:
    from fengqiao.bench.intake import machine

    figures: dict[str, Any] = {"benchmark": "records", "machine": machine(), "runs": []}
    for number in range(runs):
        figures["runs"].append(run_in_throwaway(residents=residents, addresses=addresses, queries=queries,
                                                seed=seed + number, data_parent=data_parent, keep=keep))
    figures["machine_after"] = machine()
    figures.update(summarise(figures["runs"]))
    return figures


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the runs, and whether the targets were met."""
    def median(path: tuple[str, ...]) -> float:
        values = []
        for found in runs:
            for key in path:
                found = found[key]
            values.append(float(found))  # type: ignore[arg-type]
        return round(statistics.median(values), 2)

    first = runs[0]
    summary: dict[str, Any] = {
        "database": first["database"], "residents": first["residents"], "addresses": first["addresses"],
        "file_megabytes": first["file_megabytes"], "queries": first["search"]["queries"],
        "median": {
            "dry_run_seconds": median(("import", "dry_run_seconds")),
            "commit_seconds": median(("import", "commit_seconds")),
            "again_seconds": median(("import", "again_seconds")),
            "commit_cpu_seconds": median(("import", "commit_cpu_seconds")),
            "commit_read_seconds": median(("import", "commit_timings", "read")),
            "commit_check_seconds": median(("import", "commit_timings", "check")),
            "commit_write_seconds": median(("import", "commit_timings", "write")),
            "search": {
                kind: {name: median(("search", "by_kind", kind, name)) for name in ("p50", "p95", "p99", "max")}
                for kind in QUERY_KINDS
            } | {"overall": {name: median(("search", "overall", name)) for name in ("p50", "p95", "p99", "max")}},
        },
    }
    medians = summary["median"]
    scaled = medians["commit_seconds"] * TARGET_IMPORT_AT / max(1, first["residents"])
    summary["targets"] = {
        "import_seconds_below": TARGET_IMPORT_SECONDS, "import_at": TARGET_IMPORT_AT,
        "import_met": medians["commit_seconds"] < TARGET_IMPORT_SECONDS if first["residents"] >= TARGET_IMPORT_AT else None,
        "import_scaled_seconds": round(scaled, 1),
        "search_p99_ms_below": TARGET_SEARCH_P99_MS,
        "search_met": medians["search"]["overall"]["p99"] < TARGET_SEARCH_P99_MS if first["residents"] >= TARGET_IMPORT_AT else None,
    }
    return summary


# --- the command's side -----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS, help=f"people in the register (default {DEFAULT_RESIDENTS:,})")
    parser.add_argument("--addresses", type=int, default=DEFAULT_ADDRESSES, help=f"standard addresses of the station (default {DEFAULT_ADDRESSES:,})")
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES, help=f"searches timed per run (default {DEFAULT_QUERIES:,})")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"runs, each in a fresh database; medians are reported (default {DEFAULT_RUNS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the first run's register (default {DEFAULT_SEED})")
    parser.add_argument("--data-dir", default=None, help="where to make the throwaway data directories (default: the system's temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directories and databases")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # one run in this process's database
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)


def run_from_options(options: dict[str, Any]) -> dict[str, Any]:
    if options["residents"] < 1 or options["addresses"] < 1 or options["queries"] < len(QUERY_KINDS) or options["runs"] < 1:
        raise ValueError(f"--residents, --addresses and --runs must be at least 1, --queries at least {len(QUERY_KINDS)}")
    if options.get("here"):
        return run_here(residents=options["residents"], addresses=options["addresses"], queries=options["queries"],
                        seed=options["seed"], migrate=options.get("migrate", False))
    return run(residents=options["residents"], addresses=options["addresses"], queries=options["queries"],
               runs=options["runs"], seed=options["seed"], data_parent=options["data_dir"], keep=options["keep"])


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    if "runs" not in figures:  # one run (--here)
        figures = {**summarise([figures]), "runs": [figures], "machine": {}}
    medians, targets, box = figures["median"], figures["targets"], figures.get("machine") or {}
    runs = len(figures["runs"])
    rows = []
    if box:
        rows.append(("machine", f"{box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), load {box['load_average']}"))
        if figures.get("machine_after"):
            rows.append(("  load after the runs", str(figures["machine_after"]["load_average"])))
    rows += [
        ("database", f"{figures['database']}, medians of {runs} run{'s' if runs != 1 else ''} (fresh database each)"),
        ("register", f"{figures['residents']:,} residents at {figures['addresses']:,} addresses, CSV {figures['file_megabytes']} MB"),
        ("import: check (dry run)", f"{medians['dry_run_seconds']:.2f} s"),
        ("import: commit", f"{medians['commit_seconds']:.2f} s = read {medians['commit_read_seconds']:.2f} + check "
                           f"{medians['commit_check_seconds']:.2f} + write {medians['commit_write_seconds']:.2f}  "
                           f"(target < {targets['import_seconds_below']:g} s at {targets['import_at']:,}: {_verdict(targets['import_met'])})"),
        ("  CPU of the commit", f"{medians['commit_cpu_seconds']:.2f} s (this process, SQLite included when it is SQLite)"),
        ("import: same file again", f"{medians['again_seconds']:.2f} s (every row on record, unchanged)"),
        ("search", f"{figures['queries']:,} queries: " + _ms(medians["search"]["overall"])
                   + f"  (target p99 < {targets['search_p99_ms_below']:g} ms: {_verdict(targets['search_met'])})"),
    ]
    for kind in QUERY_KINDS:
        rows.append((f"  by {kind.replace('_', ' ')}", _ms(medians["search"][kind])))
    for index, found in enumerate(figures["runs"], start=1):
        rows.append((f"run {index}", f"commit {found['import']['commit_seconds']:.2f} s, dry run {found['import']['dry_run_seconds']:.2f} s, "
                                     f"search p99 {found['search']['overall']['p99']:.1f} ms"))
    return rows


def _ms(latency: dict[str, float]) -> str:
    return f"p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, p99 {latency['p99']:.1f} ms, max {latency['max']:.1f} ms"


def _verdict(met: bool | None) -> str:
    return "not measured at that size" if met is None else "met" if met else "MISSED"
