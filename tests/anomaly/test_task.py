"""fit_anomaly_detector (issue 23): the scores against NumPy, the scale and threshold
against validation by hand, the reconstruction scorer's per-point mean, the export's
is_anomaly, and the errors."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest

import seqkit
from seqkit.anomaly import score_series
from seqkit.anomaly.metrics import anomaly_metrics
from seqkit.errors import ConfigError, DataError

FAST = {"units": 4, "epochs": 2, "verbose": 0, "window": 8, "baselines": ()}
SPIKE = 330


def _series(n=400):
    t, spike = np.arange(n), n - 70  # SPIKE for 400 points
    x = np.sin(2 * np.pi * t / 16) + 0.05 * np.random.default_rng(0).normal(size=n)
    x[spike] += 4.0
    return x, (np.abs(t - spike) <= 1).astype(int)


@pytest.fixture(scope="module")
def forecast():
    x, labels = _series()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seqkit.fit_anomaly_detector(x, labels, train_end=250, seed=0,
                                           threshold="quantile", **FAST)


def _windows(x, length):
    return np.stack([x[i:i + length] for i in range(len(x) - length + 1)])[..., None]


def test_forecast_scores_are_the_next_points_scaled_squared_error(forecast):
    x, _ = _series()
    model = forecast.model
    nxt = keras.Model(model.input, model.get_layer("next_point").output)
    w = _windows(x, 9).astype("float32")
    pairs = np.concatenate([w[:, :-1], w[:, 1:]], axis=2)  # (x_{t-1}, x_t) per step
    mean, std = x[:250].mean(), x[:250].std()
    # the forecast after reading the window's first 8 points, against its 9th
    err = (nxt.predict(pairs, verbose=0)[:, -1, 0] - (w[:, 8, 0] - mean) / std) ** 2
    scale = model.get_layer("anomaly_score").scale
    np.testing.assert_allclose(score_series(forecast, x)[8:], err / scale, rtol=2e-4, atol=1e-6)
    assert np.all(score_series(forecast, x)[:8] == 0)
    # the scale is the median error of the validation windows (points 200..249 ending them)
    val_err = err[200 - 8:250 - 8]
    assert scale == pytest.approx(np.median(val_err), rel=1e-4)


def test_threshold_is_the_validation_quantile_and_the_metrics_use_it(forecast):
    x, labels = _series()
    scores = score_series(forecast, x)
    threshold = forecast.config["threshold_value"]
    assert threshold == pytest.approx(np.quantile(scores[200:250], 0.999), rel=1e-6)
    want = anomaly_metrics(labels[250:], scores[250:], threshold)
    for key in ("range_f1", "f1", "pa_f1", "roc_auc"):
        assert forecast.metrics[key] == pytest.approx(want[key], rel=1e-6)
    assert forecast.metrics["n_flagged"] == int(np.sum(scores[250:] > threshold))
    assert 250 + int(np.argmax(scores[250:])) in range(SPIKE - 1, SPIKE + 10)
    assert forecast.metrics["ucr"] == 1.0


def test_export_flags_windows_above_the_threshold(forecast, tmp_path):
    import tensorflow as tf

    x, _ = _series()
    w = _windows(x, 9).astype("float32")[300:340]
    pairs = np.concatenate([w[:, :-1], w[:, 1:]], axis=2)
    info = forecast.export(tmp_path / "ad")
    loaded = tf.saved_model.load(info.path)
    out = loaded.signatures["serving_default"](pairs=tf.constant(pairs))
    score = out["anomaly_score"].numpy()
    np.testing.assert_allclose(score, forecast.predict(w), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(out["is_anomaly"].numpy(),
                                  score > forecast.config["threshold_value"])
    assert out["is_anomaly"].numpy().any()
    # a live stream, one pair (previous point, new point) per call, O(1) each: the score
    # after the 8 pairs of a window equals the window's
    step = loaded.signatures["serving_step"]
    states = {s["name"]: tf.zeros((1, s["units"])) for s in info.streaming["states"]}
    for t in range(8):
        got = step(pairs=tf.constant(pairs[-1:, t:t + 1]), **states)
        states = {k: got[k] for k in states}
    assert got["anomaly_score"].numpy()[0] == pytest.approx(score[-1], rel=1e-5, abs=1e-6)
    assert bool(got["is_anomaly"].numpy()[0]) == bool(score[-1] > forecast.config[
        "threshold_value"])


def test_the_default_threshold_is_telemanoms_on_the_scored_part():
    from seqkit.anomaly.thresholds import dynamic_threshold

    x, labels = _series(300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = seqkit.fit_anomaly_detector(x, labels, train_end=200, **FAST)
    scores = score_series(result, x)
    assert result.config["threshold"] == "dynamic"
    assert result.config["threshold_value"] == pytest.approx(
        dynamic_threshold(scores[200:]).threshold, rel=1e-6)


def test_reconstruction_scores_average_the_windows_covering_each_point():
    x, labels = _series(300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = seqkit.fit_anomaly_detector(x, labels, train_end=200, scorer="reconstruction",
                                             **FAST)
    w = _windows(x, 8).astype("float32")
    per_window = result.predict(w)
    want = np.array([per_window[max(0, t - 7):t + 1].mean() for t in range(300)])
    np.testing.assert_allclose(score_series(result, x), want, rtol=1e-5)
    assert result.data_info["input_length"] == 8


def test_without_train_end_the_whole_series_trains_and_is_scored():
    x, labels = _series(300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = seqkit.fit_anomaly_detector(x, labels, **FAST)
    assert result.data_info["score_start"] == 0 and result.data_info["val_start"] == 240
    assert result.metrics["n_scored"] == 300


@pytest.mark.parametrize("kwargs, error, match", [
    ({"threshold": "best_f1"}, ConfigError, "needs labelled anomalies in the validation"),
    ({"train_end": 9}, DataError, "too short for windows of 8"),
    ({"train_end": 5000}, DataError, "train_end must be at most the series' length 400"),
    ({"scorer": "vae"}, ConfigError, "scorer must be one of"),
    ({"quantile": 1.5}, ConfigError, r"quantile must be in \(0, 1\]"),
])
def test_bad_input_is_named(kwargs, error, match):
    x, labels = _series()
    with pytest.raises(error, match=match):
        seqkit.fit_anomaly_detector(x, labels, **{**FAST, "train_end": 250, **kwargs})


def test_series_and_labels_are_checked():
    x, labels = _series()
    x_nan = x.copy()
    x_nan[7] = np.nan
    with pytest.raises(DataError, match="the first at point 7"):
        seqkit.fit_anomaly_detector(x_nan, **FAST)
    with pytest.raises(ConfigError, match="brings its labels"):
        seqkit.fit_anomaly_detector("kdd_tsad_135", labels, **FAST)
    with pytest.raises(DataError):
        seqkit.fit_anomaly_detector(x, labels[:-5], **FAST)
