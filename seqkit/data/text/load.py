"""``load_text``: any labelled text source to stratified, seeded train/val/test splits.

The steps, each a function here: check the options; read the source into raw texts and
labels (:func:`_read_source`: a path, a tfds name, a DataFrame or in-memory texts); convert
and validate them; split (:func:`_split_all` carves val and test from everything,
:func:`_split_with_source_test` keeps the source's own test split).

Local text files and folders: ``.tsv``/``.txt``, ``.csv``, ``.jsonl``, folder-per-class
and folders of TSV files. Each reader returns the raw ``(texts, labels)`` lists; conversion
and validation happen in :mod:`seqkit.data.text.load`.

Every file is read with the caller's ``encoding`` (default UTF-8). Bytes that do not decode
are a :class:`DataError` naming the file, the line, the byte offset and the encoding
(:func:`decode_error`). Labels stay as the file has them: strings from TSV/CSV and folder
names, JSON's own types from JSONL.

tensorflow-datasets sources for :func:`seqkit.data.load_text`.

A registered tfds name is loaded with its builder; an unprepared dataset is downloaded only
after one TCP connection check per host (:func:`_probe_hosts`), so an offline machine gets
one :class:`DatasetUnavailableError` at once, with the commands that prepare the data
elsewhere, instead of tfds' retry loop.

Train/val/test splits of labelled examples: the split containers, stratified splitting
(the rule of :mod:`seqkit.data.splits`) and the seeded subsample taken before splitting
(scikit-learn ``train_test_split``).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import json
import os
import re
import socket
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from seqkit.data.splits import stratified_holdout
from seqkit.data.text.convert import (
    EMPTY_POLICIES,
    _labels_to_list,
    check_text_labels,
    check_texts,
    to_label_array,
    to_text_array,
)
from seqkit.errors import ConfigError, DataError, DatasetUnavailableError
from seqkit.validation import check_choice, check_optional_int, check_split_fractions, fail

DEFAULT_ENCODING = "utf-8"


def _read_path(source, path: Path, labels, data_dir, text_column, label_column,
               max_examples, encoding):
    """An existing file or folder, or a tfds name:
    ``(texts, labels, test part or None, class names or None, description)``."""
    if path.exists():
        if labels is not None:
            raise ConfigError("labels= is only for in-memory texts, not for a path source")
        if path.is_dir():
            texts, raw_labels, names, desc = _read_directory(path, text_column, label_column,
                                                             encoding)
            return texts, raw_labels, None, names, desc
        texts, raw_labels = _read_table(path, text_column, label_column, encoding)
        return texts, raw_labels, None, None, f"file {path}"
    if isinstance(source, str) and _tfds_builder_cls(source) is not None:
        if labels is not None:
            raise ConfigError("labels= is only for in-memory texts, not for a tfds name")
        (texts, raw_labels), test_part, names, desc = _load_tfds(
            source, data_dir, text_column, label_column, max_examples
        )
        return texts, raw_labels, test_part, names, desc
    raise DataError(
        f"source {str(source)!r} is neither an existing file/folder nor a registered "
        "tensorflow-datasets name (e.g. 'imdb_reviews', 'ag_news_subset', "
        "'yelp_polarity_reviews')"
    )


def _read_source(source, labels, data_dir, text_column, label_column, max_examples,
                 encoding):
    """Raw ``(texts, labels, test part or None, class names or None, description)``."""
    if isinstance(source, (str, os.PathLike)):
        return _read_path(source, Path(source).expanduser(), labels, data_dir, text_column,
                          label_column, max_examples, encoding)
    if type(source).__module__.startswith("pandas") and getattr(source, "ndim", 1) == 2:
        if labels is not None:
            raise ConfigError("labels= is not used with a DataFrame; name label_column= instead")
        texts, raw_labels = _frame_columns(
            source, "DataFrame", text_column or "text", label_column or "label"
        )
        return texts, raw_labels, None, None, f"DataFrame ({len(source)} rows)"
    if labels is None:
        raise ConfigError(
            f"in-memory texts ({type(source).__name__}) need labels=; or pass a DataFrame, "
            "a file path or a tensorflow-datasets name"
        )
    return source, labels, None, None, f"in-memory {type(source).__name__}"


def _split_all(texts, y, val_fraction, test_fraction, seed, max_examples):
    """Subsample, then carve test and val (fractions of the whole set) stratified."""
    texts, y = _subsample(texts, y, max_examples, seed)
    rest, test = _stratified_split(texts, y, test_fraction, seed, "test")
    frac = val_fraction / (1.0 - test_fraction) if val_fraction else 0.0
    train, val = _stratified_split(rest[0], rest[1], frac, seed, "val")
    desc = f"stratified split val={val_fraction}, test={test_fraction}, seed={seed}"
    return train, val, test, desc


def _split_with_source_test(texts, y, test_part, class_names, val_fraction, seed,
                            empty_policy):
    """Keep the source's test split (checked like train); carve val from train."""
    t_test = to_text_array(test_part[0])
    check_text_labels(t_test, test_part[1])
    y_test, _ = to_label_array(test_part[1], classes=class_names, min_classes=1)
    t_test, y_test = check_texts(t_test, y_test, empty_policy=empty_policy)
    test = (t_test, y_test.astype(np.int32))
    train, val = _stratified_split(texts, y, val_fraction, seed, "val")
    desc = f"source train/test splits, val={val_fraction} of train (stratified, seed={seed})"
    return train, val, test, desc


def load_text(
    source,
    *,
    labels=None,
    data_dir=None,
    text_column=None,
    label_column=None,
    val_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
    empty_policy: str = "error",
    max_examples: int | None = None,
    classes=None,
    encoding: str = DEFAULT_ENCODING,
) -> TextSplits:
    """Load a labelled text set and split it into train/val/test (stratified, seeded).

    ``source`` may be:

    - a tensorflow-datasets name (``"imdb_reviews"``, ``"ag_news_subset"``,
      ``"yelp_polarity_reviews"``, ...): a ``str`` that is not an existing path and is a
      registered tfds name. Loaded with ``tfds.builder(name, data_dir=data_dir)``; when the
      data is not prepared in ``data_dir`` it is downloaded (``download_and_prepare``), after a
      single connection check, so an offline machine gets one
      :class:`DatasetUnavailableError` naming the dataset, the ``data_dir`` and how to prepare
      it. The text and label features are the builder's ``Text`` and ``ClassLabel`` features
      (``supervised_keys`` decide when there are several; ``text_column``/``label_column``
      override). The classes are the ``ClassLabel``'s names in its order, or its integers
      ``0..K-1`` when it has no names (:func:`seqkit.data.text.load.tfds_class_names`).
      The source's own ``train``/``test`` splits are used (``test_fraction`` is then
      ignored); ``val`` is carved from ``train``.
      ``max_examples`` reads the first N of each source split (``"train[:N]"``).
    - a local file: ``.tsv``/``.txt`` (``text<TAB>label`` lines, no header, quoting off,
      split on the last tab; with ``text_column``/``label_column`` given, a header row names
      the columns), ``.csv`` (header; columns ``text_column``/``label_column``, default
      ``"text"``/``"label"``), ``.jsonl`` (one JSON object per line, same keys).
    - a directory: class sub-folders of ``.txt`` files (the layout
      ``keras.utils.text_dataset_from_directory`` reads; read with it, the classes are the
      folder names, sorted), or, without sub-folders, a folder of ``.tsv``/``.txt`` files of
      ``text<TAB>label`` lines, concatenated in file-name order (``readme.txt`` is skipped).
    - in memory: texts (list, NumPy array, pandas Series) with ``labels=``, or a pandas
      DataFrame with ``text_column``/``label_column`` columns (default ``"text"``/``"label"``).

    Labels keep their type (:mod:`seqkit.data.text.convert`): a file's labels are strings
    (``"0"``/``"1"`` in a TSV are the classes ``"0"`` and ``"1"``), JSONL labels keep JSON's
    types, in-memory labels keep theirs (integers, booleans, a pandas ``Categorical``'s
    categories).

    Args:
        source: where the data is, one of the forms above.
        labels: the labels of in-memory texts (only then).
        data_dir: the tensorflow-datasets data directory (tfds sources).
        text_column: the text column (CSV, TSV with header, JSONL, DataFrame) or tfds feature.
        label_column: the label column or tfds feature.
        val_fraction: fraction of all examples (of ``train`` for a tfds source) in [0, 1).
        test_fraction: fraction of all examples in [0, 1) (ignored for a tfds source).
            Splits follow :mod:`seqkit.data.splits`: scikit-learn's stratified
            ``train_test_split(random_state=seed)`` when it keeps every class on both
            sides, else a seeded per-class draw; at least one example of every class in
            each part when possible. The same seed gives the same split.
        seed: the split (and subsample) seed.
        empty_policy: what to do with empty/whitespace-only texts, see :func:`check_texts`.
        max_examples: cap on examples (local/in-memory: a stratified seeded subsample taken
            before splitting; tfds: first N of each source split). None reads everything.
        classes: the class names in id order, of the labels' type; fixes the order and
            may hold classes the data lacks (a label not among them is a DataError naming
            it). None: the sorted unique labels (folder names, ClassLabel names, a
            Categorical's categories).
        encoding: the text encoding of local files (default ``"utf-8"``); a byte sequence
            it cannot decode is a DataError naming the file, the line and the encoding.

    Returns:
        :class:`TextSplits`: ``(texts, int32 ids)`` per split, the class names (typed, id
        order) and a ``source`` line naming the data and the split.

    Raises:
        DataError: malformed data (see :func:`to_text_array`, :func:`to_label_array`,
            :func:`check_texts`), a missing file, unknown columns.
        DatasetUnavailableError: a tfds dataset that is not prepared and cannot be downloaded.
        ConfigError: bad fractions, policy or encoding.

    Example:

    >>> splits = load_text(["good", "bad", "fine", "awful"] * 5, labels=["pos", "neg"] * 10,
    ...                    val_fraction=0.2, test_fraction=0.2, seed=0)
    >>> splits.sizes(), splits.class_names
    ({'train': 12, 'val': 4, 'test': 4}, ['neg', 'pos'])
    >>> splits.train[0].dtype, splits.train[1].dtype
    (dtype('O'), dtype('int32'))
    >>> load_text(["a", "b"] * 10, labels=[2, 1] * 10).class_names  # integers stay integers
    [1, 2]
    """
    val_fraction, test_fraction = check_split_fractions(val_fraction, test_fraction)
    check_choice("empty_policy", empty_policy, EMPTY_POLICIES)
    check_encoding(encoding)

    texts, raw_labels, test_part, names_hint, desc = _read_source(
        source, labels, data_dir, text_column, label_column, max_examples, encoding
    )
    texts = to_text_array(texts)
    check_text_labels(texts, _labels_to_list(raw_labels))
    y, class_names = to_label_array(
        raw_labels, classes=classes if classes is not None else names_hint)
    texts, y = check_texts(texts, y, empty_policy=empty_policy)
    if test_part is None:
        train, val, test, split_desc = _split_all(
            texts, y, val_fraction, test_fraction, seed, max_examples
        )
    else:
        train, val, test, split_desc = _split_with_source_test(
            texts, y, test_part, class_names, val_fraction, seed, empty_policy
        )
    return TextSplits(
        train=train, val=val, test=test, class_names=class_names,
        source=f"{desc}; {split_desc}",
    )




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


_TFDS_NAME = re.compile(r"^[a-z][a-z0-9_]*(/[A-Za-z0-9_.\-]+)?(:[0-9.*]+)?$")


def _tfds_builder_cls(source: str):
    """Return the tfds builder class when ``source`` is a registered tfds name, else None."""
    if not _TFDS_NAME.match(source):
        return None
    try:
        import tensorflow_datasets as tfds
    except ImportError:  # pragma: no cover - tfds is a declared dependency
        return None
    base = source.split(":")[0].split("/")[0]
    try:
        return tfds.builder_cls(base)
    except Exception:  # DatasetNotFoundError and name-parsing errors
        return None


def _probe_hosts(urls, timeout: float = 5.0) -> tuple[int, list[str]]:
    """Try one TCP connection per distinct host (or to the proxy).

    Returns ``(number of hosts tried, descriptions of the failed ones)``.

    One attempt each, no retries: used before a tfds download so that an offline machine gets
    one clear error at once instead of tfds' urllib3 retry loop (10 tries with back-off).
    """
    proxies = urllib.request.getproxies()
    failures, seen = [], set()
    for url in urls:
        parsed = urllib.parse.urlparse(url)
        scheme = parsed.scheme or "http"
        proxy = proxies.get(scheme)
        target = urllib.parse.urlparse(proxy) if proxy else parsed
        host = target.hostname
        port = target.port or (443 if (target.scheme or scheme) == "https" else 80)
        if not host or (host, port) in seen:
            continue
        seen.add((host, port))
        try:
            with socket.create_connection((host, port), timeout=timeout):
                pass
        except OSError as err:
            failures.append(f"{host}:{port} ({type(err).__name__}: {err})")
    return len(seen), failures


def _tfds_help(name: str, data_dir: str) -> str:
    """How to prepare ``name`` elsewhere and bring it here (the tail of the offline error)."""
    return (
        f"To use it offline, prepare it on a machine with network access: "
        f"`tfds build {name} --data_dir {data_dir}` (or "
        f"`tfds.builder({name!r}, data_dir={data_dir!r}).download_and_prepare()`), then copy "
        f"{data_dir} to this machine and pass data_dir=. Or pass local files to load_text "
        "(.tsv/.csv/.jsonl or a folder)."
    )


def _find_tfds_keys(features, supervised_keys, text_column, label_column, name):
    """The text and label feature names: given, else ``supervised_keys``, else the only one."""
    import tensorflow_datasets as tfds

    texts = [k for k, f in features.items() if isinstance(f, tfds.features.Text)]
    classes = [k for k, f in features.items() if isinstance(f, tfds.features.ClassLabel)]
    sk = supervised_keys if isinstance(supervised_keys, tuple) and len(supervised_keys) == 2 \
        else (None, None)
    text_key = text_column or (sk[0] if sk[0] in texts else (texts[0] if len(texts) == 1
                                                                 else None))
    label_key = label_column or (sk[1] if sk[1] in classes else (classes[0] if len(classes) == 1
                                                                  else None))
    if text_key is None or label_key is None or text_key not in features \
            or label_key not in features:
        raise DataError(
            f"tfds dataset {name!r}: cannot tell the text/label features apart (Text features "
            f"{texts}, ClassLabel features {classes}); pass text_column= and label_column="
        )
    return text_key, label_key


def _tfds_split_to_numpy(builder, split, text_key, label_key):
    """One split as ``(list of bytes texts, int labels array)``."""
    ds = builder.as_dataset(split=split, shuffle_files=False)
    ds = ds.map(lambda ex: (ex[text_key], ex[label_key])).batch(4096)
    texts, labels = [], []
    for t, y in ds.as_numpy_iterator():
        texts.extend(t.tolist())
        labels.append(np.asarray(y))
    labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    return texts, labels


def _ensure_prepared(builder, name: str, root: str) -> None:
    """Download and prepare ``builder`` unless it is prepared; one clear error offline."""
    import tensorflow_datasets as tfds

    if builder.is_prepared():
        return
    urls = list(getattr(builder, "url_infos", None) or {})
    tried, failures = _probe_hosts(urls)
    if tried and len(failures) == tried:
        raise DatasetUnavailableError(
            f"tensorflow-datasets {name!r} is not prepared in {builder.data_path} (data_dir "
            f"{root}) and cannot be downloaded here: no connection to "
            f"{'; '.join(failures[:3])}. " + _tfds_help(name, root)
        )
    try:
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(try_download_gcs=False)
        )
    except Exception as err:  # tfds raises many types (requests, OSError, checksum...)
        raise DatasetUnavailableError(
            f"tensorflow-datasets {name!r} is not prepared in {builder.data_path} (data_dir "
            f"{root}) and download_and_prepare failed: {type(err).__name__}: "
            f"{str(err)[:300]}. " + _tfds_help(name, root)
        ) from err


def tfds_class_names(feature) -> list:
    """The class names of a tfds ``ClassLabel``: its names, or its integers when it has none.

    A ``ClassLabel(names=[...])`` gives those names (strings, in the feature's order: id
    ``k`` is ``names[k]``). A ``ClassLabel(num_classes=K)`` has no names (tfds makes up
    ``"0".."K-1"``); its labels are the integers the dataset yields, so the classes are
    ``0..K-1`` as ``int``.

    Args:
        feature: a ``tfds.features.ClassLabel`` (only its ``names`` are read).

    Returns:
        The class names in id order.

    Example (stand-ins with the ``names`` that tfds' ``ClassLabel`` gives):

    >>> from types import SimpleNamespace
    >>> tfds_class_names(SimpleNamespace(names=["neg", "pos"]))  # ClassLabel(names=...)
    ['neg', 'pos']
    >>> tfds_class_names(SimpleNamespace(names=["0", "1", "2"]))  # ClassLabel(num_classes=3)
    [0, 1, 2]
    """
    names = list(feature.names)
    if names == [str(k) for k in range(len(names))]:
        return list(range(len(names)))
    return names


def _named(part, class_names):
    """``(texts, labels as class names)`` of one split of ids."""
    texts, ids = part
    return texts, [class_names[int(k)] for k in ids]


def _load_tfds(name, data_dir, text_column, label_column, max_examples):
    """``(train, test or None, class_names, description)`` of a tfds text dataset.

    ``test`` is the source's ``test`` split (``validation`` when there is no test split),
    None when it is unlabelled; ``max_examples`` reads the first N of each split. Labels
    are returned as class names (:func:`tfds_class_names`).
    """
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=data_dir)
    root = str(getattr(builder, "data_dir_root", None) or data_dir or "~/tensorflow_datasets")
    _ensure_prepared(builder, name, root)
    features = builder.info.features
    text_key, label_key = _find_tfds_keys(
        features, builder.info.supervised_keys, text_column, label_column, name
    )
    class_names = tfds_class_names(features[label_key])
    available = set(builder.info.splits.keys()) if builder.info.splits else set()
    test_split = "test"
    if available and "test" not in available:
        test_split = "validation" if "validation" in available else None

    def spec(split):
        return f"{split}[:{max_examples}]" if max_examples else split

    train = _tfds_split_to_numpy(builder, spec("train"), text_key, label_key)
    test = None
    if test_split is not None:
        test = _tfds_split_to_numpy(builder, spec(test_split), text_key, label_key)
        if len(test[1]) and (test[1] < 0).any():  # unlabelled test split (e.g. GLUE)
            test = None
    desc = f"tensorflow-datasets {name} ({text_key!r}/{label_key!r}, data_dir {root})"
    test = _named(test, class_names) if test is not None else None
    return _named(train, class_names), test, class_names, desc


@dataclasses.dataclass
class LabelledSplits:
    """Train/val/test ``(inputs, int32 class ids)`` tuples with the class names and where
    the data came from; the base of :class:`TextSplits` and
    :class:`seqkit.data.SequenceSplits`.

    Args:
        train: ``(inputs, ids)`` of the training split.
        val: ``(inputs, ids)`` of the validation split (may hold 0 examples).
        test: ``(inputs, ids)`` of the test split (may hold 0 examples).
        class_names: ``class_names[k]`` names class id ``k``; the labels as given, of their
            type (``str``, ``int`` or ``bool``).
        source: human-readable description of where the data came from.

    Example:

    >>> part = (np.zeros((2, 3)), np.array([0, 1], np.int32))
    >>> splits = LabelledSplits(part, part, part, ["neg", "pos"], "in-memory")
    >>> splits.num_classes, splits.sizes()
    (2, {'train': 2, 'val': 2, 'test': 2})
    """

    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    class_names: list
    source: str

    @property
    def num_classes(self) -> int:
        """Number of classes (``len(class_names)``)."""
        return len(self.class_names)

    def sizes(self) -> dict[str, int]:
        """Number of examples per split.

        Returns:
            ``{"train": .., "val": .., "test": ..}``.

        Example:

        >>> part = (np.array(["a"], dtype=object), np.array([0], np.int32))
        >>> LabelledSplits(part, part, part, ["x"], "").sizes()["train"]
        1
        """
        return {"train": len(self.train[0]), "val": len(self.val[0]), "test": len(self.test[0])}


@dataclasses.dataclass
class TextSplits(LabelledSplits):
    """Train/val/test texts and labels, as :func:`seqkit.data.load_text` returns them.

    Args:
        train: ``(texts, labels)``: ``np.ndarray[object]`` of ``str`` and
            ``np.ndarray[int32]`` class ids.
        val: the same for validation; may hold 0 examples when its fraction is 0.
        test: the same for test; may hold 0 examples when its fraction is 0.
        class_names: names of the class ids (``class_names[k]`` is id ``k``), typed as the
            labels were.
        source: human-readable description of where the data came from.

    Example:

    >>> texts = np.array(["good", "bad"], dtype=object)
    >>> part = (texts, np.array([1, 0], np.int32))
    >>> TextSplits(part, part, part, ["neg", "pos"], "in-memory").num_classes
    2
    """


def _stratified_split(texts, labels, fraction, seed, what):
    """Split off ``fraction`` of the examples by :func:`seqkit.data.splits.stratified_holdout`
    (stratified, seeded, at least one example per class on both sides when possible).
    Returns ``(rest, part)``."""
    keep, held = stratified_holdout(labels, fraction, seed, what=what)
    return ((texts[keep], labels[keep].astype(np.int32)),
            (texts[held], labels[held].astype(np.int32)))


def _subsample(texts, labels, max_examples, seed):
    """At most ``max_examples`` examples: stratified and seeded, else a seeded plain sample."""
    if max_examples is None or len(texts) <= max_examples:
        return texts, labels
    check_optional_int("max_examples", max_examples, minimum=2)
    from sklearn.model_selection import train_test_split

    try:
        t, _, y, _ = train_test_split(
            texts, labels, train_size=max_examples, random_state=seed, stratify=labels
        )
    except ValueError:  # too few per class to stratify: fall back to a seeded plain sample
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(len(texts), size=max_examples, replace=False))
        t, y = texts[idx], labels[idx]
    return t, y.astype(np.int32)
