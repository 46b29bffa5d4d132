"""`leadscore explain` on a small demo home: the real command, in a subprocess, against the
serving copy a real demo run published. Its lines add up to `lead_scores.total_score`, and
each engagement rule's events to the rule's points, for a sample of leads under every
active model; bad input gets a message and an exit code, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from support import query, run_cli


@pytest.fixture(scope="module")
def served(demo_home) -> Path:
    """The serving copy of the small demo (tests/serving/conftest.py), whose home is
    LEADSCORE_HOME for the module's tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(demo_home))
        for var in ("LEADSCORE_DUCKDB_PATH", "DBT_PROFILES_DIR", "DAGSTER_HOME"):
            mp.delenv(var, raising=False)
        yield demo_home / "serving" / "leadscore.duckdb"


def _explain(*args: str) -> dict:
    return json.loads(run_cli("explain", *args, "--json").stdout, parse_float=Decimal)


def _sample(served: Path) -> list[str]:
    """Leads of every active model: per model, the top and bottom scores, the leads with
    the most events behind their score, and a lead whose total the model's bounds held."""
    picks = query(
        served,
        """
        with events as (
            select contact_id, model_id, model_version, count(*) as events
            from score_evidence group by all
        ),
        bounded as (
            select contact_id, model_id, model_version, true as held
            from score_contributions where rule_id = '_bounds'
        ),
        ranked as (
            select
                s.contact_id,
                row_number() over (partition by s.model_id order by s.total_score desc, s.contact_id) as top,
                row_number() over (partition by s.model_id order by s.total_score, s.contact_id) as bottom,
                row_number() over (
                    partition by s.model_id order by coalesce(e.events, 0) desc, s.contact_id
                ) as busiest,
                row_number() over (
                    partition by s.model_id order by coalesce(b.held, false) desc, s.contact_id
                ) as held
            from lead_scores as s
            left join events as e using (contact_id, model_id, model_version)
            left join bounded as b using (contact_id, model_id, model_version)
        )
        select distinct contact_id from ranked where top <= 2 or bottom <= 1 or busiest <= 2 or held <= 1
        """,
    )
    return sorted(r[0] for r in picks)


def test_explanations_add_up_to_the_total(served):
    scores = {
        (c, m): (v, total, band)
        for c, m, v, total, band in query(
            served, "select contact_id, model_id, model_version, total_score, band from lead_scores"
        )
    }
    models = {m for _, m in scores}
    sample = _sample(served)
    assert len(sample) >= 5, sample
    explained_models, events_seen, rules_seen = set(), 0, 0
    for contact in sample:
        doc = _explain(contact)
        assert doc["contact_id"] == contact and doc["as_of"] == doc["latest_score_date"]
        expected = {m for c, m in scores if c == contact}
        assert {m["model_id"] for m in doc["models"]} == expected
        for m in doc["models"]:
            version, total, band = scores[(contact, m["model_id"])]
            assert (m["model_version"], m["total_score"], m["band"]) == (version, total, band)
            assert m["rules_available"] and m["rules"], (contact, m["model_id"])
            # the lines, the bounds line included, add up to the published total
            assert sum(r["points"] for r in m["rules"]) == total, (contact, m["model_id"])
            for r in m["rules"]:
                rules_seen += 1
                if r["rule_kind"] == "engagement":
                    assert r["events"], (contact, r["rule_id"])
                    assert sum(e["points"] for e in r["events"]) == r["points"], (contact, r["rule_id"])
                    assert len(r["events"]) == r["occurrences"]
                    days = [e["occurred_date"] for e in r["events"]]
                    assert r["evidence"].endswith(max(days)) and min(days) in r["evidence"]
                    events_seen += len(r["events"])
                else:
                    assert not r["events"]
            explained_models.add(m["model_id"])
    assert explained_models == models  # every active model is in the sample
    assert events_seen > 0 and rules_seen > events_seen / 10


def test_evidence_adds_up_for_every_lead(served):
    """The same, for every lead and every version, straight from the published marts."""
    mismatches = query(
        served,
        """
        with summed as (
            select contact_id, model_id, model_version, rule_id, sum(points) as points, count(*) as events
            from score_evidence group by all
        )
        select c.contact_id, c.model_id, c.model_version, c.rule_id, c.points, s.points
        from (select * from score_contributions where rule_kind = 'engagement') as c
        full outer join summed as s
            on c.contact_id = s.contact_id and c.model_id = s.model_id
            and c.model_version = s.model_version and c.rule_id = s.rule_id
        where c.points is distinct from s.points or c.occurrences is distinct from s.events
        """,
    )
    assert not mismatches, mismatches[:5]
    assert query(served, "select count(*) from score_evidence")[0][0] > 0


def test_text_shows_score_rules_and_events(served):
    contact, model, total, band, priority = query(
        served,
        """
        select s.contact_id, s.model_id, s.total_score, s.band, s.priority from lead_scores as s
        inner join score_evidence as e using (contact_id, model_id, model_version)
        order by s.total_score desc, s.contact_id limit 1
        """,
    )[0]
    rule, points, event_type, day, event_points = query(
        served,
        """
        select e.rule_id, c.points, e.event_type, e.occurred_date, e.points
        from score_evidence as e
        inner join score_contributions as c using (contact_id, model_id, model_version, rule_id)
        where e.contact_id = ? and e.model_id = ? and e.is_active_version
        order by e.occurred_date desc, e.event_id limit 1
        """,
        [contact, model],
    )[0]
    text = run_cli("explain", contact, "--model", model).stdout
    assert f"total {total:.2f}, band {band}," in text
    assert f"priority {priority}" in text
    rule_line = next(line for line in text.splitlines() if f" {rule} " in line)
    assert f"{points:+.2f}" in rule_line
    assert f"{event_points:+.2f}    {event_type} on {day}" in text
    # the buying stage and the day the lead entered it
    doc = _explain(contact, "--model", model)
    stage, entered = query(
        served,
        "select buying_stage, stage_entered_on from lead_scores where contact_id = ? and model_id = ?",
        [contact, model],
    )[0]
    assert doc["buying_stage_published"] and doc["models"][0]["buying_stage"] == stage
    assert f"buying stage: {stage or 'none'}" in text
    if entered is not None:
        assert f" since {entered}" in text


def test_a_past_day_gives_the_score_from_history(served):
    latest = query(served, "select max(score_date) from lead_scores")[0][0]
    day = latest - dt.timedelta(days=10)
    contact, model, total, band = query(
        served,
        """
        select contact_id, model_id, total_score, band from lead_score_history
        where is_active_version and is_in_segment and valid_from <= ? and (valid_to is null or valid_to > ?)
        order by total_score desc, contact_id limit 1
        """,
        [day, day],
    )[0]
    doc = _explain(contact, "--model", model, "--date", day.isoformat())
    (m,) = doc["models"]
    assert doc["as_of"] == day.isoformat() and (m["total_score"], m["band"]) == (total, band)
    assert not m["rules_available"] and m["rules"] == []
    assert latest.isoformat() in m["note"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ct_does_not_exist"], 1, "unknown contact 'ct_does_not_exist'"),
        (["{contact}", "--model", "no_such_model"], 2, "unknown model 'no_such_model'"),
        (["{contact}", "--date", "2099-01-01"], 2, "no scores after"),
    ],
)
def test_bad_input_gets_a_message_and_an_exit_code(served, args, code, message):
    contact = query(served, "select min(contact_id) from lead_scores")[0][0]
    proc = run_cli("explain", *[a.format(contact=contact) for a in args], check=False)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_without_a_serving_copy(home):
    proc = run_cli("explain", "ct_1", check=False)
    assert proc.returncode == 1 and "no serving copy" in proc.stderr and "Traceback" not in proc.stderr


def test_answers_while_a_run_holds_the_warehouse(served):
    """A writer holds warehouse.duckdb (no other process can open it): explain reads the
    serving copy only, so it answers."""
    import duckdb

    contact = query(served, "select min(contact_id) from lead_scores")[0][0]
    writer = duckdb.connect(str(served.parent.parent / "warehouse.duckdb"))
    try:
        doc = _explain(contact)
    finally:
        writer.close()
    assert doc["models"] and all(m["rules"] for m in doc["models"])
