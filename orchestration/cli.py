"""The `leadscore` command: generate demo data, ingest landing files, build the scores,
run the daily Dagster job (`run`, `backfill`, `demo`), write the outcome report (`report`)
and explain a lead's score (`explain`)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from pathlib import Path

from orchestration.runtime import config

# Exit codes: 0 done; 1 the run failed (a blocking check or a step; for ingest: no landing
# folder); 2 bad arguments; 3 ingest: landing entries failed or were refused (the others
# loaded); 75 (EX_TEMPFAIL) another run holds the warehouse: try again later.
EXIT_RUN_FAILED = 1
EXIT_NOT_LOADED = 3
EXIT_LOCKED = 75


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


def _minutes(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number of minutes, 0 or more: {text!r}")
    return value


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_generate(args: argparse.Namespace) -> int:
    from orchestration.demo_data.generate import generate

    out = args.out or config.landing_dir()
    summary = generate(out, args.contacts, args.days, start=args.start, seed=args.seed, progress=_say)
    _say(f"wrote {summary.get('files_written', '?')} files under {out}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from orchestration.ingest.discovery import shown
    from orchestration.ingest.loader import LandingMissingError, ingest
    from orchestration.runtime.run_lock import RunLockedError, hold
    from orchestration.serving.ledger import warehouse_write

    try:
        with hold(what="leadscore ingest", progress=_say), warehouse_write("leadscore ingest") as write:
            write.history_untouched()  # raw tables only
            summary = ingest(args.landing or config.landing_dir(), config.warehouse_path(), progress=_say)
    except RunLockedError as e:
        _say(f"leadscore ingest: {e}")
        return EXIT_LOCKED
    except LandingMissingError as e:
        _say(f"leadscore ingest: {e}")
        return EXIT_RUN_FAILED
    print(
        f"files: {summary.files_loaded} loaded, {summary.files_skipped} skipped, "
        f"{summary.files_failed} failed, {summary.files_refused} refused; "
        f"rows: {summary.rows_loaded} loaded, "
        f"{summary.rows_quarantined} quarantined, {summary.rows_duplicate} duplicate"
    )
    for file, error in summary.failed:
        print(f"  failed: {shown(file)}: {error}")
    for file, reason in summary.refused:
        print(f"  refused: {shown(file)}: {reason}")
    print(f"warehouse: {config.warehouse_path()}")
    if summary.failed or summary.refused:
        _say(
            f"leadscore ingest: {summary.files_failed + summary.files_refused} landing entries not loaded "
            f"(listed above): exit {EXIT_NOT_LOADED}"
        )
        return EXIT_NOT_LOADED
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from orchestration.runtime.dbt import run_dbt
    from orchestration.runtime.run_lock import RunLockedError, hold
    from orchestration.serving.ledger import warehouse_write

    vars = {"score_date": args.date.isoformat()} if args.date else None
    extra = ["--select", args.select] if args.select else []
    if args.full_refresh:
        extra.append("--full-refresh")
    try:
        # Without history_start, dbt recomputes all of score history: the next publish
        # compares every month (the ledger's default for a write).
        with hold(what="leadscore build", progress=_say), warehouse_write("leadscore build"):
            return run_dbt("build", *extra, vars=vars)
    except RunLockedError as e:
        _say(f"leadscore build: {e}")
        return EXIT_LOCKED


def cmd_quarantine_export(args: argparse.Namespace) -> int:
    from orchestration.ingest.quarantine import ExportError, export

    try:
        out, rows, reasons = export(args.file, args.out)
    except ExportError as e:
        _say(f"leadscore quarantine export: {e}")
        return 1
    entity = args.file.split("/", 1)[0]
    print(
        f"wrote {rows} quarantined rows of {args.file} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(reasons.items()))}) to {out}"
    )
    print(
        f"fix them, then move the file into {config.landing_dir() / entity}/ under a new name; "
        f"the next ingest loads it"
    )
    return 0


def cmd_export_raw(args: argparse.Namespace) -> int:
    from orchestration.ingest.raw_export import export_raw
    from orchestration.runtime.run_lock import RunLockedError, hold

    try:
        with hold(what="leadscore export-raw", progress=_say):
            summary = export_raw(out=args.out, progress=_say)
    except RunLockedError as e:
        _say(f"leadscore export-raw: {e}")
        return EXIT_LOCKED
    except (FileNotFoundError, RuntimeError) as e:
        _say(f"leadscore export-raw: {e}")
        return EXIT_RUN_FAILED
    print(
        f"raw tables as Parquet: {sum(summary.rows.values())} rows in {len(summary.rows)} tables "
        f"under {summary.folder}"
    )
    return 0


def _yesterday() -> dt.date:
    from orchestration.defs.partitions import yesterday

    return yesterday()


def _launch(first: dt.date, last: dt.date, wait: float | None) -> int:
    """Run the daily job over first..last, print the summary; the exit code says how it went."""
    from orchestration.runtime.launch import InvalidDaysError, failure_help, launch, summary_lines
    from orchestration.runtime.run_lock import RunLockedError

    try:
        # dbt's own output, echoed by dagster-dbt on stdout, is progress: keep stdout for
        # the summary.
        with contextlib.redirect_stdout(sys.stderr):
            outcome = launch(first, last, progress=_say, lock_timeout=wait)
    except RunLockedError as e:
        _say(f"leadscore: {e}")
        return EXIT_LOCKED
    except InvalidDaysError as e:
        _say(f"leadscore: {e}")
        return 2
    print("\n".join(summary_lines(outcome)), flush=True)
    if not outcome.success:
        _say("\n".join(failure_help(outcome)))
        return EXIT_RUN_FAILED
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    day = args.date or _yesterday()
    return _launch(day, day, args.wait)


def cmd_backfill(args: argparse.Namespace) -> int:
    if args.start > args.end:
        _say(f"leadscore backfill: --start {args.start} is after --end {args.end}")
        return 2
    return _launch(args.start, args.end, args.wait)


def cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.demo_data.generate import generate
    from orchestration.runtime.launch import demo_days, landed_days

    landing = config.landing_dir()
    if landing.exists() and any(landing.rglob("*.*")):
        _say(f"landing files already under {landing}: using them (delete it for fresh demo data)")
        span = landed_days(landing)
    else:
        _say(f"generating demo data: {args.contacts} contacts x {args.days} days into {landing}")
        summary = generate(landing, args.contacts, args.days, seed=args.seed, progress=_say)
        span = (dt.date.fromisoformat(summary["start"]), dt.date.fromisoformat(summary["end"]))
    first, last = demo_days(span, _yesterday())
    if first < last:
        _say(f"backfill {first}..{last - dt.timedelta(days=1)} in one run, then the daily run of {last}")
        code = _launch(first, last - dt.timedelta(days=1), args.wait)
        if code != 0:
            return code
    _say(f"daily run of {last}")
    code = _launch(last, last, args.wait)
    if code == 0:
        _demo_calibration()
    return code


def _demo_calibration() -> None:
    """A calibrated candidate for the shipped `core` model, written under the demo's home
    (never the checkout's seeds), shown beside the active version in the report."""
    from orchestration.calibrate.options import CalibrateError, Options
    from orchestration.calibrate.report import calibration_dir
    from orchestration.calibrate.run import calibrate, default_train_until
    from orchestration.serving.report import default_out, default_source, write_report

    out = calibration_dir() / "seeds"
    try:
        train_until = default_train_until(outcome_days=90)
        _say(f"calibrate core on the leads created up to {train_until} into {out}")
        outcome = calibrate(Options("core", train_until, out=out), progress=_say)
    except CalibrateError as e:
        _say(f"calibrate: skipped: {e}")
        return
    print(outcome.text, flush=True)
    print(f"report: {write_report(default_out(), default_source())}")


def cmd_bench(args: argparse.Namespace) -> int:
    from orchestration.bench.benchmark import main

    return main(args.tier, args.work, args.json, args.repeat, args.backfill_limit)


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.serving.report import default_out, default_source, write_report

    source = args.source or default_source()
    try:
        out = write_report(args.out or default_out(), source)
    except Exception as e:  # e.g. the warehouse is held by a run: say so, do not trace back
        _say(f"leadscore report: cannot read {source}: {e}")
        return EXIT_RUN_FAILED
    print(f"report: {out}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    import json

    import duckdb

    from orchestration.serving.explain import ExplainError, explain, render
    from orchestration.serving.publish import serving_file

    source = serving_file()
    try:
        doc = explain(source, args.contact_id, on=args.date, model=args.model)
    except ExplainError as e:
        _say(f"leadscore explain: {e}")
        return e.code
    except duckdb.Error as e:  # e.g. a damaged copy: say so, do not trace back
        _say(f"leadscore explain: cannot read {source}: {e}")
        return EXIT_RUN_FAILED
    print(json.dumps(doc, indent=2) if args.json else render(doc))
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from orchestration.serving.publish import serving_file
    from orchestration.serving.shell import sql_shell

    path = args.file or (config.warehouse_path() if args.warehouse else serving_file())
    if args.parquet_views:
        return _print_parquet_views(path)
    return sql_shell(path, args.query, "csv" if args.csv else "table")


def _print_parquet_views(path: Path) -> int:
    import duckdb

    from orchestration.serving.parquet_views import parquet_views_sql

    if not path.exists():
        _say(f"leadscore sql: {path} does not exist (run `leadscore run` or `leadscore demo` first)")
        return 1
    try:
        print(parquet_views_sql(path), end="")
    except duckdb.Error as e:
        _say(f"leadscore sql: cannot read {path}: {e}")
        return 1
    return 0


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, e.g. 0.2: {text!r}")
    return value


def _count(text: str) -> int:
    try:
        return _positive(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def cmd_calibrate(args: argparse.Namespace) -> int:
    from orchestration.calibrate.options import CalibrateError, Options, WarehouseBusyError
    from orchestration.calibrate.run import calibrate

    options = Options(
        model_id=args.model,
        train_until=args.train_until,
        outcome_days=args.outcome_days,
        mql_share=args.mql_share,
        out=args.out,
        max_rules=args.max_rules,
        window_days=args.window_days,
    )
    try:
        outcome = calibrate(options, progress=_say)
    except WarehouseBusyError as e:
        _say(f"leadscore calibrate: {e}")
        return EXIT_LOCKED
    except CalibrateError as e:
        _say(f"leadscore calibrate: {e}")
        return EXIT_RUN_FAILED
    print(outcome.text)
    print(f"report: {', '.join(str(p) for p in outcome.json_files)}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="leadscore",
        description="Lead scoring in your warehouse: dbt models over rule seeds, run daily.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser(
        "generate",
        help="write realistic demo landing files, one set per day",
        description="Write landing files for all six entities, one set per day.",
    )
    g.add_argument("--out", type=Path, help="landing folder (default $LEADSCORE_HOME/landing)")
    g.add_argument("--contacts", type=_positive, required=True, help="number of contacts")
    g.add_argument("--days", type=_positive, required=True, help="number of days")
    g.add_argument(
        "--start", type=_date, help="first day, YYYY-MM-DD (default: so the last day is yesterday)"
    )
    g.add_argument("--seed", type=int, default=42, help="random seed: same seed, same files (default 42)")
    g.set_defaults(func=cmd_generate)

    i = sub.add_parser(
        "ingest",
        help="load new landing files into the raw schema",
        description="Load new landing files into raw tables; bad rows go to raw.quarantine, "
        "every file to raw.load_log.",
    )
    i.add_argument("--landing", type=Path, help="landing folder (default $LEADSCORE_HOME/landing)")
    i.set_defaults(func=cmd_ingest)

    b = sub.add_parser(
        "build",
        help="dbt build: seeds, models and tests",
        description="Run dbt build on the project (seeds, models, data and unit tests).",
    )
    b.add_argument("--date", type=_date, help="score as of the end of this day (default: latest event day)")
    b.add_argument("--select", help="dbt selection, e.g. 'int_event_rule_matches+'")
    b.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental models (score history) from scratch, "
        "e.g. after editing a released rule version",
    )
    b.set_defaults(func=cmd_build)

    qu = sub.add_parser(
        "quarantine", help="re-process quarantined rows", description="Work with raw.quarantine."
    )
    qsub = qu.add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    qe = qsub.add_parser(
        "export",
        help="write a landing file's quarantined rows as a file to fix and land again",
        description="Write the quarantined rows of one landing file (as named in "
        "raw.load_log, e.g. events/events_2024-03-05.csv) as they arrived, to a "
        "file outside the landing folder: fix it, then land it under a new name.",
    )
    qe.add_argument("file", help="the landing file, <entity>/<name>")
    qe.add_argument(
        "--out",
        type=Path,
        help="where to write (default $LEADSCORE_HOME/quarantine/<entity>/<name>.quarantined.<ext>)",
    )
    qe.set_defaults(func=cmd_quarantine_export)

    x = sub.add_parser(
        "export-raw",
        help="write the raw tables as Parquet, for the Spark target",
        description="Write each raw table dbt reads as a source to "
        "$LEADSCORE_HOME/raw_parquet/<entity>/ (replaced whole), where the "
        "Spark target reads them: run it after ingest, before "
        "`dbt build --target spark`.",
    )
    x.add_argument("--out", type=Path, help="folder (default $LEADSCORE_HOME/raw_parquet)")
    x.set_defaults(func=cmd_export_raw)

    wait_help = (
        "seconds to wait for another run holding the warehouse before refusing "
        "(default $LEADSCORE_LOCK_TIMEOUT or 600)"
    )

    r = sub.add_parser(
        "run",
        help="the daily run of one day through Dagster: ingest, score, check, publish",
        description="Run the Dagster job daily_scoring (the one the 06:00 UTC schedule "
        "runs) for one day: ingest new landing files, dbt build the scores as "
        "of the end of the day, run the checks, publish the marts for BI. "
        "Exit code 1 when a blocking check fails, 75 when another run holds "
        "the warehouse.",
    )
    r.add_argument("--date", type=_date, help="the day to score, YYYY-MM-DD (default: yesterday, UTC)")
    r.add_argument("--wait", type=float, help=wait_help)
    r.set_defaults(func=cmd_run)

    bf = sub.add_parser(
        "backfill",
        help="score a range of days in ONE Dagster run",
        description="Run the Dagster job daily_scoring over the days START..END "
        "(inclusive) as one ranged run: one ingest, one dbt build with "
        "score_date=END and history_start=START, the checks, one publish.",
    )
    bf.add_argument("--start", type=_date, required=True, help="first day, YYYY-MM-DD")
    bf.add_argument("--end", type=_date, required=True, help="last day, YYYY-MM-DD")
    bf.add_argument("--wait", type=float, help=wait_help)
    bf.set_defaults(func=cmd_backfill)

    d = sub.add_parser(
        "demo",
        help="generate demo data, backfill it, run the last day, publish",
        description="The daily job end to end on demo data under $LEADSCORE_HOME: generate "
        "landing files (unless some are there), backfill from the first to the "
        "second-to-last day in one run, run the last day, publish, summarise.",
    )
    d.add_argument("--contacts", type=_positive, default=3000, help="demo contacts (default 3000)")
    d.add_argument(
        "--days", type=_positive, default=180, help="demo days (default 180: the backtest looks 90 days back)"
    )
    d.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    d.add_argument("--wait", type=float, help=wait_help)
    d.set_defaults(func=cmd_demo)

    bn = sub.add_parser(
        "bench",
        help="measure generate, ingest, backfill and daily runs at a size tier",
        description="Benchmark the whole pipeline in a work folder with real subprocesses: "
        "generate a year, ingest it, backfill it in one run, time the daily "
        "run at day 30 and at the last day (interleaved), and an empty-day run. "
        "Prints wall time, rows per second and peak memory per stage, a profile "
        "of the last daily run, and writes the figures as JSON. Tiers: S 10k "
        "contacts x 90 days, M 100k x 365, L 1M x 365.",
    )
    bn.add_argument("--tier", choices=["S", "M", "L"], default="S", help="size tier (default S)")
    bn.add_argument(
        "--work", type=Path, help="work folder (default $LEADSCORE_HOME/bench/TIER); emptied first"
    )
    bn.add_argument("--json", type=Path, help="where to write the results (default WORK/bench-TIER.json)")
    bn.add_argument(
        "--repeat",
        type=_positive,
        help="daily runs per series; the median is reported (default 3; 1 for tier L, "
        "whose runs take minutes each)",
    )
    bn.add_argument(
        "--backfill-limit",
        type=_minutes,
        metavar="MINUTES",
        help="stop the full-year backfill after MINUTES and report it unfinished; the "
        "day-365 runs are then skipped (default: 30 for tier L, its target; none "
        "otherwise; 0 for none)",
    )
    bn.set_defaults(func=cmd_bench)

    ca = sub.add_parser(
        "calibrate",
        help="fit points from the warehouse's outcomes into a candidate rules version",
        description="Fit a regularised logistic regression on the leads created up to "
        "--train-until (won within --outcome-days of creation, or not once that window "
        "has closed), with each lead's features as of the day before its first "
        "opportunity or win. Write its rules as whole points (+10 = twice the odds) as a "
        "complete new version of MODEL (the next version, inactive; version 1, active, for "
        "a new model id) in the seeds' formats, and compare it with the active version and "
        "the regression on the leads created after --train-until. Reads the warehouse "
        "read-only. See docs/rules.md, 'Calibrate points from outcomes'.",
    )
    ca.add_argument("--model", required=True, help="the model id: an existing one, or a new one")
    ca.add_argument(
        "--train-until", type=_date, required=True, help="leads created up to this day train, YYYY-MM-DD"
    )
    ca.add_argument(
        "--outcome-days",
        type=_count,
        default=90,
        help="a win counts within this many days of creation (default 90)",
    )
    ca.add_argument(
        "--mql-share",
        type=_share,
        default=0.2,
        help="share of the training leads at or above the MQL threshold (default 0.2)",
    )
    ca.add_argument(
        "--out",
        type=Path,
        help="where the seed rows go (default: the project's seeds/, appended); another folder "
        "gets each seed file with only the candidate's rows",
    )
    ca.add_argument("--max-rules", type=_count, default=30, help="at most this many rules (default 30)")
    ca.add_argument(
        "--window-days",
        type=_count,
        help="trailing window of the behaviour rules, in days (default: --outcome-days, at most 365)",
    )
    ca.set_defaults(func=cmd_calibrate)

    rp = sub.add_parser(
        "report",
        help="write the outcome report: one self-contained HTML page",
        description="Write one HTML page that opens offline: score distribution, "
        "conversion, revenue and sales cycle per band, MQLs over time, "
        "versions compared, the attributes with most lift. Reads the "
        "serving copy (else the warehouse) read-only.",
    )
    rp.add_argument("--out", type=Path, help="the HTML file (default $LEADSCORE_HOME/serving/report.html)")
    rp.add_argument(
        "--source", type=Path, help="DuckDB file to read (default: the serving copy, else the warehouse)"
    )
    rp.set_defaults(func=cmd_report)

    ex = sub.add_parser(
        "explain",
        help="why a lead has its score: each rule's points and the events behind them",
        description="Print a lead's total, band, grades, priority and buying stage per active "
        "model version, then each rule with its points and the events behind them (after "
        "caps and decay); the lines add up to the total. Reads the serving copy read-only, "
        "so it works while a run holds the warehouse. Exit code 1 for a contact the copy "
        "does not score, 2 for an unknown model or a day after the latest score date.",
    )
    ex.add_argument("contact_id", help="the lead's contact id, as in the landing files")
    ex.add_argument(
        "--date",
        type=_date,
        help="as of this day, YYYY-MM-DD (default: the latest score date); before it, the score "
        "comes from the history and rules and events are not listed",
    )
    ex.add_argument("--model", help="only this model id (default: every active model version)")
    ex.add_argument("--json", action="store_true", help="print a JSON document instead of text")
    ex.set_defaults(func=cmd_explain)

    sq = sub.add_parser(
        "sql",
        help="query the serving copy read-only with DuckDB 2.x (a query, a script on stdin, or a session)",
        description="A read-only SQL client on the pinned DuckDB 2.x (DuckDB 1.x clients cannot open "
        "2.x files). With QUERY: run it and exit; with a script on standard input: run its "
        "statements; on a terminal: a session, statements end with ';', .quit leaves. "
        "Exit 1 at the first error of a query or script.",
    )
    sq.add_argument("query", nargs="?", help="SQL to run (default: standard input, or a session)")
    where = sq.add_mutually_exclusive_group()
    where.add_argument(
        "--warehouse", action="store_true", help="the warehouse instead (blocked while a run writes)"
    )
    where.add_argument("--file", type=Path, help="any DuckDB 2.x file instead of the serving copy")
    sq.add_argument("--csv", action="store_true", help="print results as CSV, every row")
    sq.add_argument(
        "--parquet-views",
        action="store_true",
        help="print a script that makes the serving copy's tables views over its Parquet files, "
        "for tools embedding DuckDB 1.x (run it in an in-memory DuckDB)",
    )
    sq.set_defaults(func=cmd_sql)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    config.restrict_new_files()  # the warehouse holds raw PII: owner-only (docs/operations.md)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
