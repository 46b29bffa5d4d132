"""The same project on Spark: one generated dataset, scored by dbt on DuckDB and by
dbt-spark on a local Spark session, gives the same lead_scores, lead_score_history and
score_contributions — after a full build, and again after an incremental run that
re-scores an earlier day (its window's later days must be cleared on both engines).

Spark starts slowly and dbt-spark runs one statement at a time: the dataset is small
(300 contacts, 30 days) and Spark runs local[2] with 2 shuffle partitions (profile
`spark` in profiles.example.yml). The duration is printed (pytest -s to see it)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR, run_cli

from orchestration.runtime.dbt import dbt_env, profiles_dir

START = dt.date(2026, 1, 1)
DAYS = 30
LAST = START + dt.timedelta(days=DAYS - 1)
EARLIER = LAST - dt.timedelta(days=3)

# table -> its key (sort order, and what a mismatch is reported by)
MARTS = {
    "lead_scores": ["contact_id", "model_id"],
    "lead_score_history": ["contact_id", "model_id", "model_version", "valid_from"],
    "score_contributions": ["contact_id", "model_id", "model_version", "rule_id"],
}


def _dbt(home: Path, target: str, command: str, *args: str) -> str:
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            command,
            *args,
            "--target",
            target,
            "--target-path",
            str(home / f"target_{target}"),
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(profiles_dir()),
        ],
        cwd=PROJECT_DIR,
        env={**dbt_env(), "SPARK_LOCAL_IP": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    # pyspark logs failed statements as JSON lines: keep dbt's own lines for the report
    out = "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("{"))
    # dbt's own error lines first: a failing unit test's message sits above its long plan
    errors = "\n".join(line for line in out.splitlines() if "Error" in line or "FAIL" in line)
    assert proc.returncode == 0, (
        f"dbt {command} --target {target} {' '.join(args)} failed:\n{errors[:4000]}\n...\n{out[-3000:]}"
    )
    return out


def _build(home: Path, target: str, command: str, vars: dict) -> float:
    """dbt build (or run) with vars; on Spark the marts are unloaded to Parquet at the
    end of the same run (on-run-end), as the session that computed them sees them."""
    if target == "spark":
        vars = {
            **vars,
            "unload_dir": str(home / "spark_unload"),
            "unload_relations": [f"marts.{table}" for table in MARTS],
        }
    started = time.monotonic()
    out = _dbt(home, target, command, "--vars", json.dumps(vars))
    assert "ERROR=0" in out and "SKIP=0" in out, out[-3000:]
    return time.monotonic() - started


def _normal(value):
    # Scores are decimal(18,2) on both engines and compared exactly. A double (none in
    # these marts today) would be compared to 9 decimals: engines may differ in the last
    # bits of a float sum, never in the 9th decimal of a score. A Spark `timestamp` is an
    # instant (Parquet: adjusted to UTC), DuckDB's a naive UTC time: compared in UTC.
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _read(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str], key: list[str]) -> list[tuple]:
    rows = con.execute(f"select {', '.join(columns)} from {relation} order by {', '.join(key)}").fetchall()
    return [tuple(_normal(v) for v in row) for row in rows]


def _duckdb_marts(home: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        marts = {}
        for table, key in MARTS.items():
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            marts[table] = (columns, _read(con, f"marts.{table}", columns, key))
        return marts
    finally:
        con.close()


def _spark_marts(home: Path, columns_of: dict[str, list[str]]) -> dict[str, tuple[list[str], list[tuple]]]:
    """The marts as Spark computed them, unloaded by Spark to Parquet at the end of the
    run (lead_score_history is a view) and read back with DuckDB."""
    folder = home / "spark_unload"
    con = duckdb.connect()
    try:
        marts = {}
        for table, key in MARTS.items():
            files = sorted((folder / f"marts.{table}").glob("*.parquet"))
            assert files, f"Spark unloaded no files for marts.{table} under {folder}"
            relation = f"read_parquet({json.dumps([str(f) for f in files])})"
            spark_columns = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
            assert sorted(spark_columns) == sorted(columns_of[table]), table
            marts[table] = (columns_of[table], _read(con, relation, columns_of[table], key))
        return marts
    finally:
        con.close()


def _columns(table: tuple[list[str], list[tuple]]) -> dict[str, tuple]:
    """A table as (column names, rows) turned into column name -> values."""
    names, rows = table
    return dict(zip(names, zip(*rows, strict=True), strict=True))


def _assert_same(duck: dict, spark: dict, when: str) -> None:
    for table in MARTS:
        columns, duck_rows = duck[table]
        _, spark_rows = spark[table]
        assert duck_rows, f"{when}: marts.{table} is empty on DuckDB: nothing was compared"
        if duck_rows == spark_rows:
            continue
        only_duck = [r for r in duck_rows if r not in set(spark_rows)][:5]
        only_spark = [r for r in spark_rows if r not in set(duck_rows)][:5]
        pytest.fail(
            f"{when}: marts.{table} differs: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark\n"
            f"columns: {columns}\nonly on DuckDB: {only_duck}\nonly on Spark: {only_spark}"
        )


@pytest.mark.slow
def test_spark_scores_equal_duckdb(home):
    if shutil.which("java") is None:
        pytest.fail("Spark needs Java 17+ on PATH (java not found)")
    started = time.monotonic()

    run_cli(
        "generate", "--contacts", "300", "--days", str(DAYS), "--start", START.isoformat(), "--seed", "11"
    )
    run_cli("ingest")
    exported = run_cli("export-raw")
    assert "6 tables" in exported.stdout, exported.stdout
    assert (home / "raw_parquet" / "events" / "part-00000.parquet").exists()

    full = {"score_date": LAST.isoformat()}
    # Re-score an earlier day after the later ones: the window EARLIER-7..EARLIER is
    # recomputed and the days after EARLIER, whose recomputed content is empty, must go.
    rerun = {"score_date": EARLIER.isoformat(), "history_start": EARLIER.isoformat()}

    seconds = {}
    seconds["duckdb build"] = _build(home, "duckdb", "build", full)
    duck_full = _duckdb_marts(home)
    seconds["duckdb re-run"] = _build(home, "duckdb", "run", rerun)
    duck_rerun = _duckdb_marts(home)
    columns_of = {table: duck_full[table][0] for table in MARTS}
    history = _columns(duck_rerun["lead_score_history"])
    assert max(history["valid_from"]) <= EARLIER, "the re-run must have cleared the later days on DuckDB"
    assert max(_columns(duck_full["lead_score_history"])["valid_from"]) > EARLIER

    # The full build runs every seed, model, data test and unit test on Spark; the
    # re-run only the models (their tests ran in the build).
    seconds["spark build"] = _build(home, "spark", "build", full)
    _assert_same(duck_full, _spark_marts(home, columns_of), "full build")
    seconds["spark re-run"] = _build(home, "spark", "run", rerun)
    _assert_same(duck_rerun, _spark_marts(home, columns_of), f"incremental re-run of {EARLIER}")

    total = time.monotonic() - started
    print(
        f"\ntest_spark: {total:.0f} s in all ("
        + ", ".join(f"{step} {value:.0f} s" for step, value in seconds.items())
        + "); "
        + ", ".join(f"{t} {len(duck_full[t][1])} rows" for t in MARTS)
    )


def test_export_raw_before_ingest_says_what_to_do(home):
    proc = run_cli("export-raw", check=False)
    assert proc.returncode == 1
    assert "run `leadscore ingest` first" in proc.stderr
    assert not (home / "raw_parquet" / "events").exists()
