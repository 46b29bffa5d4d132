"""The sections of the outcome report, each a function of the marts to an HTML fragment.

A section with nothing to show says so (`nodata`) rather than disappear: the page keeps
its layout on a young warehouse. Only active model versions are shown, except where
versions are compared.
"""

from __future__ import annotations

import datetime as dt

from orchestration.serving.charts import PALETTE, bar_chart, line_chart
from orchestration.serving.markup import esc, nodata, num, pct, table
from orchestration.serving.marts import Marts

BAND_COLOURS = {"cold": "#60a5fa", "warm": "#f59e0b", "hot": "#dc2626"}


def _active(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("is_active_version")]


def section_distribution(m: Marts) -> str:
    rows = m.rows("lead_scores")
    if not rows:
        return nodata("scores")
    out = []
    for model in sorted({r["model_id"] for r in rows}):
        scores = [
            float(r["total_score"]) for r in rows if r["model_id"] == model and r["total_score"] is not None
        ]
        if not scores:
            continue
        width = 10
        lo = int(min(scores) // width * width)
        hi = int(max(scores) // width * width)
        bins = list(range(lo, hi + width, width))
        counts = [sum(1 for s in scores if b <= s < b + width) for b in bins]
        out.append(f"<h3>{esc(model)} <small>({len(scores):,} leads)</small></h3>")
        out.append(
            bar_chart(
                [f"{b}–{b + width - 1}" for b in bins],
                counts,
                fmt=lambda v: f"{v:,.0f}",
                width=max(360, 44 * len(bins) + 60),
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
        conv = [t["customers"] / t["leads"] if t["leads"] else 0 for t in bands]
        rpl = [t["revenue"] / t["leads"] if t["leads"] else 0 for t in bands]
        colours = [BAND_COLOURS.get(t["band"], PALETTE[0]) for t in bands]
        labels = [t["band"] for t in bands]
        out.append(f'<h3>{esc(model)} v{esc(version)}</h3><div class="row">')
        out.append(
            "<figure>"
            + bar_chart(labels, conv, colours, fmt=pct, width=320, title="conversion")
            + "<figcaption>lead-to-customer conversion</figcaption></figure>"
        )
        out.append(
            "<figure>"
            + bar_chart(labels, rpl, colours, fmt=lambda v: num(v), width=320, title="revenue per lead")
            + "<figcaption>revenue per lead</figcaption></figure></div>"
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
                    "revenue",
                    "revenue / lead",
                    "sales acceptance",
                ],
                [
                    [
                        esc(t["band"]),
                        num(t["leads"]),
                        num(t["mqls"]),
                        num(t["opportunities"]),
                        num(t["customers"]),
                        pct(c),
                        num(t["revenue"]),
                        num(r),
                        pct(t["accepted"] / t["dispositioned"] if t["dispositioned"] else None),
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
    index = {w: i for i, w in enumerate(all_weeks)}
    series = {name: [(index[w], float(s.get(w, 0))) for w in all_weeks] for name, s in sorted(weeks.items())}
    step = max(1, len(all_weeks) // 8)
    labels = {index[w]: w.strftime("%m-%d") for w in all_weeks[::step]}
    return (
        "<p>New MQLs per week (threshold crossed upward, active versions; weeks start on Monday).</p>"
        + line_chart(series, labels, width=720, title="MQLs per week")
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
                pct(r["conversion_rate"]),
                num(r["auc"], 3),
                num(r["top_decile_lift"], 2),
                pct(r["mql_recall"]),
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
        series = {
            f"v{version}": [
                (float(r["decile"]), float(r["decile_lift"] or 0))
                for r in rows
                if r["model_id"] == model and r["model_version"] == version
            ]
            for mm, version in versions
            if mm == model
        }
        out.append(f"<h3>{esc(model)}: lift by score decile (1 = highest scores; 1.0 = average)</h3>")
        out.append(
            line_chart(
                series, {float(d): str(d) for d in range(1, 11)}, reference=1.0, title=f"lift chart {model}"
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
    big = max(r["lift_upper"] or r["lift"] for r in solid)
    table_rows = []
    for r in solid:
        w = 160
        bar = (
            f'<svg width="{w}" height="12"><rect x="0" y="2" width="{w * r["lift"] / big:.1f}" height="8" '
            f'fill="#2563eb"/><line x1="{w * (r["lift_lower"] or 0) / big:.1f}" y1="6" '
            f'x2="{w * (r["lift_upper"] or 0) / big:.1f}" y2="6" stroke="#111" stroke-width="1"/>'
            f'<line x1="{w / big:.1f}" y1="0" x2="{w / big:.1f}" y2="12" stroke="#dc2626"/></svg>'
        )
        table_rows.append(
            [
                esc(r["attribute"]),
                esc(r["attribute_value"]),
                num(r["leads"]),
                num(r["customers"]),
                pct(r["close_rate"]),
                f"{r['lift']:.2f} ({(r['lift_lower'] or 0):.2f}–{(r['lift_upper'] or 0):.2f})",
                bar,
                num(r["suggested_points"]),
            ]
        )
    out.append(
        table(
            [
                "attribute",
                "value",
                "leads",
                "customers",
                "close rate",
                "lift (95 % CI)",
                "",
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
                        pct(r["conversion_from_previous"]),
                        pct(r["conversion_from_lead"]),
                        num(r["stalled_leads"]),
                    ]
                    for r in mine
                ],
            )
        )
    return "".join(out)


def section_channels(m: Marts) -> str:
    rows = [r for r in m.rows("channel_costs") if r["spend"] is not None]
    if not rows:
        return nodata("channel costs")
    per: dict[str, dict] = {}
    for r in rows:
        t = per.setdefault(r["channel"], {"spend": 0.0, "leads": 0, "mqls": 0, "customers": 0})
        t["spend"] += r["spend"]
        for k in ("leads", "mqls", "customers"):
            t[k] += r[k]
    return "<p>Months with recorded spend, all together.</p>" + table(
        ["channel", "spend", "leads", "MQLs", "customers", "per lead", "per MQL", "per customer"],
        [
            [
                esc(c),
                num(t["spend"]),
                num(t["leads"]),
                num(t["mqls"]),
                num(t["customers"]),
                num(t["spend"] / t["leads"] if t["leads"] else None, 2),
                num(t["spend"] / t["mqls"] if t["mqls"] else None, 2),
                num(t["spend"] / t["customers"] if t["customers"] else None, 2),
            ]
            for c, t in sorted(per.items())
        ],
    )


def section_calibration(m: Marts) -> str:
    """The latest `leadscore calibrate` report of this home (not a mart: a JSON file)."""
    from orchestration.calibrate.html import section
    from orchestration.calibrate.report import latest

    return section(latest())
