"""Every dbt model and seed as a daily-partitioned asset; dbt tests as asset checks.

Keys and groups come from the dbt project, never from model names written here: a model
is <schema>/<name> (marts/lead_scores, the relation BI reads) in the group of its folder
(staging, intermediate, marts); a seed is rules/<name> in group `rules`; the source
`raw.<entity>` is raw/<entity>, the key ingestion materialises (defs/assets/raw.py).

A run over days D1..D2 (one partition, or a range under the single-run backfill policy)
is ONE `dbt build --vars {score_date: D2, history_start: D1}`. dbt data tests become
asset checks (blocking when their severity is error); dbt unit tests pin rule behaviour
and run in CI and `leadscore build`, not in the daily run.
"""

import json
import shutil
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
    get_asset_key_for_model,
)

from orchestration.defs.partitions import daily, dbt_vars
from orchestration.defs.resources import RUN_FIRST, RunLockResource, runtime_dbt
from orchestration.runtime import config
from orchestration.runtime.internals import keep_partial_parse, seed_partial_parse
from orchestration.runtime.manifest import dbt_project, load_manifest, public_marts
from orchestration.serving import ledger

# dbt artifacts (run_results.json, dbt.log, compiled SQL) of the last runs stay here.
KEEP_RUN_TARGETS = 10


class LeadscoreTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        props = dbt_resource_props
        if props["resource_type"] == "source":
            return AssetKey([props["source_name"], props["name"]])
        return AssetKey([props["schema"], props.get("alias") or props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        props = dbt_resource_props
        if props["resource_type"] == "model" and len(props["fqn"]) > 2:
            return props["fqn"][1]  # the folder under models/
        return props["schema"]


translator = LeadscoreTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
manifest = load_manifest()


def run_target_path(run_id: str):
    """$LEADSCORE_HOME/dbt_runs/<run id>: where one run's dbt artifacts and logs go."""
    base = config.home() / "dbt_runs"
    base.mkdir(parents=True, exist_ok=True)
    old = sorted((p for p in base.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for p in old[: max(0, len(old) - KEEP_RUN_TARGETS + 1)]:
        shutil.rmtree(p, ignore_errors=True)
    return base / run_id


@dbt_assets(
    manifest=manifest,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="dbt_build",
    partitions_def=daily,
    backfill_policy=BackfillPolicy.single_run(),
    exclude="resource_type:unit_test",
    op_tags={"leadscore/writes": "warehouse", **RUN_FIRST},
)
def dbt_build(context: AssetExecutionContext, dbt: DbtCliResource, run_lock: RunLockResource):
    vars = dbt_vars(context.partition_time_window)
    context.log.info(f"dbt build with vars {vars}")
    # The GX checks after the build need Great Expectations: import it while dbt runs.
    from orchestration.defs.checks import gx_loader

    gx_loader.preload()
    with run_lock.held(f"dagster run {context.run.run_id}: dbt build"):
        target_path = run_target_path(context.run.run_id)
        not_seeded = seed_partial_parse(target_path, vars)
        if not_seeded:
            context.log.info(f"dbt parses the whole project: {not_seeded}")
        else:
            context.log.info("dbt starts from a saved parse: it re-parses only files changed since")
        # What the build changes in score history is recorded for the next publish, even
        # when it fails (see serving/ledger.py).
        with ledger.warehouse_write(f"dagster run {context.run.run_id}: dbt build") as write:
            invocation = None
            try:
                invocation = runtime_dbt(dbt).cli(
                    ["build", "--vars", json.dumps(vars)],
                    context=context,
                    target_path=target_path,
                )
                yield from invocation.stream()
            finally:
                if invocation is not None:
                    invocation.process.wait()  # its writes are done before they are recorded
                    ledger.dbt_build_changes(target_path, write)
                    keep_partial_parse(target_path)


def model_key(name: str) -> AssetKey:
    """The asset key of a dbt model or seed, by its dbt name."""
    return get_asset_key_for_model([dbt_build], name)


def public_mart_keys() -> list[AssetKey]:
    """Asset keys of every public mart (dbt models in schema `marts`)."""
    return [translator.get_asset_key(node) for node in public_marts(manifest)]
