"""Loading one batch: files of one entity staged side by side, validated, checked for
duplicates and inserted by one set of statements, committed in one transaction.

A file that cannot be read is logged failed and the others load; if the batch as a whole
hits a DuckDB error, each of its files is loaded on its own. All the temp objects a batch
makes are named _ingest_* and dropped when it is done.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from orchestration.ingest import discovery
from orchestration.ingest import sql as S
from orchestration.ingest import validation as V
from orchestration.ingest.discovery import Landed
from orchestration.ingest.duplicates import check_duplicates
from orchestration.ingest.load_log import Counts, in_transaction, log_rows, utcnow
from orchestration.ingest.parquet import parquet_files_sql
from orchestration.ingest.readers import stage
from orchestration.ingest.run import Run
from orchestration.ingest.staged import PREFIX, FileUnreadable, Staged, Temps, first_line

# Staged CSV/JSONL files smaller than this are copied into one table for validation (a
# plan per file costs more than the copy); bigger ones are validated where they are.
COPY_BELOW_BYTES = 4 << 20


def load_batch(run: Run, batch: list[Landed]) -> None:
    """Load the files of one batch (one entity); a file that cannot be read is logged
    failed and the others load; if the batch as a whole hits a DuckDB error, each of
    its files is loaded on its own, so the error is pinned on the file that causes it."""
    import duckdb

    while batch:
        t0 = time.perf_counter()
        at = utcnow()
        temps: list[Temps] = []
        settled: set[str] = set()  # files of the batch already logged failed
        try:
            batch = _try_batch(run, batch, at, t0, temps, settled)
        except (FileUnreadable, duckdb.Error) as e:
            drop_batch_temps(run.con, temps)
            batch = [lf for lf in batch if lf.rel not in settled]
            if len(batch) > 1:
                for lf in batch:
                    load_batch(run, [lf])
                return
            if not batch:
                return
            lf = batch[0]
            msg = str(e) if isinstance(e, FileUnreadable) else f"cannot be read as {lf.fmt}: {first_line(e)}"
            run.fail(lf, _named(msg, lf), at, t0)
            return
        drop_batch_temps(run.con, temps)


def _try_batch(
    run: Run, batch: list[Landed], at: datetime, t0: float, temps: list[Temps], settled: set[str]
) -> list[Landed]:
    """Load batch; returns the files still to load (those of it to retry without a file
    that changed while it was read), else []. temps collects the temp objects made,
    settled the files logged failed."""

    def fail(lf: Landed, msg: str) -> None:
        settled.add(lf.rel)
        run.fail(lf, msg, at, t0)

    import duckdb

    con = run.con
    entity = batch[0].entity
    staged: dict[int, Staged] = {}
    by_file: dict[int, Temps] = {}
    for i, lf in enumerate(batch):
        t = Temps(_prefix(i))
        temps.append(t)
        try:
            staged[i] = stage(con, Path(lf.read_path), lf.fmt, entity, lf.size, lf.maybe_blank_lines, t)
            by_file[i] = t
        except (FileUnreadable, duckdb.Error) as e:
            msg = str(e) if isinstance(e, FileUnreadable) else f"cannot be read as {lf.fmt}: {first_line(e)}"
            t.drop(con)
            fail(lf, _named(msg, lf))
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
                con.execute(f"CREATE TEMP TABLE _ingest_stage AS SELECT {i} AS _f, * FROM {staged[i].src}")
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
    dups = check_duplicates(con, entity)
    counts: dict[int, Counts] = {}
    for i in staged:
        total, bad, _ = stats.get(i, (0, 0, 0))
        dup, conflict = dups.get(i, (0, 0))
        counts[i] = Counts(total, total - bad - dup - conflict, bad + conflict, dup)
    con.execute(
        """CREATE TEMP TABLE _ingest_q AS
           SELECT _f, _row_number, _reason_code AS reason_code, _reason AS reason
           FROM temp._ingest_checked WHERE _reason_code IS NOT NULL
           UNION ALL
           SELECT _f, _row_number, 'conflicting_duplicate', _reason
           FROM temp._ingest_dedup WHERE _status = 'conflict'"""
    )
    with_q = [i for i in staged if counts[i].rows_quarantined]
    if with_q:
        parts = " UNION ALL ".join(
            f"SELECT {i} AS _f, * FROM "
            f"({staged[i].raw_content_sql(f'(SELECT _row_number FROM temp._ingest_q WHERE _f = {i})')})"
            for i in with_q
        )
        con.execute(f"CREATE TEMP TABLE _ingest_qraw AS {parts}")
    else:
        con.execute("CREATE TEMP TABLE _ingest_qraw (_f INTEGER, _row_number BIGINT, raw_content VARCHAR)")
    changed = [i for i in staged if discovery.changed(batch[i])]
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
            f"""INSERT INTO raw.quarantine (file, entity, checksum, row_number, reason_code, reason,
                    raw_content, quarantined_at)
                SELECT f.file, {S.lit(entity.name)}, f.checksum, q._row_number, q.reason_code,
                       q.reason, r.raw_content, {S.lit(at)}
                FROM temp._ingest_q q JOIN temp._ingest_files f USING (_f)
                LEFT JOIN temp._ingest_qraw r USING (_f, _row_number)
                ORDER BY q._f, q._row_number"""
        )
        secs = time.perf_counter() - t0
        share.update({i: secs * w / sum(weights.values()) for i, w in weights.items()})
        log_rows(con, [(batch[i], "loaded", counts[i], at, share[i], None, None) for i in staged])

    in_transaction(con, write)
    for i in staged:
        run.loaded(batch[i], counts[i], at, share[i])
    return []


def _named(msg: str, lf: Landed) -> str:
    """An error naming the landing file, not the generated link DuckDB read it by."""
    return msg.replace(lf.read_path, lf.rel) if lf.read_path else msg


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


def drop_batch_temps(con, temps: list[Temps]) -> None:
    for t in temps:
        t.drop(con)
    for name in BATCH_TEMPS:
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")
