"""fit_forecaster: a series in, a raw-window-in / original-units-out forecaster out."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import tensorflow as tf

from seqkit.errors import ConfigError, DataError
from seqkit.fit.result import FitResult
from seqkit.fit.train import (
    DEFAULT_PATIENCE,
    WINDOW_INPUTS,
    RNNSpec,
    build_forecast_model,
    callback_names,
    check_fraction,
    check_patience,
    check_positive_float,
    check_positive_int,
    check_seed,
    compile_and_fit,
    describe_source,
    describe_strategy,
    forecast_metrics,
    forecast_training_view,
    jsonable,
    resolve_strategy,
    strategy_scope,
)


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
    epochs: int = 20,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    patience: int | None = DEFAULT_PATIENCE,
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
            (default; see ``seqkit.fit.train.build_forecast_model``).
        val_fraction, test_fraction: chronological split (train first); each part must hold
            one ``window + horizon`` stretch, and windows never cross a boundary.
        Other arguments as in :func:`seqkit.fit_text_classifier`.

    Returns:
        :class:`FitResult`. ``metrics`` (test split, original units): ``mae``, ``rmse``,
        ``smape``, ``mase`` (MAE / MAE of the naive baseline on the same windows),
        ``beats_naive``, ``naive_kind``, plus ``mase_last_value`` against the last value
        repeated. A warning (and a line in ``summary()``) when MASE >= 1.
    """
    from seqkit.data.timeseries import (
        Scaler,
        check_series,
        chronological_split,
        load_series,
        make_windows,
        naive_forecast,
        windows_as_arrays,
    )

    rnn = RNNSpec(cell, units, layers, bidirectional, dropout, recurrent_dropout).checked()
    window = check_positive_int("window", window)
    horizon = check_positive_int("horizon", horizon)
    stride = check_positive_int("stride", stride)
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    val_fraction = check_fraction("val_fraction", val_fraction)
    test_fraction = check_fraction("test_fraction", test_fraction, allow_zero=False)
    if period is not None:
        period = check_positive_int("period", period)
    if window_inputs not in WINDOW_INPUTS:
        raise ConfigError(f"window_inputs must be one of {WINDOW_INPUTS}, got "
                          f"{window_inputs!r}")
    patience = check_patience(patience)
    seed = check_seed(seed)
    strategy = resolve_strategy(strategy)

    keras.utils.set_random_seed(seed)
    data = load_series(series, columns=columns, time_column=time_column, period=period)
    data = check_series(data, nan_policy)
    values = np.asarray(data.values, dtype="float32")
    n, n_features = values.shape
    targets = (data.column_indices(target_columns) if target_columns is not None
               else list(range(n_features)))
    if not targets or any(not 0 <= t < n_features for t in targets):
        raise DataError(f"target_columns {target_columns!r} out of range for "
                        f"{n_features} column(s) {data.columns}")
    if window + horizon > n:
        raise DataError(f"window={window} + horizon={horizon} is longer than the series "
                        f"({n} steps)")
    split = chronological_split(n, val_fraction, test_fraction, window=window,
                                horizon=horizon)
    train_vals, val_vals, test_vals = values[split.train], values[split.val], values[split.test]
    scaler = Scaler().fit(train_vals)  # training split only
    t_mean, t_std = scaler.mean[targets], scaler.std[targets]

    season = data.period
    if season is not None and season > window:
        warnings.warn(f"period={season} is longer than window={window}: the baseline is the "
                      "last value repeated, not the seasonal naive forecast", stacklevel=2)
        naive_period = None
    else:
        naive_period = season
    naive_kind = (f"seasonal naive (period {naive_period})" if naive_period
                  else "naive (last value)")

    def windows(part, shuffle):
        ds = make_windows(part, window=window, horizon=horizon, stride=stride,
                          target_columns=targets, batch_size=batch_size, shuffle=shuffle,
                          seed=seed)
        mean = tf.constant(t_mean, tf.float32)
        std = tf.constant(t_std, tf.float32)
        return ds.map(lambda x, y: (x, (y - mean) / std))

    n_windows = {name: _count_windows(len(part), window, horizon, stride)
                 for name, part in (("train", train_vals), ("val", val_vals),
                                    ("test", test_vals))}
    train_ds = windows(train_vals, shuffle=True)
    val_ds = windows(val_vals, shuffle=False) if n_windows["val"] > 0 else None

    with strategy_scope(strategy):
        model = build_forecast_model(window, n_features, horizon, len(targets),
                                     input_mean=scaler.mean, input_std=scaler.std,
                                     target_mean=t_mean, target_std=t_std,
                                     target_indices=targets, residual=bool(residual),
                                     window_inputs=window_inputs, rnn=rnn)
        train_view = forecast_training_view(model)
    history, timing = compile_and_fit(
        train_view, train_ds, val_ds, epochs=epochs, learning_rate=learning_rate, loss="mse",
        metrics=["mae"], patience=patience, callbacks=callbacks, backup_dir=backup_dir,
        verbose=verbose, strategy=strategy, train_examples=n_windows["train"])
    with strategy_scope(strategy):  # model.evaluate in original units; same optimizer state
        model.compile(optimizer=train_view.optimizer, loss="mse", metrics=["mae"])

    x_te, y_te = windows_as_arrays(test_vals, window=window, horizon=horizon, stride=stride,
                                   target_columns=targets)
    pred = model.predict(x_te, batch_size=max(batch_size, 256), verbose=0)
    naive = naive_forecast(x_te, horizon, naive_period, target_columns=targets)
    metrics = forecast_metrics(y_te, pred, naive)
    metrics["naive_kind"] = naive_kind
    last = forecast_metrics(y_te, pred, naive_forecast(x_te, horizon, None,
                                                       target_columns=targets))
    metrics["last_value_mae"] = last["naive_mae"]
    metrics["mase_last_value"] = last["mase"]
    if not metrics["beats_naive"]:
        warnings.warn(f"the forecaster does not beat the {naive_kind} forecast on the test "
                      f"split: MASE {metrics['mase']:.3f} >= 1", stacklevel=2)

    target_names = [data.columns[t] for t in targets]
    config = {
        "task": "forecasting", "source": describe_source(series), "window": window,
        "horizon": horizon, "stride": stride, "target_columns": target_names,
        "columns": list(columns) if columns is not None else None,
        "time_column": time_column, "nan_policy": nan_policy, "period": period,
        "residual": bool(residual), "window_inputs": window_inputs,
        **rnn.config(), "epochs": epochs, "batch_size": batch_size,
        "learning_rate": learning_rate, "seed": seed, "val_fraction": val_fraction,
        "test_fraction": test_fraction, "patience": patience,
        "strategy": describe_strategy(strategy), "callbacks": callback_names(callbacks),
        "backup_dir": backup_dir, "verbose": verbose, "optimizer": "adam",
        "loss": "mse on standardised targets",
    }
    index = data.index
    data_info = {
        "source": data.source, "n_steps": n, "n_features": n_features,
        "columns": list(data.columns), "target_columns": target_names,
        "target_indices": targets, "period": data.period, "naive_kind": naive_kind,
        "split_bounds": {"train_end": split.train_end, "val_end": split.val_end, "n": n},
        "split_sizes": {"train": len(train_vals), "val": len(val_vals),
                        "test": len(test_vals)},
        "n_windows": n_windows,
        "scaler": scaler.get_config(),
        "time_start": str(index[0]) if len(index) else None,
        "time_end": str(index[-1]) if len(index) else None,
    }
    return FitResult(model=model, task="forecasting", history=history,
                     metrics=jsonable(metrics), config=jsonable(config), class_names=None,
                     timing=jsonable(timing), data_info=jsonable(data_info))


def _count_windows(length: int, window: int, horizon: int, stride: int) -> int:
    if length < window + horizon:
        return 0
    return (length - window - horizon) // stride + 1

