"""The text classifier's wide branch (issue 21): TF-IDF features equal scikit-learn's
TfidfVectorizer(sublinear_tf=True) on the raw texts with the same vocabulary, the
in-graph logits are the fitted LogisticRegression's, an untrained model predicts what the
linear model does, and the RNN's correction is kept only when validation says so."""

import numpy as np
import pytest

import seqkit
from seqkit.classification.models import RNNSpec, build_text_model, fit_wide
from seqkit.data.text import make_vectorizer
from tests.helpers import sentiment_sentences


def _texts(sentiment_dir, n=240):
    return sentiment_sentences(sentiment_dir, "amazon_cells", n)


def test_features_and_logits_are_scikit_learns(sentiment_dir):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    x, y = _texts(sentiment_dir)
    wide = fit_wide(x, y, 2)
    counts, tfidf, dense = wide.layers
    vocab = [str(v) for v in counts.get_vocabulary()]
    # scikit-learn's own tokenisation of the raw texts, on the layer's vocabulary
    ref = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                          vocabulary={v: i - 1 for i, v in enumerate(vocab) if i > 0})
    expected = ref.fit_transform(x).toarray()
    got = np.asarray(tfidf(np.asarray(counts(x))))[:, 1:]
    np.testing.assert_allclose(got, expected, atol=1e-5)
    clf = LogisticRegression(max_iter=1000, random_state=0).fit(expected, y)
    logits = np.asarray(wide(x))
    np.testing.assert_allclose(logits[:, 1] - logits[:, 0], clf.decision_function(expected),
                               atol=1e-3)


def test_untrained_model_predicts_the_linear_models_probabilities(sentiment_dir):
    x, y = _texts(sentiment_dir)
    wide = fit_wide(x, y, 3)  # class 2 absent: never predicted
    model = build_text_model(make_vectorizer(x), 3, rnn=RNNSpec("gru", 4), embedding_dim=4,
                             head="last+max", head_dropout=0.5, wide=wide)
    logits = np.asarray(wide(x[:20]))
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x[:20], verbose=0), expected, atol=1e-5)
    assert expected[:, 2].max() < 1e-6


@pytest.mark.slow
def test_the_correction_is_kept_only_when_validation_says_so(sentiment_dir):
    x, y = _texts(sentiment_dir, 400)
    r = seqkit.fit_text_classifier(x, y, wide=True, units=4, embedding_dim=4, epochs=2,
                                   verbose=0, val_fraction=0.2, baselines=())
    choice = r.metrics["wide_choice"]
    better = (choice["val_loss_rnn_plus_linear"] < choice["val_loss_linear"]
              and choice["val_accuracy_rnn_plus_linear"] >= choice["val_accuracy_linear"])
    assert choice["kept"] == ("rnn+linear" if better else "linear")
    deep = r.model.get_layer("deep_logits").get_weights()
    assert (not better) == all(np.all(w == 0) for w in deep)
    assert 0 <= r.metrics["wide_only"]["accuracy"] <= 1
