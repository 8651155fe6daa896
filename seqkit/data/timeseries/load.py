"""``load_series``: NumPy arrays, pandas objects, CSV files and the built-in series as
:class:`SeriesData` (``float32 [N, F]``, time index kept, seasonal period inferred).

Built-in real series (offline: their data ship inside the ``statsmodels`` and ``aeon``
wheels).

- ``"co2"``: Mauna Loa atmospheric CO2 (ppm), weekly, 1958-03-29 .. 2001-12-29, 2284
  points, 59 missing values, strong trend + yearly cycle (period 52). Keeling & Whorf (2004),
  Scripps Institution of Oceanography / CDIAC; public domain (``statsmodels.datasets.co2``).
- ``"elnino"``: Nino 1+2 sea-surface temperature (deg C), monthly, 1950-01 .. 2010-12, 732
  points, period 12. NOAA NWS Climate Prediction Center, ERSST.V3B; public domain
  (``statsmodels.datasets.elnino``).
- ``"sunspots"``: yearly sunspot activity 1700 .. 2008, 309 points, ~11-year solar cycle
  (period 11, approximate). NOAA NGDC; public domain (``statsmodels.datasets.sunspots``).
- ``"uschange"``: quarterly percentage changes of US personal consumption expenditure,
  personal disposable income, industrial production, personal savings and the change of the
  unemployment rate, 1970 Q1 .. 2016 Q3, 187 points, 5 columns, period 4. The ``uschange``
  data of Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (2nd ed., R
  package ``fpp2``, GPL-3; source: Federal Reserve Bank of St. Louis, US federal statistics
  in the public domain), bundled in ``aeon`` (BSD-3-Clause) as
  ``aeon/datasets/data/Uschange/Uschange.csv`` and read with ``aeon.datasets.load_uschange``.
  The textbook regresses consumption on the others: a series with covariates.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from seqkit.data.timeseries.series import SeriesData, _numeric_values
from seqkit.errors import DataError, DatasetUnavailableError

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


def _sm_dataset(module: str):
    import importlib

    try:
        return importlib.import_module(f"statsmodels.datasets.{module}")
    except ImportError as err:
        raise DatasetUnavailableError(
            f"built-in series {module!r} ships with statsmodels, which is not installed "
            "(pip install statsmodels)"
        ) from err


def _load_co2():
    import pandas as pd

    df = _sm_dataset("co2").load_pandas().data
    idx = pd.DatetimeIndex(df.index, name="date")
    return df["co2"].to_numpy(np.float64)[:, None], idx, ["co2"], 52


def _load_elnino():
    import pandas as pd

    df = _sm_dataset("elnino").load_pandas().data
    months = [c for c in df.columns if c != "YEAR"]
    values = df[months].to_numpy(np.float64).reshape(-1, 1)  # row-major: year by year
    start = f"{int(df['YEAR'].iloc[0])}-01-01"
    idx = pd.date_range(start, periods=len(values), freq="MS", name="date")
    return values, idx, ["nino12_sst"], 12


def _load_sunspots():
    import pandas as pd

    df = _sm_dataset("sunspots").load_pandas().data
    idx = pd.DatetimeIndex(
        pd.to_datetime(df["YEAR"].astype(int).astype(str), format="%Y"), name="year"
    )
    return df[["SUNACTIVITY"]].to_numpy(np.float64), idx, ["sunactivity"], 11


def _aeon_datasets(name: str):
    """``aeon.datasets``, or DatasetUnavailableError naming the built-in ``name``."""
    import importlib

    try:
        return importlib.import_module("aeon.datasets")
    except ImportError as err:
        raise DatasetUnavailableError(
            f"built-in {name!r} ships with aeon, which is not installed (pip install aeon)"
        ) from err


def _load_uschange():
    import pandas as pd

    frame = _aeon_datasets("uschange").load_uschange(return_array=False).T  # [time, 5]
    idx = pd.date_range("1970-01-01", periods=len(frame), freq="QS", name="quarter")
    return frame.to_numpy(np.float64), idx, [str(c) for c in frame.columns], 4


# name -> (loader returning (values [N, F] float64, DatetimeIndex, columns, period), line)
_BUILTIN = {
    "co2": (
        _load_co2,
        "Mauna Loa CO2 (ppm), weekly 1958-2001, 2284 points with 59 NaN, period 52; "
        "Keeling & Whorf 2004 (SIO/CDIAC), public domain, via statsmodels.datasets.co2",
    ),
    "elnino": (
        _load_elnino,
        "Nino 1+2 sea-surface temperature, monthly 1950-2010, 732 points, period 12; "
        "NOAA CPC ERSST.V3B, public domain, via statsmodels.datasets.elnino",
    ),
    "sunspots": (
        _load_sunspots,
        "yearly sunspot activity 1700-2008, 309 points, period ~11; NOAA NGDC, public domain, "
        "via statsmodels.datasets.sunspots",
    ),
    "uschange": (
        _load_uschange,
        "US consumption, income, production, savings, unemployment (% changes), quarterly "
        "1970-2016, 187 points, period 4; Hyndman & Athanasopoulos fpp2 uschange (GPL-3), "
        "Federal Reserve Bank of St. Louis data, via aeon.datasets.load_uschange",
    ),
}


def list_builtin_series() -> dict[str, str]:
    """Names of the built-in real series with a one-line description (source, licence).

    Returns:
        ``{name: description}``; each name is a valid ``source`` of
        :func:`seqkit.data.load_series`.

    Example:

    >>> sorted(list_builtin_series())
    ['co2', 'elnino', 'sunspots', 'uschange']
    >>> list_builtin_series()["sunspots"]
    'yearly sunspot activity 1700-2008, 309 points, period ~11; NOAA NGDC, public domain, \
via statsmodels.datasets.sunspots'
    """
    return {name: desc for name, (_, desc) in _BUILTIN.items()}
