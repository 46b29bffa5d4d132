"""`python -m orchestration.reference --date D`: the reference scorer on the warehouse of
$LEADSCORE_HOME, read-only. Prints the leads per model version, band and MQL flag, and
with --out writes every lead's row (CSV or Parquet, by the file's extension)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from orchestration.reference.scorer import reference_scores
from orchestration.runtime import config


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.reference",
        description="Score every lead from the raw tables and the rule seeds alone, as of "
        "the end of a day (the test oracle of the dbt scoring models).",
    )
    parser.add_argument("--date", type=_day, required=True, help="the score date (UTC day)")
    parser.add_argument(
        "--all-versions", action="store_true", help="every model version, not only the active ones"
    )
    parser.add_argument("--out", type=Path, help="write every lead's row to this .csv or .parquet")
    args = parser.parse_args(argv)
    if args.out and args.out.suffix not in (".csv", ".parquet"):
        parser.error(f"--out must end in .csv or .parquet: {args.out}")
    if args.out and "'" in str(args.out):
        parser.error(f"--out: a path without a single quote, please: {args.out}")

    path = config.warehouse_path()
    if not path.exists():
        print(f"no warehouse at {path}: run `leadscore demo` or a build first", file=sys.stderr)
        return 2
    import duckdb

    try:
        con = config.connect(path, read_only=True)
    except duckdb.Error as e:
        print(f"cannot open {path} read-only: {e}", file=sys.stderr)
        return 1
    try:
        t0 = time.perf_counter()
        scores = reference_scores(con, args.date, all_versions=args.all_versions)
        con.register("reference_rows", scores.to_arrow_table())
        seconds = time.perf_counter() - t0
        if args.out:
            kind = "parquet" if args.out.suffix == ".parquet" else "csv"
            con.execute(f"copy (select * from reference_rows) to '{args.out}' (format {kind})")
        summary = con.execute(
            """
            select model_id, model_version, band, is_mql, count(*) as leads
            from reference_rows where is_in_segment group by all order by all
            """
        ).fetchall()
    except duckdb.CatalogException as e:
        print(f"the warehouse lacks the raw tables or rule seeds: {e}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"reference scores as of {args.date} ({seconds:.1f} s)")
    for model_id, version, band, is_mql, leads in summary:
        model = f"{model_id} v{version}"
        print(f"  {model:<20} {band or '-':<8} {'MQL' if is_mql else '   '} {leads:>9,}")
    if args.out:
        print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
