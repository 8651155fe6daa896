"""Sliding windows over a series (``x [B, window, F]``, ``y [B, horizon, T]``) and the
naive forecasts a model must beat."""

from __future__ import annotations

import numpy as np

from seqkit.data.timeseries.checks import _as_2d_float
from seqkit.data.timeseries.series import SeriesData
from seqkit.errors import DataError
from seqkit.validation import check_int, check_optional_int


def _window_inputs(values, window, horizon, stride, target_columns):
    """``(float32 [N, F] finite values, target positions)``, after every check."""
    if isinstance(values, SeriesData):
        targets = (values.column_indices(target_columns)
                   if target_columns is not None else None)
        values = values.values
    else:
        targets = target_columns
    arr = _as_2d_float(values)
    check_int("window", window)
    check_int("horizon", horizon)
    check_int("stride", stride)
    if not np.isfinite(arr).all():
        raise DataError(
            f"series has {int((~np.isfinite(arr)).sum())} NaN/inf value(s); run check_series "
            "(nan_policy='interpolate' or 'drop') before making windows"
        )
    n_features = arr.shape[1]
    if targets is None:
        targets = list(range(n_features))
    else:
        targets = [int(t) for t in targets]
        bad = [t for t in targets if not 0 <= t < n_features]
        if bad or not targets:
            raise DataError(
                f"target_columns {list(target_columns)} out of range for {n_features} features"
            )
    if len(arr) < window + horizon:
        raise DataError(
            f"series of length {len(arr)} is shorter than window={window} + horizon={horizon}; "
            f"the minimum length is {window + horizon}"
        )
    return arr, targets


def make_windows(values, *, window: int, horizon: int = 1, stride: int = 1,
                 target_columns=None, batch_size: int = 32, shuffle: bool = False,
                 seed: int | None = None):
    """Sliding windows as a ``tf.data.Dataset`` of ``(x [B, window, F], y [B, horizon, T])``.

    Window ``i`` starts at ``s = i * stride``: ``x = values[s : s + window]`` and
    ``y = values[s + window : s + window + horizon, target_columns]``; there are
    ``(N - window - horizon) // stride + 1`` windows. Built with
    ``keras.utils.timeseries_dataset_from_array`` over sequences of ``window + horizon``
    steps, each split into inputs and targets.

    Args:
        values: a finite series ``[N]`` / ``[N, F]`` or a :class:`SeriesData`.
        window: input steps per window (an integer >= 1).
        horizon: target steps per window (an integer >= 1).
        stride: steps between window starts (an integer >= 1).
        target_columns: column positions (or names, for a :class:`SeriesData`) of the
            targets; default all features.
        batch_size: windows per batch (an integer >= 1).
        shuffle: shuffle window order (not time inside a window).
        seed: the shuffle seed.

    Returns:
        ``tf.data.Dataset`` of ``(x float32 [B, window, F], y float32 [B, horizon, T])``.

    Raises:
        DataError: NaN/inf in ``values`` (use :func:`check_series`), a series shorter than
            ``window + horizon`` (the minimum is named), bad target columns.
        ConfigError: a bad ``window``, ``horizon``, ``stride`` or ``batch_size``.

    Example:

    >>> ds = make_windows(np.arange(6.0), window=3, horizon=1, batch_size=8)
    >>> x, y = next(iter(ds))
    >>> x.numpy()[:, :, 0].tolist(), y.numpy()[:, 0, 0].tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]], [3.0, 4.0, 5.0])
    """
    import keras
    import tensorflow as tf

    arr, targets = _window_inputs(values, window, horizon, stride, target_columns)
    check_int("batch_size", batch_size)
    ds = keras.utils.timeseries_dataset_from_array(
        arr, None, sequence_length=window + horizon, sequence_stride=stride,
        batch_size=batch_size, shuffle=shuffle, seed=seed,
    )
    all_targets = targets == list(range(arr.shape[1]))
    target_idx = tf.constant(targets, dtype=tf.int32)

    def split(seq):
        x = seq[:, :window, :]
        y = seq[:, window:, :]
        if not all_targets:
            y = tf.gather(y, target_idx, axis=-1)
        return x, y

    return ds.map(split, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def windows_as_arrays(values, *, window: int, horizon: int = 1, stride: int = 1,
                      target_columns=None):
    """The windows of :func:`make_windows` (same order, no shuffling) as NumPy arrays.

    Args:
        values: a finite series ``[N]`` / ``[N, F]`` or a :class:`SeriesData`.
        window: input steps per window.
        horizon: target steps per window.
        stride: steps between window starts.
        target_columns: target positions (or names for a :class:`SeriesData`).

    Returns:
        ``(x float32 [n, window, F], y float32 [n, horizon, T])``, for metrics and
        baselines.

    Raises:
        DataError: as :func:`make_windows`.

    Example:

    >>> x, y = windows_as_arrays(np.arange(10.0).reshape(5, 2), window=2, target_columns=[1])
    >>> x.shape, y[:, :, 0].tolist()
    ((3, 2, 2), [[5.0], [7.0], [9.0]])
    """
    arr, targets = _window_inputs(values, window, horizon, stride, target_columns)
    n_windows = (len(arr) - window - horizon) // stride + 1
    ds = make_windows(arr, window=window, horizon=horizon, stride=stride,
                      target_columns=targets, batch_size=max(1, min(n_windows, 4096)))
    xs, ys = [], []
    for x, y in ds.as_numpy_iterator():
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.float32)


def naive_forecast(x_windows, horizon: int, period: int | None = None,
                   target_columns=None) -> np.ndarray:
    """Naive forecasts for windows ``x [B, window, F]``, in the layout of ``y``.

    - ``period=None``: the last observed value repeated ``horizon`` times.
    - ``period=m``: seasonal naive, step ``h`` (1-based) gets the value one season before it,
      ``x[:, window - m + (h - 1) % m]`` (the last observed season repeated).

    Args:
        x_windows: input windows ``[B, window, F]``.
        horizon: steps to forecast (an integer >= 1).
        period: the season length in steps (``<= window``), or None.
        target_columns: the features to forecast (default all F).

    Returns:
        ``float32 [B, horizon, T]`` with ``T = len(target_columns)`` (default all F).

    Raises:
        DataError: ``x`` not 3-D, or a window shorter than ``period``.
        ConfigError: a bad ``horizon`` or ``period``.

    Example:

    >>> x = np.arange(6, dtype=np.float32).reshape(1, 6, 1)  # one window 0..5
    >>> naive_forecast(x, horizon=2)[0, :, 0].tolist()
    [5.0, 5.0]
    >>> naive_forecast(x, horizon=3, period=2)[0, :, 0].tolist()  # last season [4, 5]
    [4.0, 5.0, 4.0]
    """
    x = np.asarray(x_windows)
    if x.ndim != 3:
        raise DataError(f"x_windows must be [B, window, F]; got shape {x.shape}")
    check_int("horizon", horizon)
    if target_columns is not None:
        x = x[:, :, list(target_columns)]
    w = x.shape[1]
    if period is None:
        steps = np.full(horizon, w - 1)
    else:
        check_optional_int("period", period)
        if period > w:
            raise DataError(
                f"seasonal naive needs window >= period; got window={w}, period={period}"
            )
        steps = w - period + (np.arange(horizon) % period)
    return x[:, steps, :].astype(np.float32)
