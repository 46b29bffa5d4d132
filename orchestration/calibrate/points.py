"""Weights to whole points, the rules they make, the MQL threshold, bands and grades.

Scale: points = round(weight x 10 / ln 2), so +10 points doubles the odds of a win (and
-10 halves them). A rule over steps or bins (numeric fields, aggregate measures) gets, in
bin j, the rounded sum of the weights of its steps 1..j. Rules whose points all round to
0 are dropped. A lead's total is then exactly what the written seeds give it: each
column of the candidate matrix carries the whole points it adds (`weights`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from orchestration.calibrate.candidates import Feature

SCALE = 10 / math.log(2)
INTERVAL = (5.0, 95.0)  # a 90 % bootstrap interval


@dataclass
class Bin:
    low: float | None  # inclusive; None: not a binned rule
    high: float | None  # exclusive; None: open
    low_text: str | None
    high_text: str | None
    points: int
    interval: tuple[float, float] | None = None


@dataclass
class Rule:
    feature: Feature
    rule_id: str
    component: str  # fit | negative | engagement
    bins: list[Bin]
    step_points: list[int] = field(default_factory=list)  # numeric: per step, as written

    @property
    def lowest(self) -> int:
        return min([0, *(b.points for b in self.bins)])

    @property
    def highest(self) -> int:
        return max([0, *(b.points for b in self.bins)])


def _slug(text: str, limit: int = 32) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")
    return s[:limit].strip("_") or "x"


def _base_id(f: Feature) -> str:
    if f.kind in ("value", "missing", "numeric"):
        name = f.field
        for prefix in ("contact.attributes.", "contact.", "company.attributes.", "company."):
            if name.startswith(prefix):
                name = ("company_" if prefix.startswith("company") else "") + name[len(prefix) :]
                break
        base = _slug(name)
        return {"value": f"{base}_{_slug(f.value or '')}", "missing": f"{base}_missing", "numeric": base}[
            f.kind
        ]
    s = f.source
    parts = [_slug(s.event_type or "any_event")]
    if s.property is not None:
        parts.append(_slug(f"{s.property} {s.operator} {s.value or ''}", 40))
    if s.measure == "sum":
        parts.append(_slug(s.sum_property) + "_total")
    else:
        parts.append({"count": "count", "active_days": "active_days", "days_since": "days_since"}[s.measure])
    return "_".join(parts)


def _interval(samples: np.ndarray | None) -> tuple[float, float] | None:
    if samples is None or len(samples) < 10:
        return None
    lo, hi = np.percentile(samples, INTERVAL)
    return (round(float(lo), 1), round(float(hi), 1))


def make_rules(
    features: list[Feature], coef: np.ndarray, boot: np.ndarray | None
) -> tuple[list[Rule], np.ndarray]:
    """The rules with any non-zero points, and the whole points each column adds."""
    weights = np.zeros(len(coef), dtype=np.int64)
    rules: list[Rule] = []
    used: set[str] = set()
    for f in features:
        cols = f.columns
        cumulative = np.cumsum(coef[cols]) * SCALE
        points = [int(round(v)) for v in cumulative]
        if not any(points):
            continue
        boot_cum = np.cumsum(boot[:, cols], axis=1) * SCALE if boot is not None and len(boot) else None
        steps = [points[0]] + [points[j] - points[j - 1] for j in range(1, len(points))]
        weights[cols] = steps
        rule_id = _base_id(f)
        n = 2
        while rule_id in used:
            rule_id = f"{_base_id(f)}_{n}"
            n += 1
        used.add(rule_id)
        if f.kind in ("value", "missing"):
            bins = [
                Bin(
                    None, None, None, None, points[0], _interval(None if boot_cum is None else boot_cum[:, 0])
                )
            ]
        else:
            bins = []
            for j, p in enumerate(points):
                high = f.cuts[j + 1] if j + 1 < len(f.cuts) else None
                high_text = f.cut_texts[j + 1] if j + 1 < len(f.cuts) else None
                iv = _interval(None if boot_cum is None else boot_cum[:, j])
                if bins and bins[-1].points == p:  # merge bins the fit did not tell apart
                    last = bins[-1]
                    last.high, last.high_text = high, high_text
                    if iv and last.interval:
                        last.interval = (min(last.interval[0], iv[0]), max(last.interval[1], iv[1]))
                    continue
                bins.append(Bin(f.cuts[j], high, f.cut_texts[j], high_text, p, iv))
            bins = [b for b in bins if b.points != 0]  # below the first kept bin: no points
        if f.kind == "aggregate":
            component = "negative" if all(b.points <= 0 for b in bins) else "engagement"
        else:
            component = "fit" if points[-1] >= 0 else "negative"  # numeric: per step, see seeds
        rules.append(Rule(f, rule_id, component, bins, step_points=steps))
    return rules, weights


def component_weights(rules: list[Rule], n_columns: int) -> dict[str, np.ndarray]:
    """Per score component (fit, engagement, negative), the points each column adds."""
    out = {c: np.zeros(n_columns, dtype=np.int64) for c in ("fit", "engagement", "negative")}
    for r in rules:
        for col, step in zip(r.feature.columns, r.step_points, strict=True):
            if r.feature.kind == "aggregate":
                out[r.component][col] += step
            else:  # each fit rule row (a value, or a numeric step) by its own sign
                out["fit" if step >= 0 else "negative"][col] += step
    return out


def scores(X: sp.csr_matrix, weights: np.ndarray) -> np.ndarray:
    return np.asarray(X @ weights.astype(np.float64)).round().astype(np.int64)


def share_cut(values: np.ndarray, share: float, floor: float) -> float | None:
    """The value t (one of `values`, above `floor`) such that the share of values >= t is
    closest to `share`; on a tie, the higher t."""
    if not len(values):
        return None
    distinct = np.unique(values)
    distinct = distinct[distinct > floor]
    if not len(distinct):
        return None
    sorted_values = np.sort(values)
    above = 1 - np.searchsorted(sorted_values, distinct, side="left") / len(values)
    gap = np.abs(above - share)
    best = np.flatnonzero(gap <= gap.min() + 1e-12)
    return float(distinct[best[-1]])


@dataclass
class Levels:
    min_score: int
    max_score: int
    mql_threshold: int
    bands: list[tuple[str, int]]  # (name, min_score), rank 1 first
    grades: dict[str, list[tuple[str, int]]]  # dimension -> (grade, min_points), best first


def levels(rules: list[Rule], train_scores: dict[str, np.ndarray], mql_share: float) -> Levels:
    """Bounds that never bind, the MQL threshold (mql_share of the training leads at or
    above it), bands from the same cut (hot from the threshold, warm holding the next 1.5 x
    mql_share of leads, cold the rest), and grades at the quartiles of the fit and
    engagement scores."""
    low = sum(r.lowest for r in rules)
    high = sum(r.highest for r in rules)
    total = train_scores["total"]
    mql = share_cut(total, mql_share, low)
    mql = int(mql) if mql is not None else low + 1
    bands = [("cold", low)]
    warm = share_cut(total, min(0.9, 2.5 * mql_share), low)
    if warm is not None and low < warm < mql:
        bands.append(("warm", int(warm)))
    bands.append(("hot", mql))
    grades = {}
    fit_low = 0
    eng_low = sum(r.lowest for r in rules if r.component == "engagement")
    for dimension, names, floor in (("fit", "ABCD", fit_low), ("engagement", "1234", eng_low)):
        values = train_scores[dimension]
        cuts = []
        for share in (0.25, 0.5, 0.75):
            t = share_cut(values, share, floor)
            if t is not None and (not cuts or t < cuts[-1]):
                cuts.append(int(t))
        # the lowest grade takes every score: its threshold is the lowest possible
        thresholds = [*cuts, int(floor)]
        grades[dimension] = list(zip(names, thresholds, strict=False))
    return Levels(low, high, mql, bands, grades)
