"""Every day at 06:00 UTC, score the day before (the partition of yesterday)."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from orchestration.defs.jobs import daily_scoring
from orchestration.defs.partitions import yesterday


@schedule(
    job=daily_scoring,
    name="daily_scoring_at_6_utc",
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="06:00 UTC: ingest, score and publish yesterday (the last complete day).",
)
def daily_scoring_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    day = yesterday(context.scheduled_execution_time).isoformat()
    # run_key: a tick retried by the daemon never launches the same day twice.
    return RunRequest(run_key=f"scheduled-{day}", partition_key=day, tags={"leadscore/trigger": "schedule"})
