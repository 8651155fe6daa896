"""Calendar covariates: sine/cosine encodings of the time of day, week, month and year.

Each feature ``f`` with value ``v`` and period ``P`` gives two columns
``f_sin = sin(2 pi v / P)`` and ``f_cos = cos(2 pi v / P)``, so the last value of a cycle
sits next to the first (December next to January) and a network sees no jump there. The
values are 0-based (the first hour, weekday, day, week and month of a cycle is ``v = 0``,
angle 0):

=================  =========================================  ==============================
feature            ``v``                                      ``P``
=================  =========================================  ==============================
``hour``           ``hour + minute / 60 + second / 3600``     24
``day_of_week``    ``dayofweek`` (Monday 0 .. Sunday 6)       7
``day_of_month``   ``day - 1``                                days in that month (28..31)
``day_of_year``    ``dayofyear - 1``                          days in that year (365 or 366)
``week_of_year``   ISO 8601 week ``- 1`` (0 .. 52)            52.1775 (mean ISO weeks a year)
``month``          ``month - 1``                              12
=================  =========================================  ==============================

52.1775 is the mean number of ISO weeks per year: 20871 weeks in the 400-year Gregorian
cycle, 71 of its years having 53 weeks. Darts' ``datetime_attribute_timeseries(...,
cyclic=True)`` encodes the same way but with pandas' 1-based values and fixed periods
(``day`` 31, ``dayofyear`` 365, ``week`` 52); the periods here follow the calendar, so the
last day of every month and year sits one step before the first.

Calendar values of future steps are known in advance, so they may be fed as covariates for
the forecast horizon: :func:`future_index` gives the timestamps after a series.

Example:

>>> import pandas as pd
>>> index = pd.date_range("2021-01-01", periods=3, freq="MS")
>>> values, names = calendar_features(index)
>>> names, values.shape
(['month_sin', 'month_cos'], (3, 2))
>>> future_index(index, 2)
DatetimeIndex(['2021-04-01', '2021-05-01'], dtype='datetime64[...]', freq='MS')
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_choice, check_int

CALENDAR_FEATURES = ("hour", "day_of_week", "day_of_month", "day_of_year", "week_of_year",
                     "month")

ISO_WEEKS_PER_YEAR = 20871 / 400  # 52.1775

# pandas offset name (before any "-") -> features chosen by auto_calendar_features
_AUTO = {
    **dict.fromkeys(("h", "min", "s", "ms", "us", "ns", "bh", "cbh"), ("hour", "day_of_week")),
    **dict.fromkeys(("D", "B", "C"), ("day_of_week", "day_of_year")),
    "W": ("week_of_year",),
    **dict.fromkeys(("MS", "ME", "BMS", "BME", "CBMS", "CBME", "SMS", "SME", "QS", "QE",
                     "BQS", "BQE"), ("month",)),
}


def _check_index(index, what: str = "index"):
    import pandas as pd

    if not isinstance(index, pd.DatetimeIndex):
        raise DataError(f"{what} must be a pandas DatetimeIndex, got {type(index).__name__}")
    return index


def _offset(index):
    """The index's frequency as a pandas offset, or None when it cannot be inferred."""
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    if index.freq is not None:
        return index.freq
    if len(index) < 3:
        return None
    try:
        freq = pd.infer_freq(index)
    except (TypeError, ValueError):
        return None
    return to_offset(freq) if freq else None


def _values_and_periods(index, feature: str):
    """``(v, P)`` float64 arrays of one feature (see the module's table)."""
    if feature == "hour":
        v = index.hour + index.minute / 60.0 + index.second / 3600.0
        return np.asarray(v, np.float64), 24.0
    if feature == "day_of_week":
        return np.asarray(index.dayofweek, np.float64), 7.0
    if feature == "day_of_month":
        return (np.asarray(index.day, np.float64) - 1.0,
                np.asarray(index.days_in_month, np.float64))
    if feature == "day_of_year":
        return (np.asarray(index.dayofyear, np.float64) - 1.0,
                np.where(np.asarray(index.is_leap_year), 366.0, 365.0))
    if feature == "week_of_year":
        weeks = index.isocalendar()["week"].to_numpy(np.float64)
        return weeks - 1.0, ISO_WEEKS_PER_YEAR
    return np.asarray(index.month, np.float64) - 1.0, 12.0


def auto_calendar_features(index) -> tuple[str, ...]:
    """The calendar features that vary usefully at the index's frequency.

    Sub-daily (hourly, minutes, ...): ``("hour", "day_of_week")``; daily or business-daily:
    ``("day_of_week", "day_of_year")``; weekly: ``("week_of_year",)``; monthly and
    quarterly: ``("month",)``; yearly, or a frequency that cannot be inferred: ``()``.
    Multiples keep their base (``"2h"`` is sub-daily).

    Args:
        index: a ``DatetimeIndex`` (``index.freq``, else ``pd.infer_freq``).

    Returns:
        A tuple of names from :data:`CALENDAR_FEATURES`.

    Raises:
        DataError: not a ``DatetimeIndex`` (its type is named).

    Example:

    >>> import pandas as pd
    >>> auto_calendar_features(pd.date_range("2024-01-01", periods=48, freq="h"))
    ('hour', 'day_of_week')
    >>> auto_calendar_features(pd.date_range("2024-01-01", periods=8, freq="QS"))
    ('month',)
    >>> auto_calendar_features(pd.date_range("2000-01-01", periods=5, freq="YS"))
    ()
    """
    offset = _offset(_check_index(index))
    if offset is None:
        return ()
    return _AUTO.get(offset.name.split("-")[0], ())


def _feature_names(index, features) -> tuple[str, ...]:
    if isinstance(features, str):
        features = auto_calendar_features(index) if features == "auto" else (features,)
    try:
        features = tuple(features)
    except TypeError:
        raise ConfigError(
            f"features must be 'auto' or a sequence of names from {CALENDAR_FEATURES}, "
            f"got {features!r}"
        ) from None
    for name in features:
        check_choice("features", name, CALENDAR_FEATURES)
    if len(set(features)) != len(features):
        raise ConfigError(f"features must not repeat a name, got {features!r}")
    return features


def calendar_features(index, features="auto") -> tuple[np.ndarray, list[str]]:
    """Sine/cosine encodings of calendar features (the module's table gives ``v`` and ``P``).

    Args:
        index: a ``DatetimeIndex`` (a series' index, or :func:`future_index`'s output).
        features: ``"auto"`` (:func:`auto_calendar_features`), one name, or a sequence of
            names from :data:`CALENDAR_FEATURES`; ``()`` gives no columns.

    Returns:
        ``(values float32 [N, 2k], names)`` with ``names = [f"{f}_sin", f"{f}_cos", ...]``
        in the order of ``features``.

    Raises:
        DataError: not a ``DatetimeIndex`` (its type is named).
        ConfigError: an unknown or repeated feature name.

    Example:

    >>> import pandas as pd
    >>> index = pd.DatetimeIndex(["2021-04-15 06:00"])  # April: v = 3, a quarter year
    >>> values, names = calendar_features(index, ["month", "hour"])
    >>> names
    ['month_sin', 'month_cos', 'hour_sin', 'hour_cos']
    >>> np.round(values, 6).tolist()  # sin(2 pi 3/12) = 1; 06:00 -> sin(2 pi 6/24) = 1
    [[1.0, 0.0, 1.0, 0.0]]
    >>> calendar_features(range(3))
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: index must be a pandas DatetimeIndex, got range
    """
    index = _check_index(index)
    names, columns = [], []
    for feature in _feature_names(index, features):
        v, period = _values_and_periods(index, feature)
        angle = 2.0 * np.pi * v / period
        columns += [np.sin(angle), np.cos(angle)]
        names += [f"{feature}_sin", f"{feature}_cos"]
    if not columns:
        return np.zeros((len(index), 0), np.float32), []
    return np.stack(columns, axis=1).astype(np.float32), names


def future_index(index, horizon: int):
    """The ``horizon`` timestamps after ``index[-1]`` at the index's frequency.

    Args:
        index: a ``DatetimeIndex`` with a ``freq``, or one ``pd.infer_freq`` can read (at
            least 3 regularly spaced timestamps).
        horizon: the number of future steps (an integer >= 1).

    Returns:
        A ``DatetimeIndex`` of ``horizon`` timestamps (the frequency, name, time zone and
        resolution of ``index``).

    Raises:
        DataError: not a ``DatetimeIndex``, or a frequency that cannot be inferred.
        ConfigError: a bad horizon.

    Example:

    >>> import pandas as pd
    >>> future_index(pd.DatetimeIndex(["2024-01-29", "2024-01-30", "2024-01-31"]), 2)
    DatetimeIndex(['2024-02-01', '2024-02-02'], dtype='datetime64[...]', freq='D')
    >>> future_index(pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-04"]), 2)
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: cannot infer the frequency of the index (3 timestamps from \
2024-01-01 00:00:00 to 2024-01-04 00:00:00); give it one, e.g. \
pd.DatetimeIndex(index, freq="D")
    """
    import pandas as pd

    index = _check_index(index)
    horizon = check_int("horizon", horizon)
    offset = _offset(index)
    if offset is None:
        span = f" from {index[0]} to {index[-1]}" if len(index) else ""
        raise DataError(
            f"cannot infer the frequency of the index ({len(index)} timestamps{span}); give "
            'it one, e.g. pd.DatetimeIndex(index, freq="D")'
        )
    future = pd.date_range(index[-1], periods=horizon + 1, freq=offset, name=index.name)[1:]
    return future.as_unit(index.unit)
