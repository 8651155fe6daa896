"""A linear-chain conditional random field over per-step emission scores (Lafferty et
al. 2001; the BiLSTM-CRF head of Lample et al. 2016), written with ``keras.ops`` only, so
it runs under the TensorFlow, JAX and PyTorch backends alike.

With emissions ``e [B, T, K]``, transitions ``A [K, K]`` (``A[i, j]``: from tag i to tag
j), start and end scores ``s [K]`` and ``f [K]``, and a mask of the real steps (post-padded:
real steps first, at least one), a tag path ``y`` of a sequence of length L scores::

    score(y) = s[y_0] + e_0[y_0] + sum_{t=1}^{L-1} (A[y_{t-1}, y_t] + e_t[y_t]) + f[y_{L-1}]

and ``log p(y) = score(y) - log Z`` with ``log Z = logsumexp over every path`` (the
forward algorithm: ``α_0 = s + e_0``, ``α_t[j] = logsumexp_i(α_{t-1}[i] + A[i, j]) +
e_t[j]`` on real steps, ``α_t = α_{t-1}`` on padded ones, ``log Z = logsumexp(α + f)``).
Viterbi decoding replaces logsumexp by max and follows the back-pointers; padded steps
get tag 0. The loops run over time with ``keras.ops.scan``, so T may be dynamic, and a
padded step changes no score: a sequence scores the same padded or not.

Training and decoding (the design). ``model.fit`` hands a loss only ``(y_true, y_pred)``,
and evaluation calls the model with ``training=False``, so the model's output must be the
same tensor in both: the emissions. Hence:

- :class:`CRF` is a layer holding ``transitions``, ``start`` and ``end``. Called plainly it
  returns the emissions unchanged (the training model's output); called with
  ``decode=True`` it returns the Viterbi tags ``int32 [B, T]`` inside the graph. The same
  layer object called both ways gives a training model and a tagger sharing every weight
  (``.keras`` files and SavedModel exports of the tagger decode in the graph).
- :class:`CRFLoss` ``(crf)`` reads that layer's variables (inside Keras' stateless scope
  on JAX) and returns ``-log p(y_true)`` per sequence; padded steps of ``y_true`` are
  negative (``-1``), which is the loss's mask on every backend.

Example:

>>> import numpy as np
>>> e = np.zeros((1, 2, 2), "float32"); A = np.array([[0.0, 1.0], [0.0, 0.0]], "float32")
>>> z = np.zeros(2, "float32"); mask = np.ones((1, 2), bool)
>>> tags, score = viterbi_decode(e, mask, A, z, z)
>>> np.asarray(tags).tolist(), float(np.asarray(score)[0])
([[0, 1]], 1.0)
"""

from __future__ import annotations

import keras
from keras import ops

from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_int, fail


def _prepare(emissions, mask):
    emissions = ops.convert_to_tensor(emissions, "float32")
    if len(emissions.shape) != 3:
        fail("emissions", "[B, T, K] (rank 3)", tuple(emissions.shape), DataError)
    mask = ops.ones(ops.shape(emissions)[:2], "bool") if mask is None else ops.cast(mask,
                                                                                      "bool")
    return emissions, mask


def _params(emissions, transitions, start, end):
    transitions, start, end = (ops.convert_to_tensor(x, "float32")
                               for x in (transitions, start, end))
    k = emissions.shape[-1]
    for name, x, want in (("transitions", transitions, (k, k)), ("start", start, (k,)),
                          ("end", end, (k,))):
        if len(x.shape) != len(want) or any(
                a is not None and b is not None and a != b for a, b in zip(x.shape, want)):
            shape = "[K, K]" if name == "transitions" else "[K]"
            fail(name, f"{shape} with K = {k} (the emissions' last axis)", tuple(x.shape),
                 DataError)
    return transitions, start, end


def _time_major(x):
    return ops.moveaxis(x, 1, 0)


def _steps(emissions, mask):
    """Steps 1.. as one time-major ``[T-1, B, K+1]`` tensor: emissions, then the mask.

    One scanned tensor, not two: Keras' TensorFlow ``scan`` fails on several inputs whose
    time axis is unknown (an exported model's ``[None, None, K]`` signature).
    """
    return _time_major(ops.concatenate(
        [emissions[:, 1:], ops.cast(mask[:, 1:, None], emissions.dtype)], axis=2))


def crf_log_partition(emissions, mask, transitions, start, end):
    """``log Z`` of each sequence (the forward algorithm, module docstring).

    Args:
        emissions: ``[B, T, K]``.
        mask: ``[B, T]`` booleans (post-padded), or None (every step real).
        transitions: ``[K, K]``.
        start: ``[K]``, the score of starting in each tag.
        end: ``[K]``, the score of ending in each tag.

    Returns:
        ``[B]``.

    Raises:
        DataError: emissions not of rank 3, or parameters whose K differs.

    Example:

    >>> import numpy as np
    >>> e = np.zeros((1, 3, 2), "float32"); z = np.zeros(2, "float32")
    >>> log_z = crf_log_partition(e, None, np.zeros((2, 2), "float32"), z, z)
    >>> round(float(np.asarray(log_z)[0]), 4), round(3 * float(np.log(2)), 4)  # 8 paths
    (2.0794, 2.0794)
    """
    emissions, mask = _prepare(emissions, mask)
    transitions, start, end = _params(emissions, transitions, start, end)
    alpha0 = start[None, :] + emissions[:, 0]

    def step(alpha, inputs):
        e_t, m_t = inputs[:, :-1], inputs[:, -1] > 0.5
        new = ops.logsumexp(alpha[:, :, None] + transitions[None], axis=1) + e_t
        alpha = ops.where(m_t[:, None], new, alpha)
        return alpha, alpha

    alpha, _ = ops.scan(step, alpha0, _steps(emissions, mask))
    return ops.logsumexp(alpha + end[None, :], axis=1)


def crf_path_score(emissions, tags, mask, transitions, start, end):
    """The score of the given tag paths (module docstring).

    Args:
        emissions: ``[B, T, K]``.
        tags: ``[B, T]`` integer tags (values on padded steps are ignored).
        mask: ``[B, T]`` booleans (post-padded), or None.
        transitions: ``[K, K]``.
        start: ``[K]``.
        end: ``[K]``.

    Returns:
        ``[B]``.

    Raises:
        DataError: as :func:`crf_log_partition`.

    Example:

    >>> import numpy as np
    >>> e = np.array([[[1.0, 0.0], [0.0, 2.0]]], "float32")
    >>> A = np.array([[0.0, 0.5], [0.0, 0.0]], "float32"); z = np.zeros(2, "float32")
    >>> float(np.asarray(crf_path_score(e, [[0, 1]], None, A, z, z))[0])  # 1 + 0.5 + 2
    3.5
    """
    emissions, mask = _prepare(emissions, mask)
    transitions, start, end = _params(emissions, transitions, start, end)
    tags = ops.cast(ops.convert_to_tensor(tags), "int32")
    k = ops.shape(emissions)[2]
    real = ops.cast(mask, "float32")
    one_hot = ops.one_hot(tags, k)
    emitted = ops.sum(ops.sum(emissions * one_hot, axis=2) * real, axis=1)
    moves = ops.take(ops.reshape(transitions, (-1,)), tags[:, :-1] * k + tags[:, 1:])
    moved = ops.sum(moves * real[:, 1:], axis=1)
    last = ops.sum(ops.cast(mask, "int32"), axis=1) - 1
    last_tag = ops.take_along_axis(tags, last[:, None], axis=1)[:, 0]
    return emitted + moved + ops.take(start, tags[:, 0]) + ops.take(end, last_tag)


def crf_log_likelihood(emissions, tags, mask, transitions, start, end):
    """``log p(tags | emissions)``: the path's score minus ``log Z``.

    Args:
        emissions: ``[B, T, K]``.
        tags: ``[B, T]`` integer tags (values on padded steps are ignored).
        mask: ``[B, T]`` booleans (post-padded), or None.
        transitions: ``[K, K]``.
        start: ``[K]``.
        end: ``[K]``.

    Returns:
        ``[B]`` (at most 0).

    Raises:
        DataError: as :func:`crf_log_partition`.

    Example:

    >>> import numpy as np
    >>> e = np.zeros((1, 3, 2), "float32"); z2 = np.zeros((2, 2), "float32")
    >>> ll = crf_log_likelihood(e, [[0, 1, 0]], None, z2, np.zeros(2), np.zeros(2))
    >>> bool(abs(float(np.asarray(ll)[0]) + 3 * np.log(2)) < 1e-5)  # 8 equal paths
    True
    """
    return (crf_path_score(emissions, tags, mask, transitions, start, end)
            - crf_log_partition(emissions, mask, transitions, start, end))


def viterbi_decode(emissions, mask, transitions, start, end):
    """The best tag path of each sequence and its score.

    Args:
        emissions: ``[B, T, K]``.
        mask: ``[B, T]`` booleans (post-padded), or None.
        transitions: ``[K, K]``.
        start: ``[K]``.
        end: ``[K]``.

    Returns:
        ``(tags int32 [B, T], score float32 [B])``; padded steps get tag 0.

    Raises:
        DataError: as :func:`crf_log_partition`.

    Example:

    >>> import numpy as np
    >>> e = np.array([[[2.0, 0.0], [0.0, 0.0], [0.0, 0.0]]], "float32")
    >>> A = np.array([[-9.0, 1.0], [1.0, -9.0]], "float32")     # tags must alternate
    >>> z = np.zeros(2, "float32"); mask = np.array([[True, True, False]])
    >>> tags, score = viterbi_decode(e, mask, A, z, z)
    >>> np.asarray(tags).tolist(), float(np.asarray(score)[0])  # padded step: tag 0
    ([[0, 1, 0]], 3.0)
    """
    emissions, mask = _prepare(emissions, mask)
    transitions, start, end = _params(emissions, transitions, start, end)
    k = ops.shape(emissions)[2]
    identity = ops.cast(ops.arange(k)[None, :], "float32")

    def forward(delta, inputs):
        e_t, m_t = inputs[:, :-1], inputs[:, -1] > 0.5
        scores = delta[:, :, None] + transitions[None]
        best = ops.cast(ops.argmax(scores, axis=1), "float32")  # back-pointers [B, K]
        new = ops.max(scores, axis=1) + e_t
        pointers = ops.where(m_t[:, None], best, identity + 0.0 * best)
        return ops.where(m_t[:, None], new, delta), pointers

    delta, pointers = ops.scan(forward, start[None, :] + emissions[:, 0],
                               _steps(emissions, mask))
    final = delta + end[None, :]
    last = ops.cast(ops.argmax(final, axis=1), "float32")

    def backward(tag, pointer_t):
        previous = ops.take_along_axis(pointer_t, ops.cast(tag, "int32")[:, None], axis=1)
        return previous[:, 0], tag

    first, later = ops.scan(backward, last, pointers, reverse=True)
    tags = ops.concatenate([first[:, None], _time_major(later)], axis=1)
    tags = ops.where(mask, ops.cast(tags, "int32"), 0)
    return tags, ops.max(final, axis=1)


@keras.saving.register_keras_serializable(package="seqkit")
class CRF(keras.layers.Layer):
    """A linear-chain CRF head: learnt ``transitions [K, K]``, ``start [K]``, ``end [K]``.

    Called on emissions ``[B, T, K]`` it returns them unchanged (the output a training
    model ends with, for :class:`CRFLoss`); with ``decode=True`` it returns the Viterbi
    tags ``int32 [B, T]`` (padded steps: 0). Its mask comes from the previous layer
    (Keras masking, e.g. ``Embedding(mask_zero=True)``) or an explicit ``mask=``; it
    passes no mask on. Initial scores are uniform in [-0.1, 0.1] (as pytorch-crf).

    Args:
        num_tags: K, the number of tags.
        **kwargs: ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Call arguments:
        emissions: ``[B, T, K]`` per-step tag scores.
        mask: ``[B, T]`` booleans, post-padded (real steps first), or None.
        decode: return the Viterbi tags instead of the emissions.

    Raises:
        ConfigError: ``num_tags`` not an integer >= 1, or an input that is not
            ``[B, T, num_tags]``.

    Example:

    >>> import numpy as np, keras
    >>> crf = CRF(2, name="crf")
    >>> e = np.array([[[3.0, 0.0], [0.0, 0.1], [0.0, 0.0]]], "float32")
    >>> bool(np.all(np.asarray(crf(e)) == e))          # training output: emissions
    True
    >>> _ = crf.transitions.assign(np.array([[-5.0, 5.0], [5.0, -5.0]], "float32"))
    >>> np.asarray(crf(e, mask=np.array([[1, 1, 0]]), decode=True)).tolist()
    [[0, 1, 0]]
    """

    def __init__(self, num_tags, **kwargs):
        super().__init__(**kwargs)
        self.num_tags = check_int("num_tags", num_tags)
        self.supports_masking = True

    def build(self, input_shape):
        k = self.num_tags
        if len(input_shape) != 3 or input_shape[-1] not in (None, k):
            raise ConfigError(f"{self.name}: emissions must be [B, T, {k}] (num_tags = {k}), "
                              f"got shape {tuple(input_shape)}")
        init = keras.initializers.RandomUniform(-0.1, 0.1)
        self.transitions = self.add_weight(name="transitions", shape=(k, k),
                                           initializer=init)
        self.start = self.add_weight(name="start", shape=(k,), initializer=init)
        self.end = self.add_weight(name="end", shape=(k,), initializer=init)
        super().build(input_shape)

    def call(self, emissions, mask=None, decode=False):
        if not decode:  # a new tensor, so the input's Keras mask does not ride along
            return ops.copy(ops.convert_to_tensor(emissions, self.compute_dtype))
        tags, _ = viterbi_decode(emissions, mask, self.transitions, self.start, self.end)
        return tags

    def compute_output_spec(self, emissions, mask=None, decode=False):
        if decode:
            return keras.KerasTensor(tuple(emissions.shape[:2]), dtype="int32")
        return keras.KerasTensor(tuple(emissions.shape), dtype=self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        return None

    def log_likelihood(self, emissions, tags, mask=None):
        """``log p(tags | emissions)`` under this layer's scores.

        Args:
            emissions: ``[B, T, K]``.
            tags: ``[B, T]`` integer tags.
            mask: ``[B, T]`` booleans (post-padded), or None.

        Returns:
            ``[B]``.

        Example:

        >>> import numpy as np
        >>> crf = CRF(2); _ = crf(np.zeros((1, 1, 2), "float32"))
        >>> np.asarray(crf.log_likelihood(np.zeros((1, 1, 2)), [[1]])).shape
        (1,)
        """
        return crf_log_likelihood(emissions, tags, mask, self.transitions, self.start,
                                  self.end)

    def get_config(self):
        config = super().get_config()
        config["num_tags"] = self.num_tags
        return config


@keras.saving.register_keras_serializable(package="seqkit")
class CRFLoss(keras.losses.Loss):
    """``-log p(y_true | y_pred)`` per sequence under a :class:`CRF` layer's scores.

    ``y_pred`` is the emissions the CRF layer returned (``[B, T, K]``); ``y_true`` the
    integer tags ``[B, T]`` with a negative value (``-1``) on every padded step: that is
    the mask, on every backend. Calling the object applies ``reduction`` (the mean over
    the batch by default). The layer is a Python reference, not configuration: a model
    loaded from a file is compiled again with ``CRFLoss(model.get_layer(...))``.

    Args:
        crf: the (built) :class:`CRF` layer whose scores define the loss.
        reduction: a Keras reduction (``"sum_over_batch_size"``, ``"sum"``, ``None``, ...).
        name: the loss's name.
        dtype: the loss's dtype.

    Raises:
        ConfigError: ``crf`` is not a :class:`CRF` layer (when the loss is computed).

    Example:

    >>> import numpy as np
    >>> crf = CRF(2); e = crf(np.zeros((1, 3, 2), "float32"))
    >>> for v in crf.weights: _ = v.assign(np.zeros(v.shape, "float32"))
    >>> loss = CRFLoss(crf)(np.array([[1, 0, -1]]), e)     # 4 equal paths of length 2
    >>> round(float(loss), 4) == round(2 * float(np.log(2)), 4)
    True
    """

    def __init__(self, crf=None, reduction="sum_over_batch_size", name="crf_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.crf = crf

    def call(self, y_true, y_pred):
        if not isinstance(self.crf, CRF):
            fail("CRFLoss(crf)", "the model's CRF layer (a loaded model is compiled again "
                 "with CRFLoss(model.get_layer(name)))", self.crf)
        tags = ops.cast(y_true, "int32")
        mask = tags >= 0
        return -self.crf.log_likelihood(y_pred, ops.maximum(tags, 0), mask)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}
