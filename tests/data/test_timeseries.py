"""Time series: loading, NaN policies, chronological split, scaler, windows, naive baselines."""

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from seqkit.data import (
    Scaler,
    SeriesData,
    check_series,
    chronological_split,
    list_builtin_series,
    load_series,
    make_windows,
    naive_forecast,
    windows_as_arrays,
)
from seqkit.errors import ConfigError, DataError

needs_statsmodels = pytest.mark.skipif(
    importlib.util.find_spec("statsmodels") is None,
    reason="statsmodels not installed (it ships the built-in series; add it to the "
    "project dependencies)",
)


# ---------------------------------------------------------------- built-in real series
@needs_statsmodels
def test_builtin_co2_offline():
    s = load_series("co2")
    assert isinstance(s, SeriesData)
    assert s.values.shape == (2284, 1) and s.values.dtype == np.float32
    assert s.period == 52 and s.columns == ["co2"]
    assert isinstance(s.index, pd.DatetimeIndex)
    assert s.index[0] == pd.Timestamp("1958-03-29") and s.index[-1] == pd.Timestamp("2001-12-29")
    assert int(np.isnan(s.values).sum()) == 59
    assert "public domain" in s.source
    # trend: the last year is well above the first year
    clean = check_series(s, "interpolate").values[:, 0]
    assert clean[-52:].mean() - clean[:52].mean() > 50


@needs_statsmodels
def test_builtin_elnino_and_sunspots():
    e = load_series("elnino")
    assert e.values.shape == (732, 1) and e.period == 12
    assert e.index[0] == pd.Timestamp("1950-01-01") and e.index[13] == pd.Timestamp("1951-02-01")
    assert e.values[0, 0] == pytest.approx(23.11) and e.values[13, 0] == pytest.approx(25.28)
    s = load_series("sunspots")
    assert s.values.shape == (309, 1) and s.period == 11
    assert s.values[:3, 0].tolist() == [5.0, 11.0, 16.0]
    assert set(list_builtin_series()) == {"co2", "elnino", "sunspots", "uschange"}


def test_unknown_series_name_lists_builtins():
    names = r"built-in names: \['co2', 'elnino', 'sunspots', 'uschange'\]"
    with pytest.raises(DataError, match=names):
        load_series("co3")


# ---------------------------------------------------------------- other sources
def test_load_series_numpy_and_pandas():
    s = load_series(np.arange(10))
    assert s.values.shape == (10, 1) and s.values.dtype == np.float32 and s.columns == ["value"]
    assert isinstance(s.index, pd.RangeIndex) and s.period is None
    s2 = load_series(np.ones((5, 3)), columns=["a", "b", "c"])
    assert s2.columns == ["a", "b", "c"]
    idx = pd.date_range("2020-01-01", periods=24, freq="MS")
    ser = pd.Series(np.arange(24.0), index=idx, name="sales")
    s3 = load_series(ser)
    assert s3.columns == ["sales"] and s3.period == 12 and s3.index.equals(idx)
    with pytest.raises(DataError, match=r"1-D \[N\] or 2-D \[N, F\]; got shape \(2, 3, 4\)"):
        load_series(np.zeros((2, 3, 4)))
    with pytest.raises(DataError, match=r"must be numeric; got dtype <U1"):
        load_series(np.array(["a", "b"]))


def test_load_series_csv_with_time_column(tmp_path):
    dates = pd.date_range("2021-01-03", periods=30, freq="W-SUN")
    df = pd.DataFrame({"when": dates.strftime("%Y-%m-%d"), "y": np.arange(30.0),
                       "x": np.arange(30.0) * 2, "note": ["n"] * 30})
    shuffled = df.sample(frac=1.0, random_state=0)
    path = tmp_path / "s.csv"
    shuffled.to_csv(path, index=False)
    with pytest.warns(UserWarning, match="sorted it"):
        s = load_series(path, time_column="when", columns=["y", "x"])
    assert isinstance(s.index, pd.DatetimeIndex) and s.index.equals(pd.DatetimeIndex(dates))
    np.testing.assert_array_equal(s.values, df[["y", "x"]].to_numpy(np.float32))
    assert s.period == 52
    with pytest.raises(DataError, match=r"non-numeric column\(s\) \[\('note'"):
        load_series(path, time_column="when")
    with pytest.raises(DataError, match=r"time_column 'date' not found"):
        load_series(path, time_column="date")


# ---------------------------------------------------------------- check_series
def test_nan_error_names_count_and_first_position():
    idx = pd.date_range("2000-01-01", periods=6, freq="D")
    s = SeriesData(values=np.array([[1, 2], [3, np.nan], [5, 6], [np.inf, 8], [9, 10],
                                    [11, np.nan]], np.float32),
                   index=idx, columns=["a", "b"], source="t")
    with pytest.raises(DataError, match=r"3 NaN/inf value\(s\) in 3 row\(s\); first at row 1, "
                                        r"column 1 \('b', timestamp 2000-01-02"):
        check_series(s)
    with pytest.raises(DataError, match=r"1 NaN/inf value.*first at row 2"):
        check_series(np.array([1.0, 2.0, np.nan, 4.0]))


def test_interpolate_matches_numpy_reference():
    v = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.inf, 8.0, np.nan])
    out = check_series(v, "interpolate")
    assert out.shape == (8, 1)
    good = np.isfinite(v)
    pos = np.arange(len(v))
    ref = np.interp(pos, pos[good], v[good])  # linear inside, nearest value at the edges
    np.testing.assert_allclose(out[:, 0], ref)


def test_interpolate_uses_timestamps():
    idx = pd.DatetimeIndex(["2000-01-01", "2000-01-02", "2000-01-11"])
    s = SeriesData(np.array([[0.0], [np.nan], [10.0]], np.float32), idx, ["v"], "t")
    out = check_series(s, "interpolate")
    assert out.values[1, 0] == pytest.approx(1.0)  # 1 day of 10, not the midpoint


def test_drop_policy_drops_rows_and_index():
    idx = pd.date_range("2000-01-01", periods=5, freq="D")
    s = SeriesData(np.array([[1, 1], [np.nan, 2], [3, 3], [4, np.nan], [5, 5]], np.float32),
                   idx, ["a", "b"], "t")
    out = check_series(s, "drop")
    np.testing.assert_array_equal(out.values, [[1, 1], [3, 3], [5, 5]])
    assert list(out.index) == [idx[0], idx[2], idx[4]]


def test_check_series_bad_inputs():
    with pytest.raises(ConfigError, match=r"nan_policy must be one of "
                                          r"\('error', 'interpolate', 'drop'\), got 'zero'"):
        check_series(np.ones(3), "zero")
    with pytest.raises(DataError, match=r"shape \(2, 2, 2\)"):
        check_series(np.ones((2, 2, 2)))
    with pytest.raises(DataError, match=r"numeric; got dtype object"):
        check_series(np.array([1, "a"], dtype=object))
    with pytest.raises(DataError, match=r"column\(s\) \['f1'\] have no finite value"):
        check_series(np.array([[1, np.nan], [2, np.nan]]), "interpolate")


def test_clean_series_passes_unchanged():
    v = np.random.default_rng(0).normal(size=(50, 3))
    np.testing.assert_array_equal(check_series(v), v.astype(np.float32))


# ---------------------------------------------------------------- chronological split
def test_chronological_split_ordering_and_sizes():
    sp = chronological_split(100, 0.15, 0.15, window=10, horizon=2)
    assert (sp.train_end, sp.val_end, sp.n) == (70, 85, 100)
    idx = np.arange(100)
    tr, va, te = idx[sp.train], idx[sp.val], idx[sp.test]
    assert tr.max() < va.min() and va.max() < te.min()
    assert len(tr) + len(va) + len(te) == 100
    assert np.array_equal(np.concatenate([tr, va, te]), idx)  # no shuffling, no overlap
    no_val = chronological_split(50, 0.0, 0.2, window=5)
    assert (no_val.train_end, no_val.val_end) == (40, 40)


def test_too_short_series_names_the_minimum():
    with pytest.raises(DataError, match=r"length 30 is too short for window=10 \+ horizon=2.*"
                                        r"at least 12 steps.*minimum series length is 77"):
        chronological_split(30, window=10, horizon=2)
    # the stated minimum is exact: 77 works, 76 does not
    chronological_split(77, window=10, horizon=2)
    with pytest.raises(DataError):
        chronological_split(76, window=10, horizon=2)
    with pytest.raises(DataError, match=r"minimum length is 12"):
        make_windows(np.arange(11.0), window=10, horizon=2)


# ---------------------------------------------------------------- scaler
def test_scaler_fit_on_train_only_no_leakage():
    rng = np.random.default_rng(1)
    series = rng.normal(size=(200, 2)) + [10.0, -3.0]
    sp = chronological_split(200, window=5)
    scaler = Scaler().fit(series[sp.train])
    np.testing.assert_allclose(scaler.mean, series[:140].mean(axis=0))
    np.testing.assert_allclose(scaler.std, series[:140].std(axis=0))
    # wildly different val/test values do not move it
    poisoned = series.copy()
    poisoned[sp.train_end:] = 1e6
    other = Scaler().fit(poisoned[sp.train])
    np.testing.assert_array_equal(other.mean, scaler.mean)
    np.testing.assert_array_equal(other.std, scaler.std)
    z = scaler.transform(series)
    np.testing.assert_allclose(z[:140].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaler.inverse_transform(z), series, rtol=1e-5)


def test_scaler_config_roundtrip_and_columns():
    x = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    s = Scaler().fit(x)
    cfg = json.loads(json.dumps(s.get_config()))
    t = Scaler.from_config(cfg)
    np.testing.assert_allclose(t.transform(x), s.transform(x))
    y = np.array([[[0.0]], [[1.0]]])  # [B, horizon, 1] of target column 1
    np.testing.assert_allclose(s.inverse_transform(y, columns=[1])[:, :, 0],
                               [[30.0], [30.0 + np.std([10, 30, 50])]], rtol=1e-6)
    const = Scaler().fit(np.array([[2.0], [2.0]]))
    assert const.transform(np.array([[2.0]]))[0, 0] == 0.0
    with pytest.raises(ConfigError, match="not fitted"):
        Scaler().transform(x)
    with pytest.raises(DataError, match="NaN/inf"):
        Scaler().fit(np.array([1.0, np.nan]))
    with pytest.raises(DataError, match=r"2 feature\(s\) but the input's last axis has 3"):
        s.transform(np.ones((2, 3)))


# ---------------------------------------------------------------- windows
def test_windows_exact_values_horizon_1():
    values = np.arange(7, dtype=np.float32)  # 0..6
    x, y = windows_as_arrays(values, window=3, horizon=1)
    assert x.shape == (4, 3, 1) and y.shape == (4, 1, 1)
    assert x[:, :, 0].tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    assert y[:, :, 0].tolist() == [[3], [4], [5], [6]]


def test_windows_exact_values_horizon_and_stride():
    values = np.arange(20, dtype=np.float32).reshape(10, 2)  # row t = [2t, 2t+1]
    x, y = windows_as_arrays(values, window=3, horizon=2, stride=2, target_columns=[1])
    # windows start at 0, 2, 4: (10 - 3 - 2) // 2 + 1 = 3
    assert x.shape == (3, 3, 2) and y.shape == (3, 2, 1)
    assert x[1].tolist() == [[4, 5], [6, 7], [8, 9]]
    assert y[1].tolist() == [[11], [13]]
    assert x[2].tolist() == [[8, 9], [10, 11], [12, 13]]
    assert y[2].tolist() == [[15], [17]]
    # generic slice reference
    for i, s in enumerate(range(0, 6, 2)):
        np.testing.assert_array_equal(x[i], values[s:s + 3])
        np.testing.assert_array_equal(y[i], values[s + 3:s + 5, [1]])


def test_make_windows_batches_and_seeded_shuffle():
    values = np.arange(40, dtype=np.float32).reshape(20, 2)
    ds = make_windows(values, window=4, horizon=3, batch_size=5)
    shapes = [(tuple(x.shape), tuple(y.shape)) for x, y in ds]
    assert shapes == [((5, 4, 2), (5, 3, 2))] * 2 + [((4, 4, 2), (4, 3, 2))]  # 14 windows
    ref_x, ref_y = windows_as_arrays(values, window=4, horizon=3)

    def starts(seed):
        ds = make_windows(values, window=4, horizon=3, batch_size=100, shuffle=True, seed=seed)
        x, y = next(iter(ds))
        x, y = x.numpy(), y.numpy()
        for xi, yi in zip(x, y, strict=True):  # pairs stay together
            s = int(xi[0, 0]) // 2
            np.testing.assert_array_equal(yi, values[s + 4:s + 7])
        return [int(v) for v in x[:, 0, 0]]

    a = starts(3)
    assert a == starts(3) and sorted(a) == sorted(ref_x[:, 0, 0].astype(int).tolist())
    assert a != sorted(a)
    assert ref_y.shape == (14, 3, 2)


def test_windows_refuse_nan_and_bad_targets():
    with pytest.raises(DataError, match=r"1 NaN/inf value\(s\); run check_series"):
        make_windows(np.array([1.0, np.nan, 3, 4, 5]), window=2)
    with pytest.raises(DataError, match=r"target_columns \[3\] out of range for 2 features"):
        windows_as_arrays(np.ones((10, 2)), window=2, target_columns=[3])
    s = load_series(np.arange(20.0).reshape(10, 2), columns=["a", "b"])
    _, y = windows_as_arrays(s, window=2, target_columns=["b"])
    assert y[0, 0, 0] == 5.0


# ---------------------------------------------------------------- naive baselines
def test_naive_forecast_last_value():
    x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)  # windows of 3 steps, 2 features
    out = naive_forecast(x, horizon=2)
    assert out.shape == (2, 2, 2)
    assert out[0].tolist() == [[4, 5], [4, 5]]
    assert out[1].tolist() == [[10, 11], [10, 11]]
    assert naive_forecast(x, 3, target_columns=[1])[1, :, 0].tolist() == [11, 11, 11]


def test_seasonal_naive_forecast():
    x = np.array([[1, 2, 3, 4, 5, 6, 7]], np.float32)[:, :, None]
    out = naive_forecast(x, horizon=5, period=3)
    # season = last 3 values [5, 6, 7], repeated
    assert out[0, :, 0].tolist() == [5, 6, 7, 5, 6]
    # with period=1 it is the plain naive forecast
    np.testing.assert_array_equal(naive_forecast(x, 4, period=1), naive_forecast(x, 4))
    with pytest.raises(DataError, match=r"window >= period; got window=7, period=8"):
        naive_forecast(x, 2, period=8)


def test_seasonal_naive_matches_truth_on_periodic_series():
    t = np.arange(60)
    series = np.sin(2 * np.pi * t / 12).astype(np.float32)
    x, y = windows_as_arrays(series, window=24, horizon=6)
    np.testing.assert_allclose(naive_forecast(x, 6, period=12), y, atol=1e-5)
    assert np.abs(naive_forecast(x, 6) - y).mean() > 0.3
