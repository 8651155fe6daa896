"""The series container shared by loading, checking and windowing.

NaN/inf handling and the numeric checks shared by the time series modules.

A Keras ``Masking`` layer does not mask NaN (one NaN step makes the RNN output NaN), so bad
values are refused, interpolated or dropped by :func:`check_series` before windows are
built; they never pass silently.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqkit.errors import DataError
from seqkit.validation import check_choice, steps_by_features


@dataclasses.dataclass
class SeriesData:
    """A (possibly multivariate) series, as :func:`seqkit.data.load_series` returns it.

    Args:
        values: ``float32 [N, F]`` (may contain NaN until :func:`check_series` is applied).
        index: a pandas ``DatetimeIndex`` (kept from the source) or ``RangeIndex``.
        columns: ``F`` feature names.
        source: human-readable description of where the data came from.
        period: seasonal period in steps when known (52 weekly/yearly cycle, 12 monthly,
            4 quarterly, 7 daily, 24 hourly), else None.

    Example:

    >>> s = SeriesData(np.zeros((5, 2), np.float32), range(5), ["a", "b"], "zeros")
    >>> len(s), s.column_indices(["b", 0])
    (5, [1, 0])
    """

    values: np.ndarray
    index: object
    columns: list[str]
    source: str
    period: int | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def column_indices(self, names) -> list[int]:
        """Positions of the given column names (ints are passed through).

        Args:
            names: column names or positions.

        Returns:
            The positions, in the order given.

        Raises:
            DataError: an unknown name (the columns are listed).

        Example:

        >>> SeriesData(np.zeros((2, 1), np.float32), range(2), ["v"], "").column_indices(["w"])
        Traceback (most recent call last):
        ...
        seqkit.errors.DataError: unknown column 'w'; columns are ['v']
        """
        out = []
        for name in names:
            if isinstance(name, (int, np.integer)):
                out.append(int(name))
            elif name in self.columns:
                out.append(self.columns.index(name))
            else:
                raise DataError(f"unknown column {name!r}; columns are {self.columns}")
        return out


NAN_POLICIES = ("error", "interpolate", "drop")


def _as_2d_float(values, what="series") -> np.ndarray:
    """``float32 [N, F]`` from a real ``[N]`` or ``[N, F]`` array-like."""
    return steps_by_features(values, what, "1-D [N] or 2-D [N, F]").astype(np.float32)


def _numeric_values(frame, what: str) -> np.ndarray:
    """A DataFrame's values as ``float64``; non-numeric columns are named."""
    from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype

    bad = [(c, str(frame[c].dtype)) for c in frame.columns
           if not (is_numeric_dtype(frame[c].dtype) or is_bool_dtype(frame[c].dtype))
           or is_complex_dtype(frame[c].dtype)]
    if bad:
        raise DataError(
            f"{what}: non-numeric column(s) {bad}; choose numeric columns with columns=[...] "
            "(and time_column= for dates)"
        )
    return frame.to_numpy(dtype=np.float64)


def _series_parts(values, index):
    """``(SeriesData or None, float32 [N, F], index or None, column names)``."""
    import pandas as pd

    if isinstance(values, SeriesData):
        return values, _as_2d_float(values.values), values.index, values.columns
    if isinstance(values, (pd.Series, pd.DataFrame)):
        frame = values.to_frame() if isinstance(values, pd.Series) else values
        arr = _as_2d_float(_numeric_values(frame, "series"))
        return None, arr, frame.index, [str(c) for c in frame.columns]
    arr = _as_2d_float(values)
    return None, arr, index, [f"f{i}" for i in range(arr.shape[1])]


def _refuse_bad(arr, bad, index, columns):
    """Raise the DataError naming the count and the first bad position."""
    import pandas as pd

    row, col = (int(v) for v in np.argwhere(bad)[0])
    when = ""
    if isinstance(index, pd.DatetimeIndex):
        when = f", timestamp {index[row]}"
    elif index is not None:
        when = f", index label {index[row]!r}"
    n_rows = int(bad.any(axis=1).sum())
    raise DataError(
        f"series has {int(bad.sum())} NaN/inf value(s) in {n_rows} row(s); first at row {row}, "
        f"column {col} ({columns[col]!r}{when}) = {arr[row, col]}. A Masking layer does "
        "not mask NaN: pass nan_policy='interpolate' or 'drop'"
    )


def _drop_bad_rows(arr, bad, index):
    keep = ~bad.any(axis=1)
    if not keep.any():
        raise DataError(f"every one of the {len(arr)} rows has a NaN/inf; nothing left")
    return arr[keep], (index[keep] if index is not None else None)


def _interpolate(arr, bad, index, columns):
    """Linear in time order (by timestamp for a sorted DatetimeIndex), edges held."""
    import pandas as pd

    empty_cols = [columns[c] for c in range(arr.shape[1]) if bad[:, c].all()]
    if empty_cols:
        raise DataError(f"column(s) {empty_cols} have no finite value; cannot interpolate")
    use_time = isinstance(index, pd.DatetimeIndex) and index.is_monotonic_increasing
    frame = pd.DataFrame(np.where(bad, np.nan, arr).astype(np.float64),
                         index=index if use_time else None)
    frame = frame.interpolate(method="time" if use_time else "linear",
                              limit_direction="both").ffill().bfill()
    return frame.to_numpy(dtype=np.float32)


def check_series(values, nan_policy: str = "error", *, index=None):
    """Refuse, interpolate or drop NaN/inf in a series; never let them through silently.

    A Keras ``Masking`` layer does not mask NaN (one NaN step makes the RNN output NaN), so
    bad values must be handled before windows are built.

    Args:
        values: :class:`SeriesData`, a pandas Series/DataFrame, or an array ``[N]``/``[N, F]``.
        nan_policy: ``"error"`` (default) raises; ``"interpolate"`` fills NaN/inf linearly in
            time order (by timestamp for a ``DatetimeIndex``, else by position), edges filled
            with the nearest valid value; ``"drop"`` removes every row with a bad value.
        index: optional time index of an array input (used to name timestamps).

    Returns:
        A :class:`SeriesData` for a SeriesData input (index filtered on ``"drop"``), else a
        clean ``float32 [N, F]`` array (1-D inputs become ``[N, 1]``).

    Raises:
        ConfigError: unknown policy (lists the allowed ones).
        DataError: wrong rank or non-numeric dtype (named); under ``"error"`` any NaN/inf,
            naming the count and the first bad position (row, column, timestamp when known);
            a column with no valid value at all under ``"interpolate"``; nothing left after
            ``"drop"``.

    Example:

    >>> check_series(np.array([1.0, np.nan, 3.0]))
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: series has 1 NaN/inf value(s) in 1 row(s); first at row 1, \
column 0 ('f0') = nan. A Masking layer does not mask NaN: pass nan_policy='interpolate' or 'drop'
    >>> check_series(np.array([1.0, np.nan, 3.0]), "interpolate")[:, 0].tolist()
    [1.0, 2.0, 3.0]
    >>> check_series(np.array([1.0, np.nan, 3.0]), "drop")[:, 0].tolist()
    [1.0, 3.0]
    """
    import pandas as pd

    check_choice("nan_policy", nan_policy, NAN_POLICIES)
    series, arr, index, columns = _series_parts(values, index)
    if index is not None and len(index) != len(arr):
        raise DataError(f"index has {len(index)} entries but the series has {len(arr)} rows")
    bad = ~np.isfinite(arr)
    if not bad.any():
        clean, keep_index = arr, index
    elif nan_policy == "error":
        _refuse_bad(arr, bad, index, columns)
    elif nan_policy == "drop":
        clean, keep_index = _drop_bad_rows(arr, bad, index)
    else:
        clean, keep_index = _interpolate(arr, bad, index, columns), index
    if series is not None:
        if keep_index is None:
            keep_index = pd.RangeIndex(len(clean))
        return dataclasses.replace(series, values=clean, index=keep_index)
    return clean
