"""The rows of the candidate version: model, segment, fit and aggregate rules, bands and
grades (no engagement or inactivity rules: every behaviour feature is an aggregate rule,
see docs/rules.md)."""

from __future__ import annotations

from orchestration.calibrate.options import Options
from orchestration.calibrate.points import Levels, Rule
from orchestration.calibrate.seeds import DECAY_COLUMNS, slug
from orchestration.calibrate.warehouse import ModelInfo

# A new model's version decays nothing: it has no per-event rules.
NEW_MODEL_DECAY = {
    "decay_method": "none",
    "decay_full_days": 0,
    "decay_half_life_days": None,
    "decay_percent": None,
    "decay_period_days": None,
    "decay_window_days": 365,
}


def _fit_rows(rule: Rule) -> list[dict]:
    f = rule.feature
    if f.kind in ("value", "missing"):
        p = rule.bins[0].points
        return [
            {
                "rule_id": rule.rule_id,
                "description": f.label,
                "field": f.field,
                "operator": "equals" if f.kind == "value" else "is_missing",
                "value": f.value,
                "points": p,
                "component": "fit" if p >= 0 else "negative",
            }
        ]
    rows = []
    for j, step in enumerate(rule.step_points):
        if step == 0:
            continue
        cut = f.cut_texts[j]
        rows.append(
            {
                "rule_id": f"{rule.rule_id}_from_{slug(cut.replace('-', 'minus '))}",
                "description": f"{f.label} {cut} or more" + (" (adds to the steps below)" if rows else ""),
                "field": f.field,
                "operator": "at_least",
                "value": cut,
                "points": step,
                "component": "fit" if step > 0 else "negative",
            }
        )
    return rows


def _aggregate_rows(rule: Rule, window_days: int) -> list[dict]:
    s = rule.feature.source
    return [
        {
            "rule_id": rule.rule_id,
            "description": rule.feature.label,
            "measure": s.measure,
            "event_type": s.event_type,
            "property": s.property,
            "operator": s.operator,
            "value": s.value,
            "sum_property": s.sum_property,
            "window_days": None if s.measure == "days_since" else window_days,
            "min_value": b.low_text,
            "max_value": b.high_text,
            "points": b.points,
            "buying_stage": None,
            "component": rule.component,
        }
        for b in rule.bins
    ]


def rows(
    options: Options,
    model: ModelInfo,
    version: int,
    rules: list[Rule],
    levels: Levels,
    description: str,
) -> dict[str, list[dict]]:
    ids = {"model_id": options.model_id, "model_version": version}
    if model.is_new:
        label, decay = options.model_id, NEW_MODEL_DECAY
    else:
        label = f"{model.active_row.get('label') or options.model_id} calibrated"
        decay = {c: model.active_row.get(c) for c in DECAY_COLUMNS}
    out: dict[str, list[dict]] = {
        "scoring_models": [
            {
                **ids,
                # never active: a person reviews the candidate and flips is_active (a new
                # model stays out of lead_scores until then, scored in the history)
                "is_active": False,
                "label": label,
                "description": description,
                "mql_threshold": levels.mql_threshold,
                "min_score": levels.min_score,
                "max_score": levels.max_score,
                **decay,
            }
        ],
        "segment_conditions": [
            {
                **ids,
                **{
                    k: c.get(k)
                    for k in ("condition_id", "description", "field", "operator", "value", "value_to")
                },
            }
            for c in model.segment_conditions
        ],
        "fit_rules": [],
        "engagement_rules": [],
        "aggregate_rules": [],
        "inactivity_rules": [],
        "score_bands": [
            {**ids, "band": name, "band_rank": rank, "min_score": low}
            for rank, (name, low) in enumerate(levels.bands, start=1)
        ],
        "score_grades": [
            {**ids, "dimension": dimension, "grade": grade, "grade_rank": rank, "min_points": low}
            for dimension, grades in levels.grades.items()
            for rank, (grade, low) in enumerate(grades, start=1)
        ],
    }
    for rule in rules:
        if rule.feature.kind == "aggregate":
            out["aggregate_rules"] += [{**ids, **r} for r in _aggregate_rows(rule, options.window)]
        else:
            out["fit_rules"] += [{**ids, **r} for r in _fit_rows(rule)]
    return out
