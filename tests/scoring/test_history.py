"""Score history: day-by-day incremental builds equal a full refresh, late events included."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR

from orchestration.demo_data.generate import generate
from orchestration.ingest.loader import ingest
from orchestration.runtime import config
from orchestration.runtime.dbt import dbt_env, profiles_dir

START = dt.date(2026, 1, 1)
DAYS = 60
HISTORY = ["+int_lead_score_changes", "int_buying_stage_intervals", "lead_score_history", "mql_events"]


def _dbt(*args: str) -> None:
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = subprocess.run(
        [dbt, *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles_dir())],
        cwd=PROJECT_DIR,
        env=dbt_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def _land_day(source: Path, landing: Path, day: dt.date) -> int:
    """Copy the files the generator wrote for `day` (all entities) into the landing folder."""
    copied = 0
    for path in sorted(source.glob(f"*/*_{day.isoformat()}*")):
        target = landing / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        copied += 1
    return copied


def _rows(db: Path, table: str, exclude: str = "") -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = f"* exclude ({exclude})" if exclude else "*"
        return con.execute(f"select {columns} from {table} order by all").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("generated")
    summary = generate(source, 150, DAYS, start=START, seed=7)
    assert summary["late_events"] > 0, "the dataset must contain late events to test them"
    return source


def test_sixty_days_one_at_a_time_equal_a_full_refresh(generated, tmp_path, monkeypatch):
    last = START + dt.timedelta(days=DAYS - 1)

    # day by day: each day's files land, are ingested, and that day is built
    daily_home = tmp_path / "daily"
    monkeypatch.setenv("LEADSCORE_HOME", str(daily_home))
    landing = daily_home / "landing"
    _dbt("seed")
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        assert _land_day(generated, landing, day) > 0
        ingest(landing, config.warehouse_path())
        select = HISTORY if offset else ["+int_lead_score_changes", "+lead_score_history", "+mql_events"]
        _dbt(
            "run",
            "--select",
            *select,
            "--exclude",
            "resource_type:seed",
            "--vars",
            json.dumps({"score_date": day.isoformat(), "history_start": day.isoformat()}),
        )
    daily_db = config.warehouse_path()

    # all at once: everything landed, one full build as of the last day
    full_home = tmp_path / "full"
    monkeypatch.setenv("LEADSCORE_HOME", str(full_home))
    shutil.copytree(generated, full_home / "landing")
    ingest(full_home / "landing", config.warehouse_path())
    _dbt("seed")
    _dbt(
        "run",
        "--select",
        "+lead_score_history",
        "+mql_events",
        "--full-refresh",
        "--vars",
        json.dumps({"score_date": last.isoformat()}),
    )
    full_db = config.warehouse_path()

    daily_history = _rows(daily_db, "marts.lead_score_history")
    assert len(daily_history) > 1000
    assert daily_history == _rows(full_db, "marts.lead_score_history")
    assert _rows(daily_db, "marts.mql_events") == _rows(full_db, "marts.mql_events")
    stages = _rows(daily_db, "intermediate.int_buying_stage_intervals")
    assert len(stages) > 500
    assert stages == _rows(full_db, "intermediate.int_buying_stage_intervals")
    assert _rows(daily_db, "intermediate.int_event_rule_matches", exclude="loaded_at") == _rows(
        full_db, "intermediate.int_event_rule_matches", exclude="loaded_at"
    )

    # late events really were corrected into past days: some event was loaded after the
    # day it occurred had been built, and it counts in the history
    con = duckdb.connect(str(daily_db), read_only=True)
    try:
        late = con.execute(
            """
            select count(*) from raw.events as e
            where cast(e.occurred_at as date)
                < cast(regexp_extract(e._file, '(\\d{4}-\\d{2}-\\d{2})', 1) as date)
            """
        ).fetchall()[0][0]
    finally:
        con.close()
    assert late > 0
