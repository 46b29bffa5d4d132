"""`leadscore bench`: the benchmark that prints the project's speed and memory figures.

Every stage runs as a real `leadscore` subprocess against a real DuckDB file, exactly as a
user would run it; wall time comes from the clock, peak memory from the kernel (the largest
resident set among the stage's processes, via wait4), rows per second from the rows the
stage handled. Stages:

- generate   one year (tier days) of landing files into WORK/source
- ingest     every day but the last three, into the "year" warehouse
- backfill   those days in ONE Dagster run (one dbt build), from an empty history
- daily runs the last three days of the year, one `leadscore run` each, their files landed
             just before; and, in a second warehouse holding only the first days, the runs
             of days 28, 29 and 30. The two series are interleaved, so both see the same
             machine load; the median of each and their ratio are reported.
- empty day  `leadscore run` for days after the last landed day: no new files, the fixed
             cost of a run (definitions, dbt start-up, checks, publish).
- reference  after each daily and empty-day run, the reference scorer on the same warehouse
             and score date (orchestration.bench.reference_run, its own process, its whole
             result fetched); each series' median over the reference's is reported.

The generator is asked for a near-steady daily volume (90 % of contacts exist before the
first day) so day 30 and day 365 score a comparable number of events; each run's events
are printed next to its time. Results go to WORK/bench-<tier>.json. `--repeat 1` runs
each daily series once (the CI smoke test).

This module holds the tiers and main(); the stages and Bench, which runs them, are in
orchestration.bench.stages, the wait4 measurement in .measure, landing the files in
.landing, the timed reference run in .reference_run, the printed table in .report.
"""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.bench.report import table
from orchestration.bench.stages import Bench, Tier
from orchestration.runtime import config

TIERS = {
    "S": Tier("S", 10_000, 90),
    "M": Tier("M", 100_000, 365),
    "L": Tier("L", 1_000_000, 365),
}
# Tier L's full-year backfill is stopped at its 30-minute target (an unfinished backfill
# would otherwise hold the machine for hours); the figure is then "over 30 min".
BACKFILL_LIMIT_MINUTES = {"L": 30.0}
# Daily runs per series (the median is reported); one at tier L, whose runs take minutes.
DEFAULT_REPEAT = {"L": 1}


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(
    tier: str,
    work: Path | None,
    out: Path | None,
    repeat: int | None,
    backfill_limit_minutes: float | None = None,
) -> int:
    t = TIERS[tier]
    repeat = repeat or DEFAULT_REPEAT.get(tier, 3)
    work = (work or config.home() / "bench" / tier).absolute()
    out = (out or work / f"bench-{tier}.json").absolute()
    if backfill_limit_minutes is None:
        backfill_limit_minutes = BACKFILL_LIMIT_MINUTES.get(tier)
    limit = backfill_limit_minutes * 60 if backfill_limit_minutes else None
    bench = Bench(t, work, repeat, _say, out, limit)
    results = bench.run({"generate"})
    print(table(results))
    print(f"results: {out}")
    return 0
