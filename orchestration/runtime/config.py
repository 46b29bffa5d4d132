"""Where things live and how DuckDB is tuned; everything comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def home() -> Path:
    """$LEADSCORE_HOME, default ./data in the project root, always absolute."""
    raw = os.environ.get("LEADSCORE_HOME")
    path = Path(raw) if raw else PROJECT_DIR / "data"
    if not path.is_absolute():
        path = Path.cwd() / path
    return path


def landing_dir() -> Path:
    return home() / "landing"


def warehouse_path() -> Path:
    raw = os.environ.get("LEADSCORE_DUCKDB_PATH")
    return Path(raw) if raw else home() / "warehouse.duckdb"


def serving_dir() -> Path:
    return home() / "serving"


def dbt_target_dir() -> Path:
    """Where dbt writes its artifacts and parse state for this home (never the checkout)."""
    return home() / "dbt" / "target"


def dbt_log_dir() -> Path:
    return home() / "dbt" / "logs"


def duckdb_threads() -> int:
    return int(os.environ.get("LEADSCORE_DUCKDB_THREADS", str(os.cpu_count() or 2)))


def duckdb_memory_limit() -> str:
    # A third of this machine's 24 GiB leaves room for dbt, Dagster and the OS.
    return os.environ.get("LEADSCORE_DUCKDB_MEMORY_LIMIT", "8GB")


def connect(path: Path | None = None, read_only: bool = False):
    """A DuckDB connection with the project's settings (UTC, threads, memory)."""
    import duckdb

    path = path or warehouse_path()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(path),
        read_only=read_only,
        config={
            "threads": duckdb_threads(),
            "memory_limit": duckdb_memory_limit(),
        },
    )
    # Set after connecting: the ICU extension that owns TimeZone loads lazily.
    con.execute("set TimeZone = 'UTC'")
    return con
