"""Forecasting, the task: everything from a raw series to a served forecaster, in one package
(importing it loads no TensorFlow; the Keras parts load on first use).

- :mod:`seqkit.forecasting.task`: :func:`fit_forecaster` and the task's hooks
  (:class:`~seqkit.forecasting.task.Forecasting`), registered as ``"forecasting"``.
- :mod:`seqkit.forecasting.data` and :mod:`seqkit.forecasting.data`: one series or
  many, their covariates, split by origins; :mod:`seqkit.forecasting.inputs`: raw inputs
  of a fitted forecaster turned into what its model takes.
- :mod:`seqkit.forecasting.model`, :mod:`seqkit.forecasting.model`,
  :mod:`seqkit.forecasting.quantiles`: the served model (scaling inside it, residual
  path, quantile heads).
- :mod:`seqkit.forecasting.smoothing`: :class:`ExponentialSmoothing`, Holt-Winters as a
  Keras layer (statsmodels' recursions, learnt constants); the ES-RNN hybrid's base.
- :mod:`seqkit.forecasting.combination`: the seasonal naive, drift and smoothing beside
  the RNN in the served graph, weighted on the validation windows (``combine``).
- :mod:`seqkit.forecasting.evaluation` and :mod:`seqkit.forecasting.evaluation`: test
  scores beside the baselines, intervals calibrated on validation.
- :mod:`seqkit.forecasting.metrics`: MAE, RMSE, sMAPE (M4), MASE (Hyndman & Koehler
  2006, scaled by the in-sample seasonal naive MAE), relative MAE, pinball loss and
  interval coverage.
- :mod:`seqkit.forecasting.baselines`: last value, seasonal naive, drift (FPP3 §5.2),
  ETS and Theta (statsmodels) forecasts at backtest origins, leak-free.
- :mod:`seqkit.forecasting.backtest`: :func:`backtest`, rolling-origin evaluation of a
  fitted forecaster (with or without retraining) beside those baselines.
- :mod:`seqkit.forecasting.plot`: :func:`plot_forecast`, history, truth, forecast and the
  central interval bands as a PNG.

Example:

>>> import numpy as np
>>> from seqkit.forecasting import baseline_forecasts, mase
>>> y = np.array([1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0])
>>> naive = baseline_forecasts(y, [6], 2, period=2, names=("seasonal_naive",))
>>> f = naive["seasonal_naive"][0]                # [horizon=2, T=1] from y[:6]
>>> f[:, 0], y[6:]
(array([3., 5.]), array([4., 6.]))
>>> mase(y[6:, None], f, insample=y[:6], m=2)     # |e| = 1, 1; in-sample scale 1
1.0
"""

from seqkit._lazy import lazy_module_attributes
from seqkit.forecasting.backtest import Backtest, backtest
from seqkit.forecasting.baselines import (
    BASELINES,
    baseline_forecasts,
    drift,
    last_value,
    seasonal_naive,
)
from seqkit.forecasting.metrics import (
    central_intervals,
    interval_coverage,
    mae,
    mase,
    mase_scale,
    pinball_loss,
    point_metrics,
    quantile_metrics,
    relative_mae,
    rmse,
    smape,
)
from seqkit.forecasting.plot import plot_forecast

_LAZY = {"fit_forecaster": "seqkit.forecasting.task", "Forecasting": "seqkit.forecasting.task",
         "ExponentialSmoothing": "seqkit.forecasting.smoothing"}

__all__ = [
    "BASELINES",
    "Forecasting",
    "Backtest",
    "ExponentialSmoothing",
    "backtest",
    "baseline_forecasts",
    "central_intervals",
    "drift",
    "fit_forecaster",
    "interval_coverage",
    "last_value",
    "mae",
    "mase",
    "mase_scale",
    "pinball_loss",
    "plot_forecast",
    "point_metrics",
    "quantile_metrics",
    "relative_mae",
    "rmse",
    "seasonal_naive",
    "smape",
]

__getattr__, __dir__ = lazy_module_attributes(__name__, _LAZY, globals())
