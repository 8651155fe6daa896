"""Quantile forecasts: the levels, a non-crossing output layer and the pinball loss.

- :func:`check_quantiles`: the quantile levels a forecaster predicts (0.5 always among
  them: the point forecast is the median).
- :class:`NonCrossingQuantiles`: unconstrained values ``r [B, horizon, Q, T]`` → quantiles
  ``q`` that are non-decreasing along the level axis by construction.
- :class:`PinballLoss`: the quantile (pinball) loss of Koenker &
  Bassett (1978), averaged over horizon, levels and targets.

Everything is written with ``keras.ops``, so it runs under the TensorFlow, JAX and PyTorch
backends alike.

Example:

>>> import numpy as np
>>> levels = check_quantiles([0.1, 0.9])
>>> levels
(0.1, 0.5, 0.9)
>>> raw = np.zeros((1, 2, 3, 1), "float32")        # [B, horizon, Q, T]
>>> q = np.asarray(NonCrossingQuantiles(levels)(raw), "float64")
>>> np.round(q[0, 0, :, 0], 4).tolist()             # median 0, ± softplus(0) = ± log 2
[-0.6931, 0.0, 0.6931]
"""

from __future__ import annotations

import math

import keras
from keras import ops

from seqkit.errors import ConfigError
from seqkit.validation import fail

MEDIAN = 0.5


def check_quantiles(quantiles) -> tuple[float, ...]:
    """The quantile levels as a tuple of floats, with the median 0.5 added if absent.

    The point forecast of a quantile forecaster is its median, so 0.5 is always one of the
    levels (inserted in order when the caller left it out).

    Args:
        quantiles: a non-empty sequence of strictly increasing numbers in (0, 1).

    Returns:
        The levels, strictly increasing, containing 0.5.

    Raises:
        ConfigError: not a sequence, empty, a level that is not a number in (0, 1), or one
            not greater than the level before it.

    Example:

    >>> check_quantiles([0.05, 0.95])
    (0.05, 0.5, 0.95)
    >>> check_quantiles((0.1, 0.5, 0.9))
    (0.1, 0.5, 0.9)
    >>> check_quantiles([0.9, 0.1])
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: quantiles[1] must be a number in (0, 1) greater than \
quantiles[0] = 0.9, got 0.1
    """
    if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__iter__"):
        fail("quantiles", "a sequence of numbers in (0, 1)", quantiles)
    values = list(quantiles)
    if not values:
        fail("quantiles", "a non-empty sequence of numbers in (0, 1)", quantiles)
    levels = []
    for i, value in enumerate(values):
        try:
            level = float(value)
        except (TypeError, ValueError):
            level = math.nan
        if isinstance(value, bool) or not 0.0 < level < 1.0:
            fail(f"quantiles[{i}]", "a number in (0, 1)", value)
        if levels and level <= levels[-1]:
            fail(f"quantiles[{i}]", f"a number in (0, 1) greater than quantiles[{i - 1}] = "
                 f"{levels[-1]!r}", value)
        levels.append(level)
    if MEDIAN not in levels:
        levels = sorted([*levels, MEDIAN])
    return tuple(levels)


@keras.saving.register_keras_serializable(package="seqkit")
class NonCrossingQuantiles(keras.layers.Layer):
    """Unconstrained values → quantiles that never cross (non-decreasing in the level).

    With ``a`` the index of the median (0.5) among the ``Q`` levels, the output along the
    level axis is::

        q_a     = r_a
        q_{a+k} = q_{a+k-1} + softplus(r_{a+k})     (k = 1 .. Q-1-a, cumulative sum)
        q_{a-k} = q_{a-k+1} - softplus(r_{a-k})     (k = 1 .. a)

    so ``q_0 <= q_1 <= ... <= q_{Q-1}`` for any input (a softplus that underflows to 0
    makes two levels equal, never crossed), and the median is the raw value unchanged.
    The same construction (a base value plus non-negative increments) is how monotone
    quantile heads avoid crossing, e.g. Park et al. (2022), "Learning Quantile Functions
    without Quantile Crossing for Distribution-free Time Series Forecasting" (AISTATS).

    Args:
        quantiles: the levels (:func:`check_quantiles`: 0.5 is added when absent, so the
            input's level axis must have ``len(check_quantiles(quantiles))`` entries).
        **kwargs: ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: ``[B, horizon, Q, T]`` unconstrained values (any rank >= 2 works; the level
            axis is the second to last).

    Returns:
        The quantiles, same shape as the input.

    Raises:
        ConfigError: bad levels, or an input whose level axis is not ``Q`` long.

    Example:

    >>> import numpy as np
    >>> layer = NonCrossingQuantiles([0.1, 0.5, 0.9], name="quantiles")
    >>> raw = np.array([[[[5.0], [1.0], [-50.0]]]], "float32")   # [1, 1, 3, 1]
    >>> q = np.asarray(layer(raw))[0, 0, :, 0]
    >>> bool(q[1] == 1.0), bool(q[0] < q[1] <= q[2])
    (True, True)
    >>> layer.median_index, layer.get_config()["quantiles"]
    (1, [0.1, 0.5, 0.9])
    """

    def __init__(self, quantiles, **kwargs):
        super().__init__(**kwargs)
        self.quantiles = check_quantiles(quantiles)
        self.median_index = self.quantiles.index(MEDIAN)

    def build(self, input_shape):
        q = len(self.quantiles)
        if len(input_shape) < 2 or input_shape[-2] not in (None, q):
            raise ConfigError(
                f"{self.name}: the input must be [B, horizon, Q, T] with Q = {q} "
                f"(levels {list(self.quantiles)}), got shape {tuple(input_shape)}")
        super().build(input_shape)

    def call(self, inputs):
        a = self.median_index
        q = len(self.quantiles)
        median = inputs[..., a:a + 1, :]
        parts = []
        if a > 0:  # below the median: subtract cumulative increments, walking downwards
            below = ops.flip(ops.softplus(inputs[..., :a, :]), axis=-2)
            parts.append(ops.flip(median - ops.cumsum(below, axis=-2), axis=-2))
        parts.append(median)
        if a < q - 1:
            parts.append(median + ops.cumsum(ops.softplus(inputs[..., a + 1:, :]), axis=-2))
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-2)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["quantiles"] = list(self.quantiles)
        return config


def _pinball(y_true, y_pred, quantiles):
    """``[B]``: mean over horizon, levels and targets of ``max(q e, (q - 1) e)``."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    levels = ops.cast(ops.convert_to_tensor(quantiles), y_pred.dtype)
    levels = ops.reshape(levels, (len(quantiles), 1))        # broadcast over [.., Q, T]
    error = ops.expand_dims(y_true, axis=-2) - y_pred        # e = y - q_pred
    loss = ops.maximum(levels * error, (levels - 1.0) * error)
    return ops.mean(loss, axis=tuple(range(1, len(loss.shape))))


@keras.saving.register_keras_serializable(package="seqkit")
class PinballLoss(keras.losses.Loss):
    """The pinball (quantile) loss of a quantile forecast, per example.

    For targets ``y [B, horizon, T]`` and quantile forecasts ``ŷ [B, horizon, Q, T]`` at
    levels ``τ_j``, with ``e = y - ŷ_j``::

        ρ_τ(e) = max(τ e, (τ - 1) e)
        loss_b = mean over horizon h, level j, target t of ρ_{τ_j}(y_{b,h,t} - ŷ_{b,h,j,t})

    (Koenker & Bassett 1978, "Regression Quantiles", Econometrica 46(1); the same ρ as
    TensorFlow Addons' ``PinballLoss`` and Darts' ``QuantileRegression``.) Its minimiser
    over a constant ``ŷ_j`` is the ``τ_j`` quantile of ``y``.

    ``call`` returns the per-example loss ``[B]``; calling the object applies
    ``reduction`` (Keras' default ``"sum_over_batch_size"``: the mean, scaled for
    ``tf.distribute`` like every Keras loss). ``get_config`` keeps the levels, so
    ``seqkit.distribute.per_example_loss`` can rebuild it without reduction.

    Args:
        quantiles: the levels of ``y_pred``'s level axis (:func:`check_quantiles`; 0.5 is
            added when absent).
        reduction: a Keras reduction (``"sum_over_batch_size"``, ``"sum"``, ``None``, ...).
        name: the loss's name.
        dtype: the dtype of the computation (default: Keras' float type).

    Example:

    >>> import numpy as np
    >>> loss = PinballLoss([0.1, 0.5, 0.9], reduction=None)
    >>> y = np.zeros((1, 1, 1), "float32")
    >>> pred = np.array([[[[-1.0], [0.0], [1.0]]]], "float32")  # e = +1, 0, -1
    >>> np.round(np.asarray(loss(y, pred), "float64"), 4).tolist()  # (0.1·1 + 0 + 0.1·1) / 3
    [0.0667]
    >>> loss = PinballLoss([0.5])  # .call: per example [B]; calling it: the batch mean
    >>> y, pred = np.ones((2, 3, 1), "float32"), np.zeros((2, 3, 1, 1), "float32")
    >>> np.asarray(loss.call(y, pred)).tolist(), float(loss(y, pred))
    ([0.5, 0.5], 0.5)
    """

    def __init__(self, quantiles, reduction="sum_over_batch_size", name="pinball_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.quantiles = check_quantiles(quantiles)

    def call(self, y_true, y_pred):
        return _pinball(y_true, y_pred, self.quantiles)

    def get_config(self):
        config = super().get_config()
        config["quantiles"] = list(self.quantiles)
        return config
