"""Scoring forecasts made at origins: textbook metrics beside the statistical baselines.

:func:`score_series` scores one series' forecasts from many origins against its truth,
with MASE scaled by the in-sample seasonal-naive MAE of what the forecaster was given
(Hyndman & Koehler 2006), and the baselines of :mod:`seqkit.forecasting.baselines` on the
same origins. :func:`aggregate_scores` combines many series as the M4 competition does
(the mean over series of each series' MASE and sMAPE; MAE and RMSE averaged likewise).

Example:

>>> import numpy as np
>>> values = np.arange(30.0)[:, None]
>>> origins = np.array([24, 26])
>>> truth = np.stack([values[o:o + 2] for o in origins])
>>> s = score_series(truth, truth + 1.0, history=values, origins=origins, insample=values[:24],
...                  period=None, baselines=("last_value", "drift"))
>>> s["mae"], s["mase"], s["baselines"]["drift"]["mae"], s["beats"]["last_value"]
(1.0, 1.0, 0.0, True)

Conformal calibration of a quantile forecaster's intervals on the validation origins.

Quantile heads trained with the pinball loss on the training windows tend to be too
narrow on new data (they fit the noise they were trained on). Conformalized quantile
regression (CQR; Romano, Patterson & Candès, NeurIPS 2019) corrects each central interval
``[q_lo, q_hi]`` of nominal coverage ``1 - a`` with the validation set's conformity scores
``E_i = max(q_lo - y_i, y_i - q_hi)``: the interval becomes ``[q_lo - d, q_hi + d]`` with
``d`` the ``ceil((n + 1)(1 - a))``-th smallest of the ``n`` scores (per horizon step and
target). ``d`` may be negative (an interval that over-covers is narrowed, never past the
median, which stays the point forecast;
:class:`~seqkit.forecasting.model.IntervalCalibration`).

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
import warnings

import numpy as np

POINT_METRICS = ("mae", "rmse", "smape", "mase")


def naive_kind(period: int | None) -> str:
    """How the seasonal-naive baseline reads for ``period``.

    Example:

    >>> naive_kind(12), naive_kind(None)
    ('seasonal naive (period 12)', 'naive (last value)')
    """
    return f"seasonal naive (period {period})" if period and period > 1 else "naive (last value)"


def score_series(truth, pred, *, history, origins, insample, period, baselines,
                 quantile_pred=None, quantiles=None, baseline_refit: bool = False) -> dict:
    """Metrics of one series' forecasts, and of each baseline on the same origins.

    Args:
        truth: ``[K, H, T]`` true values at ``K`` origins.
        pred: ``[K, H, T]`` point forecasts.
        history: ``[N, T]`` the series' target values (baselines read ``history[:o]``).
        origins: the ``K`` origins.
        insample: ``[M, T]`` the values the forecaster was given (MASE's scale).
        period: the seasonal period (MASE's ``m``, the seasonal naive's season), or None.
        baselines: names from :data:`seqkit.forecasting.BASELINES` (empty: none).
        quantile_pred: ``[K, H, Q, T]`` quantile forecasts, or None.
        quantiles: their levels.
        baseline_refit: re-estimate ETS/Theta at every origin (slow, exact).

    Returns:
        ``{"mae", "rmse", "smape", "mase", "n_origins", "baselines": {name: metrics},
        "relative_mae": {name: MAE / baseline MAE}, "beats": {name: MASE < baseline's}}``
        and ``"quantiles"`` (pinball loss, coverage) with quantile forecasts.
    """
    from seqkit.forecasting.baselines import baseline_forecasts
    from seqkit.forecasting.metrics import point_metrics, quantile_metrics

    m = int(period) if period and period > 1 and len(insample) > period else 1
    out = point_metrics(truth, pred, insample=insample, m=m)
    out.update(n_origins=int(len(origins)), mase_m=m)
    if quantile_pred is not None:
        out["quantiles"] = quantile_metrics(truth, quantile_pred, quantiles)
    forecasts = {}
    if period and period > 1 and int(np.min(origins)) < period:
        period = None  # a history shorter than one season: the naive is the last value
    if baselines:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecasts = baseline_forecasts(history, origins, truth.shape[1], period=period,
                                           names=tuple(baselines), refit=baseline_refit)
    out["baselines"] = {name: point_metrics(truth, f, insample=insample, m=m)
                        for name, f in forecasts.items()}
    out["relative_mae"] = {name: _ratio(out["mae"], b["mae"])
                           for name, b in out["baselines"].items()}
    out["beats"] = {name: bool(out["mase"] < b["mase"]) for name, b in out["baselines"].items()}
    return out


def _ratio(a: float, b: float) -> float:
    if b > 0:
        return float(a / b)
    return 0.0 if a == 0 else float("inf")


def aggregate_scores(per_series: dict) -> dict:
    """Many series' scores as one: the mean over series of MASE and sMAPE (M4's overall
    figures), the mean of MAE and RMSE over series, each baseline alike.

    Args:
        per_series: ``{id: score_series(...)}``.

    Returns:
        ``{"mae", "rmse", "smape", "mase", "n_series", "n_origins", "baselines",
        "beats"}`` (``"quantiles"``' coverage and mean pinball averaged when present).

    Example:

    >>> a = {"mae": 1.0, "rmse": 1.0, "smape": 2.0, "mase": 0.5, "n_origins": 1,
    ...      "baselines": {"drift": {"mae": 2.0, "rmse": 2.0, "smape": 4.0, "mase": 1.0}}}
    >>> b = {**a, "mase": 1.5}
    >>> agg = aggregate_scores({"a": a, "b": b})
    >>> agg["mase"], agg["baselines"]["drift"]["mase"], agg["beats"]["drift"]
    (1.0, 1.0, False)
    """
    scores = list(per_series.values())
    out = {k: float(np.mean([s[k] for s in scores])) for k in POINT_METRICS}
    out["n_series"] = len(scores)
    out["n_origins"] = int(sum(s["n_origins"] for s in scores))
    names = scores[0].get("baselines", {}).keys()
    out["baselines"] = {n: {k: float(np.mean([s["baselines"][n][k] for s in scores]))
                            for k in POINT_METRICS} for n in names}
    out["relative_mae"] = {n: _ratio(out["mae"], b["mae"]) for n, b in out["baselines"].items()}
    out["beats"] = {n: bool(out["mase"] < b["mase"]) for n, b in out["baselines"].items()}
    if "quantiles" in scores[0]:
        q = [s["quantiles"] for s in scores]
        out["quantiles"] = {
            "mean_pinball": float(np.mean([x["mean_pinball"] for x in q])),
            "coverage": {k: float(np.mean([x["coverage"][k] for x in q]))
                         for k in q[0]["coverage"]}}
    return out


def warn_if_beaten(metrics: dict, period, stacklevel: int = 4) -> None:
    """Warn when the forecaster's MASE is not below the seasonal naive's (or last value's).

    Args:
        metrics: :func:`score_series` or :func:`aggregate_scores` output.
        period: the seasonal period.
        stacklevel: for ``warnings.warn``.
    """
    name = "seasonal_naive" if "seasonal_naive" in metrics.get("beats", {}) else "last_value"
    if name in metrics.get("beats", {}) and not metrics["beats"][name]:
        base = metrics["baselines"][name]["mase"]
        kind = naive_kind(period) if name == "seasonal_naive" else naive_kind(None)
        warnings.warn(f"the forecaster does not beat the {kind} forecast on the test split: "
                      f"MASE {metrics['mase']:.3f} >= its {base:.3f}", stacklevel=stacklevel)


def split_prediction(pred) -> tuple[np.ndarray, np.ndarray | None]:
    """``(point [K, H, T], quantiles [K, H, Q, T] or None)`` of a forecaster's output.

    Example:

    >>> split_prediction(np.zeros((2, 3, 1)))[1] is None
    True
    """
    if isinstance(pred, dict):
        return np.asarray(pred["forecast"]), np.asarray(pred["quantiles"])
    return np.asarray(pred), None


def evaluate_parts(model, data, part: str, *, batch_size: int, baselines, quantiles=None,
                   baseline_refit: bool = False) -> dict:
    """Forecast every origin of ``part`` of every series and score them.

    Args:
        model: the served forecaster (raw inputs, original units).
        data: the fit's :class:`~seqkit.forecasting.data.ForecastData`.
        part: ``"val"`` or ``"test"``.
        batch_size: prediction batch size.
        baselines: baseline names (see :func:`score_series`).
        quantiles: the model's quantile levels, or None.
        baseline_refit: see :func:`score_series`.

    Returns:
        One series: :func:`score_series`'s metrics plus ``naive_kind``/``beats_naive``.
        Many: :func:`aggregate_scores` plus ``per_series``.
    """
    which, origins = data.origins(part)
    inputs, truth = data.gather(which, origins)
    x = inputs["window"] if len(inputs) == 1 else inputs
    point, qpred = split_prediction(model.predict(x, batch_size=max(batch_size, 256),
                                                  verbose=0))
    insample = data.part_values("before_test", data.targets)
    per_series = {}
    for i, series_id in enumerate(data.ids):
        rows = which == i
        if not rows.any():
            continue
        per_series[series_id] = score_series(
            truth[rows], point[rows], history=data.series_values(i)[:, data.targets],
            origins=origins[rows], insample=insample[i], period=data.period,
            baselines=baselines, quantile_pred=None if qpred is None else qpred[rows],
            quantiles=quantiles, baseline_refit=baseline_refit)
    out = (next(iter(per_series.values())) if data.n_series == 1
           else {**aggregate_scores(per_series), "per_series": per_series})
    key = "seasonal_naive" if "seasonal_naive" in out["beats"] else "last_value"
    out["naive_kind"] = naive_kind(data.period if key == "seasonal_naive" else None)
    if key in out["beats"]:
        out["beats_naive"] = out["beats"][key]
    warn_if_beaten(out, data.period, stacklevel=5)
    return out


#: keep each series' last window in ``data_info`` (for ``FitResult.predict_series``) up to
#: this many values in all
LAST_WINDOW_VALUES = 200_000


def _last_windows(data) -> dict | None:
    if data.n_series * data.window * data.n_features > LAST_WINDOW_VALUES:
        return None
    return {i: data.series_values(k)[-data.window:].tolist() for k, i in enumerate(data.ids)}


def forecast_data_info(data, mean, std, stride: int) -> dict:
    """What the fit learnt about its series, for ``FitResult.data_info``.

    Args:
        data: the :class:`~seqkit.forecasting.data.ForecastData`.
        mean, std: the training part's per-column statistics.
        stride: the training origins' stride.

    Returns:
        A JSON-able dict (sizes, split bounds of the first series, columns, covariates).
    """
    first = data.splits[0]
    index = data.indexes[0] if data.indexes else range(0)
    info = {
        "n_series": data.n_series, "n_steps": int(first.n), "n_features": data.n_features,
        "columns": data.columns, "target_columns": [data.columns[t] for t in data.targets],
        "target_indices": data.targets, "period": data.period,
        "naive_kind": naive_kind(data.period),
        "split_bounds": {"train_end": first.train_end, "val_end": first.val_end,
                         "n": first.n},
        "n_windows": {p: data.n_examples(p, stride if p == "train" else 1)
                      for p in ("train", "val", "test")},
        "last_windows": _last_windows(data),
        "future_covariates": data.future_names, "static_covariates": data.static_names,
        "calendar_features": list(data.calendar_features),
        "scaler": {"mean": np.asarray(mean).tolist(), "std": np.asarray(std).tolist()},
        "time_start": str(index[0]) if len(index) else None,
        "time_end": str(index[-1]) if len(index) else None,
    }
    if data.static is not None:
        info["static_values"] = {i: row.tolist() for i, row in zip(data.ids, data.static,
                                                                    strict=True)}
    if data.n_series > 1:
        info["series_ids"] = list(data.ids)
        info["series_lengths"] = [int(s.n) for s in data.splits]
    return info


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
