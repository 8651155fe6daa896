"""fit_text_classifier end to end: real sentiment sentences, a synthetic task with a known
answer, seeding, save/load, plots, backup-and-restore, strategies and bad inputs."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqkit
from seqkit.errors import ConfigError, DataError
from seqkit.fit import FitResult
from tests.helpers import chance_margin, keyword_texts

TINY = {"units": 8, "embedding_dim": 8, "verbose": 0}


@pytest.fixture(scope="module")
def keyword_result():
    texts, labels = keyword_texts(400, seed=0)
    # a NumPy unicode array (dtype <U..), which Keras fit refuses as such
    return seqkit.fit_text_classifier(np.array(texts), np.array(labels), epochs=6,
                                      learning_rate=1e-2, batch_size=16, seed=0, **TINY)


# ------------------------------------------------------------------------ real data


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["lstm", "gru", "cifg"])
def test_sentiment_sentences_beat_chance(sentiment_dir, cell):
    result = seqkit.fit_text_classifier(
        sentiment_dir, cell=cell, max_examples=1200, epochs=3, learning_rate=5e-3,
        max_tokens=4000, units=16, embedding_dim=16, verbose=0, seed=0)
    m = result.metrics
    n = m["n"]
    assert n == 120 and result.data_info["split_sizes"]["train"] > 900
    # the test split is balanced (majority baseline ~0.5): require 2.5 coin-flip standard
    # errors above it (p < 0.01 under "no better than the majority class")
    assert m["accuracy"] > m["majority_baseline"] + chance_margin(n), result.summary()
    assert m["macro_f1"] > 0.55
    assert np.sum(m["confusion_matrix"]) == n
    assert result.config["cell"] == cell and result.class_names == ["0", "1"]

    sentences = ["I love this phone, it works great.", "Awful. It broke after one day."]
    as_list = result.predict(sentences)
    as_unicode = result.predict(np.array(sentences))  # <U.. array: Keras fit/predict refuse it
    assert as_list.shape == (2, 2)
    np.testing.assert_allclose(as_list, as_unicode, rtol=1e-6)
    raw = result.model.predict(tf.constant(sentences), verbose=0)  # the model takes raw text
    np.testing.assert_allclose(raw, as_list, rtol=1e-6)


# ------------------------------------------------------------------------ known answer


def test_keyword_task_reaches_high_accuracy(keyword_result):
    r = keyword_result
    assert r.task == "text_classification"
    assert r.class_names == ["no", "yes"]
    assert r.metrics["accuracy"] >= 0.95, r.summary()
    assert r.predict_labels(["w1 w2 banana w3", "w1 w2 w4 w3"]) == ["yes", "no"]
    assert set(r.history) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert len(r.timing["epoch_seconds"]) == len(r.history["loss"])
    assert r.timing["examples_per_second"] > 0
    assert r.data_info["split_sizes"] == {"train": 320, "val": 40, "test": 40}
    json.dumps(r.config)  # JSON-able
    assert r.config["epochs"] == 6 and r.config["patience"] == "auto"
    # the plan: patience a tenth of the epochs (at least 3); 320 examples / 16 a batch
    plan = r.timing["plan"]
    assert (plan["epochs"], plan["patience"], plan["batch_size"]) == (6, 3, 16)
    assert plan["steps_per_epoch"] == 20
    assert r.timing["steps_run"] == 20 * r.timing["epochs_run"]
    assert r.timing["stop_reason"].startswith(("epoch budget used", "early stopping"))
    assert r.config["optimizer"] == "adam" and r.config["cell"] == "lstm"


def test_save_load_same_predictions(keyword_result, tmp_path):
    texts, _ = keyword_texts(20, seed=7)
    before = keyword_result.predict(np.array(texts))
    keyword_result.save(tmp_path / "run")
    assert (tmp_path / "run" / "model.keras").is_file()
    assert (tmp_path / "run" / "fit_result.json").is_file()
    loaded = FitResult.load(tmp_path / "run")
    np.testing.assert_allclose(loaded.predict(np.array(texts)), before, rtol=1e-5, atol=1e-6)
    assert loaded.metrics == keyword_result.metrics
    assert loaded.class_names == keyword_result.class_names
    assert loaded.config == keyword_result.config
    with pytest.raises(DataError, match="not a saved FitResult"):
        FitResult.load(tmp_path)


def test_plot_history_and_summary(keyword_result, tmp_path):
    path = keyword_result.plot_history(tmp_path / "curves.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    text = keyword_result.summary()
    assert f"accuracy {keyword_result.metrics['accuracy']:.4f}" in text
    assert "macro-F1" in text and "lstm" in text


def test_evaluate_names_unknown_labels(keyword_result):
    texts, labels = keyword_texts(10, seed=3)
    assert keyword_result.evaluate(texts, labels)["n"] == 10
    with pytest.raises(DataError, match="maybe"):
        keyword_result.evaluate(texts[:2], ["yes", "maybe"])


# ------------------------------------------------------------------------ seeds


def test_same_seed_same_metrics():
    texts, labels = keyword_texts(200, seed=1)
    kw = {"epochs": 2, "learning_rate": 1e-2, "batch_size": 16, "cell": "gru", **TINY}
    a = seqkit.fit_text_classifier(texts, labels, seed=5, **kw)
    b = seqkit.fit_text_classifier(texts, labels, seed=5, **kw)
    assert a.metrics == b.metrics
    assert a.history == b.history
    c = seqkit.fit_text_classifier(texts, labels, seed=6, **kw)
    # another seed gives another split and initialisation (losses differ)
    assert c.history["loss"] != a.history["loss"]


# ------------------------------------------------------------------------ training options


def test_backup_and_restore_resumes_after_interruption(tmp_path):
    texts, labels = keyword_texts(120, seed=2)
    backup = tmp_path / "backup"

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt("simulated interruption")

    kw = {"epochs": 4, "patience": None, "backup_dir": backup, "seed": 0, **TINY}
    with pytest.raises(KeyboardInterrupt):
        seqkit.fit_text_classifier(texts, labels, callbacks=[Interrupt()], **kw)
    assert backup.is_dir() and any(backup.iterdir())
    resumed = seqkit.fit_text_classifier(texts, labels, **kw)
    # epochs 1-2 were done before the interruption: only the remaining ones run again
    assert len(resumed.history["loss"]) == 2
    assert not backup.exists()  # BackupAndRestore deletes its folder after a normal end


def test_strategy_object_and_name():
    texts, labels = keyword_texts(80, seed=4)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    r = seqkit.fit_text_classifier(texts, labels, epochs=1, strategy=strategy, **TINY)
    assert r.config["strategy"]["class"] == "OneDeviceStrategy"
    assert r.config["strategy"]["replicas"] == 1
    pytest.importorskip("seqkit.distribute", reason="strategy names need seqkit.distribute")
    r = seqkit.fit_text_classifier(texts, labels, epochs=1, strategy="cpu", **TINY)
    assert r.config["strategy"]["class"] == "OneDeviceStrategy"


def test_stacked_bidirectional_with_dropout():
    texts, labels = keyword_texts(80, seed=5)
    r = seqkit.fit_text_classifier(texts, labels, epochs=1, layers=2, bidirectional=True,
                                   dropout=0.1, recurrent_dropout=0.1, **TINY)
    names = [layer.name for layer in r.model.layers]
    assert "bidirectional_0" in names and "bidirectional_1" in names
    assert r.config["layers"] == 2 and r.config["bidirectional"] is True


# ------------------------------------------------------------------------ bad inputs


@pytest.mark.parametrize("kwargs, error, match", [
    ({"cell": "transformer"}, ConfigError, "transformer.*lstm, gru, gru_reset_before"),
    ({"epochs": 0}, ConfigError, "epochs"),
    ({"units": 0}, ConfigError, "units"),
    ({"units": -3}, ConfigError, "units"),
    ({"learning_rate": 0}, ConfigError, "learning_rate"),
    ({"val_fraction": 1.2}, ConfigError, "val_fraction"),
    ({"strategy": 42}, ConfigError, "strategy"),
])
def test_bad_options_raise_named_errors(kwargs, error, match):
    texts, labels = keyword_texts(20)
    with pytest.raises(error, match=match):
        seqkit.fit_text_classifier(texts, labels, verbose=0, **kwargs)


def test_bad_data_raises_data_errors():
    texts, labels = keyword_texts(20)
    with pytest.raises(DataError, match="20 texts vs 19 labels"):
        seqkit.fit_text_classifier(texts, labels[:19], verbose=0)
    with pytest.raises(DataError, match="empty"):
        seqkit.fit_text_classifier(texts[:19] + ["   "], labels, verbose=0)
    with pytest.raises(DataError, match="single class"):
        seqkit.fit_text_classifier(texts, ["yes"] * 20, verbose=0)


def test_export_delegates_to_seqkit_export(keyword_result, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(seqkit, "export", lambda *a, **k: calls.append((a, k)) or "done",
                        raising=False)
    assert keyword_result.export(tmp_path / "serving", version=3) == "done"
    assert calls == [((keyword_result, tmp_path / "serving"), {"version": 3})]


def test_real_export_writes_a_servable_version(keyword_result, tmp_path):
    info = keyword_result.export(tmp_path / "serving")
    version_dir = tmp_path / "serving" / "1"
    assert (version_dir / "saved_model.pb").is_file()
    assert info.inputs["text"]["dtype"] == "string"
    assert "probabilities" in info.outputs


# ------------------------------------------------------------------------ word vectors

# The texts use exactly these six words; the file has three of them and one other.
WORDS = ["good", "great", "fine", "bad", "awful", "poor"]
VECTORS = {"good": [0.5, 1.25, -2.0], "awful": [-1.0, 0.75, 3.5], "fine": [0.1, 0.2, 0.3],
           "ocean": [7.0, 7.0, 7.0]}


def _vector_texts(n=48):
    texts = [f"{WORDS[i % 3]} {WORDS[(i + 1) % 3]}" if i % 2 == 0 else
             f"{WORDS[3 + i % 3]} {WORDS[3 + (i + 1) % 3]}" for i in range(n)]
    return texts, ["pos" if i % 2 == 0 else "neg" for i in range(n)]


def _write_vectors(path, header):
    lines = [f"{len(VECTORS)} 3"] if header else []
    lines += [" ".join([w, *map(str, v)]) for w, v in VECTORS.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _vocabulary(result):
    vectorizer = next(layer for layer in result.model.layers
                      if isinstance(layer, keras.layers.TextVectorization))
    return vectorizer.get_vocabulary()


def _fit_with_vectors(path, trainable):
    texts, labels = _vector_texts()
    return seqkit.fit_text_classifier(texts, labels, embeddings=path, units=4, epochs=1,
                                      batch_size=8, learning_rate=0.05,
                                      trainable_embeddings=trainable, verbose=0)


@pytest.mark.parametrize("header", [False, True], ids=["glove", "word2vec"])
def test_pretrained_vectors_are_the_embedding_and_stay_frozen(tmp_path, header):
    from seqkit.data.text import load_word_vectors

    path = _write_vectors(tmp_path / "vectors.txt", header)
    result = _fit_with_vectors(path, trainable=False)
    vocab = _vocabulary(result)
    assert sorted(vocab[2:]) == sorted(WORDS)
    layer = result.model.get_layer("embedding")
    weights = layer.get_weights()[0]
    assert weights.shape == (8, 3) and not layer.trainable
    for word in ("good", "awful", "fine"):
        np.testing.assert_array_equal(weights[vocab.index(word)],
                                      np.array(VECTORS[word], dtype=np.float32))
    np.testing.assert_array_equal(weights[0], np.zeros(3, np.float32))
    # one epoch later the whole matrix is the initial one (seed 0 draws the random rows)
    np.testing.assert_array_equal(weights, load_word_vectors(path, vocab, seed=0).matrix)
    # 3 of the 6 words are in the file (ocean is not a vocabulary word)
    assert result.data_info["embeddings"] == {
        "file": str(path), "format": "word2vec" if header else "glove", "dimension": 3,
        "found": 3, "searched": 6, "coverage": 0.5}
    assert result.config["embedding_dim"] == 3 and result.config["embeddings"] == str(path)
    assert result.config["trainable_embeddings"] is False


def test_trainable_pretrained_vectors_change(tmp_path):
    from seqkit.data.text import load_word_vectors

    path = _write_vectors(tmp_path / "vectors.txt", header=False)
    result = _fit_with_vectors(path, trainable=True)
    initial = load_word_vectors(path, _vocabulary(result), seed=0).matrix
    trained = result.model.get_layer("embedding").get_weights()[0]
    assert result.model.get_layer("embedding").trainable
    assert not np.allclose(trained[2:], initial[2:])


def test_embedding_dim_must_match_the_vectors_file(tmp_path):
    path = _write_vectors(tmp_path / "vectors.txt", header=False)
    texts, labels = _vector_texts()
    with pytest.raises(ConfigError, match=r"embedding_dim=8 does not match the dimension 3 "
                                          r"of the embeddings file '.*vectors\.txt'"):
        seqkit.fit_text_classifier(texts, labels, embeddings=path, embedding_dim=8,
                                   epochs=1, verbose=0)
    with pytest.raises(DataError, match=r"embeddings file '.*missing\.txt' not found"):
        seqkit.fit_text_classifier(texts, labels, embeddings=tmp_path / "missing.txt",
                                   verbose=0)
    (tmp_path / "bad.txt").write_text("good 1 2 3\nbad 1 2\n")
    with pytest.raises(DataError, match=r"bad\.txt:2: expected a word and 3 values"):
        seqkit.fit_text_classifier(texts, labels, embeddings=tmp_path / "bad.txt",
                                   epochs=1, verbose=0)
    with pytest.raises(ConfigError, match="trainable_embeddings must be"):
        seqkit.fit_text_classifier(texts, labels, embeddings=path,
                                   trainable_embeddings="no", verbose=0)
