"""A long backfill in slices (orchestration/defs/slices.py): one Dagster run, one dbt
invocation per slice, killed after its first slice and resumed from there, gives the
marts of a one-shot build of the same days.

Small data (150 contacts over three calendar months); LEADSCORE_BACKFILL_SLICE_EVENTS=1
makes every month a slice of its own, as months of a large history would be.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import PROJECT_DIR
from support import reliability as R

FIRST = dt.date(2024, 1, 20)
DAYS = 62  # 2024-01-20 .. 2024-03-21: three months, so three slices
LAST = FIRST + dt.timedelta(days=DAYS - 1)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    from orchestration.demo_data.generate import generate

    out = tmp_path_factory.mktemp("sliced") / "generated_landing"
    generate(out, R.CONTACTS, DAYS, start=FIRST, seed=R.SEED)
    return out


def _home(tmp_path: Path, landing: Path, name: str) -> Path:
    home = tmp_path / name
    R.land(landing, home, R.all_files(landing))
    return home


def _backfill(home: Path, log: Path, **env) -> subprocess.Popen:
    """`leadscore backfill` of FIRST..LAST as a real process group (R.cli, with more env),
    its output into `log` (a pipe nobody reads while waiting could fill and stall it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "backfill", "--start", str(FIRST), "--end", str(LAST)],
        cwd=PROJECT_DIR,
        env={**R.cli_env(home), **env},
        start_new_session=True,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def test_a_sliced_backfill_killed_after_a_slice_resumes_and_equals_a_one_shot_build(tmp_path, landing):
    one_shot = _home(tmp_path, landing, "one_shot")
    log = tmp_path / "one_shot.log"
    assert _backfill(one_shot, log).wait(timeout=1200) == 0, log.read_text()[-3000:]
    assert "slices:" not in log.read_text()  # its events fit one slice: one dbt build, as before

    sliced = _home(tmp_path, landing, "sliced")
    env = {"LEADSCORE_BACKFILL_SLICE_EVENTS": "1"}
    state = sliced / ".backfill" / "state.json"
    log = tmp_path / "sliced_killed.log"
    proc = _backfill(sliced, log, **env)
    deadline = time.monotonic() + 900
    while not state.exists():  # the first slice is built and recorded: kill the run
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "no slice finished in 15 minutes"
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    months = "2024-01-20..2024-01-31, 2024-02-01..2024-02-29, 2024-03-01..2024-03-21"
    assert f"3 slices: {months}" in log.read_text()
    killed_at = dt.date.fromisoformat(json.loads(state.read_text())["done_through"])
    assert killed_at < LAST

    log = tmp_path / "sliced_resumed.log"
    assert _backfill(sliced, log, **env).wait(timeout=1200) == 0, log.read_text()[-3000:]
    assert f"built through {killed_at}" in log.read_text()  # resumed, not started over
    assert not state.exists()  # a finished backfill leaves no state behind

    assert R.scores_only(R.mart_digests(sliced / "warehouse.duckdb")) == R.scores_only(
        R.mart_digests(one_shot / "warehouse.duckdb")
    )
