"""Time series data: loading, NaN handling, chronological splits, scaling, windows, naive baselines.

Conventions: a series is a float32 array ``[N, F]`` (time first, features last); windows are
``x [B, window, F]`` and targets ``y [B, horizon, n_targets]``. Nothing here shuffles time:
splits are chronological, and :class:`Scaler` is fit on the training part only.

One concern per module:

- :mod:`~seqkit.data.timeseries.series`: :class:`SeriesData`
- :mod:`~seqkit.data.timeseries.builtin`: the built-in real series
  (:func:`list_builtin_series`: ``"co2"``, ``"elnino"``, ``"sunspots"``, offline, shipped
  in the ``statsmodels`` wheel, and ``"uschange"``, shipped in the ``aeon`` wheel; sources
  and licences in that module)
- :mod:`~seqkit.data.timeseries.load`: :func:`load_series`
- :mod:`~seqkit.data.timeseries.checks`: :func:`check_series`
- :mod:`~seqkit.data.timeseries.split`: :class:`ChronoSplit`, :func:`chronological_split`
- :mod:`~seqkit.data.timeseries.scaler`: :class:`Scaler`
- :mod:`~seqkit.data.timeseries.windows`: :func:`make_windows`, :func:`windows_as_arrays`,
  :func:`naive_forecast`
- :mod:`~seqkit.data.timeseries.origins`: forecast origins: :class:`OriginSplit`,
  :func:`origin_split` (parts of targets; a window's inputs may reach into earlier parts),
  :func:`rolling_origins` (backtests), :func:`windows_at`, :func:`origin_dataset`
- :mod:`~seqkit.data.timeseries.calendar`: :func:`calendar_features` (sine/cosine
  encodings), :func:`auto_calendar_features`, :func:`future_index`,
  :data:`CALENDAR_FEATURES`
- :mod:`~seqkit.data.timeseries.collection`: many series: :class:`SeriesCollection`,
  :func:`load_series_collection`, :func:`list_builtin_collections` (``"m1_yearly"``, in the
  ``aeon`` wheel)

Example:

>>> import numpy as np
>>> from seqkit.data.timeseries import Scaler, check_series, chronological_split
>>> values = check_series(np.sin(np.arange(40.0)))
>>> split = chronological_split(len(values), 0.2, 0.2, window=4)
>>> Scaler().fit(values[split.train]).transform(values[split.test]).shape
(8, 1)
"""

from seqkit.data.timeseries.builtin import list_builtin_series
from seqkit.data.timeseries.calendar import (
    CALENDAR_FEATURES,
    auto_calendar_features,
    calendar_features,
    future_index,
)
from seqkit.data.timeseries.checks import check_series
from seqkit.data.timeseries.collection import (
    SeriesCollection,
    list_builtin_collections,
    load_series_collection,
)
from seqkit.data.timeseries.load import load_series
from seqkit.data.timeseries.origins import (
    OriginSplit,
    origin_dataset,
    origin_split,
    rolling_origins,
    windows_at,
)
from seqkit.data.timeseries.scaler import Scaler
from seqkit.data.timeseries.series import SeriesData
from seqkit.data.timeseries.split import ChronoSplit, chronological_split
from seqkit.data.timeseries.windows import make_windows, naive_forecast, windows_as_arrays

__all__ = [
    "CALENDAR_FEATURES",
    "ChronoSplit",
    "OriginSplit",
    "Scaler",
    "SeriesCollection",
    "SeriesData",
    "auto_calendar_features",
    "calendar_features",
    "check_series",
    "chronological_split",
    "future_index",
    "list_builtin_collections",
    "list_builtin_series",
    "load_series",
    "load_series_collection",
    "make_windows",
    "naive_forecast",
    "origin_dataset",
    "origin_split",
    "rolling_origins",
    "windows_as_arrays",
    "windows_at",
]
