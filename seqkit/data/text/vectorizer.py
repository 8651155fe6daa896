"""Texts to Keras inputs: a ``TextVectorization`` adapted on the training texts, and a
batched ``tf.data`` pipeline of ``(text, label)`` pairs."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from seqkit.data.text.convert import (
    _labels_to_list,
    check_text_labels,
    class_ids,
    pick_classes,
    to_label_array,
    to_text_array,
)
from seqkit.errors import DataError
from seqkit.validation import check_int, check_optional_int, fail


def _check_percentile(name: str, value) -> float:
    """``value`` as a float in ``(0, 100]`` (not a check of :mod:`seqkit.validation`)."""
    what = "a number in (0, 100]"
    try:
        v = float(value)
    except (TypeError, ValueError):
        fail(name, what, value)
    if isinstance(value, (bool, np.bool_)) or not 0 < v <= 100:  # False for NaN
        fail(name, what, value)
    return v


def _length_from_data(data, sample, max_tokens, ngrams, length_percentile) -> int:
    """The ``length_percentile``-th percentile of the token counts, clipped to [8, 512]."""
    import keras
    import tensorflow as tf

    counter = keras.layers.TextVectorization(
        max_tokens=max_tokens, output_mode="int", ngrams=ngrams, ragged=True
    )
    # The vocabulary doesn't change token counts (OOV tokens still count): adapt on a
    # tiny sample just to make the layer callable.
    counter.adapt(tf.constant(sample))
    counts = np.concatenate([counter(batch).row_lengths().numpy() for batch in data])
    tokenless = np.flatnonzero(counts == 0)
    if len(tokenless):
        warnings.warn(
            f"{len(tokenless)} training text(s) have no token after standardization "
            f"(e.g. punctuation only; first indices {tokenless[:10].tolist()}): they "
            "vectorize to all-padding rows",
            UserWarning,
            stacklevel=3,
        )
    chosen = math.ceil(float(np.percentile(counts, length_percentile)))
    return int(min(max(chosen, 8), 512))


def make_vectorizer(
    train_texts,
    *,
    max_tokens: int = 20000,
    sequence_length: int | None = None,
    length_percentile: float = 95,
    ngrams=None,
):
    """Build a ``keras.layers.TextVectorization`` adapted on the training texts only.

    Output mode ``"int"`` (0 = padding, 1 = OOV). Standardization is Keras' default
    (lowercase, strip ASCII punctuation), split on whitespace.

    Padding and truncation are both POST: TextVectorization pads with 0 at the end and, when
    a text has more tokens than ``sequence_length``, keeps the FIRST ``sequence_length``
    tokens (it densifies the ragged token ids with ``to_tensor(shape=...)``, which cuts the
    end). Right padding keeps the cuDNN RNN path usable.

    When ``sequence_length`` is None it is chosen from the data (and a ``UserWarning`` names
    training texts that have no token at all after standardization, e.g. ``"!!!"``): the
    ``length_percentile``-th percentile (NumPy linear interpolation) of the per-text token
    counts produced by the same standardization/split (and n-grams), rounded up and clipped
    to [8, 512].

    The chosen length is the layer's ``get_config()["output_sequence_length"]`` and is also
    set as the attribute ``vectorizer.seqkit_sequence_length`` (plus
    ``vectorizer.seqkit_length_source``: ``"given"`` or ``"p<percentile>"``).

    Args:
        train_texts: the training texts, any form :func:`to_text_array` accepts (at least
            one). The vocabulary comes from them only.
        max_tokens: vocabulary size including padding and OOV (an integer >= 3).
        sequence_length: output length; None chooses it from the data (above).
        length_percentile: the percentile of token counts used when ``sequence_length`` is
            None, in ``(0, 100]``.
        ngrams: passed to ``TextVectorization`` (None, an int or a tuple of ints).

    Returns:
        The adapted ``keras.layers.TextVectorization``, mapping a ``tf.string`` batch
        ``[B]`` to ``int64 [B, sequence_length]``.

    Raises:
        DataError: no training text.
        ConfigError: a bad ``max_tokens``, ``sequence_length`` or ``length_percentile``.

    Example:

    >>> vec = make_vectorizer(["the cat sat", "the dog ran"], sequence_length=4)
    >>> vocab = vec.get_vocabulary()
    >>> [str(vocab[i]) for i in vec(np.array(["the cat"], dtype=object)).numpy()[0]]
    ['the', 'cat', '', '']
    >>> make_vectorizer(["the cat sat"]).seqkit_sequence_length  # clipped up to 8
    8
    """
    import keras
    import tensorflow as tf

    texts = to_text_array(train_texts)
    if len(texts) == 0:
        raise DataError("make_vectorizer needs at least one training text; got 0")
    check_int("max_tokens", max_tokens, minimum=3)
    length_percentile = _check_percentile("length_percentile", length_percentile)
    check_optional_int("sequence_length", sequence_length)
    data = tf.data.Dataset.from_tensor_slices(tf.constant(texts.tolist(), dtype=tf.string))
    data = data.batch(1024)
    source = "given"
    if sequence_length is None:
        sequence_length = _length_from_data(
            data, texts[:1].tolist(), max_tokens, ngrams, length_percentile
        )
        source = f"p{length_percentile:g}"
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens, output_mode="int", output_sequence_length=sequence_length,
        ngrams=ngrams,
    )
    vectorizer.adapt(data)
    _drop_unsaveable_terms(vectorizer)
    vectorizer.seqkit_sequence_length = int(sequence_length)
    vectorizer.seqkit_length_source = source
    return vectorizer


def _drop_unsaveable_terms(vectorizer) -> None:
    """Remove vocabulary terms that a saved model could not load back.

    Keras saves the vocabulary as a text file and reads it back with ``str.splitlines()``
    (keras/src/layers/preprocessing/index_lookup.py, Keras 3.15), which also breaks lines
    at U+0085, U+2028, form feeds, ... A term holding one (``"is\x85seeing"`` in the UCI
    sentiment sentences) comes back as two terms, the vocabulary then repeats a term and
    loading fails. Such terms are dropped here: those texts' tokens map to the OOV id, in
    training and in serving alike.

    Example:

    >>> vec = make_vectorizer(["is\x85seeing is", "seeing is"], sequence_length=3)
    >>> [str(t) for t in vec.get_vocabulary()]
    ['', '[UNK]', 'is', 'seeing']
    """
    vocabulary = [str(term) for term in vectorizer.get_vocabulary(include_special_tokens=False)]
    kept = [term for term in vocabulary if term.splitlines() == [term]]
    if len(kept) < len(vocabulary):
        vectorizer.set_vocabulary(kept)


def text_dataset(
    texts,
    labels=None,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
    *,
    class_names: Sequence | None = None,
    classes: Sequence | None = None,
):
    """A batched, prefetching ``tf.data.Dataset`` of ``(tf.string [B], int32 [B])``.

    Args:
        texts: any form :func:`to_text_array` accepts (a NumPy unicode array included,
            which Keras ``fit`` would otherwise refuse).
        labels: without ``classes``: integer class ids, used as they are (a split's ids
            keep their meaning), or other labels mapped to the sorted unique names; with
            ``classes``: labels of any kind, mapped by :func:`to_label_array`. None yields
            text batches only (for ``predict``).
        batch_size: examples per batch (an integer >= 1; the last batch may be smaller).
        shuffle: shuffle the whole set each epoch.
        seed: the shuffle seed.
        class_names: the older name of ``classes`` (same meaning).
        classes: the class names in id order (``classes[k]`` is id ``k``).

    Returns:
        ``tf.data.Dataset`` of ``(texts tf.string [B], labels int32 [B])``, or of
        ``texts`` only when ``labels`` is None.

    Raises:
        DataError: texts and labels of different lengths, malformed texts or labels.
        ConfigError: a bad ``batch_size``.

    Example:

    >>> ds = text_dataset(np.array(["good film", "bad"]), [1, 0], batch_size=2)
    >>> x, y = next(iter(ds))
    >>> x.numpy().tolist(), y.numpy().tolist()
    ([b'good film', b'bad'], [1, 0])
    """
    import tensorflow as tf

    check_int("batch_size", batch_size)
    x = to_text_array(texts)
    x_t = tf.constant(x.tolist(), dtype=tf.string, shape=(len(x),))
    if labels is None:
        ds = tf.data.Dataset.from_tensor_slices(x_t)
    else:
        raw = _labels_to_list(labels)
        check_text_labels(x, raw)
        y = _dataset_ids(raw, pick_classes(classes, class_names))
        ds = tf.data.Dataset.from_tensor_slices((x_t, tf.constant(y, dtype=tf.int32)))
    if shuffle and len(x):
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _dataset_ids(raw: list, classes) -> np.ndarray:
    """The ``int32`` ids of :func:`text_dataset`'s labels (see its ``labels`` argument)."""
    if not raw:
        return np.zeros(0, np.int32)
    if classes is not None:
        return to_label_array(raw, classes=classes, min_classes=1)[0]
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
           for v in raw):
        return class_ids(raw)
    return to_label_array(raw, min_classes=1)[0]
