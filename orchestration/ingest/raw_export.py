"""Export the raw layer to Parquet, so that another engine (Spark) reads the same rows.

`leadscore export-raw` writes each table of schema `raw` that dbt reads as a source
(the six landing entities) from the DuckDB warehouse to
`$LEADSCORE_HOME/raw_parquet/<entity>/part-00000.parquet`. On the Spark target, the
on-run-start macro `register_raw_parquet` declares each folder as table `raw.<entity>`
(`using parquet location ...`), so the staging models read the very rows DuckDB reads.

Each folder is replaced whole: written beside, then renamed over the old one, so a
reader never sees half an export. Run it after every ingest that Spark should see.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest.contract import ENTITIES
from orchestration.ingest.sql import raw_table
from orchestration.runtime import config


def export_dir() -> Path:
    return config.home() / "raw_parquet"


@dataclass
class ExportSummary:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_raw(warehouse: Path | None = None, out: Path | None = None, progress=None) -> ExportSummary:
    """Write every raw entity table to Parquet under `out` (default $LEADSCORE_HOME/raw_parquet)."""
    warehouse = warehouse or config.warehouse_path()
    out = out or export_dir()
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `leadscore ingest` first")
    out.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(folder=out)
    con = config.connect(warehouse, read_only=True)
    try:
        existing = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        for name, entity in ENTITIES.items():
            if name not in existing:
                raise RuntimeError(
                    f"table raw.{name} is missing from {warehouse}: run `leadscore ingest` first"
                )
            final = out / name
            staged = out / f".{name}.new"
            shutil.rmtree(staged, ignore_errors=True)
            staged.mkdir()
            # Timestamps are naive UTC in DuckDB and stay naive (TIMESTAMP_NTZ on Spark).
            con.execute(
                f"copy (select * from {raw_table(entity)}) "
                f"to {_quote_path(staged / 'part-00000.parquet')} (format parquet, compression zstd)"
            )
            rows = con.execute(f"select count(*) from {raw_table(entity)}").fetchone()[0]
            old = out / f".{name}.old"
            shutil.rmtree(old, ignore_errors=True)
            if final.exists():
                final.rename(old)
            staged.rename(final)
            shutil.rmtree(old, ignore_errors=True)
            summary.rows[name] = rows
            if progress:
                progress(f"raw.{name}: {rows} rows -> {final}")
    finally:
        con.close()
    return summary
