"""The report's "call now" section: whom sales should call today, and why.

Reads `call_now` (per active model version, as of the latest score date: the new MQLs the
latest run detected, then the biggest 7-day score risers, each with its three largest
contributions worded as `leadscore explain` words them), as marts.QUERIES reads it. Ids
only: the mart carries no name or email.
"""

from __future__ import annotations

from decimal import Decimal

from orchestration.serving.markup import esc, nodata, table

# The page: band, priority and stage in one cell, the reasons as a list in one cell; the
# CSV keeps a column each (CSV_HEADERS).
HEADERS = [
    "#",
    "contact",
    "company",
    "why now",
    "total score (points)",
    "change over 7 days (points)",
    "band · priority · stage",
    "top three reasons",
]
CSV_HEADERS = [
    "#",
    "contact",
    "company",
    "why now",
    "total score (points)",
    "change over 7 days (points)",
    "band",
    "priority",
    "buying stage",
    "reason 1",
    "reason 2",
    "reason 3",
]


def _points(x, signed: bool = False) -> str:
    if x is None:
        return "–"
    return f"{Decimal(str(x)):+.2f}" if signed else f"{Decimal(str(x)):.2f}"


def _reasons(reasons: list[str]) -> str:
    return '<ol class="reasons">' + "".join(f"<li>{x}</li>" for x in reasons if x) + "</ol>"


def _why(r: dict) -> str:
    if r["reason_kind"] == "new_mql":
        day = r.get("mql_crossing_date")
        late = day is not None and day != r["score_date"]
        return "new MQL" + (f" (crossed on {day}, found late)" if late else "")
    return "score mover"


def section_call_now(m) -> str:
    rows = m.rows("call_now")
    if not rows:
        return nodata("the call-now list (no lead became MQL or rose in score on the latest score date)")
    out = [
        "<p>Per active model, as of the latest score date: first the leads whose crossing of "
        "the MQL threshold the latest run found (a crossing of an earlier day that late data "
        "revealed included), highest score first; then the 20 other leads whose total score "
        "rose most over the last 7 days (a lead not scored 7 days ago counts from 0). Reasons: "
        "the lead's three rules with the most points, either way, as "
        "<code>leadscore explain CONTACT_ID</code> prints them. Ids only.</p>"
    ]
    for model, version in sorted({(r["model_id"], r["model_version"]) for r in rows}):
        mine = sorted(
            (r for r in rows if r["model_id"] == model and r["model_version"] == version),
            key=lambda r: r["list_rank"],
        )
        new = sum(1 for r in mine if r["reason_kind"] == "new_mql")
        out.append(
            f"<h3>{esc(model)} v{esc(version)} <small>(as of {esc(mine[0]['score_date'])}: "
            f"{new:,} new MQL{'' if new == 1 else 's'}, {len(mine) - new:,} movers)</small></h3>"
        )
        cells = [
            [
                str(r["list_rank"]),
                esc(r["contact_id"]),
                esc(r["company_id"] or ""),
                esc(_why(r)),
                _points(r["total_score"]),
                _points(r["score_change_7d"], signed=True),
                esc(r["band"] or ""),
                esc(r["priority"] or ""),
                esc(r["buying_stage"] or "none"),
                esc(r["reason_1"] or ""),
                esc(r["reason_2"] or ""),
                esc(r["reason_3"] or ""),
            ]
            for r in mine
        ]
        shown = [c[:6] + [" · ".join(c[6:9]), _reasons(c[9:])] for c in cells]
        out.append(table(HEADERS, shown, numeric_from=99, csv=(CSV_HEADERS, cells)))
    return "".join(out)
