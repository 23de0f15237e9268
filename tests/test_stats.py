import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from analysis import stats

Z = 1.959963984540054
T1 = 12.706204736174705  # t(0.975, 1 df)


def test_wilson_four_of_five_matches_hand_formula():
    # Wilson (1927): centre = (p + z²/2n) / (1 + z²/n), half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)
    # p = 0.8, n = 5, z = 1.959964, z² = 3.841459 -> denom 1.768292, centre 0.669656, half 0.294116
    # -> (0.375540, 0.963772)
    low, high = stats.wilson(4, 5)
    assert low == pytest.approx(0.375540, abs=1e-5)
    assert high == pytest.approx(0.963772, abs=1e-5)


def test_wilson_edges():
    assert all(math.isnan(x) for x in stats.wilson(0, 0))
    low, high = stats.wilson(0, 4)  # z²/(n+z²) = 3.841459 / 7.841459 = 0.489891
    assert low == 0.0
    assert high == pytest.approx(0.489891, abs=1e-5)
    assert stats.wilson(2, 4)[0] == pytest.approx(1 - stats.wilson(2, 4)[1])  # symmetric at p = 0.5


def test_share_all_articles_agree_is_pooled_wilson_not_a_point():
    # the old bootstrap gave [1, 1] for 21/0 over 4 articles and [0, 0] for 0/54 over 22
    share, low, high, method = stats.share_interval([10, 6, 3, 2], [0, 0, 0, 0])
    assert (share, method) == (1.0, "wilson-deff")
    assert (low, high) == stats.wilson(21, 21)
    assert low == pytest.approx(21 / (21 + Z**2), abs=1e-9)  # ≈ 0.8454 by hand
    assert low == pytest.approx(0.8454, abs=1e-4) and high == 1.0
    share, low, high, _ = stats.share_interval(np.zeros(22), np.full(22, 54 / 22))
    assert share == 0.0 and low == 0.0 and high == pytest.approx(Z**2 / (54 + Z**2))
    # more articles that agree never look *more* certain than fewer uses would
    assert stats.share_interval([3], [0])[1] < stats.share_interval([4, 4], [0, 0])[1] < 1


def test_share_one_article_is_wilson():
    assert stats.share_interval([4], [1]) == (0.8, *stats.wilson(4, 5), "wilson")
    assert stats.share_interval(np.array([0, 4, 0]), np.array([0, 1, 0]))[3] == "wilson"  # empty articles ignored


def test_share_disagreeing_articles_are_wider_than_pooled_wilson_by_hand():
    a, b = [5, 0, 5, 0], [0, 5, 0, 5]  # p = 0.5, M = 20, n = 4
    share, low, high, method = stats.share_interval(a, b)
    # v = 4/3 * 4 * 2.5² / 20² = 1/12; srs = 0.25/20 = 1/80; deff = 80/12 = 6.667
    # df-corrected deff = 6.667 * (t(0.975, 3) / z)² = 6.667 * (3.182446 / 1.959964)² = 17.576
    deff = 80 / 12 * (3.182446305284263 / Z) ** 2
    assert (share, method) == (0.5, "wilson-deff")
    assert (low, high) == pytest.approx(stats.wilson(0.5 * 20 / deff, 20 / deff))
    wl, wh = stats.wilson(10, 20)
    assert low < wl and high > wh


def test_share_input_checks_and_no_uses():
    assert all(math.isnan(x) for x in stats.share_interval([0, 0], [0, 0])[:3])
    assert stats.share_interval([], [])[3] == "none"
    with pytest.raises(ValueError):
        stats.share_interval([1], [1, 2])
    with pytest.raises(ValueError):
        stats.share_interval([1, -1], [1, 2])
    with pytest.raises(TypeError):
        stats.share_interval("12", "34")
    assert stats.share_interval((2, 1), np.array([1, 2])) == stats.share_interval([2, 1], [1, 2])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=10))
def test_share_interval_brackets_share_and_never_narrower_than_pooled_wilson(pairs):
    a, b = zip(*pairs)
    share, low, high, method = stats.share_interval(a, b)
    if sum(a) + sum(b) == 0:
        assert math.isnan(share) and method == "none"
        return
    wl, wh = stats.wilson(sum(a), sum(a) + sum(b))
    assert share == pytest.approx(sum(a) / (sum(a) + sum(b)))
    assert 0 <= low <= share <= high <= 1 and low < high
    assert low <= wl + 1e-12 and high >= wh - 1e-12


def test_mean_interval_by_hand():
    mean, low, high = stats.mean_interval([1.0, np.nan, 3.0])  # sd = sqrt(2), se = 1
    assert mean == 2.0
    assert (low, high) == pytest.approx((2 - T1, 2 + T1))
    assert stats.mean_interval([4.0])[0] == 4.0 and math.isnan(stats.mean_interval([4.0])[1])
    assert all(math.isnan(x) for x in stats.mean_interval([np.nan]))
    assert stats.mean_interval([0.0, 0.0, 0.0])[0] == 0.0   # no spread: no interval, never a zero-width one
    assert all(math.isnan(x) for x in stats.mean_interval([0.0, 0.0, 0.0])[1:])


def test_group_comparisons():
    assert stats.auc([3, 4], [1, 2]) == 1.0 and stats.auc([1, 2], [3, 4]) == 0.0
    assert stats.auc([1, 2, np.nan], [2, 1]) == 0.5
    assert stats.cohens_d([1, 2, 3], [3, 4, 5]) == pytest.approx(-2.0)
    assert math.isnan(stats.cohens_d([1], []))
    d, p = stats.permutation_test([5, 6, 7, np.nan], [1, 2, 3], n_perm=2000, seed=3)
    assert d == 4.0 and 0 < p <= 1
    # 20 distinct splits, 2 of which are as extreme: p ≈ 0.1
    assert p == pytest.approx(0.1, abs=0.02)
    assert stats.permutation_test([5, 6, 7], [1, 2, 3], n_perm=2000, seed=3) == (d, p)
    assert stats.permutation_test([1, 2], [1, 2], n_perm=99) == (0.0, 1.0)
    # large groups are permuted a few rows at a time (bounded memory): the same draws as one row after another
    x, y = np.random.default_rng(1).normal(size=(2, 6000))
    rng, pooled, obs = np.random.default_rng(4), np.concatenate([x, y]), x.mean() - y.mean()
    hits = sum(abs(q[:6000].mean() - q[6000:].mean()) >= abs(obs) - 1e-12 for q in (rng.permuted(pooled)
                                                                                   for _ in range(1500)))
    assert stats.permutation_test(x, y, n_perm=1500, seed=4) == (obs, (1 + hits) / 1501)


def _simulate(rng, p, icc, n_articles, reps, mean_uses=5.0, nb_size=2.0):
    """Coverage and mean width of nominal 95% share intervals under a beta-binomial article model."""
    hits, widths = 0, 0.0
    done = 0
    while done < reps:
        theta = np.full(n_articles, p) if icc == 0 else rng.beta(p * (1 / icc - 1), (1 - p) * (1 / icc - 1), n_articles)
        uses = rng.negative_binomial(nb_size, nb_size / (nb_size + mean_uses), n_articles)
        if uses.sum() == 0:
            continue  # conditional on at least one use
        a = rng.binomial(uses, theta)
        _, low, high, _ = stats.share_interval(a, uses - a)
        hits += low <= p <= high
        widths += high - low
        done += 1
    return hits / reps, widths / reps


def test_share_interval_coverage_simulation():
    rng = np.random.default_rng(20240601)
    coverages = []
    for icc in (0.0, 0.1, 0.3):
        for p in (0.2, 0.5, 0.9):
            for n in (1, 2, 5, 10, 30):
                if icc == 0.3 and n == 1:
                    continue  # one article cannot reveal between-article spread: see share_interval's docstring
                cov, width = _simulate(rng, p, icc, n, reps=400)
                coverages.append(cov)
                floor = 0.85 if (n == 1 and icc > 0) else (0.86 if icc == 0.3 else 0.90)
                assert cov >= floor, (icc, p, n, cov, width)
    assert 0.92 <= np.mean(coverages) <= 0.985
