"""Every dbt model and seed as a daily-partitioned asset; dbt tests as asset checks.

Keys and groups come from the dbt project, never from model names written here: a model
is <schema>/<name> (marts/lead_scores, the relation BI reads) in the group of its folder
(staging, intermediate, marts); a seed is rules/<name> in group `rules`; the source
`raw.<entity>` is raw/<entity>, the key ingestion materialises (defs/assets/raw.py).

A run over days D1..D2 (one partition, or a range under the single-run backfill policy)
is ONE Dagster run and one `dbt build --vars {score_date: D2, history_start: D1}` when its
events fit a slice; a longer history is built in slices, each its own dbt invocation, and
a killed one resumes (defs/slices.py). dbt data tests become
asset checks (blocking when their severity is error); dbt unit tests pin rule behaviour
and run in CI and `leadscore build`, not in the daily run.
"""

import contextlib
import datetime as dt
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, BackfillPolicy
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
    get_asset_key_for_model,
)

from orchestration.defs import slices
from orchestration.defs.partitions import daily, window_days
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
    first, last = window_days(context.partition_time_window)
    # The GX checks after the build need Great Expectations: import it while dbt runs.
    from orchestration.defs.checks import gx_loader

    gx_loader.preload()
    with run_lock.held(f"dagster run {context.run.run_id}: dbt build"):
        target_path = run_target_path(context.run.run_id)
        todo = _slices_to_build(context, first, last)
        for start, end in todo[:-1]:
            # an earlier slice: models only, its events not streamed (the last slice's are
            # the run's materializations and checks)
            _build(context, dbt, target_path, start, end, tests=False)
            _record_slice(first, last, end)
        start, end = todo[-1]
        yield from _build(context, dbt, target_path, start, end, tests=True)
        slices.forget()


def _slices_to_build(context: AssetExecutionContext, first, last) -> list:
    """The slices of first..last still to build (see defs/slices.py)."""
    per_month = {}
    with contextlib.suppress(duckdb.Error):  # no warehouse or raw.events yet: nothing to cut
        con = config.connect(read_only=True)
        try:
            per_month = slices.events_per_month(con, first, last)
        finally:
            con.close()
    planned = slices.plan(first, last, per_month, slices.slice_events())
    done = slices.resume_after(first, last, _project(), config.warehouse_path().absolute())
    if done is None:
        todo = planned
    else:
        context.log.info(f"resuming an interrupted backfill of {first}..{last}: built through {done}")
        todo = [(max(s, done + dt.timedelta(days=1)), e) for s, e in planned if e > done]
        # every slice built but the run not finished: the last one is built again, with tests
        todo = todo or [planned[-1]]
    if len(todo) > 1:
        context.log.info(f"{len(todo)} slices: " + ", ".join(f"{s}..{e}" for s, e in todo))
    return todo


def _project() -> str:
    return ledger.project_fingerprint(manifest, Path(dbt_project.project_dir))


def _record_slice(first, last, done_through) -> None:
    warehouse = config.warehouse_path().absolute()
    slices.record((first, last), _project(), done_through, ledger.warehouse_stat(warehouse))


def _build(context: AssetExecutionContext, dbt: DbtCliResource, target_path, start, end, tests: bool):
    """One dbt build over start..end (history from start, scores as of end). With tests,
    a generator of its events (the run's materializations and checks); without, it runs
    to the end before returning (nothing to yield)."""
    vars = {"score_date": end.isoformat(), "history_start": start.isoformat()}
    context.log.info(f"dbt build with vars {vars}" + ("" if tests else ", without tests"))
    not_seeded = seed_partial_parse(target_path, vars)
    if not_seeded:
        context.log.info(f"dbt parses the whole project: {not_seeded}")
    else:
        context.log.info("dbt starts from a saved parse: it re-parses only files changed since")
    args = ["build", "--vars", json.dumps(vars)] + ([] if tests else ["--exclude-resource-type", "test"])
    events = _invoke(context, dbt, target_path, args, stream=tests)
    if tests:
        return events
    for _ in events:
        pass
    return iter(())


def _invoke(context: AssetExecutionContext, dbt: DbtCliResource, target_path, args: list[str], stream: bool):
    # What the build changes in score history is recorded for the next publish, even
    # when it fails (see serving/ledger.py).
    with ledger.warehouse_write(f"dagster run {context.run.run_id}: dbt {' '.join(args[:1])}") as write:
        invocation = None
        try:
            invocation = runtime_dbt(dbt).cli(args, context=context, target_path=target_path)
            if stream:
                yield from invocation.stream()
            else:
                invocation.wait()
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
