"""The linear-chain CRF (issue 24) against enumerating every tag path in NumPy: the
log-partition, the log-likelihood, the Viterbi path and its score, with padding."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
import tensorflow as tf

from seqkit.tagging.crf import crf_log_likelihood, crf_log_partition, viterbi_decode

K = 3


def _case(seed=0, lengths=(4, 2, 3), t=4):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(len(lengths), t, K)).astype("float32")
    a, s, f = (rng.normal(size=shape).astype("float32") for shape in ((K, K), (K,), (K,)))
    mask = np.arange(t)[None, :] < np.array(lengths)[:, None]
    return e, mask, a, s, f


def _score(e, a, s, f, path):  # the module docstring's score, by hand
    total = s[path[0]] + e[0, path[0]] + f[path[-1]]
    for i in range(1, len(path)):
        total += a[path[i - 1], path[i]] + e[i, path[i]]
    return total


def _enumerate(e, a, s, f, length):
    paths = list(product(range(K), repeat=length))
    scores = np.array([_score(e[:length].astype("float64"), a, s, f, p) for p in paths])
    return paths, scores


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_log_partition_and_likelihood_equal_enumeration(seed):
    e, mask, a, s, f = _case(seed)
    log_z = np.asarray(crf_log_partition(e, mask, a, s, f))
    tags = np.random.default_rng(seed + 10).integers(0, K, size=mask.shape)
    ll = np.asarray(crf_log_likelihood(e, tags, mask, a, s, f))
    for b, length in enumerate(mask.sum(axis=1)):
        paths, scores = _enumerate(e[b], a, s, f, length)
        want_z = np.log(np.sum(np.exp(scores - scores.max()))) + scores.max()
        assert log_z[b] == pytest.approx(want_z, abs=1e-4)
        want_ll = _score(e[b].astype("float64"), a, s, f, tuple(tags[b, :length])) - want_z
        assert ll[b] == pytest.approx(want_ll, abs=1e-4)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_viterbi_is_the_best_enumerated_path(seed):
    e, mask, a, s, f = _case(seed)
    tags, score = (np.asarray(x) for x in viterbi_decode(e, mask, a, s, f))
    for b, length in enumerate(mask.sum(axis=1)):
        paths, scores = _enumerate(e[b], a, s, f, length)
        assert tuple(tags[b, :length]) == paths[int(np.argmax(scores))]
        assert score[b] == pytest.approx(scores.max(), abs=1e-4)
        assert np.all(tags[b, length:] == 0)


def test_padding_changes_nothing():
    e, mask, a, s, f = _case(5, lengths=(2,), t=2)
    padded = np.concatenate([e, np.random.default_rng(9).normal(size=(1, 3, K))], axis=1)
    pmask = np.array([[True, True, False, False, False]])
    assert float(np.asarray(crf_log_partition(padded, pmask, a, s, f))[0]) == pytest.approx(
        float(np.asarray(crf_log_partition(e, mask, a, s, f))[0]), abs=1e-5)
    assert np.asarray(viterbi_decode(padded, pmask, a, s, f)[0])[0, :2].tolist() == \
        np.asarray(viterbi_decode(e, mask, a, s, f)[0])[0].tolist()


def test_gradients_are_finite_and_match_finite_differences():
    e, mask, a, s, f = _case(3)
    tags = np.zeros(mask.shape, "int32")
    trans = tf.Variable(a)
    with tf.GradientTape() as tape:
        loss = -tf.reduce_sum(crf_log_likelihood(e, tags, mask, trans, s, f))
    grad = tape.gradient(loss, trans).numpy()
    assert np.all(np.isfinite(grad))
    eps, (i, j) = 1e-2, (1, 2)
    bumped = [a.copy(), a.copy()]
    bumped[0][i, j] += eps
    bumped[1][i, j] -= eps
    nll = [-float(np.sum(np.asarray(crf_log_likelihood(e, tags, mask, b, s, f))))
           for b in bumped]
    assert grad[i, j] == pytest.approx((nll[0] - nll[1]) / (2 * eps), abs=2e-3)


def test_bad_emissions_are_named():
    with pytest.raises(ValueError, match=r"emissions must be \[B, T, K\]"):
        crf_log_partition(np.zeros((2, 3)), None, np.zeros((3, 3)), np.zeros(3), np.zeros(3))
