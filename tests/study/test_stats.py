"""Seed statistics against independent references: scipy's t quantile by hand and
statsmodels' own t-interval."""

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.weightstats import DescrStatsW

from seqkit.study.summary import mean_ci, paired_difference, paired_ratio

VALUES = [10.2, 9.8, 10.5, 10.1, 9.9]


def test_t_interval_matches_hand_computation_and_statsmodels():
    ci = mean_ci(VALUES)
    x = np.array(VALUES)
    half = sps.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    assert ci["mean"] == pytest.approx(x.mean())
    assert ci["std"] == pytest.approx(x.std(ddof=1))
    assert (ci["low"], ci["high"]) == pytest.approx((x.mean() - half, x.mean() + half))
    assert (ci["low"], ci["high"]) == pytest.approx(DescrStatsW(x).tconfint_mean(0.05))


def test_ninety_percent_interval_and_missing_values():
    ci = mean_ci([*VALUES, None, float("nan")], confidence=0.90)
    assert ci["n"] == 5
    assert (ci["low"], ci["high"]) == pytest.approx(DescrStatsW(np.array(VALUES))
                                                    .tconfint_mean(0.10))


def test_paired_ratio_is_the_t_interval_of_log_ratios():
    gru, lstm = [0.8, 0.9, 0.75, 0.85], [1.0, 1.1, 0.95, 1.0]
    r = paired_ratio(gru, lstm)
    logs = np.log(np.array(gru) / np.array(lstm))
    low, high = DescrStatsW(logs).tconfint_mean(0.05)
    assert r["ratio"] == pytest.approx(math.exp(logs.mean()))
    assert (r["low"], r["high"]) == pytest.approx((math.exp(low), math.exp(high)))
    assert r["ratios"] == pytest.approx(list(np.array(gru) / np.array(lstm)))


def test_paired_ratio_drops_incomplete_pairs_and_difference_pairs_by_position():
    r = paired_ratio([2.0, None, 3.0], [1.0, 1.0, 0.0])
    assert r["n"] == 1 and r["ratio"] == 2.0 and r["low"] is None
    d = paired_difference([0.9, 0.8, 0.7], [0.8, 0.8, 0.8])
    assert d["values"] == pytest.approx([0.1, 0.0, -0.1]) and d["mean"] == pytest.approx(0.0)
