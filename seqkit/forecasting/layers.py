"""The small layers of the forecaster that Keras has no public layer for, registered so a
saved ``.keras`` forecaster loads with ``safe_mode`` on (no ``Lambda``).

- :class:`WindowStats`: each window's own per-feature mean and scale (``[B, 2, F]``), the
  per-series scaling of a global model over many series (NeuralForecast's temporal
  normalisation; nothing fitted, so a series never seen in training is scaled alike).
- :class:`Standardize` / :class:`Unstandardize`: ``(x - mean) / scale`` with those
  statistics, and back for the target columns (any rank: ``[B, H, T]``, ``[B, H, Q, T]``).
- :class:`AddLastValue`: adds the window's last (standardised) target values to the
  network's change, broadcast over the horizon (and the quantile axis).
- :class:`TakeQuantile`: the median slice of ``[B, H, Q, T]``: the point forecast.
- :class:`IntervalCalibration`: fixed per-(step, level, target) offsets added to the
  quantiles, the median kept and each side clipped at it and sorted (non-crossing): the
  conformal correction of :mod:`seqkit.forecasting.calibration`; zero until set.

Example:

>>> import numpy as np
>>> x = np.array([[[1.0], [2.0], [3.0]]], "float32")
>>> stats = WindowStats()(x)
>>> np.asarray(stats).astype("float64").round(4).tolist()
[[[2.0], [0.8165]]]
>>> np.asarray(Standardize()([x, stats]), "float64")[0, :, 0].round(4).tolist()
[-1.2247, 0.0, 1.2247]
"""

from __future__ import annotations

import keras
from keras import ops

#: the floor of a window's scale, relative to its mean absolute value (a flat window)
RELATIVE_SCALE_FLOOR = 1e-3


@keras.saving.register_keras_serializable(package="seqkit")
class WindowStats(keras.layers.Layer):
    """Per-window, per-feature mean and scale of ``x [B, T, F]``, stacked ``[B, 2, F]``.

    The scale is the standard deviation over time, floored at
    ``RELATIVE_SCALE_FLOOR * mean(|x|) + 1e-6`` so a flat window divides by a small
    positive number, not by zero.

    Example:

    >>> import numpy as np
    >>> stats = WindowStats()(np.full((1, 4, 1), 5.0, "float32"))
    >>> np.asarray(stats, "float64")[0, :, 0].round(6).tolist()
    [5.0, 0.005001]
    """

    def call(self, x):
        mean = ops.mean(x, axis=1)
        std = ops.sqrt(ops.mean(ops.square(x - mean[:, None, :]), axis=1))
        floor = RELATIVE_SCALE_FLOOR * ops.mean(ops.abs(x), axis=1) + 1e-6
        return ops.stack([mean, ops.maximum(std, floor)], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 2, input_shape[-1])


@keras.saving.register_keras_serializable(package="seqkit")
class Standardize(keras.layers.Layer):
    """``(x - mean) / scale`` for ``[x [B, T, F], stats [B, 2, F]]`` (:class:`WindowStats`).

    Example:

    >>> import numpy as np
    >>> stats = np.array([[[1.0], [2.0]]], "float32")
    >>> np.asarray(Standardize()([np.full((1, 2, 1), 5.0, "float32"), stats])).ravel().tolist()
    [2.0, 2.0]
    """

    def call(self, inputs):
        x, stats = inputs
        return (x - stats[:, 0:1, :]) / stats[:, 1:2, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="seqkit")
class Unstandardize(keras.layers.Layer):
    """``y * scale + mean`` of the target columns: ``[y [B, ..., T], stats [B, 2, F]]``.

    Args:
        target_indices: the positions of the ``T`` targets among the ``F`` features.

    Example:

    >>> import numpy as np
    >>> stats = np.array([[[1.0, 10.0], [2.0, 3.0]]], "float32")
    >>> y = np.ones((1, 2, 1), "float32")
    >>> np.asarray(Unstandardize([1])([y, stats])).ravel().tolist()
    [13.0, 13.0]
    """

    def __init__(self, target_indices, **kwargs):
        super().__init__(**kwargs)
        self.target_indices = [int(t) for t in target_indices]

    def call(self, inputs):
        y, stats = inputs
        picked = ops.take(stats, self.target_indices, axis=2)  # [B, 2, T]
        shape = (-1,) + (1,) * (len(y.shape) - 2) + (len(self.target_indices),)
        mean = ops.reshape(picked[:, 0, :], shape)
        scale = ops.reshape(picked[:, 1, :], shape)
        return y * scale + mean

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "target_indices": self.target_indices}


@keras.saving.register_keras_serializable(package="seqkit")
class AddLastValue(keras.layers.Layer):
    """``delta [B, H, T]`` or ``[B, H, Q, T]`` plus ``last [B, T]`` on every step (and level).

    Example:

    >>> import numpy as np
    >>> out = AddLastValue()([np.zeros((1, 2, 3, 1), "float32"), np.full((1, 1), 4.0, "float32")])
    >>> np.asarray(out).ravel().tolist()
    [4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    """

    def call(self, inputs):
        delta, last = inputs
        shape = (-1,) + (1,) * (len(delta.shape) - 2) + (last.shape[-1],)
        return delta + ops.reshape(last, shape)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="seqkit")
class TakeQuantile(keras.layers.Layer):
    """Level ``index`` of ``quantiles [B, H, Q, T]``: ``[B, H, T]``.

    Args:
        index: the position on the quantile axis (the median's).

    Example:

    >>> import numpy as np
    >>> q = np.arange(6, dtype="float32").reshape(1, 1, 3, 2)
    >>> np.asarray(TakeQuantile(1)(q)).tolist()
    [[[2.0, 3.0]]]
    """

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, quantiles):
        return quantiles[:, :, self.index, :]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], input_shape[3])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


@keras.saving.register_keras_serializable(package="seqkit")
class IntervalCalibration(keras.layers.Layer):
    """Quantiles plus non-trainable ``offsets [H, Q, T]``, the median kept in place.

    The offsets start at zero (the identity); calibration sets them (lower levels negative,
    upper positive: wider intervals; or the other way: narrower). The median level is never
    moved (it is the point forecast); a lower level is clipped at the median, an upper one
    likewise, and each side is sorted, so the levels never cross whatever the offsets.

    Args:
        median_index: the median's position on the level axis.

    Example:

    >>> import numpy as np
    >>> layer = IntervalCalibration(median_index=1)
    >>> q = np.array([[[[0.0], [1.0], [2.0]]]], "float32")       # [B=1, H=1, Q=3, T=1]
    >>> np.asarray(layer(q)).ravel().tolist()
    [0.0, 1.0, 2.0]
    >>> _ = layer.offsets.assign(np.array([[[-0.5], [0.0], [0.5]]], "float32"))
    >>> np.asarray(layer(q)).ravel().tolist()
    [-0.5, 1.0, 2.5]
    >>> _ = layer.offsets.assign(np.array([[[3.0], [0.0], [-3.0]]], "float32"))
    >>> np.asarray(layer(q)).ravel().tolist()                   # narrowed past the median
    [1.0, 1.0, 1.0]
    """

    def __init__(self, median_index: int, **kwargs):
        super().__init__(**kwargs)
        self.median_index = int(median_index)

    def build(self, input_shape):
        self.offsets = self.add_weight(name="offsets", shape=tuple(input_shape[1:]),
                                       initializer="zeros", trainable=False)

    def call(self, quantiles):
        a = self.median_index
        median = quantiles[:, :, a:a + 1, :]
        moved = quantiles + self.offsets
        lower = ops.sort(ops.minimum(moved[:, :, :a, :], median), axis=2)
        upper = ops.sort(ops.maximum(moved[:, :, a + 1:, :], median), axis=2)
        return ops.concatenate([lower, median, upper], axis=2)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "median_index": self.median_index}
