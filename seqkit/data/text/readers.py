"""Local text files and folders: ``.tsv``/``.txt``, ``.csv``, ``.jsonl``, folder-per-class
and folders of TSV files. Each reader returns the raw ``(texts, labels)`` lists; conversion
and validation happen in :mod:`seqkit.data.text.load`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from seqkit.errors import DataError


def _read_tsv_noheader(path: Path):
    """Read ``text<TAB>label`` lines with quoting off. Blank lines are skipped."""
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            if "\t" not in line:
                raise DataError(
                    f"{path}:{lineno}: expected 'text<TAB>label', found no tab: {line[:60]!r}"
                )
            text, label = line.rsplit("\t", 1)
            texts.append(text)
            labels.append(label.strip())
    return texts, labels


def _frame_columns(df, path, text_column, label_column):
    """The text and label columns of a DataFrame as lists (missing columns named)."""
    missing = [c for c in (text_column, label_column) if c not in df.columns]
    if missing:
        raise DataError(
            f"{path}: column(s) {missing} not found; available columns: {list(df.columns)} "
            "(pass text_column=/label_column=)"
        )
    return df[text_column].tolist(), df[label_column].tolist()


def _read_delimited(path: Path, suffix: str, text_column, label_column):
    """A CSV (quoting on) or a TSV with a header row (quoting off), every cell a string."""
    import pandas as pd

    sep = "," if suffix == ".csv" else "\t"
    quoting = csv.QUOTE_MINIMAL if suffix == ".csv" else csv.QUOTE_NONE
    try:
        df = pd.read_csv(
            path, sep=sep, quoting=quoting, dtype=str, keep_default_na=False, encoding="utf-8",
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot parse as {suffix[1:].upper()}: {err}") from err
    return _frame_columns(df, path, text_column, label_column)


def _read_jsonl(path: Path, text_column, label_column):
    """One JSON object per line; blank lines are skipped, bad lines named by number."""
    texts, labels = [], []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"{path}:{lineno}: invalid JSON: {err}") from err
            if not isinstance(obj, dict):
                raise DataError(f"{path}:{lineno}: expected a JSON object, got {obj!r:.60}")
            missing = [c for c in (text_column, label_column) if c not in obj]
            if missing:
                raise DataError(
                    f"{path}:{lineno}: key(s) {missing} missing; keys: {sorted(obj)} "
                    "(pass text_column=/label_column=)"
                )
            texts.append(obj[text_column])
            labels.append(obj[label_column])
    return texts, labels


def _read_table(path: Path, text_column, label_column):
    """Read one file by its suffix; returns ``(texts, labels)`` lists."""
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".txt") and text_column is None and label_column is None:
        return _read_tsv_noheader(path)
    text_column = text_column or "text"
    label_column = label_column or "label"
    if suffix in (".tsv", ".txt", ".csv"):
        return _read_delimited(path, suffix, text_column, label_column)
    if suffix == ".jsonl":
        return _read_jsonl(path, text_column, label_column)
    raise DataError(
        f"{path}: unsupported file type {suffix!r}; use .tsv/.txt (text<TAB>label), .csv, "
        ".jsonl, or a directory"
    )


def _read_class_folders(path: Path):
    """Folder-per-class ``.txt`` files, read with ``keras.utils.text_dataset_from_directory``."""
    import keras

    ds = keras.utils.text_dataset_from_directory(
        str(path), labels="inferred", label_mode="int", batch_size=None, shuffle=False,
        follow_links=True, verbose=False,
    )
    class_names = list(ds.class_names)
    texts, labels = [], []
    for text, label in ds.as_numpy_iterator():
        texts.append(text)
        labels.append(int(label))
    if not texts:
        raise DataError(f"{path}: class folders {class_names} contain no .txt files")
    desc = f"folder-per-class {path} ({len(class_names)} classes: {class_names})"
    return texts, labels, class_names, desc


def _read_directory(path: Path, text_column, label_column):
    """Folder-per-class layout (read with keras) or a folder of TSV files (concatenated).

    Returns ``(texts, labels, class_names or None, description)``.
    """
    subdirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if subdirs:
        return _read_class_folders(path)
    files = sorted(
        p for p in path.iterdir()
        if p.is_file() and p.suffix.lower() in (".tsv", ".txt") and not p.name.startswith(".")
        and p.name.lower() not in ("readme.txt",)
    )
    if not files:
        raise DataError(
            f"{path}: no class sub-folders and no .tsv/.txt files; expected either "
            "class_a/*.txt, class_b/*.txt or files of 'text<TAB>label' lines"
        )
    texts, labels = [], []
    for f in files:
        t, y = _read_table(f, text_column, label_column)
        texts.extend(t)
        labels.extend(y)
    desc = f"TSV folder {path} ({', '.join(f.name for f in files)})"
    return texts, labels, None, desc
