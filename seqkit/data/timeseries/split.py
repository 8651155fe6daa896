"""Chronological train/val/test split: consecutive parts, never shuffled."""

from __future__ import annotations

import dataclasses
import math

from seqkit.data._checks import check_split_fractions
from seqkit.errors import DataError
from seqkit.validation import check_int


@dataclasses.dataclass(frozen=True)
class ChronoSplit:
    """Index boundaries of a chronological split: ``train = [0, train_end)``,
    ``val = [train_end, val_end)``, ``test = [val_end, n)``.

    Args:
        train_end: end (exclusive) of the training part.
        val_end: end (exclusive) of the validation part.
        n: length of the series.

    Example:

    >>> split = ChronoSplit(train_end=6, val_end=8, n=10)
    >>> list(range(10))[split.val], list(range(10))[split.test]
    ([6, 7], [8, 9])
    """

    train_end: int
    val_end: int
    n: int

    @property
    def train(self) -> slice:
        """Slice of the training part (``ChronoSplit(6, 8, 10).train`` is ``slice(0, 6)``)."""
        return slice(0, self.train_end)

    @property
    def val(self) -> slice:
        """Slice of the validation part (empty when val_fraction is 0)."""
        return slice(self.train_end, self.val_end)

    @property
    def test(self) -> slice:
        """Slice of the test part (empty when test_fraction is 0)."""
        return slice(self.val_end, self.n)


def _split_sizes(n, val_fraction, test_fraction):
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    return n - n_val - n_test, n_val, n_test


def _long_enough(m, val_fraction, test_fraction, need) -> bool:
    """Whether every part with a non-zero fraction of ``m`` steps holds ``need`` steps."""
    sizes = _split_sizes(m, val_fraction, test_fraction)
    fracs = (1.0, val_fraction, test_fraction)
    return all(s >= need for s, f in zip(sizes, fracs, strict=True) if f > 0)


def _minimum_length(val_fraction, test_fraction, need) -> int:
    """The shortest series whose every part holds ``need`` steps."""
    smallest = min([f for f in (1 - val_fraction - test_fraction, val_fraction,
                                test_fraction) if f > 0])
    m = need
    while not _long_enough(m, val_fraction, test_fraction, need):
        m += 1
        if m > 10 * math.ceil(need / smallest) + 10:  # pragma: no cover - safety net
            break
    return m


def chronological_split(n, val_fraction: float = 0.15, test_fraction: float = 0.15, *,
                        window: int, horizon: int = 1) -> ChronoSplit:
    """Split ``range(n)`` into consecutive train / val / test parts (no shuffling).

    Part sizes are ``round(n * fraction)`` for val and test, the rest for train. Every part
    with a non-zero fraction must hold at least one full window: ``window + horizon`` steps
    (each part's windows are built from its own values only, so nothing crosses a boundary).

    Args:
        n: the series length.
        val_fraction: fraction of ``n`` for validation, in [0, 1).
        test_fraction: fraction of ``n`` for test, in [0, 1); the two sum to less than 1.
        window: input steps per window (an integer >= 1).
        horizon: target steps per window (an integer >= 1).

    Returns:
        :class:`ChronoSplit` with ``train_end``, ``val_end``, ``n`` and slices
        ``.train``, ``.val``, ``.test``.

    Raises:
        ConfigError: bad fractions, window or horizon.
        DataError: a part too short, naming its length, the minimum per part
            (``window + horizon``) and the minimum series length for these fractions.

    Example:

    >>> chronological_split(100, 0.1, 0.1, window=5, horizon=1)
    ChronoSplit(train_end=80, val_end=90, n=100)
    >>> chronological_split(10, 0.1, 0.1, window=5, horizon=1)
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: series of length 10 is too short for window=5 + horizon=1: each \
part needs at least 6 steps, got train=8, val=1, test=1 (val_fraction=0.1, test_fraction=0.1); \
the minimum series length is 55
    """
    window = check_int("window", window)
    horizon = check_int("horizon", horizon)
    val_fraction, test_fraction = check_split_fractions(val_fraction, test_fraction)
    n = int(n)
    need = window + horizon
    tr, va, te = _split_sizes(n, val_fraction, test_fraction)
    if not _long_enough(n, val_fraction, test_fraction, need):
        raise DataError(
            f"series of length {n} is too short for window={window} + horizon={horizon}: "
            f"each part needs at least {need} steps, got train={tr}, val={va}, test={te} "
            f"(val_fraction={val_fraction}, test_fraction={test_fraction}); the minimum series "
            f"length is {_minimum_length(val_fraction, test_fraction, need)}"
        )
    return ChronoSplit(train_end=tr, val_end=tr + va, n=n)
