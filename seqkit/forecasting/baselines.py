"""Statistical baseline forecasts at backtest origins: naive, drift, ETS and Theta.

A history is ``values [N, T]`` (1-D: one target); an origin ``o`` means "forecast
``values[o : o + horizon]`` from ``values[:o]``": nothing at or after ``o`` is read.
Every forecast is ``[horizon, T]``, and :func:`baseline_forecasts` stacks them as
``[n_origins, horizon, T]``, one target at a time.

- ``last_value``, ``seasonal_naive``, ``drift``: Hyndman & Athanasopoulos, *Forecasting:
  Principles and Practice* (3rd ed.), §5.2 "Some simple forecasting methods".
- ``ets``: statsmodels' :class:`~statsmodels.tsa.exponential_smoothing.ets.ETSModel`,
  additive error, additive damped trend, additive seasonality (Hyndman et al. 2008,
  *Forecasting with Exponential Smoothing*). Which components a history of ``n`` points
  gets (more parameters than data is no baseline):

  * damped trend when ``n >= 10`` (5 parameters with the level, plus 4, plus 1);
  * seasonality with ``period = m`` when ``n >= 2m`` and ``n >= m + 11``
    (the same margin over its ``m + 1`` more parameters);
  * the level alone otherwise (``n >= 3``).

- ``theta``: statsmodels' :class:`~statsmodels.tsa.forecasting.theta.ThetaModel`
  (Assimakopoulos & Nikolopoulos 2000; SES with drift, Hyndman & Billah 2003), with its
  defaults: ``theta = 2``, the 10 % seasonality test and a multiplicative classical
  decomposition (additive for non-positive data) when the history holds two periods;
  no deseasonalising otherwise. A constant history gets the drift 0 (statsmodels 0.15
  estimates a wrong slope there, see ``_theta_fit``), so its forecast is that constant.

With ``refit=False`` (the default) ETS and Theta are specified (components, as above)
and estimated once on ``values[:fit_end]``, then only run forward over each origin's
history with those estimates fixed: for ETS its parameters and initial states, run through
``ETSModel.smooth``; for Theta ``alpha``, the drift ``b0`` and the seasonal indices, with
the SES level recomputed over ``values[:o]``. Both filters are causal (the state after
``y_t`` depends on ``y_1..y_t`` only), so one pass over the longest history gives the
state of every origin. With ``refit=True`` both are re-estimated on ``values[:o]`` at
each origin (exact, slow).

Example:

>>> import numpy as np
>>> from seqkit.forecasting.baselines import baseline_forecasts
>>> y = np.arange(1.0, 9.0)                      # 1, 2, ..., 8
>>> out = baseline_forecasts(y, [5, 6], 2, names=("last_value", "drift"))
>>> out["last_value"][:, :, 0]                   # from y[:5] and from y[:6]
array([[5., 5.],
       [6., 6.]])
>>> out["drift"][:, :, 0]                        # slope (5 - 1) / 4 = 1
array([[6., 7.],
       [7., 8.]])
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import numpy as np

from seqkit.errors import DataError
from seqkit.validation import check_bool, check_choice, check_int, check_optional_int, fail

__all__ = ["BASELINES", "baseline_forecasts", "drift", "last_value", "seasonal_naive"]

BASELINES = ("seasonal_naive", "last_value", "drift", "ets", "theta")

# The shortest history each baseline is fitted on (seasonal_naive: the period m).
_MIN_LENGTH = {"last_value": 1, "drift": 2, "ets": 3, "theta": 3}


def _values(name: str, values, upto: int | None = None) -> np.ndarray:
    """``values`` as float64 ``[N, T]``; NaN/inf in ``values[:upto]`` -> DataError."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        fail(name, "an array of numbers [N] or [N, T]", values, DataError)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.size == 0:
        fail(name, "a non-empty array of shape [N] or [N, T]", arr.shape, DataError)
    head = arr[: arr.shape[0] if upto is None else upto]
    if not np.all(np.isfinite(head)):
        i, t = np.argwhere(~np.isfinite(head))[0]
        raise DataError(f"{name} holds {head[i, t]} at index {i} of target column {t}: "
                        "baselines need a complete history (interpolate first)")
    return arr


def _check_length(name: str, n: int, minimum: int) -> None:
    if n < minimum:
        raise DataError(f"baseline {name!r} needs a history of at least {minimum} points, "
                        f"got length {n}")


def _period(m) -> int | None:
    m = check_optional_int("period", m)
    return None if m == 1 else m


def last_value(history, horizon: int) -> np.ndarray:
    """The naive forecast: the last observed value repeated, ``f_{N+h} = y_N``.

    Args:
        history: the observed values ``[N, T]`` (1-D: one target).
        horizon: the number of steps ahead.

    Returns:
        ``[horizon, T]`` float64.

    Example:

    >>> last_value([1.0, 4.0, 2.0], 2)
    array([[2.],
           [2.]])
    """
    y = _values("history", history)
    horizon = check_int("horizon", horizon)
    return np.repeat(y[-1:], horizon, axis=0)


def seasonal_naive(history, horizon: int, m: int | None) -> np.ndarray:
    """The seasonal naive forecast ``f_{N+h} = y_{N+h-m*ceil(h/m)}`` (FPP3 §5.2).

    Args:
        history: the observed values ``[N, T]`` (1-D: one target), ``N >= m``.
        horizon: the number of steps ahead.
        m: the seasonal period; None or 1 gives :func:`last_value`.

    Returns:
        ``[horizon, T]`` float64: the last observed season, repeated.

    Example:

    >>> seasonal_naive([1.0, 2.0, 3.0, 10.0, 20.0, 30.0], 4, 3)[:, 0]
    array([10., 20., 30., 10.])
    """
    y = _values("history", history)
    horizon, m = check_int("horizon", horizon), _period(m)
    return _seasonal_naive_at(y, np.array([y.shape[0]]), horizon, m)[0]


def drift(history, horizon: int) -> np.ndarray:
    """The drift forecast ``f_{N+h} = y_N + h * (y_N - y_1) / (N - 1)`` (FPP3 §5.2).

    Args:
        history: the observed values ``[N, T]`` (1-D: one target), ``N >= 2``.
        horizon: the number of steps ahead.

    Returns:
        ``[horizon, T]`` float64: the line through the first and last observations.

    Example:

    >>> drift([1.0, 5.0, 4.0], 2)[:, 0]   # slope (4 - 1) / 2
    array([5.5, 7. ])
    """
    y = _values("history", history)
    horizon = check_int("horizon", horizon)
    return _drift_at(y, np.array([y.shape[0]]), horizon)[0]


def _seasonal_naive_at(y: np.ndarray, origins: np.ndarray, horizon: int, m) -> np.ndarray:
    m = 1 if m is None else m
    _check_length("seasonal_naive", int(origins.min()), m)
    h = np.arange(1, horizon + 1)
    # 0-based index of y_{N+h-m*ceil(h/m)} with N = o
    idx = origins[:, None] - 1 + h[None, :] - m * ((h[None, :] + m - 1) // m)
    return y[idx]


def _last_value_at(y: np.ndarray, origins: np.ndarray, horizon: int, m=None) -> np.ndarray:
    _check_length("last_value", int(origins.min()), 1)
    return np.repeat(y[origins - 1][:, None, :], horizon, axis=1)


def _drift_at(y: np.ndarray, origins: np.ndarray, horizon: int, m=None) -> np.ndarray:
    _check_length("drift", int(origins.min()), 2)
    last = y[origins - 1]                                   # [n_o, T]
    slope = (last - y[0][None, :]) / (origins - 1)[:, None]
    h = np.arange(1, horizon + 1, dtype=np.float64)
    return last[:, None, :] + h[None, :, None] * slope[:, None, :]


@contextmanager
def _quiet_statsmodels(constant: bool = False):
    """Silence statsmodels' convergence/index chatter; real errors still raise.

    With ``constant`` (a flat history: zero variance) also the expected floating-point
    warnings of its likelihood (``log(0)``, ``0/0``).
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, ValueWarning

    with warnings.catch_warnings(), np.errstate(**({"all": "ignore"} if constant else {})):
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", ValueWarning)
        yield


def _ets_spec(n: int, period: int | None) -> dict:
    """ETSModel keyword arguments for a history of ``n`` points (module docstring)."""
    spec = {"error": "add", "trend": None, "damped_trend": False, "seasonal": None}
    if n >= 10:
        spec.update(trend="add", damped_trend=True)
    if period is not None and n >= 2 * period and n >= period + 11:
        spec.update(seasonal="add", seasonal_periods=period)
    return spec


def _ets_fit(y: np.ndarray, period) -> tuple[dict, np.ndarray]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    _check_length("ets", y.shape[0], _MIN_LENGTH["ets"])
    spec = _ets_spec(y.shape[0], period)
    with _quiet_statsmodels(constant=np.ptp(y) == 0):
        params = ETSModel(y, **spec).fit(disp=False, return_params=True)
    return spec, np.asarray(params)


def _ets_run(y: np.ndarray, spec: dict, params: np.ndarray, origins: np.ndarray,
             horizon: int) -> np.ndarray:
    """ETS forecasts ``[n_o, horizon]`` from the states after ``y[o - 1]``, params fixed.

    ``f_{o+h} = l + (phi + ... + phi^h) b + s_{o-1+h-m(k+1)}``, ``k = floor((h-1)/m)``
    (Hyndman et al. 2008, Table 2.3, class A, additive damped trend and season).
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(y[: int(origins.max())], **spec)
    with _quiet_statsmodels():
        _, states = model.smooth(params, return_raw=True)
    states = np.asarray(states)
    states = states.reshape(states.shape[0], -1)
    h = np.arange(1, horizon + 1)
    out = np.repeat(states[origins - 1, 0][:, None], horizon, axis=1)
    if spec["trend"] is not None:
        phi = params[model.param_names.index("damping_trend")]
        damp = np.cumsum(phi ** h.astype(np.float64))
        out += damp[None, :] * states[origins - 1, 1][:, None]
    if spec["seasonal"] is not None:
        m = spec["seasonal_periods"]
        idx = origins[:, None] - 1 + h[None, :] - m * ((h[None, :] - 1) // m + 1)
        out += states[idx, -1]
    return out


def _theta_model(y: np.ndarray, period):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    _check_length("theta", y.shape[0], _MIN_LENGTH["theta"])
    seasonal = period is not None and y.shape[0] >= 2 * period
    return ThetaModel(y, period=period if seasonal else None, deseasonalize=seasonal)


def _theta_fit(y: np.ndarray, period) -> dict:
    """Theta's estimates on ``y``: alpha, b0, the method and the seasonal index by phase."""
    model = _theta_model(y, period)
    constant = np.ptp(y) == 0
    with _quiet_statsmodels(constant):
        res = model.fit()
    mul = model.method.startswith("mul")  # fit() may switch "mul" to "add"
    p = model.period if model.deseasonalize else 1
    index = np.full(p, 1.0 if mul else 0.0)
    if model.deseasonalize:
        # forecast step j falls on time n + j: its seasonal term is the index of phase
        # (n + j) % p (public API, rather than the results' private _seasonal)
        comp = res.forecast_components(p)["seasonal"].to_numpy()
        index[(y.shape[0] + np.arange(p)) % p] = comp
    # statsmodels 0.15 regresses y on add_trend(y, "ct", prepend=True)[:, :2], and
    # add_trend skips the constant column when y itself is constant: b0 then comes out
    # wrong (1.5 on 24 threes). The OLS slope of a constant series is 0.
    b0 = 0.0 if constant else float(res.params["b0"])
    return {"alpha": float(res.params["alpha"]), "b0": b0, "mul": mul, "index": index}


def _theta_run(y: np.ndarray, est: dict, origins: np.ndarray, horizon: int) -> np.ndarray:
    """Theta forecasts ``[n_o, horizon]`` with alpha, b0 and the seasonal index fixed.

    ``f_{o+h} = l_o + b0/2 * (h - 1 + 1/alpha - (1-alpha)^o / alpha)``, reseasonalised
    (statsmodels' ``ThetaModelResults.forecast`` with ``theta = 2``), where ``l_o`` is the
    SES level after ``o`` points started at ``l = x_0`` (as ``ThetaModel.fit`` does).
    """
    from scipy.signal import lfilter

    alpha, p, index = est["alpha"], est["index"].shape[0], est["index"]
    x = y[: int(origins.max())]
    phase = np.arange(x.shape[0]) % p
    x = x / index[phase] if est["mul"] else x - index[phase]
    level = np.empty_like(x)
    level[0] = x[0]
    if x.shape[0] > 1:  # l_t = alpha x_t + (1 - alpha) l_{t-1}
        level[1:] = lfilter([alpha], [1.0, alpha - 1.0], x[1:], zi=[(1 - alpha) * x[0]])[0]
    h = np.arange(horizon, dtype=np.float64)[None, :]
    n = origins[:, None].astype(np.float64)
    if alpha > 0:
        h = h + 1 / alpha - (1 - alpha) ** n / alpha
    out = level[origins - 1][:, None] + 0.5 * est["b0"] * h
    season = index[(origins[:, None] + np.arange(horizon)[None, :]) % p]
    return out * season if est["mul"] else out + season


def _model_at(name: str, y: np.ndarray, origins: np.ndarray, horizon: int, period,
              fit_end: int, refit: bool) -> np.ndarray:
    """ETS or Theta forecasts ``[n_o, horizon]`` for one target ``y [N]``."""
    if not refit:
        if name == "ets":
            spec, params = _ets_fit(y[:fit_end], period)
            return _ets_run(y, spec, params, origins, horizon)
        return _theta_run(y, _theta_fit(y[:fit_end], period), origins, horizon)
    out = np.empty((origins.shape[0], horizon))
    for i, o in enumerate(origins):
        hist = y[:o]
        if name == "ets":
            spec, params = _ets_fit(hist, period)
            out[i] = _ets_run(hist, spec, params, np.array([o]), horizon)[0]
        else:  # the same path as refit=False with fit_end = o (tested equal to
            # ThetaModel(hist).fit().forecast(horizon))
            out[i] = _theta_run(hist, _theta_fit(hist, period), np.array([o]), horizon)[0]
    return out


_SIMPLE = {"seasonal_naive": _seasonal_naive_at, "last_value": _last_value_at,
           "drift": _drift_at}


def _check_names(names) -> tuple[str, ...]:
    names = (names,) if isinstance(names, str) else tuple(names)
    if not names or len(set(names)) != len(names):
        fail("names", f"distinct names from {BASELINES}", names)
    for name in names:
        check_choice("names", name, BASELINES)
    return names


def _check_origins(origins, n: int) -> np.ndarray:
    arr = np.asarray(origins)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        fail("origins", "a non-empty sequence of integers", origins)
    if arr.min() < 1 or arr.max() > n:
        fail("origins", f"integers in [1, {n}] (the length of values)", origins)
    return arr.astype(np.int64)


def baseline_forecasts(values, origins: Sequence[int], horizon: int, *,
                       period: int | None = None, names: Sequence[str] = BASELINES,
                       fit_end: int | None = None,
                       refit: bool = False) -> dict[str, np.ndarray]:
    """The baselines' forecasts of ``values[o : o + horizon]`` from ``values[:o]``.

    Args:
        values: the series ``[N, T]`` (1-D: one target); ``values[:max(origins)]`` must
            be finite (interpolate first). Values at or after an origin are never read
            for that origin's forecast.
        origins: forecast origins, integers in ``[1, N]``, any order.
        horizon: the number of steps ahead.
        period: the seasonal period (None or 1: none) for ``seasonal_naive`` (which then
            equals ``last_value``), ETS and Theta.
        names: which of :data:`BASELINES` to compute.
        fit_end: ETS and Theta are estimated on ``values[:fit_end]`` when ``refit`` is
            False; default ``min(origins)``. It may not exceed ``min(origins)`` (the
            estimates would have seen that origin's future). Ignored with ``refit``.
        refit: re-estimate ETS and Theta on ``values[:o]`` at every origin.

    Returns:
        ``{name: [n_origins, horizon, T] float64}`` in the order of ``names``.

    Raises:
        DataError: NaN in a history, or a history too short for a baseline (the message
            names it and the length: ``seasonal_naive`` needs ``period`` points,
            ``drift`` 2, ``ets`` and ``theta`` 3).
        ConfigError: bad ``origins``, ``horizon``, ``period``, ``names`` or ``fit_end``.

    Example:

    >>> y = np.array([1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0])
    >>> out = baseline_forecasts(y, [6], 2, period=2, names=("seasonal_naive",))
    >>> out["seasonal_naive"].shape, out["seasonal_naive"][0, :, 0]   # y[4], y[5]
    ((1, 2, 1), array([3., 5.]))
    """
    names = _check_names(names)
    horizon, period = check_int("horizon", horizon), _period(period)
    refit = check_bool("refit", refit)
    y = _values("values", values, upto=0)  # shape checks only
    origins = _check_origins(origins, y.shape[0])
    _values("values", y, upto=int(origins.max()))  # the histories must be finite
    first = int(origins.min())
    fit_end = check_optional_int("fit_end", fit_end)
    if fit_end is None:
        fit_end = first
    elif fit_end > first and not refit:
        fail("fit_end", f"at most min(origins) = {first} (later data would leak into the "
             "estimates used at that origin)", fit_end)
    out = {}
    for name in names:
        if name in _SIMPLE:
            out[name] = _SIMPLE[name](y, origins, horizon, period)
        else:
            cols = [_model_at(name, y[:, t], origins, horizon, period, fit_end, refit)
                    for t in range(y.shape[1])]
            out[name] = np.stack(cols, axis=-1)
    return out
