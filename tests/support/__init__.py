"""Helpers shared by the tests, imported as `from support import ...` (tests/ is on
pytest's pythonpath): run the `leadscore` CLI and dbt for real, query a DuckDB file. No
mocks of DuckDB or dbt. Fixtures live in tests/conftest.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


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
