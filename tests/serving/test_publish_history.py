"""Score history is published by month: a publish rewrites only the months whose rows
changed, keeps the others (hard links in Parquet), and the serving view adds valid_to
exactly as the mart does. Runs serving.publish on a small hand-made warehouse."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.serving import publish as serving
from orchestration.serving.pii import PiiError

MART_SQL = """
create or replace view marts.lead_score_history as
select contact_id, model_id, model_version, valid_from,
       lead(valid_from) over (partition by contact_id, model_id, model_version order by valid_from)
           as valid_to,
       total_score
from marts.changes
"""


def _warehouse(path: Path, rows: list[tuple]) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.changes (contact_id varchar, model_id varchar, "
        "model_version integer, valid_from date, total_score decimal(18, 2))"
    )
    con.executemany("insert into marts.changes values (?, ?, ?, ?, ?)", rows)
    con.execute(MART_SQL)
    con.execute(
        "create or replace table marts.lead_scores as "
        "select contact_id, max(total_score) as total_score from marts.changes group by 1"
    )
    con.close()


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


TABLES = {"lead_score_history": "marts.lead_score_history", "lead_scores": "marts.lead_scores"}
D = dt.date


@pytest.fixture
def rows() -> list[tuple]:
    return [
        ("c1", "core", 1, D(2026, 1, 5), 10),
        ("c1", "core", 1, D(2026, 2, 7), 30),
        ("c1", "core", 1, D(2026, 3, 1), 55),
        ("c2", "core", 1, D(2026, 1, 9), 5),
        ("c2", "core", 2, D(2026, 2, 1), 12),
        ("c3", "core", 1, D(2026, 3, 20), 70),
    ]


def test_history_is_published_by_month_and_only_changed_months_are_rewritten(tmp_path, rows):
    wh, out = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _warehouse(wh, rows)
    first = serving.publish(TABLES, warehouse=wh, serving=out)
    assert first.rows == {"lead_score_history": 6, "lead_scores": 3}
    mart = "select * from marts.lead_score_history order by all"
    served = "select * from main.lead_score_history order by all"
    assert _rows(out / "leadscore.duckdb", served) == _rows(wh, mart)
    months = sorted(p.name for p in (out / "parquet" / "lead_score_changes").iterdir())
    assert months == ["2026-01.parquet", "2026-02.parquet", "2026-03.parquet"]

    # A new change in March and a corrected score in February; January untouched.
    _warehouse(
        wh,
        rows[:1] + [("c1", "core", 1, D(2026, 2, 7), 31)] + rows[2:] + [("c2", "core", 1, D(2026, 3, 30), 9)],
    )
    second = serving.publish(TABLES, warehouse=wh, serving=out)
    assert _rows(out / "leadscore.duckdb", served) == _rows(wh, mart)
    # valid_to of c2's January row now ends at its March change: the view computes it
    assert ("c2", "core", 1, D(2026, 1, 9), D(2026, 3, 30), 5) in _rows(out / "leadscore.duckdb", served)

    def inode(version: str, month: str) -> int:
        return os.stat(out / "parquet.versions" / version / "lead_score_changes" / f"{month}.parquet").st_ino

    assert inode(second.version, "2026-01") == inode(first.version, "2026-01")  # kept
    assert inode(second.version, "2026-02") != inode(first.version, "2026-02")  # rewritten
    assert inode(second.version, "2026-03") != inode(first.version, "2026-03")
    con = duckdb.connect()
    parquet_rows = con.execute(
        f"select * from read_parquet('{out}/parquet/lead_score_changes/*.parquet') order by all"
    ).fetchall()
    assert parquet_rows == _rows(wh, "select * from marts.changes order by all")

    # A month that vanishes from the warehouse vanishes from the serving copy.
    _warehouse(wh, [r for r in rows if r[3].month != 3])
    serving.publish(TABLES, warehouse=wh, serving=out)
    assert _rows(out / "leadscore.duckdb", served) == _rows(wh, mart)
    assert not (out / "parquet" / "lead_score_changes" / "2026-03.parquet").exists()


def test_a_publish_never_leaves_a_half_updated_copy_when_a_later_table_fails(tmp_path, rows):
    wh, out = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _warehouse(wh, rows)
    serving.publish(TABLES, warehouse=wh, serving=out)
    before = _rows(out / "leadscore.duckdb", "select * from main.lead_score_changes order by all")
    _warehouse(wh, rows + [("c9", "core", 1, D(2026, 3, 3), 1)])
    con = duckdb.connect(str(wh))
    con.execute("create or replace table marts.lead_scores as select 'x' as email")  # PII: refused
    con.close()
    with pytest.raises(PiiError):
        serving.publish(TABLES, warehouse=wh, serving=out)
    assert _rows(out / "leadscore.duckdb", "select * from main.lead_score_changes order by all") == before
    assert not [p for p in out.iterdir() if p.name.startswith(serving.TMP_PREFIX)]


# --------------------------------------------------------------------------- months compared


def _inodes(out: Path, version: str) -> dict[str, int]:
    folder = out / "parquet.versions" / version / "lead_score_changes"
    return {p.stem: p.stat().st_ino for p in folder.iterdir()}


def test_with_recheck_from_only_the_months_from_that_day_on_are_compared(tmp_path, rows):
    wh, out = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _warehouse(wh, rows)
    first = serving.publish(TABLES, warehouse=wh, serving=out)
    mart = "select * from marts.lead_score_history order by all"
    served = "select * from main.lead_score_history order by all"

    # A run whose window starts on 2026-02-15 changes February and March only.
    changed = (
        rows[:1] + [("c1", "core", 1, D(2026, 2, 20), 31)] + rows[2:] + [("c2", "core", 1, D(2026, 3, 30), 9)]
    )
    _warehouse(wh, changed)
    second = serving.publish(
        TABLES, warehouse=wh, serving=out, recheck_from={"lead_score_history": D(2026, 2, 15)}
    )
    assert _rows(out / "leadscore.duckdb", served) == _rows(wh, mart)
    assert second.rows == {"lead_score_history": 7, "lead_scores": 3}
    before, after = _inodes(out, first.version), _inodes(out, second.version)
    assert after["2026-01"] == before["2026-01"]  # not compared: the previous file
    assert after["2026-02"] != before["2026-02"] and after["2026-03"] != before["2026-03"]
    con = duckdb.connect()
    assert con.execute(
        f"select * from read_parquet('{out}/parquet/lead_score_changes/*.parquet') order by all"
    ).fetchall() == _rows(wh, "select * from marts.changes order by all")

    # Nothing changed at all (dt.date.max): no month compared, every file kept.
    third = serving.publish(
        TABLES, warehouse=wh, serving=out, recheck_from={"lead_score_history": dt.date.max}
    )
    assert _rows(out / "leadscore.duckdb", served) == _rows(wh, mart)
    assert _inodes(out, third.version) == after
    assert third.rows["lead_score_history"] == 7

    # The months before the window are the caller's word: a January change made behind its
    # back is not looked at with recheck_from, and is found by a publish comparing them all.
    _warehouse(wh, [("c1", "core", 1, D(2026, 1, 5), 11)] + changed[1:])
    serving.publish(TABLES, warehouse=wh, serving=out, recheck_from={"lead_score_history": D(2026, 3, 1)})
    assert ("c1", "core", 1, D(2026, 1, 5), D(2026, 2, 20), 10) in _rows(out / "leadscore.duckdb", served)
    serving.publish(TABLES, warehouse=wh, serving=out)
    assert _rows(out / "leadscore.duckdb", served) == _rows(wh, mart)


def test_recheck_from_is_ignored_when_there_is_no_previous_version_to_keep_months_from(tmp_path, rows):
    wh, out = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _warehouse(wh, rows)
    serving.publish(TABLES, warehouse=wh, serving=out, recheck_from={"lead_score_history": dt.date.max})
    assert _rows(out / "leadscore.duckdb", "select * from main.lead_score_history order by all") == _rows(
        wh, "select * from marts.lead_score_history order by all"
    )
    months = sorted(p.name for p in (out / "parquet" / "lead_score_changes").iterdir())
    assert months == ["2026-01.parquet", "2026-02.parquet", "2026-03.parquet"]


@pytest.mark.parametrize(
    "recheck", [None, {"lead_score_history": D(2026, 3, 1)}], ids=["all months", "recent"]
)
def test_after_a_kill_between_the_two_renames_no_parquet_month_of_the_old_version_is_reused(
    tmp_path, rows, recheck
):
    """Killed after the DuckDB file was renamed and before the Parquet link was: the copy is
    the new version, the link still names the old one, whose month files no longer match
    the copy. The next publish must not take them for the copy's."""
    wh, out = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _warehouse(wh, rows)
    first = serving.publish(TABLES, warehouse=wh, serving=out)
    _warehouse(wh, rows[:-1] + [("c3", "core", 1, D(2026, 3, 20), 71)])
    serving.publish(TABLES, warehouse=wh, serving=out)
    link = out / "parquet"
    tmp_link = out / ".publishing-test.link"
    os.symlink(os.path.join("parquet.versions", first.version), tmp_link)
    os.replace(tmp_link, link)  # the state the kill left: new DuckDB file, old Parquet link
    serving.publish(TABLES, warehouse=wh, serving=out, recheck_from=recheck)
    con = duckdb.connect()
    assert con.execute(
        f"select * from read_parquet('{out}/parquet/lead_score_changes/*.parquet') order by all"
    ).fetchall() == _rows(wh, "select * from marts.changes order by all")
    assert _rows(out / "leadscore.duckdb", "select * from main.lead_score_history order by all") == _rows(
        wh, "select * from marts.lead_score_history order by all"
    )


def test_mql_events_is_kept_up_to_date_by_month_as_one_table_and_one_parquet_file(tmp_path):
    wh, out = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    events = [
        ("c1", "core", 1, D(2026, 1, 5), "up"),
        ("c1", "core", 1, D(2026, 2, 7), "down"),
        ("c2", "core", 1, D(2026, 3, 1), "up"),
    ]

    def build(rows):
        con = duckdb.connect(str(wh))
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.mql_events (contact_id varchar, model_id varchar, "
            "model_version integer, event_date date, direction varchar)"
        )
        con.executemany("insert into marts.mql_events values (?, ?, ?, ?, ?)", rows)
        con.close()

    tables = {"mql_events": "marts.mql_events"}
    build(events)
    serving.publish(tables, warehouse=wh, serving=out)
    build(events[:2] + [("c2", "core", 1, D(2026, 3, 1), "down"), ("c3", "core", 1, D(2026, 3, 9), "up")])
    second = serving.publish(tables, warehouse=wh, serving=out, recheck_from={"mql_events": D(2026, 3, 2)})
    want = _rows(wh, "select * from marts.mql_events order by all")
    assert second.rows == {"mql_events": 4}
    assert _rows(out / "leadscore.duckdb", "select * from main.mql_events order by all") == want
    assert _rows(
        out / "leadscore.duckdb",
        "select table_type from information_schema.tables where table_name = 'mql_events'",
    ) == [("BASE TABLE",)]
    assert sorted(p.name for p in (out / "parquet").iterdir()) == ["mql_events.parquet"]
    con = duckdb.connect()
    assert con.execute(f"select * from read_parquet('{out}/parquet/mql_events.parquet')").fetchall() == want


# --------------------------------------------------------------------------- the ledger


@pytest.fixture
def ledger_home(tmp_path, monkeypatch):
    from orchestration.serving import ledger as publish_ledger

    monkeypatch.setenv("LEADSCORE_HOME", str(tmp_path))
    wh = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(wh)).close()
    return publish_ledger, wh


MONTHLY = {"lead_score_history": ["int_lead_score_changes"], "other": None}


def test_ledger_vouches_for_months_only_after_writes_it_followed(ledger_home):
    L, wh = ledger_home
    assert L.recheck_from(MONTHLY, None, wh) == {}  # no ledger yet: compare everything
    L.published("v1", wh)
    # The project as dbt built it is not known yet: everything, until a dbt build says.
    assert L.recheck_from(MONTHLY, "v1", wh) == {}
    with L.warehouse_write("dbt build", wh) as w:
        w.project = "p1"
        w.history_changed({})
    L.published("v2", wh)
    assert L.recheck_from(MONTHLY, "v2", wh) == {"lead_score_history": dt.date.max}

    with L.warehouse_write("ingest", wh) as w:
        w.history_untouched()
        duckdb.connect(str(wh)).execute("create table t as select 1 as x").close()
    with L.warehouse_write("dbt build", wh) as w:
        w.project = "p1"
        w.history_changed({"int_lead_score_changes": D(2026, 3, 4), "int_event_rule_matches": D(2026, 1, 1)})
    with L.warehouse_write("dbt build", wh) as w:
        w.project = "p1"
        w.history_changed({"int_lead_score_changes": D(2026, 3, 2)})
    assert L.recheck_from(MONTHLY, "v2", wh) == {"lead_score_history": D(2026, 3, 2)}
    assert L.recheck_from(MONTHLY, "v1", wh) == {}  # not the version the ledger follows

    # A write through leadscore that does not say what it changed (leadscore build).
    with L.warehouse_write("leadscore build", wh):
        pass
    assert L.recheck_from(MONTHLY, "v2", wh) == {}
    L.published("v3", wh)
    assert L.recheck_from(MONTHLY, "v3", wh) == {"lead_score_history": dt.date.max}

    # A write the ledger did not see (dbt or a script run by hand).
    duckdb.connect(str(wh)).execute("create table u as select 1 as x").close()
    assert L.recheck_from(MONTHLY, "v3", wh) == {}
    with L.warehouse_write("ingest", wh) as w:
        w.history_untouched()
    assert L.recheck_from(MONTHLY, "v3", wh) == {}  # still everything until the next publish
    L.published("v4", wh)

    # The project changed (a seed edit changes every month of a mart joining it).
    with L.warehouse_write("dbt build", wh) as w:
        w.project = "p2"
        w.history_changed({"int_lead_score_changes": D(2026, 3, 2)})
    assert L.recheck_from(MONTHLY, "v4", wh) == {}
    L.published("v5", wh)
    assert L.recheck_from(MONTHLY, "v5", wh) == {"lead_score_history": dt.date.max}


def test_a_write_killed_before_it_ended_leaves_the_ledger_saying_everything(ledger_home):
    L, wh = ledger_home
    with L.warehouse_write("dbt build", wh) as w:
        w.project = "p1"
        w.history_changed({})
    L.published("v1", wh)
    write = L.warehouse_write("dbt build", wh)
    write.__enter__()  # and never ends: the process was killed
    assert L.recheck_from(MONTHLY, "v1", wh) == {}


def test_the_window_is_read_from_the_sql_dbt_ran():
    from orchestration.serving.ledger import _window_start

    rel = '"warehouse"."intermediate"."int_lead_score_changes"'
    windowed = (
        f"delete from {rel}\n    where valid_from >= cast('2026-10-29' as date);\n\n"
        f'    insert into {rel} ("a")\n    select "a" from x\n'
    )
    assert _window_start(windowed, rel, "valid_from") == D(2026, 10, 29)
    assert _window_start(f"delete from {rel};\n\n insert into {rel} select 1", rel, "valid_from") is None
    assert _window_start(f"create table {rel} as (select 1)", rel, "valid_from") is None
    assert _window_start(windowed, rel, "occurred_date") is None
    assert _window_start(windowed + f"; delete from {rel}", rel, "valid_from") is None
    # a run that recomputed only the leads it touched narrows its delete: the same day
    touched = (
        f"delete from {rel}\n    where valid_from >= cast('2026-10-29' as date)\n"
        f"        and (\n            contact_id in (select contact_id from t)\n"
        f"            or valid_from > cast('2026-11-05' as date)\n        );\n"
        f'    insert into {rel} ("a")\n    select "a" from t\n'
    )
    assert _window_start(touched, rel, "valid_from") == D(2026, 10, 29)
    assert _window_start(touched.replace(" and (", " or ("), rel, "valid_from") is None
