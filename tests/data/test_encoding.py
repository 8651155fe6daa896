"""Text files are read with ``encoding=``; bytes that do not decode are a DataError naming
the file, the line and the encoding (it used to be a bare UnicodeDecodeError, no path)."""

import json
import re

import pytest

from seqkit.data import load_text
from seqkit.errors import ConfigError, DataError

LINES = [f"plain text number {i}\t{'pos' if i % 2 else 'neg'}" for i in range(20)]
ACCENTED = "un café très réussi\tpos"  # line 4 of the file below


def _latin1_file(path):
    lines = LINES[:3] + [ACCENTED] + LINES[3:]
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return path


def _error_pattern(path, line, encoding):
    return re.escape(f"{path}:{line}: cannot decode byte 0xe9") + ".*" + re.escape(
        f"as {encoding}") + ".*encoding="


def test_latin1_tsv_names_path_line_and_encoding(tmp_path):
    path = _latin1_file(tmp_path / "reviews.tsv")
    # the first undecodable byte: the "é" of "café" on line 4, offset from the file start
    offset = path.read_bytes().index(b"\xe9")
    with pytest.raises(DataError, match=_error_pattern(path, 4, "utf-8")) as info:
        load_text(path)
    assert f"byte offset {offset}" in str(info.value)
    splits = load_text(path, encoding="latin-1")
    texts = [t for part in (splits.train, splits.val, splits.test) for t in part[0]]
    assert "un café très réussi" in texts and len(texts) == 21


def test_cp1252_csv_and_jsonl(tmp_path):
    csv_path = tmp_path / "d.csv"
    rows = ["text,label"] + [f"row {i},{i % 2}" for i in range(20)]
    rows.append("\u201cquoted\u201d caf\xe9,1")  # line 22; 0x93 is cp1252's opening quote
    csv_path.write_bytes(("\n".join(rows) + "\n").encode("cp1252"))
    with pytest.raises(DataError, match=re.escape(f"{csv_path}:22: cannot decode byte 0x93")):
        load_text(csv_path)
    splits = load_text(csv_path, encoding="cp1252", test_fraction=0.0)
    assert "\u201cquoted\u201d caf\xe9" in splits.train[0].tolist() + splits.val[0].tolist()

    jsonl = tmp_path / "d.jsonl"
    lines = [json.dumps({"text": f"row {i}", "label": i % 2}) for i in range(20)]
    lines.insert(7, json.dumps({"text": "caf\xe9", "label": 1}, ensure_ascii=False))
    jsonl.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    with pytest.raises(DataError, match=_error_pattern(jsonl, 8, "utf-8")):
        load_text(jsonl)
    assert load_text(jsonl, encoding="latin-1").class_names == [0, 1]


def test_folder_per_class_names_the_file(tmp_path):
    for name in ("neg", "pos"):
        (tmp_path / name).mkdir()
        for i in range(6):
            (tmp_path / name / f"{i}.txt").write_text(f"{name} text {i}")
    bad = tmp_path / "pos" / "3.txt"
    bad.write_bytes("first line\nsecond line caf\xe9".encode("latin-1"))
    with pytest.raises(DataError, match=_error_pattern(bad, 2, "utf-8")):
        load_text(tmp_path, val_fraction=0.0, test_fraction=0.25)
    splits = load_text(tmp_path, val_fraction=0.0, test_fraction=0.25, encoding="latin-1")
    texts = splits.train[0].tolist() + splits.test[0].tolist()
    assert "first line\nsecond line café" in texts


def test_tsv_folder_names_the_file(tmp_path):
    (tmp_path / "a.tsv").write_text("\n".join(LINES) + "\n")
    bad = _latin1_file(tmp_path / "b.tsv")
    with pytest.raises(DataError, match=_error_pattern(bad, 4, "utf-8")):
        load_text(tmp_path)


def test_unknown_encoding_is_a_config_error(tmp_path):
    path = _latin1_file(tmp_path / "reviews.tsv")
    with pytest.raises(ConfigError, match=r"encoding must be a text encoding .* got 'latin-9x'"):
        load_text(path, encoding="latin-9x")
