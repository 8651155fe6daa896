"""Rolling-origin evaluation (backtesting) of a forecaster, like Darts' ``historical_forecasts``
/ ``backtest``: forecasts from many origins, with or without retraining, scored per origin
and overall beside the statistical baselines on the same origins.

Nothing after an origin is used for that origin's forecast: the window ends at the origin,
the baselines read ``values[:origin]``, and with ``retrain`` every model (its in-model
scalers included) is fitted on ``values[:origin]`` only.

Example:

>>> import numpy as np, seqkit
>>> series = np.sin(np.arange(120) * 2 * np.pi / 12) + 5
>>> result = seqkit.fit_forecaster(series[:96], window=12, horizon=3, units=4, epochs=1,
...                                test_size=0, baselines=(), verbose=0)
>>> bt = backtest(result, series, start=96, stride=3, baselines=("last_value",))
>>> bt.origins.tolist()[:3], bt.forecasts.shape, sorted(bt.metrics["baselines"])
([96, 99, 102], (8, 3, 1), ['last_value'])
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np

from seqkit.errors import ConfigError
from seqkit.fileio import jsonable, write_json_atomic
from seqkit.validation import check_int

#: the fit arguments a retrained backtest model takes from the original result's config
#: the fit's options a refit does not take from the result (the test part, the scoring,
#: many series' columns, the run's machinery); it takes every other option it recorded
REFIT_EXCLUDED = ("test_size", "baselines", "baseline_refit", "id_column", "static_columns",
                  "strategy", "callbacks", "backup_dir", "tensorboard", "verbose")


@dataclasses.dataclass
class Backtest:
    """The forecasts of a backtest and their scores.

    Args:
        origins: ``[K]`` origin indices (first forecast step) in the series.
        timestamps: the series' time index at each origin.
        forecasts: ``[K, H, T]`` point forecasts.
        truth: ``[K, H, T]`` true values.
        quantiles: ``[K, H, Q, T]`` quantile forecasts, or None.
        metrics: overall scores (see :func:`seqkit.forecasting.evaluation.score_series`).
        per_origin: one ``{"origin", "time", "mae", "mase"}`` per origin (MASE scaled by
            the data before that origin, as Darts' ``backtest`` does).
        retrained_at: the origins where a model was (re)fitted (empty without retraining).
        config: the backtest's settings.
    """

    origins: np.ndarray
    timestamps: list
    forecasts: np.ndarray
    truth: np.ndarray
    quantiles: np.ndarray | None
    metrics: dict
    per_origin: list
    retrained_at: list
    config: dict

    def to_json(self) -> dict:
        """Metrics, per-origin scores and settings (not the arrays), JSON-able."""
        return jsonable({"metrics": self.metrics, "per_origin": self.per_origin,
                         "retrained_at": self.retrained_at, "config": self.config})

    def to_frame(self):
        """The per-origin scores as a pandas DataFrame (one row per origin)."""
        import pandas as pd

        return pd.DataFrame(self.per_origin)

    def plot(self, path, *, history, origin: int = -1, target: int = 0,
             quantile_levels=None, max_history: int | None = None, index=None) -> Path:
        """A PNG of one origin's forecast (default the last) beside the history and truth.

        Args:
            path: the PNG to write.
            history: the series' values ``[N]`` / ``[N, F]`` (target columns of the fit).
            origin: which of :attr:`origins` (a position, default the last).
            target: which target column.
            quantile_levels: the levels of :attr:`quantiles` (bands drawn when given).
            max_history: draw only the last steps of the history (default: 4 horizons or
                100 steps, whichever is more, so the forecast is readable).
            index: the series' time index (dates on the x axis), or None.

        Returns:
            The written path.
        """
        from seqkit.forecasting.plot import plot_forecast

        o = int(self.origins[origin])
        values = np.asarray(history, dtype="float64")
        values = values.reshape(len(values), -1)
        q = None if self.quantiles is None else self.quantiles[origin]
        h = self.forecasts.shape[1]
        keep = min(o, max_history or max(100, 4 * h))
        times = {} if index is None else {"history_index": index[o - keep:o],
                                          "index": index[o:o + h]}
        return plot_forecast(path, history=values[o - keep:o, target],
                             truth=self.truth[origin][:, target],
                             forecast=self.forecasts[origin][:, target],
                             quantiles=None if q is None else q[:, :, target],
                             quantile_levels=quantile_levels,
                             title=f"forecast from origin {o}", **times)


def _fit_kwargs(result) -> dict:
    from seqkit.fit.options import FitOptions

    options = [f.name for cls in (result.task_type, FitOptions)
               for f in dataclasses.fields(cls) if not f.metadata.get("recipe_reason")]
    kwargs = {k: result.config[k] for k in options
              if k in result.config and k not in REFIT_EXCLUDED}
    if isinstance(kwargs.get("cell"), dict):
        raise ConfigError("retrain needs a cell given by name or class; this result's cell "
                          f"was a layer instance {kwargs['cell']}")
    return kwargs


def _load(result, series):
    from seqkit.forecasting.data import is_collection, load_forecast_data

    c = result.config
    if is_collection(series, c.get("id_column", "id")):
        raise ConfigError("backtest takes one series; loop over a collection's series")
    return load_forecast_data(
        series, window=c["window"], horizon=c["horizon"], val_size=0, test_size=0,
        columns=c.get("columns"), time_column=c.get("time_column"),
        nan_policy=c.get("nan_policy", "error"), period=c.get("period"),
        target_columns=c.get("target_columns"), future_covariates=c.get("future_covariates"),
        calendar=c.get("calendar"), id_column=None)


def _origins(data, start, stride: int, end) -> np.ndarray:
    from seqkit.data.timeseries import rolling_origins

    n = int(data.splits[0].n)
    return rolling_origins(n, start=start, horizon=data.horizon, stride=stride,
                           window=data.window, end=end)


def _retrain_points(origins: np.ndarray, retrain) -> list[int]:
    if retrain is False or retrain is None or retrain == 0:
        return []
    every = 1 if retrain is True else check_int("retrain", retrain)
    return [int(o) for o in origins[::every]]


def _forecast(models: list, data, origins: np.ndarray, retrained_at: list):
    """Point and quantile forecasts at ``origins``, each by the latest model before it."""
    from seqkit.forecasting.evaluation import split_prediction

    points, quants = [], []
    which = np.searchsorted(retrained_at, origins, side="right") - 1 if retrained_at else (
        np.zeros(len(origins), int))
    for k, model in enumerate(models):
        rows = which == k
        if not rows.any():
            continue
        inputs, _ = data.gather(np.zeros(rows.sum(), np.int64), origins[rows],
                                with_targets=False)
        x = inputs["window"] if len(inputs) == 1 else inputs
        p, q = split_prediction(model.predict(x, batch_size=256, verbose=0))
        points.append(p)
        quants.append(q)
    point = np.concatenate(points)
    quant = None if quants[0] is None else np.concatenate(quants)
    return point, quant


def _per_origin(origins, truth, point, history, period, index) -> list[dict]:
    from seqkit.forecasting.metrics import mae, mase

    rows = []
    for k, o in enumerate(origins):
        m = period if period and period > 1 and o > period else 1
        rows.append({"origin": int(o), "time": str(index[o]) if len(index) > o else None,
                     "mae": mae(truth[k], point[k]),
                     "mase": mase(truth[k], point[k], history[:o], m=m)})
    return rows


def backtest(result, series, *, start=None, stride: int = 1, end=None, retrain=False,
             baselines=("seasonal_naive", "last_value", "drift", "ets", "theta"),
             baseline_refit: bool = False, verbose=0) -> Backtest:
    """Forecast ``series`` from rolling origins with ``result``'s forecaster and score them.

    Args:
        result: a forecasting :class:`~seqkit.fit.result.FitResult` (one series).
        series: the series to backtest on (what ``fit_forecaster`` accepts for one series),
            typically the full series the result was fitted on a prefix of.
        start: the first origin: an int index, a float fraction of the series, or None:
            the start of the result's test part (``data_info["split_bounds"]["val_end"]``).
        stride: steps between origins (``horizon`` gives non-overlapping forecasts).
        end: forecasts end at or before this index (default the series' end).
        retrain: ``False`` (the fitted model at every origin), ``True`` (refit at every
            origin) or an int ``k`` (refit every ``k`` origins): each refit is
            ``fit_forecaster(values[:origin], **the result's settings, test_size=0)``.
        baselines: baseline names scored on the same origins.
        baseline_refit: re-estimate ETS/Theta at every origin.
        verbose: the refits' Keras verbosity.

    Returns:
        A :class:`Backtest`.

    Raises:
        ConfigError: a collection, or a result that is not a forecaster.
    """
    from seqkit.forecasting.evaluation import score_series

    if result.task_type.outputs != "forecast":  # a forecaster's outputs, of any task
        raise ConfigError(f"backtest needs a forecasting result, got task {result.task!r}")
    data = _load(result, series)
    if start is None:
        start = int(result.data_info.get("split_bounds", {}).get("val_end", data.window))
    origins = _origins(data, start, check_int("stride", stride), end)
    retrained_at = _retrain_points(origins, retrain)
    seen = int(result.data_info.get("split_bounds", {}).get("val_end", 0))
    if not retrained_at and origins[0] < seen:
        warnings.warn(f"the first origin {int(origins[0])} is inside the data the model was "
                      f"fitted and early-stopped on (the first {seen} steps): in-sample",
                      stacklevel=2)
    models = [result.model] if not retrained_at else [
        _refit(result, data, o, verbose) for o in retrained_at]
    point, quant = _forecast(models, data, origins, retrained_at)
    _, truth = data.gather(np.zeros(len(origins), np.int64), origins)
    history = data.series_values(0)[:, data.targets]
    metrics = score_series(truth, point, history=history, origins=origins,
                           insample=history[:origins[0]], period=data.period,
                           baselines=baselines, quantile_pred=quant,
                           quantiles=result.config.get("quantiles"),
                           baseline_refit=baseline_refit)
    index = data.indexes[0]
    return Backtest(origins=origins, timestamps=[str(index[o]) for o in origins],
                    forecasts=point, truth=truth, quantiles=quant, metrics=metrics,
                    per_origin=_per_origin(origins, truth, point, history, data.period, index),
                    retrained_at=retrained_at,
                    config={"start": int(origins[0]), "stride": int(stride),
                            "retrain": retrain, "n_origins": int(len(origins)),
                            "horizon": data.horizon, "baselines": list(baselines)})


def _refit(result, data, origin: int, verbose):
    fit_forecaster = result.task_type.fit_function
    values = data.series_values(0)[:origin]
    kwargs = _fit_kwargs(result)
    kwargs["columns"] = None  # the loaded values already hold just these columns
    kwargs["time_column"] = None
    index = data.indexes[0]
    series = _as_frame(values, data.columns, index[:origin]) if kwargs.get("calendar") \
        else values
    if not kwargs.get("calendar"):
        kwargs["target_columns"] = data.targets
        if kwargs.get("future_covariates"):
            kwargs["future_covariates"] = [data.columns.index(c)
                                           for c in kwargs["future_covariates"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = fit_forecaster(series, **kwargs, test_size=0, baselines=(), verbose=verbose)
    return fitted.model


def _as_frame(values, columns, index):
    import pandas as pd

    return pd.DataFrame(values, columns=columns, index=index)


def recipe_outputs(config, result, run_dir, *, echo=print) -> dict:
    """After a forecast recipe's run (``seqkit train forecasting``): the backtest over the
    test part (``--backtest``) and the picture of the last test origin (one series only).

    Writes ``run_dir/backtest.json`` (:meth:`Backtest.to_json`: overall metrics beside the
    baselines, one row per origin, the settings) and ``backtest.png``
    (:meth:`Backtest.plot`, the last origin) with ``config.backtest``; and
    ``forecast.png`` (history, truth, forecast and, with quantiles, the interval bands of
    the last test origin) whenever the run has one series and a test part.

    Args:
        config: the recipe's configuration.
        result: the trained forecaster.
        run_dir: the run folder.
        echo: where the backtest's lines are printed.

    Returns:
        ``{"backtest": path, "backtest_png": path, "forecast_png": path}`` for what was
        written.
    """
    from seqkit.forecasting.plot import plot_forecast

    run_dir = Path(run_dir)
    info = result.data_info
    bounds, horizon = info["split_bounds"], result.config["horizon"]
    if info.get("n_series", 1) > 1 or bounds["val_end"] >= bounds["n"]:
        return {}  # many series, or no test part: no single test origin to draw
    outputs, levels = {}, result.config.get("quantiles")
    if config.backtest:
        bt = backtest(result, config.data, stride=config.backtest_stride,
                      retrain=config.backtest_retrain, baselines=tuple(config.baselines),
                      baseline_refit=config.baseline_refit, verbose=0)
        outputs["backtest"] = str(write_json_atomic(run_dir / "backtest.json",
                                                    bt.to_json()))
        echo(_backtest_line(bt))
    else:  # one origin, the last of the test part, for the picture
        bt = backtest(result, config.data, start=bounds["n"] - horizon, baselines=())
    values, index = _target_history(config, info["target_indices"])
    if config.backtest:
        outputs["backtest_png"] = str(bt.plot(run_dir / "backtest.png", history=values,
                                              quantile_levels=levels))
    o = int(bt.origins[-1])
    outputs["forecast_png"] = str(plot_forecast(
        run_dir / "forecast.png", history=values[:o], truth=bt.truth[-1],
        forecast=bt.forecasts[-1], quantiles=None if bt.quantiles is None else bt.quantiles[-1],
        quantile_levels=levels, history_index=index[:o], index=index[o:o + horizon],
        max_history=max(4 * result.config["window"], 2 * horizon),
        title=f"{config.data} ({info['target_columns'][0]}): forecast from the last test "
              f"origin ({index[o]})"))
    return outputs


def _target_history(config, targets) -> tuple:
    """The series' target values ``[N, T]`` and time index, read as the fit read them."""
    from seqkit.data.timeseries import check_series, load_series

    series = check_series(load_series(config.data, columns=config.columns,
                                      time_column=config.time_column, period=config.period),
                          config.nan_policy)
    return series.values[:, list(targets)], series.index


def _backtest_line(bt) -> str:
    m, c = bt.metrics, bt.config
    line = (f"backtest ({c['n_origins']} origins from {c['start']}, stride {c['stride']}, "
            f"retrain {c['retrain']}): MAE {m['mae']:.4g}  MASE {m['mase']:.3f}")
    for name, b in m.get("baselines", {}).items():
        line += f"; {name} {b['mase']:.3f}"
    coverage = m.get("quantiles", {}).get("coverage", {})
    return line + "".join(f"; {k} coverage {v:.3f}" for k, v in coverage.items())
