"""Text classification data: conversion, validation, loading, splitting, vectorizing.

Everything here works on plain NumPy object arrays of Python ``str`` (texts) and ``int32``
arrays (labels), and on ``tf.data`` for feeding Keras.

Why the conversions matter: ``keras.Model.fit`` refuses NumPy unicode arrays
(``np.array(list_of_str)`` has dtype ``<U..`` and fit raises ``Invalid dtype: str...``), while
object arrays, lists and string tensors work. :func:`to_text_array` turns every accepted form
into an object array so the rest of seqkit never sees a ``<U..`` array.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import re
import socket
import urllib.parse
import urllib.request
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seqkit.errors import ConfigError, DataError, DatasetUnavailableError

__all__ = [
    "TextSplits",
    "check_text_labels",
    "check_texts",
    "load_text",
    "make_vectorizer",
    "text_dataset",
    "to_label_array",
    "to_text_array",
]

EMPTY_POLICIES = ("error", "drop")
_INT_LIKE = re.compile(r"^[+-]?\d+$")


# --------------------------------------------------------------------------------------
# Conversion and validation
# --------------------------------------------------------------------------------------
def _describe(value) -> str:
    """Short description of a value for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def to_text_array(x) -> np.ndarray:
    """Convert texts to a 1-D NumPy ``object`` array of Python ``str``.

    Accepted: a list/tuple of ``str`` (or ``bytes``, decoded as UTF-8), a NumPy unicode
    (``<U..``), bytes (``S..``) or object array, a pandas ``Series``, a ``tf.Tensor`` of
    dtype ``tf.string``, or a single ``str``/``bytes`` (one text). 0-D arrays count as one text.

    Raises:
        DataError: for anything else, naming the type (wrong container), the shape (arrays
            that are not 1-D) or the index and type of the first bad element (numbers,
            ``None``, NaN, undecodable bytes).
    """
    if isinstance(x, (str, bytes)):
        x = [x]
    # pandas Series / Index (duck-typed so pandas stays an optional import here)
    if type(x).__module__.startswith("pandas"):
        if not hasattr(x, "to_numpy") or getattr(x, "ndim", 1) != 1:
            raise DataError(
                f"texts must be 1-D; got a pandas {type(x).__name__} of shape "
                f"{getattr(x, 'shape', '?')} (pick one column, e.g. df['text'])"
            )
        x = x.to_numpy(dtype=object)
    elif type(x).__module__.startswith("tensorflow"):
        import tensorflow as tf

        if isinstance(x, tf.RaggedTensor) or not isinstance(x, tf.Tensor):
            raise DataError(f"texts must be a dense tf.string tensor; got {type(x).__name__}")
        if x.dtype != tf.string:
            raise DataError(f"texts tensor must have dtype tf.string; got {x.dtype.name}")
        x = x.numpy()
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            x = x.reshape(1)
        if x.ndim != 1:
            raise DataError(f"texts must be a 1-D array of strings; got shape {x.shape}")
        if x.dtype.kind not in "USO":
            raise DataError(
                f"texts must be strings; got a NumPy array of dtype {x.dtype} "
                f"(first value {_describe(x[0].item()) if len(x) else 'n/a'})"
            )
        items = x.tolist()
    elif isinstance(x, (list, tuple)):
        items = list(x)
    else:
        raise DataError(
            "texts must be a list/tuple of str, a NumPy string or object array, a pandas "
            f"Series, or a tf.string tensor; got {type(x).__module__}.{type(x).__name__}"
        )
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        if isinstance(item, str):
            out[i] = item
        elif isinstance(item, (bytes, np.bytes_)):
            try:
                out[i] = bytes(item).decode("utf-8")
            except UnicodeDecodeError as err:
                raise DataError(
                    f"text at index {i} is bytes that are not valid UTF-8: {err}"
                ) from err
        else:
            raise DataError(
                f"text at index {i} is not a string: {_describe(item)} "
                "(None/NaN/numbers are not texts; drop or fill them first)"
            )
    return out


def _labels_to_list(y) -> list:
    if type(y).__module__.startswith("pandas"):
        if getattr(y, "ndim", 1) != 1:
            raise DataError(f"labels must be 1-D; got a pandas object of shape {y.shape}")
        return y.to_numpy(dtype=object).tolist()
    if type(y).__module__.startswith("tensorflow"):
        y = y.numpy()
    if isinstance(y, np.ndarray):
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise DataError(f"labels must be 1-D (one label per text); got shape {y.shape}")
        return y.tolist()
    if isinstance(y, (list, tuple)):
        return list(y)
    raise DataError(
        f"labels must be a list, NumPy array, pandas Series or tensor; got {type(y).__name__}"
    )


def to_label_array(y, class_names=None, *, min_classes: int = 2):
    """Convert labels to ``int32`` class ids.

    Labels may be integers (``0..K-1``; integral floats such as ``1.0`` are accepted) or strings
    (bytes are decoded). String labels are mapped to ids through ``class_names`` when given,
    else through the sorted unique names. When ``class_names`` is None and every string label
    looks like an integer (``"0"``, ``"1"``, as in TSV files), they are read as integers.

    Returns:
        ``(ids, class_names)``: an ``int32`` array and the list of class names (for integer
        labels without names: ``["0", "1", ..., str(max_id)]``).

    Raises:
        DataError: unknown labels when ``class_names`` is given (named), negative or
            non-integral numbers, None entries, or fewer than ``min_classes`` distinct classes
            in ``y`` (the single class is named).
    """
    items = _labels_to_list(y)
    if class_names is not None:
        class_names = [str(c) for c in class_names]
    decoded = []
    for i, v in enumerate(items):
        if isinstance(v, (bytes, np.bytes_)):
            v = bytes(v).decode("utf-8")
        if isinstance(v, (bool, np.bool_)):
            v = int(v)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise DataError(f"label at index {i} is missing ({v!r})")
        decoded.append(v)
    strings = [isinstance(v, str) for v in decoded]
    if any(strings) and not all(strings):
        i = strings.index(False) if strings[0] else strings.index(True)
        raise DataError(
            f"labels mix strings and numbers (index 0 is {_describe(decoded[0])}, "
            f"index {i} is {_describe(decoded[i])})"
        )
    if decoded and all(strings) and class_names is None:
        stripped = [v.strip() for v in decoded]
        if all(_INT_LIKE.match(v) for v in stripped):
            decoded = [int(v) for v in stripped]
            strings = [False] * len(decoded)

    if decoded and all(strings):
        names = class_names if class_names is not None else sorted(set(decoded))
        lookup = {name: k for k, name in enumerate(names)}
        unknown = sorted({v for v in decoded if v not in lookup})
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:10])
            more = f" (+{len(unknown) - 10} more)" if len(unknown) > 10 else ""
            raise DataError(
                f"{len(unknown)} unknown label(s) not in class_names {names}: {shown}{more}"
            )
        ids = np.array([lookup[v] for v in decoded], dtype=np.int32)
    else:
        ints = []
        for i, v in enumerate(decoded):
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise DataError(f"label at index {i} is not a class: {_describe(v)}") from None
            if not math.isfinite(fv) or fv != int(fv):
                raise DataError(f"label at index {i} is not an integer class id: {v!r}")
            if fv < 0:
                raise DataError(f"label at index {i} is negative ({v!r}); class ids start at 0")
            ints.append(int(fv))
        ids = np.array(ints, dtype=np.int32)
        if class_names is not None:
            bad = sorted({int(v) for v in ids if v >= len(class_names)})
            if bad:
                raise DataError(
                    f"unknown label id(s) {bad[:10]}: class_names has {len(class_names)} "
                    f"classes {class_names} (ids 0..{len(class_names) - 1})"
                )
            names = class_names
        else:
            names = [str(k) for k in range(int(ids.max()) + 1)] if len(ids) else []

    present = np.unique(ids)
    if len(present) < min_classes:
        if len(present) == 1:
            only = names[int(present[0])]
            raise DataError(
                f"labels contain a single class {only!r} ({len(ids)} examples); a classifier "
                f"needs at least {min_classes} classes"
            )
        raise DataError(f"labels contain {len(present)} classes; need at least {min_classes}")
    return ids, list(names)


def check_text_labels(texts, labels) -> None:
    """Raise :class:`DataError` naming both lengths when texts and labels differ in length."""
    if len(texts) != len(labels):
        raise DataError(
            f"texts and labels differ in length: {len(texts)} texts vs {len(labels)} labels"
        )


def check_texts(texts, labels=None, empty_policy: str = "error"):
    """Validate texts (and labels): find empty / whitespace-only texts.

    Args:
        texts: any form :func:`to_text_array` accepts.
        labels: optional labels of the same length (returned filtered alongside texts;
            passed through as a NumPy array, not converted to ids).
        empty_policy: ``"error"`` raises :class:`DataError` with the count and the first
            indices of empty texts; ``"drop"`` removes them (and their labels) with a
            ``UserWarning`` naming the count.

    Returns:
        ``(texts, labels)``: object array of str and the (filtered) labels array, or None.

    Raises:
        ConfigError: unknown ``empty_policy`` (names the allowed values).
        DataError: length mismatch (names both lengths), empty texts under ``"error"``.
    """
    if empty_policy not in EMPTY_POLICIES:
        raise ConfigError(
            f"empty_policy must be one of {EMPTY_POLICIES}; got {empty_policy!r}"
        )
    texts = to_text_array(texts)
    if labels is not None:
        if not isinstance(labels, np.ndarray):
            labels = np.asarray(_labels_to_list(labels))
        check_text_labels(texts, labels)
    empty = np.array([not t.strip() for t in texts], dtype=bool)
    n_empty = int(empty.sum())
    if n_empty:
        first = np.flatnonzero(empty)[:10].tolist()
        if empty_policy == "error":
            raise DataError(
                f"{n_empty} of {len(texts)} texts are empty or whitespace-only (first indices: "
                f"{first}); an empty text is a fully masked row. Remove them or pass "
                "empty_policy='drop'"
            )
        warnings.warn(
            f"dropped {n_empty} empty or whitespace-only texts of {len(texts)} "
            f"(first indices: {first})",
            UserWarning,
            stacklevel=2,
        )
        keep = ~empty
        texts = texts[keep]
        if labels is not None:
            labels = labels[keep]
    return texts, labels


# --------------------------------------------------------------------------------------
# Splits
# --------------------------------------------------------------------------------------
@dataclasses.dataclass
class LabelledSplits:
    """Train/val/test ``(inputs, int32 class ids)`` tuples with the class names and where
    the data came from; the base of :class:`TextSplits` and ``SequenceSplits``."""

    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    class_names: list[str]
    source: str

    @property
    def num_classes(self) -> int:
        """Number of classes (``len(class_names)``)."""
        return len(self.class_names)

    def sizes(self) -> dict[str, int]:
        """Number of examples per split: ``{"train": .., "val": .., "test": ..}``."""
        return {"train": len(self.train[0]), "val": len(self.val[0]), "test": len(self.test[0])}


@dataclasses.dataclass
class TextSplits(LabelledSplits):
    """Train/val/test texts and labels.

    Attributes:
        train, val, test: ``(texts, labels)`` tuples: ``np.ndarray[object]`` of ``str`` and
            ``np.ndarray[int32]`` class ids. ``val`` (or ``test``) may hold 0 examples when its
            fraction is 0.
        class_names: names of the class ids (``class_names[k]`` is id ``k``).
        source: human-readable description of where the data came from.
    """


def _check_fraction(name: str, value: float) -> float:
    if not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ConfigError(f"{name} must be a number in [0, 1); got {value!r}")
    return float(value)


def _stratified_split(texts, labels, fraction, seed, what):
    """Split off ``fraction`` of the examples (stratified, seeded). Returns (rest, part)."""
    from sklearn.model_selection import train_test_split

    empty = (texts[:0], labels[:0])
    if fraction == 0.0:
        return (texts, labels), empty
    n_part = math.ceil(fraction * len(texts))
    n_classes = len(np.unique(labels))
    if n_part < n_classes or len(texts) - n_part < n_classes:
        raise DataError(
            f"cannot carve a stratified {what} split of {fraction:.0%} from {len(texts)} "
            f"examples with {n_classes} classes (each part needs at least one example per "
            f"class); use more data or a different {what}_fraction"
        )
    counts = np.bincount(labels)
    rare = [(k, int(c)) for k, c in enumerate(counts) if 0 < c < 2]
    if rare:
        raise DataError(
            f"cannot stratify the {what} split: class id(s) {[k for k, _ in rare]} have only "
            "one example (need at least 2 per class)"
        )
    t_tr, t_part, y_tr, y_part = train_test_split(
        texts, labels, test_size=n_part, random_state=seed, stratify=labels, shuffle=True
    )
    return (t_tr, y_tr.astype(np.int32)), (t_part, y_part.astype(np.int32))


def _subsample(texts, labels, max_examples, seed):
    if max_examples is None or len(texts) <= max_examples:
        return texts, labels
    if not isinstance(max_examples, int) or max_examples < 2:
        raise ConfigError(f"max_examples must be an int >= 2 or None; got {max_examples!r}")
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


# --------------------------------------------------------------------------------------
# Local files
# --------------------------------------------------------------------------------------
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
    missing = [c for c in (text_column, label_column) if c not in df.columns]
    if missing:
        raise DataError(
            f"{path}: column(s) {missing} not found; available columns: {list(df.columns)} "
            "(pass text_column=/label_column=)"
        )
    return df[text_column].tolist(), df[label_column].tolist()


def _read_table(path: Path, text_column, label_column):
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".tsv", ".txt") and text_column is None and label_column is None:
        return _read_tsv_noheader(path)
    text_column = text_column or "text"
    label_column = label_column or "label"
    if suffix in (".tsv", ".txt", ".csv"):
        sep = "," if suffix == ".csv" else "\t"
        quoting = csv.QUOTE_MINIMAL if suffix == ".csv" else csv.QUOTE_NONE
        try:
            df = pd.read_csv(
                path, sep=sep, quoting=quoting, dtype=str, keep_default_na=False,
                encoding="utf-8",
            )
        except (pd.errors.ParserError, UnicodeDecodeError) as err:
            raise DataError(f"{path}: cannot parse as {suffix[1:].upper()}: {err}") from err
        return _frame_columns(df, path, text_column, label_column)
    if suffix == ".jsonl":
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
    raise DataError(
        f"{path}: unsupported file type {suffix!r}; use .tsv/.txt (text<TAB>label), .csv, "
        ".jsonl, or a directory"
    )


def _read_directory(path: Path, text_column, label_column):
    """Folder-per-class layout (read with keras) or a folder of TSV files (concatenated)."""
    subdirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if subdirs:
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


# --------------------------------------------------------------------------------------
# tensorflow-datasets
# --------------------------------------------------------------------------------------
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
    return (
        f"To use it offline, prepare it on a machine with network access: "
        f"`tfds build {name} --data_dir {data_dir}` (or "
        f"`tfds.builder({name!r}, data_dir={data_dir!r}).download_and_prepare()`), then copy "
        f"{data_dir} to this machine and pass data_dir=. Or pass local files to load_text "
        "(.tsv/.csv/.jsonl or a folder)."
    )


def _find_tfds_keys(features, supervised_keys, text_column, label_column, name):
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
    ds = builder.as_dataset(split=split, shuffle_files=False)
    ds = ds.map(lambda ex: (ex[text_key], ex[label_key])).batch(4096)
    texts, labels = [], []
    for t, y in ds.as_numpy_iterator():
        texts.extend(t.tolist())
        labels.append(np.asarray(y))
    labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    return texts, labels


def _load_tfds(name, data_dir, text_column, label_column, max_examples):
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=data_dir)
    root = str(getattr(builder, "data_dir_root", None) or data_dir or "~/tensorflow_datasets")
    if not builder.is_prepared():
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
    features = builder.info.features
    text_key, label_key = _find_tfds_keys(
        features, builder.info.supervised_keys, text_column, label_column, name
    )
    class_names = list(features[label_key].names)
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
    return train, test, class_names, desc


# --------------------------------------------------------------------------------------
# load_text
# --------------------------------------------------------------------------------------
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
      override). The source's own ``train``/``test`` splits are used (``test_fraction`` is
      then ignored); ``val`` is carved from ``train``.
      ``max_examples`` reads the first N of each source split (``"train[:N]"``).
    - a local file: ``.tsv``/``.txt`` (``text<TAB>label`` lines, no header, quoting off,
      split on the last tab; with ``text_column``/``label_column`` given, a header row names
      the columns), ``.csv`` (header; columns ``text_column``/``label_column``, default
      ``"text"``/``"label"``), ``.jsonl`` (one JSON object per line, same keys).
    - a directory: class sub-folders of ``.txt`` files (the layout
      ``keras.utils.text_dataset_from_directory`` reads; read with it, classes sorted by
      folder name), or, without sub-folders, a folder of ``.tsv``/``.txt`` files of
      ``text<TAB>label`` lines, concatenated in file-name order (``readme.txt`` is skipped).
    - in memory: texts (list, NumPy array, pandas Series) with ``labels=``, or a pandas
      DataFrame with ``text_column``/``label_column`` columns (default ``"text"``/``"label"``).

    Args:
        val_fraction, test_fraction: fractions of all examples (of ``train`` for the val split
            of a tfds source) in [0, 1). Splits use scikit-learn ``train_test_split`` with
            ``stratify`` and ``random_state=seed``: the same seed gives the same split.
        empty_policy: what to do with empty/whitespace-only texts, see :func:`check_texts`.
        max_examples: cap on examples (local/in-memory: a stratified seeded subsample taken
            before splitting; tfds: first N of each source split). None reads everything.

    Raises:
        DataError: malformed data (see :func:`to_text_array`, :func:`to_label_array`,
            :func:`check_texts`), a missing file, unknown columns.
        DatasetUnavailableError: a tfds dataset that is not prepared and cannot be downloaded.
        ConfigError: bad fractions or policy.
    """
    val_fraction = _check_fraction("val_fraction", val_fraction)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    if val_fraction + test_fraction >= 1.0:
        raise ConfigError(
            f"val_fraction + test_fraction must be < 1; got {val_fraction} + {test_fraction}"
        )
    if empty_policy not in EMPTY_POLICIES:
        raise ConfigError(f"empty_policy must be one of {EMPTY_POLICIES}; got {empty_policy!r}")

    names_hint = None
    test_part = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if path.exists():
            if labels is not None:
                raise ConfigError("labels= is only for in-memory texts, not for a path source")
            if path.is_dir():
                texts, raw_labels, names_hint, desc = _read_directory(
                    path, text_column, label_column
                )
            else:
                texts, raw_labels = _read_table(path, text_column, label_column)
                desc = f"file {path}"
        elif isinstance(source, str) and _tfds_builder_cls(source) is not None:
            if labels is not None:
                raise ConfigError("labels= is only for in-memory texts, not for a tfds name")
            (texts, raw_labels), test_part, names_hint, desc = _load_tfds(
                source, data_dir, text_column, label_column, max_examples
            )
        else:
            raise DataError(
                f"source {str(source)!r} is neither an existing file/folder nor a registered "
                "tensorflow-datasets name (e.g. 'imdb_reviews', 'ag_news_subset', "
                "'yelp_polarity_reviews')"
            )
    elif type(source).__module__.startswith("pandas") and getattr(source, "ndim", 1) == 2:
        if labels is not None:
            raise ConfigError("labels= is not used with a DataFrame; name label_column= instead")
        texts, raw_labels = _frame_columns(
            source, "DataFrame", text_column or "text", label_column or "label"
        )
        desc = f"DataFrame ({len(source)} rows)"
    else:
        if labels is None:
            raise ConfigError(
                f"in-memory texts ({type(source).__name__}) need labels=; or pass a DataFrame, "
                "a file path or a tensorflow-datasets name"
            )
        texts, raw_labels = source, labels
        desc = f"in-memory {type(source).__name__}"

    texts = to_text_array(texts)
    raw_list = _labels_to_list(raw_labels)
    check_text_labels(texts, raw_list)
    y, class_names = to_label_array(raw_list, class_names=names_hint)
    texts, y = check_texts(texts, y, empty_policy=empty_policy)
    if test_part is None:
        texts, y = _subsample(texts, y, max_examples, seed)
        rest, test = _stratified_split(texts, y, test_fraction, seed, "test")
        frac = val_fraction / (1.0 - test_fraction) if val_fraction else 0.0
        train, val = _stratified_split(rest[0], rest[1], frac, seed, "val")
        split_desc = f"stratified split val={val_fraction}, test={test_fraction}, seed={seed}"
    else:
        t_test = to_text_array(test_part[0])
        check_text_labels(t_test, test_part[1])
        y_test, _ = to_label_array(test_part[1], class_names=class_names, min_classes=1)
        t_test, y_test = check_texts(t_test, y_test, empty_policy=empty_policy)
        test = (t_test, y_test.astype(np.int32))
        train, val = _stratified_split(texts, y, val_fraction, seed, "val")
        split_desc = (f"source train/test splits, val={val_fraction} of train (stratified, "
                      f"seed={seed})")
    return TextSplits(
        train=train, val=val, test=test, class_names=class_names,
        source=f"{desc}; {split_desc}",
    )


# --------------------------------------------------------------------------------------
# Vectorizer and tf.data
# --------------------------------------------------------------------------------------
def make_vectorizer(
    train_texts,
    *,
    max_tokens: int = 20000,
    sequence_length: int | None = None,
    length_percentile: float = 95,
    ngrams=None,
):
    """Build a ``keras.layers.TextVectorization`` adapted on the training texts only.

    Output mode ``"int"`` (0 = padding, 1 = OOV). Standardization is Keras' default
    (lowercase, strip ASCII punctuation), split on whitespace.

    Padding and truncation are both POST: TextVectorization pads with 0 at the end and, when
    a text has more tokens than ``sequence_length``, keeps the FIRST ``sequence_length``
    tokens (it densifies the ragged token ids with ``to_tensor(shape=...)``, which cuts the
    end). Right padding keeps the cuDNN RNN path usable.

    When ``sequence_length`` is None it is chosen from the data (and a ``UserWarning`` names
    training texts that have no token at all after standardization, e.g. ``"!!!"``): the
    ``length_percentile``-th percentile (NumPy linear interpolation) of the per-text token
    counts produced by the same standardization/split (and n-grams), rounded up and clipped
    to [8, 512].

    The chosen length is the layer's ``get_config()["output_sequence_length"]`` and is also
    set as the attribute ``vectorizer.seqkit_sequence_length`` (plus
    ``vectorizer.seqkit_length_source``: ``"given"`` or ``"p<percentile>"``).
    """
    import keras
    import tensorflow as tf

    texts = to_text_array(train_texts)
    if len(texts) == 0:
        raise DataError("make_vectorizer needs at least one training text; got 0")
    if not isinstance(max_tokens, int) or max_tokens < 3:
        raise ConfigError(f"max_tokens must be an int >= 3; got {max_tokens!r}")
    if not 0 < float(length_percentile) <= 100:
        raise ConfigError(f"length_percentile must be in (0, 100]; got {length_percentile!r}")
    data = tf.data.Dataset.from_tensor_slices(tf.constant(texts.tolist(), dtype=tf.string))
    data = data.batch(1024)
    source = "given"
    if sequence_length is None:
        counter = keras.layers.TextVectorization(
            max_tokens=max_tokens, output_mode="int", ngrams=ngrams, ragged=True
        )
        # The vocabulary doesn't change token counts (OOV tokens still count): adapt on a
        # tiny sample just to make the layer callable.
        counter.adapt(tf.constant(texts[:1].tolist()))
        counts = np.concatenate([counter(batch).row_lengths().numpy() for batch in data])
        tokenless = np.flatnonzero(counts == 0)
        if len(tokenless):
            warnings.warn(
                f"{len(tokenless)} training text(s) have no token after standardization "
                f"(e.g. punctuation only; first indices {tokenless[:10].tolist()}): they "
                "vectorize to all-padding rows",
                UserWarning,
                stacklevel=2,
            )
        chosen = math.ceil(float(np.percentile(counts, length_percentile)))
        sequence_length = int(min(max(chosen, 8), 512))
        source = f"p{length_percentile:g}"
    elif not isinstance(sequence_length, int) or sequence_length < 1:
        raise ConfigError(
            f"sequence_length must be a positive int or None; got {sequence_length!r}"
        )
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens, output_mode="int", output_sequence_length=sequence_length,
        ngrams=ngrams,
    )
    vectorizer.adapt(data)
    vectorizer.seqkit_sequence_length = int(sequence_length)
    vectorizer.seqkit_length_source = source
    return vectorizer


def text_dataset(
    texts,
    labels=None,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
    *,
    class_names: Sequence[str] | None = None,
):
    """A batched, prefetching ``tf.data.Dataset`` of ``(tf.string [B], int32 [B])``.

    ``texts`` may be any form :func:`to_text_array` accepts (a NumPy unicode array included,
    which Keras ``fit`` would otherwise refuse). ``labels`` are converted with
    :func:`to_label_array` (string labels need ``class_names`` for a stable mapping); with
    ``labels=None`` the dataset yields text batches only (for ``predict``). ``shuffle=True``
    shuffles the whole set each epoch with ``seed``.
    """
    import tensorflow as tf

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive int; got {batch_size!r}")
    x = to_text_array(texts)
    x_t = tf.constant(x.tolist(), dtype=tf.string, shape=(len(x),))
    if labels is None:
        ds = tf.data.Dataset.from_tensor_slices(x_t)
    else:
        raw = _labels_to_list(labels)
        check_text_labels(x, raw)
        y, _ = to_label_array(raw, class_names=class_names, min_classes=1) if raw else (
            np.zeros(0, np.int32), None)
        ds = tf.data.Dataset.from_tensor_slices((x_t, tf.constant(y, dtype=tf.int32)))
    if shuffle and len(x):
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
