"""Sequence classification data: padding, validation, the built-in digits set."""

import numpy as np
import pytest

from seqkit.data import (
    check_sequences,
    list_sequence_datasets,
    load_sequence_dataset,
    pad_sequences_post,
)
from seqkit.errors import ConfigError, DataError


def test_pad_sequences_post_values_and_mask():
    seqs = [np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([[7.0, 8.0]])]
    x, mask = pad_sequences_post(seqs)
    assert x.dtype == np.float32 and x.shape == (2, 3, 2)
    assert x[0].tolist() == [[1, 2], [3, 4], [5, 6]]
    assert x[1].tolist() == [[7, 8], [0, 0], [0, 0]]  # zeros AFTER the data
    assert mask.tolist() == [[True, True, True], [True, False, False]]


def test_pad_truncates_post_and_pads_with_value():
    x, mask = pad_sequences_post([np.arange(5.0), np.arange(2.0)], maxlen=3, value=-1.0)
    assert x[:, :, 0].tolist() == [[0, 1, 2], [0, 1, -1]]  # first steps kept
    assert mask.sum(axis=1).tolist() == [3, 2]


def test_pad_errors_name_the_sequence():
    with pytest.raises(DataError, match=r"sequence 1 has 3 features but sequence 0 has 2"):
        pad_sequences_post([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.raises(DataError, match=r"sequence 1 has 0 steps"):
        pad_sequences_post([np.ones((2, 2)), np.ones((0, 2))])
    with pytest.raises(DataError, match=r"sequence 0 must be \[T_i, F\].*shape \(1, 2, 3\)"):
        pad_sequences_post([np.ones((1, 2, 3))])
    with pytest.raises(DataError, match="no sequences"):
        pad_sequences_post([])


def test_check_sequences_list_and_labels():
    out = check_sequences([np.ones((3, 2)), np.ones((1, 2))], y=["b", "a"])
    assert out.x.shape == (2, 3, 2)
    assert out.lengths.tolist() == [3, 1]
    assert out.mask.tolist() == [[True, True, True], [True, False, False]]
    assert out.y.tolist() == [1, 0] and out.class_names == ["a", "b"]


def test_check_sequences_dense_with_lengths_ignores_padding_values():
    x = np.ones((2, 4, 1))
    x[1, 2:] = np.nan  # padding region, masked by lengths
    out = check_sequences(x, y=[0, 1], lengths=[4, 2])
    assert out.mask.tolist() == [[True] * 4, [True, True, False, False]]
    with pytest.raises(DataError, match=r"first at sequence 1, step 2, feature 0"):
        check_sequences(x, y=[0, 1])


@pytest.mark.parametrize(
    "x, kwargs, pattern",
    [
        (np.ones((4, 5)), {}, r"\[N, T, F\] \(rank 3\); got shape \(4, 5\) \(rank 2\)"),
        (np.ones((2, 3, 4, 5)), {}, r"got shape \(2, 3, 4, 5\) \(rank 4\)"),
        (np.array([[["a"]]]), {}, r"numeric; got dtype <U1"),
        (np.ones((2, 3, 1)), {"y": [0, 1, 1]}, r"2 sequences vs 3 labels"),
        (np.ones((2, 3, 1)), {"y": [1, 1]}, r"single class 1 \(2 examples\)"),
        (np.ones((2, 3, 1)), {"y": ["a", "z"], "class_names": ["a", "b"]}, r"'z'"),
        (np.ones((2, 3, 1)), {"lengths": [3, 0]}, r"outside 1\.\.3; first at sequence 1: 0"),
        (np.ones((2, 3, 1)), {"lengths": [1]}, r"lengths must be 2 integers"),
    ],
)
def test_check_sequences_errors(x, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        check_sequences(x, **kwargs)


def test_check_sequences_nan_names_position():
    x = np.zeros((3, 4, 2))
    x[2, 1, 1] = np.nan
    x[2, 3, 0] = np.inf
    with pytest.raises(DataError, match=r"2 NaN/inf.*sequence 2, step 1, feature 1"):
        check_sequences(x)


def test_digits_dataset_offline():
    from sklearn.datasets import load_digits

    assert list_sequence_datasets() == ["digits"]
    splits = load_sequence_dataset("digits", seed=0)
    assert splits.sizes() == {"train": 1257, "val": 270, "test": 270}
    assert splits.class_names == list(range(10))  # scikit-learn's integers, as integers
    assert "CC BY 4.0" in splits.source
    ref = load_digits()
    x_all = np.concatenate([splits.train[0], splits.val[0], splits.test[0]])
    y_all = np.concatenate([splits.train[1], splits.val[1], splits.test[1]])
    assert x_all.shape == (1797, 8, 8) and x_all.dtype == np.float32
    assert splits.train[1].dtype == np.int32
    assert np.bincount(y_all).tolist() == np.bincount(ref.target).tolist()
    # rows are time steps: image row r of the source is step r, scaled by 1/16
    ref_rows = {tuple((img / 16.0).astype(np.float32).ravel()) for img in ref.images}
    assert all(tuple(x.ravel()) in ref_rows for x in splits.test[0])
    # stratified: every class in every split, proportions close to the whole set
    for _, y in (splits.train, splits.val, splits.test):
        frac = np.bincount(y, minlength=10) / len(y)
        np.testing.assert_allclose(frac, np.bincount(ref.target) / 1797, atol=0.01)


def test_digits_split_is_seeded():
    a = load_sequence_dataset("digits", seed=1)
    b = load_sequence_dataset("digits", seed=1)
    c = load_sequence_dataset("digits", seed=2)
    np.testing.assert_array_equal(a.test[0], b.test[0])
    assert not np.array_equal(a.test[0], c.test[0])


def test_sequence_dataset_errors():
    with pytest.raises(DataError, match=r"unknown sequence dataset 'mnist'; available: \["):
        load_sequence_dataset("mnist")
    with pytest.raises(ConfigError, match="val_fraction"):
        load_sequence_dataset("digits", val_fraction=0.0)
