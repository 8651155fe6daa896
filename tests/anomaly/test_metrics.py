"""seqkit.anomaly.metrics against scikit-learn, aeon and hand computation."""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

from seqkit.anomaly.metrics import (
    anomaly_metrics,
    labels_from_ranges,
    point_adjusted_scores,
    pointwise_scores,
    range_scores,
    ranges_from_labels,
    ucr_score,
)
from seqkit.errors import ConfigError, DataError


def random_labels(rng, n, n_ranges, max_len):
    """0/1 labels with up to ``n_ranges`` runs of 1 of random lengths."""
    labels = np.zeros(n, dtype=int)
    for _ in range(n_ranges):
        start = int(rng.integers(0, n))
        labels[start:start + int(rng.integers(1, max_len + 1))] = 1
    return labels


def random_cases(seed, count, n=120):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        labels = random_labels(rng, n, int(rng.integers(1, 6)), 15)
        predicted = random_labels(rng, n, int(rng.integers(1, 8)), 12)
        if np.unique(predicted).size == 1:  # aeon returns 0 for constant predictions
            predicted[0] = 1 - predicted[0]
        yield labels, predicted


# --------------------------------------------------------------------------- converters


def test_ranges_from_labels_by_hand():
    # runs of 1: 0..1, 4..4, 7..9 (touching the end)
    assert ranges_from_labels([1, 1, 0, 0, 1, 0, 0, 1, 1, 1]) == [(0, 1), (4, 4), (7, 9)]
    assert ranges_from_labels(np.zeros(5)) == []
    assert ranges_from_labels(np.array([True, False, True])) == [(0, 0), (2, 2)]


def test_labels_from_ranges_round_trip():
    rng = np.random.default_rng(0)
    for _ in range(20):
        labels = random_labels(rng, 60, 4, 8)
        ranges = ranges_from_labels(labels)
        np.testing.assert_array_equal(labels_from_ranges(ranges, 60), labels)
        # independent check of the runs: each range is all ones, bounded by zeros or ends
        for start, end in ranges:
            assert labels[start:end + 1].all()
            assert start == 0 or labels[start - 1] == 0
            assert end == 59 or labels[end + 1] == 0


@pytest.mark.parametrize("ranges, words", [
    ([(3, 1)], "ranges[0] must be a range with 0 <= start <= end < 10, got (3, 1)"),
    ([(0, 10)], "ranges[0] must be a range with 0 <= start <= end < 10, got (0, 10)"),
    ([(-1, 2)], "got (-1, 2)"),
    ([(5, 6), (1, 2)], "ranges[1] must be a range starting after the previous one (5, 6)"),
    ([(1, 4), (4, 6)], "(sorted, non-overlapping), got (4, 6)"),
    ([(1, 2.5)], "ranges[0] must be a pair of integers (start, end), got (1, 2.5)"),
    ([(1, 2, 3)], "got (1, 2, 3)"),
])
def test_bad_ranges_are_named(ranges, words):
    with pytest.raises(DataError) as info:
        labels_from_ranges(ranges, 10)
    assert words in str(info.value)


def test_touching_ranges_are_allowed():
    np.testing.assert_array_equal(labels_from_ranges([(1, 2), (3, 3)], 5), [0, 1, 1, 1, 0])


# --------------------------------------------------------------------------- point-wise


def test_pointwise_matches_sklearn():
    cases = list(random_cases(1, 30))
    zero = np.zeros(120, dtype=int)
    cases += [(zero, cases[0][1]), (cases[0][0], zero), (zero, zero)]  # zero divisions
    for labels, predicted in cases:
        p, r, f, _ = precision_recall_fscore_support(labels, predicted, average="binary",
                                                     zero_division=0)
        got = pointwise_scores(labels, predicted)
        assert got == pytest.approx({"precision": p, "recall": r, "f1": f}, abs=1e-12)
        assert all(type(v) is float for v in got.values())


def test_pointwise_accepts_ranges():
    labels = [0, 0, 1, 1, 1, 0, 0, 0]
    predicted = [0, 1, 1, 0, 0, 0, 0, 1]
    assert pointwise_scores([(2, 4)], predicted) == pointwise_scores(labels, predicted)
    # TP 1 (index 2), FP 2 (1, 7), FN 2 (3, 4): P 1/3, R 1/3
    assert pointwise_scores(labels, predicted) == pytest.approx(
        {"precision": 1 / 3, "recall": 1 / 3, "f1": 1 / 3})


# --------------------------------------------------------------------------- point-adjusted


def reference_point_adjust(labels, predicted):
    """The protocol point by point: walk each labelled segment, fill it on any hit."""
    adjusted = list(predicted)
    i, n = 0, len(labels)
    while i < n:
        if labels[i] == 1:
            j = i
            while j < n and labels[j] == 1:
                j += 1
            if any(adjusted[i:j]):
                adjusted[i:j] = [1] * (j - i)
            i = j
        else:
            i += 1
    return np.array(adjusted)


def test_point_adjusted_matches_reference_then_sklearn():
    for labels, predicted in random_cases(2, 30):
        adjusted = reference_point_adjust(labels, predicted)
        p, r, f, _ = precision_recall_fscore_support(labels, adjusted, average="binary",
                                                     zero_division=0)
        assert point_adjusted_scores(labels, predicted) == pytest.approx(
            {"precision": p, "recall": r, "f1": f}, abs=1e-12)


def test_point_adjusted_by_hand():
    # segments (1, 3) and (6, 9); predicted hits 2 (in the first), 5 (outside), none in the
    # second. Adjusted: 1, 2, 3 and 5 -> TP 3, FP 1, FN 4 (6..9): P 3/4, R 3/7,
    # F1 2 * 3 / (6 + 1 + 4) = 6/11
    labels = [0, 1, 1, 1, 0, 0, 1, 1, 1, 1]
    predicted = [0, 0, 1, 0, 0, 1, 0, 0, 0, 0]
    assert point_adjusted_scores(labels, predicted) == pytest.approx(
        {"precision": 3 / 4, "recall": 3 / 7, "f1": 6 / 11})
    # point-wise on the same flags: TP 1, FP 1, FN 6: P 1/2, R 1/7
    assert pointwise_scores(labels, predicted)["recall"] == pytest.approx(1 / 7)


def test_point_adjust_is_optimistic_for_random_flags():
    # Kim et al. (2022): random flags on long segments get a high PA-F1. Five segments of
    # 200 points in 5000; 2 % random flags hit each segment with probability
    # 1 - 0.98**200 ~ 0.98, so PA recall is ~1 while point-wise recall is ~0.02.
    rng = np.random.default_rng(3)
    labels = np.zeros(5000, dtype=int)
    for start in (500, 1500, 2500, 3500, 4500):
        labels[start:start + 200] = 1
    predicted = (rng.random(5000) < 0.02).astype(int)
    pa = point_adjusted_scores(labels, predicted)
    pw = pointwise_scores(labels, predicted)
    assert pa["f1"] > 0.8 and pw["f1"] < 0.1
    assert range_scores(labels, predicted)["f1"] < 0.2


# --------------------------------------------------------------------------- range-based


def aeon_scores(labels, predicted, alpha, cardinality, bias):
    from aeon.benchmarking.metrics.anomaly_detection import (
        range_f_score,
        range_precision,
        range_recall,
    )

    y_true, y_pred = np.asarray(labels, dtype=int), np.asarray(predicted, dtype=int)
    return {
        # the paper's precision has no existence reward: alpha = 0 for it
        "precision": range_precision(y_true, y_pred, alpha=0.0, cardinality=cardinality,
                                     bias=bias),
        "recall": range_recall(y_true, y_pred, alpha=alpha, cardinality=cardinality,
                               bias=bias),
        "f1": range_f_score(y_true, y_pred, beta=1, p_alpha=0.0, r_alpha=alpha,
                            cardinality=cardinality, p_bias=bias, r_bias=bias),
    }


@pytest.mark.parametrize("bias, cardinality",
                         list(itertools.product(("flat", "front", "back", "middle"),
                                                ("one", "reciprocal"))))
def test_range_scores_match_aeon(bias, cardinality):
    hand_made = [
        # one real range, one prediction inside it
        ([0, 1, 1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0, 0, 0]),
        # one real range split by two predictions (cardinality 2 on recall)
        ([0, 1, 1, 1, 1, 1, 1, 0], [0, 1, 0, 0, 1, 1, 0, 0]),
        # one prediction covering two real ranges (cardinality 2 on precision)
        ([0, 1, 1, 0, 1, 1, 0, 0], [1, 1, 1, 1, 1, 0, 0, 0]),
        # a missed range and a false alarm
        ([1, 1, 0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 0, 0, 0, 1]),
        # odd lengths for the middle bias
        ([0, 1, 1, 1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1, 1]),
    ]
    cases = hand_made + list(random_cases(10 + len(bias) + len(cardinality), 12))
    for alpha in (0.0, 0.3, 1.0):
        for labels, predicted in cases:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # no aeon "constant y_pred" fallback here
                expected = aeon_scores(labels, predicted, alpha, cardinality, bias)
            got = range_scores(labels, predicted, alpha=alpha, cardinality=cardinality,
                               bias=bias)
            assert got == pytest.approx(expected, abs=1e-12), (labels, predicted, alpha)


def test_range_scores_by_hand():
    # R = (0, 9), P = (1, 2), (5, 6): 4 of 10 points covered; x = 2 predicted ranges.
    labels = [1] * 10
    predicted = [0, 1, 1, 0, 0, 1, 1, 0, 0, 0]
    one = range_scores(labels, predicted, cardinality="one")
    assert one["recall"] == pytest.approx(0.4)       # gamma = 1: 4/10
    assert one["precision"] == pytest.approx(1.0)    # each P inside R
    rec = range_scores(labels, predicted, cardinality="reciprocal")
    assert rec["recall"] == pytest.approx(0.2)       # gamma = 1/2: 0.4 / 2
    assert rec["f1"] == pytest.approx(2 * 0.2 / 1.2)
    # existence reward: alpha 0.5 -> 0.5 * 1 + 0.5 * 0.4 = 0.7
    assert range_scores(labels, predicted, alpha=0.5)["recall"] == pytest.approx(0.7)


def test_range_bias_by_hand():
    # R = (0, 4), L = 5. delta front: 5 4 3 2 1 (sum 15); back: 1 2 3 4 5; middle: i <= 2.5
    # -> 1 2, else L - i + 1 -> 3 2 1: 1 2 3 2 1 (sum 9).
    labels = [1, 1, 1, 1, 1, 0]
    first_two = [1, 1, 0, 0, 0, 0]  # P = (0, 1): positions i = 1, 2
    centre = [0, 0, 1, 0, 0, 0]     # P = (2, 2): position i = 3
    assert range_scores(labels, first_two, bias="front")["recall"] == pytest.approx(9 / 15)
    assert range_scores(labels, first_two, bias="back")["recall"] == pytest.approx(3 / 15)
    assert range_scores(labels, first_two, bias="middle")["recall"] == pytest.approx(3 / 9)
    assert range_scores(labels, centre, bias="middle")["recall"] == pytest.approx(3 / 9)
    assert range_scores(labels, centre, bias="flat")["recall"] == pytest.approx(1 / 5)
    # precision of P = (0, 1) against R: both of its points inside, whatever the bias
    assert range_scores(labels, first_two, bias="back")["precision"] == pytest.approx(1.0)


def test_range_scores_constant_prediction_follows_the_paper_not_aeon():
    # aeon returns 0.0 (with a warning) whenever y_pred is constant. The paper has a
    # value: predicting every point gives one range P = (0, 9).
    # R = (2, 4), (7, 8): each fully covered, x = 1 -> recall 1.
    # Precision of P: 5 of its 10 points in R (flat) -> 0.5; it overlaps x = 2 ranges:
    # gamma one -> 0.5, reciprocal -> 0.25. F1 (one) = 2 * .5 / 1.5 = 2/3.
    labels = [0, 0, 1, 1, 1, 0, 0, 1, 1, 0]
    everything = [1] * 10
    assert range_scores(labels, everything) == pytest.approx(
        {"precision": 0.5, "recall": 1.0, "f1": 2 / 3})
    assert range_scores(labels, everything, cardinality="reciprocal")["precision"] == \
        pytest.approx(0.25)
    # predicting nothing: no predicted range -> precision 0 (0/0), recall 0
    assert range_scores(labels, [0] * 10) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_touching_ranges_count_as_two_anomalies():
    # R = (2, 3), (4, 5) given as ranges; P = (3, 4) overlaps both.
    # recall: each R has 1 of 2 points -> 1/2 each -> 0.5.
    # precision: P's 2 points are both inside R -> 1; x = 2 -> reciprocal 1/2.
    predicted = [0, 0, 0, 1, 1, 0, 0]
    got = range_scores([(2, 3), (4, 5)], predicted, cardinality="reciprocal")
    assert got["recall"] == pytest.approx(0.5) and got["precision"] == pytest.approx(0.5)
    # as a 0/1 array they merge into R = (2, 5): recall 2/4, precision 1
    merged = range_scores([0, 0, 1, 1, 1, 1, 0], predicted, cardinality="reciprocal")
    assert merged["recall"] == pytest.approx(0.5) and merged["precision"] == pytest.approx(1)


@pytest.mark.parametrize("kwargs, words", [
    ({"alpha": 1.5}, "alpha must be a number in [0, 1], got 1.5"),
    ({"bias": "end"}, "bias must be one of ('flat', 'front', 'back', 'middle'), got 'end'"),
    ({"cardinality": "udf_gamma"}, "cardinality must be one of ('one', 'reciprocal')"),
])
def test_range_options_are_checked(kwargs, words):
    with pytest.raises(ConfigError) as info:
        range_scores([0, 1], [1, 1], **kwargs)
    assert words in str(info.value)


# --------------------------------------------------------------------------- UCR


def test_ucr_score_by_hand():
    scores = np.zeros(1000)
    # range (400, 450), margin 100: hits for argmax in [300, 550]
    for location, hit in [(300, 1.0), (299, 0.0), (550, 1.0), (551, 0.0), (420, 1.0)]:
        s = scores.copy()
        s[location] = 1.0
        assert ucr_score((400, 450), s) == hit, location
        assert ucr_score([(400, 450)], s) == hit
        assert ucr_score(labels_from_ranges([(400, 450)], 1000), s) == hit
    s = scores.copy()
    s[360] = 1.0
    assert ucr_score((400, 450), s, margin=40) == 1.0   # 360 = 400 - 40
    assert ucr_score((400, 450), s, margin=39) == 0.0
    assert ucr_score((400, 450), s, margin=0) == 0.0
    # ties: the first maximum (np.argmax) decides: 100 (a miss) before 420
    s[360] = 0.0
    s[[100, 420]] = 2.0
    assert ucr_score((400, 450), s) == 0.0


@pytest.mark.parametrize("labels", [[0, 0, 0, 0, 0, 0], [(0, 1), (3, 4)],
                                    [1, 1, 0, 1, 0, 0]])
def test_ucr_score_needs_exactly_one_range(labels):
    with pytest.raises(DataError, match="exactly one anomaly range"):
        ucr_score(labels, [0.0, 1.0, 0.0, 0.0, 0.0, 0.0])


def test_ucr_margin_is_checked():
    with pytest.raises(ConfigError, match="margin must be an integer >= 0, got -1"):
        ucr_score((1, 2), [0.0, 1.0, 0.0], margin=-1)


# --------------------------------------------------------------------------- all together


def test_anomaly_metrics_matches_parts_and_sklearn():
    rng = np.random.default_rng(4)
    labels = np.zeros(400, dtype=int)
    labels[120:150] = 1
    scores = rng.random(400)
    scores[125:150] += 0.8
    m = anomaly_metrics(labels, scores, 0.9)
    predicted = (scores > 0.9).astype(int)
    p, r, f, _ = precision_recall_fscore_support(labels, predicted, average="binary",
                                                 zero_division=0)
    assert (m["precision"], m["recall"], m["f1"]) == pytest.approx((p, r, f))
    adjusted = reference_point_adjust(labels, predicted)
    pa = precision_recall_fscore_support(labels, adjusted, average="binary", zero_division=0)
    assert (m["pa_precision"], m["pa_recall"], m["pa_f1"]) == pytest.approx(pa[:3])
    rs = aeon_scores(labels, predicted, 0.0, "one", "flat")
    assert (m["range_precision"], m["range_recall"], m["range_f1"]) == pytest.approx(
        (rs["precision"], rs["recall"], rs["f1"]))
    assert m["roc_auc"] == pytest.approx(roc_auc_score(labels, scores))
    assert m["pr_auc"] == pytest.approx(average_precision_score(labels, scores))
    assert m["ucr"] == (1.0 if 20 <= int(np.argmax(scores)) <= 249 else 0.0)
    assert all(v is None or type(v) is float for v in m.values())
    json.dumps(m)


def test_anomaly_metrics_without_one_class_or_one_range():
    scores = np.linspace(0.0, 1.0, 20)
    m = anomaly_metrics(np.zeros(20, dtype=int), scores, 0.5)
    assert m["roc_auc"] is None and m["pr_auc"] is None and m["ucr"] is None
    assert m["recall"] == 0.0 and m["precision"] == 0.0
    two = anomaly_metrics([(2, 3), (10, 12)], scores, 0.5)
    assert two["ucr"] is None and two["roc_auc"] is not None


def test_anomaly_metrics_per_point_threshold():
    scores = np.array([0.1, 0.5, 0.5, 0.9])
    labels = [0, 1, 0, 1]
    # thresholds 0.2, 0.4, 0.6, 0.6 -> flags 0, 1, 0, 1: perfect
    m = anomaly_metrics(labels, scores, np.array([0.2, 0.4, 0.6, 0.6]))
    assert m["f1"] == 1.0
    with pytest.raises(DataError, match=r"threshold must have the length of scores \(4\)"):
        anomaly_metrics(labels, scores, np.array([0.2, 0.4]))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, words", [
    (lambda: pointwise_scores([0, 2, 1], [0, 1, 1]), DataError,
     "labels[1] must be 0 or 1, got 2"),
    (lambda: pointwise_scores([0, 1, 1], [0, 0.5, 1]), DataError,
     "predicted[1] must be 0 or 1, got 0.5"),
    (lambda: pointwise_scores([0, 1, 1], [0, 1]), DataError,
     "labels must have the length of the series (2), got 3 values"),
    (lambda: range_scores([], []), DataError,
     "predicted must be a non-empty 1-D array, got shape (0,)"),
    (lambda: pointwise_scores([[0, 1], [1, 2]], [0, 1, 1]), DataError,
     "labels[1] must be a range starting after the previous one (0, 1) ends"),
    (lambda: pointwise_scores([(1, 5)], [0, 1, 1]), DataError,
     "labels[0] must be a range with 0 <= start <= end < 3, got (1, 5)"),
    (lambda: anomaly_metrics([0, 1, 0], [0.1, float("nan"), 0.2], 0.5), DataError,
     "scores[1] must be a finite number, got nan"),
    (lambda: anomaly_metrics([0, 1, 0], [0.1, 0.2, 0.3], "high"), ConfigError,
     "threshold must be a number, got 'high'"),
    (lambda: ucr_score((1, 2), ["a", "b", "c"]), DataError, "scores must be numeric"),
])
def test_bad_input_names_the_value(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
