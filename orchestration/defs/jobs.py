"""The one job the schedule, the sensor and the CLI launch: ingest -> dbt build -> checks -> publish."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.defs.assets.dbt import dbt_build
from orchestration.defs.assets.raw import raw_ingest
from orchestration.defs.assets.serving import serving_copy

JOB_NAME = "daily_scoring"
# Runs carrying this tag are limited to one at a time by the run queue (see launch.py,
# which writes the instance's dagster.yaml); the run lock enforces it everywhere else.
CONCURRENCY_TAG = "leadscore/warehouse"

daily_scoring = define_asset_job(
    name=JOB_NAME,
    # The assets and their checks; all daily-partitioned, so the job is too.
    selection=AssetSelection.assets(raw_ingest, dbt_build, serving_copy),
    # One process per run: steps run one after another, DuckDB sees one writer, and the
    # run_lock resource holds the run lock from the first step to the last.
    executor_def=in_process_executor,
    tags={CONCURRENCY_TAG: "write"},
    description="Score the day(s) of the partition(s): ingest new landing files, dbt build the "
    "scores (dbt tests and Great Expectations suites as checks), publish the marts for BI.",
)
