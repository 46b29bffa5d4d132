"""The daily run end to end and the serving copy for BI: published atomically, the same
bytes of data for the same day, unchanged when a blocking check fails, readable while a
run publishes, never with PII. Real Dagster, dbt and DuckDB; small generated data.

One module fixture builds the warehouse once (a ranged backfill through the CLI, then a
daily run in process); the tests after it run the job again where they need to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from support import query, run_cli

from orchestration.serving.relations import parquet_form

FIRST = dt.date(2024, 3, 1)
DAYS = 20
LAST = FIRST + dt.timedelta(days=DAYS - 1)  # 2024-03-20
BEFORE_LAST = LAST - dt.timedelta(days=1)


def _launch(day: dt.date):
    from orchestration.runtime.launch import launch

    with contextlib.redirect_stdout(sys.stderr):
        return launch(day, day)


def public_tables() -> set[str]:
    from orchestration.runtime.manifest import load_manifest, public_marts

    return {n["name"] for n in public_marts(load_manifest())}


# Rows of a relation and a digest of its rows, independent of their order.
DIGEST_SQL = (
    "select count(*), coalesce(md5(string_agg(h, ',' order by h)), '') "
    "from (select md5(cast(t as varchar)) as h from {relation} as t)"
)


def table_digests(con) -> dict[str, tuple[int, str]]:
    """Per table of schema main: rows and a digest of its rows."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1"
        ).fetchall()
    ]
    # as the Parquet files hold them (decimals as doubles), to compare the two forms
    return {
        t: tuple(con.execute(DIGEST_SQL.format(relation=parquet_form(con, f'main."{t}"'))).fetchone())
        for t in tables
    }


def parquet_digests(folder: Path) -> dict[str, tuple[int, str]]:
    con = duckdb.connect()
    try:
        # <table>.parquet, or <table>/*.parquet for tables published by month (history)
        return {
            (f.stem if f.is_file() else f.name): tuple(
                con.execute(
                    DIGEST_SQL.format(relation=f"read_parquet('{f if f.is_file() else f / '*.parquet'}')")
                ).fetchone()
            )
            for f in sorted(folder.iterdir())
            if f.suffix == ".parquet" or f.is_dir()
        }
    finally:
        con.close()


def serving_digests(home: Path) -> dict[str, tuple[int, str]]:
    con = duckdb.connect(str(home / "serving" / "leadscore.duckdb"), read_only=True)
    try:
        return table_digests(con)
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Built:
    home: Path
    backfill: subprocess.CompletedProcess
    daily: object  # RunOutcome of the in-process daily run of LAST
    digests: dict
    parquet: dict


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    from orchestration.demo_data.generate import generate

    home = tmp_path_factory.mktemp("serving") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        for var in ("LEADSCORE_DUCKDB_PATH", "DBT_PROFILES_DIR", "DAGSTER_HOME"):
            mp.delenv(var, raising=False)
        generate(home / "landing", 300, DAYS, start=FIRST, seed=7)
        backfill = run_cli("backfill", "--start", FIRST.isoformat(), "--end", BEFORE_LAST.isoformat())
        daily = _launch(LAST)
        assert daily.success, daily.failed_steps
        yield Built(
            home, backfill, daily, serving_digests(home), parquet_digests(home / "serving" / "parquet")
        )


# --------------------------------------------------------------------------- runs


def test_backfill_is_one_ranged_run_with_one_dbt_build(built, monkeypatch):
    from dagster import AssetKey, DagsterInstance

    out = built.backfill.stdout
    assert f"({FIRST}..{BEFORE_LAST}) succeeded" in out
    assert "leads per band" in out and "new MQLs on" in out and "checks:" in out
    assert "serving copy: " in out
    monkeypatch.setenv("DAGSTER_HOME", str(built.home / "dagster"))
    with DagsterInstance.get() as instance:
        ranged = [r for r in instance.get_runs() if r.tags.get("dagster/asset_partition_range_start")]
        assert len(ranged) == 1
        run = ranged[0]
        assert run.tags["dagster/asset_partition_range_end"] == BEFORE_LAST.isoformat()
        mats = instance.fetch_materializations(AssetKey(["marts", "lead_scores"]), limit=100).records
        in_range = {m.partition_key for m in mats if m.run_id == run.run_id}
        assert len(in_range) == DAYS - 1
    # one dbt invocation for the whole range, with the vars of the range
    [dbt_dir] = [p for p in (built.home / "dbt_runs").iterdir() if p.name == run.run_id]
    results = json.loads((dbt_dir / "run_results.json").read_text())
    assert results["args"]["vars"] == {
        "score_date": BEFORE_LAST.isoformat(),
        "history_start": FIRST.isoformat(),
    }


def test_daily_run_publishes_every_public_mart_to_duckdb_and_parquet(built):
    home = built.home
    assert built.daily.published
    assert not [c for c in built.daily.checks if not c.passed and c.blocking]
    names = {c.name for c in built.daily.checks}
    assert {"events_keys_not_null_and_unique", "lead_scores_within_model_bounds"} <= names

    marts = public_tables()
    # score history: a table of changes by month, and the mart's name as a view adding valid_to
    assert set(built.digests) == marts | {"lead_score_changes"}
    serving = home / "serving"
    link = serving / "parquet"
    assert link.is_symlink() and link.resolve().parent == (serving / "parquet.versions").resolve()
    assert set(built.parquet) == marts - {"lead_score_history"} | {"lead_score_changes"}
    assert built.parquet == {t: built.digests[t] for t in built.parquet}  # the same rows in both forms
    # the rows are the warehouse's marts, as of the run's day
    for t in marts:
        [(n,)] = query(home / "warehouse.duckdb", f"select count(*) from marts.{t}")
        assert built.digests[t][0] == n
    # the served history view (valid_to added in the serving copy) equals the mart, row for row
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        history = parquet_form(con, "marts.lead_score_history")  # the form of built.digests
        wh_history = con.execute(DIGEST_SQL.format(relation=history)).fetchone()
    finally:
        con.close()
    assert built.digests["lead_score_history"] == tuple(wh_history)
    assert query(serving / "leadscore.duckdb", "select distinct score_date from lead_scores") == [(LAST,)]
    # no PII column anywhere
    cols = query(serving / "leadscore.duckdb", "select lower(column_name) from information_schema.columns")
    assert not {"email", "first_name", "last_name", "phone"} & {c for (c,) in cols}
    assert not [f for f in serving.iterdir() if f.name.startswith(".publishing-")]


def test_the_serving_copy_carries_the_dbt_descriptions_as_comments(built):
    """Every table and column comment dbt wrote on a mart (persist_docs) is on the published
    relation; the publisher's own relations say they are bookkeeping."""
    serving = built.home / "serving" / "leadscore.duckdb"
    warehouse = built.home / "warehouse.duckdb"
    comments_sql = (
        "select table_name, comment from duckdb_tables() where schema_name = '{s}' "
        "union all select view_name, comment from duckdb_views() where schema_name = '{s}'"
    )
    columns_sql = "select table_name, column_name, comment from duckdb_columns() where schema_name = '{s}'"
    marts = public_tables()
    wh_tables = {t: c for t, c in query(warehouse, comments_sql.format(s="marts")) if t in marts}
    wh_columns = {(t, c): x for t, c, x in query(warehouse, columns_sql.format(s="marts")) if t in marts}
    assert wh_tables and all(wh_tables.values())  # dbt documented every public mart
    assert sum(1 for x in wh_columns.values() if x) > 100
    served_tables = dict(query(serving, comments_sql.format(s="main")))
    served_columns = {(t, c): x for t, c, x in query(serving, columns_sql.format(s="main"))}
    assert {t: served_tables[t] for t in wh_tables} == wh_tables
    assert {k: served_columns[k] for k in wh_columns} == wh_columns
    # the month table behind the history view points to the view and has its column comments
    assert "lead_score_history" in served_tables["lead_score_changes"]
    total_score = wh_columns[("lead_score_history", "total_score")]
    assert served_columns[("lead_score_changes", "total_score")] == total_score
    [(name, bookkeeping)] = query(serving, comments_sql.format(s="leadscore_publish"))
    assert name == "published" and "not a mart" in bookkeeping


def test_the_daily_run_reuses_dbts_parse_and_compares_only_its_recent_months(built, monkeypatch):
    """The fixed costs of a daily run: dbt starts from the parse of the previous run (its
    --vars differ), GX is loaded while dbt builds (the warning checks on raw events run
    after the build), and publish compares only the months the run could have changed."""
    from dagster import DagsterInstance

    run_id = built.daily.run_id
    log = built.home / "dbt_runs" / run_id / "dbt.log"
    events = [json.loads(line)["info"] for line in log.read_text().splitlines() if line.startswith("{")]
    assert not [e["msg"] for e in events if e["name"] == "UnableToPartialParse"]
    assert "PartialParsingEnabled" in {e["name"] for e in events}
    monkeypatch.setenv("DAGSTER_HOME", str(built.home / "dagster"))
    with DagsterInstance.get() as instance:
        entries = instance.all_logs(run_id)
    messages = [e.user_message for e in entries]
    window = (LAST - dt.timedelta(days=7)).strftime("%Y-%m")  # history_start - lookback_days
    assert any(
        f"months compared: lead_score_history from {window}, mql_events from {window}" in m for m in messages
    ), [m for m in messages if "published" in m]
    started = [
        e.dagster_event.step_key
        for e in entries
        if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"
    ]
    assert started.index("raw__events_events_keys_not_null_and_unique") < started.index("dbt_build")
    assert started.index("dbt_build") < started.index("raw__events_events_daily_volume")
    assert started.index("serving__leadscore") == len(started) - 1


def test_the_same_day_run_twice_publishes_identical_marts(built):
    serving = built.home / "serving"
    before_version = os.readlink(serving / "parquet")
    again = _launch(LAST)
    assert again.success and again.published
    assert serving_digests(built.home) == built.digests
    assert parquet_digests(serving / "parquet") == built.parquet
    # a new Parquet version; the previous one is kept until the next publish
    assert os.readlink(serving / "parquet") != before_version
    assert (serving / before_version).is_dir()
    assert len(list((serving / "parquet.versions").iterdir())) == 2


# A reader process. mode "held": one connection kept open the whole time, as a BI tool
# does. mode "fresh": a new connection per query, and Parquet read from the version the
# link points to. (Two processes: DuckDB shares one database instance among the
# connections to a path within a process, so a held connection would also pin the
# version that new connections of the same process see.)
READER = r"""
import json, os, sys, time
import duckdb

from orchestration.serving.relations import parquet_form  # the form serving_digests reads

mode, path, link, out, stop, digest_sql = sys.argv[1:7]

def digests(con, relation_of, tables):
    return {t: list(con.execute(digest_sql.format(relation=relation_of(t))).fetchone()) for t in tables}

def main_tables(con):
    return [t for (t,) in con.execute("select table_name from information_schema.tables "
                                      "where table_schema = 'main' order by 1").fetchall()]

seen, seen_parquet, errors = [], [], []
held = duckdb.connect(path, read_only=True) if mode == "held" else None
print("ready", flush=True)
n = 0
while not os.path.exists(stop):
    try:
        if held is not None:
            seen.append(digests(held, lambda t: parquet_form(held, f'main."{t}"'), main_tables(held)))
        else:
            con = duckdb.connect(path, read_only=True)
            try:
                seen.append(digests(con, lambda t: parquet_form(con, f'main."{t}"'), main_tables(con)))
            finally:
                con.close()
            folder = os.path.realpath(link)  # resolve the version once, then read it
            pq = duckdb.connect()
            # <table>.parquet, or a folder <table>/ of monthly files (score history)
            files = {(f[:-8] if f.endswith(".parquet") else f):
                     (os.path.join(folder, f) if f.endswith(".parquet")
                      else os.path.join(folder, f, "*.parquet"))
                     for f in os.listdir(folder)}
            seen_parquet.append(digests(pq, lambda t: f"read_parquet('{files[t]}')", sorted(files)))
            pq.close()
    except Exception as e:
        errors.append(repr(e))
    n += 1
    with open(out + ".n", "w") as f:
        f.write(str(n))
    time.sleep(0.05)  # a BI tool, not a busy loop: leave the CPU to the run
if held is not None:
    held.close()
uniq = lambda xs: [json.loads(s) for s in sorted({json.dumps(x, sort_keys=True) for x in xs})]
json.dump({"n": n, "seen": uniq(seen), "seen_parquet": uniq(seen_parquet), "errors": errors[:20]},
          open(out, "w"))
"""


def _iterations(out: Path) -> int:
    try:
        return int(Path(str(out) + ".n").read_text() or 0)
    except (OSError, ValueError):
        return 0


def test_a_reader_holding_the_serving_file_never_blocks_nor_sees_a_partial_version(built, tmp_path):
    serving = built.home / "serving"
    before = serving_digests(built.home)
    before_pq = parquet_digests(serving / "parquet")
    stop = tmp_path / "stop"
    readers = {}
    try:
        for mode in ("held", "fresh"):
            out = tmp_path / f"{mode}.json"
            readers[mode] = (
                out,
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        READER,
                        mode,
                        str(serving / "leadscore.duckdb"),
                        str(serving / "parquet"),
                        str(out),
                        str(stop),
                        DIGEST_SQL,
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                ),
            )
        for _, proc in readers.values():
            assert proc.stdout.readline().strip() == "ready"
        other_day = _launch(BEFORE_LAST)  # scores as of another day: another version
        assert other_day.success and other_day.published
        # let the readers query the new version a few times
        marks = {mode: _iterations(out) for mode, (out, _) in readers.items()}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(
            _iterations(out) < marks[mode] + 3 for mode, (out, _) in readers.items()
        ):
            time.sleep(0.1)
    finally:
        stop.touch()
        for _, proc in readers.values():
            proc.wait(timeout=120)
    held, fresh = (json.loads(readers[m][0].read_text()) for m in ("held", "fresh"))
    after = serving_digests(built.home)
    after_pq = parquet_digests(serving / "parquet")
    assert after != before, "the second run should publish different scores"
    assert held["errors"] == [] and fresh["errors"] == []
    assert held["n"] > 3 and fresh["n"] > 3

    def as_lists(d):
        return {t: list(v) for t, v in d.items()}

    # new connections saw the old version or the new one, complete, nothing in between
    assert all(s in (as_lists(before), as_lists(after)) for s in fresh["seen"]), fresh["seen"]
    assert as_lists(after) in fresh["seen"]
    # the connection held open kept reading the old version throughout
    assert held["seen"] == [as_lists(before)]
    # Parquet readers resolving the link once read one complete version
    assert all(s in (as_lists(before_pq), as_lists(after_pq)) for s in fresh["seen_parquet"])
    assert as_lists(after_pq) in fresh["seen_parquet"]


def test_a_failing_blocking_check_stops_publishing_and_keeps_the_serving_copy(built, tmp_path, monkeypatch):
    """A duplicated event_id in raw.events fails the blocking GX check on raw/events: no
    scoring, no publish; the run exits 1 naming the check; the serving copy is untouched."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("landing", "serving"):
        shutil.copytree(built.home / name, home / name, symlinks=True)
    shutil.copy2(built.home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    # a row that got in after the last validated run, repeating an event_id
    con.execute(
        "insert into raw.events select * replace (cast(now() as timestamp) as _loaded_at) "
        "from raw.events limit 1"
    )
    con.close()
    serving = home / "serving"
    before_file = sha256(serving / "leadscore.duckdb")
    before_link = os.readlink(serving / "parquet")
    before_listing = sorted(p.name for p in serving.rglob("*"))

    proc = run_cli("run", "--date", LAST.isoformat(), check=False)

    assert proc.returncode == 1, proc.stderr[-5000:]
    assert "blocking check failed: events_keys_not_null_and_unique on raw/events" in proc.stderr
    assert "Blocking: a failure stops the run" in proc.stderr  # the check's description
    assert "dagster dev" in proc.stderr and "nothing was published" in proc.stderr
    assert "FAILED" in proc.stdout and "serving copy unchanged" in proc.stdout
    # stdout alone says which check, what it verifies and what it found (count, a few ids)
    out = proc.stdout
    assert "BLOCKING: raw/events events_keys_not_null_and_unique: failed" in out, out
    assert "what it checks: Blocking: a failure stops the run" in out and "event_id is unique" in out
    [found] = [line for line in out.splitlines() if "what it found:" in line]
    assert "expect_column_values_to_be_unique(column=event_id): 2 unexpected" in found, found
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    [(dup,)] = con.execute("select event_id from raw.events group by 1 having count(*) > 1").fetchall()
    con.close()
    assert dup in found and "@" not in found
    assert sha256(serving / "leadscore.duckdb") == before_file
    assert os.readlink(serving / "parquet") == before_link
    assert sorted(p.name for p in serving.rglob("*")) == before_listing


def _copy_of_built_home(built, tmp_path, monkeypatch, names=("landing", "serving")) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    for name in names:
        shutil.copytree(built.home / name, home / name, symlinks=True)
    shutil.copy2(built.home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return home


def test_landing_entries_not_loaded_warn_on_stdout_and_the_run_publishes(built, tmp_path, monkeypatch):
    """A link and a FIFO in landing/events/ are refused: the warning check
    landing_files_loaded on raw/events fails and says so on stdout; the run still
    succeeds (exit 0: a warning does not stop a run) and publishes."""
    home = _copy_of_built_home(built, tmp_path, monkeypatch)
    events = home / "landing" / "events"
    (events / "linked.csv").symlink_to("/etc/passwd")
    os.mkfifo(events / "pipe.jsonl")
    proc = run_cli("run", "--date", LAST.isoformat(), check=False)
    assert proc.returncode == 0, proc.stderr[-5000:]
    [line] = [x for x in proc.stdout.splitlines() if "raw/events landing_files_loaded" in x]
    assert line.strip().startswith("warning:") and "2 landing entries not loaded" in line, line
    assert "events/linked.csv (refused: a symbolic link" in line and "events/pipe.jsonl (refused" in line
    assert "root:" not in proc.stdout + proc.stderr  # nothing of the linked file was read
    assert "serving copy: " in proc.stdout  # published


def test_a_run_without_a_landing_folder_fails_and_publishes_nothing(built, tmp_path, monkeypatch):
    home = _copy_of_built_home(built, tmp_path, monkeypatch, names=("serving",))
    before = sha256(home / "serving" / "leadscore.duckdb")
    proc = run_cli("run", "--date", LAST.isoformat(), check=False)
    assert proc.returncode == 1, proc.stdout
    assert "does not exist" in proc.stdout + proc.stderr
    assert "serving copy unchanged" in proc.stdout
    assert sha256(home / "serving" / "leadscore.duckdb") == before


def test_a_failing_blocking_dbt_test_says_on_stdout_what_it_checks_and_found(built, tmp_path, monkeypatch):
    """A contact version delivered twice (same contact_id and updated_at) straight into raw
    fails stg_raw__contacts' grain test, a blocking dbt test: stdout names the test, what
    it verifies (the test, its model and columns) and what it found (one failing row, the
    contact's id), and nothing else of the row (its email, name, phone)."""
    home = _copy_of_built_home(built, tmp_path, monkeypatch)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    [(contact_id, email, phone)] = con.execute(
        "select contact_id, email, phone from raw.contacts where email is not null and phone is not null "
        "order by contact_id limit 1"
    ).fetchall()
    con.execute(
        "insert into raw.contacts select * from raw.contacts where contact_id = ? limit 1", [contact_id]
    )
    con.close()

    proc = run_cli("run", "--date", LAST.isoformat(), check=False)

    assert proc.returncode == 1, proc.stderr[-5000:]
    out = proc.stdout
    assert "1 blocking failed" in out, out
    [line] = [ln for ln in out.splitlines() if "BLOCKING:" in ln]
    assert line.strip().startswith("BLOCKING: staging/stg_raw__contacts ") and "unique_combination" in line
    assert line.endswith(": failed")
    assert (
        "what it checks: dbt test leadscore.unique_combination_of_columns on stg_raw__contacts "
        "(combination_of_columns=['contact_id', 'updated_at'])" in out
    ), out
    assert f"what it found: 1 failing row, e.g. contact_id={contact_id}" in out, out
    assert email not in out and phone not in out and "@" not in out


# --------------------------------------------------------------------------- publish on its own


def test_publish_refuses_a_table_with_pii_and_leaves_nothing_behind(tmp_path):
    from orchestration.serving.pii import PiiError
    from orchestration.serving.publish import publish

    warehouse = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute("create table marts.ok as select 1 as contact_id")
    con.execute("create table marts.leaky as select 1 as contact_id, 'a@b.c' as Email")
    con.close()
    serving = tmp_path / "serving"
    first = publish({"ok": "marts.ok"}, warehouse=warehouse, serving=serving)
    good = sha256(first.serving_file)
    with pytest.raises(PiiError, match="Email"):
        publish({"ok": "marts.ok", "leaky": "marts.leaky"}, warehouse=warehouse, serving=serving)
    assert sha256(first.serving_file) == good
    assert os.readlink(serving / "parquet").endswith(first.version)
    assert sorted(p.name for p in serving.iterdir()) == ["leadscore.duckdb", "parquet", "parquet.versions"]


# --------------------------------------------------------------------------- BI paths
# (earlier tests of the module run the job again: the served copy is read as it is now)


def _served(built, sql: str) -> list[tuple]:
    return query(built.home / "serving" / "leadscore.duckdb", sql)


def test_bi_path_duckdb_python_and_pandas(built):
    """docs/bi.md, Python: DuckDB read-only; its DataFrames have floats and datetimes."""
    import pandas as pd

    con = duckdb.connect(str(built.home / "serving" / "leadscore.duckdb"), read_only=True)
    try:
        df = con.sql("select contact_id, total_score, score_date from lead_scores").df()
    finally:
        con.close()
    [(rows, score_date)] = _served(built, "select count(*), max(score_date) from lead_scores")
    assert len(df) == rows > 0
    assert pd.api.types.is_float_dtype(df["total_score"])
    assert pd.api.types.is_datetime64_dtype(df["score_date"])
    assert set(df["score_date"].dt.date) == {score_date}


def test_bi_path_parquet_through_pyarrow_and_pandas(built):
    """docs/bi.md, Parquet: pyarrow reads every table of the current version; pandas gets
    floats for scores and, as documented, datetimes for dates."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = built.home / "serving" / "parquet"
    table = pq.read_table(folder / "lead_scores.parquet")
    assert table.num_rows == _served(built, "select count(*) from lead_scores")[0][0]
    assert pa.types.is_float64(table.schema.field("total_score").type)
    assert pa.types.is_date32(table.schema.field("score_date").type)
    history = pq.read_table(folder / "lead_score_changes")  # the monthly files of score history
    assert history.num_rows == _served(built, "select count(*) from lead_score_changes")[0][0]
    assert not [f for f in history.schema if pa.types.is_decimal(f.type)]
    df = pd.read_parquet(folder / "lead_scores.parquet", to_pandas_kwargs={"date_as_object": False})
    assert pd.api.types.is_float_dtype(df["total_score"])
    assert pd.api.types.is_datetime64_dtype(df["score_date"])


def test_bi_path_sqlalchemy_reflects_the_documented_marts(built):
    """docs/bi.md, Superset and notebooks: duckdb-engine on the pinned SQLAlchemy, with the
    documented URI; reflection lists the marts and carries the column comments."""
    import pandas as pd
    from sqlalchemy import create_engine, inspect, text

    path = built.home / "serving" / "leadscore.duckdb"
    engine = create_engine(f"duckdb:///{path}?access_mode=read_only")
    try:
        inspector = inspect(engine)
        assert public_tables() - {"lead_score_history"} <= set(inspector.get_table_names())
        assert "lead_score_history" in inspector.get_view_names()
        columns = {c["name"]: c for c in inspector.get_columns("lead_scores")}
        assert {"contact_id", "total_score", "band"} <= set(columns)
        assert columns["total_score"]["comment"]
        with engine.connect() as con:
            df = pd.read_sql(text("select band, count(*) as leads from lead_scores group by band"), con)
    finally:
        engine.dispose()
    assert df["leads"].sum() == _served(built, "select count(*) from lead_scores")[0][0]


def test_bi_path_leadscore_sql_is_a_read_only_duckdb_2_client(built):
    """docs/bi.md: `leadscore sql` (the pinned DuckDB 2.x) runs a query, a script on stdin
    (CSV with --csv), refuses writes and says what failed, exiting 1."""
    env = {**os.environ, "LEADSCORE_HOME": str(built.home)}

    def sql(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "sql", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    [(rows,)] = _served(built, "select count(*) from lead_scores")
    one = sql("select count(*) as leads from lead_scores")
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[0].strip() == "leads" and str(rows) in one.stdout
    script = sql(
        "--csv", stdin="select 1 as a;\nselect band, count(*) as n from lead_scores group by 1 order by 1;"
    )
    assert script.returncode == 0, script.stderr
    lines = script.stdout.splitlines()
    assert lines[:3] == ["a", "1", "band,n"]
    assert sum(int(line.split(",")[1]) for line in lines[3:]) == rows
    write = sql("delete from lead_scores")
    assert write.returncode == 1 and "error:" in write.stderr and "read-only" in write.stderr.lower()
    assert _served(built, "select count(*) from lead_scores") == [(rows,)]
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "sql",
            "--file",
            str(built.home / "nope.duckdb"),
            "select 1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_bi_path_parquet_views_give_duckdb_1x_tools_the_same_tables(built):
    """docs/bi.md, Metabase and Evidence (DuckDB 1.x inside): `leadscore sql --parquet-views`
    prints a script that, in an in-memory DuckDB, makes every relation of the copy a view
    over its Parquet files, with the same rows and the dbt descriptions as comments."""
    env = {**os.environ, "LEADSCORE_HOME": str(built.home)}
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "sql", "--parquet-views"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert str(built.home / "serving" / "parquet") in out.stdout  # absolute, through the link
    served = duckdb.connect(str(built.home / "serving" / "leadscore.duckdb"), read_only=True)
    views = duckdb.connect()
    try:
        views.execute(out.stdout)
        relations = [
            r
            for (r,) in served.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' union all "
                "select view_name from duckdb_views() where not internal and schema_name = 'main'"
            ).fetchall()
        ]
        made = {
            r for (r,) in views.execute("select view_name from duckdb_views() where not internal").fetchall()
        }
        assert set(relations) == made and "lead_score_history" in made
        for name in relations:
            # decimals are doubles in Parquet: rows are compared with decimals cast to double
            types = served.execute(f'select column_name, column_type from (describe "{name}")').fetchall()
            cells = ", ".join(
                f'cast("{c}" as double)::varchar' if t.startswith("DECIMAL") else f'"{c}"::varchar'
                for c, t in types
            )
            left = served.execute(f'select {cells} from "{name}" order by all').fetchall()
            right = views.execute(f'select {cells} from "{name}" order by all').fetchall()
            assert left == right, name
        [(comment,)] = views.execute(
            "select comment from duckdb_columns() "
            "where table_name = 'lead_scores' and column_name = 'total_score'"
        ).fetchall()
        assert comment
    finally:
        served.close()
        views.close()
