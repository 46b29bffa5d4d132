"""The reference scorer (orchestration/reference) as the oracle of the dbt scoring models: on a
small demo warehouse (generated, backfilled, then the last day run daily), the reference's
scores, computed from the raw tables and the rule seeds only, equal `lead_scores` on the
score date and `lead_score_history` as of earlier days, at the cent, for every model version.
The data must exercise what the rules define (segments, bounds, caps, decay steps,
inactivity, aggregate rules, sales dispositions), so that agreement is not vacuous."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from support import run_cli

from orchestration.reference.scorer import SQL_PATH, reference_scores

CONTACTS, DAYS = 300, 120

# the columns both sides have, compared exactly (scores are decimal(18,2): at the cent)
SCORE_COLUMNS = "fit_score, engagement_score, negative_score, total_score, band, is_mql"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """A demo warehouse of CONTACTS leads over DAYS days, opened read-only."""
    home = tmp_path_factory.mktemp("reference") / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        mp.delenv("LEADSCORE_DUCKDB_PATH", raising=False)
        mp.delenv("DBT_PROFILES_DIR", raising=False)
        mp.delenv("DAGSTER_HOME", raising=False)
        run_cli("demo", "--contacts", str(CONTACTS), "--days", str(DAYS), timeout=1800)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def _score_date(con) -> dt.date:
    return con.execute("select max(score_date) from marts.lead_scores").fetchall()[0][0]


def _first_day(con) -> dt.date:
    """The first day of the demo's events (the history starts there: earlier contacts'
    intervals begin at their creation, before any event)."""
    return con.execute("select min(cast(occurred_at as date)) from raw.events").fetchall()[0][0]


def _mismatches(con, day: dt.date, warehouse_sql: str, all_versions: bool) -> list[tuple]:
    """Rows (contact, model, version) on which the reference and the warehouse differ: the
    reference's values, then the warehouse's (None for a row one side lacks)."""
    ref = reference_scores(con, day, all_versions=all_versions)
    con.register("reference_rows", ref.to_arrow_table())
    try:
        where = "" if all_versions else "where is_in_segment"
        return con.execute(
            f"""
            with expected as (
                select contact_id, model_id, model_version, is_in_segment, {SCORE_COLUMNS}
                from reference_rows {where}
            ),
            got as ({warehouse_sql})
            select
                coalesce(e.contact_id, g.contact_id),
                coalesce(e.model_id, g.model_id),
                coalesce(e.model_version, g.model_version),
                e.* exclude (contact_id, model_id, model_version),
                g.* exclude (contact_id, model_id, model_version)
            from expected as e
            full join got as g using (contact_id, model_id, model_version)
            where e is distinct from g
            order by all
            """
        ).fetchall()
    finally:
        con.unregister("reference_rows")


def _diff(rows: list[tuple], what: str, limit: int = 12) -> str:
    cols = ["in_segment", *SCORE_COLUMNS.split(", ")]
    n = len(cols)
    lines = [f"{len(rows)} lead(s) differ in {what} (reference -> warehouse):"]
    for r in rows[:limit]:
        ref, got = r[3 : 3 + n], r[3 + n :]
        changes = ", ".join(f"{c} {a} -> {b}" for c, a, b in zip(cols, ref, got, strict=True) if a != b)
        lines.append(f"  {r[0]} {r[1]} v{r[2]}: {changes}")
    return "\n".join(lines)


def test_lead_scores_equal_the_reference_on_the_score_date(warehouse):
    day = _score_date(warehouse)
    got = f"""
        select contact_id, model_id, model_version, true as is_in_segment, {SCORE_COLUMNS}
        from marts.lead_scores
    """
    rows = _mismatches(warehouse, day, got, all_versions=False)
    assert not rows, _diff(rows, f"lead_scores on {day}")
    leads = warehouse.execute("select count(*) from marts.lead_scores").fetchall()[0][0]
    assert leads >= CONTACTS  # every contact under core, some under the other models too


@pytest.mark.parametrize("offset", [29, 59, 89, "last"])
def test_score_history_equals_the_reference_as_of_a_day(warehouse, offset):
    """Day 30, 60, 90 and the last of the demo, every model version (active or not: core
    v2 carries the aggregate rules), in or out of its segment."""
    day = _score_date(warehouse) if offset == "last" else _first_day(warehouse) + dt.timedelta(offset)
    got = f"""
        select contact_id, model_id, model_version, is_in_segment, {SCORE_COLUMNS}
        from marts.lead_score_history
        where valid_from <= date '{day}' and (valid_to is null or valid_to > date '{day}')
    """
    rows = _mismatches(warehouse, day, got, all_versions=True)
    assert not rows, _diff(rows, f"lead_score_history as of {day}")


def test_score_history_equals_the_reference_every_week(warehouse):
    """Every 7th day of the demo: boundaries (a lead idle exactly inactive_days, an event
    reaching a decay step) fall on some day, not on the four above."""
    first, last = _first_day(warehouse), _score_date(warehouse)
    failures = []
    for offset in range(0, (last - first).days + 1, 7):
        day = first + dt.timedelta(offset)
        got = f"""
            select contact_id, model_id, model_version, is_in_segment, {SCORE_COLUMNS}
            from marts.lead_score_history
            where valid_from <= date '{day}' and (valid_to is null or valid_to > date '{day}')
        """
        rows = _mismatches(warehouse, day, got, all_versions=True)
        if rows:
            failures.append(_diff(rows, f"lead_score_history as of {day}", limit=3))
    assert not failures, "\n".join(failures)


def test_the_demo_exercises_every_rule_kind(warehouse):
    """Agreement means something only if the data reaches each rule kind: counted by the
    reference on the last day and on day 60 (when fewer events have decayed)."""
    counts = {}
    for day in (_first_day(warehouse) + dt.timedelta(59), _score_date(warehouse)):
        ref = reference_scores(warehouse, day, all_versions=True)
        row = ref.aggregate(
            """
            count(*) filter (where not is_in_segment) as out_of_segment,
            count(*) filter (where is_in_segment and is_clamped and total_score = 0) as at_min,
            count(*) filter (where is_in_segment and capped_events > 0) as capped,
            count(*) filter (where is_in_segment and decayed_events > 0) as decayed,
            count(*) filter (where is_in_segment and is_inactive) as inactive,
            count(*) filter (where is_in_segment and has_aggregate_points) as aggregate,
            count(*) filter (where is_in_segment and has_fit_adjustment) as fit_adjusted,
            count(*) filter (where is_in_segment and reset_events > 0) as reset,
            count(*) filter (where is_mql) as mql,
            count(*) filter (where is_in_segment and not is_mql) as not_mql
            """
        )
        counts[day] = dict(zip(row.columns, row.fetchall()[0], strict=True))
    for day, by_kind in counts.items():
        missing = [kind for kind, n in by_kind.items() if n == 0]
        assert not missing, f"on {day} no lead is {missing}: {by_kind}"


def test_the_reference_reads_only_raw_tables_and_rule_seeds():
    """An oracle that read the models would only echo them."""
    sql = re.sub(r"--[^\n]*", "", SQL_PATH.read_text())
    relations = set(re.findall(r"\b(?:from|join)\s+([a-z_]+)\.([a-z_]+)", sql))
    assert relations, "no schema-qualified relation found: the check itself is broken"
    assert {schema for schema, _ in relations} == {"raw", "rules"}, relations
