"""Load-log bookkeeping: the rows of raw.load_log (one per file and checksum), the in-memory
index of what is already loaded, and the transaction every write of the loader goes in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from orchestration.ingest.discovery import Landed
from orchestration.ingest.sql import lit


@dataclass
class Counts:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def in_transaction(con, fn) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        fn()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


class LogIndex:
    """The `loaded` and `skipped` rows of raw.load_log, in memory: read once per run, kept
    up to date as this run commits, so finding a file's earlier loads costs no query."""

    def __init__(self, con):
        self._rows: dict[tuple[str, str, str], list[tuple[datetime, str, str]]] = {}
        for checksum, entity, fmt, at, file, status in con.execute(
            "SELECT checksum, entity, format, loaded_at, file, status FROM raw.load_log "
            "WHERE status IN ('loaded', 'skipped')"
        ).fetchall():
            self._rows.setdefault((checksum, entity, fmt), []).append((at, file, status))

    def prior(self, lf: Landed) -> list[tuple[str, str]]:
        """(file, status) of the same bytes, entity and format already loaded (or skipped
        under this name), oldest first."""
        rows = self._rows.get((lf.checksum, lf.entity.name, lf.fmt), [])
        return [(f, st) for at, f, st in sorted(rows) if st == "loaded" or (st == "skipped" and f == lf.rel)]

    def add(self, lf: Landed, status: str, at: datetime) -> None:
        self._rows.setdefault((lf.checksum, lf.entity.name, lf.fmt), []).append((at, lf.rel, status))


def log_rows(con, rows) -> None:
    """Write load_log rows (lf, status, counts, at, secs, error, note), replacing the file's
    failed or refused row and any row of the same file and checksum. A refused entry has
    no checksum or size (nothing was read); one outside any entity folder no entity."""
    keys = ", ".join(f"({lit(lf.rel)}, {lit(lf.checksum)})" for lf, *_ in rows)
    con.execute(
        f"""DELETE FROM raw.load_log USING (VALUES {keys}) v(file, checksum)
            WHERE load_log.file = v.file
              AND (load_log.status IN ('failed', 'refused') OR load_log.checksum = v.checksum)"""
    )
    values, params = [], []
    for lf, status, counts, at, secs, error, note in rows:
        values.append("(" + ", ".join(["?"] * 14) + ")")
        params += [
            lf.rel,
            lf.entity.name if lf.entity else None,
            lf.checksum or None,
            lf.fmt,
            None if status == "refused" else lf.size,
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
