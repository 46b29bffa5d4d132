"""What `leadscore run` prints on stdout when a blocking dbt test fails: its name, what it
verifies, and what it found — the failing row count and the keys of a few failing rows,
read back by running the test's compiled SQL (from the run's run_results.json) on the
warehouse, never a value that looks like an email or a phone. A real DuckDB file and a
run_results.json as dbt writes it; the end-to-end case (a GX check failing in a real run)
is in tests/serving/test_serving.py."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from orchestration.runtime.launch import CheckOutcome, RunOutcome, failing_keys, summary_lines

TEST_ID = "test.leadscore.assert_scores_within_model_bounds"
SQL = (
    "select contact_id, model_id, model_version, total_score, note from marts.lead_scores "
    "where total_score > 100"
)


def _warehouse(home) -> None:
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.lead_scores as select * from (values "
        "('c1', 'core', 1, 140.0, 'Jane Roe, +44 20 7946 0958'), "
        "('jane.roe@example.com', 'core', 1, 150.0, 'jane.roe@example.com'), "
        "('+44 20 7946 0958', 'core', 1, 160.0, 'x'), "
        "('c2', 'core', 1, 50.0, 'fine')) as t(contact_id, model_id, model_version, total_score, note)"
    )
    con.close()
    run = home / "dbt_runs" / "run-1"
    run.mkdir(parents=True)
    (run / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.leadscore.lead_scores", "compiled_code": "select 1"},
                    {"unique_id": TEST_ID, "status": "fail", "failures": 3, "compiled_code": SQL},
                ]
            }
        )
    )


def test_failing_keys_are_ids_of_failing_rows_never_emails_phones_or_free_text(home):
    _warehouse(home)
    keys = failing_keys("run-1", TEST_ID)
    # the three failing rows: c1 with its key columns only (no score, no note); the row
    # whose contact_id is an email and the one whose id is a phone keep only model keys
    assert keys == [
        "contact_id=c1 model_id=core model_version=1",
        "model_id=core model_version=1",
        "model_id=core model_version=1",
    ]
    assert failing_keys("run-1", "test.leadscore.unknown") == []
    assert failing_keys("no-such-run", TEST_ID) == []


def test_a_failed_blocking_dbt_test_prints_name_description_count_and_keys(home):
    _warehouse(home)
    check = CheckOutcome(
        asset="marts/lead_scores",
        name="lead_scores_within_model_bounds",
        passed=False,
        blocking=True,
        severity="ERROR",
        description="Blocking: every total score lies within its model's bounds.",
        result="",
        failing_rows=3,
        keys=failing_keys("run-1", TEST_ID),
    )
    outcome = RunOutcome("run-1", dt.date(2024, 3, 8), dt.date(2024, 3, 8), False, 1.0, checks=[check])
    out = "\n".join(summary_lines(outcome))
    assert "BLOCKING: marts/lead_scores lead_scores_within_model_bounds: failed" in out
    assert "what it checks: Blocking: every total score lies within its model's bounds." in out
    assert "what it found: 3 failing rows, e.g. contact_id=c1 model_id=core model_version=1;" in out
    assert "@" not in out and "7946" not in out and "Jane" not in out
    assert "checks: 0 passed, 1 blocking failed, 0 warnings" in out


def test_a_dbt_test_says_what_it_verifies_from_the_manifest():
    from orchestration.runtime.launch import dbt_test_description
    from orchestration.runtime.manifest import load_manifest

    tests = {n["name"]: uid for uid, n in load_manifest()["nodes"].items() if n["resource_type"] == "test"}
    singular = dbt_test_description(tests["assert_attribute_lift_values_held_by_k_leads"])
    assert singular.startswith("dbt test tests/dbt/marts/assert_attribute_lift_values_held_by_k_leads.sql: ")
    assert "at least var lift_min_leads leads hold it" in singular  # the comment it opens with
    [grain] = [uid for name, uid in tests.items() if name.startswith("not_null_stg_raw__events_event_id")]
    assert dbt_test_description(grain) == "dbt test not_null on stg_raw__events (column_name=event_id)"
    assert dbt_test_description("test.leadscore.no_such_test") == ""
