"""Great Expectations suites on raw inputs and scored marts, run as Dagster asset checks.

GX 1.x with an ephemeral context and pandas DataFrames read from DuckDB over a read-only
connection (GX's SQL datasource does not work on DuckDB, and dagster-ge does not support
GX 1.x, hence these @asset_checks). Great Expectations is imported only when a check runs:
it takes seconds to import and loading the definitions should not pay for it; a run
imports it in the background while dbt builds (gx_loader), and the key check on raw
events, which runs before dbt, imports it only when there are new rows to validate.

Step order: the blocking key check on raw events and the dbt build come first (priority
tag RUN_FIRST), then the warning checks on raw events, the checks on the marts, publish.
The warnings gate nothing, so running them after the build changes no outcome; it lets
an empty day's run reach dbt without waiting for GX.

Blocking checks (severity ERROR) stop everything downstream in the run, publishing
included; warning checks (severity WARN) are recorded and let the run go on. Each check's
description starts with which it is. Thresholds can be tuned through the environment:
LEADSCORE_MAX_UNKNOWN_EVENT_SHARE (default 0.05), LEADSCORE_VOLUME_RATIO_MIN / _MAX
(default 0.2 / 5).

This module is the wiring: which check on which asset, its severity, the rows it reads,
the metadata it records. The suites themselves are data (suites), validation runs one on
a DataFrame, and event_keys holds the incremental, bucketed key check on raw.events.
"""

import datetime as dt
import os

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)

from orchestration.defs.assets.dbt import manifest, model_key
from orchestration.defs.assets.raw import raw_key
from orchestration.defs.checks import suites
from orchestration.defs.checks.event_keys import (
    KEY_CHECK_CHUNK_ROWS,
    advance_watermark,
    validate_event_keys,
    watermark,
)
from orchestration.defs.checks.validation import SuiteOutcome, run_suite
from orchestration.defs.partitions import run_days
from orchestration.defs.resources import RUN_FIRST
from orchestration.ingest import contract as C
from orchestration.runtime import config
from orchestration.runtime.manifest import node_named, relation_name

BLOCKING = "Blocking: a failure stops the run before anything downstream, publishing included."
WARNING = "Warning (non-blocking): a failure is recorded, the run goes on and publishes."

EVENTS = raw_key("events")
LEAD_SCORES = model_key("lead_scores")


def unknown_share_limit() -> float:
    return float(os.environ.get("LEADSCORE_MAX_UNKNOWN_EVENT_SHARE", "0.05"))


def volume_ratio_bounds() -> tuple[float, float]:
    return (
        float(os.environ.get("LEADSCORE_VOLUME_RATIO_MIN", "0.2")),
        float(os.environ.get("LEADSCORE_VOLUME_RATIO_MAX", "5")),
    )


def _result(
    outcome: SuiteOutcome, severity: AssetCheckSeverity, extra: dict | None = None
) -> AssetCheckResult:
    return AssetCheckResult(
        passed=outcome.success,
        severity=severity,
        description=None if outcome.success else "; ".join(outcome.failures)[:2000],
        metadata={
            "gx_suite": MetadataValue.text(outcome.suite),
            "rows_validated": MetadataValue.int(outcome.rows),
            "expectations": MetadataValue.json(outcome.details),
            **(extra or {}),
        },
    )


def _frame(sql: str, params: list | None = None):
    con = config.connect(read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def _days(context: AssetCheckExecutionContext) -> tuple[dt.date, dt.date]:
    """The run's days: checks are not partitioned themselves (partitioned checks are a
    preview feature of Dagster 1.13) but read the partition(s) of the run they are in."""
    return run_days(dict(context.run.tags))


# --------------------------------------------------------------------------- raw inputs


@asset_check(
    asset=EVENTS,
    name="events_keys_not_null_and_unique",
    blocking=True,
    description=f"{BLOCKING} GX suite on the rows of raw.events loaded since the last time this "
    "check passed (all rows the first time): event_id, contact_id, event_type and occurred_at "
    "are never null, and event_id is unique among them and every earlier row with the same id, "
    "as the landing contract promises. More than "
    f"{KEY_CHECK_CHUNK_ROWS:,} rows are validated in buckets of about that size split by a hash "
    "of event_id (rows sharing an id share a bucket), so memory stays bounded however much a "
    "run loads and the table is read once.",
    op_tags=RUN_FIRST,
)
def events_keys_not_null_and_unique(context: AssetCheckExecutionContext) -> AssetCheckResult:
    since = watermark()
    con = config.connect(read_only=True)
    try:
        files, outcomes = validate_event_keys(con, since, KEY_CHECK_CHUNK_ROWS)
    finally:
        con.close()
    outcome = SuiteOutcome(
        suite=suites.EVENT_KEYS.name,
        success=all(o.success for o in outcomes),
        rows=sum(o.rows for o in outcomes),
        failures=[f for o in outcomes for f in o.failures],
        details=[d for o in outcomes[:1] for d in o.details],
    )
    if outcome.success and files:
        advance_watermark(max(t for _, _, t in files))
    return _result(
        outcome,
        AssetCheckSeverity.ERROR,
        {
            "validated_since": MetadataValue.text(since),
            "files_validated": MetadataValue.int(len(files)),
            "chunks": MetadataValue.int(len(outcomes)),
        },
    )


@asset_check(
    asset=EVENTS,
    name="events_unknown_type_share",
    blocking=False,
    description=f"{WARNING} GX suite on the events of the run's days: the share of event types that "
    "are not standard types of the landing contract stays below LEADSCORE_MAX_UNKNOWN_EVENT_SHARE "
    "(default 5%). A jump usually means a source renamed its event types: they then score nothing.",
)
def events_unknown_type_share(context: AssetCheckExecutionContext) -> AssetCheckResult:
    first, last = _days(context)
    limit = unknown_share_limit()
    frame = _frame(
        "select event_type from raw.events where cast(occurred_at as date) between ? and ?",
        [first, last],
    )
    outcome = run_suite(suites.event_types_known(limit), frame)
    unknown = int((~frame["event_type"].isin(C.STANDARD_EVENT_TYPES)).sum()) if len(frame) else 0
    return _result(
        outcome,
        AssetCheckSeverity.WARN,
        {
            "unknown_events": MetadataValue.int(unknown),
            "unknown_share": MetadataValue.float(unknown / len(frame) if len(frame) else 0.0),
            "limit": MetadataValue.float(limit),
        },
    )


@asset_check(
    asset=EVENTS,
    name="events_daily_volume",
    blocking=False,
    description=f"{WARNING} GX suite on daily event volume: for each of the run's days, the events "
    "that occurred that day divided by the mean of the 7 days before lies within "
    "LEADSCORE_VOLUME_RATIO_MIN..MAX (default 0.2..5); days with less than 7 days of events "
    "before them are not judged. Catches a feed that stopped or jumped.",
)
def events_daily_volume(context: AssetCheckExecutionContext) -> AssetCheckResult:
    import pandas as pd

    first, last = _days(context)
    counts = dict(
        _frame(
            "select cast(occurred_at as date) as day, count(*) as n from raw.events "
            "where cast(occurred_at as date) between ? and ? group by 1",
            [first - dt.timedelta(days=7), last],
        ).itertuples(index=False, name=None)
    )
    counts = {(d.date() if hasattr(d, "date") else d): int(n) for d, n in counts.items()}
    [(since,)] = _frame("select min(cast(occurred_at as date)) from raw.events").itertuples(index=False)
    since = since.date() if hasattr(since, "date") else since
    rows = []
    day = first
    while day <= last:
        before = [counts.get(day - dt.timedelta(days=k), 0) for k in range(1, 8)]
        baseline = sum(before) / 7
        events = counts.get(day, 0)
        # Judged only with 7 full days of history before it: the first days of a feed
        # are no anomaly.
        judged = since is not None and not pd.isna(since) and day - dt.timedelta(days=7) >= since
        rows.append(
            {
                "day": day,
                "events": events,
                "baseline": baseline,
                "ratio": events / baseline if judged and baseline > 0 else None,
            }
        )
        day += dt.timedelta(days=1)
    frame = pd.DataFrame(rows, columns=["day", "events", "baseline", "ratio"])
    frame["ratio"] = frame["ratio"].astype("float64")
    low, high = volume_ratio_bounds()
    outcome = run_suite(suites.daily_volume(low, high), frame)
    return _result(
        outcome,
        AssetCheckSeverity.WARN,
        {"events_per_day": MetadataValue.json({str(r["day"]): r["events"] for r in rows[-31:]})},
    )


# --------------------------------------------------------------------------- scored marts


def _lead_scores_frame():
    """lead_scores with its model's bounds and threshold and the band its total earns."""
    scores = relation_name(node_named(manifest, "lead_scores", "model"))
    models = relation_name(node_named(manifest, "scoring_models", "seed"))
    bands = relation_name(node_named(manifest, "score_bands", "seed"))
    return _frame(
        f"""
        with scores as (
            select row_number() over () as row_id, contact_id, model_id, model_version,
                   cast(total_score as double) as total_score, band, is_mql
            from {scores}
        ),
        expected as (
            select scores.row_id, arg_max(bands.band, bands.band_rank) as expected_band
            from scores
            left join {bands} as bands
                on bands.model_id = scores.model_id
                and bands.model_version = scores.model_version
                and scores.total_score >= cast(bands.min_score as double)
            group by scores.row_id
        )
        select scores.*, expected.expected_band,
               cast(models.min_score as double) as min_score,
               cast(models.max_score as double) as max_score,
               scores.total_score >= cast(models.mql_threshold as double) as expected_is_mql
        from scores
        left join expected on expected.row_id = scores.row_id
        left join {models} as models
            on models.model_id = scores.model_id and models.model_version = scores.model_version
        """
    )


@asset_check(
    asset=LEAD_SCORES,
    name="lead_scores_keys",
    blocking=True,
    description=f"{BLOCKING} GX suite on marts.lead_scores: contact_id and model_id are never null "
    "and unique together (the table's grain: one row per contact and active model).",
)
def lead_scores_keys(context: AssetCheckExecutionContext) -> AssetCheckResult:
    frame = _lead_scores_frame()
    outcome = run_suite(suites.LEAD_SCORES_KEYS, frame)
    return _result(outcome, AssetCheckSeverity.ERROR)


@asset_check(
    asset=LEAD_SCORES,
    name="lead_scores_within_model_bounds",
    blocking=True,
    description=f"{BLOCKING} GX suite on marts.lead_scores: every total_score lies within the "
    "min_score..max_score its model declares in seed scoring_models.",
)
def lead_scores_within_model_bounds(context: AssetCheckExecutionContext) -> AssetCheckResult:
    frame = _lead_scores_frame()
    outcome = run_suite(suites.LEAD_SCORES_BOUNDS, frame)
    return _result(outcome, AssetCheckSeverity.ERROR)


@asset_check(
    asset=LEAD_SCORES,
    name="lead_scores_band_follows_thresholds",
    blocking=True,
    description=f"{BLOCKING} GX suite on marts.lead_scores: the band is the highest band of seed "
    "score_bands whose min_score the total reaches, and is_mql says whether the total reaches "
    "the model's mql_threshold.",
)
def lead_scores_band_follows_thresholds(context: AssetCheckExecutionContext) -> AssetCheckResult:
    frame = _lead_scores_frame()
    outcome = run_suite(suites.LEAD_SCORES_BANDS, frame)
    return _result(outcome, AssetCheckSeverity.ERROR)


GX_CHECKS = [
    events_keys_not_null_and_unique,
    events_unknown_type_share,
    events_daily_volume,
    lead_scores_keys,
    lead_scores_within_model_bounds,
    lead_scores_band_follows_thresholds,
]
