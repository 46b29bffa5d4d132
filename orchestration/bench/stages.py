"""The benchmark's stages: generate, ingest, backfill, the interleaved daily runs of day 30
and of the last day, and the empty-day runs, each one a timed `leadscore` subprocess against
a real DuckDB file; Bench runs them in order and keeps the results (saved as each stage ends)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.bench.landing import files_by_day, land
from orchestration.bench.measure import measure
from orchestration.runtime import config


@dataclass(frozen=True)
class Tier:
    name: str
    contacts: int
    days: int


EARLY_DAY = 30  # the "day 30" of the issue: the early warehouse's last measured day
EXISTING_SHARE = 0.9


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
                f"[{name}] stopped after {m['seconds']:.0f} s (limit {limit:.0f} s), "
                f"peak {m['peak_rss_mib']:.0f} MiB"
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

    def reference(self, home: Path, day: dt.date, label: str) -> dict:
        """The reference scorer on the warehouse a daily run just left, for the same score
        date: a subprocess (orchestration.bench.reference_run), measured like every stage;
        its whole result is fetched. A failure is recorded, not raised: the daily figures
        stand without it."""
        timing = home / f"reference-{day}.json"
        timing.unlink(missing_ok=True)
        argv = [
            sys.executable,
            "-m",
            "orchestration.bench.reference_run",
            "--date",
            day.isoformat(),
            "--json",
            str(timing),
        ]
        try:
            m = self.stage(label, argv, home)
        except RuntimeError as e:
            self.say(f"[{label}] {e}")
            return {"day": day.isoformat(), "failed": str(e)}
        m["day"] = day.isoformat()
        m.update(json.loads(timing.read_text()))
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
        # each daily run is followed by the reference scorer on its warehouse and day
        runs_early, runs_late, ref_early, ref_late = [], [], [], []
        for i in range(r):
            n = early_last - r + 1 + i
            runs_early.append(self.run_day(early, by_day, self.day(n), f"day {n}"))
            ref_early.append(self.reference(early, self.day(n), f"reference day {n}"))
            if year_done:
                n = self.tier.days - r + 1 + i
                runs_late.append(self.run_day(year, by_day, self.day(n), f"day {n}"))
                ref_late.append(self.reference(year, self.day(n), f"reference day {n}"))
        # the empty days follow the year's last day (or, without the year, the early warehouse's)
        empty_home, after = (year, self.end) if year_done else (early, self.day(early_last))
        empty, ref_empty = [], []
        for i in range(self.n_empty):
            d = after + dt.timedelta(days=1 + i)
            empty.append(self.run_day(empty_home, by_day, d, f"empty day {d}", empty=True))
            ref_empty.append(self.reference(empty_home, d, f"reference empty day {d}"))

        def series(runs: list[dict]) -> dict:
            secs = [x["seconds"] for x in runs]
            return {
                "median_seconds": round(statistics.median(secs), 2),
                "median_events": statistics.median(x["events_landed"] for x in runs),
                "peak_rss_mib": max(x["peak_rss_mib"] for x in runs),
                "runs": runs,
            }

        st = self.results["stages"]
        ratios: dict = {}

        def with_reference(name: str, runs: list[dict], refs: list[dict]) -> None:
            st[name] = series(runs)
            ok = [x for x in refs if "failed" not in x]
            if not ok:
                st[f"reference_{name}"] = {"not_run": "the reference scorer failed; see the log"}
                return
            st[f"reference_{name}"] = {
                "median_seconds": round(statistics.median(x["seconds"] for x in ok), 2),
                "median_query_seconds": round(statistics.median(x["query_seconds"] for x in ok), 2),
                "median_rows": statistics.median(x["rows"] for x in ok),
                "peak_rss_mib": max(x["peak_rss_mib"] for x in ok),
                "runs": refs,
            }
            ratios[name] = round(st[name]["median_seconds"] / st[f"reference_{name}"]["median_seconds"], 2)

        with_reference(f"daily_day{early_last}", runs_early, ref_early)
        if runs_late:
            with_reference(f"daily_day{self.tier.days}", runs_late, ref_late)
            st["ratio_late_over_early"] = round(
                st[f"daily_day{self.tier.days}"]["median_seconds"]
                / st[f"daily_day{early_last}"]["median_seconds"],
                2,
            )
        else:
            st[f"daily_day{self.tier.days}"] = {"not_run": "the full-year backfill was stopped at its limit"}
            st[f"reference_daily_day{self.tier.days}"] = {"not_run": "no day-365 warehouse"}
        with_reference("empty_day", empty, ref_empty)
        st["empty_day"]["warehouse"] = "year" if year_done else "early"
        st["ratio_daily_over_reference"] = ratios
        # the pipeline's peak: the reference scorer is a yardstick, not part of the pipeline
        self.results["peak_rss_mib"] = max(
            m["peak_rss_mib"] for m in self.results["measured"] if not m["stage"].startswith("reference")
        )
        self.results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.save()
        return self.results
