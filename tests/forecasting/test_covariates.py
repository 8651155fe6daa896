"""Covariates against series whose answer is known: a past covariate that leads the target
by the horizon, a future-known regressor the target is a multiple of (a forecast without
them cannot beat the target's own spread), calendar encodings of a monthly DatetimeIndex
read from a CSV (the 144-month series with a year each held out), static covariates
through a long frame, and the named errors for a missing or misshaped covariate."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import seqkit
from seqkit.data.timeseries import future_index
from seqkit.errors import DataError

N, WINDOW, HORIZON = 400, 6, 3
FAST = {"units": 16, "epochs": 30, "batch_size": 32, "learning_rate": 1e-2, "seed": 0,
        "verbose": 0}
HALF_NORMAL = math.sqrt(2 / math.pi)  # E|Z| of a standard normal


def origins_and_windows(frame, r, columns):
    val_end = r.data_info["split_bounds"]["val_end"]
    origins = np.arange(val_end, len(frame) - HORIZON + 1)
    values = frame[columns].to_numpy("float32")
    x = np.stack([values[o - WINDOW:o] for o in origins])
    return origins, x


# ----------------------------------------------------------------- past covariates
@pytest.fixture(scope="module")
def leading():
    # x is white noise and y_t = x_{t - H}: y's own past says nothing about y_o..y_{o+H-1}
    # (those are x_{o-H}..x_{o-1}, not yet in y's history), but x's past holds them
    rng = np.random.default_rng(5)
    x = rng.normal(size=N)
    y = np.concatenate([rng.normal(size=HORIZON), x[:-HORIZON]]) + 0.05 * rng.normal(size=N)
    frame = pd.DataFrame({"y": y, "x": x})
    r = seqkit.fit_forecaster(frame, target_columns=["y"], window=WINDOW, horizon=HORIZON,
                              baselines=("last_value",), **FAST)
    return frame, r


def test_a_leading_past_covariate_is_read(leading):
    frame, r = leading
    assert r.config["target_columns"] == ["y"] and r.data_info["n_features"] == 2
    assert [t.name for t in r.model.inputs] == ["window"]  # x is an input only
    assert r.model.output_shape == (None, HORIZON, 1)
    origins, x = origins_and_windows(frame, r, ["y", "x"])
    pred = r.predict(x)[..., 0]
    truth = np.stack([frame["y"].to_numpy()[o:o + HORIZON] for o in origins])
    mae = np.mean(np.abs(pred - truth))
    assert r.metrics["mae"] == pytest.approx(mae, rel=1e-5)
    # without x no forecast beats E|y - c| >= sd(y) * sqrt(2/pi) ~ 0.8 (y is white noise);
    # with it the model reads the targets off the window
    assert mae < 0.25 * HALF_NORMAL * frame["y"].std()
    assert r.metrics["relative_mae"]["last_value"] < 0.25
    with pytest.raises(DataError, match=r"\[N, 6, 2\] raw windows .* got shape \(6,\)"):
        r.predict(x[0, :, 0])  # the target alone is not enough
    with pytest.raises(DataError, match="future_covariates given, but this forecaster takes "
                                        "none"):
        r.predict(x, future_covariates=np.zeros((HORIZON, 1)))
    with pytest.raises(DataError, match="static_covariates given, but this forecaster takes "
                                        "none"):
        r.predict(x, static_covariates=[1.0])


# ----------------------------------------------------------------- future covariates
@pytest.fixture(scope="module")
def regressor():
    # y_t = 2 u_t + N(0, 0.1), u white noise known in advance (a price, a planned promotion)
    rng = np.random.default_rng(6)
    u = rng.normal(size=N)
    frame = pd.DataFrame({"y": 2.0 * u + 0.1 * rng.normal(size=N), "u": u})
    r = seqkit.fit_forecaster(frame, future_covariates=["u"], window=WINDOW,
                              horizon=HORIZON, baselines=("last_value",), **FAST)
    return frame, r


def test_a_future_regressor_gives_a_far_lower_error(regressor):
    frame, r = regressor
    assert r.data_info["future_covariates"] == ["u"]
    assert r.config["target_columns"] == ["y"]  # u is not forecast
    assert [t.name for t in r.model.inputs] == ["window", "future_covariates"]
    origins, x = origins_and_windows(frame, r, ["y", "u"])
    u, y = frame["u"].to_numpy("float32"), frame["y"].to_numpy()
    future = np.stack([u[o:o + HORIZON] for o in origins])[..., None]
    pred = r.predict(x, future_covariates=future)[..., 0]
    truth = np.stack([y[o:o + HORIZON] for o in origins])
    mae = np.mean(np.abs(pred - truth))
    assert r.metrics["mae"] == pytest.approx(mae, rel=1e-5)
    # without u the best forecast is y's mean: E|2u + e| ~ 2 * 0.8 = 1.6; with u the noise
    # floor is 0.1 * 0.8 = 0.08
    assert mae < 0.15 * 2.0 * HALF_NORMAL
    assert np.mean(np.abs(pred - 2.0 * future[..., 0])) < 0.2  # it learnt y = 2u
    # one [horizon, C] block is used for every window; the helper builds it too
    one = r.future_covariates_for(None, values=future[0])
    np.testing.assert_array_equal(one, future[0])
    np.testing.assert_allclose(r.predict(x[:1], future_covariates=one), pred[:1, :, None],
                               rtol=1e-5)


def test_the_exported_signature_takes_the_future_covariates(regressor, tmp_path):
    tf = pytest.importorskip("tensorflow")
    frame, r = regressor
    info = seqkit.export(r, tmp_path / "regressor", warmup=False)
    assert info.inputs == {"window": {"dtype": "float32", "shape": [None, WINDOW, 2]},
                           "future_covariates": {"dtype": "float32",
                                                 "shape": [None, HORIZON, 1]}}
    serve = tf.saved_model.load(info.path).signatures["serving_default"]
    _, x = origins_and_windows(frame, r, ["y", "u"])
    future = np.random.default_rng(0).normal(size=(len(x), HORIZON, 1)).astype("float32")
    got = serve(window=tf.constant(x), future_covariates=tf.constant(future))["forecast"]
    np.testing.assert_allclose(got.numpy(), r.predict(x, future_covariates=future),
                               rtol=1e-5, atol=1e-5)


def test_missing_or_misshaped_future_covariates_are_named(regressor):
    frame, r = regressor
    _, x = origins_and_windows(frame, r, ["y", "u"])
    with pytest.raises(DataError, match=r"needs future_covariates \[N, 3, 1\]: the columns "
                                        r"\['u'\] over the horizon"):
        r.predict(x)
    with pytest.raises(DataError, match=r"future_covariates must have shape \[4, 3, 1\] .*"
                                        r"got \(4, 2, 1\)"):
        r.predict(x[:4], future_covariates=np.zeros((4, 2, 1)))
    with pytest.raises(DataError, match="future_covariates contain NaN"):
        r.predict(x[:1], future_covariates=np.full((HORIZON, 1), np.nan))
    with pytest.raises(DataError, match=r"values of the future covariates \['u'\]"):
        r.future_covariates_for(None)


# ----------------------------------------------------------------- calendar
@pytest.fixture(scope="module")
def monthly(tmp_path_factory):
    rng = np.random.default_rng(7)
    t = np.arange(144)
    values = 100 + t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, 144)
    index = pd.date_range("1949-01-01", periods=144, freq="MS")
    path = tmp_path_factory.mktemp("csv") / "monthly.csv"
    pd.DataFrame({"month": index.strftime("%Y-%m-%d"), "passengers": values,
                  "other": rng.normal(size=144)}).to_csv(path, index=False)
    with warnings.catch_warnings():  # 2 epochs of 4 units: beating the naive is not the point
        warnings.filterwarnings("ignore", "the forecaster does not beat")
        r = seqkit.fit_forecaster(path, time_column="month", columns=["passengers"],
                                  calendar="auto", window=24, horizon=12, val_size=12,
                                  test_size=12, units=4, epochs=2, baselines=("seasonal_naive",),
                                  verbose=0)
    return values.astype("float32"), index, r


def month_encoding(index):
    angle = 2 * math.pi * (np.asarray(index.month, "float64") - 1) / 12
    return np.stack([np.sin(angle), np.cos(angle)], axis=1)


def test_144_months_fit_with_the_split_and_the_period_of_their_dates(monthly):
    values, _, r = monthly
    info = r.data_info
    assert info["n_windows"] == {"train": 85, "val": 1, "test": 1}
    assert info["split_bounds"] == {"train_end": 120, "val_end": 132, "n": 144}
    assert info["period"] == 12 and info["time_start"].startswith("1949-01-01")
    assert r.metrics["naive_kind"] == "seasonal naive (period 12)"
    assert info["columns"] == ["passengers"]  # "other" was not asked for
    # the one test origin (132): the seasonal naive repeats the year before
    truth = values[132:].astype("float64")
    naive = values[120:132].astype("float64")
    assert r.metrics["baselines"]["seasonal_naive"]["mae"] == pytest.approx(
        np.mean(np.abs(naive - truth)), rel=1e-5)


def test_calendar_auto_gives_month_encodings_known_at_predict_time(monthly):
    values, index, r = monthly
    assert r.data_info["future_covariates"] == ["month_sin", "month_cos"]
    assert r.data_info["calendar_features"] == ["month"]
    assert [t.name for t in r.model.inputs] == ["window", "future_covariates"]
    ahead = future_index(index, 12)  # 1961-01 .. 1961-12
    cov = r.future_covariates_for(ahead)
    np.testing.assert_allclose(cov, month_encoding(ahead), atol=1e-6)
    assert r.predict(values[-24:], future_covariates=cov).shape == (1, 12, 1)
    # the test origin scored with the encodings of its own months, as predict takes them
    test_cov = r.future_covariates_for(index[132:])
    pred = r.predict(values[108:132], future_covariates=test_cov)[0, :, 0]
    assert r.metrics["mae"] == pytest.approx(
        np.mean(np.abs(pred - values[132:].astype("float64"))), rel=1e-5)
    with pytest.raises(DataError, match=r"needs future_covariates \[N, 12, 2\]: the columns "
                                        r"\['month_sin', 'month_cos'\]"):
        r.predict(values[-24:])
    with pytest.raises(DataError, match=r"future_covariates must have shape \[1, 12, 2\] .*"
                                        r"got \(5, 2\)"):
        r.predict(values[-24:], future_covariates=cov[:5])
    with pytest.raises(DataError, match="the horizon's 12 timestamps are needed"):
        r.future_covariates_for(ahead[:6])


# ----------------------------------------------------------------- static covariates
@pytest.fixture(scope="module")
def stores():
    # a long frame: id, date and value columns plus a per-store constant, rows shuffled
    rng = np.random.default_rng(8)
    lengths, levels = {"north": 120, "south": 90, "east": 100}, [1.0, 5.0, 9.0]
    parts = []
    for (store, n), level in zip(lengths.items(), levels, strict=True):
        t = np.arange(n)
        parts.append(pd.DataFrame({
            "store": store, "area": level,
            "day": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "sales": level + np.sin(2 * np.pi * t / 7) + 0.1 * rng.normal(size=n)}))
    long = pd.concat(parts).sample(frac=1.0, random_state=0)
    with warnings.catch_warnings():  # 3 epochs: beating the naive is not the point
        warnings.filterwarnings("ignore", "the forecaster does not beat")
        r = seqkit.fit_forecaster(long, id_column="store", time_column="day",
                                  static_columns=["area"], window=14, horizon=7, val_size=0,
                                  test_size=7, baselines=("seasonal_naive",), units=8,
                                  epochs=3, verbose=0)
    return long, r


def store_values(long, store):
    return long[long["store"] == store].sort_values("day")["sales"].to_numpy("float32")


def test_long_frame_with_id_time_and_static_columns(stores):
    long, r = stores
    info = r.data_info
    ids = list(dict.fromkeys(long["store"]))  # the order of first appearance
    assert info["series_ids"] == ids and sorted(ids) == ["east", "north", "south"]
    assert info["series_lengths"] == [{"north": 120, "south": 90, "east": 100}[i] for i in ids]
    assert info["period"] == 7  # daily dates
    assert info["columns"] == ["sales"] and r.config["scaling"] == "window"
    assert info["static_covariates"] == ["area"]
    assert info["static_values"] == {"north": [1.0], "south": [5.0], "east": [9.0]}
    assert [t.name for t in r.model.inputs] == ["window", "static_covariates"]
    assert set(r.metrics["per_series"]) == {"north", "south", "east"}
    assert r.metrics["n_origins"] == 3  # one test origin each, n - 7
    south = store_values(long, "south")  # rows sorted by day within the store
    pred = r.predict(south[-21:-7], series="south")[0, :, 0].astype("float64")
    assert r.metrics["per_series"]["south"]["mae"] == pytest.approx(
        np.mean(np.abs(pred - south[-7:])), rel=1e-5)
    seasonal = south[-14:-7].astype("float64")  # period 7: the week before
    assert r.metrics["per_series"]["south"]["baselines"]["seasonal_naive"]["mae"] == \
        pytest.approx(np.mean(np.abs(seasonal - south[-7:])), rel=1e-5)


def test_static_covariates_by_series_id_or_given(stores):
    long, r = stores
    window = store_values(long, "south")[-14:]
    by_id = r.predict(window, series="south")
    np.testing.assert_allclose(r.predict(window, static_covariates=[5.0]), by_id, rtol=1e-6)
    with pytest.raises(DataError, match=r"needs static_covariates \['area'\] \(or series=\)"):
        r.predict(window)
    with pytest.raises(DataError, match=r"unknown series 'west'; known: \['east', 'north', "
                                        r"'south'\]"):
        r.predict(window, series="west")
    with pytest.raises(DataError, match=r"static_covariates must have shape \[1, 1\] .*"
                                        r"got \(1, 2\)"):
        r.predict(window, static_covariates=[[1.0, 2.0]])


# ----------------------------------------------------------------- one name as a string
def checked_task(**kwargs):
    """The forecasting task checked and loaded, as fit_forecaster does before training."""
    from seqkit.forecasting.task import Forecasting

    rng = np.random.default_rng(9)
    index = pd.date_range("2000-01-01", periods=120, freq="D")
    frame = pd.DataFrame({"y": rng.normal(size=120), "price": rng.normal(size=120)}, index)
    task = Forecasting(series=frame, window=WINDOW, horizon=HORIZON, baselines=(), **kwargs)
    task.check()
    task.load(0)
    return task


def test_one_future_covariate_named_by_a_string_reaches_the_config():
    task = checked_task(future_covariates="price")
    assert task.data.future_names == ["price"]  # the data are right (forecast_sources)
    assert task.config()["future_covariates"] == ["price"]  # the config is ['p', 'r', ...]


def test_one_calendar_feature_named_by_a_string():
    task = checked_task(calendar="day_of_week")
    assert task.data.future_names == ["day_of_week_sin", "day_of_week_cos"]
