"""From what a user passes to ``fit_forecaster`` to a :class:`ForecastData`.

One series (an array, a pandas object, a CSV path, a built-in name) or many (a list or
dict of series, a long DataFrame with an id column, a built-in collection such as
``"m1_yearly"``); the target, past and future-known covariate columns; calendar
encodings of a ``DatetimeIndex``; static covariates per series; one origin split per
series.

Example:

>>> import numpy as np
>>> data = load_forecast_data({"a": np.arange(30.0), "b": np.arange(50.0)}, window=4,
...                           horizon=2, val_size=0, test_size=4)
>>> data.ids, data.targets
(['a', 'b'], [0])
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from seqkit.errors import DataError
from seqkit.forecasting.data import ForecastData


def is_collection(series, id_column: str | None = "id") -> bool:
    """Whether ``series`` is many series (a list/dict of series, a long frame, a built-in
    collection name) rather than one.

    Args:
        series: what the user passed.
        id_column: the long frame's id column.

    Returns:
        True for many series.

    Example:

    >>> import numpy as np
    >>> is_collection([np.zeros(5), np.zeros(6)]), is_collection(np.zeros((5, 2)))
    (True, False)
    """
    from seqkit.data.timeseries import list_builtin_collections

    if isinstance(series, dict):
        return True
    if isinstance(series, (list, tuple)):
        return len(series) > 0 and all(np.ndim(s) >= 1 or hasattr(s, "shape") for s in series)
    if isinstance(series, str) and series in list_builtin_collections():
        return True
    if isinstance(series, (str, os.PathLike)) and str(series).endswith(".csv"):
        return id_column is not None and id_column in _csv_header(series)
    columns = getattr(series, "columns", None)
    return columns is not None and id_column is not None and id_column in columns


def _csv_header(path) -> list[str]:
    """The column names on a CSV's first line (empty when the file cannot be read: the
    loader then names the problem)."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError):
        return []


def _members(series, *, columns, time_column, nan_policy, period, id_column, static_columns):
    """``(ids, [SeriesData], static frame or None, source)``, NaN handled per series."""
    from seqkit.data.timeseries import check_series, load_series, load_series_collection

    if is_collection(series, id_column):
        coll = load_series_collection(series, id_column=id_column or "id",
                                      time_column=time_column, value_columns=columns,
                                      static_columns=static_columns, period=period)
        members = [check_series(s, nan_policy) for s in coll.series]
        return list(coll.ids), members, coll.static
    if static_columns:
        raise DataError(f"static_columns={static_columns!r} needs many series (a list, a "
                        f"dict or a long frame with an {id_column!r} column)")
    data = load_series(series, columns=columns, time_column=time_column, period=period)
    return ["0"], [check_series(data, nan_policy)], None


def _names(columns):
    """Column names as a list: one name given as a string is one column, not its letters."""
    if columns is None:
        return None
    return [columns] if isinstance(columns, (str, int)) else list(columns)


def _future_columns(member, future_covariates, calendar) -> tuple:
    import pandas as pd

    from seqkit.data.timeseries import auto_calendar_features, calendar_features

    parts, names, features = [], [], ()
    if future_covariates:
        idx = member.column_indices(list(future_covariates))
        parts.append(member.values[:, idx])
        names += [member.columns[i] for i in idx]
    if calendar:
        if not isinstance(member.index, pd.DatetimeIndex):
            raise DataError(f"calendar={calendar!r} encodes the timestamps of a "
                            f"DatetimeIndex (give time_column= or a dated index), but the "
                            f"series' index is a {type(member.index).__name__}")
        features = tuple(auto_calendar_features(member.index) if calendar == "auto"
                         else _names(calendar))
        if features:
            enc, enc_names = calendar_features(member.index, tuple(features))
            parts.append(enc)
            names += enc_names
    if not parts:
        return None, [], ()
    return np.concatenate(parts, axis=1).astype("float32"), names, features


def _static_array(static, ids, static_columns) -> tuple[np.ndarray | None, list]:
    if static is None or not static_columns:
        return None, []
    frame = static.loc[ids, list(static_columns)]
    try:
        values = frame.to_numpy(dtype="float32")
    except (TypeError, ValueError):
        raise DataError(f"static_columns {list(static_columns)} must be numeric (one-hot "
                        f"encode categories first), got dtypes {frame.dtypes.to_dict()}") from None
    return values, [str(c) for c in static_columns]


def _split(n: int, window: int, horizon: int, val_size, test_size, many: bool):
    """The origin split of one series; for many series, a series too short to train on
    still gets its validation/test origins (the model is global)."""
    from seqkit.data.timeseries import OriginSplit, origin_split

    try:
        return origin_split(n, window=window, horizon=horizon, val_size=val_size,
                            test_size=test_size)
    except DataError:
        if not many or n < window + horizon:
            raise
    sizes = [s if isinstance(s, (int, np.integer)) else max(horizon, round(n * s)) if s else 0
             for s in (val_size, test_size)]
    test = min(sizes[1], n - window)
    val = min(sizes[0], n - window - test) if sizes[0] else 0
    return OriginSplit(n=n, window=window, horizon=horizon, train_end=n - test - val,
                       val_end=n - test)


def load_forecast_data(series, *, window: int, horizon: int, val_size=0.15, test_size=0.15,
                       columns=None, time_column=None, nan_policy: str = "error",
                       period=None, target_columns=None, future_covariates=None,
                       calendar=None, id_column: str | None = "id",
                       static_columns=None) -> ForecastData:
    """Load, check and split the series of a fit.

    Args:
        series: one series or many (see the module docstring).
        window, horizon: the model's input and output lengths.
        val_size, test_size: per series, as in :func:`seqkit.data.timeseries.origin_split`.
        columns, time_column, nan_policy, period: as in :func:`seqkit.fit_forecaster`.
        target_columns: the columns to forecast (default: every column that is not a
            future covariate); the other columns are past covariates (inputs only).
        future_covariates: columns whose values over the horizon are known in advance.
        calendar: ``None``, ``"auto"`` or calendar feature names
            (:data:`seqkit.data.timeseries.CALENDAR_FEATURES`) encoded from the index.
        id_column: the id column of a long frame.
        static_columns: per-series constant numeric columns (many series only).

    Returns:
        A :class:`ForecastData`; series shorter than ``window + horizon`` are left out
        with a warning (a DataError when none is left).

    Example:

    >>> import numpy as np
    >>> load_forecast_data(np.arange(144.0), window=24, horizon=12, val_size=12,
    ...                    test_size=12).n_examples("train")
    85
    """
    target_columns, future_covariates = _names(target_columns), _names(future_covariates)
    static_columns, columns = _names(static_columns), _names(columns)
    ids, members, static = _members(series, columns=columns, time_column=time_column,
                                    nan_policy=nan_policy, period=period, id_column=id_column,
                                    static_columns=static_columns)
    many = len(ids) > 1 or is_collection(series, id_column)
    keep = [i for i, m in enumerate(members) if len(m) >= window + horizon]
    if len(keep) < len(members):
        if not keep:
            raise DataError(f"no series is as long as window={window} + horizon={horizon} "
                            f"(lengths {sorted({len(m) for m in members})[:5]}...)")
        warnings.warn(f"{len(members) - len(keep)} of {len(members)} series are shorter "
                      f"than window + horizon = {window + horizon} and are left out",
                      stacklevel=3)
    ids, members = [ids[i] for i in keep], [members[i] for i in keep]
    first = members[0]
    future_set = set(first.column_indices(list(future_covariates or [])))
    targets = (first.column_indices(list(target_columns)) if target_columns is not None
               else [i for i in range(len(first.columns)) if i not in future_set])
    if not targets or any(not 0 <= t < len(first.columns) for t in targets):
        raise DataError(f"target_columns {target_columns!r} out of range for columns "
                        f"{first.columns}")
    if future_set & set(targets):  # the model would read the very values it forecasts
        both = [first.columns[t] for t in targets if t in future_set]
        raise DataError(f"{both} cannot be both a target and a future covariate (its values "
                        f"over the horizon would be an input of their own forecast)")
    futures = [_future_columns(m, future_covariates, calendar) for m in members]
    values = [np.asarray(m.values, "float32") for m in members]
    static_values, static_names = _static_array(static, ids, static_columns)
    return ForecastData(
        ids=ids, values=np.concatenate(values), offsets=np.cumsum([0] + [len(v) for v in values]),
        splits=[_split(len(v), window, horizon, val_size, test_size, many) for v in values],
        targets=targets, columns=list(first.columns), window=window, horizon=horizon,
        future=None if futures[0][0] is None else np.concatenate([f[0] for f in futures]),
        future_names=futures[0][1], static=static_values, static_names=static_names,
        indexes=[m.index for m in members], period=first.period,
        calendar_features=futures[0][2])
