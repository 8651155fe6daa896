"""class_weight= of fit_text_classifier and fit_sequence_classifier: scikit-learn's
balanced weights, carried by the training batches only, and a model that finds the
minority class the unweighted one misses."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.utils.class_weight import compute_class_weight

import seqkit
from seqkit.classification.sequences import SequenceClassification
from seqkit.classification.task import class_weights, with_sample_weights
from seqkit.classification.text import TextClassification
from seqkit.errors import ConfigError
from tests.helpers import keyword_texts

IMBALANCED = np.array([0] * 3 + [1] * 9 + [2] * 12)


@pytest.mark.parametrize("names", [["a", "b", "c"], [3, 7, 11], ["1", "2", "3"]])
def test_balanced_weights_are_sklearns(names):
    expected = compute_class_weight("balanced", classes=np.arange(3), y=IMBALANCED)
    np.testing.assert_allclose(class_weights("balanced", names, IMBALANCED), expected,
                               rtol=1e-6)


def test_a_class_absent_from_training_weighs_nothing():
    ids = np.array([0, 0, 0, 2])  # class 1 (e.g. from classes=) has no training example
    weights = class_weights("balanced", ["a", "b", "c"], ids)
    expected = compute_class_weight("balanced", classes=np.array([0, 2]), y=ids)
    np.testing.assert_allclose(weights[[0, 2]], expected, rtol=1e-6)
    assert weights[1] == 0.0


def test_a_dict_is_keyed_by_the_typed_class_names():
    np.testing.assert_array_equal(class_weights({7: 2, np.int64(3): 0.5, 11: 0}, [3, 7, 11],
                                                IMBALANCED), [0.5, 2.0, 0.0])
    assert class_weights(None, [3, 7, 11], IMBALANCED) is None


@pytest.mark.parametrize("class_weight, match", [
    ({"1": 1.0, 2: 1.0}, r"class_weight names '1', which is not a class; the classes are "
                         r"\[1, 2\]"),
    ({True: 1.0, 2: 1.0}, "class_weight names True, which is not a class"),
    ({1: 1.0}, r"class_weight has no weight for class\(es\) \[2\]"),
    ({1: -0.5, 2: 1.0}, r"class_weight\[1\] must be a finite number >= 0, got -0.5"),
    ({1: float("inf"), 2: 1.0}, r"class_weight\[1\] must be a finite number >= 0"),
    ({1: "heavy", 2: 1.0}, r"class_weight\[1\] must be a finite number >= 0, got 'heavy'"),
    ("auto", "class_weight must be None, 'balanced' or a dict"),
])
def test_bad_class_weights_are_named(class_weight, match):
    with pytest.raises(ConfigError, match=match):
        class_weights(class_weight, [1, 2], np.array([0, 1, 1]))


def test_with_sample_weights_maps_each_label_to_its_weight():
    ds = tf.data.Dataset.from_tensor_slices((np.arange(6.0), IMBALANCED[[0, 3, 12, 1, 4, 13]]))
    x, y, w = next(iter(with_sample_weights(ds.batch(6), np.array([3.0, 1.0, 0.25]))))
    np.testing.assert_array_equal(w.numpy(), [3.0, 1.0, 0.25, 3.0, 1.0, 0.25])


def _batches_carry_weights(task):
    task.check()
    task.load(seed=0)
    expected = compute_class_weight("balanced", classes=np.unique(task.train_y),
                                    y=task.train_y)
    train, val = task.datasets(batch_size=4, seed=0)
    seen = 0
    for _x, y, w in train:
        np.testing.assert_allclose(w.numpy(), expected[y.numpy()], rtol=1e-6)
        seen += len(y)
    assert seen == len(task.train_y)
    assert all(len(batch) == 2 for batch in val)  # validation stays unweighted
    return task


def test_sequence_training_batches_carry_the_weights():
    rng = np.random.default_rng(0)
    # 300 sequences: a validation split of 24, large enough to be kept (MIN_VALIDATION)
    x = rng.normal(size=(300, 5, 2)).astype("float32")
    y = np.array(["rare"] * 60 + ["common"] * 240)
    _batches_carry_weights(SequenceClassification(x, y, class_weight="balanced"))


def test_text_training_batches_carry_the_weights():
    texts, labels = keyword_texts(250, seed=1)
    labels = ["yes" if i < 50 else "no" for i in range(250)]
    task = _batches_carry_weights(TextClassification(texts, labels, class_weight="balanced"))
    assert task.class_weight_config()["class_weight"] == "balanced"


def test_keras_weighted_loss_is_the_weighted_mean():
    """What the weights do to the loss Keras minimises: sum(w * loss) / N per batch."""
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.7, 0.3]], "float32")
    y = np.array([0, 1, 1, 0])
    weights = np.array([0.5, 3.0], "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda t: t)])
    model.compile(loss="sparse_categorical_crossentropy")
    ds = with_sample_weights(tf.data.Dataset.from_tensor_slices((probs, y)).batch(4), weights)
    expected = np.mean(weights[y] * -np.log(probs[np.arange(4), y]))
    assert model.evaluate(ds, verbose=0) == pytest.approx(expected, rel=1e-5)


def _minority_data(n_common, n_rare, seed):
    """One feature, the rare class shifted by one standard deviation: the Bayes rule under
    the 9:1 prior almost never says 'rare'; under balanced weights it often does."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(0.0, 1.0, n_common), rng.normal(1.5, 1.0, n_rare)])
    y = np.array(["common"] * n_common + ["rare"] * n_rare)
    return x.reshape(-1, 1, 1).astype("float32") + 5.0, y  # + 5: no all-zero (masked) step


def _recall(result, x, y):
    predicted = np.asarray(result.predict_labels(x))
    return float(np.mean(predicted[y == "rare"] == "rare"))


def test_balanced_weights_find_the_minority_class():
    x, y = _minority_data(270, 30, seed=0)
    x_eval, y_eval = _minority_data(0, 400, seed=1)
    common = {"units": 2, "epochs": 15, "batch_size": 30, "learning_rate": 0.05,
              "val_fraction": 0.0, "test_fraction": 0.0, "patience": None, "seed": 0,
              "verbose": 0}
    with pytest.warns(UserWarning, match="test_fraction=0"):
        plain = seqkit.fit_sequence_classifier(x, y, cell="gru", **common)
        weighted = seqkit.fit_sequence_classifier(x, y, cell="gru", class_weight="balanced",
                                                  **common)
    assert _recall(plain, x_eval, y_eval) < 0.2
    assert _recall(weighted, x_eval, y_eval) > _recall(plain, x_eval, y_eval) + 0.3


def test_text_fit_records_the_weights_in_config():
    texts, _ = keyword_texts(40, seed=2)
    labels = [1 if i % 4 == 0 else 0 for i in range(40)]
    result = seqkit.fit_text_classifier(texts, labels, class_weight={0: 1.0, 1: 2.5},
                                        units=2, embedding_dim=2, epochs=1, batch_size=8,
                                        verbose=0)
    assert result.config["class_weight"] == {"0": 1.0, "1": 2.5}
    assert result.config["class_weights"] == {"0": 1.0, "1": 2.5}
    with pytest.raises(ConfigError, match="class_weight names 2, which is not a class"):
        seqkit.fit_text_classifier(texts, labels, class_weight={0: 1, 1: 1, 2: 1}, verbose=0)


def test_the_custom_loop_trains_on_the_same_weighted_loss_as_keras_fit(monkeypatch):
    """seqkit's multi-worker loop (forced here under the one-device CPU strategy) reads the
    (x, y, sample_weight) batches as Keras fit does: the same weighted training loss (one
    batch per epoch, so the batch order cannot matter), unlike the unweighted one."""
    import seqkit.fit.train as train

    x, y = _minority_data(54, 6, seed=2)
    common = {"units": 2, "epochs": 3, "batch_size": 60, "val_fraction": 0.0,
              "test_fraction": 0.0, "patience": None, "seed": 0, "verbose": 0,
              "class_weight": "balanced", "strategy": tf.distribute.OneDeviceStrategy("/cpu:0")}
    losses = {}
    for loop in (True, False):
        monkeypatch.setattr(train, "_fit_supported", lambda strategy, loop=loop: not loop)
        with pytest.warns(UserWarning, match="test_fraction=0"):
            losses[loop] = seqkit.fit_sequence_classifier(x, y, **common).history["loss"]
    np.testing.assert_allclose(losses[True], losses[False], rtol=1e-5)
    with pytest.warns(UserWarning, match="test_fraction=0"):
        plain = seqkit.fit_sequence_classifier(x, y, **{**common, "class_weight": None})
    assert abs(plain.history["loss"][0] - losses[True][0]) > 1e-3
