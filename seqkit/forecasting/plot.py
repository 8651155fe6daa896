"""A forecast as a picture: history, truth, the point (median) forecast and its intervals.

:func:`plot_forecast` writes a PNG (matplotlib's Agg renderer through a ``Figure`` object:
no display, no ``pyplot`` state) of one target: the history line, the truth over the
horizon, the forecast, and one shaded band per central interval that the quantile levels
form (levels symmetric about 0.5, e.g. 0.1 and 0.9 → "80% interval";
:func:`seqkit.forecasting.metrics.central_intervals`). The file is written to a hidden
temporary file beside it and renamed, so a reader never sees half a PNG.

Example:

>>> import tempfile, numpy as np
>>> from pathlib import Path
>>> from seqkit.forecasting.plot import plot_forecast
>>> folder = Path(tempfile.mkdtemp())
>>> q = np.array([[0.0, 1.0, 2.0], [0.5, 1.5, 2.5]])            # [horizon=2, Q=3]
>>> path = plot_forecast(folder / "f.png", history=[1.0, 2.0, 1.5], forecast=q[:, 1],
...                      quantiles=q, quantile_levels=(0.1, 0.5, 0.9))
>>> path.name, path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
('f.png', True)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqkit.errors import DataError
from seqkit.fileio import write_png_atomic
from seqkit.forecasting.metrics import central_intervals
from seqkit.validation import check_int, check_optional_int, fail

FIGSIZE = (9.0, 4.5)  # inches; at DPI the PNG is 900 × 450 pixels
DPI = 100


def plot_forecast(path, *, history, truth=None, forecast, quantiles=None,
                  quantile_levels=None, index=None, history_index=None, target=0, title=None,
                  max_history=None) -> Path:
    """Write a PNG of one target's history, truth, forecast and central intervals.

    Args:
        path: the PNG to write (its folder is created if missing; written atomically).
        history: the observed values before the forecast, ``[n]`` or ``[n, T]``.
        truth: the actual values over the horizon, ``[horizon]`` or ``[horizon, T]``, or
            ``None``.
        forecast: the point forecast (the median of a quantile forecast), ``[horizon]`` or
            ``[horizon, T]``.
        quantiles: ``[horizon, Q]`` (with a 1-D forecast) or ``[horizon, Q, T]``, or
            ``None``; level ``j`` is ``quantile_levels[j]``.
        quantile_levels: the ``Q`` strictly increasing levels in (0, 1) of ``quantiles``.
        index: the x values of the horizon (numbers, datetimes or a ``DatetimeIndex``);
            default: continued from ``history_index`` by its step (or its ``freq``).
        history_index: the x values of the history; default: continued backwards from
            ``index``, or ``0 .. n-1`` when neither is given.
        target: which target column to draw.
        title: the figure's title (default: ``"forecast of target <target>"``).
        max_history: draw only the last ``max_history`` history points (``None``: all).

    Returns:
        ``Path(path)``.

    Raises:
        DataError: arrays of the wrong rank or of shapes that do not match (the message
            names them), an index of the wrong length, non-numeric values.
        ConfigError: bad levels, ``target`` or ``max_history``.

    Example:

    >>> import tempfile, numpy as np, pandas as pd
    >>> from pathlib import Path
    >>> days = pd.date_range("2024-01-01", periods=10, freq="D")
    >>> path = plot_forecast(Path(tempfile.mkdtemp()) / "d.png", history=np.arange(7.0),
    ...                      truth=[7.0, 8.0, 9.0], forecast=[7.5, 8.0, 8.5],
    ...                      history_index=days[:7], title="daily")
    >>> path.stat().st_size > 0
    True
    >>> plot_forecast(Path(tempfile.mkdtemp()) / "e.png", history=[1.0, 2.0],
    ...               forecast=np.zeros((3, 2, 2)))
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: forecast must be [horizon] or [horizon, targets], got shape \
(3, 2, 2)
    """
    fig = _forecast_figure(history=history, truth=truth, forecast=forecast,
                           quantiles=quantiles, quantile_levels=quantile_levels, index=index,
                           history_index=history_index, target=target, title=title,
                           max_history=max_history)
    return write_png_atomic(path, fig, dpi=DPI)


def _forecast_figure(*, history, truth=None, forecast, quantiles=None, quantile_levels=None,
                     index=None, history_index=None, target=0, title=None, max_history=None):
    """The ``matplotlib.figure.Figure`` that :func:`plot_forecast` saves (same arguments).

    Artists, in drawing order: the bands (``fill_between``, widest first, labelled
    ``"<p>% interval"``), the history, truth and forecast lines (labelled ``"history"``,
    ``"truth"``, ``"forecast"`` or ``"median forecast"`` when quantiles are given).
    """
    from matplotlib.figure import Figure

    data = _checked(history, truth, forecast, quantiles, quantile_levels, target)
    max_history = check_optional_int("max_history", max_history)
    hist_x, x = _x_values(index, history_index, len(data["history"]), len(data["forecast"]))
    datetimes = _is_datetime(x) or _is_datetime(hist_x)
    hist_x, x = _plain(hist_x), _plain(x)
    hist = data["history"]
    if max_history is not None:
        hist, hist_x = hist[-max_history:], hist_x[-max_history:]

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    ax = fig.add_subplot()
    bands = central_intervals(data["levels"]) if data["quantiles"] is not None else []
    for k, (lo, hi, nominal) in enumerate(bands):  # widest first, narrower ones on top
        lower = data["quantiles"][:, data["levels"].index(lo)]
        upper = data["quantiles"][:, data["levels"].index(hi)]
        ax.fill_between(x, lower, upper, color="tab:blue", linewidth=0,
                        alpha=0.15 + 0.5 * (k + 1) / (len(bands) + 1),
                        label=f"{nominal * 100:g}% interval")
    ax.plot(hist_x, hist, color="black", linewidth=1.2, label="history")
    if data["truth"] is not None:
        ax.plot(x, data["truth"], color="tab:green", linewidth=1.2, marker=".",
                label="truth")
    median = data["quantiles"] is not None and 0.5 in data["levels"]
    ax.plot(x, data["forecast"], color="tab:blue", linewidth=1.8,
            label="median forecast" if median else "forecast")
    ax.set_xlabel("date" if datetimes else "time step")
    ax.set_ylabel(f"value (target {data['target']})")
    ax.set_title(title if title is not None else f"forecast of target {data['target']}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    if datetimes:
        fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def _values(name: str, value, ranks: tuple[int, ...], what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numeric {what}, got {type(value).__name__} "
                        f"{np.asarray(value, dtype=object).shape}") from None
    if array.ndim not in ranks:
        raise DataError(f"{name} must be {what}, got shape {array.shape}")
    return array


def _checked(history, truth, forecast, quantiles, levels, target) -> dict:
    """The target's 1-D arrays (and ``quantiles [horizon, Q]``), every shape checked."""
    f = _values("forecast", forecast, (1, 2), "[horizon] or [horizon, targets]")
    one = f.ndim == 1
    f2 = f[:, None] if one else f
    horizon, n_targets = f2.shape
    target = check_int("target", target, minimum=0)
    if target >= n_targets:
        fail("target", f"a target index in 0..{n_targets - 1} (forecast shape {f.shape})",
             target)
    h = _values("history", history, (1, 2), "[n] or [n, targets]")
    if (h.ndim == 1) != one or (not one and h.shape[1] != n_targets) or len(h) == 0:
        raise DataError(f"history must be non-empty, {'[n]' if one else f'[n, {n_targets}]'}"
                        f" like forecast {f.shape}, got shape {h.shape}")
    out = {"forecast": f2[:, target], "history": (h[:, None] if one else h)[:, target],
           "truth": None, "quantiles": None, "levels": None, "target": target}
    if truth is not None:
        t = _values("truth", truth, (1, 2), "[horizon] or [horizon, targets]")
        if t.shape != f.shape:
            raise DataError(f"truth must have the forecast's shape {f.shape}, got {t.shape}")
        out["truth"] = (t[:, None] if one else t)[:, target]
    if quantiles is None:
        return out
    q = _values("quantiles", quantiles, (2,) if one else (3,),
                "[horizon, Q]" if one else "[horizon, Q, targets]")
    levels = _levels(levels, q.shape[1])
    want = (horizon, len(levels)) + (() if one else (n_targets,))
    if q.shape != want:
        raise DataError(f"quantiles must have shape {want} (forecast {f.shape}, "
                        f"{len(levels)} levels), got {q.shape}")
    out["quantiles"] = q if one else q[:, :, target]
    out["levels"] = levels
    return out


def _levels(levels, n: int) -> list[float]:
    what = f"{n} strictly increasing numbers in (0, 1), one per quantile column"
    if levels is None:
        fail("quantile_levels", what, levels)
    try:
        q = np.asarray(levels, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        fail("quantile_levels", what, levels)
    if q.size != n or not (np.all(q > 0) and np.all(q < 1) and np.all(np.diff(q) > 0)):
        fail("quantile_levels", what, levels)
    return [float(v) for v in q]


def _x_values(index, history_index, n_history: int, horizon: int):
    """``(history x [n], horizon x [horizon])``; a missing one continues the other."""
    hist_x = None if history_index is None else _index("history_index", history_index,
                                                       n_history)
    x = None if index is None else _index("index", index, horizon)
    if hist_x is None and x is None:
        return np.arange(n_history), np.arange(n_history, n_history + horizon)
    if x is None:
        return hist_x, _continue(hist_x, horizon, "history_index", forward=True)
    if hist_x is None:
        return _continue(x, n_history, "index", forward=False), x
    return hist_x, x


def _is_datetime(values) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_datetime64_any_dtype(values))


def _plain(values) -> np.ndarray:
    """NumPy x values matplotlib draws without pandas' converters (datetime64 stays)."""
    import pandas as pd

    if isinstance(values, pd.DatetimeIndex):
        return (values.tz_localize(None) if values.tz is not None else values).to_numpy()
    return np.asarray(values)


def _index(name: str, value, n: int) -> np.ndarray:
    import pandas as pd

    if isinstance(value, pd.DatetimeIndex) and value.freq is None and len(value) >= 3:
        value = pd.DatetimeIndex(value, freq=pd.infer_freq(value))
    array = value if isinstance(value, pd.DatetimeIndex) else np.asarray(value)
    if array.ndim != 1 or len(array) != n:
        raise DataError(f"{name} must have {n} values (one per point), got shape "
                        f"{np.shape(array)}")
    return array


def _continue(given, n: int, name: str, *, forward: bool):
    """``n`` x values before (``forward=False``) or after ``given``, at its step."""
    import pandas as pd

    if isinstance(given, pd.DatetimeIndex) and given.freq is not None:
        if forward:
            return pd.date_range(given[-1], periods=n + 1, freq=given.freq)[1:]
        return pd.date_range(end=given[0], periods=n + 1, freq=given.freq)[:-1]
    values = given.to_numpy() if isinstance(given, pd.DatetimeIndex) else np.asarray(given)
    if len(values) < 2:
        raise DataError(f"{name} needs at least 2 values (or a DatetimeIndex with a freq) "
                        f"to continue it; pass both index and history_index")
    step = values[-1] - values[-2] if forward else values[1] - values[0]
    k = np.arange(1, n + 1)
    return values[-1] + k * step if forward else values[0] - k[::-1] * step
