"""Shared set-up of the reliability tests (crash safety, idempotency, late delivery,
concurrency, PII): one small generated landing set and the homes scored from it.

Full runs are the expensive part (Dagster, dbt, DuckDB for real), so each scenario is
built once per pytest session and memoised here; the test modules call these functions
from their module fixtures and assert on what they return. Nothing is a stand-in: every
home is a real LEADSCORE_HOME with its warehouse, serving copy and Dagster instance.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.serving.relations import parquet_form
from support import PROJECT_DIR

FIRST = dt.date(2024, 3, 1)
DAYS = 8
LAST = FIRST + dt.timedelta(days=DAYS - 1)  # 2024-03-08
CONTACTS = 150
SEED = 11
# The daily runs of the in-order delivery (the last three days) and of the shuffled one
# (the last two: it is compared with the in-order one on the last day).
DAILY = [LAST - dt.timedelta(days=2), LAST - dt.timedelta(days=1), LAST]
DAILY_SHUFFLED = DAILY[1:]

# Rows of a relation and a digest of its rows, independent of their order.
DIGEST_SQL = (
    "select count(*), coalesce(md5(string_agg(h, ',' order by h)), '') "
    "from (select md5(cast(t as varchar)) as h from {relation} as t)"
)

_memo: dict[str, object] = {}


# --------------------------------------------------------------------------- environment


@contextlib.contextmanager
def home_env(home: Path):
    """LEADSCORE_HOME = home for the block (in process); DAGSTER_HOME follows it."""
    names = ("LEADSCORE_HOME", "LEADSCORE_DUCKDB_PATH", "DBT_PROFILES_DIR", "DAGSTER_HOME")
    saved = {n: os.environ.get(n) for n in names}
    for n in names[1:]:
        os.environ.pop(n, None)
    os.environ["LEADSCORE_HOME"] = str(home)
    try:
        yield home
    finally:
        for n, v in saved.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


def cli_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LEADSCORE_DUCKDB_PATH", "DBT_PROFILES_DIR", "DAGSTER_HOME")
    }
    env.update(
        LEADSCORE_HOME=str(home),
        PYTHONUNBUFFERED="1",
        GX_ANALYTICS_ENABLED="false",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def cli(home: Path, *args: str, **popen) -> subprocess.Popen:
    """`leadscore ARGS` as a real process in its own process group (so a SIGKILL of the
    group also kills the dbt it started, as a machine crash would)."""
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_DIR,
        env=cli_env(home),
        start_new_session=True,
        **popen,
    )


def launch_days(home: Path, first: dt.date, last: dt.date):
    """The daily job in this process over first..last; asserts it succeeded."""
    from orchestration.runtime.launch import launch

    with home_env(home), contextlib.redirect_stdout(sys.stderr):
        outcome = launch(first, last)
    assert outcome.success and outcome.published, (outcome.failed_steps, outcome.failed_blocking)
    return outcome


# --------------------------------------------------------------------------- landing


def landing_source(base: Path) -> Path:
    """The generated landing files (generated once, copied into each home)."""
    if "landing" not in _memo:
        from orchestration.demo_data.generate import generate

        out = base / "generated_landing"
        generate(out, CONTACTS, DAYS, start=FIRST, seed=SEED)
        _memo["landing"] = out
    return _memo["landing"]


def landed_day(path: Path) -> dt.date:
    """The day a generated file belongs to: <entity>_<YYYY-MM-DD>.<ext>."""
    return dt.date.fromisoformat(path.stem.rsplit("_", 1)[1][:10])


def land(src: Path, home: Path, files: list[Path], rename=None) -> None:
    """Copy generated files into home/landing/<entity>/ (write as .tmp, then rename)."""
    for f in files:
        dest = home / "landing" / f.parent.name / (rename(f) if rename else f.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.copyfile(f, tmp)
        os.replace(tmp, dest)


def all_files(src: Path) -> list[Path]:
    return sorted(p for p in src.glob("*/*") if p.is_file())


# --------------------------------------------------------------------------- digests


# Columns holding the wall-clock time of the run that wrote a row (the CRM feed's ledger
# entries): two homes that ran the same days at different times differ only there.
RUN_TIME_COLUMNS = frozenset({"detected_at", "undone_at"})


def _digests(con, schema: str, leave_out: frozenset[str] = frozenset()) -> dict[str, tuple[int, str]]:
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
        ).fetchall()
    ]
    out = {}
    for t in tables:
        # as the Parquet files hold them (decimals as doubles), to compare the two forms
        relation = parquet_form(con, f'"{schema}"."{t}"')
        kept = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
        if leave_out & set(kept):
            columns = ", ".join(f'"{c}"' for c in kept if c not in leave_out)
            relation = f"(select {columns} from {relation})"
        out[t] = tuple(con.execute(DIGEST_SQL.format(relation=relation)).fetchone())
    return out


# The CRM feed's marts record when the warehouse learned of each change (the run that
# detected it), and call_now lists the MQL crossings the latest run detected: homes that
# scored the same days through different runs (a backfill and a daily run, daily runs one
# by one, late files, a backfill in slices) differ there by design, and are compared by
# their scores alone (tests/scoring/test_crm_feed.py tests the feed across runs; call_now's
# dbt unit tests and tests/serving/test_report.py test the list).
FEED_MARTS = frozenset({"mql_crossings", "crm_sync", "call_now"})


def scores_only(digests: dict[str, tuple[int, str]]) -> dict[str, tuple[int, str]]:
    """Mart digests without FEED_MARTS, to compare homes whose runs differed."""
    assert set(digests) >= FEED_MARTS, "the CRM feed's marts are missing"
    return {t: d for t, d in digests.items() if t not in FEED_MARTS}


def mart_digests(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Rows and checksum of every relation in the warehouse's schema marts, but the columns
    of RUN_TIME_COLUMNS (when the warehouse recorded a row, not what it holds)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return _digests(con, "marts", RUN_TIME_COLUMNS)
    finally:
        con.close()


def serving_digests(serving_file: Path) -> dict[str, tuple[int, str]]:
    con = duckdb.connect(str(serving_file), read_only=True)
    try:
        return _digests(con, "main")
    finally:
        con.close()


def parquet_relations(folder: Path) -> dict[str, str]:
    """Table -> read_parquet(...) of a Parquet version: <table>.parquet, or a folder
    <table>/ of monthly files (score history is published by month)."""
    return {
        (f.stem if f.is_file() else f.name): f"read_parquet('{f if f.is_file() else f / '*.parquet'}')"
        for f in sorted(Path(folder).iterdir())
        if f.suffix == ".parquet" or f.is_dir()
    }


def parquet_digests(folder: Path) -> dict[str, tuple[int, str]]:
    """Rows and checksum of every table of the Parquet version in folder (resolve the link first)."""
    con = duckdb.connect()
    try:
        return {
            t: tuple(con.execute(DIGEST_SQL.format(relation=rel)).fetchone())
            for t, rel in parquet_relations(folder).items()
        }
    finally:
        con.close()


def public_mart_names() -> set[str]:
    from orchestration.runtime.manifest import load_manifest, public_marts

    return {n["name"] for n in public_marts(load_manifest())}


def assert_load_log_truthful(warehouse: Path) -> None:
    """Every `loaded` file has exactly its rows in raw and quarantine, reconciliation holds,
    no raw or quarantine row belongs to a file the log does not call loaded, every status
    is one of loaded / skipped / failed / refused, and a failed or refused entry read no
    rows and says why (a refused one read nothing at all: no checksum, no size)."""
    from orchestration.ingest import contract as C

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        have = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        if "load_log" not in have:
            return
        statuses = {r[0] for r in con.execute("select distinct status from raw.load_log").fetchall()}
        assert statuses <= {"loaded", "skipped", "failed", "refused"}, statuses
        for file, status, checksum, size, read, error in con.execute(
            "select file, status, checksum, bytes, "
            "rows_read + rows_loaded + rows_quarantined + rows_duplicate, error "
            "from raw.load_log where status in ('failed', 'refused')"
        ).fetchall():
            assert read == 0 and error, (file, status, read, error)
            if status == "refused":
                assert checksum is None and size is None, (file, checksum, size)
        logged = {
            f: (e, read, loaded, q, d)
            for f, e, read, loaded, q, d in con.execute(
                "select file, entity, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
                "from raw.load_log where status = 'loaded'"
            ).fetchall()
        }
        for entity in C.ENTITIES:
            if entity not in have:
                continue
            for (file,) in con.execute(f'select distinct _file from raw."{entity}"').fetchall():
                assert file in logged, (
                    f"raw.{entity} holds rows of {file}, which the load log does not call loaded"
                )
        for (file,) in con.execute("select distinct file from raw.quarantine").fetchall():
            assert file in logged, (
                f"raw.quarantine holds rows of {file}, which the load log does not call loaded"
            )
        for file, (entity, read, loaded, quarantined, dup) in logged.items():
            assert read == loaded + quarantined + dup, file
            [(n_raw,)] = con.execute(
                f'select count(*) from raw."{entity}" where _file = ?', [file]
            ).fetchall()
            [(n_q,)] = con.execute("select count(*) from raw.quarantine where file = ?", [file]).fetchall()
            assert (n_raw, n_q) == (loaded, quarantined), (
                f"load log claims {file} loaded {loaded}+{quarantined}, raw has {n_raw}+{n_q}"
            )
    finally:
        con.close()


def figures(capsys, line: str) -> None:
    """Print a figure line whatever pytest's capture mode."""
    with capsys.disabled():
        print(f"\n[figures] {line}", flush=True)


# --------------------------------------------------------------------------- scenarios


@dataclass
class Ref:
    """Every file landed at once; a backfill of FIRST..LAST-1, then the daily run of LAST."""

    home: Path
    after_backfill: dict
    after_daily: dict
    serving: dict  # serving file after the daily run: tables and views
    parquet: dict  # the Parquet version after the daily run
    outcomes: list = field(default_factory=list)


def reference(base: Path) -> Ref:
    if "ref" not in _memo:
        src = landing_source(base)
        home = base / "ref"
        # the files of FIRST..LAST-1, backfilled; then LAST's files, run as a daily run. The
        # generator delivers some events late, in a later day's file: a backfill that saw
        # LAST's files too would score those rows on their own days, which daily runs up
        # to LAST-1 cannot have seen
        land(src, home, [f for f in all_files(src) if landed_day(f) < LAST])
        backfill = launch_days(home, FIRST, LAST - dt.timedelta(days=1))
        after_backfill = mart_digests(home / "warehouse.duckdb")
        land(src, home, [f for f in all_files(src) if landed_day(f) == LAST])
        daily = launch_days(home, LAST, LAST)
        _memo["ref"] = Ref(
            home,
            after_backfill,
            mart_digests(home / "warehouse.duckdb"),
            serving_digests(home / "serving" / "leadscore.duckdb"),
            parquet_digests((home / "serving" / "parquet").resolve()),
            [backfill, daily],
        )
    return _memo["ref"]


@dataclass
class Daily:
    """Daily runs one by one over DAILY; before each run, the files of that delivery land."""

    home: Path
    digests_by_day: dict
    landed_by_day: dict  # day -> names landed just before its run
    seconds_by_day: dict  # day -> duration of its run
    before_last: Path | None = None  # a copy of the home as it was before the run of LAST


def _daily_runs(base: Path, name: str, plan, days=DAILY, keep_before_last=False) -> Daily:
    home = base / name
    out = Daily(home, {}, {}, {})
    for day in days:
        if day == LAST and keep_before_last:
            out.before_last = base / f"{name}_before_last"
            shutil.copytree(home, out.before_last, symlinks=True)
        files, rename = plan(day)
        land(landing_source(base), home, files, rename)
        out.landed_by_day[day] = [rename(f) if rename else f.name for f in files]
        out.seconds_by_day[day] = launch_days(home, day, day).seconds
        out.digests_by_day[day] = mart_digests(home / "warehouse.duckdb")
    return out


def in_order(base: Path) -> Daily:
    """Files land in day order: before the run of day D, every file of the days up to D."""
    if "in_order" not in _memo:
        src = landing_source(base)
        done: set[Path] = set()

        def plan(day):
            files = [f for f in all_files(src) if landed_day(f) <= day and f not in done]
            done.update(files)
            return files, None

        _memo["in_order"] = _daily_runs(base, "in_order", plan, keep_before_last=True)
    return _memo["in_order"]


# Events files held back from the first shuffled run (or from their own day's run) and
# delivered 4, 2 and 1 days late, with the run of LAST.
LATE = {LAST - dt.timedelta(days=n): LAST for n in (4, 2, 1)}


def shuffled(base: Path) -> Daily:
    """The same files, delivered out of order: file names permuted (so the loader meets
    them in a random order), and the events of three days held back and landed one to
    four days late (within the 7-day lookback); daily runs of the last two days."""
    if "shuffled" not in _memo:
        src = landing_source(base)
        files = all_files(src)
        rng = random.Random(SEED)
        order = list(range(len(files)))
        rng.shuffle(order)
        prefix = {f: f"{order[i]:03d}" for i, f in enumerate(files)}
        done: set[Path] = set()

        def late(f):
            return f.parent.name == "events" and landed_day(f) in LATE

        def plan(day):
            batch = [
                f
                for f in files
                if f not in done
                and ((landed_day(f) <= day and not late(f)) or (late(f) and LATE[landed_day(f)] <= day))
            ]
            rng.shuffle(batch)
            done.update(batch)
            return batch, lambda f: f"{prefix[f]}_{f.name}"

        _memo["shuffled"] = _daily_runs(base, "shuffled", plan, days=DAILY_SHUFFLED)
    return _memo["shuffled"]


# --------------------------------------------------------------------------- a reader process

# A BI tool polling the serving copy: a new read-only connection per poll, every table's
# rows and digest, and the Parquet version the link points to (resolved once per poll).
# It records each distinct state, the inode of the file it opened, and every error.
READER = r"""
import json, os, sys, time
import duckdb
from orchestration.serving.relations import parquet_form  # the form serving_digests reads

path, link, out, stop, digest_sql = sys.argv[1:6]
states, pq_states, inodes, errors = {}, {}, set(), []
n = 0
print("ready", flush=True)
while not os.path.exists(stop):
    n += 1
    try:
        if os.path.exists(path):
            before = os.stat(path).st_ino
            con = duckdb.connect(path, read_only=True)
            try:
                tables = [t for (t,) in con.execute("select table_name from information_schema.tables "
                                                    "where table_schema = 'main' order by 1").fetchall()]
                state = {
                    t: list(con.execute(digest_sql.format(relation=parquet_form(con, f'main."{t}"')))
                            .fetchone())
                    for t in tables
                }
            finally:
                con.close()
            if os.stat(path).st_ino == before:
                inodes.add(before)
            key = json.dumps(state, sort_keys=True)
            states[key] = states.get(key, 0) + 1
            folder = os.path.realpath(link)  # resolve the version once, then read it
            # <table>.parquet, or a folder <table>/ of monthly files (score history)
            files = {(f[:-8] if f.endswith(".parquet") else f):
                     os.path.join(folder, f) if f.endswith(".parquet")
                     else os.path.join(folder, f, "*.parquet")
                     for f in os.listdir(folder)}
            pq = duckdb.connect()
            try:
                pstate = {t: list(pq.execute(digest_sql.format(relation=f"read_parquet('{p}')")).fetchone())
                          for t, p in sorted(files.items())}
            finally:
                pq.close()
            key = json.dumps(pstate, sort_keys=True)
            pq_states[key] = pq_states.get(key, 0) + 1
        else:
            states["absent"] = states.get("absent", 0) + 1
    except Exception as e:
        errors.append(repr(e)[:500])
    time.sleep(0.05)  # a BI tool, not a busy loop
json.dump({"polls": n, "states": states, "parquet_states": pq_states, "inodes": len(inodes),
           "errors": errors}, open(out, "w"))
"""


@contextlib.contextmanager
def reader_process(serving: Path, workdir: Path):
    """Runs READER against serving/ for the duration of the block; yields a dict filled
    with its report when the block ends."""
    out, stop = workdir / "reader.json", workdir / "reader.stop"
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            READER,
            str(serving / "leadscore.duckdb"),
            str(serving / "parquet"),
            str(out),
            str(stop),
            DIGEST_SQL,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    report: dict = {}
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield report
    finally:
        stop.touch()
        proc.wait(timeout=120)
    report.update(json.loads(out.read_text()))


def decode_state(key: str):
    """A state recorded by the reader: "absent", or {table: (rows, digest)}."""
    return "absent" if key == "absent" else {t: tuple(v) for t, v in json.loads(key).items()}


@dataclass
class Reruns:
    """On the reference home, after its runs: two `leadscore run --date LAST` started at
    the same moment (the second waits for the lock), a third started with --wait 1 once
    one of them holds the lock (it refuses), and a reader process polling the serving copy
    throughout."""

    home: Path
    procs: list  # (args, returncode, stdout, stderr, started, ended)
    reader: dict
    raw_counts_before: dict
    raw_counts_after: dict
    marts_after: dict
    serving_after: dict


def raw_counts(warehouse: Path) -> dict:
    from orchestration.ingest import contract as C

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [f"raw.{e}" for e in C.ENTITIES] + ["raw.quarantine", "raw.load_log"]
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def reruns(base: Path) -> Reruns:
    if "reruns" not in _memo:
        import time

        ref = reference(base)
        home = ref.home
        before = raw_counts(home / "warehouse.duckdb")
        logs = base / "reruns"
        logs.mkdir()
        runs = [
            ("run", "--date", LAST.isoformat()),
            ("run", "--date", LAST.isoformat()),
            ("run", "--date", LAST.isoformat(), "--wait", "1"),
        ]
        with reader_process(home / "serving", logs) as report:
            from orchestration.runtime import run_lock

            procs = []
            for i, args in enumerate(runs):
                if i == 2:  # the third once one of the first two holds the lock
                    pids = {procs[0][1].pid, procs[1][1].pid}
                    deadline = time.monotonic() + 600
                    while run_lock.holder(home / ".run.lock").get("pid") not in pids:
                        assert time.monotonic() < deadline, "neither run took the lock"
                        time.sleep(0.1)
                with open(logs / f"{i}.out", "w") as out, open(logs / f"{i}.err", "w") as err:
                    # the child keeps its own copies of the two descriptors
                    procs.append((args, cli(home, *args, stdout=out, stderr=err), out.name, err.name))
            done = []
            for args, p, out, err in procs:
                p.wait(timeout=1200)
                done.append((args, p.returncode, Path(out).read_text(), Path(err).read_text()))
        _memo["reruns"] = Reruns(
            home,
            done,
            report,
            before,
            raw_counts(home / "warehouse.duckdb"),
            mart_digests(home / "warehouse.duckdb"),
            serving_digests(home / "serving" / "leadscore.duckdb"),
        )
    return _memo["reruns"]
