"""How well a score ranks the test leads (created after --train-until, windows closed):
AUC, the top band's share of leads and of conversions, and top versus bottom decile
conversion. The same figures for the candidate's points, the active version's scores on
the same days and the regression's own probabilities."""

from __future__ import annotations

import math

import numpy as np


def auc(y: np.ndarray, s: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half), None without both outcomes."""
    if len(y) == 0 or y.min() == y.max():
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s))


def _top_share_conversion(y: np.ndarray, s: np.ndarray, fraction: float, top: bool) -> float:
    """Conversion among the `fraction` of leads with the highest (or lowest) scores; leads
    tied at the cut count in proportion, as if the tie were broken at random."""
    n = len(s)
    k = max(1, math.ceil(fraction * n))
    order = -s if top else s
    sorted_scores = np.sort(order)
    cut = sorted_scores[k - 1]
    strictly = order < cut
    tied = order == cut
    need = k - int(strictly.sum())
    wins = float(y[strictly].sum()) + (need / int(tied.sum())) * float(y[tied].sum())
    return wins / k


def by_band(y: np.ndarray, s: np.ndarray, bands: list[tuple[str, float]]) -> list[dict]:
    """Leads, conversions and conversion per band, coldest first: band i holds the scores
    from its min_score to the next band's (the coldest, every score below the next)."""
    out = []
    for i, (name, _) in enumerate(bands):
        low = bands[i][1] if i else -np.inf
        high = bands[i + 1][1] if i + 1 < len(bands) else np.inf
        inside = (s >= low) & (s < high)
        n = int(inside.sum())
        won = int(y[inside].sum())
        out.append({"band": name, "leads": n, "conversions": won, "conversion": won / n if n else None})
    return out


def figures(
    y: np.ndarray, s: np.ndarray, top_min: float | None, bands: list[tuple[str, float]] | None = None
) -> dict:
    """AUC, top band (score >= top_min) shares, top and bottom decile conversion, and with
    `bands` ((name, min_score), coldest first) the conversion of each band."""
    y = np.asarray(y, dtype=float)
    s = np.asarray(s, dtype=float)
    out: dict = {"leads": len(y), "conversions": int(y.sum()), "auc": auc(y, s)}
    if len(y) == 0:
        return out
    if top_min is not None:
        in_top = s >= top_min
        out["top_band_share_of_leads"] = float(in_top.mean())
        out["top_band_share_of_conversions"] = float(y[in_top].sum() / y.sum()) if y.sum() else None
        out["top_band_conversion"] = float(y[in_top].mean()) if in_top.any() else None
    top = _top_share_conversion(y, s, 0.1, True)
    bottom = _top_share_conversion(y, s, 0.1, False)
    out["top_decile_conversion"] = top
    out["bottom_decile_conversion"] = bottom
    out["decile_ratio"] = (top / bottom) if bottom > 0 else None
    if bands:
        out["bands"] = by_band(y, s, bands)
    return out
