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


@dataclass
class Columns:
    """How a file's columns (CSV header, Parquet schema) meet the contract: the position
    of each contract column found, and the other columns (name, position) for _extra."""

    contract: dict[str, int]
    extra: list[tuple[str, int]]


def match_columns(entity: C.Entity, names: list[str], what: str) -> Columns:
    """Match a file's column names to the contract: exactly, else ignoring case and
    surrounding whitespace (`EVENT_ID`, ` properties`). Raises FileUnreadable when two
    columns match one contract column, when two other columns share a name, or when a
    required column is missing. Messages name contract columns and positions, never the
    file's own names, which may be the values of a first data row."""
    contract = {c.name: c.name for c in entity.columns}
    folded = {c.name.lower(): c.name for c in entity.columns}
    found: dict[str, list[int]] = {}
    extra: list[tuple[str, int]] = []
    for i, n in enumerate(names):
        key = n.strip()
        name = contract.get(key) or folded.get(key.lower())
        if name:
            found.setdefault(name, []).append(i)
        else:
            extra.append((key or f"column_{i + 1}", i))
    _require(entity, names, found, what)
    for name, at in found.items():
        if len(at) > 1:
            cols = " and ".join(str(i + 1) for i in at)
            raise FileUnreadable(
                f"duplicate column {name}: columns {cols} of the {what} both name it "
                "(names are matched ignoring case and surrounding spaces)"
            )
    seen: dict[str, int] = {}
    for key, i in extra:
        if key in seen:
            raise FileUnreadable(
                f"the {what} has two columns with the same name (columns {seen[key] + 1} and {i + 1})"
            )
        seen[key] = i
    return Columns({name: at[0] for name, at in found.items()}, extra)


def _require(entity: C.Entity, names: list[str], found: dict[str, list[int]], what: str) -> None:
    missing = [c.name for c in entity.columns if c.required and c.name not in found]
    if missing:
        if found:
            shown = f"{len(found)} of them contract columns: {', '.join(sorted(found, key=found.get))}"
        else:
            shown = "none of them a contract column" + (
                ": the first line looks like data, not a header row" if what == "header" else ""
            )
        hint = (
            " A single column usually means the delimiter is not a comma or there is no header row."
            if len(names) == 1 and what == "header"
            else ""
        )
        raise FileUnreadable(
            f"the {what} lacks required column(s) {', '.join(missing)} "
            f"(found {len(names)} column(s), {shown}).{hint}"
        )


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
