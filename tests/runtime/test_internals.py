"""The pieces of runtime/internals.py that reach into dbt's and Dagster's private internals:
each still finds what it relies on in the pinned libraries (so an upgrade that moves it
fails here, loudly, instead of quietly slowing runs down), still does its job, and steps
aside when LEADSCORE_LIBRARY_INTERNALS=off."""

from __future__ import annotations

import functools
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from support import PROJECT_DIR

from orchestration.runtime.internals import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
    LeadscoreDbtCliResource,
    faster_event_log,
    keep_partial_parse,
    parse_cache,
    seed_partial_parse,
    vars_checksum,
)
from orchestration.runtime.manifest import load_manifest


def test_dbt_resource_starts_dbt_without_asking_its_version_nor_building_an_adapter(monkeypatch):
    """dagster-dbt would run `dbt --version` and build a dbt adapter in process before every
    dbt command (~4 s); the job's resource does neither. The hooks it overrides must still
    exist in dagster-dbt, or the overrides silently stop working."""
    from dagster_dbt import DbtCliResource
    from dbt.version import __version__

    from orchestration.defs.resources import dbt_resource, runtime_dbt

    assert isinstance(DbtCliResource.__dict__.get("_cli_version"), functools.cached_property)
    assert callable(DbtCliResource.__dict__.get("_initialize_dbt_core_adapter"))
    dbt = runtime_dbt(dbt_resource())
    assert isinstance(dbt, LeadscoreDbtCliResource)

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(subprocess, "check_output", no_subprocess)
    assert str(dbt._cli_version) == __version__
    assert dbt._initialize_dbt_core_adapter(["build"]) is None


def _dbt_parse_events(target: Path, run_vars: dict) -> list[dict]:
    from orchestration.runtime import dbt as dbt_cli

    proc = subprocess.run(
        [
            dbt_cli.dbt_executable(),
            *dbt_cli.dbt_args(
                "parse",
                "--log-format",
                "json",
                "--log-level",
                "debug",
                "--target-path",
                str(target),
                vars=run_vars,
            ),
        ],
        cwd=PROJECT_DIR,
        env=dbt_cli.dbt_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    return [json.loads(line)["info"] for line in proc.stdout.splitlines() if line.startswith("{")]


def test_a_run_gives_dbt_a_saved_parse_valid_for_its_days_and_dbt_reuses_it(tmp_path, home):
    """dbt re-parses the whole project whenever --vars differ from its saved parse, which
    they do every day. The parse does not depend on the vars' values (the preparation
    checks it), so a run's target folder gets the last parse of this home (else the
    prepared one) with the checksum of its own vars, and dbt re-parses nothing."""
    from orchestration.runtime.manifest import PARSE_INFO, manifest_path

    load_manifest()
    info = json.loads((manifest_path.parent / PARSE_INFO).read_text())
    assert info["vars_independent"] is True
    assert "differ" in seed_partial_parse(tmp_path / "other", {"score_date": "2025-06-30"})

    # The first run of a new home: the prepared parse (dbt parses again if its profile,
    # the warehouse path under this home, differs), kept for the next run.
    first = tmp_path / "run1"
    assert seed_partial_parse(first, {"score_date": "2025-06-02", "history_start": "2025-06-02"}) is None
    _dbt_parse_events(first, {"score_date": "2025-06-02", "history_start": "2025-06-02"})
    keep_partial_parse(first)
    assert parse_cache().exists()

    # The next run, another day: dbt reuses the parse.
    second, run_vars = tmp_path / "run2", {"score_date": "2025-06-30", "history_start": "2025-06-01"}
    assert seed_partial_parse(second, run_vars) is None
    events = _dbt_parse_events(second, run_vars)
    names = {e["name"] for e in events}
    assert "UnableToPartialParse" not in names, [
        e["msg"] for e in events if e["name"] == "UnableToPartialParse"
    ]
    assert "PartialParsingEnabled" in names


def test_the_run_tags_of_a_partition_range_are_dagsters():
    """Dagster writes a ranged run's first and last partition under these tags; the CLI
    writes them when it launches a range, and the GX checks read them."""
    assert ASSET_PARTITION_RANGE_START_TAG == "dagster/asset_partition_range_start"
    assert ASSET_PARTITION_RANGE_END_TAG == "dagster/asset_partition_range_end"
    assert PARTITION_NAME_TAG == "dagster/partition"


def test_dbt_computes_the_vars_checksum_as_the_saved_parse_assumes():
    """seed_partial_parse writes the checksum dbt would compute for a run's --vars: the
    function that computes it in dbt-core must still hash the same inputs."""
    import inspect

    from dbt.parser.manifest import ManifestLoader

    source = inspect.getsource(ManifestLoader.build_manifest_state_check)
    assert "vars_hash" in source and "pprint.pformat" in source, source
    assert len(vars_checksum({"score_date": "2025-01-01"})) == 64
    assert vars_checksum({"score_date": "2025-01-01"}) != vars_checksum({"score_date": "2025-01-02"})


def test_faster_event_log_sets_normal_sync_on_dagster_sqlite_event_log(tmp_path):
    """On Dagster's SQLite event log, a connection opened inside the block writes with
    synchronous = NORMAL (1); outside the block and for other files, SQLite's default
    (FULL, 2) stays."""
    import sqlalchemy
    from dagster import DagsterInstance

    (tmp_path / "dagster").mkdir()
    instance = DagsterInstance.local_temp(str(tmp_path / "dagster"))
    try:
        from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

        storage = instance.event_log_storage
        assert isinstance(storage, SqliteEventLogStorage), type(storage)
        index = storage.path_for_shard("index")
        Path(index).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(index) as con:
            con.execute("pragma journal_mode = wal")

        def sync_of(path: str) -> int:
            engine = sqlalchemy.create_engine(f"sqlite:///{path}")
            with engine.connect() as con:
                value = con.exec_driver_sql("pragma synchronous").scalar()
            engine.dispose()
            return value

        other = tmp_path / "other.db"
        with faster_event_log(instance):
            assert sync_of(index) == 1
            assert sync_of(str(other)) == 2
        assert sync_of(index) == 2
    finally:
        instance.dispose()


def test_internals_off_takes_the_supported_paths(tmp_path, home, monkeypatch):
    """LEADSCORE_LIBRARY_INTERNALS=off: no saved parse is given to dbt and dagster-dbt
    asks dbt its version itself (the paths that measure what the internals save)."""
    monkeypatch.setenv("LEADSCORE_LIBRARY_INTERNALS", "off")
    assert seed_partial_parse(tmp_path / "run", {"score_date": "2025-06-02", "history_start": "2025-06-02"})
    assert not (tmp_path / "run").exists()
    from orchestration.defs.resources import dbt_resource, runtime_dbt

    calls = []

    def fake_version(self):
        calls.append(True)
        return "asked"

    from dagster_dbt import DbtCliResource

    monkeypatch.setattr(DbtCliResource, "_cli_version", property(fake_version))
    assert runtime_dbt(dbt_resource())._cli_version == "asked" and calls


def test_pieces_switch_off_one_by_one(monkeypatch):
    from orchestration.runtime.internals import PIECES, enabled

    monkeypatch.setenv("LEADSCORE_LIBRARY_INTERNALS", "partial_parse, event_log")
    assert [enabled(p) for p in PIECES] == [True, False, False]
    monkeypatch.setenv("LEADSCORE_LIBRARY_INTERNALS", "off")
    assert not any(enabled(p) for p in PIECES)
    monkeypatch.setenv("LEADSCORE_LIBRARY_INTERNALS", "on")
    assert all(enabled(p) for p in PIECES)
    monkeypatch.setenv("LEADSCORE_LIBRARY_INTERNALS", "parse")
    with pytest.raises(ValueError, match="unknown piece"):
        enabled("partial_parse")
