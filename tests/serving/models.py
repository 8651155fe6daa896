"""Tiny models for the serving and reporting tests (built-in Keras layers, seqkit layers)."""

from __future__ import annotations

import keras
import numpy as np

CORPUS = [
    "the movie was great and the cast was good",
    "a slow plot and a weak script",
    "one of the best films of the year",
    "the ending felt slow but the music was great",
    "bad acting and a boring story",
]
CLASS_NAMES = ["negative", "neutral", "positive"]


def rnn(cell: str, units: int, **kwargs):
    """A recurrent layer: ``lstm``/``gru`` (Keras), ``explicit_lstm``/``explicit_gru``
    (seqkit), ``peephole_lstm``/``layernorm_gru`` (seqkit variants)."""
    if cell == "lstm":
        return keras.layers.LSTM(units, **kwargs)
    if cell == "gru":
        return keras.layers.GRU(units, **kwargs)
    from seqkit.layers import ExplicitGRU, ExplicitLSTM

    if cell == "explicit_lstm":
        return ExplicitLSTM(units, **kwargs)
    if cell == "explicit_gru":
        return ExplicitGRU(units, **kwargs)
    if cell == "peephole_lstm":
        return ExplicitLSTM(units, peephole=True, peephole_initializer="glorot_uniform",
                            **kwargs)
    if cell == "layernorm_gru":
        return ExplicitGRU(units, layer_norm=True, **kwargs)
    raise ValueError(cell)


def text_classifier(cell: str = "lstm", units: int = 6, seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    vectorize = keras.layers.TextVectorization(max_tokens=60, name="vectorize")
    vectorize.adapt(CORPUS)
    inp = keras.Input(shape=(), dtype="string", name="text")
    x = keras.layers.Embedding(60, 8, mask_zero=True)(vectorize(inp))
    x = rnn(cell, units)(x)
    out = keras.layers.Dense(len(CLASS_NAMES), activation="softmax")(x)
    return keras.Model(inp, out, name=f"text_{cell}")


def forecaster(cell: str = "gru", units: int = 8, features: int = 3, horizon: int = 4,
               targets: int = 2, seed: int = 0) -> keras.Model:
    """Raw window in, forecast in original units out (scaling inside the graph)."""
    keras.utils.set_random_seed(seed)
    inp = keras.Input(shape=(None, features), name="window")
    x = keras.layers.Normalization(mean=[1.0] * features, variance=[4.0] * features)(inp)
    x = rnn(cell, units)(x)
    x = keras.layers.Dense(horizon * targets)(x)
    x = keras.layers.Reshape((horizon, targets))(x)
    out = keras.layers.Rescaling(scale=2.0, offset=1.0)(x)
    return keras.Model(inp, out, name=f"forecaster_{cell}")


def sequence_classifier(cell: str = "lstm", units: int = 5, features: int = 3,
                        classes: int = 3, *, masked: bool = True, bidirectional: bool = False,
                        stacked: bool = False, seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    inp = keras.Input(shape=(None, features), name="sequence")
    x = keras.layers.Masking(0.0)(inp) if masked else inp

    def layer(**kw):
        made = rnn(cell, units, **kw)
        return keras.layers.Bidirectional(made) if bidirectional else made

    if stacked:
        x = layer(return_sequences=True)(x)
    x = layer()(x)
    out = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inp, out, name=f"seq_{cell}")


def fixed_time_model(steps: int = 5, features: int = 2) -> keras.Model:
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(steps, features), name="window")
    x = keras.layers.LSTM(4, unroll=True)(inp)
    return keras.Model(inp, keras.layers.Dense(1)(x), name="fixed_t")


def texts(n: int, words: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vocab = " ".join(CORPUS).split() + ["unseenword"]
    return np.array([" ".join(rng.choice(vocab, size=words)) for _ in range(n)], dtype=object)


def windows(n: int, steps: int, features: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(1.0, 2.0, size=(n, steps, features)).astype(
        "float32")


def padded_sequences(n: int, steps: int, features: int = 3, seed: int = 0) -> np.ndarray:
    x = windows(n, steps, features, seed)
    for i in range(n):  # post-padding, different lengths
        x[i, max(1, steps - i):] = 0.0
    return x
