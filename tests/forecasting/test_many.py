"""Many series, one global model: three series of one pattern on levels 1, 1000 and 1e6
trained together with per-window scaling, every series' metrics recomputed here from
``result.predict`` (its own in-sample MASE scale) and the aggregate the mean of them, and
aeon's bundled M1 yearly set (181 short series). A long frame with id, time and static
columns trains in test_forecast_covariates.py."""

import warnings

import numpy as np
import pytest

import seqkit
from seqkit.errors import DataError

N, PERIOD, WINDOW, HORIZON = 200, 12, 24, 3
LEVELS = {"small": 1.0, "mid": 1000.0, "big": 1e6}


@pytest.fixture(scope="module")
def levels():
    rng = np.random.default_rng(3)
    t = np.arange(N)
    series = {name: (scale * (2.0 + np.sin(2 * np.pi * t / PERIOD)
                              + 0.1 * rng.normal(size=N))).astype("float32")
              for name, scale in LEVELS.items()}
    r = seqkit.fit_forecaster(series, window=WINDOW, horizon=HORIZON, period=PERIOD,
                              baselines=("seasonal_naive", "last_value"), units=16, epochs=10,
                              batch_size=32, learning_rate=1e-2, seed=0, verbose=0)
    return series, r


def test_one_model_with_window_scaling(levels):
    _, r = levels
    assert r.config["scaling"] == "window"
    assert r.data_info["n_series"] == 3 and r.data_info["series_ids"] == list(LEVELS)
    assert r.data_info["series_lengths"] == [N] * 3
    assert r.metrics["n_series"] == 3 and set(r.metrics["per_series"]) == set(LEVELS)


def test_per_series_metrics_recomputed_and_the_aggregate_is_their_mean(levels):
    series, r = levels
    bounds = r.data_info["split_bounds"]  # every series has the same length here
    origins = np.arange(bounds["val_end"], N - HORIZON + 1)
    mases, maes = [], []
    for name, values in series.items():
        x = np.stack([values[o - WINDOW:o] for o in origins])
        y = np.stack([values[o:o + HORIZON] for o in origins]).astype("float64")
        pred = r.predict(x)[..., 0].astype("float64")
        given = values[:bounds["val_end"]].astype("float64")  # before its test part
        scale = np.mean(np.abs(given[PERIOD:] - given[:-PERIOD]))
        mae = np.mean(np.abs(pred - y))
        mine = r.metrics["per_series"][name]
        assert mine["n_origins"] == len(origins)
        assert mine["mae"] == pytest.approx(mae, rel=1e-4)
        assert mine["mase"] == pytest.approx(mae / scale, rel=1e-4)
        seasonal = np.stack([values[o - PERIOD:o - PERIOD + HORIZON] for o in origins])
        assert mine["baselines"]["seasonal_naive"]["mae"] == pytest.approx(
            np.mean(np.abs(seasonal - y)), rel=1e-5)
        # a level-free model: every level is forecast alike, far better than the last value
        assert mine["mase"] < 0.5 * mine["baselines"]["last_value"]["mase"]
        mases.append(mae / scale)
        maes.append(mae)
    m = r.metrics
    assert m["mase"] == pytest.approx(np.mean(mases), rel=1e-4)  # M4: the mean over series
    assert m["mae"] == pytest.approx(np.mean(maes), rel=1e-4)
    for name, b in m["baselines"].items():
        per = [m["per_series"][s]["baselines"][name]["mase"] for s in LEVELS]
        assert b["mase"] == pytest.approx(np.mean(per), rel=1e-9)
        assert m["beats"][name] is bool(m["mase"] < b["mase"])


def test_an_unknown_series_id_is_named(levels):
    series, r = levels
    window = series["mid"][-WINDOW:]
    np.testing.assert_array_equal(r.predict(window, series="mid"), r.predict(window))
    with pytest.raises(DataError, match=r"unknown series 'huge'; known: \['big', 'mid', "
                                        r"'small'\]"):
        r.predict(window, series="huge")


def test_predict_series_forecasts_from_the_end_of_a_named_series(levels):
    series, r = levels
    for name, values in series.items():
        np.testing.assert_allclose(r.predict_series(name), r.predict(values[-WINDOW:]),
                                   rtol=1e-6)
    with pytest.raises(DataError, match="unknown series 'huge'"):
        r.predict_series("huge")


def test_scaled_per_series_the_level_does_not_matter(levels):
    # the same shape at two levels gives forecasts in the same ratio
    series, r = levels
    window = series["small"][-WINDOW:]
    a = r.predict(window).astype("float64")
    b = r.predict(window * np.float32(1e6)).astype("float64")
    np.testing.assert_allclose(b, 1e6 * a, rtol=1e-3)


def test_m1_yearly_181_short_series():
    pytest.importorskip("aeon", reason="the M1 file ships in the aeon wheel")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "the forecaster does not beat")
        r = seqkit.fit_forecaster("m1_yearly", window=8, horizon=6, test_size=6, val_size=0,
                                  baselines=("last_value", "drift"), units=8, epochs=5,
                                  verbose=0)
    m = r.metrics
    lengths = r.data_info["series_lengths"]
    assert r.config["scaling"] == "window" and len(lengths) == 181
    assert min(lengths) == 15 and max(lengths) == 58
    assert m["n_series"] == 181 and len(m["per_series"]) == 181
    assert m["n_origins"] == 181  # each series' last 6 years, short ones included
    # short series (< 8 + 6 + 6) have no training window but are scored at their origin
    assert r.data_info["n_windows"]["train"] == sum(max(0, n - 19) for n in lengths)
    assert m["mase"] == pytest.approx(np.mean([s["mase"] for s in m["per_series"].values()]))
    for name in ("last_value", "drift"):
        assert np.isfinite(m["baselines"][name]["mase"])
    # one of the shortest series by hand: in-sample = its first 15 - 6 = 9 years, m = 1
    from seqkit.data.timeseries import load_series_collection

    coll = load_series_collection("m1_yearly")
    name = coll.ids[lengths.index(15)]
    values = coll[name].values[:, 0].astype("float64")
    pred = r.predict(values[1:9].astype("float32"))[0, :, 0]
    scale = np.mean(np.abs(np.diff(values[:9])))
    mine = m["per_series"][name]
    assert mine["mase_m"] == 1 and mine["n_origins"] == 1
    assert mine["mase"] == pytest.approx(np.mean(np.abs(pred - values[9:])) / scale, rel=1e-4)
    drift = values[8] + np.arange(1, 7) * (values[8] - values[0]) / 8
    assert mine["baselines"]["drift"]["mae"] == pytest.approx(
        np.mean(np.abs(drift - values[9:])), rel=1e-9)
