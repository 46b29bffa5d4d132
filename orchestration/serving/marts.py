"""The public marts the outcome report reads, from one DuckDB file, read-only.

The serving copy has them as tables of schema main, the warehouse as tables of schema
marts: either is read. A mart that is not there (nothing built yet) reads as no rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Marts:
    """The public marts found in one DuckDB file, as lists of dicts."""

    source: Path | None
    tables: dict[str, list[dict]] = field(default_factory=dict)
    # The serving copy's version (leadscore_publish.published); None for the warehouse.
    published: str | None = None

    def rows(self, name: str) -> list[dict]:
        return self.tables.get(name, [])

    @property
    def empty(self) -> bool:
        return not any(self.tables.values())


QUERIES = {
    "lead_scores": "select model_id, model_version, score_date, total_score, band, mql_threshold from {t}",
    "mql_events": (
        "select model_id, model_version, event_date from {t} where direction = 'up' and is_active_version"
    ),
    "band_outcomes": "select * from {t}",
    "stage_outcomes": "select * from {t}",
    "model_backtest": "select * from {t}",
    "attribute_lift": "select * from {t}",
    "funnel": "select * from {t}",
    "channel_costs": "select * from {t}",
    "call_now": "select * from {t}",
    "band_conversion_weekly": "select * from {t} where is_active_version",
    "account_scores": (
        "select company_id, model_id, model_version, score_date, scored_contacts, "
        "account_engaged_contacts, account_fit_score, breadth_score, committee_score, "
        "account_score, mqa_threshold, is_mqa from {t} where account_score is not null"
    ),
    # the warehouse's seed (schema rules): each model's score bounds, for the capped bin
    "scoring_models": "select model_id, model_version, is_active, min_score, max_score from {t}",
    "mqa_events": (
        "select company_id, model_id, model_version, event_date, direction from {t} where is_active_version"
    ),
}


def read_marts(source: Path | None, rules_from: Path | None = None) -> Marts:
    """Every mart the report uses that exists in `source` (read-only); missing ones are empty.

    The serving copy has no seeds: the models' score bounds (rules.scoring_models) are read
    from `rules_from` (the warehouse) when `source` lacks them, if it can be opened now."""
    marts = Marts(source=source)
    if source is None or not Path(source).exists():
        return marts
    _read(marts, Path(source))
    if not marts.rows("scoring_models") and rules_from and Path(rules_from).exists():
        import duckdb

        try:
            con = duckdb.connect(str(rules_from), read_only=True)
        except duckdb.Error:  # held by a writer right now: the page goes without the cap
            return marts
        try:
            marts.tables["scoring_models"] = _fetch(
                con, QUERIES["scoring_models"].format(t="rules.scoring_models")
            )
        except duckdb.Error:
            pass
        finally:
            con.close()
    return marts


def _fetch(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _read(marts: Marts, source: Path) -> None:
    import duckdb

    con = duckdb.connect(str(source), read_only=True)
    try:
        found = {
            name: schema
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('main', 'marts', 'rules')"
            ).fetchall()
        }
        for name, sql in QUERIES.items():
            if name not in found:
                continue
            marts.tables[name] = _fetch(con, sql.format(t=f'"{found[name]}"."{name}"'))
        has_meta = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'leadscore_publish' and table_name = 'published'"
        ).fetchone()[0]
        if has_meta:
            row = con.execute("select version from leadscore_publish.published").fetchone()
            marts.published = row[0] if row else None
    finally:
        con.close()
