"""Thresholds that turn anomaly scores into flags (pure NumPy).

- :func:`quantile_threshold`: the q-quantile of the validation scores.
- :func:`best_f1_threshold`: the validation score that maximises F1 (range-based or
  point-wise); an oracle when the validation part holds labelled anomalies.
- :func:`dynamic_threshold`: telemanom's nonparametric dynamic threshold (Hundman et al.
  2018), unsupervised, with its pruning of small bumps.
- :func:`apply_threshold`: the flags ``scores > threshold``.

Every threshold flags the scores strictly above it.

Example:

>>> import numpy as np
>>> val = np.arange(100.0)                    # 0, 1, ..., 99
>>> t = quantile_threshold(val, q=0.95)       # 94.05 (linear interpolation)
>>> apply_threshold(np.array([50.0, 94.0, 96.0]), t)
array([False, False,  True])
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqkit.anomaly.metrics import (
    _bounds,
    _compare,
    _range_prf,
    _scores_array,
    _truth,
)
from seqkit.errors import DataError
from seqkit.validation import check_choice, check_int, check_number, check_optional_int, fail

#: at most this many candidate thresholds (score quantiles) for the range-based best F1
RANGE_CANDIDATES = 200


def apply_threshold(scores, threshold) -> np.ndarray:
    """The anomaly flags ``scores > threshold``.

    Args:
        scores: the anomaly score of each point (finite).
        threshold: a number, or one threshold per point (e.g.
            :attr:`DynamicThreshold.thresholds`).

    Returns:
        A boolean array, the shape of ``scores``.

    Raises:
        DataError: non-finite scores, an empty series, per-point thresholds of another
            length.
        ConfigError: a threshold that is not a number.

    Example:

    >>> apply_threshold([0.2, 0.5, 0.9], 0.5)
    array([False, False,  True])
    """
    return _compare(_scores_array(scores), threshold)


def quantile_threshold(val_scores, q: float = 0.99) -> float:
    """The ``q``-quantile of validation scores (NumPy's linear interpolation).

    On anomaly-free validation data ``1 - q`` is about the rate of false alarms to expect.

    Args:
        val_scores: anomaly scores on validation data (finite).
        q: the quantile, in ``[0, 1]``.

    Returns:
        The threshold, a float.

    Raises:
        DataError: non-finite scores or an empty series.
        ConfigError: ``q`` outside ``[0, 1]``.

    Example:

    >>> quantile_threshold([1.0, 2.0, 3.0, 4.0, 5.0], q=0.5)
    3.0
    >>> quantile_threshold([1.0, 2.0], q=1.5)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: q must be a number in [0, 1], got 1.5
    """
    q = check_number("q", q)
    if not 0.0 <= q <= 1.0:
        fail("q", "a number in [0, 1]", q)
    return float(np.quantile(_scores_array(val_scores, "val_scores"), q))


# --------------------------------------------------------------------------- best F1


def _best_index(f1: np.ndarray) -> int:
    """The last index of the maximum (candidates ascending: ties go to the highest)."""
    return int(f1.size - 1 - np.argmax(f1[::-1]))


def _point_f1_per_value(values: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point-wise F1 of ``values > v`` for each distinct value v, from sorted counts."""
    distinct, inverse = np.unique(values, return_inverse=True)
    positives = np.bincount(inverse, weights=truth, minlength=distinct.size)
    points = np.bincount(inverse, minlength=distinct.size)
    total_pos = truth.sum()
    tp = total_pos - np.cumsum(positives)  # labelled points strictly above each value
    fp = (truth.size - total_pos) - np.cumsum(points - positives)
    fn = total_pos - tp
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros(distinct.size), where=denom > 0)
    return distinct, f1


def _range_candidates(values: np.ndarray) -> np.ndarray:
    distinct = np.unique(values)
    if distinct.size <= RANGE_CANDIDATES:
        return distinct
    grid = np.linspace(0.0, 1.0, RANGE_CANDIDATES)
    return np.unique(np.quantile(values, grid, method="lower"))


def best_f1_threshold(val_scores, val_labels, *, metric: str = "range") -> float:
    """The validation score value whose threshold (flags ``scores > value``) maximises F1.

    Candidates are the distinct score values; ties go to the highest threshold (the fewest
    flags). Flagging every point is never a candidate, since no score is above the lowest.

    - ``metric="point"``: point-wise F1 (:func:`seqkit.anomaly.metrics.pointwise_scores`)
      of every distinct value, from cumulative counts over the sorted scores: O(n log n).
    - ``metric="range"``: range-based F1 (:func:`seqkit.anomaly.metrics.range_scores`
      with its defaults: α = 0, γ = 1, flat bias), which needs one pass per candidate:
      all the distinct values when there are at most 200, else the 200 quantiles
      ``np.quantile(scores, np.linspace(0, 1, 200), method="lower")`` (score values too).

    The threshold is fitted to labelled validation anomalies; scores read on that same
    part are optimistic.

    Args:
        val_scores: anomaly scores on validation data (finite).
        val_labels: their 0/1 labels, or inclusive ``(start, end)`` ranges.
        metric: ``"range"`` or ``"point"``.

    Returns:
        The threshold, one of the score values, a float.

    Raises:
        DataError: non-finite scores, bad labels, lengths that differ, an empty series.
        ConfigError: an unknown ``metric``.

    Example:

    >>> scores = [0.1, 0.2, 0.8, 0.9, 0.3, 0.7]
    >>> labels = [0, 0, 1, 1, 0, 0]
    >>> best_f1_threshold(scores, labels, metric="point")   # flags 0.8 and 0.9
    0.7
    """
    check_choice("metric", metric, ("range", "point"))
    values = _scores_array(val_scores, "val_scores")
    ranges, truth = _truth(val_labels, values.shape[0], "val_labels")
    if metric == "point":
        candidates, f1 = _point_f1_per_value(values, truth)
    else:
        candidates = _range_candidates(values)
        f1 = np.array([
            _range_prf(ranges, values > t, 0.0, "one", "flat")["f1"]
            for t in candidates])
    return float(candidates[_best_index(f1)])


# --------------------------------------------------------------------------- dynamic


@dataclasses.dataclass(frozen=True, eq=False)
class DynamicThreshold:
    """The outcome of :func:`dynamic_threshold`.

    Args:
        threshold: ε of the whole series (``window=None``), or of the last window.
        thresholds: ``[N]`` the ε of the window that decided each point.
        flags: ``[N]`` booleans, the anomalous points after pruning.
        sequences: the inclusive ``(start, end)`` ranges of ``flags``.
        smoothed: ``[N]`` the EWMA-smoothed errors ``e_s`` the thresholds apply to.
        span: the EWMA span used.
    """

    threshold: float
    thresholds: np.ndarray
    flags: np.ndarray
    sequences: list[tuple[int, int]]
    smoothed: np.ndarray
    span: int


def _ewma(values: np.ndarray, span: int) -> np.ndarray:
    """pandas' ``ewm(span=span, adjust=True).mean()``: Σ β^i x_{t-i} / Σ β^i, β = 1 − α."""
    beta = 1.0 - 2.0 / (span + 1.0)
    out = np.empty(values.shape[0])
    num = den = 0.0
    for t, x in enumerate(values.tolist()):
        num = x + beta * num
        den = 1.0 + beta * den
        out[t] = num / den
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    return [(int(s), int(e)) for s, e in _bounds(mask)]


def _select_epsilon(e_s: np.ndarray, zs: np.ndarray) -> float:
    """ε = μ + zσ maximising (Δμ/μ + Δσ/σ) / (|e_a| + |E_seq|²); μ + z_max·σ if none flags."""
    mu, sd = float(e_s.mean()), float(e_s.std())
    best, best_score = mu + float(zs[-1]) * sd, -np.inf
    if sd == 0.0:
        return best  # a constant window: nothing lies above any candidate
    for z in zs.tolist():
        epsilon = mu + z * sd
        above = e_s > epsilon
        n_above = int(above.sum())
        if n_above == 0:
            continue
        below = e_s[~above]
        score = ((mu - below.mean()) / mu + (sd - below.std()) / sd) \
            / (n_above + len(_bounds(above)) ** 2)
        if score >= best_score:  # ties: the higher z, as telemanom
            best, best_score = epsilon, score
    return best


def _prune(e_s: np.ndarray, flags: np.ndarray, non_anom_max: float, p: float) -> np.ndarray:
    """Drop the sequences after the last step whose decrease d_i reaches ``p``."""
    bounds = _bounds(flags)
    if not len(bounds):
        return flags
    lengths = bounds[:, 1] - bounds[:, 0] + 1
    peaks = np.maximum.reduceat(e_s[flags], np.cumsum(lengths) - lengths)
    order = np.argsort(-peaks, kind="stable")
    sorted_max = np.append(peaks[order], non_anom_max)
    decrease = (sorted_max[:-1] - sorted_max[1:]) / sorted_max[:-1]
    big = np.flatnonzero(decrease >= p)
    keep = np.zeros(len(bounds), dtype=bool)
    keep[order[:int(big[-1]) + 1 if big.size else 0]] = True
    kept = np.zeros_like(flags)
    kept[np.flatnonzero(flags)] = np.repeat(keep, lengths)
    return kept


def _windows(n: int, window: int | None, step: int) -> list[tuple[int, int, int]]:
    """``(lo, hi, first)``: window ``[lo, hi)`` decides the points ``[first, hi)``."""
    if window is None or window >= n:
        return [(0, n, 0)]
    out = [(0, window, 0)]
    while out[-1][1] < n:
        hi = min(out[-1][1] + step, n)
        out.append((hi - window, hi, out[-1][1]))
    return out


def _z_grid(z_range, z_step) -> np.ndarray:
    if not isinstance(z_range, (tuple, list)) or len(z_range) != 2:
        fail("z_range", "a pair (z_min, z_max)", z_range)
    lo = check_number("z_range[0]", z_range[0], positive=True)
    hi = check_number("z_range[1]", z_range[1], positive=True)
    if hi < lo:
        fail("z_range", "a pair with z_min <= z_max", z_range)
    step = check_number("z_step", z_step, positive=True)
    return lo + step * np.arange(int(np.floor((hi - lo) / step + 1e-9)) + 1)


def _check_errors(errors) -> np.ndarray:
    values = _scores_array(errors, "errors")
    if (values < 0).any():
        i = int(np.argmax(values < 0))
        fail(f"errors[{i}]", "a non-negative number (an absolute error)", values[i].item(),
             DataError)
    return values


def _decide(e_s, windows, zs, p) -> tuple[np.ndarray, np.ndarray, float]:
    flags = np.zeros(e_s.shape[0], dtype=bool)
    thresholds = np.empty(e_s.shape[0])
    epsilon = 0.0
    for lo, hi, first in windows:
        seg = e_s[lo:hi]
        epsilon = _select_epsilon(seg, zs)
        candidate = seg > epsilon
        candidate[:first - lo] = False  # points decided by earlier windows
        nominal = ~candidate & ~flags[lo:hi]
        non_anom_max = float(seg[nominal].max()) if nominal.any() else 0.0
        kept = _prune(seg, candidate, non_anom_max, p)
        flags[first:hi] = kept[first - lo:]
        thresholds[first:hi] = epsilon
    return flags, thresholds, epsilon


def dynamic_threshold(errors, *, window: int | None = None, step: int | None = None,
                      z_range: tuple[float, float] = (2.0, 10.0), z_step: float = 0.5,
                      smoothing: int | None = None,
                      min_decrease: float = 0.13) -> DynamicThreshold:
    """Telemanom's nonparametric dynamic threshold (Hundman et al. 2018, "Detecting
    Spacecraft Anomalies Using LSTMs and Nonparametric Dynamic Thresholding", KDD).

    1. Smoothing: ``e_s`` is the EWMA of the errors with span ``smoothing`` (pandas'
       ``ewm(span).mean()``, ``adjust=True``, as telemanom). It starts at the first error,
       so the first few ``e_s`` are barely smoothed; drop a warm-up if that matters.
    2. Threshold, per window of ``e_s``, among ``ε = μ(e_s) + z·σ(e_s)`` for
       ``z = z_min, z_min + z_step, ..., z_max`` (both ends included)::

           ε = argmax_ε (Δμ(e_s)/μ(e_s) + Δσ(e_s)/σ(e_s)) / (|e_a| + |E_seq|²)
           Δμ(e_s) = μ(e_s) − μ({e_s | e_s <= ε}),  Δσ(e_s) = σ(e_s) − σ({e_s | e_s <= ε})
           e_a = {e_s | e_s > ε},  E_seq = the contiguous runs of e_a

       (σ is the population standard deviation; candidates flagging nothing are skipped,
       ties go to the higher z; if no candidate flags anything, ε = μ + z_max·σ.)
    3. Pruning: the maxima of the sequences, sorted descending, with the largest
       non-anomalous ``e_s`` of the window appended, ``e_max``; the decrease
       ``d_i = (e_max^i − e_max^{i+1}) / e_max^i``. The sequences after the last i with
       ``d_i >= p`` (``p = min_decrease``, 0.13 in the paper), whose subsequent decreases
       all stay below ``p``, are reclassified as nominal; with no such i all are.

    Windows (telemanom's ``h`` trailing errors, stepping by its ``batch_size``): with
    ``window=None`` (or ``window >= N``) the whole series is one window. Otherwise the first
    window ``[0, window)`` decides its points, and each next window is the ``window``
    points ending ``step`` later (the last one ends at ``N``) and decides only its new
    points; ``μ``, ``σ`` and ``ε`` come from the whole window, the pruning sees only the
    new points' sequences, and its non-anomalous maximum excludes the points already
    flagged (as telemanom's ``compare_to_epsilon``). Telemanom's last window also ends at
    ``N`` but decides only its last ``batch_size`` points, leaving up to ``batch_size - 1``
    points undecided when ``N - h`` is not a multiple of it; here it decides them all.

    Left out of telemanom's code (telemanom/errors.py): the error buffer that widens
    each flagged point into a sequence (``error_buffer``), the thresholding of the
    errors inverted around their mean, the guards on a candidate (at most 5 sequences,
    fewer than half the points flagged, z from 2.5 to 11.5, default z = 12), the checks
    of the errors' scale against the raw values, and the first ``l_s`` smoothed errors
    set to their mean. Telemanom also leaves one-point runs out of ``E_seq`` (in the
    criterion and the pruning, so that isolated points escape pruning when no longer run
    is flagged); here, as in the paper, a single point is a sequence. Telemanom flags
    ``e_s >= ε``; this flags ``e_s > ε`` as :func:`apply_threshold` does.

    Args:
        errors: absolute prediction errors, one per point (finite, >= 0).
        window: points per window, or None for the whole series.
        step: new points decided per window after the first (``window`` when None).
        z_range: the smallest and largest z, both > 0.
        z_step: the spacing of the z grid.
        smoothing: the EWMA span; None for telemanom's 5 % of the window (of the series
            when ``window`` is None), at least 1; 1 means no smoothing.
        min_decrease: the pruning's minimum decrease p, in ``[0, 1]``.

    Returns:
        A :class:`DynamicThreshold`.

    Raises:
        DataError: non-finite or negative errors, an empty series.
        ConfigError: a bad window, step, span, z grid or ``min_decrease``.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> errors = np.abs(rng.normal(0.0, 0.1, 1000))
    >>> errors[600:620] += 2.0                              # one burst
    >>> dynamic_threshold(errors).span                      # 5 % of 1000 points
    50
    >>> result = dynamic_threshold(errors, smoothing=5)
    >>> result.sequences                                    # e_s lags the burst by one
    [(601, 620)]
    >>> bool(result.flags[:600].any()), round(result.threshold, 2)
    (False, 1.17)
    """
    values = _check_errors(errors)
    window = check_optional_int("window", window, minimum=2)
    step = window if step is None else check_int("step", step)
    if window is not None and step > window:
        fail("step", f"an integer <= window ({window})", step)
    span = check_optional_int("smoothing", smoothing)
    if span is None:
        span = max(1, int(0.05 * min(window or values.shape[0], values.shape[0])))
    p = check_number("min_decrease", min_decrease)
    if not 0.0 <= p <= 1.0:
        fail("min_decrease", "a number in [0, 1]", p)
    e_s = _ewma(values, span)
    windows = _windows(values.shape[0], window, step)
    flags, thresholds, epsilon = _decide(e_s, windows, _z_grid(z_range, z_step), p)
    return DynamicThreshold(threshold=float(epsilon), thresholds=thresholds, flags=flags,
                            sequences=_runs(flags), smoothed=e_s, span=span)
