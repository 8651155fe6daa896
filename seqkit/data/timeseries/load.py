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

Many series at once: :class:`SeriesCollection` and :func:`load_series_collection`.

Each member is loaded by :func:`~seqkit.data.timeseries.load.load_series`, so it is a
:class:`SeriesData` with the same checks (numeric columns, NaN kept for
:func:`~seqkit.data.timeseries.series.check_series`, time index sorted, period inferred) as
a single series. Every member has the same columns; per-series constants (a store's region,
a product's category) live in ``static``, a DataFrame indexed by id.

The built-in collection (:func:`list_builtin_collections`):

- ``"m1_yearly"``: the 181 yearly series of the M1 forecasting competition, Makridakis, S.,
  Andersen, A., Carbone, R., Fildes, R., Hibon, M., Lewandowski, R., Newton, J., Parzen, E.
  & Winkler, R. (1982), "The accuracy of extrapolation (time series) methods: results of a
  forecasting competition", *Journal of Forecasting* 1(2), 111-153. 15 to 58 points each
  (median 21), period 1, forecast horizon 6 in the competition; ids ``"T1".."T181"``. The
  file is the Monash Time Series Forecasting Repository's ``m1_yearly_dataset.tsf``
  (Godahewa et al. 2021, forecastingdata.org, CC BY 4.0), bundled in the ``aeon`` wheel
  (BSD-3-Clause) as ``aeon/datasets/data/m1_yearly_dataset/m1_yearly_dataset.tsf`` and read
  offline with ``aeon.datasets.load_from_tsf_file`` (never ``load_forecasting``, which
  downloads what it does not find). The file notes that series 51 (``"T51"``) lost the last
  two digits of its start year, given as 1900.

Example:

>>> import numpy as np
>>> coll = load_series_collection({"a": np.arange(5.0), "b": np.arange(3.0)})
>>> len(coll), coll.ids, len(coll["b"]), coll.columns
(2, ['a', 'b'], 3, ['value'])
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from seqkit.data.timeseries.series import SeriesData, _numeric_values
from seqkit.errors import ConfigError, DataError, DatasetUnavailableError
from seqkit.validation import check_int, check_optional_int

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


if TYPE_CHECKING:
    import pandas as pd

_M1_FILE = ("m1_yearly_dataset", "m1_yearly_dataset.tsf")


@dataclasses.dataclass
class SeriesCollection:
    """Series with the same columns, by id, and optional per-series static values.

    Args:
        ids: the series ids (strings, unique), in order.
        series: one :class:`SeriesData` per id.
        static: per-series constants, a pandas DataFrame whose index is ``ids``, or None.

    Example:

    >>> s = SeriesData(np.zeros((4, 1), np.float32), range(4), ["v"], "zeros", period=2)
    >>> coll = SeriesCollection(["x"], [s], None)
    >>> coll["x"] is s, coll.columns, coll.period, list(coll)
    (True, ['v'], 2, ['x'])
    """

    ids: list[str]
    series: list[SeriesData]
    static: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):
        """Iterate over the ids (as a mapping does); ``coll[id]`` gives the series."""
        return iter(self.ids)

    def __getitem__(self, series_id) -> SeriesData:
        key = str(series_id)
        try:
            return self.series[self.ids.index(key)]
        except ValueError:
            shown = self.ids[:5] + (["..."] if len(self.ids) > 5 else [])
            raise DataError(f"unknown series id {series_id!r}; ids are {shown}") from None

    def items(self):
        """``(id, SeriesData)`` pairs in order."""
        return zip(self.ids, self.series, strict=True)

    @property
    def columns(self) -> list[str]:
        """The column names every member shares (``[]`` for an empty collection)."""
        return list(self.series[0].columns) if self.series else []

    @property
    def period(self) -> int | None:
        """The seasonal period when every member has the same one, else None."""
        periods = {s.period for s in self.series}
        return periods.pop() if len(periods) == 1 else None


def _load_m1_yearly(period):
    """``(ids, [SeriesData], None)`` of the bundled M1 yearly file."""
    import pandas as pd

    datasets = _aeon_datasets("m1_yearly")
    path = Path(datasets.__file__).parent / "data" / _M1_FILE[0] / _M1_FILE[1]
    if not path.is_file():
        raise DatasetUnavailableError(
            f"built-in 'm1_yearly': this aeon version does not bundle {path.name} "
            f"(looked at {path})"
        )
    frame, _ = datasets.load_from_tsf_file(str(path))
    ids, members = [], []
    for name, start, values in frame[["series_name", "start_timestamp", "series_value"]
                                     ].itertuples(index=False):
        arr = np.asarray(values, np.float64)
        idx = pd.date_range(start, periods=len(arr), freq="YS", name="year")
        member = load_series(pd.Series(arr, idx, name="value"),
                             period=1 if period is None else period)
        member.source = f"built-in 'm1_yearly' series {name}: {_BUILTIN_COLLECTIONS['m1_yearly']}"
        ids.append(str(name))
        members.append(member)
    return ids, members, None


_BUILTIN_COLLECTIONS = {
    "m1_yearly": "M1 competition yearly series (Makridakis et al. 1982), 181 series of 15-58 "
                 "points, period 1, horizon 6; Monash forecasting repository file (CC BY 4.0) "
                 "bundled in aeon",
}


def list_builtin_collections() -> dict[str, str]:
    """Names of the built-in collections with a one-line description (source, licence).

    Returns:
        ``{name: description}``; each name is a valid ``source`` of
        :func:`load_series_collection`.

    Example:

    >>> sorted(list_builtin_collections())
    ['m1_yearly']
    """
    return dict(_BUILTIN_COLLECTIONS)


def _check_static(frame, id_column, static_columns, order):
    """The per-id static DataFrame; DataError naming an id whose value varies."""
    import pandas as pd

    missing = [c for c in static_columns if c not in frame.columns]
    if missing:
        raise DataError(f"static column(s) {missing} not found; columns: {list(frame.columns)}")
    rows = {}
    for key, group in frame.groupby(id_column, sort=False):
        for col in static_columns:
            distinct = group[col].drop_duplicates()
            if len(distinct) > 1:
                raise DataError(
                    f"static column {col!r} varies within series {str(key)!r}: values "
                    f"{distinct.tolist()[:5]}; a static column holds one value per series"
                )
        rows[str(key)] = group[list(static_columns)].iloc[0]
    static = pd.DataFrame([rows[i] for i in order], index=pd.Index(order, name=id_column))
    return static


def _parse_times(frame, time_column):
    import pandas as pd

    if time_column not in frame.columns:
        raise DataError(f"time_column {time_column!r} not found; columns: {list(frame.columns)}")
    try:
        times = pd.to_datetime(frame[time_column])
    except (ValueError, TypeError) as err:
        raise DataError(f"cannot parse time_column {time_column!r}: {err}") from err
    return frame.assign(**{time_column: times})


def _from_long(frame, id_column, time_column, value_columns, static_columns, period):
    """Members of a long DataFrame, one per ``id_column`` value, in order of appearance."""
    if id_column not in frame.columns:
        raise DataError(f"id_column {id_column!r} not found; columns: {list(frame.columns)}")
    static_columns = list(static_columns or [])
    if value_columns is None:
        skip = {id_column, time_column, *static_columns}
        value_columns = [c for c in frame.columns if c not in skip]
    frame = frame.assign(**{id_column: frame[id_column].astype(str)})
    if time_column is not None:
        frame = _parse_times(frame, time_column)
    ids = list(dict.fromkeys(frame[id_column]))
    static = (_check_static(frame, id_column, static_columns, ids)
              if static_columns else None)
    members = []
    for key, group in frame.groupby(id_column, sort=False):
        if time_column is not None:
            group = group.sort_values(time_column, kind="stable")
            dup = group[time_column].duplicated()
            if dup.any():
                raise DataError(f"series {key!r} has the timestamp "
                                f"{group[time_column][dup].iloc[0]!r} more than once")
        member = load_series(group.drop(columns=[id_column]).reset_index(drop=True),
                             columns=value_columns, time_column=time_column, period=period)
        member.source = f"pandas DataFrame, {id_column}={key!r}"
        members.append(member)
    return ids, members, static


def _from_members(items, value_columns, time_column, period):
    ids, members = [], []
    for key, item in items:
        member = load_series(item, columns=value_columns, time_column=time_column,
                             period=period)
        ids.append(str(key))
        members.append(member)
    if len(set(ids)) != len(ids):
        raise DataError(f"series ids must be unique as strings, got {ids[:10]}")
    return ids, members, None


def _gather(source, id_column, time_column, value_columns, static_columns, period):
    import pandas as pd

    if isinstance(source, (str, os.PathLike)):
        if isinstance(source, str) and source in _BUILTIN_COLLECTIONS:
            return _load_m1_yearly(period)
        path = Path(source).expanduser()
        if not path.is_file():
            raise DataError(
                f"collection source {str(source)!r} is not a CSV file nor a built-in "
                f"collection; built-in names: {sorted(_BUILTIN_COLLECTIONS)}"
            )
        source = pd.read_csv(path)
    if isinstance(source, pd.DataFrame):
        return _from_long(source, id_column, time_column, value_columns, static_columns,
                          period)
    if static_columns:
        raise ConfigError("static_columns applies to a long DataFrame (one row per id and "
                          f"time step), got a {type(source).__name__}")
    if isinstance(source, dict):
        return _from_members(source.items(), value_columns, time_column, period)
    if isinstance(source, (list, tuple)):
        return _from_members(enumerate(source), value_columns, time_column, period)
    raise DataError(
        "a collection source must be a list or dict of series, a long DataFrame with an "
        f"id column, a CSV path or a built-in name, got {type(source).__name__}"
    )


def _keep_long_enough(ids, members, static, min_length):
    short = [i for i, m in zip(ids, members, strict=True) if len(m) < min_length]
    if not short:
        return ids, members, static
    if len(short) == len(ids):
        raise DataError(f"every one of the {len(ids)} series is shorter than "
                        f"min_length={min_length}; the longest has {max(map(len, members))}")
    warnings.warn(f"dropped {len(short)} of {len(ids)} series shorter than "
                  f"min_length={min_length}: {short[:5]}{' ...' if len(short) > 5 else ''}",
                  stacklevel=3)
    dropped = set(short)
    keep = [k for k, i in enumerate(ids) if i not in dropped]
    ids = [ids[k] for k in keep]
    if static is not None:
        static = static.loc[ids]
    return ids, [members[k] for k in keep], static


def load_series_collection(source, *, id_column: str = "id", time_column=None,
                           value_columns=None, static_columns=None, period: int | None = None,
                           min_length: int = 1) -> SeriesCollection:
    """Load many series with the same columns as a :class:`SeriesCollection`.

    Args:
        source: one of

            - a list/tuple of series (arrays, pandas Series/DataFrames): ids ``"0", "1", ...``;
            - a dict ``{id: series}`` (ids converted to ``str``);
            - a long pandas DataFrame (or a CSV path of one) with an ``id_column``: one
              series per id in order of first appearance, rows sorted by ``time_column``
              within each id when given (else kept in order); the value columns are all
              other columns unless ``value_columns`` names them;
            - a built-in collection name (:func:`list_builtin_collections`): ``"m1_yearly"``.
        id_column: the id column of a long DataFrame.
        time_column: a column parsed as dates that becomes each series' index.
        value_columns: the value columns (a long frame), or passed to
            :func:`~seqkit.data.timeseries.load.load_series` as ``columns`` for each member.
        static_columns: columns of a long frame constant within each series; they go to
            ``static`` (index = ids) instead of the values.
        period: the seasonal period of every member; None infers it per member.
        min_length: series shorter than this are dropped, with a warning naming them.

    Returns:
        :class:`SeriesCollection` (``ids``, ``series``, ``static``).

    Raises:
        DataError: a member :func:`~seqkit.data.timeseries.load.load_series` refuses, a
            member whose columns differ from the first one's (its id is named), a static
            column that varies within a series (the id is named), a timestamp repeated
            within a series, duplicate ids, an empty source, or nothing left after
            ``min_length``.
        ConfigError: ``static_columns`` without a long frame, bad ``period``/``min_length``.
        DatasetUnavailableError: a built-in collection whose package (aeon) is missing.

    Example:

    >>> import pandas as pd
    >>> long = pd.DataFrame({"id": ["a", "a", "b", "b", "b"], "region": ["N", "N", "S", "S", "S"],
    ...                      "sales": [1.0, 2.0, 5.0, 6.0, 7.0]})
    >>> coll = load_series_collection(long, static_columns=["region"])
    >>> coll.ids, coll["b"].values[:, 0].tolist(), coll.static["region"].tolist()
    (['a', 'b'], [5.0, 6.0, 7.0], ['N', 'S'])
    >>> load_series_collection([np.zeros((3, 2)), np.zeros(3)])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: series '1' has columns ['value'] but series '0' has ['f0', 'f1']; \
every series of a collection must have the same columns
    """
    period = check_optional_int("period", period)
    min_length = check_int("min_length", min_length)
    ids, members, static = _gather(source, id_column, time_column, value_columns,
                                   static_columns, period)
    if not ids:
        raise DataError("the collection source holds no series")
    first = members[0].columns
    for key, member in zip(ids, members, strict=True):
        if member.columns != first:
            raise DataError(
                f"series {key!r} has columns {member.columns} but series {ids[0]!r} has "
                f"{first}; every series of a collection must have the same columns"
            )
    ids, members, static = _keep_long_enough(ids, members, static, min_length)
    return SeriesCollection(ids=ids, series=members, static=static)
