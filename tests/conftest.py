"""Shared fixtures: a temporary LEADSCORE_HOME per test. Helpers that are not fixtures
(run the CLI, query a DuckDB file) live in tests/support, on pytest's pythonpath."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty LEADSCORE_HOME for one test."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("LEADSCORE_HOME", str(path))
    monkeypatch.delenv("LEADSCORE_DUCKDB_PATH", raising=False)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    # launch() points DAGSTER_HOME at the home it ran in, for the rest of the process: a
    # test must not inherit an earlier test's Dagster instance.
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return path
