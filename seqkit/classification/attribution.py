"""Why a prediction: per-token attributions of a text classifier.

:func:`integrated_gradients` (Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for
Deep Networks") explains one class probability of a text model by its tokens: the
embeddings ``e`` of a text are scaled along the straight path from the all-zero
baseline (``alpha * e``, ``alpha`` from 0 to 1; the padding mask stays the text's), the
gradient of the probability with respect to the embeddings is averaged along the path
(trapezoid rule over ``steps`` intervals), and each token's score is ``e · mean
gradient`` summed over the embedding width. The scores add up to
``p(text) - p(baseline)`` (the completeness axiom) up to the quadrature error, which
shrinks as ``steps`` grows; :attr:`Attribution.gap` reports it.

The model is any functional Keras model with a string input whose layer named
``embedding`` is an ``Embedding(mask_zero=True)`` fed by a ``TextVectorization`` (what
:func:`seqkit.classification.models.build_text_model` builds); what follows the embedding
(RNNs, pooling heads, dropout, a second branch from the text) is run as the model runs
it: the whole model is called while the embedding layer's output is replaced by the
scaled embeddings, so the mask and every other branch are the model's own.

- :func:`integrated_gradients`: texts in, one :class:`Attribution` per text out
  (``FitResult.explain`` for a fitted text classifier).
- :func:`attribution_figure` / :func:`plot_attribution`: the tokens coloured by score.

Example:

>>> import keras, numpy as np
>>> from seqkit.classification.models import build_text_model
>>> from seqkit.fit.options import RNNSpec
>>> vectorizer = keras.layers.TextVectorization(output_sequence_length=5)
>>> vectorizer.adapt(["good film", "bad film"])
>>> keras.utils.set_random_seed(0)
>>> model = build_text_model(vectorizer, 2, rnn=RNNSpec("gru", 4), embedding_dim=3)
>>> [why] = integrated_gradients(model, ["good film"], target=1)
>>> why.tokens, why.scores.shape
(['good', 'film'], (2,))
>>> bool(abs(why.gap) < 1e-3)  # the scores add up to p(text) - p(zero embeddings)
True
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_int, fail

__all__ = ["Attribution", "attribution_figure", "attribution_image", "explain_result",
           "integrated_gradients", "is_text_model", "plot_attribution"]

#: The layer whose output is attributed.
EMBEDDING = "embedding"


@dataclass
class Attribution:
    """One text's integrated-gradients attribution.

    Attributes:
        text: the text.
        tokens: its tokens in order, padding left out (``[UNK]`` for words outside the
            vocabulary; a text longer than the model's sequence length is cut as the
            model cuts it).
        scores: ``[len(tokens)]`` float64: each token's share of ``probability -
            baseline_probability`` (positive: the token raised the target's probability).
        target: the class index explained.
        probability: the model's probability of ``target`` for the text.
        baseline_probability: its probability with all embeddings zero (same mask).
        steps: the path's intervals.
        label: the class name of ``target`` when known (``FitResult.explain``), else None.

    Example:

    >>> why = Attribution("good film", ["good", "film"], np.array([0.3, -0.1]), 1,
    ...                   0.8, 0.55)
    >>> round(why.gap, 6), why.top(1)
    (-0.05, [('good', 0.3)])
    """

    text: str
    tokens: list[str]
    scores: np.ndarray
    target: int
    probability: float
    baseline_probability: float
    steps: int = field(default=50)
    label: object = None

    @property
    def gap(self) -> float:
        """``sum(scores) - (probability - baseline_probability)``: the completeness error
        (0 for exact integrals; shrinks as ``steps`` grows)."""
        return float(np.sum(self.scores) - (self.probability - self.baseline_probability))

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` tokens of largest ``|score|``, largest first.

        Args:
            k: how many.

        Returns:
            ``[(token, score), ...]``.
        """
        order = np.argsort(-np.abs(self.scores), kind="stable")[:k]
        return [(self.tokens[i], round(float(self.scores[i]), 6)) for i in order]


def is_text_model(model) -> bool:
    """Whether ``model`` is a text model :func:`integrated_gradients` can explain: a layer
    named ``embedding`` and a string input.

    Args:
        model: a Keras model.

    Returns:
        True or False.

    Example:

    >>> text = keras.Input((), dtype="string")
    >>> is_text_model(keras.Model(text, keras.layers.StringLookup()(text)))
    False
    """
    names = {layer.name for layer in getattr(model, "layers", ())}
    inputs = getattr(model, "inputs", None) or []
    return EMBEDDING in names and any(
        keras.backend.standardize_dtype(t.dtype) == "string" for t in inputs)


def _embedding_and_vocabulary(model) -> tuple[keras.layers.Layer, list[str]]:
    """The layer named ``embedding`` and the vocabulary of the ``TextVectorization`` /
    ``StringLookup`` that feeds it (walking back from its input)."""
    if not is_text_model(model):
        raise ConfigError(
            f"integrated_gradients needs a text model (a string input and a layer named "
            f"{EMBEDDING!r}, as build_text_model makes), got {getattr(model, 'name', model)!r}")
    embedding = model.get_layer(EMBEDDING)
    tensor = embedding.input
    while True:
        history = getattr(tensor, "_keras_history", None)
        layer = history[0] if history else None
        if layer is None or isinstance(layer, keras.layers.InputLayer):
            raise ConfigError(f"the {EMBEDDING!r} layer of {model.name!r} is not fed by a "
                              "TextVectorization or StringLookup: no tokens to attribute")
        if isinstance(layer, (keras.layers.TextVectorization, keras.layers.StringLookup)):
            return embedding, [str(t) for t in layer.get_vocabulary()]
        tensor = layer.input


@contextlib.contextmanager
def _replaced_call(layer, call):
    """``layer.call`` is ``call`` inside the block (Keras' ``__call__`` still computes the
    layer's mask from its real inputs), then the class's own again."""
    object.__setattr__(layer, "call", call)
    try:
        yield
    finally:
        object.__delattr__(layer, "call")


def _path_gradients(model, embedding, texts, alphas, targets):
    """One batch of path points: ``(gradient of p_target w.r.t. the scaled embeddings,
    the embeddings (padding zeroed), token ids, p_target)``, each row one point."""
    import tensorflow as tf

    original, seen = embedding.call, {}

    def scaled_call(ids, *args, **kwargs):
        e = original(ids, *args, **kwargs)
        e = e * keras.ops.cast(keras.ops.not_equal(ids, 0), e.dtype)[..., None]
        x = keras.ops.cast(alphas, e.dtype)[:, None, None] * e
        tape.watch(x)
        seen.update(ids=ids, e=e, x=x)
        return tf.identity(x)

    with tf.GradientTape() as tape, _replaced_call(embedding, scaled_call):
        probs = model(tf.constant(texts, tf.string), training=False)
        if not hasattr(probs, "shape") or len(probs.shape) != 2:
            raise ConfigError(f"integrated_gradients needs a model with one [batch, classes] "
                              f"output, {model.name!r} returns {type(probs).__name__}")
        p = tf.gather(probs, tf.constant(targets, tf.int32), axis=1, batch_dims=1)
    grads = tape.gradient(p, seen["x"])
    if grads is None:  # the output does not depend on the embeddings: every score is 0
        grads = tf.zeros_like(seen["x"])
    return (grads.numpy().astype("float64"), seen["e"].numpy().astype("float64"),
            np.asarray(seen["ids"]), p.numpy().astype("float64"))


def explain_result(result, texts, *, target=None, steps: int = 50,
                   batch_size: int = 256) -> list[Attribution]:
    """:func:`integrated_gradients` of a fitted text classifier, its target a class name
    (``FitResult.explain``).

    Args:
        result: a text classification :class:`~seqkit.fit.FitResult`.
        texts: the texts, as its model takes them.
        target: a class name of ``result.class_names`` (of their type: ``3``, not
            ``"3"``), or one per text; None: each text's predicted class.
        steps: the path's intervals.
        batch_size: path points per model call.

    Returns:
        One :class:`Attribution` per text, ``label`` set to the class name.

    Raises:
        ConfigError: a target that is not a class name (the message lists them).
    """
    from seqkit.data.text.convert import to_label_array

    names = list(result.class_names or [])
    if target is not None:
        wanted = [target] if np.ndim(target) == 0 else list(target)
        try:
            target = to_label_array(wanted, classes=names, min_classes=1)[0].tolist()
        except (DataError, ConfigError) as err:
            raise ConfigError(f"target must be None or a class name of {names} (of their "
                              f"type), got {_plain(target)!r}: {err}") from err
    found = integrated_gradients(result.model, texts, target=target, steps=steps,
                                 batch_size=batch_size)
    for why in found:
        why.label = names[why.target] if why.target < len(names) else None
    return found


def _plain(value):
    """A NumPy array as a list, for messages."""
    return value.tolist() if isinstance(value, np.ndarray) else value


def _check_target(target, num_classes: int, count: int) -> np.ndarray | None:
    """``target`` as one class index per text, or None for the predicted class."""
    if target is None:
        return None
    values = np.atleast_1d(np.asarray(target, dtype=object))
    ok = all(not isinstance(v, (bool, np.bool_)) and isinstance(v, (int, np.integer))
             and 0 <= v < num_classes for v in values)
    if not ok or values.ndim != 1 or len(values) not in (1, count):
        fail("target", f"None, a class index in [0, {num_classes}) or one per text "
                       f"({count})", target)
    return np.broadcast_to(values.astype("int64"), (count,))


def _as_texts(texts) -> list[str]:
    """A list of ``str`` (one string is one text; bytes decoded as UTF-8)."""
    if isinstance(texts, (str, bytes)):
        texts = [texts]
    out = [t.decode("utf-8") if isinstance(t, bytes) else t
           for t in np.asarray(texts, dtype=object).reshape(-1).tolist()]
    bad = [t for t in out if not isinstance(t, str)]
    if bad:
        fail("texts", "strings", bad[0], DataError)
    return out


def _trapezoid(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The path points ``alpha = k / steps`` and their trapezoid weights (summing to 1)."""
    alphas = np.linspace(0.0, 1.0, steps + 1)
    weights = np.full(steps + 1, 1.0 / steps)
    weights[[0, -1]] /= 2
    return alphas, weights


def integrated_gradients(model, texts, *, target=None, steps: int = 50,
                         batch_size: int = 256) -> list[Attribution]:
    """Each token's attribution to a class probability of a text model, by integrated
    gradients on the embedding outputs (see the module's description).

    Args:
        model: a functional text model: a string input and an ``Embedding(mask_zero=True)``
            named ``embedding`` fed by a ``TextVectorization`` (any layers after it, and
            other branches from the text input, are allowed).
        texts: one string or a sequence / array of strings (bytes are decoded as UTF-8).
        target: the class index to explain for every text, or one index per text; None
            (default): each text's predicted class.
        steps: intervals of the path (trapezoid rule: ``steps + 1`` model evaluations per
            text); the completeness gap shrinks as it grows.
        batch_size: path points (text × ``alpha``) per model call.

    Returns:
        One :class:`Attribution` per text, in order.

    Raises:
        ConfigError: not a text model, or a bad ``target``, ``steps`` or ``batch_size``
            (the message names the value).

    Example:

    >>> import keras
    >>> vectorizer = keras.layers.TextVectorization(output_sequence_length=4)
    >>> vectorizer.adapt(["good film", "bad film"])
    >>> text = keras.Input((), dtype="string", name="text")
    >>> x = keras.layers.Embedding(5, 2, mask_zero=True, name="embedding")(vectorizer(text))
    >>> x = keras.layers.GlobalAveragePooling1D()(x)  # the mean of the real tokens
    >>> model = keras.Model(text, keras.layers.Dense(2, activation="softmax")(x))
    >>> why = integrated_gradients(model, ["bad film", "a good film"], steps=20)
    >>> [w.tokens for w in why]
    [['bad', 'film'], ['[UNK]', 'good', 'film']]
    >>> integrated_gradients(model, ["film"], target=2)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: target must be None, a class index in [0, 2) or one per \
text (1), got 2
    """
    embedding, vocabulary = _embedding_and_vocabulary(model)
    steps = check_int("steps", steps)
    batch_size = check_int("batch_size", batch_size)
    texts = _as_texts(texts)
    targets = _check_target(target, int(model.outputs[0].shape[-1]), len(texts))
    if not texts:
        return []
    if targets is None:
        probs = model(keras.ops.convert_to_tensor(np.asarray(texts, dtype=object)),
                      training=False)
        targets = np.argmax(keras.ops.convert_to_numpy(probs), axis=-1)
    alphas, weights = _trapezoid(steps)
    rows = np.array([(i, k) for i in range(len(texts)) for k in range(steps + 1)])
    scores, tokens, ends = {}, {}, np.zeros((len(texts), 2))
    for start in range(0, len(rows), batch_size):
        text_i, step_k = rows[start:start + batch_size].T
        grads, e, ids, p = _path_gradients(model, embedding, [texts[i] for i in text_i],
                                           alphas[step_k], targets[text_i])
        per_token = np.sum(e * grads, axis=-1) * weights[step_k][:, None]  # [rows, T]
        for j, (i, k) in enumerate(zip(text_i, step_k)):
            real = ids[j] != 0
            scores[i] = scores.get(i, 0.0) + per_token[j][real]
            tokens.setdefault(i, [vocabulary[t] for t in ids[j][real]])
            if k in (0, steps):
                ends[i, int(k == steps)] = p[j]
    return [Attribution(texts[i], tokens[i], np.asarray(scores[i], "float64"),
                        int(targets[i]), float(ends[i, 1]), float(ends[i, 0]), steps)
            for i in range(len(texts))]


def attribution_figure(attribution: Attribution, *, per_row: int = 8, max_tokens: int = 200):
    """One text's tokens coloured by their scores as a matplotlib ``Figure``: a grid read
    left to right, top to bottom, red for tokens that raised the target's probability,
    blue for those that lowered it (a diverging scale centred on 0).

    Args:
        attribution: an :class:`Attribution`.
        per_row: tokens per row of the grid.
        max_tokens: draw at most this many tokens (the first ones).

    Returns:
        The ``matplotlib.figure.Figure`` (no pyplot state; save or render it).

    Example:

    >>> why = Attribution("good film", ["good", "film"], np.array([0.3, -0.1]), 1, 0.8, 0.6)
    >>> figure = attribution_figure(why)
    >>> [t.get_text() for t in figure.axes[0].texts]
    ['good', 'film']
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    per_row = check_int("per_row", per_row)
    tokens = list(attribution.tokens)[:check_int("max_tokens", max_tokens)]
    scores = np.asarray(attribution.scores, dtype="float64")[:len(tokens)]
    rows = max(1, -(-len(tokens) // per_row))
    grid = np.full(rows * per_row, np.nan)
    grid[:len(tokens)] = scores
    top = float(np.max(np.abs(scores))) if len(scores) else 0.0
    fig = Figure(figsize=(1.1 * per_row + 1.5, 0.45 * rows + 1.0))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(grid.reshape(rows, per_row), cmap="coolwarm", vmin=-(top or 1.0),
                      vmax=top or 1.0, aspect="auto", interpolation="nearest")
    for n, token in enumerate(tokens):
        ax.text(n % per_row, n // per_row, token, ha="center", va="center", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
    label = attribution.label if attribution.label is not None else attribution.target
    ax.set_title(f"why {label!s} (p = {attribution.probability:.3f}, zero embeddings "
                 f"{attribution.baseline_probability:.3f})", fontsize=9)
    fig.tight_layout()
    return fig


def plot_attribution(attribution: Attribution, path, **kwargs) -> Path:
    """Write :func:`attribution_figure` of one text as a PNG.

    Args:
        attribution: an :class:`Attribution`.
        path: the PNG file (folders created).
        **kwargs: :func:`attribution_figure`'s ``per_row`` and ``max_tokens``.

    Returns:
        ``Path(path)``.

    Example:

    >>> import os, tempfile
    >>> why = Attribution("bad", ["bad"], np.array([-0.4]), 1, 0.2, 0.6)
    >>> png = plot_attribution(why, os.path.join(tempfile.mkdtemp(), "why", "bad.png"))
    >>> png.read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    attribution_figure(attribution, **kwargs).savefig(path, format="png", dpi=100)
    return path


def attribution_image(model, inputs, *, steps: int = 50):
    """The TensorBoard figure of a text model's first input: its tokens coloured by their
    scores for the predicted class (``TextClassification.tensorboard_images``; see
    :class:`seqkit.fit.tensorboard.FigureImage`).

    Args:
        model: the trained model.
        inputs: its raw inputs, a batch (the first is drawn).
        steps: the path's intervals.

    Returns:
        ``("attribution/text", figure, description)``, or None for a model that is not a
        text model (:func:`is_text_model`).

    Example:

    >>> attribution_image(keras.Sequential([keras.Input((2,))]), np.ones((1, 2))) is None
    True
    """
    if not is_text_model(model):
        return None
    why = integrated_gradients(model, np.asarray(inputs, dtype=object)[:1], steps=steps)[0]
    return ("attribution/text", attribution_figure(why),
            "integrated-gradients scores of the first example's tokens for its predicted "
            f"class {why.target}")
