"""The forecaster's simple rivals inside its own graph, chosen or combined on validation.

A neural forecaster that loses to "the same value as last season" is no forecaster (M4:
"none of the pure ML methods was more accurate than the combination benchmark",
Makridakis et al. 2018). So the served model holds, beside the RNN, the simple methods a
forecaster would try first, each computed from the same window in the same standardised
units, and a :class:`Combine` layer of fixed weights over them:

- ``rnn``: the network's forecast (the change from the window's last value, plus it);
- ``seasonal_naive``: the window's last season repeated (:class:`SeasonalNaive`; the last
  value without a period), FPP3 §5.2;
- ``drift``: the window's last value plus ``h`` times its mean step
  (:class:`WindowDrift`; from the window, where the test baseline ``drift`` reads the whole
  history);
- ``smoothing``: damped-trend Holt-Winters (additive season when the window holds two
  periods) with constants learnt on the training windows
  (:class:`~seqkit.forecasting.smoothing.ExponentialSmoothing`).

After the RNN is trained, :func:`combine_on_validation` trains the smoothing constants on
the training windows (early stopping on the validation windows), forecasts every
validation origin with each candidate, and sets the weights by ``combine``:

- ``"auto"`` (the default): the mean of every candidate weighted by its inverse
  validation MSE (Bates & Granger 1969's weights without the covariances, which are too
  noisy to estimate on a short validation split). Chosen by measurement on the seven
  screening series of ``benchmarks/screen_forecast.py`` (3 seeds, every rule weighed on
  the same fits: ``--arrays``, then ``--weigh``): it beat the seasonal naive on every
  series, where picking the validation-best candidate lost to it on one, and had the
  lowest geometric-mean MASE of the rules tried (inverse MAE, equal weights, the best
  alone; ``docs/forecasting.md``);
- ``"best"``: all weight on the candidate with the lowest validation MAE;
- ``"none"``: the RNN alone (weights ``[1, 0, ...]``, which is also what the model holds
  until validation sets them).

The test part is never read: changing its values changes no weight (tested). The errors
are measured in the model's standardised units (per window with window scaling), so every
series of a collection counts alike. Two caveats, stated in ``metrics["combination"]``: the
RNN was early-stopped on the same validation windows, so its validation error (and its
weight) is slightly optimistic, and a short validation split gives noisy errors, which is
why the default mixes rather than picks.

Example:

>>> import numpy as np
>>> errors = {"rnn": np.full((4, 2, 1), 2.0), "seasonal_naive": np.full((4, 2, 1), 1.0)}
>>> weights, report = choose_weights(errors, "best")
>>> weights, report["chosen"]
({'rnn': 0.0, 'seasonal_naive': 1.0}, 'seasonal_naive')
>>> weights, report = choose_weights(errors, "auto")   # inverse MSE: 1/4 : 1/1
>>> weights, round(report["inverse_mse"]["val_mae"], 4)
({'rnn': 0.2, 'seasonal_naive': 0.8}, 1.2)
"""

from __future__ import annotations

import contextlib
import time

import keras
import numpy as np
from keras import ops

from seqkit.forecasting.smoothing import ExponentialSmoothing
from seqkit.validation import check_choice, check_int, check_optional_int

__all__ = ["CANDIDATES", "COMBINES", "Combine", "SeasonalNaive", "WindowDrift",
           "add_candidates", "choose_weights", "combine_on_validation", "weights_set"]

CANDIDATES = ("rnn", "seasonal_naive", "drift", "smoothing")
COMBINES = ("auto", "best", "none")
#: the layer holding the weights, and each candidate's layer (``candidate_<name>``)
COMBINE_LAYER = "combined_scaled"
#: the smoothing constants' training: Adam's step, epochs at most, early-stopping patience
SMOOTHING_FIT = {"learning_rate": 0.05, "epochs": 30, "patience": 3}
_F32 = {"dtype": "float32"}


def _season(period, window: int) -> int:
    return int(period) if period and 1 < period <= window else 1


@keras.saving.register_keras_serializable(package="seqkit")
class SeasonalNaive(keras.layers.Layer):
    """The window's last season repeated: ``y [B, W, T]`` -> ``[B, H, T]``,
    ``f_h = y_{W - m + (h - 1) mod m}`` (``m = 1``: the last value).

    Example:

    >>> import numpy as np
    >>> y = np.arange(6, dtype="float32").reshape(1, 6, 1)
    >>> np.asarray(SeasonalNaive(horizon=4, period=3)(y)).ravel().tolist()
    [3.0, 4.0, 5.0, 3.0]
    """

    def __init__(self, horizon: int, period: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.horizon = check_int("horizon", horizon)
        self.period = check_optional_int("period", period)

    def call(self, y):
        window = int(y.shape[1])
        m = _season(self.period, window)
        idx = [window - m + (h % m) for h in range(self.horizon)]
        return ops.take(y, idx, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.horizon, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon, "period": self.period}


@keras.saving.register_keras_serializable(package="seqkit")
class WindowDrift(keras.layers.Layer):
    """The drift method over the window: ``f_h = y_W + h (y_W - y_1) / (W - 1)``.

    Example:

    >>> import numpy as np
    >>> y = np.array([[[1.0], [2.0], [4.0]]], "float32")        # mean step 1.5
    >>> np.asarray(WindowDrift(horizon=2)(y)).ravel().tolist()
    [5.5, 7.0]
    """

    def __init__(self, horizon: int, **kwargs):
        super().__init__(**kwargs)
        self.horizon = check_int("horizon", horizon)

    def call(self, y):
        window = int(y.shape[1])
        last = y[:, -1:, :]
        slope = (last - y[:, :1, :]) / max(window - 1, 1)
        h = np.arange(1, self.horizon + 1, dtype="float32").reshape(1, -1, 1)
        return last + h * slope

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.horizon, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon}


@keras.saving.register_keras_serializable(package="seqkit")
class Combine(keras.layers.Layer):
    """``sum_k w_k x_k`` over same-shaped inputs, with fixed (non-trainable) weights.

    Args:
        names: the inputs' names, in order (the weights start at ``[1, 0, ...]``: the
            first input alone).

    Example:

    >>> import numpy as np
    >>> layer = Combine(["a", "b"])
    >>> x = [np.ones((1, 2, 1), "float32"), np.full((1, 2, 1), 3.0, "float32")]
    >>> np.asarray(layer(x)).ravel().tolist()
    [1.0, 1.0]
    >>> layer.set_mix({"a": 0.5, "b": 0.5})
    >>> np.asarray(layer(x)).ravel().tolist()
    [2.0, 2.0]
    """

    def __init__(self, names, **kwargs):
        super().__init__(**kwargs)
        self.names = [str(n) for n in names]

    def build(self, input_shape):
        self.mix = self.add_weight(name="mix", shape=(len(self.names),), trainable=False,
                                   initializer=keras.initializers.Constant(
                                       [1.0] + [0.0] * (len(self.names) - 1)))

    def set_mix(self, weights: dict) -> None:
        """Sets the weights from ``{name: weight}`` (names left out get 0)."""
        unknown = set(weights) - set(self.names)
        if unknown:
            raise ValueError(f"unknown candidates {sorted(unknown)}; this model combines "
                             f"{self.names}")
        self.mix.assign(np.array([weights.get(n, 0.0) for n in self.names], "float32"))

    def call(self, inputs):
        return sum(self.mix[k] * x for k, x in enumerate(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "names": self.names}


@contextlib.contextmanager
def weights_set(model, weights: dict):
    """The model's :class:`Combine` weights set to ``weights`` inside the block, restored
    after it (e.g. ``{"rnn": 1.0}``: the RNN alone).

    Args:
        model: a forecaster built with candidates.
        weights: ``{candidate: weight}`` (names left out get 0).
    """
    combine = model.get_layer(COMBINE_LAYER)
    kept = np.asarray(combine.mix).copy()
    combine.set_mix(weights)
    try:
        yield model
    finally:
        combine.mix.assign(kept)


def add_candidates(rnn_out, targets, *, horizon: int, period: int | None):
    """The candidates beside ``rnn_out [B, H, T]`` from the scaled target window
    ``targets [B, W, T]``, combined by a :class:`Combine` named :data:`COMBINE_LAYER`.

    Returns:
        The combined ``[B, H, T]`` (the RNN alone until its weights are set).
    """
    window = int(targets.shape[1])
    m = _season(period, window)
    seasonal = "add" if m > 1 and window >= 2 * m else None
    layers = {
        "seasonal_naive": SeasonalNaive(horizon, m, name="candidate_seasonal_naive", **_F32),
        "drift": WindowDrift(horizon, name="candidate_drift", **_F32),
        "smoothing": ExponentialSmoothing(horizon, period=m if seasonal else None,
                                          trend="add", damped=True, seasonal=seasonal,
                                          name="candidate_smoothing", **_F32),
    }
    outs = [rnn_out] + [layers[n](targets) for n in CANDIDATES[1:]]
    return Combine(list(CANDIDATES), name=COMBINE_LAYER, **_F32)(outs)


def choose_weights(errors: dict, mode: str) -> tuple[dict, dict]:
    """The weights ``combine`` gives from each candidate's validation errors.

    A mix's error is the weighted sum of the candidates' signed errors (the weights sum
    to 1), so the mix is scored on the same windows without predicting again.

    Args:
        errors: ``{candidate: signed errors (forecast - truth) [N, H, T]}`` on the same
            validation windows, the RNN first.
        mode: one of :data:`COMBINES`.

    Returns:
        ``({candidate: weight}, report)``; the report holds each candidate's ``val_mae``
        and ``val_mse``, the ``inverse_mse`` mix's weights and validation MAE, what was
        ``chosen`` and ``why``.

    Example:

    >>> import numpy as np
    >>> e = {"rnn": np.array([1.0, -1.0]), "drift": np.array([-1.0, 1.0])}
    >>> w, report = choose_weights(e, "auto")    # the mix cancels every error
    >>> w, report["chosen"], report["inverse_mse"]["val_mae"]
    ({'rnn': 0.5, 'drift': 0.5}, 'inverse_mse', 0.0)
    """
    check_choice("combine", mode, COMBINES)
    names = list(errors)
    mae = {n: float(np.mean(np.abs(errors[n]))) for n in names}
    mse = {n: float(np.mean(np.square(errors[n]))) for n in names}
    best = min(names, key=lambda n: mae[n])
    inv = np.array([1.0 / max(mse[n], 1e-12) for n in names])
    mix = dict(zip(names, (inv / inv.sum()).tolist(), strict=True))
    mix_mae = float(np.mean(np.abs(sum(w * errors[n] for n, w in mix.items()))))
    report = {"mode": mode, "val_mae": mae, "val_mse": mse, "best": best,
              "inverse_mse": {"weights": mix, "val_mae": mix_mae}}
    if mode == "none":
        return ({n: float(n == names[0]) for n in names},
                {**report, "chosen": names[0], "why": "combine='none': the RNN alone"})
    if mode == "auto":
        return mix, {**report, "chosen": "inverse_mse",
                     "why": "combine='auto': every candidate weighted by its inverse "
                            "validation MSE"}
    return ({n: float(n == best) for n in names},
            {**report, "chosen": best, "why": "the lowest validation MAE"})


def _fit_smoothing(model, train, val, seed: int) -> dict:
    layer = model.get_layer("candidate_smoothing")
    view = keras.Model(model.input, layer.output, name="smoothing_view")
    for other in view.layers:  # only the smoothing constants move
        other.trainable = other is layer
    keras.utils.set_random_seed(seed)
    view.compile(optimizer=keras.optimizers.Adam(SMOOTHING_FIT["learning_rate"]), loss="mse")
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss" if val is not None else "loss",
        patience=SMOOTHING_FIT["patience"], restore_best_weights=True)
    start = time.perf_counter()
    history = view.fit(train, validation_data=val, epochs=SMOOTHING_FIT["epochs"],
                       callbacks=[stop], verbose=0, shuffle=False)  # shuffled upstream
    for other in view.layers:
        other.trainable = True
    return {"epochs": len(history.history["loss"]), "seconds": time.perf_counter() - start,
            "constants": {k: v.tolist() for k, v in layer.constants().items()}}


def combine_on_validation(model, train, val, *, mode: str, seed: int = 0) -> dict:
    """Trains the smoothing constants, scores every candidate on the validation windows
    and sets the :class:`Combine` weights (see the module docstring).

    Args:
        model: a forecaster built with candidates (layer :data:`COMBINE_LAYER`).
        train, val: the training and validation datasets of ``(inputs, scaled targets)``.
        mode: one of :data:`COMBINES`.
        seed: the smoothing fit's seed.

    Returns:
        ``metrics["combination"]``: the mode, each candidate's and the mix's validation MAE
        (standardised units), the weights, what was chosen and why, the smoothing fit.
    """
    check_choice("combine", mode, COMBINES)
    combine = model.get_layer(COMBINE_LAYER)
    smoothing = _fit_smoothing(model, train, val, seed)
    view = keras.Model(model.input, list(combine.input), name="candidates_view")
    preds = view.predict(val, verbose=0)  # one traced function; predict reads x of (x, y)
    y = np.concatenate([np.asarray(batch[1], "float64") for batch in val])
    signed = {n: np.asarray(p, "float64") - y for n, p in zip(combine.names, preds,
                                                             strict=True)}
    weights, report = choose_weights(signed, mode)
    combine.set_mix(weights)
    return {**report, "weights": weights, "n_val_windows": int(len(y)),
            "smoothing": smoothing,
            "caveat": "the RNN was early-stopped on these validation windows (its "
                      "validation error is slightly optimistic)"}
