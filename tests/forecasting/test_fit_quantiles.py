"""Quantile forecasts on a series with known Gaussian noise: the 80 % interval covers about
80 % of the held-out points and is about as wide as the noise's own 10-90 % range, the
pinball loss and coverage reported equal a NumPy recomputation from ``result.predict``,
the quantiles never cross, the median is the point forecast, and the exported SavedModel's
``serving_default`` answers what Keras answers."""

import math

import numpy as np
import pytest

import seqkit
from seqkit.fit import FitResult

N, PERIOD, WINDOW, HORIZON, SIGMA = 800, 20, 40, 5, 0.3
LEVELS = (0.1, 0.5, 0.9)
Z90 = 1.2815515655446004  # the standard normal's 0.9 quantile


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(1)
    t = np.arange(N)
    signal = np.sin(2 * np.pi * t / PERIOD)
    series = (signal + SIGMA * rng.normal(size=N)).astype("float32")
    result = seqkit.fit_forecaster(series, window=WINDOW, horizon=HORIZON, period=PERIOD,
                                   quantiles=LEVELS, baselines=("seasonal_naive",), units=16,
                                   epochs=30, batch_size=32, learning_rate=1e-2, seed=0,
                                   verbose=0)
    val_end = result.data_info["split_bounds"]["val_end"]
    origins = np.arange(val_end, N - HORIZON + 1)
    x = np.stack([series[o - WINDOW:o] for o in origins])
    y = np.stack([series[o:o + HORIZON] for o in origins]).astype("float64")
    return result, x, y, signal[origins[:, None] + np.arange(HORIZON)]


def test_predict_returns_the_forecast_and_non_crossing_quantiles(fitted):
    r, x, _, _ = fitted
    assert r.config["quantiles"] == list(LEVELS)
    assert r.config["loss"] == "pinball on standardised targets"
    out = r.predict(x)
    assert set(out) == {"forecast", "quantiles"}
    assert out["forecast"].shape == (len(x), HORIZON, 1)
    assert out["quantiles"].shape == (len(x), HORIZON, 3, 1)
    np.testing.assert_array_equal(out["forecast"], out["quantiles"][:, :, 1, :])  # median
    assert np.all(np.diff(out["quantiles"], axis=2) >= 0)
    # by construction, not by luck: windows far from anything seen in training too
    odd = r.predict(np.concatenate([x[:8] * 50.0, x[:8] - 200.0, np.zeros((2, WINDOW))]))
    assert np.all(np.diff(odd["quantiles"], axis=2) >= 0)


def test_interval_coverage_and_width_match_the_known_noise(fitted):
    r, x, y, _ = fitted
    q = r.predict(x)["quantiles"][..., 0].astype("float64")
    coverage = np.mean((q[:, :, 0] <= y) & (y <= q[:, :, 2]))
    assert 0.65 <= coverage <= 0.95
    # the noise's own 80 % range is 2 * 1.2816 * sigma = 0.77 wide
    width = np.mean(q[:, :, 2] - q[:, :, 0])
    assert 0.6 * 2 * Z90 * SIGMA < width < 1.5 * 2 * Z90 * SIGMA
    assert r.metrics["quantiles"]["coverage"] == {"80%": pytest.approx(coverage, abs=1e-12)}


def test_pinball_loss_per_level_equals_numpy(fitted):
    r, x, y, signal = fitted
    q = r.predict(x)["quantiles"][..., 0].astype("float64")
    reported = r.metrics["quantiles"]
    losses = []
    for j, level in enumerate(LEVELS):
        e = y - q[:, :, j]
        losses.append(np.mean(np.maximum(level * e, (level - 1) * e)))
        assert reported["pinball"][f"{level:g}"] == pytest.approx(losses[-1], rel=1e-5)
    assert reported["mean_pinball"] == pytest.approx(np.mean(losses), rel=1e-5)
    # the true quantiles (signal + sigma * z) would score sigma * phi(z) per outer level
    # (0.0526) and sigma / sqrt(2 pi) at the median (0.1197); the model is near them
    best_outer = SIGMA * math.exp(-Z90 ** 2 / 2) / math.sqrt(2 * math.pi)
    assert losses[0] < 1.5 * best_outer and losses[2] < 1.5 * best_outer
    assert losses[1] < 1.3 * SIGMA / math.sqrt(2 * math.pi)
    # the point metrics are the median's
    med = q[:, :, 1]
    assert r.metrics["mae"] == pytest.approx(np.mean(np.abs(med - y)), rel=1e-5)
    assert np.mean(np.abs(med - signal)) < SIGMA  # close to the noiseless signal


def test_save_load_keeps_the_quantiles(fitted, tmp_path):
    r, x, _, _ = fitted
    loaded = FitResult.load(r.save(tmp_path / "q"))
    a, b = r.predict(x[:10]), loaded.predict(x[:10])
    for key in ("forecast", "quantiles"):
        np.testing.assert_allclose(b[key], a[key], rtol=1e-6, atol=1e-6)


def test_exported_serving_default_returns_forecast_and_quantiles(fitted, tmp_path):
    tf = pytest.importorskip("tensorflow")
    r, x, _, _ = fitted
    info = seqkit.export(r, tmp_path / "forecaster")
    assert info.signature_name == "serving_default"
    assert info.inputs == {"window": {"dtype": "float32", "shape": [None, WINDOW, 1]}}
    assert info.outputs == {
        "forecast": {"dtype": "float32", "shape": [None, HORIZON, 1]},
        "quantiles": {"dtype": "float32", "shape": [None, HORIZON, 3, 1]}}
    serve = tf.saved_model.load(info.path).signatures["serving_default"]
    windows = x[:16, :, None].astype("float32")
    got = {k: v.numpy() for k, v in serve(window=tf.constant(windows)).items()}
    want = r.predict(windows)
    assert set(got) == {"forecast", "quantiles"}
    for key in ("forecast", "quantiles"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-5)
