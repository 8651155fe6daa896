"""Series collections (list, dict, long frame, CSV, M1) and the aeon-bundled built-ins."""

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqkit.data.timeseries import (
    SeriesCollection,
    SeriesData,
    list_builtin_collections,
    list_builtin_series,
    load_series,
    load_series_collection,
)
from seqkit.errors import ConfigError, DataError

needs_aeon = pytest.mark.skipif(
    importlib.util.find_spec("aeon") is None,
    reason="aeon not installed (it bundles the M1 yearly and uschange data offline)",
)


def aeon_data_dir() -> Path:
    spec = importlib.util.find_spec("aeon")
    return Path(spec.origin).parent / "datasets" / "data"


def long_frame():
    return pd.DataFrame({
        "store": ["b", "a", "b", "a", "b", "a"],
        "when": ["2020-03-01", "2020-02-01", "2020-01-01", "2020-01-01", "2020-02-01",
                 "2020-03-01"],
        "region": ["S", "N", "S", "N", "S", "N"],
        "size": [2.0, 1.0, 2.0, 1.0, 2.0, 1.0],
        "sales": [13.0, 2.0, 11.0, 1.0, 12.0, 3.0],
        "price": [5.0, 6.0, 5.0, 6.0, 5.0, np.nan],
    })


def test_from_list_and_dict():
    arrays = [np.arange(5.0), np.arange(7.0) * 2]
    coll = load_series_collection(arrays)
    assert isinstance(coll, SeriesCollection) and coll.static is None
    assert coll.ids == ["0", "1"] and len(coll) == 2 and list(coll) == ["0", "1"]
    assert coll.columns == ["value"]
    np.testing.assert_array_equal(coll["1"].values[:, 0], arrays[1].astype(np.float32))
    assert coll[1] is coll["1"]
    by_dict = load_series_collection({"x": pd.Series([1.0, np.nan, 3.0]), 7: [4.0, 5.0]},
                                     value_columns=None)
    assert by_dict.ids == ["x", "7"]
    assert np.isnan(by_dict["x"].values[1, 0])  # NaN kept for check_series, as load_series
    assert dict(by_dict.items())["7"].values.shape == (2, 1)


def test_members_are_what_load_series_gives():
    monthly = pd.Series(np.arange(24.0), pd.date_range("2020-01-01", periods=24, freq="MS"))
    coll = load_series_collection([monthly, monthly * 2])
    alone = load_series(monthly)
    assert coll["0"].period == alone.period == 12 and coll.period == 12
    np.testing.assert_array_equal(coll["0"].values, alone.values)
    assert coll["0"].index.equals(alone.index)
    assert load_series_collection([monthly], period=3).period == 3


def test_long_frame_with_time_and_static_columns():
    coll = load_series_collection(long_frame(), id_column="store", time_column="when",
                                  value_columns=["sales", "price"],
                                  static_columns=["region", "size"])
    assert coll.ids == ["b", "a"]  # order of first appearance
    assert coll.columns == ["sales", "price"]
    assert coll["b"].values[:, 0].tolist() == [11.0, 12.0, 13.0]  # sorted by time
    assert coll["a"].values[:, 0].tolist() == [1.0, 2.0, 3.0]
    assert np.isnan(coll["a"].values[2, 1])
    assert list(coll["a"].index) == list(pd.date_range("2020-01-01", periods=3, freq="MS"))
    assert coll.period == 12
    assert coll.static.index.tolist() == ["b", "a"]
    assert coll.static.loc["a", "region"] == "N" and coll.static.loc["b", "size"] == 2.0


def test_long_frame_default_value_columns_exclude_id_time_and_static():
    coll = load_series_collection(long_frame().drop(columns=["price"]), id_column="store",
                                  time_column="when", static_columns=["region", "size"])
    assert coll.columns == ["sales"]


def test_static_column_that_varies_names_the_series():
    frame = long_frame()
    frame.loc[4, "region"] = "W"  # a row of store b
    with pytest.raises(DataError, match="static column 'region' varies within series 'b'"):
        load_series_collection(frame, id_column="store", time_column="when",
                               static_columns=["region"])


def test_mismatched_columns_name_the_first_series_that_differs():
    with pytest.raises(DataError, match="series 'c' has columns \\['f0'\\]"):
        load_series_collection({"a": np.zeros((3, 2)), "b": np.ones((4, 2)),
                                "c": np.zeros((3, 1))})


def test_other_errors():
    frame = long_frame()
    with pytest.raises(DataError, match="id_column 'id' not found"):
        load_series_collection(frame)
    dup = pd.concat([frame, frame.iloc[[0]]])
    with pytest.raises(DataError, match="series 'b' has the timestamp"):
        load_series_collection(dup, id_column="store", time_column="when",
                               static_columns=["region", "size"])
    with pytest.raises(ConfigError, match="static_columns applies to a long DataFrame"):
        load_series_collection([np.zeros(3)], static_columns=["region"])
    with pytest.raises(DataError, match="unknown series id 'z'"):
        load_series_collection([np.zeros(3)])["z"]
    with pytest.raises(DataError, match="built-in names: \\['m1_yearly'\\]"):
        load_series_collection("no_such_collection")
    with pytest.raises(DataError, match="holds no series"):
        load_series_collection([])
    with pytest.raises(DataError, match="non-numeric"):
        load_series_collection([pd.DataFrame({"v": ["a", "b"]})])


def test_min_length_drops_short_series_with_a_warning():
    frame = long_frame().iloc[:5].assign(store=["b", "a", "b", "c", "b"])  # 3, 1, 1 rows
    with pytest.warns(UserWarning, match="dropped 2 of 3 series shorter than min_length=2: "
                                         "\\['a', 'c'\\]"):
        coll = load_series_collection(frame, id_column="store", time_column="when",
                                      static_columns=["region"], min_length=2,
                                      value_columns=["sales"])
    assert coll.ids == ["b"] and coll.static.index.tolist() == ["b"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_series_collection([np.zeros(4)], min_length=4)) == 1
    with pytest.raises(DataError, match="every one of the 2 series is shorter"):
        load_series_collection([np.zeros(2), np.zeros(3)], min_length=4)


def test_from_csv_path(tmp_path):
    path = tmp_path / "long.csv"
    long_frame().to_csv(path, index=False)
    coll = load_series_collection(path, id_column="store", time_column="when",
                                  static_columns=["region", "size"])
    assert coll.ids == ["b", "a"] and coll.columns == ["sales", "price"]


# ---------------------------------------------------------------- aeon's bundled data
def parse_tsf_by_hand(path: Path):
    """``{name: (start year, [values])}`` from the .tsf text, without aeon."""
    out, in_data = {}, False
    for line in path.read_text(encoding="cp1252").splitlines():
        line = line.strip()
        if line == "@data":
            in_data = True
        elif in_data and line:
            name, start, values = line.split(":")
            out[name] = (int(start[:4]), [float(v) for v in values.split(",")])
    return out


@needs_aeon
def test_m1_yearly_offline():
    assert "Makridakis" in list_builtin_collections()["m1_yearly"]
    coll = load_series_collection("m1_yearly")
    reference = parse_tsf_by_hand(aeon_data_dir() / "m1_yearly_dataset" /
                                  "m1_yearly_dataset.tsf")
    assert coll.ids == list(reference) and len(coll) == 181
    lengths = [len(s) for s in coll.series]
    assert (min(lengths), float(np.median(lengths)), max(lengths)) == (15, 21.0, 58)
    for series_id in ("T1", "T51", "T181"):
        start, values = reference[series_id]
        member = coll[series_id]
        assert isinstance(member, SeriesData) and member.period == 1
        np.testing.assert_allclose(member.values[:, 0], values, rtol=1e-6)
        assert member.index[0].year == start
        assert member.index[-1].year == start + len(values) - 1
    assert coll.period == 1 and coll.columns == ["value"]
    assert not any(np.isnan(s.values).any() for s in coll.series)


@needs_aeon
def test_uschange_offline():
    assert "uschange" in list_builtin_series()
    s = load_series("uschange")
    raw = pd.read_csv(aeon_data_dir() / "Uschange" / "Uschange.csv", index_col=0)
    assert s.columns == ["Consumption", "Income", "Production", "Savings", "Unemployment"]
    assert s.values.shape == (187, 5) and s.period == 4
    np.testing.assert_allclose(s.values, raw[s.columns].to_numpy(), rtol=1e-6)
    quarters = pd.PeriodIndex(raw["Quarter"].str.replace(" ", ""), freq="Q").to_timestamp()
    assert s.index.equals(pd.DatetimeIndex(quarters, name="quarter"))
    assert "fpp2" in s.source and "Hyndman" in s.source
