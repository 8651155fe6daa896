"""The series container shared by loading, checking and windowing."""

from __future__ import annotations

import dataclasses

import numpy as np

from seqkit.errors import DataError


@dataclasses.dataclass
class SeriesData:
    """A (possibly multivariate) series, as :func:`seqkit.data.load_series` returns it.

    Args:
        values: ``float32 [N, F]`` (may contain NaN until :func:`check_series` is applied).
        index: a pandas ``DatetimeIndex`` (kept from the source) or ``RangeIndex``.
        columns: ``F`` feature names.
        source: human-readable description of where the data came from.
        period: seasonal period in steps when known (52 weekly/yearly cycle, 12 monthly,
            4 quarterly, 7 daily, 24 hourly), else None.

    Example:

    >>> s = SeriesData(np.zeros((5, 2), np.float32), range(5), ["a", "b"], "zeros")
    >>> len(s), s.column_indices(["b", 0])
    (5, [1, 0])
    """

    values: np.ndarray
    index: object
    columns: list[str]
    source: str
    period: int | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def column_indices(self, names) -> list[int]:
        """Positions of the given column names (ints are passed through).

        Args:
            names: column names or positions.

        Returns:
            The positions, in the order given.

        Raises:
            DataError: an unknown name (the columns are listed).

        Example:

        >>> SeriesData(np.zeros((2, 1), np.float32), range(2), ["v"], "").column_indices(["w"])
        Traceback (most recent call last):
        ...
        seqkit.errors.DataError: unknown column 'w'; columns are ['v']
        """
        out = []
        for name in names:
            if isinstance(name, (int, np.integer)):
                out.append(int(name))
            elif name in self.columns:
                out.append(self.columns.index(name))
            else:
                raise DataError(f"unknown column {name!r}; columns are {self.columns}")
        return out
