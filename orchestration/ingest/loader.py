"""Load landing files into the warehouse's raw schema, exactly once, quarantining bad rows.

Public API (used by the CLI and Dagster):

    ensure_raw_schema(con)                        create schema raw and all its tables
    ingest(landing=None, warehouse=None, progress=None) -> IngestSummary
    WarehouseLockedError                          raised when another process holds the file

Layout read: <landing>/<entity>/*.{csv,jsonl,parquet}; entities in contract order, files
in name order; hidden files and *.tmp are ignored (write as .tmp, then rename), any other
file in an entity folder is logged `failed` ("unsupported format").

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
An already loaded or skipped (file, checksum) is not touched again: rerunning changes
nothing. A file whose content changes under the same name is new content and is loaded
(its earlier `loaded` row stays, so the raw table holds both versions' rows).

Decisions: a 0-byte CSV or Parquet file fails ("empty file"), a 0-byte JSONL file loads 0
rows; a header-only CSV loads 0 rows; a JSONL file without a single valid JSON line fails
(not JSONL); blank lines are not rows. See validation for typing, validation and reason
codes, readers for the readers and row numbering.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.ingest import duplicates as D
from orchestration.ingest import sql as S
from orchestration.ingest import validation as V
from orchestration.ingest.parquet import parquet_files_sql
from orchestration.ingest.readers import stage
from orchestration.ingest.staged import PREFIX, FileUnreadable, Staged, Temps, drop_temps, first_line
from orchestration.runtime import config

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
            con.execute(
                f"INSERT INTO {index} SELECT {S.key_hash_expr(entity)}, _file, _row_number "
                f"FROM {S.raw_table(entity)}"
            )

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
    return datetime.now(UTC).replace(tzinfo=None)


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


# --------------------------------------------------------------------------- batches


class _LogIndex:
    """The `loaded` and `skipped` rows of raw.load_log, in memory: read once per run, kept
    up to date as this run commits, so finding a file's earlier loads costs no query."""

    def __init__(self, con):
        self._rows: dict[tuple[str, str, str], list[tuple[datetime, str, str]]] = {}
        for checksum, entity, fmt, at, file, status in con.execute(
            "SELECT checksum, entity, format, loaded_at, file, status FROM raw.load_log "
            "WHERE status IN ('loaded', 'skipped')"
        ).fetchall():
            self._rows.setdefault((checksum, entity, fmt), []).append((at, file, status))

    def prior(self, lf: _Landed) -> list[tuple[str, str]]:
        """(file, status) of the same bytes, entity and format already loaded (or skipped
        under this name), oldest first."""
        rows = self._rows.get((lf.checksum, lf.entity.name, lf.fmt), [])
        return [(f, st) for at, f, st in sorted(rows) if st == "loaded" or (st == "skipped" and f == lf.rel)]

    def add(self, lf: _Landed, status: str, at: datetime) -> None:
        self._rows.setdefault((lf.checksum, lf.entity.name, lf.fmt), []).append((at, lf.rel, status))


# Files of one entity are loaded in batches: staged side by side, validated, checked for
# duplicates and inserted by one set of statements, committed in one transaction. A batch
# closes at the entity's end, at MAX_BATCH_FILES files or once its estimated rows reach
# MAX_BATCH_ROWS (the rows of a batch are held in temp tables while it loads: this bounds
# its memory; and each batch scans the key index once, so batches should not be small).
MAX_BATCH_FILES = 200
MAX_BATCH_ROWS = 4_000_000
CSV_BYTES_PER_ROW = 100  # a low estimate for CSV and JSONL (more rows, smaller batches)
# Staged CSV/JSONL files smaller than this are copied into one table for validation (a
# plan per file costs more than the copy); bigger ones are validated where they are.
COPY_BELOW_BYTES = 4 << 20


def _estimated_rows(con, lf: _Landed) -> int:
    """Rows of a Parquet file (its footer), else an estimate from its size."""
    if lf.fmt == "parquet":
        try:
            return (
                con.execute("SELECT sum(num_rows) FROM parquet_file_metadata(?)", [str(lf.path)]).fetchone()[
                    0
                ]
                or 0
            )
        except Exception:  # unreadable: its load will say why
            return 1
    return lf.size // CSV_BYTES_PER_ROW + 1


def _in_transaction(con, fn) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        fn()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


class _Run:
    """One ingest run: the connection, the summary, the load-log index."""

    def __init__(self, con, summary: IngestSummary, progress):
        self.con = con
        self.summary = summary
        self.progress = progress
        self.log = _LogIndex(con)

    # ----------------------------------------------------------------- outcomes

    def fail(self, lf: _Landed, error: str, at: datetime, t0: float) -> None:
        _in_transaction(
            self.con,
            lambda: _log_rows(
                self.con, [(lf, "failed", _Counts(), at, time.perf_counter() - t0, error, None)]
            ),
        )
        self.summary.files_failed += 1
        self.summary.failed.append((lf.rel, error))
        self.progress(f"{lf.rel}: FAILED: {error}")

    def fingerprint(self, lf: _Landed, at: datetime, t0: float) -> bool:
        """sha256 and stat of lf; False (reported) when it cannot be read."""
        try:
            _fingerprint(lf)
        except FileNotFoundError:
            self.summary.files_seen -= 1
            self.progress(f"{lf.rel}: disappeared before it could be read; not logged")
            return False
        except OSError as e:
            self.fail(lf, f"cannot be read: {e.strerror or e}", at, t0)
            return False
        return True

    def classify(self, lf: _Landed, at: datetime, t0: float) -> bool:
        """Settle a fingerprinted lf if nothing is to be loaded: True when it must be loaded."""
        if lf.fmt is None:
            self.fail(
                lf,
                f"unsupported format {lf.path.suffix or '(no extension)'!r}: expected .csv, .jsonl or .parquet",
                at,
                t0,
            )
            return False
        prior = self.log.prior(lf)
        if any(file == lf.rel for file, _ in prior):
            self.summary.files_unchanged += 1
            return False
        if prior:
            note = f"same content (sha256) as {prior[0][0]}, already loaded: nothing loaded"
            _in_transaction(
                self.con,
                lambda: _log_rows(
                    self.con, [(lf, "skipped", _Counts(), at, time.perf_counter() - t0, None, note)]
                ),
            )
            self.log.add(lf, "skipped", at)
            self.summary.files_skipped += 1
            self.progress(f"{lf.rel}: skipped, {note}")
            return False
        return True

    def loaded(self, lf: _Landed, counts: _Counts, at: datetime, secs: float) -> None:
        self.log.add(lf, "loaded", at)
        s = self.summary
        s.files_loaded += 1
        s.rows_read += counts.rows_read
        s.rows_loaded += counts.rows_loaded
        s.rows_quarantined += counts.rows_quarantined
        s.rows_duplicate += counts.rows_duplicate
        s.rows_loaded_by_entity[lf.entity.name] += counts.rows_loaded
        self.progress(
            f"{lf.rel}: loaded {counts.rows_loaded} of {counts.rows_read} rows "
            f"({counts.rows_quarantined} quarantined, {counts.rows_duplicate} duplicates) in {secs:.1f}s"
        )

    # ----------------------------------------------------------------- batches

    def load_batch(self, batch: list[_Landed]) -> None:
        """Load the files of one batch (one entity); a file that cannot be read is logged
        failed and the others load; if the batch as a whole hits a DuckDB error, each of
        its files is loaded on its own, so the error is pinned on the file that causes it."""
        import duckdb

        while batch:
            t0 = time.perf_counter()
            at = _utcnow()
            temps: list[Temps] = []
            settled: set[str] = set()  # files of the batch already logged failed
            try:
                batch = self._try_batch(batch, at, t0, temps, settled)
            except (FileUnreadable, duckdb.Error) as e:
                _drop_batch_temps(self.con, temps)
                batch = [lf for lf in batch if lf.rel not in settled]
                if len(batch) > 1:
                    for lf in batch:
                        self.load_batch([lf])
                    return
                if not batch:
                    return
                lf = batch[0]
                msg = (
                    str(e)
                    if isinstance(e, FileUnreadable)
                    else f"cannot be read as {lf.fmt}: {first_line(e)}"
                )
                self.fail(lf, msg, at, t0)
                return
            _drop_batch_temps(self.con, temps)

    def _try_batch(
        self, batch: list[_Landed], at: datetime, t0: float, temps: list[Temps], settled: set[str]
    ) -> list[_Landed]:
        """Load batch; returns the files still to load (those of it to retry without a file
        that changed while it was read), else []. temps collects the temp objects made,
        settled the files logged failed."""

        def fail(lf: _Landed, msg: str) -> None:
            settled.add(lf.rel)
            self.fail(lf, msg, at, t0)

        import duckdb

        con = self.con
        entity = batch[0].entity
        staged: dict[int, Staged] = {}
        by_file: dict[int, Temps] = {}
        for i, lf in enumerate(batch):
            t = Temps(_prefix(i))
            temps.append(t)
            try:
                staged[i] = stage(con, lf.path, lf.fmt, entity, lf.size, lf.maybe_blank_lines, t)
                by_file[i] = t
            except (FileUnreadable, duckdb.Error) as e:
                msg = (
                    str(e)
                    if isinstance(e, FileUnreadable)
                    else f"cannot be read as {lf.fmt}: {first_line(e)}"
                )
                t.drop(con)
                fail(lf, msg)
        if not staged:
            return []
        files_values = ", ".join(f"({i}, {S.lit(batch[i].rel)}, {S.lit(batch[i].checksum)})" for i in staged)
        con.execute(
            f"CREATE TEMP TABLE _ingest_files AS SELECT * FROM (VALUES {files_values}) t(_f, file, checksum)"
        )
        # Parquet files are read in place, those of one schema by one scan; the staged rows
        # of small CSV and JSONL files, already in temp tables, are copied into one table, so
        # that validation is one plan over few relations however many small files the batch has.
        by_schema: dict[tuple, list[tuple[int, Staged]]] = {}
        for i, st in staged.items():
            if st.fmt == "parquet":
                by_schema.setdefault((st.schema, st.select), []).append((i, st))
        parts = [parquet_files_sql(files) for files in by_schema.values()]
        others = [i for i, st in staged.items() if st.fmt != "parquet"]
        copied = [i for i in others if batch[i].size < COPY_BELOW_BYTES] if len(others) > 1 else []
        parts += [f"SELECT {i} AS _f, * FROM {staged[i].src}" for i in others if i not in copied]
        if copied:
            for n, i in enumerate(copied):
                if n == 0:
                    con.execute(
                        f"CREATE TEMP TABLE _ingest_stage AS SELECT {i} AS _f, * FROM {staged[i].src}"
                    )
                else:
                    con.execute(
                        f"INSERT INTO temp._ingest_stage BY NAME SELECT {i} AS _f, * FROM {staged[i].src}"
                    )
            parts.append("SELECT * FROM temp._ingest_stage")
        src = " UNION ALL ".join(parts)
        con.execute(
            f"CREATE TEMP TABLE _ingest_checked AS {V.checked_sql(entity, f'({src})', V.future_limit_for(at))}"
        )
        stats = {
            f: (total, bad, invalid)
            for f, total, bad, invalid in con.execute(
                "SELECT _f, count(*), count(_reason_code), count(*) FILTER (WHERE _reason_code = 'invalid_json') "
                "FROM temp._ingest_checked GROUP BY _f"
            ).fetchall()
        }
        dropped = []
        for i in list(staged):
            total, bad, invalid = stats.get(i, (0, 0, 0))
            if batch[i].fmt == "jsonl" and total > 0 and invalid == total:
                fail(batch[i], f"none of its {total} non-blank lines is valid JSON: not a JSONL file")
                del staged[i]
                dropped.append(i)
        if dropped:
            con.execute(f"DELETE FROM temp._ingest_checked WHERE _f IN ({', '.join(map(str, dropped))})")
            con.execute(f"DELETE FROM temp._ingest_files WHERE _f IN ({', '.join(map(str, dropped))})")
        if not staged:
            return []
        # Duplicate check in steps, so that each join is planned knowing its inputs' sizes.
        con.execute(f"CREATE TEMP TABLE _ingest_hits AS {D.dedup_hits_sql(entity, 'temp._ingest_checked')}")
        con.execute(
            f"CREATE TEMP TABLE _ingest_cand AS {D.dedup_candidates_sql('temp._ingest_checked', 'temp._ingest_hits')}"
        )
        if con.execute("SELECT count(*) FROM temp._ingest_cand").fetchone()[0]:
            dedup = D.dedup_sql(
                entity, "temp._ingest_checked", "temp._ingest_files", "temp._ingest_hits", "temp._ingest_cand"
            )
            con.execute(f"CREATE TEMP TABLE _ingest_dedup AS {dedup}")
        else:
            con.execute(
                "CREATE TEMP TABLE _ingest_dedup (_f INTEGER, _row_number BIGINT, _status VARCHAR, _reason VARCHAR)"
            )
        dups = {
            f: (dup, conflict)
            for f, dup, conflict in con.execute(
                "SELECT _f, count(*) FILTER (WHERE _status = 'duplicate'), count(*) FILTER (WHERE _status = 'conflict') "
                "FROM temp._ingest_dedup GROUP BY _f"
            ).fetchall()
        }
        counts: dict[int, _Counts] = {}
        for i in staged:
            total, bad, _ = stats.get(i, (0, 0, 0))
            dup, conflict = dups.get(i, (0, 0))
            counts[i] = _Counts(total, total - bad - dup - conflict, bad + conflict, dup)
        con.execute(
            """CREATE TEMP TABLE _ingest_q AS
               SELECT _f, _row_number, _reason_code AS reason_code, _reason AS reason
               FROM temp._ingest_checked WHERE _reason_code IS NOT NULL
               UNION ALL
               SELECT _f, _row_number, 'conflicting_duplicate', _reason FROM temp._ingest_dedup WHERE _status = 'conflict'"""
        )
        with_q = [i for i in staged if counts[i].rows_quarantined]
        if with_q:
            parts = " UNION ALL ".join(
                f"SELECT {i} AS _f, * FROM ({staged[i].raw_content_sql(f'(SELECT _row_number FROM temp._ingest_q WHERE _f = {i})')})"
                for i in with_q
            )
            con.execute(f"CREATE TEMP TABLE _ingest_qraw AS {parts}")
        else:
            con.execute(
                "CREATE TEMP TABLE _ingest_qraw (_f INTEGER, _row_number BIGINT, raw_content VARCHAR)"
            )
        changed = [i for i in staged if _changed(batch[i])]
        if changed:  # every read of the batch is done: a file that changed meanwhile is not loaded
            for i in changed:
                fail(
                    batch[i],
                    "the file changed while it was being loaded (write landing files as *.tmp, then rename)",
                )
            return [batch[i] for i in staged if i not in changed]
        for i in staged:  # free the staged copies of the files before the big insert
            by_file[i].drop(con)
        con.execute("DROP TABLE IF EXISTS temp._ingest_stage")

        cols = ", ".join(S.ident(c.name) for c in entity.columns)
        meta = "_extra, _file, _row_number, _checksum, _row_hash, _loaded_at"
        # duration_seconds: the batch's time up to its load log rows, shared by rows read
        weights = {i: counts[i].rows_read + 1 for i in staged}
        share: dict[int, float] = {}

        def write():
            con.execute(
                f"""INSERT INTO {S.raw_table(entity)} ({cols}, {meta})
                    SELECT {cols}, _extra, f.file, c._row_number, f.checksum, _row_hash, {S.lit(at)}
                    FROM temp._ingest_checked c JOIN temp._ingest_files f USING (_f)
                    ANTI JOIN temp._ingest_dedup d USING (_f, _row_number)
                    WHERE c._reason_code IS NULL"""
            )
            con.execute(
                f"""INSERT INTO {S.key_index_table(entity)} (_key_hash, _file, _row_number)
                    SELECT c._key_hash, f.file, c._row_number
                    FROM temp._ingest_checked c JOIN temp._ingest_files f USING (_f)
                    ANTI JOIN temp._ingest_dedup d USING (_f, _row_number)
                    WHERE c._reason_code IS NULL"""
            )
            con.execute(
                f"""INSERT INTO raw.quarantine (file, entity, checksum, row_number, reason_code, reason, raw_content,
                        quarantined_at)
                    SELECT f.file, {S.lit(entity.name)}, f.checksum, q._row_number, q.reason_code,
                           q.reason, r.raw_content, {S.lit(at)}
                    FROM temp._ingest_q q JOIN temp._ingest_files f USING (_f)
                    LEFT JOIN temp._ingest_qraw r USING (_f, _row_number)
                    ORDER BY q._f, q._row_number"""
            )
            secs = time.perf_counter() - t0
            share.update({i: secs * w / sum(weights.values()) for i, w in weights.items()})
            _log_rows(con, [(batch[i], "loaded", counts[i], at, share[i], None, None) for i in staged])

        _in_transaction(con, write)
        for i in staged:
            self.loaded(batch[i], counts[i], at, share[i])
        return []


def _prefix(i: int) -> str:
    return f"{PREFIX}{i}_"


BATCH_TEMPS = (
    "_ingest_files",
    "_ingest_stage",
    "_ingest_checked",
    "_ingest_hits",
    "_ingest_cand",
    "_ingest_dedup",
    "_ingest_q",
    "_ingest_qraw",
)


def _drop_batch_temps(con, temps: list[Temps]) -> None:
    for t in temps:
        t.drop(con)
    for name in BATCH_TEMPS:
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _log_rows(con, rows) -> None:
    """Write load_log rows (lf, status, counts, at, secs, error, note), replacing the file's
    failed row and any row of the same file and checksum."""
    keys = ", ".join(f"({S.lit(lf.rel)}, {S.lit(lf.checksum)})" for lf, *_ in rows)
    con.execute(
        f"""DELETE FROM raw.load_log USING (VALUES {keys}) v(file, checksum)
            WHERE load_log.file = v.file AND (load_log.status = 'failed' OR load_log.checksum = v.checksum)"""
    )
    values, params = [], []
    for lf, status, counts, at, secs, error, note in rows:
        values.append("(" + ", ".join(["?"] * 14) + ")")
        params += [
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
        ]
    con.execute(
        f"""INSERT INTO raw.load_log (file, entity, checksum, format, bytes, status, rows_read, rows_loaded,
               rows_quarantined, rows_duplicate, loaded_at, duration_seconds, error, note)
            VALUES {", ".join(values)}""",
        params,
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
        run = _Run(con, summary, progress)
        drop_temps(con)
        batch: list[_Landed] = []
        weight = 0
        for lf in files:
            summary.files_seen += 1
            t1, at = time.perf_counter(), _utcnow()
            if not run.fingerprint(lf, at, t1):
                continue
            # a new entity, or the same bytes as a file of the open batch (which must be
            # loaded first for this one to be recognised as a copy): close the batch
            if batch and (lf.entity is not batch[0].entity or any(b.checksum == lf.checksum for b in batch)):
                run.load_batch(batch)
                batch, weight = [], 0
            if not run.classify(lf, at, t1):
                continue
            rows = _estimated_rows(con, lf)
            if batch and weight + rows > MAX_BATCH_ROWS:
                run.load_batch(batch)
                batch, weight = [], 0
            batch.append(lf)
            weight += rows
            if len(batch) >= MAX_BATCH_FILES:
                run.load_batch(batch)
                batch, weight = [], 0
        if batch:
            run.load_batch(batch)
    finally:
        con.close()
    summary.wall_seconds = round(time.perf_counter() - t0, 3)
    return summary


__all__ = ["IngestSummary", "WarehouseLockedError", "ensure_raw_schema", "ingest"]
