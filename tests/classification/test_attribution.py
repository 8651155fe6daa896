"""Integrated gradients of text models (seqkit.classification.attribution), checked against
references that share no code with it: a linear model where IG is exact (NumPy), and a
direct tf.GradientTape over the layers after the embedding, integrated by Gauss-Legendre
quadrature instead of the trapezoid rule; the completeness axiom; padding; the refusals."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqkit
from seqkit.classification.attribution import (
    attribution_figure,
    integrated_gradients,
    plot_attribution,
)
from seqkit.classification.models import MaskedPooling
from seqkit.errors import ConfigError
from seqkit.fit.result import FitResult

CORPUS = ["good film", "bad film", "great plot", "awful plot", "a fine cast"]
TEXTS = ["good film", "awful plot and a bad cast", "great"]  # "and": out of vocabulary


def vectorizer(length=6, **kwargs):
    layer = keras.layers.TextVectorization(output_sequence_length=length, **kwargs)
    layer.adapt(CORPUS)
    return layer


def embedding(vocab, dim=3, scale=1.5, seed=0):
    """An ``embedding`` layer with large random vectors (so the RNN saturates: IG's path
    integral is not a straight line)."""
    matrix = np.random.default_rng(seed).normal(scale=scale, size=(vocab, dim))
    return keras.layers.Embedding(vocab, dim, mask_zero=True, name="embedding",
                                  weights=[matrix.astype("float32")])


def reference_ig(after, e, mask, target, nodes=24):
    """IG of ``after(x, mask, repeat)[:, target]`` w.r.t. ``x`` from 0 to ``e`` by
    Gauss-Legendre quadrature on [0, 1]: ``e * integral of the gradient``, summed over
    the width; all nodes in one batch (``repeat``: the copies of each row)."""
    points, weights = np.polynomial.legendre.leggauss(nodes)
    alphas = np.repeat((points + 1) / 2, len(e))[:, None, None]
    x = tf.constant(alphas * np.tile(e, (nodes, 1, 1)), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        p = after(x, tf.constant(np.tile(mask, (nodes, 1))), nodes)[:, target]
    grads = tape.gradient(p, x).numpy().reshape(nodes, *e.shape)
    return np.sum(e * np.tensordot(weights / 2, grads, axes=1), axis=-1)


def ids_and_embeddings(vec, emb, texts):
    ids = vec(tf.constant(texts)).numpy()
    mask = ids != 0
    e = emb(ids).numpy() * mask[..., None]
    return ids, mask, e


def test_linear_model_is_exact_for_any_steps():
    """A masked mean and a linear output: IG = (e - 0) · w_target / n_tokens exactly."""
    vec = vectorizer()
    text = keras.Input((), dtype="string", name="text")
    emb = embedding(vec.vocabulary_size())
    x = keras.layers.GlobalAveragePooling1D()(emb(vec(text)))
    dense = keras.layers.Dense(2, name="probabilities")
    model = keras.Model(text, dense(x))
    ids, mask, _ = ids_and_embeddings(vec, emb, TEXTS)
    matrix, w = emb.get_weights()[0], dense.get_weights()[0]
    for steps in (1, 7):
        found = integrated_gradients(model, TEXTS, target=[0, 1, 1], steps=steps)
        for i, why in enumerate(found):
            n = mask[i].sum()
            expected = matrix[ids[i][mask[i]]] @ w[:, why.target] / n
            np.testing.assert_allclose(why.scores, expected, rtol=1e-5, atol=1e-6)
            assert abs(why.gap) < 1e-5
    assert found[1].tokens == ["awful", "plot", "[UNK]", "a", "bad", "cast"]


def test_rnn_matches_a_direct_gradient_reference_and_completeness():
    vec = vectorizer(length=8)
    text = keras.Input((), dtype="string", name="text")
    emb = embedding(vec.vocabulary_size())
    rnn = seqkit.make_rnn("gru", 5, name="rnn")
    dense = keras.layers.Dense(3, activation="softmax", name="probabilities")
    model = keras.Model(text, dense(rnn(emb(vec(text)))))
    ids, mask, e = ids_and_embeddings(vec, emb, TEXTS)
    found = integrated_gradients(model, TEXTS, target=2, steps=64, batch_size=50)
    expected = reference_ig(lambda x, m, _: dense(rnn(x, mask=m)), e, mask, 2)
    gaps = {}
    for i, why in enumerate(found):
        assert len(why.scores) == len(why.tokens) == mask[i].sum()  # padding: no score
        np.testing.assert_allclose(why.scores, expected[i][mask[i]], atol=5e-5)
        probs = model(tf.constant(TEXTS)).numpy()
        assert why.probability == pytest.approx(float(probs[i, 2]), abs=1e-6)
        gaps[i] = abs(why.gap)
    coarse = integrated_gradients(model, TEXTS, target=2, steps=2)
    assert max(gaps.values()) < 1e-4
    assert sum(abs(w.gap) for w in coarse) > 10 * sum(gaps.values())  # shrinks with steps


def test_a_second_branch_and_a_pooled_head_are_run_as_the_model_runs_them():
    """A tf-idf branch from the same text input (a second TextVectorization: the tokens
    come from the one that feeds the embedding), dropout, a bidirectional RNN with mean
    and last-step pooling concatenated as the head."""
    vec, wide_vec = vectorizer(), vectorizer(None, output_mode="tf_idf", name="wide_tf_idf")
    text = keras.Input((), dtype="string", name="text")
    wide = keras.layers.Dense(3, activation="tanh", name="wide")(wide_vec(text))
    emb = embedding(vec.vocabulary_size())
    rnn = keras.layers.Bidirectional(seqkit.make_rnn("lstm", 4, return_sequences=True))
    drop = keras.layers.Dropout(0.5)
    pools = [MaskedPooling(m, name=f"{m}_pool") for m in ("mean", "last")]
    head = keras.layers.Concatenate(name="head")
    dense = keras.layers.Dense(2, activation="softmax", name="probabilities")

    def after(x, mask, repeat):
        seq = drop(rnn(x, mask=mask))
        texts = tf.constant(TEXTS * repeat)
        return dense(head([*(p(seq, mask=mask) for p in pools),
                           model.get_layer("wide")(wide_vec(texts))]))

    seq = drop(rnn(emb(vec(text))))
    model = keras.Model(text, dense(head([*(p(seq) for p in pools), wide])))
    ids, mask, e = ids_and_embeddings(vec, emb, TEXTS)
    found = integrated_gradients(model, TEXTS, target=1, steps=48, batch_size=40)
    expected = reference_ig(after, e, mask, 1)
    for i, why in enumerate(found):
        np.testing.assert_allclose(why.scores, expected[i][mask[i]], atol=5e-5)
        assert why.tokens == [vec.get_vocabulary()[t] for t in ids[i][mask[i]]]
        assert abs(why.gap) < 1e-4
    by_default = integrated_gradients(model, TEXTS, steps=1)
    predicted = model(tf.constant(TEXTS)).numpy().argmax(axis=1)
    assert [w.target for w in by_default] == predicted.tolist()


@pytest.fixture(scope="module")
def tiny_text_result():
    vec = vectorizer()
    text = keras.Input((), dtype="string", name="text")
    x = seqkit.make_rnn("gru", 3)(embedding(vec.vocabulary_size())(vec(text)))
    out = keras.layers.Dense(2, activation="softmax", name="probabilities")(x)
    return FitResult(keras.Model(text, out), "text_classification", class_names=["neg", "pos"])


@pytest.mark.parametrize("kwargs, named", [
    ({"steps": 0}, "steps must be an integer >= 1, got 0"),
    ({"steps": 2.5}, "got 2.5"),
    ({"batch_size": -1}, "batch_size must be an integer >= 1, got -1"),
    ({"target": 2}, "got 2"),
    ({"target": -1}, "got -1"),
    ({"target": True}, "got True"),
    ({"target": [0, 1, 0]}, "one per text (2), got [0, 1, 0]"),
])
def test_bad_steps_and_targets_are_named(tiny_text_result, kwargs, named):
    with pytest.raises(ConfigError) as err:
        integrated_gradients(tiny_text_result.model, ["good film", "bad"], **kwargs)
    assert named in str(err.value)


def test_fit_result_explain_takes_class_names_and_other_tasks_refuse(tiny_text_result):
    [why] = tiny_text_result.explain("good film and plot", target="pos", steps=8)
    assert (why.target, why.label) == (1, "pos")
    assert why.tokens == ["good", "film", "[UNK]", "plot"]
    assert why.top(1)[0][0] in why.tokens
    with pytest.raises(ConfigError, match=r"target must be None or a class name of "
                                          r"\['neg', 'pos'\] \(of their type\), got 1"):
        tiny_text_result.explain("good", target=1)
    with pytest.raises(ConfigError, match=r"got \['pos', 'meh'\]: .*'meh'"):
        tiny_text_result.explain(["good", "bad"], target=["pos", "meh"])
    inp = keras.Input((None, 2), name="sequence")
    out = keras.layers.Dense(2, activation="softmax")(seqkit.make_rnn("gru", 3)(inp))
    sequences = FitResult(keras.Model(inp, out), "sequence_classification",
                          class_names=["down", "up"], data_info={"n_features": 2})
    with pytest.raises(ConfigError, match="explain needs a text classification result.*"
                                          "task='sequence_classification'"):
        sequences.explain(np.ones((1, 4, 2)))
    with pytest.raises(ConfigError, match="needs a text model"):
        integrated_gradients(sequences.model, ["good"])


def test_figure_colours_tokens_by_score(tiny_text_result, tmp_path):
    [why] = tiny_text_result.explain("good film plot a fine cast", steps=4)
    figure = attribution_figure(why, per_row=4)
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.texts] == why.tokens
    grid = ax.images[0].get_array()
    assert grid.shape == (2, 4)
    np.testing.assert_allclose(np.ravel(grid)[:6], why.scores, rtol=1e-6)
    png = plot_attribution(why, tmp_path / "why" / "text.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
