"""Texts and labels in one form: object arrays of ``str`` and ``int32`` class ids.

Why the conversions matter: ``keras.Model.fit`` refuses NumPy unicode arrays
(``np.array(list_of_str)`` has dtype ``<U..`` and fit raises ``Invalid dtype: str...``), while
object arrays, lists and string tensors work. :func:`to_text_array` turns every accepted form
into an object array so the rest of seqkit never sees a ``<U..`` array.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np

from seqkit.errors import DataError
from seqkit.validation import check_choice

EMPTY_POLICIES = ("error", "drop")
_INT_LIKE = re.compile(r"^[+-]?\d+$")


def _describe(value) -> str:
    """Short description of a value for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _container_items(x) -> list:
    """The elements of a text container (pandas, tf.string tensor, NumPy array, list)."""
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
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return list(x)
    raise DataError(
        "texts must be a list/tuple of str, a NumPy string or object array, a pandas "
        f"Series, or a tf.string tensor; got {type(x).__module__}.{type(x).__name__}"
    )


def to_text_array(x) -> np.ndarray:
    """Convert texts to a 1-D NumPy ``object`` array of Python ``str``.

    Accepted: a list/tuple of ``str`` (or ``bytes``, decoded as UTF-8), a NumPy unicode
    (``<U..``), bytes (``S..``) or object array, a pandas ``Series``, a ``tf.Tensor`` of
    dtype ``tf.string``, or a single ``str``/``bytes`` (one text). 0-D arrays count as one text.

    Args:
        x: the texts, in any of the forms above.

    Returns:
        ``np.ndarray`` of dtype ``object`` and shape ``[N]`` holding ``str``.

    Raises:
        DataError: for anything else, naming the type (wrong container), the shape (arrays
            that are not 1-D) or the index and type of the first bad element (numbers,
            ``None``, NaN, undecodable bytes).

    Example:

    >>> to_text_array(np.array(["good film", "bad plot"]))  # a <U9 array Keras would refuse
    array(['good film', 'bad plot'], dtype=object)
    >>> to_text_array([b"caf\\xc3\\xa9"]).tolist()
    ['café']
    >>> to_text_array(["ok", None])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: text at index 1 is not a string: NoneType None (None/NaN/numbers \
are not texts; drop or fill them first)
    """
    if isinstance(x, (str, bytes)):
        x = [x]
    items = _container_items(x)
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
    """Labels (pandas, tensor, ``[N]`` or ``[N, 1]`` array, list) as a Python list."""
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


def _decoded_labels(items: list, class_names) -> tuple[list, bool]:
    """Decode bytes, refuse missing labels and mixes; returns ``(labels, are_strings)``.

    Integer-like strings (``"0"``, ``"1"``: TSV labels) become ints when no names are given.
    """
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
    are_strings = bool(decoded) and all(strings)
    if are_strings and class_names is None:
        stripped = [v.strip() for v in decoded]
        if all(_INT_LIKE.match(v) for v in stripped):
            return [int(v) for v in stripped], False
    return decoded, are_strings


def _ids_from_names(decoded: list, class_names) -> tuple[np.ndarray, list]:
    names = class_names if class_names is not None else sorted(set(decoded))
    lookup = {name: k for k, name in enumerate(names)}
    unknown = sorted({v for v in decoded if v not in lookup})
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:10])
        more = f" (+{len(unknown) - 10} more)" if len(unknown) > 10 else ""
        raise DataError(
            f"{len(unknown)} unknown label(s) not in class_names {names}: {shown}{more}"
        )
    return np.array([lookup[v] for v in decoded], dtype=np.int32), names


def _ids_from_numbers(decoded: list, class_names) -> tuple[np.ndarray, list]:
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
    if class_names is None:
        return ids, [str(k) for k in range(int(ids.max()) + 1)] if len(ids) else []
    bad = sorted({int(v) for v in ids if v >= len(class_names)})
    if bad:
        raise DataError(
            f"unknown label id(s) {bad[:10]}: class_names has {len(class_names)} "
            f"classes {class_names} (ids 0..{len(class_names) - 1})"
        )
    return ids, class_names


def to_label_array(y, class_names=None, *, min_classes: int = 2):
    """Convert labels to ``int32`` class ids.

    Labels may be integers (``0..K-1``; integral floats such as ``1.0`` are accepted) or strings
    (bytes are decoded). String labels are mapped to ids through ``class_names`` when given,
    else through the sorted unique names. When ``class_names`` is None and every string label
    looks like an integer (``"0"``, ``"1"``, as in TSV files), they are read as integers.

    Args:
        y: labels: a list/tuple, a NumPy array ``[N]`` (or ``[N, 1]``), a pandas Series or a
            tensor.
        class_names: the names of ids ``0..K-1``; string labels must be among them and
            integer labels below ``K``.
        min_classes: the fewest distinct classes ``y`` may hold.

    Returns:
        ``(ids, class_names)``: an ``int32`` array and the list of class names (for integer
        labels without names: ``["0", "1", ..., str(max_id)]``).

    Raises:
        DataError: unknown labels when ``class_names`` is given (named), negative or
            non-integral numbers, None entries, or fewer than ``min_classes`` distinct classes
            in ``y`` (the single class is named).

    Example:

    >>> ids, names = to_label_array(["pos", "neg", "pos"])
    >>> ids.tolist(), names
    ([1, 0, 1], ['neg', 'pos'])
    >>> to_label_array(["2", "0", "1"])[0].tolist()  # integer-like strings are ids
    [2, 0, 1]
    >>> to_label_array(["spam", "spam"])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: labels contain a single class 'spam' (2 examples); a classifier \
needs at least 2 classes
    """
    if class_names is not None:
        class_names = [str(c) for c in class_names]
    decoded, are_strings = _decoded_labels(_labels_to_list(y), class_names)
    if are_strings:
        ids, names = _ids_from_names(decoded, class_names)
    else:
        ids, names = _ids_from_numbers(decoded, class_names)
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
    """Refuse texts and labels of different lengths.

    Args:
        texts: any sized collection of texts.
        labels: any sized collection of labels.

    Returns:
        None.

    Raises:
        DataError: the lengths differ (both are named).

    Example:

    >>> check_text_labels(["a", "b"], [0, 1])
    >>> check_text_labels(["a", "b", "c"], [0, 1])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: texts and labels differ in length: 3 texts vs 2 labels
    """
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

    Example:

    >>> texts, labels = check_texts(["fine", "ok"], [0, 1])
    >>> texts.tolist(), labels.tolist()
    (['fine', 'ok'], [0, 1])
    >>> check_texts(["fine", "  ", "ok"])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: 1 of 3 texts are empty or whitespace-only (first indices: [1]); \
an empty text is a fully masked row. Remove them or pass empty_policy='drop'
    """
    check_choice("empty_policy", empty_policy, EMPTY_POLICIES)
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
