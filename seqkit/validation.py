"""Argument checks shared by every module, with one message style.

Each check returns the value normalised (``np.int64(3)`` → ``3``) or raises
:class:`seqkit.errors.ConfigError` (or the ``error`` class given) whose message reads
``<name> must be <what>, got <value!r>``.

Example:

>>> from seqkit.validation import check_int, check_fraction, check_choice
>>> check_int("units", 64)
64
>>> check_int("units", 0)
Traceback (most recent call last):
...
seqkit.errors.ConfigError: units must be an integer >= 1, got 0
>>> check_fraction("dropout", 0.25)
0.25
>>> check_choice("nan_policy", "drop", ("error", "interpolate", "drop"))
'drop'

Checks shared by the text, time series and sequence modules of seqkit.data.

They refuse the same inputs with the same words: a non-numeric or complex dtype, a rank
other than ``[steps]`` / ``[steps, features]``, split fractions that leave no training data.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from seqkit.errors import ConfigError, DataError


def fail(name: str, what: str, value, error: type[Exception] = ConfigError):
    """Raise ``error("<name> must be <what>, got <value!r>")``.

    Args:
        name: the argument's name as the user wrote it.
        what: what was expected ("an integer >= 1").
        value: the value received.
        error: the exception class (default :class:`ConfigError`).

    Raises:
        error: always.

    Example:

    >>> fail("epochs", "an integer >= 1", "ten")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: epochs must be an integer >= 1, got 'ten'
    """
    raise error(f"{name} must be {what}, got {value!r}")


def _is_int(value) -> bool:
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, np.integer))


def check_int(name: str, value, *, minimum: int = 1, error=ConfigError) -> int:
    """``value`` as an ``int`` ``>= minimum``.

    Args:
        name: the argument's name, for the message.
        value: the value to check (booleans are refused).
        minimum: the smallest value allowed.
        error: the exception class raised.

    Returns:
        ``int(value)``.

    Example:

    >>> check_int("seed", 0, minimum=0)
    0
    >>> check_int("layers", 1.5)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: layers must be an integer >= 1, got 1.5
    """
    if not _is_int(value) or value < minimum:
        fail(name, f"an integer >= {minimum}", value, error)
    return int(value)


def check_optional_int(name: str, value, *, minimum: int = 1, error=ConfigError) -> int | None:
    """``None`` or :func:`check_int`.

    Args:
        name: the argument's name.
        value: ``None`` or an integer.
        minimum: the smallest integer allowed.
        error: the exception class raised.

    Returns:
        ``None`` or ``int(value)``.

    Example:

    >>> check_optional_int("patience", None, minimum=0) is None
    True
    >>> check_optional_int("patience", -1, minimum=0)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: patience must be None or an integer >= 0, got -1
    """
    if value is None:
        return None
    if not _is_int(value) or value < minimum:
        fail(name, f"None or an integer >= {minimum}", value, error)
    return int(value)


def check_number(name: str, value, *, positive: bool = False, finite: bool = True,
                 error=ConfigError) -> float:
    """``value`` as a ``float`` (finite; ``> 0`` when ``positive``).

    Args:
        name: the argument's name.
        value: a real number (booleans are refused).
        positive: require ``value > 0``.
        finite: refuse NaN and infinities.
        error: the exception class raised.

    Returns:
        ``float(value)``.

    Example:

    >>> check_number("learning_rate", 3e-3, positive=True)
    0.003
    >>> check_number("learning_rate", float("nan"), positive=True)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: learning_rate must be a positive finite number, got nan
    """
    what = ("a positive " if positive else "a ") + ("finite number" if finite else "number")
    if isinstance(value, (bool, np.bool_)):
        fail(name, what, value, error)
    try:
        v = float(value)
    except (TypeError, ValueError):
        fail(name, what, value, error)
    if (finite and not math.isfinite(v)) or math.isnan(v) or (positive and not v > 0.0):
        fail(name, what, value, error)
    return v


def check_fraction(name: str, value, *, allow_zero: bool = True, error=ConfigError) -> float:
    """``value`` as a ``float`` in ``[0, 1)`` (``(0, 1)`` when ``allow_zero`` is False).

    Args:
        name: the argument's name.
        value: a number.
        allow_zero: whether 0 is allowed.
        error: the exception class raised.

    Returns:
        ``float(value)``.

    Example:

    >>> check_fraction("val_fraction", 0)
    0.0
    >>> check_fraction("test_fraction", 1.0, allow_zero=False)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: test_fraction must be a number in (0, 1), got 1.0
    """
    what = "a number in [0, 1)" if allow_zero else "a number in (0, 1)"
    try:
        v = float(value)
    except (TypeError, ValueError):
        fail(name, what, value, error)
    in_range = (v >= 0.0 if allow_zero else v > 0.0) and v < 1.0  # False for NaN
    if isinstance(value, (bool, np.bool_)) or not in_range:
        fail(name, what, value, error)
    return v


def check_bool(name: str, value, *, error=ConfigError) -> bool:
    """``value`` as a ``bool`` (Python or NumPy booleans only: ``1`` is refused).

    Args:
        name: the argument's name.
        value: ``True`` or ``False``.
        error: the exception class raised.

    Returns:
        ``bool(value)``.

    Example:

    >>> check_bool("bidirectional", "yes")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: bidirectional must be True or False, got 'yes'
    """
    if not isinstance(value, (bool, np.bool_)):
        fail(name, "True or False", value, error)
    return bool(value)


def check_choice(name: str, value, choices: Collection, *, error=ConfigError):
    """``value`` if it is one of ``choices``.

    Args:
        name: the argument's name.
        value: the value to check.
        choices: the allowed values (listed in the message).
        error: the exception class raised.

    Returns:
        ``value`` unchanged.

    Example:

    >>> check_choice("window_inputs", "level", ("absolute", "relative", "both"))
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: window_inputs must be one of ('absolute', 'relative', \
'both'), got 'level'
    """
    try:
        ok = value in choices
    except TypeError:  # unhashable value against a set
        ok = False
    if not ok:
        fail(name, f"one of {tuple(choices)!r}", value, error)
    return value


def scale_stats(name: str, mean, std, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Checked per-column ``mean``/``std`` of length ``size`` (a zero std becomes 1).

    Args:
        name: what they scale, for messages.
        mean: ``size`` means.
        std: ``size`` standard deviations.
        size: how many columns.

    Returns:
        ``(mean, std)`` float64 arrays.

    Example:

    >>> scale_stats("input", [1.0, 2.0], [0.0, 3.0], 2)[1].tolist()
    [1.0, 3.0]
    """
    mean = np.asarray(mean, dtype="float64").reshape(-1)
    std = np.asarray(std, dtype="float64").reshape(-1)
    if mean.shape != (size,) or std.shape != (size,):
        raise ConfigError(
            f"{name} mean/std must have {size} values, got shapes {mean.shape}, {std.shape}")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
        raise DataError(f"{name} mean/std must be finite, got mean={mean}, std={std}")
    return mean, np.where(std > 0, std, 1.0)  # constant column: leave it unscaled


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
