"""The baselines fitted beside every sequence regressor on the same splits: the training
mean (always) and aeon's regressors — 1-nearest-neighbour DTW, ROCKET and MiniRocket (the
strongest family of Tan et al. 2021's TSER benchmark, with a ridge on the kernels'
features).

As for the classifiers (:mod:`seqkit.classification.baselines`), each is trained on what
the network learnt from (its training and validation splits), scored on the same test
split with :func:`seqkit.regression.metrics.regression_metrics`, and left out with the
reason when it cannot read the data or would be slow; ``metrics["beats"][name]`` says
whether the network's test RMSE is at most the baseline's, and a warning names each
baseline that wins.

Example:

>>> import numpy as np
>>> x = np.random.default_rng(0).normal(size=(30, 12, 1)).astype("float32")
>>> y = x[:, :, 0].sum(axis=1)
>>> out = run_baselines(("dtw_1nn",), (x[:20], y[:20]), (x[20:], y[20:]))
>>> sorted(out["dtw_1nn"]), out["dtw_1nn"]["trained_on"]
(['fit_seconds', 'mae', 'model', 'n', 'r2', 'rmse', 'trained_on'], 20)
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from seqkit.classification.baselines import (
    DTW_MAX_CELLS,
    MINIROCKET_MIN_LENGTH,
    aeon_input,
    has_aeon,
    sequence_lengths,
)
from seqkit.errors import ConfigError
from seqkit.regression.metrics import regression_metrics

#: aeon's regressors a regressor is compared with (the training mean always is).
REGRESSION_BASELINES = ("dtw_1nn", "rocket", "minirocket")
#: ROCKET's kernels (aeon's default is 10,000; Tan et al. 2021 used 10,000 too).
ROCKET_KERNELS = 10000


def _lengths(x, masked: bool) -> np.ndarray:
    return sequence_lengths(x) if masked else np.full(len(x), x.shape[1])


def _aeon(x, masked: bool):
    """aeon's layout of ``x``: its real steps, or all of them (unmasked data)."""
    return aeon_input(x)[0] if masked else np.transpose(np.asarray(x, "float64"), (0, 2, 1))


def _estimator(name: str, train_x, test_x, seed: int, auto: bool, masked: bool):
    """``(estimator, None)`` or ``(None, reason)``."""
    lengths = np.concatenate([_lengths(train_x, masked), _lengths(test_x, masked)])
    if name == "dtw_1nn":
        from aeon.regression.distance_based import KNeighborsTimeSeriesRegressor

        cells = float(len(train_x)) * len(test_x) * float(lengths.max()) ** 2
        if auto and cells > DTW_MAX_CELLS:
            return None, (f"left out: about {cells:.1e} DTW cell updates (over "
                          f"{DTW_MAX_CELLS:.0e}); name it in baselines= to run it")
        return KNeighborsTimeSeriesRegressor(distance="dtw", n_neighbors=1), None
    if lengths.min() != lengths.max():
        return None, f"left out: {name} needs equal-length series"
    if lengths.min() < MINIROCKET_MIN_LENGTH:
        return None, (f"left out: {name} needs at least {MINIROCKET_MIN_LENGTH} steps, the "
                      f"series have {int(lengths.min())}")
    if name == "rocket":
        from aeon.regression.convolution_based import RocketRegressor

        return RocketRegressor(n_kernels=ROCKET_KERNELS, random_state=seed), None
    from aeon.regression.convolution_based import MiniRocketRegressor

    return MiniRocketRegressor(random_state=seed), None


def run_baselines(names, train, test, *, seed: int = 0, masked: bool = True) -> dict:
    """Fit each of ``names`` on ``train`` and score it on ``test``.

    Args:
        names: names of :data:`REGRESSION_BASELINES`, or ``("auto",)``: all of them, each
            left out with a reason when it cannot or should not run.
        train: ``(x [N, T, F], y [N])`` (zero-padded sequences).
        test: ``(x, y)`` of the same kind.
        seed: the baselines' random state.
        masked: whether all-zero steps are padding (as the network's ``Masking``); False:
            every step is real.

    Returns:
        ``{name: metrics}``: RMSE, MAE, R², n, ``fit_seconds`` (fit and predict),
        ``trained_on`` and ``model``; or ``{name: {"skipped": reason}}``.

    Raises:
        ConfigError: an unknown name, or named baselines without aeon installed.
    """
    auto = tuple(names) == ("auto",)
    names = REGRESSION_BASELINES if auto else tuple(names)
    unknown = [n for n in names if n not in REGRESSION_BASELINES]
    if unknown:
        raise ConfigError(f"baselines: {unknown} are not regression baselines; expected "
                          f"some of {REGRESSION_BASELINES}, 'auto' or ()")
    if not has_aeon():
        if auto:
            return {n: {"skipped": "left out: aeon is not installed (pip install "
                                   "'seqkit[ucr]')"} for n in names}
        raise ConfigError(f"baselines {list(names)} need aeon: pip install 'seqkit[ucr]' "
                          "(or pass baselines=())")
    out = {}
    for name in names:
        estimator, reason = _estimator(name, train[0], test[0], seed, auto, masked)
        if estimator is None:
            out[name] = {"skipped": reason}
            continue
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # aeon's numba/sklearn chatter
            estimator.fit(_aeon(train[0], masked), np.asarray(train[1], "float64"))
            pred = np.asarray(estimator.predict(_aeon(test[0], masked)), "float64")
        out[name] = {**regression_metrics(test[1], pred),
                     "fit_seconds": time.perf_counter() - start,
                     "trained_on": int(len(train[0])), "model": type(estimator).__name__}
    return out


def compare_with_baselines(metrics: dict, baselines: dict) -> dict:
    """``metrics`` with ``"baselines"`` and ``"beats"`` (the network's test RMSE is at
    most the baseline's); warns naming each baseline that wins.

    Args:
        metrics: the regressor's test metrics (``rmse``, ``mae``).
        baselines: ``{name: metrics}`` (the mean predictor's and :func:`run_baselines`').

    Returns:
        ``metrics``, updated in place.

    Example:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     m = compare_with_baselines({"rmse": 2.0, "mae": 1.5},
    ...                                {"mean": {"rmse": 3.0, "mae": 2.0},
    ...                                 "rocket": {"rmse": 1.0, "mae": 0.8}})
    >>> m["beats"], str(caught[0].message).split(":")[0]
    ({'mean': True, 'rocket': False}, 'the baseline rocket beats the network on the test split')
    """
    metrics["baselines"] = baselines
    metrics["beats"] = {}
    for name, b in baselines.items():
        if "rmse" not in b:
            continue
        metrics["beats"][name] = bool(metrics["rmse"] <= b["rmse"])
        if not metrics["beats"][name]:
            warnings.warn(
                f"the baseline {name} beats the network on the test split: RMSE "
                f"{b['rmse']:.4g} vs {metrics['rmse']:.4g}, MAE {b['mae']:.4g} vs "
                f"{metrics['mae']:.4g} ({b.get('model', name)})", stacklevel=6)
    return metrics
