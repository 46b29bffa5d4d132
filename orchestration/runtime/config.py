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


def shares_group() -> bool:
    """LEADSCORE_SHARE_GROUP=1: the files leadscore writes are readable by the group too."""
    return os.environ.get("LEADSCORE_SHARE_GROUP", "").strip().lower() in ("1", "true", "yes")


def file_umask() -> int:
    """077 (files 0600, folders 0700), or 027 (0640, 0750) with LEADSCORE_SHARE_GROUP=1."""
    return 0o027 if shares_group() else 0o077


def restrict_new_files() -> None:
    """From now on, every file and folder this process creates, and the dbt and Dagster
    processes it starts (they inherit the umask), is readable by its owner only (or by the
    group too, see file_umask): the warehouse, its write-ahead log (.wal, which DuckDB
    creates and removes by itself) and the quarantine exports hold raw PII."""
    os.umask(file_umask())


def connect(path: Path | None = None, read_only: bool = False):
    """A DuckDB connection with the project's settings (UTC, threads, memory). A writing
    connection creates the warehouse and its folder owner-only (restrict_new_files) and
    takes group and world access away from a warehouse created before that."""
    import duckdb

    path = path or warehouse_path()
    if not read_only:
        restrict_new_files()
        path.parent.mkdir(parents=True, exist_ok=True)
        for file in (path, path.with_name(path.name + ".wal")):
            if file.exists():
                file.chmod(0o666 & ~file_umask())
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
