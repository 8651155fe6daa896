"""Sequence classification data ``[N, T, F]``: validation, post-padding, layouts, real sets.

Checking, padding and layouts of arrays; the named sets and ``.ts`` files as splits; and
the UCR/UEA loader (through aeon) they use.

seqkit's layout is ``[N, T, F]`` (examples, time steps, features). aeon and the UCR/UEA
archive put channels second, ``[N, channels, T]`` (lists of ``[channels, T_i]`` for unequal
lengths): :func:`apply_layout` converts them when told ``layout="NCT"``; a layout is never
guessed from the shape.

Built-in set (offline; its data ship inside the scikit-learn wheel):

- ``"digits"``: scikit-learn's ``load_digits`` (UCI "Optical Recognition of Handwritten
  Digits", Alpaydin & Kaynak 1998; CC BY 4.0): 1797 images of 8x8 pixels, 10 classes (the
  integers 0..9, as scikit-learn gives them), read row by row as sequences of 8 time steps
  x 8 features, pixel values 0..16 scaled to [0, 1].

UCR/UEA sets (offline, through aeon, ``pip install 'seqkit[ucr]'``; see
:func:`load_ucr`): ``"ucr:<Name>"`` for the problems aeon bundles (ArrowHead,
BasicMotions, JapaneseVowels, ...) or keeps in its download folder, and the path of any
``.ts`` file in the archive format. Their official train/test split is kept.

Sequences as an RNN takes them: checked ``[N, T, F]`` arrays, post-padding with a mask,
and the conversion from aeon's channels-second layout (:func:`apply_layout`).

Named sequence-classification sets as splits: the built-in ``"digits"``, UCR/UEA problems
(``"ucr:<Name>"``) and ``.ts`` files through aeon (:func:`load_ucr`).

UCR/UEA time-series classification files through aeon: find them on disk, read them.

Two kinds of source, both read offline (seqkit never downloads them):

- ``"ucr:<Name>"``: a problem of the UCR/UEA archive, read with
  ``aeon.datasets.load_classification(Name, split="train"/"test", extract_path=ROOT)``
  from the first ``ROOT`` that holds ``<Name>/<Name>_TRAIN.ts`` and ``<Name>_TEST.ts``:
  ``data_dir`` when given, then aeon's bundled data (``aeon/datasets/data``: ArrowHead,
  BasicMotions, JapaneseVowels, OSULeaf, ACSF1, GunPoint, ItalyPowerDemand, ... see
  :func:`list_ucr_datasets`), then aeon's download folder (``$AEON_DATA``, else
  ``~/aeon_data``). A name found in none of them is a
  :class:`~seqkit.errors.DatasetUnavailableError` that names the places and how to get the
  files; aeon is never asked to download.
- a path: a ``<Name>_TRAIN.ts`` file (its ``<Name>_TEST.ts`` beside it is the test split
  when present), a folder holding one ``*_TRAIN.ts``, or any other ``.ts`` file in the
  archive format (read with ``aeon.datasets.load_from_ts_file``; no test split of its own).

What this module returns is aeon's own: ``X`` as ``[N, channels, T]`` (a NumPy array) or,
for unequal lengths, a list of ``[channels, T_i]`` arrays, and ``y`` the labels as the file
writes them (strings: ``"1"``, ``"2"`` are two classes named ``"1"`` and ``"2"``).
:func:`seqkit.data.load_sequence_dataset` turns them into seqkit's ``[N, T, F]``.

aeon is an optional dependency: ``pip install 'seqkit[ucr]'``.

Example:

>>> from seqkit.data.sequences import load_ucr
>>> parts, description = load_ucr("ArrowHead")
>>> parts["train"][0].shape, parts["test"][0].shape, sorted(set(parts["train"][1].tolist()))
((36, 1, 251), (175, 1, 251), ['0', '1', '2'])
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path

import numpy as np

from seqkit.data.splits import split_indices
from seqkit.data.text import LabelledSplits, to_label_array
from seqkit.data.text.convert import pick_classes
from seqkit.errors import ConfigError, DataError, DatasetUnavailableError
from seqkit.validation import (
    check_choice,
    check_fraction,
    check_optional_int,
    check_split_fractions,
    real_array,
    steps_by_features,
)

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


__all__ = ["SequenceSplits", "has_test_split", "list_sequence_datasets",
           "load_sequence_dataset"]


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
        lengths: ``{"train": int32 [N], "val": ..., "test": ...}``: the true length of
            every series (steps past it are zero padding), or None (every series fills T).

    Example:

    >>> part = (np.zeros((3, 8, 8), np.float32), np.array([0, 1, 1], np.int32))
    >>> SequenceSplits(part, part, part, ["0", "1"], "zeros").sizes()
    {'train': 3, 'val': 3, 'test': 3}
    """

    lengths: dict | None = None


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
DEFAULT_TEST_FRACTION = 0.15


def list_sequence_datasets() -> list[str]:
    """Names accepted by :func:`load_sequence_dataset` besides ``"ucr:<Name>"`` and paths.

    Returns:
        The sorted names of the built-in sequence sets (the UCR/UEA problems aeon bundles:
        :func:`list_ucr_datasets`).

    Example:

    >>> list_sequence_datasets()
    ['digits']
    """
    return sorted(_SEQUENCE_SETS)


def _source_kind(name) -> str:
    """``"builtin"``, ``"ucr"`` or ``"ts"`` (a path), else a DataError listing the forms."""
    if isinstance(name, str) and name in _SEQUENCE_SETS:
        return "builtin"
    if isinstance(name, str) and name.startswith(UCR_PREFIX):
        return "ucr"
    if isinstance(name, (str, os.PathLike)) and (
            Path(name).expanduser().exists() or str(name).lower().endswith(".ts")):
        return "ts"
    raise DataError(
        f"unknown sequence dataset {name!r}; available: {list_sequence_datasets()}, "
        f"'{UCR_PREFIX}<Name>' (a UCR/UEA problem, e.g. '{UCR_PREFIX}ArrowHead') or the "
        "path of a .ts file or folder")


def has_test_split(name) -> bool:
    """Whether a :func:`load_sequence_dataset` source brings its own test split.

    Args:
        name: a built-in name, ``"ucr:<Name>"`` or a ``.ts`` path.

    Returns:
        True for ``"ucr:<Name>"`` and a ``<Name>_TRAIN.ts`` with its ``_TEST.ts`` beside it;
        False for the built-in sets and a lone ``.ts`` file.

    Example:

    >>> has_test_split("digits"), has_test_split("ucr:ArrowHead")
    (False, True)
    """
    kind = _source_kind(name)
    if kind == "ts":
        return ts_files(name)[1] is not None
    return kind == "ucr"


def _padded(series: dict) -> tuple[dict, dict]:
    """Lists of ``[T_i, F]`` per split, post-padded to one common T: ``(x, lengths)``."""
    order = list(series)
    x, mask = pad_sequences_post([s for k in order for s in series[k]])
    where, count = first_nonfinite(x, mask)
    bounds = np.cumsum([0] + [len(series[k]) for k in order])
    if where is not None:
        k = int(np.searchsorted(bounds, where[0], side="right")) - 1
        raise DataError(
            f"the {order[k]} split has {count} NaN/inf value(s); first at series "
            f"{where[0] - bounds[k]}, step {where[1]}, channel {where[2]} (a Masking layer "
            "does not mask NaN: impute them, or use the archive's _nmv files)")
    lengths = mask.sum(axis=1).astype(np.int32)
    return ({k: x[bounds[i]:bounds[i + 1]] for i, k in enumerate(order)},
            {k: lengths[bounds[i]:bounds[i + 1]] for i, k in enumerate(order)})


def _split_parts(x, ids, lengths, val_fraction, test_fraction, seed, test=None):
    """Train/val/test ``(x, ids)`` and lengths: val (and test, when ``test`` is None)
    carved by :func:`seqkit.data.splits.split_indices`."""
    carve_test = test_fraction if test is None else 0.0
    train, val, test_idx = split_indices(ids, val_fraction, carve_test, seed)
    if test is None:
        test = (x[test_idx], ids[test_idx], lengths[test_idx])
    out = {"train": (x[train], ids[train], lengths[train]),
           "val": (x[val], ids[val], lengths[val]), "test": test}
    return ({k: (v[0], v[1].astype(np.int32)) for k, v in out.items()},
            {k: v[2] for k, v in out.items()})


def _archive_splits(parts, desc, val_fraction, test_fraction, seed):
    """SequenceSplits of aeon's ``{"train": (X, y), "test": (X, y) or None}``."""
    train_x, train_y = parts["train"]
    official = parts["test"]
    if official is not None and test_fraction is not None:
        raise ConfigError(f"test_fraction must be None for {desc}: it has its own test "
                          f"split, got {test_fraction!r}")
    ids, names = to_label_array(train_y)
    series = {"train": list(apply_layout(train_x, "NCT"))}
    if official is not None:
        test_ids, _ = to_label_array(official[1], classes=names, min_classes=1)
        series["test"] = list(apply_layout(official[0], "NCT"))
    x, lengths = _padded(series)
    if official is None:
        test_fraction = DEFAULT_TEST_FRACTION if test_fraction is None else test_fraction
        val_fraction, test_fraction = check_split_fractions(val_fraction, test_fraction)
        test, how = None, f"test {test_fraction} and val {val_fraction} of the file"
    else:
        val_fraction = check_fraction("val_fraction", val_fraction)
        test = (x["test"], test_ids, lengths["test"])
        how = f"the official train/test split, val {val_fraction} of train"
    splits, lens = _split_parts(x["train"], ids, lengths["train"], val_fraction,
                                test_fraction, seed, test)
    return SequenceSplits(**splits, class_names=names, lengths=lens,
                          source=f"{desc}; {how} (stratified, seed={seed})")


def load_sequence_dataset(name="digits", *, val_fraction: float = 0.15,
                          test_fraction: float | None = None, seed: int = 0,
                          data_dir=None) -> SequenceSplits:
    """Load a real sequence-classification set as stratified, seeded splits ``[N, T, F]``.

    Sources:

    - ``"digits"``: see the module docstring (1797 x 8 steps x 8 features, 10 classes; CC
      BY 4.0); val and test are fractions of the whole set.
    - ``"ucr:<Name>"``: a UCR/UEA problem read offline through aeon
      (:func:`load_ucr`: aeon's bundled problems, ``data_dir``, aeon's
      download folder). Its **official test split is the test split**; val is carved from
      the official train split.
    - a path: a ``<Name>_TRAIN.ts`` file or a folder holding one (its ``_TEST.ts`` is the
      test split when present), or any ``.ts`` file (val and test carved from it).

    Archive series come as aeon gives them, ``[N, channels, T]``, and are returned as
    ``[N, T, channels]`` float32; unequal lengths (JapaneseVowels) are post-padded with
    zeros to the longest series of all splits and :attr:`SequenceSplits.lengths` keeps the
    true lengths. Labels stay as the file writes them (strings: ``"1"`` and ``"2"`` are
    two classes); the class names are the training split's sorted labels. Every carved
    split follows :mod:`seqkit.data.splits` (stratified, at least one example per class on
    both sides when possible).

    Args:
        name: a name of :func:`list_sequence_datasets`, ``"ucr:<Name>"`` or a path.
        val_fraction: the validation fraction in [0, 1) (``"digits"``: (0, 1)): of the
            whole set, or of the official train split when the source has one.
        test_fraction: for a source without a test split: its fraction of the whole set
            (None: 0.15). Must be None when the source has its own test split.
        seed: the split seed (the same seed gives the same split).
        data_dir: a folder holding ``<Name>/<Name>_TRAIN.ts`` for ``"ucr:<Name>"``.

    Returns:
        :class:`SequenceSplits` of ``(x float32 [N, T, F], y int32 [N])``.

    Raises:
        DataError: unknown name (lists the forms), a bad ``.ts`` file, NaN in a series,
            a test label the training split lacks.
        DatasetUnavailableError: aeon missing (names ``pip install 'seqkit[ucr]'``) or a
            UCR/UEA problem not on disk (names where it looked; nothing is downloaded).
        ConfigError: bad fractions, a ``test_fraction`` for a source with a test split.

    Example:

    >>> splits = load_sequence_dataset("digits", seed=0)
    >>> splits.sizes(), splits.train[0].shape[1:], splits.num_classes
    ({'train': 1257, 'val': 270, 'test': 270}, (8, 8), 10)
    >>> arrow = load_sequence_dataset("ucr:ArrowHead", val_fraction=0.1)
    >>> arrow.sizes(), arrow.train[0].shape[1:], arrow.class_names
    ({'train': 32, 'val': 4, 'test': 175}, (251, 1), ['0', '1', '2'])
    """
    kind = _source_kind(name)
    if kind == "ucr":
        return _archive_splits(*load_ucr(name, data_dir), val_fraction, test_fraction, seed)
    if kind == "ts":
        return _archive_splits(*load_ts(name), val_fraction, test_fraction, seed)
    test_fraction = DEFAULT_TEST_FRACTION if test_fraction is None else test_fraction
    val_fraction, test_fraction = check_split_fractions(
        val_fraction, test_fraction, allow_zero=False)
    x, y, names, desc = _SEQUENCE_SETS[name]()
    splits, _ = _split_parts(x, y, np.full(len(y), x.shape[1], np.int32), val_fraction,
                             test_fraction, seed)
    return SequenceSplits(
        **splits, class_names=names,
        source=f"{desc}; split val={val_fraction}, test={test_fraction}, seed={seed}")


__all__ = ["TSER_PREFIX", "UCR_PREFIX", "list_tser_datasets", "list_ucr_datasets", "load_ts",
           "load_tser", "load_ucr", "ts_files", "ucr_roots"]

UCR_PREFIX = "ucr:"
_INSTALL = "pip install 'seqkit[ucr]'"
_ARCHIVE = "https://www.timeseriesclassification.com"


def _aeon_datasets(what: str):
    try:
        import aeon.datasets
    except ImportError as exc:
        raise DatasetUnavailableError(
            f"{what} is read with aeon, which is not installed ({exc}); install the extra: "
            f"{_INSTALL}") from None
    return aeon.datasets


def _bundled_root() -> Path:
    return Path(_aeon_datasets("the UCR/UEA data").__file__).parent / "data"


def _aeon_home() -> Path:
    # aeon's download folder, resolved as aeon 1.6's dataset_collections._get_data_home
    # does (without creating it): $AEON_DATA, else ~/aeon_data.
    return Path(os.environ.get("AEON_DATA", "~/aeon_data")).expanduser()


def _has_pair(root: Path, name: str) -> bool:
    return all((root / name / f"{name}_{part}.ts").is_file() for part in ("TRAIN", "TEST"))


def _is_classification(train_file: Path) -> bool:
    with open(train_file, encoding="utf-8", errors="replace") as f:
        for line in f:
            words = line.strip().lower().split()
            if words[:1] == ["@classlabel"]:
                return words[1:2] == ["true"]
            if words[:1] == ["@data"]:
                return False
    return False


def list_ucr_datasets() -> list[str]:
    """The UCR/UEA classification problems aeon ships in its package (read offline).

    Returns:
        Their sorted names (use them as ``"ucr:<Name>"``).

    Raises:
        DatasetUnavailableError: aeon is not installed (names the extra).

    Example:

    >>> {"ArrowHead", "BasicMotions", "JapaneseVowels"} <= set(list_ucr_datasets())
    True
    """
    root = _bundled_root()
    return sorted(p.name for p in root.iterdir()
                  if _has_pair(root, p.name) and _is_classification(
                      root / p.name / f"{p.name}_TRAIN.ts"))


def ucr_roots(data_dir=None) -> list[Path]:
    """Where ``"ucr:<Name>"`` is looked for, in order.

    Args:
        data_dir: a folder holding ``<Name>/<Name>_TRAIN.ts`` (and ``_TEST.ts``), or None.

    Returns:
        ``[data_dir (when given), aeon's bundled data, aeon's download folder]``.

    Example:

    >>> [p.name for p in ucr_roots("/tmp/ucr")][::2]
    ['ucr', 'aeon_data']
    """
    roots = [Path(data_dir).expanduser()] if data_dir is not None else []
    return roots + [_bundled_root(), _aeon_home()]


def _not_found(name: str, roots: list[Path]) -> DatasetUnavailableError:
    bundled = list_ucr_datasets()
    close = difflib.get_close_matches(name, bundled, n=3, cutoff=0.6)
    return DatasetUnavailableError(
        f"UCR/UEA problem {name!r} is not bundled with aeon and not on disk: looked for "
        f"{name}/{name}_TRAIN.ts and {name}/{name}_TEST.ts in "
        f"{[str(r) for r in roots]}. seqkit never downloads: get the two files from "
        f"{_ARCHIVE} (or run aeon.datasets.load_classification({name!r}, extract_path=DIR) "
        f"once on a machine with the network), then pass data_dir=DIR (the folder holding "
        f"{name}/) or the path of {name}_TRAIN.ts."
        + (f" Did you mean {close}?" if close else f" Bundled: {bundled}"))


def load_ucr(name: str, data_dir=None) -> tuple[dict, str]:
    """Read the official train and test splits of a UCR/UEA problem, offline.

    Args:
        name: the problem's name as the archive spells it (``"ArrowHead"``); the
            ``"ucr:"`` prefix is allowed.
        data_dir: a folder holding ``<name>/<name>_TRAIN.ts`` and ``_TEST.ts`` (looked at
            first), or None for aeon's bundled data and download folder only.

    Returns:
        ``({"train": (X, y), "test": (X, y)}, description)`` as aeon gives them: ``X``
        ``[N, channels, T]`` or a list of ``[channels, T_i]`` arrays, ``y`` strings.

    Raises:
        DatasetUnavailableError: aeon missing (names the extra), or the files are in none
            of :func:`ucr_roots` (names them and how to get the files).
        DataError: an empty or path-like name.

    Example:

    >>> parts, _ = load_ucr("ucr:BasicMotions")
    >>> parts["train"][0].shape  # 40 series, 6 channels, 100 steps
    (40, 6, 100)
    """
    if name.startswith(UCR_PREFIX):
        name = name[len(UCR_PREFIX):]
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise DataError(f"a UCR/UEA name must be a plain name like 'ArrowHead', got {name!r}")
    datasets = _aeon_datasets(f"ucr:{name}")
    roots = ucr_roots(data_dir)
    root = next((r for r in roots if _has_pair(r, name)), None)
    if root is None:
        raise _not_found(name, roots)
    parts = {split: datasets.load_classification(name, split=split, extract_path=str(root))
             for split in ("train", "test")}
    return parts, f"UCR/UEA {name} (aeon load_classification, {root / name})"


TSER_PREFIX = "tser:"
_TSER_ARCHIVE = "http://tseregression.org"


def list_tser_datasets() -> list[str]:
    """The TSER (time series extrinsic regression) problems aeon ships in its package.

    Returns:
        Their sorted names (use them as ``"tser:<Name>"``).

    Raises:
        DatasetUnavailableError: aeon is not installed (names the extra).

    Example:

    >>> list_tser_datasets()
    ['CardanoSentiment', 'Covid3Month']
    """
    root = _bundled_root()
    return sorted(p.name for p in root.iterdir()
                  if _has_pair(root, p.name) and _is_regression(
                      root / p.name / f"{p.name}_TRAIN.ts"))


def _is_regression(train_file: Path) -> bool:
    with open(train_file, encoding="utf-8", errors="replace") as f:
        for line in f:
            words = line.strip().lower().split()
            if words[:1] == ["@targetlabel"]:
                return words[1:2] == ["true"]
            if words[:1] == ["@data"]:
                return False
    return False


def load_tser(name: str, data_dir=None) -> tuple[dict, str]:
    """Read the official train and test splits of a TSER regression problem, offline
    (Tan et al. 2021, "Time series extrinsic regression", the archive aeon reads).

    Args:
        name: the problem's name as the archive spells it (``"Covid3Month"``); the
            ``"tser:"`` prefix is allowed.
        data_dir: a folder holding ``<name>/<name>_TRAIN.ts`` and ``_TEST.ts`` (looked at
            first), or None for aeon's bundled data and download folder only.

    Returns:
        ``({"train": (X, y), "test": (X, y)}, description)``: ``X`` ``[N, channels, T]``
        (or a list of ``[channels, T_i]``), ``y`` float64 targets.

    Raises:
        DatasetUnavailableError: aeon missing, or the files are in none of the folders
            (names them, the archive, and that seqkit never downloads).
        DataError: an empty or path-like name.

    Example:

    >>> parts, _ = load_tser("tser:Covid3Month")
    >>> parts["train"][0].shape, parts["test"][0].shape  # 1 channel, 84 days
    ((140, 1, 84), (61, 1, 84))
    """
    if name.startswith(TSER_PREFIX):
        name = name[len(TSER_PREFIX):]
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise DataError(f"a TSER name must be a plain name like 'Covid3Month', got {name!r}")
    datasets = _aeon_datasets(f"tser:{name}")
    roots = ucr_roots(data_dir)
    root = next((r for r in roots if _has_pair(r, name)), None)
    if root is None:
        raise DatasetUnavailableError(
            f"TSER problem {name!r} is not bundled with aeon and not on disk: looked for "
            f"{name}/{name}_TRAIN.ts and {name}/{name}_TEST.ts in "
            f"{[str(r) for r in roots]}. seqkit never downloads: get the two files from "
            f"{_TSER_ARCHIVE} (or run aeon.datasets.load_regression({name!r}, "
            f"extract_path=DIR) once on a machine with the network), then pass "
            f"data_dir=DIR. Bundled: {list_tser_datasets()}")
    parts = {}
    for split in ("train", "test"):
        x, y = datasets.load_regression(name, split=split, extract_path=str(root))
        parts[split] = (x, np.asarray(y, dtype="float64"))
    return parts, f"TSER {name} (aeon load_regression, {root / name})"


def ts_files(path) -> tuple[Path, Path | None]:
    """The ``(train, test or None)`` ``.ts`` files a path names.

    Args:
        path: a ``<Name>_TRAIN.ts`` file (its ``<Name>_TEST.ts`` sibling is the test file
            when present), a folder holding exactly one ``*_TRAIN.ts``, or another ``.ts``
            file (no test file).

    Returns:
        ``(train file, test file or None)``.

    Raises:
        DataError: a missing path, a folder without exactly one ``*_TRAIN.ts``, a file that
            is not ``.ts``.

    Example:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for part in ("TRAIN", "TEST"):
    ...     _ = (folder / f"Tiny_{part}.ts").write_text("@data\\n")
    >>> [p.name for p in ts_files(folder)]
    ['Tiny_TRAIN.ts', 'Tiny_TEST.ts']
    """
    path = Path(path).expanduser()
    if path.is_dir():
        found = sorted(path.glob("*_TRAIN.ts"))
        if len(found) != 1:
            raise DataError(f"folder {str(path)!r} must hold exactly one *_TRAIN.ts file "
                            f"(the archive's <Name>_TRAIN.ts), found {[p.name for p in found]}")
        path = found[0]
    if not path.is_file() or path.suffix.lower() != ".ts":
        raise DataError(f"{str(path)!r} is not an existing .ts file (the UCR/UEA archive "
                        "format) or a folder holding one <Name>_TRAIN.ts")
    if path.name.endswith("_TRAIN.ts"):
        test = path.with_name(path.name[: -len("_TRAIN.ts")] + "_TEST.ts")
        return path, (test if test.is_file() else None)
    return path, None


def _read_ts(path: Path):
    datasets = _aeon_datasets(f"the .ts file {str(path)!r}")
    try:
        out = datasets.load_from_ts_file(str(path))
    except (OSError, ValueError, IndexError, KeyError, TypeError) as exc:
        raise DataError(f"cannot read {str(path)!r} as a .ts file (aeon: {exc})") from None
    if not isinstance(out, tuple) or len(out) < 2 or out[1] is None or not len(out[1]):
        raise DataError(f"{str(path)!r} holds no class labels (@classLabel true ... and a "
                        "label after each series)")
    return out[0], out[1]


def load_ts(path) -> tuple[dict, str]:
    """Read a ``.ts`` file (and its ``_TEST.ts`` sibling) with aeon's ``load_from_ts_file``.

    Args:
        path: as :func:`ts_files` takes it.

    Returns:
        ``({"train": (X, y), "test": (X, y) or None}, description)``, ``X`` and ``y`` as
        aeon gives them (see the module docstring).

    Raises:
        DataError: as :func:`ts_files`, a file aeon cannot parse, a file without labels.
        DatasetUnavailableError: aeon is not installed.

    Example:

    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "Tiny_TRAIN.ts"
    >>> _ = file.write_text("@problemName Tiny\\n@timeStamps false\\n@univariate true\\n"
    ...                     "@classLabel true a b\\n@data\\n1,2,3:a\\n4,5,6:b\\n")
    >>> parts, _ = load_ts(file)
    >>> parts["train"][0].shape, parts["train"][1].tolist(), parts["test"]
    ((2, 1, 3), ['a', 'b'], None)
    """
    train, test = ts_files(path)
    parts = {"train": _read_ts(train), "test": _read_ts(test) if test is not None else None}
    files = f"{train}" + (f" and {test.name}" if test is not None else "")
    return parts, f".ts file {files} (aeon load_from_ts_file)"
