"""The key check on raw.events, incremental and bounded in memory.

Only the rows loaded since the check last passed are validated (a watermark on
_loaded_at), together with the earlier rows sharing their event_ids; a large load is
validated in buckets split by a hash of event_id.
"""

from __future__ import annotations

import os
import shutil
import uuid

from orchestration.defs.checks.suites import EVENT_KEYS
from orchestration.defs.checks.validation import SuiteOutcome, run_suite
from orchestration.runtime import config

KEY_CHECK_CHUNK_ROWS = 2_000_000  # rows per GX validation: bounds the check's memory


def _watermark_file():
    return config.home() / ".checks" / "events_keys.validated_through"


def watermark() -> str:
    """_loaded_at up to which raw.events rows passed the key check (epoch when never)."""
    path = _watermark_file()
    return path.read_text().strip() if path.exists() else "1970-01-01 00:00:00"


def advance_watermark(value) -> None:
    path = _watermark_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(str(value))
    os.replace(tmp, path)


_KEY_COLUMNS = "event_id, contact_id, event_type, occurred_at"


def validate_event_keys(con, since: str, chunk_rows: int) -> tuple[list, list[SuiteOutcome]]:
    """The key suite on the rows of raw.events loaded after `since`, together with the
    earlier rows sharing their event_ids. Returns the files validated (name, rows, newest
    _loaded_at) and one outcome per chunk.

    Up to `chunk_rows` rows: one frame. More (a first load, a backfill): the rows are split
    by a hash of event_id into buckets of about `chunk_rows`, written once to Parquet
    (one scan of the table), and each bucket is validated on its own: rows sharing an id
    share a bucket, so uniqueness is checked whole, and memory stays bounded.
    """
    files = con.execute(
        "select _file, count(*), max(_loaded_at) from raw.events "
        "where _loaded_at > cast(? as timestamp) group by _file order by _file",
        [since],
    ).fetchall()
    rows = sum(n for _, n, _ in files)
    if not rows:
        return files, []  # GX is imported only with rows to validate: it takes seconds to load
    buckets = max(1, -(-rows // chunk_rows))
    since_sql = "'" + str(since).replace("'", "''") + "'"
    loaded = f"select {_KEY_COLUMNS} from raw.events where _loaded_at > cast({since_sql} as timestamp)"
    [(has_earlier,)] = con.execute(
        f"select exists (select 1 from raw.events where _loaded_at <= cast({since_sql} as timestamp))"
    ).fetchall()
    # no earlier rows (a first validation): no join, which would hash every id of the load
    query = (
        loaded
        if not has_earlier
        else f"""
        with loaded as ({loaded})
        select {_KEY_COLUMNS} from loaded
        union all
        select e.event_id, e.contact_id, e.event_type, e.occurred_at
        from raw.events as e
        where e._loaded_at <= cast({since_sql} as timestamp)
            and e.event_id in (select event_id from loaded)
    """
    )
    if buckets == 1:
        frame = con.execute(query).df()
        return files, [run_suite(EVENT_KEYS, frame)]
    checks = config.home() / ".checks"
    for stale in checks.glob("keys-*"):  # left by a check that was killed (runs never overlap)
        shutil.rmtree(stale, ignore_errors=True)
    tmp = checks / f"keys-{uuid.uuid4().hex}"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        # streamed, not buffered: the order of rows does not matter, memory does
        con.execute("set preserve_insertion_order = false")
        con.execute(
            f"copy (select *, hash(event_id) % {buckets} as bucket from ({query})) "
            f"to '{tmp}' (format parquet, partition_by (bucket))"
        )
        con.execute("reset preserve_insertion_order")  # the caller's connection, as it was
        outcomes = []
        for part in sorted(tmp.glob("bucket=*")):
            frame = con.execute(f"select {_KEY_COLUMNS} from read_parquet(?)", [f"{part}/*.parquet"]).df()
            outcomes.append(run_suite(EVENT_KEYS, frame))
        return files, outcomes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
