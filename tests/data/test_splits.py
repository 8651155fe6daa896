"""The hold-out rule of seqkit.data.splits on hand-made label sets: sizes, per-class counts,
never a class starved on either side, scikit-learn's split whenever it already complies."""

import math

import numpy as np
import pytest

from seqkit.data import stratified_holdout
from seqkit.data.splits import holdout_counts, holdout_size
from seqkit.errors import DataError


def _labels(counts):
    return np.repeat(np.arange(len(counts)), counts)


def _per_class(labels, index, k):
    return np.bincount(labels[index], minlength=k).tolist()


@pytest.mark.parametrize("counts, fraction, expected_size", [
    ([12, 12, 12], 0.1, 4),          # ArrowHead's training split: ceil(3.6)
    ([3, 3, 3, 3, 3], 0.1, 5),       # 15 series, 5 classes: one per class beats ceil(1.5)
    ([100, 2, 2], 0.1, 11),
    ([30, 6, 1], 0.2, 8),            # the single example does not count
    ([500, 500], 0.1, 100),
])
def test_size_is_max_of_fraction_and_one_per_class(counts, fraction, expected_size):
    assert holdout_size(counts, fraction) == expected_size
    assert expected_size == max(math.ceil(fraction * sum(counts)),
                                sum(c >= 2 for c in counts))


@pytest.mark.parametrize("counts, fraction", [
    ([12, 12, 12], 0.1), ([3, 3, 3, 3, 3], 0.1), ([100, 2, 2], 0.1), ([30, 6, 1], 0.2),
    ([2, 2], 0.5), ([40, 3, 2, 2, 1], 0.25), ([7, 5], 0.01), ([36], 0.1),
])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_every_class_on_both_sides_when_possible(counts, fraction, seed):
    labels = _labels(counts)
    keep, held = stratified_holdout(labels, fraction, seed)
    assert sorted(np.concatenate([keep, held]).tolist()) == list(range(len(labels)))
    train, val = _per_class(labels, keep, len(counts)), _per_class(labels, held, len(counts))
    assert len(held) == holdout_size(counts, fraction)
    for c, t, v in zip(counts, train, val):
        assert t >= 1  # training never starves
        assert v >= (1 if c >= 2 else 0)  # a single example stays in training


def test_per_class_counts_of_the_own_allocation():
    # scikit-learn's stratified split of [100, 2, 2] with 3 held out takes [3, 0, 0]
    assert holdout_counts([100, 2, 2], 3).tolist() == [1, 1, 1]
    assert holdout_counts([100, 2, 2], 11).tolist() == [9, 1, 1]
    assert holdout_counts([30, 6, 1], 8).tolist() == [7, 1, 0]
    assert holdout_counts([2, 2, 2], 3).tolist() == [1, 1, 1]
    labels = _labels([100, 2, 2])
    _, held = stratified_holdout(labels, 0.1, seed=0)
    assert _per_class(labels, held, 3) == [9, 1, 1]


def test_equals_scikit_learn_when_it_already_complies():
    from sklearn.model_selection import train_test_split

    labels = np.random.default_rng(0).permutation(_labels([50, 30, 20]))
    keep, held = stratified_holdout(labels, 0.2, seed=4)
    ref_keep, ref_held = train_test_split(np.arange(100), test_size=20, random_state=4,
                                          stratify=labels)
    assert keep.tolist() == ref_keep.tolist() and held.tolist() == ref_held.tolist()


def test_seeded_and_zero_fraction():
    labels = _labels([5, 1, 3])
    a = stratified_holdout(labels, 0.3, seed=2)
    b = stratified_holdout(labels, 0.3, seed=2)
    assert all(x.tolist() == y.tolist() for x, y in zip(a, b))
    keep, held = stratified_holdout(labels, 0.0, seed=2)
    assert len(held) == 0 and keep.tolist() == list(range(9))


def test_too_few_examples_is_an_error_naming_the_sizes():
    with pytest.raises(DataError, match=r"3 examples in 3 classes.*room for 0"):
        stratified_holdout(np.array(["a", "b", "c"]), 0.1, seed=0)
    with pytest.raises(DataError, match=r"test split of 90% from 10 examples.*room for 8"):
        stratified_holdout(_labels([5, 5]), 0.9, seed=0, what="test")
