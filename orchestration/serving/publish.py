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
(`HISTORY_TABLES`, see history): `recheck_from` (from ledger) narrows the months
compared to those the warehouse may have changed since the last publish.

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

from orchestration.runtime import config
from orchestration.serving.comments import (
    PUBLISHER_TABLE_COMMENT,
    apply_comments,
    history_changes_comment,
    source_comments,
)
from orchestration.serving.history import HISTORY_TABLES, publish_history
from orchestration.serving.pii import assert_file_has_no_pii, assert_no_pii
from orchestration.serving.relations import drop_view, parquet_form, quote, sql_str

SERVING_FILE = "leadscore.duckdb"
PARQUET_LINK = "parquet"
PARQUET_VERSIONS = "parquet.versions"
TMP_PREFIX = ".publishing-"
# The serving file records which version it is (the name of its Parquet version folder):
# a publish reuses the previous version's Parquet files only for the copy they belong to.
META_SCHEMA = "leadscore_publish"
# How the Parquet files are written (2: decimals as doubles, see relations.parquet_form); a
# copy written in another format reuses none of the previous version's files.
PARQUET_FORMAT = 2


@dataclass
class Published:
    serving_file: Path
    parquet_dir: Path
    version: str
    rows: dict[str, int] = field(default_factory=dict)


def serving_file(serving: Path | None = None) -> Path:
    return (serving or config.serving_dir()) / SERVING_FILE


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    (see serving/ledger.py). Tables it leaves out are compared month by month in full.

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
        wh = quote(Path(warehouse).stem)
        con.execute(f"attach {sql_str(str(warehouse))} as {wh} (read_only)")
        tmp_parquet.mkdir()
        wanted: set[str] = set()
        for name, relation in sorted(tables.items()):
            schema, table = relation.split(".", 1)
            source = f"{wh}.{quote(schema)}.{quote(table)}"
            columns = [r[0] for r in con.execute(f"describe {source}").fetchall()]
            assert_no_pii(relation, columns)
            history = HISTORY_TABLES.get(name)
            if history and history.columns() <= set(columns):
                since = (recheck_from or {}).get(name)
                out.rows[name] = publish_history(
                    con, name, history, source, columns, tmp_parquet, previous_parquet, since
                )
                wanted |= {name, history.changes}
                comment, column_comments = source_comments(con, Path(warehouse).stem, schema, table)
                apply_comments(con, name, comment, column_comments)
                if history.changes != name:
                    apply_comments(con, history.changes, history_changes_comment(name), column_comments)
                continue
            drop_view(con, name)
            # Sorted rows: the same marts give the same files, whatever the engine's order.
            con.execute(f"create or replace table main.{quote(name)} as select * from {source} order by all")
            out.rows[name] = con.execute(f"select count(*) from main.{quote(name)}").fetchall()[0][0]
            apply_comments(con, name, *source_comments(con, Path(warehouse).stem, schema, table))
            target = tmp_parquet / f"{name}.parquet"
            con.execute(
                f"copy {parquet_form(con, f'main.{quote(name)}')} to {sql_str(str(target))} "
                f"(format parquet, compression zstd)"
            )
            wanted.add(name)
        # Tables of the copy that are no longer public marts go.
        for rel_name, rel_type in con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'main'"
        ).fetchall():
            if rel_name not in wanted:
                kind = "view" if rel_type == "VIEW" else "table"
                con.execute(f"drop {kind} main.{quote(rel_name)}")
        con.execute(f"detach {wh}")
        con.execute(f"create schema if not exists {META_SCHEMA}")
        con.execute(
            f"create or replace table {META_SCHEMA}.published as select ? as version, ? as parquet_format",
            [version, PARQUET_FORMAT],
        )
        con.execute(f"comment on table {META_SCHEMA}.published is {sql_str(PUBLISHER_TABLE_COMMENT)}")
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp_db.unlink(missing_ok=True)
        Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
        shutil.rmtree(tmp_parquet, ignore_errors=True)
        raise
    con.close()
    # Belt and braces: what is about to be published has no PII column either.
    assert_file_has_no_pii(tmp_db)
    Path(str(tmp_db) + ".wal").unlink(missing_ok=True)

    _swap_in(serving, tmp_db, tmp_parquet, out)
    # Keep the version just replaced for readers that resolved the link before the swap.
    _cleanup_leftovers(serving, keep_versions={v for v in (version, previous) if v})
    return out


def _swap_in(serving: Path, tmp_db: Path, tmp_parquet: Path, out: Published) -> None:
    """Make the finished copy (`tmp_db`, `tmp_parquet`) the current one, each by one rename."""
    version = out.version
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


def _copy_version(con) -> str | None:
    """The version the serving copy (connected as `con`) says it is, if it says, and its
    Parquet files are of the current format."""
    import duckdb

    try:
        rows = con.execute(
            f"select version from {META_SCHEMA}.published where parquet_format = ?", [PARQUET_FORMAT]
        ).fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if len(rows) == 1 else None
