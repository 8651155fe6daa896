"""The anomaly detector's models: a window in, how anomalous it is out.

Two scorers (``scorer=`` of :func:`seqkit.anomaly.task.fit_anomaly_detector`):

- ``"forecast"`` (LSTM-AD, Malhotra et al. 2015; telemanom, Hundman et al. 2018): a
  window of W + 1 points is given as W **pairs** ``pairs [B, W, 2F]`` — step t holds
  ``(x_{t-1}, x_t)``; the RNN reads the first of each pair and, after each, a dense layer
  forecasts the next point; the error is the mean over features of the squared
  standardised difference at the last step (the prediction of the window's last point
  from the W before it). Written per step, the model streams: ``serving_step`` takes one
  new pair (the previous point and the new one) and the RNN's states, and returns the new
  point's score — O(1) per point (:mod:`seqkit.serving.step`).
- ``"reconstruction"`` (an LSTM autoencoder, Malhotra et al. 2016, "LSTM-based
  encoder-decoder for multi-sensor anomaly detection"): the input is ``window [B, W, F]``;
  an encoder RNN's final state is repeated W times into a decoder RNN whose outputs a dense
  layer maps back to the W points; the error is the mean squared standardised difference
  over the window.

Both are trained by minimising the error itself (the model's output before scaling), so
one model is trained and served. :class:`AnomalyScore` divides the error by its median on
the validation windows (a score of 1 is a typical normal window) and carries the
threshold, from which the export derives ``is_anomaly``
(:mod:`seqkit.serving.signature`).

Example:

>>> from seqkit.fit.options import RNNSpec
>>> model = build_scorer("forecast", 8, 1, rnn=RNNSpec("gru", 4), mean=[0.0], std=[1.0])
>>> model.input.shape, model.output.shape
((None, 8, 2), (None,))
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from seqkit.fit.options import RNNSpec
from seqkit.layers import make_rnn
from seqkit.validation import check_choice, check_int, check_number, scale_stats

SCORERS = ("forecast", "reconstruction")
ERROR_LAYER, SCORE_LAYER = "window_error", "anomaly_score"


@keras.saving.register_keras_serializable(package="seqkit")
class SquaredError(keras.layers.Layer):
    """``mean((a - b)^2)`` over every axis but the batch: ``[B]``.

    Example:

    >>> import numpy as np
    >>> a, b = np.zeros((2, 3, 1), "float32"), np.ones((2, 3, 1), "float32")
    >>> np.asarray(SquaredError()([a, 2 * b])).tolist()
    [4.0, 4.0]
    """

    def call(self, inputs):
        a, b = inputs
        err = ops.square(a - b)
        return ops.mean(err, axis=tuple(range(1, len(err.shape))))

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0],)


@keras.saving.register_keras_serializable(package="seqkit")
class AnomalyScore(keras.layers.Layer):
    """The window's error divided by ``scale`` (its median on validation); carries the
    ``threshold`` above which a score is an anomaly (set after training).

    Args:
        scale: the error of a typical normal window (> 0).
        threshold: scores above it are anomalies (None until fitted).
        **kwargs: ``keras.layers.Layer`` arguments.

    Example:

    >>> import numpy as np
    >>> layer = AnomalyScore(2.0, threshold=3.0)
    >>> np.asarray(layer(np.array([1.0, 8.0], "float32"))).tolist(), layer.threshold
    ([0.5, 4.0], 3.0)
    """

    def __init__(self, scale=1.0, threshold=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.scale = float(check_number("scale", scale, positive=True))
        self.threshold = None if threshold is None else float(threshold)

    def call(self, error):
        return error / self.scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "threshold": self.threshold}


def _selector(n_features: int, half: int, name: str):
    """A fixed per-step ``Dense`` that keeps half ``half`` (0: previous, 1: current) of a
    pair's ``2F`` features: a layer the streaming planner knows acts on each step."""
    kernel = np.zeros((2 * n_features, n_features), "float32")
    kernel[half * n_features + np.arange(n_features), np.arange(n_features)] = 1.0
    return keras.layers.Dense(n_features, use_bias=False, trainable=False, name=name,
                              kernel_initializer=keras.initializers.Constant(kernel),
                              dtype="float32")


def _forecast_error(rnn: RNNSpec, x, n_features: int):
    """Per step t of the standardised pairs: the RNN reads ``x_{t-1}`` (the state after
    it forecasts the next point), the error is against ``x_t``; the last step's error."""
    previous = _selector(n_features, 0, "previous_point")(x)
    current = _selector(n_features, 1, "current_point")(x)
    pred = keras.layers.Dense(n_features, name="next_point", dtype="float32")(
        rnn.apply(previous, return_sequences=True))
    diff = keras.layers.Subtract(name="forecast_error")([pred, current])
    squared = keras.layers.Multiply(name="squared_error")([diff, diff])
    mean = keras.layers.Dense(1, use_bias=False, trainable=False, name="mean_over_features",
                              kernel_initializer=keras.initializers.Constant(1.0 / n_features),
                              dtype="float32")(squared)
    last = keras.layers.Cropping1D((int(x.shape[1]) - 1, 0), name="last_step")(mean)
    return keras.layers.Reshape((), name=ERROR_LAYER)(last)


def _decoder(rnn: RNNSpec, code, window: int):
    """The autoencoder's decoder: the code repeated ``window`` times through the stack."""
    x = keras.layers.RepeatVector(window, name="repeat_code")(code)
    for i in range(rnn.layers):
        x = make_rnn(rnn.cell, int(rnn.units), name=f"decoder_{i}",
                     return_sequences=True)(x)
    return x


def build_scorer(scorer: str, window: int, n_features: int, *, rnn: RNNSpec = RNNSpec(),
                 mean=None, std=None, name: str = "anomaly_detector") -> keras.Model:
    """The served model of ``scorer``: raw windows in, ``anomaly_score [B]`` out.

    Args:
        scorer: ``"forecast"`` or ``"reconstruction"`` (module docstring).
        window: W, the points the RNN reads (the forecast scorer's input: W pairs).
        n_features: features per point.
        rnn: the recurrent stack (the autoencoder's decoder mirrors it, unidirectional).
        mean, std: the training part's per-feature statistics (the model standardises).
        name: the model's name.

    Returns:
        An uncompiled model; its layer ``window_error`` is what training minimises and
        ``anomaly_score`` (:class:`AnomalyScore`) its scaled output.

    Example:

    >>> ae = build_scorer("reconstruction", 6, 2, rnn=RNNSpec("lstm", 3))
    >>> ae.input.shape, ae.get_layer("decoder_0").output.shape
    ((None, 6, 2), (None, 6, 3))
    """
    check_choice("scorer", scorer, SCORERS)
    window, n_features = check_int("window", window), check_int("n_features", n_features)
    rnn.checked()
    mean, std = scale_stats("input", np.zeros(n_features) if mean is None else mean,
                            np.ones(n_features) if std is None else std, n_features)
    if scorer == "forecast":  # pairs (x_{t-1}, x_t): 2F features per step
        inp = keras.Input((window, 2 * n_features), name="pairs")
        mean, std = np.tile(mean, 2), np.tile(std, 2)
    else:
        inp = keras.Input((window, n_features), name="window")
    x = keras.layers.Normalization(axis=-1, mean=mean.tolist(), variance=(std ** 2).tolist(),
                                   name="scale_inputs", dtype="float32")(inp)
    if scorer == "forecast":
        error = _forecast_error(rnn, x, n_features)
    else:
        decoded = _decoder(rnn, rnn.apply(x), window)
        recon = keras.layers.Dense(n_features, name="reconstruction", dtype="float32")(decoded)
        error = SquaredError(name=ERROR_LAYER)([recon, x])
    return keras.Model(inp, AnomalyScore(name=SCORE_LAYER)(error), name=name)


def error_view(model: keras.Model) -> keras.Model:
    """The same layers as ``model`` up to the unscaled error (what the fit minimises).

    Args:
        model: a model of :func:`build_scorer`.

    Returns:
        A model sharing ``model``'s weights: ``[B]``.
    """
    return keras.Model(model.input, model.get_layer(ERROR_LAYER).output,
                       name=f"{model.name}_error")
