"""Coverage and mean width of nominal 95% intervals for a contested-pair share A / (A + B) per outlet.

    .venv/bin/python benchmarks/coverage_simulation.py [--reps 2000] [--seed 1] [--n-boot 1000]

Model (seeded): an outlet publishes articles; article i has its own share theta_i ~ Beta with mean p and
intra-class correlation ICC (theta_i = p when ICC = 0), and m_i ~ NegBin(mean 5, size 2) uses of the
pair, of which a_i ~ Binomial(m_i, theta_i) use variant A. The target is p. Replications with no use at
all are redrawn (coverage is conditional on at least one use), as the notebook reports NaN there.

Intervals compared:
  new        analysis.stats.share_interval: Wilson on a Korn-Graubard df-adjusted effective sample size
  deff-z     the same without the degrees-of-freedom correction (design-effect Wilson with z)
  bootstrap  the former method: Wilson for one article, percentile bootstrap over articles from two up
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from analysis.stats import share_interval, wilson  # noqa: E402

Z = float(norm.ppf(0.975))


def deff_z(a, b):
    """Design-effect-adjusted Wilson without the t correction (the simpler variant)."""
    m = a + b
    a, m = a[m > 0], m[m > 0]
    n, M = a.size, m.sum()
    p = a.sum() / M
    if n == 1 or p in (0, 1):
        return wilson(a.sum(), M)
    v = n / (n - 1) * np.sum((a - p * m) ** 2) / M**2
    neff = M / max(1.0, v / (p * (1 - p) / M))
    d = 1 + Z * Z / neff
    c, h = (p + Z * Z / (2 * neff)) / d, Z * np.sqrt(p * (1 - p) / neff + Z * Z / (4 * neff**2)) / d
    return max(0.0, c - h), min(1.0, c + h)


def old_bootstrap(a, b, rng, n_boot):
    """The removed analysis.stats.bootstrap_ratio as pair_shares used it (Wilson for one article)."""
    if a.size == 1:
        return wilson(a.sum(), a.sum() + b.sum())
    idx = rng.integers(0, a.size, size=(n_boot, a.size))
    sa, sb = a[idx].sum(axis=1), b[idx].sum(axis=1)
    keep = sa + sb > 0
    low, high = np.percentile(sa[keep] / (sa[keep] + sb[keep]), [2.5, 97.5])
    return low, high


def draw(rng, p, icc, n):
    while True:
        theta = np.full(n, p) if icc == 0 else rng.beta(p * (1 / icc - 1), (1 - p) * (1 / icc - 1), n)
        m = rng.negative_binomial(2, 2 / 7, n)  # mean 5
        if m.sum() > 0:
            a = rng.binomial(m, theta)
            return a, m - a


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args(argv)
    rng, boot_rng = np.random.default_rng(args.seed), np.random.default_rng(args.seed + 1)
    methods = ("new", "deff-z", "bootstrap")
    t0 = time.time()
    print(f"nominal 95%, {args.reps} replications per row, bootstrap {args.n_boot} resamples, seed {args.seed}")
    print("coverage (mean width); 'zero-w' = share of bootstrap intervals with zero width")
    print(f"{'ICC':>4} {'p':>4} {'art':>4} | " + " | ".join(f"{m:^14}" for m in methods) + " | zero-w")
    worst = {m: 1.0 for m in methods}
    for icc in (0.0, 0.1, 0.3, 0.6):
        for p in (0.2, 0.5, 0.9):
            for n in (1, 2, 5, 10, 30):
                cover = {m: 0 for m in methods}
                width = {m: 0.0 for m in methods}
                zero = 0
                for _ in range(args.reps):
                    a, b = draw(rng, p, icc, n)
                    ivs = {"new": share_interval(a, b)[1:3], "deff-z": deff_z(a, b),
                           "bootstrap": old_bootstrap(a, b, boot_rng, args.n_boot)}
                    for m, (lo, hi) in ivs.items():
                        cover[m] += lo <= p <= hi
                        width[m] += hi - lo
                    zero += ivs["bootstrap"][1] - ivs["bootstrap"][0] == 0
                for m in methods:
                    worst[m] = min(worst[m], cover[m] / args.reps) if n > 1 else worst[m]
                cells = " | ".join(f"{cover[m] / args.reps:.3f} ({width[m] / args.reps:.2f})" for m in methods)
                print(f"{icc:>4} {p:>4} {n:>4} | {cells} | {zero / args.reps:.3f}", flush=True)
    print("worst coverage with 2+ articles: " + ", ".join(f"{m} {worst[m]:.3f}" for m in methods))
    print(f"{time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
