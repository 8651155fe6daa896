"""``load_series``: NumPy arrays, pandas objects, CSV files and the built-in series as
:class:`SeriesData` (``float32 [N, F]``, time index kept, seasonal period inferred)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from seqkit.data.timeseries.builtin import _BUILTIN
from seqkit.data.timeseries.checks import _numeric_values
from seqkit.data.timeseries.series import SeriesData
from seqkit.errors import DataError

_FREQ_PERIOD = {"W": 52, "M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "D": 7,
                "B": 5, "H": 24, "h": 24}


def _infer_period(index) -> int | None:
    """The seasonal period of a ``DatetimeIndex``'s frequency, or None."""
    import pandas as pd

    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return None
    freq = index.freqstr or pd.infer_freq(index)
    if not freq:
        return None
    base = freq.split("-")[0].lstrip("0123456789")
    return _FREQ_PERIOD.get(base)


def _load_builtin(name: str, period) -> SeriesData:
    loader, desc = _BUILTIN[name]
    values, index, cols, known_period = loader()
    return SeriesData(
        values=values.astype(np.float32), index=index, columns=cols,
        source=f"built-in {name!r}: {desc}",
        period=period if period is not None else known_period,
    )


def _from_array(source, columns, period) -> SeriesData:
    import pandas as pd

    arr = np.asarray(source)
    if arr.ndim not in (1, 2):
        raise DataError(f"a series must be 1-D [N] or 2-D [N, F]; got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise DataError(f"a series must be numeric; got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[:, None]
        default_cols = ["value"]
    else:
        default_cols = [f"f{i}" for i in range(arr.shape[1])]
    cols = list(columns) if columns is not None else default_cols
    if len(cols) != arr.shape[1]:
        raise DataError(f"columns names {cols} but the array has {arr.shape[1]} features")
    return SeriesData(
        values=arr.astype(np.float32), index=pd.RangeIndex(arr.shape[0]), columns=cols,
        source=f"NumPy array {arr.shape}", period=period,
    )


def _select(frame, name: str, columns, time_column):
    """Set the parsed ``time_column`` as the index and keep ``columns``."""
    import pandas as pd

    if time_column is not None:
        if time_column not in frame.columns:
            raise DataError(
                f"{name}: time_column {time_column!r} not found; columns: {list(frame.columns)}"
            )
        try:
            times = pd.to_datetime(frame[time_column])
        except (ValueError, TypeError) as err:
            raise DataError(f"{name}: cannot parse time_column {time_column!r}: {err}") from err
        frame = frame.drop(columns=[time_column]).set_index(pd.DatetimeIndex(times))
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(
                f"{name}: column(s) {missing} not found; columns: {list(frame.columns)}"
            )
        frame = frame[list(columns)]
    if frame.shape[1] == 0:
        raise DataError(f"{name}: no value columns")
    return frame


def _from_frame(frame, name: str, columns, time_column, period) -> SeriesData:
    import pandas as pd

    frame = _select(frame, name, columns, time_column)
    _numeric_values(frame, name)  # raises on non-numeric columns before anything else
    index = frame.index
    if isinstance(index, pd.DatetimeIndex) and not index.is_monotonic_increasing:
        warnings.warn(f"{name}: time index was not in increasing order; sorted it", stacklevel=3)
        frame = frame.sort_index(kind="stable")
        index = frame.index
    values = _numeric_values(frame, name)
    if not isinstance(index, pd.DatetimeIndex):
        index = pd.RangeIndex(len(frame))
    return SeriesData(
        values=values.astype(np.float32), index=index, columns=[str(c) for c in frame.columns],
        source=name, period=period if period is not None else _infer_period(index),
    )


def _read_csv(source, path: Path):
    import pandas as pd

    if not path.is_file():
        raise DataError(
            f"series source {str(source)!r} is not a CSV file nor a built-in series; "
            f"built-in names: {sorted(_BUILTIN)}"
        )
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot parse as CSV: {err}") from err


def load_series(source, *, columns=None, time_column=None, period: int | None = None
                ) -> SeriesData:
    """Load a series as :class:`SeriesData` (``float32 [N, F]``; NaN kept, see check_series).

    A ``DatetimeIndex`` that is not in increasing order is sorted (with a warning). ``period``
    overrides the seasonal period, which is otherwise inferred from the index frequency
    (weekly 52, monthly 12, quarterly 4, daily 7, business-daily 5, hourly 24) or known for
    the built-in series.

    Args:
        source: one of

            - a NumPy array, 1-D ``[N]`` (column ``"value"``) or 2-D ``[N, F]`` (columns
              ``"f0".."f{F-1}"``; or ``columns=`` names them);
            - a pandas Series (one column, its name) or DataFrame (``columns=`` selects;
              default all columns, which must be numeric); a ``DatetimeIndex`` is kept;
            - a CSV path (header row);
            - the name of a built-in real series (:func:`list_builtin_series`): ``"co2"``,
              ``"elnino"``, ``"sunspots"``, ``"uschange"``.
        columns: the value columns to keep (a DataFrame or CSV; default every other column),
            or the names of an array's features.
        time_column: a CSV/DataFrame column parsed as dates that becomes the index.
        period: the seasonal period in steps; None infers it (above).

    Returns:
        :class:`SeriesData` with ``values float32 [N, F]`` (NaN kept), ``index``,
        ``columns``, ``source`` and ``period``.

    Raises:
        DataError: wrong rank, non-numeric columns, unknown columns, unknown names (the
            error lists the built-in names), missing files.

    Example:

    >>> s = load_series(np.array([1.0, 2.0, np.nan, 4.0]))
    >>> s.values.shape, s.columns, s.period
    ((4, 1), ['value'], None)
    >>> import pandas as pd
    >>> monthly = pd.Series(np.arange(24.0), pd.date_range("2020-01-01", periods=24, freq="MS"))
    >>> load_series(monthly).period
    12
    """
    import pandas as pd

    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if isinstance(source, str) and source in _BUILTIN and not path.exists():
            return _load_builtin(source, period)
        frame, name = _read_csv(source, path), f"CSV {path}"
    elif isinstance(source, pd.Series):
        frame = source.to_frame(name=source.name if source.name is not None else "value")
        name = "pandas Series"
    elif isinstance(source, pd.DataFrame):
        frame, name = source, "pandas DataFrame"
    else:
        return _from_array(source, columns, period)
    return _from_frame(frame, name, columns, time_column, period)
