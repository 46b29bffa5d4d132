"""Score history is published by month: a publish rewrites only the months whose rows
changed, keeps the others (hard links in Parquet), and the serving view adds valid_to
exactly as the mart does. Runs serving.publish on a small hand-made warehouse."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from orchestration import serving

MART_SQL = """
create or replace view marts.lead_score_history as
select contact_id, model_id, model_version, valid_from,
       lead(valid_from) over (partition by contact_id, model_id, model_version order by valid_from) as valid_to,
       total_score
from marts.changes
"""


def _warehouse(path: Path, rows: list[tuple]) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.changes (contact_id varchar, model_id varchar, "
                "model_version integer, valid_from date, total_score decimal(18, 2))")
    con.executemany("insert into marts.changes values (?, ?, ?, ?, ?)", rows)
    con.execute(MART_SQL)
    con.execute("create or replace table marts.lead_scores as "
                "select contact_id, max(total_score) as total_score from marts.changes group by 1")
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
        ("c1", "core", 1, D(2026, 1, 5), 10), ("c1", "core", 1, D(2026, 2, 7), 30),
        ("c1", "core", 1, D(2026, 3, 1), 55), ("c2", "core", 1, D(2026, 1, 9), 5),
        ("c2", "core", 2, D(2026, 2, 1), 12), ("c3", "core", 1, D(2026, 3, 20), 70),
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
    _warehouse(wh, rows[:1] + [("c1", "core", 1, D(2026, 2, 7), 31)] + rows[2:]
               + [("c2", "core", 1, D(2026, 3, 30), 9)])
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
        f"select * from read_parquet('{out}/parquet/lead_score_changes/*.parquet'"
        ") order by all").fetchall()
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
    with pytest.raises(serving.PiiError):
        serving.publish(TABLES, warehouse=wh, serving=out)
    assert _rows(out / "leadscore.duckdb", "select * from main.lead_score_changes order by all") == before
    assert not [p for p in out.iterdir() if p.name.startswith(serving.TMP_PREFIX)]


def test_after_a_kill_between_the_two_renames_no_parquet_month_of_the_old_version_is_reused(tmp_path, rows):
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
    serving.publish(TABLES, warehouse=wh, serving=out)
    con = duckdb.connect()
    assert con.execute(f"select * from read_parquet('{out}/parquet/lead_score_changes/*.parquet') order by all"
                       ).fetchall() == _rows(wh, "select * from marts.changes order by all")
    assert _rows(out / "leadscore.duckdb", "select * from main.lead_score_history order by all") == \
        _rows(wh, "select * from marts.lead_score_history order by all")
