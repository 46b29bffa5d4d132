"""One ingest run: the connection, the summary, the load-log index, and how each entry is
settled: refused (not a regular file of an entity folder: never read), failed, skipped
(same bytes already loaded under another name), unchanged or loaded.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from orchestration.ingest import discovery
from orchestration.ingest.discovery import Landed, shown
from orchestration.ingest.load_log import Counts, LogIndex, in_transaction, log_rows

if TYPE_CHECKING:  # loader imports this module
    from orchestration.ingest.loader import IngestSummary


class Run:
    """One ingest run: the connection, the summary, the load-log index."""

    def __init__(self, con, summary: IngestSummary, progress, landing, links: discovery.ReadLinks):
        self.con = con
        self.summary = summary
        self.progress = progress
        self.log = LogIndex(con)
        self.landing = landing
        self.links = links

    def refuse(self, lf: Landed, reason: str, at: datetime, t0: float) -> None:
        """Log lf `refused`: it is not read (a link, a folder, a special file, misplaced)."""
        lf.close()
        lf.refused = reason
        in_transaction(
            self.con,
            lambda: log_rows(
                self.con, [(lf, "refused", Counts(), at, time.perf_counter() - t0, reason, None)]
            ),
        )
        self.summary.files_refused += 1
        self.summary.refused.append((lf.rel, reason))
        self.progress(f"{shown(lf.rel)}: REFUSED: {reason}")

    def fail(self, lf: Landed, error: str, at: datetime, t0: float) -> None:
        lf.close()
        in_transaction(
            self.con,
            lambda: log_rows(self.con, [(lf, "failed", Counts(), at, time.perf_counter() - t0, error, None)]),
        )
        self.summary.files_failed += 1
        self.summary.failed.append((lf.rel, error))
        self.progress(f"{shown(lf.rel)}: FAILED: {error}")

    def fingerprint(self, lf: Landed, at: datetime, t0: float) -> bool:
        """Open lf (no link followed), its sha256 and stat, and the link DuckDB reads it by;
        False (settled and reported) when it is refused or cannot be read."""
        if lf.refused:
            self.refuse(lf, lf.refused, at, t0)
            return False
        try:
            discovery.open_file(lf, self.landing)
            discovery.fingerprint(lf)
            if lf.fmt is not None:
                self.links.link(lf)
        except FileNotFoundError:
            lf.close()
            self.summary.files_seen -= 1
            self.progress(f"{shown(lf.rel)}: disappeared before it could be read; not logged")
            return False
        except discovery.NotAFile as e:
            self.refuse(lf, str(e), at, t0)
            return False
        except OSError as e:
            lf.close()
            self.fail(lf, f"cannot be read: {e.strerror or type(e).__name__}", at, t0)
            return False
        return True

    def classify(self, lf: Landed, at: datetime, t0: float) -> bool:
        """Settle a fingerprinted lf if nothing is to be loaded: True when it must be loaded."""
        if lf.fmt is None:
            self.fail(
                lf,
                f"unsupported format {lf.path.suffix or '(no extension)'!r}: "
                "expected .csv, .jsonl or .parquet",
                at,
                t0,
            )
            return False
        prior = self.log.prior(lf)
        if any(file == lf.rel for file, _ in prior):
            lf.close()
            self.summary.files_unchanged += 1
            return False
        if prior:
            note = f"same content (sha256) as {prior[0][0]}, already loaded: nothing loaded"
            in_transaction(
                self.con,
                lambda: log_rows(
                    self.con, [(lf, "skipped", Counts(), at, time.perf_counter() - t0, None, note)]
                ),
            )
            lf.close()
            self.log.add(lf, "skipped", at)
            self.summary.files_skipped += 1
            self.progress(f"{shown(lf.rel)}: skipped, {note}")
            return False
        return True

    def loaded(self, lf: Landed, counts: Counts, at: datetime, secs: float) -> None:
        lf.close()
        self.log.add(lf, "loaded", at)
        s = self.summary
        s.files_loaded += 1
        s.rows_read += counts.rows_read
        s.rows_loaded += counts.rows_loaded
        s.rows_quarantined += counts.rows_quarantined
        s.rows_duplicate += counts.rows_duplicate
        s.rows_loaded_by_entity[lf.entity.name] += counts.rows_loaded
        self.progress(
            f"{shown(lf.rel)}: loaded {counts.rows_loaded} of {counts.rows_read} rows "
            f"({counts.rows_quarantined} quarantined, {counts.rows_duplicate} duplicates) in {secs:.1f}s"
        )
