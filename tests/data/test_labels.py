"""Labels round-trip exactly: hand-made label sets with known class names and ids.

The rule under test (seqkit.data.text.convert): the class names are the sorted unique labels
of the type the user gave; ``classes=`` fixes the order and may add classes; everything
ambiguous (two types, missing labels, unknown labels) is a DataError that names it.
"""

import json

import numpy as np
import pandas as pd
import pytest

from seqkit.data import load_text, text_dataset, to_label_array
from seqkit.data.text import class_ids
from seqkit.errors import ConfigError, DataError


@pytest.mark.parametrize("labels, names, ids", [
    (["1", "2", "2", "1"], ["1", "2"], [0, 1, 1, 0]),  # UCR labels: two classes, not three
    ([1, 2, 2, 1], [1, 2], [0, 1, 1, 0]),  # never range(max + 1)
    ([-1, 1, 1], [-1, 1], [0, 1, 1]),
    ([11, 3, 7, 3], [3, 7, 11], [2, 0, 1, 0]),
    ([True, False, True], [False, True], [1, 0, 1]),
    (["b", "a", "c"], ["a", "b", "c"], [1, 0, 2]),
    ([1.0, 2.0, 1.0], [1, 2], [0, 1, 0]),  # a label column read by np.loadtxt
    ([b"neg", b"pos"], ["neg", "pos"], [0, 1]),
])
def test_hand_made_label_sets(labels, names, ids):
    got_ids, got_names = to_label_array(labels)
    assert got_names == names and got_ids.tolist() == ids
    assert [type(n) for n in got_names] == [type(n) for n in names]
    assert got_ids.dtype == np.int32


@pytest.mark.parametrize("labels, names", [
    (np.array([2, 1, 2], dtype=np.int64), [1, 2]),
    (np.array([2, 1, 2], dtype=np.uint8), [1, 2]),
    (np.array(["2", "1", "2"]), ["1", "2"]),  # <U1
    (np.array(["2", "1", "2"], dtype=object), ["1", "2"]),
    (np.array([np.int32(2), np.int32(1)], dtype=object), [1, 2]),
    (np.array([True, False]), [False, True]),
    (np.array([[2], [1]]), [1, 2]),  # [N, 1]
    (pd.Series([2, 1, 2]), [1, 2]),
    (pd.Series(["2", "1"]), ["1", "2"]),
    (pd.Series([True, False]), [False, True]),
])
def test_numpy_and_pandas_containers_keep_types(labels, names):
    _, got = to_label_array(labels)
    assert got == names and [type(n) for n in got] == [type(n) for n in names]
    json.dumps(got)  # plain Python values (no np.int64)


def test_tensors():
    tf = pytest.importorskip("tensorflow")
    assert to_label_array(tf.constant([3, 1]))[1] == [1, 3]
    assert to_label_array(tf.constant(["b", "a"]))[1] == ["a", "b"]


def test_categorical_gives_its_categories_unused_included():
    # inferred categories: pandas sorts them
    ids, names = to_label_array(pd.Categorical(["pos", "neg", "pos"]))
    assert names == ["neg", "pos"] and ids.tolist() == [1, 0, 1]
    # given categories: their order, an unused one kept as a class (the model gets an output)
    cat = pd.Categorical(["hi", "lo", "hi"], categories=["lo", "mid", "hi"], ordered=True)
    ids, names = to_label_array(cat)
    assert names == ["lo", "mid", "hi"] and ids.tolist() == [2, 0, 2]
    # a Series of dtype category, unordered, with integer categories
    series = pd.Series([7, 3, 7], dtype=pd.CategoricalDtype([7, 3, 5]))
    ids, names = to_label_array(series)
    assert names == [7, 3, 5] and ids.tolist() == [0, 1, 0]
    assert all(type(n) is int for n in names)
    # classes= overrides the categories
    assert to_label_array(cat, classes=["hi", "lo"])[1] == ["hi", "lo"]
    with pytest.raises(DataError, match="missing"):
        to_label_array(pd.Categorical(["a", None, "b"]))


def test_classes_fix_order_and_allow_absent_classes():
    ids, names = to_label_array(["b", "a", "b"], classes=["c", "b", "a"])
    assert names == ["c", "b", "a"] and ids.tolist() == [1, 2, 1]
    ids, names = to_label_array([1, 3], classes=[3, 2, 1])
    assert names == [3, 2, 1] and ids.tolist() == [2, 0]
    # the class_names= spelling means the same
    assert to_label_array([1, 3], class_names=[3, 2, 1])[1] == [3, 2, 1]


def test_label_not_in_classes_is_named():
    with pytest.raises(DataError, match=r"1 unknown label\(s\) not in classes \[1, 2\]: 5 "
                                        r"\(first at index 2\)"):
        to_label_array([1, 2, 5], classes=[1, 2])
    with pytest.raises(DataError, match=r"'maybe'"):
        to_label_array(["yes", "maybe"], classes=["no", "yes"])


def test_labels_of_another_type_than_classes():
    # True == 1 in Python: without the type check these would silently match
    with pytest.raises(DataError, match=r"labels are bool .* but the classes are int"):
        to_label_array([True, False], classes=[0, 1])
    with pytest.raises(DataError, match=r"labels are int .* but the classes are str"):
        to_label_array([1, 2], classes=["1", "2"])


@pytest.mark.parametrize("labels, pattern", [
    ([1, "1"], r"index 0 is int 1, index 1 is str '1'"),
    (["1", 2], r"index 0 is str '1', index 1 is int 2"),
    ([1, True], r"index 0 is int 1, index 1 is bool True"),
])
def test_mixed_types_name_both(labels, pattern):
    with pytest.raises(DataError, match=r"labels mix types: " + pattern):
        to_label_array(labels)


@pytest.mark.parametrize("labels, index", [
    (["a", None, "b"], 1), ([1, 2, float("nan")], 2), (pd.Series([1, None, 2]), 1),
    (pd.array([1, pd.NA, 2], dtype="Int64"), 1), (np.array([1.0, np.nan]), 1),
])
def test_missing_labels_name_the_position(labels, index):
    with pytest.raises(DataError, match=rf"label at index {index} is missing"):
        to_label_array(labels)


def test_bad_classes():
    with pytest.raises(ConfigError, match="not both"):
        to_label_array(["a", "b"], classes=["a", "b"], class_names=["a", "b"])
    with pytest.raises(ConfigError, match="repeated: 'a'"):
        to_label_array(["a", "b"], classes=["a", "b", "a"])
    with pytest.raises(ConfigError, match="at least one class"):
        to_label_array(["a", "b"], classes=[])
    with pytest.raises(ConfigError, match="list of class names"):
        to_label_array(["a", "b"], classes="ab")
    with pytest.raises(DataError, match="class at index 1 is missing"):
        to_label_array(["a"], classes=["a", None])


def test_class_ids_keep_their_meaning():
    assert class_ids(np.array([0, 2, 2])).tolist() == [0, 2, 2]
    with pytest.raises(DataError, match=r"class id at index 1 must be an integer >= 0"):
        class_ids([0, -1])
    with pytest.raises(DataError, match=r"< 3, got 3"):
        class_ids([0, 3], num_classes=3)
    # text_dataset takes a split's ids as they are: [0, 2] stays [0, 2], not [0, 1]
    ds = text_dataset(["a", "b"], np.array([0, 2], np.int32), batch_size=2)
    assert next(iter(ds))[1].numpy().tolist() == [0, 2]
    ds = text_dataset(["a", "b"], [5, 1], batch_size=2, classes=[1, 3, 5])
    assert next(iter(ds))[1].numpy().tolist() == [2, 0]


def test_tfds_class_label_names():
    tfds = pytest.importorskip("tensorflow_datasets")
    from seqkit.data.text.load import tfds_class_names

    assert tfds_class_names(tfds.features.ClassLabel(names=["neg", "pos"])) == ["neg", "pos"]
    assert tfds_class_names(tfds.features.ClassLabel(num_classes=3)) == [0, 1, 2]


# ---------------------------------------------------------------- through load_text
def _rows(n=24):
    return [f"text number {i} " + ("good" if i % 2 else "bad") for i in range(n)]


def test_tsv_labels_stay_strings(tmp_path):
    path = tmp_path / "ucr_like.tsv"
    path.write_text("".join(f"{t}\t{1 + i % 2}\n" for i, t in enumerate(_rows())))
    splits = load_text(path)
    assert splits.class_names == ["1", "2"]  # two classes (was ['0', '1', '2'])


def test_jsonl_labels_keep_json_types(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps({"text": t, "label": [3, 7][i % 2]}) + "\n"
                            for i, t in enumerate(_rows())))
    assert load_text(path).class_names == [3, 7]
    assert load_text(path, classes=[7, 5, 3]).class_names == [7, 5, 3]
    with pytest.raises(DataError, match=r"unknown label\(s\) not in classes \[7\]: 3"):
        load_text(path, classes=[7])


def test_folder_per_class_labels_are_folder_names(tmp_path):
    for name in ("1", "2", "10"):
        (tmp_path / name).mkdir()
        for i in range(8):
            (tmp_path / name / f"{i}.txt").write_text(f"a text of class {name} number {i}")
    splits = load_text(tmp_path, val_fraction=0.25, test_fraction=0.25)
    assert splits.class_names == ["1", "10", "2"]  # keras sorts the folder names
    got = {t: splits.class_names[y] for part in (splits.train, splits.val, splits.test)
           for t, y in zip(*part, strict=True)}
    assert all(t.split()[4] == name for t, name in got.items())


def test_dataframe_categorical_column():
    texts = _rows()
    df = pd.DataFrame({"text": texts, "label": pd.Categorical(
        ["lo" if i % 2 else "hi" for i in range(len(texts))], categories=["lo", "mid", "hi"])})
    splits = load_text(df)
    assert splits.class_names == ["lo", "mid", "hi"]
    assert splits.num_classes == 3
