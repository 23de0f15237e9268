import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from analysis import stats


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
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(0.489891, abs=1e-5)
    assert stats.wilson(2, 4)[0] == pytest.approx(1 - stats.wilson(2, 4)[1])  # symmetric at p = 0.5


def test_bootstrap_ratio_point_and_seed():
    share, low, high = stats.bootstrap_ratio([2, 0, 1], [0, 3, 1], n_boot=1000, seed=1)
    assert share == pytest.approx(3 / 7)
    assert 0 <= low <= share <= high <= 1
    assert stats.bootstrap_ratio([2, 0, 1], [0, 3, 1], n_boot=1000, seed=1) == (share, low, high)


def test_bootstrap_ratio_undefined_and_degenerate():
    assert all(math.isnan(x) for x in stats.bootstrap_ratio([0, 0], [0, 0]))
    assert all(math.isnan(x) for x in stats.bootstrap_ratio([], []))
    assert stats.bootstrap_ratio([1, 2], [0, 0]) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        stats.bootstrap_ratio([1], [1, 2])


def test_bootstrap_mean():
    mean, low, high = stats.bootstrap_mean([0.0, 1.0, np.nan, 2.0], n_boot=500, seed=0)
    assert mean == pytest.approx(1.0)
    assert 0.0 <= low < 1.0 < high <= 2.0
    assert all(math.isnan(x) for x in stats.bootstrap_mean([]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=8))
def test_bootstrap_ratio_interval_brackets_share(pairs):
    a, b = zip(*pairs)
    share, low, high = stats.bootstrap_ratio(a, b, n_boot=200, seed=0)
    if sum(a) + sum(b) == 0:
        assert math.isnan(share)
    else:
        assert 0 <= low <= high <= 1
        assert share == pytest.approx(sum(a) / (sum(a) + sum(b)))
