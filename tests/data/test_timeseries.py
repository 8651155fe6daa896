"""Time series: loading, NaN policies, chronological split, scaler, windows, naive baselines."""

import importlib.util

import numpy as np
import pandas as pd
import pytest

from seqkit.data import (
    SeriesData,
    check_series,
    list_builtin_series,
    load_series,
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
