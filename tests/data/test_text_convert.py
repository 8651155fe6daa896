"""Text conversion and validation: to_text_array, to_label_array, check_texts, text_dataset."""

import numpy as np
import pandas as pd
import pytest

from seqkit.data import (
    check_text_labels,
    check_texts,
    text_dataset,
    to_label_array,
    to_text_array,
)
from seqkit.errors import ConfigError, DataError

TEXTS = ["good film", "bad plot", "Ünïcode ok", "great"]


# ---------------------------------------------------------------- to_text_array
@pytest.mark.parametrize(
    "make",
    [
        lambda t: list(t),
        lambda t: tuple(t),
        lambda t: np.array(t),  # <U.. unicode array
        lambda t: np.array(t, dtype=object),
        lambda t: pd.Series(t),
        lambda t: [s.encode("utf-8") for s in t],
        lambda t: np.array([s.encode("utf-8") for s in t]),  # S.. bytes array
    ],
    ids=["list", "tuple", "np_unicode", "np_object", "series", "bytes_list", "np_bytes"],
)
def test_to_text_array_accepts_forms(make):
    out = to_text_array(make(TEXTS))
    assert out.dtype == object
    assert out.shape == (4,)
    assert all(type(s) is str for s in out)
    assert out.tolist() == TEXTS


def test_to_text_array_tf_string_tensor():
    import tensorflow as tf

    out = to_text_array(tf.constant(TEXTS))
    assert out.dtype == object and out.tolist() == TEXTS


def test_to_text_array_unicode_input_is_not_unicode_dtype():
    arr = np.array(TEXTS)
    assert arr.dtype.kind == "U"
    out = to_text_array(arr)
    assert out.dtype.kind == "O"


@pytest.mark.parametrize(
    "bad, pattern",
    [
        ([1, 2, 3], r"index 0 is not a string: int 1"),
        (["ok", None, "x"], r"index 1 is not a string: NoneType None"),
        (["ok", "fine", float("nan")], r"index 2 is not a string: float nan"),
        (np.array([1.5, 2.5]), r"dtype float64"),
        (np.array([["a", "b"], ["c", "d"]]), r"1-D array of strings; got shape \(2, 2\)"),
        ({"a": 1}, r"got builtins\.dict"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), r"shape \(1, 2\)"),
        ([b"\xff\xfe"], r"index 0 is bytes that are not valid UTF-8"),
    ],
    ids=["ints", "none", "nan", "float_array", "2d", "dict", "dataframe", "bad_utf8"],
)
def test_to_text_array_rejects(bad, pattern):
    with pytest.raises(DataError, match=pattern):
        to_text_array(bad)


def test_to_text_array_rejects_numeric_tensor():
    import tensorflow as tf

    with pytest.raises(DataError, match="tf.string; got int32"):
        to_text_array(tf.constant([1, 2]))


# ---------------------------------------------------------------- to_label_array
def test_string_labels_map_to_sorted_names():
    ids, names = to_label_array(["pos", "neg", "neutral", "pos"])
    assert names == ["neg", "neutral", "pos"]
    assert ids.dtype == np.int32
    assert ids.tolist() == [2, 0, 1, 2]


def test_int_labels_stay_ints_and_int_like_strings_stay_strings():
    ids, names = to_label_array(np.array([1, 0, 2, 1], dtype=np.int64))
    assert ids.dtype == np.int32 and ids.tolist() == [1, 0, 2, 1]
    assert names == [0, 1, 2] and all(type(n) is int for n in names)
    # TSV labels arrive as strings and stay strings: three classes, sorted as strings
    # (they used to be read as ids 0..10: eleven classes, eight of them empty)
    ids, names = to_label_array(["2", "10", "0"])
    assert names == ["0", "10", "2"] and ids.tolist() == [2, 1, 0]


def test_given_class_names_map_and_unknown_named():
    ids, names = to_label_array(["b", "a"], class_names=["b", "a"])
    assert ids.tolist() == [0, 1] and names == ["b", "a"]
    with pytest.raises(DataError,
                       match=r"2 unknown label\(s\).*'maybe', 'zzz' \(first at index 1\)"):
        to_label_array(["yes", "maybe", "no", "zzz"], class_names=["no", "yes"])
    # integer labels are no longer ids into string names: a type mismatch, named
    with pytest.raises(DataError, match=r"labels are int \(index 0: 0\) but the classes are str"):
        to_label_array([0, 1, 5], class_names=["neg", "pos"])


def test_single_class_is_named():
    with pytest.raises(DataError, match=r"single class 'spam' \(3 examples\)"):
        to_label_array(["spam", "spam", "spam"])
    with pytest.raises(DataError, match=r"single class 'pos'"):
        to_label_array(["pos", "pos"], class_names=["neg", "pos"])
    with pytest.raises(DataError, match=r"single class 7 \(2 examples\)"):
        to_label_array([7, 7])


@pytest.mark.parametrize(
    "bad, pattern",
    [
        ([0, 1.5], r"label at index 1 is not a class label: float 1.5"),
        ([0, None, 1], r"label at index 1 is missing"),
        (["a", 1], r"labels mix types: index 0 is str 'a', index 1 is int 1"),
        (np.zeros((2, 2)), r"1-D \(one label per text\); got shape \(2, 2\)"),
    ],
)
def test_label_errors(bad, pattern):
    with pytest.raises(DataError, match=pattern):
        to_label_array(bad)


def test_negative_integer_labels_are_classes():
    # -1 used to be refused ("class ids start at 0"); it is a class like any other
    ids, names = to_label_array([0, 1, -1])
    assert names == [-1, 0, 1] and ids.tolist() == [1, 2, 0]


# ---------------------------------------------------------------- check_texts
def test_empty_texts_error_counts_and_indices():
    texts = ["fine", "", "   ", "ok", "\t\n", "x"]
    with pytest.raises(DataError, match=r"3 of 6 texts are empty.*first indices: \[1, 2, 4\]"):
        check_texts(texts, [0, 1, 0, 1, 0, 1])


def test_empty_texts_drop_warns_and_filters_labels():
    texts = ["fine", "", "ok", " "]
    with pytest.warns(UserWarning, match=r"dropped 2 empty"):
        t, y = check_texts(texts, np.array([0, 1, 1, 0]), empty_policy="drop")
    assert t.tolist() == ["fine", "ok"]
    assert y.tolist() == [0, 1]


def test_check_texts_policy_and_lengths():
    with pytest.raises(ConfigError,
                       match=r"empty_policy must be one of \('error', 'drop'\), got 'skip'"):
        check_texts(["a"], empty_policy="skip")
    with pytest.raises(DataError, match=r"3 texts vs 2 labels"):
        check_texts(["a", "b", "c"], [0, 1])
    with pytest.raises(DataError, match=r"2 texts vs 3 labels"):
        check_text_labels(["a", "b"], [0, 1, 1])


# ---------------------------------------------------------------- text_dataset / keras
def test_text_dataset_batches_and_dtypes():
    import tensorflow as tf

    ds = text_dataset(np.array(TEXTS), [0, 1, 1, 0], batch_size=3)
    batches = list(ds)
    assert [int(b[0].shape[0]) for b in batches] == [3, 1]
    assert batches[0][0].dtype == tf.string and batches[0][1].dtype == tf.int32
    got = [s.decode() for b in batches for s in b[0].numpy()]
    assert got == TEXTS
    assert [int(v) for b in batches for v in b[1].numpy()] == [0, 1, 1, 0]


def test_text_dataset_shuffle_is_seeded_permutation():
    texts = [f"text {i}" for i in range(50)]
    labels = [i % 2 for i in range(50)]

    def order(seed):
        ds = text_dataset(texts, labels, batch_size=50, shuffle=True, seed=seed)
        x, y = next(iter(ds))
        return [s.decode() for s in x.numpy()], y.numpy().tolist()

    a, ya = order(1)
    b, _ = order(1)
    assert a == b
    assert sorted(a) == sorted(texts) and a != texts
    assert ya == [int(s.split()[1]) % 2 for s in a]  # labels travel with their texts


def test_text_dataset_without_labels():
    x = next(iter(text_dataset(TEXTS, None, batch_size=8)))
    assert x.shape == (4,)


def test_unicode_array_trains_through_keras_only_after_conversion():
    import keras

    texts = np.array(["good movie", "bad movie", "great fun", "awful plot"] * 2)
    labels = np.array([1, 0, 1, 0] * 2)
    assert texts.dtype.kind == "U"
    vec = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vec.adapt(texts.tolist())
    inputs = keras.Input(shape=(), dtype="string")
    h = keras.layers.Embedding(20, 4)(vec(inputs))
    h = keras.layers.LSTM(4)(h)
    model = keras.Model(inputs, keras.layers.Dense(2)(h))
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    # Plain Keras refuses the NumPy unicode array ...
    with pytest.raises(ValueError, match="Invalid dtype"):
        model.fit(texts, labels, epochs=1, verbose=0)
    # ... while the same array through text_dataset trains.
    history = model.fit(text_dataset(texts, labels, batch_size=4), epochs=1, steps_per_epoch=1,
                        shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"][0])
