"""The anomaly detector's models: a window in, how anomalous it is out.

Two scorers (``scorer=`` of :func:`seqkit.anomaly.task.fit_anomaly_detector`):

- ``"forecast"`` (LSTM-AD, Malhotra et al. 2015; telemanom, Hundman et al. 2018): the
  input is ``window [B, W + 1, F]``; the RNN reads its first W points and predicts the last
  one; the error is the mean over features of the squared standardised difference.
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
((None, 9, 1), (None,))
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
        window: W, the points the RNN reads (the forecast scorer's input has W + 1).
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
    length = window + 1 if scorer == "forecast" else window
    inp = keras.Input((length, n_features), name="window")
    mean, std = scale_stats("input", np.zeros(n_features) if mean is None else mean,
                            np.ones(n_features) if std is None else std, n_features)
    x = keras.layers.Normalization(axis=-1, mean=mean.tolist(), variance=(std ** 2).tolist(),
                                   name="scale_inputs", dtype="float32")(inp)
    if scorer == "forecast":
        context = keras.layers.Cropping1D((0, 1), name="context")(x)
        target = keras.layers.Cropping1D((window, 0), name="target")(x)
        pred = keras.layers.Dense(n_features, name="next_point", dtype="float32")(
            rnn.apply(context))
        pred = keras.layers.Reshape((1, n_features), name="next_point_step")(pred)
        error = SquaredError(name=ERROR_LAYER)([pred, target])
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
