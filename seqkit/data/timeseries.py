"""Time series data: loading, NaN handling, chronological splits, scaling, windows, naive baselines.

Conventions: a series is a float32 array ``[N, F]`` (time first, features last); windows are
``x [B, window, F]`` and targets ``y [B, horizon, n_targets]``. Nothing here shuffles time:
splits are chronological, and :class:`Scaler` is fit on the training part only.

Built-in real series (offline: their data ship inside the ``statsmodels`` wheel; see
:func:`list_builtin_series`):

- ``"co2"``: Mauna Loa atmospheric CO2 (ppm), weekly, 1958-03-29 .. 2001-12-29, 2284
  points, 59 missing values, strong trend + yearly cycle (period 52). Keeling & Whorf (2004),
  Scripps Institution of Oceanography / CDIAC; public domain (``statsmodels.datasets.co2``).
- ``"elnino"``: Nino 1+2 sea-surface temperature (deg C), monthly, 1950-01 .. 2010-12, 732
  points, period 12. NOAA NWS Climate Prediction Center, ERSST.V3B; public domain
  (``statsmodels.datasets.elnino``).
- ``"sunspots"``: yearly sunspot activity 1700 .. 2008, 309 points, ~11-year solar cycle
  (period 11, approximate). NOAA NGDC; public domain (``statsmodels.datasets.sunspots``).
"""

from __future__ import annotations

import dataclasses
import math
import os
import warnings
from pathlib import Path

import numpy as np

from seqkit.errors import ConfigError, DataError, DatasetUnavailableError

__all__ = [
    "ChronoSplit",
    "Scaler",
    "SeriesData",
    "check_series",
    "chronological_split",
    "list_builtin_series",
    "load_series",
    "make_windows",
    "naive_forecast",
    "windows_as_arrays",
]

NAN_POLICIES = ("error", "interpolate", "drop")


@dataclasses.dataclass
class SeriesData:
    """A (possibly multivariate) series.

    Attributes:
        values: ``float32 [N, F]`` (may contain NaN until :func:`check_series` is applied).
        index: a pandas ``DatetimeIndex`` (kept from the source) or ``RangeIndex``.
        columns: ``F`` feature names.
        source: human-readable description of where the data came from.
        period: seasonal period in steps when known (52 weekly/yearly cycle, 12 monthly,
            4 quarterly, 7 daily, 24 hourly), else None.
    """

    values: np.ndarray
    index: object
    columns: list[str]
    source: str
    period: int | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def column_indices(self, names) -> list[int]:
        """Positions of the given column names (or ints, passed through)."""
        out = []
        for name in names:
            if isinstance(name, (int, np.integer)):
                out.append(int(name))
            elif name in self.columns:
                out.append(self.columns.index(name))
            else:
                raise DataError(f"unknown column {name!r}; columns are {self.columns}")
        return out


# --------------------------------------------------------------------------------------
# Built-in series
# --------------------------------------------------------------------------------------
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
}


def list_builtin_series() -> dict[str, str]:
    """Names of the built-in real series with a one-line description (source, licence)."""
    return {name: desc for name, (_, desc) in _BUILTIN.items()}


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------
_FREQ_PERIOD = {"W": 52, "M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "D": 7,
                "B": 5, "H": 24, "h": 24}


def _infer_period(index) -> int | None:
    import pandas as pd

    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return None
    freq = index.freqstr or pd.infer_freq(index)
    if not freq:
        return None
    base = freq.split("-")[0].lstrip("0123456789")
    return _FREQ_PERIOD.get(base)


def _numeric_values(frame, what: str) -> np.ndarray:
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


def load_series(source, *, columns=None, time_column=None, period: int | None = None
                ) -> SeriesData:
    """Load a series as :class:`SeriesData` (``float32 [N, F]``; NaN kept, see check_series).

    ``source`` may be:

    - a NumPy array, 1-D ``[N]`` (column ``"value"``) or 2-D ``[N, F]`` (columns
      ``"f0".."f{F-1}"``; or ``columns=`` names them);
    - a pandas Series (one column, its name) or DataFrame (``columns=`` selects; default all
      columns, which must be numeric); a ``DatetimeIndex`` is kept;
    - a CSV path (header row); ``time_column`` is parsed as dates and becomes the index;
      ``columns`` selects value columns (default: every other column);
    - the name of a built-in real series (:func:`list_builtin_series`): ``"co2"``,
      ``"elnino"``, ``"sunspots"``.

    A ``DatetimeIndex`` that is not in increasing order is sorted (with a warning). ``period``
    overrides the seasonal period, which is otherwise inferred from the index frequency
    (weekly 52, monthly 12, quarterly 4, daily 7, business-daily 5, hourly 24) or known for
    the built-in series.

    Raises:
        DataError: wrong rank, non-numeric columns, unknown columns, unknown names (the
            error lists the built-in names), missing files.
    """
    import pandas as pd

    name = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if isinstance(source, str) and source in _BUILTIN and not path.exists():
            loader, desc = _BUILTIN[source]
            values, index, cols, known_period = loader()
            return SeriesData(
                values=values.astype(np.float32), index=index, columns=cols,
                source=f"built-in {source!r}: {desc}",
                period=period if period is not None else known_period,
            )
        if not path.is_file():
            raise DataError(
                f"series source {str(source)!r} is not a CSV file nor a built-in series; "
                f"built-in names: {sorted(_BUILTIN)}"
            )
        try:
            frame = pd.read_csv(path)
        except (pd.errors.ParserError, UnicodeDecodeError) as err:
            raise DataError(f"{path}: cannot parse as CSV: {err}") from err
        name = f"CSV {path}"
    elif isinstance(source, pd.Series):
        frame = source.to_frame(name=source.name if source.name is not None else "value")
        name = "pandas Series"
    elif isinstance(source, pd.DataFrame):
        frame = source
        name = "pandas DataFrame"
    else:
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
    _numeric_values(frame, name)  # raises on non-numeric columns before anything else
    index = frame.index
    if isinstance(index, pd.DatetimeIndex) and not index.is_monotonic_increasing:
        warnings.warn(f"{name}: time index was not in increasing order; sorted it", stacklevel=2)
        frame = frame.sort_index(kind="stable")
        index = frame.index
    values = _numeric_values(frame, name)
    if not isinstance(index, pd.DatetimeIndex):
        index = pd.RangeIndex(len(frame))
    return SeriesData(
        values=values.astype(np.float32), index=index, columns=[str(c) for c in frame.columns],
        source=name, period=period if period is not None else _infer_period(index),
    )


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------
def _as_2d_float(values, what="series") -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise DataError(f"{what} must be numeric; got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise DataError(f"{what} must be real-valued; got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise DataError(f"{what} must be 1-D [N] or 2-D [N, F]; got shape {arr.shape}")
    return arr.astype(np.float32)


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
    """
    import pandas as pd

    if nan_policy not in NAN_POLICIES:
        raise ConfigError(f"nan_policy must be one of {NAN_POLICIES}; got {nan_policy!r}")
    series = values if isinstance(values, SeriesData) else None
    if series is not None:
        arr, index, columns = _as_2d_float(series.values), series.index, series.columns
    elif isinstance(values, (pd.Series, pd.DataFrame)):
        frame = values.to_frame() if isinstance(values, pd.Series) else values
        arr = _as_2d_float(_numeric_values(frame, "series"))
        index, columns = frame.index, [str(c) for c in frame.columns]
    else:
        arr = _as_2d_float(values)
        columns = [f"f{i}" for i in range(arr.shape[1])]
    if index is not None and len(index) != len(arr):
        raise DataError(f"index has {len(index)} entries but the series has {len(arr)} rows")
    bad = ~np.isfinite(arr)
    n_bad = int(bad.sum())
    if n_bad == 0:
        clean, keep_index = arr, index
    elif nan_policy == "error":
        row, col = (int(v) for v in np.argwhere(bad)[0])
        when = ""
        if isinstance(index, pd.DatetimeIndex):
            when = f", timestamp {index[row]}"
        elif index is not None:
            when = f", index label {index[row]!r}"
        n_rows = int(bad.any(axis=1).sum())
        raise DataError(
            f"series has {n_bad} NaN/inf value(s) in {n_rows} row(s); first at row {row}, "
            f"column {col} ({columns[col]!r}{when}) = {arr[row, col]}. A Masking layer does "
            "not mask NaN: pass nan_policy='interpolate' or 'drop'"
        )
    elif nan_policy == "drop":
        keep = ~bad.any(axis=1)
        clean = arr[keep]
        keep_index = index[keep] if index is not None else None
        if len(clean) == 0:
            raise DataError(f"every one of the {len(arr)} rows has a NaN/inf; nothing left")
    else:  # interpolate
        empty_cols = [columns[c] for c in range(arr.shape[1]) if bad[:, c].all()]
        if empty_cols:
            raise DataError(f"column(s) {empty_cols} have no finite value; cannot interpolate")
        use_time = isinstance(index, pd.DatetimeIndex) and index.is_monotonic_increasing
        frame = pd.DataFrame(np.where(bad, np.nan, arr).astype(np.float64),
                             index=index if use_time else None)
        frame = frame.interpolate(method="time" if use_time else "linear",
                                  limit_direction="both").ffill().bfill()
        clean = frame.to_numpy(dtype=np.float32)
        keep_index = index
    if series is not None:
        if keep_index is None:
            keep_index = pd.RangeIndex(len(clean))
        return dataclasses.replace(series, values=clean, index=keep_index)
    return clean


# --------------------------------------------------------------------------------------
# Chronological split
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ChronoSplit:
    """Index boundaries of a chronological split: ``train = [0, train_end)``,
    ``val = [train_end, val_end)``, ``test = [val_end, n)``."""

    train_end: int
    val_end: int
    n: int

    @property
    def train(self) -> slice:
        """Slice of the training part."""
        return slice(0, self.train_end)

    @property
    def val(self) -> slice:
        """Slice of the validation part (empty when val_fraction is 0)."""
        return slice(self.train_end, self.val_end)

    @property
    def test(self) -> slice:
        """Slice of the test part (empty when test_fraction is 0)."""
        return slice(self.val_end, self.n)


def _split_sizes(n, val_fraction, test_fraction):
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    return n - n_val - n_test, n_val, n_test


def chronological_split(n, val_fraction: float = 0.15, test_fraction: float = 0.15, *,
                        window: int, horizon: int = 1) -> ChronoSplit:
    """Split ``range(n)`` into consecutive train / val / test parts (no shuffling).

    Part sizes are ``round(n * fraction)`` for val and test, the rest for train. Every part
    with a non-zero fraction must hold at least one full window: ``window + horizon`` steps
    (each part's windows are built from its own values only, so nothing crosses a boundary).

    Returns:
        :class:`ChronoSplit` with ``train_end``, ``val_end``, ``n`` and slices
        ``.train``, ``.val``, ``.test``.

    Raises:
        ConfigError: bad fractions, window or horizon.
        DataError: a part too short, naming its length, the minimum per part
            (``window + horizon``) and the minimum series length for these fractions.
    """
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ConfigError(f"window must be a positive int; got {window!r}")
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ConfigError(f"horizon must be a positive int; got {horizon!r}")
    for nm, f in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0.0 <= float(f) < 1.0:
            raise ConfigError(f"{nm} must be in [0, 1); got {f!r}")
    if val_fraction + test_fraction >= 1.0:
        raise ConfigError(
            f"val_fraction + test_fraction must be < 1; got {val_fraction} + {test_fraction}"
        )
    n = int(n)
    need = int(window) + int(horizon)

    def ok(m):
        sizes = _split_sizes(m, val_fraction, test_fraction)
        fracs = (1.0, val_fraction, test_fraction)
        return all(s >= need for s, f in zip(sizes, fracs, strict=True) if f > 0)

    if not ok(n):
        smallest = min([f for f in (1 - val_fraction - test_fraction, val_fraction,
                                    test_fraction) if f > 0])
        m = need
        while not ok(m):
            m += 1
            if m > 10 * math.ceil(need / smallest) + 10:  # pragma: no cover - safety net
                break
        tr, va, te = _split_sizes(n, val_fraction, test_fraction)
        raise DataError(
            f"series of length {n} is too short for window={window} + horizon={horizon}: "
            f"each part needs at least {need} steps, got train={tr}, val={va}, test={te} "
            f"(val_fraction={val_fraction}, test_fraction={test_fraction}); the minimum series "
            f"length is {m}"
        )
    tr, va, _ = _split_sizes(n, val_fraction, test_fraction)
    return ChronoSplit(train_end=tr, val_end=tr + va, n=n)


# --------------------------------------------------------------------------------------
# Scaling
# --------------------------------------------------------------------------------------
class Scaler:
    """Per-feature standardization ``(x - mean) / std``, fit on the training part only.

    A feature with zero (or non-finite) spread gets ``std = 1`` so it maps to 0, not NaN.
    ``get_config()`` returns a JSON-able dict; ``Scaler.from_config(cfg)`` restores it.
    """

    def __init__(self, mean=None, std=None):
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float64).reshape(-1)
        self.std = None if std is None else np.asarray(std, dtype=np.float64).reshape(-1)

    @property
    def fitted(self) -> bool:
        """Whether mean/std are set."""
        return self.mean is not None and self.std is not None

    def fit(self, train_values) -> Scaler:
        """Compute mean/std per feature from ``train_values`` (``[N]`` or ``[N, F]``)."""
        arr = _as_2d_float(train_values, "scaler input").astype(np.float64)
        if len(arr) == 0:
            raise DataError("cannot fit a Scaler on 0 rows")
        if not np.isfinite(arr).all():
            raise DataError(
                f"cannot fit a Scaler on NaN/inf ({int((~np.isfinite(arr)).sum())} values); "
                "run check_series first"
            )
        self.mean = arr.mean(axis=0)
        std = arr.std(axis=0)
        self.std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
        return self

    def _params(self, columns):
        if not self.fitted:
            raise ConfigError("Scaler is not fitted; call fit(train_values) first")
        if columns is None:
            return self.mean, self.std
        cols = list(columns)
        return self.mean[cols], self.std[cols]

    def _check(self, arr, mean):
        if arr.shape[-1] != mean.shape[0]:
            raise DataError(
                f"Scaler has {mean.shape[0]} feature(s) but the input's last axis has "
                f"{arr.shape[-1]}"
            )

    def transform(self, values, columns=None) -> np.ndarray:
        """Scale ``values`` (any shape ending in F, or in ``len(columns)`` when given)."""
        mean, std = self._params(columns)
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim == 1 and mean.shape[0] > 1:
            raise DataError(f"1-D input but the Scaler has {mean.shape[0]} features")
        squeeze = arr.ndim == 1
        arr = arr[:, None] if squeeze else arr
        self._check(arr, mean)
        out = ((arr - mean) / std).astype(np.float32)
        return out[:, 0] if squeeze else out

    def fit_transform(self, train_values) -> np.ndarray:
        """``fit(train_values)`` then ``transform(train_values)``."""
        return self.fit(train_values).transform(train_values)

    def inverse_transform(self, values, columns=None) -> np.ndarray:
        """Undo :meth:`transform`. ``columns`` selects the features the last axis holds
        (e.g. the target columns of ``y [B, horizon, n_targets]``)."""
        mean, std = self._params(columns)
        arr = np.asarray(values, dtype=np.float64)
        squeeze = arr.ndim == 1
        arr = arr[:, None] if squeeze else arr
        self._check(arr, mean)
        out = (arr * std + mean).astype(np.float32)
        return out[:, 0] if squeeze else out

    def get_config(self) -> dict:
        """JSON-able ``{"mean": [...], "std": [...]}``."""
        mean, std = self._params(None)
        return {"mean": [float(v) for v in mean], "std": [float(v) for v in std]}

    @classmethod
    def from_config(cls, config: dict) -> Scaler:
        """Rebuild a fitted Scaler from :meth:`get_config` output."""
        return cls(mean=config["mean"], std=config["std"])

    def __repr__(self) -> str:
        if not self.fitted:
            return "Scaler(unfitted)"
        mean, std = np.round(self.mean, 4).tolist(), np.round(self.std, 4).tolist()
        return f"Scaler(mean={mean}, std={std})"


# --------------------------------------------------------------------------------------
# Windows
# --------------------------------------------------------------------------------------
def _window_inputs(values, window, horizon, stride, target_columns):
    if isinstance(values, SeriesData):
        targets = (values.column_indices(target_columns)
                   if target_columns is not None else None)
        values = values.values
    else:
        targets = target_columns
    arr = _as_2d_float(values)
    for nm, v in (("window", window), ("horizon", horizon), ("stride", stride)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ConfigError(f"{nm} must be a positive int; got {v!r}")
    if not np.isfinite(arr).all():
        raise DataError(
            f"series has {int((~np.isfinite(arr)).sum())} NaN/inf value(s); run check_series "
            "(nan_policy='interpolate' or 'drop') before making windows"
        )
    n_features = arr.shape[1]
    if targets is None:
        targets = list(range(n_features))
    else:
        targets = [int(t) for t in targets]
        bad = [t for t in targets if not 0 <= t < n_features]
        if bad or not targets:
            raise DataError(
                f"target_columns {list(target_columns)} out of range for {n_features} features"
            )
    if len(arr) < window + horizon:
        raise DataError(
            f"series of length {len(arr)} is shorter than window={window} + horizon={horizon}; "
            f"the minimum length is {window + horizon}"
        )
    return arr, targets


def make_windows(values, *, window: int, horizon: int = 1, stride: int = 1,
                 target_columns=None, batch_size: int = 32, shuffle: bool = False,
                 seed: int | None = None):
    """Sliding windows as a ``tf.data.Dataset`` of ``(x [B, window, F], y [B, horizon, T])``.

    Window ``i`` starts at ``s = i * stride``: ``x = values[s : s + window]`` and
    ``y = values[s + window : s + window + horizon, target_columns]``; there are
    ``(N - window - horizon) // stride + 1`` windows. Built with
    ``keras.utils.timeseries_dataset_from_array`` over sequences of ``window + horizon``
    steps, each split into inputs and targets. ``target_columns`` are column positions (or
    names, for a :class:`SeriesData`); default all features. ``shuffle`` shuffles window order
    (not time inside a window) with ``seed``.

    Raises:
        DataError: NaN/inf in ``values`` (use :func:`check_series`), a series shorter than
            ``window + horizon`` (the minimum is named), bad target columns.
    """
    import keras
    import tensorflow as tf

    arr, targets = _window_inputs(values, window, horizon, stride, target_columns)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive int; got {batch_size!r}")
    ds = keras.utils.timeseries_dataset_from_array(
        arr, None, sequence_length=window + horizon, sequence_stride=stride,
        batch_size=batch_size, shuffle=shuffle, seed=seed,
    )
    all_targets = targets == list(range(arr.shape[1]))
    target_idx = tf.constant(targets, dtype=tf.int32)

    def split(seq):
        x = seq[:, :window, :]
        y = seq[:, window:, :]
        if not all_targets:
            y = tf.gather(y, target_idx, axis=-1)
        return x, y

    return ds.map(split, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def windows_as_arrays(values, *, window: int, horizon: int = 1, stride: int = 1,
                      target_columns=None):
    """The windows of :func:`make_windows` (same order, no shuffling) as NumPy arrays.

    Returns ``(x float32 [n, window, F], y float32 [n, horizon, T])``, for metrics and
    baselines.
    """
    arr, targets = _window_inputs(values, window, horizon, stride, target_columns)
    n_windows = (len(arr) - window - horizon) // stride + 1
    ds = make_windows(arr, window=window, horizon=horizon, stride=stride,
                      target_columns=targets, batch_size=max(1, min(n_windows, 4096)))
    xs, ys = [], []
    for x, y in ds.as_numpy_iterator():
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.float32)


def naive_forecast(x_windows, horizon: int, period: int | None = None,
                   target_columns=None) -> np.ndarray:
    """Naive forecasts for windows ``x [B, window, F]``, in the layout of ``y``.

    - ``period=None``: the last observed value repeated ``horizon`` times.
    - ``period=m``: seasonal naive, step ``h`` (1-based) gets the value one season before it,
      ``x[:, window - m + (h - 1) % m]`` (the last observed season repeated).

    Returns ``float32 [B, horizon, T]`` with ``T = len(target_columns)`` (default all F).

    Raises:
        DataError: ``x`` not 3-D, or a window shorter than ``period``.
    """
    x = np.asarray(x_windows)
    if x.ndim != 3:
        raise DataError(f"x_windows must be [B, window, F]; got shape {x.shape}")
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ConfigError(f"horizon must be a positive int; got {horizon!r}")
    if target_columns is not None:
        x = x[:, :, list(target_columns)]
    w = x.shape[1]
    if period is None:
        steps = np.full(horizon, w - 1)
    else:
        if not isinstance(period, (int, np.integer)) or period < 1:
            raise ConfigError(f"period must be a positive int or None; got {period!r}")
        if period > w:
            raise DataError(
                f"seasonal naive needs window >= period; got window={w}, period={period}"
            )
        steps = w - period + (np.arange(horizon) % period)
    return x[:, steps, :].astype(np.float32)
