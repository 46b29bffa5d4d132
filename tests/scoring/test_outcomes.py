"""Outcome analytics on a hand-made dataset: every figure below is worked out by hand.

Twelve contacts, scored as of 2026-06-30 by the shipped `core` model (version 1 active,
version 2 candidate; no company and no product interest, so the other models score
nobody). Events fall in 2026-03-20..25, inside every version's full-points period on the
backtest's default reference day (score date - 90 days = 2026-04-01):

    contact cohort  source   events (points)                 MQL day  outcome
    a1      Jan     event    quote 03-20, demo 03-21  (60)   03-21    won 05-10, 10000; accepted
    a2      Jan     event    quote 03-20, webinar 03-22 (50) 03-22    won 06-09, 20000; accepted
    a3      Jan     event    quote + demo 03-20       (60)   03-20    accepted, no deal
    a4      Jan     event    quote + demo 03-20       (60)   03-20    rejected; deal lost 05-15
    a5      Jan     event    quote + demo 03-25       (60)   03-25    won 04-30, 30000; no feedback
    b1      Feb     paid_ad  quote 03-20              (30)   -        won 05-31, 5000
    b2, b3  Feb     paid_ad  quote 03-20              (30)   -        -
    c1, c2  Feb     paid_ad  -                        (0)    -        -
    c3      Feb     paid_ad  email open 03-20 (5; v2: 3)     -        -
    d1      Jan     paid_ad  sms 01-06 (0); quote 03-25, AFTER its win   won 03-15, 8000
    e1      Dec     paid_ad  -                                       won 2026-01-02, 5000

Cohorts: Dec = created 2025-12-01, Jan = created 2026-01-05, Feb = created 2026-02-03.
The first event is d1's on 01-06: e1 had won before the warehouse saw any behaviour (an
older CRM deal), so it counts in channel_costs only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from support import run_cli

SCORE_DATE = "2026-06-30"
JAN = "2026-01-05T09:00:00Z"
FEB = "2026-02-03T09:00:00Z"
Z = 1.96


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _land(home: Path) -> None:
    landing = home / "landing"
    gold = {"tier": "gold"}
    silver = {"tier": "silver"}
    contacts = [
        ("a1", JAN, "event", gold),
        ("a2", JAN, "event", gold),
        ("a3", JAN, "event", gold),
        ("a4", JAN, "event", silver),
        ("a5", JAN, "event", gold),
        ("b1", FEB, "paid_ad", silver),
        ("b2", FEB, "paid_ad", silver),
        ("b3", FEB, "paid_ad", silver),
        ("c1", FEB, "paid_ad", silver),
        ("c2", FEB, "paid_ad", silver),
        ("c3", FEB, "paid_ad", silver),
        ("d1", JAN, "paid_ad", {}),
        ("e1", "2025-12-01T09:00:00Z", "paid_ad", {}),
    ]
    _write_jsonl(
        landing / "contacts" / "contacts.jsonl",
        [
            {"contact_id": c, "lead_source": src, "attributes": attrs, "created_at": at, "updated_at": at}
            for c, at, src, attrs in contacts
        ],
    )
    events = [
        ("a1", "quote_request", "2026-03-20"),
        ("a1", "demo_request", "2026-03-21"),
        ("a2", "quote_request", "2026-03-20"),
        ("a2", "webinar_registration", "2026-03-22"),
        ("a3", "quote_request", "2026-03-20"),
        ("a3", "demo_request", "2026-03-20"),
        ("a4", "quote_request", "2026-03-20"),
        ("a4", "demo_request", "2026-03-20"),
        ("a5", "quote_request", "2026-03-25"),
        ("a5", "demo_request", "2026-03-25"),
        ("b1", "quote_request", "2026-03-20"),
        ("b2", "quote_request", "2026-03-20"),
        ("b3", "quote_request", "2026-03-20"),
        ("c3", "email_open", "2026-03-20"),
        ("d1", "quote_request", "2026-03-25"),
        ("d1", "sms_sent", "2026-01-06"),
    ]
    _write_jsonl(
        landing / "events" / "events.jsonl",
        [
            {
                "event_id": f"e{i}",
                "contact_id": c,
                "event_type": t,
                "properties": {},
                "occurred_at": f"{day}T10:00:00Z",
            }
            for i, (c, t, day) in enumerate(events)
        ],
    )

    def opp(oid, contact, created, closed=None, won=None, amount=None):
        rows = [
            {
                "opportunity_id": oid,
                "contact_id": contact,
                "created_at": f"{created}T12:00:00Z",
                "stage": "open",
                "amount": amount,
                "updated_at": f"{created}T12:00:00Z",
            }
        ]
        if closed:
            rows.append(
                {
                    "opportunity_id": oid,
                    "contact_id": contact,
                    "created_at": f"{created}T12:00:00Z",
                    "stage": "closed_won" if won else "closed_lost",
                    "is_won": won,
                    "amount": amount,
                    "closed_at": f"{closed}T12:00:00Z",
                    "updated_at": f"{closed}T12:00:00Z",
                }
            )
        return rows

    _write_jsonl(
        landing / "opportunities" / "opportunities.jsonl",
        [
            *opp("o_a1", "a1", "2026-04-10", "2026-05-10", True, 10000),
            *opp("o_a2", "a2", "2026-04-12", "2026-06-09", True, 20000),
            *opp("o_a4", "a4", "2026-04-05", "2026-05-15", False, 7000),
            *opp("o_a5", "a5", "2026-04-02", "2026-04-30", True, 30000),
            *opp("o_b1", "b1", "2026-04-20", "2026-05-31", True, 5000),
            *opp("o_d1", "d1", "2026-02-01", "2026-03-15", True, 8000),
            *opp("o_e1", "e1", "2025-12-10", "2026-01-02", True, 5000),
        ],
    )
    _write_jsonl(
        landing / "lead_dispositions" / "dispositions.jsonl",
        [
            {"contact_id": "a1", "disposition": "accepted", "decided_at": "2026-03-23T10:00:00Z"},
            {"contact_id": "a2", "disposition": "accepted", "decided_at": "2026-03-23T10:00:00Z"},
            {"contact_id": "a3", "disposition": "accepted", "decided_at": "2026-03-23T10:00:00Z"},
            {
                "contact_id": "a4",
                "disposition": "rejected",
                "reason": "no_budget",
                "decided_at": "2026-03-23T10:00:00Z",
            },
        ],
    )
    _write_jsonl(
        landing / "marketing_spend" / "spend.jsonl",
        [
            {"spend_date": "2026-01-05", "channel": "event", "amount": 600},
            {"spend_date": "2026-01-20", "channel": "event", "amount": 400},
            {"spend_date": "2026-01-10", "channel": "paid_ad", "amount": 300},
            {"spend_date": "2026-02-10", "channel": "paid_ad", "amount": 900},
            {"spend_date": "2026-02-10", "channel": "linkedin", "amount": 500},
        ],
    )


def _wilson(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One warehouse for the whole module: built once, read by every test."""
    home = tmp_path_factory.mktemp("outcomes") / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        mp.delenv("LEADSCORE_DUCKDB_PATH", raising=False)
        mp.delenv("DBT_PROFILES_DIR", raising=False)
        _land(home)
        run_cli("ingest")
        run_cli("build", "--date", SCORE_DATE)
        # the handful of leads here would all be pooled as (other) at the default k = 10
        _rebuild_attribute_lift()
        yield home / "warehouse.duckdb"


# attribute_lift for this module's dozen leads: every value published (k = 1)
LIFT_VARS = {"score_date": SCORE_DATE, "lift_min_leads": 1}


def _rebuild_attribute_lift(**more_vars) -> None:
    from orchestration.runtime.dbt import run_dbt

    code = run_dbt("build", "--select", "attribute_lift", quiet=True, vars={**LIFT_VARS, **more_vars})
    assert code == 0


def _rows(db: Path, sql: str) -> list[dict]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def test_band_outcomes_conversion_cycle_revenue(built):
    rows = {
        (r["model_version"], r["band"], str(r["cohort_month"])): r
        for r in _rows(built, "select * from marts.band_outcomes where model_id = 'core'")
    }
    # v1: a1..a5 hot (Jan); b1..b3 warm (Feb); c1..c3 cold (Feb); d1 cold (Jan: its quote
    # request came after its win, which the best band ignores)
    assert sorted(k for k in rows if k[0] == 1) == [
        (1, "cold", "2026-01-01"),
        (1, "cold", "2026-02-01"),
        (1, "hot", "2026-01-01"),
        (1, "warm", "2026-02-01"),
    ]
    hot = rows[(1, "hot", "2026-01-01")]
    # 5 leads, all MQL; deals: a1, a2, a4, a5; customers a1, a2, a5: 3 / 5 = 0.6
    assert (hot["leads"], hot["mqls"], hot["opportunities"], hot["customers"]) == (5, 5, 4, 3)
    assert hot["conversion_rate"] == pytest.approx(0.6)
    # cycles from the first MQL day: a5 03-25 -> 04-30 = 36, a1 03-21 -> 05-10 = 50,
    # a2 03-22 -> 06-09 = 79. Median 50; p90 at position 0.9 x 2 = 1.8:
    # 50 + 0.8 x (79 - 50) = 73.2
    assert hot["median_cycle_days"] == pytest.approx(50)
    assert hot["p90_cycle_days"] == pytest.approx(73.2)
    # 10000 + 20000 + 30000 = 60000 over 5 leads = 12000
    assert hot["revenue"] == pytest.approx(60000)
    assert hot["revenue_per_lead"] == pytest.approx(12000)
    # feedback on a1, a2, a3 (accepted) and a4 (rejected): 3 / 4
    assert hot["dispositioned_leads"] == 4
    assert hot["acceptance_rate"] == pytest.approx(0.75)
    assert hot["is_active_version"] is True and hot["band_rank"] == 3

    warm = rows[(1, "warm", "2026-02-01")]
    # b1 never MQL: cycle from creation 02-03 to 05-31 = 117 days
    assert (warm["leads"], warm["mqls"], warm["customers"]) == (3, 0, 1)
    assert warm["conversion_rate"] == pytest.approx(1 / 3)
    assert warm["median_cycle_days"] == pytest.approx(117)
    assert warm["p90_cycle_days"] == pytest.approx(117)
    assert warm["revenue_per_lead"] == pytest.approx(5000 / 3)
    assert warm["acceptance_rate"] is None

    cold_feb = rows[(1, "cold", "2026-02-01")]
    assert (cold_feb["leads"], cold_feb["customers"], cold_feb["revenue"]) == (3, 0, 0)
    assert cold_feb["median_cycle_days"] is None
    cold_jan = rows[(1, "cold", "2026-01-01")]
    # d1: creation 01-05 -> won 03-15 = 69 days, 8000
    assert (cold_jan["leads"], cold_jan["customers"], cold_jan["median_cycle_days"], cold_jan["revenue"]) == (
        1,
        1,
        69,
        8000,
    )
    # e1 won before the first event: not a lead of any band
    assert not [k for k in rows if k[2] == "2025-12-01"]
    # the candidate version is there too, on the same leads
    assert rows[(2, "hot", "2026-01-01")]["leads"] == 5
    assert rows[(2, "hot", "2026-01-01")]["is_active_version"] is False


def test_channel_costs(built):
    rows = {(r["channel"], str(r["month"])): r for r in _rows(built, "select * from marts.channel_costs")}
    # event, Jan: 600 + 400 = 1000 over a1..a5 (5 leads, 5 MQLs, 3 customers)
    ev = rows[("event", "2026-01-01")]
    assert (ev["spend"], ev["leads"], ev["mqls"], ev["customers"]) == (1000, 5, 5, 3)
    assert ev["cost_per_lead"] == pytest.approx(200)
    assert ev["cost_per_mql"] == pytest.approx(200)
    assert ev["cost_per_customer"] == pytest.approx(1000 / 3)
    # paid_ad, Feb: 900 over b1..c3 (6 leads, no MQL, 1 customer)
    pa = rows[("paid_ad", "2026-02-01")]
    assert (pa["leads"], pa["mqls"], pa["customers"]) == (6, 0, 1)
    assert pa["cost_per_lead"] == pytest.approx(150)
    assert pa["cost_per_mql"] is None
    assert pa["cost_per_customer"] == pytest.approx(900)
    # paid_ad, Jan: 300 for d1 alone, a customer
    assert rows[("paid_ad", "2026-01-01")]["cost_per_customer"] == pytest.approx(300)
    # e1 (Dec) is counted where it came from, with no spend recorded that month
    dec = rows[("paid_ad", "2025-12-01")]
    assert (dec["spend"], dec["leads"], dec["customers"], dec["cost_per_lead"]) == (None, 1, 1, None)
    # spend that brought no lead: no cost per lead, not a division by zero
    li = rows[("linkedin", "2026-02-01")]
    assert (li["spend"], li["leads"], li["cost_per_lead"]) == (500, 0, None)


def test_attribute_lift_interval_and_small_samples(built):
    rows = {
        (r["attribute"], r["attribute_value"]): r for r in _rows(built, "select * from marts.attribute_lift")
    }
    # overall: a1, a2, a5, b1, d1 are customers of 12 contacts (e1 left out): 5 / 12
    gold = rows[("contact.attributes.tier", "gold")]
    assert gold["overall_close_rate"] == pytest.approx(5 / 12)
    # gold: a1, a2, a3, a5 -> 3 customers / 4 = 0.75; lift 0.75 / (5/12) = 1.8
    assert (gold["leads"], gold["customers"]) == (4, 3)
    assert gold["lift"] == pytest.approx(1.8)
    # Wilson, n = 4, p = 0.75, z = 1.96: (0.75 + 0.4802 -/+ 1.96 sqrt(0.046875 + 0.060025)) / 1.9604
    # = 0.3006 .. 0.9544; the lift interval divides it by 5/12: 0.7215 .. 2.2906
    lo, hi = _wilson(3, 4)
    assert (lo, hi) == pytest.approx((0.3006, 0.9544), abs=1e-4)
    assert gold["close_rate_lower"] == pytest.approx(lo)
    assert gold["close_rate_upper"] == pytest.approx(hi)
    assert gold["lift_lower"] == pytest.approx(lo * 12 / 5)
    assert gold["lift_upper"] == pytest.approx(hi * 12 / 5)
    # 4 leads x 5/12 = 1.7 customers expected < 5: small sample, no suggested points
    assert gold["is_small_sample"] is True and gold["suggested_points"] is None
    # events count only before the lead's first win: d1's quote request came after it,
    # so quote_request is a1..a5, b1..b3: 8 leads, 4 customers, lift 0.5 / (5/12) = 1.2
    quote = rows[("event.quote_request", "performed")]
    assert (quote["leads"], quote["customers"], quote["attribute_kind"]) == (8, 4, "event")
    assert quote["lift"] == pytest.approx(1.2)
    assert ("event.email_open", "performed") in rows


def test_attribute_lift_suggested_points(built):
    # With 1 expected customer enough, the points follow the lift: round(10 x (lift - 1))
    _rebuild_attribute_lift(lift_min_expected_customers=1)
    try:
        rows = {
            (r["attribute"], r["attribute_value"]): r
            for r in _rows(built, "select * from marts.attribute_lift")
        }
    finally:
        _rebuild_attribute_lift()  # back to the module's settings for its other tests
    # gold: lift 1.8 -> 8; silver: a4, b1..b3, c1..c3 = 7 leads, 1 customer (b1):
    # (1/7) / (5/12) = 0.343 -> round(-6.57) = -7; quote_request: lift 1.2 -> 2
    assert rows[("contact.attributes.tier", "gold")]["suggested_points"] == 8
    assert rows[("contact.attributes.tier", "silver")]["suggested_points"] == -7
    assert rows[("event.quote_request", "performed")]["suggested_points"] == 2


def test_attribute_lift_pools_values_fewer_than_k_leads_hold(built):
    # At the default k = 10, tier's gold (4 leads) and silver (7) are pooled as (other):
    # one row whose leads and customers are theirs added up; quote_request (8 leads) is an
    # event type, published as it is.
    every = _rows(built, "select * from marts.attribute_lift where attribute = 'contact.attributes.tier'")
    _rebuild_attribute_lift(lift_min_leads=10)
    try:
        pooled = {
            (r["attribute"], r["attribute_value"]): r
            for r in _rows(built, "select * from marts.attribute_lift")
        }
    finally:
        _rebuild_attribute_lift()
    assert {r["attribute_value"] for r in every} >= {"gold", "silver"}
    assert max(r["leads"] for r in every) < 10
    other = pooled[("contact.attributes.tier", "(other)")]
    assert (other["leads"], other["customers"]) == (
        sum(r["leads"] for r in every),
        sum(r["customers"] for r in every),
    )
    assert not [k for k in pooled if k[0] == "contact.attributes.tier" and k[1] != "(other)"]
    assert not [
        r
        for r in pooled.values()
        if r["attribute_kind"] == "field" and r["attribute_value"] != "(other)" and r["leads"] < 10
    ]
    assert pooled[("event.quote_request", "performed")]["leads"] == 8


def test_model_backtest_auc_deciles_recall(built):
    rows = _rows(
        built, "select * from marts.model_backtest where model_id = 'core' order by model_version, decile"
    )
    v1 = [r for r in rows if r["model_version"] == 1]
    v2 = [r for r in rows if r["model_version"] == 2]
    assert len(v1) == len(v2) == 10
    first = v1[0]
    # reference day 2026-06-30 - 90 = 2026-04-01; d1 (won 03-15) is already a customer:
    # 11 leads, customers in 04-02..06-30: a1, a2, a5, b1
    assert str(first["reference_date"]) == "2026-04-01" and first["outcome_window_days"] == 90
    assert (first["leads"], first["customers"]) == (11, 4)
    assert first["conversion_rate"] == pytest.approx(4 / 11)
    # scores on 04-01, ascending with mid-ranks: c1 c2 (0) 1.5; c3 (5) 3; b1 b2 b3 (30) 5;
    # a2 (50) 7; a1 a3 a4 a5 (60) 9.5. Customers' rank sum 9.5 + 9.5 + 7 + 5 = 31;
    # U = 31 - 4 x 5 / 2 = 21; AUC = 21 / (4 x 7) = 0.75 (b1 ties b2, b3 and a1, a5 tie
    # a3, a4: each tie counts a half)
    assert first["auc"] == pytest.approx(0.75)
    # deciles by score, ties by md5(contact_id): a5 32cf.., a4 894f.., a1 8a8b.., a3 9d60..;
    # b3 7a6f.., b1 edba.., b2 fbfb..; c2 9ab6.., c1 a9f7... ntile(10) of 11 gives decile 1
    # two leads: a5, a4 -> 1 customer of 2 = 0.5; lift 0.5 / (4/11) = 1.375
    assert (first["decile"], first["decile_leads"], first["decile_customers"]) == (1, 2, 1)
    assert first["decile_lift"] == pytest.approx(1.375)
    assert first["top_decile_lift"] == pytest.approx(1.375)
    # decile 2 is a1 alone, a customer: lift 1 / (4/11) = 2.75
    assert v1[1]["decile_lift"] == pytest.approx(2.75)
    # a5+a4, a1, a3, a2, b3, b1, b2, c3, c2, c1
    assert [r["decile_customers"] for r in v1] == [1, 1, 0, 1, 0, 1, 0, 0, 0, 0]
    # MQL on 04-01: a1..a5; of the 4 customers a1, a2, a5 were MQL -> recall 0.75,
    # precision 3 / 5 = 0.6
    assert first["mql_recall"] == pytest.approx(0.75)
    assert first["mql_precision"] == pytest.approx(0.6)
    # cold 0/3, warm 1/3, hot 3/5: rises band by band
    assert first["conversion_rises_by_band"] is True
    # the candidate on the same 11 leads: same ordering, same AUC
    assert (v2[0]["leads"], v2[0]["customers"], v2[0]["auc"]) == (11, 4, pytest.approx(0.75))
    assert first["is_active_version"] is True and v2[0]["is_active_version"] is False


def test_funnel_stages_and_stall(built):
    rows = _rows(
        built, "select * from marts.funnel where model_id = 'core' and model_version = 1 order by stage_order"
    )
    assert [r["stage"] for r in rows] == ["lead", "mql", "accepted", "opportunity", "customer"]
    # 12 leads -> MQL a1..a5 (5) -> accepted a1, a2, a3 (3) -> deal a1, a2 (2; a4 was
    # rejected, a5 has no feedback) -> customers a1, a2 (2)
    assert [r["leads"] for r in rows] == [12, 5, 3, 2, 2]
    assert [r["stalled_leads"] for r in rows] == [7, 2, 1, 0, None]
    rates = [r["conversion_from_previous"] for r in rows]
    assert rates[0] is None
    assert rates[1:] == pytest.approx([5 / 12, 3 / 5, 2 / 3, 1.0])
    assert rows[4]["conversion_from_lead"] == pytest.approx(2 / 12)
    # the biggest drop is lead -> MQL
    assert [r["stage"] for r in rows if r["is_biggest_drop"]] == ["mql"]
