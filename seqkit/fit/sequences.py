"""fit_sequence_classifier: ``[N, T, F]`` arrays or lists of variable-length sequences in,
a masked RNN classifier out."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from seqkit.errors import DataError
from seqkit.fit.classification import ClassificationTask, class_counts
from seqkit.fit.describe import describe_source
from seqkit.fit.models import build_sequence_model
from seqkit.fit.options import DEFAULT_PATIENCE, FitOptions
from seqkit.fit.pipeline import run_fit
from seqkit.fit.result import FitResult
from seqkit.validation import check_fraction


@dataclass
class SequenceClassification(ClassificationTask):
    """The sequence task's hooks: checked, zero-padded ``[N, T, F]`` splits (a named
    dataset's or a stratified seeded split), ``build_sequence_model``, array datasets."""

    name = "sequence_classification"

    x: object
    y: object = None
    lengths: object = None
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    classes: object = None
    class_weight: object = None

    def check(self) -> None:
        self.val_fraction = check_fraction("val_fraction", self.val_fraction)
        self.test_fraction = check_fraction("test_fraction", self.test_fraction)

    def load(self, seed: int) -> None:
        splits, self.class_names, self.source = _load(
            self.x, self.y, self.lengths, self.val_fraction, self.test_fraction, seed,
            self.classes)
        (self.train_x, self.train_y), (self.val_x, self.val_y), (self.test_x, self.test_y) = \
            splits
        self.n_features = int(self.train_x.shape[2])
        self.check_classes()

    def build_model(self, rnn):
        return build_sequence_model(self.n_features, len(self.class_names), rnn=rnn)

    def dataset(self, x, y, batch_size: int, *, shuffle: bool, seed: int):
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def config(self) -> dict:
        return {"source": describe_source(self.x),
                "labels": describe_source(self.y) if self.y is not None else None,
                "lengths": "given" if self.lengths is not None else None,
                "val_fraction": self.val_fraction, "test_fraction": self.test_fraction,
                "classes": list(self.classes) if self.classes is not None else None}

    def data_info(self) -> dict:
        parts = (self.train_x, self.val_x, self.test_x)
        all_lengths = np.concatenate([_lengths(a) for a in parts if len(a)])
        return {
            "source": self.source, "n_features": self.n_features,
            "split_sizes": {"train": len(self.train_x), "val": len(self.val_x),
                            "test": len(self.test_x)},
            "padded_length": int(self.train_x.shape[1]),
            "length_min": int(all_lengths.min()), "length_max": int(all_lengths.max()),
            "length_mean": float(all_lengths.mean()),
            "class_counts_train": class_counts(self.train_y, self.class_names),
        }


def fit_sequence_classifier(
    x,
    y=None,
    *,
    lengths=None,
    classes=None,
    class_weight=None,
    cell="lstm",
    units: int = 32,
    layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    epochs: int = 20,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    patience: int | None = DEFAULT_PATIENCE,
    strategy=None,
    callbacks=None,
    backup_dir=None,
    verbose=1,
) -> FitResult:
    """Train ``sequence → Masking → RNN stack → softmax`` on labelled sequences.

    Args:
        x: ``[N, T, F]`` (or ``[N, T]`` for one feature) array, or a list of ``[T_i, F]``
            arrays of different lengths (post-padded with zeros here), or a dataset name for
            ``seqkit.data.sequences.load_sequence_dataset`` (e.g. ``"digits"``).
        y: labels, one per sequence (not with a dataset name): strings, integers,
            booleans or a pandas Categorical. The class names are the sorted unique labels
            of their type: ``"1"``/``"2"`` (a UCR file's labels) are two string classes,
            ``{-1, 1}`` two integer classes. See :mod:`seqkit.data.text.labels`.
        lengths: true length of each row of an ``[N, T, F]`` array; steps beyond it are set
            to zero (padding). **A padded step is one whose features are all exactly 0**:
            the model masks such steps wherever they occur, so a real all-zero step is
            skipped too (a warning counts them); shift such data first. NaN is refused
            (``Masking`` does not mask NaN).
        classes: the class names in output order, of the labels' type; may hold classes
            ``y`` lacks; a label not among them is a DataError naming it. None: the sorted
            unique labels (a Categorical's categories).
        Other arguments as in :func:`seqkit.fit_text_classifier` (``cell``, ``units``,
        ``layers``, ``bidirectional``, ``dropout``, ``recurrent_dropout``, ``epochs``,
        ``batch_size``, ``learning_rate``, ``seed``, ``val_fraction``, ``test_fraction``
        (stratified random split), ``patience``, ``strategy``, ``callbacks``,
        ``backup_dir``, ``verbose``).

    Returns:
        :class:`FitResult`; ``model`` takes ``sequence [B, T, F]`` (any T, zero-padded).

    Example:

    >>> import numpy as np, seqkit
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 6, 2)).astype("float32")
    >>> y = np.where(x[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> result = seqkit.fit_sequence_classifier(x, y, units=4, epochs=1, verbose=0)
    >>> result.class_names, result.predict(x[:3]).shape
    (['down', 'up'], (3, 2))
    >>> ucr = seqkit.fit_sequence_classifier(x, np.where(y == "up", "2", "1"), units=4,
    ...                                      epochs=1, verbose=0)
    >>> ucr.class_names  # integer-looking strings stay strings: two classes
    ['1', '2']
    """
    return run_fit(SequenceClassification.pick(locals()), FitOptions.pick(locals()))


def _lengths(x: np.ndarray) -> np.ndarray:
    """Steps up to and including the last non-padding step of each row."""
    real = np.any(x != 0.0, axis=2)
    has = real.any(axis=1)
    last = x.shape[1] - np.argmax(real[:, ::-1], axis=1)
    return np.where(has, last, 0)


def _checked(x, y, lengths, classes=None):
    """``(x float32 [N, T, F] with every padded step zeroed, y ids, class names)``."""
    from seqkit.data.sequences import check_sequences

    if isinstance(x, np.ndarray) and x.dtype != object and x.ndim == 2:
        x = x[..., None]  # [N, T] -> one feature
    if isinstance(x, np.ndarray) and x.dtype == object:
        x = list(x)
    checked = check_sequences(x, y, lengths, classes=classes)
    arr = np.where(checked.mask[..., None], checked.x, 0.0).astype("float32")
    inner_zero = int(np.sum(~np.any(arr != 0.0, axis=2) & checked.mask))
    if inner_zero:
        warnings.warn(f"{inner_zero} real time step(s) are all zeros and will be masked as "
                      "padding; shift the data if zero steps carry information",
                      stacklevel=6)  # fit_sequence_classifier's caller
    return arr, checked.y, checked.class_names


def _load(x, y, lengths, val_fraction, test_fraction, seed, classes=None):
    if isinstance(x, str):
        if y is not None or lengths is not None or classes is not None:
            raise DataError(f"y, lengths and classes must be None with a dataset name ({x!r})")
        from seqkit.data.sequences import load_sequence_dataset

        if val_fraction <= 0 or test_fraction <= 0:
            raise DataError(f"a named dataset ({x!r}) needs val_fraction and test_fraction "
                            "> 0")
        ds = load_sequence_dataset(x, val_fraction=val_fraction, test_fraction=test_fraction,
                                   seed=seed)
        names = list(ds.class_names)
        parts = []
        for px, py in (ds.train, ds.val, ds.test):
            arr, _, _ = _checked(px, None, None)
            parts.append((arr, np.asarray(py, dtype="int64")))
        return parts, names, str(ds.source)
    if y is None:
        raise DataError("y (one label per sequence) is required unless x is a dataset name")
    arr, ids, names = _checked(x, y, lengths, classes)
    ids = np.asarray(ids, dtype="int64")
    return _split(arr, ids, val_fraction, test_fraction, seed), names, describe_source(x)


def _split(x, y, val_fraction, test_fraction, seed):
    """Stratified (when every class has >= 2 members) seeded train/val/test split."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(x))

    def cut(index, frac, salt):
        if frac <= 0:
            return index, index[:0]
        labels = y[index]
        n_take = int(round(frac * len(index)))
        if n_take < 1 or len(index) - n_take < 1:
            raise DataError(f"{len(x)} sequences are too few for the requested split "
                            f"(val_fraction={val_fraction}, test_fraction={test_fraction})")
        present, counts = np.unique(labels, return_counts=True)
        strat = labels if (counts.min() >= 2 and n_take >= len(present)
                           and len(index) - n_take >= len(present)) else None
        try:
            return train_test_split(index, test_size=n_take, random_state=seed + salt,
                                    stratify=strat)
        except ValueError:
            return train_test_split(index, test_size=n_take, random_state=seed + salt)

    rest, test = cut(idx, test_fraction, 0)
    train, val = cut(rest, val_fraction / (1.0 - test_fraction) if test_fraction else
                     val_fraction, 1)
    train = np.sort(train)
    return [(x[train], y[train]), (x[np.sort(val)], y[np.sort(val)]),
            (x[np.sort(test)], y[np.sort(test)])]
