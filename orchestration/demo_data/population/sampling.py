"""Time units and the random draws the population builders share: seconds of day weighted
to business hours, the weekday of a day, a choice by weights, and draws that lean with a
latent factor (a Gaussian copula)."""

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


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """The standard normal CDF by its logistic approximation (off by less than 0.01):
    enough for demo data, and no dependency beyond numpy."""
    return 1.0 / (1.0 + np.exp(-1.702 * x))


def correlated_uniform(rng: np.random.Generator, latent: np.ndarray, rho: float) -> np.ndarray:
    """Uniform draws whose normal scores correlate by `rho` with `latent` (standard normal
    per element): a Gaussian copula, so that a choice made from them leans with the latent."""
    return normal_cdf(rho * latent + np.sqrt(1.0 - rho * rho) * rng.standard_normal(len(latent)))


def quantile_choice(u: np.ndarray, p) -> np.ndarray:
    """The category of each uniform `u` under weights `p` (in order): higher u, later category."""
    return np.searchsorted(np.cumsum(p), u * np.sum(p), side="right").clip(0, len(p) - 1)
