"""How a backfill's range is cut into slices (orchestration/defs/slices.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestration.defs import slices

D = dt.date


def test_months_cut_the_range_at_month_ends_leap_day_included():
    assert slices.months(D(2024, 1, 20), D(2024, 3, 5)) == [
        (D(2024, 1, 20), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 3, 1), D(2024, 3, 5)),
    ]
    assert slices.months(D(2024, 12, 31), D(2025, 1, 1)) == [
        (D(2024, 12, 31), D(2024, 12, 31)),
        (D(2025, 1, 1), D(2025, 1, 1)),
    ]


def test_months_join_while_their_events_fit_and_a_big_month_stands_alone():
    per_month = {D(2024, 1, 1): 40, D(2024, 2, 1): 50, D(2024, 3, 1): 300, D(2024, 4, 1): 10}
    assert slices.plan(D(2024, 1, 10), D(2024, 5, 31), per_month, 100) == [
        (D(2024, 1, 10), D(2024, 2, 29)),  # 90 events
        (D(2024, 3, 1), D(2024, 3, 31)),  # 300: over the budget alone
        (D(2024, 4, 1), D(2024, 5, 31)),  # 10 + a month without events
    ]
    # everything fits: one slice, one dbt build as before slicing existed
    assert slices.plan(D(2024, 1, 10), D(2024, 5, 31), per_month, 400) == [(D(2024, 1, 10), D(2024, 5, 31))]
    assert slices.plan(D(2024, 1, 10), D(2024, 1, 10), {}, 1) == [(D(2024, 1, 10), D(2024, 1, 10))]


@pytest.mark.parametrize("raw", ["0", "-5", "many"])
def test_a_bad_slice_size_is_refused_with_its_name(monkeypatch, raw):
    monkeypatch.setenv("LEADSCORE_BACKFILL_SLICE_EVENTS", raw)
    with pytest.raises(ValueError, match="LEADSCORE_BACKFILL_SLICE_EVENTS"):
        slices.slice_events()
