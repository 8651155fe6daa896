"""fit_forecaster: one series or many in, a raw-window-in / original-units-out forecaster
out, scored beside the statistical baselines on the same test origins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqkit.errors import DataError
from seqkit.fit.describe import describe_source
from seqkit.fit.options import FitOptions
from seqkit.fit.pipeline import FitTask, run_fit
from seqkit.fit.result import FitResult
from seqkit.forecasting.baselines import BASELINES
from seqkit.forecasting.evaluation import evaluate_parts, forecast_data_info
from seqkit.forecasting.model import (
    SCALINGS,
    WINDOW_INPUTS,
    build_forecast_model,
    forecast_training_view,
)
from seqkit.forecasting.sources import load_forecast_data
from seqkit.validation import check_bool, check_choice, check_int, check_optional_int, scale_stats


@dataclass
class Forecasting(FitTask):
    """The forecasting task's hooks: one series or many (:mod:`seqkit.forecasting.sources`)
    split by origins, scaling inside the model from the training part only (or each
    window's own), windows gathered by origin, and test forecasts scored beside the
    statistical baselines on the same origins (:mod:`seqkit.forecasting.evaluation`)."""

    name = "forecasting"
    loss = "mse"
    metrics = ("mae",)
    #: training batches all of the plan's size (static batch dimension; see
    #: ``ForecastData.dataset(full_batches=...)``); benchmarks/profile_fit.py turns it off
    #: to measure the difference
    full_training_batches = True

    series: object
    window: int = 24
    horizon: int = 1
    stride: int = 1
    target_columns: object = None
    columns: object = None
    time_column: str | None = None
    nan_policy: str = "error"
    period: int | None = None
    residual: bool = True
    window_inputs: str = "both"
    val_size: object = 0.15
    test_size: object = 0.15
    quantiles: object = None
    future_covariates: object = None
    calendar: object = None
    id_column: str | None = "id"
    static_columns: object = None
    scaling: str = "auto"
    baselines: object = BASELINES
    baseline_refit: bool = False
    calibrate_intervals: bool = True

    def check(self) -> None:
        self.window = check_int("window", self.window)
        self.horizon = check_int("horizon", self.horizon)
        self.stride = check_int("stride", self.stride)
        self.period = check_optional_int("period", self.period)
        check_choice("window_inputs", self.window_inputs, WINDOW_INPUTS)
        check_choice("scaling", self.scaling, ("auto", *SCALINGS))
        self.baseline_refit = check_bool("baseline_refit", self.baseline_refit)
        self.calibrate_intervals = check_bool("calibrate_intervals", self.calibrate_intervals)
        self.calibration = None
        if self.quantiles is not None:
            from seqkit.forecasting.quantiles import check_quantiles, pinball_loss

            self.quantiles = check_quantiles(self.quantiles)
            self.loss = pinball_loss(self.quantiles)
            self.metrics = ()
        self.baselines = _names(self.baselines) or ()
        for name in self.baselines:
            check_choice("baselines", name, BASELINES)
        if self.calendar not in (None, "auto"):
            self.calendar = _names(self.calendar)
        for field in ("target_columns", "columns", "future_covariates", "static_columns"):
            setattr(self, field, _names(getattr(self, field)))

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

    def build_model(self, rnn):
        d, t = self.data, self.data.targets
        mean, std = scale_stats("input", self.scale_mean, self.scale_std, d.n_features)
        return build_forecast_model(
            self.window, d.n_features, self.horizon, len(t), input_mean=mean, input_std=std,
            target_indices=t, residual=bool(self.residual), window_inputs=self.window_inputs,
            scaling=self.scaling, quantiles=self.quantiles,
            future_stats=None if d.future is None else d.train_stats(d.future),
            static_stats=None if d.static is None else (d.static.mean(0), d.static.std(0)),
            rnn=rnn)

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
        self.val_dataset = val
        return train, val

    def after_training(self, model, batch_size: int) -> None:
        if self.quantiles and self.calibrate_intervals:
            from seqkit.forecasting.calibration import calibrate_intervals

            self.calibration = calibrate_intervals(model, self.data, quantiles=self.quantiles,
                                                   batch_size=batch_size,
                                                   dataset=self.val_dataset)

    @property
    def train_examples(self) -> int:
        return self.data.n_examples("train", self.stride)

    def evaluate(self, model, batch_size: int) -> dict:
        if self.data.n_examples("test") == 0:
            return {}
        return evaluate_parts(model, self.data, "test", batch_size=batch_size,
                              baselines=self.baselines, quantiles=self.quantiles,
                              baseline_refit=self.baseline_refit)

    def config(self) -> dict:
        return {
            "source": describe_source(self.series), "window": self.window,
            "horizon": self.horizon, "stride": self.stride,
            "target_columns": [self.data.columns[t] for t in self.data.targets],
            "columns": list(self.columns) if self.columns is not None else None,
            "time_column": self.time_column, "nan_policy": self.nan_policy,
            "period": self.period, "residual": bool(self.residual),
            "window_inputs": self.window_inputs, "val_size": self.val_size,
            "test_size": self.test_size, "scaling": self.scaling,
            "quantiles": list(self.quantiles) if self.quantiles else None,
            "future_covariates": list(self.future_covariates or []),
            "calendar": self.calendar, "id_column": self.id_column,
            "static_columns": list(self.static_columns or []),
            "baselines": list(self.baselines), "baseline_refit": self.baseline_refit,
            "calibrate_intervals": self.calibrate_intervals,
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
    coverage = m.get("quantiles", {}).get("coverage", {})
    if coverage:
        lines.append("intervals: " + ", ".join(f"{k} interval covers {v:.3f}"
                                               for k, v in coverage.items()))
    if m.get("beats_naive") is False:
        lines.append(f"WARNING: the model does not beat the {m.get('naive_kind', 'naive')} "
                     f"forecast")
    return lines


def _names(value):
    """One name given as a plain string is that name, not its letters; None stays None."""
    if value is None:
        return None
    return (value,) if isinstance(value, (str, int)) else tuple(value)


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
    calibrate_intervals: bool = True,
    cell="lstm",
    units: int = 32,
    layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    epochs: int | str = "auto",
    batch_size: int | str = "auto",
    learning_rate: float = 1e-3,
    seed: int = 0,
    patience: int | str | None = "auto",
    lr_schedule: str | None = "plateau",
    max_seconds: float | None = None,
    strategy=None,
    callbacks=None,
    backup_dir=None,
    tensorboard: bool | str = True,
    verbose=1,
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
        calibrate_intervals: with ``quantiles``, widen (or narrow) each central interval so
            it covers its nominal share of the validation origins (conformalized quantile
            regression, Romano et al. 2019; :mod:`seqkit.forecasting.calibration`); needs
            20 validation origins, else skipped (``data_info["interval_calibration"]``
            says which).
        Other arguments as in :func:`seqkit.fit_text_classifier`.

    Returns:
        :class:`FitResult`. ``metrics`` (test origins, original units): ``mae``, ``rmse``,
        ``smape`` (%), ``mase`` (textbook: scaled by the in-sample seasonal-naive MAE of the
        data before the test part, ``m = period``), ``baselines`` (the same metrics of
        each baseline), ``relative_mae`` and ``beats`` per baseline, ``beats_naive``,
        ``naive_kind``; ``quantiles`` (pinball loss per level, coverage of each central
        interval) with quantiles; for many series the M4 aggregates and ``per_series``.
        A warning (and a line in ``summary()``) when the seasonal naive forecast wins.

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
    return run_fit(Forecasting.pick(locals()), FitOptions.pick(locals()))
