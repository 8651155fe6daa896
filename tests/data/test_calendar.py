"""Calendar encodings against values computed by hand with the standard library."""

import calendar
import datetime
import math

import numpy as np
import pandas as pd
import pytest

from seqkit.data.timeseries import (
    CALENDAR_FEATURES,
    auto_calendar_features,
    calendar_features,
    future_index,
)
from seqkit.errors import ConfigError, DataError


def by_hand(ts: datetime.datetime, feature: str) -> tuple[float, float]:
    """(v, P) of the documented 0-based convention, from the datetime module only."""
    if feature == "hour":
        return ts.hour + ts.minute / 60 + ts.second / 3600, 24.0
    if feature == "day_of_week":
        return float(ts.weekday()), 7.0  # Monday 0
    if feature == "day_of_month":
        return ts.day - 1.0, float(calendar.monthrange(ts.year, ts.month)[1])
    if feature == "day_of_year":
        return float(ts.timetuple().tm_yday - 1), 366.0 if calendar.isleap(ts.year) else 365.0
    if feature == "week_of_year":
        return ts.isocalendar()[1] - 1.0, 52.1775
    return ts.month - 1.0, 12.0


STAMPS = ["2020-02-29 13:30", "2020-12-31 23:59:59", "2021-01-03 00:00", "2021-03-15 06:00",
          "2015-12-28 12:00", "1999-07-04 18:45"]


def test_every_feature_matches_hand_computation():
    index = pd.DatetimeIndex(STAMPS)
    values, names = calendar_features(index, CALENDAR_FEATURES)
    assert values.dtype == np.float32 and values.shape == (len(STAMPS), 12)
    assert names == [f"{f}_{t}" for f in CALENDAR_FEATURES for t in ("sin", "cos")]
    for row, stamp in enumerate(STAMPS):
        ts = datetime.datetime.fromisoformat(stamp)
        for k, feature in enumerate(CALENDAR_FEATURES):
            v, period = by_hand(ts, feature)
            expected = [math.sin(2 * math.pi * v / period), math.cos(2 * math.pi * v / period)]
            np.testing.assert_allclose(values[row, 2 * k:2 * k + 2], expected, atol=1e-6,
                                       err_msg=f"{stamp} {feature}")


def test_literal_values():
    # March is month v = 2 (0-based): sin(2 pi 2/12) = sin(pi/3) = sqrt(3)/2, cos = 1/2
    values, _ = calendar_features(pd.DatetimeIndex(["2021-03-01"]), "month")
    np.testing.assert_allclose(values[0], [math.sqrt(3) / 2, 0.5], atol=1e-7)
    # 2021-01-03 is a Sunday (v = 6) in ISO week 53 of 2020 (v = 52)
    values, names = calendar_features(pd.DatetimeIndex(["2021-01-03"]),
                                      ["day_of_week", "week_of_year"])
    np.testing.assert_allclose(values[0, :2], [math.sin(2 * math.pi * 6 / 7),
                                               math.cos(2 * math.pi * 6 / 7)], atol=1e-7)
    assert names[2:] == ["week_of_year_sin", "week_of_year_cos"]
    np.testing.assert_allclose(values[0, 2], math.sin(2 * math.pi * 52 / 52.1775), atol=1e-6)
    # the first day of every month and year sits at angle 0
    values, _ = calendar_features(pd.DatetimeIndex(["2024-01-01", "2023-07-01"]),
                                  ["day_of_month", "day_of_year"])
    np.testing.assert_allclose(values[0], [0, 1, 0, 1], atol=1e-7)
    np.testing.assert_allclose(values[1, :2], [0, 1], atol=1e-7)


@pytest.mark.parametrize("freq,expected", [
    ("h", ("hour", "day_of_week")), ("30min", ("hour", "day_of_week")),
    ("D", ("day_of_week", "day_of_year")), ("B", ("day_of_week", "day_of_year")),
    ("W", ("week_of_year",)), ("W-MON", ("week_of_year",)), ("MS", ("month",)),
    ("ME", ("month",)), ("QS", ("month",)), ("QE", ("month",)), ("YS", ()), ("YE", ()),
])
def test_auto_features_by_frequency(freq, expected):
    index = pd.date_range("2020-01-01", periods=30, freq=freq)
    assert auto_calendar_features(index) == expected
    inferred = pd.DatetimeIndex(list(index))  # no freq attribute: pd.infer_freq reads it
    assert inferred.freq is None and auto_calendar_features(inferred) == expected
    values, names = calendar_features(index)
    assert values.shape == (30, 2 * len(expected)) and len(names) == 2 * len(expected)


def test_unknown_frequency_gives_no_features():
    irregular = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-05", "2020-01-06"])
    assert auto_calendar_features(irregular) == ()
    values, names = calendar_features(irregular)
    assert values.shape == (4, 0) and names == []


def test_bad_inputs():
    with pytest.raises(DataError, match="DatetimeIndex, got RangeIndex"):
        calendar_features(pd.RangeIndex(3))
    with pytest.raises(DataError, match="DatetimeIndex, got ndarray"):
        future_index(np.arange(3), 2)
    index = pd.date_range("2020-01-01", periods=3, freq="D")
    with pytest.raises(ConfigError, match="features must be one of"):
        calendar_features(index, ["minute"])
    with pytest.raises(ConfigError, match="repeat"):
        calendar_features(index, ["month", "month"])
    with pytest.raises(ConfigError, match="horizon"):
        future_index(index, 0)


def test_future_index():
    monthly = pd.date_range("2020-01-01", periods=12, freq="MS", name="date")
    future = future_index(monthly, 3)
    assert list(future) == [pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-01"),
                            pd.Timestamp("2021-03-01")]
    assert future.name == "date" and future.freqstr == "MS"
    month_ends = pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-03-31"])
    assert list(future_index(month_ends, 2)) == [pd.Timestamp("2024-04-30"),
                                                 pd.Timestamp("2024-05-31")]
    hourly = pd.date_range("2024-01-01 22:00", periods=3, freq="h", tz="UTC")
    assert future_index(hourly, 2)[-1] == pd.Timestamp("2024-01-02 02:00", tz="UTC")
    # covariates for the forecast steps line up with the series' own encoding
    both, _ = calendar_features(pd.date_range("2020-01-01", periods=15, freq="MS"), "month")
    ahead, _ = calendar_features(future, "month")
    np.testing.assert_array_equal(ahead, both[12:])


def test_future_index_needs_a_frequency():
    with pytest.raises(DataError, match="cannot infer the frequency"):
        future_index(pd.DatetimeIndex(["2020-01-01", "2020-03-07"]), 1)
    with pytest.raises(DataError, match="cannot infer the frequency"):
        future_index(pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-09"]), 1)
