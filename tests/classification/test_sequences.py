"""fit_sequence_classifier: a task that needs memory, variable lengths with masking, the
``lengths=`` path, the built-in digits set, and bad inputs."""

import numpy as np
import pytest

import seqkit
from seqkit.errors import ConfigError, DataError
from seqkit.fit import FitResult


def memory_task(n, seed=0, min_len=6, max_len=16):
    """Variable-length noise sequences [T_i, 2]; the class is the sign of the FIRST step's
    feature 0 (|value| >= 1, noise elsewhere is N(0, 1)): only a model that carries that
    step to the end can beat 50%."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for i in range(n):
        x = rng.normal(size=(rng.integers(min_len, max_len), 2)).astype("float32")
        positive = i % 2 == 0
        x[0, 0] = (1.0 + rng.random()) * (1 if positive else -1)
        xs.append(x)
        ys.append("pos" if positive else "neg")
    return xs, ys


@pytest.fixture(scope="module")
def memory_result():
    xs, ys = memory_task(400)
    return seqkit.fit_sequence_classifier(xs, ys, cell="gru", units=8, epochs=15,
                                          learning_rate=1e-2, verbose=0, seed=0)


def test_memory_task_with_variable_lengths(memory_result):
    r = memory_result
    assert r.task == "sequence_classification" and r.class_names == ["neg", "pos"]
    assert r.metrics["accuracy"] >= 0.9, r.summary()
    assert r.metrics["majority_baseline"] == pytest.approx(0.5)
    assert r.data_info["length_min"] == 6 and r.data_info["length_max"] == 15
    assert r.data_info["padded_length"] == 15


def test_padding_is_masked(memory_result):
    xs, _ = memory_task(8, seed=9)
    as_list = memory_result.predict(xs)  # post-padded to the longest here (15)
    longer = np.zeros((8, 40, 2), "float32")
    for i, x in enumerate(xs):
        longer[i, :len(x)] = x
    np.testing.assert_allclose(memory_result.predict(longer), as_list, rtol=1e-5, atol=1e-6)
    # "pos" iff the first step is positive (the rule the data follows)
    expected = ["pos" if x[0, 0] > 0 else "neg" for x in xs]
    assert memory_result.predict_labels(xs) == expected


def test_lengths_zero_the_padding_region(tmp_path):
    xs, ys = memory_task(200, seed=1)
    t = 15
    arr = np.random.default_rng(2).normal(size=(200, t, 2)).astype("float32") * 50  # garbage
    lengths = np.array([len(x) for x in xs])
    for i, x in enumerate(xs):
        arr[i, :len(x)] = x
    r = seqkit.fit_sequence_classifier(arr, ys, lengths=lengths, cell="lstm", units=8,
                                       epochs=12, learning_rate=1e-2, verbose=0)
    assert r.data_info["length_max"] == lengths.max()
    assert r.metrics["accuracy"] >= 0.85, r.summary()
    r.save(tmp_path / "seq")
    loaded = FitResult.load(tmp_path / "seq")
    np.testing.assert_allclose(loaded.predict(xs[:10]), r.predict(xs[:10]), rtol=1e-5)


def test_digits_builtin_tiny():
    r = seqkit.fit_sequence_classifier("digits", units=16, epochs=2, learning_rate=1e-2,
                                       verbose=0)
    assert len(r.class_names) == 10 and r.data_info["n_features"] == 8
    # 10 balanced classes: chance is ~0.1
    assert r.metrics["accuracy"] > 0.3, r.summary()
    assert np.array(r.metrics["confusion_matrix"]).shape == (10, 10)


def test_same_seed_same_metrics():
    xs, ys = memory_task(120, seed=3)
    kw = {"units": 4, "epochs": 2, "verbose": 0, "seed": 11}
    a = seqkit.fit_sequence_classifier(xs, ys, **kw)
    b = seqkit.fit_sequence_classifier(xs, ys, **kw)
    assert a.metrics == b.metrics and a.history == b.history


@pytest.mark.parametrize("kwargs, error, match", [
    ({"units": 0}, ConfigError, "units"),
    ({"epochs": 0}, ConfigError, "epochs"),
    ({"cell": "LSTMx"}, ConfigError, "LSTMx"),
    ({"layers": 0}, ConfigError, "layers"),
])
def test_bad_options(kwargs, error, match):
    xs, ys = memory_task(20)
    with pytest.raises(error, match=match):
        seqkit.fit_sequence_classifier(xs, ys, verbose=0, **kwargs)


def test_bad_data():
    xs, ys = memory_task(20)
    with pytest.raises(DataError, match="20 sequences vs 19 labels"):
        seqkit.fit_sequence_classifier(xs, ys[:19], verbose=0)
    xs[3][2, 1] = np.nan
    with pytest.raises(DataError, match="NaN"):
        seqkit.fit_sequence_classifier(xs, ys, verbose=0)
    with pytest.raises(DataError, match="y"):
        seqkit.fit_sequence_classifier(np.zeros((4, 3, 2)), verbose=0)


def test_small_set_never_starves_a_class():
    """15 series in 5 classes (3 each): the 20% test and 10% val splits each take one series
    of every class (max(one per class, the fraction)), and training keeps one of each; a
    validation split of 5 is too few to judge by, so it trains too (MIN_VALIDATION)."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(15, 5, 1)).astype("float32")
    y = np.repeat(["a", "b", "c", "d", "e"], 3)
    r = seqkit.fit_sequence_classifier(x, y, units=4, epochs=1, verbose=0)
    assert r.data_info["split_sizes"] == {"train": 10, "val": 0, "test": 5}
    assert r.data_info["class_counts_train"] == {c: 2 for c in "abcde"}
    assert r.data_info["validation"].startswith("5 held-out example(s) are too few")
    assert r.metrics["confusion_matrix"] and np.sum(r.metrics["confusion_matrix"], axis=1) \
        .tolist() == [1] * 5  # one test series per class


def test_the_zero_step_warning_counts_real_steps_only():
    """A padded array without lengths=: trailing zeros are padding (no warning); a zero step
    before a row's last real step is data the mask will skip, and is counted."""
    import warnings

    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 6, 2)).astype("float32")
    x[:, 4:] = 0.0  # two steps of padding in every row
    y = np.array(["a", "b"] * 20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no false alarm about the padding
        seqkit.fit_sequence_classifier(x, y, units=4, epochs=1, verbose=0,
                                       baselines=())  # (a baseline that wins would warn)
    x[3, 1] = 0.0  # one real all-zero step inside row 3
    with pytest.warns(UserWarning, match=r"^1 real time step\(s\) are all zeros"):
        seqkit.fit_sequence_classifier(x, y, units=4, epochs=1, verbose=0)
