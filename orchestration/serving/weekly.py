"""The report's "weekly conversion by band" section: is conversion trending, band by band?

Reads `band_conversion_weekly` (per active version, best band and cohort week: leads,
customers, conversion, revenue, and flags for the partial last week and for cohorts
younger than the median sales cycle), as marts.QUERIES reads it.
"""

from __future__ import annotations

from orchestration.serving.charts import lines
from orchestration.serving.markup import esc, nodata, num, pct, table, with_n
from orchestration.serving.sections import BAND_COLOURS, CURRENCY

# The chart and table show the latest cohort weeks (half a year); the mart has them all.
WEEKS_SHOWN = 26


def _label(week) -> str:
    return week.isoformat() if hasattr(week, "isoformat") else str(week)


def section_weekly(m) -> str:
    rows = m.rows("band_conversion_weekly")
    if not rows:
        return nodata("weekly conversion by band")
    out = [
        "<p>Lead-to-customer conversion per cohort week (the Monday-to-Sunday week the leads "
        "were created) and best band reached, active versions. Young cohorts convert less: "
        "their customers are still to come. A week is <i>immature</i> while its youngest "
        "leads are younger than the version's median sales cycle.</p>"
    ]
    for model, version in sorted({(r["model_id"], r["model_version"]) for r in rows}):
        mine = [r for r in rows if r["model_id"] == model and r["model_version"] == version]
        bands = [b for _, b in sorted({(r["band_rank"] or 0, r["band"] or "(none)") for r in mine})]
        all_weeks = sorted({r["cohort_week"] for r in mine})
        weeks = all_weeks[-WEEKS_SHOWN:]
        cell = {(r["cohort_week"], r["band"] or "(none)"): r for r in mine}
        score_date = max(r["score_date"] for r in mine)
        partial = [w for w in weeks if any(r["is_partial_week"] for r in mine if r["cohort_week"] == w)]
        immature = [w for w in weeks if any(r["is_immature"] for r in mine if r["cohort_week"] == w)]
        cycle = next((r["median_cycle_days"] for r in mine if r.get("median_cycle_days") is not None), None)
        days = (score_date - partial[-1]).days + 1 if partial else None
        points = [
            {
                "series": b,
                "x": _label(w),
                "y": round(100 * float(cell[(w, b)]["conversion_rate"]), 1),
            }
            for b in bands
            for w in weeks
            if (w, b) in cell and cell[(w, b)]["conversion_rate"] is not None
        ]
        note = [f"scores as of {score_date}"]
        if len(all_weeks) > len(weeks):
            note.append(
                f"the last {len(weeks)} of {len(all_weeks)} cohort weeks (all in band_conversion_weekly)"
            )
        if cycle is not None:
            note.append(f"median sales cycle {cycle:g} days")
        if immature:
            note.append(
                f"{len(immature)} immature week{'' if len(immature) == 1 else 's'} from {immature[0]}"
            )
        out.append(f"<h3>{esc(model)} v{esc(version)} <small>({esc('; '.join(note))})</small></h3>")
        out.append(
            lines(
                points,
                "cohort week (Monday the leads were created)"
                + (f"; immature from {immature[0]}" if immature else ""),
                "conversion (customers / leads, %)",
                x_type="O",
                x_sort=[_label(w) for w in weeks],
                flag_at=_label(partial[-1]) if partial else None,
                flag_label=f"partial week: {days} of 7 days",
                title=f"weekly conversion by band {model}",
                width=720,
                colours=BAND_COLOURS,
            )
        )
        table_rows = []
        for w in weeks:
            here = [cell[(w, b)] for b in bands if (w, b) in cell]
            leads = sum(r["leads"] or 0 for r in here)
            customers = sum(r["customers"] or 0 for r in here)
            flags = []
            if w in partial:
                flags.append(f"partial ({days} of 7 days)")
            if w in immature:
                flags.append("immature")
            line = [esc(_label(w)), esc(", ".join(flags))]
            for b in bands:
                r = cell.get((w, b))
                line.append("" if r is None else with_n(pct(r["conversion_rate"]), r["leads"]))
            line += [
                num(leads),
                num(customers),
                with_n(pct(customers / leads if leads else None), leads),
                num(sum(r["revenue"] or 0 for r in here)),
            ]
            table_rows.append(line)
        out.append(
            table(
                ["cohort week", "flag"]
                + [f"{b}: conversion" for b in bands]
                + ["leads", "customers", "conversion", f"revenue ({CURRENCY})"],
                table_rows,
                numeric_from=2,
            )
        )
    return "".join(out)
