"""Each label kind through fit -> predict_labels -> save -> load -> predict_labels -> evaluate.

Hand-made label sets with known class names: a UCR set's ``"1"``/``"2"`` are two string
classes (they used to give a 3-class model ``['0', '1', '2']``), integers stay integers and
are never ``range(max + 1)``, booleans and pandas categoricals work, ``classes=`` keeps an
order and adds outputs for classes the data lacks. Tiny models (4 units, 1 epoch): these
test the labels, not the learning.
"""

import json

import numpy as np
import pandas as pd
import pytest

import seqkit
from seqkit.errors import DataError
from seqkit.fit import FitResult

TINY = {"units": 4, "epochs": 1, "verbose": 0, "seed": 0}


def _sequences(n=40, seed=0):
    """``n`` series ``[8, 1]`` and which half they belong to (0 or 1, alternating)."""
    rng = np.random.default_rng(seed)
    half = np.arange(n) % 2
    x = rng.normal(size=(n, 8, 1)).astype("float32") + half[:, None, None].astype("float32")
    return x, half


def _round_trip(result, x, y, tmp_path):
    """predict_labels before and after save/load agree, are typed names, evaluate works."""
    before = result.predict_labels(x)
    assert all(label in result.class_names for label in before)
    name_types = {type(n) for n in result.class_names}
    assert {type(label) for label in before} <= name_types
    loaded = FitResult.load(result.save(tmp_path / "run"))
    assert loaded.class_names == result.class_names
    assert [type(n) for n in loaded.class_names] == [type(n) for n in result.class_names]
    assert loaded.predict_labels(x) == before
    saved = json.loads((tmp_path / "run" / "fit_result.json").read_text())
    assert saved["class_names"] == result.class_names
    metrics = loaded.evaluate(x, y)
    assert metrics["n"] == len(x)
    assert metrics["class_names"] == [str(n) for n in result.class_names]
    return loaded


@pytest.mark.parametrize("values, names", [
    (["1", "2"], ["1", "2"]),  # UCR labels: two string classes
    ([1, 2], [1, 2]),
    ([-1, 1], [-1, 1]),
    ([True, False], [False, True]),
])
def test_label_kinds_round_trip(values, names, tmp_path):
    x, half = _sequences()
    y = [values[h] for h in half]
    result = seqkit.fit_sequence_classifier(x, y, **TINY)
    assert result.class_names == names
    assert [type(n) for n in result.class_names] == [type(v) for v in names]
    assert result.model.output_shape[-1] == len(names)
    assert len(result.metrics["confusion_matrix"]) == len(names)
    _round_trip(result, x, y, tmp_path)


def test_three_integer_classes_are_three_outputs(tmp_path):
    x, _ = _sequences(60)
    y = np.array([3, 7, 11])[np.arange(60) % 3]  # NumPy int64 labels
    result = seqkit.fit_sequence_classifier(x, y, **TINY)
    assert result.class_names == [3, 7, 11]  # never range(12)
    assert result.model.output_shape[-1] == 3
    assert set(result.data_info["class_counts_train"]) == {"3", "7", "11"}
    _round_trip(result, x, y.tolist(), tmp_path)


def test_pandas_categorical_gives_its_categories(tmp_path):
    x, half = _sequences()
    y = pd.Series(pd.Categorical(np.array(["lo", "hi"])[half], categories=["lo", "mid", "hi"],
                                 ordered=True))
    result = seqkit.fit_sequence_classifier(x, y, **TINY)
    assert result.class_names == ["lo", "mid", "hi"]  # pandas' order, unused "mid" kept
    assert result.model.output_shape[-1] == 3
    _round_trip(result, x, y, tmp_path)


def test_classes_with_a_class_missing_from_the_data(tmp_path):
    x, half = _sequences()
    y = np.array(["b", "c"])[half]
    result = seqkit.fit_sequence_classifier(x, y, classes=["c", "a", "b"], **TINY)
    assert result.class_names == ["c", "a", "b"]
    assert result.model.output_shape[-1] == 3 and result.predict(x).shape == (40, 3)
    counts = result.data_info["class_counts_train"]
    assert counts["a"] == 0 and counts["b"] > 0 and counts["c"] > 0
    assert result.config["classes"] == ["c", "a", "b"]
    _round_trip(result, x, y, tmp_path)


def test_unknown_label_with_classes_is_named():
    x, half = _sequences()
    y = np.array(["b", "zebra"])[half]
    with pytest.raises(DataError, match=r"unknown label\(s\) not in classes \['a', 'b'\]: "
                                        r"'zebra' \(first at index 1\)"):
        seqkit.fit_sequence_classifier(x, y, classes=["a", "b"], **TINY)


def test_mixed_label_types_are_refused():
    x, half = _sequences()
    y = [[1, "1"][h] for h in half]
    with pytest.raises(DataError, match=r"mix types: index 0 is int 1, index 1 is str '1'"):
        seqkit.fit_sequence_classifier(x, y, **TINY)
    with pytest.raises(DataError, match=r"label at index 3 is missing"):
        seqkit.fit_sequence_classifier(x, [None if i == 3 else "a" for i in range(40)],
                                       **TINY)


def test_evaluate_refuses_labels_of_another_kind(tmp_path):
    x, half = _sequences()
    result = seqkit.fit_sequence_classifier(x, [[1, 2][h] for h in half], **TINY)
    with pytest.raises(DataError, match=r"labels are str .* but the classes are int"):
        result.evaluate(x, [["1", "2"][h] for h in half])


# ------------------------------------------------------------------------ text
def _texts(n=40):
    return [f"word{i % 7} filler {'good' if i % 2 else 'bad'} text" for i in range(n)]


def test_text_tsv_labels_stay_strings(tmp_path):
    path = tmp_path / "ucr_like.tsv"
    texts = _texts()
    path.write_text("".join(f"{t}\t{1 + i % 2}\n" for i, t in enumerate(texts)))
    result = seqkit.fit_text_classifier(path, embedding_dim=4, **TINY)
    assert result.class_names == ["1", "2"] and result.model.output_shape[-1] == 2
    _round_trip(result, texts, [str(1 + i % 2) for i in range(len(texts))], tmp_path)


def test_text_integer_labels_and_classes(tmp_path):
    texts = _texts()
    stars = [[1, 5][i % 2] for i in range(len(texts))]
    result = seqkit.fit_text_classifier(texts, stars, classes=[1, 3, 5], embedding_dim=4,
                                        **TINY)
    assert result.class_names == [1, 3, 5] and result.model.output_shape[-1] == 3
    _round_trip(result, texts, stars, tmp_path)


def test_text_encoding(tmp_path):
    path = tmp_path / "latin1.tsv"
    rows = [f"{t} caf\xe9\t{'pos' if i % 2 else 'neg'}" for i, t in enumerate(_texts())]
    path.write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    with pytest.raises(DataError, match=rf"{path}:1: cannot decode byte 0xe9 .* as utf-8"):
        seqkit.fit_text_classifier(path, embedding_dim=4, **TINY)
    result = seqkit.fit_text_classifier(path, encoding="latin-1", embedding_dim=4, **TINY)
    assert result.class_names == ["neg", "pos"] and result.config["encoding"] == "latin-1"
