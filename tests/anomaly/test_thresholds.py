"""seqkit.anomaly.thresholds against NumPy, scikit-learn, aeon, pandas and telemanom's logic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from seqkit.anomaly.thresholds import (
    RANGE_CANDIDATES,
    apply_threshold,
    best_f1_threshold,
    dynamic_threshold,
    quantile_threshold,
)
from seqkit.errors import ConfigError, DataError

# --------------------------------------------------------------------------- simple ones


def test_quantile_threshold_by_hand():
    values = np.arange(101.0)  # 0..100: the q-quantile is 100 q exactly
    assert quantile_threshold(values, q=0.99) == pytest.approx(99.0)
    assert quantile_threshold(values, q=0.0) == 0.0
    assert quantile_threshold(values, q=1.0) == 100.0
    # 4 values 1, 2, 3, 10: position q (n - 1) = 0.5 * 3 = 1.5 -> halfway from 2 to 3
    assert quantile_threshold([10.0, 1.0, 3.0, 2.0], q=0.5) == 2.5
    # with the default q = 0.99 on anomaly-free data about 1 % of new scores lie above
    rng = np.random.default_rng(0)
    t = quantile_threshold(rng.normal(size=20000))
    assert 0.007 < np.mean(apply_threshold(rng.normal(size=20000), t)) < 0.013


def test_apply_threshold_is_strict():
    np.testing.assert_array_equal(apply_threshold([1.0, 2.0, 3.0], 2.0), [False, False, True])
    np.testing.assert_array_equal(apply_threshold([1.0, 2.0, 3.0], [0.5, 2.5, 3.0]),
                                  [True, False, False])


@pytest.mark.parametrize("call, error, words", [
    (lambda: quantile_threshold([1.0, np.nan]), DataError,
     "val_scores[1] must be a finite number, got nan"),
    (lambda: quantile_threshold([], q=0.5), DataError,
     "val_scores must be a non-empty 1-D array, got shape (0,)"),
    (lambda: quantile_threshold([1.0], q=-0.1), ConfigError, "q must be a number in [0, 1]"),
    (lambda: best_f1_threshold([0.1, 0.2], [0, 1], metric="pa"), ConfigError,
     "metric must be one of ('range', 'point'), got 'pa'"),
    (lambda: best_f1_threshold([0.1, 0.2], [0, 1, 0]), DataError,
     "val_labels must have the length of the series (2), got 3 values"),
    (lambda: best_f1_threshold([0.1, 0.2], [0, 3]), DataError,
     "val_labels[1] must be 0 or 1, got 3"),
    (lambda: apply_threshold([np.inf], 0.5), DataError, "scores[0] must be a finite number"),
    (lambda: dynamic_threshold([0.1, -0.2, 0.3]), DataError,
     "errors[1] must be a non-negative number (an absolute error), got -0.2"),
    (lambda: dynamic_threshold([0.1, 0.2], window=1), ConfigError,
     "window must be None or an integer >= 2, got 1"),
    (lambda: dynamic_threshold([0.1, 0.2], window=5, step=6), ConfigError,
     "step must be an integer <= window (5), got 6"),
    (lambda: dynamic_threshold([0.1, 0.2], z_range=(3.0, 2.0)), ConfigError,
     "z_range must be a pair with z_min <= z_max, got (3.0, 2.0)"),
    (lambda: dynamic_threshold([0.1, 0.2], min_decrease=1.5), ConfigError,
     "min_decrease must be a number in [0, 1], got 1.5"),
    (lambda: dynamic_threshold([0.1, 0.2], smoothing=0), ConfigError,
     "smoothing must be None or an integer >= 1, got 0"),
])
def test_bad_input_names_the_value(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


# --------------------------------------------------------------------------- best F1


def scored_series(seed, n=600, decimals=None):
    """Noise scores with three labelled bursts, partly above the noise."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(n, dtype=int)
    scores = rng.random(n)
    for start, length in ((100, 20), (300, 8), (450, 30)):
        labels[start:start + length] = 1
        scores[start:start + length] += rng.random(length) * 0.8
    return (np.round(scores, decimals) if decimals else scores), labels


def brute_force_best(scores, candidates, f1_of):
    """Every candidate, ascending; ties to the highest threshold."""
    best, best_f1 = None, -1.0
    for t in np.sort(candidates):
        f1 = f1_of(scores > t)
        if f1 >= best_f1:
            best, best_f1 = t, f1
    return best, best_f1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_point_f1_matches_brute_force_with_sklearn(seed):
    scores, labels = scored_series(seed, decimals=2)  # many ties among the values
    expected, _ = brute_force_best(scores, np.unique(scores),
                                   lambda flags: f1_score(labels, flags, zero_division=0))
    assert best_f1_threshold(scores, labels, metric="point") == expected


def test_best_point_f1_ties_go_to_the_highest_threshold():
    # flags for t = 0.5 and t = 0.6 are the same two points (0.7, 0.9): F1 1 for both
    # candidates 0.5 and 0.6 -> the highest, 0.6 (0.5 is also a score, nothing between)
    scores = [0.1, 0.5, 0.6, 0.7, 0.9]
    labels = [0, 0, 0, 1, 1]
    assert best_f1_threshold(scores, labels, metric="point") == 0.6
    # all scores equal: the only candidate flags nothing (F1 0); it is still returned
    assert best_f1_threshold([0.3, 0.3], [0, 1], metric="point") == 0.3


def aeon_range_f1(labels):
    from aeon.benchmarking.metrics.anomaly_detection import range_f_score

    # range_scores' defaults: alpha 0 for both, gamma 1, flat bias
    return lambda flags: range_f_score(labels, flags.astype(int), p_alpha=0.0, r_alpha=0.0,
                                       cardinality="one", p_bias="flat", r_bias="flat")


@pytest.mark.filterwarnings("ignore:Cannot compute metric")  # aeon: no flag -> 0, as ours
@pytest.mark.parametrize("seed", [0, 3])
def test_best_range_f1_matches_brute_force_with_aeon(seed):
    scores, labels = scored_series(seed, decimals=2)
    assert np.unique(scores).size <= RANGE_CANDIDATES  # every distinct value is a candidate
    expected, _ = brute_force_best(scores, np.unique(scores), aeon_range_f1(labels))
    assert best_f1_threshold(scores, labels) == expected
    assert best_f1_threshold(scores, [(100, 119), (300, 307), (450, 479)]) == expected


@pytest.mark.filterwarnings("ignore:Cannot compute metric")
def test_best_range_f1_over_quantile_candidates():
    scores, labels = scored_series(5)  # 600 distinct values > 200
    grid = np.quantile(scores, np.linspace(0, 1, RANGE_CANDIDATES), method="lower")
    expected, best = brute_force_best(scores, np.unique(grid), aeon_range_f1(labels))
    got = best_f1_threshold(scores, labels)
    assert got == expected and got in scores
    # the full search over all 600 values can only do as well or better
    _, full = brute_force_best(scores, np.unique(scores), aeon_range_f1(labels))
    assert full >= best


# --------------------------------------------------------------------------- EWMA


@pytest.mark.parametrize("span", [1, 7, 105])
def test_smoothing_is_pandas_ewm(span):
    errors = np.abs(np.random.default_rng(span).normal(size=500))
    result = dynamic_threshold(errors, smoothing=span)
    expected = pd.Series(errors).ewm(span=span).mean().to_numpy()
    np.testing.assert_allclose(result.smoothed, expected, rtol=1e-12, atol=1e-15)
    assert dynamic_threshold(errors).span == 25  # int(0.05 * 500), telemanom's rule


# --------------------------------------------------------------------------- telemanom
#
# An independent reference: a compact re-implementation of telemanom's ErrorWindow and
# Errors.process_batches (github.com/khundman/telemanom, telemanom/errors.py, commit
# 2e6c5b6; Copyright (c) 2018, California Institute of Technology, BSD-style licence),
# keeping its control flow and quirks: e_s >= epsilon, its guardrails (<= 5 sequences,
# < half the window flagged), one-point groups left out of E_seq, pruning by resetting a
# removal list. Set to the settings dynamic_threshold covers: error_buffer = 0 (its
# find_epsilon pads by error_buffer - 1, compare_to_epsilon by error_buffer: both
# nothing), no inverted errors, no checks of the errors' scale against the raw values
# (no values here), num_to_ignore = 0 (telemanom's value for series < 1800 points),
# and the z grid / default z passed in (telemanom: np.arange(2.5, 12, 0.5), default 12).


def tm_groups(indices):
    """more_itertools.consecutive_groups, as lists."""
    groups = []
    for i in indices:
        if groups and i == groups[-1][-1] + 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def tm_sequences(i_anom, one_point):
    """E_seq: telemanom leaves one-point groups out (``one_point=False``); the paper not."""
    return [(g[0], g[-1]) for g in tm_groups(i_anom) if one_point or not g[0] == g[-1]]


def tm_find_epsilon(e_s, zs, sd_lim, one_point):
    mean_e_s, sd_e_s = np.mean(e_s), np.std(e_s)
    epsilon, max_score = mean_e_s + sd_lim * sd_e_s, -10000000
    for z in zs:
        eps = mean_e_s + sd_e_s * z
        pruned_e_s = e_s[e_s < eps]
        i_anom = np.argwhere(e_s >= eps).reshape(-1)
        if len(i_anom) > 0:
            E_seq = tm_sequences(i_anom, one_point)
            mean_perc_decrease = (mean_e_s - np.mean(pruned_e_s)) / mean_e_s
            sd_perc_decrease = (sd_e_s - np.std(pruned_e_s)) / sd_e_s
            score = (mean_perc_decrease + sd_perc_decrease) / (len(E_seq) ** 2 + len(i_anom))
            if score >= max_score and len(E_seq) <= 5 and len(i_anom) < len(e_s) * 0.5:
                max_score, epsilon = score, mean_e_s + z * sd_e_s
    return epsilon


def tm_compare_and_prune(e_s, epsilon, window_num, batch_size, prior_anom, batch_position,
                         p, one_point):
    """compare_to_epsilon then prune_anoms; returns the window's kept indices."""
    i_anom = np.argwhere(e_s >= epsilon).reshape(-1)
    if len(i_anom) == 0:
        return i_anom
    if window_num > 0:
        i_anom = i_anom[i_anom >= len(e_s) - batch_size]
    i_anom = np.sort(np.unique(i_anom))
    window_indices = np.setdiff1d(np.arange(len(e_s)) + batch_position,
                                  np.append(prior_anom, i_anom + batch_position))
    non_anom_max = np.max(np.take(e_s, np.unique(window_indices - batch_position)))
    E_seq = tm_sequences(i_anom, one_point)
    if len(E_seq) == 0:
        return i_anom
    E_seq_max = np.array([max(e_s[e[0]:e[1] + 1]) for e in E_seq])
    E_seq_max_sorted = np.append(np.sort(E_seq_max)[::-1], [non_anom_max])
    i_to_remove = np.array([])
    for i in range(0, len(E_seq_max_sorted) - 1):
        if (E_seq_max_sorted[i] - E_seq_max_sorted[i + 1]) / E_seq_max_sorted[i] < p:
            i_to_remove = np.append(i_to_remove, np.argwhere(E_seq_max == E_seq_max_sorted[i]))
        else:
            i_to_remove = np.array([])
    E_seq = np.delete(np.array(E_seq), i_to_remove.astype(int), axis=0)
    if len(E_seq) == 0:
        return np.array([], dtype=int)
    keep = np.concatenate([range(e[0], e[-1] + 1) for e in E_seq])
    return i_anom[np.isin(i_anom, keep)]


def telemanom(errors, span, zs, sd_lim, p=0.13, window=None, batch_size=None, one_point=True):
    """Flags and per-window epsilons; window=None: one window (n_windows = 0)."""
    e_s = pd.DataFrame(errors).ewm(span=span).mean().values.flatten()
    n = len(e_s)
    window = window or n
    batch_size = batch_size or window
    n_windows = int((n - window) / batch_size)
    flags, epsilons = np.array([], dtype=int), []
    for i in range(0, n_windows + 1):
        prior_idx = i * batch_size
        idx = n if i == n_windows else window + i * batch_size
        window_e_s = e_s[prior_idx:idx]
        epsilon = tm_find_epsilon(window_e_s, zs, sd_lim, one_point)
        epsilons.append(epsilon)
        kept = tm_compare_and_prune(window_e_s, epsilon, i, batch_size, flags, prior_idx, p,
                                    one_point)
        flags = np.append(flags, kept + prior_idx).astype(int)
    out = np.zeros(n, dtype=bool)
    out[flags] = True
    return out, epsilons


ZS = np.arange(2.0, 10.01, 0.5)  # dynamic_threshold's default grid, both ends included


def spiky_errors(seed, n=1500, spikes=((300, 25, 2.0), (800, 15, 2.0), (1200, 30, 2.0))):
    """|N(0, 0.1)| errors with bursts (start, length, height), heights within +10 %."""
    rng = np.random.default_rng(seed)
    errors = np.abs(rng.normal(0.0, 0.1, n))
    for start, length, height in spikes:
        errors[start:start + length] += height * (1 + 0.1 * rng.random(length))
    return errors


def assert_same_as_telemanom(errors, span, **kwargs):
    result = dynamic_threshold(errors, smoothing=span, **kwargs)
    flags, epsilons = telemanom(errors, span, ZS, sd_lim=ZS[-1], window=kwargs.get("window"),
                                batch_size=kwargs.get("step"))
    np.testing.assert_array_equal(result.flags, flags)
    assert result.threshold == pytest.approx(epsilons[-1], rel=1e-12)
    return result, epsilons


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_spikes_match_telemanom(seed):
    errors = spiky_errors(seed)
    result, _ = assert_same_as_telemanom(errors, span=10)
    # three sequences, one per burst (the smoothed errors lag: each starts a few points in)
    assert len(result.sequences) == 3
    for (start, end), (burst, length) in zip(result.sequences, ((300, 25), (800, 15),
                                                               (1200, 30))):
        assert burst <= start < end <= burst + length + 10
    assert np.all(result.thresholds == result.threshold)


def test_only_the_tallest_burst_when_one_stands_out():
    # bursts of 2.0, 1.2 and 3.0: the criterion's |E_seq|^2 penalty picks a threshold
    # above the two smaller ones (the paper's method, reproduced by telemanom's logic)
    errors = spiky_errors(0, spikes=((300, 25, 2.0), (800, 15, 1.2), (1200, 30, 3.0)))
    result, _ = assert_same_as_telemanom(errors, span=10)
    assert len(result.sequences) == 1 and 1200 <= result.sequences[0][0] < 1230


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_no_anomaly_matches_telemanom(seed):
    errors = np.abs(np.random.default_rng(100 + seed).normal(0.0, 0.1, 1500))
    result, _ = assert_same_as_telemanom(errors, span=10)
    if seed < 4:  # some candidate flagged points above mu + z sigma, pruning dropped them
        assert (result.smoothed > result.threshold).any()
    assert not result.flags.any() and result.sequences == []


def test_telemanoms_one_point_groups_escape_pruning():
    # The deviation kept out of dynamic_threshold: telemanom leaves one-point groups out of
    # E_seq, so when only such points lie above epsilon prune_anoms returns early and they
    # stay flagged. On these anomaly-free series its code flags a few isolated points
    # that dynamic_threshold (the paper: a single point is a sequence) prunes.
    for seed in range(4):
        errors = np.abs(np.random.default_rng(100 + seed).normal(0.0, 0.1, 1500))
        original, _ = telemanom(errors, 10, ZS, ZS[-1], one_point=False)
        assert original.any()
        isolated = original & ~np.roll(original, 1) & ~np.roll(original, -1)
        np.testing.assert_array_equal(original, isolated)
        assert not dynamic_threshold(errors, smoothing=10).flags.any()


@pytest.mark.parametrize("seed", [1, 2])
def test_small_bump_is_pruned_like_telemanom(seed):
    # noise with a bump of +0.08 over 20 points: its smoothed peak passes epsilon, but lies
    # within 13 % of the largest nominal smoothed error, so it is reclassified as nominal.
    errors = spiky_errors(seed, spikes=((1000, 20, 0.08),))
    result, _ = assert_same_as_telemanom(errors, span=10)
    bump = slice(1000, 1030)
    assert (result.smoothed[bump] > result.threshold).any()   # flagged before pruning
    assert not result.flags.any()                              # pruned
    peak = result.smoothed[bump].max()
    nominal = result.smoothed[result.smoothed <= result.threshold].max()
    assert (peak - nominal) / peak < 0.13
    # a bump of +0.2 stands out: kept
    errors = spiky_errors(seed, spikes=((1000, 20, 0.2),))
    result, _ = assert_same_as_telemanom(errors, span=10)
    assert len(result.sequences) == 1 and 1000 <= result.sequences[0][0] < 1020


def test_windows_match_telemanom_batches():
    # telemanom: windows of h = window_size * batch_size errors stepping by batch_size;
    # with (n - h) a multiple of the step its last window is a full one, as ours.
    errors = spiky_errors(7, n=1300, spikes=((150, 20, 2.0), (700, 15, 2.5), (1150, 25, 1.5)))
    result, epsilons = assert_same_as_telemanom(errors, span=10, window=500, step=100)
    assert len(epsilons) == 9  # windows ending at 500, 600, ..., 1300
    assert result.sequences  # something found, the same as telemanom (above)
    # each point's threshold is its deciding window's epsilon
    np.testing.assert_allclose(result.thresholds[:500], epsilons[0], rtol=1e-12)
    for k in range(1, 9):
        np.testing.assert_allclose(result.thresholds[400 + 100 * k:500 + 100 * k],
                                   epsilons[k], rtol=1e-12)
    whole = dynamic_threshold(errors, smoothing=10, window=1300)
    np.testing.assert_array_equal(whole.flags, dynamic_threshold(errors, smoothing=10).flags)


# --------------------------------------------------------------------------- pruning by hand


def plateau(extra):
    """100 errors of 1.0 with some points raised: {index: value}."""
    errors = np.ones(100)
    for i, v in extra.items():
        errors[i] = v
    return errors


def one_epsilon(errors, epsilon):
    """z such that mu + z sigma = epsilon (mu, sigma of the errors, population std)."""
    z = (epsilon - errors.mean()) / errors.std()
    return (z, z)


def test_pruning_by_hand():
    # No smoothing; a single candidate epsilon = 1.95. Sequences above it: A = 20..22
    # (max 10) and B = 60..61 (max 2.0); the largest nominal value is 1.9 (index 80).
    # e_max = [10, 2.0, 1.9]: d_0 = 8/10 = 0.8 >= 0.13, d_1 = 0.1/2 = 0.05 < 0.13
    # -> A stays, B (after the last big drop) is reclassified as nominal.
    errors = plateau({20: 10, 21: 10, 22: 10, 60: 2.0, 61: 2.0, 80: 1.9})
    result = dynamic_threshold(errors, smoothing=1, z_range=one_epsilon(errors, 1.95))
    assert result.threshold == pytest.approx(1.95)
    assert result.sequences == [(20, 22)]
    # without the 1.9 the nominal max is 1.0: d_1 = (2 - 1)/2 = 0.5 -> both stay
    errors[80] = 1.0
    result = dynamic_threshold(errors, smoothing=1, z_range=one_epsilon(errors, 1.95))
    assert result.sequences == [(20, 22), (60, 61)]
    # min_decrease 0.6: d_0 = 0.8 >= 0.6 but d_1 = 0.5 < 0.6 -> B pruned again
    result = dynamic_threshold(errors, smoothing=1, z_range=one_epsilon(errors, 1.95),
                               min_decrease=0.6)
    assert result.sequences == [(20, 22)]


def test_pruning_keeps_everything_before_the_last_big_drop():
    # e_max = [10, 9.5, 9.0, 1.0]: d = 0.05, 0.053, 0.89 -> the last big drop is at the
    # end, so all three sequences stay although the first two decreases are small.
    errors = plateau({10: 10, 11: 10, 40: 9.5, 41: 9.5, 70: 9.0, 71: 9.0})
    result = dynamic_threshold(errors, smoothing=1, z_range=one_epsilon(errors, 5.0))
    assert result.sequences == [(10, 11), (40, 41), (70, 71)]
    # one sequence whose peak is within 13 % of the nominal max: all pruned.
    # e_max = [2.0, 1.9]: d_0 = 0.05 -> nothing left
    errors = plateau({50: 2.0, 51: 2.0, 90: 1.9})
    result = dynamic_threshold(errors, smoothing=1, z_range=one_epsilon(errors, 1.95))
    assert result.sequences == [] and not result.flags.any()


def test_epsilon_is_the_papers_argmax():
    # independent evaluation of the paper's criterion on each z of the grid
    errors = spiky_errors(11)
    result = dynamic_threshold(errors, smoothing=10, z_range=(2.0, 6.0), z_step=1.0)
    e_s = result.smoothed
    mu, sigma = e_s.mean(), e_s.std()
    best, best_score = None, -np.inf
    for z in (2.0, 3.0, 4.0, 5.0, 6.0):
        eps = mu + z * sigma
        above = e_s > eps
        if not above.any():
            continue
        rest = e_s[~above]
        n_seq = np.sum(np.diff(np.concatenate(([0], above.astype(int)))) == 1)
        score = ((mu - rest.mean()) / mu + (sigma - rest.std()) / sigma) / (above.sum()
                                                                           + n_seq ** 2)
        if score >= best_score:
            best, best_score = eps, score
    assert result.threshold == pytest.approx(best, rel=1e-12)


def test_constant_errors_flag_nothing():
    result = dynamic_threshold(np.full(50, 0.3))
    assert not result.flags.any() and result.threshold == pytest.approx(0.3)
