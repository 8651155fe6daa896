"""Checks shared by the text, time series and sequence modules of seqkit.data.

They refuse the same inputs with the same words: a non-numeric or complex dtype, a rank
other than ``[steps]`` / ``[steps, features]``, split fractions that leave no training data.
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_fraction


def real_array(values, what: str) -> np.ndarray:
    """``values`` as a NumPy array of a real numeric (or boolean) dtype.

    Args:
        values: anything ``np.asarray`` accepts.
        what: what the values are, for the message (``"series"``, ``"sequence 3"``).

    Returns:
        ``np.asarray(values)``, dtype unchanged.

    Raises:
        DataError: an object, string or complex dtype (named).

    Example:

    >>> real_array([1, 2], "series").tolist()
    [1, 2]
    >>> real_array(["a"], "series")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: series must be numeric; got dtype <U1
    """
    arr = np.asarray(values)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise DataError(f"{what} must be numeric; got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise DataError(f"{what} must be real-valued; got dtype {arr.dtype}")
    return arr


def steps_by_features(values, what: str, expected: str) -> np.ndarray:
    """:func:`real_array` as ``[steps, features]``; a 1-D input gets one feature axis.

    Args:
        values: a ``[T]`` or ``[T, F]`` array-like of real numbers.
        what: what the values are, for the message.
        expected: the accepted shapes as the message should name them.

    Returns:
        A 2-D array ``[T, F]`` (dtype unchanged).

    Raises:
        DataError: a non-numeric or complex dtype, or a rank other than 1 or 2.

    Example:

    >>> steps_by_features([1.0, 2.0, 3.0], "series", "1-D [N] or 2-D [N, F]").shape
    (3, 1)
    >>> steps_by_features(np.ones((2, 2, 2)), "series", "1-D [N] or 2-D [N, F]")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: series must be 1-D [N] or 2-D [N, F]; got shape (2, 2, 2)
    """
    arr = real_array(values, what)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise DataError(f"{what} must be {expected}; got shape {arr.shape}")
    return arr


def check_split_fractions(val_fraction, test_fraction, *, allow_zero: bool = True):
    """Both fractions checked with :func:`seqkit.validation.check_fraction`, and their sum.

    Args:
        val_fraction: the validation fraction.
        test_fraction: the test fraction.
        allow_zero: whether a fraction may be 0 (no such split).

    Returns:
        ``(val_fraction, test_fraction)`` as floats.

    Raises:
        ConfigError: a fraction outside ``[0, 1)`` (``(0, 1)`` without ``allow_zero``), or a
            sum of 1 or more (nothing left to train on).

    Example:

    >>> check_split_fractions(0.1, 0)
    (0.1, 0.0)
    >>> check_split_fractions(0.5, 0.5)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: val_fraction + test_fraction must be < 1, got 0.5 + 0.5
    """
    val_fraction = check_fraction("val_fraction", val_fraction, allow_zero=allow_zero)
    test_fraction = check_fraction("test_fraction", test_fraction, allow_zero=allow_zero)
    if val_fraction + test_fraction >= 1.0:
        raise ConfigError(
            f"val_fraction + test_fraction must be < 1, got {val_fraction} + {test_fraction}"
        )
    return val_fraction, test_fraction
