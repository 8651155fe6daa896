"""The language model: token ids → embedding → RNN stack → the next token's probabilities.

The same layers are built twice: ``every_step=True`` (the next-token distribution after
every step, ``[B, T, V + 1]``: what is trained, and how a whole text is scored) and
``every_step=False`` (after the last real step of each prefix, ``[B, V + 1]``: what is
served, and what streams one token per ``serving_step``). The fit copies the trained
weights into the served model (same layers in the same order).

Token ids: 0 is padding (masked), 1 unknown, 2.. the vocabulary; output class k is id
k + 1 (class 0 is ``<unk>``).

Example:

>>> from seqkit.fit.options import RNNSpec
>>> m = build_language_model(5, rnn=RNNSpec("gru", 4), embedding_dim=3, every_step=False)
>>> m.input.shape, m.output.shape
((None, None), (None, 6))
"""

from __future__ import annotations

import keras

from seqkit.fit.options import RNNSpec
from seqkit.validation import check_int


def build_language_model(vocabulary_size: int, *, rnn: RNNSpec = RNNSpec(),
                         embedding_dim: int = 32, every_step: bool = False,
                         name: str = "language_model") -> keras.Model:
    """The model (module docstring).

    Args:
        vocabulary_size: V, the tokens besides ``<unk>``.
        rnn: the recurrent stack (unidirectional: a language model reads forwards).
        embedding_dim: the embedding's width.
        every_step: the distribution after every step (training) or the last (serving).
        name: the model's name.

    Returns:
        An uncompiled model: ``tokens int64 [B, T]`` → ``[B, T, V + 1]`` or ``[B, V + 1]``.
    """
    v = check_int("vocabulary_size", vocabulary_size)
    rnn.checked()
    inp = keras.Input((None,), dtype="int64", name="tokens")
    x = keras.layers.Embedding(v + 2, check_int("embedding_dim", embedding_dim),
                               mask_zero=True, name="embedding")(inp)
    x = rnn.apply(x, return_sequences=every_step)
    out = keras.layers.Dense(v + 1, activation="softmax", name="next_token",
                             dtype="float32")(x)
    return keras.Model(inp, out, name=name)
