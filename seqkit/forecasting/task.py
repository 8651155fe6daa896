"""fit_forecaster: one series or many in, a raw-window-in / original-units-out forecaster
out, scored beside the statistical baselines on the same test origins."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from seqkit.errors import DataError
from seqkit.fit.options import FitOptions, describe_source, option
from seqkit.fit.pipeline import FitTask, run_fit
from seqkit.fit.result import FitResult
from seqkit.forecasting.baselines import BASELINES
from seqkit.forecasting.combination import COMBINES
from seqkit.forecasting.data import load_forecast_data, name_list
from seqkit.forecasting.evaluation import evaluate_parts, forecast_data_info
from seqkit.forecasting.model import (
    MODELS,
    SCALINGS,
    WINDOW_INPUTS,
    build_forecast_model,
    forecast_training_view,
)
from seqkit.validation import (
    check_bool,
    check_choice,
    check_int,
    check_optional_int,
    fail,
    scale_stats,
)


@dataclass
class Forecasting(FitTask):
    """The forecasting task's hooks: one series or many (:mod:`seqkit.forecasting.data`)
    split by origins, scaling inside the model from the training part only (or each
    window's own), windows gathered by origin, and test forecasts scored beside the
    statistical baselines on the same origins (:mod:`seqkit.forecasting.evaluation`)."""

    name = "forecasting"
    title = "time-series forecasting (a real offline series by default)"
    loss = "mse"
    metrics = ("mae",)
    #: training batches all of the plan's size (static batch dimension; see
    #: ``ForecastData.dataset(full_batches=...)``); benchmarks/profile_fit.py turns it off
    #: to measure the difference
    full_training_batches = True

    series: object = option(recipe_reason="the data: the recipe's data option")
    window: int = option(24, "input steps per window")
    horizon: int = option(1, "steps forecast per window")
    stride: int = option(1, "steps between consecutive training origins")
    target_columns: list[str] | None = option(
        None, "columns to forecast; the other columns are past covariates (inputs only); "
        "default every column that is not a future covariate")
    columns: list[str] | None = option(
        None, "columns to read from a frame or CSV; default every numeric one")
    time_column: str | None = option(None, "a CSV's column of time stamps")
    nan_policy: str = option("error", "error|interpolate|drop for missing values")
    period: int | None = option(
        None, "seasonal period (the seasonal naive's season, MASE's m); None: the series' "
        "own")
    residual: bool = option(
        True, "the network predicts the change from the window's last value")
    model: str = option(
        "rnn", "rnn|es-rnn: es-rnn is Smyl's hybrid: a Holt-Winters smoothing trained with "
        "the network forecasts the base, the RNN reads the window deseasonalised by it and "
        "adds its correction (in place of residual)")
    window_inputs: str = option(
        "both", "what the RNN reads: absolute|relative (minus the last step)|both")
    val_size: int | float = option(
        0.15, "validation steps at each series' end: an int (steps) or a fraction; 0: none")
    test_size: int | float = option(
        0.15, "test steps at each series' end: an int (steps) or a fraction; 0: none")
    quantiles: list[float] | None = option(
        None, "quantile levels, e.g. 0.1 0.5 0.9: quantile heads trained with the pinball "
        "loss (0.5 added if absent); None: a point forecast")
    future_covariates: list[str] | None = option(
        None, "columns known in advance over the horizon (user regressors): a second input")
    calendar: list[str] | str | None = option(
        None, "auto or names (hour, day_of_week, day_of_month, day_of_year, week_of_year, "
        "month): sine/cosine encodings of the horizon's dates as future covariates")
    id_column: str | None = option("id", "a long frame's or CSV's series id column")
    static_columns: list[str] | None = option(
        None, "per-series numeric constants of a long frame (static covariates)")
    scaling: str = option("auto", "global|window|auto (auto: window for many series)")
    baselines: list[str] = option(
        BASELINES, "baselines scored on the same test origins (seqkit.forecasting.BASELINES)")
    baseline_refit: bool = option(False, "re-estimate ETS and Theta at every origin (slow)")
    combine: str = option(
        "auto", "auto|best|none: the RNN, the seasonal naive, the drift and a Holt-Winters "
        "smoothing are held in the served graph and weighted on the validation windows: "
        "auto serves their inverse-MSE mix; best the best one; none the RNN alone "
        "(seqkit.forecasting.combination)")
    calibrate_intervals: bool = option(
        True, "with quantiles, calibrate each central interval on the validation origins "
        "(conformalized quantile regression)")

    #: the shared options whose default differs for this task
    option_defaults = {"units": 32}
    #: ``seqkit train forecasting``: its defaults where they differ, and its own options
    recipe_defaults = {"window": 52, "horizon": 4, "nan_policy": "interpolate"}
    recipe_options = {
        "data": (str, "co2", "a built-in series (co2, elnino, sunspots, uschange), a built-in "
                 "collection (m1_yearly: one global model) or a CSV path (a long one with "
                 "--id-column)"),
        "backtest": (bool, False, "after training, forecast from rolling origins over the "
                     "test part into runs/<name>/backtest.json (and backtest.png)"),
        "backtest_stride": (int, 1, "steps between backtest origins"),
        "backtest_retrain": (bool | int, False, "false: the trained model at every origin; "
                             "true: refit at every origin; k: refit every k origins (on the "
                             "data before the origin only)"),
    }

    def check(self) -> None:
        self.window = check_int("window", self.window)
        self.horizon = check_int("horizon", self.horizon)
        self.stride = check_int("stride", self.stride)
        self.period = check_optional_int("period", self.period)
        check_choice("window_inputs", self.window_inputs, WINDOW_INPUTS)
        check_choice("scaling", self.scaling, ("auto", *SCALINGS))
        check_choice("combine", self.combine, COMBINES)
        check_choice("model", self.model, MODELS)
        self.baseline_refit = check_bool("baseline_refit", self.baseline_refit)
        self.calibrate_intervals = check_bool("calibrate_intervals", self.calibrate_intervals)
        self.calibration = None
        if self.quantiles is not None:
            from seqkit.forecasting.quantiles import PinballLoss, check_quantiles

            self.quantiles = check_quantiles(self.quantiles)
            self.loss = PinballLoss(self.quantiles)
            self.metrics = ()
        self.baselines = tuple(name_list(self.baselines) or ())
        for name in self.baselines:
            check_choice("baselines", name, BASELINES)
        if self.calendar not in (None, "auto"):
            self.calendar = tuple(name_list(self.calendar))
        for field in ("target_columns", "columns", "future_covariates", "static_columns"):
            names = name_list(getattr(self, field))
            setattr(self, field, None if names is None else tuple(names))

    def load(self, seed: int) -> None:
        self.data = load_forecast_data(
            self.series, window=self.window, horizon=self.horizon, val_size=self.val_size,
            test_size=self.test_size, columns=self.columns, time_column=self.time_column,
            nan_policy=self.nan_policy, period=self.period, target_columns=self.target_columns,
            future_covariates=self.future_covariates, calendar=self.calendar,
            id_column=self.id_column, static_columns=self.static_columns)
        if self.scaling == "auto":
            self.scaling = "window" if self.data.n_series > 1 else "global"
        self.scale_mean, self.scale_std = self.data.train_stats()
        if self.data.n_examples("train", self.stride) == 0:
            raise DataError(f"no training window: every series' training part is shorter "
                            f"than window={self.window} + horizon={self.horizon}")
        self.monitor = "val_loss" if self.data.n_examples("val") else "loss"
        self.seed = seed
        self.combination = self._combination_plan()

    def _combination_plan(self) -> dict | None:
        """None when the served model holds the candidates; else why it does not."""
        why = ("combine='none'" if self.combine == "none"
               else "quantile forecasts are not combined" if self.quantiles
               else "no validation windows (val_size=0) to weigh the candidates on"
               if not self.data.n_examples("val") else None)
        return None if why is None else {"mode": self.combine, "chosen": "rnn", "why": why}

    def build_model(self, rnn):
        d, t = self.data, self.data.targets
        mean, std = scale_stats("input", self.scale_mean, self.scale_std, d.n_features)
        return build_forecast_model(
            self.window, d.n_features, self.horizon, len(t), input_mean=mean, input_std=std,
            target_indices=t, residual=bool(self.residual), window_inputs=self.window_inputs,
            scaling=self.scaling, quantiles=self.quantiles,
            future_stats=None if d.future is None else d.train_stats(d.future),
            static_stats=None if d.static is None else (d.static.mean(0), d.static.std(0)),
            rnn=rnn, candidates=self.combination is None, hybrid=self.model == "es-rnn",
            period=d.period)

    def training_model(self, model):
        return forecast_training_view(model)

    def datasets(self, batch_size: int, seed: int) -> tuple:
        # the trained view answers in standardised units, so every target (and every
        # series, with window scaling) counts equally in the loss
        if self.scaling == "global":
            _, std = scale_stats("input", self.scale_mean, self.scale_std, self.data.n_features)
            scaled = {"target_mean": self.scale_mean[self.data.targets].astype("float32"),
                      "target_std": std[self.data.targets].astype("float32")}
        else:
            scaled = {"window_scaled": True}
        train = self.data.dataset("train", batch_size=batch_size, shuffle=True, seed=seed,
                                  stride=self.stride, full_batches=self.full_training_batches,
                                  **scaled)
        val = (self.data.dataset("val", batch_size=batch_size, shuffle=False, seed=seed,
                                 **scaled) if self.data.n_examples("val") else None)
        self.train_dataset, self.val_dataset = train, val
        return train, val

    def after_training(self, model, batch_size: int) -> None:
        if self.combination is None:
            self.combination = self._combine(model)
        if self.quantiles and self.calibrate_intervals:
            from seqkit.forecasting.evaluation import calibrate_intervals

            self.calibration = calibrate_intervals(model, self.data, quantiles=self.quantiles,
                                                   batch_size=batch_size,
                                                   dataset=self.val_dataset)

    def _combine(self, model) -> dict:
        """The candidates' weights from the validation windows, under the model's strategy
        (the RNN alone under a multi-worker one, where Keras fit, which trains the
        smoothing constants, does not run: keras-team/keras#20585)."""
        from seqkit.distribute import fit_supported
        from seqkit.forecasting.combination import combine_on_validation

        strategy = getattr(model, "distribute_strategy", None)  # TensorFlow models only
        if strategy is not None and not fit_supported(strategy):
            return {"mode": self.combine, "chosen": "rnn",
                    "why": "a multi-worker strategy: Keras fit, which trains the smoothing "
                           "constants, does not run under it (keras-team/keras#20585)"}
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            return combine_on_validation(model, self.train_dataset, self.val_dataset,
                                         mode=self.combine, seed=self.seed)

    @property
    def train_examples(self) -> int:
        return self.data.n_examples("train", self.stride)

    def evaluate(self, model, batch_size: int) -> dict:
        if self.data.n_examples("test") == 0:
            return {"combination": self.combination}
        metrics = evaluate_parts(model, self.data, "test", batch_size=batch_size,
                                 baselines=self.baselines, quantiles=self.quantiles,
                                 baseline_refit=self.baseline_refit)
        metrics["combination"] = self.combination
        if "weights" in self.combination and self.combination["chosen"] != "rnn":
            metrics["rnn_alone"] = self._rnn_alone(model, batch_size)
        return metrics

    def _rnn_alone(self, model, batch_size: int) -> dict:
        """The RNN's own test scores (the combination's weights set aside for a moment)."""
        from seqkit.forecasting.combination import weights_set

        with weights_set(model, {"rnn": 1.0}):
            alone = evaluate_parts(model, self.data, "test", batch_size=batch_size,
                                   baselines=())
        return {k: alone[k] for k in ("mae", "rmse", "smape", "mase")}

    def config(self) -> dict:
        return {
            "source": describe_source(self.series), **self.option_config(),
            "target_columns": [self.data.columns[t] for t in self.data.targets],
            "residual": bool(self.residual),
            "future_covariates": list(self.future_covariates or []),
            "static_columns": list(self.static_columns or []),
            "loss": ("pinball" if self.quantiles else "mse") + (
                " on standardised targets" if self.scaling == "global"
                else " on window-scaled targets"),
        }

    def data_info(self) -> dict:
        info = forecast_data_info(self.data, self.scale_mean, self.scale_std, self.stride)
        if self.calibration is not None:
            info["interval_calibration"] = self.calibration
        return info

    # ------------------------------------------------ what a fitted forecaster does

    outputs = "forecast"

    @classmethod
    def prepare_inputs(cls, result, x, *, future_covariates=None, static_covariates=None,
                       series=None):
        """Raw windows as the model takes them (:func:`seqkit.forecasting.inputs.forecast_inputs`).

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            x: forecast windows ``[N, window, F]``, one ``[window, F]`` or a univariate
                ``[window]``.
            future_covariates, static_covariates, series: a forecaster with covariates.

        Returns:
            float32 ``[N, window, F]``, or ``{input name: array}`` with covariates.
        """
        from seqkit.forecasting.inputs import forecast_inputs

        return forecast_inputs(result.model, result.config, result.data_info, x,
                               future_covariates=future_covariates,
                               static_covariates=static_covariates, series=series)

    @classmethod
    def recipe_data(cls, config):
        """The recipe's series: ``config.data``, or for a CSV whose header holds
        ``config.id_column`` the long frame read from it (many series: ``fit_forecaster``
        takes a long *frame* as a collection, a CSV path as one series).

        Args:
            config: the recipe's configuration.

        Returns:
            A name, a path or a DataFrame.
        """
        import os

        import pandas as pd

        path = os.path.expanduser(config.data)
        if config.id_column and path.lower().endswith(".csv") and os.path.isfile(path) and (
                config.id_column in pd.read_csv(path, nrows=0).columns):
            return pd.read_csv(path)
        return config.data

    @classmethod
    def check_recipe(cls, config) -> None:
        """The recipe's checks before any training: the calendar names, the NaN policy,
        the split sizes against the horizon, the backtest settings.

        Args:
            config: the recipe's configuration.

        Raises:
            seqkit.errors.ConfigError: naming the first bad value.
        """
        from seqkit.data.timeseries import CALENDAR_FEATURES, list_builtin_collections

        if config.calendar not in (None, "auto"):
            if not isinstance(config.calendar, (list, tuple)):
                fail("calendar", f"None, 'auto' or a list of {CALENDAR_FEATURES}",
                     config.calendar)
            for name in config.calendar:
                check_choice("calendar", name, CALENDAR_FEATURES)
        check_choice("nan_policy", config.nan_policy, ("error", "interpolate", "drop"))
        for name in ("val_size", "test_size"):
            _check_size(name, getattr(config, name), config.horizon)
        fractions = [s for s in (config.val_size, config.test_size) if isinstance(s, float)]
        if sum(fractions) >= 1.0:
            fail("val_size + test_size", "< 1 as fractions", sum(fractions))
        check_bool("backtest", config.backtest)
        check_int("backtest_stride", config.backtest_stride)
        retrain = config.backtest_retrain
        if not isinstance(retrain, bool) and (not isinstance(retrain, int) or retrain < 1):
            fail("backtest_retrain", "True, False or an integer >= 1 (refit every k "
                 "origins)", retrain)
        if config.backtest and config.test_size == 0:
            fail("test_size", "> 0 with backtest (the backtest runs over the test part)",
                 config.test_size)
        if config.backtest and config.data in list_builtin_collections():
            fail("data", "one series with backtest (backtest takes one series)", config.data)

    @classmethod
    def recipe_outputs(cls, config, result, run_dir, *, echo=print) -> dict:
        """After a recipe's run: the backtest and the forecast picture
        (:func:`seqkit.forecasting.backtest.recipe_outputs`).

        Args:
            config: the recipe's configuration.
            result: the trained forecaster.
            run_dir: the run folder.
            echo: where the backtest's line is printed.

        Returns:
            ``{name: path}`` of what was written.
        """
        from seqkit.forecasting.backtest import recipe_outputs

        return recipe_outputs(config, result, run_dir, echo=echo)

    @classmethod
    def test_case(cls) -> dict:
        """A noisy sine of 200 points, window 16, horizon 2, 4 units, one epoch; absolute
        window inputs, so the export streams (see :meth:`FitTask.test_case`).

        Returns:
            The case.

        Example:

        >>> Forecasting.test_case()["inputs"].shape
        (3, 16, 1)
        """
        rng = np.random.default_rng(0)
        t = np.arange(200, dtype="float32")
        series = (10 + np.sin(t / 8) + rng.normal(scale=0.05, size=t.shape)).astype("float32")
        return {"fit": fit_forecaster, "streams": True,
                "kwargs": {"series": series, "window": 16, "horizon": 2, "units": 4,
                           "epochs": 1, "verbose": 0, "window_inputs": "absolute",
                           "baselines": ("seasonal_naive",), "period": 12,
                           "combine": "none"},
                "inputs": series[:48].reshape(3, 16, 1),
                "recipe": {"window": 16, "horizon": 2, "units": 4, "epochs": 1}}

    @classmethod
    def summary_lines(cls, result) -> list[str]:
        """The test lines: the model's scores beside each baseline's, interval coverage,
        and a warning when the naive forecast is not beaten.

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.

        Returns:
            Lines of text.
        """
        return _forecast_lines(result.metrics)

    @classmethod
    def predict_series(cls, result, series=None, *, future_covariates=None):
        """The forecast from the end of a fitted series (see
        :meth:`seqkit.fit.FitResult.predict_series`).

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            series: the series id; None for one series.
            future_covariates: the horizon's covariates, when the model takes them.

        Returns:
            What :meth:`seqkit.fit.FitResult.predict` returns, for a batch of one.
        """
        windows = result.data_info.get("last_windows")
        if not windows:
            raise DataError("predict_series needs a forecasting result that kept its series' "
                            "last windows (data_info['last_windows'])")
        key = next(iter(windows)) if series is None and len(windows) == 1 else str(series)
        if key not in windows:
            raise DataError(f"unknown series {series!r}; known: {sorted(windows)[:10]}")
        statics = result.data_info.get("static_values")
        return result.predict(np.asarray(windows[key], "float32")[None],
                              future_covariates=future_covariates,
                              series=key if statics else None)

    @classmethod
    def backtest(cls, result, series, **kwargs):
        """:func:`seqkit.forecasting.backtest.backtest` of ``result`` on ``series``.

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            series: the series.
            **kwargs: ``start``, ``stride``, ``end``, ``retrain``, ``baselines``, ...

        Returns:
            A :class:`seqkit.forecasting.Backtest`.
        """
        from seqkit.forecasting.backtest import backtest

        return backtest(result, series, **kwargs)

    @classmethod
    def future_covariates_for(cls, result, timestamps, values=None):
        """See :meth:`seqkit.fit.FitResult.future_covariates_for`.

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            timestamps: the horizon's ``DatetimeIndex``.
            values: ``[horizon, n]`` values of ``config["future_covariates"]``.

        Returns:
            ``[horizon, C]`` float32.
        """
        from seqkit.forecasting.inputs import future_covariates_for

        return future_covariates_for(result.config, result.data_info, timestamps, values)


def _forecast_lines(m: dict) -> list[str]:
    """The summary's lines for forecast metrics: the model beside each baseline."""
    many = f" (mean over {m['n_series']} series)" if m.get("n_series") else ""
    lines = [f"test ({m.get('n_origins', '?')} origins){many}: MAE {m['mae']:.4g}  "
             f"RMSE {m['rmse']:.4g}  sMAPE {m['smape']:.2f}%  MASE {m['mase']:.3f}"]
    for name, b in m.get("baselines", {}).items():
        verdict = "beaten" if m["beats"][name] else "NOT beaten"
        lines.append(f"  {name}: MAE {b['mae']:.4g}  MASE {b['mase']:.3f}  ({verdict})")
    combo = m.get("combination")
    if combo and "weights" in combo:
        mix = ", ".join(f"{k} {w:.2f}" for k, w in combo["weights"].items() if w)
        lines.append(f"served: {combo['chosen']} ({mix}), chosen on {combo['n_val_windows']} "
                     f"validation windows: {combo['why']}")
    if "rnn_alone" in m:
        lines.append(f"  the RNN alone: MAE {m['rnn_alone']['mae']:.4g}  "
                     f"MASE {m['rnn_alone']['mase']:.3f}")
    coverage = m.get("quantiles", {}).get("coverage", {})
    if coverage:
        lines.append("intervals: " + ", ".join(f"{k} interval covers {v:.3f}"
                                               for k, v in coverage.items()))
    if m.get("beats_naive") is False:
        lines.append(f"WARNING: the model does not beat the {m.get('naive_kind', 'naive')} "
                     f"forecast")
    return lines


def _check_size(name: str, value, horizon: int):
    """A val/test size as :func:`seqkit.data.timeseries.origin_split` takes it."""
    what = f"0, an integer >= horizon={horizon} or a fraction in [0, 1)"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(name, what, value)
    if isinstance(value, int):
        if value < 0 or 0 < value < horizon:
            fail(name, what, value)
    elif not 0.0 <= value < 1.0:  # False for NaN
        fail(name, what, value)
    return value


def fit_forecaster(
    series,
    *,
    window: int = 24,
    horizon: int = 1,
    stride: int = 1,
    target_columns=None,
    columns=None,
    time_column: str | None = None,
    nan_policy: str = "error",
    period: int | None = None,
    residual: bool = True,
    model: str = "rnn",
    window_inputs: str = "both",
    val_size=0.15,
    test_size=0.15,
    quantiles=None,
    future_covariates=None,
    calendar=None,
    id_column: str | None = "id",
    static_columns=None,
    scaling: str = "auto",
    baselines=BASELINES,
    baseline_refit: bool = False,
    combine: str = "auto",
    calibrate_intervals: bool = True,
    **options,
) -> FitResult:
    """Train a multi-step forecaster ``window [B, window, F] → forecast [B, horizon, T]``.

    Scaling lives inside the model (the *training part's* mean/std in front, its inverse
    behind; or, for many series, each window's own), so the model takes raw windows and
    answers in original units. The data are split by *origins* (the first forecast step):
    a window belongs to the part that holds all its targets, and its inputs may reach back
    into earlier parts (history known at the origin), so a short series needs only
    ``window + horizon`` training steps plus ``horizon`` steps per held-out part.

    Args:
        series: one series — anything ``seqkit.data.timeseries.load_series`` accepts (a
            NumPy array ``[N]``/``[N, F]``, a pandas Series/DataFrame, a CSV path, a
            built-in name: ``"co2"``, ``"elnino"``, ``"sunspots"``, ``"uschange"``) — or
            many, trained as one global model: a list or dict of series, a long DataFrame
            with an ``id_column``, or a built-in collection (``"m1_yearly"``).
        window, horizon, stride: input steps, steps predicted, steps between training
            origins.
        target_columns: columns to forecast (names or positions; default every column that
            is not a future covariate). The other columns are *past covariates*: inputs only.
        columns, time_column: which columns to read, and the time column, of a frame or CSV.
        nan_policy: ``"error"`` | ``"interpolate"`` | ``"drop"`` (see ``check_series``).
        period: seasonal period; default the one the data knows (built-ins, a dated index).
            The seasonal naive baseline's season and MASE's ``m`` (1 when unknown).
        residual: the network predicts the change from the window's last value (default;
            a zero output is the naive forecast, so trends stay in reach).
        model: ``"rnn"`` (default) or ``"es-rnn"``, Smyl's (2020) hybrid: a damped
            Holt-Winters smoothing of the window (additive season when the window holds two
            periods; constants trained with the network) forecasts the base, the RNN also
            reads the window deseasonalised and levelled by it, and its output is added to
            the base (in place of ``residual``); :mod:`seqkit.forecasting.smoothing`.
        window_inputs: what the RNN reads: ``"absolute"``, ``"relative"`` (minus the
            window's last step) or ``"both"`` (default).
        val_size, test_size: the last steps of each series held out for early stopping and
            for the test: an int (steps, at least ``horizon``) or a float fraction; 0 for
            none (see :func:`seqkit.data.timeseries.origin_split`).
        quantiles: e.g. ``(0.1, 0.5, 0.9)``: train non-crossing quantile heads with the
            pinball loss (0.5 is added if absent); the model then outputs
            ``{"forecast": median [B, H, T], "quantiles": [B, H, Q, T]}``.
        future_covariates: columns whose values over the horizon are known in advance (user
            regressors): the model gets a second input ``future_covariates [B, H, C]``.
        calendar: ``"auto"`` or names from ``seqkit.data.timeseries.CALENDAR_FEATURES``:
            sine/cosine calendar encodings of the horizon's timestamps (a ``DatetimeIndex``
            is needed), appended to ``future_covariates``.
        id_column: a long frame's series id column.
        static_columns: per-series numeric constants (many series): input
            ``static_covariates [B, S]``.
        scaling: ``"global"`` (the training part's statistics), ``"window"`` (each window's
            own: many series of different levels) or ``"auto"`` (window for many series).
        baselines: the baselines scored on the same test origins (names from
            ``seqkit.forecasting.BASELINES``; ``()`` for none).
        baseline_refit: re-estimate ETS and Theta at every test origin (slow; default:
            estimated once on the data before the test part, then run forward).
        combine: ``"auto"`` (default), ``"best"`` or ``"none"``: the served graph holds the
            RNN, the seasonal naive, the drift and a damped Holt-Winters smoothing (its
            constants learnt on the training windows), weighted on the validation windows:
            ``auto`` serves their mix weighted by inverse validation MSE (measured more
            robust than picking one); ``best`` the best one; ``none`` the RNN alone. Point
            forecasts with a validation split only (else the RNN alone, and
            ``metrics["combination"]`` says why); :mod:`seqkit.forecasting.combination`.
        calibrate_intervals: with ``quantiles``, widen (or narrow) each central interval so
            it covers its nominal share of the validation origins (conformalized quantile
            regression, Romano et al. 2019; :mod:`seqkit.forecasting.evaluation`); needs
            20 validation origins, else skipped (``data_info["interval_calibration"]``
            says which).
        **options: the shared fit options, :class:`seqkit.fit.FitOptions` (``cell``,
            ``units``, ``epochs``, ``learning_rate``, ``strategy``, ...); here ``units``
            defaults to 32; an unknown name is a ConfigError naming it.

    Returns:
        :class:`FitResult`. ``metrics`` (test origins, original units): ``mae``, ``rmse``,
        ``smape`` (%), ``mase`` (textbook: scaled by the in-sample seasonal-naive MAE of the
        data before the test part, ``m = period``), ``baselines`` (the same metrics of
        each baseline), ``relative_mae`` and ``beats`` per baseline, ``beats_naive``,
        ``naive_kind``; ``quantiles`` (pinball loss per level, coverage of each central
        interval) with quantiles; for many series the M4 aggregates and ``per_series``;
        ``combination`` (what was served and why, each candidate's validation MAE) and,
        when that is not the RNN, ``rnn_alone`` (its own test scores). A warning (and a
        line in ``summary()``) when the seasonal naive forecast wins.

    Example:

    >>> import numpy as np, seqkit
    >>> t = np.arange(200, dtype="float32")
    >>> series = 10 + np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 0.2, 200)
    >>> result = seqkit.fit_forecaster(series, window=24, horizon=3, period=12, units=4,
    ...                                epochs=1, baselines=("seasonal_naive",), verbose=0)
    >>> result.predict(series[-24:]).shape
    (1, 3, 1)
    >>> result.metrics["naive_kind"], sorted(result.metrics["baselines"])
    ('seasonal naive (period 12)', ['seasonal_naive'])
    """
    task = Forecasting.pick(locals())
    return run_fit(task, FitOptions.for_task(Forecasting, options))


Forecasting.fit_function = staticmethod(fit_forecaster)
