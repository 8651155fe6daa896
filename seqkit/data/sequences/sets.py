"""Named sequence-classification sets as splits: the built-in ``"digits"``, UCR/UEA problems
(``"ucr:<Name>"``) and ``.ts`` files through aeon (:mod:`seqkit.data.ucr`)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from seqkit.data._checks import check_split_fractions
from seqkit.data.sequences.arrays import apply_layout, first_nonfinite, pad_sequences_post
from seqkit.data.splits import split_indices
from seqkit.data.text import LabelledSplits, to_label_array
from seqkit.data.ucr import UCR_PREFIX, load_ts, load_ucr, ts_files
from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_fraction

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
        :func:`seqkit.data.ucr.list_ucr_datasets`).

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
      (:func:`seqkit.data.ucr.load_ucr`: aeon's bundled problems, ``data_dir``, aeon's
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
