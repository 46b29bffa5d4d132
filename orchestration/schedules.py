"""Every day at 06:00 UTC, score the day before (the partition of yesterday)."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, build_schedule_from_partitioned_job

from .jobs import daily_scoring

daily_scoring_schedule = build_schedule_from_partitioned_job(
    daily_scoring,
    name="daily_scoring_at_6_utc",
    hour_of_day=6,
    minute_of_hour=0,
    default_status=DefaultScheduleStatus.RUNNING,
    description="06:00 UTC: ingest, score and publish yesterday (the last complete day).",
)
