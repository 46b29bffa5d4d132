"""The sections of the outcome report, each a function of the marts to an HTML fragment.

A section with nothing to show says so (`nodata`) rather than disappear: the page keeps
its layout on a young warehouse. Only active model versions are shown, except where
versions are compared.
"""

from __future__ import annotations

import datetime as dt

from orchestration.serving.charts import bars, histogram, interval_bars, lines
from orchestration.serving.markup import esc, nodata, num, pct, table, with_n
from orchestration.serving.marts import Marts

# Money is summed as landed; docs/landing-contract.md: "in the user's reporting currency".
CURRENCY = "reporting currency"
BAND_COLOURS = {"cold": "#60a5fa", "warm": "#f59e0b", "hot": "#dc2626"}


def _active(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("is_active_version")]


def _score_bins(scores: list[float], width: int, cap: float | None) -> list[dict]:
    """Bins [lo, lo + width) of the scores below the cap, then the leads held at exactly
    the cap in a bin of their own, flagged: they are not spread over cap..cap + width."""
    below = [s for s in scores if cap is None or s < cap]
    at_cap = len(scores) - len(below)
    out = []
    if below:
        lo = int(min(below) // width * width)
        hi = int(max(below) // width * width)
        for b in range(lo, hi + width, width):
            n = sum(1 for s in below if b <= s < b + width)
            out.append({"lo": b, "hi": b + width, "mid": b + width / 2, "leads": n, "capped": False})
    if at_cap:
        out.append(
            {"lo": cap, "hi": cap + width / 2, "mid": cap + width / 4, "leads": at_cap, "capped": True}
        )
    return out


def section_distribution(m: Marts) -> str:
    rows = m.rows("lead_scores")
    if not rows:
        return nodata("scores")
    caps = {r["model_id"]: r["max_score"] for r in m.rows("scoring_models") if r.get("is_active")}
    out = []
    for model in sorted({r["model_id"] for r in rows}):
        mine = [r for r in rows if r["model_id"] == model and r["total_score"] is not None]
        scores = [float(r["total_score"]) for r in mine]
        if not scores:
            continue
        thresholds = {float(r["mql_threshold"]) for r in mine if r.get("mql_threshold") is not None}
        threshold = thresholds.pop() if len(thresholds) == 1 else None
        cap = float(caps[model]) if caps.get(model) is not None else None
        bins = _score_bins(scores, 10, cap)
        at_cap = sum(b["leads"] for b in bins if b["capped"])
        mqls = sum(1 for s in scores if threshold is not None and s >= threshold)
        note = [f"{len(scores):,} leads"]
        if threshold is not None:
            note.append(f"{mqls:,} at or above the MQL threshold of {threshold:g} points")
        if cap is not None:
            note.append(f"{at_cap:,} held at the cap of {cap:g} points (orange bar)")
        else:
            note.append("the score cap is not known to this file (no rules.scoring_models)")
        out.append(f"<h3>{esc(model)} <small>({esc('; '.join(note))})</small></h3>")
        out.append(
            histogram(
                bins,
                "total score (points; bins of 10)",
                threshold=threshold,
                cap=cap,
                title=f"score distribution {model}",
            )
        )
    return "".join(out)


def _band_totals(m: Marts) -> dict[tuple[str, int], list[dict]]:
    """Active versions' band_outcomes summed over cohorts, per (model, version)."""
    per: dict[tuple, dict] = {}
    for r in _active(m.rows("band_outcomes")):
        key = (r["model_id"], r["model_version"], r["band"] or "(none)")
        t = per.setdefault(
            key,
            {
                "band": r["band"] or "(none)",
                "band_rank": r["band_rank"] or 0,
                "leads": 0,
                "mqls": 0,
                "opportunities": 0,
                "customers": 0,
                "revenue": 0.0,
                "dispositioned": 0,
                "accepted": 0.0,
            },
        )
        for k in ("leads", "mqls", "opportunities", "customers"):
            t[k] += r[k] or 0
        t["revenue"] += r["revenue"] or 0
        t["dispositioned"] += r["dispositioned_leads"] or 0
        t["accepted"] += (r["acceptance_rate"] or 0) * (r["dispositioned_leads"] or 0)
    out: dict[tuple[str, int], list[dict]] = {}
    for (model, version, _), t in per.items():
        out.setdefault((model, version), []).append(t)
    for v in out.values():
        v.sort(key=lambda t: t["band_rank"])
    return out


def section_bands(m: Marts) -> str:
    totals = _band_totals(m)
    if not totals:
        return nodata("conversion per band")
    out = []
    for (model, version), bands in sorted(totals.items()):
        conv = [t["customers"] / t["leads"] if t["leads"] else None for t in bands]
        rpl = [t["revenue"] / t["leads"] if t["leads"] else None for t in bands]
        conv_rows = [
            {
                "category": t["band"],
                "value": c or 0,
                "label": f"{pct(c)} ({t['customers']:,} of {t['leads']:,})",
            }
            for t, c in zip(bands, conv, strict=True)
        ]
        rpl_rows = [
            {"category": t["band"], "value": r or 0, "label": f"{num(r)} (n = {t['leads']:,})"}
            for t, r in zip(bands, rpl, strict=True)
        ]
        out.append(f'<h3>{esc(model)} v{esc(version)}</h3><div class="row">')
        out.append(
            "<figure>"
            + bars(
                conv_rows,
                "band",
                "customers / leads (%)",
                colours=BAND_COLOURS,
                title="conversion",
                y_format=".0%",
            )
            + "<figcaption>lead-to-customer conversion (customers of leads)</figcaption></figure>"
        )
        out.append(
            "<figure>"
            + bars(
                rpl_rows,
                "band",
                f"revenue per lead ({CURRENCY})",
                colours=BAND_COLOURS,
                title="revenue per lead",
            )
            + "<figcaption>revenue per lead (n = leads)</figcaption></figure></div>"
        )
        out.append(
            table(
                [
                    "band",
                    "leads",
                    "MQLs",
                    "with opportunity",
                    "customers",
                    "conversion",
                    f"revenue ({CURRENCY})",
                    f"revenue / lead ({CURRENCY})",
                    "sales acceptance",
                ],
                [
                    [
                        esc(t["band"]),
                        num(t["leads"]),
                        num(t["mqls"]),
                        num(t["opportunities"]),
                        num(t["customers"]),
                        with_n(pct(c), t["leads"]),
                        num(t["revenue"]),
                        num(r),
                        with_n(
                            pct(t["accepted"] / t["dispositioned"] if t["dispositioned"] else None),
                            t["dispositioned"],
                        ),
                    ]
                    for t, c, r in zip(bands, conv, rpl, strict=True)
                ],
            )
        )
    return "".join(out)


def section_cycle(m: Marts) -> str:
    rows = [r for r in _active(m.rows("band_outcomes")) if r["customers"]]
    if not rows:
        return nodata("sales cycles (no customers yet)")
    out = []
    for model in sorted({r["model_id"] for r in rows}):
        mine = [r for r in rows if r["model_id"] == model]
        bands = sorted({(r["band_rank"] or 0, r["band"] or "(none)") for r in mine})
        cohorts = sorted({r["cohort_month"] for r in mine})
        cell = {(r["cohort_month"], r["band"] or "(none)"): r for r in mine}
        table_rows = []
        for c in cohorts:
            line = [esc(c.strftime("%Y-%m") if hasattr(c, "strftime") else c)]
            for _, b in bands:
                r = cell.get((c, b))
                line.append(
                    ""
                    if r is None
                    else f"{num(r['median_cycle_days'])} / {num(r['p90_cycle_days'])} "
                    f"<small>({r['customers']})</small>"
                )
            table_rows.append(line)
        out.append(f"<h3>{esc(model)} (active version)</h3>")
        out.append(
            "<p>Median / 90th percentile days from the first MQL day (or creation) to the "
            "first win, per cohort (month created) and best band; (customers).</p>"
        )
        out.append(table(["cohort"] + [b for _, b in bands], table_rows))
    return "".join(out)


def section_mqls(m: Marts) -> str:
    rows = m.rows("mql_events")
    if not rows:
        return nodata("MQLs")
    weeks: dict[str, dict[dt.date, int]] = {}
    for r in rows:
        d = r["event_date"]
        monday = d - dt.timedelta(days=d.weekday())
        name = f"{r['model_id']} v{r['model_version']}"
        weeks.setdefault(name, {}).setdefault(monday, 0)
        weeks[name][monday] += 1
    all_weeks = sorted({w for s in weeks.values() for w in s})
    label = {w: w.isoformat() for w in all_weeks}
    points = [
        {"series": name, "x": label[w], "y": s.get(w, 0)}
        for name, s in sorted(weeks.items())
        for w in all_weeks
    ]
    # The data end at the last day scored (or the last MQL day without scores): a week it
    # cuts short is flagged, as its count is not comparable with full weeks.
    last_day = max(
        [r["score_date"] for r in m.rows("lead_scores") if r.get("score_date")]
        or [max(r["event_date"] for r in rows)]
    )
    last_week = all_weeks[-1]
    days = (last_day - last_week).days + 1
    partial = 0 < days < 7
    return (
        "<p>New MQLs per week (threshold crossed upward, active versions; weeks start on Monday"
        + (f"; the last week holds {days} of 7 days, to {last_day}" if partial else "")
        + ").</p>"
        + lines(
            points,
            "week starting (Monday)",
            "new MQLs (leads per week)",
            x_type="O",
            x_sort=[label[w] for w in all_weeks],
            flag_at=label[last_week] if partial else None,
            flag_label=f"partial week: {days} of 7 days",
            title="MQLs per week",
            width=720,
        )
    )


def section_versions(m: Marts) -> str:
    rows = m.rows("model_backtest")
    if not rows:
        return nodata("the backtest")
    out = []
    first = rows[0]
    out.append(
        f"<p>Scores as of {esc(first['reference_date'])}; customers whose first win came in the "
        f"{esc(first['outcome_window_days'])} days after. Every version of a model on the same leads.</p>"
    )
    versions = sorted({(r["model_id"], r["model_version"]) for r in rows})
    summary = []
    for model, version in versions:
        r = next(x for x in rows if x["model_id"] == model and x["model_version"] == version)
        summary.append(
            [
                f"{esc(model)} v{esc(version)}{' (active)' if r['is_active_version'] else ''}",
                num(r["leads"]),
                num(r["customers"]),
                with_n(pct(r["conversion_rate"]), r["leads"]),
                num(r["auc"], 3),
                num(r["top_decile_lift"], 2),
                with_n(pct(r["mql_recall"]), r["customers"]),
                pct(r["mql_precision"]),
                {True: "yes", False: "no", None: "–"}[r["conversion_rises_by_band"]],
            ]
        )
    out.append(
        table(
            [
                "version",
                "leads",
                "customers",
                "conversion",
                "AUC",
                "top-decile lift",
                "MQL recall",
                "MQL precision",
                "conversion rises by band",
            ],
            summary,
        )
    )
    for model in sorted({v[0] for v in versions}):
        mine = [r for r in rows if r["model_id"] == model and r.get("decile") is not None]
        points = [
            {"series": f"v{r['model_version']}", "x": int(r["decile"]), "y": float(r["decile_lift"] or 0)}
            for r in mine
        ]
        sizes = [r["decile_leads"] for r in mine if r.get("decile_leads") is not None]
        n = f"{min(sizes):,}" + (f"–{max(sizes):,}" if max(sizes) != min(sizes) else "") if sizes else "–"
        out.append(f"<h3>{esc(model)}: lift by score decile (1 = highest scores; 1.0 = average)</h3>")
        out.append(
            lines(
                points,
                f"score decile (1 = highest scores; n = {n} leads per decile)",
                "lift (decile conversion / overall conversion)",
                x_type="O",
                x_sort=list(range(1, 11)),
                reference=1.0,
                reference_label="1.0 = average conversion",
                title=f"lift chart {model}",
            )
        )
    return "".join(out)


def section_attributes(m: Marts, top: int = 15) -> str:
    rows = [r for r in m.rows("attribute_lift") if r["lift"] is not None]
    if not rows:
        return nodata("attribute lift (no customers yet)")
    first = rows[0]
    solid = sorted((r for r in rows if not r["is_small_sample"]), key=lambda r: -r["lift"])[:top]
    out = [
        f"<p>Overall close rate {pct(first['overall_close_rate'])} ({num(first['overall_customers'])} "
        f"customers of {num(first['overall_leads'])} contacts). Attributes with the most lift, leaving "
        "out small samples; 95 % Wilson interval; suggested points = 10 × (lift − 1).</p>"
    ]
    if not solid:
        return "".join(out) + nodata("attributes with enough leads")
    out.append(
        interval_bars(
            [
                {
                    "category": f"{r['attribute']} = {r['attribute_value']}",
                    "value": float(r["lift"]),
                    "lower": float(r["lift_lower"] if r["lift_lower"] is not None else r["lift"]),
                    "upper": float(r["lift_upper"] if r["lift_upper"] is not None else r["lift"]),
                    "label": f"n = {r['leads']:,}",
                }
                for r in solid
            ],
            "lift (close rate with the value / overall close rate; line: 95 % interval)",
            reference=1.0,
            reference_label="1.0 = overall close rate",
            title="attribute lift",
        )
    )
    table_rows = [
        [
            esc(r["attribute"]),
            esc(r["attribute_value"]),
            num(r["leads"]),
            num(r["customers"]),
            with_n(pct(r["close_rate"]), r["leads"]),
            f"{r['lift']:.2f} ({(r['lift_lower'] or 0):.2f}–{(r['lift_upper'] or 0):.2f})",
            num(r["suggested_points"]),
        ]
        for r in solid
    ]
    out.append(
        table(
            [
                "attribute",
                "value",
                "leads",
                "customers",
                "close rate",
                "lift (95 % CI)",
                "suggested points",
            ],
            table_rows,
            numeric_from=2,
        )
    )
    return "".join(out)


def section_funnel(m: Marts) -> str:
    rows = _active(m.rows("funnel"))
    if not rows:
        return nodata("the funnel")
    out = []
    for model, version in sorted({(r["model_id"], r["model_version"]) for r in rows}):
        mine = sorted(
            (r for r in rows if r["model_id"] == model and r["model_version"] == version),
            key=lambda r: r["stage_order"],
        )
        out.append(f"<h3>{esc(model)} v{esc(version)}</h3>")
        out.append(
            table(
                ["stage", "leads", "from previous", "from lead", "stalled here"],
                [
                    [
                        ("<b>" if r["is_biggest_drop"] else "")
                        + esc(r["stage"])
                        + (" ← biggest drop</b>" if r["is_biggest_drop"] else ""),
                        num(r["leads"]),
                        with_n(pct(r["conversion_from_previous"]), prev["leads"] if prev else None),
                        with_n(pct(r["conversion_from_lead"]), mine[0]["leads"]),
                        num(r["stalled_leads"]),
                    ]
                    for prev, r in zip([None, *mine[:-1]], mine, strict=True)
                ],
            )
        )
    return "".join(out)


def _per_unit(spend: float, count: int) -> str:
    """Spend per lead/MQL/customer: n/a without spend (nothing was paid, so no cost to
    show), "–" without any lead/MQL/customer to divide by."""
    if not spend:
        return "n/a"
    return num(spend / count, 2) if count else "–"


def section_channels(m: Marts) -> str:
    rows = m.rows("channel_costs")
    if not rows:
        return nodata("channel return")
    # Costs and return count the months with recorded spend only; a channel without any
    # (or with a spend of 0) shows its leads and revenue of every month, and n/a for the
    # costs and the return. A serving copy published before the revenue columns shows "–".
    has_revenue = any("revenue" in r for r in rows)
    paid = {r["channel"] for r in rows if r["spend"] is not None}
    per: dict[str, dict] = {}
    for r in rows:
        if r["channel"] in paid and r["spend"] is None:
            continue
        t = per.setdefault(
            r["channel"], {"spend": 0.0, "leads": 0, "mqls": 0, "customers": 0, "revenue": 0.0}
        )
        t["spend"] += float(r["spend"] or 0)
        t["revenue"] += float(r.get("revenue") or 0)
        for k in ("leads", "mqls", "customers"):
            t[k] += r[k] or 0

    def revenue(t: dict) -> str:
        return num(t["revenue"]) if has_revenue else "–"

    def per_customer(t: dict) -> str:
        return num(t["revenue"] / t["customers"], 2) if has_revenue and t["customers"] else "–"

    def return_on_spend(t: dict) -> str:
        if not t["spend"]:
            return "n/a"
        return num(t["revenue"] / t["spend"], 2) if has_revenue else "–"

    return (
        f"<p>Months with recorded spend, all together; money in the {CURRENCY}. Revenue: the "
        "won revenue of the leads the channel brought in those months, by the score date. "
        "Return on spend: revenue / spend (2.00 = twice the spend back). <i>n/a</i>: no spend "
        "for the channel (its leads and revenue of every month are shown), so no cost or "
        "return; – : no lead, MQL or customer to divide by.</p>"
        + table(
            [
                "channel",
                f"spend ({CURRENCY})",
                "leads",
                "MQLs",
                "customers",
                f"revenue ({CURRENCY})",
                "cost per lead",
                "cost per MQL",
                "cost per customer",
                "revenue per customer",
                "return on spend (revenue / spend)",
            ],
            [
                [
                    esc(c),
                    num(t["spend"]) if c in paid else "n/a",
                    num(t["leads"]),
                    num(t["mqls"]),
                    num(t["customers"]),
                    revenue(t),
                    _per_unit(t["spend"], t["leads"]),
                    _per_unit(t["spend"], t["mqls"]),
                    _per_unit(t["spend"], t["customers"]),
                    per_customer(t),
                    return_on_spend(t),
                ]
                for c, t in sorted(per.items())
            ],
        )
    )


def section_calibration(m: Marts) -> str:
    """The latest `leadscore calibrate` report of this home (not a mart: a JSON file)."""
    from orchestration.calibrate.html import section
    from orchestration.calibrate.report import latest

    return section(latest())
