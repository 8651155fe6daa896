"""Conformal calibration of a quantile forecaster's intervals on the validation origins.

Quantile heads trained with the pinball loss on the training windows tend to be too
narrow on new data (they fit the noise they were trained on). Conformalized quantile
regression (CQR; Romano, Patterson & Candès, NeurIPS 2019) corrects each central interval
``[q_lo, q_hi]`` of nominal coverage ``1 - a`` with the validation set's conformity scores
``E_i = max(q_lo - y_i, y_i - q_hi)``: the interval becomes ``[q_lo - d, q_hi + d]`` with
``d`` the ``ceil((n + 1)(1 - a))``-th smallest of the ``n`` scores (per horizon step and
target). ``d`` may be negative (an interval that over-covers is narrowed, never past the
median, which stays the point forecast;
:class:`~seqkit.forecasting.layers.IntervalCalibration`).

Nothing here sees the test part: scores come from the validation origins only.

Example:

>>> import numpy as np
>>> y = np.zeros((99, 1, 1))
>>> q = np.stack([np.full((99, 1, 1), -1.0), y, np.full((99, 1, 1), 1.0)], axis=2)
>>> y[:30] = 2.0                                          # 30 of 99 above the upper level
>>> offsets = conformal_offsets(y, q, (0.1, 0.5, 0.9))
>>> offsets[0, :, 0].tolist()                             # widened to cover 80%
[-1.0, 0.0, 1.0]
"""

from __future__ import annotations

import math

import numpy as np

#: fewer validation origins than this: no calibration (the correction would be noise)
MIN_CALIBRATION_ORIGINS = 20


def conformal_offsets(y, q, quantiles) -> np.ndarray:
    """The CQR offsets ``[H, Q, T]`` (lower levels ``-d``, upper ``+d``, median 0).

    Args:
        y: ``[n, H, T]`` validation truths (in the units of ``q``).
        q: ``[n, H, Q, T]`` the model's quantiles at the same origins.
        quantiles: the ``Q`` levels.

    Returns:
        The offsets to add to ``q``.
    """
    from seqkit.forecasting.metrics import central_intervals

    levels = [float(v) for v in quantiles]
    n = y.shape[0]
    offsets = np.zeros(q.shape[1:], dtype="float64")
    for lo, hi, nominal in central_intervals(levels):
        i, j = _index(levels, lo), _index(levels, hi)
        scores = np.maximum(q[:, :, i] - y, y - q[:, :, j])       # [n, H, T]
        k = min(n, math.ceil((n + 1) * nominal))  # the k-th smallest score (eq. 8)
        d = np.sort(scores, axis=0)[k - 1]                     # [H, T]
        offsets[:, i] = -d
        offsets[:, j] = d
    return offsets.astype("float32")


def _index(levels, value) -> int:
    return int(np.argmin(np.abs(np.asarray(levels) - value)))


def coverage_by_interval(y, q, quantiles) -> dict:
    """Empirical coverage of each central interval: ``{"80%": fraction}``.

    Example:

    >>> y = np.zeros((4, 1, 1)); y[0] = 5.0
    >>> q = np.stack([y * 0 - 1, y * 0, y * 0 + 1], axis=2)
    >>> coverage_by_interval(y, q, (0.1, 0.5, 0.9))
    {'80%': 0.75}
    """
    from seqkit.forecasting.metrics import central_intervals

    levels = [float(v) for v in quantiles]
    out = {}
    for lo, hi, nominal in central_intervals(levels):
        i, j = _index(levels, lo), _index(levels, hi)
        inside = (q[:, :, i] <= y) & (y <= q[:, :, j])
        out[f"{100 * nominal:g}%"] = float(inside.mean())
    return out


def calibrate_intervals(model, data, *, quantiles, batch_size: int, dataset) -> dict:
    """Set ``model``'s interval offsets from the validation origins (in the trained units).

    Args:
        model: the served quantile forecaster (its ``quantiles_scaled`` layer is an
            ``IntervalCalibration``).
        data: the fit's ``ForecastData`` (to count validation origins).
        quantiles: the levels.
        batch_size: prediction batch size.
        dataset: the validation ``tf.data`` dataset of ``(inputs, scaled targets)``.

    Returns:
        ``{"method", "n_origins", "val_coverage_before", "val_coverage_after",
        "mean_offset"}``, or ``{"method": None, "reason"}`` when there are too few origins.
    """
    from seqkit.forecasting.model import forecast_training_view

    n = data.n_examples("val")
    if n < MIN_CALIBRATION_ORIGINS or dataset is None:
        return {"method": None, "reason": f"{n} validation origins (< "
                                          f"{MIN_CALIBRATION_ORIGINS}): not calibrated"}
    layer = model.get_layer("quantiles_scaled")
    layer.offsets.assign(np.zeros(layer.offsets.shape, "float32"))
    view = forecast_training_view(model)
    q = np.asarray(view.predict(dataset, verbose=0))
    y = np.concatenate([np.asarray(batch_y) for _, batch_y in dataset])
    offsets = conformal_offsets(y, q, quantiles)
    layer.offsets.assign(offsets)
    after = np.asarray(layer(q))  # the layer's own clipping and sorting
    return {"method": "conformalized quantile regression (Romano et al. 2019) on the "
                      "validation origins", "n_origins": int(n),
            "val_coverage_before": coverage_by_interval(y, q, quantiles),
            "val_coverage_after": coverage_by_interval(y, after, quantiles),
            "mean_offset_scaled": float(np.abs(offsets).mean())}
