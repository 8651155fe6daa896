"""Seed statistics of the LSTM-vs-GRU study: mean, sample standard deviation, a 95%
t-interval, and the paired GRU/LSTM ratio with its interval on log ratios.

The interval of a mean over ``n`` seeds is ``mean ± t_{1-α/2, n-1} · s / √n`` with ``s`` the
sample standard deviation (``n - 1`` in the denominator) and ``t`` Student's quantile
(``scipy.stats.t.ppf``; scipy comes with statsmodels). A ratio of two cells is *paired* by
seed (seed ``k`` of the GRU against seed ``k`` of the LSTM, the same data order and split):
its interval is the t-interval of the mean of ``log(gru_k / lstm_k)``, exponentiated, so
it is a geometric-mean ratio whose interval is symmetric in log space (a 2× slower and a
2× faster cell are equally far from 1). Reference: any textbook one-sample t-interval,
e.g. NIST/SEMATECH e-Handbook of Statistical Methods, section 7.2.2.1
(https://www.itl.nist.gov/div898/handbook/prc/section2/prc221.htm).

Example:

>>> from seqkit.study.stats import mean_ci, paired_ratio
>>> ci = mean_ci([1.0, 2.0, 3.0])
>>> ci["mean"], ci["std"], round(ci["low"], 3), round(ci["high"], 3)
(2.0, 1.0, -0.484, 4.484)
>>> r = paired_ratio([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
>>> r["ratio"], r["low"], r["high"]
(2.0, 2.0, 2.0)
"""

from __future__ import annotations

import math
import statistics

from seqkit.validation import check_fraction

CONFIDENCE = 0.95


def t_quantile(confidence: float, dof: int) -> float:
    """The two-sided Student-t quantile ``t_{(1+confidence)/2, dof}``.

    Args:
        confidence: the interval's coverage, e.g. 0.95.
        dof: degrees of freedom (``n - 1``), at least 1.

    Returns:
        The quantile (``scipy.stats.t.ppf``).

    Example:

    >>> round(t_quantile(0.95, 2), 4)
    4.3027
    """
    from scipy.stats import t

    return float(t.ppf((1.0 + confidence) / 2.0, dof))


def _clean(values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def mean_ci(values, confidence: float = CONFIDENCE) -> dict:
    """Mean, sample standard deviation and t-interval of ``values`` (None/NaN dropped).

    Args:
        values: one number per seed.
        confidence: the interval's coverage.

    Returns:
        ``{"mean", "std", "n", "low", "high", "values"}``; ``std``/``low``/``high`` are
        None with fewer than two values, ``mean`` is None with none.

    Example:

    >>> mean_ci([4.0])["low"] is None
    True
    >>> mean_ci([])["mean"] is None
    True
    """
    check_fraction("confidence", confidence, allow_zero=False)
    xs = _clean(values)
    out = {"mean": statistics.fmean(xs) if xs else None, "std": None, "n": len(xs),
           "low": None, "high": None, "values": xs}
    if len(xs) >= 2:
        std = statistics.stdev(xs)
        half = t_quantile(confidence, len(xs) - 1) * std / math.sqrt(len(xs))
        out.update(std=std, low=out["mean"] - half, high=out["mean"] + half)
    return out


def paired_ratio(numerator, denominator, confidence: float = CONFIDENCE) -> dict:
    """The paired ratio ``numerator_k / denominator_k`` over seeds, with a t-interval on
    the log ratios (exponentiated back).

    Pairs with a missing or non-positive member are dropped.

    Args:
        numerator: one value per seed (the GRU's).
        denominator: one value per seed, same order (the LSTM's).
        confidence: the interval's coverage.

    Returns:
        ``{"ratio" (geometric mean), "low", "high", "n", "ratios" (per seed)}``; ``low`` and
        ``high`` are None with fewer than two pairs, ``ratio`` None with none.

    Example:

    >>> r = paired_ratio([1.0, 4.0], [2.0, 2.0])   # ratios 0.5 and 2: geometric mean 1
    >>> r["ratio"], r["ratios"], r["n"]
    (1.0, [0.5, 2.0], 2)
    """
    pairs = [(a, b) for a, b in zip(numerator, denominator, strict=False)
             if a is not None and b is not None and a > 0 and b > 0]
    ratios = [a / b for a, b in pairs]
    logs = mean_ci([math.log(r) for r in ratios], confidence)
    out = {"ratio": None, "low": None, "high": None, "n": len(ratios), "ratios": ratios}
    if logs["mean"] is not None:
        out["ratio"] = math.exp(logs["mean"])
    if logs["low"] is not None:
        out.update(low=math.exp(logs["low"]), high=math.exp(logs["high"]))
    return out


def paired_difference(numerator, denominator, confidence: float = CONFIDENCE) -> dict:
    """The paired difference ``numerator_k - denominator_k`` over seeds, with its
    t-interval (for accuracies, where a difference in points reads better than a ratio).

    Args:
        numerator: one value per seed (the GRU's).
        denominator: one value per seed, same order (the LSTM's).
        confidence: the interval's coverage.

    Returns:
        :func:`mean_ci` of the differences.

    Example:

    >>> d = paired_difference([3.0, 1.0, 2.0], [1.0, 2.0, 2.0])
    >>> d["values"], d["mean"]
    ([2.0, -1.0, 0.0], 0.333...)
    """
    diffs = [a - b for a, b in zip(numerator, denominator, strict=False)
             if a is not None and b is not None]
    return mean_ci(diffs, confidence)
