"""Local text files and folders: ``.tsv``/``.txt``, ``.csv``, ``.jsonl``, folder-per-class
and folders of TSV files. Each reader returns the raw ``(texts, labels)`` lists; conversion
and validation happen in :mod:`seqkit.data.text.load`.

Every file is read with the caller's ``encoding`` (default UTF-8). Bytes that do not decode
are a :class:`DataError` naming the file, the line, the byte offset and the encoding
(:func:`decode_error`). Labels stay as the file has them: strings from TSV/CSV and folder
names, JSON's own types from JSONL.
"""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

from seqkit.errors import DataError
from seqkit.validation import fail

DEFAULT_ENCODING = "utf-8"


def check_encoding(encoding) -> str:
    """``encoding`` if Python knows the codec.

    Args:
        encoding: a codec name (``"utf-8"``, ``"latin-1"``, ``"cp1252"``, ...).

    Returns:
        ``encoding`` unchanged.

    Raises:
        ConfigError: not a string, or a codec Python does not know.

    Example:

    >>> check_encoding("latin-1")
    'latin-1'
    >>> check_encoding("utf-9")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: encoding must be a text encoding Python knows (e.g. 'utf-8', \
'latin-1'), got 'utf-9'
    """
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        fail("encoding", "a text encoding Python knows (e.g. 'utf-8', 'latin-1')", encoding)
    return encoding


def decode_error(path, data: bytes, encoding: str, err: UnicodeDecodeError) -> DataError:
    """The :class:`DataError` for bytes of ``path`` that ``encoding`` cannot decode.

    Args:
        path: the file, for the message.
        data: the file's bytes (or the part ``err`` refers to, from its start).
        encoding: the encoding that failed.
        err: the error of ``data.decode(encoding)``.

    Returns:
        The error (to raise), naming the file, the line (1-based), the byte offset and the
        encoding.

    Example:

    >>> data = "ok\\tpos\\ncaf\\xe9\\tneg\\n".encode("latin-1")
    >>> try:
    ...     data.decode("utf-8")
    ... except UnicodeDecodeError as err:
    ...     print(decode_error("reviews.tsv", data, "utf-8", err))
    reviews.tsv:2: cannot decode byte 0xe9 at byte offset 10 as utf-8 (invalid continuation \
byte); pass encoding= with the file's encoding (e.g. encoding='latin-1')
    """
    head = data[:err.start].decode(encoding, errors="replace")
    line = head.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    return DataError(
        f"{path}:{line}: cannot decode byte 0x{data[err.start]:02x} at byte offset "
        f"{err.start} as {encoding} ({err.reason}); pass encoding= with the file's encoding "
        "(e.g. encoding='latin-1')"
    )


def _decode_failure(path: Path, encoding: str) -> DataError | None:
    """Where ``path`` fails to decode (read again as bytes to find the exact place)."""
    data = Path(path).read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        return decode_error(path, data, encoding, err)
    return None


def _undecodable(path: Path, encoding: str) -> DataError:
    """:func:`_decode_failure`, or a plain error when a second read decodes after all."""
    return _decode_failure(path, encoding) or DataError(
        f"{path}: cannot be decoded as {encoding}")


def _numbered_lines(path: Path, encoding: str, newline=None):
    """``(line number, line)`` of a text file; a decode failure names file, line, encoding."""
    with open(path, encoding=encoding, newline=newline) as fh:
        try:
            yield from enumerate(fh, start=1)
        except UnicodeDecodeError:
            raise _undecodable(path, encoding) from None


def _read_tsv_noheader(path: Path, encoding: str = DEFAULT_ENCODING):
    """Read ``text<TAB>label`` lines with quoting off. Blank lines are skipped."""
    texts, labels = [], []
    for lineno, raw in _numbered_lines(path, encoding, newline=""):
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
    """The text column of a DataFrame as a list and its label column (missing columns
    named)."""
    missing = [c for c in (text_column, label_column) if c not in df.columns]
    if missing:
        raise DataError(
            f"{path}: column(s) {missing} not found; available columns: {list(df.columns)} "
            "(pass text_column=/label_column=)"
        )
    return df[text_column].tolist(), df[label_column]  # a Series keeps a category dtype


def _read_delimited(path: Path, suffix: str, text_column, label_column, encoding: str):
    """A CSV (quoting on) or a TSV with a header row (quoting off), every cell a string."""
    import pandas as pd

    sep = "," if suffix == ".csv" else "\t"
    quoting = csv.QUOTE_MINIMAL if suffix == ".csv" else csv.QUOTE_NONE
    try:
        df = pd.read_csv(
            path, sep=sep, quoting=quoting, dtype=str, keep_default_na=False, encoding=encoding,
        )
    except UnicodeDecodeError:
        raise _undecodable(path, encoding) from None
    except pd.errors.ParserError as err:
        raise DataError(f"{path}: cannot parse as {suffix[1:].upper()}: {err}") from err
    return _frame_columns(df, path, text_column, label_column)


def _read_jsonl(path: Path, text_column, label_column, encoding: str):
    """One JSON object per line; blank lines are skipped, bad lines named by number."""
    texts, labels = [], []
    for lineno, line in _numbered_lines(path, encoding):
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


def _read_table(path: Path, text_column, label_column, encoding: str = DEFAULT_ENCODING):
    """Read one file by its suffix; returns ``(texts, labels)`` lists."""
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".txt") and text_column is None and label_column is None:
        return _read_tsv_noheader(path, encoding)
    text_column = text_column or "text"
    label_column = label_column or "label"
    if suffix in (".tsv", ".txt", ".csv"):
        return _read_delimited(path, suffix, text_column, label_column, encoding)
    if suffix == ".jsonl":
        return _read_jsonl(path, text_column, label_column, encoding)
    raise DataError(
        f"{path}: unsupported file type {suffix!r}; use .tsv/.txt (text<TAB>label), .csv, "
        ".jsonl, or a directory"
    )


def _undecodable_in_folder(path: Path, encoding: str) -> DataError:
    """The first ``.txt`` file under ``path`` that ``encoding`` cannot decode, named."""
    for f in sorted(p for p in path.rglob("*") if p.suffix.lower() == ".txt" and p.is_file()):
        error = _decode_failure(f, encoding)
        if error is not None:
            return error
    return DataError(f"{path}: a .txt file cannot be decoded as {encoding}")


def _read_class_folders(path: Path, encoding: str = DEFAULT_ENCODING):
    """Folder-per-class ``.txt`` files, read with ``keras.utils.text_dataset_from_directory``
    (bytes, decoded here with ``encoding``); the labels are the folder names."""
    import keras

    ds = keras.utils.text_dataset_from_directory(
        str(path), labels="inferred", label_mode="int", batch_size=None, shuffle=False,
        follow_links=True, verbose=False,
    )
    class_names = list(ds.class_names)
    texts, labels = [], []
    for text, label in ds.as_numpy_iterator():
        try:
            texts.append(bytes(text).decode(encoding))
        except UnicodeDecodeError:
            raise _undecodable_in_folder(path, encoding) from None
        labels.append(class_names[int(label)])
    if not texts:
        raise DataError(f"{path}: class folders {class_names} contain no .txt files")
    desc = f"folder-per-class {path} ({len(class_names)} classes: {class_names})"
    return texts, labels, class_names, desc


def _read_directory(path: Path, text_column, label_column, encoding: str = DEFAULT_ENCODING):
    """Folder-per-class layout (read with keras) or a folder of TSV files (concatenated).

    Returns ``(texts, labels, class_names or None, description)``; folder-per-class labels
    are the folder names (strings), ``class_names`` all folders in keras' (sorted) order.
    """
    subdirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if subdirs:
        return _read_class_folders(path, encoding)
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
        t, y = _read_table(f, text_column, label_column, encoding)
        texts.extend(t)
        labels.extend(y)
    desc = f"TSV folder {path} ({', '.join(f.name for f in files)})"
    return texts, labels, None, desc
