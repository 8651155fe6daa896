"""fit_sequence_classifier with a given or official test split, and aeon's layout: metrics
on exactly the test examples, layout="NCT" equal to the same data transposed by hand."""

import numpy as np
import pytest

import seqkit
from seqkit.errors import ConfigError, DataError
from seqkit.fit import FitResult

TINY = {"units": 4, "epochs": 1, "verbose": 0, "seed": 0}


def _data(n, seed=0, t=7, channels=2):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, channels)).astype("float32")  # seqkit's [N, T, F]
    y = np.where(x[:, :, 0].mean(axis=1) > 0, "2", "1")
    return x, y


def test_test_split_is_exactly_the_given_examples():
    x, y = _data(60)
    x_test, y_test = _data(23, seed=1)
    r = seqkit.fit_sequence_classifier(x, y, test=(x_test, y_test), **TINY)
    assert r.metrics["n"] == len(x_test) == 23
    assert r.data_info["split_sizes"]["test"] == 23 and r.data_info["test_split"] == "given"
    assert r.data_info["split_sizes"]["train"] + r.data_info["split_sizes"]["val"] == 60
    assert r.config["test_fraction"] is None
    # the metrics are those of predicting exactly that test split
    again = r.evaluate(x_test, y_test)
    assert again["accuracy"] == pytest.approx(r.metrics["accuracy"])
    assert again["confusion_matrix"] == r.metrics["confusion_matrix"]


def test_layout_nct_equals_a_hand_transpose(tmp_path):
    x, y = _data(50)
    x_test, y_test = _data(17, seed=2)
    ntf = seqkit.fit_sequence_classifier(x, y, test=(x_test, y_test), **TINY)
    nct = seqkit.fit_sequence_classifier(x.transpose(0, 2, 1), y,
                                         test=(x_test.transpose(0, 2, 1), y_test),
                                         layout="NCT", **TINY)
    assert nct.config["layout"] == "NCT" and ntf.config["layout"] == "NTF"
    assert nct.metrics == ntf.metrics and nct.history == ntf.history
    np.testing.assert_allclose(nct.predict(x_test.transpose(0, 2, 1)), ntf.predict(x_test),
                               rtol=1e-6, atol=1e-6)
    # predict reads the fit's layout, or the one it is told
    np.testing.assert_allclose(nct.predict(x_test, layout="NTF"), ntf.predict(x_test),
                               rtol=1e-6, atol=1e-6)
    loaded = FitResult.load(nct.save(tmp_path / "nct"))
    assert loaded.predict_labels(x_test.transpose(0, 2, 1)) == ntf.predict_labels(x_test)
    with pytest.raises(DataError, match="pass layout='NCT'"):
        ntf.predict(x_test.transpose(0, 2, 1))


def test_unequal_lengths_in_aeons_layout():
    rng = np.random.default_rng(3)
    series = [rng.normal(size=(3, int(rng.integers(4, 9)))) for _ in range(40)]  # [C, T_i]
    y = np.array(["a", "b"] * 20)
    by_hand = [s.T for s in series]  # [T_i, C]
    a = seqkit.fit_sequence_classifier(series[:30], y[:30], test=(series[30:], y[30:]),
                                       layout="NCT", **TINY)
    b = seqkit.fit_sequence_classifier(by_hand[:30], y[:30], test=(by_hand[30:], y[30:]),
                                       **TINY)
    assert a.metrics == b.metrics and a.metrics["n"] == 10
    assert a.data_info["length_max"] == max(s.shape[1] for s in series)


def test_official_split_of_a_ucr_name():
    pytest.importorskip("aeon")
    r = seqkit.fit_sequence_classifier("ucr:ArrowHead", **TINY)
    assert r.class_names == ["0", "1", "2"]
    assert r.metrics["n"] == 175 and r.data_info["test_split"] == "official"
    # val took one of each class (4): too few to judge by, so all 36 train (12 per class)
    assert r.data_info["split_sizes"] == {"train": 36, "val": 0, "test": 175}
    assert r.data_info["class_counts_train"] == {"0": 12, "1": 12, "2": 12}


@pytest.mark.parametrize("kwargs, error, match", [
    ({"test_fraction": 0.2}, ConfigError, "test_fraction must be None with test="),
    ({"test": ([1, 2, 3],)}, ConfigError, r"test must be a pair \(x_test, y_test\)"),
    ({"layout": "CTN"}, ConfigError, "layout must be one of"),
])
def test_bad_test_and_layout_options(kwargs, error, match):
    x, y = _data(20)
    kwargs = {"test": (x[:5], y[:5]), **kwargs}
    with pytest.raises(error, match=match):
        seqkit.fit_sequence_classifier(x, y, **kwargs, **TINY)


def test_bad_test_data():
    x, y = _data(30)
    with pytest.raises(DataError, match="'3'"):  # a class the training split lacks
        seqkit.fit_sequence_classifier(x, y, test=(x[:4], ["1", "2", "3", "1"]), **TINY)
    with pytest.raises(DataError, match="test sequences have 3 features"):
        seqkit.fit_sequence_classifier(x, y, test=(_data(4, channels=3)[0], y[:4]), **TINY)
    with pytest.raises(ConfigError, match="must be left out"):
        seqkit.fit_sequence_classifier("digits", test=(x, y), **TINY)
    pytest.importorskip("aeon")
    with pytest.raises(ConfigError, match="test_fraction must be None for"):
        seqkit.fit_sequence_classifier("ucr:ArrowHead", test_fraction=0.2, **TINY)
