"""The buying stage on a small generated warehouse (docs/rules.md, "Buying stage"):
lead_scores and every day of lead_score_history carry the stage worked out directly,
day by day, from the counted events, their rules' stages and decay; stage_entered_on is
the first day of the last unbroken run of that stage; stage_outcomes adds up."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR

from orchestration.demo_data.generate import generate
from orchestration.ingest.loader import ingest
from orchestration.runtime import config
from orchestration.runtime.dbt import dbt_env, profiles_dir

START = dt.date(2026, 1, 1)
DAYS = 75
SCORE_DATE = START + dt.timedelta(days=DAYS - 1)

# The stage of every lead on every day, worked out without the interval model: an event
# holds its rule's stage on a day when it was counted (counted_points > 0), had started
# counting by then (scored_from) and its points decayed to that day's age, rounded to
# cents as in the scores, are above zero, and no engagement reset since it occurred has
# ended it.
DAILY_STAGES = """
with
days as (
    select cast(d as date) as day
    from range(date '{start}', date '{score_date}' + interval 1 day, interval 1 day) as t(d)
),
rules as (
    select r.*, s.buying_stage
    from intermediate.int_engagement_rules_resolved as r
    inner join rules.engagement_rules as s using (model_id, model_version, rule_id)
    where s.buying_stage is not null
),
held as (
    select
        m.contact_id, m.model_id, m.model_version, days.day,
        max(case r.buying_stage when 'discovery' then 1 when 'evaluation' then 2 else 3 end) as stage_rank
    from intermediate.int_event_rule_matches as m
    inner join rules as r using (model_id, model_version, rule_id)
    inner join days on days.day >= m.scored_from
    where m.counted_points > 0
        -- a sales reset (recycled) on or before the day ends the events that occurred before it
        and not exists (
            select 1 from intermediate.int_engagement_resets as z
            where z.contact_id = m.contact_id and z.model_id = m.model_id
                and z.model_version = m.model_version
                and z.reset_date > m.occurred_date and z.reset_date <= days.day
        )
        and round(m.counted_points * case
            when days.day - m.occurred_date >= r.decay_window_days then 0.0
            when days.day - m.occurred_date < r.decay_full_days then 1.0
            when r.decay_method = 'percent' then power(
                1 - r.decay_percent / 100.0,
                floor((days.day - m.occurred_date - r.decay_full_days) / r.decay_period_days) + 1)
            when r.decay_method = 'half_life' then power(
                0.5,
                (floor((days.day - m.occurred_date - r.decay_full_days) / r.decay_period_days) + 1)
                * r.decay_period_days / r.decay_half_life_days)
            else 1.0
        end, 2) > 0
    group by all
)
select
    contact_id, model_id, model_version, day,
    case stage_rank when 1 then 'discovery' when 2 then 'evaluation' when 3 then 'decision' end
        as buying_stage
from held
"""


def _dbt(*args: str) -> None:
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = subprocess.run(
        [dbt, *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles_dir())],
        cwd=PROJECT_DIR,
        env=dbt_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """A warehouse of 150 generated leads over 75 days, built once as of the last day."""
    root = tmp_path_factory.mktemp("stage")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(root / "home"))
        mp.delenv("LEADSCORE_DUCKDB_PATH", raising=False)
        mp.delenv("DBT_PROFILES_DIR", raising=False)
        generate(root / "home" / "landing", 150, DAYS, start=START, seed=11)
        ingest(root / "home" / "landing", config.warehouse_path())
        _dbt("seed")
        _dbt(
            "run",
            "--select",
            "+lead_scores",
            "+lead_score_history",
            "+stage_outcomes",
            "band_outcomes",
            "--vars",
            json.dumps({"score_date": SCORE_DATE.isoformat()}),
        )
        con = duckdb.connect(str(config.warehouse_path()), read_only=True)
    con.execute(
        "create temp table daily_stages as "
        + DAILY_STAGES.format(start=START.isoformat(), score_date=SCORE_DATE.isoformat())
    )
    yield con
    con.close()


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_lead_scores_carry_the_stage_of_the_events_that_count_on_the_score_date(warehouse):
    mismatches = _rows(
        warehouse,
        f"""
        select s.contact_id, s.model_id, s.buying_stage, d.buying_stage
        from marts.lead_scores as s
        left join daily_stages as d
            on s.contact_id = d.contact_id and s.model_id = d.model_id
            and s.model_version = d.model_version and d.day = date '{SCORE_DATE}'
        where s.buying_stage is distinct from d.buying_stage
        """,
    )
    assert mismatches == []
    stages = dict(
        _rows(warehouse, "select coalesce(buying_stage, '-'), count(*) from marts.lead_scores group by 1")
    )
    # the generated leads reach every stage, and some have none any more: the check has teeth
    assert {"discovery", "evaluation", "decision", "-"} <= set(stages), stages


def test_the_history_carries_the_stage_of_every_day_and_when_it_was_entered(warehouse):
    per_day = f"""
        select h.contact_id, h.model_id, h.model_version, cast(t.d as date) as day,
            h.buying_stage, h.stage_entered_on
        from marts.lead_score_history as h
        inner join range(date '{START}', date '{SCORE_DATE}' + interval 1 day, interval 1 day) as t(d)
            on h.valid_from <= cast(t.d as date)
            and (h.valid_to is null or h.valid_to > cast(t.d as date))
        where h.is_in_segment
    """
    warehouse.execute(f"create or replace temp table history_days as {per_day}")
    checked = _rows(warehouse, "select count(*), count(buying_stage) from history_days")[0]
    assert checked[0] > 5000 and checked[1] > 1000, checked
    wrong_stage = _rows(
        warehouse,
        """
        select h.contact_id, h.model_id, h.day, h.buying_stage, d.buying_stage
        from history_days as h
        left join daily_stages as d using (contact_id, model_id, model_version, day)
        where h.buying_stage is distinct from d.buying_stage
        limit 5
        """,
    )
    assert wrong_stage == []
    # stage_entered_on: the day after a change of stage (or the first day with one), kept
    # while the stage stays
    wrong_entered = _rows(
        warehouse,
        """
        with runs as (
            select d.*,
                lag(d.buying_stage) over (partition by contact_id, model_id, model_version order by day)
                    as previous_stage,
                lag(d.day) over (partition by contact_id, model_id, model_version order by day)
                    as previous_day
            from daily_stages as d
        ),
        starts as (
            select contact_id, model_id, model_version, day,
                max(case when previous_stage is distinct from buying_stage or previous_day <> day - 1
                    then day end) over (
                    partition by contact_id, model_id, model_version order by day
                    rows between unbounded preceding and current row) as entered_on
            from runs
        )
        select h.contact_id, h.model_id, h.day, h.stage_entered_on, s.entered_on
        from history_days as h
        inner join starts as s using (contact_id, model_id, model_version, day)
        where h.stage_entered_on is distinct from s.entered_on
        limit 5
        """,
    )
    assert wrong_entered == []
    kept = _rows(
        warehouse,
        "select count(*) from history_days where stage_entered_on < day - 30",
    )[0][0]
    assert kept > 0, "no lead kept its stage for a month: stage_entered_on is untested"


def test_stage_outcomes_add_up_to_the_leads_of_band_outcomes(warehouse):
    by_stage = dict(
        _rows(
            warehouse,
            "select model_id || ' ' || model_version, sum(leads) || '/' || sum(customers) "
            "from marts.stage_outcomes group by 1",
        )
    )
    by_band = dict(
        _rows(
            warehouse,
            "select model_id || ' ' || model_version, sum(leads) || '/' || sum(customers) "
            "from marts.band_outcomes group by 1",
        )
    )
    assert by_stage == by_band
    # each stage's share of the version's customers: they add up to 1, or are null without any
    shares = _rows(
        warehouse,
        "select model_id, model_version, sum(customers), sum(share_of_customers), count(share_of_customers) "
        "from marts.stage_outcomes group by all",
    )
    assert shares
    for model_id, version, customers, total, counted in shares:
        if customers:
            assert abs(total - 1) < 1e-9, (model_id, version, total)
        else:
            assert counted == 0, (model_id, version)
