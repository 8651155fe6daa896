"""fit_sequence_regressor (issue 23): its metrics against scikit-learn and NumPy, the
target's standardisation inside the model, masking, quantiles, the baselines against aeon,
the TSER loader against aeon's, and the errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import seqkit
from seqkit.errors import ConfigError, DataError, DatasetUnavailableError
from seqkit.regression.baselines import run_baselines
from seqkit.regression.metrics import mean_baseline, regression_metrics
from seqkit.regression.model import Destandardize

FAST = {"units": 4, "epochs": 3, "verbose": 0, "frontend": "patches", "head": "last"}


def _data(n=80, t=8, seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, 2)).astype("float32") + offset
    return x, 100.0 + 5.0 * x[:, :, 0].mean(axis=1)  # far from 0, not unit scale


@pytest.fixture(scope="module")
def fitted():
    x, y = _data()
    xt, yt = _data(30, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seqkit.fit_sequence_regressor(x, y, test=(xt, yt), baselines=(), seed=0,
                                             **FAST), (xt, yt)


def test_metrics_equal_scikit_learn():
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    rng = np.random.default_rng(3)
    y, p = rng.normal(size=50), rng.normal(size=50)
    m = regression_metrics(y, p)
    assert m["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, p)), rel=1e-12)
    assert m["mae"] == pytest.approx(mean_absolute_error(y, p), rel=1e-12)
    assert m["r2"] == pytest.approx(r2_score(y, p), rel=1e-12)
    # the mean predictor: sqrt(mean((test - mean(train))^2)), by hand
    assert mean_baseline([1.0, 2.0, 6.0], [4.0, 0.0])["rmse"] == pytest.approx(
        np.sqrt(((4 - 3) ** 2 + (0 - 3) ** 2) / 2))


def test_test_metrics_are_the_served_predictions_scored(fitted):
    result, (xt, yt) = fitted
    pred = result.predict(xt)
    assert pred.shape == (30,)
    err = pred - yt
    assert result.metrics["rmse"] == pytest.approx(np.sqrt(np.mean(err ** 2)), rel=1e-5)
    assert result.metrics["n"] == 30 and result.data_info["test_split"] == "given"
    assert result.metrics["baselines"]["mean"]["rmse"] == pytest.approx(np.sqrt(np.mean(
        (yt - np.mean(np.concatenate([_data()[1]]))) ** 2)), rel=1e-6)
    assert result.evaluate(xt, yt)["rmse"] == pytest.approx(result.metrics["rmse"], rel=1e-5)


def test_the_network_learns_the_standardised_target_and_serves_original_units(fitted):
    result, (xt, _) = fitted
    model = result.model
    scaled = model.get_layer("prediction_scaled").output
    import keras

    view = keras.Model(model.input, scaled)
    mean, std = result.data_info["target_mean"], result.data_info["target_std"]
    train_y = _data()[1]
    assert 90 < mean < 110 and std > 0.5  # the training split's statistics, not 0/1
    assert abs(mean - train_y.mean()) < 2 * train_y.std()
    np.testing.assert_allclose(result.predict(xt), view.predict(xt, verbose=0)[:, 0] * std
                               + mean, rtol=1e-6)


def test_a_learnable_target_beats_the_mean():
    x, y = _data(200)
    xt, yt = _data(50, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = seqkit.fit_sequence_regressor(x, y, test=(xt, yt), baselines=(), seed=0,
                                               units=8, epochs=40, verbose=0,
                                               frontend="patches")
    assert result.metrics["beats"]["mean"]
    assert result.metrics["r2"] > 0.5


def test_masking_auto_masks_lists_not_equal_length_arrays():
    x, y = _data(40)
    x[:, :3] = 0.0  # leading zero steps: values (counts before the first case), not padding
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dense = seqkit.fit_sequence_regressor(x, y, baselines=(), **FAST)
        listed = seqkit.fit_sequence_regressor([s[: 4 + i % 4] for i, s in enumerate(x)],
                                               y, baselines=(), **FAST)
    names = lambda r: {layer.name for layer in r.model.layers}  # noqa: E731
    assert "mask_padding" not in names(dense) and not dense.data_info["masked"]
    assert "mask_padding" in names(listed) and listed.data_info["masked"]
    assert dense.data_info["length_min"] == 8  # the zeros count as steps
    with pytest.raises(DataError, match="masking=False needs an equal-length"):
        seqkit.fit_sequence_regressor([s[: 4 + i % 4] for i, s in enumerate(x)], y,
                                      masking=False, **FAST)


def test_quantiles_are_non_crossing_and_exported(tmp_path):
    import tensorflow as tf

    x, y = _data(80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = seqkit.fit_sequence_regressor(x, y, quantiles=[0.1, 0.9], baselines=(),
                                               **FAST)
    out = result.predict(x[:5])
    assert out["quantiles"].shape == (5, 3)
    assert np.all(np.diff(out["quantiles"], axis=1) >= 0)
    np.testing.assert_array_equal(out["prediction"], out["quantiles"][:, 1])
    assert set(result.metrics["quantiles"]["coverage"]) == {"80%"}
    info = result.export(tmp_path / "q")
    served = tf.saved_model.load(info.path).signatures["serving_default"](
        sequence=tf.constant(x[:5]))
    assert set(served) == {"prediction", "quantiles"}
    np.testing.assert_allclose(served["quantiles"].numpy(), out["quantiles"], rtol=1e-5,
                               atol=1e-4)


def test_one_nn_dtw_baseline_is_the_nearest_series_target():
    from aeon.distances import dtw_distance

    x, y = _data(20, t=6)
    xt, yt = _data(5, t=6, seed=2)
    got = run_baselines(("dtw_1nn",), (x, y), (xt, yt), masked=False)["dtw_1nn"]
    pred = [y[np.argmin([dtw_distance(a.T.astype("float64"), b.T.astype("float64"))
                         for b in x])] for a in xt]
    assert got["rmse"] == pytest.approx(np.sqrt(np.mean((np.array(pred) - yt) ** 2)))


def test_tser_loader_equals_aeon():
    from aeon.datasets import load_regression

    from seqkit.data.sequences import load_tser

    parts, _ = load_tser("tser:CardanoSentiment")
    for split in ("train", "test"):
        x, y = load_regression("CardanoSentiment", split=split)
        np.testing.assert_array_equal(parts[split][0], x)
        np.testing.assert_array_equal(parts[split][1], y.astype("float64"))
    with pytest.raises(DatasetUnavailableError, match="seqkit never downloads"):
        load_tser("tser:NoSuchProblem")


def test_splits_partition_the_data_and_each_spans_the_target():
    from seqkit.regression.task import _split

    x, y = _data(100)
    parts = _split(x, y, 0.2, 0.2, seed=0)
    assert sum(len(p[1]) for p in parts) == 100
    assert len(set(np.concatenate([p[1] for p in parts]))) == len(set(y))
    lo, hi = np.quantile(y, [0.2, 0.8])
    for _, part_y in parts:  # each split has targets below the 1st and above the 4th quintile
        assert part_y.min() <= lo and part_y.max() >= hi


@pytest.mark.parametrize("kwargs, error, match", [
    ({"y": [1.0] * 39 + [np.nan]}, DataError, "y must be finite.*index 39"),
    ({"y": [1.0] * 10}, DataError, "y has 10 targets but x has 40"),
    ({"y": None}, DataError, "y .one number per sequence. is required"),
    ({"masking": "yes"}, ConfigError, "masking must be"),
    ({"quantiles": [0.9, 0.1]}, ConfigError, "quantiles.1. must be"),
    ({"baselines": ["rocket", "tfidf_logreg"]}, ConfigError, "'tfidf_logreg' is not a"),
])
def test_bad_input_is_named(kwargs, error, match):
    x, y = _data(40)
    with pytest.raises(error, match=match):
        seqkit.fit_sequence_regressor(x, **{"y": y, **kwargs}, **FAST)


def test_a_dataset_name_refuses_targets_and_splits():
    with pytest.raises(ConfigError, match=r"brings its targets and its splits: \['y'\]"):
        seqkit.fit_sequence_regressor("tser:Covid3Month", y=[1.0], **FAST)
    with pytest.raises(DataError, match="x must be sequences or 'tser:<Name>'"):
        seqkit.fit_sequence_regressor("ucr:ArrowHead", **FAST)


def test_destandardize_round_trips_its_config():
    layer = Destandardize(3.0, 2.0, select=None, name="q")
    again = Destandardize.from_config(layer.get_config())
    np.testing.assert_allclose(np.asarray(again(np.array([[1.0, -1.0]], "float32"))),
                               [[5.0, 1.0]])
    with pytest.raises(ConfigError, match="target_std must be"):
        Destandardize(0.0, 0.0)
