"""Point and quantile forecast metrics under their textbook names and definitions.

Shapes: ``y_true`` and ``y_pred`` share one shape ``[..., T]``: any leading axes (for a
backtest ``[n_origins, horizon, T]``), the last axis the targets; a 1-D array is one
target. Everything is computed in float64; a metric over several targets is pooled over
all points (MAE, RMSE, sMAPE, pinball, coverage) except MASE, which is scaled per target
and then averaged.

- MAE, RMSE: the usual means over every point.
- sMAPE: ``200/n * sum |y - f| / (|y| + |f|)``, percent in ``[0, 200]``, the M4
  competition's definition (Makridakis, Spiliotis & Assimakopoulos 2020); a term whose
  ``|y| + |f|`` is 0 counts 0.
- MASE (Hyndman & Koehler 2006): the forecast's MAE divided by the **in-sample** MAE of
  the seasonal naive forecast ``y_t = y_{t-m}`` on the training series, per target.
- relative MAE: MAE of a forecast over MAE of a reference forecast on the same points
  (not MASE: the scale comes from the test windows, not from the training series).
- pinball (quantile) loss (Koenker & Bassett 1978): ``mean(max(q*(y-f), (q-1)*(y-f)))``.

Example:

>>> import numpy as np
>>> from seqkit.forecasting.metrics import mae, mase, smape
>>> y, f = np.array([3.0, 5.0]), np.array([2.0, 5.0])
>>> mae(y, f), round(smape(y, f), 4)
(0.5, 20.0)
>>> mase(y, f, insample=np.array([1.0, 2.0, 4.0]))   # in-sample naive MAE = 1.5
0.3333333333333333
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DataError
from seqkit.validation import check_int, fail

__all__ = [
    "central_intervals",
    "interval_coverage",
    "mae",
    "mase",
    "mase_scale",
    "pinball_loss",
    "point_metrics",
    "quantile_metrics",
    "relative_mae",
    "rmse",
    "smape",
]


def _array(name: str, value) -> np.ndarray:
    """``value`` as a non-empty, finite float64 array, or a DataError naming ``name``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(name, "an array of numbers", value, DataError)
    if arr.ndim == 0 or arr.size == 0:
        fail(name, "a non-empty array of shape [..., T]", arr.shape, DataError)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise DataError(f"{name} must not hold NaN or infinite values, got "
                        f"{arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    return arr


def _pair(y_true, y_pred, pred_name: str = "y_pred") -> tuple[np.ndarray, np.ndarray]:
    a, b = _array("y_true", y_true), _array(pred_name, y_pred)
    if a.shape != b.shape:
        fail(pred_name, f"of the shape of y_true {a.shape}", b.shape, DataError)
    return a, b


def _targets(arr: np.ndarray) -> np.ndarray:
    """``arr`` as ``[points, T]`` (a 1-D array is one target)."""
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr.reshape(-1, arr.shape[-1])


def mae(y_true, y_pred) -> float:
    """Mean absolute error ``mean |y - f|`` over every point and target.

    Args:
        y_true: actual values ``[..., T]``.
        y_pred: forecasts, the same shape.

    Returns:
        The MAE, in the units of the data.

    Example:

    >>> mae([1.0, 2.0, 4.0], [1.0, 3.0, 2.0])   # (0 + 1 + 2) / 3
    1.0
    """
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error ``sqrt(mean (y - f)^2)`` over every point and target.

    Args:
        y_true: actual values ``[..., T]``.
        y_pred: forecasts, the same shape.

    Returns:
        The RMSE, in the units of the data.

    Example:

    >>> rmse([0.0, 0.0], [3.0, 4.0])   # sqrt((9 + 16) / 2)
    3.5355339059327378
    """
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def smape(y_true, y_pred) -> float:
    """Symmetric MAPE in percent, ``200/n * sum |y - f| / (|y| + |f|)``, in ``[0, 200]``.

    The definition of the M4 competition (Makridakis, Spiliotis & Assimakopoulos 2020,
    "The M4 Competition: 100,000 time series and 61 forecasting methods", IJF 36(1)).
    A term whose ``|y| + |f|`` is 0 (both exactly zero) counts 0.

    Args:
        y_true: actual values ``[..., T]``.
        y_pred: forecasts, the same shape.

    Returns:
        sMAPE in percent.

    Example:

    >>> smape([1.0, 0.0], [3.0, 0.0])   # 200/2 * (2/4 + 0)
    50.0
    """
    a, b = _pair(y_true, y_pred)
    denom = np.abs(a) + np.abs(b)
    terms = np.divide(np.abs(a - b), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(200.0 * np.mean(terms))


def mase_scale(insample, m: int = 1) -> np.ndarray:
    """The MASE scale: the in-sample MAE of the seasonal naive forecast, per target.

    ``scale_t = mean_{i > m} |y_i - y_{i-m}|`` over the training series of target ``t``
    (Hyndman & Koehler 2006, "Another look at measures of forecast accuracy", IJF 22(4));
    pairs holding a NaN are dropped.

    Args:
        insample: the training series ``[N]`` (one target) or ``[N, T]``.
        m: the seasonal period (1: the last-value naive forecast).

    Returns:
        ``[T]`` float64 scales.

    Raises:
        DataError: ``N <= m``, or a target whose scale is 0 (a constant training series:
            MASE is undefined) or has no pair without NaN.

    Example:

    >>> mase_scale([1.0, 2.0, 4.0])   # (|2-1| + |4-2|) / 2
    array([1.5])
    >>> mase_scale([[1.0, 5.0], [3.0, 5.0], [4.0, 5.0]])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: insample column 1 is constant (in-sample naive MAE with m=1 \
is 0): MASE is undefined; use relative_mae or another scale
    """
    m = check_int("m", m)
    try:
        arr = np.asarray(insample, dtype=np.float64)
    except (TypeError, ValueError):
        fail("insample", "an array of numbers [N] or [N, T]", insample, DataError)
    if arr.ndim not in (1, 2):
        fail("insample", "an array of shape [N] or [N, T]", arr.shape, DataError)
    arr = arr.reshape(arr.shape[0], -1)
    if arr.shape[0] <= m:
        raise DataError(f"insample must hold more than m={m} points for the in-sample "
                        f"seasonal naive MAE, got length {arr.shape[0]}")
    diffs = np.abs(arr[m:] - arr[:-m])  # NaN where either point of a pair is NaN
    scales = np.empty(arr.shape[1])
    for t in range(arr.shape[1]):
        d = diffs[:, t][~np.isnan(diffs[:, t])]
        if d.size == 0:
            raise DataError(f"insample column {t} has no pair (y_i, y_i-{m}) without NaN")
        scales[t] = d.mean()
        if scales[t] == 0:
            raise DataError(f"insample column {t} is constant (in-sample naive MAE with "
                            f"m={m} is 0): MASE is undefined; use relative_mae or another "
                            "scale")
    return scales


def mase(y_true, y_pred, insample, m: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006), averaged over targets.

    Per target ``t``: ``MAE_t(y_true, y_pred) / mase_scale(insample, m)[t]``; then the
    mean over targets. Below 1: better than the in-sample seasonal naive forecast.
    (sktime's ``mean_absolute_scaled_error`` agrees per target — its ``raw_values`` —
    but its ``uniform_average`` divides the mean MAE by the mean scale instead.)

    Args:
        y_true: actual values ``[..., T]``.
        y_pred: forecasts, the same shape.
        insample: the training series ``[N]`` or ``[N, T]`` (same ``T``).
        m: the seasonal period of the naive scale.

    Returns:
        MASE.

    Example:

    >>> mase([3.0, 5.0], [2.0, 5.0], insample=[1.0, 2.0, 4.0])   # 0.5 / 1.5
    0.3333333333333333
    """
    a, b = _pair(y_true, y_pred)
    scales = mase_scale(insample, m)
    n_targets = 1 if a.ndim == 1 else a.shape[-1]
    if scales.shape[0] != n_targets:
        raise DataError(f"insample must have the T={n_targets} targets of y_true (its last "
                        f"axis, shape {a.shape}), got {scales.shape[0]} "
                        f"(shape {np.shape(insample)})")
    per_target = np.mean(np.abs(_targets(a) - _targets(b)), axis=0) / scales
    return float(np.mean(per_target))


def relative_mae(y_true, y_pred, y_reference) -> float:
    """``MAE(y_pred) / MAE(y_reference)`` on the same points (e.g. vs a naive forecast).

    Args:
        y_true: actual values ``[..., T]``.
        y_pred: the forecasts judged, the same shape.
        y_reference: the reference forecasts, the same shape.

    Returns:
        The ratio; ``inf`` when the reference is exact and ``y_pred`` is not, ``0.0`` when
        both are exact.

    Example:

    >>> relative_mae([1.0, 2.0], [1.0, 3.0], [2.0, 4.0])   # 0.5 / 1.5
    0.3333333333333333
    """
    a, b = _pair(y_true, y_pred)
    _, r = _pair(a, y_reference, "y_reference")
    num, den = np.mean(np.abs(a - b)), np.mean(np.abs(a - r))
    if den == 0:
        return 0.0 if num == 0 else float("inf")
    return float(num / den)


def _quantiles(quantiles) -> np.ndarray:
    try:
        q = np.asarray(quantiles, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        fail("quantiles", "strictly increasing numbers in (0, 1)", quantiles)
    if q.size == 0 or not (np.all(q > 0) and np.all(q < 1) and np.all(np.diff(q) > 0)):
        fail("quantiles", "non-empty, strictly increasing numbers in (0, 1)", quantiles)
    return q


def _quantile_arrays(y_true, q_pred, quantiles):
    """``y [P, 1, T]``, ``f [P, Q, T]``, ``q [Q]`` with shape checks."""
    q = _quantiles(quantiles)
    y, f = _array("y_true", y_true), _array("q_pred", q_pred)
    if y.ndim == 1:  # one target: [n] with q_pred [n, Q] (or [n, Q, 1])
        y = y[:, None]
        if f.ndim == 2:
            f = f[..., None]
    want = y.shape[:-1] + (q.size,) + y.shape[-1:]
    if f.shape != want:
        raise DataError(f"q_pred must have shape y_true.shape[:-1] + (Q,) + "
                        f"y_true.shape[-1:] = {want} (Q={q.size} quantiles {q.tolist()}), "
                        f"got {f.shape} for y_true of shape {np.shape(y_true)}")
    t = y.shape[-1]
    return y.reshape(-1, 1, t), f.reshape(-1, q.size, t), q


def pinball_loss(y_true, q_pred, quantiles) -> np.ndarray:
    """Pinball (quantile) loss per quantile, ``mean(max(q*(y-f), (q-1)*(y-f)))``.

    Koenker & Bassett (1978)'s check function, the quantile loss Darts and
    NeuralForecast train and score with; its minimiser is the ``q``-quantile.

    Args:
        y_true: actual values ``[..., T]`` (1-D: one target, ``q_pred`` then ``[n, Q]``).
        q_pred: quantile forecasts ``y_true.shape[:-1] + (Q,) + y_true.shape[-1:]``
            (the quantile axis just before the targets, e.g. ``[n, horizon, Q, T]``).
        quantiles: the ``Q`` levels, strictly increasing in ``(0, 1)``.

    Returns:
        ``[Q]`` float64 losses, each the mean over every point and target.

    Example:

    >>> y = np.array([[10.0]])                       # one point, one target
    >>> f = np.array([[[8.0], [10.0], [13.0]]])     # its 0.1, 0.5, 0.9 quantiles
    >>> pinball_loss(y, f, [0.1, 0.5, 0.9])          # 0.1*2, 0, (0.9-1)*(-3)
    array([0.2, 0. , 0.3])
    """
    y, f, q = _quantile_arrays(y_true, q_pred, quantiles)
    err = y - f
    qq = q[None, :, None]
    loss = np.maximum(qq * err, (qq - 1.0) * err)
    return loss.mean(axis=(0, 2))


def central_intervals(quantiles) -> list[tuple[float, float, float]]:
    """The central intervals ``(lo, hi, nominal)`` formed by levels symmetric about 0.5.

    Args:
        quantiles: strictly increasing levels in ``(0, 1)``; ``lo`` and ``hi = 1 - lo``
            pair up when they match to 1e-9.

    Returns:
        ``[(lo, hi, hi - lo), ...]``, widest first.

    Example:

    >>> central_intervals((0.05, 0.1, 0.5, 0.9, 0.95))
    [(0.05, 0.95, 0.9), (0.1, 0.9, 0.8)]
    >>> central_intervals((0.1, 0.5))
    []
    """
    q = _quantiles(quantiles)
    out = []
    for lo in q[q < 0.5]:
        match = np.flatnonzero(np.abs(q - (1.0 - lo)) <= 1e-9)
        if match.size:
            hi = float(q[match[0]])
            out.append((float(lo), hi, round(hi - float(lo), 12)))
    return out


def interval_coverage(y_true, lower, upper) -> float:
    """The fraction of points with ``lower <= y <= upper``.

    Args:
        y_true: actual values ``[..., T]``.
        lower: lower bounds, the same shape.
        upper: upper bounds, the same shape.

    Returns:
        The empirical coverage in ``[0, 1]``.

    Example:

    >>> interval_coverage([1.0, 5.0, 3.0, 9.0], [0.0, 0.0, 3.0, 0.0], [2.0, 4.0, 4.0, 8.0])
    0.5
    """
    y, lo = _pair(y_true, lower, "lower")
    _, hi = _pair(y, upper, "upper")
    return float(np.mean((lo <= y) & (y <= hi)))


def point_metrics(y_true, y_pred, *, insample, m: int = 1) -> dict:
    """MAE, RMSE, sMAPE and (with a training series) MASE in one dict.

    Args:
        y_true: actual values ``[..., T]``.
        y_pred: forecasts, the same shape.
        insample: the training series for the MASE scale (``[N]`` or ``[N, T]``), or
            None to leave MASE out.
        m: the seasonal period of the MASE scale.

    Returns:
        ``{"mae", "rmse", "smape", "mase"}`` of floats (no ``"mase"`` without insample).

    Example:

    >>> point_metrics([3.0, 5.0], [2.0, 5.0], insample=[1.0, 2.0, 4.0])
    {'mae': 0.5, 'rmse': 0.7071067811865476, 'smape': 20.0, 'mase': 0.3333333333333333}
    >>> sorted(point_metrics([3.0], [2.0], insample=None))
    ['mae', 'rmse', 'smape']
    """
    out = {"mae": mae(y_true, y_pred), "rmse": rmse(y_true, y_pred),
           "smape": smape(y_true, y_pred)}
    if insample is not None:
        out["mase"] = mase(y_true, y_pred, insample, m)
    return out


def quantile_metrics(y_true, q_pred, quantiles) -> dict:
    """Pinball loss per level, its mean, and the coverage of each central interval.

    Args:
        y_true: actual values ``[..., T]``.
        q_pred: quantile forecasts ``y_true.shape[:-1] + (Q,) + y_true.shape[-1:]``.
        quantiles: the ``Q`` levels, strictly increasing in ``(0, 1)``.

    Returns:
        ``{"pinball": {"0.1": float, ...}, "mean_pinball": float,
        "coverage": {"80%": float, ...}}``: levels formatted ``f"{q:g}"``, intervals by
        their nominal coverage ``f"{100 * nominal:g}%"``.

    Example:

    >>> y = np.array([[10.0], [20.0]])
    >>> f = np.array([[[8.0], [10.0], [13.0]], [[9.0], [12.0], [15.0]]])
    >>> quantile_metrics(y, f, [0.1, 0.5, 0.9])   # 20 lies outside [9, 15]
    {'pinball': {'0.1': 0.65, '0.5': 2.0, '0.9': 2.4}, 'mean_pinball': 1.6833333333333333, \
'coverage': {'80%': 0.5}}
    """
    y, f, q = _quantile_arrays(y_true, q_pred, quantiles)
    losses = pinball_loss(y_true, q_pred, quantiles)
    index = {float(level): i for i, level in enumerate(q)}
    coverage = {}
    for lo, hi, nominal in central_intervals(q):
        cov = interval_coverage(y[:, 0, :], f[:, index[lo], :], f[:, index[hi], :])
        coverage[f"{100 * nominal:g}%"] = cov
    return {"pinball": {f"{level:g}": float(v) for level, v in zip(q, losses)},
            "mean_pinball": float(np.mean(losses)), "coverage": coverage}

