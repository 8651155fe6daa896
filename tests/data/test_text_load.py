"""load_text: local files, folders, in-memory data, tensorflow-datasets (mocked), offline."""

import csv
import importlib.util
import json
import socket
import time
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from seqkit.data import TextSplits, load_text
from seqkit.data.text import load as tfds_source
from seqkit.errors import ConfigError, DataError, DatasetUnavailableError


def _all_pairs(splits: TextSplits):
    pairs = []
    for texts, labels in (splits.train, splits.val, splits.test):
        assert texts.dtype == object and labels.dtype == np.int32
        pairs += [(t, splits.class_names[y]) for t, y in zip(texts, labels, strict=True)]
    return pairs


def _make_rows(n=60):
    rng = np.random.default_rng(0)
    words = ["alpha", "beta", "gamma", "delta", "eps"]
    return [(" ".join(rng.choice(words, size=4)) + f" {i}", ["neg", "pos", "mid"][i % 3])
            for i in range(n)]


# ---------------------------------------------------------------- shared TSV folder
def test_shared_sentiment_folder(sentiment_dir):
    splits = load_text(sentiment_dir)
    assert splits.class_names == ["0", "1"]
    assert splits.sizes() == {"train": 2400, "val": 300, "test": 300}
    # independent reference: csv with quoting off, file by file
    ref = []
    for f in sorted(sentiment_dir.glob("*_labelled.txt")):
        with open(f, encoding="utf-8", newline="") as fh:
            ref += [(r[0], r[1]) for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
                    if r]
    assert len(ref) == 3000
    assert Counter(_all_pairs(splits)) == Counter(ref)
    # stratified: each split is half positive
    for _, labels in (splits.train, splits.val, splits.test):
        assert labels.mean() == pytest.approx(0.5)


def test_shared_single_file(sentiment_dir):
    splits = load_text(sentiment_dir / "imdb_labelled.txt", val_fraction=0.2, test_fraction=0.2)
    assert sum(splits.sizes().values()) == 1000
    assert splits.sizes()["test"] == 200 and splits.sizes()["val"] == 200
    # a sentence with an unbalanced double quote stays one row
    quoted = [t for t in splits.train[0].tolist() + splits.val[0].tolist()
              + splits.test[0].tolist() if t.startswith('"')]
    assert quoted and all("\n" not in t for t in quoted)


# ---------------------------------------------------------------- files made here
def test_tsv_no_header(tmp_path):
    rows = _make_rows()
    path = tmp_path / "data.tsv"
    path.write_text("".join(f"{t}\t{y}\n" for t, y in rows) + "\n", encoding="utf-8")
    splits = load_text(path)
    assert splits.class_names == ["mid", "neg", "pos"]
    assert Counter(_all_pairs(splits)) == Counter(rows)


def test_tsv_quote_is_text_and_missing_tab_named(tmp_path):
    path = tmp_path / "q.txt"
    lines = ['" unbalanced quote here\t1', "plain one\t0", 'ok "x\t1', "more\t0"] * 3
    path.write_text("\n".join(lines), encoding="utf-8")
    splits = load_text(path, val_fraction=0.0, test_fraction=0.25)
    assert sum(splits.sizes().values()) == 12
    assert '" unbalanced quote here' in splits.train[0].tolist() + splits.test[0].tolist()
    bad = tmp_path / "bad.tsv"
    bad.write_text("fine\t1\nno tab on this line\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.tsv:2: expected 'text<TAB>label'"):
        load_text(bad)


def test_tsv_with_header_columns(tmp_path):
    rows = _make_rows(30)
    path = tmp_path / "h.tsv"
    path.write_text("id\tsentence\tsentiment\n"
                    + "".join(f"{i}\t{t}\t{y}\n" for i, (t, y) in enumerate(rows)))
    splits = load_text(path, text_column="sentence", label_column="sentiment")
    assert Counter(_all_pairs(splits)) == Counter(rows)


def test_csv_default_and_named_columns(tmp_path):
    rows = _make_rows()
    df = pd.DataFrame({"text": [t for t, _ in rows], "label": [y for _, y in rows]})
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    assert Counter(_all_pairs(load_text(path))) == Counter(rows)
    df.rename(columns={"text": "body", "label": "tag"}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"column\(s\) \['text', 'label'\] not found.*'body'"):
        load_text(path)
    splits = load_text(path, text_column="body", label_column="tag")
    assert Counter(_all_pairs(splits)) == Counter(rows)


def test_jsonl(tmp_path):
    rows = _make_rows()
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps({"text": t, "label": y}) for t, y in rows) + "\n")
    assert Counter(_all_pairs(load_text(path))) == Counter(rows)
    path.write_text('{"text": "a", "label": 0}\n{"text": "b"}\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: key\(s\) \['label'\] missing"):
        load_text(path)


def test_folder_per_class(tmp_path):
    rows = _make_rows(45)
    for i, (t, y) in enumerate(rows):
        (tmp_path / y).mkdir(exist_ok=True)
        (tmp_path / y / f"{i:03d}.txt").write_text(t, encoding="utf-8")
    splits = load_text(tmp_path, val_fraction=0.2, test_fraction=0.2, seed=3)
    assert splits.class_names == ["mid", "neg", "pos"]  # keras: sorted folder names
    assert Counter(_all_pairs(splits)) == Counter(rows)
    assert splits.sizes() == {"train": 27, "val": 9, "test": 9}
    for _, labels in (splits.train, splits.val, splits.test):
        assert np.bincount(labels).min() == np.bincount(labels).max()  # stratified: 1/3 each


# ---------------------------------------------------------------- in-memory
def test_in_memory_forms_and_seeded_split():
    rows = _make_rows(100)
    texts = np.array([t for t, _ in rows])  # unicode array
    labels = pd.Series([y for _, y in rows])
    a = load_text(texts, labels=labels, seed=7)
    b = load_text(list(texts), labels=list(labels), seed=7)
    c = load_text(texts, labels=labels, seed=8)
    assert a.train[0].tolist() == b.train[0].tolist()
    assert a.test[0].tolist() == b.test[0].tolist()
    assert a.test[0].tolist() != c.test[0].tolist()
    assert Counter(_all_pairs(a)) == Counter(rows)
    df = pd.DataFrame({"text": texts, "label": labels})
    d = load_text(df, seed=7)
    assert d.train[0].tolist() == a.train[0].tolist()


def test_split_matches_sklearn_reference():
    from sklearn.model_selection import train_test_split

    rows = _make_rows(90)
    texts = [t for t, _ in rows]
    labels = [y for _, y in rows]
    s = load_text(texts, labels=labels, val_fraction=0.2, test_fraction=0.1, seed=5)
    ids = np.array([["mid", "neg", "pos"].index(y) for y in labels])
    rest_t, test_t, rest_y, _ = train_test_split(
        np.array(texts, dtype=object), ids, test_size=9, random_state=5, stratify=ids)
    _, val_t = train_test_split(rest_t, test_size=18, random_state=5, stratify=rest_y)[:2]
    assert s.test[0].tolist() == test_t.tolist()
    assert s.val[0].tolist() == val_t.tolist()


def test_load_text_errors(tmp_path):
    with pytest.raises(ConfigError, match="need labels="):
        load_text(["a", "b"])
    with pytest.raises(DataError, match=r"3 texts vs 2 labels"):
        load_text(["a", "b", "c"], labels=[0, 1])
    with pytest.raises(DataError, match=r"single class 'pos'"):
        load_text(["a", "b", "c"], labels=["pos"] * 3)
    with pytest.raises(DataError, match=r"2 of 6 texts are empty.*\[1, 4\]"):
        load_text(["a", "", "c", "d", " ", "f"], labels=[0, 1] * 3)
    with pytest.raises(ConfigError, match=r"val_fraction \+ test_fraction must be < 1"):
        load_text(["a", "b"], labels=[0, 1], val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(DataError, match=r"neither an existing file/folder nor a registered"):
        load_text(str(tmp_path / "missing.tsv"))
    with pytest.raises(DataError, match=r"neither .* tensorflow-datasets name"):
        load_text("no_such_dataset_xyz")


def test_empty_policy_drop_in_load():
    texts = ["a b", "", "c d", "e f", "  ", "g h"] * 4
    labels = [0, 1, 1, 0, 0, 1] * 4
    with pytest.warns(UserWarning, match="dropped 8 empty"):
        s = load_text(texts, labels=labels, empty_policy="drop", val_fraction=0.25,
                      test_fraction=0.25)
    assert sum(s.sizes().values()) == 16
    assert all(t.strip() for t in np.concatenate([s.train[0], s.val[0], s.test[0]]))


def test_max_examples_is_stratified_subsample():
    rows = _make_rows(300)
    s = load_text([t for t, _ in rows], labels=[y for _, y in rows], max_examples=60)
    assert sum(s.sizes().values()) == 60
    all_labels = np.concatenate([s.train[1], s.val[1], s.test[1]])
    assert np.bincount(all_labels).tolist() == [20, 20, 20]


# ---------------------------------------------------------------- tensorflow-datasets
def test_tfds_imdb_reviews_mocked(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    # the mock makes download_and_prepare a no-op; pretend the host check passes so the
    # test never touches the network
    monkeypatch.setattr(tfds_source, "_probe_hosts", lambda urls, timeout=5.0: (1, []))
    with tfds.testing.mock_data(num_examples=40):
        splits = load_text("imdb_reviews", data_dir=str(tmp_path), val_fraction=0.25)
        ref_train = list(tfds.load("imdb_reviews", split="train").as_numpy_iterator())
        ref_test = list(tfds.load("imdb_reviews", split="test").as_numpy_iterator())
    assert splits.class_names == ["neg", "pos"]
    assert splits.sizes() == {"train": 30, "val": 10, "test": 40}
    assert "imdb_reviews" in splits.source and "'text'/'label'" in splits.source
    ref = Counter((ex["text"].decode(), int(ex["label"])) for ex in ref_train)
    got = Counter(
        (t, int(y)) for part in (splits.train, splits.val) for t, y in zip(*part, strict=True)
    )
    assert got == ref
    assert Counter(splits.test[0].tolist()) == Counter(ex["text"].decode() for ex in ref_test)


def test_tfds_ag_news_uses_description_feature(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setattr(tfds_source, "_probe_hosts", lambda urls, timeout=5.0: (1, []))
    with tfds.testing.mock_data(num_examples=40):
        splits = load_text("ag_news_subset", data_dir=str(tmp_path))
        ref = list(tfds.load("ag_news_subset", split="test").as_numpy_iterator())
    assert splits.class_names == ["World", "Sports", "Business", "Sci/Tech"]
    assert "'description'/'label'" in splits.source
    assert Counter(splits.test[0].tolist()) == Counter(ex["description"].decode() for ex in ref)


def _no_network(monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args[:1])
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return calls


def test_tfds_offline_raises_one_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("tensorflow_datasets")
    calls = _no_network(monkeypatch)
    start = time.monotonic()
    with pytest.raises(DatasetUnavailableError) as info:
        load_text("imdb_reviews", data_dir=str(tmp_path))
    assert time.monotonic() - start < 10
    msg = str(info.value)
    assert "'imdb_reviews' is not prepared" in msg
    assert str(tmp_path) in msg
    assert f"tfds build imdb_reviews --data_dir {tmp_path}" in msg
    assert "download_and_prepare" in msg and "local files" in msg
    assert "ai.stanford.edu" in msg
    assert len(calls) == 1  # one connection attempt, no retry loop
    assert not (tmp_path / "downloads").exists()  # nothing half-downloaded


@pytest.mark.skipif(
    importlib.util.find_spec("importlib_resources") is None,
    reason="tensorflow-datasets' download path imports importlib_resources, which is not "
    "installed (add importlib-resources to the project dependencies)",
)
def test_tfds_download_failure_is_wrapped(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    _no_network(monkeypatch)
    monkeypatch.setattr(tfds_source, "_probe_hosts", lambda urls, timeout=5.0: (1, []))

    def fail(self, *args, **kwargs):
        raise ConnectionError("connection reset (test)")

    monkeypatch.setattr(tfds.download.DownloadManager, "download", fail)
    monkeypatch.setattr(tfds.download.DownloadManager, "download_and_extract", fail)
    with pytest.raises(DatasetUnavailableError,
                       match=r"download_and_prepare failed: ConnectionError: connection reset"):
        load_text("imdb_reviews", data_dir=str(tmp_path))
