"""Crash safety: runs killed with SIGKILL at random points, many times, during ingest,
during the daily run (ingest, dbt build, checks, publish) and during publish. After every
kill: the serving copy is a complete good version (the one before the run or the one the
run publishes, nothing in between), and the load log claims no file that was not loaded.
Then the next run succeeds and its marts equal those of an uninterrupted run (checksums
of every mart).

Kill points are drawn with a seeded RNG: over the measured duration of an uninterrupted
ingest and of an uninterrupted publish; for the daily run (the in-order home of
tests/support/reliability.py, whose state before that run is copied and then crashed),
once inside each of its phases, found by the line the run logs as the phase begins. A
kill takes the whole process group (the run and the dbt it started), as a machine crash
would.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR
from support import reliability as R

RNG = random.Random(20261122)
INGEST_KILLS = 6
# The daily run's phases, each killed once, by the line the run logs as the phase begins.
RUN_PHASES = [
    ("running job daily_scoring", "ingest and raw checks"),
    ("Running dbt command", "dbt build"),
    ("Finished dbt command", "checks and publish"),
]
PUBLISH_KILLS = 6

# Each prints "ready" once its imports are done and "done" once its work is: kill points
# are counted from "ready", and a kill is mid-work unless "done" came first.
INGEST = (
    "import sys; from pathlib import Path; from orchestration.ingest.loader import ingest; "
    "print('ready', flush=True); ingest(Path(sys.argv[1]), Path(sys.argv[2])); print('done', flush=True)"
)
PUBLISH = (
    "from orchestration.runtime.manifest import load_manifest, public_marts, relation_name; "
    "from orchestration.serving.publish import publish; import duckdb; "
    "tables = {n.get('alias') or n['name']: relation_name(n) for n in public_marts(load_manifest())}; "
    "print('ready', flush=True); publish(tables); print('done', flush=True)"
)
VOLATILE = {"_loaded_at", "quarantined_at", "loaded_at", "duration_seconds"}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return R._memo.get("base") or R._memo.setdefault("base", tmp_path_factory.mktemp("reliability"))


def _python(home: Path, code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=PROJECT_DIR,
        env=R.cli_env(home),
        start_new_session=True,
        **kw,
    )


def _kill_at(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL the process group `seconds` after it said "ready" (or after it started);
    False if its work was done by then."""
    if proc.stdout is not None:
        assert proc.stdout.readline().strip() == "ready"
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return proc.stdout is None or "done" not in proc.stdout.read()


def _measure(proc: subprocess.Popen) -> float:
    """Seconds from "ready" to "done" of an uninterrupted process."""
    assert proc.stdout.readline().strip() == "ready"
    t0 = time.perf_counter()
    assert proc.stdout.readline().strip() == "done"
    seconds = time.perf_counter() - t0
    assert proc.wait() == 0
    return seconds


def _raw_digest(warehouse: Path) -> dict:
    """Every raw table, quarantine and load log without load times: rows and checksum."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall():
            cols = [
                c
                for (c,) in con.execute(f'select column_name from (describe raw."{t}")').fetchall()
                if c not in VOLATILE
            ]
            rel = f'(select {", ".join(chr(34) + c + chr(34) for c in cols)} from raw."{t}")'
            out[t] = tuple(con.execute(R.DIGEST_SQL.format(relation=rel)).fetchone())
        return out
    finally:
        con.close()


def _served(serving: Path) -> tuple[dict, dict]:
    """Digests of the serving file and of the Parquet version its link points to."""
    file = serving / "leadscore.duckdb"
    assert file.exists(), "the serving copy disappeared"
    return R.serving_digests(file), R.parquet_digests(Path(os.path.realpath(serving / "parquet")))


def _assert_serving_good(serving: Path, good: list[tuple[dict, dict]]) -> None:
    """The serving copy is complete and one of the good versions, in DuckDB and in the
    Parquet version its link points to. Compared by their scores: the good version after
    the run is the reference's (a backfill, then the day), whose CRM feed records other
    runs by design (R.FEED_MARTS); the warehouse's feed is compared with the same runs'."""
    db, pq = _served(serving)
    assert R.scores_only(db) in [R.scores_only(g[0]) for g in good]
    assert R.scores_only(pq) in [R.scores_only(g[1]) for g in good]


def test_ingest_killed_at_random_points_resumes_to_the_uninterrupted_result(base, capsys):
    src = R.landing_source(base)
    work = base / "crash_ingest"
    R.land(src, work, R.all_files(src))
    landing = work / "landing"
    # the uninterrupted load, twice (the shorter duration is the one to kill within)
    durations = []
    for i in range(2):
        reference = work / f"reference_{i}.duckdb"
        durations.append(
            _measure(_python(work, INGEST, str(landing), str(reference), stdout=subprocess.PIPE, text=True))
        )
    measured = min(durations)
    expected = _raw_digest(reference)
    assert _raw_digest(work / "reference_0.duckdb") == expected
    interrupted = 0
    points = []
    for i in range(INGEST_KILLS):
        wh = work / f"killed_{i}.duckdb"
        at = RNG.uniform(0, measured)
        points.append(round(at, 2))
        interrupted += _kill_at(
            _python(work, INGEST, str(landing), str(wh), stdout=subprocess.PIPE, text=True), at
        )
        if wh.exists():
            R.assert_load_log_truthful(wh)
        from orchestration.ingest.loader import ingest

        summary = ingest(landing, wh)  # the next run
        assert summary.files_failed == 0
        R.assert_load_log_truthful(wh)
        assert _raw_digest(wh) == expected, f"kill at {at:.2f}s of {measured:.2f}s"
    R.figures(
        capsys,
        f"crash: ingest killed at {points} s of a measured {measured:.2f}s "
        f"({interrupted} of {INGEST_KILLS} mid-run); every resume equals the uninterrupted load",
    )
    assert interrupted >= 2


def test_daily_run_killed_at_random_points_then_next_run_equals_an_uninterrupted_one(base, capsys):
    """The daily run of LAST on the in-order home as it was before that run (its files
    just landed), killed again and again, then run to the end."""
    ref = R.reference(base)
    in_order = R.in_order(base)
    home = base / "crash_run"
    shutil.copytree(in_order.before_last, home, symlinks=True)
    src = R.landing_source(base)
    R.land(src, home, [f for f in R.all_files(src) if f.name in in_order.landed_by_day[R.LAST]])
    before = _served(home / "serving")
    after = (ref.serving, ref.parquet)
    assert before[0] != ref.serving
    measured = in_order.seconds_by_day[R.LAST]  # the same run, uninterrupted
    points, phases = [], []
    # One kill in each phase of the run, at a random point inside it: the phase begins with
    # the line the run logs (ingest and raw checks: the job starts; dbt build: dbt starts;
    # checks and publish: dbt finished), and the kill comes a random fraction of a second
    # after. Kill points drawn over the whole run would all fall in the dbt build, the
    # longest phase by far, and never test the others.
    for k, (marker, phase) in enumerate(RUN_PHASES):
        err = home / f"kill_{k}.err"
        with open(err, "w") as f:
            proc = R.cli(home, "run", "--date", R.LAST.isoformat(), stdout=subprocess.DEVNULL, stderr=f)
            deadline = time.monotonic() + 300
            while marker not in err.read_text():
                assert proc.poll() is None and time.monotonic() < deadline, err.read_text()[-3000:]
                time.sleep(0.05)
            at = RNG.uniform(0.0, 0.4)
            time.sleep(at)
            killed = proc.poll() is None
            if killed:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        points.append(round(at, 2))
        phases.append(phase if killed else "after the end")
        _assert_serving_good(home / "serving", [before, after])
        R.assert_load_log_truthful(home / "warehouse.duckdb")
    # the next run succeeds and equals the uninterrupted runs
    R.launch_days(home, R.LAST, R.LAST)
    R.assert_load_log_truthful(home / "warehouse.duckdb")
    marts = R.mart_digests(home / "warehouse.duckdb")
    assert marts == in_order.digests_by_day[R.LAST]  # the same runs, the CRM feed included
    assert R.scores_only(marts) == R.scores_only(ref.after_daily)  # a backfill, then LAST
    _assert_serving_good(home / "serving", [after])
    assert R.raw_counts(home / "warehouse.duckdb") == R.raw_counts(in_order.home / "warehouse.duckdb")
    R.figures(
        capsys,
        f"crash: daily run killed {points} s into phases {phases} of a measured {measured:.1f}s run; "
        f"next run equals the uninterrupted one",
    )
    mid_run = [p for p in phases if p != "after the end"]
    assert len(set(mid_run)) >= 2, phases


def test_publish_killed_at_random_points_leaves_a_complete_good_copy(base, capsys):
    """Publishing the reference home's marts again (a copy of the home), killed again and
    again: the serving copy stays the complete good one; the next publish succeeds."""
    ref = R.reference(base)
    home = base / "crash_publish"
    shutil.copytree(ref.home, home, symlinks=True)
    serving = home / "serving"
    good = [(ref.serving, ref.parquet)]
    _assert_serving_good(serving, good)
    durations = [_measure(_python(home, PUBLISH, stdout=subprocess.PIPE, text=True)) for _ in range(2)]
    measured = min(durations)
    _assert_serving_good(serving, good)
    points, interrupted, leftovers = [], 0, 0
    for _ in range(PUBLISH_KILLS):
        at = RNG.uniform(0, measured)
        points.append(round(at, 2))
        interrupted += _kill_at(_python(home, PUBLISH, stdout=subprocess.PIPE, text=True), at)
        leftovers += sum(p.name.startswith(".publishing-") for p in serving.iterdir())
        _assert_serving_good(serving, good)
    assert _python(home, PUBLISH).wait() == 0  # the next publish succeeds and cleans up
    _assert_serving_good(serving, good)
    assert not [p for p in serving.iterdir() if p.name.startswith(".publishing-")]
    assert len(list((serving / "parquet.versions").iterdir())) <= 2
    R.figures(
        capsys,
        f"crash: publish killed at {points} s of a measured {measured:.2f}s ({interrupted} mid-publish, "
        f"{leftovers} leftover files seen after kills, cleaned by the next publish); "
        f"serving copy always complete",
    )
    assert interrupted >= 2


# A publish as the daily run makes it: comparing only the months the ledger says changed
# (it says on stderr which it did).
PUBLISH_WINDOWED = (
    "import sys; from orchestration.serving import ledger as publish_ledger, publish as serving; "
    "from orchestration.defs.assets.serving import monthly_sources, public_tables; "
    "print('ready', flush=True); "
    "recheck = publish_ledger.recheck_from(monthly_sources(), serving.current_version()); "
    "print('recheck', recheck, file=sys.stderr, flush=True); "
    "out = serving.publish(public_tables(), recheck_from=recheck); "
    "publish_ledger.published(out.version); print('done', flush=True)"
)


def _home_with_a_recent_change(ref_home: Path, home: Path) -> int:
    """A copy of the reference home, published through the ledger once (a copied home is
    compared in full), then with its history changed in the last month by a write the
    ledger records, as a daily run's dbt build records it. Returns the rows changed."""
    shutil.copytree(ref_home, home, symlinks=True)
    assert _python(home, PUBLISH_WINDOWED).wait() == 0
    wh, start = home / "warehouse.duckdb", R.LAST.replace(day=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        from orchestration.serving import ledger as publish_ledger

        with publish_ledger.warehouse_write("test: a correction in the last month", wh) as write:
            con = duckdb.connect(str(wh))
            [(changed,)] = con.execute(
                "update intermediate.int_lead_score_changes set total_score = total_score + 1 "
                "where valid_from >= ?",
                [start],
            ).fetchall()
            con.close()
            write.history_changed({"int_lead_score_changes": start})
    return changed


def test_publish_of_recent_months_killed_at_random_points_leaves_a_complete_good_copy(base, capsys, tmp_path):
    """History changed in its last month since the last publish (recorded in the ledger);
    the publish comparing only that month is killed again and again: the serving copy
    stays complete (the old version or the new one, in DuckDB and in Parquet), and the
    next publish equals a full one."""
    ref = R.reference(base)
    home, measure = base / "crash_publish_windowed", tmp_path / "measure"
    assert _home_with_a_recent_change(ref.home, home) > 0
    _home_with_a_recent_change(ref.home, measure)
    serving = home / "serving"
    before = _served(serving)
    # The new version expected: a full publish of the changed warehouse, in a copy.
    full = tmp_path / "full"
    shutil.copytree(home, full, symlinks=True)
    assert _python(full, PUBLISH).wait() == 0
    new = _served(full / "serving")
    assert new != before
    # An uninterrupted publish of the recent month, in the other home: how long, and the same.
    proc = _python(measure, PUBLISH_WINDOWED, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    measured = _measure(proc)
    assert "recheck {'lead_score_history': datetime.date" in proc.stderr.read()
    assert _served(measure / "serving") == new
    points, interrupted = [], 0
    for _ in range(PUBLISH_KILLS):
        at = RNG.uniform(0, measured)
        points.append(round(at, 2))
        interrupted += _kill_at(_python(home, PUBLISH_WINDOWED, stdout=subprocess.PIPE, text=True), at)
        _assert_serving_good(serving, [before, new])
    assert _python(home, PUBLISH_WINDOWED).wait() == 0  # the next publish succeeds and cleans up
    assert _served(serving) == new
    assert not [p for p in serving.iterdir() if p.name.startswith(".publishing-")]
    R.figures(
        capsys,
        f"crash: publish of recent months killed at {points} s of a measured {measured:.2f}s "
        f"({interrupted} mid-publish); serving copy always complete, then equal to a full publish",
    )
    assert interrupted >= 2
