"""Late and out-of-order delivery: the same files landed in day order and shuffled (file
names permuted, the events of three days landed one, two and four days late, within the
7-day lookback) end in identical scores; every loaded event is scored or explicitly outside the
scoring window: none vanishes."""

from __future__ import annotations

import duckdb
import pytest
from support import reliability as R


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return R._memo.get("base") or R._memo.setdefault("base", tmp_path_factory.mktemp("reliability"))


def test_shuffled_and_late_delivery_ends_in_identical_scores(base, capsys):
    in_order = R.in_order(base)
    shuffled = R.shuffled(base)
    # the deliveries really differ: late files land with a later run, in another order
    late_names = {
        n
        for names in shuffled.landed_by_day.values()
        for n in names
        if "events_" in n and R.dt.date.fromisoformat(n.rsplit("_", 1)[1][:10]) in R.LATE
    }
    assert len(late_names) == len(R.LATE)
    for day, names in shuffled.landed_by_day.items():  # each late file with the run it was due for
        for n in set(names) & late_names:
            assert R.LATE[R.dt.date.fromisoformat(n.rsplit("_", 1)[1][:10])] == day
    # (the CRM feed records a late file's changes on the run that saw it: it differs by design)
    assert R.scores_only(in_order.digests_by_day[R.LAST]) == R.scores_only(shuffled.digests_by_day[R.LAST])
    # the same raw rows in the end (file names aside)
    counts = [R.raw_counts(h / "warehouse.duckdb") for h in (in_order.home, shuffled.home)]
    assert counts[0] == counts[1]
    R.figures(
        capsys,
        f"late delivery: {len(late_names)} events files landed 1, 2 and 4 days late, "
        f"{sum(len(v) for v in shuffled.landed_by_day.values())} files in shuffled order; "
        f"scores identical to in-order delivery (all marts but the CRM feed's)",
    )


ACCOUNTING = """
with events as (
    select * from staging.stg_raw__events
),
rules as (
    select distinct event_type, property is null as unfiltered from intermediate.int_engagement_rules_resolved
),
matched as (
    select distinct event_id from intermediate.int_event_rule_matches
),
score_date as (
    select max(score_date) as d from intermediate.int_score_dates
)
select
    case
        when events.event_id in (select event_id from matched) then 'scored'
        when events.occurred_date > (select d from score_date) then 'after the score date'
        when not exists (select 1 from rules where rules.event_type = events.event_type)
            then 'no rule for its type'
        when not exists (select 1 from rules where rules.event_type = events.event_type and unfiltered)
            then 'property filter not met'
        else 'vanished'
    end as outcome,
    count(*)
from events
group by all
order by all
"""


@pytest.mark.parametrize("delivery", ["in_order", "shuffled"])
def test_every_loaded_event_is_scored_or_explicitly_outside_the_window(base, delivery, capsys):
    home = getattr(R, delivery)(base).home
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        [(raw,)] = con.execute("select count(*) from raw.events").fetchall()
        outcome = dict(con.execute(ACCOUNTING).fetchall())
        [(late_scored,)] = con.execute(
            "select count(*) from intermediate.int_event_rule_matches m join raw.events e using (event_id) "
            "where " + " or ".join(f"e._file like '%events_{d}%'" for d in R.LATE)
        ).fetchall()
    finally:
        con.close()
    assert outcome.get("vanished", 0) == 0, outcome
    assert sum(outcome.values()) == raw  # staging keeps every loaded event
    assert outcome["scored"] > 0 and late_scored > 0  # the late files' events are scored
    R.figures(capsys, f"late delivery ({delivery}): {raw} loaded events: {outcome}")
