"""Deterministic, vectorised demo-data generator for the landing contract.

    generate(out, contacts=1000, days=60) -> summary dict

writes one file per entity per day under ``out/<entity>/<entity>_<YYYY-MM-DD>.<ext>``
(companies .jsonl, contacts .csv, events .parquet, opportunities .csv,
lead_dispositions .jsonl, marketing_spend .csv), every file written atomically
(``name.tmp`` then ``os.replace``). The data carries signal (a lead's hidden fit leans its
fields together; its hidden will to buy drives visits, seconds on pages, returning days and
journeys; both drive handovers, opportunities and wins) and a small, deterministic amount
of dirt (duplicate deliveries, late events, contract-breaking rows) reported in the summary.

Same arguments and seed give byte-identical files. Each day's events are drawn from a
generator seeded by (seed, day); the population and its plans from (seed,).
Command line: ``python -m orchestration.demo_data.generate OUT --contacts N --days D [--seed S]``.

This module runs a generation and holds its command line. The pieces: population (the
hidden world, built once), activity (each day's events), day_writer (each day's files),
dirt (what breaks the contract, and delivery faults), vocab (names and behaviour tables),
writers (vectorised formatting and atomic writes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from orchestration.demo_data.day_writer import DayWriter
from orchestration.demo_data.population import build
from orchestration.ingest.contract import ENTITIES


def generate(
    out: Path,
    contacts: int,
    days: int,
    start: dt.date | None = None,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    existing_share: float = 0.4,
) -> dict:
    """Write `days` days of landing files for `contacts` contacts under out/<entity>/.

    `start` defaults to today (UTC) minus `days`, so the last day written is yesterday.
    `existing_share` of the contacts exist before the first day; the rest are created
    through the days, so the daily volume grows from that share to all contacts (the
    benchmark uses 0.9 for a near-steady daily volume).
    Returns a summary: rows and files per entity, dirty rows per entity and kind, late
    events, duplicate rows and files, wall seconds.
    """
    t_begin = time.perf_counter()
    if contacts < 1 or days < 1:
        raise ValueError("contacts and days must be >= 1")
    if seed < 0:
        raise ValueError("seed must be >= 0")
    if not 0.0 <= existing_share <= 1.0:
        raise ValueError("existing_share must lie in 0..1")
    out = Path(out)
    if isinstance(start, dt.datetime):
        start = start.date()
    if start is None:
        start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)
    t0 = (start - dt.date(1970, 1, 1)).days
    pop = build(contacts, days, t0, seed, existing_share)
    w = DayWriter(out, pop, seed)
    if progress:
        progress(
            f"population: {contacts:,} contacts, {pop.n_comp:,} companies, "
            f"{len(pop.jr['idx']):,} buying journeys ({time.perf_counter() - t_begin:.1f}s)"
        )
    every = 10
    for d in range(days):
        w.companies(d)
        w.contacts(d)
        n_ev = w.events(d)
        w.opportunities(d)
        w.lead_dispositions(d)
        w.marketing_spend(d)
        if progress and ((d + 1) % every == 0) and d + 1 < days:
            progress(
                f"day {d + 1}/{days}: {n_ev:,} events ({w.events_total:,} total, "
                f"{time.perf_counter() - t_begin:.0f}s)"
            )
    dirty = {e: dict(sorted(k.items())) for e, k in w.dirty.items() if k}
    by_kind: dict[str, int] = defaultdict(int)
    for kinds in dirty.values():
        for k, c in kinds.items():
            by_kind[k] += c
    summary = {
        "out": str(out),
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=days - 1)).isoformat(),
        "days": days,
        "contacts": contacts,
        "companies": pop.n_comp,
        "seed": seed,
        "rows": {e: w.rows.get(e, 0) for e in ENTITIES},
        "files": {e: w.files.get(e, 0) for e in ENTITIES},
        "files_written": sum(w.files.values()),
        "dirty": dirty,
        "dirty_by_kind": dict(sorted(by_kind.items())),
        "late_events": w.late_landed,
        "late_events_dropped": w.late_dropped,
        "duplicate_event_rows": w.dup_rows,
        "duplicate_files": w.duplicate_files,
        "wall_seconds": round(time.perf_counter() - t_begin, 3),
    }
    if progress:
        progress(
            f"done: {days} days, {summary['rows']['events']:,} events, "
            f"{summary['files_written']:,} files in {summary['wall_seconds']:.1f}s"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write demo landing files.")
    ap.add_argument("out", type=Path, help="landing directory (files go to OUT/<entity>/)")
    ap.add_argument("--contacts", type=int, default=1000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--start", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--existing-share", type=float, default=0.4)
    args = ap.parse_args(argv)
    summary = generate(
        args.out,
        args.contacts,
        args.days,
        args.start,
        args.seed,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
        existing_share=args.existing_share,
    )
    summary["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
