"""Texts in one form: object arrays of ``str``; the checks of texts against their labels.

Why the conversions matter: ``keras.Model.fit`` refuses NumPy unicode arrays
(``np.array(list_of_str)`` has dtype ``<U..`` and fit raises ``Invalid dtype: str...``), while
object arrays, lists and string tensors work. :func:`to_text_array` turns every accepted form
into an object array so the rest of seqkit never sees a ``<U..`` array. Labels become
``int32`` ids in :mod:`seqkit.data.text.labels` (:func:`to_label_array`).
"""

from __future__ import annotations

import warnings

import numpy as np

from seqkit.data.text.labels import _describe, _labels_to_list
from seqkit.errors import DataError
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
