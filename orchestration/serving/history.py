"""Publishing score history by month (`publish_history`, for the marts of HISTORY_TABLES).

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
doubt), or, with `recheck_from` (from serving/ledger.py, which records what every write to
the warehouse changed since the last publish), only the months from the first day that
may have changed on: a daily run re-examines a month or two, however long the history.
The months before are kept as they are in the copy; that the warehouse did not change
them is what the ledger vouches for.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.serving.relations import (
    drop_table,
    drop_view,
    parquet_form,
    quote,
    relation_type,
    sql_str,
)


@dataclass(frozen=True)
class HistoryTable:
    """A mart published by month of its date column `valid_from`.

    With `valid_to`, a change-history mart: `changes` holds its rows without `valid_to`, and
    a view of the mart's name adds valid_to = the next `valid_from` of the same `key`; its
    Parquet is one file per month in the folder `changes`. Without, a table of the mart's
    own name (`changes` is that name) and one Parquet file, kept up to date month by month.

    A mart belongs here only if the rows of a month derive from the rows of the same month
    of the tables it reads (with `recheck_from`, a month is re-examined only when those
    changed there): mql_events selects from int_lead_score_changes, one row per row,
    valid_from as is; lead_score_history cuts those rows where int_buying_stage_intervals
    changes stage, so a row starts on a day one of the two changed on.
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


def _month_sums(
    con, relation: str, columns: list[str], valid_from: str, start: dt.date | None = None
) -> dict[str, tuple[int, str]]:
    """Per valid_from month ('YYYY-MM'), from `start` on if given: row count and the sum of
    the rows' hashes."""
    cols = ", ".join(quote(c) for c in columns)
    where = f"where {quote(valid_from)} >= cast('{start.isoformat()}' as date)" if start else ""
    rows = con.execute(
        f"select strftime({quote(valid_from)}, '%Y-%m') as month, count(*), "
        f"cast(sum(cast(hash({cols}) as hugeint)) as varchar) from {relation} {where} group by 1"
    ).fetchall()
    return {m: (n, h) for m, n, h in rows}


def publish_history(
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
    changes = f"main.{quote(history.changes)}"
    select_cols = ", ".join(quote(c) for c in stored)
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
    if existing != wanted_types or relation_type(con, history.changes) != "BASE TABLE":
        drop_view(con, history.changes)
        con.execute(f"create or replace table {changes} as select {select_cols} from {source} limit 0")
        since = None  # a new table: every month is written
    if since == dt.date.max:
        start, have, want = None, {}, {}
    else:
        start = since.replace(day=1) if since is not None else None
        have = _month_sums(con, changes, stored, history.valid_from, start)
        want = _month_sums(con, source, stored, history.valid_from, start)
    stale = sorted(m for m in set(have) | set(want) if have.get(m) != want.get(m))
    month = f"strftime({quote(history.valid_from)}, '%Y-%m')"
    # With a start, the date bound lets DuckDB skip the row groups of older months.
    from_start = f" and {quote(history.valid_from)} >= cast('{start.isoformat()}' as date)" if start else ""
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
            f"copy (select * from {parquet_form(con, changes)} order by all) to {sql_str(str(target))} "
            f"(format parquet, compression zstd)"
        )
        return rows
    key = ", ".join(quote(k) for k in history.key)
    valid_to = (
        f"lead({quote(history.valid_from)}) over (partition by {key} "
        f"order by {quote(history.valid_from)}) as {quote(history.valid_to)}"
    )
    view_cols = ", ".join(valid_to if c == history.valid_to else quote(c) for c in columns)
    drop_table(con, name)  # a serving copy from before history was published by month
    con.execute(f"create or replace view main.{quote(name)} as select {view_cols} from {changes}")
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
            f"copy (select * from {parquet_form(con, changes)} where {month} = {sql_str(m)} order by all) "
            f"to {sql_str(str(target))} (format parquet, compression zstd)"
        )
    return rows
