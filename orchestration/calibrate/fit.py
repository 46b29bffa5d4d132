"""The fit: a regularised logistic regression (scikit-learn) on the 0/1 candidate columns.

1. Selection (L1, liblinear) along a path of penalties, from the one that keeps nothing
   to one 30,000 times weaker. Each penalty is judged as the candidate will be
   used, on leads that come later: on rolling time-ordered splits of the training leads
   (fit on the oldest 60, 70, 80 and 90 %, validate on the next 10 % each), the mean AUC
   of an L2 refit on the columns it kept. The chosen penalty is the strongest whose mean
   validation AUC is within 0.001 of the best. Every penalty keeps at most `max_rules`
   rules (a rule = all columns of one candidate feature).
2. Refit (L2, lbfgs) on the kept columns of all training leads, its strength chosen by
   the validation log-loss. Its weights become the points; the L1 weights only select.
3. Bootstrap: the refit on resampled training leads gives each weight's spread (the
   interval shown beside each rule's points).
A penalty that keeps more than `max_rules` rules keeps those with the largest weights.
With too few leads for any split (5 positives and 5 negatives on each side), the weakest
penalty is used, keeping at most one rule per 5 leads of the rarer outcome (at least 3),
and the report says so.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from orchestration.calibrate.options import CalibrateError

FOLD_STARTS = (0.6, 0.7, 0.8, 0.9)
FOLD_SHARE = 0.1
GRID_POINTS = 20
MIN_CLASS = 5
L2_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
AUC_TOLERANCE = 0.001
BOOTSTRAP_SECONDS = 120.0


@dataclass
class FitResult:
    coef: np.ndarray  # per column; 0 where not selected
    intercept: float
    selected: list[int]
    c_l1: float
    c_l2: float
    validation_auc: float | None
    validation_leads: int
    path: list[dict] = field(default_factory=list)
    boot_coefs: np.ndarray | None = None  # (B, n_columns)
    note: str | None = None

    def decision(self, X: sp.csr_matrix) -> np.ndarray:
        return X @ self.coef + self.intercept


def _l1(X, y, C, seed):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        l1_ratio=1.0, solver="liblinear", C=C, intercept_scaling=10.0, max_iter=500, random_state=seed
    ).fit(X, y)


def _l2(X, y, C, init=None):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(l1_ratio=0.0, solver="lbfgs", C=C, max_iter=1000, warm_start=init is not None)
    if init is not None:
        model.coef_ = init[0].reshape(1, -1).copy()
        model.intercept_ = np.array([init[1]])
    return model.fit(X, y)


def _auc(y, s) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s))


def _groups_of(selected: np.ndarray, groups: list[list[int]]) -> int:
    return sum(1 for g in groups if selected[g].any())


def _trim(coef: np.ndarray, groups: list[list[int]], limit: int) -> np.ndarray:
    """The selected columns (non-zero weights), of at most `limit` rules: those whose
    largest weight is largest."""
    selected = coef != 0
    weights = sorted(
        ((float(np.abs(coef[g]).max()), i) for i, g in enumerate(groups) if selected[g].any()), reverse=True
    )
    keep = np.zeros_like(selected)
    for _, i in weights[:limit]:
        keep[groups[i]] = selected[groups[i]]
    return keep


def fit(
    X: sp.csr_matrix,
    y: np.ndarray,
    order: np.ndarray,
    groups: list[list[int]],
    max_rules: int,
    bootstrap: int = 50,
    seed: int = 42,
) -> FitResult:
    """X, y: the training leads; order: their indices sorted by creation (oldest first)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # a path's weakest penalties may stop at max_iter: their fits are still usable
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _fit(X, y, order, groups, max_rules, bootstrap, seed)


def folds(order: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rolling-origin splits of the training leads (oldest first): fit on everything up to
    60, 70, 80 and 90 % of them, validate on the next 10 %; a split needs 5 positives and 5
    negatives on each side."""
    n = len(order)
    out = []
    for start in FOLD_STARTS:
        a, b = int(round(start * n)), int(round((start + FOLD_SHARE) * n))
        fit_idx, val_idx = order[:a], order[a:b]
        if all((y[idx] == c).sum() >= MIN_CLASS for idx in (fit_idx, val_idx) for c in (0, 1)):
            out.append((fit_idx, val_idx))
    return out


def _fit(X, y, order, groups, max_rules, bootstrap, seed) -> FitResult:
    from sklearn.metrics import log_loss
    from sklearn.svm import l1_min_c

    n, k = X.shape
    if k == 0:
        raise CalibrateError(
            "no candidate feature: the training leads share every field value and have no events "
            "that differ between them"
        )
    try:
        c_min = float(l1_min_c(X, y, loss="log", fit_intercept=True, intercept_scaling=10.0))
    except ValueError:
        raise CalibrateError(
            "the candidate features are all empty on the training leads: nothing to fit"
        ) from None
    splits = folds(order, y)
    # without a split: about a rule per 5 leads of the rarer outcome
    limit = max_rules if splits else min(max_rules, max(3, int(min(y.sum(), len(y) - y.sum()) // 5)))
    path: list[dict] = []
    note = None
    selections: dict[float, np.ndarray] = {}
    over = 0
    for C in c_min * 10 ** np.linspace(0.0, 4.5, GRID_POINTS):
        coef = _l1(X, y, C, seed).coef_[0]
        n_groups = _groups_of(coef != 0, groups)
        if not n_groups:
            continue
        over = over + 1 if n_groups > limit else 0
        if over > 1:
            break  # weaker penalties only keep more, and the limit cuts them back anyway
        selections[float(C)] = _trim(coef, groups, limit)
        entry = {"c": float(C), "rules": min(n_groups, limit), "validation_auc": None}
        aucs = []
        for fit_idx, val_idx in splits:
            fold_sel = np.flatnonzero(_trim(_l1(X[fit_idx], y[fit_idx], C, seed).coef_[0], groups, limit))
            if len(fold_sel):
                refit = _l2(X[fit_idx][:, fold_sel], y[fit_idx], 1.0)
                aucs.append(_auc(y[val_idx], refit.decision_function(X[val_idx][:, fold_sel])))
            else:
                aucs.append(0.5)
        if aucs:
            entry["validation_auc"] = float(np.mean(aucs))
        path.append(entry)
    if not path:
        raise CalibrateError(
            "no feature predicts the outcome on the training leads (every penalty keeps none)"
        )
    if splits:
        best = max(e["validation_auc"] for e in path)
        c_l1 = min(e["c"] for e in path if e["validation_auc"] >= best - AUC_TOLERANCE)
    else:
        c_l1 = path[-1]["c"]  # the weakest penalty, cut back to the limit
        note = (
            "too few leads for a time-ordered validation (at least 5 positives and 5 negatives "
            f"on each side of a split): at most {limit} rules, a rule per 5 leads of the rarer outcome"
        )
    cols = np.flatnonzero(selections[c_l1])

    c_l2 = 1.0
    val_auc = None
    if splits:
        losses = np.zeros(len(L2_GRID))
        for fit_idx, val_idx in splits:
            for i, C in enumerate(L2_GRID):
                refit = _l2(X[fit_idx][:, cols], y[fit_idx], C)
                losses[i] += log_loss(
                    y[val_idx], refit.predict_proba(X[val_idx][:, cols])[:, 1], labels=[0, 1]
                )
        c_l2 = float(L2_GRID[int(np.argmin(losses))])
        val_auc = float(
            np.mean(
                [
                    _auc(y[v], _l2(X[f][:, cols], y[f], c_l2).decision_function(X[v][:, cols]))
                    for f, v in splits
                ]
            )
        )
    final = _l2(X[:, cols], y, c_l2)
    coef = np.zeros(k)
    coef[cols] = final.coef_[0]
    result = FitResult(
        coef=coef,
        intercept=float(final.intercept_[0]),
        selected=[int(c) for c in cols],
        c_l1=float(c_l1),
        c_l2=c_l2,
        validation_auc=val_auc,
        validation_leads=int(sum(len(v) for _, v in splits)),
        path=path,
        note=note,
    )
    result.boot_coefs = _bootstrap(
        X[:, cols], y, c_l2, (final.coef_[0], final.intercept_[0]), k, cols, bootstrap, seed
    )
    return result


def _bootstrap(Xs, y, C, init, k, cols, rounds, seed) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = []
    started = time.monotonic()
    n = len(y)
    for _ in range(rounds):
        idx = rng.integers(0, n, n)
        if y[idx].min() == y[idx].max():
            continue
        coef = np.zeros(k)
        coef[cols] = _l2(Xs[idx], y[idx], C, init).coef_[0]
        out.append(coef)
        if time.monotonic() - started > BOOTSTRAP_SECONDS:
            break
    return np.array(out) if out else np.zeros((0, k))
