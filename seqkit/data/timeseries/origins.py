"""Forecast origins: the split, the backtest and the windows of a forecaster, by origin.

An *origin* ``o`` is the index of the first forecast step. The window at ``o`` reads
``values[o - window : o]`` (the history known when the forecast is made) and its targets are
``values[o : o + horizon]``.

:func:`origin_split` cuts ``range(n)`` into train / val / test parts of *targets*: a window
belongs to the part that holds all its targets, and its inputs may reach back into earlier
parts (that history is known at the origin, so nothing leaks). A short series therefore
only needs ``window + horizon`` steps of training data and ``horizon`` steps per
evaluation part, where a chronological split (each
part windowed on its own values) needs ``window + horizon`` in every part: the classic
144-month airline series with ``window=24, horizon=12`` and one year each of validation and
test fits here and not there.

:func:`rolling_origins` lists the origins of a backtest (Darts' ``historical_forecasts``
with ``start``, ``forecast_horizon`` and ``stride``); :func:`windows_at` gathers the windows
at given origins as arrays and :func:`origin_dataset` as a batched ``tf.data.Dataset``.

Example:

>>> import numpy as np
>>> split = origin_split(144, window=24, horizon=12, val_size=12, test_size=12)
>>> len(split.origins("train")), split.origins("val").tolist(), split.origins("test").tolist()
(85, [120], [132])
>>> x, y = windows_at(np.arange(144.0), split.origins("test"), window=24, horizon=12)
>>> x.shape, y[0, :, 0].tolist() == list(range(132, 144))
((1, 24, 1), True)
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from seqkit.data.timeseries.series import SeriesData, _as_2d_float
from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_choice, check_fraction, check_int, check_optional_int

PARTS = ("train", "val", "test")


@dataclasses.dataclass(frozen=True)
class OriginSplit:
    """Target ranges of an origin-based split: ``train = [0, train_end)``,
    ``val = [train_end, val_end)``, ``test = [val_end, n)``.

    A window (inputs ``values[o - window : o]``, targets ``values[o : o + horizon]``) belongs
    to the part that holds all of its targets; its inputs may lie in earlier parts.

    Args:
        n: length of the series.
        window: input steps per window.
        horizon: target steps per window.
        train_end: end (exclusive) of the training targets.
        val_end: end (exclusive) of the validation targets.

    Example:

    >>> split = OriginSplit(n=10, window=3, horizon=2, train_end=6, val_end=8)
    >>> split.origins("train").tolist(), split.origins("val").tolist(), split.test
    ([3, 4], [6], slice(8, 10, None))
    """

    n: int
    window: int
    horizon: int
    train_end: int
    val_end: int

    @property
    def train(self) -> slice:
        """Slice of the training targets (``slice(0, train_end)``)."""
        return slice(0, self.train_end)

    @property
    def val(self) -> slice:
        """Slice of the validation targets (empty when ``val_size`` was 0)."""
        return slice(self.train_end, self.val_end)

    @property
    def test(self) -> slice:
        """Slice of the test targets (empty when ``test_size`` was 0)."""
        return slice(self.val_end, self.n)

    def origins(self, part: str, stride: int = 1) -> np.ndarray:
        """The origins of one part, counted back from its last origin.

        The last origin of a part ending at ``end`` is ``end - horizon`` (for test:
        ``n - horizon``, the most recent forecast); the others go back by ``stride`` while
        ``o >= `` the part's start and ``o >= window``. So every origin ``o`` has
        ``o - window >= 0``, ``start <= o`` and ``o + horizon <= end``, and the most recent
        window of each part is always included whatever the stride.

        Args:
            part: ``"train"``, ``"val"`` or ``"test"``.
            stride: steps between consecutive origins (an integer >= 1).

        Returns:
            ``int64`` origins in ascending order (empty for an empty part).

        Raises:
            ConfigError: an unknown part or a bad stride.

        Example:

        >>> split = origin_split(30, window=4, horizon=3, val_size=0, test_size=10)
        >>> split.origins("test", stride=4).tolist()  # ends at n - horizon = 27
        [23, 27]
        >>> split.origins("val").tolist()
        []
        """
        check_choice("part", part, PARTS)
        stride = check_int("stride", stride)
        part_slice = getattr(self, part)
        first = max(part_slice.start, self.window)
        last = part_slice.stop - self.horizon
        if last < first:
            return np.zeros(0, np.int64)
        return np.arange(last, first - 1, -stride, dtype=np.int64)[::-1].copy()


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _part_size(name: str, size, n: int, horizon: int) -> int:
    """Steps of a val/test part: an int as is, a float in [0, 1) as ``round(n * size)``."""
    if _is_int(size):
        size = check_int(name, size, minimum=0)
        if 0 < size < horizon:
            raise ConfigError(
                f"{name} must be 0 or at least horizon={horizon} steps (one forecast), got {size}"
            )
        return size
    frac = check_fraction(name, size)
    if frac == 0.0:
        return 0
    return max(int(round(n * frac)), horizon)


def _minimum_n(n, val_size, test_size, window, horizon) -> int:
    """The shortest series whose training part holds ``window + horizon`` steps."""
    need = window + horizon
    if _is_int(val_size) and _is_int(test_size):
        return need + int(val_size) + int(test_size)
    ints = sum(int(s) for s in (val_size, test_size) if _is_int(s))
    frac = sum(float(s) for s in (val_size, test_size) if not _is_int(s))
    # train >= m * (1 - frac) - 1 - 2 * horizon - ints, so this m always suffices
    limit = math.ceil((need + 2 + 2 * horizon + ints) / (1.0 - frac)) + 2
    m = need
    while m - _part_size("val_size", val_size, m, horizon) \
            - _part_size("test_size", test_size, m, horizon) < need:
        m += 1
        if m > limit:  # pragma: no cover - unreachable by the bound above
            break
    return m


def origin_split(n, *, window: int, horizon: int = 1, val_size=0.15, test_size=0.15
                 ) -> OriginSplit:
    """Split ``range(n)`` into train / val / test *target* ranges for windows at origins.

    ``test = [n - n_test, n)``, ``val`` the ``n_val`` steps before it, train the rest. A
    window belongs to the part that holds all its targets; its inputs may reach back into
    earlier parts (history known at the origin, no leak). Sizes follow scikit-learn's
    ``test_size`` convention for the type: an ``int`` is a number of steps, a ``float`` in
    ``[0, 1)`` a fraction of ``n``, rounded to the nearest step (scikit-learn rounds its
    test part up instead); ``0`` means no such part.

    A non-empty val/test part holds at least ``horizon`` steps (one forecast): a fraction
    that rounds below ``horizon`` is raised to ``horizon``. The training part must hold
    ``window + horizon`` steps (one training window).

    Args:
        n: the series length.
        window: input steps per window (an integer >= 1).
        horizon: target steps per window (an integer >= 1).
        val_size: validation steps (int >= 0) or fraction of ``n`` (float in [0, 1)).
        test_size: test steps (int >= 0) or fraction of ``n`` (float in [0, 1)).

    Returns:
        :class:`OriginSplit`; ``split.origins("train" | "val" | "test")`` lists the origins.

    Raises:
        ConfigError: a bad window, horizon or size; an int size between 1 and
            ``horizon - 1``; fractions summing to 1 or more.
        DataError: a training part shorter than ``window + horizon``, naming ``n``, window,
            horizon, the part sizes and the minimum ``n`` for these sizes.

    Example:

    >>> origin_split(144, window=24, horizon=12, val_size=12, test_size=12)
    OriginSplit(n=144, window=24, horizon=12, train_end=120, val_end=132)
    >>> origin_split(40, window=24, horizon=12, val_size=0, test_size=12)
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: series of length 40 is too short for window=24 + horizon=12: \
the training part needs at least 36 steps, got train=28, val=0, test=12; the minimum series \
length for val_size=0, test_size=12 is 48
    """
    window = check_int("window", window)
    horizon = check_int("horizon", horizon)
    n = check_int("n", n, minimum=0)
    n_val = _part_size("val_size", val_size, n, horizon)
    n_test = _part_size("test_size", test_size, n, horizon)
    fractions = [s for s in (val_size, test_size) if not _is_int(s)]
    if sum(float(f) for f in fractions) >= 1.0:
        raise ConfigError(f"val_size + test_size must be < 1 as fractions, got {val_size} + "
                          f"{test_size}")
    n_train = n - n_val - n_test
    if n_train < window + horizon:
        raise DataError(
            f"series of length {n} is too short for window={window} + horizon={horizon}: the "
            f"training part needs at least {window + horizon} steps, got train={n_train}, "
            f"val={n_val}, test={n_test}; the minimum series length for val_size={val_size}, "
            f"test_size={test_size} is {_minimum_n(n, val_size, test_size, window, horizon)}"
        )
    return OriginSplit(n=n, window=window, horizon=horizon, train_end=n_train,
                       val_end=n_train + n_val)


def rolling_origins(n, *, start, horizon: int = 1, stride: int = 1, window: int = 0,
                    end=None) -> np.ndarray:
    """The origins of a rolling-origin backtest (an expanding-window evaluation).

    Like Darts' ``historical_forecasts(start=..., forecast_horizon=..., stride=...)``: the
    first origin is ``start`` (an ``int`` index, or a ``float`` fraction converted as Darts'
    ``TimeSeries.get_index_at_point`` does, ``int((n - 1) * start)``), moved up to
    ``window`` when it is earlier (an origin needs ``window`` steps of history); then every
    ``stride`` steps while ``o + horizon <= end``.

    Args:
        n: the series length.
        start: the first origin: an integer >= 0 or a fraction of the series in [0, 1).
        horizon: forecast steps per origin (an integer >= 1).
        stride: steps between origins (an integer >= 1).
        window: history steps each origin needs (an integer >= 0; 0 for models that read
            the whole past).
        end: the end (exclusive) of the targets; default ``n``.

    Returns:
        ``int64`` origins in ascending order.

    Raises:
        ConfigError: a bad start, horizon, stride, window or end (``end > n``).
        DataError: no origin fits, naming start, window, horizon and end.

    Example:

    >>> rolling_origins(20, start=10, horizon=3, stride=2).tolist()
    [10, 12, 14, 16]
    >>> rolling_origins(20, start=0.5, horizon=1, stride=4, window=12).tolist()
    [12, 16]
    """
    n = check_int("n", n, minimum=0)
    horizon = check_int("horizon", horizon)
    stride = check_int("stride", stride)
    window = check_int("window", window, minimum=0)
    end = check_optional_int("end", end, minimum=0)
    end = n if end is None else end
    if end > n:
        raise ConfigError(f"end must be <= n={n}, got {end}")
    if _is_int(start):
        start_index = check_int("start", start, minimum=0)
    else:
        start_index = int((n - 1) * check_fraction("start", start)) if n else 0
    first = max(start_index, window)
    last = end - horizon
    if last < first:
        raise DataError(
            f"no forecast origin fits: the first origin is max(start index {start_index}, "
            f"window={window}) = {first} but the last one with horizon={horizon} and "
            f"end={end} is {last}"
        )
    return np.arange(first, last + 1, stride, dtype=np.int64)


def _gather_inputs(values, origins, window, horizon, target_columns):
    """``(float32 [N, F], int64 origins, target positions)`` after every check."""
    if isinstance(values, SeriesData):
        targets = (values.column_indices(target_columns)
                   if target_columns is not None else None)
        values = values.values
    else:
        targets = None if target_columns is None else [int(t) for t in target_columns]
    arr = _as_2d_float(values)
    window = check_int("window", window)
    horizon = check_optional_int("horizon", horizon)
    if not np.isfinite(arr).all():
        raise DataError(
            f"series has {int((~np.isfinite(arr)).sum())} NaN/inf value(s); run check_series "
            "(nan_policy='interpolate' or 'drop') before gathering windows"
        )
    n_features = arr.shape[1]
    if targets is None:
        targets = list(range(n_features))
    elif not targets or any(not 0 <= t < n_features for t in targets):
        raise DataError(f"target_columns {list(target_columns)} out of range for "
                        f"{n_features} features")
    orig = np.asarray(origins)
    if orig.ndim != 1 or not (orig.size == 0 or np.issubdtype(orig.dtype, np.integer)):
        raise DataError(f"origins must be a 1-D array of integers; got shape {orig.shape}, "
                        f"dtype {orig.dtype}")
    orig = orig.astype(np.int64)
    last = len(arr) - (horizon or 0)
    bad = (orig < window) | (orig > last)
    if bad.any():
        raise DataError(
            f"origin {int(orig[bad][0])} is out of range: with window={window} and "
            f"horizon={horizon} on a series of length {len(arr)} an origin must lie in "
            f"[{window}, {last}] ({int(bad.sum())} of {len(orig)} origins are outside)"
        )
    return arr, orig, targets


def windows_at(values, origins, *, window: int, horizon: int | None = None,
               target_columns=None) -> tuple[np.ndarray, np.ndarray | None]:
    """The windows at the given origins: ``x = values[o - window : o]``,
    ``y = values[o : o + horizon, target_columns]``.

    Args:
        values: a finite series ``[N]`` / ``[N, F]`` or a :class:`SeriesData`.
        origins: integer origins, 1-D (e.g. ``OriginSplit.origins(...)``,
            :func:`rolling_origins`); any order, kept.
        window: input steps per window (an integer >= 1).
        horizon: target steps per window, or None for inputs only.
        target_columns: target positions (or names for a :class:`SeriesData`); default all.

    Returns:
        ``(x float32 [len(origins), window, F], y float32 [len(origins), horizon, T])``;
        ``y`` is None when ``horizon`` is None.

    Raises:
        DataError: NaN/inf in ``values``, bad target columns, non-integer origins, or an
            origin out of range (the first bad one is named, with the valid range).
        ConfigError: a bad window or horizon.

    Example:

    >>> x, y = windows_at(np.arange(10.0), [3, 8], window=3, horizon=2)
    >>> x[:, :, 0].tolist(), y[:, :, 0].tolist()
    ([[0.0, 1.0, 2.0], [5.0, 6.0, 7.0]], [[3.0, 4.0], [8.0, 9.0]])
    >>> windows_at(np.arange(10.0), [9], window=3, horizon=2)
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: origin 9 is out of range: with window=3 and horizon=2 on a \
series of length 10 an origin must lie in [3, 8] (1 of 1 origins are outside)
    """
    arr, orig, targets = _gather_inputs(values, origins, window, horizon, target_columns)
    x = arr[orig[:, None] + np.arange(-window, 0)]
    if horizon is None:
        return x, None
    y = arr[orig[:, None] + np.arange(horizon)][:, :, targets]
    return x, y


def origin_dataset(values, origins, *, window: int, horizon: int, target_columns=None,
                   batch_size: int = 32, shuffle: bool = False, seed: int = 0):
    """The pairs of :func:`windows_at` as a batched ``tf.data.Dataset``, gathered lazily.

    The dataset holds the series once and the origins; each batch of origins is turned into
    ``(x, y)`` by ``tf.gather`` inside the pipeline, so memory grows with the series, not
    with ``len(origins) * window``. With ``shuffle`` the origins are reshuffled every epoch
    (``reshuffle_each_iteration=True``) from ``seed``.

    Args:
        values: a finite series ``[N]`` / ``[N, F]`` or a :class:`SeriesData`.
        origins: integer origins, 1-D, at least one.
        window: input steps per window (an integer >= 1).
        horizon: target steps per window (an integer >= 1).
        target_columns: target positions (or names for a :class:`SeriesData`); default all.
        batch_size: windows per batch (an integer >= 1).
        shuffle: shuffle the order of origins (never time inside a window).
        seed: the shuffle seed.

    Returns:
        ``tf.data.Dataset`` of ``(x float32 [B, window, F], y float32 [B, horizon, T])``;
        without shuffle the windows come in the order of ``origins``.

    Raises:
        DataError: as :func:`windows_at`, and no origins at all.
        ConfigError: a bad window, horizon, batch size or seed.

    Example:

    >>> ds = origin_dataset(np.arange(10.0), [3, 5, 8], window=3, horizon=2, batch_size=2)
    >>> [y[:, 0, 0].numpy().tolist() for _, y in ds]
    [[3.0, 5.0], [8.0]]
    """
    import tensorflow as tf

    horizon = check_int("horizon", horizon)
    batch_size = check_int("batch_size", batch_size)
    seed = check_int("seed", seed, minimum=0)
    arr, orig, targets = _gather_inputs(values, origins, window, horizon, target_columns)
    if len(orig) == 0:
        raise DataError("origins is empty: there is no window to put in the dataset")
    series = tf.constant(arr)
    x_steps = tf.range(-window, 0, dtype=tf.int64)
    y_steps = tf.range(0, horizon, dtype=tf.int64)
    target_idx = tf.constant(targets, dtype=tf.int32)
    all_targets = targets == list(range(arr.shape[1]))

    def gather(batch):
        x = tf.gather(series, batch[:, None] + x_steps[None, :])
        y = tf.gather(series, batch[:, None] + y_steps[None, :])
        if not all_targets:
            y = tf.gather(y, target_idx, axis=-1)
        return x, y

    ds = tf.data.Dataset.from_tensor_slices(orig)
    if shuffle:
        ds = ds.shuffle(len(orig), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
