"""Run the reference scorer (reference_scores.sql) on a warehouse connection.

The query reads only the raw landed tables (schema `raw`) and the rule seeds (schema
`rules`), never a staging, intermediate or mart model, so that its agreement with
`marts.lead_scores` and `marts.lead_score_history` is evidence and not an echo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

SQL_PATH = Path(__file__).with_name("reference_scores.sql")


def reference_sql() -> str:
    return SQL_PATH.read_text(encoding="utf-8")


def reference_scores(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, *, all_versions: bool = False
) -> duckdb.DuckDBPyRelation:
    """Every contact's score as of the end of `as_of` (UTC) under every active model version
    (every version with `all_versions`), from the raw tables and the rule seeds of the
    warehouse `con` is connected to. One row per contact and model version, in or out of
    the version's segment (`is_in_segment`; the scores and band are null outside it), with
    the score columns of `lead_scores` and a few facts about how the score came about
    (`is_clamped`, `capped_events`, `decayed_events`, `reset_events`, `is_inactive`,
    `has_aggregate_points`, `has_fit_adjustment`, `reset_day`)."""
    if not isinstance(as_of, dt.date):
        raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")
    return con.sql(reference_sql(), params={"as_of": as_of, "all_versions": all_versions})
