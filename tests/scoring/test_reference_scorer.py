"""The reference scorer (orchestration/reference) as the oracle of the dbt scoring models: on a
small demo warehouse (generated, backfilled, then the last day run daily), the reference's
scores, computed from the raw tables and the rule seeds only, equal `lead_scores` on the
score date and `lead_score_history` as of earlier days, at the cent, for every model version.
The data must exercise what the rules define (segments, bounds, caps, decay steps,
inactivity, aggregate rules, sales dispositions), so that agreement is not vacuous."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR, run_cli

from orchestration.reference.scorer import SQL_PATH, reference_scores

CONTACTS, DAYS = 400, 120

# the columns both sides have, compared exactly (scores are decimal(18,2): at the cent)
SCORE_COLUMNS = "fit_score, engagement_score, negative_score, total_score, band, is_mql"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    """A demo home of CONTACTS leads over DAYS days: generated, backfilled, last day run."""
    home = tmp_path_factory.mktemp("reference") / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        mp.delenv("LEADSCORE_DUCKDB_PATH", raising=False)
        mp.delenv("DBT_PROFILES_DIR", raising=False)
        mp.delenv("DAGSTER_HOME", raising=False)
        run_cli("demo", "--contacts", str(CONTACTS), "--days", str(DAYS), timeout=1800)
    return home


@pytest.fixture(scope="module")
def warehouse(demo_home) -> duckdb.DuckDBPyConnection:
    """The demo's warehouse, opened read-only."""
    con = duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True)
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
    reference on the days compared above (each kind on one of them at least)."""
    first, last = _first_day(warehouse), _score_date(warehouse)
    totals: dict[str, int] = {}
    for day in (first + dt.timedelta(29), first + dt.timedelta(59), first + dt.timedelta(89), last):
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
        for kind, n in zip(row.columns, row.fetchall()[0], strict=True):
            totals[kind] = totals.get(kind, 0) + n
    missing = [kind for kind, n in totals.items() if n == 0]
    assert not missing, f"no lead is {missing} on the days compared: {totals}"


def test_the_command_writes_the_reference_rows(demo_home, warehouse, tmp_path):
    """`python -m orchestration.reference` on the demo's home: as many in-segment rows of
    the active versions as lead_scores has; a bad day gets a message and exit code 2."""
    day = _score_date(warehouse)
    out = tmp_path / "reference.csv"
    env = {**os.environ, "LEADSCORE_HOME": str(demo_home)}
    env.pop("LEADSCORE_DUCKDB_PATH", None)
    cmd = [sys.executable, "-m", "orchestration.reference"]
    proc = subprocess.run(
        [*cmd, "--date", day.isoformat(), "--out", str(out)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"reference scores as of {day}" in proc.stdout
    written = duckdb.execute(f"select count(*) from read_csv('{out}') where is_in_segment").fetchall()[0][0]
    assert written == warehouse.execute("select count(*) from marts.lead_scores").fetchall()[0][0]
    bad = subprocess.run(
        [*cmd, "--date", "2026-02-30"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "not a day" in bad.stderr and "Traceback" not in bad.stderr


def test_the_reference_reads_only_raw_tables_and_rule_seeds():
    """An oracle that read the models would only echo them."""
    sql = re.sub(r"--[^\n]*", "", SQL_PATH.read_text())
    relations = set(re.findall(r"(?<!distinct )\b(?:from|join)\s+([a-z_]+)\.([a-z_]+)", sql))
    assert relations, "no schema-qualified relation found: the check itself is broken"
    assert {schema for schema, _ in relations} == {"raw", "rules"}, relations


# A test-only model, `oracle` 1, in a copy of the project: what the shipped seeds do not
# reach (caps by points, a cap window of one day, a rule's own decay, case in event types,
# an event type of one's own, every operator, custom attributes of contact and company,
# JSON booleans, sum and days_since aggregates, negative aggregates, two inactivity rules,
# a fit adjustment by the blank-reason row, a negative min_score, both bounds).
ORACLE_SEEDS = {
    "scoring_models.csv": [
        "oracle,1,true,Oracle,Test-only model reaching every rule kind.,40,-15,45,half_life,7,14,,7,60",
    ],
    "segment_conditions.csv": [
        "oracle,1,not_student,Not a student,contact.seniority,not_in,student|STUDENT,",
        "oracle,1,opt_in_known,Newsletter opt-in known,contact.attributes.newsletter_opt_in,is_present,,",
    ],
    "fit_rules.csv": [
        "oracle,1,opt_in,Opted in,contact.attributes.newsletter_opt_in,equals,TRUE,,4,fit",
        "oracle,1,tier,Tier,company.attributes.tier,in,enterprise|Mid_Market,,6,fit",
        "oracle,1,customer,Already a customer,company.attributes.is_customer,equals,true,,-5,negative",
        "oracle,1,no_stack,No known stack,company.attributes.tech_stack,is_missing,,,2,fit",
        "oracle,1,revenue_small,Small revenue,company.annual_revenue,at_most,5000000,,3,fit",
        "oracle,1,not_event,Not from an event,contact.lead_source,not_equals,EVENT,,1,fit",
        "oracle,1,dot_com,A .com address,contact.email_domain,pattern,\\.com$,,2,fit",
        "oracle,1,abroad,Company outside North America,company.country,not_in,US|ca,,2,fit",
        "oracle,1,manager_title,A manager,contact.job_title,contains,MANAGER,,3,fit",
        "oracle,1,tiny,Under 50 employees,company.employee_count,between,0,49,-2,negative",
        "oracle,1,personal,Personal email,contact.email_domain_list,equals,personal,,-4,negative",
    ],
    "engagement_rules.csv": [
        "oracle,1,long_read,A page read for a minute or more,page_view,seconds,at_least,60,4,"
        "discovery,engagement,,10,7,,,,,,",
        "oracle,1,docs_read,Docs read,page_view,url,contains,/DOCS/,3,evaluation,engagement,"
        "5,12,14,percent,0,,25,10,40",
        "oracle,1,other_page,Another page,page_view,url,not_in,/|/features,1,discovery,engagement,2,,1,,,,,,",
        "oracle,1,email_open,Email opened,Email_Open,campaign,is_present,,2,discovery,"
        "engagement,1,,,none,,,,,30",
        "oracle,1,signup_form,A sign-up form,form_submit,form,pattern,_signup$,15,decision,"
        "engagement,1,,30,,,,,,",
        "oracle,1,ad_click,Ad clicked,AD_CLICK,,,,5,discovery,engagement,,,,,,,,,",
        "oracle,1,not_linkedin,Social engagement off LinkedIn,social_engagement,network,"
        "not_equals,LinkedIn,5,discovery,engagement,1,,30,,,,,,",
        "oracle,1,podcast,Podcast episode,podcast_listen,,,,7,evaluation,engagement,,,,,,,,,",
        "oracle,1,bare_view,A page view without a URL,page_view,url,is_missing,,2,discovery,"
        "engagement,,,,,,,,,",
        "oracle,1,careers,Careers page,page_view,url,starts_with,/careers,-8,,negative,,12,30,"
        "half_life,3,10,,5,90",
    ],
    "aggregate_rules.csv": [
        "oracle,1,time_on_site,Seconds on the site this week,sum,page_view,,,,seconds,7,300,"
        "900,3,evaluation,engagement",
        "oracle,1,time_on_site,Seconds on the site this week,sum,page_view,,,,seconds,7,900,,6,"
        "evaluation,engagement",
        "oracle,1,idle_pages,Days since the last page view,days_since,page_view,,,,,,21,,-6,,negative",
        "oracle,1,pricing_views,Pricing views in 30 days,count,page_view,url,starts_with,"
        "/Pricing,,30,2,,4,decision,engagement",
        "oracle,1,active_week,Active days this week,active_days,,,,,,7,2,4,2,evaluation,engagement",
        "oracle,1,active_week,Active days this week,active_days,,,,,,7,4,,5,evaluation,engagement",
    ],
    "inactivity_rules.csv": [
        "oracle,1,idle_14,No activity for 14 days,14,-4",
        "oracle,1,idle_45,No activity for 45 days,45,-3",
    ],
    "disposition_rules.csv": [
        "oracle,1,rejected_not_a_fit,Rejected as not a fit,rejected,not_a_fit,fit_adjustment,-30",
        "oracle,1,rejected_other,Rejected for another reason,rejected,,fit_adjustment,-5",
        "oracle,1,recycled,Recycled,recycled,,engagement_reset,",
        "oracle,1,accepted,Accepted,accepted,,fit_adjustment,5",
    ],
    "score_bands.csv": [
        "oracle,1,cold,1,-15",
        "oracle,1,warm,2,15",
        "oracle,1,hot,3,40",
    ],
    "score_grades.csv": [
        "oracle,1,fit,A,1,15",
        "oracle,1,fit,B,2,8",
        "oracle,1,fit,C,3,0",
        "oracle,1,fit,D,4,-1000",
        "oracle,1,engagement,1,1,30",
        "oracle,1,engagement,2,2,15",
        "oracle,1,engagement,3,3,5",
        "oracle,1,engagement,4,4,-1000",
    ],
}


# Raw rows the demo does not land, added to the copy before it is scored: a second, later
# disposition for every contact that has one (the latest replaces a fit adjustment; a reset
# stays; dispositions and reasons in any case; one the rules do not know acts as none),
# event types in upper case, and page views without properties.
ORACLE_RAW_ROWS = [
    """
    insert into raw.lead_dispositions by name
    select
        contact_id,
        ['accepted', 'Rejected', 'RECYCLED', 'nurture'][cast(hash(contact_id) % 4 as integer) + 1]
            as disposition,
        case when hash(contact_id) % 4 = 1 then 'Not_A_Fit' end as reason,
        decided_at + interval 12 day as decided_at,
        'oracle-test' as _file,
        now()::timestamp as _loaded_at
    from raw.lead_dispositions
    """,
    """
    insert into raw.events by name
    select
        event_id || '_upper' as event_id,
        contact_id,
        upper(event_type) as event_type,
        occurred_at + interval 1 minute as occurred_at,
        properties,
        'oracle-test' as _file,
        now()::timestamp as _loaded_at
    from raw.events
    where hash(event_id) % 15 = 0
    """,
    """
    insert into raw.events by name
    select
        event_id || '_bare' as event_id,
        contact_id,
        'page_view' as event_type,
        occurred_at + interval 2 minute as occurred_at,
        '{}' as properties,
        'oracle-test' as _file,
        now()::timestamp as _loaded_at
    from raw.events
    where event_type = 'page_view' and hash(event_id) % 25 = 0
    """,
]


def _dbt(project: Path, *args: str) -> None:
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = subprocess.run(
        [dbt, *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


@pytest.fixture(scope="module")
def oracle_warehouse(demo_home, warehouse, tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The demo's raw data, with ORACLE_RAW_ROWS, scored again in full by a copy of the
    project whose seeds hold the `oracle` model besides the shipped ones."""
    root = tmp_path_factory.mktemp("oracle")
    db = root / "warehouse.duckdb"
    score_date = _score_date(warehouse)
    shutil.copy(demo_home / "warehouse.duckdb", db)
    with duckdb.connect(str(db)) as con:
        for statement in ORACLE_RAW_ROWS:
            con.execute(statement)
    project = root / "project"
    project.mkdir()
    shutil.copy(PROJECT_DIR / "dbt_project.yml", project / "dbt_project.yml")
    shutil.copy(PROJECT_DIR / "profiles.example.yml", project / "profiles.yml")
    for name in ("models", "seeds", "macros"):
        shutil.copytree(PROJECT_DIR / name, project / name)
    for name, rows in ORACLE_SEEDS.items():
        seed = project / "seeds" / name
        text = seed.read_text()
        seed.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(rows) + "\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_DUCKDB_PATH", str(db))
        mp.setenv("LEADSCORE_HOME", str(root))
        # the seeds' data tests check the oracle's rows are well formed
        _dbt(project, "build", "--select", "resource_type:seed")
        _dbt(
            project,
            "run",
            "--full-refresh",
            "--select",
            "+lead_scores",
            "+lead_score_history",
            "--vars",
            json.dumps({"score_date": score_date.isoformat()}),
        )
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("offset", [29, 59, 89, "last"])
def test_every_rule_kind_of_the_oracle_model_equals_the_reference(oracle_warehouse, offset):
    con = oracle_warehouse
    day = _score_date(con) if offset == "last" else _first_day(con) + dt.timedelta(offset)
    got = f"""
        select contact_id, model_id, model_version, is_in_segment, {SCORE_COLUMNS}
        from marts.lead_score_history
        where valid_from <= date '{day}' and (valid_to is null or valid_to > date '{day}')
    """
    rows = _mismatches(con, day, got, all_versions=True)
    assert not rows, _diff(rows, f"lead_score_history as of {day} (with the oracle model)")
