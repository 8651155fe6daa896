"""The non-deep detectors every deep anomaly detector is compared with, on the same series.

- :func:`seasonal_naive_scores`: ``|x_t - x_{t-m}|``, the residual of the seasonal naive
  forecast (m the period), normalised by its median on the training part.
- :func:`estimate_period`: the period as the autocorrelation's first dominant peak.
- :func:`run_detectors`: aeon's non-deep series detectors (STOMP, LeftSTAMPi, MERLIN,
  KMeansAD, IsolationForest) on one series, each turned into one score per point, higher
  meaning more anomalous (MERLIN's discords through :func:`merlin_point_scores`), with
  its run time; a detector that cannot run on the series
  (univariate-only on a multivariate series, a missing optional package, a window too
  large, a series too long) is skipped with the reason.

Every function takes ``values`` as ``[T]`` or ``[T, F]`` (finite real numbers) and
returns ``[T]`` scores. aeon (``pip install 'seqkit[ucr]'``) is needed by
:func:`run_detectors` only; STOMP and LeftSTAMPi also need ``stumpy``, IsolationForest
``pyod`` (``pip install stumpy pyod``).

Example:

>>> import numpy as np
>>> x = np.tile([0.0, 1.0, 0.0, -1.0], 5)             # period 4
>>> x[13] = 3.0                                       # one spike
>>> scores = seasonal_naive_scores(x, 4)
>>> int(np.argmax(scores)), estimate_period(np.sin(np.arange(200) * np.pi / 10))
(13, 20)
"""

from __future__ import annotations

import importlib.util
import time
import warnings

import numpy as np

from seqkit.errors import DataError
from seqkit.validation import (
    check_bool,
    check_choice,
    check_int,
    check_number,
    fail,
    steps_by_features,
)

__all__ = ["DETECTORS", "estimate_period", "merlin_point_scores", "run_detectors",
           "seasonal_naive_scores"]

#: aeon's detectors :func:`run_detectors` knows, in the order it runs them
DETECTORS = ("STOMP", "LeftSTAMPi", "MERLIN", "KMeansAD", "IsolationForest")
#: the window when neither ``window`` nor ``period`` is given and no period is found
DEFAULT_WINDOW = 50
#: the longest period :func:`run_detectors` estimates for its default window
MAX_AUTO_WINDOW = 1000
#: series longer than this skip a detector (its cost grows with T²)
MAX_POINTS = {"STOMP": 100_000, "LeftSTAMPi": 20_000, "MERLIN": 50_000}
#: the detectors' optional packages
_DEPENDENCIES = {"STOMP": "stumpy", "LeftSTAMPi": "stumpy", "IsolationForest": "pyod"}
#: KMeansAD's number of clusters (aeon's default)
KMEANS_CLUSTERS = 20
_INSTALL = "pip install 'seqkit[anomaly]'"


# --------------------------------------------------------------------------- input checks


def _series(values, name: str = "values") -> np.ndarray:
    """``values`` as a non-empty ``[T, F]`` float64 array of finite numbers."""
    arr = steps_by_features(values, name, "1-D [T] or 2-D [T, F]").astype(np.float64)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"{name} must hold at least one point and one feature, got shape "
                        f"{arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        t, f = np.argwhere(bad)[0]
        fail(f"{name}[{t}, {f}]", "a finite number", arr[t, f].item(), DataError)
    return arr


def _check_train_end(train_end, length: int, minimum: int = 1) -> int | None:
    if train_end is None:
        return None
    if not isinstance(train_end, (int, np.integer)) or isinstance(train_end, bool) \
            or not minimum <= train_end <= length:
        fail("train_end", f"None or an integer in [{minimum}, {length}] (the series' "
             "length)", train_end)
    return int(train_end)


def _standardise(x: np.ndarray, train_end: int | None) -> np.ndarray:
    """Each feature minus its mean, over its std, both of ``x[:train_end]`` (std 0 → 1)."""
    part = x[:train_end]
    std = part.std(axis=0)
    return (x - part.mean(axis=0)) / np.where(std > 0, std, 1.0)


# --------------------------------------------------------------------------- seasonal naive


def seasonal_naive_scores(values, period: int, *, train_end: int | None = None) -> np.ndarray:
    """The seasonal naive forecast's residual, normalised: a score per point.

    Each feature is first standardised with the mean and standard deviation of the
    training part ``values[:train_end]`` (the whole series when ``train_end`` is None; a
    constant feature is divided by 1). Then, with ``z`` the standardised series and
    ``m = period``::

        r_t = Σ_f |z_{t,f} − z_{t−m,f}|   for t >= m,   r_t = 0 for t < m
        score_t = r_t / median(r_m, ..., r_{E−1})        (E = train_end, or T)

    so a score of 1 is a typical residual of the training part. When that median is 0
    (a training part that repeats exactly) the residuals are returned undivided.

    Args:
        values: ``[T]`` or ``[T, F]`` finite numbers.
        period: the season length m, an integer in ``[1, T)``.
        train_end: the end of the anomaly-free training part, or None.

    Returns:
        ``[T]`` float64 scores, >= 0, higher is more anomalous.

    Raises:
        DataError: a non-numeric, empty, non-finite or wrongly shaped ``values``.
        ConfigError: ``period`` not in ``[1, T)``; ``train_end`` not in ``(period, T]``.

    Example:

    >>> x = [1.0, 2.0, 2.0, 3.0, 1.0, 2.0, 1.0, 9.0]      # |x_t - x_{t-2}|: 1 1 1 1 0 7
    >>> seasonal_naive_scores(x, 2, train_end=6).round(6).tolist()   # median of 1 1 1 1
    [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 7.0]
    >>> seasonal_naive_scores([1.0, 2.0, 3.0], 3)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: period must be an integer in [1, 3) (below the series' \
length), got 3
    """
    x = _series(values)
    length = x.shape[0]
    period = check_int("period", period)
    if period >= length:
        fail("period", f"an integer in [1, {length}) (below the series' length)", period)
    train_end = _check_train_end(train_end, length, minimum=period + 1)
    z = _standardise(x, train_end)
    residual = np.zeros(length)
    residual[period:] = np.abs(z[period:] - z[:-period]).sum(axis=1)
    scale = float(np.median(residual[period:train_end]))
    return residual / scale if scale > 0 else residual


# --------------------------------------------------------------------------- period


def _autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray | None:
    """The mean over features of the detrended, biased autocorrelation r(0..max_lag)."""
    t = np.arange(x.shape[0], dtype=np.float64) - (x.shape[0] - 1) / 2.0
    centred = x - x.mean(axis=0)
    slope = t @ centred / (t @ t) if x.shape[0] > 1 else np.zeros(x.shape[1])
    resid = centred - np.outer(t, slope)
    power = np.abs(np.fft.rfft(resid, n=2 * x.shape[0], axis=0)) ** 2
    cov = np.fft.irfft(power, axis=0)[:max_lag + 1]
    keep = cov[0] > 1e-12 * max(1.0, float(np.abs(x).max()) ** 2)
    if not keep.any():
        return None
    return (cov[:, keep] / cov[0, keep]).mean(axis=1)


def estimate_period(values, max_period: int | None = None, *,
                    min_correlation: float = 0.2, dominance: float = 0.8) -> int | None:
    """The period as the autocorrelation's first dominant peak.

    Method: each feature minus its least-squares line (so that a trend does not hide
    the season), its biased autocorrelation ``r(k)`` for ``k = 0..max_period`` (by FFT),
    averaged over the non-constant features. The search starts at the first lag where
    ``r`` drops to 0 or below (the end of the short-range correlation), and the highest
    ``r`` from there on is ``peak``. The period is the first lag ``k`` of that stretch
    with ``r(k) >= dominance · peak``, moved to the top of its hill (the highest ``r``
    before ``r`` falls below ``dominance · peak`` again), so that noise on a flat top
    does not shift it. The biased estimator shrinks ``r(k)`` by ``(T − k) / T``, which
    favours the first multiple of the period. None when ``r`` never drops to 0 before
    ``max_period`` (a trend-like or too short series), or when ``peak`` is below
    ``min_correlation`` (no season: white noise gives peaks of about ``2/√T``).

    Args:
        values: ``[T]`` or ``[T, F]`` finite numbers.
        max_period: the longest lag looked at, in ``[2, T)``; None for ``T // 2``.
        min_correlation: the smallest autocorrelation a period must reach, in (0, 1].
        dominance: how close to the highest peak the first dominant peak must be, in
            (0, 1].

    Returns:
        The period in points, or None when no season is found.

    Raises:
        DataError: a non-numeric, empty, non-finite or wrongly shaped ``values``.
        ConfigError: ``max_period``, ``min_correlation`` or ``dominance`` out of range.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(600)
    >>> estimate_period(np.sin(2 * np.pi * t / 25) + rng.normal(0.0, 0.3, 600))
    25
    >>> estimate_period(rng.normal(size=600)) is None
    True
    """
    x = _series(values)
    length = x.shape[0]
    if max_period is None:
        max_period = length // 2
    if isinstance(max_period, bool) or not isinstance(max_period, (int, np.integer)) \
            or not 2 <= max_period < length:
        fail("max_period", f"None or an integer in [2, {length}) (below the series' "
             "length)", max_period)
    for name, value in (("min_correlation", min_correlation), ("dominance", dominance)):
        if not 0.0 < check_number(name, value) <= 1.0:
            fail(name, "a number in (0, 1]", value)
    r = _autocorrelation(x, int(max_period))
    below = np.flatnonzero(r <= 0.0) if r is not None else np.array([], dtype=int)
    if below.size == 0:
        return None
    start = int(below[0])
    peak = float(r[start:].max())
    if peak < min_correlation:
        return None
    high = r[start:] >= dominance * peak
    first = start + int(np.argmax(high))
    falls = np.flatnonzero(r[first:] < dominance * peak)
    end = first + int(falls[0]) if falls.size else r.size
    return first + int(np.argmax(r[first:end]))


# --------------------------------------------------------------------------- aeon detectors


def _names(names) -> tuple[str, ...]:
    if isinstance(names, str):
        return DETECTORS if names == "auto" else (check_choice("names", names, DETECTORS),)
    try:
        chosen = tuple(names)
    except TypeError:
        chosen = None
    if not chosen or any(not isinstance(n, str) or n not in DETECTORS for n in chosen):
        fail("names", f"'auto', one of {DETECTORS!r} or a non-empty list of them", names)
    return tuple(dict.fromkeys(chosen))


def _default_window(x: np.ndarray, window, period, train_end) -> tuple[int, str]:
    """``(window, how it was chosen)``."""
    if window is not None:
        return check_int("window", window, minimum=2), "given"
    if period is not None:
        return check_int("period", period, minimum=2), "the period given"
    part = x[:train_end]
    found = None
    if part.shape[0] >= 4:
        found = estimate_period(part, min(part.shape[0] // 2, MAX_AUTO_WINDOW))
    if found is not None and found >= 2:
        return found, "the estimated period"
    return DEFAULT_WINDOW, "the default (no period found)"


def _merlin_lengths(window: int) -> tuple[int, int]:
    return max(4, window // 2), window


def _left_init(window: int, train_end: int | None) -> int:
    return train_end if train_end is not None else 2 * window


def _skip_reason(name: str, length: int, features: int, window: int,
                 train_end: int | None) -> str | None:
    """Why ``name`` cannot run here, or None (pure arithmetic, no import)."""
    if name in ("STOMP", "LeftSTAMPi", "MERLIN") and features > 1:
        return f"{name} is univariate only (aeon's capability:multivariate is False); " \
               f"the series has {features} features"
    if length > MAX_POINTS.get(name, length):
        return f"too long: {length} points > {MAX_POINTS[name]} ({name}'s cost grows " \
               "with the square of the length)"
    package = _DEPENDENCIES.get(name)
    if package and importlib.util.find_spec(package) is None:
        return f"{name} needs the package {package!r}, not installed ({_INSTALL})"
    if name == "MERLIN":
        high = _merlin_lengths(window)[1]
        if window < 4 or length < 2 * high:
            return f"MERLIN needs window >= 4 and a series at least twice the longest " \
                   f"discord length ({high}); got window {window}, {length} points"
    if name in ("STOMP", "LeftSTAMPi") and not 3 <= window < length:
        return f"{name} needs 3 <= window < the series' length ({length}), got {window}"
    if name == "LeftSTAMPi" and not window <= _left_init(window, train_end) < length:
        return f"LeftSTAMPi needs window ({window}) <= its initial part " \
               f"({_left_init(window, train_end)}: train_end, else 2 * window) < {length}"
    fit_points = train_end if train_end is not None else length
    if name == "KMeansAD" and fit_points - window + 1 < KMEANS_CLUSTERS:
        return f"KMeansAD needs at least {KMEANS_CLUSTERS} windows of {window} points to " \
               f"fit on, got {max(0, fit_points - window + 1)} in {fit_points} points"
    if name == "IsolationForest" and fit_points < window:
        return f"IsolationForest needs at least one window of {window} points to fit on, " \
               f"got {fit_points} points"
    return None


def _detector(name: str, window: int, train_end: int | None, seed: int):
    """``(aeon estimator, its parameters)`` (imports aeon here)."""
    from aeon.anomaly_detection.series import distance_based, outlier_detection

    if name == "STOMP":
        params = {"window_size": window, "ignore_trivial": True, "normalize": True,
                  "p": 2.0, "k": 1}
        return distance_based.STOMP(**params), params
    if name == "LeftSTAMPi":
        params = {"window_size": window, "n_init_train": _left_init(window, train_end),
                  "normalize": True, "p": 2.0, "k": 1}
        return distance_based.LeftSTAMPi(**params), params
    if name == "MERLIN":
        low, high = _merlin_lengths(window)
        params = {"min_length": low, "max_length": high, "max_iterations": 500}
        return distance_based.MERLIN(**params), params
    if name == "KMeansAD":
        params = {"n_clusters": KMEANS_CLUSTERS, "window_size": window, "stride": 1,
                  "random_state": seed}
        return distance_based.KMeansAD(**params), params
    params = {"n_estimators": 100, "max_samples": "auto", "max_features": 1.0,
              "bootstrap": False, "n_jobs": 1, "random_state": seed, "window_size": window,
              "stride": 1}
    return outlier_detection.IsolationForest(**params), params


def merlin_point_scores(discords, min_length: int) -> np.ndarray:
    """MERLIN's boolean output as per-point scores.

    aeon's MERLIN marks, for each discord length it searches (``min_length`` to
    ``max_length``), the start of the top discord of that length (the marks of several
    lengths may coincide). Every discord covers at least its first ``min_length``
    points, so the score of point t is the number of marked starts ``s`` with
    ``s <= t < s + min_length``: 0 far from every discord, higher where the discords of
    several lengths overlap.

    Args:
        discords: MERLIN's ``[T]`` boolean (or 0/1) output.
        min_length: the shortest discord length MERLIN searched.

    Returns:
        ``[T]`` float64 scores.

    Raises:
        ConfigError: ``min_length`` not an integer >= 1.

    Example:

    >>> merlin_point_scores([False, True, False, True, False, False], 2).tolist()
    [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    """
    min_length = check_int("min_length", min_length)
    starts = np.asarray(discords, dtype=np.float64).reshape(-1)
    return np.convolve(starts, np.ones(min_length))[:starts.size]


def _run(name: str, z: np.ndarray, window: int, train_end: int | None,
         seed: int) -> dict:
    """One detector on the (standardised) series: scores, seconds, model description."""
    estimator, params = _detector(name, window, train_end, seed)
    series = z[:, 0] if z.shape[1] == 1 else z
    semi = train_end is not None and estimator.get_tag("learning_type:semi_supervised")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stumpy's and MERLIN's advice on windows
        if semi:
            raw = estimator.fit(series[:train_end], axis=0).predict(series, axis=0)
        else:
            raw = estimator.fit_predict(series, axis=0)
    seconds = time.perf_counter() - start
    if name == "MERLIN":
        scores = merlin_point_scores(raw, params["min_length"])
    else:
        scores = np.asarray(raw, dtype=np.float64).reshape(-1)
    if scores.shape != (z.shape[0],) or not np.isfinite(scores).all():
        raise RuntimeError(f"aeon's {name} returned {scores.shape[0]} scores with "
                           f"non-finite values or a length other than {z.shape[0]}")
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    if semi:
        how = f"fit on [0, {train_end}), predict on the whole series"
    elif name == "LeftSTAMPi":
        how = f"fit_predict, left matrix profile started from [0, {params['n_init_train']})"
    else:
        how = "fit_predict on the whole series (unsupervised)"
    return {"scores": scores, "seconds": seconds, "model": f"aeon {name}({args}); {how}"}


def run_detectors(values, *, names="auto", window: int | None = None,
                  period: int | None = None, train_end: int | None = None, seed: int = 0,
                  standardize: bool = True) -> dict[str, dict]:
    """aeon's non-deep series anomaly detectors on one series, as per-point scores.

    Each feature is first standardised (``standardize=True``) with the mean and standard
    deviation of the training part ``values[:train_end]`` (of the whole series when
    ``train_end`` is None), so that no feature outweighs the others in the multivariate
    windows of KMeansAD and IsolationForest; the univariate detectors z-normalise each
    subsequence anyway. With ``train_end`` given, the semi-supervised detectors
    (KMeansAD, IsolationForest) are fit on ``[0, train_end)`` and score the whole
    series (``fit`` then ``predict``); the others, and every detector when ``train_end``
    is None, run unsupervised (``fit_predict`` on the whole series), except LeftSTAMPi,
    whose left matrix profile starts from ``[0, train_end)``. The detectors, with
    ``w = window`` (aeon's other defaults kept):

    - ``STOMP(window_size=w)``: the matrix profile (stumpy's ``stump``, z-normalised
      Euclidean distance of each subsequence to its nearest non-trivial match), each
      point the mean over the subsequences covering it. Univariate.
    - ``LeftSTAMPi(window_size=w, n_init_train=train_end or 2w)``: the left matrix
      profile (nearest match among earlier subsequences only), built incrementally;
      0 on the initial part. Univariate.
    - ``MERLIN(min_length=max(4, w // 2), max_length=w)``: the top discord of each
      length, a boolean output turned into scores by :func:`merlin_point_scores`.
      Univariate.
    - ``KMeansAD(n_clusters=20, window_size=w, random_state=seed)``: the distance of
      each window to its k-means centre, averaged per point.
    - ``IsolationForest(n_estimators=100, window_size=w, random_state=seed)``: PyOD's
      isolation forest on the windows (its ``decision_function``), averaged per point.

    ``window`` defaults to ``period`` when given, else to :func:`estimate_period` of the
    training part (at most 1000), else to 50. ``seconds`` is the wall time of aeon's
    calls; the first call of STOMP or LeftSTAMPi in a process includes numba's
    compilation of stumpy's kernels (about 20 s).

    Args:
        values: ``[T]`` or ``[T, F]`` finite numbers.
        names: ``"auto"`` (all of :data:`DETECTORS`), one name or a list of names.
        window: the subsequence length, an integer >= 2, or None.
        period: the series' period, used as the default window.
        train_end: the end of the anomaly-free training part, or None.
        seed: the random state of KMeansAD and IsolationForest.
        standardize: standardise each feature first, as above.

    Returns:
        ``{name: {"scores": [T] float64, "seconds": float, "model": str}}``, or
        ``{name: {"skipped": reason}}`` for a detector that cannot run on the series.

    Raises:
        DataError: a non-numeric, empty, non-finite or wrongly shaped ``values``.
        ConfigError: unknown names, a bad ``window``, ``period``, ``train_end``, seed or
            ``standardize``;
            named detectors without aeon installed (``"auto"`` skips them all instead).

    Example:

    >>> x = np.sin(2 * np.pi * np.arange(300) / 20)
    >>> x[150:155] += 2.0
    >>> out = run_detectors(x, names=["KMeansAD"], period=20)
    >>> int(np.argmax(out["KMeansAD"]["scores"])) in range(130, 175)
    True
    >>> run_detectors(np.ones((100, 2)), names="STOMP", window=10)["STOMP"]["skipped"]
    "STOMP is univariate only (aeon's capability:multivariate is False); the series has 2 \
features"
    """
    x = _series(values)
    chosen = _names(names)
    train_end = _check_train_end(train_end, x.shape[0])
    seed = check_int("seed", seed, minimum=0)
    standardize = check_bool("standardize", standardize)
    window, how = _default_window(x, window, period, train_end)
    if importlib.util.find_spec("aeon") is None:
        if names == "auto":
            return {n: {"skipped": f"left out: aeon is not installed ({_INSTALL})"}
                    for n in chosen}
        fail("names", f"'auto' without aeon installed ({_INSTALL})", names)
    z = _standardise(x, train_end) if standardize else x
    out: dict[str, dict] = {}
    for name in chosen:
        reason = _skip_reason(name, x.shape[0], x.shape[1], window, train_end)
        if reason is None:
            out[name] = _run(name, z, window, train_end, seed)
            out[name]["model"] += f"; window {window} from {how}"
        else:
            out[name] = {"skipped": reason}
    return out
