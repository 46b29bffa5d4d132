"""The serving copy for BI tools: every public mart, published atomically (see serving/publish.py).

Downstream of all public marts (dbt models in schema `marts`, found in the manifest), so
it runs only when the marts were built in this run and no blocking check on them, or on
anything upstream, failed.
"""

import datetime as dt
import warnings

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    BetaWarning,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.assets.dbt import manifest, public_mart_keys
from orchestration.defs.assets.raw import TRANSIENT_RETRY
from orchestration.defs.partitions import daily, window_days
from orchestration.defs.resources import RunLockResource
from orchestration.runtime import config
from orchestration.runtime.manifest import node_named, public_marts, relation_name
from orchestration.serving import ledger, report
from orchestration.serving import publish as serving

SERVING_KEY = AssetKey(["serving", "leadscore"])


def public_tables() -> dict[str, str]:
    """Public name -> warehouse relation of every public mart."""
    return {node.get("alias") or node["name"]: relation_name(node) for node in public_marts(manifest)}


def monthly_sources() -> dict[str, list[str] | None]:
    """Public marts published by month (serving.HISTORY_TABLES) -> the windowed models they
    read (serving/ledger.py records from which day those changed), or None when they read
    anything but those and seeds (then every month is compared)."""
    windowed = ledger.windowed_models(manifest)
    out: dict[str, list[str] | None] = {}
    for name in serving.HISTORY_TABLES:
        try:
            node = node_named(manifest, name, "model")
        except KeyError:
            continue
        parents = node.get("depends_on", {}).get("nodes", [])
        if all(p in windowed or p.startswith("seed.") for p in parents):
            out[name] = sorted(windowed[p]["name"] for p in parents if p in windowed)
        else:
            out[name] = None
    return out


# backfill_policy on @asset is beta in Dagster 1.13 (it is not on @multi_asset/@dbt_assets).
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")


@asset(
    key=SERVING_KEY,
    deps=public_mart_keys(),
    group_name="serving",
    kinds={"duckdb", "parquet"},
    partitions_def=daily,
    backfill_policy=BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY,
    op_tags={"leadscore/writes": "serving"},
    description="Every public mart, published for BI tools to $LEADSCORE_HOME/serving/leadscore.duckdb "
    "(schema main) and serving/parquet/<table>.parquet: atomically, read-only friendly, never with PII; "
    "and the outcome report serving/report.html.",
)
def serving_copy(context: AssetExecutionContext, run_lock: RunLockResource) -> MaterializeResult:
    first, last = window_days(context.partition_time_window)
    with run_lock.held(f"dagster run {context.run.run_id}: publish"):
        warehouse, serving_dir = config.warehouse_path(), config.serving_dir()
        recheck = ledger.recheck_from(monthly_sources(), serving.current_version(serving_dir), warehouse)
        out = serving.publish(public_tables(), warehouse=warehouse, serving=serving_dir, recheck_from=recheck)
        ledger.published(out.version, warehouse)
    compared = ", ".join(
        f"{t} from {d:%Y-%m}" if d != dt.date.max else f"{t}: none" for t, d in recheck.items()
    )
    context.log.info(
        f"published {len(out.rows)} tables to {out.serving_file} (version {out.version}); "
        f"months compared: {compared or 'all'}"
    )
    # The outcome report next to the copy it reads; a report that fails to render is
    # logged and never undoes the publish BI tools rely on.
    report_file = config.serving_dir() / report.REPORT_FILE
    try:
        report.write_report(report_file, source=out.serving_file)
        context.log.info(f"wrote the report {report_file}")
    except Exception as e:  # noqa: BLE001
        context.log.warning(f"could not write the report {report_file}: {e}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(out.serving_file)),
            "report": MetadataValue.path(str(report_file)),
            "parquet": MetadataValue.path(str(out.parquet_dir)),
            "version": MetadataValue.text(out.version),
            "days": MetadataValue.text(f"{first}..{last}"),
            "rows": MetadataValue.json(out.rows),
        }
    )
