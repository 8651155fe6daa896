"""What a trained forecaster takes, made from raw user inputs: windows, future-known
covariates (user regressors and calendar encodings over the horizon), static covariates
(given, or looked up by series id).

Example:

>>> import numpy as np
>>> prepare_windows(np.arange(4.0), window=4, n_features=1).shape
(1, 4, 1)
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DataError


def _as_float_array(x, what: str) -> np.ndarray:
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    try:
        x = np.asarray(x, dtype="float32")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must be numeric, got {type(x).__name__}: {exc}") from None
    if not np.all(np.isfinite(x)):
        raise DataError(f"{what} contain NaN or infinite values")
    return x


def prepare_windows(x, window: int, n_features: int) -> np.ndarray:
    """Raw windows as ``float32 [N, window, n_features]``.

    Args:
        x: ``[N, window, F]``, one ``[window, F]``, or univariate ``[window]`` / ``[N, window]``.
        window: the model's window.
        n_features: its features per step.

    Returns:
        The batch of windows.

    Raises:
        DataError: another shape (named with the expected one), NaN or inf.

    Example:

    >>> prepare_windows(np.zeros((3, 2)), window=3, n_features=1).shape
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: forecast inputs must be [N, 3, 1] raw windows (window=3, \
features=1), got shape (3, 2)
    """
    x = _as_float_array(x, "forecast inputs")
    if x.ndim == 1 and n_features == 1 and x.shape[0] == window:
        x = x[None, :, None]  # one univariate window
    elif x.ndim == 2 and x.shape == (window, n_features):
        x = x[None]
    elif x.ndim == 2 and n_features == 1 and x.shape[1] == window:
        x = x[..., None]
    if x.ndim != 3 or x.shape[1:] != (window, n_features):
        raise DataError(f"forecast inputs must be [N, {window}, {n_features}] raw windows "
                        f"(window={window}, features={n_features}), got shape {x.shape}")
    return x


def _batched(x, name: str, n: int, tail: tuple) -> np.ndarray:
    x = _as_float_array(x, name)
    if x.shape == tail:
        x = np.broadcast_to(x, (n, *tail))
    if x.shape != (n, *tail):
        raise DataError(f"{name} must have shape [{n}, {', '.join(map(str, tail))}] (or "
                        f"[{', '.join(map(str, tail))}] for every window), got {x.shape}")
    return np.ascontiguousarray(x)


def forecast_inputs(model, config: dict, data_info: dict, x, *, future_covariates=None,
                    static_covariates=None, series=None):
    """The inputs ``model`` takes for raw windows ``x`` (a tensor, or a dict by input name).

    Args:
        model: the trained forecaster.
        config: its ``FitResult.config``.
        data_info: its ``FitResult.data_info``.
        x: raw windows (see :func:`prepare_windows`).
        future_covariates: ``[N, horizon, C]`` or ``[horizon, C]`` (one for all windows):
            the columns of ``data_info["future_covariates"]``, in that order (calendar
            encodings included: see :func:`future_covariates_for`).
        static_covariates: ``[N, S]`` or ``[S]``; or give ``series``.
        series: a training series id (``data_info["series_ids"]``) whose static
            covariates to use; an unknown id is an error.

    Returns:
        ``windows`` alone, or ``{"window", "future_covariates", "static_covariates"}``.

    Raises:
        DataError: a covariate the model needs is missing or misshaped (named), or one it
            does not take is given.
    """
    windows = prepare_windows(x, config["window"], data_info["n_features"])
    known = data_info.get("series_ids")
    if series is not None and known is not None and str(series) not in known:
        # a model without static covariates takes no id, but a wrong one is still a mistake
        raise DataError(f"unknown series {series!r}; known: {sorted(known)[:10]}")
    names = [t.name for t in model.inputs]
    n = len(windows)
    inputs = {"window": windows}
    futures = data_info.get("future_covariates") or []
    if "future_covariates" in names:
        if future_covariates is None:
            raise DataError(f"this forecaster needs future_covariates [N, {config['horizon']}, "
                            f"{len(futures)}]: the columns {futures} over the horizon")
        inputs["future_covariates"] = _batched(future_covariates, "future_covariates", n,
                                               (config["horizon"], len(futures)))
    elif future_covariates is not None:
        raise DataError("future_covariates given, but this forecaster takes none")
    statics = data_info.get("static_covariates") or []
    if "static_covariates" in names:
        if static_covariates is None and series is not None:
            table = data_info.get("static_values", {})
            if str(series) not in table:
                raise DataError(f"unknown series {series!r}; known: {sorted(table)[:10]}")
            static_covariates = table[str(series)]
        if static_covariates is None:
            raise DataError(f"this forecaster needs static_covariates {statics} (or series=)")
        inputs["static_covariates"] = _batched(static_covariates, "static_covariates", n,
                                               (len(statics),))
    elif static_covariates is not None:
        raise DataError("static_covariates given, but this forecaster takes none")
    return windows if len(inputs) == 1 else inputs


def future_covariates_for(config: dict, data_info: dict, timestamps, values=None) -> np.ndarray:
    """The ``future_covariates [horizon, C]`` of one forecast: the user's regressor values
    over the horizon, then the calendar encodings of its ``timestamps``.

    Args:
        config: the ``FitResult.config``.
        data_info: the ``FitResult.data_info``.
        timestamps: the horizon's ``DatetimeIndex`` (see
            :func:`seqkit.data.timeseries.future_index`); may be None without calendar.
        values: ``[horizon, n_user]`` values of ``config["future_covariates"]``.

    Returns:
        ``float32 [horizon, C]`` in the order the model takes.

    Example:

    >>> import pandas as pd
    >>> cfg = {"horizon": 2, "future_covariates": [], "calendar": ["month"]}
    >>> idx = pd.date_range("2020-01-01", periods=2, freq="MS")
    >>> future_covariates_for(cfg, {}, idx).shape
    (2, 2)
    """
    from seqkit.data.timeseries import calendar_features

    parts = []
    user = config.get("future_covariates") or []
    if user:
        if values is None:
            raise DataError(f"values of the future covariates {user} over the horizon needed")
        parts.append(_batched(values, "values", 1, (config["horizon"], len(user)))[0])
    calendar = config.get("calendar")
    if calendar:
        # the features the fit chose ("auto" may have found none at the series' frequency);
        # re-running "auto" on the horizon's few timestamps could choose others
        features = data_info.get("calendar_features", calendar)
        features = features if isinstance(features, str) else tuple(features)
    if calendar and features:
        if timestamps is None or len(timestamps) != config["horizon"]:
            raise DataError(f"the horizon's {config['horizon']} timestamps are needed for the "
                            f"calendar encodings, got {timestamps!r}")
        parts.append(calendar_features(timestamps, features)[0])
    if not parts:
        raise DataError("this forecaster takes no future covariates")
    return np.concatenate(parts, axis=1).astype("float32")
