"""Load landing files into the warehouse's raw schema, exactly once, quarantining bad rows.

Public API (used by the CLI and Dagster):

    ensure_raw_schema(con)                        create schema raw and all its tables
    ingest(landing=None, warehouse=None, progress=None) -> IngestSummary
    WarehouseLockedError                          raised when another process holds the file
    LandingMissingError                           raised when the landing folder does not exist

Layout read: <landing>/<entity>/*.{csv,jsonl,parquet}; entities in contract order, files
in name order; hidden files and *.tmp are ignored (write as .tmp, then rename), any other
file in an entity folder is logged `failed` ("unsupported format"). Every other entry under
landing/ (links, folders inside entity folders, FIFOs, files outside entity folders,
misnamed entity folders) is logged `refused` and never read, or, for a folder that is no
entity, gets a logged line: see discovery. Files are opened without following links and
read by DuckDB through generated names, never as glob patterns.

A file is identified by the sha256 of its bytes. Files of one entity are loaded in
batches (consecutive files, up to MAX_BATCH_FILES of them or about MAX_BATCH_ROWS rows):
staged side by side and validated, de-duplicated and inserted by one set of statements,
which is what makes many small files cheap. All raw rows, quarantine rows and load_log
rows of a batch are written in one DuckDB transaction, so a crash never leaves a file half
loaded and the load log never names a file whose rows are not there; the next ingest
loads the batch's files again from scratch. The outcome is the same as loading the files
one by one in order (duplicates across files of a batch are found as if the earlier file
were already loaded). A file that cannot be read is logged `failed` on its own and the
rest of its batch loads; if a batch fails as a whole (a DuckDB error while reading, say a
Parquet file with a corrupt page), each of its files is loaded on its own.

load_log has one row per (file, checksum):
  loaded   the content was loaded (rows_read = rows_loaded + rows_quarantined + rows_duplicate)
  skipped  the same bytes, same entity and format, were already loaded under another name:
           rows_* = 0 and `note` names the original file
  failed   the file could not be read at all (`error` says why); retried by every ingest,
           its row is replaced by the outcome of the retry (a fixed file then loads)
  refused  the entry is not a regular file of an entity folder (a link, a folder, a FIFO,
           a file outside the entity folders...): nothing was read, `error` says why,
           checksum is NULL; like `failed`, settled again by every ingest
An already loaded or skipped (file, checksum) is not touched again: rerunning changes
nothing. A file whose content changes under the same name is new content and is loaded
(its earlier `loaded` row stays, so the raw table holds both versions' rows).

Decisions: a 0-byte CSV or Parquet file fails ("empty file"), a 0-byte JSONL file loads 0
rows; a header-only CSV loads 0 rows; a JSONL file without a single valid JSON line fails
(not JSONL); blank lines are not rows. See validation for typing, validation and reason
codes, readers for the readers and row numbering, and for the steps of a load: discovery
(files, fingerprints), batch (one batch), duplicates (the key check), run (each file's
outcome), load_log (raw.load_log bookkeeping), sql (the raw schema's DDL).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.ingest import discovery
from orchestration.ingest import sql as S
from orchestration.ingest.batch import load_batch
from orchestration.ingest.discovery import Landed, discover
from orchestration.ingest.load_log import in_transaction, utcnow
from orchestration.ingest.run import Run
from orchestration.ingest.staged import drop_temps
from orchestration.runtime import config


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB warehouse file."""


class LandingMissingError(RuntimeError):
    """The landing folder does not exist (or is not a folder): an error, not an empty load."""


@dataclass
class IngestSummary:
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0  # logged `skipped` by this run (same content under another name)
    files_failed: int = 0
    files_refused: int = 0  # entries logged `refused` (not read: links, folders, FIFOs...)
    files_unchanged: int = 0  # already loaded/skipped before: nothing done
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_loaded_by_entity: dict[str, int] = field(default_factory=lambda: {e: 0 for e in C.ENTITIES})
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, error)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (entry, reason)
    wall_seconds: float = 0.0


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
            con.execute(
                f"INSERT INTO {index} SELECT {S.key_hash_expr(entity)}, _file, _row_number "
                f"FROM {S.raw_table(entity)}"
            )

        in_transaction(con, rebuild)
    if not same_hash:

        def record():
            con.execute("DELETE FROM raw._key_index_meta")
            con.execute("INSERT INTO raw._key_index_meta VALUES (?)", [canary])

        in_transaction(con, record)


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


# Files of one entity are loaded in batches: staged side by side, validated, checked for
# duplicates and inserted by one set of statements, committed in one transaction. A batch
# closes at the entity's end, at MAX_BATCH_FILES files or once its estimated rows reach
# MAX_BATCH_ROWS (the rows of a batch are held in temp tables while it loads: this bounds
# its memory; and each batch scans the key index once, so batches should not be small).
MAX_BATCH_FILES = 200
MAX_BATCH_ROWS = 4_000_000
CSV_BYTES_PER_ROW = 100  # a low estimate for CSV and JSONL (more rows, smaller batches)


def _estimated_rows(con, lf: Landed) -> int:
    """Rows of a Parquet file (its footer), else an estimate from its size."""
    if lf.fmt == "parquet":
        try:
            return (
                con.execute("SELECT sum(num_rows) FROM parquet_file_metadata(?)", [lf.read_path]).fetchone()[
                    0
                ]
                or 0
            )
        except Exception:  # unreadable: its load will say why
            return 1
    return lf.size // CSV_BYTES_PER_ROW + 1


# --------------------------------------------------------------------------- entry point


def _load(run: Run, batch: list[Landed]) -> None:
    try:
        load_batch(run, batch)
    finally:
        for lf in batch:
            lf.close()


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
    if not landing.is_dir():
        raise LandingMissingError(
            f"the landing folder {landing} does not exist (or is not a folder): nothing can be loaded. "
            "Create it with one folder per entity (landing/<entity>/), or set LEADSCORE_HOME"
        )
    con = _connect(warehouse)
    links = discovery.ReadLinks()
    files: list[Landed] = []
    try:
        ensure_raw_schema(con)
        files = discover(landing, progress)
        run = Run(con, summary, progress, landing, links)
        drop_temps(con)
        batch: list[Landed] = []
        weight = 0
        for lf in files:
            summary.files_seen += 1
            t1, at = time.perf_counter(), utcnow()
            if not run.fingerprint(lf, at, t1):
                continue
            # a new entity, or the same bytes as a file of the open batch (which must be
            # loaded first for this one to be recognised as a copy): close the batch
            if batch and (lf.entity is not batch[0].entity or any(b.checksum == lf.checksum for b in batch)):
                _load(run, batch)
                batch, weight = [], 0
            if not run.classify(lf, at, t1):
                continue
            rows = _estimated_rows(con, lf)
            if batch and weight + rows > MAX_BATCH_ROWS:
                _load(run, batch)
                batch, weight = [], 0
            batch.append(lf)
            weight += rows
            if len(batch) >= MAX_BATCH_FILES:
                _load(run, batch)
                batch, weight = [], 0
        if batch:
            _load(run, batch)
    finally:
        for lf in files:
            lf.close()
        links.close()
        con.close()
    summary.wall_seconds = round(time.perf_counter() - t0, 3)
    return summary


__all__ = ["IngestSummary", "LandingMissingError", "WarehouseLockedError", "ensure_raw_schema", "ingest"]
