"""The blocking key check on raw.events (GX, before dbt): a large load is validated in
buckets split by a hash of event_id, so a duplicate is found whichever files, loads or
buckets its two rows come from, and every row is validated exactly once."""

from __future__ import annotations

import duckdb

from orchestration.defs.checks.gx import validate_event_keys
from orchestration.runtime import config

EPOCH = "1970-01-01 00:00:00"
WATERMARK = "2026-01-02 00:00:00"


def _raw_events(path, rows):
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute(
        "create table raw.events (event_id varchar, contact_id varchar, event_type varchar, "
        "occurred_at timestamp, _file varchar, _loaded_at timestamp)"
    )
    con.executemany("insert into raw.events values (?, ?, ?, ?, ?, ?)", rows)
    con.close()


def _rows(n, file, loaded_at, start=0):
    return [
        (f"e{i}", f"c{i % 7}", "page_view", "2026-01-01 10:00:00", file, loaded_at)
        for i in range(start, start + n)
    ]


def _check(path, since, chunk_rows):
    con = config.connect(path, read_only=True)
    try:
        return validate_event_keys(con, since, chunk_rows)
    finally:
        con.close()


def test_a_clean_large_load_passes_in_buckets_and_validates_every_row(home):
    db = home / "warehouse.duckdb"
    _raw_events(
        db,
        _rows(300, "a.parquet", "2026-01-01 00:00:00")
        + _rows(300, "b.parquet", "2026-01-01 00:00:00", start=300),
    )
    files, outcomes = _check(db, EPOCH, chunk_rows=100)
    assert [f for f, _, _ in files] == ["a.parquet", "b.parquet"]
    assert len(outcomes) > 3  # several buckets
    assert all(o.success for o in outcomes)
    assert sum(o.rows for o in outcomes) == 600
    assert not list((home / ".checks").glob("keys-*"))  # the bucket files are removed


def test_a_duplicate_across_files_and_buckets_and_a_null_key_fail_it(home):
    db = home / "warehouse.duckdb"
    dup = ("e5", "c9", "email_open", "2026-01-01 11:00:00", "b.parquet", "2026-01-01 00:00:00")
    null_key = (None, "c1", "email_open", "2026-01-01 11:00:00", "b.parquet", "2026-01-01 00:00:00")
    _raw_events(db, _rows(300, "a.parquet", "2026-01-01 00:00:00") + [dup, null_key])
    files, outcomes = _check(db, EPOCH, chunk_rows=50)
    assert len(outcomes) > 3 and sum(o.rows for o in outcomes) == 302
    failures = [f for o in outcomes if not o.success for f in o.failures]
    assert any("unique" in f.lower() and "event_id" in f for f in failures), failures
    assert any("null" in f.lower() for f in failures), failures


def test_a_new_row_repeating_an_id_validated_before_fails_it(home):
    """Only the rows after the watermark are new, but they are checked against the
    earlier rows sharing their ids, in one frame or in buckets."""
    db = home / "warehouse.duckdb"
    old = _rows(200, "old.parquet", "2026-01-01 00:00:00")
    new = _rows(20, "new.parquet", "2026-01-03 00:00:00", start=200)
    again = [("e17", "c3", "page_view", "2026-01-02 09:00:00", "new.parquet", "2026-01-03 00:00:00")]
    _raw_events(db, old + new + again)
    for chunk_rows in (1_000, 5):
        files, outcomes = _check(db, WATERMARK, chunk_rows)
        assert [f for f, _, _ in files] == ["new.parquet"]
        assert sum(o.rows for o in outcomes) == 22  # 21 new rows and the earlier e17
        assert not all(o.success for o in outcomes), chunk_rows
    # without the repeated id the same new rows pass
    con = duckdb.connect(str(db))
    con.execute("delete from raw.events where event_id = 'e17' and _file = 'new.parquet'")
    con.close()
    for chunk_rows in (1_000, 5):
        _, outcomes = _check(db, WATERMARK, chunk_rows)
        assert all(o.success for o in outcomes) and sum(o.rows for o in outcomes) == 20
