"""The calibration section of the HTML report (`leadscore report`): the latest calibration
report's candidate beside the active version and the regression, and its rules."""

from __future__ import annotations

from orchestration.calibrate.report import bin_label, scorer_rows
from orchestration.serving.markup import esc, nodata, num, pct, table, with_n


def _points(b: dict) -> str:
    iv = b.get("interval")
    return f"{b['points']:+d}" + (f" <small>[{round(iv[0]):+d}, {round(iv[1]):+d}]</small>" if iv else "")


def _lift(f: dict) -> float | None:
    """Top-decile conversion over the overall conversion of the same leads."""
    top, leads, won = f.get("top_decile_conversion"), f.get("leads"), f.get("conversions")
    return top / (won / leads) if top is not None and leads and won else None


def _top_band_leads(f: dict) -> int | None:
    share, leads = f.get("top_band_share_of_leads"), f.get("leads")
    return round(share * leads) if share is not None and leads else None


def _bands_table(rows: list[tuple[str, dict]]) -> str:
    """Conversion per band of each score that has bands (the candidate's, the active
    version's), side by side, hottest band first; empty without any."""
    banded = [(name, {b["band"]: b for b in f["bands"]}) for name, f in rows if f.get("bands")]
    if not banded:
        return ""
    order: list[str] = []
    for _, f in rows:
        for b in reversed(f.get("bands") or []):
            if b["band"] not in order:
                order.append(b["band"])
    return "<h3>Conversion by band <small>(the same test leads; n = leads in the band)</small></h3>" + table(
        ["band"] + [name for name, _ in banded],
        [
            [esc(band)]
            + [
                with_n(pct(bands[band]["conversion"]), bands[band]["leads"]) if band in bands else "–"
                for _, bands in banded
            ]
            for band in order
        ],
    )


def section(report: dict | None) -> str:
    if not report:
        return nodata("a calibrated candidate") + (
            "<p>No <code>leadscore calibrate</code> report in this home yet. Fit a candidate "
            "version from the warehouse's outcomes with <code>leadscore calibrate --model MODEL "
            "--train-until YYYY-MM-DD</code> (docs/rules.md, “Calibrate points from outcomes”): "
            "the next report shows it beside the active version, on the same leads.</p>"
        )
    o, leads, lv = report["options"], report["leads"], report["levels"]
    status = (
        "a new model: its version 1, inactive until you flip is_active"
        if report["is_new_model"]
        else f"an inactive candidate beside active version {report['active_version']}"
    )
    out = [
        f"<p><b>{esc(report['model_id'])} version {report['model_version']}</b>, {esc(status)}: fitted on "
        f"{leads['train']:,} leads created up to {esc(o['train_until'])} ({leads['train_won']:,} won within "
        f"{o['outcome_days']} days), written to <code>{esc(report['seeds']['folder'])}</code> on "
        f"{esc(report['generated_at'][:10])}. +10 points = twice the odds of a win; MQL from "
        f"{lv['mql_threshold']} points ({pct(lv['train_share_mql'])} of training leads).</p>"
    ]
    rows = scorer_rows(report)
    if rows:
        out.append(
            f"<p>On the {leads['test']:,} leads created after {esc(o['train_until'])} whose windows "
            f"closed ({leads['test_won']:,} won), each scored on its as-of day:</p>"
        )
        out.append(
            table(
                [
                    "score",
                    "leads",
                    "won",
                    "AUC",
                    "top-decile lift",
                    "top band: share of leads",
                    "share of conversions",
                    "top band converts",
                    "top decile converts",
                    "bottom decile converts",
                ],
                [
                    [
                        esc(name),
                        num(f.get("leads")),
                        num(f.get("conversions")),
                        num(f.get("auc"), 3),
                        num(_lift(f), 2),
                        pct(f.get("top_band_share_of_leads")),
                        pct(f.get("top_band_share_of_conversions")),
                        with_n(pct(f.get("top_band_conversion")), _top_band_leads(f)),
                        pct(f.get("top_decile_conversion")),
                        pct(f.get("bottom_decile_conversion")),
                    ]
                    for name, f in rows
                ],
            )  # fmt: skip
        )
        out.append(_bands_table(rows))
        out.append(
            "<p>Top-decile lift: the top tenth's conversion over all these leads' conversion "
            "(1.0 = no better than average). The top band: the candidate's from its MQL "
            "threshold, the active version's its hottest band; the regression's, the same "
            "share of training leads.</p>"
        )
    else:
        out.append(
            f'<p class="nodata">No lead created after {esc(o["train_until"])} has a closed outcome '
            "window yet: nothing to compare on.</p>"
        )
    rule_rows = []
    for r in report["rules"]:
        for i, b in enumerate(r["bins"]):
            rule_rows.append(
                [esc(r["description"]) if i == 0 else "", esc(bin_label(b)), _points(b),
                 f"{r['support']:,}" if i == 0 else ""]
            )  # fmt: skip
    out.append("<h3>Rules <small>(points; 90 % bootstrap interval)</small></h3>")
    out.append(table(["rule", "bin", "points", "training leads with it"], rule_rows, numeric_from=2))
    return "".join(out)
