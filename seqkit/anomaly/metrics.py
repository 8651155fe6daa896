"""Evaluation of anomaly flags and scores against labelled anomalies (pure NumPy).

Labels come in two forms, accepted wherever ``labels`` is:

- a 1-D array of 0/1 (or booleans), one per point of the series;
- a list of inclusive ``(start, end)`` ranges, sorted and non-overlapping (a 2-D ``[k, 2]``
  array works too), e.g. ``[(10, 14), (40, 40)]``. Two ranges may touch (``(2, 3), (4, 5)``):
  the range-based scores then count them as two anomalies, which a 0/1 array cannot say.

``predicted`` is always a 0/1 (or boolean) array of the series' length, typically
``scores > threshold`` (:func:`seqkit.anomaly.thresholds.apply_threshold`).

The scores, from the most lenient to the strictest:

- :func:`point_adjusted_scores`: the point-adjust protocol (Xu et al. 2018); optimistic.
- :func:`range_scores`: range-based precision and recall (Tatbul et al. 2018).
- :func:`pointwise_scores`: every point a sample, as scikit-learn counts them.
- :func:`ucr_score`: the UCR anomaly archive's hit-or-miss rule (Wu & Keogh 2021).

:func:`anomaly_metrics` puts them all, with ROC-AUC and PR-AUC, in one JSON-able dict.

Example:

>>> import numpy as np
>>> labels = np.array([0, 0, 1, 1, 1, 1, 0, 0, 0, 0])
>>> predicted = np.array([0, 0, 0, 1, 0, 0, 0, 0, 1, 0])
>>> ranges_from_labels(labels)
[(2, 5)]
>>> pointwise_scores(labels, predicted)      # TP 1, FP 1, FN 3
{'precision': 0.5, 'recall': 0.25, 'f1': 0.3333333333333333}
>>> point_adjusted_scores(labels, predicted)["recall"]   # the whole range counts as found
1.0
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DataError
from seqkit.validation import check_choice, check_int, check_number, fail, real_array

#: the positional biases δ of Tatbul et al. (2018)
BIASES = ("flat", "front", "back", "middle")
#: the cardinality factors γ: ``"one"`` (γ = 1) or ``"reciprocal"`` (γ = 1 / x)
CARDINALITIES = ("one", "reciprocal")

Ranges = list[tuple[int, int]]


# --------------------------------------------------------------------------- input checks


def _nonempty_1d(values, name: str) -> np.ndarray:
    arr = real_array(values, name)
    if arr.ndim != 1 or arr.size == 0:
        raise DataError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    return arr


def _binary_array(values, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D int64 array of 0/1 (the first bad value is named)."""
    arr = _nonempty_1d(values, name)
    bad = ~((arr == 0) | (arr == 1))
    if bad.any():
        i = int(np.argmax(bad))
        fail(f"{name}[{i}]", "0 or 1", arr[i].item(), DataError)
    return arr.astype(np.int64)


def _scores_array(values, name: str = "scores") -> np.ndarray:
    """``values`` as a non-empty 1-D float64 array of finite numbers."""
    arr = _nonempty_1d(values, name).astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        fail(f"{name}[{i}]", "a finite number", arr[i].item(), DataError)
    return arr


def _same_length(arr: np.ndarray, name: str, length: int, other: str) -> None:
    if arr.shape[0] != length:
        raise DataError(f"{name} must have the length of {other} ({length}), "
                        f"got {arr.shape[0]} values")


def _is_ranges(value) -> bool:
    """Whether ``value`` reads as a list of ranges rather than per-point labels."""
    if isinstance(value, np.ndarray):
        return value.ndim == 2
    if isinstance(value, (list, tuple)):
        return all(isinstance(v, (list, tuple, np.ndarray)) for v in value)
    return False


def _is_index(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_ranges(ranges, length: int, name: str = "ranges") -> Ranges:
    """Inclusive ``(start, end)`` ranges as int tuples: pairs, in bounds, sorted, disjoint."""
    out: Ranges = []
    for k, r in enumerate(list(ranges)):
        pair = tuple(r) if isinstance(r, (list, tuple, np.ndarray)) else (r,)
        if len(pair) != 2 or not all(_is_index(v) for v in pair):
            fail(f"{name}[{k}]", "a pair of integers (start, end)", r, DataError)
        start, end = int(pair[0]), int(pair[1])
        if start < 0 or end < start or end >= length:
            fail(f"{name}[{k}]", f"a range with 0 <= start <= end < {length}", r, DataError)
        if out and start <= out[-1][1]:
            fail(f"{name}[{k}]", f"a range starting after the previous one {out[-1]} ends "
                 "(sorted, non-overlapping)", r, DataError)
        out.append((start, end))
    return out


def _truth(labels, length: int, name: str = "labels") -> tuple[Ranges, np.ndarray]:
    """``(ranges, 0/1 array)`` of a series of ``length`` points, from labels in either form."""
    if _is_ranges(labels):
        ranges = _check_ranges(labels, length, name)
        return ranges, _fill(ranges, length)
    arr = _binary_array(labels, name)
    _same_length(arr, name, length, "the series")
    return ranges_from_labels(arr), arr


def _fill(ranges: Ranges, length: int) -> np.ndarray:
    out = np.zeros(length, dtype=np.int64)
    for start, end in ranges:
        out[start:end + 1] = 1
    return out


# --------------------------------------------------------------------------- converters


def ranges_from_labels(labels) -> Ranges:
    """The inclusive ``(start, end)`` ranges of the runs of 1 in a 0/1 array.

    Args:
        labels: a non-empty 1-D array of 0/1 (or booleans).

    Returns:
        A list of ``(start, end)`` int tuples, in order (empty when there is no 1).

    Raises:
        DataError: an empty or non-1-D array, or a value other than 0/1 (named).

    Example:

    >>> ranges_from_labels([0, 1, 1, 0, 0, 1])
    [(1, 2), (5, 5)]
    >>> ranges_from_labels([0, 2])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: labels[1] must be 0 or 1, got 2
    """
    return [(int(s), int(e)) for s, e in _bounds(_binary_array(labels, "labels"))]


def _bounds(flags: np.ndarray) -> np.ndarray:
    """The ``[k, 2]`` inclusive bounds of the runs of nonzero values (no checks)."""
    edges = np.diff(np.concatenate(([0], (flags != 0).astype(np.int8), [0])))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1], axis=1)


def labels_from_ranges(ranges, length: int) -> np.ndarray:
    """A 0/1 array of ``length`` points, 1 inside the inclusive ``ranges``.

    Args:
        ranges: inclusive ``(start, end)`` pairs, sorted, non-overlapping, within
            ``[0, length)``.
        length: the series' length.

    Returns:
        An int64 array of 0/1.

    Raises:
        DataError: a range that is not a pair of integers, out of bounds, out of order or
            overlapping another.
        ConfigError: ``length`` not an integer >= 1.

    Example:

    >>> labels_from_ranges([(1, 2), (4, 4)], 6)
    array([0, 1, 1, 0, 1, 0])
    >>> labels_from_ranges([(1, 6)], 6)
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: ranges[0] must be a range with 0 <= start <= end < 6, got (1, 6)
    """
    length = check_int("length", length)
    return _fill(_check_ranges(ranges, length), length)


# --------------------------------------------------------------------------- point-wise


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts; 0 where a ratio is 0/0 (zero_division=0)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def _truth_and_predicted(labels, predicted) -> tuple[Ranges, np.ndarray, np.ndarray]:
    pred = _binary_array(predicted, "predicted")
    ranges, truth = _truth(labels, pred.shape[0])
    return ranges, truth, pred


def pointwise_scores(labels, predicted) -> dict[str, float]:
    """Point-wise precision, recall and F1: every point is one sample.

    A ratio whose denominator is 0 is 0 (scikit-learn's ``zero_division=0``): no predicted
    point gives precision 0, no labelled point gives recall 0.

    Args:
        labels: 0/1 per point, or inclusive ``(start, end)`` ranges.
        predicted: 0/1 (or booleans) per point, the series' length.

    Returns:
        ``{"precision", "recall", "f1"}`` as floats.

    Raises:
        DataError: a value other than 0/1, lengths that differ, bad ranges, an empty series.

    Example:

    >>> pointwise_scores([0, 1, 1, 0], [0, 1, 0, 1])    # TP 1, FP 1, FN 1
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    >>> pointwise_scores([(1, 2)], [0, 0, 0, 0])
    {'precision': 0.0, 'recall': 0.0, 'f1': 0.0}
    """
    _, truth, pred = _truth_and_predicted(labels, predicted)
    tp = int(np.sum(truth & pred))
    return _prf(tp, int(np.sum(pred)) - tp, int(np.sum(truth)) - tp)


def _point_adjust(ranges: Ranges, pred: np.ndarray) -> np.ndarray:
    adjusted = pred.copy()
    for start, end in ranges:
        if adjusted[start:end + 1].any():
            adjusted[start:end + 1] = 1
    return adjusted


def point_adjusted_scores(labels, predicted) -> dict[str, float]:
    """Precision, recall and F1 under the point-adjust protocol (Xu et al. 2018, Donut).

    When any point of a labelled anomaly range is predicted, every point of that range
    counts as detected; points outside the ranges are left as predicted; then the scores
    are point-wise (:func:`pointwise_scores`).

    Known optimism: one hit inside a long range earns the whole range, so the protocol
    rewards scattered flags. Kim et al. (2022), "Towards a Rigorous Evaluation of
    Time-series Anomaly Detection" (AAAI), show that random anomaly scores can reach a high
    point-adjusted F1, above many published detectors. Report it beside the stricter
    :func:`pointwise_scores` and :func:`range_scores`, never alone.

    Args:
        labels: 0/1 per point, or inclusive ``(start, end)`` ranges.
        predicted: 0/1 (or booleans) per point, the series' length.

    Returns:
        ``{"precision", "recall", "f1"}`` as floats.

    Raises:
        DataError: a value other than 0/1, lengths that differ, bad ranges, an empty series.

    Example:

    >>> labels = [0, 1, 1, 1, 1, 0, 0, 0]
    >>> predicted = [0, 0, 1, 0, 0, 0, 1, 0]     # one hit in (1, 4), one false alarm
    >>> point_adjusted_scores(labels, predicted)   # adjusted: TP 4, FP 1, FN 0
    {'precision': 0.8, 'recall': 1.0, 'f1': 0.8888888888888888}
    """
    ranges, truth, pred = _truth_and_predicted(labels, predicted)
    adjusted = _point_adjust(ranges, pred)
    tp = int(np.sum(truth & adjusted))
    return _prf(tp, int(np.sum(adjusted)) - tp, int(np.sum(truth)) - tp)


# --------------------------------------------------------------------------- range-based


def _range_points(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every point of the ranges, flattened: ``(points, k, L)`` per point and the offsets.

    ``points`` are the series indices, ``k`` the 1-based position inside the range and
    ``L`` its length; ``offsets`` are where each range starts in the flattened arrays.
    """
    lengths = bounds[:, 1] - bounds[:, 0] + 1
    offsets = np.cumsum(lengths) - lengths
    k = np.arange(int(lengths.sum())) - np.repeat(offsets, lengths) + 1
    return np.repeat(bounds[:, 0], lengths) + k - 1, k, np.repeat(lengths, lengths), offsets


def _bias(k: np.ndarray, length: np.ndarray, bias: str) -> np.ndarray:
    """δ(k, L) (Tatbul et al. 2018, Algorithm 1), elementwise."""
    k = k.astype(np.float64)
    if bias == "front":
        return length - k + 1
    if bias == "back":
        return k
    if bias == "middle":
        return np.where(k <= length / 2, k, length - k + 1)
    return np.ones_like(k)


def _range_ids(bounds: np.ndarray, length: int) -> np.ndarray:
    """Per point: 0 outside the ranges, j + 1 inside the j-th (touching ranges stay apart)."""
    ids = np.zeros(length, dtype=np.int64)
    if len(bounds):
        points, k, _, _ = _range_points(bounds)
        ids[points] = np.cumsum(k == 1)
    return ids


def _range_rewards(bounds: np.ndarray, other_ids: np.ndarray, bias: str,
                   cardinality: str) -> tuple[np.ndarray, np.ndarray]:
    """Per range: existence (0/1) and γ · ω(range, range ∩ other, δ), in O(points)."""
    if not len(bounds):
        return np.zeros(0), np.zeros(0)
    points, k, length, offsets = _range_points(bounds)
    weights = _bias(k, length, bias)
    ids = other_ids[points]
    inside = ids > 0
    # a new overlapping range starts at the range's first point or where the id changes
    starts = inside & ((k == 1) | (ids != other_ids[points - 1]))
    x = np.add.reduceat(starts.astype(np.int64), offsets)  # overlapped ranges, each range
    omega = np.add.reduceat(weights * inside, offsets) / np.add.reduceat(weights, offsets)
    gamma = 1.0 / np.maximum(x, 1) if cardinality == "reciprocal" else np.ones(x.size)
    return (x > 0).astype(np.float64), gamma * omega


def _range_prf(true_ranges: Ranges, pred: np.ndarray, alpha: float, cardinality: str,
               bias: str) -> dict[str, float]:
    """Range-based scores of the real ``true_ranges`` and the runs of ``pred`` (0/1)."""
    length = pred.shape[0]
    true_ranges = np.asarray(true_ranges, dtype=np.int64).reshape(-1, 2)
    pred_ranges = _bounds(pred)
    true_ids = _range_ids(true_ranges, length)
    pred_ids = _range_ids(pred_ranges, length)
    exist, overlap = _range_rewards(true_ranges, pred_ids, bias, cardinality)
    recall = float(np.mean(alpha * exist + (1 - alpha) * overlap)) if len(true_ranges) else 0.0
    _, p_overlap = _range_rewards(pred_ranges, true_ids, bias, cardinality)
    precision = float(np.mean(p_overlap)) if len(pred_ranges) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": float(f1)}


def _check_range_options(alpha, cardinality, bias) -> float:
    alpha = check_number("alpha", alpha)
    if not 0.0 <= alpha <= 1.0:
        fail("alpha", "a number in [0, 1]", alpha)
    check_choice("cardinality", cardinality, CARDINALITIES)
    check_choice("bias", bias, BIASES)
    return alpha


def range_scores(labels, predicted, *, alpha: float = 0.0, cardinality: str = "one",
                 bias: str = "flat") -> dict[str, float]:
    """Range-based precision, recall and F1 of Tatbul et al. (2018), "Precision and Recall
    for Time Series" (NeurIPS).

    With the real anomaly ranges ``R = {R_1..R_Nr}`` and the predicted ranges
    ``P = {P_1..P_Np}`` (runs of 1 in ``predicted``)::

        Recall_T(R, P)    = (1/Nr) Σ_i [α · Existence(R_i, P) + (1 − α) · Overlap(R_i, P)]
        Existence(R_i, P) = 1 if Σ_j |R_i ∩ P_j| >= 1 else 0
        Overlap(R_i, P)   = CardinalityFactor(R_i, P) · Σ_j ω(R_i, R_i ∩ P_j, δ)
        CardinalityFactor(R_i, P) = 1 if R_i overlaps at most one P_j, else γ(R_i, P)
        Precision_T(R, P) = (1/Np) Σ_j CardinalityFactor(P_j, R) · Σ_i ω(P_j, P_j ∩ R_i, δ)
        ω(A, O, δ)        = Σ_{k: A[k] ∈ O} δ(k, |A|) / Σ_{k=1..|A|} δ(k, |A|)
        F1                = 2 · Precision_T · Recall_T / (Precision_T + Recall_T)

    The positional bias δ(k, L), k = 1..L, is ``"flat"`` 1, ``"front"`` L − k + 1,
    ``"back"`` k, ``"middle"`` k for k <= L/2 else L − k + 1. The cardinality factor γ for
    a range overlapping x > 1 ranges is ``"one"`` 1 or ``"reciprocal"`` 1/x. The existence
    weight α applies to recall only: precision uses α = 0 as the paper advises. No
    predicted range gives precision 0 and no real range recall 0 (0/0 read as 0).

    Args:
        labels: 0/1 per point, or inclusive ``(start, end)`` ranges (touching ranges stay
            separate anomalies).
        predicted: 0/1 (or booleans) per point, the series' length.
        alpha: the existence reward's weight in recall, in ``[0, 1]``.
        cardinality: ``"one"`` or ``"reciprocal"``.
        bias: ``"flat"``, ``"front"``, ``"back"`` or ``"middle"``.

    Returns:
        ``{"precision", "recall", "f1"}`` as floats.

    Raises:
        DataError: a value other than 0/1, lengths that differ, bad ranges, an empty series.
        ConfigError: ``alpha`` outside ``[0, 1]``, an unknown ``cardinality`` or ``bias``.

    Example:

    >>> labels = [0, 1, 1, 1, 1, 0, 0, 0]       # R = (1, 4)
    >>> predicted = [0, 0, 0, 1, 1, 1, 0, 0]    # P = (3, 5)
    >>> range_scores(labels, predicted)         # recall 2/4, precision 2/3
    {'precision': 0.6666666666666666, 'recall': 0.5, 'f1': 0.5714285714285715}
    >>> range_scores(labels, predicted, alpha=0.5, bias="back")["recall"]  # .5 + .5 * 7/10
    0.85
    """
    alpha = _check_range_options(alpha, cardinality, bias)
    true_ranges, _, pred = _truth_and_predicted(labels, predicted)
    return _range_prf(true_ranges, pred, alpha, cardinality, bias)


# --------------------------------------------------------------------------- UCR archive


def _single_range(labels_or_range, length: int) -> tuple[int, int]:
    value = labels_or_range
    if isinstance(value, tuple) and len(value) == 2 and all(_is_index(v) for v in value):
        value = [value]  # a bare (start, end)
    ranges, _ = _truth(value, length)
    if len(ranges) != 1:
        fail("labels", "a series with exactly one anomaly range (the UCR archive's rule)",
             ranges, DataError)
    return ranges[0]


def ucr_score(labels_or_range, scores, *, margin: int = 100) -> float:
    """The UCR anomaly archive's rule (Wu & Keogh 2021, "Current Time Series Anomaly
    Detection Benchmarks are Flawed and are Creating the Illusion of Progress").

    Each series of the archive holds exactly one anomaly; a detector names one location,
    the argmax of its scores, and scores a hit when that location lies within
    ``[start - margin, end + margin]`` of the labelled range. Ties in the scores go to the
    first maximum (``np.argmax``).

    Args:
        labels_or_range: 0/1 per point, a list holding one ``(start, end)`` range, or a
            bare ``(start, end)`` tuple; exactly one anomaly range.
        scores: the anomaly score of each point (finite).
        margin: the tolerance in points on either side (the archive uses 100).

    Returns:
        1.0 for a hit, 0.0 for a miss.

    Raises:
        DataError: labels holding no range or several, non-finite scores, lengths that
            differ, an empty series.
        ConfigError: ``margin`` not an integer >= 0.

    Example:

    >>> scores = [0.1] * 400
    >>> scores[260] = 5.0                          # argmax 260
    >>> ucr_score((300, 320), scores)              # 260 >= 300 - 100: a hit
    1.0
    >>> ucr_score((300, 320), scores, margin=20)   # 260 < 280: a miss
    0.0
    """
    margin = check_int("margin", margin, minimum=0)
    values = _scores_array(scores)
    start, end = _single_range(labels_or_range, values.shape[0])
    location = int(np.argmax(values))
    return 1.0 if start - margin <= location <= end + margin else 0.0


# --------------------------------------------------------------------------- all together


def _compare(scores: np.ndarray, threshold) -> np.ndarray:
    """``scores > threshold`` with a number or one threshold per point."""
    if np.ndim(threshold) == 0:
        return scores > check_number("threshold", threshold, finite=False)
    limits = _nonempty_1d(threshold, "threshold").astype(np.float64)
    _same_length(limits, "threshold", scores.shape[0], "scores")
    if np.isnan(limits).any():
        i = int(np.argmax(np.isnan(limits)))
        fail(f"threshold[{i}]", "a number", limits[i].item(), DataError)
    return scores > limits


def _threshold_free(truth: np.ndarray, scores: np.ndarray) -> dict[str, float | None]:
    if np.unique(truth).size < 2:
        return {"roc_auc": None, "pr_auc": None}
    from sklearn.metrics import average_precision_score, roc_auc_score

    return {"roc_auc": float(roc_auc_score(truth, scores)),
            "pr_auc": float(average_precision_score(truth, scores))}


def anomaly_metrics(labels, scores, threshold) -> dict[str, float | None]:
    """Every score of this module for one series, as one JSON-able dict.

    The flags are ``scores > threshold``. Keys: ``precision``, ``recall``, ``f1``
    (:func:`pointwise_scores`); ``pa_precision``, ``pa_recall``, ``pa_f1``
    (:func:`point_adjusted_scores`, optimistic: read it beside the others);
    ``range_precision``, ``range_recall``, ``range_f1`` (:func:`range_scores` with its
    defaults: α = 0, γ = 1, flat bias); ``ucr`` (:func:`ucr_score`, margin 100; None
    unless the labels hold exactly one range); ``roc_auc`` and ``pr_auc``
    (scikit-learn's ``roc_auc_score`` and ``average_precision_score`` of the raw scores;
    None when the labels hold one class only).

    Args:
        labels: 0/1 per point, or inclusive ``(start, end)`` ranges.
        scores: the anomaly score of each point (finite; higher is more anomalous).
        threshold: a number, or one threshold per point (e.g.
            :attr:`seqkit.anomaly.thresholds.DynamicThreshold.thresholds`).

    Returns:
        A dict of plain Python floats (or None, as above).

    Raises:
        DataError: bad labels or ranges, non-finite scores, lengths that differ, an empty
            series.
        ConfigError: a threshold that is not a number.

    Example:

    >>> labels = [0, 0, 1, 1, 0, 0]
    >>> scores = [0.1, 0.2, 0.9, 0.3, 0.2, 0.1]
    >>> m = anomaly_metrics(labels, scores, 0.5)
    >>> m["f1"], m["pa_f1"], m["range_recall"], m["ucr"], m["roc_auc"]
    (0.6666666666666666, 1.0, 0.5, 1.0, 1.0)
    """
    values = _scores_array(scores)
    ranges, truth = _truth(labels, values.shape[0])
    pred = _compare(values, threshold).astype(np.int64)
    out: dict[str, float | None] = dict(pointwise_scores(truth, pred))
    for key, value in point_adjusted_scores(ranges, pred).items():
        out[f"pa_{key}"] = value
    for key, value in range_scores(ranges, pred).items():
        out[f"range_{key}"] = value
    out["ucr"] = ucr_score(ranges, values) if len(ranges) == 1 else None
    out.update(_threshold_free(truth, values))
    return out
