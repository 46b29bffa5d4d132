"""What every reader produces: the Staged relation of one file, the Temps record of the
temp tables and views made for it (all named with the loader's prefix), and FileUnreadable,
raised when a file cannot be read as its format at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.ingest.sql import ident

PREFIX = "_ingest_"


class FileUnreadable(Exception):
    """The file cannot be read as its format at all: it is logged `failed`."""


def drop_temps(con, prefix: str = PREFIX) -> None:
    """Drop every temp table and view whose name starts with prefix (default: all of the loader's)."""
    views = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND starts_with(view_name, ?)", [prefix]
    ).fetchall()
    for (v,) in views:
        con.execute(f"DROP VIEW IF EXISTS temp.{ident(v)}")
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)", [prefix]
    ).fetchall()
    for (t,) in tables:
        con.execute(f"DROP TABLE IF EXISTS temp.{ident(t)}")


class Temps:
    """The temp tables and views made for one file (names starting with prefix p), so that
    exactly those are dropped (asking the catalog for them costs more than dropping)."""

    def __init__(self, p: str):
        self.p = p
        self.made: list[tuple[str, str]] = []

    def table(self, base: str) -> str:
        self.made.append(("TABLE", self.p + base))
        return self.p + base

    def view(self, base: str) -> str:
        self.made.append(("VIEW", self.p + base))
        return self.p + base

    def drop(self, con) -> None:
        for kind, name in reversed(self.made):
            con.execute(f"DROP {kind} IF EXISTS temp.{ident(name)}")
        self.made.clear()


@dataclass
class Staged:
    src: str  # the staged relation, a parenthesised query (see validation for its columns)
    fmt: str
    # Given a relation with a _row_number column (the quarantined rows), returns SQL
    # selecting (_row_number, raw_content) for them; may build helper tables lazily.
    raw_content_sql: Callable[[str], str]
    # Parquet: the file, its schema and the select list typing it (see parquet_files_sql)
    path: Path | None = None
    schema: tuple | None = None
    select: str | None = None


def check_required(entity: C.Entity, names: list[str], what: str) -> None:
    missing = [c.name for c in entity.columns if c.required and c.name not in names]
    if missing:
        shown = ", ".join(repr(n[:60]) for n in names[:8]) + (", ..." if len(names) > 8 else "")
        hint = (
            " A single column usually means the delimiter is not a comma or there is no header row."
            if len(names) == 1 and what == "header"
            else ""
        )
        raise FileUnreadable(
            f"the {what} lacks required column(s) {', '.join(missing)} (found {len(names)}: {shown}).{hint}"
        )


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
