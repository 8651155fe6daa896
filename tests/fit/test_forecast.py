"""fit_forecaster end to end: beats the naive forecast on a noisy sine, answers in original
units, fits its scaler on the training split only, trains on a built-in real series."""

import json

import numpy as np
import pytest

import seqkit
from seqkit.errors import ConfigError, DataError
from seqkit.fit import FitResult

WINDOW, HORIZON = 24, 5


def noisy_sine(n=600, period=20, noise=0.1, offset=0.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return (offset + np.sin(2 * np.pi * t / period) + noise * rng.normal(size=n)).astype(
        "float32")


@pytest.fixture(scope="module")
def sine_result():
    # offset +1000: a model that forgot to undo its scaling would answer near 0
    series = noisy_sine(offset=1000.0)
    result = seqkit.fit_forecaster(series, window=WINDOW, horizon=HORIZON, units=16,
                                   epochs=10, learning_rate=1e-2, seed=0, verbose=0)
    return series, result


def test_noisy_sine_beats_naive_by_a_wide_margin(sine_result):
    _, r = sine_result
    m = r.metrics
    assert r.task == "forecasting"
    assert m["naive_kind"] == "naive (last value)"  # no period given, index has no dates
    # 5 steps ahead of a period-20 sine the last value is far off (naive MAE ~0.57); the
    # noise floor is ~0.08, so a working model sits far below MASE 1
    assert m["naive_mae"] > 0.4
    assert m["mase"] < 0.5, r.summary()
    assert m["beats_naive"] is True
    assert "WARNING" not in r.summary()


def test_forecasts_are_in_original_units_and_metrics_match_by_hand(sine_result):
    series, r = sine_result
    val_end = r.data_info["split_bounds"]["val_end"]
    test = series[val_end:]
    starts = range(len(test) - WINDOW - HORIZON + 1)
    x = np.stack([test[s:s + WINDOW] for s in starts])[..., None]
    y = np.stack([test[s + WINDOW:s + WINDOW + HORIZON] for s in starts])[..., None]
    pred = r.predict(x)  # raw windows in, original units out
    assert pred.shape == (len(starts), HORIZON, 1)
    assert np.all(np.abs(pred - 1000.0) < 2.0)  # around 1000, not around 0
    mae = float(np.mean(np.abs(pred - y)))
    assert mae == pytest.approx(r.metrics["mae"], rel=1e-4)
    naive = np.repeat(x[:, -1:, :], HORIZON, axis=1)
    assert float(np.mean(np.abs(naive - y))) == pytest.approx(r.metrics["naive_mae"],
                                                              rel=1e-5)
    # the model itself takes the raw window (input "window", output "forecast")
    np.testing.assert_allclose(r.model.predict(x, verbose=0), pred, rtol=1e-6)
    one = r.predict(x[0, :, 0])  # one univariate window [window]
    np.testing.assert_allclose(one, pred[:1], rtol=1e-5)


def test_save_load_plot_summary(sine_result, tmp_path):
    series, r = sine_result
    x = np.stack([series[i:i + WINDOW] for i in range(0, 100, 10)])[..., None]
    r.save(tmp_path / "fc")
    loaded = FitResult.load(tmp_path / "fc")
    np.testing.assert_allclose(loaded.predict(x), r.predict(x), rtol=1e-5)
    assert loaded.data_info["scaler"] == r.data_info["scaler"]
    json.loads((tmp_path / "fc" / "fit_result.json").read_text())
    png = r.plot_history(tmp_path / "fc.png").read_bytes()
    assert png[:4] == b"\x89PNG"
    s = r.summary()
    assert f"MASE {r.metrics['mase']:.3f}" in s and "MAE" in s


@pytest.mark.filterwarnings("ignore:the forecaster does not beat")  # 1 epoch: not the point
def test_scaler_is_fit_on_the_training_split_only():
    base = np.stack([noisy_sine(300, seed=1), noisy_sine(300, period=13, seed=2)], axis=1)
    kw = {"window": 12, "horizon": 2, "units": 4, "epochs": 1, "verbose": 0,
          "target_columns": ["f1"]}
    a = seqkit.fit_forecaster(base, **kw)
    train_end = a.data_info["split_bounds"]["train_end"]
    changed = base.copy()
    changed[train_end:] = changed[train_end:] * 10 + 50  # val and test only
    b = seqkit.fit_forecaster(changed, **kw)
    assert a.data_info["scaler"] == b.data_info["scaler"]
    train = base[:train_end].astype("float64")
    np.testing.assert_allclose(a.data_info["scaler"]["mean"], train.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(a.data_info["scaler"]["std"], train.std(axis=0), rtol=1e-6)
    # target column selection: one target of two inputs
    assert a.model.output_shape == (None, 2, 1)
    assert a.config["target_columns"] == ["f1"] and a.data_info["n_features"] == 2


@pytest.mark.filterwarnings("ignore:the forecaster does not beat")  # 1 epoch: not the point
def test_csv_with_dates_gives_the_seasonal_baseline(tmp_path):
    pd = pytest.importorskip("pandas")
    values = noisy_sine(240, period=12, seed=3) + 20.0
    frame = pd.DataFrame({"month": pd.date_range("2000-01-01", periods=240, freq="MS"),
                          "temp": values, "other": np.arange(240.0)})
    frame.to_csv(tmp_path / "series.csv", index=False)
    r = seqkit.fit_forecaster(tmp_path / "series.csv", time_column="month", columns=["temp"],
                              window=24, horizon=2, units=4, epochs=1, verbose=0)
    # monthly dates -> period 12 -> seasonal naive on the same test windows
    assert r.data_info["period"] == 12
    assert r.metrics["naive_kind"] == "seasonal naive (period 12)"
    assert r.data_info["time_start"].startswith("2000-01-01")
    val_end = r.data_info["split_bounds"]["val_end"]
    test = values[val_end:]
    starts = range(len(test) - 24 - 2 + 1)
    y = np.stack([test[s + 24:s + 26] for s in starts])
    seasonal = np.stack([test[s + 12:s + 14] for s in starts])  # one season before
    assert r.metrics["naive_mae"] == pytest.approx(float(np.mean(np.abs(seasonal - y))),
                                                   rel=1e-5)


def test_builtin_real_series_tiny_config():
    pytest.importorskip("statsmodels", reason="the built-in series ship with statsmodels")
    r = seqkit.fit_forecaster("co2", nan_policy="interpolate", window=60, horizon=4, stride=2,
                              units=8, epochs=2, learning_rate=5e-3, verbose=0)
    m = r.metrics
    assert m["naive_kind"] == "seasonal naive (period 52)"
    assert np.isfinite([m["mae"], m["rmse"], m["smape"], m["mase"]]).all()
    # CO2 is ~310-370 ppm: errors of a few ppm at most (a scaling bug gives ~300)
    assert m["mae"] < 5.0
    # residual model: it starts at the last value, which beats seasonal naive on this trend
    assert m["mase"] < 1.0
    assert r.data_info["split_sizes"]["train"] + r.data_info["split_sizes"]["val"] + \
        r.data_info["split_sizes"]["test"] == 2284


def test_warns_when_not_beating_naive():
    smooth = noisy_sine(300, period=200, noise=0.0)  # the last value is almost right
    with pytest.warns(UserWarning, match="does not beat"):
        r = seqkit.fit_forecaster(smooth, window=10, horizon=1, residual=False, units=4,
                                  epochs=1, learning_rate=1e-5, verbose=0)
    assert r.metrics["beats_naive"] is False and r.metrics["mase"] >= 1.0
    assert "does not beat the naive" in r.summary()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"horizon": 0}, ConfigError, "horizon"),
    ({"window": 0}, ConfigError, "window"),
    ({"window": 150}, DataError, "window=150"),
    ({"units": 0}, ConfigError, "units"),
    ({"epochs": 0}, ConfigError, "epochs"),
    ({"cell": "rnn"}, ConfigError, "'rnn'.*lstm, gru"),
    ({"target_columns": ["nope"]}, DataError, "nope"),
])
def test_bad_options_raise_named_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        seqkit.fit_forecaster(noisy_sine(200), **{"verbose": 0, **kwargs})


def test_nan_is_refused_unless_a_policy_is_given():
    s = noisy_sine(200)
    s[50] = np.nan
    with pytest.raises(DataError, match="NaN"):
        seqkit.fit_forecaster(s, window=8, verbose=0)
