"""The models the fit functions train: a stack of RNN layers and one functional model per
task, each taking raw inputs and answering in user units.

- :class:`RNNSpec`: ``layers`` stacked RNNs built with :func:`seqkit.make_rnn`.
- :func:`build_text_model`: strings → TextVectorization → Embedding → RNNs → softmax.
- :func:`build_forecast_model` / :func:`forecast_training_view`: raw windows → forecasts
  in original units (the view is the standardised output it is trained on).
- :func:`build_sequence_model`: padded sequences → Masking → RNNs → softmax.

Example:

>>> import numpy as np
>>> from seqkit.fit.models import RNNSpec, build_sequence_model
>>> model = build_sequence_model(3, 2, rnn=RNNSpec("gru", units=4))
>>> model.predict(np.ones((5, 7, 3), "float32"), verbose=0).shape
(5, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.fit.describe import describe_cell
from seqkit.layers import make_rnn
from seqkit.validation import check_bool, check_choice, check_fraction, check_int

WINDOW_INPUTS = ("absolute", "relative", "both")


@dataclass(frozen=True)
class RNNSpec:
    """The recurrent part of every model: ``layers`` stacked RNNs built with ``make_rnn``."""

    cell: object = "lstm"
    units: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0

    def checked(self) -> RNNSpec:
        describe_cell(self.cell)
        check_int("units", self.units)
        check_int("layers", self.layers)
        check_fraction("dropout", self.dropout)
        check_fraction("recurrent_dropout", self.recurrent_dropout)
        check_bool("bidirectional", self.bidirectional)
        return self

    def config(self) -> dict:
        return {"cell": describe_cell(self.cell), "units": int(self.units),
                "layers": int(self.layers), "bidirectional": bool(self.bidirectional),
                "dropout": float(self.dropout),
                "recurrent_dropout": float(self.recurrent_dropout)}

    def apply(self, x):
        """Run ``x`` ``[B, T, d]`` through the stack; returns the last layer's final output."""
        for i in range(self.layers):
            last = i == self.layers - 1
            kwargs = {"return_sequences": not last}
            if self.dropout:
                kwargs["dropout"] = float(self.dropout)
            if self.recurrent_dropout:
                kwargs["recurrent_dropout"] = float(self.recurrent_dropout)
            layer = make_rnn(self.cell, int(self.units), name=f"rnn_{i}", **kwargs)
            if self.bidirectional:
                layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{i}")
            x = layer(x)
        return x




def build_text_model(vectorizer: keras.layers.TextVectorization, num_classes: int, *,
                     rnn: RNNSpec = RNNSpec(), embedding_dim: int = 64,
                     embedding_matrix=None, trainable_embeddings: bool = True,
                     name: str = "text_classifier") -> keras.Model:
    """``text`` (raw strings ``[B]``) → vectorizer → Embedding(mask_zero) → RNN stack →
    softmax ``probabilities [B, num_classes]``.

    Args:
        vectorizer: an adapted ``TextVectorization`` that pads *post* (index 0 = padding,
            masked).
        num_classes: the softmax width.
        rnn: the recurrent stack.
        embedding_dim: the embedding width.
        embedding_matrix: None (random initial embeddings), or the initial embeddings
            ``[vectorizer.vocabulary_size(), embedding_dim]`` (e.g.
            ``seqkit.data.text.load_word_vectors(...).matrix``).
        trainable_embeddings: False freezes the embedding layer (the matrix stays as given).
        name: the model's name.

    Returns:
        The functional ``keras.Model``; its Embedding layer is named ``embedding``.

    Raises:
        ConfigError: a bad argument, or an ``embedding_matrix`` of another shape.

    Example:

    >>> import keras, numpy as np
    >>> vectorizer = keras.layers.TextVectorization(output_sequence_length=3)
    >>> vectorizer.adapt(["good film", "bad film"])
    >>> matrix = np.arange(10, dtype="float32").reshape(5, 2)
    >>> model = build_text_model(vectorizer, 2, rnn=RNNSpec(units=2), embedding_dim=2,
    ...                          embedding_matrix=matrix, trainable_embeddings=False)
    >>> layer = model.get_layer("embedding")
    >>> layer.trainable, bool(np.array_equal(layer.get_weights()[0], matrix))
    (False, True)
    """
    check_int("num_classes", num_classes)
    check_int("embedding_dim", embedding_dim)
    check_bool("trainable_embeddings", trainable_embeddings)
    rnn.checked()
    shape = (int(vectorizer.vocabulary_size()), int(embedding_dim))
    if embedding_matrix is not None:
        embedding_matrix = np.asarray(embedding_matrix, dtype="float32")
        if embedding_matrix.shape != shape:
            raise ConfigError(f"embedding_matrix must have shape {shape} (vocabulary size, "
                              f"embedding_dim), got {embedding_matrix.shape}")
    inp = keras.Input(shape=(), dtype="string", name="text")
    ids = vectorizer(inp)
    x = keras.layers.Embedding(*shape, mask_zero=True, weights=embedding_matrix,
                               trainable=bool(trainable_embeddings), name="embedding")(ids)
    x = rnn.apply(x)
    out = keras.layers.Dense(int(num_classes), activation="softmax", name="probabilities",
                             dtype="float32")(x)
    return keras.Model(inp, out, name=name)


def _scale_stats(name: str, mean, std, size: int) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(mean, dtype="float64").reshape(-1)
    std = np.asarray(std, dtype="float64").reshape(-1)
    if mean.shape != (size,) or std.shape != (size,):
        raise ConfigError(
            f"{name} mean/std must have {size} values, got shapes {mean.shape}, {std.shape}")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
        raise DataError(f"{name} mean/std must be finite, got mean={mean}, std={std}")
    std = np.where(std > 0, std, 1.0)  # constant column: leave it unscaled
    return mean, std


def build_forecast_model(window: int, n_features: int, horizon: int, n_targets: int, *,
                         input_mean, input_std, target_mean, target_std,
                         target_indices: Sequence[int] | None = None, residual: bool = True,
                         window_inputs: str = "both", rnn: RNNSpec = RNNSpec(),
                         name: str = "forecaster") -> keras.Model:
    """``window`` (raw values ``[B, window, n_features]``) → standardise with the given
    training-split statistics (layer ``scale_inputs``) → [``window_inputs``] → RNN stack →
    Dense(horizon ×
    n_targets) → Reshape → [``residual``: + the window's last value of each target] (layer
    ``forecast_scaled``, standardised units) → inverse standardisation → ``forecast
    [B, horizon, n_targets]`` in original units.

    ``residual=True`` makes the network predict the change from the last observed value
    (a zero network output is the naive forecast), which keeps trending series in reach;
    it needs the targets to be input columns (``target_indices``, default the first
    ``n_targets`` columns) with the same statistics (``target_mean``/``target_std`` equal
    to ``input_mean``/``input_std`` at those columns).

    ``window_inputs`` is what the RNN reads: ``"absolute"`` (the standardised window),
    ``"relative"`` (the standardised window minus its last step: level-free, so a trend
    that leaves the training range does not shift the inputs) or ``"both"`` (the two
    concatenated, ``2 × n_features`` per step; the default).

    Train :func:`forecast_training_view` of this model on standardised targets (so every
    target counts equally in the loss); the weights are shared.
    """
    window = check_int("window", window)
    n_features = check_int("n_features", n_features)
    horizon = check_int("horizon", horizon)
    n_targets = check_int("n_targets", n_targets)
    rnn.checked()
    check_choice("window_inputs", window_inputs, WINDOW_INPUTS)
    in_mean, in_std = _scale_stats("input", input_mean, input_std, n_features)
    out_mean, out_std = _scale_stats("target", target_mean, target_std, n_targets)
    targets = list(range(n_targets)) if target_indices is None else [int(t) for t in
                                                                       target_indices]
    if residual:
        if len(targets) != n_targets or any(not 0 <= t < n_features for t in targets):
            raise ConfigError(f"target_indices {targets} must be {n_targets} input columns "
                              f"in 0..{n_features - 1}")
        if not (np.allclose(in_mean[targets], out_mean)
                and np.allclose(in_std[targets], out_std)):
            raise ConfigError("residual=True needs the target statistics to be the input "
                              "statistics of the target columns")
    inp = keras.Input((window, n_features), name="window")
    # Raw values, their scaling and everything in original units stay float32 under a
    # mixed-precision policy (1000.3 in bfloat16 is 1000); the RNN runs in the policy's dtype.
    f32 = {"dtype": "float32"}
    scaled = keras.layers.Normalization(axis=-1, mean=in_mean.tolist(),
                                        variance=(in_std ** 2).tolist(),
                                        name="scale_inputs", **f32)(inp)
    if window_inputs == "absolute":
        x = scaled
    else:
        last_in = keras.layers.Cropping1D((window - 1, 0), name="last_input_step", **f32)(scaled)
        last_in = keras.layers.Reshape((n_features,), name="last_input_values", **f32)(last_in)
        last_in = keras.layers.RepeatVector(window, name="repeat_last_input", **f32)(last_in)
        x = keras.layers.Subtract(name="relative_inputs", **f32)([scaled, last_in])
        if window_inputs == "both":
            x = keras.layers.Concatenate(name="absolute_and_relative", **f32)([scaled, x])
    x = rnn.apply(x)
    x = keras.layers.Dense(horizon * n_targets, name="head")(x)
    out_name = "forecast_scaled"
    x = keras.layers.Reshape((horizon, n_targets),
                             name="delta_scaled" if residual else out_name, **f32)(x)
    if residual:
        last = keras.layers.Cropping1D((window - 1, 0), name="last_step", **f32)(scaled)
        last = keras.layers.Reshape((n_features,), name="last_values", **f32)(last)
        if targets != list(range(n_features)):
            select = keras.layers.Dense(n_targets, use_bias=False, trainable=False,
                                        name="select_targets", **f32)
            last = select(last)
            onehot = np.zeros((n_features, n_targets), dtype="float32")
            onehot[targets, np.arange(n_targets)] = 1.0
            select.set_weights([onehot])
        last = keras.layers.RepeatVector(horizon, name="repeat_last", **f32)(last)
        x = keras.layers.Add(name=out_name, **f32)([x, last])
    out = keras.layers.Normalization(axis=-1, mean=out_mean.tolist(),
                                     variance=(out_std ** 2).tolist(), invert=True,
                                     name="forecast", **f32)(x)
    return keras.Model(inp, out, name=name)


def forecast_training_view(model: keras.Model) -> keras.Model:
    """The same layers as ``model`` up to ``forecast_scaled`` (standardised targets)."""
    return keras.Model(model.inputs, model.get_layer("forecast_scaled").output,
                       name=f"{model.name}_scaled")


def masked_feature_stats(x, mask_value: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation over the real (non-padding) steps of ``x``.

    Args:
        x: ``[N, T, F]`` post-padded sequences (a padding step has every feature equal to
            ``mask_value``).
        mask_value: the padding value.

    Returns:
        ``(mean [F], std [F])`` in float64; a constant feature gets std 1 (left unscaled).

    Example:

    >>> x = np.array([[[1.0, 10.0], [3.0, 10.0], [0.0, 0.0]]])  # last step is padding
    >>> mean, std = masked_feature_stats(x)
    >>> mean.tolist(), std.tolist()
    ([2.0, 10.0], [1.0, 1.0])
    """
    x = np.asarray(x, dtype="float64")
    real = np.any(x != mask_value, axis=-1)
    steps = x[real] if real.any() else x.reshape(-1, x.shape[-1])
    mean, std = steps.mean(axis=0), steps.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def build_sequence_model(n_features: int, num_classes: int, *, rnn: RNNSpec = RNNSpec(),
                         mask_value: float = 0.0, input_mean=None, input_std=None,
                         name: str = "sequence_classifier") -> keras.Model:
    """``sequence`` ``[B, T, n_features]`` (any T; post-padded) → Masking → [per-feature
    standardisation] → RNN stack → softmax ``probabilities``.

    A time step is padding when **all** its features equal ``mask_value`` (0.0): a real
    step that is all zeros is skipped too, so shift such data first. The mask is taken
    from the raw input, before standardisation, and carried through it.

    Args:
        n_features: features per step.
        num_classes: softmax outputs.
        rnn: the recurrent stack.
        mask_value: the padding value.
        input_mean, input_std: training-split statistics (:func:`masked_feature_stats`)
            for a ``Normalization`` layer ``scale_inputs``, so the model takes raw values;
            None: no standardisation.
        name: the model's name.

    Returns:
        An uncompiled functional model.

    Example:

    >>> model = build_sequence_model(2, 3, rnn=RNNSpec("lstm", 4), input_mean=[1.0, 10.0],
    ...                              input_std=[2.0, 1.0])
    >>> [layer.name for layer in model.layers[1:3]]
    ['mask_padding', 'scale_inputs']
    """
    n_features = check_int("n_features", n_features)
    check_int("num_classes", num_classes)
    rnn.checked()
    inp = keras.Input((None, n_features), name="sequence")
    x = keras.layers.Masking(mask_value=float(mask_value), name="mask_padding")(inp)
    if input_mean is not None or input_std is not None:
        mean, std = _scale_stats("input", input_mean, input_std, n_features)
        x = keras.layers.Normalization(axis=-1, mean=mean.tolist(), variance=(std ** 2).tolist(),
                                       name="scale_inputs", dtype="float32")(x)
    x = rnn.apply(x)
    out = keras.layers.Dense(int(num_classes), activation="softmax", name="probabilities",
                             dtype="float32")(x)
    return keras.Model(inp, out, name=name)
