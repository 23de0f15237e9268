"""Intervals and group comparisons for per-article counts and scores; only the permutation test resamples (seeded).

>>> [round(x, 4) for x in wilson(4, 5)], share_interval([3], [1])[3]
([0.3755, 0.9638], 'wilson')
"""
from __future__ import annotations

import numpy as np
from scipy.stats import norm, rankdata, t as student_t

def wilson(k: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval for ``k`` successes in ``n`` trials (both may be fractional: an effective size);
    ``(nan, nan)`` when ``n == 0``."""
    if n == 0:
        return (np.nan, np.nan)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p, z = k / n, float(norm.ppf(0.5 + level / 2))
    d = 1 + z * z / n
    centre, half = (p + z * z / (2 * n)) / d, z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (0.0 if p == 0 else max(0.0, float(centre - half)), 1.0 if p == 1 else min(1.0, float(centre + half)))

def share_interval(a_counts, b_counts, level: float = 0.95) -> tuple[float, float, float, str]:
    """Pooled share sum(a) / sum(a + b) with a Wilson interval on the effective number of uses, as uses in one article
    are not independent (Kish 1965; Korn & Graubard 1998): (share, low, high, "none" | "wilson" | "wilson-deff")."""
    if isinstance(a_counts, (str, bytes)) or isinstance(b_counts, (str, bytes)):
        raise TypeError("a_counts and b_counts must be sequences of counts, not strings")
    a, b = np.asarray(a_counts, dtype=float), np.asarray(b_counts, dtype=float)
    if a.ndim != 1 or a.shape != b.shape or not np.isfinite(a + b).all() or (a < 0).any() or (b < 0).any():
        raise ValueError(f"need 1-d finite, non-negative counts of one length, got shapes {a.shape}, {b.shape}")
    m = a + b
    a, m = a[m > 0], m[m > 0]   # articles without a use say nothing about the share
    n, M = a.size, float(m.sum())
    if n == 0:
        return (np.nan, np.nan, np.nan, "none")
    p, z = float(a.sum() / M), float(norm.ppf(0.5 + level / 2))
    if n == 1:
        return (p, *wilson(a.sum(), M, level), "wilson")
    # linearised (ratio-estimator, cluster-robust) variance v; design effect v / (p(1-p)/M), times (t_{n-1} / z)^2
    # as v rests on only n articles, and at least 1: never narrower than the pooled Wilson interval
    v, t = float(n / (n - 1) * np.sum((a - p * m) ** 2) / M**2), float(student_t.ppf(0.5 + level / 2, n - 1))
    deff = max(1.0, v / (p * (1 - p) / M) * (t / z) ** 2) if v > 0 and 0 < p < 1 else 1.0
    return (p, *wilson(p * M / deff, M / deff, level), "wilson-deff")

def _clean(values) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[~np.isnan(x)]

def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean over articles (NaN dropped) with a Student-t interval; ``(mean, nan, nan)`` for one value, or for values
    that are all equal: a zero-width interval would claim certainty that no spread was there to measure."""
    x = _clean(values)
    mean = float(x.mean()) if x.size else np.nan
    if x.size < 2 or np.ptp(x) == 0:
        return (mean, np.nan, np.nan)
    half = float(student_t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return (mean, mean - half, mean + half)

def permutation_test(x, y, n_perm: int = 9999, seed: int = 0) -> tuple[float, float]:
    """Two-sided, seeded permutation test of mean(x) - mean(y), NaN dropped: ``(difference, p)``, p never 0."""
    x, y = _clean(x), _clean(y)
    if x.size == 0 or y.size == 0:
        return (np.nan, np.nan)
    obs, pooled, rng, hits = float(x.mean() - y.mean()), np.concatenate([x, y]), np.random.default_rng(seed), 0
    step = max(1, min(1000, 2 ** 22 // pooled.size))   # permutations at a time: at most 32 MB of them
    for done in range(0, n_perm, step):   # the draws are the same whatever the step: one row after another
        perm = np.tile(pooled, (min(step, n_perm - done), 1))
        rng.permuted(perm, axis=1, out=perm)
        diff = perm[:, :x.size].mean(axis=1) - perm[:, x.size:].mean(axis=1)
        hits += int(np.sum(np.abs(diff) >= abs(obs) - 1e-12 * max(1.0, abs(obs))))
    return (obs, (1 + hits) / (1 + n_perm))

def auc(x, y) -> float:
    """P(random x > random y), ties counting half (Mann-Whitney U / (n_x n_y)); NaN dropped."""
    x, y = _clean(x), _clean(y)
    u = rankdata(np.concatenate([x, y]))[:x.size].sum() - x.size * (x.size + 1) / 2
    return float(u / (x.size * y.size)) if x.size and y.size else np.nan

def cohens_d(x, y) -> float:
    """Cohen's d, (mean x - mean y) / pooled SD (ddof 1); NaN dropped; NaN if undefined or SD 0."""
    x, y = _clean(x), _clean(y)
    if x.size + y.size < 3 or x.size == 0 or y.size == 0:
        return np.nan
    sd = np.sqrt((((x - x.mean()) ** 2).sum() + ((y - y.mean()) ** 2).sum()) / (x.size + y.size - 2))
    return float((x.mean() - y.mean()) / sd) if sd > 0 else np.nan
