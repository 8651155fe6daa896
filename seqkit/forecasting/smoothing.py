"""Exponential smoothing as a recurrent Keras layer: Holt-Winters with learnt constants.

Exponential smoothing *is* a recurrent network with fixed gates: the level forgets at
``1 - alpha``, the trend at ``1 - beta``, each season at ``1 - gamma``. This layer runs
statsmodels' Holt-Winters recursions (:class:`statsmodels.tsa.holtwinters.ExponentialSmoothing`,
the form of Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.,
§8.3) over a window ``y [B, W, T]`` and forecasts ``[B, H, T]``; each target column has its
own constants, trainable weights behind bounded maps, so the layer learns them with the
rest of a model (or alone).

With ``p_t = l_{t-1} + phi * b_{t-1}`` (``l_{t-1}`` with no trend) and ``s_{t-m}`` the
season of step ``t``, additive seasonality:

- level ``l_t = alpha * (y_t - s_{t-m}) + (1 - alpha) * p_t``
- trend ``b_t = beta * (l_t - l_{t-1}) + (1 - beta) * phi * b_{t-1}``
- season ``s_t = gamma * (y_t - p_t) + (1 - gamma) * s_{t-m}``
- forecast ``y_{N+h} = l_N + (phi + ... + phi^h) * b_N + s_{N+h-m(k+1)}``, ``k = (h-1) // m``

multiplicative seasonality divides where these subtract and multiplies the forecast:
``l_t = alpha * y_t / s_{t-m} + (1 - alpha) * p_t``, ``s_t = gamma * y_t / p_t +
(1 - gamma) * s_{t-m}``. ``damped=False`` fixes ``phi = 1``.

The states start from the window itself, statsmodels' ``initialization_method="simple"``
(FPP3 §7.6): with a season, ``l_0`` is the mean of the first ``m`` values, ``b_0`` the mean
of ``(y_{m+i} - y_i) / m`` over the first season, and the seasons the first ``m`` values
minus (or over) ``l_0`` (so the window must hold two seasons); without one, ``l_0 = y_0``
and ``b_0 = y_1 - y_0``. The recursion then runs over every value of the window. Nothing is
fitted per series, so any window of any series is smoothed alike and the layer serves
inside an exported graph.

The constants live in the ranges statsmodels estimates in: ``alpha = sigmoid(a)``,
``beta = alpha * sigmoid(b)`` (``0 <= beta <= alpha``), ``gamma = (1 - alpha) *
sigmoid(g)`` (``0 <= gamma <= 1 - alpha``) and ``phi = 0.8 + 0.18 * sigmoid(p)`` (damping
in ``[0.8, 0.98]``, Hyndman et al. 2008's usual range).

Example:

>>> import numpy as np
>>> layer = ExponentialSmoothing(horizon=3, trend=None, seasonal=None)
>>> layer.build((None, 4, 1))
>>> layer.set_constants(alpha=0.5)
>>> y = np.array([[[1.0], [3.0], [2.0], [4.0]]], "float32")  # l: 1, 2, 2, 3
>>> np.asarray(layer(y))[0, :, 0].tolist()
[3.0, 3.0, 3.0]
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from seqkit.errors import ConfigError
from seqkit.validation import check_choice, check_int, check_optional_int

__all__ = ["ExponentialSmoothing", "PHI_RANGE"]

TRENDS = (None, "add")
SEASONALS = (None, "add", "mul")
#: the damping constant's range
PHI_RANGE = (0.8, 0.98)
#: the constants a new layer starts from (statsmodels' own start values are alike)
INITIAL_CONSTANTS = {"alpha": 0.3, "beta": 0.03, "gamma": 0.07, "phi": 0.9}
_EPS = 1e-6


def _logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype="float64"), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def _unit(name: str, value, n: int, upper=1.0) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype="float64"), (n,))
    if not np.all((arr >= 0) & (arr <= upper)):
        raise ConfigError(f"{name} must be in [0, {upper}], got {arr.tolist()}")
    return arr


@keras.saving.register_keras_serializable(package="seqkit")
class ExponentialSmoothing(keras.layers.Layer):
    """Holt-Winters exponential smoothing of ``y [B, W, T]``: forecasts ``[B, H, T]``.

    See the module docstring for the recursions, the initial states and the constants.

    Args:
        horizon: the steps forecast.
        period: the seasonal period ``m`` (``seasonal`` needs one, and windows of ``2m``).
        trend: ``"add"`` or None.
        damped: damp the trend by a learnt ``phi`` (else ``phi = 1``).
        seasonal: ``"add"``, ``"mul"`` (positive data only) or None.
        return_adjusted: also return the window seasonally adjusted and levelled,
            ``a_t = y_t - s_{t-m} - l_N`` (additive; ``y_t / s_{t-m} - l_N`` multiplicative,
            ``y_t - l_N`` without a season): what the ES-RNN hybrid's network reads
            (Smyl 2020), so the call returns ``[forecast, adjusted [B, W, T]]``.

    Example:

    >>> import numpy as np
    >>> layer = ExponentialSmoothing(horizon=2, period=2, trend="add", seasonal="add")
    >>> y = np.array([[[1.0], [3.0], [1.0], [3.0], [1.0], [3.0]]], "float32")
    >>> np.asarray(layer(y))[0, :, 0].round(4).tolist()      # a flat series' season
    [1.0, 3.0]
    >>> sorted(layer.constants())
    ['alpha', 'beta', 'gamma', 'phi']
    """

    def __init__(self, horizon: int, period: int | None = None, trend: str | None = "add",
                 damped: bool = True, seasonal: str | None = "add",
                 return_adjusted: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.return_adjusted = bool(return_adjusted)
        self.horizon = check_int("horizon", horizon)
        self.period = check_optional_int("period", period)
        self.trend = check_choice("trend", trend, TRENDS)
        self.damped = bool(damped) and trend is not None
        self.seasonal = check_choice("seasonal", seasonal, SEASONALS)
        if self.seasonal is not None and (self.period is None or self.period < 2):
            raise ConfigError(f"seasonal={seasonal!r} needs a period of at least 2, "
                              f"got period={period}")

    def build(self, input_shape):
        window, n = input_shape[1], int(input_shape[-1])
        need = 2 * self.period if self.seasonal else (2 if self.trend else 1)
        if window is not None and window < need:
            raise ConfigError(f"ExponentialSmoothing with seasonal={self.seasonal!r}, "
                              f"trend={self.trend!r} needs windows of at least {need} "
                              f"steps to start its states, got {window}")
        names = ["alpha"] + ["beta"] * bool(self.trend) + ["gamma"] * bool(self.seasonal)
        self._logits = {name: self.add_weight(name=f"{name}_logit", shape=(n,),
                                              initializer="zeros", dtype="float32")
                        for name in names + ["phi"] * self.damped}
        self.set_constants(**{k: v for k, v in INITIAL_CONSTANTS.items()
                              if k in self._logits})

    def set_constants(self, alpha, beta=None, gamma=None, phi=None) -> None:
        """Sets the smoothing constants (a scalar or one per target), in their ranges.

        Args:
            alpha: the level's, in ``[0, 1]``.
            beta: the trend's, in ``[0, alpha]`` (with a trend).
            gamma: the season's, in ``[0, 1 - alpha]`` (with a season).
            phi: the damping, in :data:`PHI_RANGE` (damped only).
        """
        n = int(self._logits["alpha"].shape[0])
        a = _unit("alpha", alpha, n)
        values = {"alpha": a}
        for name, value, upper in (("beta", beta, a), ("gamma", gamma, 1 - a)):
            if name in self._logits:
                b = _unit(name, INITIAL_CONSTANTS[name] if value is None else value, n)
                if np.any(b > upper + _EPS):
                    raise ConfigError(f"{name} {b.tolist()} must not exceed "
                                      f"{np.round(upper, 6).tolist()}")
                values[name] = b / np.maximum(upper, _EPS)
        if "phi" in self._logits:
            lo, hi = PHI_RANGE
            p = np.broadcast_to(np.asarray(INITIAL_CONSTANTS["phi"] if phi is None else phi,
                                           dtype="float64"), (n,))
            if not np.all((p >= lo) & (p <= hi)):
                raise ConfigError(f"phi must be in {list(PHI_RANGE)}, got {p.tolist()}")
            values["phi"] = (p - lo) / (hi - lo)
        for name, share in values.items():
            self._logits[name].assign(_logit(share).astype("float32"))

    def _constants(self) -> dict:
        sig = {k: ops.sigmoid(v) for k, v in self._logits.items()}
        alpha = sig["alpha"]
        out = {"alpha": alpha}
        if "beta" in sig:
            out["beta"] = alpha * sig["beta"]
        if "gamma" in sig:
            out["gamma"] = (1.0 - alpha) * sig["gamma"]
        lo, hi = PHI_RANGE
        out["phi"] = lo + (hi - lo) * sig["phi"] if "phi" in sig else ops.ones_like(alpha)
        return out

    def constants(self) -> dict:
        """The smoothing constants now, ``{name: float64 [T]}``.

        Returns:
            ``alpha`` and ``phi`` (1 undamped), with ``beta`` / ``gamma`` when present.
        """
        return {k: np.asarray(ops.convert_to_numpy(v), dtype="float64")
                for k, v in self._constants().items()}

    def initial_states(self, y):
        """statsmodels' ``"simple"`` initial level, trend and seasons of ``y [B, W, T]``."""
        m = self.period
        if self.seasonal is None:
            level = y[:, 0]
            trend = y[:, 1] - y[:, 0] if self.trend else ops.zeros_like(level)
            return level, trend, None
        first = y[:, :m]
        level = ops.mean(first, axis=1)
        trend = (ops.mean(y[:, m:2 * m], axis=1) - level) / m if self.trend \
            else ops.zeros_like(level)
        season = first - level[:, None] if self.seasonal == "add" else first / level[:, None]
        return level, trend, season

    def _step(self, c):
        mul = self.seasonal == "mul"

        def step(carry, y_t):
            level, trend, season = carry if len(carry) == 3 else (*carry, None)
            prior = level + c["phi"] * trend
            old = None
            if season is None:
                new_level = c["alpha"] * y_t + (1.0 - c["alpha"]) * prior
            else:
                old = season[:, 0]
                new_level = (c["alpha"] * (y_t / old if mul else y_t - old)
                             + (1.0 - c["alpha"]) * prior)
                new = (c["gamma"] * (y_t / prior if mul else y_t - prior)
                       + (1.0 - c["gamma"]) * old)
                season = ops.concatenate([season[:, 1:], new[:, None]], axis=1)
            if self.trend:
                trend = (c["beta"] * (new_level - level)
                         + (1.0 - c["beta"]) * c["phi"] * trend)
            out = (new_level, trend) if season is None else (new_level, trend, season)
            adjusted = y_t if old is None else (y_t / old if mul else y_t - old)
            # Keras' TensorFlow scan stacks outputs shaped like the carry (keras/src/backend/
            # tensorflow/core.py: "the output of f must have the same shape and dtype as
            # carry"), so the adjusted value rides in the level's place
            return out, (adjusted, *out[1:])

        return step

    def smooth(self, y, deseasonalised: bool = False):
        """The states after the last value of ``y [B, W, T]``: ``(level, trend, seasons)``
        (``seasons [B, m, T]``, the next step's first; None without a season), and with
        ``deseasonalised`` each value less (or over) the season that applied to it,
        ``[B, W, T]``, as a fourth item."""
        c = self._constants()
        step = self._step(c)
        init = self.initial_states(y)
        init = init[:2] if init[2] is None else init  # the loops carry tensors only
        if deseasonalised:
            final, ys = ops.scan(step, init, ops.transpose(y, (1, 0, 2)))
        else:  # the states alone: no per-step outputs stacked (scan would stack W carries)
            final = ops.fori_loop(0, int(y.shape[1]),
                                  lambda i, carry: step(carry, y[:, i])[0], init)
        states = final if len(final) == 3 else (*final, None)
        return (*states, ops.transpose(ys[0], (1, 0, 2))) if deseasonalised else states

    def call(self, y):
        c = self._constants()
        if not self.return_adjusted:
            return self._forecast(c, *self.smooth(y))
        level, trend, season, adjusted = self.smooth(y, deseasonalised=True)
        return [self._forecast(c, level, trend, season), adjusted - level[:, None, :]]

    def _forecast(self, c, level, trend, season):
        h = np.arange(1, self.horizon + 1, dtype="float32")
        powers = ops.power(c["phi"][None, :], h[:, None])  # [H, T]
        damp = ops.cumsum(powers, axis=0)
        path = level[:, None, :] + damp[None] * trend[:, None, :]
        if season is None:
            return path
        idx = (np.arange(self.horizon) % self.period).tolist()
        seasons = ops.take(season, idx, axis=1)
        return path * seasons if self.seasonal == "mul" else path + seasons

    def compute_output_shape(self, input_shape):
        forecast = (input_shape[0], self.horizon, input_shape[-1])
        return [forecast, tuple(input_shape)] if self.return_adjusted else forecast

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon, "period": self.period,
                "trend": self.trend, "damped": self.damped, "seasonal": self.seasonal,
                "return_adjusted": self.return_adjusted}
