"""Intervals for shares and means: Wilson (1927) score interval and a seeded percentile bootstrap.

>>> [round(x, 4) for x in wilson(4, 5)]
[0.3755, 0.9638]
>>> share, low, high = bootstrap_ratio([2, 0, 1], [0, 3, 1], n_boot=500, seed=0)
>>> round(share, 3)
0.429
"""
from __future__ import annotations

import numpy as np
from scipy.stats import binomtest

NAN = float("nan")


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials; ``(nan, nan)`` when ``n == 0``."""
    k, n = int(k), int(n)
    if n == 0:
        return (NAN, NAN)
    ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    return (float(ci.low), float(ci.high))


def _percentiles(draws: np.ndarray, level: float) -> tuple[float, float]:
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return (NAN, NAN)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return (float(low), float(high))


def bootstrap_ratio(a_counts, b_counts, n_boot: int = 2000, seed: int = 0,
                    level: float = 0.95) -> tuple[float, float, float]:
    """Share ``sum(a) / (sum(a) + sum(b))`` with a percentile bootstrap interval over groups.

    ``a_counts[i]`` and ``b_counts[i]`` belong to the same group (an article); groups are
    resampled with replacement. Resamples where both sums are 0 are undefined and dropped.
    Returns ``(share, low, high)``; all NaN when there are no groups or no uses at all.
    """
    a = np.asarray(a_counts, dtype=float)
    b = np.asarray(b_counts, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a_counts and b_counts differ in length: {a.shape} vs {b.shape}")
    total = a.sum() + b.sum()
    if a.size == 0 or total == 0:
        return (NAN, NAN, NAN)
    idx = np.random.default_rng(seed).integers(0, a.size, size=(n_boot, a.size))
    sa, sb = a[idx].sum(axis=1), b[idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        draws = np.where(sa + sb > 0, sa / (sa + sb), np.nan)
    return (float(a.sum() / total), *_percentiles(draws, level))


def bootstrap_mean(values, n_boot: int = 2000, seed: int = 0,
                   level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` (NaN dropped) with a seeded percentile bootstrap interval.

    >>> bootstrap_mean([1.0, 1.0, 1.0])
    (1.0, 1.0, 1.0)
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (NAN, NAN, NAN)
    idx = np.random.default_rng(seed).integers(0, x.size, size=(n_boot, x.size))
    return (float(x.mean()), *_percentiles(x[idx].mean(axis=1), level))
