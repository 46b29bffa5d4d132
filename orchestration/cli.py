"""The `leadscore` command: generate demo data, ingest landing files, build the scores."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import config


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer: {text!r}")
    return value


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_generate(args: argparse.Namespace) -> int:
    from .generate import generate

    out = args.out or config.landing_dir()
    summary = generate(out, args.contacts, args.days, start=args.start, seed=args.seed, progress=_say)
    _say(f"wrote {summary.get('files_written', '?')} files under {out}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest

    summary = ingest(args.landing or config.landing_dir(), config.warehouse_path(), progress=_say)
    print(
        f"files: {summary.files_loaded} loaded, {summary.files_skipped} skipped, "
        f"{summary.files_failed} failed; rows: {summary.rows_loaded} loaded, "
        f"{summary.rows_quarantined} quarantined, {summary.rows_duplicate} duplicate"
    )
    for file, error in summary.failed:
        print(f"  failed: {file}: {error}")
    print(f"warehouse: {config.warehouse_path()}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .dbt_cli import run_dbt

    vars = {"score_date": args.date.isoformat()} if args.date else None
    extra = ["--select", args.select] if args.select else []
    return run_dbt("build", *extra, vars=vars)


def print_summary() -> None:
    con = config.connect(read_only=True)
    try:
        rows = con.execute(
            """
            select model_id, model_version, max(score_date), band, count(*),
                   sum(case when is_mql then 1 else 0 end)
            from marts.lead_scores
            group by model_id, model_version, band
            order by model_id, band
            """
        ).fetchall()
    finally:
        con.close()
    print("leads per band (active models):")
    for model_id, version, score_date, band, leads, mqls in rows:
        print(f"  {model_id} v{version} as of {score_date}: {band:<6} {leads:>7} leads, {mqls:>6} MQL")
    print(f"warehouse: {config.warehouse_path()}")


def cmd_demo(args: argparse.Namespace) -> int:
    from .dbt_cli import run_dbt
    from .generate import generate
    from .ingest import ingest

    landing = config.landing_dir()
    if landing.exists() and any(landing.rglob("*.*")):
        _say(f"landing files already under {landing}: using them (delete it for fresh demo data)")
    else:
        _say(f"generating demo data: {args.contacts} contacts x {args.days} days into {landing}")
        generate(landing, args.contacts, args.days, seed=args.seed, progress=_say)
    summary = ingest(landing, config.warehouse_path(), progress=_say)
    _say(
        f"ingested: {summary.rows_loaded} rows loaded, {summary.rows_quarantined} quarantined, "
        f"{summary.rows_duplicate} duplicate, {summary.files_failed} files failed"
    )
    code = run_dbt("build")
    if code != 0:
        _say("dbt build failed: see the output above and target/run_results.json")
        return code
    print_summary()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="leadscore",
        description="Lead scoring in your warehouse: dbt models over rule seeds, run daily.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser("generate", help="write realistic demo landing files, one set per day",
                       description="Write landing files for all six entities, one set per day.")
    g.add_argument("--out", type=Path, help="landing folder (default $LEADSCORE_HOME/landing)")
    g.add_argument("--contacts", type=_positive, required=True, help="number of contacts")
    g.add_argument("--days", type=_positive, required=True, help="number of days")
    g.add_argument("--start", type=_date, help="first day, YYYY-MM-DD (default: so the last day is yesterday)")
    g.add_argument("--seed", type=int, default=42, help="random seed: same seed, same files (default 42)")
    g.set_defaults(func=cmd_generate)

    i = sub.add_parser("ingest", help="load new landing files into the raw schema",
                       description="Load new landing files into raw tables; bad rows go to raw.quarantine, "
                                   "every file to raw.load_log.")
    i.add_argument("--landing", type=Path, help="landing folder (default $LEADSCORE_HOME/landing)")
    i.set_defaults(func=cmd_ingest)

    b = sub.add_parser("build", help="dbt build: seeds, models and tests",
                       description="Run dbt build on the project (seeds, models, data and unit tests).")
    b.add_argument("--date", type=_date, help="score as of the end of this day (default: latest event day)")
    b.add_argument("--select", help="dbt selection, e.g. 'int_event_rule_matches+'")
    b.set_defaults(func=cmd_build)

    d = sub.add_parser("demo", help="generate demo data, ingest it, build and summarise",
                       description="The main job end to end on demo data under $LEADSCORE_HOME.")
    d.add_argument("--contacts", type=_positive, default=3000, help="demo contacts (default 3000)")
    d.add_argument("--days", type=_positive, default=90, help="demo days (default 90)")
    d.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
