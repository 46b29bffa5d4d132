"""How the demo population scores under a model's active rules: the shares the demo data is
tuned to, measured on a built warehouse (read-only).

    python -m orchestration.demo_data.stats [--home H | --warehouse PATH] [--model core] [--json]

- MQL share per day: of the leads scored that day, the share at or above the MQL threshold,
  over the last 30 score days (median, min, max);
- at the cap: the share of leads whose total equals the model's max_score (last day, and
  the most on any of the last 30 days);
- ever in the top band: the share of leads that reached the model's top band on any day
  since the first event;
- conversion: leads that became customers, and leads won within `--outcome-days` (default
  90) of their creation, for the leads created since the first event whose window has closed;
- top-band capture: for that same cohort, each lead's highest score from its creation until
  the day before its first opportunity (at most the window), i.e. whether the rules flagged
  it before sales took it on: the share of leads that reached the top band, the share of
  the conversions among them, and the AUC of that highest score.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from orchestration.runtime import config

LAST_DAYS = 30

MODEL_SQL = """
select m.model_version, m.mql_threshold, m.max_score,
    (select b.band from rules.score_bands as b
     where b.model_id = m.model_id and b.model_version = m.model_version
     order by b.band_rank desc limit 1) as top_band
from rules.scoring_models as m
where m.model_id = $model and m.is_active
"""

# One row per score day of the last LAST_DAYS: leads scored, MQLs, leads at the cap.
DAILY_SQL = """
with days as (
    select cast(unnest(generate_series(
        cast($last as date) - to_days($n - 1), cast($last as date), interval 1 day)) as date) as day
)
select days.day, count(h.contact_id) as leads,
    count(*) filter (where h.is_mql) as mqls,
    count(*) filter (where h.total_score >= $max_score) as capped
from days
left join marts.lead_score_history as h
    on h.model_id = $model and h.model_version = $version and h.is_in_segment
    and h.valid_from <= days.day and (h.valid_to is null or h.valid_to > days.day)
group by days.day
order by days.day
"""

# Leads scored since the first event; those in the top band on any day.
EVER_SQL = """
select count(distinct contact_id),
    count(distinct contact_id) filter (where band = $top_band)
from marts.lead_score_history
where model_id = $model and model_version = $version and is_in_segment
    and (valid_to is null or valid_to > $first)
"""

# The cohort of closed windows: created on or after the first event day, window ended by
# the last day. Per lead: converted within the window, and the highest score (and whether
# it was in the top band) from creation up to the day before its first opportunity.
COHORT_SQL = """
with cohort as (
    select contact_id, created_date,
        coalesce(first_won_date <= created_date + to_days($window), false) as converted,
        least(created_date + to_days($window - 1),
              greatest(created_date, coalesce(first_opportunity_date - 1, created_date + to_days($window))))
            as cut_date
    from intermediate.int_lead_outcomes
    where created_date >= $first and created_date + to_days($window) <= $last
        and not is_won_before_data
)
select cohort.contact_id, cohort.converted,
    coalesce(max(h.total_score), 0) as best_score,
    coalesce(bool_or(h.band = $top_band), false) as reached_top
from cohort
left join marts.lead_score_history as h
    on h.contact_id = cohort.contact_id and h.model_id = $model and h.model_version = $version
    and h.is_in_segment
    and h.valid_from <= cohort.cut_date
    and (h.valid_to is null or h.valid_to > cohort.created_date)
group by cohort.contact_id, cohort.converted
"""


class StatsError(Exception):
    """The warehouse cannot answer (missing, not built, no such model)."""


def auc(scores: list[float], positives: list[bool]) -> float | None:
    """Rank-sum (Mann-Whitney) AUC with midranks for ties; None without both classes."""
    n_pos = sum(positives)
    n_neg = len(positives) - n_pos
    if not n_pos or not n_neg:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(r for r, p in zip(ranks, positives, strict=True) if p)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def measure(warehouse: Path, model: str = "core", outcome_days: int = 90) -> dict:
    """The shares of the module docstring, as a dict."""
    import duckdb

    if not warehouse.is_file():
        raise StatsError(f"no warehouse at {warehouse}: build one first (`leadscore demo`)")
    try:
        con = config.connect(warehouse, read_only=True)
    except duckdb.Error as e:
        raise StatsError(f"cannot open {warehouse} read-only: {e}") from e
    try:
        return _measure(con, model, outcome_days)
    except duckdb.CatalogException as e:
        raise StatsError(f"{warehouse} is not a built warehouse: {e}") from e
    finally:
        con.close()


def _measure(con, model: str, outcome_days: int) -> dict:
    rows = con.execute(MODEL_SQL, {"model": model}).fetchall()
    if not rows:
        raise StatsError(f"no active version of model {model!r} in rules.scoring_models")
    version, threshold, max_score, top_band = rows[0]
    [(last, first)] = con.execute(
        "select (select max(score_date) from marts.lead_scores), "
        "(select min(occurred_date) from staging.stg_raw__events)"
    ).fetchall()
    if last is None or first is None:
        raise StatsError("the warehouse holds no scores or no events yet")
    base = {"model": model, "version": version}
    daily = con.execute(DAILY_SQL, {**base, "last": last, "n": LAST_DAYS, "max_score": max_score}).fetchall()
    mql_shares = [m / n for _, n, m, _ in daily if n]
    cap_shares = [c / n for _, n, _, c in daily if n]
    [(leads_ever, top_ever)] = con.execute(
        EVER_SQL, {**base, "top_band": top_band, "first": first}
    ).fetchall()
    [(leads_all, customers)] = con.execute(
        "select count(*), count(*) filter (where is_customer and not is_won_before_data) "
        "from intermediate.int_lead_outcomes"
    ).fetchall()
    cohort = con.execute(
        COHORT_SQL, {**base, "top_band": top_band, "first": first, "last": last, "window": outcome_days}
    ).fetchall()
    conv = [c for _, c, _, _ in cohort]
    top = [t for _, _, _, t in cohort]
    n_conv = sum(conv)
    return {
        "model": model,
        "model_version": version,
        "score_date": last.isoformat(),
        "first_event_date": first.isoformat(),
        "leads": daily[-1][1],
        "mql_threshold": float(threshold),
        "mql_share": {
            "days": len(mql_shares),
            "median": statistics.median(mql_shares) if mql_shares else None,
            "min": min(mql_shares, default=None),
            "max": max(mql_shares, default=None),
            "last": mql_shares[-1] if mql_shares else None,
        },
        "cap": {
            "max_score": float(max_score),
            "last": cap_shares[-1] if cap_shares else None,
            "max": max(cap_shares, default=None),
        },
        "top_band": top_band,
        "ever_top_band_share": top_ever / leads_ever if leads_ever else None,
        "customers": customers,
        "customer_share": customers / leads_all if leads_all else None,
        "cohort": {
            "outcome_days": outcome_days,
            "leads": len(cohort),
            "conversions": n_conv,
            "conversion_rate": n_conv / len(cohort) if cohort else None,
            "top_band_lead_share": sum(top) / len(cohort) if cohort else None,
            "top_band_conversion_share": (
                sum(t and c for t, c in zip(top, conv, strict=True)) / n_conv if n_conv else None
            ),
            "auc": auc([float(s) for _, _, s, _ in cohort], conv),
        },
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def render(s: dict, warehouse: Path) -> str:
    m, cap, co = s["mql_share"], s["cap"], s["cohort"]
    auc_txt = "n/a" if co["auc"] is None else f"{co['auc']:.3f}"
    return "\n".join(
        [
            f"warehouse {warehouse} (read-only): model {s['model']} version {s['model_version']}, "
            f"events from {s['first_event_date']}, scores as of {s['score_date']}",
            f"leads scored on {s['score_date']}: {s['leads']:,}",
            f"MQL share (score >= {s['mql_threshold']:g}) over the last {m['days']} days: median "
            f"{_pct(m['median'])}, min {_pct(m['min'])}, max {_pct(m['max'])} (last day {_pct(m['last'])})",
            f"at the cap ({cap['max_score']:g} points): {_pct(cap['last'])} on the last day, "
            f"at most {_pct(cap['max'])} on a day of the last {m['days']}",
            f"ever in the top band ({s['top_band']}) since the first event: "
            f"{_pct(s['ever_top_band_share'])} of leads",
            f"customers: {s['customers']:,} ({_pct(s['customer_share'])} of all leads)",
            f"leads created since the first event with a closed {co['outcome_days']}-day window: "
            f"{co['leads']:,}, of which {co['conversions']:,} won within the window "
            f"({_pct(co['conversion_rate'])})",
            f"top band before the first opportunity, in that cohort: "
            f"{_pct(co['top_band_lead_share'])} of leads, "
            f"{_pct(co['top_band_conversion_share'])} of conversions; AUC of the highest score {auc_txt}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m orchestration.demo_data.stats",
        description="Measure MQL, cap and top-band shares of a built warehouse (read-only).",
    )
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--home", type=Path, help="a LEADSCORE_HOME (its warehouse.duckdb)")
    where.add_argument("--warehouse", type=Path, help="a warehouse file (default: $LEADSCORE_HOME's)")
    ap.add_argument("--model", default="core", help="model id (its active version; default core)")
    ap.add_argument(
        "--outcome-days", type=int, default=90, help="conversion window after creation (default 90)"
    )
    ap.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = ap.parse_args(argv)
    if args.outcome_days < 1:
        ap.error("--outcome-days must be >= 1")
    warehouse = args.warehouse or (args.home / "warehouse.duckdb" if args.home else config.warehouse_path())
    try:
        s = measure(warehouse.absolute(), args.model, args.outcome_days)
    except StatsError as e:
        print(f"stats: {e}", file=sys.stderr)
        return 2
    print(json.dumps(s, indent=2) if args.json else render(s, warehouse))
    return 0


if __name__ == "__main__":
    sys.exit(main())
