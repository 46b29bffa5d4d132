"""Raw tables as assets: one multi-asset runs ingestion and materialises raw/<entity>.

The keys are those of the dbt sources (`raw.<entity>` -> raw/<entity>, see defs/assets/dbt.py), so
the graph runs landing files -> raw tables -> staging -> intermediate -> marts -> serving.
Each materialisation carries `dagster/last_updated_timestamp` = when rows of that entity
last landed (max `_loaded_at`, the dbt sources' loaded_at_field): the freshness checks
read it, so they say whether data arrives, not merely whether the job ran.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    Backoff,
    Failure,
    FreshnessPolicy,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    multi_asset,
)

from orchestration.defs.partitions import daily
from orchestration.defs.resources import RunLockResource
from orchestration.ingest import contract as C
from orchestration.runtime import config
from orchestration.runtime.manifest import load_manifest, source_freshness
from orchestration.serving import ledger

RAW_GROUP = "raw"
# Ingestion fails transiently when a reader holds the warehouse file; retry twice.
TRANSIENT_RETRY = RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)
# Rows of an entity that never landed: an old timestamp (not 0, which Dagster reads as
# "unset") so its freshness check reports it instead of treating the run time as an update.
NEVER_LOADED = 1.0


def raw_key(entity: str) -> AssetKey:
    return AssetKey(["raw", entity])


RAW_KEYS = [raw_key(name) for name in C.ENTITIES]


def _freshness_policy(entity: str) -> FreshnessPolicy | None:
    """The dbt source's warn_after/error_after as a Dagster freshness policy: shown in the
    UI, it says whether ingestion ran lately (the freshness checks say whether rows landed)."""
    warn, error = source_freshness(load_manifest()).get(("raw", entity), (None, None))
    if not error:
        return None
    return FreshnessPolicy.time_window(fail_window=error, warn_window=warn if warn and warn < error else None)


@multi_asset(
    name="raw_ingest",
    specs=[
        AssetSpec(
            key=raw_key(name),
            group_name=RAW_GROUP,
            kinds={"duckdb"},
            freshness_policy=_freshness_policy(name),
            description=f"Landing files of `{name}` loaded into raw.{name} by ingestion: validated "
            "against the landing contract, bad rows in raw.quarantine, every file in raw.load_log.",
        )
        for name in C.ENTITIES
    ],
    partitions_def=daily,
    backfill_policy=BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY,
    op_tags={"leadscore/writes": "warehouse"},
)
def raw_ingest(context: AssetExecutionContext, run_lock: RunLockResource):
    """Load every new landing file (ingestion is idempotent: loaded files are skipped)."""
    from orchestration.ingest.loader import LandingMissingError, ingest

    landing, warehouse = config.landing_dir(), config.warehouse_path()
    with run_lock.held(f"dagster run {context.run.run_id}: ingest"):
        with ledger.warehouse_write(f"dagster run {context.run.run_id}: ingest", warehouse) as write:
            write.history_untouched()  # raw tables only
            try:
                summary = ingest(landing, warehouse, progress=context.log.debug)
            except LandingMissingError as e:  # an error, not an empty success; no retry helps
                raise Failure(description=str(e), allow_retries=False) from None
        # ingest() created every raw table, also those of entities that never landed.
        con = config.connect(warehouse, read_only=True)
        try:
            stats = {
                name: con.execute(f'select count(*), epoch(max(_loaded_at)) from raw."{name}"').fetchone()
                for name in C.ENTITIES
            }
        finally:
            con.close()
    for file, error in summary.failed:
        context.log.warning(f"landing file not loaded: {file}: {error}")
    for file, reason in summary.refused:
        context.log.warning(f"landing entry refused, not read: {file}: {reason}")
    context.log.info(
        f"ingest: {summary.files_loaded} files loaded, {summary.files_skipped} skipped, "
        f"{summary.files_failed} failed, {summary.files_refused} refused; {summary.rows_loaded} rows loaded, "
        f"{summary.rows_quarantined} quarantined, {summary.rows_duplicate} duplicate"
    )
    for name in C.ENTITIES:
        rows, last_loaded = stats[name]
        yield MaterializeResult(
            asset_key=raw_key(name),
            metadata={
                "dagster/row_count": MetadataValue.int(int(rows)),
                "rows_loaded_this_run": MetadataValue.int(summary.rows_loaded_by_entity.get(name, 0)),
                "dagster/last_updated_timestamp": MetadataValue.timestamp(
                    float(last_loaded) if last_loaded is not None else NEVER_LOADED
                ),
                "files_failed_this_run": MetadataValue.int(summary.files_failed),
                "entries_refused_this_run": MetadataValue.int(summary.files_refused),
                "rows_quarantined_this_run": MetadataValue.int(summary.rows_quarantined),
            },
        )
