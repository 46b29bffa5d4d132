"""`leadscore bench --tier S`: the benchmark's smoke test (CI). It runs every stage for
real (generate, ingest, backfill, daily runs at day 30 and the last day, an empty day, the
reference scorer after each of those) and checks that each stage reports figures; it
asserts no timings (those are measured by the benchmark itself, on a quiet machine, not by
tests)."""

from __future__ import annotations

import json
from pathlib import Path

from support import run_cli


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
    # the reference scorer after each daily series, on the same warehouse and day, its whole
    # result fetched (every lead under every active model version), and the ratio to it
    for name in ("daily_day30", "daily_day90", "empty_day"):
        ref = st[f"reference_{name}"]
        [run] = ref["runs"]
        assert run["exit_code"] == 0 and run["day"] == st[name]["runs"][0]["day"], (name, run)
        assert 0 < run["query_seconds"] <= run["seconds"] == ref["median_seconds"], (name, run)
        assert run["rows"] >= run["rows_in_segment"] > 1000 and run["columns"] >= 10, (name, run)
        assert ref["peak_rss_mib"] > 0
        assert st["ratio_daily_over_reference"][name] > 0
        assert f"reference_{name}" in proc.stdout
    assert "daily run over the reference scorer, same warehouse and day (medians):" in proc.stdout
    assert "daily run, last day over day 30 (medians)" in proc.stdout
    assert "profile of the last daily run" in proc.stdout


def test_a_stage_over_its_limit_is_stopped_with_its_whole_process_group(tmp_path):
    """The L backfill's limit: the stage and the processes it started are stopped, and the
    measurement says so (the benchmark then skips what needs the unfinished stage)."""
    import os
    import sys

    from orchestration.bench.measure import measure

    pidfile = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); "
        f"open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(300)"
    )
    m = measure([sys.executable, "-c", script], dict(os.environ), tmp_path / "log", limit=3)
    assert m["stopped"] is True and m["limit_seconds"] == 3
    assert 3 <= m["seconds"] < 60 and m["exit_code"] != 0
    grandchild = int(pidfile.read_text())
    try:
        os.kill(grandchild, 0)
        alive = Path(f"/proc/{grandchild}/stat").read_text().split()[2] != "Z"  # a zombie is gone
    except (ProcessLookupError, FileNotFoundError):
        alive = False
    assert not alive, "the stage's child process outlived the stop"
    assert "stopped after" in (tmp_path / "log").read_text()
    # without a limit, the same function waits for the end and reports no stop
    done = measure([sys.executable, "-c", "pass"], dict(os.environ), tmp_path / "log")
    assert done["exit_code"] == 0 and "stopped" not in done


def test_a_negative_backfill_limit_is_refused_before_anything_runs(tmp_path):
    work = tmp_path / "bench"
    proc = run_cli("bench", "--tier", "S", "--backfill-limit", "-1", "--work", str(work), check=False)
    assert proc.returncode == 2
    assert "--backfill-limit: must be a number of minutes, 0 or more" in proc.stderr
    assert not work.exists()


def test_the_table_shows_a_failed_reference_run_and_a_series_without_one():
    """Tier L without a finished backfill has no day-365 series; a reference run that failed
    is shown as such and left out of its series' median (the benchmark goes on)."""
    import re

    from orchestration.bench.report import table

    def run(day, seconds, **extra):
        return {"day": day, "seconds": seconds, "peak_rss_mib": 100.0, "exit_code": 0, **extra}

    ref = {"query_seconds": 1.5, "rows": 2_000, "columns": 19, "rows_in_segment": 1_000}
    results = {
        "tier": "L",
        "contacts": 1_000_000,
        "days": 365,
        "machine": {"cpus": 2, "duckdb_threads": 2, "duckdb_memory_limit": "8GB"},
        "peak_rss_mib": 900.0,
        "stages": {
            "daily_day30": {
                "median_seconds": 30.0,
                "peak_rss_mib": 100.0,
                "runs": [run("2026-01-30", 30.0, events_landed=5)],
            },
            "reference_daily_day30": {
                "median_seconds": 2.0,
                "peak_rss_mib": 300.0,
                "runs": [run("2026-01-30", 2.0, **ref), {"day": "2026-01-30", "failed": "exit code 1"}],
            },
            "daily_day365": {"not_run": "the full-year backfill was stopped at its limit"},
            "reference_daily_day365": {"not_run": "no day-365 warehouse"},
            "ratio_daily_over_reference": {"daily_day30": 15.0},
        },
    }
    text = table(results)
    assert re.search(r"^reference_daily_day30 +2\.0 +300  median of 1: ", text, re.M), text
    assert "2.0s (query 1.5s, 2,000 rows), failed (2026-01-30)" in text
    assert "reference_daily_day365" in text and "not run: no day-365 warehouse" in text
    assert "  daily_day30             30.0 s / 2.0 s = 15.0x" in text
    assert "daily_day365 " not in text.split("(medians):")[1]


def test_a_failed_reference_run_is_recorded_and_the_benchmark_goes_on(tmp_path):
    import datetime as dt

    from orchestration.bench.stages import Bench, Tier

    said: list[str] = []
    bench = Bench(Tier("S", 10, 5), tmp_path, 1, said.append)
    (tmp_path / "empty").mkdir()
    m = bench.reference(tmp_path / "empty", dt.date(2026, 1, 5), "reference day 5")
    assert m["day"] == "2026-01-05" and "exit code 2" in m["failed"]
    assert bench.results["measured"][-1]["stage"] == "reference day 5"
    assert "no warehouse at" in (tmp_path / "bench.log").read_text()
