"""Time series data: loading, NaN handling, calendars, many series, origins and windows.

Conventions: a series is a float32 array ``[N, F]`` (time first, features last); windows are
``x [B, window, F]`` and targets ``y [B, horizon, n_targets]``. Nothing here shuffles time:
parts are cut at origins (:func:`origin_split`); scaling lives inside the models, fit on
the training part only, and the naive baselines in :mod:`seqkit.forecasting.baselines`.

One concern per module:

- :mod:`~seqkit.data.timeseries.series`: :class:`SeriesData` and :func:`check_series`
  (NaN policies)
- :mod:`~seqkit.data.timeseries.load`: :func:`load_series` and the built-in real series
  (:func:`list_builtin_series`: ``"co2"``, ``"elnino"``, ``"sunspots"``, offline, shipped
  in the ``statsmodels`` wheel, and ``"uschange"``, shipped in the ``aeon`` wheel; sources
  and licences in that module)
- :mod:`~seqkit.data.timeseries.origins`: forecast origins: :class:`OriginSplit`,
  :func:`origin_split` (parts of targets; a window's inputs may reach into earlier parts),
  :func:`rolling_origins` (backtests), :func:`windows_at`, :func:`origin_dataset`
- :mod:`~seqkit.data.timeseries.calendar`: :func:`calendar_features` (sine/cosine
  encodings), :func:`auto_calendar_features`, :func:`future_index`,
  :data:`CALENDAR_FEATURES`
- :mod:`~seqkit.data.timeseries.load`: many series: :class:`SeriesCollection`,
  :func:`load_series_collection`, :func:`list_builtin_collections` (``"m1_yearly"``, in the
  ``aeon`` wheel)

Example:

>>> import numpy as np
>>> from seqkit.data.timeseries import check_series, origin_split, windows_at
>>> values = check_series(np.sin(np.arange(40.0)))
>>> split = origin_split(len(values), window=4, horizon=2, val_size=8, test_size=8)
>>> x, y = windows_at(values, split.origins("test"), window=4, horizon=2)
>>> x.shape, y.shape
((7, 4, 1), (7, 2, 1))
"""

from seqkit.data.timeseries.calendar import (
    CALENDAR_FEATURES,
    auto_calendar_features,
    calendar_features,
    future_index,
)
from seqkit.data.timeseries.load import (
    SeriesCollection,
    list_builtin_collections,
    list_builtin_series,
    load_series,
    load_series_collection,
)
from seqkit.data.timeseries.origins import (
    OriginSplit,
    origin_dataset,
    origin_split,
    rolling_origins,
    windows_at,
)
from seqkit.data.timeseries.series import SeriesData, check_series

__all__ = [
    "CALENDAR_FEATURES",
    "OriginSplit",
    "SeriesCollection",
    "SeriesData",
    "auto_calendar_features",
    "calendar_features",
    "check_series",
    "future_index",
    "list_builtin_collections",
    "list_builtin_series",
    "load_series",
    "load_series_collection",
    "origin_dataset",
    "origin_split",
    "rolling_origins",
    "windows_at",
]
