"""The test metrics of a sequence regressor: RMSE, MAE and R², and the mean predictor's.

R² is scikit-learn's ``r2_score``: ``1 - SS_res / SS_tot`` with ``SS_tot`` around the
*test* targets' own mean, so predicting the training mean scores at most 0 (below 0 when
the training and test means differ). The baseline every regressor must beat is that
training mean, scored with the same metrics on the same test split.

Example:

>>> import numpy as np
>>> m = regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
>>> round(m["rmse"], 4), round(m["mae"], 4), m["r2"], m["n"]
(0.5774, 0.3333, 0.5, 3)
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DataError


def _targets(name: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numbers, got {type(values).__name__}") from None
    if arr.ndim != 1:
        raise DataError(f"{name} must be one number per sequence (shape [N]), got shape "
                        f"{arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise DataError(f"{name} must be finite; {bad.size} value(s) are NaN or infinite, "
                        f"the first at index {int(bad[0])}: {arr[bad[0]]!r}")
    return arr


def check_targets(y, what: str = "y") -> np.ndarray:
    """Regression targets as float64 ``[N]``.

    Args:
        y: one finite number per sequence.
        what: the argument's name in the error.

    Returns:
        The targets.

    Raises:
        DataError: not numbers, not one per sequence (names the shape), NaN or infinite
            (names the first index).

    Example:

    >>> check_targets([1, 2.5]).tolist()
    [1.0, 2.5]
    >>> check_targets([1.0, float("nan")])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: y must be finite; 1 value(s) are NaN or infinite, the first \
at index 1: np.float64(nan)
    """
    return _targets(what, y)


def regression_metrics(y_true, y_pred) -> dict:
    """RMSE, MAE and R² of predictions on a test split.

    Args:
        y_true: the targets ``[N]``.
        y_pred: the predictions ``[N]``.

    Returns:
        ``{"rmse", "mae", "r2", "n"}`` (R² is None for fewer than two test targets or
        constant targets, where it is undefined).

    Raises:
        DataError: arrays of different lengths, NaN, an empty test split.

    Example:

    >>> regression_metrics([0.0, 2.0], [1.0, 1.0])
    {'rmse': 1.0, 'mae': 1.0, 'r2': 0.0, 'n': 2}
    """
    y, p = _targets("y_true", y_true), _targets("y_pred", y_pred)
    if len(y) != len(p) or not len(y):
        raise DataError(f"y_true and y_pred must be non-empty and equally long, got {len(y)} "
                        f"and {len(p)}")
    err = p - y
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = None if len(y) < 2 or ss_tot == 0 else float(1.0 - np.sum(err ** 2) / ss_tot)
    return {"rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err))),
            "r2": r2, "n": int(len(y))}


def mean_baseline(train_y, test_y) -> dict:
    """The training mean predicted for every test sequence, scored as the model is.

    Args:
        train_y: the targets the model learnt from (training and validation splits).
        test_y: the test targets.

    Returns:
        :func:`regression_metrics` of the constant prediction, with ``"model"``.

    Example:

    >>> mean_baseline([1.0, 3.0], [2.0, 4.0])["rmse"]
    1.4142135623730951
    """
    mean = float(np.mean(_targets("train_y", train_y)))
    test = _targets("test_y", test_y)
    return {**regression_metrics(test, np.full(len(test), mean)),
            "model": f"the training mean ({mean:.6g})"}
