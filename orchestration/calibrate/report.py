"""The calibration report: printed as text, written as JSON.

The JSON goes to $LEADSCORE_HOME/calibration/calibration-<model>-v<version>.json, where the
HTML report (`leadscore report`) finds the latest one, and, when --out is a folder of its
own, beside the seeds written there too.
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.calibrate.seeds import is_project_seeds
from orchestration.runtime import config


def calibration_dir() -> Path:
    return config.home() / "calibration"


def json_name(report: dict) -> str:
    return f"calibration-{report['model_id']}-v{report['model_version']}.json"


def write_json(report: dict, out: Path) -> list[Path]:
    from orchestration.serving.report import write_atomically

    text = json.dumps(report, indent=2, default=str) + "\n"
    targets = [calibration_dir() / json_name(report)]
    if not is_project_seeds(out):
        targets.append(Path(out) / json_name(report))
    return [write_atomically(text, t) for t in targets]


def latest(folder: Path | None = None) -> dict | None:
    """The most recently written calibration report under `folder`, or None."""
    folder = folder or calibration_dir()
    if not folder.is_dir():
        return None
    files = sorted(folder.glob("calibration-*.json"), key=lambda p: p.stat().st_mtime_ns)
    for path in reversed(files):
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return None


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _num(x, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _signed(p: int) -> str:
    return f"{p:+d}"


def scorer_rows(report: dict) -> list[tuple[str, dict]]:
    """(name, figures) for the candidate, the active version and the regression."""
    ev = report.get("evaluation") or {}
    names = [("candidate", f"candidate v{report['model_version']}")]
    if "active" in ev:
        names.append(("active", f"active v{report['active_version']}"))
    names.append(("regression", "regression"))
    return [(label, ev[key]) for key, label in names if key in ev]


def bin_label(b: dict) -> str:
    if b["min"] is None:
        return ""
    if b["max"] is None:
        return f"{b['min']} or more"
    return f"{b['min']} to under {b['max']}"


def _interval(b: dict) -> str:
    iv = b.get("interval")
    return f" [{round(iv[0]):+d}, {round(iv[1]):+d}]" if iv else ""


def as_text(report: dict) -> str:
    o, leads, fit, lv = report["options"], report["leads"], report["fit"], report["levels"]
    lines = []
    new = (
        " (a new model: its version 1, inactive until you flip is_active)"
        if report["is_new_model"]
        else (f" (a candidate beside active version {report['active_version']}; inactive)")
    )
    lines.append(f"calibrated {report['model_id']} version {report['model_version']}{new}")
    lines.append(
        f"leads: {leads['train']:,} training ({leads['train_won']:,} won within {o['outcome_days']} days), "
        f"created up to {o['train_until']}; {leads['test']:,} testing ({leads['test_won']:,} won), "
        "created after"
    )
    if leads["left_out"]:
        lines.append("left out: " + "; ".join(f"{n:,} {why}" for why, n in leads["left_out"].items()))
    for why, n in (leads.get("notes") or {}).items():
        lines.append(f"note: {n:,} {why}")
    lines.append(
        "features as of the day before each lead's first opportunity or win, else at an age "
        f"drawn from the training winners' ages (median {leads['comparable_age_days']} days); "
        f"data up to {report['data']['last_day']}"
    )
    val = (
        f"; mean AUC {_num(fit['validation_auc'])} on time-ordered validation splits of the training leads"
        if fit["validation_auc"] is not None
        else ""
    )
    lines.append(
        f"fit: {fit['candidate_rules']:,} candidate rules ({fit['candidate_columns']:,} columns), "
        f"{fit['rules']} kept{val}"
    )
    if fit.get("note"):
        lines.append(f"note: {fit['note']}")
    bands = ", ".join(f"{b['band']} from {b['min_score']}" for b in lv["bands"])
    lines.append(
        f"MQL threshold {lv['mql_threshold']} ({_pct(lv['train_share_mql'])} of training leads at or above); "
        f"bands: {bands}; scores {lv['min_score']}..{lv['max_score']}"
    )
    lines.append("")
    if report.get("evaluation"):
        lines.append(
            f"on the {leads['test']:,} leads created after {o['train_until']} whose windows closed "
            f"({leads['test_won']:,} won):"
        )
        lines.append(
            f"  {'':<16}{'AUC':>7}{'top band: leads':>17}{'conversions':>13}"
            f"{'top decile':>12}{'bottom decile':>15}"
        )
        for name, f in scorer_rows(report):
            lines.append(
                f"  {name:<16}{_num(f.get('auc')):>7}{_pct(f.get('top_band_share_of_leads')):>17}"
                f"{_pct(f.get('top_band_share_of_conversions')):>13}{_pct(f.get('top_decile_conversion')):>12}"
                f"{_pct(f.get('bottom_decile_conversion')):>15}"
            )
            if f.get("leads_without_score"):
                lines.append(
                    f"  {'':<16}({f['leads_without_score']:,} test leads had no score on their as-of day)"
                )
    else:
        lines.append(
            f"no lead created after {o['train_until']} has a closed outcome window yet: nothing to test on "
            "(the rules are written all the same)"
        )
    lines.append("")
    lines.append("rules (points; 90 % bootstrap interval), +10 points = twice the odds:")
    for r in report["rules"]:
        if len(r["bins"]) == 1 and r["bins"][0]["min"] is None:
            b = r["bins"][0]
            lines.append(
                f"  {_signed(b['points']):>5}{_interval(b):<12} {r['description']}  [{r['rule_id']}]"
            )
        else:
            lines.append(f"  {'':>5}{'':<12} {r['description']}  [{r['rule_id']}]")
            for b in r["bins"]:
                lines.append(f"  {_signed(b['points']):>5}{_interval(b):<12}     {bin_label(b)}")
    lines.append("")
    lines.append(f"seeds written to {report['seeds']['folder']}: {', '.join(report['seeds']['files'])}")
    return "\n".join(lines)
