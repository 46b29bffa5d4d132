"""The report's buying-stage section: is "decision" where deals come from?

Reads `stage_outcomes` (per active version and furthest buying stage a lead reached before
its outcome: leads, customers, conversion, median cycle, revenue), as marts.QUERIES reads it.
"""

from __future__ import annotations

from orchestration.serving.markup import esc, nodata, num, pct, table
from orchestration.serving.marts import Marts

HEADERS = [
    "furthest stage",
    "leads",
    "MQLs",
    "customers",
    "conversion",
    "share of customers",
    "median cycle (days)",
    "revenue",
]


def section_stages(m: Marts) -> str:
    rows = [r for r in m.rows("stage_outcomes") if r.get("is_active_version")]
    if not rows:
        return nodata("buying stages")
    out = [
        "<p>Each lead counts in the furthest buying stage (seed <code>engagement_rules</code>, "
        "column <code>buying_stage</code>) it reached before its first win, or by the score date "
        "when it has none; “none” when no stage ever counted for it.</p>"
    ]
    for model, version in sorted({(r["model_id"], r["model_version"]) for r in rows}):
        mine = sorted(
            (r for r in rows if r["model_id"] == model and r["model_version"] == version),
            key=lambda r: r["stage_rank"],
        )
        out.append(f"<h3>{esc(model)} v{esc(version)}</h3>")
        out.append(
            table(
                HEADERS,
                [
                    [
                        esc(r["buying_stage"] or "none"),
                        num(r["leads"]),
                        num(r["mqls"]),
                        num(r["customers"]),
                        pct(r["conversion_rate"]),
                        pct(r["share_of_customers"]),
                        num(r["median_cycle_days"]),
                        num(r["revenue"]),
                    ]
                    for r in mine
                ],
            )
        )
    return "".join(out)
