"""Sequences as an RNN takes them: checked ``[N, T, F]`` arrays, post-padding with a mask,
and the conversion from aeon's channels-second layout (:func:`apply_layout`)."""

from __future__ import annotations

import dataclasses

import numpy as np

from seqkit.data._checks import real_array, steps_by_features
from seqkit.data.text import to_label_array
from seqkit.data.text.labels import pick_classes
from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_choice, check_optional_int

__all__ = [
    "LAYOUTS",
    "CheckedSequences",
    "apply_layout",
    "check_sequences",
    "first_nonfinite",
    "pad_sequences_post",
]


@dataclasses.dataclass
class CheckedSequences:
    """Validated sequences, as :func:`check_sequences` returns them.

    Args:
        x: ``float32 [N, T, F]``, post-padded with zeros where sequences are shorter than T.
        y: ``int32 [N]`` class ids, or None when no labels were given.
        mask: ``bool [N, T]``, True on real steps (a prefix of each row: padding is at the
            end).
        lengths: ``int32 [N]`` number of real steps per sequence.
        class_names: class names of ``y``, typed as the labels were (None without labels).

    Example:

    >>> checked = CheckedSequences(np.zeros((1, 2, 1), np.float32), None,
    ...                            np.array([[True, False]]), np.array([1], np.int32), None)
    >>> checked.lengths.tolist(), checked.mask.tolist()
    ([1], [[True, False]])
    """

    x: np.ndarray
    y: np.ndarray | None
    mask: np.ndarray
    lengths: np.ndarray
    class_names: list | None


def pad_sequences_post(list_of_arrays, maxlen: int | None = None, value: float = 0.0):
    """Post-pad variable-length sequences ``[T_i, F]`` (or ``[T_i]``) to ``[N, T, F]``.

    Padding goes at the END (right), so a mask is a prefix of each row and the cuDNN RNN path
    stays usable. ``T = maxlen`` or the longest sequence; longer sequences are truncated at the
    end (the first ``maxlen`` steps are kept), like ``TextVectorization``.

    Args:
        list_of_arrays: sequences ``[T_i, F]`` (or ``[T_i]``, one feature), at least one,
            each with at least one step and the same ``F``.
        maxlen: the output length ``T`` (an integer >= 1), or None for the longest sequence.
        value: the padding value.

    Returns:
        ``(x float32 [N, T, F], mask bool [N, T])``.

    Raises:
        DataError: an empty list, a sequence of another feature count, wrong rank/dtype, or a
            zero-length sequence (a fully masked row), each naming the sequence index.
        ConfigError: a bad ``maxlen``.

    Example:

    >>> x, mask = pad_sequences_post([np.array([1.0, 2.0, 3.0]), np.array([4.0])])
    >>> x[:, :, 0].tolist(), mask.tolist()
    ([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]], [[True, True, True], [True, False, False]])
    >>> pad_sequences_post([np.arange(5.0)], maxlen=2)[0][:, :, 0].tolist()  # keeps the start
    [[0.0, 1.0]]
    """
    seqs = [steps_by_features(a, f"sequence {i}", "[T_i, F] (or [T_i])")
            for i, a in enumerate(list_of_arrays)]
    if not seqs:
        raise DataError("no sequences given")
    n_feat = seqs[0].shape[1]
    for i, s in enumerate(seqs):
        if s.shape[1] != n_feat:
            raise DataError(
                f"sequence {i} has {s.shape[1]} features but sequence 0 has {n_feat}"
            )
        if s.shape[0] == 0:
            raise DataError(f"sequence {i} has 0 steps (a fully masked row); remove it")
    check_optional_int("maxlen", maxlen)
    t = int(maxlen) if maxlen is not None else max(s.shape[0] for s in seqs)
    x = np.full((len(seqs), t, n_feat), value, dtype=np.float32)
    mask = np.zeros((len(seqs), t), dtype=bool)
    for i, s in enumerate(seqs):
        k = min(t, s.shape[0])
        x[i, :k] = s[:k]
        mask[i, :k] = True
    return x, mask


LAYOUTS = ("NTF", "NCT")


def _steps_first(seq, i: int):
    arr = np.asarray(seq)
    if arr.ndim == 1:
        return arr  # one channel: [T_i] in both layouts
    if arr.ndim != 2:
        raise DataError(f"sequence {i} must be [channels, T_i] with layout='NCT', got shape "
                        f"{arr.shape}")
    return arr.T


def apply_layout(x, layout: str = "NTF"):
    """Sequences in seqkit's ``[N, T, F]`` order, from the layout they are given in.

    Args:
        x: a 3-D array, or a list of 2-D (or 1-D, one channel) arrays, or a 2-D ``[N, T]``
            array of univariate series (the same in both layouts).
        layout: ``"NTF"`` (seqkit's, returned unchanged) or ``"NCT"`` (aeon's and the
            UCR/UEA archive's: ``[N, channels, T]``, or a list of ``[channels, T_i]``).

    Returns:
        ``x`` unchanged for ``"NTF"``; for ``"NCT"`` a ``[N, T, channels]`` view (an array)
        or a list of ``[T_i, channels]`` arrays.

    Raises:
        ConfigError: an unknown layout.
        DataError: an ``"NCT"`` array that is not 2-D or 3-D, a list item that is not 1-D
            or 2-D (naming its index).

    Example:

    >>> x = np.arange(12.0).reshape(2, 3, 2)      # 2 series, 3 channels, 2 steps
    >>> apply_layout(x, "NCT").shape
    (2, 2, 3)
    >>> [s.shape for s in apply_layout([np.ones((3, 5)), np.ones((3, 2))], "NCT")]
    [(5, 3), (2, 3)]
    >>> apply_layout(x, "TNF")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: layout must be one of ('NTF', 'NCT'), got 'TNF'
    """
    check_choice("layout", layout, LAYOUTS)
    if layout == "NTF":
        return x
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.dtype == object):
        return [_steps_first(s, i) for i, s in enumerate(x)]
    arr = real_array(x, "sequences")
    if arr.ndim == 2:
        return arr  # [N, T]: univariate in both layouts
    if arr.ndim != 3:
        raise DataError(f"sequences with layout='NCT' must be [N, channels, T] (or [N, T] "
                        f"univariate); got shape {arr.shape}")
    return np.swapaxes(arr, 1, 2)


def first_nonfinite(x, mask):
    """Where the first NaN/inf of the real (unmasked) steps is, and how many there are.

    Args:
        x: ``[N, T, F]`` values.
        mask: ``bool [N, T]``, True on real steps.

    Returns:
        ``((sequence, step, feature), count)``, or ``(None, 0)`` when all are finite.

    Example:

    >>> x = np.zeros((2, 3, 1)); x[1, 2, 0] = np.nan
    >>> first_nonfinite(x, np.ones((2, 3), bool)), first_nonfinite(x, np.zeros((2, 3), bool))
    (((1, 2, 0), 1), (None, 0))
    """
    bad = ~np.isfinite(x) & mask[:, :, None]
    if not bad.any():
        return None, 0
    return tuple(int(v) for v in np.argwhere(bad)[0]), int(bad.sum())


def _dense_lengths(x, lengths):
    """A padded ``[N, T, F]`` array as ``(float32 x, int32 lengths)``, lengths checked."""
    arr = real_array(x, "sequences")
    if arr.ndim != 3:
        raise DataError(
            f"sequences must be [N, T, F] (rank 3); got shape {arr.shape} (rank {arr.ndim})"
            + ("; add a feature axis with x[..., None]" if arr.ndim == 2 else "")
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0 or arr.shape[2] == 0:
        raise DataError(f"sequences must be non-empty; got shape {arr.shape}")
    xs = arr.astype(np.float32)
    n, t = xs.shape[:2]
    if lengths is None:
        return xs, np.full(n, t, dtype=np.int32)
    lens = np.asarray(lengths)
    if lens.shape != (n,) or not np.issubdtype(lens.dtype, np.integer):
        raise DataError(
            f"lengths must be {n} integers (one per sequence); got shape {lens.shape}, "
            f"dtype {lens.dtype}"
        )
    bad = np.flatnonzero((lens < 1) | (lens > t))
    if len(bad):
        raise DataError(
            f"{len(bad)} length(s) outside 1..{t}; first at sequence {int(bad[0])}: "
            f"{int(lens[bad[0]])} (a 0 length is a fully masked row)"
        )
    return xs, lens.astype(np.int32)


def check_sequences(x, y=None, lengths=None, *, class_names=None, classes=None,
                    min_classes: int = 2) -> CheckedSequences:
    """Validate sequence inputs (and labels) for an RNN.

    Args:
        x: a float array ``[N, T, F]``, or a list of ``[T_i, F]`` (or ``[T_i]``) arrays, which
            are post-padded with zeros (:func:`pad_sequences_post`).
        y: optional labels (strings, integers, booleans, a pandas Categorical: see
            :func:`seqkit.data.to_label_array`; at least ``min_classes``), one per sequence.
        lengths: optional true lengths for a padded ``[N, T, F]`` array (each in ``1..T``);
            steps past a length are masked (their values are not checked).
        class_names: the older name of ``classes`` (same meaning).
        classes: the class names in id order, of the labels' type (may hold classes ``y``
            lacks); None: the sorted unique labels.
        min_classes: the fewest distinct classes ``y`` must hold (1 for a test split
            checked against the training classes).

    Returns:
        :class:`CheckedSequences` (``x`` float32, ``y`` int32, ``mask``, ``lengths``).

    Raises:
        DataError: wrong rank (names the shape) or dtype (names it), NaN/inf in real steps
            (count and first ``(sequence, step, feature)``), bad lengths, labels of another
            length than ``x`` (names both), unknown/single-class labels.
        ConfigError: ``lengths`` given with a list (a list carries its lengths).

    Example:

    >>> out = check_sequences([np.ones((3, 2)), np.ones((1, 2))], y=["b", "a"])
    >>> out.x.shape, out.lengths.tolist(), out.y.tolist(), out.class_names
    ((2, 3, 2), [3, 1], [1, 0], ['a', 'b'])
    >>> check_sequences(np.ones((2, 3, 1)), y=[7, 3]).class_names  # integers stay integers
    [3, 7]
    >>> check_sequences(np.ones((4, 5)))
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: sequences must be [N, T, F] (rank 3); got shape (4, 5) (rank 2); \
add a feature axis with x[..., None]
    """
    if isinstance(x, (list, tuple)):
        if lengths is not None:
            raise ConfigError("lengths= is only for a padded array; a list carries its lengths")
        xs, mask = pad_sequences_post(x)
        lens = mask.sum(axis=1).astype(np.int32)
    else:
        xs, lens = _dense_lengths(x, lengths)
        mask = np.arange(xs.shape[1])[None, :] < lens[:, None]
    where, count = first_nonfinite(xs, mask)
    if where is not None:
        raise DataError(
            f"sequences have {count} NaN/inf value(s) in real steps; first at sequence "
            f"{where[0]}, step {where[1]}, feature {where[2]}. A Masking layer does not mask "
            "NaN: impute or drop them"
        )
    ids = names = None
    if y is not None:
        if len(y) != len(xs):
            raise DataError(
                f"sequences and labels differ in length: {len(xs)} sequences vs "
                f"{len(y)} labels"
            )
        ids, names = to_label_array(y, classes=pick_classes(classes, class_names),
                                    min_classes=min_classes)
    return CheckedSequences(x=xs, y=ids, mask=mask, lengths=lens, class_names=names)
