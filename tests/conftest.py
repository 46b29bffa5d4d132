"""Shared fixtures: a temporary LEADSCORE_HOME per test, and helpers to run the CLI and dbt
for real (no mocks of DuckDB or dbt)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
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
    return path


def run_cli(*args: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `leadscore ARGS` in a real subprocess with the current environment."""
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"leadscore {' '.join(args)} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-5000:]}\n--- stderr\n{proc.stderr[-5000:]}"
        )
    return proc


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query against a DuckDB file, opened read-only."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
