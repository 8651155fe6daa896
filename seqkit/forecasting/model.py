"""The forecaster's network: raw windows (and covariates) in, forecasts in original units out.

``window [B, W, F]`` → scaling (the training split's statistics, or each window's own for a
global model over many series) → [relative/absolute inputs] → RNN stack → [concatenated
with the scaled ``future_covariates [B, H, C]`` and ``static_covariates [B, S]``] → Dense
head → [non-crossing quantiles] → [+ the window's last value] → [interval calibration
offsets, zero until :mod:`seqkit.forecasting.evaluation` sets them] → inverse scaling →
``forecast [B, H, T]`` (and ``quantiles [B, H, Q, T]``).

:func:`forecast_training_view` is the same layers up to the standardised output, what the
fit trains (every target counts equally in the loss).

Example:

>>> import numpy as np
>>> from seqkit.fit.options import RNNSpec
>>> model = build_forecast_model(8, 1, 3, 1, input_mean=[0.0], input_std=[1.0],
...                              target_mean=[0.0], target_std=[1.0],
...                              quantiles=(0.1, 0.5, 0.9), rnn=RNNSpec("gru", units=4))
>>> out = model.predict(np.zeros((2, 8, 1), "float32"), verbose=0)
>>> out["forecast"].shape, out["quantiles"].shape
((2, 3, 1), (2, 3, 3, 1))
>>> bool(np.all(np.diff(out["quantiles"], axis=2) >= 0))
True

The small layers of the forecaster that Keras has no public layer for, registered so a
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
  conformal correction of :mod:`seqkit.forecasting.evaluation`; zero until set.

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

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from seqkit.errors import ConfigError
from seqkit.fit.options import RNNSpec
from seqkit.validation import check_choice, check_int, scale_stats

WINDOW_INPUTS = ("absolute", "relative", "both")
#: the forecaster's networks: the RNN, and the ES-RNN hybrid (``hybrid=True``)
MODELS = ("rnn", "es-rnn")
SCALINGS = ("global", "window")
_F32 = {"dtype": "float32"}  # raw values and scaling stay float32 under mixed precision


def _normalization(mean, std, name, invert=False):
    return keras.layers.Normalization(axis=-1, mean=np.asarray(mean).tolist(),
                                      variance=(np.asarray(std) ** 2).tolist(),
                                      invert=invert, name=name, **_F32)


def _last_step(x, width: int, window: int, name: str):
    last = keras.layers.Cropping1D((window - 1, 0), name=f"{name}_step", **_F32)(x)
    return keras.layers.Reshape((width,), name=f"{name}_values", **_F32)(last)


def _rnn_inputs(scaled, window: int, n_features: int, window_inputs: str):
    if window_inputs == "absolute":
        return scaled
    last = _last_step(scaled, n_features, window, "last_input")
    last = keras.layers.RepeatVector(window, name="repeat_last_input", **_F32)(last)
    relative = keras.layers.Subtract(name="relative_inputs", **_F32)([scaled, last])
    if window_inputs == "relative":
        return relative
    return keras.layers.Concatenate(name="absolute_and_relative", **_F32)([scaled, relative])


def _smoothed(rnn_in, past, horizon: int, period: int | None):
    """The hybrid's smoothing of the target window ``past [B, W, T]``: its forecast (the
    base the head's output is added to) and the RNN's inputs with the window
    deseasonalised and levelled appended."""
    from seqkit.forecasting.smoothing import ExponentialSmoothing

    window = int(past.shape[1])
    m = period if period and 1 < period and 2 * period <= window else None
    base, adjusted = ExponentialSmoothing(
        horizon, period=m, trend="add", damped=True, seasonal="add" if m else None,
        return_adjusted=True, name="es_rnn_smoothing", **_F32)(past)
    inputs = keras.layers.Concatenate(name="inputs_and_adjusted", **_F32)([rnn_in, adjusted])
    return base, inputs


def _covariate_input(name: str, shape: tuple, stats):
    """A covariate input and its standardised, flattened form (``None`` when unused)."""
    if stats is None:
        return None, None
    mean, std = scale_stats(name, stats[0], stats[1], shape[-1])
    inp = keras.Input(shape, name=name)
    scaled = _normalization(mean, std, f"scale_{name}")(inp)
    if len(shape) > 1:
        scaled = keras.layers.Flatten(name=f"flat_{name}", **_F32)(scaled)
    return inp, scaled


def _select_targets(last, n_features: int, targets: list[int], name="select_targets"):
    if targets == list(range(n_features)):
        return last
    select = keras.layers.Dense(len(targets), use_bias=False, trainable=False,
                                name=name, **_F32)
    out = select(last)
    onehot = np.zeros((n_features, len(targets)), dtype="float32")
    onehot[targets, np.arange(len(targets))] = 1.0
    select.set_weights([onehot])
    return out


def _head(x, horizon: int, n_targets: int, quantiles):
    """The network's standardised output: ``[B, H, T]`` or non-crossing ``[B, H, Q, T]``."""
    if quantiles is None:
        x = keras.layers.Dense(horizon * n_targets, name="head")(x)
        return keras.layers.Reshape((horizon, n_targets), name="head_steps", **_F32)(x)
    from seqkit.forecasting.quantiles import NonCrossingQuantiles

    q = len(quantiles)
    x = keras.layers.Dense(horizon * q * n_targets, name="head")(x)
    x = keras.layers.Reshape((horizon, q, n_targets), name="head_steps", **_F32)(x)
    return NonCrossingQuantiles(list(quantiles), name="non_crossing", **_F32)(x)


def build_forecast_model(window: int, n_features: int, horizon: int, n_targets: int, *,
                         input_mean=None, input_std=None, target_mean=None, target_std=None,
                         target_indices: Sequence[int] | None = None, residual: bool = True,
                         window_inputs: str = "both", scaling: str = "global",
                         quantiles: Sequence[float] | None = None, future_stats=None,
                         static_stats=None, rnn=None, candidates: bool = False,
                         hybrid: bool = False, period: int | None = None,
                         name: str = "forecaster") -> keras.Model:
    """The forecaster (see the module docstring), built from the training split's facts.

    Args:
        window, n_features, horizon, n_targets: ``window [B, window, n_features]`` in,
            ``forecast [B, horizon, n_targets]`` out.
        input_mean, input_std: per-feature training statistics (``scaling="global"``).
        target_mean, target_std: the targets' statistics (with ``residual`` they must be the
            input statistics of ``target_indices``).
        target_indices: the targets' input columns (default the first ``n_targets``).
        residual: the network predicts the change from the window's last value (a zero
            output is the naive forecast, so trends beyond the training range stay in reach).
        window_inputs: what the RNN reads: ``"absolute"`` (the scaled window),
            ``"relative"`` (minus its last step: level-free) or ``"both"`` (concatenated).
        scaling: ``"global"`` (the statistics above, layer ``scale_inputs``) or
            ``"window"`` (each window's own mean and scale, :class:`WindowStats`: one
            model for many series of different levels; the targets must be inputs).
        quantiles: increasing levels (with 0.5, see
            :func:`seqkit.forecasting.quantiles.check_quantiles`) for a probabilistic
            head: outputs ``{"forecast": median, "quantiles"}``.
        future_stats: ``(mean [C], std [C])`` of future-known covariates: adds the input
            ``future_covariates [B, horizon, C]``.
        static_stats: ``(mean [S], std [S])``: adds the input ``static_covariates [B, S]``.
        rnn: the :class:`seqkit.fit.options.RNNSpec`.
        candidates: hold the simple rivals (seasonal naive, drift, Holt-Winters) beside
            the RNN, combined by fixed weights (layer ``combined_scaled``, the RNN alone
            until :func:`seqkit.forecasting.combination.combine_on_validation` sets them);
            point forecasts only (targets must be inputs).
        hybrid: the ES-RNN hybrid (Smyl 2020), in place of ``residual``: a damped
            Holt-Winters smoothing of the target window (constants trained with the
            network) forecasts the base; the RNN reads the inputs and the window
            deseasonalised and levelled by it, and its head's output is added to the base.
        period: the seasonal period of the rivals and the hybrid's smoothing (None: none).
        name: the model's name.

    Returns:
        A functional ``keras.Model``; layer ``forecast_scaled`` (or ``quantiles_scaled``) is
        the standardised output :func:`forecast_training_view` trains.

    Example:

    >>> from seqkit.fit.options import RNNSpec
    >>> model = build_forecast_model(6, 2, 3, 1, scaling="window", future_stats=([0.0], [1.0]),
    ...                              rnn=RNNSpec("lstm", units=4))
    >>> [tuple(i.shape) for i in model.inputs], tuple(model.outputs[0].shape)
    ([(None, 6, 2), (None, 3, 1)], (None, 3, 1))
    """
    rnn = (rnn or RNNSpec()).checked()
    window, n_features = check_int("window", window), check_int("n_features", n_features)
    horizon, n_targets = check_int("horizon", horizon), check_int("n_targets", n_targets)
    check_choice("window_inputs", window_inputs, WINDOW_INPUTS)
    check_choice("scaling", scaling, SCALINGS)
    if quantiles is not None:
        from seqkit.forecasting.quantiles import check_quantiles

        quantiles = check_quantiles(quantiles)  # the head and the median need 0.5 in them
    targets = _target_list(target_indices, n_targets, n_features,
                           residual or candidates or hybrid or scaling == "window")
    inp = keras.Input((window, n_features), name="window")
    if scaling == "global":
        in_mean, in_std = scale_stats("input", input_mean, input_std, n_features)
        out_stats = _global_target_stats(in_mean, in_std, target_mean, target_std, targets,
                                         n_targets, residual or candidates or hybrid)
        scaled = _normalization(in_mean, in_std, "scale_inputs")(inp)
    else:
        stats = WindowStats(name="window_stats", **_F32)(inp)
        scaled = Standardize(name="scale_inputs", **_F32)([inp, stats])
    rnn_in = _rnn_inputs(scaled, window, n_features, window_inputs)
    past = (_select_targets(scaled, n_features, targets, name="select_target_window")
            if candidates or hybrid else None)
    if hybrid:
        base, rnn_in = _smoothed(rnn_in, past, horizon, period)
    features = [rnn.apply(rnn_in)]
    inputs = [inp]
    for cov_name, shape, cov_stats in (("future_covariates", (horizon,), future_stats),
                                       ("static_covariates", (), static_stats)):
        size = 0 if cov_stats is None else len(np.ravel(cov_stats[0]))
        cov_in, cov_scaled = _covariate_input(cov_name, (*shape, size), cov_stats)
        if cov_in is not None:
            inputs.append(cov_in)
            features.append(cov_scaled)
    x = features[0] if len(features) == 1 else keras.layers.Concatenate(
        name="rnn_and_covariates")(features)
    x = _head(x, horizon, n_targets, quantiles)
    scaled_name = "forecast_scaled" if quantiles is None else "quantiles_trained"
    if hybrid:
        x = AddForecast(name=scaled_name, **_F32)([x, base])
    elif residual:
        last = _select_targets(_last_step(scaled, n_features, window, "last"), n_features,
                               targets)
        x = AddLastValue(name=scaled_name, **_F32)([x, last])
    else:
        x = keras.layers.Activation("linear", name=scaled_name, **_F32)(x)
    if candidates:
        if quantiles is not None:
            raise ConfigError("candidates combine point forecasts: quantile heads have none")
        from seqkit.forecasting.combination import add_candidates

        x = add_candidates(x, past, horizon=horizon, period=period)
    if quantiles is not None:  # zero offsets until calibrated on the validation origins
        x = IntervalCalibration(list(quantiles).index(0.5), name="quantiles_scaled",
                                **_F32)(x)
    out_name = "forecast" if quantiles is None else "quantiles"
    if scaling == "global":
        out = _normalization(*out_stats, out_name, invert=True)(x)
    else:
        out = Unstandardize(targets, name=out_name, **_F32)([x, stats])
    if quantiles is not None:
        median = TakeQuantile(list(quantiles).index(0.5), name="forecast", **_F32)(out)
        out = {"forecast": median, "quantiles": out}
    return keras.Model(inputs[0] if len(inputs) == 1 else inputs, out, name=name)


def _target_list(target_indices, n_targets: int, n_features: int, need_inputs: bool):
    targets = (list(range(n_targets)) if target_indices is None
               else [int(t) for t in target_indices])
    if len(targets) != n_targets or (need_inputs and any(not 0 <= t < n_features
                                                         for t in targets)):
        raise ConfigError(f"target_indices {targets} must be {n_targets} input columns "
                          f"in 0..{n_features - 1}")
    return targets


def _global_target_stats(in_mean, in_std, target_mean, target_std, targets, n_targets,
                         residual):
    if target_mean is None and target_std is None:
        return in_mean[targets], in_std[targets]
    out_mean, out_std = scale_stats("target", target_mean, target_std, n_targets)
    if residual and not (np.allclose(in_mean[targets], out_mean)
                         and np.allclose(in_std[targets], out_std)):
        raise ConfigError("residual=True (or candidates) needs the target statistics to be "
                          "the input statistics of the target columns")
    return out_mean, out_std


def forecast_training_view(model: keras.Model) -> keras.Model:
    """The same layers as ``model`` up to its standardised output (what the fit trains).

    Args:
        model: a model of :func:`build_forecast_model`.

    Returns:
        A model sharing ``model``'s weights, output ``forecast_scaled [B, H, T]`` or
        ``quantiles_scaled [B, H, Q, T]``.

    Example:

    >>> from seqkit.fit.options import RNNSpec
    >>> model = build_forecast_model(4, 1, 2, 1, input_mean=[0.0], input_std=[1.0],
    ...                              rnn=RNNSpec("gru", units=2))
    >>> tuple(forecast_training_view(model).outputs[0].shape)
    (None, 2, 1)
    """
    names = {layer.name for layer in model.layers}
    out = "quantiles_scaled" if "quantiles_scaled" in names else "forecast_scaled"
    # model.input keeps the structure (one tensor, or a list): a list of one would warn
    # "the structure of inputs doesn't match" on every call with a plain window tensor
    return keras.Model(model.input, model.get_layer(out).output, name=f"{model.name}_scaled")


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
class AddForecast(keras.layers.Layer):
    """``delta [B, H, T]`` or ``[B, H, Q, T]`` plus a base forecast ``[B, H, T]`` (on every
    quantile level).

    Example:

    >>> import numpy as np
    >>> base = np.array([[[1.0], [2.0]]], "float32")
    >>> np.asarray(AddForecast()([np.zeros((1, 2, 3, 1), "float32"), base]))[0, :, :, 0].tolist()
    [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    """

    def call(self, inputs):
        delta, base = inputs
        return delta + (base[:, :, None, :] if len(delta.shape) == 4 else base)

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
