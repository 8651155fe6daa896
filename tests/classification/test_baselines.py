"""The baselines beside every classifier (issue 21): each checked against scikit-learn /
aeon called directly on the same split; macro-F1 and per-class recall against a hand
count; the warning when a baseline wins; ``baselines=()``."""

import warnings

import numpy as np
import pytest

import seqkit
from seqkit.classification import baselines as B
from seqkit.classification.metrics import classification_metrics
from seqkit.errors import ConfigError
from tests.helpers import sentiment_sentences


def _sentences(sentiment_dir, n=600):
    return sentiment_sentences(sentiment_dir, "yelp", n)


def test_tfidf_logreg_is_scikit_learns_pipeline(sentiment_dir):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    x, y = _sentences(sentiment_dir)
    out = B.run_baselines(("tfidf_logreg",), (x[:500], y[:500]), (x[500:], y[500:]),
                          ["neg", "pos"], seed=3)["tfidf_logreg"]
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    clf = LogisticRegression(max_iter=1000).fit(vec.fit_transform(x[:500]), y[:500])
    pred = clf.predict(vec.transform(x[500:]))
    assert out["accuracy"] == pytest.approx(np.mean(pred == y[500:]))
    assert out["confusion_matrix"][1][1] == int(np.sum((pred == 1) & (y[500:] == 1)))
    assert out["trained_on"] == 500 and out["fit_seconds"] > 0


def _ucr(name, n_train, n_test):
    from seqkit.data.sequences import load_sequence_dataset

    d = load_sequence_dataset(f"ucr:{name}")
    (xtr, ytr), (xte, yte) = d.train[:2], d.test[:2]
    return (xtr[:n_train], ytr[:n_train]), (xte[:n_test], yte[:n_test]), d.class_names


def test_dtw_and_minirocket_are_aeons():
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    train, test, names = _ucr("BasicMotions", 40, 20)
    out = B.run_baselines(("dtw_1nn", "minirocket"), train, test, names, seed=1)
    nct = lambda x: np.transpose(x, (0, 2, 1)).astype("float64")  # noqa: E731
    knn = KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1)
    knn_pred = knn.fit(nct(train[0]), train[1]).predict(nct(test[0]))
    rocket = MiniRocketClassifier(random_state=1).fit(nct(train[0]), train[1])
    assert out["dtw_1nn"]["accuracy"] == pytest.approx(np.mean(knn_pred == test[1]))
    assert out["minirocket"]["accuracy"] == pytest.approx(
        np.mean(rocket.predict(nct(test[0])) == test[1]))


def test_unequal_lengths_go_to_aeon_as_a_list_and_minirocket_is_left_out():
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    train, test, names = _ucr("JapaneseVowels", 60, 30)
    out = B.run_baselines(("auto",), train, test, names)
    lengths = lambda x: B.sequence_lengths(x)  # noqa: E731
    as_list = lambda x: [s[:n].T.astype("float64") for s, n in zip(x, lengths(x))]  # noqa
    assert len(set(lengths(train[0]))) > 1
    pred = KNeighborsTimeSeriesClassifier(distance="dtw").fit(
        as_list(train[0]), train[1]).predict(as_list(test[0]))
    assert out["dtw_1nn"]["accuracy"] == pytest.approx(np.mean(pred == test[1]))
    assert "equal-length" in out["minirocket"]["skipped"]


def test_auto_leaves_out_what_is_too_slow_or_too_short(monkeypatch):
    x = np.random.default_rng(0).normal(size=(20, 8, 2))
    y = np.arange(20) % 2
    monkeypatch.setattr(B, "DTW_MAX_CELLS", 10.0)
    out = B.run_baselines(("auto",), (x, y), (x, y), ["a", "b"])
    assert "DTW cell updates" in out["dtw_1nn"]["skipped"]
    assert "at least 9 steps" in out["minirocket"]["skipped"]
    named = B.run_baselines(("dtw_1nn",), (x, y), (x, y), ["a", "b"])  # named: it runs
    assert named["dtw_1nn"]["accuracy"] == 1.0  # each series is its own nearest neighbour


def test_macro_f1_and_recall_by_hand():
    y = [0, 0, 0, 1, 1, 2]
    pred = [0, 0, 1, 1, 0, 0]  # class 2 never predicted
    m = classification_metrics(y, np.eye(3)[pred], ["a", "b", "c"])
    # recall: a 2/3, b 1/2, c 0; precision: a 2/4, b 1/2, c 0 (never predicted)
    f1 = [2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3), 0.5, 0.0]
    assert m["per_class_recall"] == pytest.approx([2 / 3, 1 / 2, 0.0])
    assert m["macro_f1"] == pytest.approx(np.mean(f1))


def test_a_winning_baseline_is_named_and_none_turns_them_off(sentiment_dir):
    x, y = _sentences(sentiment_dir, 300)
    tiny = dict(units=2, embedding_dim=2, epochs=1, verbose=0, max_tokens=50,
                test_fraction=0.3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = seqkit.fit_text_classifier(x, y, **tiny)
    m = r.metrics
    b = m["baselines"]["tfidf_logreg"]
    assert m["beats"]["tfidf_logreg"] == (m["accuracy"] >= b["accuracy"])
    assert b["trained_on"] == r.data_info["split_sizes"]["train"] + \
        r.data_info["split_sizes"]["val"] and b["n"] == m["n"]
    said = [str(w.message) for w in caught if "baseline tfidf_logreg" in str(w.message)]
    assert bool(said) == (not m["beats"]["tfidf_logreg"])
    assert "tfidf_logreg" in r.summary() and "recall per class" in r.summary()
    assert r.timing["baseline_seconds"]["tfidf_logreg"] > 0 and r.timing["fit_seconds"] > 0
    off = seqkit.fit_text_classifier(x, y, baselines=(), **tiny)
    assert "baselines" not in off.metrics


def test_bad_baseline_names():
    with pytest.raises(ConfigError, match="'dtw_1nn' is not a baseline of this task"):
        seqkit.fit_text_classifier(["a b", "c d"] * 20, [0, 1] * 20, baselines=["dtw_1nn"])
    with pytest.raises(ConfigError, match="'nope'"):
        B.check_baselines("nope", B.SEQUENCE_BASELINES)


def test_without_aeon_auto_leaves_the_series_baselines_out(monkeypatch):
    x = np.random.default_rng(0).normal(size=(20, 12, 2))
    y = np.arange(20) % 2
    monkeypatch.setattr(B, "has_aeon", lambda: False)
    out = B.run_baselines(("auto",), (x, y), (x, y), ["a", "b"])
    assert all("aeon is not installed" in b["skipped"] for b in out.values())
    with pytest.raises(ConfigError, match=r"need aeon: pip install 'seqkit\[ucr\]'"):
        B.run_baselines(("dtw_1nn",), (x, y), (x, y), ["a", "b"])
