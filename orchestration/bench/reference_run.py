"""`python -m orchestration.bench.reference_run --date D --json FILE`: one run of the
reference scorer (orchestration.reference) for the benchmark, on the warehouse of
$LEADSCORE_HOME, read-only, with the project's DuckDB settings (config.connect: threads
and memory limit from LEADSCORE_DUCKDB_THREADS / LEADSCORE_DUCKDB_MEMORY_LIMIT).

The benchmark runs it as a subprocess right after a daily run, on the same warehouse and
score date, and measures it as it measures every stage (wall time from the clock, peak
memory from wait4). The scorer's whole result, every row and every column, is fetched into
an Arrow table in this process, so DuckDB can neither prune columns nor stop early; FILE
gets the query's own time (query and fetch, without the process start and the connection)
and the size of the result."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import pyarrow.compute as pc

from orchestration.reference.scorer import reference_scores
from orchestration.runtime import config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench.reference_run")
    parser.add_argument("--date", type=dt.date.fromisoformat, required=True, help="the score date")
    parser.add_argument("--json", type=Path, required=True, help="where to write the timing")
    args = parser.parse_args(argv)
    path = config.warehouse_path()
    if not path.exists():
        print(f"no warehouse at {path}", file=sys.stderr)
        return 2
    con = config.connect(path, read_only=True)
    try:
        t0 = time.perf_counter()
        result = reference_scores(con, args.date).to_arrow_table()  # every row and column
        seconds = time.perf_counter() - t0
    finally:
        con.close()
    in_segment = pc.sum(result.column("is_in_segment")).as_py() or 0
    args.json.write_text(
        json.dumps(
            {
                "query_seconds": round(seconds, 2),
                "rows": result.num_rows,
                "columns": result.num_columns,
                "rows_in_segment": in_segment,
            }
        )
        + "\n"
    )
    print(f"reference scores as of {args.date}: {result.num_rows:,} rows in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
