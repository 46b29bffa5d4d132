"""The Dagster definitions: they load, the schedule and the sensor request the right runs,
and two runs never write the warehouse at once (real Dagster, dbt and DuckDB; no mocks)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    Definitions,
    build_schedule_context,
    build_sensor_context,
)
from support import PROJECT_DIR, query, run_cli

from orchestration.definitions import defs
from orchestration.ingest import contract as C
from orchestration.runtime import run_lock
from orchestration.runtime.manifest import load_manifest, public_marts

UTC = dt.UTC


# --------------------------------------------------------------------------- definitions


def test_definitions_load_and_validate():
    Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("daily_scoring")
    assert job.partitions_def is not None
    assert job.executor_def.name == "in_process"
    assert job.tags.get("leadscore/warehouse") == "write"
    assert defs.resolve_schedule_def("daily_scoring_at_6_utc").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("landing_files_sensor").job_name == "daily_scoring"
    assert defs.resolve_sensor_def("raw_freshness_checks_sensor")


def test_every_dbt_model_and_seed_is_an_asset_wired_to_the_raw_assets():
    manifest = load_manifest()
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed") and node["config"]["materialized"] != "ephemeral":
            assert AssetKey([node["schema"], node["name"]]) in keys, node["unique_id"]
    # dbt sources raw.<entity> are the keys ingestion materialises
    for source in manifest["sources"].values():
        key = AssetKey([source["source_name"], source["name"]])
        assert key in keys
        assert graph.get(key).is_materializable, f"{key} is not produced by ingestion"
    assert {AssetKey(["raw", e]) for e in C.ENTITIES} <= keys
    staging_events = graph.get(AssetKey(["staging", "stg_raw__events"]))
    assert AssetKey(["raw", "events"]) in staging_events.parent_keys
    # serving sits downstream of exactly the public marts
    serving = graph.get(AssetKey(["serving", "leadscore"]))
    marts = {AssetKey(["marts", n["name"]]) for n in public_marts(manifest)}
    assert marts and set(serving.parent_keys) == marts
    # one partitions definition, and ranges run as one run everywhere
    for key in keys:
        node = graph.get(key)
        assert node.partitions_def == defs.resolve_job_def("daily_scoring").partitions_def, key
        assert node.backfill_policy is not None and node.backfill_policy.max_partitions_per_run is None, key


def test_dbt_tests_gx_suites_and_freshness_are_asset_checks():
    manifest = load_manifest()
    graph = defs.resolve_asset_graph()
    names = {k.name for k in graph.asset_check_keys}
    data_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert data_tests
    for test in data_tests:
        assert test["name"] in names, f"dbt test {test['name']} is not an asset check"

    blocking = {
        "events_keys_not_null_and_unique": True,
        "events_unknown_type_share": False,
        "events_daily_volume": False,
        "lead_scores_keys": True,
        "lead_scores_within_model_bounds": True,
        "lead_scores_band_follows_thresholds": True,
    }
    for name, is_blocking in blocking.items():
        [key] = [k for k in graph.asset_check_keys if k.name == name]
        spec = graph.get_check_spec(key)
        assert spec.blocking is is_blocking, name
        assert spec.description.startswith("Blocking" if is_blocking else "Warning"), name

    # a warning check on every raw asset: its landing entries all loaded
    landing = [k for k in graph.asset_check_keys if k.name == "landing_files_loaded"]
    assert {k.asset_key for k in landing} == {AssetKey(["raw", e]) for e in C.ENTITIES}
    for key in landing:
        spec = graph.get_check_spec(key)
        assert spec.blocking is False and spec.description.startswith("Warning"), key

    freshness = {k.asset_key for k in graph.asset_check_keys if k.name == "freshness_check"}
    with_freshness = {
        AssetKey([s["source_name"], s["name"]])
        for s in manifest["sources"].values()
        if (s.get("freshness") or {}).get("warn_after", {}).get("count")
    }
    assert with_freshness and freshness == with_freshness


def test_freshness_check_says_no_rows_yet_for_an_empty_table_and_measures_the_others():
    """Evaluated by Dagster on the materialisations ingestion records: an empty raw table
    (row count 0, the 'never loaded' timestamp) fails with "no rows yet", one that got
    rows an hour ago passes and says when it can turn stale, one of three days ago fails."""
    from dagster import AssetMaterialization, AssetSelection, MetadataValue, materialize

    from orchestration.defs.assets.raw import NEVER_LOADED
    from orchestration.defs.checks.freshness import FRESHNESS_CHECKS, in_words

    now = time.time()

    def landed(entity: str, rows: int, at: float) -> None:
        instance.report_runless_asset_event(
            AssetMaterialization(
                asset_key=AssetKey(["raw", entity]),
                metadata={
                    "dagster/row_count": MetadataValue.int(rows),
                    "dagster/last_updated_timestamp": MetadataValue.timestamp(at),
                },
            )
        )

    with DagsterInstance.ephemeral() as instance:
        landed("contacts", 0, NEVER_LOADED)
        landed("events", 12, now - 3600)
        landed("companies", 3, now - 3 * 86400)
        result = materialize(FRESHNESS_CHECKS, instance=instance, selection=AssetSelection.all_asset_checks())
    found = {ev.asset_key.path[1]: ev for ev in result.get_asset_check_evaluations()}
    assert set(found) == {"contacts", "events", "companies", "opportunities"}
    assert not found["contacts"].passed
    assert found["contacts"].description.startswith("raw.contacts has no rows yet")
    assert "dagster/last_updated_timestamp" not in found["contacts"].metadata
    assert found["events"].passed
    assert found["events"].description == "rows of raw.events last landed 1 hour ago, within 1 day 12 hours"
    fresh_until = found["events"].metadata["dagster/fresh_until_timestamp"].value
    assert fresh_until == pytest.approx(now - 3600 + 36 * 3600, abs=5)
    assert not found["companies"].passed
    assert found["companies"].description == (
        "rows of raw.companies last landed 3 days ago, more than 1 day 12 hours ago"
    )
    assert not found["opportunities"].passed and "no rows yet" in found["opportunities"].description
    assert {ev.severity.value for ev in found.values()} == {"WARN"}
    assert in_words(0) == "0 seconds" and in_words(61) == "1 minute"
    assert in_words(2 * 86400 + 3 * 3600 + 60) == "2 days 3 hours"


def test_loading_the_definitions_does_not_import_great_expectations():
    code = (
        "import sys; from orchestration.definitions import defs; print('great_expectations' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


# --------------------------------------------------------------------------- schedule, sensor


def test_schedule_tick_requests_yesterdays_partition():
    schedule = defs.resolve_schedule_def("daily_scoring_at_6_utc")
    for tick, expected in [
        (dt.datetime(2024, 5, 10, 6, 0, tzinfo=UTC), "2024-05-09"),
        (dt.datetime(2025, 1, 1, 6, 0, tzinfo=UTC), "2024-12-31"),
    ]:
        with DagsterInstance.ephemeral() as instance:
            ctx = build_schedule_context(
                instance=instance, scheduled_execution_time=tick, repository_def=defs.get_repository_def()
            )
            result = schedule.evaluate_tick(ctx)
        [request] = result.run_requests
        assert request.partition_key == expected
        assert schedule.job_name == "daily_scoring"


def _tick(sensor, cursor):
    with DagsterInstance.ephemeral() as instance:
        ctx = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
        result = sensor.evaluate_tick(ctx)
    return result


def test_sensor_requests_a_run_when_files_land_and_not_again_for_the_same_files(home, monkeypatch):
    monkeypatch.setenv("LEADSCORE_SENSOR_SETTLE_SECONDS", "30")
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    yesterday = (dt.datetime.now(UTC) - dt.timedelta(days=1)).date().isoformat()
    past = time.time() - 3600

    first = _tick(sensor, None)
    assert not first.run_requests and first.skip_message

    events = home / "landing" / "events"
    events.mkdir(parents=True)
    landed = events / "events_a.jsonl"
    landed.write_text('{"event_id": "e1"}\n')
    (events / ".hidden.jsonl").write_text("x")
    (events / "partial.jsonl.tmp").write_text("x")
    # still being written (modified just now): not yet
    assert not _tick(sensor, None).run_requests
    os.utime(landed, (past, past))

    second = _tick(sensor, first.cursor)
    [request] = second.run_requests
    assert request.partition_key == yesterday
    assert request.job_name in (None, "daily_scoring")
    assert json.loads(second.cursor)["files"] == {
        "events/events_a.jsonl": [landed.stat().st_size, landed.stat().st_mtime_ns]
    }

    # the same files again: nothing
    third = _tick(sensor, second.cursor)
    assert not third.run_requests and "no new landing files" in third.skip_message

    # one more file: one more run, with another run key
    more = home / "landing" / "contacts" / "contacts_b.csv"
    more.parent.mkdir()
    more.write_text("contact_id\nc1\n")
    os.utime(more, (past, past))
    fourth = _tick(sensor, third.cursor)
    [request2] = fourth.run_requests
    assert request2.run_key != request.run_key


# --------------------------------------------------------------------------- run lock

HOLDER = """
import sys, time
from orchestration.runtime import run_lock
with run_lock.hold(what="test holder"):
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def _start_holder(seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(seconds)], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_run_lock_waits_for_another_process_then_refuses_cleanly(home):
    holder = _start_holder(1.5)
    try:
        with (
            pytest.raises(run_lock.RunLockedError, match="another leadscore run holds .*test holder"),
            run_lock.hold(timeout=0.3),
        ):
            pass
        t0 = time.monotonic()
        with run_lock.hold(what="second", timeout=30):
            waited = time.monotonic() - t0
            # re-entrant within this process
            with run_lock.hold(timeout=0):
                assert run_lock.is_held_here()
        assert waited > 0.5
        assert not run_lock.is_held_here()
    finally:
        holder.wait(timeout=30)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_two_runs_at_once_second_refuses_and_partial_entities_still_score(home, monkeypatch):
    """Only contacts and events landed: the run still scores and publishes. A second run
    started while the first holds the warehouse refuses cleanly (exit 75)."""
    day = "2024-03-05"
    _write_jsonl(
        home / "landing" / "contacts" / "contacts.jsonl",
        [
            {
                "contact_id": f"c{i}",
                "seniority": "vp",
                "created_at": "2024-02-01T09:00:00Z",
                "updated_at": "2024-02-01T09:00:00Z",
            }
            for i in range(5)
        ],
    )
    _write_jsonl(
        home / "landing" / "events" / "events.jsonl",
        [
            {
                "event_id": f"e{i}",
                "contact_id": f"c{i % 5}",
                "event_type": "quote_request",
                "properties": {},
                "occurred_at": f"2024-03-0{1 + i % 5}T10:00:00Z",
            }
            for i in range(12)
        ],
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "run", "--date", day],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while run_lock.holder().get("pid") != first.pid:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.1)
        second = run_cli("run", "--date", day, "--wait", "1", check=False)
        assert second.returncode == 75, second.stderr[-3000:]
        assert "another leadscore run holds" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err[-5000:]
    assert "succeeded" in out and "checks:" in out
    assert "serving copy:" in out
    # nothing of companies ever landed: its freshness check says so, not "20790 days ago"
    assert "warning: raw/companies freshness_check: raw.companies has no rows yet" in out, out
    assert "rows of raw.contacts last landed" not in out  # fresh: no warning
    assert "days ago" not in out
    # everything the run wrote is its owner's only: warehouse (raw PII), Dagster, dbt, serving
    written = [p for p in home.rglob("*") if "landing" not in p.relative_to(home).parts]
    assert home / "warehouse.duckdb" in written and home / "serving" / "leadscore.duckdb" in written
    assert [p for p in written if not p.is_symlink() and p.stat().st_mode & 0o077] == []

    db = home / "warehouse.duckdb"
    assert query(db, "select count(*) from raw.companies") == [(0,)]
    assert query(db, "select count(*) from raw.opportunities") == [(0,)]
    serving = home / "serving" / "leadscore.duckdb"
    scored = query(serving, "select count(*), max(score_date) from lead_scores where model_id = 'core'")
    assert scored[0][0] == 5 and str(scored[0][1]) == day
    # the run is in the Dagster instance under $LEADSCORE_HOME/dagster, as one run
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    with DagsterInstance.get() as instance:
        runs = instance.get_runs()
    assert [r.tags.get("dagster/partition") for r in runs] == [day]
