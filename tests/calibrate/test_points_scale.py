"""The points scale on synthetic data with a known effect: a feature that doubles the odds
of a win gets about +10 points, one that halves them about -10, noise about 0; a binned
measure gets the points of its bin. No warehouse: the fit and the points alone."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from orchestration.calibrate.candidates import Feature
from orchestration.calibrate.extract import Source
from orchestration.calibrate.fit import fit
from orchestration.calibrate.points import make_rules, scores


def _data(n: int = 30_000, seed: int = 11):
    rng = np.random.default_rng(seed)
    doubles = rng.random(n) < 0.3
    halves = rng.random(n) < 0.5
    noise = rng.random(n) < 0.4
    visits = rng.integers(0, 4, n)  # 0..3: +0, +ln 2, +2 ln 2, +2 ln 2
    logit = -1.2 + np.log(2) * doubles - np.log(2) * halves + np.log(2) * np.minimum(visits, 2)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    columns = [doubles, halves, noise, visits >= 1, visits >= 2, visits >= 3]
    X = sp.csr_matrix(np.column_stack(columns).astype(float))
    features = [
        Feature("value:doubles", "value", "doubles", field="contact.attributes.d", value="yes", columns=[0]),
        Feature("value:halves", "value", "halves", field="contact.attributes.h", value="yes", columns=[1]),
        Feature("value:noise", "value", "noise", field="contact.attributes.n", value="yes", columns=[2]),
        Feature(
            "aggregate:0",
            "aggregate",
            "visits",
            source=Source("count", "page_view"),
            cuts=[1.0, 2.0, 3.0],
            cut_texts=["1", "2", "3"],
            columns=[3, 4, 5],
        ),
    ]
    return X, y, features


def test_doubling_the_odds_is_ten_points():
    X, y, features = _data()
    result = fit(X, y, np.arange(len(y)), [f.columns for f in features], max_rules=30, bootstrap=20)
    rules, weights = make_rules(features, result.coef, result.boot_coefs)
    by_key = {r.feature.key: r for r in rules}

    assert abs(by_key["value:doubles"].bins[0].points - 10) <= 2
    assert abs(by_key["value:halves"].bins[0].points + 10) <= 2
    noise = by_key.get("value:noise")
    assert noise is None or abs(noise.bins[0].points) <= 2

    visits = by_key["aggregate:0"]
    points_by_bin = {b.low_text: b.points for b in visits.bins}
    assert abs(points_by_bin["1"] - 10) <= 2
    # 2 and 3 visits are worth the same: their bins merge into "2 or more", about +20
    assert set(points_by_bin) == {"1", "2"} and visits.bins[-1].high is None
    assert abs(points_by_bin["2"] - 20) <= 2
    # each interval holds its rule's points
    for r in rules:
        for b in r.bins:
            assert b.interval is not None and b.interval[0] - 1 <= b.points <= b.interval[1] + 1

    # a lead's total is the sum of its rules' points, bin by bin
    total = scores(X, weights)
    lead = np.flatnonzero((X[:, 0].toarray().ravel() == 1) & (X[:, 4].toarray().ravel() == 1))[0]
    expected = by_key["value:doubles"].bins[0].points + points_by_bin["2"]
    if X[lead, 1]:
        expected += by_key["value:halves"].bins[0].points
    if noise is not None and X[lead, 2]:
        expected += noise.bins[0].points
    assert total[lead] == expected
