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
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqkit.errors import DataError


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
                (:class:`seqkit.forecasting.layers.WindowStats`, as the model does).
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

        from seqkit.forecasting.layers import WindowStats

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
