"""UCR/UEA data through aeon: seqkit's arrays against aeon's own, unequal lengths, labels,
the offline error (no download is ever attempted), a .ts file written here."""

import numpy as np
import pytest

from seqkit.data import apply_layout, has_test_split, load_sequence_dataset
from seqkit.errors import ConfigError, DataError, DatasetUnavailableError

aeon_datasets = pytest.importorskip("aeon.datasets")


def _aeon(name, split):
    return aeon_datasets.load_classification(name, split=split)


@pytest.fixture(autouse=True)
def no_download(monkeypatch):
    """Any attempt of aeon to download fails the test (the conftest also blocks sockets)."""
    from aeon.datasets import _data_loaders

    def refuse(*args, **kwargs):
        pytest.fail(f"aeon tried to download: {args} {kwargs}")

    monkeypatch.setattr(_data_loaders, "_download_all_zenodo_files", refuse)


@pytest.mark.parametrize("name", ["ArrowHead", "BasicMotions"])
def test_arrays_equal_aeons_transposed(name):
    splits = load_sequence_dataset(f"ucr:{name}", val_fraction=0.0)
    for part, split in (("train", splits.train), ("test", splits.test)):
        x_aeon, y_aeon = _aeon(name, part)
        x, ids = split
        assert x.dtype == np.float32 and x.shape == (x_aeon.shape[0], x_aeon.shape[2],
                                                     x_aeon.shape[1])
        np.testing.assert_array_equal(x, x_aeon.transpose(0, 2, 1).astype(np.float32))
        assert [splits.class_names[i] for i in ids] == y_aeon.tolist()  # aeon's strings
        assert splits.lengths[part].tolist() == [x_aeon.shape[2]] * len(x_aeon)
    assert splits.class_names == sorted(set(_aeon(name, "train")[1].tolist()))
    assert all(isinstance(c, str) for c in splits.class_names)


def test_val_is_carved_from_the_official_train_split():
    splits = load_sequence_dataset("ucr:ArrowHead", val_fraction=0.1, seed=3)
    x_aeon, y_aeon = _aeon("ArrowHead", "train")
    assert splits.sizes() == {"train": 32, "val": 4, "test": 175}
    both = np.concatenate([splits.train[0], splits.val[0]])[:, :, 0]
    ref = x_aeon[:, 0, :].astype(np.float32)
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, ref.tolist()))
    assert sorted(set(splits.val[1].tolist())) == [0, 1, 2]  # one of every class
    assert splits.class_names == ["0", "1", "2"] and "official train/test" in splits.source
    again = load_sequence_dataset("ucr:ArrowHead", val_fraction=0.1, seed=3)
    np.testing.assert_array_equal(again.val[0], splits.val[0])


def test_unequal_lengths_are_post_padded_and_kept():
    splits = load_sequence_dataset("ucr:JapaneseVowels", val_fraction=0.0)
    longest = max(a.shape[1] for part in ("train", "test") for a in _aeon("JapaneseVowels",
                                                                          part)[0])
    for part, (x, _) in (("train", splits.train), ("test", splits.test)):
        x_aeon, _ = _aeon("JapaneseVowels", part)
        assert isinstance(x_aeon, list)  # aeon's list of [channels, T_i]
        assert splits.lengths[part].tolist() == [a.shape[1] for a in x_aeon]
        assert x.shape == (len(x_aeon), longest, 12)
        for i, a in enumerate(x_aeon):
            t = a.shape[1]
            np.testing.assert_array_equal(x[i, :t], a.T.astype(np.float32))
            assert not x[i, t:].any()  # zeros past the true length


def test_offline_error_for_a_name_that_needs_a_download(tmp_path, monkeypatch):
    monkeypatch.setenv("AEON_DATA", str(tmp_path / "aeon_home"))
    with pytest.raises(DatasetUnavailableError) as info:
        load_sequence_dataset("ucr:FordA", data_dir=tmp_path / "mine")
    message = str(info.value)
    for words in ("'FordA'", "FordA_TRAIN.ts", str(tmp_path / "mine"),
                  str(tmp_path / "aeon_home"), "never downloads", "data_dir="):
        assert words in message
    with pytest.raises(DatasetUnavailableError, match=r"Did you mean \['ArrowHead'\]"):
        load_sequence_dataset("ucr:Arrowhead")
    with pytest.raises(DataError, match="plain name"):
        load_sequence_dataset("ucr:../ArrowHead")


def test_missing_aeon_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_aeon(name, *args, **kwargs):
        if name == "aeon" or name.startswith("aeon."):
            raise ImportError("No module named 'aeon'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_aeon)
    with pytest.raises(DatasetUnavailableError, match=r"pip install 'seqkit\[ucr\]'"):
        load_sequence_dataset("ucr:ArrowHead")


def test_data_dir_is_read_first(tmp_path):
    """A problem copied into data_dir/<Name>/ is read from there."""
    import shutil
    from pathlib import Path

    bundled = Path(aeon_datasets.__file__).parent / "data" / "BasicMotions"
    (tmp_path / "Mine").mkdir()
    for part in ("TRAIN", "TEST"):
        shutil.copy(bundled / f"BasicMotions_{part}.ts", tmp_path / "Mine" / f"Mine_{part}.ts")
    splits = load_sequence_dataset("ucr:Mine", data_dir=tmp_path, val_fraction=0.0)
    assert str(tmp_path / "Mine") in splits.source
    np.testing.assert_array_equal(splits.test[0], load_sequence_dataset(
        "ucr:BasicMotions", val_fraction=0.0).test[0])


TINY = """# three series, two channels, unequal lengths
@problemName Tiny
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength false
@classLabel true 1 2
@data
1.0,2.0,3.0:10.0,20.0,30.0:1
4.0,5.0:40.0,50.0:2
6.0,7.0,8.0,9.0:60.0,70.0,80.0,90.0:2
"""


def test_a_ts_file_written_here(tmp_path):
    train = tmp_path / "Tiny_TRAIN.ts"
    train.write_text(TINY)
    (tmp_path / "Tiny_TEST.ts").write_text(TINY)
    assert has_test_split(train) and has_test_split(tmp_path)
    for source in (train, tmp_path, str(train)):
        splits = load_sequence_dataset(source, val_fraction=0.0)
        x, ids = splits.train
        assert splits.class_names == ["1", "2"] and ids.tolist() == [0, 1, 1]
        assert x.shape == (3, 4, 2) and splits.lengths["train"].tolist() == [3, 2, 4]
        assert x[0].tolist() == [[1, 10], [2, 20], [3, 30], [0, 0]]
        assert x[1].tolist() == [[4, 40], [5, 50], [0, 0], [0, 0]]
        assert x[2, :, 1].tolist() == [60, 70, 80, 90]
        np.testing.assert_array_equal(splits.test[0], x)
    with pytest.raises(ConfigError, match="test_fraction must be None"):
        load_sequence_dataset(train, test_fraction=0.2)


def test_a_lone_ts_file_is_split_here(tmp_path):
    rows = "".join(f"{i},{i + 1},{i + 2}:{'ab'[i % 2]}\n" for i in range(20))
    lone = tmp_path / "lone.ts"
    lone.write_text("@problemName lone\n@univariate true\n@classLabel true a b\n@data\n"
                    + rows)
    assert not has_test_split(lone)
    splits = load_sequence_dataset(lone, val_fraction=0.2, test_fraction=0.2, seed=1)
    assert sum(splits.sizes().values()) == 20 and splits.sizes()["test"] == 4
    for _, ids in (splits.train, splits.val, splits.test):
        assert sorted(set(ids.tolist())) == [0, 1]


def test_bad_ts_sources(tmp_path):
    with pytest.raises(DataError, match="not an existing .ts file"):
        load_sequence_dataset(tmp_path / "missing.ts")
    with pytest.raises(DataError, match=r"exactly one \*_TRAIN.ts"):
        load_sequence_dataset(tmp_path)
    broken = tmp_path / "broken.ts"
    broken.write_text("@problemName x\n@classLabel true a b\n@data\n1,2:c:d:e\nnonsense\n")
    with pytest.raises(DataError, match="broken.ts"):
        load_sequence_dataset(broken)
    with pytest.raises(DataError, match=r"unknown sequence dataset 'nope'.*ucr:<Name>"):
        load_sequence_dataset("nope")


def test_test_labels_must_be_training_classes(tmp_path):
    (tmp_path / "T_TRAIN.ts").write_text(TINY)
    (tmp_path / "T_TEST.ts").write_text(TINY.replace(":2\n6.0", ":3\n6.0").replace(
        "@classLabel true 1 2", "@classLabel true 1 2 3"))
    with pytest.raises(DataError, match="'3'"):
        load_sequence_dataset(tmp_path / "T_TRAIN.ts", val_fraction=0.0)


def test_apply_layout_nct_equals_a_hand_transpose():
    x = np.arange(24.0).reshape(2, 3, 4)  # N=2, channels=3, T=4
    np.testing.assert_array_equal(apply_layout(x, "NCT"), np.stack([x[0].T, x[1].T]))
    assert apply_layout(x, "NTF") is x
    listed = apply_layout([x[0], x[1][:, :2]], "NCT")
    assert [a.shape for a in listed] == [(4, 3), (2, 3)]
    assert apply_layout(np.ones((2, 5)), "NCT").shape == (2, 5)  # univariate [N, T]
    with pytest.raises(DataError, match=r"sequence 1 must be \[channels, T_i\]"):
        apply_layout([np.ones((2, 2)), np.ones((1, 2, 2))], "NCT")
    with pytest.raises(ConfigError, match="layout must be one of"):
        apply_layout(x, "nct")
