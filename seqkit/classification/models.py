"""The classifiers' models: raw inputs in, class probabilities out.

- :func:`build_text_model`: strings → TextVectorization → Embedding → RNNs → softmax.
- :func:`build_sequence_model`: padded sequences → Masking → standardisation → a front
  end (:data:`FRONTENDS`: [:class:`TimePatches`], :class:`ConvBlocks` before the RNNs, or
  beside them) → RNNs → final state and/or :class:`MaskedPooling` → softmax.

Example:

>>> import numpy as np
>>> from seqkit.classification.models import build_sequence_model
>>> from seqkit.fit.options import RNNSpec
>>> model = build_sequence_model(3, 2, rnn=RNNSpec("gru", units=4))
>>> model.predict(np.ones((5, 7, 3), "float32"), verbose=0).shape
(5, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from seqkit.errors import ConfigError
from seqkit.fit.options import RNNSpec
from seqkit.validation import check_bool, check_choice, check_fraction, check_int, scale_stats


@keras.saving.register_keras_serializable(package="seqkit")
class SublinearTfidf(keras.layers.Layer):
    """n-gram counts ``[B, V]`` → scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``
    features: ``(1 + log(count)) * idf`` for the n-grams present, each row scaled to unit
    L2 norm (``idf = log((1 + n) / (1 + df)) + 1``, smooth idf).

    Args:
        idf: ``[V]`` inverse document frequencies (a non-trainable weight).

    Example:

    >>> layer = SublinearTfidf(np.array([1.0, 2.0, 1.0], "float32"))
    >>> np.round(layer(np.array([[0.0, 1.0, 1.0]], "float32")).numpy().astype(float), 4).tolist()
    [[0.0, 0.8944, 0.4472]]
    """

    def __init__(self, idf, **kwargs):
        super().__init__(**kwargs)
        idf = np.asarray(idf, dtype="float32")
        self.idf = self.add_weight(shape=idf.shape, initializer="zeros", trainable=False,
                                   name="idf")
        self.idf.assign(idf)

    def call(self, counts):
        counts = keras.ops.cast(counts, "float32")
        tf = keras.ops.where(counts > 0, 1.0 + keras.ops.log(keras.ops.maximum(counts, 1.0)),
                             0.0)
        x = tf * self.idf
        norm = keras.ops.sqrt(keras.ops.sum(x * x, axis=-1, keepdims=True))
        return x / keras.ops.maximum(norm, 1e-12)

    def get_config(self):
        return {**super().get_config(), "idf": keras.ops.convert_to_numpy(self.idf).tolist()}


@keras.saving.register_keras_serializable(package="seqkit")
def word_tokens(texts):
    """scikit-learn's default tokens as one space-separated string: lowercase, runs of 2+
    word characters (``token_pattern=r"(?u)\\b\\w\\w+\\b"``; ASCII word characters, as RE2
    reads ``\\w``), everything else a separator.

    Args:
        texts: a string tensor.

    Returns:
        The standardised strings.

    Example:

    >>> import tensorflow as tf
    >>> word_tokens(tf.constant(["It's 10/10, a must-see!"])).numpy().tolist()
    [b'it 10 10 must see']
    """
    import tensorflow as tf

    x = tf.strings.lower(texts)
    x = tf.strings.regex_replace(x, r"[^0-9a-z_]+", " ")
    x = tf.strings.regex_replace(x, r"(^| )[0-9a-z_]( [0-9a-z_])*( |$)", " ")
    return tf.strings.strip(x)


#: The wide branch's vocabulary cap (word 1- and 2-grams) and regularisation: scikit-learn's
#: ``LogisticRegression`` default ``C``.
WIDE_MAX_TOKENS = 100000
WIDE_C = 1.0


def _logits(clf, features, num_classes: int) -> np.ndarray:
    """``clf``'s logits over all ``num_classes`` (a class it never saw: -1e4)."""
    z = np.full((features.shape[0], num_classes), -1e4, "float32")
    scores = clf.decision_function(features)
    if len(clf.classes_) == 2:
        z[:, clf.classes_] = np.stack([np.zeros_like(scores), scores], axis=1)
    else:
        z[:, clf.classes_] = scores
    return z


def _dense_weights(clf, n_features: int, num_classes: int) -> list:
    """``[kernel, bias]`` of a ``Dense`` whose logits are ``clf``'s over all
    ``num_classes`` (a class it never saw: bias -1e4; binary: its one logit ``z`` for
    ``classes_[1]`` as ``[0, z]``, the same softmax)."""
    kernel = np.zeros((n_features, num_classes), "float32")
    bias = np.full(num_classes, -1e4, "float32")
    coef, intercept = clf.coef_, clf.intercept_
    if len(clf.classes_) == 2:
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.r_[0.0, intercept]
    kernel[:, clf.classes_], bias[clf.classes_] = coef.T, intercept
    return [kernel, bias]


def _out_of_fold(features, ids, num_classes: int, folds: int, seed: int) -> np.ndarray:
    """Each training example's logits from a logistic regression fitted without it
    (stratified ``folds``-fold cross-fitting; classes too small to stratify are spread)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, StratifiedKFold

    counts = np.bincount(ids)
    splitter = (StratifiedKFold(folds, shuffle=True, random_state=seed)
                if counts[counts > 0].min() >= folds
                else KFold(folds, shuffle=True, random_state=seed))
    out = np.zeros((features.shape[0], num_classes), "float32")
    for fit_idx, held_idx in splitter.split(features, ids):
        clf = LogisticRegression(C=WIDE_C, max_iter=1000, random_state=seed)
        if len(np.unique(ids[fit_idx])) < 2:
            out[held_idx] = 0.0
            continue
        clf.fit(features[fit_idx], ids[fit_idx])
        out[held_idx] = _logits(clf, features[held_idx], num_classes)
    return out


def fit_wide(train_texts, train_ids, num_classes: int, *, max_tokens: int = WIDE_MAX_TOKENS,
             seed: int = 0, folds: int = 5, unlabelled_texts=()) -> WideLinear:
    """A linear text classifier as Keras layers, fitted by scikit-learn: word 1-2-gram
    counts (``TextVectorization`` over :func:`word_tokens`, scikit-learn's tokens) →
    :class:`SublinearTfidf` → ``wide_logits``, a frozen ``Dense`` holding
    ``LogisticRegression``'s coefficients, so the logits in the graph are the fitted
    model's: the baseline ``tfidf_logreg``'s features and model, in the graph.

    Args:
        train_texts: the training texts (strings).
        train_ids: their class ids.
        num_classes: the number of classes (ids absent from training get logit -inf-like
            bias: they are never predicted by this branch).
        max_tokens: the n-gram vocabulary size.
        seed: the solver's and the folds' random state.
        folds: the cross-fitting folds of ``out_of_fold`` (0: none).
        unlabelled_texts: more texts whose n-grams and document frequencies join the
            training texts' in the vocabulary and idf (no labels read): the classifier
            passes its validation texts, so the vocabulary is the one the baseline's
            vectorizer sees and the refit model (:func:`refit_wide`) is the baseline's.

    Returns:
        :class:`WideLinear`: the three layers, callable on texts (``[B]`` strings →
        ``wide_logits [B, num_classes]``), with ``fit_info`` (vocabulary size, training
        accuracy, ``C``) and ``out_of_fold``: each training text's logits from a model
        fitted without it (``folds``-fold cross-fitting; what the RNN trains against, so
        it learns to correct the linear model where it errs on unseen text, not on text it
        has fitted).

    Example:

    >>> wide = fit_wide(np.array(["good film", "bad film"] * 4, object), [1, 0] * 4, 2)
    >>> logits = np.asarray(wide(np.array(["good", "bad"], object)))
    >>> (logits.argmax(axis=1) == [1, 0]).all()
    np.True_
    """
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    texts = np.asarray(train_texts, dtype=object).astype(str)
    ids = np.asarray(train_ids, dtype="int64")
    corpus = np.concatenate([texts, np.asarray(unlabelled_texts, dtype=object).astype(str)])
    counts = keras.layers.TextVectorization(max_tokens=int(max_tokens), ngrams=2,
                                            output_mode="count", standardize=word_tokens,
                                            name="ngram_counts")
    counts.adapt(corpus)

    def sparse_counts(batch):
        return scipy.sparse.vstack([scipy.sparse.csr_matrix(np.asarray(counts(batch[i:i + 256])))
                                    for i in range(0, len(batch), 256)]).tocsr()

    all_rows = sparse_counts(corpus)  # the training texts first: counted once
    df = np.asarray((all_rows > 0).sum(axis=0)).ravel()
    idf = np.log((1.0 + len(corpus)) / (1.0 + df)) + 1.0
    idf[df == 0] = 0.0  # the OOV slot
    tfidf = SublinearTfidf(idf.astype("float32"), name="tfidf")
    rows = all_rows[:len(texts)]
    features = scipy.sparse.csr_matrix(np.concatenate(
        [np.asarray(tfidf(rows[i:i + 256].toarray())) for i in range(0, rows.shape[0], 256)]))
    clf = LogisticRegression(C=WIDE_C, max_iter=1000, random_state=seed).fit(features, ids)
    oof = (_out_of_fold(features, ids, num_classes, folds, seed)
           if folds and len(ids) >= 2 * folds else None)
    dense = keras.layers.Dense(num_classes, name="wide_logits", trainable=False,
                               dtype="float32")
    dense.build((None, features.shape[1]))
    dense.set_weights(_dense_weights(clf, features.shape[1], num_classes))
    return WideLinear((counts, tfidf, dense), {
        "vocabulary_size": int(counts.vocabulary_size()),
        "train_accuracy": float(clf.score(features, ids)), "C": WIDE_C,
        "out_of_fold_accuracy": (None if oof is None
                                 else float(np.mean(oof.argmax(axis=1) == ids)))}, oof)


def refit_wide(wide: WideLinear, texts, ids, *, seed: int = 0) -> None:
    """Refit ``wide``'s logistic regression on ``texts`` (its vocabulary and idf kept), in
    place: after model selection the linear model learns from every labelled text the
    network saw (training and validation), as the ``tfidf_logreg`` baseline does.

    Args:
        wide: a :func:`fit_wide` result (its ``wide_logits`` weights are replaced).
        texts: the texts (strings).
        ids: their class ids.
        seed: the solver's random state.
    """
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    counts, tfidf, dense = wide.layers
    texts = np.asarray(texts, dtype=object).astype(str)
    features = scipy.sparse.vstack([scipy.sparse.csr_matrix(np.asarray(tfidf(counts(
        texts[i:i + 256])))) for i in range(0, len(texts), 256)]).tocsr()
    clf = LogisticRegression(C=WIDE_C, max_iter=1000, random_state=seed)
    clf.fit(features, np.asarray(ids, dtype="int64"))
    dense.set_weights(_dense_weights(clf, features.shape[1], dense.units))
    wide.fit_info["refit_on"] = int(len(texts))


@dataclass
class WideLinear:
    """A fitted linear text classifier as Keras layers (:func:`fit_wide`).

    Attributes:
        layers: n-gram counts, :class:`SublinearTfidf`, the frozen ``wide_logits``.
        fit_info: what the fit found (JSON-able).
        out_of_fold: ``[N, num_classes]`` cross-fitted logits of the training texts, or
            None.
    """

    layers: tuple
    fit_info: dict
    out_of_fold: np.ndarray | None = None

    def __call__(self, texts):
        """``texts`` (strings or a symbolic ``text`` input) through the layers: logits."""
        x = texts
        for layer in self.layers:
            x = layer(x)
        return x


def build_text_model(vectorizer: keras.layers.TextVectorization, num_classes: int, *,
                     rnn: RNNSpec = RNNSpec(), embedding_dim: int = 64,
                     embedding_matrix=None, trainable_embeddings: bool = True,
                     head: str = "last", head_dropout: float = 0.0, wide=None,
                     name: str = "text_classifier") -> keras.Model:
    """``text`` (raw strings ``[B]``) → vectorizer → Embedding(mask_zero) → RNN stack →
    ``head`` → [Dropout] → softmax ``probabilities [B, num_classes]``; with ``wide``, a
    linear TF-IDF branch is added to the logits (Wide & Deep, Cheng et al. 2016: the
    bag of n-grams a linear model reads, beside the sequence the RNN reads), fitted first
    and frozen (:func:`fit_wide`).

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
        head: one of :data:`HEADS`: the final state, or pooled outputs over the real tokens.
        head_dropout: the dropout rate on the head's features, before the softmax.
        wide: None, or a fitted :func:`fit_wide` model: its frozen ``wide_logits`` are
            summed with the RNN's ``deep_logits``, which start at zero, so the untrained
            model predicts what the linear model does and training learns a correction.
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
    check_choice("head", head, HEADS)
    check_fraction("head_dropout", head_dropout)
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
    x = _recurrent_head(rnn, x, head)
    if head_dropout:
        x = keras.layers.Dropout(float(head_dropout), name="head_dropout")(x)
    if wide is None:
        out = keras.layers.Dense(int(num_classes), activation="softmax",
                                 name="probabilities", dtype="float32")(x)
        return keras.Model(inp, out, name=name)
    deep = keras.layers.Dense(int(num_classes), name="deep_logits", dtype="float32",
                              kernel_initializer="zeros")(x)
    linear = wide(inp)  # the fitted layers themselves, not a nested model
    logits = keras.layers.Add(name="logits")([deep, linear])
    out = keras.layers.Activation("softmax", name="probabilities", dtype="float32")(logits)
    return keras.Model(inp, out, name=name)


def stacked_training_model(model: keras.Model) -> keras.Model:
    """The model a wide text classifier trains: ``text`` and precomputed ``wide_logits``
    (the linear model's logits for examples it was not fitted on) → softmax(RNN's
    ``deep_logits`` + ``wide_logits``). It shares the RNN's layers with ``model``, which
    serves with the linear model in its graph.

    Args:
        model: a :func:`build_text_model` model with ``wide``.

    Returns:
        The training model (inputs ``text`` and ``wide_logits``).
    """
    deep = keras.Model(model.input, model.get_layer("deep_logits").output, name="deep")
    text = keras.Input(shape=(), dtype="string", name="text")
    linear = keras.Input(shape=(model.output.shape[-1],), name="wide_logits")
    logits = keras.layers.Add(name="stacked_logits")([deep(text), linear])
    out = keras.layers.Activation("softmax", name="probabilities", dtype="float32")(logits)
    return keras.Model({"text": text, "wide_logits": linear}, out, name="stacked")


def masked_feature_stats(x, mask_value: float | None = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation over the real (non-padding) steps of ``x``.

    Args:
        x: ``[N, T, F]`` post-padded sequences (a padding step has every feature equal to
            ``mask_value``).
        mask_value: the padding value; None: every step is real.

    Returns:
        ``(mean [F], std [F])`` in float64; a constant feature gets std 1 (left unscaled).

    Example:

    >>> x = np.array([[[1.0, 10.0], [3.0, 10.0], [0.0, 0.0]]])  # last step is padding
    >>> mean, std = masked_feature_stats(x)
    >>> mean.tolist(), std.tolist()
    ([2.0, 10.0], [1.0, 1.0])
    """
    x = np.asarray(x, dtype="float64")
    if mask_value is None:
        mask_value = np.nan  # no step equals NaN: every step is real
    real = np.any(x != mask_value, axis=-1)
    steps = x[real] if real.any() else x.reshape(-1, x.shape[-1])
    mean, std = steps.mean(axis=0), steps.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


@keras.saving.register_keras_serializable(package="seqkit")
class TimePatches(keras.layers.Layer):
    """``[B, T, F]`` → ``[B, ceil(T / size), size * F]``: every ``size`` consecutive steps
    become one step of their features side by side (the end zero-padded), so an RNN runs
    ``size`` times fewer steps over a long series. A patch is padding when all its steps
    are; masked steps are zeroed first.

    Args:
        size: steps per patch (1: unchanged).

    Example:

    >>> x = np.arange(10, dtype="float32").reshape(1, 5, 2)
    >>> TimePatches(2)(x).numpy()[0].tolist()
    [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 0.0, 0.0]]
    """

    def __init__(self, size: int, **kwargs):
        super().__init__(**kwargs)
        self.size = check_int("size", size)
        self.supports_masking = True

    def _padded(self, x):
        import tensorflow as tf

        pad = tf.math.floormod(-tf.shape(x)[1], self.size)
        return tf.pad(x, [[0, 0], [0, pad]] + [[0, 0]] * (len(x.shape) - 2))

    def call(self, x, mask=None):
        import tensorflow as tf

        if mask is not None:
            x = tf.where(mask[..., None], x, tf.zeros_like(x))
        x = self._padded(x)
        return tf.reshape(x, [tf.shape(x)[0], -1, self.size * int(x.shape[-1])])

    def compute_mask(self, x, mask=None):
        if mask is None:
            return None
        real = keras.ops.cast(mask, "float32")[..., None]  # any step of a patch: a max pool
        pooled = keras.ops.max_pool(real, self.size, strides=self.size, padding="same")
        return pooled[..., 0] > 0

    def compute_output_shape(self, shape):
        steps = None if shape[1] is None else -(-shape[1] // self.size)
        return (shape[0], steps, self.size * shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


@keras.saving.register_keras_serializable(package="seqkit")
class MaskedPooling(keras.layers.Layer):
    """``[B, T, d]`` → ``[B, d]``: the mean, the maximum or the last of the real (unmasked)
    steps (``"last"``: the step at index ``count - 1``, the final output of a post-padded
    row).

    Args:
        mode: ``"mean"``, ``"max"`` or ``"last"``.

    Example:

    >>> x = np.array([[[1.0], [3.0], [9.0]]], "float32")
    >>> mask = np.array([[True, True, False]])
    >>> [MaskedPooling(m)(x, mask=mask).numpy().tolist() for m in ("mean", "max")]
    [[[2.0]], [[3.0]]]
    >>> MaskedPooling("last")(x, mask=mask).numpy().tolist()
    [[3.0]]
    """

    def __init__(self, mode: str = "mean", **kwargs):
        super().__init__(**kwargs)
        self.mode = check_choice("mode", mode, ("mean", "max", "last"))
        self.supports_masking = True

    def call(self, x, mask=None):
        import tensorflow as tf

        if mask is None:
            mask = tf.ones(tf.shape(x)[:2], dtype="bool")
        real = tf.cast(mask, x.dtype)[..., None]
        count = tf.reduce_sum(real, axis=1)
        if self.mode == "last":
            last = tf.maximum(tf.cast(count[:, 0], "int32") - 1, 0)
            return tf.gather(x, last, axis=1, batch_dims=1)
        if self.mode == "mean":
            return tf.reduce_sum(x * real, axis=1) / tf.maximum(count, 1)
        low = tf.fill(tf.shape(x), tf.constant(-1e9, x.dtype))
        out = tf.reduce_max(tf.where(real > 0, x, low), axis=1)
        return tf.where(count > 0, out, tf.zeros_like(out))

    def compute_mask(self, x, mask=None):
        return None

    def compute_output_shape(self, shape):
        return (shape[0], shape[2])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="seqkit")
class ConvBlocks(keras.layers.Layer):
    """``[B, T, F]`` → ``[B, T, filters[-1]]``: FCN's blocks (Wang, Yan, Oates 2017; the
    convolutional branch of Karim et al.'s LSTM-FCN, 2018), each ``Conv1D(padding="same")
    → BatchNormalization → ReLU``, that keep padding out: the input of every convolution
    is zeroed at the masked steps, the normalisation's batch moments are over the real
    steps, and the output is zeroed there; the mask passes through.

    With ``"same"`` padding a convolution near a row's end reads zeros past it. Those are
    the zeros it would read at the end of an unpadded row (the convolution's own padding),
    so a post-padded row gives the same outputs at its real steps at any padded length.

    Args:
        filters: output channels of each block.
        kernel_sizes: the kernel of each block (as many as ``filters``).

    Call arguments:
        x: ``[B, T, F]``.
        mask: ``[B, T]`` booleans, True at real steps; None: every step is real.
        training: batch statistics (True) or the moving averages.

    Example:

    >>> x = np.ones((2, 5, 3), "float32")
    >>> mask = np.array([[True] * 5, [True, True, True, False, False]])
    >>> out = ConvBlocks((4, 2), (3, 3))(x, mask=mask)
    >>> out.shape, float(np.abs(out[1, 3:]).max())
    (TensorShape([2, 5, 2]), 0.0)
    """

    def __init__(self, filters=(128, 256, 128), kernel_sizes=(8, 5, 3), **kwargs):
        super().__init__(**kwargs)
        self.filters = [check_int("filters", f) for f in filters]
        self.kernel_sizes = [check_int("kernel_sizes", k) for k in kernel_sizes]
        if len(self.filters) != len(self.kernel_sizes):
            raise ConfigError(f"filters and kernel_sizes must have one entry per block, got "
                              f"{self.filters} and {self.kernel_sizes}")
        self.convs = [keras.layers.Conv1D(f, k, padding="same", name=f"conv_{i}")
                      for i, (f, k) in enumerate(zip(self.filters, self.kernel_sizes))]
        self.norms = [keras.layers.BatchNormalization(name=f"norm_{i}")
                      for i in range(len(self.filters))]
        self.supports_masking = True

    def build(self, shape):
        width = shape[-1]
        for conv, norm, filters in zip(self.convs, self.norms, self.filters):
            conv.build((None, None, width))
            norm.build((None, None, filters))
            width = filters
        self.built = True

    def call(self, x, mask=None, training=None):
        ops = keras.ops
        real = 1.0 if mask is None else ops.cast(mask, x.dtype)[..., None]
        for conv, norm in zip(self.convs, self.norms):
            x = ops.relu(norm(conv(x * real), training=training, mask=mask))
        return x * real

    def compute_mask(self, x, mask=None):
        return mask

    def compute_output_shape(self, shape):
        return (*shape[:-1], self.filters[-1])

    def get_config(self):
        return {**super().get_config(), "filters": list(self.filters),
                "kernel_sizes": list(self.kernel_sizes)}


#: What the classifier reads from the RNN stack: its final state, or a pooling of its
#: outputs over the real steps (several: concatenated).
HEADS = ("last", "mean", "max", "mean+max", "last+mean", "last+max", "last+mean+max")


def _recurrent_head(rnn: RNNSpec, x, head: str):
    """The RNN stack of ``rnn`` on ``x`` and the features ``head`` names."""
    if head == "last":
        return rnn.apply(x)
    x = rnn.apply(x, return_sequences=True)
    parts = [MaskedPooling(part, name=f"{part}_pool")(x) for part in head.split("+")]
    return parts[0] if len(parts) == 1 else keras.layers.Concatenate(name="head")(parts)


#: What reads the standardised steps: ``"patches"`` (the RNN reads them, in patches of
#: ``patch`` steps), ``"conv"`` (:class:`ConvBlocks` first, the RNN reads their features,
#: in patches), ``"lstm-fcn"`` (Karim et al. 2018: the RNN as for ``"patches"`` and, beside
#: it, :class:`ConvBlocks` with the masked mean of their outputs, concatenated with the
#: RNN's head).
FRONTENDS = ("patches", "conv", "lstm-fcn")


def _features(x, rnn: RNNSpec, *, head: str, frontend: str, patch: int):
    """What the softmax reads of the standardised, masked steps ``x`` (:data:`FRONTENDS`)."""
    steps = ConvBlocks(name="conv_blocks")(x) if frontend == "conv" else x
    if patch > 1:
        steps = TimePatches(patch, name="patches")(steps)
    features = _recurrent_head(rnn, steps, head)
    if frontend != "lstm-fcn":
        return features
    conv = MaskedPooling("mean", name="conv_mean")(ConvBlocks(name="conv_blocks")(x))
    return keras.layers.Concatenate(name="rnn_and_conv")([features, conv])


def sequence_features(n_features: int, *, rnn: RNNSpec = RNNSpec(), mask_value: float = 0.0,
                      input_mean=None, input_std=None, patch: int = 1, head: str = "last",
                      frontend: str = "patches"):
    """The input and the features of a sequence model, before its output layer: ``sequence``
    ``[B, T, n_features]`` (any T; post-padded) → Masking → [per-feature standardisation]
    → ``frontend`` ([patches of ``patch`` steps] → RNN stack → ``head``; with
    :class:`ConvBlocks` before the RNNs or beside them). The classifier
    (:func:`build_sequence_model`) and the regressor (:mod:`seqkit.regression`) put their
    own output on it.

    A time step is padding when **all** its features equal ``mask_value`` (0.0): a real
    step that is all zeros is skipped too, so shift such data first. The mask is taken
    from the raw input, before standardisation, and carried through it.

    Args:
        n_features: features per step.
        rnn: the recurrent stack.
        mask_value: the padding value; None: no ``Masking`` layer, every step is real
            (equal-length data whose zeros are values, e.g. daily counts).
        input_mean, input_std: training-split statistics (:func:`masked_feature_stats`)
            for a ``Normalization`` layer ``scale_inputs``, so the model takes raw values;
            None: no standardisation.
        patch: steps per RNN step (:class:`TimePatches`, layer ``patches``; 1: none).
        head: one of :data:`HEADS`: the final state (``"last"``), the mean and/or maximum
            of the last layer's outputs over the real steps (:class:`MaskedPooling`).
        frontend: one of :data:`FRONTENDS`; the convolutions are the layer
            ``conv_blocks``, their masked mean (``"lstm-fcn"``) ``conv_mean``.

    Returns:
        ``(input, features)``: the ``keras.Input`` named ``sequence`` and the symbolic
        ``[B, D]`` features.

    Example:

    >>> inp, features = sequence_features(2, rnn=RNNSpec("gru", 4), head="last+mean")
    >>> inp.name, features.shape
    ('sequence', (None, 8))
    """
    n_features = check_int("n_features", n_features)
    patch = check_int("patch", patch)
    check_choice("head", head, HEADS)
    check_choice("frontend", frontend, FRONTENDS)
    rnn.checked()
    inp = keras.Input((None, n_features), name="sequence")
    x = inp if mask_value is None else keras.layers.Masking(
        mask_value=float(mask_value), name="mask_padding")(inp)
    if input_mean is not None or input_std is not None:
        mean, std = scale_stats("input", input_mean, input_std, n_features)
        x = keras.layers.Normalization(axis=-1, mean=mean.tolist(), variance=(std ** 2).tolist(),
                                       name="scale_inputs", dtype="float32")(x)
    return inp, _features(x, rnn, head=head, frontend=frontend, patch=patch)


def build_sequence_model(n_features: int, num_classes: int, *, rnn: RNNSpec = RNNSpec(),
                         mask_value: float = 0.0, input_mean=None, input_std=None,
                         patch: int = 1, head: str = "last", frontend: str = "patches",
                         name: str = "sequence_classifier") -> keras.Model:
    """:func:`sequence_features` → softmax ``probabilities``: the sequence classifier.

    Args:
        n_features: features per step.
        num_classes: softmax outputs.
        rnn, mask_value, input_mean, input_std, patch, head, frontend: as
            :func:`sequence_features` takes them.
        name: the model's name.

    Returns:
        An uncompiled functional model.

    Example:

    >>> model = build_sequence_model(2, 3, rnn=RNNSpec("lstm", 4), input_mean=[1.0, 10.0],
    ...                              input_std=[2.0, 1.0], patch=4, head="mean")
    >>> [layer.name for layer in model.layers[1:4]], model.layers[-2].name
    (['mask_padding', 'scale_inputs', 'patches'], 'mean_pool')
    >>> both = build_sequence_model(2, 3, rnn=RNNSpec("lstm", 4), frontend="lstm-fcn")
    >>> both.get_layer("rnn_and_conv").output.shape  # 4 of the RNN, 128 of the convolutions
    (None, 132)
    """
    check_int("num_classes", num_classes)
    inp, x = sequence_features(n_features, rnn=rnn, mask_value=mask_value,
                               input_mean=input_mean, input_std=input_std, patch=patch,
                               head=head, frontend=frontend)
    out = keras.layers.Dense(int(num_classes), activation="softmax", name="probabilities",
                             dtype="float32")(x)
    return keras.Model(inp, out, name=name)
