"""The linear-chain CRF (issue 24) against enumerating every tag path in NumPy: the
log-partition, the log-likelihood, the Viterbi path and its score, with padding; then the
layer and loss in ``model.fit`` on a task only transitions can solve, and a ``.keras``
round trip."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
import tensorflow as tf

from seqkit.errors import ConfigError, DataError
from seqkit.tagging.crf import (
    CRF,
    CRFLoss,
    crf_log_likelihood,
    crf_log_partition,
    viterbi_decode,
)

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


@pytest.mark.parametrize("seed,lengths", [(0, (4, 2, 3)), (1, (4, 2, 3)), (2, (1, 4, 3))])
def test_log_partition_and_likelihood_equal_enumeration(seed, lengths):
    e, mask, a, s, f = _case(seed, lengths)
    log_z = np.asarray(crf_log_partition(e, mask, a, s, f))
    tags = np.random.default_rng(seed + 10).integers(0, K, size=mask.shape)
    ll = np.asarray(crf_log_likelihood(e, tags, mask, a, s, f))
    for b, length in enumerate(mask.sum(axis=1)):
        paths, scores = _enumerate(e[b], a, s, f, length)
        want_z = np.log(np.sum(np.exp(scores - scores.max()))) + scores.max()
        assert log_z[b] == pytest.approx(want_z, abs=1e-4)
        want_ll = _score(e[b].astype("float64"), a, s, f, tuple(tags[b, :length])) - want_z
        assert ll[b] == pytest.approx(want_ll, abs=1e-4)


@pytest.mark.parametrize("seed,lengths", [(0, (4, 2, 3)), (1, (4, 2, 3)), (2, (4, 2, 3)),
                                          (3, (1, 3, 4))])
def test_viterbi_is_the_best_enumerated_path(seed, lengths):
    e, mask, a, s, f = _case(seed, lengths)
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
    tags, ptags = [[2, 1]], [[2, 1, 0, 1, 2]]
    assert float(np.asarray(crf_log_likelihood(padded, ptags, pmask, a, s, f))[0]) == \
        pytest.approx(float(np.asarray(crf_log_likelihood(e, tags, mask, a, s, f))[0]),
                      abs=1e-5)


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


def test_bad_inputs_are_named():
    with pytest.raises(DataError, match=r"emissions must be \[B, T, K\] \(rank 3\), got \(2, 3\)"):
        crf_log_partition(np.zeros((2, 3)), None, np.zeros((3, 3)), np.zeros(3), np.zeros(3))
    with pytest.raises(DataError, match=r"transitions must be \[K, K\] with K = 3 .*got \(2, 2\)"):
        viterbi_decode(np.zeros((1, 2, 3)), None, np.zeros((2, 2)), np.zeros(3), np.zeros(3))
    with pytest.raises(DataError, match=r"end must be \[K\] with K = 3"):
        crf_log_partition(np.zeros((1, 2, 3)), None, np.zeros((3, 3)), np.zeros(3),
                          np.zeros(4))
    with pytest.raises(ConfigError, match=r"emissions must be \[B, T, 3\] .*got shape \(1, 2, 4\)"):
        CRF(3)(np.zeros((1, 2, 4), "float32"))
    with pytest.raises(ConfigError, match="num_tags must be an integer >= 1, got 0"):
        CRF(0)
    with pytest.raises(ConfigError, match=r"CRFLoss\(crf\) must be the model's CRF layer"):
        CRFLoss()(np.zeros((1, 2)), np.zeros((1, 2, 3), "float32"))


def _alternating(n=256, vocab=12, seed=0):
    """Tags alternate 0/1; the first token (1 or 2) says which comes first, every later
    token is noise: per-step emissions cannot tell the tags, the transitions can."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 9, size=n)
    first = rng.integers(0, 2, size=n)
    x = np.zeros((n, 8), "int32")
    y = -np.ones((n, 8), "int32")
    for i, (length, f0) in enumerate(zip(lengths, first)):
        x[i, 0] = 1 + f0
        x[i, 1:length] = rng.integers(3, vocab, size=length - 1)
        y[i, :length] = (f0 + np.arange(length)) % 2
    return x, y


def _models(vocab=12):
    import keras

    inputs = keras.Input((None,), dtype="int32")
    h = keras.layers.Embedding(vocab, 8, mask_zero=True)(inputs)
    emissions = keras.layers.Dense(2)(h)
    crf = CRF(2, name="crf")
    train = keras.Model(inputs, crf(emissions))
    tagger = keras.Model(inputs, crf(emissions, decode=True))
    return train, tagger, crf


def test_fit_learns_transitions_and_round_trips(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    x, y = _alternating()
    train, tagger, crf = _models()
    train.compile(optimizer=keras.optimizers.Adam(0.05), loss=CRFLoss(crf))
    history = train.fit(x, y, batch_size=32, epochs=8, verbose=0)
    x_test, y_test = _alternating(64, seed=1)
    real = y_test >= 0
    tags = np.asarray(tagger.predict(x_test, verbose=0))
    accuracy = float(np.mean(tags[real] == y_test[real]))
    greedy = np.argmax(np.asarray(train.predict(x_test, verbose=0)), axis=-1)
    assert history.history["loss"][-1] < 0.3 < 2.0 < history.history["loss"][0]
    assert accuracy == 1.0  # Viterbi; the emissions alone are no better than chance:
    assert np.mean(greedy[real] == y_test[real]) < 0.8
    assert np.all(tags[~real] == 0)
    # the loss is -log p under the layer's weights: the NumPy enumeration's value
    e = np.asarray(train.predict(x_test[:2], verbose=0), "float64")
    a, s, f = (np.asarray(v, "float64") for v in (crf.transitions, crf.start, crf.end))
    want = []
    for b in range(2):
        length = int(real[b].sum())
        paths, scores = _enumerate_k(e[b], a, s, f, length, 2)
        log_z = np.log(np.sum(np.exp(scores - scores.max()))) + scores.max()
        want.append(scores[paths.index(tuple(y_test[b, :length]))] - log_z)
    got = float(CRFLoss(crf)(y_test[:2], e.astype("float32")))
    assert got == pytest.approx(-np.mean(want), abs=1e-4)
    path = tmp_path / "tagger.keras"
    tagger.save(path)
    loaded = keras.models.load_model(path)
    assert np.array_equal(np.asarray(loaded.predict(x_test, verbose=0)), tags)


def _enumerate_k(e, a, s, f, length, k):
    paths = list(product(range(k), repeat=length))
    return paths, np.array([_score(e[:length], a, s, f, p) for p in paths])


def test_savedmodel_export_decodes_dynamic_lengths_in_graph(tmp_path):
    import keras

    keras.utils.set_random_seed(1)
    _, tagger, crf = _models()
    x = np.array([[1, 5, 6, 0, 0], [2, 7, 0, 0, 0]], "int32")
    want = np.asarray(tagger(x))
    tagger.export(str(tmp_path / "sm"), verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    served = loaded.serve
    assert np.array_equal(served(tf.constant(x)).numpy(), want)
    assert np.array_equal(served(tf.constant(x[:, :3])).numpy(), want[:, :3])  # other T
    # and the in-graph decode is Viterbi under the layer's weights (NumPy enumeration)
    e = np.asarray(tagger.layers[2](tagger.layers[1](x)), "float64")
    a, s, f = (np.asarray(v, "float64") for v in (crf.transitions, crf.start, crf.end))
    for b, length in enumerate((3, 2)):
        paths, scores = _enumerate_k(e[b], a, s, f, length, 2)
        assert tuple(want[b, :length]) == paths[int(np.argmax(scores))]
