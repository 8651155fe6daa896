"""Array checks shared by the time series and sequence modules of seqkit.data.

Both refuse the same inputs with the same words: a non-numeric or complex dtype, and a rank
other than ``[steps]`` / ``[steps, features]``.
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DataError


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
