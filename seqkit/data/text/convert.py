"""Texts in one form: object arrays of ``str``; the checks of texts against their labels.

Why the conversions matter: ``keras.Model.fit`` refuses NumPy unicode arrays
(``np.array(list_of_str)`` has dtype ``<U..`` and fit raises ``Invalid dtype: str...``), while
object arrays, lists and string tensors work. :func:`to_text_array` turns every accepted form
into an object array so the rest of seqkit never sees a ``<U..`` array. Labels become
``int32`` ids in :mod:`seqkit.data.text.convert` (:func:`to_label_array`).

Class labels to ``int32`` ids and back: the class names are the labels the user gave.

The rules (:func:`to_label_array`):

- **The class names are the sorted unique labels, of the type they came in.** Strings stay
  strings (``"1"``, ``"2"`` are two classes named ``"1"`` and ``"2"``, never ids), integers
  stay integers (``{3, 7, 11}`` are three classes, never ``range(12)``), booleans stay
  booleans. Id ``k`` is the ``k``-th name.
- Whole-number floats (``1.0``, as ``np.loadtxt`` reads a label column) are integers; other
  floats are refused (a class label is not a measurement). Bytes are decoded as UTF-8.
- A pandas ``Categorical`` (or a Series of dtype ``category``) gives its ``categories``, in
  pandas' order (sorted when pandas inferred them, as given when the user listed them,
  ordered or not) and **unused categories included**: the model gets an output for each.
- ``classes=`` fixes the names and their order and may hold classes the data lacks; a
  label that is not among them is an error that names it.
- Labels of two types (``1`` and ``"1"``), missing labels (None, NaN, ``pd.NA``) and
  anything else (tuples, 1.5) are errors naming the positions.

Example:

>>> to_label_array(["2", "1", "2"])
(array([1, 0, 1], dtype=int32), ['1', '2'])
>>> to_label_array([11, 3, 7])
(array([2, 0, 1], dtype=int32), [3, 7, 11])
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_choice

EMPTY_POLICIES = ("error", "drop")


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


def _describe(value) -> str:
    """Short description of a value for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _is_missing(value) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _label_value(value, where: str):
    """One label as ``(kind, plain Python value)``; ``where`` names it in errors."""
    if _is_missing(value):
        raise DataError(f"{where} is missing ({value!r}); drop or fill missing labels first")
    if isinstance(value, (bytes, np.bytes_)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as err:
            raise DataError(f"{where} is bytes that are not valid UTF-8: {err}") from err
    if isinstance(value, str):
        return "str", str(value)
    if isinstance(value, (bool, np.bool_)):
        return "bool", bool(value)
    if isinstance(value, (int, np.integer)):
        return "int", int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) \
            and float(value).is_integer():
        return "int", int(value)
    raise DataError(
        f"{where} is not a class label: {_describe(value)} (labels are strings, integers, "
        "whole-number floats or booleans)"
    )


def _typed(items: list, what: str) -> tuple[list, str | None]:
    """``items`` as plain values of one kind: ``(values, kind or None when empty)``."""
    pairs = [_label_value(v, f"{what} at index {i}") for i, v in enumerate(items)]
    kinds = [k for k, _ in pairs]
    for i, kind in enumerate(kinds):
        if kind != kinds[0]:
            raise DataError(
                f"{what}s mix types: index 0 is {kinds[0]} {pairs[0][1]!r}, index {i} is "
                f"{kind} {pairs[i][1]!r} (give every {what} the same type, e.g. all strings)"
            )
    return [v for _, v in pairs], (kinds[0] if kinds else None)


def _is_pandas(y) -> bool:
    return type(y).__module__.startswith("pandas")


def _labels_to_list(y) -> list:
    """Labels (pandas, tensor, ``[N]`` or ``[N, 1]`` array, list) as a Python list."""
    if _is_pandas(y):
        if getattr(y, "ndim", 1) != 1:
            raise DataError(f"labels must be 1-D; got a pandas object of shape {y.shape}")
        return np.asarray(y, dtype=object).tolist()
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


def _categories(y):
    """The ``categories`` of a pandas Categorical / category Series, else None."""
    if not _is_pandas(y) or str(getattr(y, "dtype", "")) != "category":
        return None
    return list(y.dtype.categories)


def pick_classes(classes, class_names):
    """The class list from ``classes=`` or its older name ``class_names=`` (not both).

    Args:
        classes: the class names in id order, or None.
        class_names: the same under its older name, or None.

    Returns:
        Whichever was given, or None.

    Raises:
        ConfigError: both were given.

    Example:

    >>> pick_classes(None, ["neg", "pos"])
    ['neg', 'pos']
    """
    if classes is not None and class_names is not None:
        raise ConfigError("pass classes= or class_names= (the same list), not both")
    return classes if classes is not None else class_names


def _checked_classes(classes) -> tuple[list, str]:
    """``classes=`` as plain values of one kind, without repeats."""
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise ConfigError(f"classes must be a list of class names, got {classes!r}")
    names, kind = _typed(list(classes), "class")
    if not names:
        raise ConfigError("classes must name at least one class, got []")
    repeated = sorted({repr(n) for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"classes must not repeat names; repeated: {', '.join(repeated)}")
    return names, kind


def _ids(values: list, kind, names: list, name_kind: str) -> np.ndarray:
    """Ids of ``values`` in ``names``; unknown labels (or another type) are named."""
    if kind is not None and kind != name_kind:
        raise DataError(
            f"labels are {kind} (index 0: {values[0]!r}) but the classes are {name_kind} "
            f"{names[:10]}; give labels of the classes' type"
        )
    lookup = {name: k for k, name in enumerate(names)}
    unknown = sorted({v for v in values if v not in lookup})
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:10])
        more = f" (+{len(unknown) - 10} more)" if len(unknown) > 10 else ""
        first = values.index(unknown[0])
        raise DataError(
            f"{len(unknown)} unknown label(s) not in classes {names[:20]}: {shown}{more} "
            f"(first at index {first})"
        )
    return np.array([lookup[v] for v in values], dtype=np.int32)


def to_label_array(y, class_names=None, *, classes=None, min_classes: int = 2):
    """Convert labels to ``int32`` class ids and the typed class names (the module rules).

    Args:
        y: labels: a list/tuple, a NumPy array ``[N]`` (or ``[N, 1]``) of strings, integers,
            booleans or objects, a pandas Series (a ``category`` dtype included), a pandas
            ``Categorical`` or a tensor.
        class_names: the older name of ``classes`` (same meaning; pass one of the two).
        classes: the class names in id order (``classes[k]`` is id ``k``), of the labels'
            type; every label must be among them, and classes the data lacks are allowed.
            None: the sorted unique labels (a Categorical's ``categories``).
        min_classes: the fewest distinct classes ``y`` itself must hold.

    Returns:
        ``(ids, names)``: an ``int32`` array ``[N]`` and the list of class names as plain
        Python ``str``, ``int`` or ``bool``.

    Raises:
        DataError: missing labels, labels of two types, floats that are not whole numbers,
            labels not in ``classes`` (named, with the first index), labels of another type
            than ``classes``, fewer than ``min_classes`` distinct classes (the single class
            is named).
        ConfigError: both ``classes`` and ``class_names``, an empty or repeating list.

    Example:

    >>> ids, names = to_label_array(["pos", "neg", "pos"])
    >>> ids.tolist(), names
    ([1, 0, 1], ['neg', 'pos'])
    >>> to_label_array(np.array([-1, 1, 1]))[1]  # integers stay integers
    [-1, 1]
    >>> to_label_array([True, False])[1]
    [False, True]
    >>> to_label_array(["b", "a"], classes=["c", "b", "a"])  # "c" is absent from the data
    (array([1, 2], dtype=int32), ['c', 'b', 'a'])
    >>> to_label_array(["1", 2])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: labels mix types: index 0 is str '1', index 1 is int 2 (give \
every label the same type, e.g. all strings)
    >>> to_label_array(["spam", "spam"])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: labels contain a single class 'spam' (2 examples); a classifier \
needs at least 2 classes
    """
    classes = pick_classes(classes, class_names)
    if classes is None:
        classes = _categories(y)
    values, kind = _typed(_labels_to_list(y), "label")
    if classes is None:
        names, name_kind = sorted(set(values)), kind
    else:
        names, name_kind = _checked_classes(classes)
    ids = _ids(values, kind, names, name_kind)
    present = np.unique(ids)
    if len(present) < min_classes:
        if len(present) == 1:
            raise DataError(
                f"labels contain a single class {names[int(present[0])]!r} ({len(ids)} "
                f"examples); a classifier needs at least {min_classes} classes"
            )
        raise DataError(f"labels contain {len(present)} classes; need at least {min_classes}")
    return ids, list(names)


def class_ids(y, num_classes: int | None = None) -> np.ndarray:
    """Labels that already are class ids (integers ``0..K-1``) as ``int32``, unchanged.

    The ids of an existing split keep their meaning here (``to_label_array`` would renumber
    ``[0, 2]`` to ``[0, 1]``).

    Args:
        y: integer ids, in any form :func:`to_label_array` takes.
        num_classes: ``K``, when known: every id must be below it.

    Returns:
        ``int32`` array ``[N]``.

    Raises:
        DataError: a label that is not a non-negative integer (named with its index), or an
            id ``>= num_classes``.

    Example:

    >>> class_ids([0, 2, 2]).tolist()
    [0, 2, 2]
    >>> class_ids(["a"])
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: class id at index 0 must be an integer >= 0, got 'a'
    """
    values = _labels_to_list(y)
    for i, v in enumerate(values):
        kind = _label_value(v, f"class id at index {i}")[0] if not _is_missing(v) else None
        if kind != "int" or v < 0 or (num_classes is not None and v >= num_classes):
            bound = f" and < {num_classes}" if num_classes is not None else ""
            raise DataError(f"class id at index {i} must be an integer >= 0{bound}, got {v!r}")
    return np.asarray(values, dtype=np.int64).astype(np.int32).reshape(-1)
