"""`leadscore bench --tier S`: the benchmark's smoke test (CI). It runs every stage for
real (generate, ingest, backfill, daily runs at day 30 and the last day, an empty day)
and checks that each stage reports figures; it asserts no timings (those are measured by
the benchmark itself, on a quiet machine, not by tests)."""

from __future__ import annotations

import json

from conftest import run_cli


def test_bench_tier_s_runs_every_stage_and_reports_figures(home, tmp_path):
    work = tmp_path / "bench"
    proc = run_cli("bench", "--tier", "S", "--repeat", "1", "--work", str(work), timeout=3000)
    results = json.loads((work / "bench-S.json").read_text())
    st = results["stages"]
    assert (results["tier"], results["contacts"], results["days"]) == ("S", 10_000, 90)
    for name in ("generate", "ingest", "backfill"):
        assert st[name]["exit_code"] == 0 and st[name]["seconds"] > 0, name
        assert st[name]["peak_rss_mib"] > 0 and st[name]["rows_per_second"] > 0, name
    # the year's ingest loads every landed row but the last day's, reconciled by the loader
    assert st["ingest"]["rows"] > st["backfill"]["rows"] > 100_000
    for name in ("daily_day30", "daily_day90"):
        [run] = st[name]["runs"]
        assert run["exit_code"] == 0 and run["events_landed"] > 500, (name, run)
        # the run's own profile: Dagster steps and dbt models
        assert {"raw_ingest", "dbt_build", "serving__leadscore"} <= set(run["profile"]["steps"])
        assert "int_lead_score_changes" in run["profile"]["dbt_models"]
    assert [r["day"] for r in st["daily_day30"]["runs"]] != [r["day"] for r in st["daily_day90"]["runs"]]
    [empty] = st["empty_day"]["runs"]
    assert empty["events_landed"] == 0 and empty["exit_code"] == 0
    assert st["ratio_late_over_early"] > 0
    assert "daily run, last day over day 30 (medians)" in proc.stdout
    assert "profile of the last daily run" in proc.stdout
