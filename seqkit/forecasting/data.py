"""The forecaster's data: one series or many, their covariates, origin splits and windows.

:class:`ForecastData` holds every series end to end in one array (``values [sum N_i, F]``,
``offsets``), the future-known covariates beside it (user columns and calendar encodings,
``future [sum N_i, C]``), the static covariates per series, and one
:class:`~seqkit.data.timeseries.OriginSplit` per series. An *example* is a (series,
origin) pair: the window ``values[o - W : o]`` of that series, its targets
``values[o : o + H]`` and, when used, its future covariates ``future[o : o + H]`` — all
inside one series, so no window crosses from one series into the next.

Example:

>>> import numpy as np
>>> data = ForecastData.from_arrays([np.arange(40.0), np.arange(30.0)], window=4, horizon=2,
...                                 val_size=0, test_size=4)
>>> data.ids, data.n_examples("train"), data.n_examples("test")
(['0', '1'], 52, 6)
>>> inputs, y = data.arrays("test")
>>> inputs["window"].shape, y.shape
((6, 4, 1), (6, 2, 1))

From what a user passes to ``fit_forecaster`` to a :class:`ForecastData`.

One series (an array, a pandas object, a CSV path, a built-in name) or many (a list or
dict of series, a long DataFrame with an id column, a built-in collection such as
``"m1_yearly"``); the target, past and future-known covariate columns; calendar
encodings of a ``DatetimeIndex``; static covariates per series; one origin split per
series.

Example:

>>> import numpy as np
>>> data = load_forecast_data({"a": np.arange(30.0), "b": np.arange(50.0)}, window=4,
...                           horizon=2, val_size=0, test_size=4)
>>> data.ids, data.targets
(['a', 'b'], [0])
"""

from __future__ import annotations

import dataclasses
import os
import warnings

import numpy as np

from seqkit.errors import DataError
from seqkit.validation import fail


@dataclasses.dataclass
class ForecastData:
    """Every series of a fit, end to end, with what the model reads besides the window.

    Args:
        ids: one name per series.
        values: ``float32 [sum N_i, F]``, the series one after the other.
        offsets: where each series starts in ``values`` (``len(ids) + 1`` entries).
        splits: one ``OriginSplit`` per series.
        targets: the target columns' positions among the ``F``.
        columns: the ``F`` column names.
        future: ``float32 [sum N_i, C]`` future-known covariates, or None.
        future_names: their ``C`` names.
        static: ``float32 [n_series, S]`` static covariates, or None.
        static_names: their ``S`` names.
        window, horizon: the model's input and output lengths.
        indexes: each series' time index (for calendar encodings and plots).
        period: the seasonal period shared by the series, or None.
        calendar_features: the calendar encodings at the end of ``future_names``.
    """

    ids: list[str]
    values: np.ndarray
    offsets: np.ndarray
    splits: list
    targets: list[int]
    columns: list[str]
    window: int
    horizon: int
    future: np.ndarray | None = None
    future_names: list[str] = dataclasses.field(default_factory=list)
    static: np.ndarray | None = None
    static_names: list[str] = dataclasses.field(default_factory=list)
    indexes: list = dataclasses.field(default_factory=list)
    period: int | None = None
    calendar_features: tuple = ()

    @classmethod
    def from_arrays(cls, arrays, *, window: int, horizon: int, val_size=0.15, test_size=0.15,
                    targets=None) -> ForecastData:
        """Plain arrays ``[N_i]``/``[N_i, F]`` as a collection (ids ``"0"``, ``"1"``, ...).

        Args:
            arrays: the series.
            window, horizon: the model's input and output lengths.
            val_size, test_size: as in :func:`seqkit.data.timeseries.origin_split`.
            targets: target positions (default all columns).

        Returns:
            A :class:`ForecastData` without covariates.

        Example:

        >>> ForecastData.from_arrays([np.zeros(20)], window=3, horizon=1).n_series
        1
        """
        from seqkit.data.timeseries import origin_split

        arrays = [np.asarray(a, "float32").reshape(len(a), -1) for a in arrays]
        offsets = np.cumsum([0] + [len(a) for a in arrays])
        splits = [origin_split(len(a), window=window, horizon=horizon, val_size=val_size,
                               test_size=test_size) for a in arrays]
        n_features = arrays[0].shape[1]
        return cls(ids=[str(i) for i in range(len(arrays))], values=np.concatenate(arrays),
                   offsets=offsets, splits=splits,
                   targets=list(range(n_features)) if targets is None else list(targets),
                   columns=[f"f{i}" for i in range(n_features)], window=window,
                   horizon=horizon, indexes=[range(len(a)) for a in arrays])

    @property
    def n_series(self) -> int:
        """How many series."""
        return len(self.ids)

    @property
    def n_features(self) -> int:
        """Columns per window step."""
        return int(self.values.shape[1])

    def series_values(self, i: int) -> np.ndarray:
        """Series ``i``'s values ``[N_i, F]`` (a view)."""
        return self.values[self.offsets[i]:self.offsets[i + 1]]

    def origins(self, part: str, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """``(series index, origin within that series)`` of every example of ``part``.

        Args:
            part: ``"train"``, ``"val"`` or ``"test"``.
            stride: steps between a series' origins.

        Returns:
            Two ``int64`` arrays of the same length, series by series.
        """
        which, origins = [], []
        for i, split in enumerate(self.splits):
            o = split.origins(part, stride)
            which.append(np.full(len(o), i, np.int64))
            origins.append(o)
        if not origins:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(which), np.concatenate(origins)

    def n_examples(self, part: str, stride: int = 1) -> int:
        """How many windows ``part`` holds over all series."""
        return int(len(self.origins(part, stride)[0]))

    def arrays(self, part: str, stride: int = 1, *, with_targets: bool = True):
        """The model's inputs (``{name: array}``) and targets of ``part``, as NumPy arrays.

        Args:
            part: ``"train"``, ``"val"`` or ``"test"``.
            stride: steps between a series' origins.
            with_targets: also gather ``y [K, horizon, T]``.

        Returns:
            ``(inputs, y)``: ``inputs["window"] [K, W, F]`` (plus ``future_covariates``
            ``[K, H, C]`` and ``static_covariates [K, S]`` when used); ``y`` or None.
        """
        which, origins = self.origins(part, stride)
        return self.gather(which, origins, with_targets=with_targets)

    def gather(self, which, origins, *, with_targets: bool = True):
        """Inputs and targets at given (series, origin) pairs (see :meth:`arrays`)."""
        start = self.offsets[np.asarray(which, np.int64)] + np.asarray(origins, np.int64)
        w = np.arange(-self.window, 0)
        h = np.arange(self.horizon)
        inputs = {"window": self.values[start[:, None] + w]}
        if self.future is not None:
            inputs["future_covariates"] = self.future[start[:, None] + h]
        if self.static is not None:
            inputs["static_covariates"] = self.static[np.asarray(which, np.int64)]
        y = self.values[start[:, None] + h][..., self.targets] if with_targets else None
        return inputs, y

    def dataset(self, part: str, *, batch_size: int, shuffle: bool, seed: int, stride: int = 1,
                target_mean=None, target_std=None, window_scaled: bool = False,
                full_batches: bool = False):
        """``part``'s examples as a batched ``tf.data.Dataset`` gathered lazily by origin.

        Args:
            part: ``"train"``, ``"val"`` or ``"test"``.
            batch_size: examples per batch.
            shuffle: reshuffle the origins every epoch (seeded).
            seed: the shuffle seed.
            stride: steps between a series' origins.
            target_mean, target_std: standardise the targets with these (``[T]``).
            window_scaled: standardise the targets with each window's own statistics
                (:class:`seqkit.forecasting.model.WindowStats`, as the model does).
            full_batches: every batch holds ``batch_size`` examples, so the batch
                dimension is static (``[batch_size, W, F]`` in ``element_spec``): the last
                one is topped up with the first examples of the same epoch's order (when
                ``part`` holds at least ``batch_size`` examples; the steps per epoch stay
                ``ceil(n / batch_size)``). For training: a graph traced with an unknown batch
                dimension keeps its broadcast-gradient shape ops in every step of the
                recurrent loop (measured by ``benchmarks/profile_fit.py``).

        Returns:
            A dataset of ``(inputs, y)``; ``inputs`` a tensor (window only) or a dict.

        Example:

        >>> data = ForecastData.from_arrays([np.arange(30.0)], window=4, horizon=1,
        ...                                 val_size=0, test_size=0)
        >>> ds = data.dataset("train", batch_size=8, shuffle=False, seed=0, full_batches=True)
        >>> tuple(ds.element_spec[0].shape), [int(b[1].shape[0]) for b in ds]
        ((8, 4, 1), [8, 8, 8, 8])
        >>> [float(v) for v in list(ds)[-1][1].numpy().ravel()]  # 26 windows: 2 topped up
        [28.0, 29.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
        """
        import tensorflow as tf

        from seqkit.forecasting.model import WindowStats

        window_stats = WindowStats(dtype="float32")
        which, origins = self.origins(part, stride)
        start = (self.offsets[which] + origins).astype("int64")
        values = tf.constant(self.values)
        future = None if self.future is None else tf.constant(self.future)
        static = None if self.static is None else tf.constant(self.static)
        w = tf.range(-self.window, 0, dtype=tf.int64)
        h = tf.range(self.horizon, dtype=tf.int64)
        mean = tf.constant(0.0 if target_mean is None else target_mean, tf.float32)
        std = tf.constant(1.0 if target_std is None else target_std, tf.float32)

        def batch(s, i):  # one vectorised gather per batch, as origin_dataset does
            x = {"window": tf.gather(values, s[:, None] + w)}            # [B, W, F]
            if future is not None:
                x["future_covariates"] = tf.gather(future, s[:, None] + h)
            if static is not None:
                x["static_covariates"] = tf.gather(static, i)
            y = tf.gather(tf.gather(values, s[:, None] + h), self.targets, axis=2)
            if window_scaled:
                stats = tf.gather(window_stats(x["window"]), self.targets, axis=2)
                y = (y - stats[:, 0:1]) / stats[:, 1:2]
            else:
                y = (y - mean) / std
            return (x["window"] if len(x) == 1 else x), y

        ds = tf.data.Dataset.from_tensor_slices((start, which))
        if shuffle:
            ds = ds.shuffle(max(1, len(start)), seed=seed, reshuffle_each_iteration=True)
        ds = (_full_batches(ds, len(start), batch_size) if full_batches
              else ds.batch(batch_size))
        return ds.map(batch, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

    def part_values(self, part: str, columns=None) -> list[np.ndarray]:
        """Each series' values in ``part`` (``columns`` positions, default all).

        Args:
            part: ``"train"``, ``"val"``, ``"test"``, or ``"before_test"`` (train + val:
                what the forecaster was given before the test part).
            columns: column positions to keep.

        Returns:
            One array per series.
        """
        out = []
        for i, split in enumerate(self.splits):
            v = self.series_values(i)
            stop = {"train": split.train_end, "val": split.val_end, "test": split.n,
                    "before_test": split.val_end}.get(part)
            if stop is None:
                raise DataError(f"unknown part {part!r}")
            start = {"val": split.train_end, "test": split.val_end}.get(part, 0)
            v = v[start:stop]
            out.append(v if columns is None else v[:, columns])
        return out

    def train_stats(self, array: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std per column over every series' training part (of ``values`` or
        of ``array``, laid out like it, e.g. ``future``).

        Returns:
            ``(mean, std)`` float64 arrays.
        """
        array = self.values if array is None else array
        rows = np.concatenate([array[self.offsets[i]:self.offsets[i] + s.train_end]
                               for i, s in enumerate(self.splits)])
        return rows.mean(axis=0, dtype="float64"), rows.std(axis=0, dtype="float64")


def _full_batches(ds, n: int, batch_size: int):
    """Batches of exactly ``batch_size`` (static shape) from ``n`` elements per epoch: the
    last one topped up with the first elements of the same epoch's order (the epoch's
    first batch, carried by ``Dataset.scan``, whose state starts afresh every epoch).
    Fewer than ``batch_size`` elements: one plain (partial) batch."""
    import tensorflow as tf

    if n < batch_size or n % batch_size == 0:
        return ds.batch(batch_size, drop_remainder=n >= batch_size)
    unset = (tf.constant(True), *(tf.zeros([batch_size], s.dtype) for s in ds.element_spec))

    def top_up(state, batch):  # the first batch is full: n > batch_size
        first = tf.cond(state[0], lambda: tuple(tf.reshape(b, [batch_size]) for b in batch),
                        lambda: tuple(state[1:]))
        out = tuple(tf.reshape(tf.concat([b, f[:batch_size - tf.size(b)]], 0), [batch_size])
                    for f, b in zip(first, batch, strict=True))
        return (tf.constant(False), *first), out

    return ds.batch(batch_size).scan(unset, top_up)


def is_collection(series, id_column: str | None = "id") -> bool:
    """Whether ``series`` is many series (a list/dict of series, a long frame, a built-in
    collection name) rather than one.

    Args:
        series: what the user passed.
        id_column: the long frame's id column.

    Returns:
        True for many series.

    Example:

    >>> import numpy as np
    >>> is_collection([np.zeros(5), np.zeros(6)]), is_collection(np.zeros((5, 2)))
    (True, False)
    """
    from seqkit.data.timeseries import list_builtin_collections

    if isinstance(series, dict):
        return True
    if isinstance(series, (list, tuple)):
        return len(series) > 0 and all(np.ndim(s) >= 1 or hasattr(s, "shape") for s in series)
    if isinstance(series, str) and series in list_builtin_collections():
        return True
    if isinstance(series, (str, os.PathLike)) and str(series).endswith(".csv"):
        return id_column is not None and id_column in _csv_header(series)
    columns = getattr(series, "columns", None)
    return columns is not None and id_column is not None and id_column in columns


def _csv_header(path) -> list[str]:
    """The column names on a CSV's first line (empty when the file cannot be read: the
    loader then names the problem)."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError):
        return []


def _members(series, *, columns, time_column, nan_policy, period, id_column, static_columns):
    """``(ids, [SeriesData], static frame or None, source)``, NaN handled per series."""
    from seqkit.data.timeseries import check_series, load_series, load_series_collection

    if is_collection(series, id_column):
        coll = load_series_collection(series, id_column=id_column or "id",
                                      time_column=time_column, value_columns=columns,
                                      static_columns=static_columns, period=period)
        members = [check_series(s, nan_policy) for s in coll.series]
        return list(coll.ids), members, coll.static
    if static_columns:
        raise DataError(f"static_columns={static_columns!r} needs many series (a list, a "
                        f"dict or a long frame with an {id_column!r} column)")
    data = load_series(series, columns=columns, time_column=time_column, period=period)
    return ["0"], [check_series(data, nan_policy)], None


def name_list(columns) -> list | None:
    """Names as a list: one name given as a string (or an integer column) is one name, not
    its letters; None stays None.

    Args:
        columns: None, one name, or several.

    Returns:
        A list, or None.

    Example:

    >>> name_list("sales"), name_list(["a", 2]), name_list(None)
    (['sales'], ['a', 2], None)
    """
    if columns is None:
        return None
    return [columns] if isinstance(columns, (str, int)) else list(columns)


def _future_columns(member, future_covariates, calendar) -> tuple:
    import pandas as pd

    from seqkit.data.timeseries import auto_calendar_features, calendar_features

    parts, names, features = [], [], ()
    if future_covariates:
        idx = member.column_indices(list(future_covariates))
        parts.append(member.values[:, idx])
        names += [member.columns[i] for i in idx]
    if calendar:
        if not isinstance(member.index, pd.DatetimeIndex):
            raise DataError(f"calendar={calendar!r} encodes the timestamps of a "
                            f"DatetimeIndex (give time_column= or a dated index), but the "
                            f"series' index is a {type(member.index).__name__}")
        features = tuple(auto_calendar_features(member.index) if calendar == "auto"
                         else name_list(calendar))
        if features:
            enc, enc_names = calendar_features(member.index, tuple(features))
            parts.append(enc)
            names += enc_names
    if not parts:
        return None, [], ()
    return np.concatenate(parts, axis=1).astype("float32"), names, features


def _static_array(static, ids, static_columns) -> tuple[np.ndarray | None, list]:
    if static is None or not static_columns:
        return None, []
    frame = static.loc[ids, list(static_columns)]
    try:
        values = frame.to_numpy(dtype="float32")
    except (TypeError, ValueError):
        raise DataError(f"static_columns {list(static_columns)} must be numeric (one-hot "
                        f"encode categories first), got dtypes {frame.dtypes.to_dict()}") from None
    return values, [str(c) for c in static_columns]


def _split(n: int, window: int, horizon: int, val_size, test_size, many: bool):
    """The origin split of one series; for many series, a series too short to train on
    still gets its validation/test origins (the model is global)."""
    from seqkit.data.timeseries import OriginSplit, origin_split

    try:
        return origin_split(n, window=window, horizon=horizon, val_size=val_size,
                            test_size=test_size)
    except DataError:
        if not many or n < window + horizon:
            raise
    sizes = [s if isinstance(s, (int, np.integer)) else max(horizon, round(n * s)) if s else 0
             for s in (val_size, test_size)]
    test = min(sizes[1], n - window)
    val = min(sizes[0], n - window - test) if sizes[0] else 0
    return OriginSplit(n=n, window=window, horizon=horizon, train_end=n - test - val,
                       val_end=n - test)


def _check_period(period, shortest: int) -> None:
    """A seasonal period needs a full season of history: the seasonal naive forecast and
    MASE's in-sample scale look ``period`` steps back."""
    if period is not None and period >= shortest:
        fail("period", f"an integer smaller than the shortest series ({shortest} steps: "
             f"the seasonal naive forecast and MASE's scale look one period back), or None",
             period)


def load_forecast_data(series, *, window: int, horizon: int, val_size=0.15, test_size=0.15,
                       columns=None, time_column=None, nan_policy: str = "error",
                       period=None, target_columns=None, future_covariates=None,
                       calendar=None, id_column: str | None = "id",
                       static_columns=None) -> ForecastData:
    """Load, check and split the series of a fit.

    Args:
        series: one series or many (see the module docstring).
        window, horizon: the model's input and output lengths.
        val_size, test_size: per series, as in :func:`seqkit.data.timeseries.origin_split`.
        columns, time_column, nan_policy, period: as in :func:`seqkit.fit_forecaster`.
        target_columns: the columns to forecast (default: every column that is not a
            future covariate); the other columns are past covariates (inputs only).
        future_covariates: columns whose values over the horizon are known in advance.
        calendar: ``None``, ``"auto"`` or calendar feature names
            (:data:`seqkit.data.timeseries.CALENDAR_FEATURES`) encoded from the index.
        id_column: the id column of a long frame.
        static_columns: per-series constant numeric columns (many series only).

    Returns:
        A :class:`ForecastData`; series shorter than ``window + horizon`` are left out
        with a warning (a DataError when none is left).

    Example:

    >>> import numpy as np
    >>> load_forecast_data(np.arange(144.0), window=24, horizon=12, val_size=12,
    ...                    test_size=12).n_examples("train")
    85
    """
    target_columns, future_covariates = name_list(target_columns), name_list(future_covariates)
    static_columns, columns = name_list(static_columns), name_list(columns)
    ids, members, static = _members(series, columns=columns, time_column=time_column,
                                    nan_policy=nan_policy, period=period, id_column=id_column,
                                    static_columns=static_columns)
    many = len(ids) > 1 or is_collection(series, id_column)
    keep = [i for i, m in enumerate(members) if len(m) >= window + horizon]
    if len(keep) < len(members):
        if not keep:
            raise DataError(f"no series is as long as window={window} + horizon={horizon} "
                            f"(lengths {sorted({len(m) for m in members})[:5]}...)")
        left = [f"{ids[i]!r} ({len(members[i])} steps)" for i in range(len(members))
                if i not in set(keep)]
        warnings.warn(f"{len(left)} of {len(members)} series are shorter than window + "
                      f"horizon = {window + horizon} and are left out: "
                      f"{', '.join(left[:10])}{' ...' if len(left) > 10 else ''}",
                      stacklevel=3)
    ids, members = [ids[i] for i in keep], [members[i] for i in keep]
    first = members[0]
    _check_period(first.period, min(len(m) for m in members))
    future_set = set(first.column_indices(list(future_covariates or [])))
    targets = (first.column_indices(list(target_columns)) if target_columns is not None
               else [i for i in range(len(first.columns)) if i not in future_set])
    if not targets or any(not 0 <= t < len(first.columns) for t in targets):
        raise DataError(f"target_columns {target_columns!r} out of range for columns "
                        f"{first.columns}")
    if future_set & set(targets):  # the model would read the very values it forecasts
        both = [first.columns[t] for t in targets if t in future_set]
        raise DataError(f"{both} cannot be both a target and a future covariate (its values "
                        f"over the horizon would be an input of their own forecast)")
    futures = [_future_columns(m, future_covariates, calendar) for m in members]
    values = [np.asarray(m.values, "float32") for m in members]
    static_values, static_names = _static_array(static, ids, static_columns)
    return ForecastData(
        ids=ids, values=np.concatenate(values), offsets=np.cumsum([0] + [len(v) for v in values]),
        splits=[_split(len(v), window, horizon, val_size, test_size, many) for v in values],
        targets=targets, columns=list(first.columns), window=window, horizon=horizon,
        future=None if futures[0][0] is None else np.concatenate([f[0] for f in futures]),
        future_names=futures[0][1], static=static_values, static_names=static_names,
        indexes=[m.index for m in members], period=first.period,
        calendar_features=futures[0][2])
