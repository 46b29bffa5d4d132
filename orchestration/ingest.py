"""Load landing files into the warehouse's raw schema, exactly once, quarantining bad rows.

Public API (used by the CLI and Dagster):

    ensure_raw_schema(con)                        create schema raw and all its tables
    ingest(landing=None, warehouse=None, progress=None) -> IngestSummary
    WarehouseLockedError                          raised when another process holds the file

Layout read: <landing>/<entity>/*.{csv,jsonl,parquet}; entities in contract order, files
in name order; hidden files and *.tmp are ignored (write as .tmp, then rename), any other
file in an entity folder is logged `failed` ("unsupported format").

A file is identified by the sha256 of its bytes. Per file, all of its raw rows, its
quarantine rows and its load_log row are written in one DuckDB transaction, so a crash
never leaves a file half loaded; the next ingest loads it again from scratch.

load_log has one row per (file, checksum):
  loaded   the content was loaded (rows_read = rows_loaded + rows_quarantined + rows_duplicate)
  skipped  the same bytes, same entity and format, were already loaded under another name:
           rows_* = 0 and `note` names the original file
  failed   the file could not be read at all (`error` says why); retried by every ingest,
           its row is replaced by the outcome of the retry (a fixed file then loads)
An already loaded or skipped (file, checksum) is not touched again: rerunning changes
nothing. A file whose content changes under the same name is new content and is loaded
(its earlier `loaded` row stays, so the raw table holds both versions' rows).

Decisions: a 0-byte CSV or Parquet file fails ("empty file"), a 0-byte JSONL file loads 0
rows; a header-only CSV loads 0 rows; a JSONL file without a single valid JSON line fails
(not JSONL); blank lines are not rows. See ingest_sql for typing, validation and reason
codes, ingest_readers for the readers and row numbering.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from orchestration import config
from orchestration import contract as C
from orchestration import ingest_readers as R
from orchestration import ingest_sql as S

FORMAT_OF = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
HASH_CHUNK = 8 << 20


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB warehouse file."""


@dataclass
class IngestSummary:
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0  # logged `skipped` by this run (same content under another name)
    files_failed: int = 0
    files_unchanged: int = 0  # already loaded/skipped before: nothing done
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_loaded_by_entity: dict[str, int] = field(default_factory=lambda: {e: 0 for e in C.ENTITIES})
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, error)
    wall_seconds: float = 0.0


@dataclass
class _Landed:
    path: Path
    rel: str  # "<entity>/<name>", the `file` recorded everywhere
    entity: C.Entity
    fmt: str | None  # None: unsupported extension
    checksum: str = ""
    size: int = 0
    mtime_ns: int = 0
    maybe_blank_lines: bool = False


@dataclass
class _Counts:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0


# --------------------------------------------------------------------------- schema


def _ensure_table(con, table: str, columns) -> None:
    con.execute(S.create_table_sql(table, columns))
    schema, name = table.split(".", 1)
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, name.strip('"')],
        ).fetchall()
    }
    for col, typ in columns:
        if col not in have:  # the contract gained an optional column
            con.execute(f"ALTER TABLE {table} ADD COLUMN {S.ident(col)} {typ}")


def ensure_raw_schema(con) -> None:
    """Create schema raw, one table per contract entity, raw.quarantine and raw.load_log.

    Idempotent; also adds columns the contract gained since the tables were created.
    """
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for entity in C.ENTITIES.values():
        _ensure_table(con, S.raw_table(entity), S.entity_columns_ddl(entity))
    _ensure_table(con, "raw.quarantine", S.QUARANTINE_COLUMNS)
    _ensure_table(con, "raw.load_log", S.LOAD_LOG_COLUMNS)
    _ensure_key_index(con)


def _ensure_key_index(con) -> None:
    """Create the key index tables; (re)build one from its raw table when it is missing
    rows (a warehouse from before the index) or DuckDB now hashes differently."""
    _ensure_table(con, "raw._key_index_meta", (("canary", "UBIGINT"),))
    canary = con.execute("SELECT hash(?)", [S.KEY_HASH_CANARY]).fetchall()[0][0]
    stored = con.execute("SELECT canary FROM raw._key_index_meta").fetchall()
    same_hash = stored == [(canary,)]
    for entity in C.ENTITIES.values():
        index = S.key_index_table(entity)
        _ensure_table(con, index, S.KEY_INDEX_COLUMNS)
        if same_hash:
            [(n_raw,)] = con.execute(f"SELECT count(*) FROM {S.raw_table(entity)}").fetchall()
            [(n_idx,)] = con.execute(f"SELECT count(*) FROM {index}").fetchall()
            if n_raw == n_idx:
                continue

        def rebuild(entity=entity, index=index):
            con.execute(f"DELETE FROM {index}")
            con.execute(f"INSERT INTO {index} SELECT {S.key_hash_expr(entity)}, _file, _row_number "
                        f"FROM {S.raw_table(entity)}")

        _in_transaction(con, rebuild)
    if not same_hash:
        def record():
            con.execute("DELETE FROM raw._key_index_meta")
            con.execute("INSERT INTO raw._key_index_meta VALUES (?)", [canary])

        _in_transaction(con, record)


# --------------------------------------------------------------------------- helpers


def _connect(warehouse: Path):
    import duckdb

    try:
        con = config.connect(warehouse)
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise WarehouseLockedError(
                f"cannot open the warehouse {warehouse}: another process holds it (DuckDB allows a single "
                f"writer). Wait for the other load or dbt run to finish, then retry. DuckDB said: {e}"
            ) from e
        raise
    # Ordinals of staged rows rely on insertion order; no progress bars in job logs.
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    return con


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _fingerprint(lf: _Landed) -> None:
    """sha256 of the bytes (streamed), size, mtime; for CSV whether a blank line may exist."""
    st = lf.path.stat()
    lf.size, lf.mtime_ns = st.st_size, st.st_mtime_ns
    h = hashlib.sha256()
    look = lf.fmt == "csv"
    blank = False
    tail = b""
    with open(lf.path, "rb", buffering=0) as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
            if look and not blank:
                edge = tail + chunk[:2]
                blank = b"\n\n" in edge or b"\n\r\n" in edge or b"\n\n" in chunk or b"\n\r\n" in chunk
                tail = chunk[-2:]
    lf.checksum = h.hexdigest()
    lf.maybe_blank_lines = blank


def _changed(lf: _Landed) -> bool:
    try:
        st = lf.path.stat()
    except FileNotFoundError:
        return True
    return (st.st_size, st.st_mtime_ns) != (lf.size, lf.mtime_ns)


def _discover(landing: Path, progress) -> list[_Landed]:
    out = []
    for p in sorted(landing.iterdir()):
        if p.is_dir() and p.name not in C.ENTITIES and not p.name.startswith("."):
            progress(f"ignoring folder {p.name}/: not an entity of the landing contract")
    for entity in C.ENTITIES.values():
        folder = landing / entity.name
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir(), key=lambda p: p.name):
            if p.name.startswith(".") or p.name.endswith(".tmp") or not p.is_file():
                continue
            out.append(_Landed(p, f"{entity.name}/{p.name}", entity, FORMAT_OF.get(p.suffix.lower())))
    return out


def _log_row(con, lf: _Landed, status: str, counts: _Counts, at: datetime, secs: float, error=None, note=None):
    con.execute(
        "DELETE FROM raw.load_log WHERE file = ? AND (status = 'failed' OR checksum = ?)", [lf.rel, lf.checksum]
    )
    con.execute(
        """INSERT INTO raw.load_log (file, entity, checksum, format, bytes, status, rows_read, rows_loaded,
               rows_quarantined, rows_duplicate, loaded_at, duration_seconds, error, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            lf.rel,
            lf.entity.name,
            lf.checksum,
            lf.fmt,
            lf.size,
            status,
            counts.rows_read,
            counts.rows_loaded,
            counts.rows_quarantined,
            counts.rows_duplicate,
            at,
            round(secs, 3),
            error,
            note,
        ],
    )


def _in_transaction(con, fn) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        fn()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# --------------------------------------------------------------------------- one file


def _load(con, lf: _Landed, at: datetime, t0: float) -> _Counts:
    entity = lf.entity
    staged = R.stage(con, lf.path, lf.fmt, entity, lf.size, lf.maybe_blank_lines)
    con.execute(
        f"CREATE TEMP TABLE _ingest_checked AS {S.checked_sql(entity, staged.src, S.future_limit_for(at))}"
    )
    total, bad = con.execute("SELECT count(*), count(_reason_code) FROM temp._ingest_checked").fetchone()
    if lf.fmt == "jsonl" and total > 0:
        invalid = con.execute(
            "SELECT count(*) FROM temp._ingest_checked WHERE _reason_code = 'invalid_json'"
        ).fetchone()[0]
        if invalid == total:
            raise R.FileUnreadable(f"none of its {total} non-blank lines is valid JSON: not a JSONL file")
    con.execute(f"CREATE TEMP TABLE _ingest_dedup AS {S.dedup_sql(entity, 'temp._ingest_checked')}")
    dup, conflict = con.execute(
        "SELECT count(*) FILTER (WHERE _status = 'duplicate'), count(*) FILTER (WHERE _status = 'conflict') "
        "FROM temp._ingest_dedup"
    ).fetchone()
    counts = _Counts(total, total - bad - dup - conflict, bad + conflict, dup)
    con.execute(
        """CREATE TEMP TABLE _ingest_q AS
           SELECT _row_number, _reason_code AS reason_code, _reason AS reason
           FROM temp._ingest_checked WHERE _reason_code IS NOT NULL
           UNION ALL
           SELECT _row_number, 'conflicting_duplicate', _reason FROM temp._ingest_dedup WHERE _status = 'conflict'"""
    )
    if counts.rows_quarantined:
        con.execute(f"CREATE TEMP TABLE _ingest_qraw AS {staged.raw_content_sql('temp._ingest_q')}")
    else:
        con.execute("CREATE TEMP TABLE _ingest_qraw (_row_number BIGINT, raw_content VARCHAR)")
    R.drop_staging(con)  # free the staged copy of the file before the big insert
    if _changed(lf):
        raise R.FileUnreadable("the file changed while it was being loaded (write landing files as *.tmp, then rename)")

    cols = ", ".join(S.ident(c.name) for c in entity.columns)
    meta = "_extra, _file, _row_number, _checksum, _row_hash, _loaded_at"

    def write():
        con.execute(
            f"""INSERT INTO {S.raw_table(entity)} ({cols}, {meta})
                SELECT {cols}, _extra, {S.lit(lf.rel)}, _row_number, {S.lit(lf.checksum)}, _row_hash, {S.lit(at)}
                FROM temp._ingest_checked c ANTI JOIN temp._ingest_dedup d USING (_row_number)
                WHERE c._reason_code IS NULL"""
        )
        con.execute(
            f"""INSERT INTO {S.key_index_table(entity)} (_key_hash, _file, _row_number)
                SELECT {S.key_hash_expr(entity, 'c')}, {S.lit(lf.rel)}, c._row_number
                FROM temp._ingest_checked c ANTI JOIN temp._ingest_dedup d USING (_row_number)
                WHERE c._reason_code IS NULL"""
        )
        con.execute(
            f"""INSERT INTO raw.quarantine (file, entity, checksum, row_number, reason_code, reason, raw_content,
                    quarantined_at)
                SELECT {S.lit(lf.rel)}, {S.lit(entity.name)}, {S.lit(lf.checksum)}, q._row_number, q.reason_code,
                       q.reason, r.raw_content, {S.lit(at)}
                FROM temp._ingest_q q LEFT JOIN temp._ingest_qraw r USING (_row_number)
                ORDER BY q._row_number"""
        )
        _log_row(con, lf, "loaded", counts, at, time.perf_counter() - t0)

    _in_transaction(con, write)
    return counts


def _process(con, lf: _Landed, summary: IngestSummary, progress) -> None:
    t0 = time.perf_counter()
    at = _utcnow()

    def fail(error: str) -> None:
        _in_transaction(con, lambda: _log_row(con, lf, "failed", _Counts(), at, time.perf_counter() - t0, error=error))
        summary.files_failed += 1
        summary.failed.append((lf.rel, error))
        progress(f"{lf.rel}: FAILED: {error}")

    try:
        _fingerprint(lf)
    except FileNotFoundError:
        summary.files_seen -= 1
        progress(f"{lf.rel}: disappeared before it could be read; not logged")
        return
    except OSError as e:
        fail(f"cannot be read: {e.strerror or e}")
        return
    if lf.fmt is None:
        fail(f"unsupported format {lf.path.suffix or '(no extension)'!r}: expected .csv, .jsonl or .parquet")
        return
    prior = con.execute(
        """SELECT file, status FROM raw.load_log
           WHERE checksum = ? AND entity = ? AND format = ?
             AND (status = 'loaded' OR (status = 'skipped' AND file = ?))
           ORDER BY loaded_at, file""",
        [lf.checksum, lf.entity.name, lf.fmt, lf.rel],
    ).fetchall()
    if any(file == lf.rel for file, _ in prior):
        summary.files_unchanged += 1
        return
    if prior:
        original = prior[0][0]
        note = f"same content (sha256) as {original}, already loaded: nothing loaded"
        _in_transaction(con, lambda: _log_row(con, lf, "skipped", _Counts(), at, time.perf_counter() - t0, note=note))
        summary.files_skipped += 1
        progress(f"{lf.rel}: skipped, {note}")
        return

    import duckdb

    try:
        counts = _load(con, lf, at, t0)
    except (R.FileUnreadable, duckdb.Error) as e:
        R.drop_temps(con)
        msg = str(e) if isinstance(e, R.FileUnreadable) else f"cannot be read as {lf.fmt}: {R.first_line(e)}"
        fail(msg)
        return
    R.drop_temps(con)
    summary.files_loaded += 1
    summary.rows_read += counts.rows_read
    summary.rows_loaded += counts.rows_loaded
    summary.rows_quarantined += counts.rows_quarantined
    summary.rows_duplicate += counts.rows_duplicate
    summary.rows_loaded_by_entity[lf.entity.name] += counts.rows_loaded
    progress(
        f"{lf.rel}: loaded {counts.rows_loaded} of {counts.rows_read} rows "
        f"({counts.rows_quarantined} quarantined, {counts.rows_duplicate} duplicates) "
        f"in {time.perf_counter() - t0:.1f}s"
    )


# --------------------------------------------------------------------------- entry point


def ingest(
    landing: Path | None = None,
    warehouse: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestSummary:
    """Load every new landing file into raw.*; see the module docstring for the rules."""
    t0 = time.perf_counter()
    landing = Path(landing) if landing is not None else config.landing_dir()
    warehouse = Path(warehouse) if warehouse is not None else config.warehouse_path()
    progress = progress or (lambda _msg: None)
    summary = IngestSummary()
    con = _connect(warehouse)
    try:
        ensure_raw_schema(con)
        files = _discover(landing, progress) if landing.is_dir() else []
        if not landing.is_dir():
            progress(f"landing folder {landing} does not exist: nothing to load")
        for lf in files:
            summary.files_seen += 1
            _process(con, lf, summary, progress)
    finally:
        con.close()
    summary.wall_seconds = round(time.perf_counter() - t0, 3)
    return summary


__all__ = ["IngestSummary", "WarehouseLockedError", "ensure_raw_schema", "ingest"]
