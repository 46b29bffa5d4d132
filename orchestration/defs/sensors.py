"""Sensors: new landing files trigger a run for yesterday; freshness checks re-evaluate.

The landing sensor's cursor is the set of landing files it has seen, as
{relative path: [size, mtime_ns]}. Files that are new or changed since the cursor trigger
ONE run of yesterday's partition, whose run_key is a digest of the new cursor: the same
files never trigger twice, even if the cursor were lost and the tick replayed. Files
modified in the last LEADSCORE_SENSOR_SETTLE_SECONDS (default 30) are left for the next
tick, so a file still being copied is not picked up half-written. Hidden files and *.tmp
are ignored, as ingestion ignores them.
"""

import hashlib
import json
import os
import time
import warnings
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    SupersessionWarning,
    build_sensor_for_freshness_checks,
    sensor,
)

from orchestration.defs.checks.freshness import FRESHNESS_CHECKS
from orchestration.defs.jobs import daily_scoring
from orchestration.defs.partitions import yesterday
from orchestration.ingest import contract as C
from orchestration.runtime import config


def settle_seconds() -> float:
    return float(os.environ.get("LEADSCORE_SENSOR_SETTLE_SECONDS", "30"))


def landing_snapshot(landing: Path, settle: float = 0.0, now: float | None = None) -> dict[str, list[int]]:
    """{entity/file: [size, mtime_ns]} of the landing files that ingestion would read
    (regular files; links are not followed, as ingestion refuses them)."""
    now = time.time() if now is None else now
    files: dict[str, list[int]] = {}
    for entity in C.ENTITIES:
        folder = landing / entity
        if folder.is_symlink() or not folder.is_dir():
            continue
        for p in folder.iterdir():
            if p.name.startswith(".") or p.name.endswith(".tmp") or p.is_symlink() or not p.is_file():
                continue
            st = p.lstat()
            if now - st.st_mtime < settle:
                continue
            files[f"{entity}/{p.name}"] = [st.st_size, st.st_mtime_ns]
    return files


@sensor(
    job=daily_scoring,
    name="landing_files_sensor",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a run of yesterday's partition when files land (new or changed files "
    "under $LEADSCORE_HOME/landing/<entity>/), once per set of files.",
)
def landing_files_sensor(context: SensorEvaluationContext):
    seen: dict[str, list[int]] = json.loads(context.cursor)["files"] if context.cursor else {}
    current = landing_snapshot(config.landing_dir(), settle=settle_seconds())
    new = sorted(rel for rel, stat in current.items() if seen.get(rel) != stat)
    if not new:
        return SkipReason(f"no new landing files ({len(current)} seen)")
    # Files that left the landing folder are forgotten; those still settling stay unseen.
    cursor = json.dumps({"files": dict(sorted(current.items()))}, separators=(",", ":"))
    day = yesterday().isoformat()
    run_key = hashlib.sha256(cursor.encode()).hexdigest()[:20]
    context.log.info(f"{len(new)} new landing file(s), e.g. {new[:3]}: requesting {day}")
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=run_key,
                partition_key=day,
                tags={"leadscore/trigger": "landing_files", "leadscore/new_files": str(len(new))},
            )
        ],
        cursor=cursor,
    )


with warnings.catch_warnings():
    warnings.simplefilter("ignore", SupersessionWarning)  # see defs/checks/freshness.py
    freshness_checks_sensor = build_sensor_for_freshness_checks(
        freshness_checks=FRESHNESS_CHECKS,
        minimum_interval_seconds=600,
        name="raw_freshness_checks_sensor",
        default_status=DefaultSensorStatus.STOPPED,
    )
