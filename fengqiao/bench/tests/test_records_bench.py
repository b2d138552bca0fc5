"""`fengqiao bench records` at a tiny size: the register it generates is valid, one run goes
through the page's import path and the search, and the report says what it measured.
Nothing here asserts a time (the figures are measured by hand, see docs/benchmarks.md)."""

from __future__ import annotations

import csv
import io

import pytest

from fengqiao.bench import records
from fengqiao.records import idcard


def test_the_register_is_valid_and_every_identity_number_is_different() -> None:
    places = [("南岸区南坪街道南坪西路18号3栋2单元501", "南坪西路18号3栋2单元501"), ("南岸区南坪街道南坪西路20号", "南坪西路20号")]
    data = records.resident_file(places, 300, seed=5)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["姓名", "公民身份号码", "联系电话", "现住址"]
    numbers = [row[1] for row in rows[1:]]
    assert len(numbers) == len(set(numbers)) == 300
    assert all(idcard.is_valid(number) for number in numbers)
    assert {row[3] for row in rows[1:]} <= {text for place in places for text in place}
    assert data == records.resident_file(places, 300, seed=5), "the same seed makes the same register"
    queries = records.search_queries(data, places, 40, seed=5)
    assert {kind for kind, _text in queries} == set(records.QUERY_KINDS) and len(queries) == 40


@pytest.mark.django_db
def test_one_small_run_imports_through_the_page_path_and_searches() -> None:
    figures = records.run_here(residents=80, addresses=40, queries=12, seed=3)
    assert figures["import"]["counts"]["new"] == 80 and figures["import"]["counts"]["bad"] == 0
    assert figures["import"]["again_counts"]["unchanged"] == 80
    assert set(figures["import"]["commit_timings"]) >= {"read", "check", "write", "write_cpu"}
    search = figures["search"]
    assert search["queries"] == 12 and set(search["by_kind"]) == set(records.QUERY_KINDS)
    assert search["by_kind"]["id_number"]["found_some"] >= 1, "identity numbers from the register are found"

    rows = dict(records.report_rows(figures))
    assert rows["register"].startswith("80 residents at 40 addresses")
    assert "not measured at that size" in rows["import: commit"] and "not measured at that size" in rows["search"]


def test_the_summary_takes_medians_and_judges_the_targets_at_full_size() -> None:
    def run(commit: float, p99: float) -> dict:
        latency = {"p50": 5.0, "p95": 9.0, "p99": p99, "max": p99 + 1}
        return {
            "database": "sqlite", "residents": 100_000, "addresses": 5_000, "file_megabytes": 11.2,
            "import": {"dry_run_seconds": 10.0, "commit_seconds": commit, "again_seconds": 12.0, "commit_cpu_seconds": 20.0,
                       "commit_timings": {"read": 1.0, "check": 10.0, "write": commit - 11.0}},
            "search": {"queries": 2000, "overall": latency, "by_kind": {kind: latency for kind in records.QUERY_KINDS}},
        }

    summary = records.summarise([run(30.0, 40.0), run(70.0, 120.0), run(35.0, 45.0)])
    assert summary["median"]["commit_seconds"] == 35.0 and summary["median"]["search"]["overall"]["p99"] == 45.0
    assert summary["targets"]["import_met"] is True and summary["targets"]["search_met"] is True
    assert records.summarise([run(70.0, 120.0)])["targets"]["import_met"] is False
