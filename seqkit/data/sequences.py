"""Sequence classification data ``[N, T, F]``: validation, post-padding, a built-in real set.

Built-in set (offline; its data ship inside the scikit-learn wheel):

- ``"digits"``: scikit-learn's ``load_digits`` (UCI "Optical Recognition of Handwritten
  Digits", Alpaydin & Kaynak 1998; CC BY 4.0): 1797 images of 8x8 pixels, 10 classes (the
  integers 0..9, as scikit-learn gives them), read row by row as sequences of 8 time steps
  x 8 features, pixel values 0..16 scaled to [0, 1].
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqkit.data._checks import check_split_fractions, real_array, steps_by_features
from seqkit.data.text import LabelledSplits, to_label_array
from seqkit.data.text.labels import pick_classes
from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_optional_int

__all__ = [
    "CheckedSequences",
    "SequenceSplits",
    "check_sequences",
    "list_sequence_datasets",
    "load_sequence_dataset",
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


def _first_nonfinite(x, mask):
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


def check_sequences(x, y=None, lengths=None, *, class_names=None,
                    classes=None) -> CheckedSequences:
    """Validate sequence inputs (and labels) for an RNN.

    Args:
        x: a float array ``[N, T, F]``, or a list of ``[T_i, F]`` (or ``[T_i]``) arrays, which
            are post-padded with zeros (:func:`pad_sequences_post`).
        y: optional labels (strings, integers, booleans, a pandas Categorical: see
            :func:`seqkit.data.to_label_array`; at least 2 classes), one per sequence.
        lengths: optional true lengths for a padded ``[N, T, F]`` array (each in ``1..T``);
            steps past a length are masked (their values are not checked).
        class_names: the older name of ``classes`` (same meaning).
        classes: the class names in id order, of the labels' type (may hold classes ``y``
            lacks); None: the sorted unique labels.

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
    where, count = _first_nonfinite(xs, mask)
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
        ids, names = to_label_array(y, classes=pick_classes(classes, class_names))
    return CheckedSequences(x=xs, y=ids, mask=mask, lengths=lens, class_names=names)


@dataclasses.dataclass
class SequenceSplits(LabelledSplits):
    """Train/val/test sequence classification splits, as :func:`load_sequence_dataset`
    returns them.

    Args:
        train: ``(x float32 [N, T, F], y int32 [N])`` of the training split.
        val: the same for validation.
        test: the same for test.
        class_names: names of the class ids.
        source: description (source, licence, preprocessing, split).

    Example:

    >>> part = (np.zeros((3, 8, 8), np.float32), np.array([0, 1, 1], np.int32))
    >>> SequenceSplits(part, part, part, ["0", "1"], "zeros").sizes()
    {'train': 3, 'val': 3, 'test': 3}
    """


def _load_digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0)  # [1797, 8, 8]: rows are time steps
    return x, d.target.astype(np.int32), [int(c) for c in d.target_names], (
        "scikit-learn load_digits (UCI Optical Recognition of Handwritten Digits, Alpaydin & "
        "Kaynak 1998, CC BY 4.0): 1797 8x8 images read row by row as 8 steps x 8 features, "
        "pixels 0..16 scaled to [0, 1]"
    )


_SEQUENCE_SETS = {"digits": _load_digits}


def list_sequence_datasets() -> list[str]:
    """Names accepted by :func:`load_sequence_dataset`.

    Returns:
        The sorted names of the built-in sequence sets.

    Example:

    >>> list_sequence_datasets()
    ['digits']
    """
    return sorted(_SEQUENCE_SETS)


def load_sequence_dataset(name: str = "digits", *, val_fraction: float = 0.15,
                          test_fraction: float = 0.15, seed: int = 0) -> SequenceSplits:
    """Load a built-in real sequence-classification set, split stratified and seeded.

    ``"digits"``: see the module docstring (1797 x 8 steps x 8 features, 10 classes; CC BY
    4.0). Splits use scikit-learn ``train_test_split(stratify=y, random_state=seed)``; the
    fractions are of the whole set.

    Args:
        name: a name of :func:`list_sequence_datasets`.
        val_fraction: fraction of the whole set for validation, in (0, 1).
        test_fraction: fraction of the whole set for test, in (0, 1); the two sum to less
            than 1.
        seed: the split seed (the same seed gives the same split).

    Returns:
        :class:`SequenceSplits` of ``(x float32 [N, 8, 8], y int32 [N])`` for ``"digits"``.

    Raises:
        DataError: unknown name (lists the available ones).
        ConfigError: bad fractions.

    Example:

    >>> splits = load_sequence_dataset("digits", seed=0)
    >>> splits.sizes(), splits.train[0].shape[1:], splits.num_classes
    ({'train': 1257, 'val': 270, 'test': 270}, (8, 8), 10)
    """
    from sklearn.model_selection import train_test_split

    if name not in _SEQUENCE_SETS:
        raise DataError(
            f"unknown sequence dataset {name!r}; available: {list_sequence_datasets()}"
        )
    val_fraction, test_fraction = check_split_fractions(
        val_fraction, test_fraction, allow_zero=False
    )
    x, y, names, desc = _SEQUENCE_SETS[name]()
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_fraction / (1.0 - test_fraction), random_state=seed,
        stratify=y_rest,
    )
    return SequenceSplits(
        train=(x_train, y_train), val=(x_val, y_val), test=(x_test, y_test),
        class_names=names,
        source=f"{desc}; split val={val_fraction}, test={test_fraction}, seed={seed}",
    )
