"""Publish the public marts for BI tools, atomically, with no PII.

Layout under $LEADSCORE_HOME/serving:

    leadscore.duckdb                 the marts as tables of schema main (DuckDB 2.x file);
                                     leadscore_publish.published names its version
    parquet -> parquet.versions/<v>  symlink to the current Parquet version
    parquet.versions/<v>/<table>.parquet

Publishing never touches the current copy until the new one is complete:

- the DuckDB file is built under a temporary name in the same folder, checkpointed,
  closed and fsynced, then renamed over the old one (os.replace). A BI tool holding the
  old file open read-only keeps reading the old inode and neither blocks nor is blocked
  by the publish; a new connection opens the complete new file.
- Parquet files go to a new version folder (fsynced); a temporary symlink to it is then
  renamed over `parquet`. The previous version stays until the next publish, so a reader
  that resolved the link just before the swap can finish.
- a run that fails or is killed before the rename leaves the previous copy as it was;
  leftovers of a killed publish (temporary files, unreferenced versions) are removed by
  the next one.

Score history is big and changes only at its recent end, so it is published by month
(`HISTORY_TABLES`): the serving file gets a table of the changes (`lead_score_changes`,
every column of the mart but valid_to) and a view `lead_score_history` that adds valid_to
exactly as the mart does (the next change of the same lead, model and version); the MQL
crossings (`mql_events`, a table, one Parquet file) are kept up to date by month the same
way. A publish starts from a copy of the current serving file, compares a checksum (row
count and sum of row hashes) per month between the warehouse and that copy, and rewrites
only the months that differ; Parquet gets one file per month under `lead_score_changes/`,
and the months that did not change are hard links to the previous version's files.

Which months are compared: all of them by default (a full refresh, a first publish, any
doubt), or, with `recheck_from` (from publish_ledger, which records what every write to
the warehouse changed since the last publish), only the months from the first day that
may have changed on: a daily run re-examines a month or two, however long the history.
The months before are kept as they are in the copy; that the warehouse did not change
them is what the ledger vouches for.

The warehouse is read through ATTACH ... (READ_ONLY). A table having a PII column
(contract columns marked pii: email, first_name, last_name, phone) is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.runtime import config

SERVING_FILE = "leadscore.duckdb"
PARQUET_LINK = "parquet"
PARQUET_VERSIONS = "parquet.versions"
TMP_PREFIX = ".publishing-"
# The serving file records which version it is (the name of its Parquet version folder):
# a publish reuses the previous version's Parquet files only for the copy they belong to.
META_SCHEMA = "leadscore_publish"


@dataclass(frozen=True)
class HistoryTable:
    """A mart published by month of its date column `valid_from`.

    With `valid_to`, a change-history mart: `changes` holds its rows without `valid_to`, and
    a view of the mart's name adds valid_to = the next `valid_from` of the same `key`; its
    Parquet is one file per month in the folder `changes`. Without, a table of the mart's
    own name (`changes` is that name) and one Parquet file, kept up to date month by month.

    A mart belongs here only if the rows of a month derive from the rows of the same month
    of the tables it reads (with `recheck_from`, a month is re-examined only when those
    changed there): lead_score_history and mql_events select from int_lead_score_changes,
    one row per row, valid_from as is.
    """

    changes: str
    valid_from: str
    valid_to: str | None = None
    key: tuple[str, ...] = ()

    def columns(self) -> set[str]:
        """The columns the mart must have to be published this way."""
        return {self.valid_from, *self.key, *([self.valid_to] if self.valid_to else [])}


HISTORY_TABLES = {
    "lead_score_history": HistoryTable(
        changes="lead_score_changes",
        valid_from="valid_from",
        valid_to="valid_to",
        key=("contact_id", "model_id", "model_version"),
    ),
    "mql_events": HistoryTable(changes="mql_events", valid_from="event_date"),
}

PII_COLUMNS = frozenset(col.name.lower() for e in C.ENTITIES.values() for col in e.columns if col.pii)


class PiiError(RuntimeError):
    """A table about to be published has a PII column."""


@dataclass
class Published:
    serving_file: Path
    parquet_dir: Path
    version: str
    rows: dict[str, int] = field(default_factory=dict)


def serving_file(serving: Path | None = None) -> Path:
    return (serving or config.serving_dir()) / SERVING_FILE


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def assert_no_pii(table: str, columns: list[str]) -> None:
    found = sorted(c for c in columns if c.lower() in PII_COLUMNS)
    if found:
        raise PiiError(
            f"refusing to publish {table}: it has PII column(s) {', '.join(found)}. PII never "
            f"leaves the raw layer; drop them in the model."
        )


def _cleanup_leftovers(serving: Path, keep_versions: set[str]) -> None:
    for p in serving.iterdir():
        if p.name.startswith(TMP_PREFIX):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
    versions = serving / PARQUET_VERSIONS
    if versions.is_dir():
        for v in versions.iterdir():
            if v.name not in keep_versions:
                shutil.rmtree(v, ignore_errors=True)


def current_version(serving: Path | None = None) -> str | None:
    """The version the `parquet` link points to (that of the last publish), if any."""
    return _current_version(serving or config.serving_dir())


def _current_version(serving: Path) -> str | None:
    link = serving / PARQUET_LINK
    if link.is_symlink():
        return Path(os.readlink(link)).name
    return None


def publish(
    tables: dict[str, str],
    warehouse: Path | None = None,
    serving: Path | None = None,
    version: str | None = None,
    recheck_from: Mapping[str, dt.date] | None = None,
) -> Published:
    """Copy each `public name -> warehouse relation (schema.table)` into a new serving version.

    recheck_from: for tables of HISTORY_TABLES, the first day whose rows may differ between
    the warehouse and the current serving copy (dt.date.max: none); only the months from
    that day's month on are compared and rewritten. The caller vouches for the rows before
    (see publish_ledger). Tables it leaves out are compared month by month in full.

    Raises PiiError (nothing published) if any table has a PII column.
    """
    import duckdb

    warehouse = warehouse or config.warehouse_path()
    serving = serving or config.serving_dir()
    serving.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version = version or f"{stamp}-{uuid.uuid4().hex[:6]}"
    previous = _current_version(serving)
    _cleanup_leftovers(serving, keep_versions={v for v in (previous,) if v})

    tmp_db = serving / f"{TMP_PREFIX}{version}.duckdb"
    tmp_parquet = serving / f"{TMP_PREFIX}{version}.parquet"
    out = Published(serving_file=serving_file(serving), parquet_dir=serving / PARQUET_LINK, version=version)
    previous_parquet = serving / PARQUET_VERSIONS / previous if previous else None
    if not out.serving_file.exists() or previous_parquet is None or not previous_parquet.is_dir():
        recheck_from = None  # nothing to keep months from: compare them all
    if out.serving_file.exists():
        # Start from the current copy: unchanged history months are kept, not rewritten.
        shutil.copyfile(out.serving_file, tmp_db)
    con = duckdb.connect(
        str(tmp_db), config={"threads": config.duckdb_threads(), "memory_limit": config.duckdb_memory_limit()}
    )
    try:
        con.execute("set TimeZone = 'UTC'")
        if previous_parquet is not None and _copy_version(con) != previous:
            # The copy is not the version the link points to (a publish killed between the
            # two renames, a copy from before this was recorded): the previous Parquet files
            # do not describe it, so none is reused and every month is compared.
            previous_parquet, recheck_from = None, None
        # Attached under its own catalog name (the file's stem), which dbt-duckdb writes
        # into the views it creates: public marts that are views then resolve.
        wh = _quote(Path(warehouse).stem)
        con.execute(f"attach {_sql_str(str(warehouse))} as {wh} (read_only)")
        tmp_parquet.mkdir()
        wanted: set[str] = set()
        for name, relation in sorted(tables.items()):
            schema, table = relation.split(".", 1)
            source = f"{wh}.{_quote(schema)}.{_quote(table)}"
            columns = [r[0] for r in con.execute(f"describe {source}").fetchall()]
            assert_no_pii(relation, columns)
            history = HISTORY_TABLES.get(name)
            if history and history.columns() <= set(columns):
                since = (recheck_from or {}).get(name)
                out.rows[name] = _publish_history(
                    con, name, history, source, columns, tmp_parquet, previous_parquet, since
                )
                wanted |= {name, history.changes}
                continue
            _drop_view(con, name)
            # Sorted rows: the same marts give the same files, whatever the engine's order.
            con.execute(f"create or replace table main.{_quote(name)} as select * from {source} order by all")
            out.rows[name] = con.execute(f"select count(*) from main.{_quote(name)}").fetchall()[0][0]
            target = tmp_parquet / f"{name}.parquet"
            con.execute(
                f"copy main.{_quote(name)} to {_sql_str(str(target))} (format parquet, compression zstd)"
            )
            wanted.add(name)
        # Tables of the copy that are no longer public marts go.
        for rel_name, rel_type in con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'main'"
        ).fetchall():
            if rel_name not in wanted:
                kind = "view" if rel_type == "VIEW" else "table"
                con.execute(f"drop {kind} main.{_quote(rel_name)}")
        con.execute(f"detach {wh}")
        con.execute(f"create schema if not exists {META_SCHEMA}")
        con.execute(f"create or replace table {META_SCHEMA}.published as select ? as version", [version])
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp_db.unlink(missing_ok=True)
        Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
        shutil.rmtree(tmp_parquet, ignore_errors=True)
        raise
    con.close()
    # Belt and braces: what is about to be published has no PII column either.
    check = duckdb.connect(str(tmp_db), read_only=True)
    try:
        for (table,) in check.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall():
            cols = [r[0] for r in check.execute(f"describe main.{_quote(table)}").fetchall()]
            assert_no_pii(table, cols)
    finally:
        check.close()
    Path(str(tmp_db) + ".wal").unlink(missing_ok=True)

    # DuckDB file: fsync, atomic rename over the old one, fsync the folder.
    _fsync(tmp_db)
    os.replace(tmp_db, out.serving_file)

    # Parquet: move the finished folder into versions/, then swap the symlink atomically.
    versions = serving / PARQUET_VERSIONS
    versions.mkdir(exist_ok=True)
    for f in tmp_parquet.rglob("*"):
        _fsync(f)
    _fsync(tmp_parquet)
    final_dir = versions / version
    os.replace(tmp_parquet, final_dir)
    _fsync(versions)
    link = serving / PARQUET_LINK
    if link.exists() and not link.is_symlink():
        # An old layout with a real folder: move it aside once (not atomic, happens once).
        os.replace(link, versions / f"legacy-{version}")
    tmp_link = serving / f"{TMP_PREFIX}{version}.link"
    os.symlink(os.path.join(PARQUET_VERSIONS, version), tmp_link)
    os.replace(tmp_link, link)
    _fsync(serving)
    # Keep the version just replaced for readers that resolved the link before the swap.
    _cleanup_leftovers(serving, keep_versions={v for v in (version, previous) if v})
    return out


def _copy_version(con) -> str | None:
    """The version the serving copy (connected as `con`) says it is, if it says."""
    import duckdb

    try:
        rows = con.execute(f"select version from {META_SCHEMA}.published").fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if len(rows) == 1 else None


def _relation_type(con, name: str) -> str | None:
    rows = con.execute(
        "select table_type from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' and table_name = ?",
        [name],
    ).fetchall()
    return rows[0][0] if rows else None


def _drop_view(con, name: str) -> None:
    if _relation_type(con, name) == "VIEW":
        con.execute(f"drop view main.{_quote(name)}")


def _drop_table(con, name: str) -> None:
    if _relation_type(con, name) == "BASE TABLE":
        con.execute(f"drop table main.{_quote(name)}")


def _month_sums(
    con, relation: str, columns: list[str], valid_from: str, start: dt.date | None = None
) -> dict[str, tuple[int, str]]:
    """Per valid_from month ('YYYY-MM'), from `start` on if given: row count and the sum of
    the rows' hashes."""
    cols = ", ".join(_quote(c) for c in columns)
    where = f"where {_quote(valid_from)} >= cast('{start.isoformat()}' as date)" if start else ""
    rows = con.execute(
        f"select strftime({_quote(valid_from)}, '%Y-%m') as month, count(*), "
        f"cast(sum(cast(hash({cols}) as hugeint)) as varchar) from {relation} {where} group by 1"
    ).fetchall()
    return {m: (n, h) for m, n, h in rows}


def _publish_history(
    con,
    name: str,
    history: HistoryTable,
    source: str,
    columns: list[str],
    parquet: Path,
    previous_parquet: Path | None,
    since: dt.date | None,
) -> int:
    """Bring main.<changes> up to date with `source` month by month; returns its row count.

    since: None, compare every month; else only the months from since's month on (the
    rows before are the copy's, which the caller vouches for); dt.date.max: none."""
    stored = [c for c in columns if c != history.valid_to]
    changes = f"main.{_quote(history.changes)}"
    select_cols = ", ".join(_quote(c) for c in stored)
    existing = {
        r[0]: r[1]
        for r in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = 'main' and table_name = ?",
            [history.changes],
        ).fetchall()
    }
    wanted_types = {
        r[0]: r[1] for r in con.execute(f"describe select {select_cols} from {source}").fetchall()
    }
    before = previous_parquet / history.changes if previous_parquet else None
    if history.valid_to is not None and (before is None or not before.is_dir()):
        since = None  # no monthly files to keep: compare every month
    if existing != wanted_types or _relation_type(con, history.changes) != "BASE TABLE":
        _drop_view(con, history.changes)
        con.execute(f"create or replace table {changes} as select {select_cols} from {source} limit 0")
        since = None  # a new table: every month is written
    if since == dt.date.max:
        start, have, want = None, {}, {}
    else:
        start = since.replace(day=1) if since is not None else None
        have = _month_sums(con, changes, stored, history.valid_from, start)
        want = _month_sums(con, source, stored, history.valid_from, start)
    stale = sorted(m for m in set(have) | set(want) if have.get(m) != want.get(m))
    month = f"strftime({_quote(history.valid_from)}, '%Y-%m')"
    # With a start, the date bound lets DuckDB skip the row groups of older months.
    from_start = f" and {_quote(history.valid_from)} >= cast('{start.isoformat()}' as date)" if start else ""
    if stale:
        con.execute(f"delete from {changes} where {month} in (select unnest(?)){from_start}", [stale])
        rewrite = [m for m in stale if m in want]
        if rewrite:
            con.execute(
                f"insert into {changes} select {select_cols} from {source} "
                f"where {month} in (select unnest(?)){from_start} order by all",
                [rewrite],
            )
    rows = con.execute(f"select count(*) from {changes}").fetchall()[0][0]
    if history.valid_to is None:
        # One Parquet file, as for any table (sorted rows: the same content, the same file).
        target = parquet / f"{name}.parquet"
        con.execute(
            f"copy (select * from {changes} order by all) to {_sql_str(str(target))} "
            f"(format parquet, compression zstd)"
        )
        return rows
    key = ", ".join(_quote(k) for k in history.key)
    valid_to = (
        f"lead({_quote(history.valid_from)}) over (partition by {key} "
        f"order by {_quote(history.valid_from)}) as {_quote(history.valid_to)}"
    )
    view_cols = ", ".join(valid_to if c == history.valid_to else _quote(c) for c in columns)
    _drop_table(con, name)  # a serving copy from before history was published by month
    con.execute(f"create or replace view main.{_quote(name)} as select {view_cols} from {changes}")
    folder = parquet / history.changes
    folder.mkdir()
    if since is None:
        months = set(want)
    else:
        # The months not compared are those of the previous version (the copy and its
        # Parquet were written together); the compared ones are the warehouse's.
        kept = {p.stem for p in before.glob("*.parquet")}
        months = kept if start is None else {m for m in kept if m < start.strftime("%Y-%m")} | set(want)
    for m in sorted(months):
        target = folder / f"{m}.parquet"
        old = before / target.name if before is not None else None
        if m not in stale and old is not None and old.exists():
            os.link(old, target)  # unchanged month: the previous version's file
            continue
        con.execute(
            f"copy (select * from {changes} where {month} = {_sql_str(m)} order by all) "
            f"to {_sql_str(str(target))} (format parquet, compression zstd)"
        )
    return rows
