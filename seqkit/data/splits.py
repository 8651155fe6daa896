"""Stratified hold-out splits of labelled examples that never starve a small training set.

One rule for every classification split seqkit carves (the validation split of
``fit_sequence_classifier`` and ``load_text``, their test split when the data has none of
its own, the validation split carved from a UCR/UEA training file):

- the hold-out takes ``ceil(fraction * n)`` examples (as scikit-learn counts a float
  ``test_size``), but **at least one example of every class that has two or more**: 36
  ArrowHead training series in 3 classes with ``val_fraction=0.1`` give 4 validation series
  and never one class missing from validation;
- training keeps **at least one example of every class**; a class with a single example
  stays in training (the hold-out then lacks it: the one case "one per class in both" is
  impossible);
- the examples are picked by scikit-learn's ``train_test_split(stratify=labels,
  random_state=seed)`` when that split already holds every class (of two or more) on both
  sides, which is the case for all but small or very imbalanced sets (so seeded splits of
  such sets are the same as scikit-learn's); otherwise by a per-class allocation
  (:func:`holdout_counts`) drawn with ``numpy.random.default_rng(seed)``.

A fraction that would leave training without one example per class is a ``DataError``
naming the sizes.

Example:

>>> import numpy as np
>>> labels = np.array(["a"] * 12 + ["b"] * 12 + ["c"] * 12)  # 36 series, 3 classes
>>> keep, held = stratified_holdout(labels, 0.1, seed=0)
>>> len(keep), len(held), sorted(set(labels[held].tolist()))
(32, 4, ['a', 'b', 'c'])
"""

from __future__ import annotations

import math

import numpy as np

from seqkit.errors import DataError

__all__ = ["holdout_counts", "holdout_size", "split_indices", "stratified_holdout"]


def holdout_size(counts, fraction: float, *, what: str = "val") -> int:
    """How many examples the hold-out takes: ``max(ceil(fraction * n), classes with >= 2)``.

    Args:
        counts: examples per class (``[K]`` non-negative integers; zeros are ignored).
        fraction: the requested hold-out fraction in ``[0, 1)``; 0 gives 0.
        what: the split's name for the error message (``"val"`` or ``"test"``).

    Returns:
        The hold-out size (0 when ``fraction`` is 0).

    Raises:
        DataError: the size leaves training fewer than one example per class.

    Example:

    >>> holdout_size([12, 12, 12], 0.1), holdout_size([3, 3, 3, 3, 3], 0.1)
    (4, 5)
    >>> holdout_size([1, 1, 1], 0.2)
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: cannot carve a val split of 20% from 3 examples in 3 classes: \
training keeps at least one example of every class, which leaves room for 0; use more data \
or a smaller val_fraction
    """
    counts = np.asarray(counts, dtype="int64")
    counts = counts[counts > 0]
    if fraction == 0:
        return 0
    n = int(counts.sum())
    size = max(math.ceil(fraction * n), int(np.sum(counts >= 2)))
    room = int(np.sum(counts - 1))
    if size > room or size == 0:
        raise DataError(
            f"cannot carve a {what} split of {fraction:.0%} from {n} examples in "
            f"{len(counts)} classes: training keeps at least one example of every class, "
            f"which leaves room for {room}; use more data or a smaller {what}_fraction")
    return size


def holdout_counts(counts, size: int) -> np.ndarray:
    """Per-class hold-out counts: one of every class with >= 2 examples, the rest in
    proportion to the class sizes, never all of a class.

    Args:
        counts: examples per class ``[K]``.
        size: the hold-out size (from :func:`holdout_size`).

    Returns:
        ``int64 [K]``: how many examples of each class the hold-out takes; each is at most
        ``counts[k] - 1`` and at least 1 where ``counts[k] >= 2``.

    Example:

    >>> holdout_counts([100, 2, 2], 3).tolist()  # scikit-learn would take [3, 0, 0]
    [1, 1, 1]
    >>> holdout_counts([30, 6, 1], 8).tolist()   # the single example stays in training
    [7, 1, 0]
    """
    counts = np.asarray(counts, dtype="int64")
    part = (counts >= 2).astype("int64")
    cap = np.maximum(counts - 1, 0)
    target = counts * size / max(int(counts.sum()), 1)
    while part.sum() < size:
        gap = np.where(part < cap, target - part, -np.inf)
        part[int(np.argmax(gap))] += 1  # the class furthest below its share
    return part


def _covers(labels, index, present) -> bool:
    return len(np.unique(labels[index])) == len(present)


def stratified_holdout(labels, fraction: float, seed: int, *, what: str = "val"):
    """Split example indices into ``(keep, holdout)`` by the rule of the module docstring.

    Args:
        labels: one label (or class id) per example ``[N]``.
        fraction: the hold-out fraction in ``[0, 1)``; 0 holds nothing out.
        seed: the split seed (same seed, same split).
        what: the split's name for error messages (``"val"`` or ``"test"``).

    Returns:
        ``(keep, holdout)``: two ``int64`` index arrays into ``labels`` that partition
        ``range(N)``, in the order scikit-learn (or the seeded draw) gives them.

    Raises:
        DataError: the hold-out would leave training without one example of each class.

    Example:

    >>> labels = np.array([0] * 20 + [1] * 2 + [2] * 2)
    >>> keep, held = stratified_holdout(labels, 0.1, seed=0)
    >>> sorted(labels[held].tolist()), sorted(set(labels[keep].tolist()))
    ([0, 1, 2], [0, 1, 2])
    """
    labels = np.asarray(labels)
    index = np.arange(len(labels))
    present, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    size = holdout_size(counts, fraction, what=what)
    if size == 0:
        return index, index[:0]
    has_two = counts >= 2
    if has_two.all() and size >= len(present) and len(labels) - size >= len(present):
        from sklearn.model_selection import train_test_split

        keep, held = train_test_split(index, test_size=size, random_state=seed,
                                      stratify=labels)
        if _covers(labels, keep, present) and _covers(labels, held, present):
            return keep, held
    rng = np.random.default_rng(seed)
    take = holdout_counts(counts, size)
    held = np.concatenate([rng.permutation(np.flatnonzero(inverse == k))[:take[k]]
                           for k in range(len(present))])
    held = rng.permutation(held)
    keep = rng.permutation(np.setdiff1d(index, held))
    return keep, held


def split_indices(labels, val_fraction: float, test_fraction: float, seed: int):
    """Sorted train/val/test indices: test carved first, then val from the rest, each by
    :func:`stratified_holdout` with ``seed``; both fractions are of the whole set.

    Args:
        labels: one label (or class id) per example ``[N]``.
        val_fraction: the validation fraction of the whole set, in ``[0, 1)``.
        test_fraction: the test fraction of the whole set, in ``[0, 1)``; 0: no test split.
        seed: the split seed.

    Returns:
        ``(train, val, test)``: sorted ``int64`` index arrays partitioning ``range(N)``.

    Raises:
        DataError: as :func:`stratified_holdout`.

    Example:

    >>> train, val, test = split_indices(np.repeat([0, 1], 10), 0.2, 0.2, seed=0)
    >>> len(train), len(val), len(test)
    (12, 4, 4)
    """
    labels = np.asarray(labels)
    rest, test = stratified_holdout(labels, test_fraction, seed, what="test")
    frac = val_fraction / (1.0 - test_fraction) if val_fraction else 0.0
    keep, val = stratified_holdout(labels[rest], frac, seed, what="val")
    return np.sort(rest[keep]), np.sort(rest[val]), np.sort(test)
