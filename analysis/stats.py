"""Intervals and group comparisons for per-article counts and scores; pure numpy/scipy, no resampling
except the seeded permutation test.

>>> [round(x, 4) for x in wilson(4, 5)]
[0.3755, 0.9638]
>>> [round(x, 3) for x in share_interval([21, 0, 0, 0], [0, 0, 0, 0])[:3]]  # all agree: pooled Wilson 21/21
[1.0, 0.845, 1.0]
"""
from __future__ import annotations

import numpy as np
from scipy.stats import norm, rankdata, t as student_t

NAN = float("nan")


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson (1927) score bounds for an observed share ``p`` out of ``n`` (``n`` may be fractional)."""
    d = 1 + z * z / n
    centre, half = (p + z * z / (2 * n)) / d, z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (0.0 if p == 0 else max(0.0, float(centre - half)), 1.0 if p == 1 else min(1.0, float(centre + half)))


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials; ``(nan, nan)`` when ``n == 0``."""
    if n == 0:
        return (NAN, NAN)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    return _wilson(k / n, n, float(norm.ppf(0.5 + level / 2)))


def _counts(x, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of counts, not a string")
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError(f"{name} must be a 1-d sequence of finite, non-negative counts")
    return x


def share_interval(a_counts, b_counts, level: float = 0.95) -> tuple[float, float, float, str]:
    """Share ``sum(a) / (sum(a) + sum(b))`` of uses pooled over articles, with a cluster-aware interval.

    ``a_counts[i]``, ``b_counts[i]``: uses of variants A and B in article ``i``. Uses within one article
    are not independent, so the interval is a Wilson (1927) interval on an *effective* number of uses
    (Kish 1965; Korn & Graubard 1998, Survey Methodology 24:193-201): with ``m_i = a_i + b_i``,
    ``M = sum m_i`` and ``n`` articles with ``m_i > 0``, the linearised (ratio-estimator, cluster-robust)
    variance ``v = n/(n-1) * sum((a_i - p m_i)^2) / M^2``, the design effect ``deff = v / (p(1-p)/M)``,
    and Korn & Graubard's degrees-of-freedom correction ``deff_df = deff * (t_{n-1} / z)^2``, since ``v``
    itself rests on only ``n`` articles. ``n_eff = M / max(1, deff_df)`` is capped at ``M``, so the
    interval is never narrower than the pooled Wilson interval; with one article, or when every article
    agrees (``v = 0``), it *is* the pooled Wilson interval, and it never has zero width.
    Returns ``(share, low, high, method)``; method is ``"none"`` (no uses: NaNs), ``"wilson"`` (one
    article) or ``"wilson-deff"``. One article cannot show between-article variation: its interval is
    about that article's usage and undercovers an outlet-level share when articles differ.

    >>> share, low, high, method = share_interval([3, 0], [1, 4])  # articles disagree: wider than pooled
    >>> round(share, 3), method, high - low > wilson(3, 8)[1] - wilson(3, 8)[0]
    (0.375, 'wilson-deff', True)
    """
    a, b = _counts(a_counts, "a_counts"), _counts(b_counts, "b_counts")
    if a.shape != b.shape:
        raise ValueError(f"a_counts and b_counts differ in length: {a.size} vs {b.size}")
    m = a + b
    a, m = a[m > 0], m[m > 0]
    n, M = a.size, float(m.sum())
    if n == 0:
        return (NAN, NAN, NAN, "none")
    p = float(a.sum() / M)
    z = float(norm.ppf(0.5 + level / 2))
    if n == 1:
        return (p, *_wilson(p, M, z), "wilson")
    v = float(n / (n - 1) * np.sum((a - p * m) ** 2) / M**2)
    deff = 1.0
    if v > 0 and 0 < p < 1:
        deff = max(1.0, v / (p * (1 - p) / M) * (float(student_t.ppf(0.5 + level / 2, n - 1)) / z) ** 2)
    return (p, *_wilson(p, M / deff, z), "wilson-deff")


def _clean(values) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[~np.isnan(x)]


def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean over articles (NaN dropped) with a Student-t interval; ``(mean, nan, nan)`` for one value.

    >>> [round(x, 3) for x in mean_interval([1.0, 3.0])]  # 2 +- t(0.975, 1) * sqrt(2) / sqrt(2)
    [2.0, -10.706, 14.706]
    """
    x = _clean(values)
    if x.size == 0:
        return (NAN, NAN, NAN)
    mean = float(x.mean())
    if x.size == 1:
        return (mean, NAN, NAN)
    half = float(student_t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return (mean, mean - half, mean + half)


def permutation_test(x, y, n_perm: int = 9999, seed: int = 0) -> tuple[float, float]:
    """Two-sided permutation test of ``mean(x) - mean(y)`` (NaN dropped); ``(difference, p_value)``.

    ``p = (1 + #{|permuted difference| >= |observed|}) / (1 + n_perm)``, seeded, so never 0.

    >>> d, p = permutation_test([5, 6, 7], [1, 2, 3], n_perm=999)
    >>> d, 0 < p < 0.2
    (4.0, True)
    """
    x, y = _clean(x), _clean(y)
    if x.size == 0 or y.size == 0:
        return (NAN, NAN)
    obs = float(x.mean() - y.mean())
    pooled, rng, hits, done = np.concatenate([x, y]), np.random.default_rng(seed), 0, 0
    while done < n_perm:
        k = min(1000, n_perm - done)
        perm = rng.permuted(np.tile(pooled, (k, 1)), axis=1)
        diff = perm[:, : x.size].mean(axis=1) - perm[:, x.size:].mean(axis=1)
        hits += int(np.sum(np.abs(diff) >= abs(obs) - 1e-12 * max(1.0, abs(obs))))
        done += k
    return (obs, (1 + hits) / (1 + n_perm))


def auc(x, y) -> float:
    """P(random x > random y), ties counting half: Mann-Whitney U / (n_x n_y); NaN dropped.

    >>> auc([3, 4], [1, 2]), auc([1, 2], [1, 2])
    (1.0, 0.5)
    """
    x, y = _clean(x), _clean(y)
    if x.size == 0 or y.size == 0:
        return NAN
    u = rankdata(np.concatenate([x, y]))[: x.size].sum() - x.size * (x.size + 1) / 2
    return float(u / (x.size * y.size))


def cohens_d(x, y) -> float:
    """Cohen's d, ``(mean x - mean y) / pooled SD`` (ddof 1); NaN dropped; NaN if undefined or SD 0.

    >>> cohens_d([1, 2, 3], [3, 4, 5])
    -2.0
    """
    x, y = _clean(x), _clean(y)
    if x.size + y.size < 3 or x.size == 0 or y.size == 0:
        return NAN
    ss = ((x - x.mean()) ** 2).sum() + ((y - y.mean()) ** 2).sum()
    sd = np.sqrt(ss / (x.size + y.size - 2))
    return float((x.mean() - y.mean()) / sd) if sd > 0 else NAN
