"""`fengqiao bench dispatch` reports both figures with their targets (the figures themselves
are measured by hand and recorded in docs/benchmarks.md, never asserted here)."""

from __future__ import annotations

from fengqiao.bench import dispatch


def test_the_report_names_both_figures_and_whether_the_targets_were_met() -> None:
    summary = {"p50": 120.0, "p95": 300.0, "p99": 400.0, "max": 500.0}
    figures = {
        "recommendation": {"60": {"p50_ms": 0.1, "p99_ms": 0.2, "max_ms": 0.3},
                           "1000": {"p50_ms": 0.5, "p99_ms": 6.0, "max_ms": 9.0}},
        "board": {"database": "sqlite", "boards": 4, "server": {"workers": 1}, "from_request_ms": summary,
                  "request_ms": summary, "arrivals": 40, "lost": 0},
        "targets": {"recommend_p99_ms_below": 5.0, "recommend_met": False, "board_p95_ms_below": 1000.0, "board_met": True},
    }
    rows = dict(dispatch.report_rows(figures))
    assert rows["recommend, 1000 officers"].startswith("p50 0.500 ms, p99 6.000 ms")
    assert "p95 300.0 ms" in rows["order step → boards"]
    assert "recommend p99 < 5 ms: MISSED" in rows["targets"] and "board p95 < 1000 ms: met" in rows["targets"]
