"""Launch the daily job from the command line: the same job the schedule and sensor launch.

`launch(first, last)` executes job `daily_scoring` in this process against the Dagster
instance in $DAGSTER_HOME (default $LEADSCORE_HOME/dagster, created with its dagster.yaml
if missing), so the run shows up in `dagster dev` beside scheduled ones. One day is one
partition; a range of days is ONE ranged run (tags dagster/asset_partition_range_start
and _end; every asset has a single-run backfill policy), hence one dbt invocation.
The run lock is taken before launching: a second run waits, then refuses cleanly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.runtime import config, run_lock

DAGSTER_YAML = """\
# Written by leadscore when it creates this DAGSTER_HOME; edit freely, it is not rewritten.
# Runs of the daily job carry the tag leadscore/warehouse: the run queue (dagster dev,
# schedules, sensors) starts one at a time. The run lock ($LEADSCORE_HOME/.run.lock)
# also covers runs started from the command line.
concurrency:
  runs:
    tag_concurrency_limits:
      - key: "leadscore/warehouse"
        limit: 1
telemetry:
  enabled: false
"""


def dagster_home() -> Path:
    """$DAGSTER_HOME, or $LEADSCORE_HOME/dagster; created with a dagster.yaml if missing."""
    path = Path(os.environ.get("DAGSTER_HOME") or config.home() / "dagster").absolute()
    path.mkdir(parents=True, exist_ok=True)
    yaml = path / "dagster.yaml"
    if not yaml.exists():
        yaml.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(path)
    return path


@dataclass
class CheckOutcome:
    asset: str
    name: str
    passed: bool
    blocking: bool
    severity: str
    description: str  # what the check verifies (its definition)
    result: str  # what it found, when it failed
    failing_rows: int | None = None  # a dbt test's failing rows
    keys: list[str] = field(default_factory=list)  # a few failing rows' ids, never PII

    def found(self) -> str:
        """What a failed check found, for people: its result, the failing rows, some keys."""
        parts = [self.result] if self.result else []
        if self.failing_rows is not None:
            parts.append(f"{self.failing_rows} failing row{'s' if self.failing_rows != 1 else ''}")
        if self.keys:
            parts.append("e.g. " + "; ".join(self.keys))
        return ", ".join(parts) or "failed (no details: see the run in the Dagster UI)"


@dataclass
class RunOutcome:
    run_id: str
    first: dt.date
    last: dt.date
    success: bool
    seconds: float
    checks: list[CheckOutcome] = field(default_factory=list)
    failed_steps: list[tuple[str, str]] = field(default_factory=list)
    published: bool = False
    dagster_home: Path | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)  # wall time per Dagster step

    @property
    def failed_blocking(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.blocking]

    @property
    def failed_warnings(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and not c.blocking]


class InvalidDaysError(ValueError):
    """Days outside the daily partitions (before the first day, or not over yet)."""


def validate_days(first: dt.date, last: dt.date) -> None:
    from orchestration.defs.partitions import FIRST_DAY, daily

    if first > last:
        raise InvalidDaysError(f"start {first} is after end {last}")
    keys = daily.get_partition_keys()
    if first.isoformat() < FIRST_DAY or last.isoformat() > keys[-1]:
        raise InvalidDaysError(
            f"days must lie within {FIRST_DAY}..{keys[-1]} (a day is scored once it is over; "
            f"got {first}..{last})"
        )


def launch(
    first: dt.date,
    last: dt.date,
    progress: Callable[[str], None] | None = None,
    lock_timeout: float | None = None,
) -> RunOutcome:
    """Run job daily_scoring over first..last (inclusive) in this process; never raises for a
    failed run (see RunOutcome), raises RunLockedError if another run holds the lock."""
    from dagster import DagsterInstance

    from orchestration.runtime.internals import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        faster_event_log,
    )

    say = progress or (lambda _m: None)
    validate_days(first, last)
    home = dagster_home()
    say("loading the Dagster definitions (dbt manifest, assets, checks)")
    from orchestration.definitions import defs
    from orchestration.defs.jobs import JOB_NAME

    job = defs.resolve_job_def(JOB_NAME)
    graph = defs.resolve_asset_graph()
    if first == last:
        partition_key, tags = first.isoformat(), {}
        what = f"day {first}"
    else:
        partition_key = None
        tags = {
            ASSET_PARTITION_RANGE_START_TAG: first.isoformat(),
            ASSET_PARTITION_RANGE_END_TAG: last.isoformat(),
        }
        what = f"days {first}..{last} in one run"
    t0 = time.perf_counter()
    with run_lock.hold(what=f"leadscore: {what}", timeout=lock_timeout, progress=say):
        say(f"running job {JOB_NAME} for {what} (Dagster instance {home})")
        with DagsterInstance.get() as instance, faster_event_log(instance):
            result = job.execute_in_process(
                partition_key=partition_key,
                instance=instance,
                tags={**tags, "leadscore/trigger": "cli"},
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            )
            steps = step_seconds(instance.all_logs(result.run_id))
        # while the lock is held, nobody else writes the warehouse the keys are read from
        checks = _check_outcomes(result, graph)
    outcome = RunOutcome(
        run_id=result.run_id,
        first=first,
        last=last,
        success=result.success,
        seconds=round(time.perf_counter() - t0, 1),
        dagster_home=home,
    )
    outcome.checks = checks
    for ev in result.get_step_failure_events():
        err = ev.step_failure_data.error if ev.step_failure_data else None
        outcome.failed_steps.append((ev.step_key or "?", (err.message.strip() if err else "")[:1500]))
    outcome.step_seconds = steps
    _write_run_report(outcome)
    from orchestration.defs.assets.serving import SERVING_KEY

    outcome.published = any(ev.asset_key == SERVING_KEY for ev in result.get_asset_materialization_events())
    return outcome


def _check_outcomes(result, graph) -> list[CheckOutcome]:
    out = []
    for ev in result.get_asset_check_evaluations():
        try:
            spec = graph.get_check_spec(ev.asset_check_key)
            description = spec.description or ""
        except Exception:  # a check outside the definitions: keep what the event says
            description = ""
        check = CheckOutcome(
            asset=ev.asset_key.to_user_string(),
            name=ev.check_name,
            passed=ev.passed,
            blocking=bool(ev.blocking) and ev.severity.value == "ERROR",
            severity=ev.severity.value,
            description=description,
            result=ev.description or "",
        )
        failing = ev.metadata.get("dagster_dbt/failed_row_count")
        if failing is not None:
            check.failing_rows = int(failing.value)
        unique_id = ev.metadata.get("unique_id")
        if not ev.passed and check.blocking and unique_id is not None:
            check.keys = failing_keys(result.run_id, str(unique_id.value))
            check.description = check.description or dbt_test_description(str(unique_id.value))
        out.append(check)
    return out


# Columns whose values name a row without saying anything about a person: the keys of the
# landing contract and of the marts. Values that look like an email or a phone number are
# left out all the same (a source system may use an email as a contact id).
KEY_COLUMN = re.compile(r"^(.*_id|id|model_version|score_date|day|band|rule_kind)$", re.IGNORECASE)
LOOKS_PERSONAL = re.compile(r".*@.*|\+?[\d ()./-]{7,}", re.DOTALL)


def dbt_test_description(unique_id: str) -> str:
    """What a dbt test verifies, from the manifest: its description; for a generic test,
    the test, the model and its arguments; for a singular test (tests/dbt), the comment
    it opens with."""
    from orchestration.runtime.manifest import load_manifest

    try:
        node = load_manifest()["nodes"][unique_id]
    except Exception:  # no manifest, or a test it does not know
        return ""
    if node.get("description"):
        return f"dbt test: {node['description']}"
    meta = node.get("test_metadata")
    if meta:
        model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
        args = ", ".join(f"{k}={v}" for k, v in sorted(meta.get("kwargs", {}).items()) if k != "model")
        name = ".".join(p for p in (meta.get("namespace"), meta["name"]) if p)
        return f"dbt test {name} on {model}" + (f" ({args})" if args else "")
    comment = []
    for line in (node.get("raw_code") or "").splitlines():
        if not line.startswith("--"):
            break
        comment.append(line.lstrip("- ").strip())
    where = node.get("original_file_path", "")
    return f"dbt test {where}" + (f": {' '.join(comment)}" if comment else "")


def failing_keys(run_id: str, unique_id: str, limit: int = 3) -> list[str]:
    """The keys of a few rows a failed dbt test returned: its compiled SQL (run_results.json
    of the run's dbt folder) run again, read-only, keeping only key columns. Empty when the
    artefacts or the warehouse cannot be read: the count is still reported."""
    import json

    path = config.home() / "dbt_runs" / run_id / "run_results.json"
    try:
        results = json.loads(path.read_text())["results"]
        [sql] = [r.get("compiled_code") for r in results if r.get("unique_id") == unique_id]
        con = config.connect(read_only=True)
        try:
            cur = con.execute(f"select * from ({sql}) as failing limit {int(limit)}")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        finally:
            con.close()
    except Exception:  # no artefacts, no warehouse, SQL that cannot be re-run: no keys
        return []
    keep = [i for i, n in enumerate(names) if KEY_COLUMN.match(n)]
    out = []
    for row in rows:
        pairs = [
            f"{names[i]}={row[i]}"
            for i in keep
            if row[i] is not None
            and not (isinstance(row[i], str) and LOOKS_PERSONAL.fullmatch(row[i]))
            and len(str(row[i])) <= 64
        ]
        if pairs:
            out.append(" ".join(pairs))
    return out


def step_seconds(entries) -> dict[str, float]:
    """Wall seconds of each step of a run, from its step start and end log entries."""
    started: dict[str, float] = {}
    took: dict[str, float] = {}
    for entry in entries:
        ev = entry.dagster_event
        if ev is None or not ev.step_key:
            continue
        kind = ev.event_type_value
        if kind == "STEP_START":
            started[ev.step_key] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and ev.step_key in started:
            took[ev.step_key] = round(entry.timestamp - started[ev.step_key], 2)
    return took


def _write_run_report(outcome: RunOutcome) -> None:
    """With $LEADSCORE_RUN_REPORT set, write the run's timings there as JSON (the benchmark)."""
    path = os.environ.get("LEADSCORE_RUN_REPORT")
    if not path:
        return
    import json

    Path(path).write_text(
        json.dumps(
            {
                "run_id": outcome.run_id,
                "first": outcome.first.isoformat(),
                "last": outcome.last.isoformat(),
                "success": outcome.success,
                "seconds": outcome.seconds,
                "step_seconds": outcome.step_seconds,
            },
            indent=2,
        )
    )


# --------------------------------------------------------------------------- summary


def _connect_serving():
    import duckdb

    from orchestration.serving.publish import serving_file

    path = serving_file()
    return duckdb.connect(str(path), read_only=True) if path.exists() else None


def summary_lines(outcome: RunOutcome) -> list[str]:
    """The end-of-run summary: bands, new MQLs, checks, where the serving copy is."""
    from orchestration.serving.publish import PARQUET_LINK, serving_file

    lines = []
    state = "succeeded" if outcome.success else "FAILED"
    days = f"{outcome.first}" if outcome.first == outcome.last else f"{outcome.first}..{outcome.last}"
    lines.append(f"run {outcome.run_id} ({days}) {state} in {outcome.seconds}s")
    con = _connect_serving()
    try:
        tables = set()
        if con is not None:
            tables = {
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'main'"
                ).fetchall()
            }
        source = "published" if outcome.published else "NOT published by this run; previous copy"
        if "lead_scores" in tables:
            rows = con.execute(
                "select model_id, model_version, max(score_date), band, count(*), "
                "count(*) filter (where is_mql) from lead_scores "
                "group by model_id, model_version, band order by 1, 2, min(total_score)"
            ).fetchall()
            lines.append(f"leads per band, active models ({source}):")
            by_model: dict[tuple, list] = {}
            for model_id, version, score_date, band, leads, mqls in rows:
                by_model.setdefault((model_id, version, score_date), []).append((band, leads, mqls))
            if not by_model:
                lines.append("  (no leads scored)")
            for (model_id, version, score_date), bands in by_model.items():
                parts = ", ".join(f"{band} {leads}" for band, leads, _ in bands)
                mql = sum(m for _, _, m in bands)
                lines.append(f"  {model_id} v{version} as of {score_date}: {parts} (MQL {mql})")
        else:
            lines.append("leads per band: n/a (no serving copy yet)")
        new_mql = "n/a"
        if "mql_events" in tables:
            cols = {r[0] for r in con.execute("describe mql_events").fetchall()}
            if {"event_date", "direction"} <= cols:
                active = " and is_active_version" if "is_active_version" in cols else ""
                new_mql = str(
                    con.execute(
                        f"select count(*) from mql_events where direction = 'up' "
                        f"and event_date between ? and ?{active}",
                        [outcome.first, outcome.last],
                    ).fetchone()[0]
                )
        lines.append(f"new MQLs on {days}: {new_mql}")
    finally:
        if con is not None:
            con.close()
    passed = sum(c.passed for c in outcome.checks)
    failed = [c for c in outcome.checks if not c.passed]
    lines.append(
        f"checks: {passed} passed, {len(outcome.failed_blocking)} blocking failed, "
        f"{len(outcome.failed_warnings)} warnings"
    )
    for c in failed:
        if c.blocking:  # the README's promise: which check, what it verifies, what it found
            lines.append(f"  BLOCKING: {c.asset} {c.name}: failed")
            if c.description:
                lines.append(f"    what it checks: {c.description}"[:1200])
            lines.append(f"    what it found: {c.found()}"[:1200])
        else:
            lines.append(f"  warning: {c.asset} {c.name}: {c.found()}"[:600])
    for step, message in outcome.failed_steps:
        lines.append(f"  step failed: {step}: {message.splitlines()[0] if message else ''}"[:600])
    if outcome.published:
        lines.append(f"serving copy: {serving_file()} (Parquet: {config.serving_dir() / PARQUET_LINK}/)")
    else:
        lines.append(f"serving copy unchanged: {serving_file()}")
    return lines


def failure_help(outcome: RunOutcome) -> list[str]:
    """Where to look when the run failed: the checks, the run in Dagster, the dbt logs."""
    lines = []
    for c in outcome.failed_blocking:
        lines.append(f"blocking check failed: {c.name} on {c.asset}")
        if c.description:
            lines.append(f"  what it checks: {c.description}")
        lines.append(f"  what it found: {c.found()}"[:1500])
    if outcome.failed_steps and not outcome.failed_blocking:
        for step, message in outcome.failed_steps:
            lines.append(f"step {step} failed: {message}"[:1500])
    lines.append("nothing was published: BI tools keep reading the previous serving copy")
    lines.append(
        f"look at run {outcome.run_id} in the Dagster UI: DAGSTER_HOME={outcome.dagster_home} "
        f"LEADSCORE_HOME={config.home()} .venv/bin/dagster dev -m orchestration.definitions"
    )
    lines.append(f"dbt logs and run_results.json: {config.home() / 'dbt_runs' / outcome.run_id}/")
    return lines


_DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def landed_days(landing: Path) -> tuple[dt.date, dt.date] | None:
    """First and last day named in landing file names (the generator's <entity>_<day>.*)."""
    days = set()
    for p in landing.glob("*/*"):
        m = _DAY_IN_NAME.search(p.name)
        if m:
            with contextlib.suppress(ValueError):
                days.add(dt.date.fromisoformat(m.group(1)))
    return (min(days), max(days)) if days else None


def demo_days(span: tuple[dt.date, dt.date] | None, yesterday: dt.date) -> tuple[dt.date, dt.date]:
    """The days `leadscore demo` scores: the landed span, never past yesterday nor before
    the first partition; the demo backfills first..last-1, then runs last as a daily run."""
    from orchestration.defs.partitions import FIRST_DAY

    first, last = span or (yesterday, yesterday)
    last = min(last, yesterday)
    first = min(max(first, dt.date.fromisoformat(FIRST_DAY)), last)
    return first, last
