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

import keras
import numpy as np

from seqkit.errors import ConfigError
from seqkit.fit.describe import describe_cell  # noqa: F401
from seqkit.fit.forecast_model import (  # noqa: F401  (re-exported: their old home)
    WINDOW_INPUTS,
    build_forecast_model,
    forecast_training_view,
    scale_stats,
)
from seqkit.fit.rnn_spec import RNNSpec
from seqkit.validation import check_bool, check_int


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
        mean, std = scale_stats("input", input_mean, input_std, n_features)
        x = keras.layers.Normalization(axis=-1, mean=mean.tolist(), variance=(std ** 2).tolist(),
                                       name="scale_inputs", dtype="float32")(x)
    x = rnn.apply(x)
    out = keras.layers.Dense(int(num_classes), activation="softmax", name="probabilities",
                             dtype="float32")(x)
    return keras.Model(inp, out, name=name)
