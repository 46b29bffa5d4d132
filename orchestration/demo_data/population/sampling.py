"""Time units and the random draws the population builders share: seconds of day weighted
to business hours, the weekday of a day, a choice by weights."""

from __future__ import annotations

import numpy as np

from orchestration.demo_data.vocab.behaviour import HOUR_W

DAY = 86400
NEVER = np.int64(2**62)
NULL_SEC = np.int64(-(2**62))  # "no timestamp" (times before t0 are negative)


def sample_sod(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds of day, weighted to business hours (UTC, Americas + Europe)."""
    hours = rng.choice(24, size=n, p=HOUR_W)
    return hours * 3600 + rng.integers(0, 3600, size=n)


def weekday(epoch_day: int) -> int:
    return (epoch_day + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)


def weighted_choice(rng, n, p):
    return np.searchsorted(np.cumsum(p), rng.random(n) * np.sum(p), side="right").clip(0, len(p) - 1)
