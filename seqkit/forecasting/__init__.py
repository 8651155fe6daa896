"""Forecast metrics, statistical baselines and backtests (importing it loads no TensorFlow).

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

__all__ = [
    "BASELINES",
    "Backtest",
    "backtest",
    "baseline_forecasts",
    "central_intervals",
    "drift",
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
