"""The demo-data shares command (orchestration.demo_data.stats) on a warehouse built for
real from generated data: its figures agree with the marts read another way, the demo
population lands in the shares it is tuned to, and bad input gets a message."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import PROJECT_DIR, query, run_cli

from orchestration.demo_data import stats
from orchestration.demo_data.generate import generate

START = dt.date(2026, 1, 1)
DAYS = 100
LAST = START + dt.timedelta(days=DAYS - 1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("stats") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        for var in ("LEADSCORE_DUCKDB_PATH", "DBT_PROFILES_DIR", "DAGSTER_HOME"):
            mp.delenv(var, raising=False)
        generate(home / "landing", 400, DAYS, start=START, seed=7)
        run_cli("ingest")
        run_cli("build", "--date", LAST.isoformat(), timeout=1500)
    return home / "warehouse.duckdb"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.demo_data.stats", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_last_day_agrees_with_lead_scores_and_mql_events(warehouse):
    before = warehouse.stat().st_mtime_ns
    s = stats.measure(warehouse)
    assert warehouse.stat().st_mtime_ns == before  # read-only
    assert (s["model"], s["model_version"], s["score_date"]) == ("core", 1, LAST.isoformat())
    [(leads, mqls, capped)] = query(
        warehouse,
        "select count(*), count(*) filter (where is_mql), count(*) filter (where total_score >= 100) "
        "from marts.lead_scores where model_id = 'core'",
    )
    assert s["leads"] == leads
    assert s["mql_share"]["last"] == pytest.approx(mqls / leads)
    assert s["cap"]["last"] == pytest.approx(capped / leads)
    assert s["mql_share"]["days"] == 30
    assert s["mql_share"]["min"] <= s["mql_share"]["median"] <= s["mql_share"]["max"]
    # core's top band (hot) starts at its MQL threshold, and fit alone stays below it: the
    # leads ever hot are the leads that crossed the threshold upwards
    [(crossed,)] = query(
        warehouse,
        "select count(distinct contact_id) from marts.mql_events "
        "where model_id = 'core' and model_version = 1 and direction = 'up'",
    )
    assert s["ever_top_band_share"] == pytest.approx(crossed / leads)
    co = s["cohort"]
    assert 0 < co["leads"] < leads and 0 <= co["conversions"] <= co["leads"]
    assert co["top_band_lead_share"] is not None and 0 <= co["top_band_lead_share"] <= 1


def test_the_demo_population_is_mostly_quiet_under_the_shipped_rules(warehouse):
    """Most leads never engage much: a minority is MQL on any day and few sit at the cap
    (the old population had 46 % MQL and 14 % at the cap)."""
    s = stats.measure(warehouse)
    assert s["mql_share"]["min"] >= 0.08 and s["mql_share"]["max"] <= 0.3, s["mql_share"]
    assert s["cap"]["max"] < 0.04, s["cap"]
    assert s["ever_top_band_share"] < 0.55
    assert s["customers"] > 0 and s["customer_share"] < 0.15


def test_command_line_prints_text_or_json(warehouse):
    proc = _cli("--warehouse", str(warehouse), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == stats.measure(warehouse)
    proc = _cli("--home", str(warehouse.parent))
    assert proc.returncode == 0, proc.stderr
    assert "MQL share (score >= 50) over the last 30 days: median" in proc.stdout
    assert "top band before the first opportunity" in proc.stdout


def test_bad_input_gets_a_message_not_a_traceback(warehouse, tmp_path):
    proc = _cli("--home", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "no warehouse at" in proc.stderr and "Traceback" not in proc.stderr
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    proc = _cli("--warehouse", str(empty))
    assert proc.returncode == 2 and "not a built warehouse" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli("--warehouse", str(warehouse), "--model", "nosuchmodel")
    assert proc.returncode == 2 and "no active version of model 'nosuchmodel'" in proc.stderr
    proc = _cli("--warehouse", str(warehouse), "--outcome-days", "0")
    assert proc.returncode == 2 and "--outcome-days must be >= 1" in proc.stderr


def test_auc_uses_midranks_for_ties():
    assert stats.auc([1, 2, 3, 4], [False, False, True, True]) == 1.0
    assert stats.auc([4, 3, 2, 1], [False, False, True, True]) == 0.0
    assert stats.auc([5, 5, 5, 5], [True, False, True, False]) == 0.5
    assert stats.auc([1, 2, 2, 3], [False, True, False, True]) == pytest.approx(0.875)
    assert stats.auc([1, 2], [True, True]) is None
