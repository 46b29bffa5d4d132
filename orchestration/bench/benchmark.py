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

The generator is asked for a near-steady daily volume (90 % of contacts exist before the
first day) so day 30 and day 365 score a comparable number of events; each run's events
are printed next to its time. Results go to WORK/bench-<tier>.json. `--repeat 1` runs
each daily series once (the CI smoke test).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.runtime import config


@dataclass(frozen=True)
class Tier:
    name: str
    contacts: int
    days: int


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
EARLY_DAY = 30  # the "day 30" of the issue: the early warehouse's last measured day
EXISTING_SHARE = 0.9
_DAY_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring


def measure(argv: list[str], env: dict[str, str], log: Path, limit: float | None = None) -> dict:
    """Run argv to completion, or stop it (its whole process group) after `limit` seconds;
    wall seconds, peak RSS (MiB) of its largest process, exit code, and whether it was stopped."""
    stopped = False
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, env=env, stdout=out, stderr=out, cwd=config.PROJECT_DIR, start_new_session=True
        )
        term_at = None
        while True:
            pid, status, usage = os.wait4(proc.pid, 0 if limit is None else os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - t0
            if term_at is None and elapsed >= limit:
                stopped, term_at = True, elapsed
                out.write(f"\n[bench] stopped after {elapsed:.0f} s (limit {limit:.0f} s)\n".encode())
                out.flush()
                _signal_group(proc.pid, signal.SIGTERM)
            elif term_at is not None and elapsed - term_at > 30:
                _signal_group(proc.pid, signal.SIGKILL)
            time.sleep(0.2 if term_at is not None else 1.0)
        if stopped:  # what the stage started and did not end with it
            _signal_group(proc.pid, signal.SIGKILL)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    m = {
        "seconds": round(wall, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "exit_code": proc.returncode,
    }
    if stopped:
        m.update(stopped=True, limit_seconds=limit)
    return m


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def _env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LEADSCORE_DUCKDB_PATH", None)
    env.pop("DAGSTER_HOME", None)
    env["LEADSCORE_HOME"] = str(home)
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    env.update(extra or {})
    return env


def _query(db: Path, sql: str, params: list | None = None):
    con = config.connect(db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------- landing


def files_by_day(source: Path) -> dict[dt.date | None, list[Path]]:
    """Landing files under source/<entity>/ grouped by the day in their name."""
    days: dict[dt.date | None, list[Path]] = {}
    for p in sorted(source.glob("*/*")):
        if p.name.endswith(".tmp") or not p.is_file():
            continue
        m = _DAY_IN_NAME.search(p.name)
        day = dt.date.fromisoformat(m.group(1)) if m else None
        days.setdefault(day, []).append(p)
    return days


def land(source: Path, landing: Path, by_day: dict, first: dt.date | None, last: dt.date) -> int:
    """Hard-link (or copy) the files of days first..last into landing; returns the count."""
    n = 0
    for day, paths in by_day.items():
        if day is None and first is not None:
            continue
        if day is not None and (day > last or (first is not None and day < first)):
            continue
        for p in paths:
            dest = landing / p.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():
                continue
            try:
                os.link(p, dest)
            except OSError:
                shutil.copy2(p, dest)
            n += 1
    return n


# --------------------------------------------------------------------------- the stages


@dataclass
class Bench:
    tier: Tier
    work: Path
    repeat: int
    say: Callable[[str], None]
    out: Path | None = None
    backfill_limit: float | None = None  # seconds; the backfill is stopped after it

    def __post_init__(self):
        self.source = self.work / "source"
        self.log = self.work / "bench.log"
        self.results: dict = {
            "tier": self.tier.name,
            "contacts": self.tier.contacts,
            "days": self.tier.days,
            "machine": {
                "cpus": os.cpu_count(),
                "duckdb_threads": config.duckdb_threads(),
                "duckdb_memory_limit": config.duckdb_memory_limit(),
            },
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "stages": {},
            "measured": [],  # every timed stage in order, saved as it ends
        }
        if self.backfill_limit:
            self.results["backfill_limit_seconds"] = self.backfill_limit
        today = dt.datetime.now(dt.UTC).date()
        # The last day lies a few days back, so the empty days after it are over (scorable).
        self.n_empty = self.repeat
        self.start = today - dt.timedelta(days=self.tier.days + self.n_empty + 1)
        self.end = self.start + dt.timedelta(days=self.tier.days - 1)

    def day(self, n: int) -> dt.date:
        """Day n of the run, 1-based."""
        return self.start + dt.timedelta(days=n - 1)

    def stage(
        self,
        name: str,
        argv: list[str],
        home: Path,
        rows: int | None = None,
        rows_what: str = "",
        limit: float | None = None,
        **extra,
    ) -> dict:
        self.say(f"[{name}] {' '.join(argv[2:])}")
        m = measure(argv, _env(home, extra.pop("env", None)), self.log, limit)
        self.results["measured"].append({"stage": name, **m})
        self.save()
        if m.get("stopped"):
            self.say(
                f"[{name}] stopped after {m['seconds']:.0f} s (limit {limit:.0f} s), peak {m['peak_rss_mib']:.0f} MiB"
            )
            m.update(extra)
            return m
        if m["exit_code"] != 0:
            raise RuntimeError(f"stage {name} failed with exit code {m['exit_code']}; see {self.log}")
        if rows is not None:
            m["rows"] = rows
            m["rows_what"] = rows_what
            m["rows_per_second"] = round(rows / m["seconds"]) if m["seconds"] else None
        m.update(extra)
        self.say(
            f"[{name}] {m['seconds']:.1f} s, peak {m['peak_rss_mib']:.0f} MiB"
            + (f", {m['rows_per_second']:,} {rows_what}/s" if rows is not None else "")
        )
        return m

    def save(self) -> None:
        """Write the results so far: a stopped or failed benchmark keeps its figures."""
        if self.out is not None:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.out.write_text(json.dumps(self.results, indent=2) + "\n")

    # ---- stages

    def generate(self) -> None:
        if self.source.exists():
            shutil.rmtree(self.source)
        argv = [
            sys.executable,
            "-m",
            "orchestration.demo_data.generate",
            str(self.source),
            "--contacts",
            str(self.tier.contacts),
            "--days",
            str(self.tier.days),
            "--start",
            self.start.isoformat(),
            "--existing-share",
            str(EXISTING_SHARE),
        ]
        m = self.stage("generate", argv, self.work)
        rows = self._landed_rows(self.source)
        m.update(rows=rows, rows_what="rows", rows_per_second=round(rows / m["seconds"]))
        self.results["stages"]["generate"] = m

    def _landed_rows(self, root: Path) -> int:
        import duckdb

        con = duckdb.connect()
        n = 0
        try:
            for p in root.glob("events/*.parquet"):
                n += con.execute("select count(*) from read_parquet(?)", [str(p)]).fetchall()[0][0]
        finally:
            con.close()
        for ext in ("csv", "jsonl"):
            for p in root.glob(f"*/*.{ext}"):
                with open(p, "rb") as f:
                    n += max(0, sum(1 for _ in f) - (1 if ext == "csv" else 0))
        return n

    def _loaded_rows(self, home: Path, entity: str | None = None) -> int:
        sql = "select coalesce(sum(rows_loaded), 0) from raw.load_log"
        params: list = []
        if entity:
            sql += " where entity = ?"
            params = [entity]
        return int(_query(home / "warehouse.duckdb", sql, params)[0][0])

    def run_day(self, home: Path, by_day: dict, day: dt.date, label: str, empty: bool = False) -> dict:
        if not empty:  # an empty day lands nothing (the early warehouse's day 31 has files)
            land(self.source, home / "landing", by_day, day, day)
        before = self._loaded_rows(home, "events") if (home / "warehouse.duckdb").exists() else 0
        report = home / f"run-{day}.json"
        m = self.stage(
            label, _cli("run", "--date", day.isoformat()), home, env={"LEADSCORE_RUN_REPORT": str(report)}
        )
        m["day"] = day.isoformat()
        m["events_landed"] = self._loaded_rows(home, "events") - before
        m["profile"] = self._profile(home, report)
        return m

    def _profile(self, home: Path, report: Path) -> dict:
        """Where a run's time went: Dagster steps (from the run report) and dbt models."""
        prof: dict = {}
        if report.exists():
            prof["steps"] = json.loads(report.read_text()).get("step_seconds", {})
        runs = sorted((home / "dbt_runs").glob("*/run_results.json"), key=lambda p: p.stat().st_mtime)
        if runs:
            res = json.loads(runs[-1].read_text())
            models = sorted(
                (
                    (r["unique_id"].split(".")[-1], round(r.get("execution_time") or 0, 2))
                    for r in res.get("results", [])
                    if r["unique_id"].startswith(("model.", "seed."))
                ),
                key=lambda x: -x[1],
            )
            prof["dbt_total_seconds"] = round(res.get("elapsed_time") or 0, 1)
            prof["dbt_models"] = dict(models[:12])
            tests = [
                r.get("execution_time") or 0
                for r in res.get("results", [])
                if r["unique_id"].startswith("test.")
            ]
            prof["dbt_tests_seconds"] = round(sum(tests), 1)
        return prof

    def run(self, stages: set[str]) -> dict:
        self.work.mkdir(parents=True, exist_ok=True)
        self.say(
            f"benchmark tier {self.tier.name}: {self.tier.contacts:,} contacts x {self.tier.days} days "
            f"({self.start}..{self.end}); work dir {self.work}; log {self.log}"
        )
        if "generate" in stages or not self.source.exists():
            self.generate()
        by_day = files_by_day(self.source)
        year, early = self.work / "year", self.work / "early"
        for h in (year, early):
            if h.exists():
                shutil.rmtree(h)
            (h / "landing").mkdir(parents=True)
        r = self.repeat
        last_backfilled = self.tier.days - r
        early_last = min(EARLY_DAY, self.tier.days - 1)

        # ingest and backfill the year but its last `repeat` days
        land(self.source, year / "landing", by_day, None, self.day(last_backfilled))
        m = self.stage("ingest", _cli("ingest"), year)
        m.update(rows=self._loaded_rows(year), rows_what="rows")
        m["rows_per_second"] = round(m["rows"] / m["seconds"])
        self.results["stages"]["ingest"] = m
        events = self._loaded_rows(year, "events")
        self.results["stages"]["backfill"] = backfill = self.stage(
            "backfill",
            _cli(
                "backfill", "--start", self.day(1).isoformat(), "--end", self.day(last_backfilled).isoformat()
            ),
            year,
            rows=events,
            rows_what="events",
            days=last_backfilled,
            limit=self.backfill_limit,
        )
        year_done = not backfill.get("stopped")
        self.save()

        # the early warehouse: days 1..(30 - repeat), not timed (set-up)
        land(self.source, early / "landing", by_day, None, self.day(early_last - r))
        for argv in (
            _cli("ingest"),
            _cli(
                "backfill", "--start", self.day(1).isoformat(), "--end", self.day(early_last - r).isoformat()
            ),
        ):
            self.stage("setup early", argv, early)

        # daily runs, interleaved: day 30-r+1.. and day 365-r+1.., one of each in turn
        # (without a finished backfill there is no year to run: the day-30 series only)
        runs_early, runs_late = [], []
        for i in range(r):
            runs_early.append(
                self.run_day(early, by_day, self.day(early_last - r + 1 + i), f"day {early_last - r + 1 + i}")
            )
            if year_done:
                runs_late.append(
                    self.run_day(
                        year,
                        by_day,
                        self.day(self.tier.days - r + 1 + i),
                        f"day {self.tier.days - r + 1 + i}",
                    )
                )
        # the empty days follow the year's last day (or, without the year, the early warehouse's)
        empty_home, after = (year, self.end) if year_done else (early, self.day(early_last))
        empty = []
        for i in range(self.n_empty):
            d = after + dt.timedelta(days=1 + i)
            empty.append(self.run_day(empty_home, by_day, d, f"empty day {d}", empty=True))

        def series(runs: list[dict]) -> dict:
            secs = [x["seconds"] for x in runs]
            return {
                "median_seconds": round(statistics.median(secs), 2),
                "median_events": statistics.median(x["events_landed"] for x in runs),
                "peak_rss_mib": max(x["peak_rss_mib"] for x in runs),
                "runs": runs,
            }

        st = self.results["stages"]
        st[f"daily_day{early_last}"] = series(runs_early)
        if runs_late:
            st[f"daily_day{self.tier.days}"] = series(runs_late)
            st["ratio_late_over_early"] = round(
                st[f"daily_day{self.tier.days}"]["median_seconds"]
                / st[f"daily_day{early_last}"]["median_seconds"],
                2,
            )
        else:
            st[f"daily_day{self.tier.days}"] = {"not_run": "the full-year backfill was stopped at its limit"}
        st["empty_day"] = series(empty)
        st["empty_day"]["warehouse"] = "year" if year_done else "early"
        self.results["peak_rss_mib"] = max(m["peak_rss_mib"] for m in self.results["measured"])
        self.results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.save()
        return self.results


def table(results: dict) -> str:
    """The figures as a plain-text table."""
    st = results["stages"]
    lines = [
        f"tier {results['tier']}: {results['contacts']:,} contacts x {results['days']} days "
        f"({results['machine']['cpus']} cpus, duckdb threads {results['machine']['duckdb_threads']}, "
        f"memory limit {results['machine']['duckdb_memory_limit']})",
        f"{'stage':<22}{'wall s':>10}{'rows/s':>12}{'peak MiB':>10}  notes",
    ]
    for name, v in st.items():
        if not isinstance(v, dict):
            continue
        if "not_run" in v:
            lines.append(f"{name:<22}{'-':>10}{'':>12}{'-':>10}  not run: {v['not_run']}")
        elif "runs" in v:
            note = f"median of {len(v['runs'])}: " + ", ".join(
                f"{x['seconds']:.1f}s ({x['events_landed']:,} ev)" for x in v["runs"]
            )
            lines.append(f"{name:<22}{v['median_seconds']:>10.1f}{'':>12}{v['peak_rss_mib']:>10.0f}  {note}")
        else:
            rps = f"{v['rows_per_second']:,}" if v.get("rows_per_second") else ""
            note = f"{v['rows']:,} {v['rows_what']}" if "rows" in v else ""
            if v.get("stopped"):
                rps, note = (
                    "",
                    f"STOPPED at the {v['limit_seconds'] / 60:g}-minute limit, unfinished; " + note,
                )
            lines.append(f"{name:<22}{v['seconds']:>10.1f}{rps:>12}{v['peak_rss_mib']:>10.0f}  {note}")
    if "ratio_late_over_early" in st:
        lines.append(f"daily run, last day over day {EARLY_DAY} (medians): {st['ratio_late_over_early']}x")
    late = [k for k in st if k.startswith("daily_day") and "runs" in st[k]]
    if late:
        prof = st[late[-1]]["runs"][-1].get("profile", {})
        if prof:
            lines.append(f"profile of the last daily run ({st[late[-1]]['runs'][-1]['day']}):")
            for step, s in sorted(prof.get("steps", {}).items(), key=lambda x: -x[1]):
                lines.append(f"  step {step:<40}{s:>8.1f} s")
            lines.append(
                f"  dbt elapsed {prof.get('dbt_total_seconds', '?')} s; data tests {prof.get('dbt_tests_seconds', '?')} s; slowest models:"
            )
            for model, s in prof.get("dbt_models", {}).items():
                lines.append(f"    {model:<40}{s:>8.1f} s")
    lines.append(f"peak memory of any process: {results.get('peak_rss_mib', 0):.0f} MiB")
    return "\n".join(lines)


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
