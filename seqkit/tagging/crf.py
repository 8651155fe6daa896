"""A linear-chain conditional random field over per-step emission scores (Lafferty et
al. 2001; the BiLSTM-CRF head of Lample et al. 2016), written with ``keras.ops``.

With emissions ``e [B, T, K]``, transitions ``A [K, K]`` (``A[i, j]``: from tag i to tag
j), start and end scores ``s [K]`` and ``f [K]``, and a mask of the real steps (post-padded:
real steps first, at least one), a tag path ``y`` of a sequence of length L scores::

    score(y) = s[y_0] + e_0[y_0] + sum_{t=1}^{L-1} (A[y_{t-1}, y_t] + e_t[y_t]) + f[y_{L-1}]

and ``log p(y) = score(y) - log Z`` with ``log Z = logsumexp over every path`` (the
forward algorithm: ``α_0 = s + e_0``, ``α_t[j] = logsumexp_i(α_{t-1}[i] + A[i, j]) +
e_t[j]`` on real steps, ``α_t = α_{t-1}`` on padded ones, ``log Z = logsumexp(α + f)``).
Viterbi decoding replaces logsumexp by max and follows the back-pointers; padded steps
get tag 0. The loops run over time with ``keras.ops.scan``, so T may be dynamic.

Example:

>>> import numpy as np
>>> e = np.zeros((1, 2, 2), "float32"); A = np.array([[0.0, 1.0], [0.0, 0.0]], "float32")
>>> z = np.zeros(2, "float32"); mask = np.ones((1, 2), bool)
>>> tags, score = viterbi_decode(e, mask, A, z, z)
>>> np.asarray(tags).tolist(), float(np.asarray(score)[0])
([[0, 1]], 1.0)
"""

from __future__ import annotations

from keras import ops


def _prepare(emissions, mask):
    emissions = ops.convert_to_tensor(emissions, "float32")
    if len(emissions.shape) != 3:
        raise ValueError(f"emissions must be [B, T, K], got shape {tuple(emissions.shape)}")
    mask = ops.ones(ops.shape(emissions)[:2], "bool") if mask is None else ops.cast(mask,
                                                                                      "bool")
    return emissions, mask


def _params(transitions, start, end):
    return tuple(ops.convert_to_tensor(x, "float32") for x in (transitions, start, end))


def _time_major(x):
    return ops.moveaxis(x, 1, 0)


def crf_log_partition(emissions, mask, transitions, start, end):
    """``log Z`` of each sequence (the forward algorithm, module docstring).

    Args:
        emissions: ``[B, T, K]``.
        mask: ``[B, T]`` booleans (post-padded), or None (every step real).
        transitions: ``[K, K]``.
        start, end: ``[K]``.

    Returns:
        ``[B]``.
    """
    emissions, mask = _prepare(emissions, mask)
    transitions, start, end = _params(transitions, start, end)
    alpha0 = start[None, :] + emissions[:, 0]

    def step(alpha, inputs):
        e_t, m_t = inputs
        new = ops.logsumexp(alpha[:, :, None] + transitions[None], axis=1) + e_t
        alpha = ops.where(m_t[:, None], new, alpha)
        return alpha, alpha

    alpha, _ = ops.scan(step, alpha0, (_time_major(emissions[:, 1:]),
                                       _time_major(mask[:, 1:])))
    return ops.logsumexp(alpha + end[None, :], axis=1)


def crf_path_score(emissions, tags, mask, transitions, start, end):
    """The score of the given tag paths (module docstring).

    Args:
        emissions: ``[B, T, K]``.
        tags: ``[B, T]`` integer tags (values on padded steps are ignored).
        mask: ``[B, T]`` booleans (post-padded), or None.
        transitions, start, end: as :func:`crf_log_partition`.

    Returns:
        ``[B]``.
    """
    emissions, mask = _prepare(emissions, mask)
    transitions, start, end = _params(transitions, start, end)
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
        emissions, tags, mask, transitions, start, end: as :func:`crf_path_score`.

    Returns:
        ``[B]`` (at most 0).

    Example:

    >>> import numpy as np
    >>> e = np.zeros((1, 3, 2), "float32"); z2 = np.zeros((2, 2), "float32")
    >>> ll = crf_log_likelihood(e, [[0, 1, 0]], None, z2, np.zeros(2), np.zeros(2))
    >>> bool(abs(float(np.asarray(ll)[0]) + 3 * np.log(2)) < 1e-5)  # 8 equal paths
    True
    """
    transitions, start, end = _params(transitions, start, end)
    return (crf_path_score(emissions, tags, mask, transitions, start, end)
            - crf_log_partition(emissions, mask, transitions, start, end))


def viterbi_decode(emissions, mask, transitions, start, end):
    """The best tag path of each sequence and its score.

    Args:
        emissions: ``[B, T, K]``.
        mask: ``[B, T]`` booleans (post-padded), or None.
        transitions, start, end: as :func:`crf_log_partition`.

    Returns:
        ``(tags int32 [B, T], score [B])``; padded steps get tag 0.
    """
    emissions, mask = _prepare(emissions, mask)
    transitions, start, end = _params(transitions, start, end)
    k = ops.shape(emissions)[2]
    identity = ops.cast(ops.arange(k)[None, :], "float32")

    def forward(delta, inputs):
        e_t, m_t = inputs
        scores = delta[:, :, None] + transitions[None]
        best = ops.cast(ops.argmax(scores, axis=1), "float32")  # back-pointers [B, K]
        new = ops.max(scores, axis=1) + e_t
        pointers = ops.where(m_t[:, None], best, identity + 0.0 * best)
        return ops.where(m_t[:, None], new, delta), pointers

    delta, pointers = ops.scan(forward, start[None, :] + emissions[:, 0],
                               (_time_major(emissions[:, 1:]), _time_major(mask[:, 1:])))
    final = delta + end[None, :]
    last = ops.cast(ops.argmax(final, axis=1), "float32")

    def backward(tag, pointer_t):
        previous = ops.take_along_axis(pointer_t, ops.cast(tag, "int32")[:, None], axis=1)
        return previous[:, 0], tag

    first, later = ops.scan(backward, last, pointers, reverse=True)
    tags = ops.concatenate([first[:, None], _time_major(later)], axis=1)
    tags = ops.where(mask, ops.cast(tags, "int32"), 0)
    return tags, ops.max(final, axis=1)
