"""fit_forecaster: a series in, a raw-window-in / original-units-out forecaster out."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from seqkit.errors import DataError
from seqkit.fit.describe import describe_source
from seqkit.fit.metrics import forecast_metrics
from seqkit.fit.models import WINDOW_INPUTS, build_forecast_model, forecast_training_view
from seqkit.fit.options import FitOptions
from seqkit.fit.pipeline import FitTask, run_fit
from seqkit.fit.result import FitResult
from seqkit.validation import check_choice, check_fraction, check_int, check_optional_int


@dataclass
class Forecasting(FitTask):
    """The forecasting task's hooks: a checked series split chronologically, a scaler fit
    on the training part only, ``build_forecast_model`` trained through its standardised
    view, windowed datasets, metrics against the (seasonal) naive forecast."""

    name = "forecasting"
    loss = "mse"
    metrics = ("mae",)

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
    val_fraction: float = 0.15
    test_fraction: float = 0.15

    def check(self) -> None:
        self.window = check_int("window", self.window)
        self.horizon = check_int("horizon", self.horizon)
        self.stride = check_int("stride", self.stride)
        self.val_fraction = check_fraction("val_fraction", self.val_fraction)
        self.test_fraction = check_fraction("test_fraction", self.test_fraction,
                                            allow_zero=False)
        self.period = check_optional_int("period", self.period)
        check_choice("window_inputs", self.window_inputs, WINDOW_INPUTS)

    def load(self, seed: int) -> None:
        from seqkit.data.timeseries import Scaler, check_series, chronological_split, load_series

        data = load_series(self.series, columns=self.columns, time_column=self.time_column,
                           period=self.period)
        self.data = check_series(data, self.nan_policy)
        self.values = np.asarray(self.data.values, dtype="float32")
        n, n_features = self.values.shape
        self.targets = self._target_indices(n_features)
        if self.window + self.horizon > n:
            raise DataError(f"window={self.window} + horizon={self.horizon} is longer than "
                            f"the series ({n} steps)")
        self.split = chronological_split(n, self.val_fraction, self.test_fraction,
                                         window=self.window, horizon=self.horizon)
        self.parts = {"train": self.values[self.split.train],
                      "val": self.values[self.split.val], "test": self.values[self.split.test]}
        self.scaler = Scaler().fit(self.parts["train"])  # training split only
        self.naive_period = self._naive_period()
        self.n_windows = {k: _count_windows(len(v), self.window, self.horizon, self.stride)
                          for k, v in self.parts.items()}

    def _target_indices(self, n_features: int) -> list[int]:
        targets = (self.data.column_indices(self.target_columns)
                   if self.target_columns is not None else list(range(n_features)))
        if not targets or any(not 0 <= t < n_features for t in targets):
            raise DataError(f"target_columns {self.target_columns!r} out of range for "
                            f"{n_features} column(s) {self.data.columns}")
        return targets

    def _naive_period(self) -> int | None:
        """The baseline's period: the series' season when it fits in the window."""
        season = self.data.period
        if season is not None and season > self.window:
            warnings.warn(f"period={season} is longer than window={self.window}: the baseline "
                          "is the last value repeated, not the seasonal naive forecast",
                          stacklevel=5)
            return None
        return season

    @property
    def naive_kind(self) -> str:
        return (f"seasonal naive (period {self.naive_period})" if self.naive_period
                else "naive (last value)")

    def build_model(self, rnn):
        t = self.targets
        return build_forecast_model(
            self.window, self.values.shape[1], self.horizon, len(t),
            input_mean=self.scaler.mean, input_std=self.scaler.std,
            target_mean=self.scaler.mean[t], target_std=self.scaler.std[t], target_indices=t,
            residual=bool(self.residual), window_inputs=self.window_inputs, rnn=rnn)

    def training_model(self, model):
        return forecast_training_view(model)

    def datasets(self, batch_size: int, seed: int) -> tuple:
        import tensorflow as tf

        from seqkit.data.timeseries import make_windows

        mean = tf.constant(self.scaler.mean[self.targets], tf.float32)
        std = tf.constant(self.scaler.std[self.targets], tf.float32)

        def windows(part, shuffle):  # targets standardised: each one counts equally
            ds = make_windows(part, window=self.window, horizon=self.horizon,
                              stride=self.stride, target_columns=self.targets,
                              batch_size=batch_size, shuffle=shuffle, seed=seed)
            return ds.map(lambda x, y: (x, (y - mean) / std))

        val = windows(self.parts["val"], False) if self.n_windows["val"] > 0 else None
        return windows(self.parts["train"], True), val

    @property
    def train_examples(self) -> int:
        return self.n_windows["train"]

    def evaluate(self, model, batch_size: int) -> dict:
        from seqkit.data.timeseries import naive_forecast, windows_as_arrays

        x_te, y_te = windows_as_arrays(self.parts["test"], window=self.window,
                                       horizon=self.horizon, stride=self.stride,
                                       target_columns=self.targets)
        pred = model.predict(x_te, batch_size=max(batch_size, 256), verbose=0)
        naive = naive_forecast(x_te, self.horizon, self.naive_period,
                               target_columns=self.targets)
        metrics = forecast_metrics(y_te, pred, naive)
        metrics["naive_kind"] = self.naive_kind
        last = forecast_metrics(y_te, pred, naive_forecast(x_te, self.horizon, None,
                                                           target_columns=self.targets))
        metrics["last_value_mae"] = last["naive_mae"]
        metrics["mase_last_value"] = last["mase"]
        if not metrics["beats_naive"]:
            warnings.warn(f"the forecaster does not beat the {self.naive_kind} forecast on the "
                          f"test split: MASE {metrics['mase']:.3f} >= 1", stacklevel=4)
        return metrics

    def config(self) -> dict:
        return {
            "source": describe_source(self.series), "window": self.window,
            "horizon": self.horizon, "stride": self.stride,
            "target_columns": [self.data.columns[t] for t in self.targets],
            "columns": list(self.columns) if self.columns is not None else None,
            "time_column": self.time_column, "nan_policy": self.nan_policy,
            "period": self.period, "residual": bool(self.residual),
            "window_inputs": self.window_inputs, "val_fraction": self.val_fraction,
            "test_fraction": self.test_fraction, "loss": "mse on standardised targets",
        }

    def data_info(self) -> dict:
        n, n_features = self.values.shape
        index = self.data.index
        return {
            "source": self.data.source, "n_steps": n, "n_features": n_features,
            "columns": list(self.data.columns),
            "target_columns": [self.data.columns[t] for t in self.targets],
            "target_indices": self.targets, "period": self.data.period,
            "naive_kind": self.naive_kind,
            "split_bounds": {"train_end": self.split.train_end,
                             "val_end": self.split.val_end, "n": n},
            "split_sizes": {k: len(v) for k, v in self.parts.items()},
            "n_windows": self.n_windows, "scaler": self.scaler.get_config(),
            "time_start": str(index[0]) if len(index) else None,
            "time_end": str(index[-1]) if len(index) else None,
        }


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
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    patience: int | str | None = "auto",
    lr_schedule: str | None = "plateau",
    max_seconds: float | None = None,
    strategy=None,
    callbacks=None,
    backup_dir=None,
    verbose=1,
) -> FitResult:
    """Train a multi-step forecaster ``window [B, window, F] → forecast [B, horizon, T]``.

    Scaling lives inside the model (a ``Normalization`` layer with the *training-split*
    mean/std in front, its inverse behind), so the model takes raw windows and answers in
    original units. It is trained on standardised targets (each target counts equally).

    Args:
        series: anything ``seqkit.data.timeseries.load_series`` accepts: a NumPy array
            ``[N]``/``[N, F]``, a pandas Series/DataFrame, a CSV path (``columns``,
            ``time_column``), or a built-in real series name (``"co2"``, ``"elnino"``,
            ``"sunspots"``).
        window, horizon, stride: input steps, steps predicted, step between windows.
        target_columns: columns to forecast (names or positions; default all).
        nan_policy: ``"error"`` | ``"interpolate"`` | ``"drop"`` (see ``check_series``).
        period: seasonal period; default the one the data knows (built-ins, a dated index).
            When known and ``<= window`` the baseline is the seasonal naive forecast, else
            the last value repeated.
        residual: the network predicts the change from the window's last value (default;
            a zero output is the naive forecast, so trends beyond the training range stay
            in reach) instead of the level itself.
        window_inputs: what the RNN reads: ``"absolute"`` (standardised values),
            ``"relative"`` (minus the window's last step: level-free) or ``"both"``
            (default; see ``seqkit.fit.models.build_forecast_model``).
        val_fraction, test_fraction: chronological split (train first); each part must hold
            one ``window + horizon`` stretch, and windows never cross a boundary.
        Other arguments as in :func:`seqkit.fit_text_classifier`.

    Returns:
        :class:`FitResult`. ``metrics`` (test split, original units): ``mae``, ``rmse``,
        ``smape``, ``mase`` (MAE / MAE of the naive baseline on the same windows),
        ``beats_naive``, ``naive_kind``, plus ``mase_last_value`` against the last value
        repeated. A warning (and a line in ``summary()``) when MASE >= 1.

    Example:

    >>> import numpy as np, seqkit
    >>> t = np.arange(200, dtype="float32")
    >>> series = 10 + np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 0.2, 200)
    >>> result = seqkit.fit_forecaster(series, window=24, horizon=3, period=12, units=4,
    ...                                epochs=1, verbose=0)
    >>> result.predict(series[-24:]).shape
    (1, 3, 1)
    >>> result.metrics["naive_kind"]
    'seasonal naive (period 12)'
    """
    return run_fit(Forecasting.pick(locals()), FitOptions.pick(locals()))


def _count_windows(length: int, window: int, horizon: int, stride: int) -> int:
    if length < window + horizon:
        return 0
    return (length - window - horizon) // stride + 1

