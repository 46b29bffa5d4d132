"""The PII guard of publishing: no column marked pii in the landing contract leaves the
warehouse (email, first_name, last_name, phone). PII never leaves the raw layer; a model
that selects such a column is refused, not published without it.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.serving.relations import quote

PII_COLUMNS = frozenset(col.name.lower() for e in C.ENTITIES.values() for col in e.columns if col.pii)


class PiiError(RuntimeError):
    """A table about to be published has a PII column."""


def assert_no_pii(table: str, columns: list[str]) -> None:
    found = sorted(c for c in columns if c.lower() in PII_COLUMNS)
    if found:
        raise PiiError(
            f"refusing to publish {table}: it has PII column(s) {', '.join(found)}. PII never "
            f"leaves the raw layer; drop them in the model."
        )


def assert_file_has_no_pii(path: Path) -> None:
    """Every table of schema main of the DuckDB file `path` passes assert_no_pii."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall():
            cols = [r[0] for r in con.execute(f"describe main.{quote(table)}").fetchall()]
            assert_no_pii(table, cols)
    finally:
        con.close()
