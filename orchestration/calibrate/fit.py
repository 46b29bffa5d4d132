"""The fit: a regularised logistic regression (scikit-learn) on the 0/1 candidate columns.

1. Selection (L1, liblinear) along a path of penalties. Each penalty is judged on a
   time-ordered split of the training leads: fitted on the earliest 75 %, scored on the
   latest 25 % (AUC of an L2 refit on the columns it kept), as the candidate will be used:
   on leads that come later. The chosen penalty is the weakest whose validation AUC is
   within 0.002 of the best, among those keeping at most `max_rules` rules (a rule = all
   columns of one candidate feature); fewer rules for the same ranking.
2. Refit (L2, lbfgs) on the kept columns of all training leads, its strength chosen by the
   validation log-loss. Its weights become the points; the L1 weights only select.
3. Bootstrap: the refit on resampled training leads gives each weight's spread (the
   interval shown beside each rule's points).
With too few leads for a split (fewer than 3 positives or negatives on either side), fixed
penalties are used and the report says so.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from orchestration.calibrate.options import CalibrateError

VALIDATION_SHARE = 0.25
MIN_CLASS = 3
L2_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
AUC_TOLERANCE = 0.002
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


def _fit(X, y, order, groups, max_rules, bootstrap, seed) -> FitResult:
    from sklearn.metrics import log_loss
    from sklearn.svm import l1_min_c

    n, k = X.shape
    if k == 0:
        raise CalibrateError(
            "no candidate feature: the training leads share every field value and have no events "
            "that differ between them"
        )
    n_val = int(round(VALIDATION_SHARE * n))
    fit_idx, val_idx = order[: n - n_val], order[n - n_val :]
    split = all((y[idx] == c).sum() >= MIN_CLASS for idx in (fit_idx, val_idx) for c in (0, 1)) and n_val > 0
    Xf, yf = (X[fit_idx], y[fit_idx]) if split else (X, y)
    try:
        c_min = float(l1_min_c(Xf, yf, loss="log", fit_intercept=True, intercept_scaling=10.0))
    except ValueError:
        raise CalibrateError(
            "the candidate features are all empty on the training leads: nothing to fit"
        ) from None
    grid = c_min * 10 ** np.linspace(0.1, 3.0, 14)
    path: list[dict] = []
    note = None
    if split:
        Xv, yv = X[val_idx], y[val_idx]
        for C in grid:
            sel = _l1(Xf, yf, C, seed).coef_[0] != 0
            n_groups = _groups_of(sel, groups)
            entry = {"c": float(C), "rules": n_groups, "validation_auc": None}
            if n_groups:
                cols = np.flatnonzero(sel)
                refit = _l2(Xf[:, cols], yf, 1.0)
                entry["validation_auc"] = _auc(yv, refit.decision_function(Xv[:, cols]))
            path.append(entry)
        eligible = [e for e in path if e["validation_auc"] is not None and e["rules"] <= max_rules]
        if not eligible:
            raise CalibrateError(
                "no feature predicts the outcome on the training leads (every penalty keeps none)"
            )
        best = max(e["validation_auc"] for e in eligible)
        c_l1 = min(e["c"] for e in eligible if e["validation_auc"] >= best - AUC_TOLERANCE)
    else:
        c_l1 = float(c_min * 10)
        note = (
            "too few leads for a time-ordered validation split (at least 3 positives and 3 "
            "negatives on each side): fixed penalties were used"
        )

    # selection on every training lead, then at most max_rules rules
    sel = _l1(X, y, c_l1, seed).coef_[0] != 0
    for C in sorted((c for c in grid if c < c_l1), reverse=True):
        if _groups_of(sel, groups) <= max_rules:
            break
        sel = _l1(X, y, C, seed).coef_[0] != 0
        c_l1 = float(C)
    cols = np.flatnonzero(sel)
    if not len(cols):
        raise CalibrateError("no feature predicts the outcome on the training leads: nothing to write")

    c_l2 = 1.0
    val_auc = None
    if split:
        losses = []
        for C in L2_GRID:
            refit = _l2(Xf[:, cols], yf, C)
            losses.append(log_loss(yv, refit.predict_proba(Xv[:, cols])[:, 1], labels=[0, 1]))
        c_l2 = float(L2_GRID[int(np.argmin(losses))])
        val_auc = _auc(yv, _l2(Xf[:, cols], yf, c_l2).decision_function(Xv[:, cols]))
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
        validation_leads=len(val_idx) if split else 0,
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
